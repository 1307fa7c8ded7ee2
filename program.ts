import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CustomerSite } from "./components/tenant/customer-site";
import { imageReference } from "./components/tenant/manifests";
import { componentName, customerUrl, registryTableName } from "./components/model/names";
import { PROJECT_ROOT } from "./components/model/project";
import { loadCustomers } from "./components/records/load";
import type { Customer } from "./components/model/customer";
import { awsProvider } from "./infra/aws-provider";
import { clusterTarget } from "./infra/cluster";
import { ingressController } from "./infra/ingress-controller";
import { registryTable } from "./infra/registry-table";
import { platformRbac } from "./infra/rbac";
import { basicAuth } from "./infra/basic-auth";
import { certManager } from "./infra/cert-manager";
import { wildcardRecord } from "./infra/dns";
import { loadStackSettings } from "./stacks/load";
import type { StackSettings } from "./stacks/settings";

export interface StackOutputs {
    environment: string;
    /** Customer id → URL of its welcome page. */
    customers: Record<string, string>;
    clusterName: pulumi.Output<string>;
    /** Secret: only in eks mode, where this stack created the cluster. */
    kubeconfig: pulumi.Output<string | undefined>;
    /** The ingress controller's load balancer, when this stack installs the controller. */
    ingressAddress: pulumi.Output<string> | undefined;
    registryTableName: pulumi.Output<string>;
    registryTableArn: pulumi.Output<string>;
    /** The local DynamoDB-compatible endpoint (local stack), for `npm run verify`. */
    registryEndpoint: string | undefined;
    /** Secret: the basic-auth credentials of non-prod pages (absent where pages are public). */
    basicAuth: pulumi.Output<{ username: string; password: string }> | undefined;
}


/**
 * The whole program. Settings and customer records are parsed and validated completely before the first resource
 * is declared, so an invalid record or setting registers nothing at all.
 */
export async function defineStack(): Promise<StackOutputs> {
    const settings = loadStackSettings();
    const customersDir = path.resolve(PROJECT_ROOT, settings.customersDir);
    const customers = loadCustomers(customersDir, {
        allowEmpty: settings.allowEmptyCustomers,
        displayDir: path.relative(PROJECT_ROOT, customersDir) || ".",
    });
    return declareResources(settings, customers);
}


async function declareResources(settings: StackSettings, customers: readonly Customer[]): Promise<StackOutputs> {
    const aws = awsProvider(settings);
    const cluster = clusterTarget(settings, { provider: aws });
    const registry = registryTable(settings, registryTableName(settings.stack), { provider: aws });
    const ingress = ingressController(settings, { provider: cluster.provider });
    if (ingress && settings.dns.hostedZoneId) wildcardRecord(settings.dns.hostedZoneId, settings.baseDomain, ingress.address, { provider: aws });
    if (ingress && cluster.oidc && settings.certManager.install) {
        certManager({ settings, oidc: cluster.oidc, ingressNamespace: ingress.namespace, k8sOpts: { provider: cluster.provider }, awsOpts: { provider: aws } });
    }
    const rbac = platformRbac(settings.rbac.deployerGroup, { provider: cluster.provider });
    const auth = settings.tenancy.basicAuth ? basicAuth() : undefined;

    const image = imageReference(settings.image);
    const urls: Record<string, string> = {};
    const batchSize = settings.customerBatchSize || customers.length || 1;
    for (let first = 0; first < customers.length; first += batchSize) {
        const batch = customers.slice(first, first + batchSize).map((customer) => {
            urls[customer.id] = customerUrl(customer.id, settings.baseDomain, settings.ingress.tls.enabled);
            return new CustomerSite(
                componentName(customer.id),
                {
                    customer,
                    size: settings.tierSizes[customer.tier],
                    image,
                    baseDomain: settings.baseDomain,
                    ingressClassName: settings.ingress.className,
                    tls: settings.ingress.tls,
                    protectNamespace: settings.tenancy.protectNamespaces,
                    registry: { tableName: registry.table.name, environment: settings.stack },
                    tenancy: {
                        podSecurityVersion: settings.tenancy.podSecurityVersion,
                        ingressNamespace: settings.ingressController.namespace,
                        supportGroup: settings.rbac.supportGroup,
                        basicAuth: settings.tenancy.basicAuth,
                    },
                    viewerRole: { name: rbac.viewerRoleName, resource: rbac.viewer },
                    htpasswd: auth?.htpasswd,
                },
                { providers: { kubernetes: cluster.provider, aws } },
            );
        });
        await Promise.all(batch.map((site) => site.registered));
    }
    return {
        environment: settings.stack,
        customers: urls,
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        ingressAddress: ingress?.address,
        registryTableName: registry.table.name,
        registryTableArn: registry.table.arn,
        registryEndpoint: settings.aws.dynamodbEndpoint,
        basicAuth: auth?.credentials,
    };
}

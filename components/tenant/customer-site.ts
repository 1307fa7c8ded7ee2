import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    allowIngressPolicyManifest,
    autoscalerManifest,
    basicAuthSecretManifest,
    denyAllPolicyManifest,
    limitRangeManifest,
    podDisruptionBudgetManifest,
    resourceQuotaManifest,
    supportRoleBindingManifest,
} from "./isolation";
import {
    configMapManifest,
    deploymentManifest,
    httpRouteManifest,
    ingressManifest,
    serviceManifest,
    tenantNamespaceManifest,
    type SiteSpec,
} from "./manifests";
import { customerUrl, tenantNamespace } from "../model/names";
import { renderSiteContent } from "../model/site/content";
import { REGISTRY_KEYS, registryProfileItem } from "../model/registry";
import { customerProbeManifest, type MonitoringSettings } from "../model/monitoring";

export type CustomerSiteArgs = Omit<SiteSpec, "content"> & {
    /** Pulumi `protect` on the tenant namespace (prod): removing a customer then takes a deliberate second step. */
    protectNamespace?: boolean;
    /** The customer's PROFILE item in the stack's registry table; a child, so removing a customer removes only it. */
    registry?: { tableName: pulumi.Input<string>; environment: string };
    /** ClusterRole bound for the support group in this namespace; the component depends on it. */
    viewerRole: { name: string; resource?: pulumi.Resource };
    /** The environment's monitoring (monitoring.enabled): one blackbox Probe of this page, in the tenant namespace. */
    monitoring?: MonitoringSettings;
    /** htpasswd line for basic auth (secret, from the stack's RandomPassword); required when tenancy.basicAuth. */
    htpasswd?: pulumi.Output<string>;
};

/**
 * One customer's welcome page: its namespace, page + nginx config, Deployment, Service, route (an Ingress, or an
 * HTTPRoute on the shared Gateway when `gateway` is set) and registry item.
 * Children inherit the component's providers (`providers: { kubernetes, aws }`). The Kubernetes objects
 * themselves come from pure functions in ./k8s/manifests; this class only wires them into Pulumi resources.
 */
export class CustomerSite extends pulumi.ComponentResource {
    /** The page's address, `https://<id>.<baseDomain>/` (http without TLS): the one place it is computed. */
    readonly url: string;
    readonly namespace: string;
    /** Resolves once the engine has answered every child's registration (see program.ts: customers in batches). */
    readonly registered: Promise<void>;

    constructor(name: string, args: CustomerSiteArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:index:CustomerSite", name, {}, opts);
        const spec: SiteSpec = { ...args, content: renderSiteContent(args.customer, { basicAuth: args.tenancy.basicAuth }) };
        // The manifests are plain data checked by the real API server tests; here they are handed over as-is.
        const child = { parent: this };

        // Every child is kept so that `registered` can tell when the engine has answered all of them.
        const children: pulumi.CustomResource[] = [];
        const keep = <R extends pulumi.CustomResource>(resource: R): R => {
            children.push(resource);
            return resource;
        };

        const ns = keep(new k8s.core.v1.Namespace(`${name}-namespace`, tenantNamespaceManifest(spec), {
            ...child,
            protect: args.protectNamespace ?? false,
        }));
        // Namespaced objects name their namespace as a plain string, so the ordering is made explicit.
        const inNamespace = { ...child, dependsOn: [ns] };
        // Isolation first: quota, limits and default-deny exist before any pod can be scheduled.
        const guards = [
            keep(new k8s.core.v1.ResourceQuota(`${name}-quota`, resourceQuotaManifest(spec), inNamespace)),
            keep(new k8s.core.v1.LimitRange(`${name}-limits`, limitRangeManifest(spec), inNamespace)),
            keep(new k8s.networking.v1.NetworkPolicy(`${name}-deny-all`, denyAllPolicyManifest(spec), inNamespace)),
            keep(new k8s.networking.v1.NetworkPolicy(`${name}-allow-ingress`, allowIngressPolicyManifest(spec), inNamespace)),
        ];
        keep(new k8s.rbac.v1.RoleBinding(`${name}-support-viewer`, supportRoleBindingManifest(spec, args.viewerRole.name), {
            ...child,
            dependsOn: [ns, ...(args.viewerRole.resource ? [args.viewerRole.resource] : [])],
        }));
        const configMap = keep(new k8s.core.v1.ConfigMap(`${name}-configmap`, configMapManifest(spec), inNamespace));
        // The pods mount the htpasswd file (basic auth), so the Secret exists before the Deployment.
        const podInputs: pulumi.Resource[] = [configMap];
        if (args.tenancy.basicAuth) {
            if (!args.htpasswd) throw new pulumi.ResourceError("tenancy.basicAuth needs an htpasswd line", this);
            const secret = basicAuthSecretManifest(spec, args.htpasswd.apply((line) => `${line}\n`));
            podInputs.push(keep(new k8s.core.v1.Secret(`${name}-basic-auth`, secret, inNamespace)));
        }
        const deployment = keep(new k8s.apps.v1.Deployment(`${name}-deployment`, deploymentManifest(spec), {
            ...child,
            dependsOn: [ns, ...podInputs, ...guards],
        }));
        const service = keep(new k8s.core.v1.Service(`${name}-service`, serviceManifest(spec), inNamespace));
        const routeOpts = { ...child, dependsOn: [ns, service] };
        if (args.gateway) {
            // Gateway API kinds are CRDs (not in the SDK's typed resources); the route is the customer's, like the Ingress.
            keep(new k8s.apiextensions.CustomResource(`${name}-route`, httpRouteManifest({ ...spec, gateway: args.gateway }), routeOpts));
        } else {
            keep(new k8s.networking.v1.Ingress(`${name}-ingress`, ingressManifest(spec), routeOpts));
        }
        const pdb = podDisruptionBudgetManifest(spec);
        if (pdb) keep(new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, pdb, { ...child, dependsOn: [ns, deployment] }));
        const hpa = autoscalerManifest(spec);
        if (hpa) keep(new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, hpa, { ...child, dependsOn: [ns, deployment] }));

        const url = customerUrl(args.customer.id, args.baseDomain, args.tls.enabled);
        const namespace = tenantNamespace(args.customer.id);
        if (args.monitoring) {
            keep(new k8s.apiextensions.CustomResource(`${name}-probe`, customerProbeManifest(args.customer, args.monitoring), { ...child, dependsOn: [ns] }));
        }
        if (args.registry) {
            keep(new aws.dynamodb.TableItem(`${name}-registry-item`, {
                tableName: args.registry.tableName,
                hashKey: REGISTRY_KEYS.partition,
                rangeKey: REGISTRY_KEYS.sort,
                item: registryProfileItem(args.customer, { environment: args.registry.environment, url, namespace }),
            }, child));
        }

        // A URN is known (also in preview) exactly when the engine has answered that resource's registration.
        this.registered = Promise.all(children.map((c) => new Promise<void>((done) => c.urn.apply(() => done())))).then(() => undefined);

        this.url = url;
        this.namespace = namespace;
        this.registerOutputs({ url, namespace });
    }
}

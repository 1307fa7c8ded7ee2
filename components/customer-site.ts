import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    configMapManifest,
    deploymentManifest,
    ingressManifest,
    serviceManifest,
    tenantNamespaceManifest,
    type SiteSpec,
} from "./k8s/manifests";
import { customerUrl, tenantNamespace } from "./k8s/names";
import { renderSiteContent } from "./site/content";

export type CustomerSiteArgs = Omit<SiteSpec, "content"> & {
    /** Pulumi `protect` on the tenant namespace (prod): removing a customer then takes a deliberate second step. */
    protectNamespace?: boolean;
};

/**
 * One customer's welcome page: its namespace, page + nginx config, Deployment, Service and Ingress. The objects
 * themselves come from pure functions in ./k8s/manifests; this class only wires them into Pulumi resources.
 */
export class CustomerSite extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: CustomerSiteArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:index:CustomerSite", name, {}, opts);
        const spec: SiteSpec = { ...args, content: renderSiteContent(args.customer) };
        const child = { parent: this };

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, tenantNamespaceManifest(spec), {
            ...child,
            protect: args.protectNamespace ?? false,
        });
        // Namespaced objects name their namespace as a plain string, so the ordering is made explicit.
        const inNamespace = { ...child, dependsOn: [ns] };
        const configMap = new k8s.core.v1.ConfigMap(`${name}-configmap`, configMapManifest(spec), inNamespace);
        new k8s.apps.v1.Deployment(`${name}-deployment`, deploymentManifest(spec), { ...child, dependsOn: [ns, configMap] });
        const service = new k8s.core.v1.Service(`${name}-service`, serviceManifest(spec), inNamespace);
        new k8s.networking.v1.Ingress(`${name}-ingress`, ingressManifest(spec), { ...child, dependsOn: [ns, service] });

        this.url = pulumi.output(customerUrl(args.customer.id, args.baseDomain, args.tls.enabled));
        this.namespace = pulumi.output(tenantNamespace(args.customer.id));
        this.registerOutputs({ url: this.url, namespace: this.namespace });
    }
}

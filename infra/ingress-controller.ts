import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const INGRESS_NGINX_CHART_REPO = "https://kubernetes.github.io/ingress-nginx";

export interface IngressControllerArgs {
    /** Helm chart version, pinned. */
    chartVersion: string;
    namespace: string;
    /** IngressClass the tenants' Ingresses name. */
    className: string;
    replicas: number;
    serviceType: "LoadBalancer" | "NodePort";
    /** Redirect HTTP to HTTPS (the stack serves TLS). */
    sslRedirect: boolean;
    /** `<namespace>/<secret>` served for every host without its own certificate (the cert-manager wildcard). */
    defaultCertificate?: string;
}

/** Helm values for ingress-nginx: our class name, no snippet annotations (they are a known tenant-escape vector). */
export function ingressNginxValues(args: IngressControllerArgs): Record<string, unknown> {
    return {
        controller: {
            replicaCount: args.replicas,
            ingressClassResource: { name: args.className, default: false, controllerValue: "k8s.io/ingress-nginx" },
            ingressClass: args.className,
            allowSnippetAnnotations: false,
            config: { "server-tokens": "false", "hsts": "true", "ssl-redirect": args.sslRedirect ? "true" : "false" },
            service: { type: args.serviceType },
            // The *.<baseDomain> wildcard from cert-manager answers for every tenant host without a secretName.
            ...(args.defaultCertificate ? { extraArgs: { "default-ssl-certificate": args.defaultCertificate } } : {}),
            metrics: { enabled: false },
        },
    };
}

/**
 * ingress-nginx (pinned chart) in its own namespace; `address` is the controller's external address. Tenant
 * NetworkPolicies admit traffic from exactly this namespace.
 */
export class IngressController extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;
    readonly namespace: k8s.core.v1.Namespace;

    constructor(name: string, args: IngressControllerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:IngressController", name, {}, opts);
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: {
                name: args.namespace,
                labels: {
                    "app.kubernetes.io/managed-by": "pulumi",
                    // The controller needs NET_BIND_SERVICE, which "restricted" forbids; baseline, and warn on restricted.
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        }, { parent: this });
        const release = new k8s.helm.v3.Release(name, {
            name: "ingress-nginx",
            chart: "ingress-nginx",
            version: args.chartVersion,
            namespace: args.namespace,
            repositoryOpts: { repo: INGRESS_NGINX_CHART_REPO },
            values: ingressNginxValues(args),
            atomic: true,
            timeout: 600,
        }, { parent: this, dependsOn: [this.namespace] });
        const service = k8s.core.v1.Service.get(
            `${name}-controller`,
            pulumi.interpolate`${args.namespace}/${release.status.name}-controller`,
            { parent: this },
        );
        this.address = service.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");
        this.registerOutputs({ address: this.address });
    }
}

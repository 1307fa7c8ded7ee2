import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackSettings } from "../stacks/settings";
import { WILDCARD_SECRET } from "./cert-manager";

export const INGRESS_NGINX_CHART_REPO = "https://kubernetes.github.io/ingress-nginx";

/** Helm values for ingress-nginx: our class name, no snippet annotations (they are a known tenant-escape vector). */
export function ingressNginxValues(settings: StackSettings): Record<string, unknown> {
    const c = settings.ingressController;
    return {
        controller: {
            replicaCount: c.replicas,
            ingressClassResource: { name: settings.ingress.className, default: false, controllerValue: "k8s.io/ingress-nginx" },
            ingressClass: settings.ingress.className,
            allowSnippetAnnotations: false,
            config: { "server-tokens": "false", "hsts": "true", "ssl-redirect": settings.ingress.tls.enabled ? "true" : "false" },
            service: { type: c.serviceType },
            // The *.<baseDomain> wildcard from cert-manager answers for every tenant host without a secretName.
            ...(settings.certManager.install ? { extraArgs: { "default-ssl-certificate": `${c.namespace}/${WILDCARD_SECRET}` } } : {}),
            metrics: { enabled: false },
        },
    };
}

/**
 * Optionally installs ingress-nginx (pinned chart) in its own namespace and returns the controller's external
 * address. Tenant NetworkPolicies admit traffic from exactly this namespace.
 */
export function ingressController(
    settings: StackSettings,
    opts: pulumi.CustomResourceOptions,
): { address: pulumi.Output<string>; namespace: k8s.core.v1.Namespace } | undefined {
    const c = settings.ingressController;
    if (!c.install) return undefined;
    const ns = new k8s.core.v1.Namespace("ingress-nginx-namespace", {
        metadata: {
            name: c.namespace,
            labels: {
                "app.kubernetes.io/managed-by": "pulumi",
                // The controller needs NET_BIND_SERVICE, which "restricted" forbids; baseline, and warn on restricted.
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }, opts);
    const release = new k8s.helm.v3.Release("ingress-nginx", {
        name: "ingress-nginx",
        chart: "ingress-nginx",
        version: c.chartVersion,
        namespace: c.namespace,
        repositoryOpts: { repo: INGRESS_NGINX_CHART_REPO },
        values: ingressNginxValues(settings),
        atomic: true,
        timeout: 600,
    }, { ...opts, dependsOn: [ns] });
    const service = k8s.core.v1.Service.get(
        "ingress-nginx-controller",
        pulumi.interpolate`${c.namespace}/${release.status.name}-controller`,
        opts,
    );
    const address = service.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");
    return { address, namespace: ns };
}

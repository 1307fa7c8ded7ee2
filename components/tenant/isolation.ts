import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { containerResources, EPHEMERAL_STORAGE, meta, type SiteSpec } from "./manifests";
import { selectorLabels } from "../model/labels";
import { OBJECT_NAMES } from "../model/names";
import { cpuTimes, memoryTimes, storageTimes } from "../model/quantity";
import { maxPods } from "../model/tiers";
import { AUTH_FILE, SITE_LAYOUT } from "../model/site/layout";

/**
 * The objects that keep one tenant from seeing, reaching or starving another: quota, limits, network policy,
 * disruption budget, autoscaler, support access and basic auth. Pure data, like ./manifests.
 */

export function resourceQuotaManifest(spec: SiteSpec): k8s.core.v1.ResourceQuotaArgs {
    const pods = maxPods(spec.size);
    const { size } = spec;
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: meta(spec, OBJECT_NAMES.quota),
        spec: {
            hard: {
                pods: String(pods),
                "requests.cpu": cpuTimes(size.cpuRequest, pods),
                "requests.memory": memoryTimes(size.memoryRequest, pods),
                "limits.cpu": cpuTimes(size.cpuLimit, pods),
                "limits.memory": memoryTimes(size.memoryLimit, pods),
                "requests.ephemeral-storage": storageTimes(EPHEMERAL_STORAGE.request, pods),
                "limits.ephemeral-storage": storageTimes(EPHEMERAL_STORAGE.limit, pods),
                // A page needs one ConfigMap, one Service and at most one Secret; no volumes, no load balancers.
                configmaps: "4",
                secrets: "4",
                services: "2",
                "services.loadbalancers": "0",
                "services.nodeports": "0",
                persistentvolumeclaims: "0",
            },
        },
    };
}

/**
 * Defaults for anything created without resources, and a ceiling at the per-pod limit: exactly the welcome
 * container's own requests and limits (CPU, memory, ephemeral storage), so the page's pod always fits.
 */
export function limitRangeManifest(spec: SiteSpec): k8s.core.v1.LimitRangeArgs {
    const { requests, limits } = containerResources(spec.size);
    return {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: meta(spec, OBJECT_NAMES.limits),
        spec: {
            limits: [
                {
                    type: "Container",
                    default: limits,
                    defaultRequest: requests,
                    max: limits,
                },
            ],
        },
    };
}

/** Default deny: no pod in the namespace receives or sends anything unless another policy allows it. */
export function denyAllPolicyManifest(spec: SiteSpec): k8s.networking.v1.NetworkPolicyArgs {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(spec, OBJECT_NAMES.denyAll),
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
}

/**
 * The one allowed flow: the ingress controller's own pods (their namespace AND their labels, one peer: anything else
 * that runs in that namespace is not admitted) to the page's port. There is no egress rule on purpose: the page is
 * static, nginx resolves no names and calls nothing, so even DNS stays denied.
 */
export function allowIngressPolicyManifest(spec: SiteSpec): k8s.networking.v1.NetworkPolicyArgs {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(spec, OBJECT_NAMES.allowIngress),
        spec: {
            podSelector: { matchLabels: selectorLabels(spec.customer) },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": spec.tenancy.ingressNamespace } },
                            podSelector: { matchLabels: spec.tenancy.ingressPodSelector },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: SITE_LAYOUT.port }],
                },
            ],
        },
    };
}

/**
 * For every Deployment that can run 2+ pods (replicas, or the autoscaler's maximum): voluntary disruptions (node
 * drains) take at most one pod at a time. With an autoscaler at one pod the budget still lets a drain evict it
 * (maxUnavailable 1), so it never blocks maintenance; once the autoscaler has added pods, a drain cannot take them all.
 */
export function podDisruptionBudgetManifest(spec: SiteSpec): k8s.policy.v1.PodDisruptionBudgetArgs | undefined {
    if ((spec.size.autoscaling?.maxReplicas ?? spec.size.replicas) < 2) return undefined;
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: meta(spec, OBJECT_NAMES.app),
        spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(spec.customer) } },
    };
}

export function autoscalerManifest(spec: SiteSpec): k8s.autoscaling.v2.HorizontalPodAutoscalerArgs | undefined {
    const a = spec.size.autoscaling;
    if (!a) return undefined;
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: meta(spec, OBJECT_NAMES.app),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: OBJECT_NAMES.app },
            minReplicas: a.minReplicas,
            maxReplicas: a.maxReplicas,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.targetCpuUtilization } } }],
        },
    };
}

/** Support engineers read this tenant (never its secrets) through the shared sas-tenant-viewer ClusterRole. */
export function supportRoleBindingManifest(spec: SiteSpec, clusterRoleName: string): k8s.rbac.v1.RoleBindingArgs {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta(spec, OBJECT_NAMES.supportBinding),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRoleName },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: spec.tenancy.supportGroup }],
    };
}

/**
 * The htpasswd Secret the page's own nginx reads for basic auth: key `htpasswd`, mounted read-only at
 * SITE_LAYOUT.htpasswdPath by the Deployment. The file content is passed in as is (a string, or a secret Output in the
 * component) so it never leaves secrecy.
 */
export function basicAuthSecretManifest(spec: SiteSpec, htpasswdFile: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(spec, OBJECT_NAMES.basicAuthSecret),
        type: "Opaque",
        stringData: { [AUTH_FILE.key]: htpasswdFile },
    };
}

import type { RecordedResource } from "./mock-engine";
import { CUSTOMER_ID_LABEL } from "../../components/k8s/labels";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

/** Apply order: what an object needs exists before it (namespaces, then policy and RBAC, then workloads). */
export const APPLY_ORDER = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Secret",
    "ConfigMap",
    "Deployment",
    "Service",
    "Ingress",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
];

function rank(kind: string): number {
    const i = APPLY_ORDER.indexOf(kind);
    return i === -1 ? APPLY_ORDER.length : i;
}

/** Drops undefined fields (the SDK leaves them for unset optional inputs) so the output is plain, stable JSON. */
function plain<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/** The Kubernetes objects among the recorded resources, as manifests in apply order. */
export function kubernetesObjects(resources: readonly RecordedResource[]): K8sObject[] {
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs?.apiVersion && r.inputs?.kind)
        .map((r) => plain(r.inputs) as K8sObject)
        .sort(
            (a, b) =>
                rank(a.kind) - rank(b.kind) ||
                (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
                a.metadata.name.localeCompare(b.metadata.name),
        );
}

/** The folder an object is filed under in render output: its customer, or `_platform` for shared objects. */
export function objectGroup(obj: K8sObject): string {
    return obj.metadata.labels?.[CUSTOMER_ID_LABEL] ?? "_platform";
}

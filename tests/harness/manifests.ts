import type { RecordedResource } from "./mock-engine";
import { CUSTOMER_ID_LABEL } from "../../components/model/labels";

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

/** API groups every Kubernetes API server serves; anything else needs CRDs that a Helm release installs first. */
const BUILT_IN_GROUPS = new Set(["", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io"]);
const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

const manifestsOf = (resources: readonly RecordedResource[]) =>
    resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs?.apiVersion && r.inputs?.kind);

/** Objects of CRD-defined kinds (cert-manager's ClusterIssuer, Certificate): applied after their chart, listed apart. */
export function customResourceObjects(resources: readonly RecordedResource[]): K8sObject[] {
    return manifestsOf(resources)
        .filter((r) => !BUILT_IN_GROUPS.has(groupOf(r.inputs.apiVersion)))
        .map((r) => plain(r.inputs) as K8sObject);
}

/** The Kubernetes objects of built-in kinds among the recorded resources, as manifests in apply order. */
export function kubernetesObjects(resources: readonly RecordedResource[]): K8sObject[] {
    return manifestsOf(resources)
        .filter((r) => BUILT_IN_GROUPS.has(groupOf(r.inputs.apiVersion)))
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

import type * as k8s from "@pulumi/kubernetes";
import { PART_OF } from "../components/model/labels";
import { OBJECT_NAMES } from "../components/model/names";

export const TENANT_VIEWER_ROLE = "sas-tenant-viewer";
export const DEPLOYER_ROLE = "sas-ci-deployer";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

const READ = ["get", "list", "watch"];
const MANAGE = [...READ, "create", "update", "patch", "delete"];

/** Read workloads, pods, logs, events and configmaps of a tenant; never secrets. Bound per tenant namespace. */
export const TENANT_VIEWER_RULES: PolicyRule[] = [
    { apiGroups: [""], resources: ["pods", "pods/log", "events", "configmaps", "services", "endpoints", "resourcequotas", "limitranges"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: READ },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: READ },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: READ },
    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
];

/**
 * Exactly the kinds and verbs this program manages, for the CI deployer group. No wildcard, no escalate, bind or
 * impersonate. Secrets: create anywhere (a create reads nothing), but read or change only the basic-auth Secret by
 * name, so the role cannot read other secrets cluster-wide. It also holds every tenant-viewer permission, because
 * Kubernetes only lets a subject grant (bind) permissions it holds itself.
 */
export const DEPLOYER_RULES: PolicyRule[] = [
    { apiGroups: [""], resources: ["namespaces", "configmaps", "services", "resourcequotas", "limitranges"], verbs: MANAGE },
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [OBJECT_NAMES.basicAuthSecret], verbs: ["get", "update", "patch", "delete"] },
    { apiGroups: [""], resources: ["pods", "pods/log", "events", "endpoints"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: MANAGE },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: MANAGE },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: MANAGE },
    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: MANAGE },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings"], verbs: READ },
    {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles"],
        resourceNames: [TENANT_VIEWER_ROLE, DEPLOYER_ROLE],
        verbs: ["update", "patch"],
    },
];

export const platformLabels = { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" };

export function clusterRoleManifest(name: string, rules: PolicyRule[]): k8s.rbac.v1.ClusterRoleArgs {
    return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: platformLabels }, rules };
}

export function deployerBindingManifest(group: string): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: DEPLOYER_ROLE, labels: { ...platformLabels, "sas.io/role": "ci-deployer" } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DEPLOYER_ROLE },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    };
}

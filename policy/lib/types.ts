// Pulumi type tokens the policies key on. Policies compare tokens as strings instead of importing
// @pulumi/kubernetes / @pulumi/aws classes: those imports cost seconds and the tokens are the stable contract.
export const K8S = {
  pod: "kubernetes:core/v1:Pod",
  namespace: "kubernetes:core/v1:Namespace",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
} as const;

export const AWS = {
  dynamoTable: "aws:dynamodb/table:Table",
} as const;

/** "kubernetes:apps/v1:Deployment" -> "Deployment": the kind people recognise in a violation message. */
export function kindOf(type: string): string {
  const parts = type.split(":");
  return parts[parts.length - 1] ?? type;
}

/**
 * How a Kubernetes object is named in messages: `Kind namespace/name` (or `Kind name` for cluster-scoped
 * objects). Falls back to the Pulumi resource name when metadata.name is absent (auto-named resources).
 */
export function describeObject(type: string, props: Record<string, unknown>, resourceName: string): string {
  const metadata = asRecord(props.metadata);
  const name = typeof metadata?.name === "string" && metadata.name !== "" ? metadata.name : resourceName;
  const namespace = typeof metadata?.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : undefined;
  return `${kindOf(type)} ${namespace ? `${namespace}/` : ""}${name}`;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

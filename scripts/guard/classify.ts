// What a deleted or replaced resource is to the guard: part of a customer (and which), the platform, or something
// it cannot attribute. Unattributable resources are refused, never ignored: the guard fails closed.
import { componentName, TENANT_NAMESPACE_PREFIX } from "../../components/model/names";
import { REGISTRY_KEYS } from "../../components/model/registry";
import type { ChangeStep, ResourceState } from "./preview";
import { parseUrn, type ParsedUrn } from "./urn";

/** The component every customer's resources hang off; deleting it deletes the customer. */
export const CUSTOMER_SITE_TYPE = "sas:index:CustomerSite";
/** Pulumi name of a customer's component, `customer-<id>`; its children are `customer-<id>-<role>`. */
export const CUSTOMER_NAME_PREFIX = componentName("");
/** Type prefix of the platform's components (cluster, ingress controller, registry, ...). */
export const PLATFORM_COMPONENT_PREFIX = "sas:platform:";

/**
 * Tenant resources whose delete or replace (in any form: delete, replace, create-replacement, delete-replaced, ...)
 * takes a customer's site down or loses its data; each counts against its customer. Value: the role suffix of the
 * Pulumi name (`customer-<id>-<role>`).
 */
export const COUNTED_TENANT_TYPES: Readonly<Record<string, string>> = {
  "kubernetes:core/v1:Namespace": "namespace",
  "kubernetes:apps/v1:Deployment": "deployment",
  "kubernetes:networking.k8s.io/v1:Ingress": "ingress",
  // routing `gateway`: the customer's route instead of the Ingress (its host on the shared Gateway).
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": "route",
  "aws:dynamodb/tableItem:TableItem": "registry-item",
};

/** The other children of a CustomerSite: known, not counted (recreated from the record, they hold no data). */
export const OTHER_TENANT_TYPES: readonly string[] = [
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:ResourceQuota",
  "kubernetes:core/v1:LimitRange",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  "kubernetes:policy/v1:PodDisruptionBudget",
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:monitoring.coreos.com/v1:Probe",
];

export type Classification =
  /** The customer's CustomerSite component itself. */
  | { kind: "customer-site"; customerId: string }
  /** A counted tenant resource (COUNTED_TENANT_TYPES) of this customer. */
  | { kind: "tenant-counted"; customerId: string }
  /** Another known child of a CustomerSite. */
  | { kind: "tenant-other" }
  /** The stack, a provider, or anything under a sas:platform:* component. */
  | { kind: "platform" }
  | { kind: "unattributed"; reason: string };

const CUSTOMER_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `customer-<id>` -> id; a CustomerSite without the prefix keeps its whole name (it still counts). */
function idFromComponentName(name: string): string {
  return name.startsWith(CUSTOMER_NAME_PREFIX) && name.length > CUSTOMER_NAME_PREFIX.length ? name.slice(CUSTOMER_NAME_PREFIX.length) : name;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** metadata.<key> from the state's inputs, else its outputs. */
function metadata(state: ResourceState | undefined, key: "name" | "namespace"): string | undefined {
  for (const source of [state?.inputs, state?.outputs]) {
    const value = record(record(source)?.metadata)?.[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/** The customer a counted tenant resource belongs to, by every source the step offers; they must agree. */
function attribute(step: ChangeStep, urn: ParsedUrn, role: string): { customerId: string } | { reason: string } {
  const found: [source: string, id: string][] = [];
  const parent = step.parent ? parseUrn(step.parent) : undefined;
  if (parent?.type === CUSTOMER_SITE_TYPE) found.push(["parent", idFromComponentName(parent.name)]);
  const suffix = `-${role}`;
  if (urn.name.startsWith(CUSTOMER_NAME_PREFIX) && urn.name.endsWith(suffix) && urn.name.length > CUSTOMER_NAME_PREFIX.length + suffix.length) {
    found.push(["name", urn.name.slice(CUSTOMER_NAME_PREFIX.length, -suffix.length)]);
  }
  // The Kubernetes namespace: the Namespace's own name, or where a namespaced object lives ("<ns>/<name>" ids).
  const id = typeof step.state?.id === "string" ? step.state.id : undefined;
  const namespace =
    urn.type === "kubernetes:core/v1:Namespace"
      ? metadata(step.state, "name") ?? id
      : metadata(step.state, "namespace") ?? (id?.includes("/") ? id.split("/")[0] : undefined);
  if (namespace?.startsWith(TENANT_NAMESPACE_PREFIX)) found.push(["namespace", namespace.slice(TENANT_NAMESPACE_PREFIX.length)]);
  if (urn.type === "aws:dynamodb/tableItem:TableItem") {
    const item = step.state?.inputs?.item;
    try {
      const key = record(record(typeof item === "string" ? JSON.parse(item) : undefined)?.[REGISTRY_KEYS.partition])?.S;
      if (typeof key === "string") found.push(["registry item key", key]);
    } catch {
      // An unreadable item (e.g. a secret) names no customer; other sources may.
    }
  }
  const valid = found.filter(([, customerId]) => CUSTOMER_ID.test(customerId));
  const ids = [...new Set(valid.map(([, customerId]) => customerId))];
  if (ids.length === 1) return { customerId: ids[0] };
  if (ids.length > 1) {
    return { reason: `attributed to different customers (${valid.map(([source, customerId]) => `${customerId} by ${source}`).join(", ")})` };
  }
  return {
    reason: `cannot be attributed to a customer (no parent ${CUSTOMER_SITE_TYPE} ${CUSTOMER_NAME_PREFIX}<id>, name ${CUSTOMER_NAME_PREFIX}<id>-${role} or namespace ${TENANT_NAMESPACE_PREFIX}<id>)`,
  };
}

/** What the resource a delete/replace step touches is. */
export function classify(step: ChangeStep): Classification {
  const urn = parseUrn(step.urn);
  if (!urn) return { kind: "unattributed", reason: "not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)" };
  if (urn.type === CUSTOMER_SITE_TYPE) return { kind: "customer-site", customerId: idFromComponentName(urn.name) };
  const ancestors = urn.typeChain.slice(0, -1);
  const role = COUNTED_TENANT_TYPES[urn.type];
  if (ancestors.includes(CUSTOMER_SITE_TYPE)) {
    if (role !== undefined) {
      const who = attribute(step, urn, role);
      return "customerId" in who ? { kind: "tenant-counted", customerId: who.customerId } : { kind: "unattributed", reason: `${urn.type} ${who.reason}` };
    }
    if (OTHER_TENANT_TYPES.includes(urn.type)) return { kind: "tenant-other" };
    return { kind: "unattributed", reason: `unknown resource type ${urn.type} under a ${CUSTOMER_SITE_TYPE}` };
  }
  if (urn.typeChain.some((t) => t.startsWith(PLATFORM_COMPONENT_PREFIX))) return { kind: "platform" };
  if (urn.type === "pulumi:pulumi:Stack" || urn.type.startsWith("pulumi:providers:")) return { kind: "platform" };
  if (role !== undefined) {
    const who = attribute(step, urn, role);
    return "customerId" in who ? { kind: "tenant-counted", customerId: who.customerId } : { kind: "unattributed", reason: `${urn.type} ${who.reason}` };
  }
  return {
    kind: "unattributed",
    reason: `unknown resource type ${urn.type} (neither under a ${CUSTOMER_SITE_TYPE} nor under a ${PLATFORM_COMPONENT_PREFIX}* component)`,
  };
}

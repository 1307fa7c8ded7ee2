// Tenant isolation at the namespace boundary: each customer namespace (cust-*) must enforce the "restricted"
// Pod Security Standard and start from deny-all network traffic; anything a tenant needs is then opened by an
// explicit, reviewable NetworkPolicy. These are stack policies because the NetworkPolicy is a separate resource.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { K8S, asArray, asRecord, nonEmptyString } from "../lib/types";
import { TENANT_NAMESPACE_PREFIX } from "../../components/model/names";

/** The component type that owns one tenant namespace each: the pack counts them to notice policies judging nothing. */
export const CUSTOMER_SITE_TYPE = "sas:index:CustomerSite";
export const PSA_MODES = ["enforce", "audit", "warn"] as const;

/** metadata.name, or the Pulumi resource name when the object is auto-named. */
function objectName(r: PolicyResource): string {
  const name = asRecord(r.props.metadata)?.name;
  return nonEmptyString(name) ? name : r.name;
}

export function tenantNamespaces(resources: PolicyResource[]): { resource: PolicyResource; name: string }[] {
  return resources
    .filter((r) => r.type === K8S.namespace)
    .map((resource) => ({ resource, name: objectName(resource) }))
    .filter((ns) => ns.name.startsWith(TENANT_NAMESPACE_PREFIX));
}

/**
 * Every customer site brings exactly one tenant namespace. Fewer namespaces than sites means the tenancy policies
 * would silently judge nothing (a renamed prefix, a namespace created elsewhere), so that is a violation itself.
 */
function unjudgedSites(resources: PolicyResource[], found: number): string | undefined {
  const sites = resources.filter((r) => r.type === CUSTOMER_SITE_TYPE).length;
  if (sites > found) {
    return `the stack has ${sites} customer site(s) but only ${found} Namespace(s) named ${TENANT_NAMESPACE_PREFIX}*: tenant policies cannot judge the others (is the tenant namespace prefix right?)`;
  }
  return undefined;
}

export const tenantNamespacePsaRestricted: StackValidationPolicy = {
  name: "tenant-namespace-psa-restricted",
  description:
    "Every tenant namespace (cust-*) must carry pod-security.kubernetes.io/enforce, audit and warn labels set to restricted.",
  remediationSteps:
    "Add metadata.labels pod-security.kubernetes.io/enforce|audit|warn: restricted to the tenant Namespace.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const namespaces = tenantNamespaces(args.resources);
    const missing = unjudgedSites(args.resources, namespaces.length);
    if (missing) reportViolation(missing);
    for (const ns of namespaces) {
      const labels = asRecord(asRecord(ns.resource.props.metadata)?.labels);
      for (const mode of PSA_MODES) {
        const key = `pod-security.kubernetes.io/${mode}`;
        const value = labels?.[key];
        if (value !== "restricted") {
          const found = value === undefined ? "is missing" : `is ${JSON.stringify(value)}`;
          reportViolation(
            `Namespace ${ns.name}: metadata.labels["${key}"] must be "restricted" (${found})`,
            ns.resource.urn,
          );
        }
      }
    }
  },
};

/** A NetworkPolicy that selects every pod, governs both directions and allows nothing. */
export function isDefaultDeny(spec: unknown): boolean {
  const s = asRecord(spec);
  const selector = asRecord(s?.podSelector);
  if (!s || !selector) {
    return false;
  }
  const matchLabels = asRecord(selector.matchLabels);
  if ((matchLabels && Object.keys(matchLabels).length > 0) || asArray(selector.matchExpressions).length > 0) {
    return false;
  }
  const types = asArray(s.policyTypes);
  if (!types.includes("Ingress") || !types.includes("Egress")) {
    return false;
  }
  return asArray(s.ingress).length === 0 && asArray(s.egress).length === 0;
}

export const tenantNamespaceDefaultDeny: StackValidationPolicy = {
  name: "tenant-namespace-default-deny",
  description:
    "Every tenant namespace (cust-*) must contain a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules).",
  remediationSteps:
    "Create a NetworkPolicy in the namespace with spec.podSelector: {}, spec.policyTypes: [Ingress, Egress] and no ingress/egress rules.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const denied = new Set<string>();
    for (const r of args.resources) {
      if (r.type === K8S.networkPolicy && isDefaultDeny(r.props.spec)) {
        const namespace = asRecord(r.props.metadata)?.namespace;
        denied.add(nonEmptyString(namespace) ? namespace : "default");
      }
    }
    const namespaces = tenantNamespaces(args.resources);
    const missing = unjudgedSites(args.resources, namespaces.length);
    if (missing) reportViolation(missing);
    for (const ns of namespaces) {
      if (!denied.has(ns.name)) {
        reportViolation(
          `Namespace ${ns.name} has no default-deny NetworkPolicy: add one with metadata.namespace: ${ns.name}, spec.podSelector: {}, spec.policyTypes: [Ingress, Egress] and no ingress/egress rules`,
          ns.resource.urn,
        );
      }
    }
  },
};

export const tenancyPolicies: StackValidationPolicy[] = [tenantNamespacePsaRestricted, tenantNamespaceDefaultDeny];

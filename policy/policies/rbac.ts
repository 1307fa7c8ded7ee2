// RBAC least privilege: wildcards silently grow with every CRD installed later, escalate/bind/impersonate let a
// holder mint permissions it does not have, and cluster-wide secret read crosses every tenant boundary at once.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/applies";
import { K8S, asArray, asRecord, describeObject } from "../lib/types";

interface RuleView {
  path: string;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

function rulesOf(props: Record<string, unknown>): RuleView[] {
  return asArray(props.rules).map((r, i) => {
    const rule = asRecord(r) ?? {};
    const strings = (key: string) => asArray(rule[key]).filter((v): v is string => typeof v === "string");
    return {
      path: `rules[${i}]`,
      apiGroups: strings("apiGroups"),
      resources: strings("resources"),
      verbs: strings("verbs"),
      resourceNames: strings("resourceNames"),
    };
  });
}

export const rbacNoWildcards: ResourceValidationPolicy = {
  name: "rbac-no-wildcards",
  description: 'Roles and ClusterRoles must not use "*" in apiGroups, resources or verbs.',
  remediationSteps: "List the exact API groups, resources and verbs the subject needs.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.clusterRole, K8S.role], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    for (const rule of rulesOf(args.props)) {
      for (const field of ["apiGroups", "resources", "verbs"] as const) {
        if (rule[field].includes("*")) {
          reportViolation(`${subject}: ${rule.path}.${field} contains "*"; list the exact ${field} instead`);
        }
      }
    }
  }),
};

export const ESCALATION_VERBS = ["escalate", "bind", "impersonate"] as const;

export const rbacNoEscalationVerbs: ResourceValidationPolicy = {
  name: "rbac-no-escalation-verbs",
  description: "ClusterRoles must not grant the escalate, bind or impersonate verbs.",
  remediationSteps: "Remove escalate, bind and impersonate from the ClusterRole's verbs.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.clusterRole], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    for (const rule of rulesOf(args.props)) {
      const granted = ESCALATION_VERBS.filter((v) => rule.verbs.map((x) => x.toLowerCase()).includes(v));
      if (granted.length > 0) {
        reportViolation(`${subject}: ${rule.path}.verbs grants ${granted.join(", ")}; remove them from the ClusterRole`);
      }
    }
  }),
};

const READ_VERBS = ["get", "list", "watch", "*"];

export interface ClusterSecretReadConfig {
  /**
   * Secret names a ClusterRole may read when its rule is pinned to them with resourceNames. Empty by default:
   * a name-pinned rule still reads that Secret in every namespace, so allowing one is an explicit decision.
   */
  allowedSecretNames?: string[];
}

export const rbacNoClusterSecretRead: ResourceValidationPolicy = {
  name: "rbac-no-cluster-secret-read",
  description: "ClusterRoles must not grant read (get, list, watch) on secrets: that reads every tenant's secrets.",
  remediationSteps:
    "Grant secret access with a namespaced Role instead, or (for a rule pinned by resourceNames) list the names in policy config allowedSecretNames.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedSecretNames: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Secret names a ClusterRole rule pinned with resourceNames may read.",
      },
    },
  },
  validateResource: forTypes([K8S.clusterRole], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    const config = args.getConfig<ClusterSecretReadConfig>();
    const allowed = Array.isArray(config.allowedSecretNames) ? config.allowedSecretNames : [];
    for (const rule of rulesOf(args.props)) {
      // secrets live in the core group (""); "*" covers it too.
      const coreGroup = rule.apiGroups.includes("") || rule.apiGroups.includes("*");
      const secrets = rule.resources.includes("secrets") || rule.resources.includes("*");
      const reads = rule.verbs.filter((v) => READ_VERBS.includes(v.toLowerCase()));
      if (!coreGroup || !secrets || reads.length === 0) {
        continue;
      }
      if (rule.resourceNames.length > 0 && rule.resourceNames.every((n) => allowed.includes(n))) {
        continue;
      }
      const scope =
        rule.resourceNames.length > 0
          ? `on secrets named ${rule.resourceNames.join(", ")} in every namespace; use a namespaced Role instead, or allow the name in policy config allowedSecretNames`
          : "on secrets cluster-wide; use a namespaced Role instead";
      reportViolation(`${subject}: ${rule.path} grants ${reads.join(", ")} ${scope}`);
    }
  }),
};

export const rbacPolicies: ResourceValidationPolicy[] = [rbacNoWildcards, rbacNoEscalationVerbs, rbacNoClusterSecretRead];

// RBAC least privilege: wildcards silently grow with every CRD installed later, escalate/bind/impersonate let a
// holder mint permissions it does not have, a token request mints a service account's credentials, and cluster-wide
// secret read (including the data that update, patch and delete answer with) crosses every tenant boundary at once.
// Where a namespaced grant is impossible (the CI deployer: RBAC cannot name cust-*), the admission policy in
// infra/rbac-rules.ts confines writes; the policy pack checks the RBAC half.
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

/** Subresources whose `create` hands out a service account's credentials: a token for any account it names. */
const TOKEN_SUBRESOURCES = ["serviceaccounts/token", "serviceaccounts/*", "*/token", "*"];

export const rbacNoEscalationVerbs: ResourceValidationPolicy = {
  name: "rbac-no-escalation-verbs",
  description:
    "ClusterRoles must not grant the escalate, bind or impersonate verbs, nor create service-account tokens (serviceaccounts/token).",
  remediationSteps:
    "Remove escalate, bind and impersonate from the ClusterRole's verbs, and create on serviceaccounts/token from its rules.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.clusterRole], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    for (const rule of rulesOf(args.props)) {
      const verbs = rule.verbs.map((x) => x.toLowerCase());
      const granted = ESCALATION_VERBS.filter((v) => verbs.includes(v));
      if (granted.length > 0) {
        reportViolation(`${subject}: ${rule.path}.verbs grants ${granted.join(", ")}; remove them from the ClusterRole`);
      }
      const coreGroup = rule.apiGroups.includes("") || rule.apiGroups.includes("*");
      const tokens = rule.resources.filter((r) => TOKEN_SUBRESOURCES.includes(r));
      if (coreGroup && tokens.length > 0 && (verbs.includes("create") || verbs.includes("*"))) {
        reportViolation(`${subject}: ${rule.path} grants create on ${tokens.join(", ")}: it mints tokens of any service account it names; remove it`);
      }
    }
  }),
};

/**
 * Verbs whose answer carries a Secret's data: the reads, and also update, patch and delete, which answer with the
 * object (a no-op patch reads a Secret as well as a get). Only `create` answers with what the caller sent.
 */
const READ_VERBS = ["get", "list", "watch", "update", "patch", "delete", "deletecollection", "*"];

export interface ClusterSecretReadConfig {
  /**
   * Secret names a ClusterRole may read when its rule is pinned to them with resourceNames. Empty by default:
   * a name-pinned rule still reads that Secret in every namespace, so allowing one is an explicit decision.
   */
  allowedSecretNames?: string[];
}

export const rbacNoClusterSecretRead: ResourceValidationPolicy = {
  name: "rbac-no-cluster-secret-read",
  description:
    "ClusterRoles must not grant a verb that returns Secret data (get, list, watch, update, patch, delete, deletecollection) on secrets: that reads every tenant's secrets.",
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

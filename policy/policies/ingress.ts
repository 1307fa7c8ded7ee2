// Route scoping: without a class an Ingress may be picked up by any controller in the cluster, and a rule without a
// host (or with a wildcard host) matches every hostname, so one tenant's route would answer for all of them. A Gateway
// API HTTPRoute (routing `gateway`) is judged the same way: no hostnames means every hostname of its Gateway.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/applies";
import { K8S, asArray, asRecord, describeObject, nonEmptyString } from "../lib/types";

/** The customer's route when the stack routes through the shared Gateway (a CRD kind, gateway.networking.k8s.io). */
export const HTTP_ROUTE_TYPE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

/** Why a host cannot scope a route to one customer, or undefined when it can. */
function hostProblem(host: unknown): string | undefined {
  if (!nonEmptyString(host)) return "is not set, so the rule matches every hostname";
  if (host.includes("*")) return `is a wildcard ("${host}"), so it matches every customer's hostname`;
  return undefined;
}

export const ingressClassName: ResourceValidationPolicy = {
  name: "ingress-class-name",
  description: "Ingresses must name their controller with spec.ingressClassName.",
  remediationSteps: "Set spec.ingressClassName (the kubernetes.io/ingress.class annotation is deprecated).",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ingress], (args, reportViolation) => {
    if (!nonEmptyString(asRecord(args.props.spec)?.ingressClassName)) {
      reportViolation(`${describeObject(args.type, args.props, args.name)}: set spec.ingressClassName`);
    }
  }),
};

export const ingressRuleHosts: ResourceValidationPolicy = {
  name: "ingress-rule-hosts",
  description:
    "Every Ingress rule must set one exact host, and every HTTPRoute must list exact spec.hostnames; an Ingress without rules (defaultBackend only) or an HTTPRoute without hostnames catches all hosts.",
  remediationSteps: "Give each entry of spec.rules a host, or the HTTPRoute spec.hostnames (the customer's hostname, no wildcard).",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ingress, HTTP_ROUTE_TYPE], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    const spec = asRecord(args.props.spec);
    if (args.type === HTTP_ROUTE_TYPE) {
      const hostnames = asArray(spec?.hostnames);
      if (hostnames.length === 0) {
        reportViolation(`${subject}: spec.hostnames is empty, so it serves every hostname of its Gateway; list the customer's hostname`);
      }
      hostnames.forEach((host, i) => {
        const problem = hostProblem(host);
        if (problem) reportViolation(`${subject}: spec.hostnames[${i}] ${problem}`);
      });
      return;
    }
    const rules = asArray(spec?.rules);
    if (rules.length === 0) {
      reportViolation(`${subject}: spec.rules is empty, so it serves every hostname; add a rule with a host`);
    }
    rules.forEach((rule, i) => {
      const problem = hostProblem(asRecord(rule)?.host);
      if (problem) reportViolation(`${subject}: spec.rules[${i}].host ${problem}`);
    });
  }),
};

export const ingressPolicies: ResourceValidationPolicy[] = [ingressClassName, ingressRuleHosts];

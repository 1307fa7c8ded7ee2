// Ingress scoping: without a class an Ingress may be picked up by any controller in the cluster, and a rule
// without a host matches every hostname, so one tenant's route would answer for all of them.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/applies";
import { K8S, asArray, asRecord, describeObject, nonEmptyString } from "../lib/types";

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
  description: "Every Ingress rule must set a host; an Ingress without rules (defaultBackend only) catches all hosts.",
  remediationSteps: "Give each entry of spec.rules a host (the customer's hostname).",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ingress], (args, reportViolation) => {
    const subject = describeObject(args.type, args.props, args.name);
    const rules = asArray(asRecord(args.props.spec)?.rules);
    if (rules.length === 0) {
      reportViolation(`${subject}: spec.rules is empty, so it serves every hostname; add a rule with a host`);
    }
    rules.forEach((rule, i) => {
      if (!nonEmptyString(asRecord(rule)?.host)) {
        reportViolation(`${subject}: spec.rules[${i}].host is not set, so the rule matches every hostname`);
      }
    });
  }),
};

export const ingressPolicies: ResourceValidationPolicy[] = [ingressClassName, ingressRuleHosts];

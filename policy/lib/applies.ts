import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/**
 * Restricts a resource validation to the given type tokens. Other types are reported as "not applicable"
 * (shown as such by Pulumi Cloud) rather than silently passing. With a single token the SDK's fast path
 * (`__pulumiType`) skips the call entirely, as validateResourceOfType does.
 */
export function forTypes(
  types: readonly string[],
  validate: (args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
  const fn: ResourceValidation = (args, reportViolation) => {
    if (!types.includes(args.type)) {
      args.notApplicable(`Policy only applies to resources of type ${types.join(", ")}`);
    }
    validate(args, reportViolation);
  };
  if (types.length === 1) {
    (fn as unknown as { __pulumiType: string }).__pulumiType = types[0];
  }
  return fn;
}

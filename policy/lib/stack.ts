import * as pulumi from "@pulumi/pulumi";

/** The stack segment of `urn:pulumi:<stack>::<project>::<type>::<name>`, or undefined if `urn` is not a URN. */
export function stackFromUrn(urn: string): string | undefined {
  const prefix = "urn:pulumi:";
  if (!urn.startsWith(prefix)) {
    return undefined;
  }
  const stack = urn.slice(prefix.length).split("::")[0];
  return stack === "" ? undefined : stack;
}

/**
 * The stack a resource is deployed to. Policy config `stack` wins (explicit beats inferred, and makes the rule
 * testable); then the resource URN, which the engine always fills in; then pulumi.getStack(), which is empty
 * inside an analyzer process on most CLI versions and therefore only a last resort.
 */
export function resolveStack(urn: string, config: { stack?: unknown }): string {
  if (typeof config.stack === "string" && config.stack !== "") {
    return config.stack;
  }
  return stackFromUrn(urn) ?? pulumi.getStack();
}

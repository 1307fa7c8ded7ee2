// Runs policies the way the @pulumi/policy analyzer server does (server.js: makeAnalyzeRpcFun /
// makeAnalyzeStackRpcFun), minus gRPC: same argument shape, same unknown-value proxy, same type fast path,
// notApplicable thrown and caught. Lets tests call one policy on one resource without starting a PolicyPack.
import {
  UnknownValueError,
  unknownCheckingProxy,
  type PolicyResource,
  type PolicyResourceOptions,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { isUnknown as isProgramUnknown } from "@pulumi/pulumi/output";

import { PROJECT } from "../../components/model/project";
export { PROJECT };

export interface ResourceInput {
  type: string;
  props: Record<string, unknown>;
  /** Pulumi resource name; defaults to metadata.name or "res". */
  name?: string;
  /** Full URN; defaults to urn:pulumi:<stack>::sas-onboarding::<type>::<name>. */
  urn?: string;
  /** Stack used to build the default URN; defaults to "dev". */
  stack?: string;
  parent?: string;
  protect?: boolean;
}

export interface ResourceOutcome {
  violations: string[];
  /** Set when the policy declared itself not applicable (wrong type etc.). */
  notApplicable?: string;
  /** Set when the policy touched an unknown (preview-time) value; the SDK downgrades this to advisory. */
  unknown?: string;
}

export interface StackOutcome {
  violations: { message: string; urn?: string }[];
  notApplicable?: string;
  unknown?: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

// proxy.js ships no typings for its sentinels (they are @internal), hence the cast.
const { unknownStringValue } = policyProxy as unknown as { unknownStringValue: string };

/**
 * Deep copy, as the SDK deserializes afresh per call so one policy cannot leak edits into the next. Values the
 * program SDK left unknown (preview mode) become the policy SDK's unknown sentinel, which the proxy turns into
 * UnknownValueError on access, exactly as the analyzer does during `pulumi preview`.
 */
function copy(value: unknown): unknown {
  if (isProgramUnknown(value)) {
    return unknownStringValue;
  }
  if (Array.isArray(value)) {
    return value.map(copy);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  }
  return value;
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "not applicable");
}

export function urnFor(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

function defaultName(input: ResourceInput): string {
  const metadata = input.props.metadata as { name?: unknown } | undefined;
  return input.name ?? (typeof metadata?.name === "string" ? metadata.name : "res");
}

/** The SDK's isTypeOf: compare the class's __pulumiType, else ask its isInstance. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
  if (typeof cls.__pulumiType === "string" && cls.__pulumiType !== "") {
    return type === cls.__pulumiType;
  }
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

function optionsFor(input: ResourceInput): PolicyResourceOptions {
  return {
    protect: input.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(input.parent ? { parent: input.parent } : {}),
  };
}

const noTags: ReadonlyMap<string, string> = new Map();

export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  input: ResourceInput,
  config: object = {},
): Promise<ResourceOutcome> {
  const validations = policy.validateResource === undefined
    ? []
    : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  const outcome: ResourceOutcome = { violations: [] };
  const pulumiType = validations.length === 1 ? (validations[0] as { __pulumiType?: string }).__pulumiType : undefined;
  if (pulumiType && pulumiType !== input.type) {
    outcome.notApplicable = `Policy only applies to resources of type '${pulumiType}'`;
    return outcome;
  }
  const name = defaultName(input);
  const urn = input.urn ?? urnFor(input.stack ?? "dev", input.type, name);
  for (const validation of validations) {
    // A fresh deep copy per validation, as the SDK deserializes afresh, so one policy cannot leak edits.
    const props = unknownCheckingProxy(copy(input.props) as object) as Record<string, unknown>;
    const args: ResourceValidationArgs = {
      type: input.type,
      props,
      urn,
      name,
      opts: optionsFor(input),
      stackTags: noTags,
      isType: (cls) => isTypeOf(input.type, cls),
      asType: ((cls: unknown) => (isTypeOf(input.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
      getConfig: <T extends object>() => config as T,
      notApplicable: throwNotApplicable,
    };
    try {
      await validation(args, (message) => outcome.violations.push(message));
    } catch (e) {
      recordEarlyExit(e, outcome);
    }
  }
  return outcome;
}

/** A policy stops early by declaring itself not applicable or by touching an unknown value; anything else is a bug. */
function recordEarlyExit(e: unknown, outcome: { notApplicable?: string; unknown?: string }): void {
  if (e instanceof NotApplicable) {
    outcome.notApplicable = e.reason;
  } else if (e instanceof UnknownValueError) {
    outcome.unknown = (e as Error).message;
  } else {
    throw e;
  }
}

/** The resources a stack policy sees, built the way the engine hands them over (parents linked by URN). */
export function toPolicyResources(inputs: ResourceInput[]): PolicyResource[] {
  const resources: PolicyResource[] = inputs.map((input) => {
    const props = unknownCheckingProxy(copy(input.props) as object) as Record<string, unknown>;
    const name = defaultName(input);
    return {
      type: input.type,
      props,
      urn: input.urn ?? urnFor(input.stack ?? "dev", input.type, name),
      name,
      opts: optionsFor(input),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(input.type, cls),
      asType: ((cls: unknown) => (isTypeOf(input.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
  });
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  inputs.forEach((input, i) => {
    const parent = input.parent ? byUrn.get(input.parent) : undefined;
    if (parent) {
      resources[i].parent = parent;
    }
  });
  return resources;
}

export async function runStackPolicy(
  policy: StackValidationPolicy,
  inputs: ResourceInput[],
  config: object = {},
): Promise<StackOutcome> {
  const resources = toPolicyResources(inputs);
  const outcome: StackOutcome = { violations: [] };
  const args: StackValidationArgs = {
    resources,
    stackTags: noTags,
    getConfig: <T extends object>() => config as T,
    notApplicable: throwNotApplicable,
  };
  try {
    await policy.validateStack(args, (message, urn) => outcome.violations.push(urn ? { message, urn } : { message }));
  } catch (e) {
    recordEarlyExit(e, outcome);
  }
  return outcome;
}

/** The subset of tests/support/program.ts's RecordedResource the policies need. */
export interface RecordedLike {
  type: string;
  name: string;
  urn: string;
  inputs: unknown;
  parent?: string;
  protect: boolean;
}

export function fromRecorded(r: RecordedLike): ResourceInput {
  const props = r.inputs !== null && typeof r.inputs === "object" ? (r.inputs as Record<string, unknown>) : {};
  return { type: r.type, props, name: r.name, urn: r.urn, parent: r.parent, protect: r.protect };
}

// Reads the document `pulumi preview --json` prints: the engine's PreviewDigest (pkg/display/json.go in
// pulumi/pulumi): { config?, steps?: PreviewStep[], diagnostics?, duration?, changeSummary?, maybeCorrupt? }, each
// step { op, urn, provider?, oldState?, newState?, diffReasons?, replaceReasons?, detailedDiff? }.
// "same" steps appear only with --show-sames; create-replacement/delete-replaced only with
// --show-replacement-steps (otherwise a replacement is one logical "replace" step).
//
// It also reads the engine's event stream as JSON lines (`pulumi preview --event-log <file>`, and exactly what the
// Automation API's onEvent delivers): resourcePreEvent.metadata { op, urn, old, new } become the same steps, error
// diagnosticEvents the same diagnostics, the summaryEvent the change summary. This file is the only place that knows
// the input formats: everything after it works on ChangeStep.

import { findJsonError } from "./json-error";
import { parseUrn } from "./urn";

export interface ResourceState {
  urn?: string;
  type?: string;
  custom?: boolean;
  delete?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  [key: string]: unknown;
}

export interface PreviewStep {
  op: string;
  urn: string;
  provider?: string;
  oldState?: ResourceState | null;
  newState?: ResourceState | null;
  diffReasons?: string[];
  replaceReasons?: string[];
  [key: string]: unknown;
}

export interface PreviewDigest {
  steps: PreviewStep[];
  changeSummary?: Record<string, number>;
  config?: Record<string, string>;
  [key: string]: unknown;
}

/** Input the guard cannot judge: the message names the file and what is wrong with it. */
export class PreviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreviewInputError";
  }
}

export const HOW_TO_PRODUCE = 'produce it with `pulumi preview --json --stack <stack> > preview.json` (or `--event-log preview-events.jsonl`)';

/** 1-based line and column of a 0-based character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** One line of an engine event log; only the fields the guard reads. */
interface EngineEventLine {
  sequence?: number;
  resourcePreEvent?: { metadata?: { op?: unknown; urn?: unknown; old?: unknown; new?: unknown } };
  diagnosticEvent?: { severity?: unknown; message?: unknown; urn?: unknown };
  summaryEvent?: { resourceChanges?: Record<string, number> };
}

const EVENT_KEYS = ["cancelEvent", "stdoutEvent", "diagnosticEvent", "preludeEvent", "summaryEvent", "resourcePreEvent", "resOutputsEvent", "resOpFailedEvent", "policyEvent", "engineEvent", "startDebuggingEvent", "progressEvent", "errorEvent", "policyRemediationEvent", "policyLoadEvent", "policyAnalyzeSummaryEvent", "policyRemediateSummaryEvent", "policyAnalyzeStackSummaryEvent"];

/** An event log is JSON lines whose first object has a `sequence` and one event key; a preview document is one object. */
function looksLikeEventLog(text: string): boolean {
  const first = text.trimStart().split("\n", 1)[0];
  try {
    const doc = JSON.parse(first) as Record<string, unknown>;
    return doc !== null && typeof doc === "object" && "sequence" in doc && EVENT_KEYS.some((k) => k in doc);
  } catch {
    return false;
  }
}

/** The engine event stream (JSON lines) as the digest `pulumi preview --json` would print. */
export function parseEventLog(text: string, file: string): PreviewDigest {
  const steps: PreviewStep[] = [];
  const diagnostics: { severity: string; message: string }[] = [];
  let changeSummary: Record<string, number> | undefined;
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let e: EngineEventLine;
    try {
      e = JSON.parse(line) as EngineEventLine;
    } catch (err) {
      throw new PreviewInputError(`${file}:${i + 1}: not a JSON event (${(err as Error).message}); ${HOW_TO_PRODUCE}`);
    }
    const m = e.resourcePreEvent?.metadata;
    if (m) {
      if (typeof m.op !== "string" || typeof m.urn !== "string" || m.urn === "") {
        throw new PreviewInputError(`${file}:${i + 1}: resourcePreEvent.metadata has no op and urn`);
      }
      steps.push({ op: m.op, urn: m.urn, oldState: isState(m.old) ? m.old : null, newState: isState(m.new) ? m.new : null });
    }
    const d = e.diagnosticEvent;
    if (d && typeof d.severity === "string") diagnostics.push({ severity: d.severity, message: typeof d.message === "string" ? d.message : "" });
    if (e.summaryEvent?.resourceChanges) changeSummary = e.summaryEvent.resourceChanges;
  });
  return { steps, diagnostics, ...(changeSummary ? { changeSummary } : {}) };
}

/** Parses and shape-checks preview JSON (or an engine event log). `file` is only used in error messages. */
export function parsePreview(raw: string, file: string): PreviewDigest {
  // A byte-order mark (PowerShell redirection writes one) is not JSON but says nothing about the content.
  const text = raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
  if (text.trim() === "") {
    throw new PreviewInputError(`${file}: file is empty; ${HOW_TO_PRODUCE}`);
  }
  if (looksLikeEventLog(text)) return parseEventLog(text, file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const found = findJsonError(text);
    const offset = found?.offset ?? text.length;
    const reason = found?.reason ?? (e as Error).message;
    const { line, column } = lineColumn(text, offset);
    throw new PreviewInputError(
      `${file}:${line}:${column}: not valid JSON: ${reason} (line ${line}, column ${column}); ${HOW_TO_PRODUCE} (with --json nothing else is printed to stdout)`,
    );
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new PreviewInputError(
      `${file}: not a "pulumi preview --json" document: the top level is ${describeType(doc)}, expected an object with a "steps" array; ${HOW_TO_PRODUCE}`,
    );
  }
  const digest = doc as Record<string, unknown>;
  if (!("steps" in digest)) {
    const keys = Object.keys(digest);
    throw new PreviewInputError(
      `${file}: not a "pulumi preview --json" document: top-level "steps" is missing (found keys: ${keys.length > 0 ? keys.join(", ") : "none"}); ${HOW_TO_PRODUCE}`,
    );
  }
  if (!Array.isArray(digest.steps)) {
    throw new PreviewInputError(
      `${file}: not a "pulumi preview --json" document: "steps" is ${describeType(digest.steps)}, expected an array; ${HOW_TO_PRODUCE}`,
    );
  }
  digest.steps.forEach((step, i) => {
    if (step === null || typeof step !== "object" || Array.isArray(step)) {
      throw new PreviewInputError(`${file}: steps[${i}] is ${describeType(step)}, expected an object with "op" and "urn"`);
    }
    const s = step as Record<string, unknown>;
    for (const key of ["op", "urn"]) {
      if (typeof s[key] !== "string" || s[key] === "") {
        throw new PreviewInputError(`${file}: steps[${i}].${key} is missing or not a string`);
      }
    }
  });
  return digest as PreviewDigest;
}

/** One planned step as the guard judges it, whatever format it came from. */
export interface ChangeStep {
  op: string;
  urn: string;
  /** The resource's parent URN (from the old state, else the new one), when the input says. */
  parent?: string;
  /** The step leaves a resource at this URN afterwards (it carries a new state). */
  hasNewState: boolean;
  /** The old state if there is one, else the new one: where the guard reads names (metadata.name, item keys). */
  state?: ResourceState;
}

function isState(value: unknown): value is ResourceState {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The steps of a parsed preview as ChangeSteps, in order. */
export function changeSteps(digest: PreviewDigest): ChangeStep[] {
  return digest.steps.map((step) => {
    const oldState = isState(step.oldState) ? step.oldState : undefined;
    const newState = isState(step.newState) ? step.newState : undefined;
    const state = oldState ?? newState;
    const parent = [oldState?.parent, newState?.parent].find((p): p is string => typeof p === "string" && p !== "");
    return { op: step.op, urn: step.urn, hasNewState: newState !== undefined, ...(parent ? { parent } : {}), ...(state ? { state } : {}) };
  });
}

/** The stack all step URNs belong to (undefined without any); a preview mixing stacks is refused. */
export function previewStack(steps: readonly ChangeStep[], file: string): string | undefined {
  const stacks = [...new Set(steps.map((s) => parseUrn(s.urn)?.stack).filter((s): s is string => s !== undefined))].sort();
  if (stacks.length > 1) {
    throw new PreviewInputError(`${file}: the steps belong to ${stacks.length} stacks (${stacks.join(", ")}); run the guard on one stack's preview at a time, each against its own limit`);
  }
  return stacks[0];
}

/**
 * Error diagnostics mean the preview failed: the engine still prints a digest, but the program stopped part way
 * and no deletes were planned, so "no customer deleted" would be a false all-clear. Returns the error messages.
 */
export function previewErrors(digest: PreviewDigest): string[] {
  const diagnostics = Array.isArray(digest.diagnostics) ? (digest.diagnostics as unknown[]) : [];
  return diagnostics
    .filter((d): d is { message?: unknown; severity?: unknown } => d !== null && typeof d === "object")
    .filter((d) => d.severity === "error")
    .map((d) => (typeof d.message === "string" ? d.message.trim() : "(no message)"));
}

export function assertPreviewSucceeded(digest: PreviewDigest, file: string): void {
  const errors = previewErrors(digest);
  if (errors.length > 0) {
    const first = errors[0].split("\n").slice(0, 3).join(" | ");
    throw new PreviewInputError(
      `${file}: the preview failed (${errors.length} error diagnostic${errors.length === 1 ? "" : "s"}, first: ${JSON.stringify(first)}); a failed preview plans no deletes, so customer deletions cannot be counted - fix the preview and run the guard on its new output`,
    );
  }
}

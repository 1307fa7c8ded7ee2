import type { PreviewDigest, PreviewStep } from "./preview";
import { parseUrn } from "./urn";

/** The component every customer's resources hang off; deleting it deletes the customer. */
export const CUSTOMER_SITE_TYPE = "sas:index:CustomerSite";
export const CUSTOMER_NAME_PREFIX = "customer-";

export interface CustomerDeletion {
  /** Customer id (the component name without "customer-"; the whole name if it lacks the prefix). */
  customerId: string;
  stack: string;
  urn: string;
  /** The step op that deletes it: "delete", or a replace/delete-replaced with no new state. */
  op: string;
}

function hasNewState(step: PreviewStep): boolean {
  return step.newState !== undefined && step.newState !== null;
}

/**
 * Customers whose CustomerSite component the preview would delete, sorted by id, one entry per customer.
 * A "delete" step always counts. A replacement counts only when nothing brings the component back: a "replace"
 * (or, with --show-replacement-steps, "delete-replaced") step whose URN carries no new state in any step.
 * "discard"/"read-discard" forget read-only resources and delete nothing.
 */
export function customerDeletions(digest: PreviewDigest): CustomerDeletion[] {
  const recreated = new Set(digest.steps.filter(hasNewState).map((s) => s.urn));
  const found = new Map<string, CustomerDeletion>();
  for (const step of digest.steps) {
    const urn = parseUrn(step.urn);
    if (!urn || urn.type !== CUSTOMER_SITE_TYPE) {
      continue;
    }
    const deleted =
      step.op === "delete" || ((step.op === "replace" || step.op === "delete-replaced") && !recreated.has(step.urn));
    if (!deleted || found.has(step.urn)) {
      continue;
    }
    const customerId = urn.name.startsWith(CUSTOMER_NAME_PREFIX) ? urn.name.slice(CUSTOMER_NAME_PREFIX.length) : urn.name;
    found.set(step.urn, { customerId, stack: urn.stack, urn: step.urn, op: step.op });
  }
  return [...found.values()].sort((a, b) =>
    a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0,
  );
}

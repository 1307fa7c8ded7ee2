import { classify, COUNTED_TENANT_TYPES, CUSTOMER_SITE_TYPE } from "./classify";
import { changeSteps, type ChangeStep, type PreviewDigest } from "./preview";
import { parseUrn } from "./urn";

export { CUSTOMER_NAME_PREFIX, CUSTOMER_SITE_TYPE } from "./classify";

/** Step ops that delete or replace something: the only ones the guard judges. */
export const DESTRUCTIVE_OPS: readonly string[] = [
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "import-replacement",
  "remove-pending-replace",
];
/**
 * Ops that delete nothing: "discard"/"read-discard"/"discard-replaced" forget read-only resources, "read-replacement"
 * re-reads one. Any op in neither list is refused as unattributed (a newer engine's op must be looked at first).
 */
export const HARMLESS_OPS: readonly string[] = ["same", "create", "update", "read", "refresh", "import", "discard", "read-discard", "discard-replaced", "read-replacement"];

export interface CustomerDeletion {
  /** Customer id (the component name without "customer-"; the whole name if it lacks the prefix). */
  customerId: string;
  stack: string;
  /** The step shown for the customer: its CustomerSite when that goes, else its first counted resource. */
  urn: string;
  op: string;
  /** Further counted resources of the same customer (absent when the CustomerSite itself goes: its children go with it). */
  also?: { op: string; urn: string }[];
}

/** A delete/replace step the guard cannot attribute to a customer or the platform: it is refused, not ignored. */
export interface UnattributedStep {
  op: string;
  urn: string;
  reason: string;
}

export interface DeletionAssessment {
  /** One entry per customer, sorted by id. */
  customers: CustomerDeletion[];
  /** In input order, one entry per URN. */
  unattributed: UnattributedStep[];
}

/** Which op to show when one URN has several steps (create-replacement, replace, delete-replaced): the plainest. */
const OP_RANK = ["delete", "replace", "delete-replaced", "remove-pending-replace", "import-replacement", "create-replacement"];
const rank = (op: string) => (OP_RANK.includes(op) ? OP_RANK.indexOf(op) : OP_RANK.length);
/** Order of the resources of one customer: the component, then by COUNTED_TENANT_TYPES order, then URN. */
const TYPE_ORDER = [CUSTOMER_SITE_TYPE, ...Object.keys(COUNTED_TENANT_TYPES)];
const typeRank = (urn: string) => {
  const type = parseUrn(urn)?.type ?? "";
  return TYPE_ORDER.includes(type) ? TYPE_ORDER.indexOf(type) : TYPE_ORDER.length;
};
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Judges every step of a preview. A customer counts when:
 *  - its CustomerSite is deleted: a "delete" step, or a replace/delete-replaced step whose URN no step brings back
 *    (a component replaced in place deletes nothing by itself; its children's steps say what goes);
 *  - or any of its Namespace, Deployment, Ingress or registry item is deleted or replaced in any form.
 * Each customer counts once however many of its resources go. Other CustomerSite children and the platform do not
 * count; anything else that is deleted or replaced is unattributed.
 */
export function assessSteps(steps: readonly ChangeStep[]): DeletionAssessment {
  const recreated = new Set(steps.filter((s) => s.hasNewState).map((s) => s.urn));
  const perCustomer = new Map<string, { stack: string; steps: Map<string, string>; siteGoes: boolean }>();
  const unattributed = new Map<string, UnattributedStep>();
  for (const step of steps) {
    if (HARMLESS_OPS.includes(step.op)) continue;
    if (!DESTRUCTIVE_OPS.includes(step.op)) {
      if (!unattributed.has(step.urn)) unattributed.set(step.urn, { op: step.op, urn: step.urn, reason: `unknown step op "${step.op}"` });
      continue;
    }
    const what = classify(step);
    if (what.kind === "unattributed") {
      if (!unattributed.has(step.urn)) unattributed.set(step.urn, { op: step.op, urn: step.urn, reason: what.reason });
      continue;
    }
    if (what.kind !== "customer-site" && what.kind !== "tenant-counted") continue;
    const siteGoes = what.kind === "customer-site" && step.op !== "create-replacement" && (step.op === "delete" || !recreated.has(step.urn));
    if (what.kind === "customer-site" && !siteGoes) continue;
    const entry = perCustomer.get(what.customerId) ?? { stack: parseUrn(step.urn)!.stack, steps: new Map<string, string>(), siteGoes: false };
    entry.siteGoes ||= siteGoes;
    const seen = entry.steps.get(step.urn);
    if (seen === undefined || rank(step.op) < rank(seen)) entry.steps.set(step.urn, step.op);
    perCustomer.set(what.customerId, entry);
  }
  const customers = [...perCustomer.entries()].map(([customerId, entry]): CustomerDeletion => {
    const ordered = [...entry.steps.entries()]
      .map(([urn, op]) => ({ op, urn }))
      .sort((a, b) => typeRank(a.urn) - typeRank(b.urn) || byText(a.urn, b.urn));
    const [first, ...rest] = ordered;
    return { customerId, stack: entry.stack, urn: first.urn, op: first.op, ...(!entry.siteGoes && rest.length > 0 ? { also: rest } : {}) };
  });
  customers.sort((a, b) => byText(a.customerId, b.customerId) || byText(a.urn, b.urn));
  return { customers, unattributed: [...unattributed.values()] };
}

export function assessPreview(digest: PreviewDigest): DeletionAssessment {
  return assessSteps(changeSteps(digest));
}

/** The customers a preview deletes or replaces (see assessSteps), sorted by id, one entry per customer. */
export function customerDeletions(digest: PreviewDigest): CustomerDeletion[] {
  return assessPreview(digest).customers;
}

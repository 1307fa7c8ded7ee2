import type { CustomerDeletion, UnattributedStep } from "./deletions";
import type { GuardOptions } from "./options";
import { ALLOW_ENV, MAX_DELETES_ENV, stackLimitEnv } from "./options";

export interface GuardVerdict {
  exitCode: 0 | 1;
  /** Lines for stdout (the normal report). */
  out: string[];
  /** Lines for stderr (refusal or the mass-delete warning). */
  err: string[];
}

type JudgeOptions = Pick<GuardOptions, "maxDeletes" | "maxDeletesSource" | "allowMassDelete" | "allowSource" | "stack" | "totalOf">;

function customers(n: number): string {
  return `${n} customer${n === 1 ? "" : "s"}`;
}

function limitText(opts: Pick<GuardOptions, "maxDeletes" | "maxDeletesSource" | "stack" | "totalOf">): string {
  const perStack = opts.stack !== undefined ? `, ${stackLimitEnv(opts.stack)}` : "";
  const source =
    opts.maxDeletesSource === "default" ? `default; set --max-deletes${perStack} or ${MAX_DELETES_ENV}` : `from ${opts.maxDeletesSource}`;
  const scope = opts.stack === undefined ? "" : opts.totalOf !== undefined ? ` for environment ${opts.stack} in total over ${opts.totalOf} stacks` : ` for stack ${opts.stack}`;
  return `limit ${opts.maxDeletes}${scope} (${source})`;
}

/** "deleted" when every counted step is a delete, else "deleted or replaced". */
function verb(deletions: readonly CustomerDeletion[]): string {
  const ops = deletions.flatMap((d) => [d.op, ...(d.also ?? []).map((a) => a.op)]);
  return ops.every((op) => op === "delete") ? "deleted" : "deleted or replaced";
}

function listing(deletions: readonly CustomerDeletion[], indent: string): string[] {
  return deletions.map(
    (d) => `${indent}- ${d.customerId} (stack ${d.stack}, ${d.op} ${d.urn}${d.also ? `; also ${d.also.map((a) => `${a.op} ${a.urn}`).join(", ")}` : ""})`,
  );
}

function unattributedListing(steps: readonly UnattributedStep[], indent: string): string[] {
  return steps.map((s) => `${indent}- ${s.op} ${s.urn}: ${s.reason}`);
}

function resources(n: number): string {
  return `${n} deleted or replaced resource${n === 1 ? "" : "s"}`;
}

/**
 * Decides whether the preview may proceed. Deleting exactly the limit of customers is allowed; one more is not. Any
 * unattributed delete/replace is refused whatever the count (the guard fails closed). The override lets both through
 * with a loud warning naming everything.
 */
export function judge(deletions: CustomerDeletion[], opts: JudgeOptions, unattributed: readonly UnattributedStep[] = []): GuardVerdict {
  const n = deletions.length;
  const tooMany = n > opts.maxDeletes;
  const what = verb(deletions);
  const summary = [
    n === 0
      ? `guard: ok, no customer would be deleted; ${limitText(opts)}`
      : `guard: ok, ${customers(n)} would be ${what}, within the ${limitText(opts)}:`,
    ...listing(deletions, "  "),
  ];
  if (!tooMany && unattributed.length === 0) {
    return { exitCode: 0, out: summary, err: [] };
  }
  if (opts.allowMassDelete) {
    const bar = "!".repeat(100);
    return {
      exitCode: 0,
      out: tooMany ? [] : summary,
      err: [
        bar,
        ...(tooMany
          ? [`!!! MASS DELETE ALLOWED by ${opts.allowSource}: ${customers(n)} WILL BE ${what.toUpperCase()}, above the ${limitText(opts)}:`, ...listing(deletions, "!!!   ")]
          : []),
        ...(unattributed.length > 0
          ? [
              `!!! UNATTRIBUTED DELETES ALLOWED by ${opts.allowSource}: ${resources(unattributed.length)} the guard cannot attribute WILL GO:`,
              ...unattributedListing(unattributed, "!!!   "),
            ]
          : []),
        tooMany
          ? "!!! Everything under those CustomerSite components (namespace, page, Ingress) goes with them. Cancel the job now if this is not intended."
          : "!!! Cancel the job now if this is not intended.",
        bar,
      ],
    };
  }
  const override = `--allow-mass-delete or ${ALLOW_ENV}=yes`;
  return {
    exitCode: 1,
    out: [],
    err: [
      ...(tooMany
        ? [`guard: refusing: ${customers(n)} would be ${what}, more than the ${limitText(opts)}:`, ...listing(deletions, "  ")]
        : summary.map((line) => line.replace(/^guard: ok, /, "guard: "))),
      ...(unattributed.length > 0
        ? [
            `guard: refusing: ${resources(unattributed.length)} cannot be attributed to a customer or the platform (the guard fails closed):`,
            ...unattributedListing(unattributed, "  "),
          ]
        : []),
      ...(tooMany
        ? [
            what === "deleted"
              ? `If this is intended, re-run with ${override}; otherwise restore the missing customers/<id>.yaml records.`
              : `If this is intended, re-run with ${override}; otherwise restore the missing customers/<id>.yaml records and make the change update in place (or add aliases) instead of replacing.`,
          ]
        : []),
      ...(unattributed.length > 0
        ? [`If a resource type is new, teach scripts/guard/classify.ts where it belongs (CustomerSite child or sas:platform:* component); if this is intended, re-run with ${override}.`]
        : []),
    ],
  };
}

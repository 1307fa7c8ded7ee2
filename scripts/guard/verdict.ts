import type { CustomerDeletion } from "./deletions";
import type { GuardOptions } from "./options";
import { ALLOW_ENV, MAX_DELETES_ENV } from "./options";

export interface GuardVerdict {
  exitCode: 0 | 1;
  /** Lines for stdout (the normal report). */
  out: string[];
  /** Lines for stderr (refusal or the mass-delete warning). */
  err: string[];
}

function customers(n: number): string {
  return `${n} customer${n === 1 ? "" : "s"}`;
}

function limitText(opts: Pick<GuardOptions, "maxDeletes" | "maxDeletesSource">): string {
  const source =
    opts.maxDeletesSource === "default" ? `default; set --max-deletes or ${MAX_DELETES_ENV}` : `from ${opts.maxDeletesSource}`;
  return `limit ${opts.maxDeletes} (${source})`;
}

function listing(deletions: CustomerDeletion[], indent: string): string[] {
  return deletions.map((d) => `${indent}- ${d.customerId} (stack ${d.stack}, ${d.op} ${d.urn})`);
}

/** Decides whether the preview may proceed. Deleting exactly the limit is allowed; one more is not. */
export function judge(deletions: CustomerDeletion[], opts: Pick<GuardOptions, "maxDeletes" | "maxDeletesSource" | "allowMassDelete" | "allowSource">): GuardVerdict {
  const n = deletions.length;
  if (n <= opts.maxDeletes) {
    return {
      exitCode: 0,
      out: [
        n === 0
          ? `guard: ok, no customer would be deleted; ${limitText(opts)}`
          : `guard: ok, ${customers(n)} would be deleted, within the ${limitText(opts)}:`,
        ...listing(deletions, "  "),
      ],
      err: [],
    };
  }
  if (opts.allowMassDelete) {
    const bar = "!".repeat(100);
    return {
      exitCode: 0,
      out: [],
      err: [
        bar,
        `!!! MASS DELETE ALLOWED by ${opts.allowSource}: ${customers(n)} WILL BE DELETED, above the ${limitText(opts)}:`,
        ...listing(deletions, "!!!   "),
        "!!! Everything under those CustomerSite components (namespace, page, Ingress) goes with them. Cancel the job now if this is not intended.",
        bar,
      ],
    };
  }
  return {
    exitCode: 1,
    out: [],
    err: [
      `guard: refusing: ${customers(n)} would be deleted, more than the ${limitText(opts)}:`,
      ...listing(deletions, "  "),
      `If this is intended, re-run with --allow-mass-delete or ${ALLOW_ENV}=yes; otherwise restore the missing customers/<id>.yaml records.`,
    ],
  };
}

// The human summary after the JSON lines: counts per outcome, then one row per event.
import { OUTCOMES, type Outcome } from "./decide";

export interface SummaryRow {
    purchaseId: string | null;
    outcome: Outcome;
    id: string | null;
    reason: string;
    row: string;
}

/** Left-aligned columns separated by two spaces; cells cut at `max` characters. */
export function textTable(header: string[], rows: string[][], max = 60): string {
    const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
    const all = [header, ...rows].map((r) => r.map(cut));
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

export function summaryTable(rows: readonly SummaryRow[], opts: { dryRun: boolean }): string {
    const counts = OUTCOMES.map((o) => `${rows.filter((r) => r.outcome === o).length} ${o}`).join(", ");
    const head = `intake: ${rows.length} event(s): ${counts}${opts.dryRun ? " (dry run: nothing written)" : ""}\n`;
    if (rows.length === 0) return head;
    return (
        head +
        "\n" +
        textTable(
            ["row", "outcome", "id", "purchaseId", "reason"],
            rows.map((r) => [r.row, r.outcome, r.id ?? "-", r.purchaseId ?? "-", r.reason.startsWith(`${r.row}: `) ? r.reason.slice(r.row.length + 2) : r.reason]),
        )
    );
}

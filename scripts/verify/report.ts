// Human output: the progress line on stderr and the final table. Pure string builders; the caller prints.

export interface Row {
    customerId: string;
    url: string;
    result: "PASS" | "FAIL";
    attempts: number;
    reason: string;
}

export function progressLine(done: number, total: number, failed: number, current: string): string {
    return `verify: ${done}/${total} checked, ${failed} failed${current ? ` (${current})` : ""}`;
}

/** Rows sorted by customer id so the table reads the same on every run. */
export function resultTable(rows: readonly Row[]): string {
    const sorted = [...rows].sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    const header = ["CUSTOMER", "RESULT", "ATTEMPTS", "URL", "REASON"];
    const cells = sorted.map((r) => [r.customerId, r.result, String(r.attempts), r.url, r.reason]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join("  ");
    return [line(header), ...cells.map(line)].join("\n");
}

export function failureSummary(environment: string, rows: readonly Row[]): string | undefined {
    const failed = rows.filter((r) => r.result === "FAIL").sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    if (failed.length === 0) return undefined;
    return [
        `verify: ${failed.length} of ${rows.length} customer page(s) failed in "${environment}":`,
        ...failed.map((r) => `  ${r.customerId}: ${r.reason} (${r.url})`),
    ].join("\n");
}

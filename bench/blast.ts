// Blast radius: which resources' inputs differ between two runs of the program, compared as JSON by URN. A change to
// one customer record must touch only that customer's resources; anything else is an unrelated update in review.

/** One line of a child's inputs dump. `customer` is the id whose component the resource sits under, if any. */
export interface InputsDump {
    urn: string;
    customer?: string;
    inputs: unknown;
}

export interface DumpEntry {
    json: string;
    customer?: string;
}

export interface BlastRadius {
    added: string[];
    removed: string[];
    changed: string[];
}

/** JSON with object keys sorted, so two equal inputs serialize identically whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

export function parseDump(text: string): Map<string, DumpEntry> {
    const out = new Map<string, DumpEntry>();
    for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        const { urn, customer, inputs } = JSON.parse(line) as InputsDump;
        if (out.has(urn)) throw new Error(`inputs dump: URN ${urn} appears twice`);
        out.set(urn, { json: canonicalJson(inputs), customer });
    }
    return out;
}

/** URNs added, removed and with different inputs, each sorted. */
export function blastRadius(before: ReadonlyMap<string, DumpEntry>, after: ReadonlyMap<string, DumpEntry>): BlastRadius {
    const added = [...after.keys()].filter((u) => !before.has(u)).sort();
    const removed = [...before.keys()].filter((u) => !after.has(u)).sort();
    const changed = [...after.keys()].filter((u) => before.has(u) && before.get(u)!.json !== after.get(u)!.json).sort();
    return { added, removed, changed };
}

/** URNs in the radius that do not sit under the component of the customer the change was about. */
export function outsideCustomer(
    radius: BlastRadius,
    customerId: string,
    before: ReadonlyMap<string, DumpEntry>,
    after: ReadonlyMap<string, DumpEntry>,
): string[] {
    const owner = (urn: string) => (after.get(urn) ?? before.get(urn))?.customer;
    return [...radius.added, ...radius.removed, ...radius.changed].filter((u) => owner(u) !== customerId).sort();
}

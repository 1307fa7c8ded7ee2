// What the benchmark child (bench/child.ts) is asked and answers: kept apart from the child so the
// orchestrator and the tests never load the program just to read these types.

export const RESULT_PREFIX = "BENCH_RESULT ";

export interface ChildRequest {
    stack: string;
    customersDir: string;
    preview: boolean;
    /** When set, every resource's URN and inputs are written here as JSON lines (for the blast-radius diff). */
    dumpInputs?: string;
}

export interface ChildResult {
    /** From process start to the first line of the child's main: Node boot plus the TypeScript loader, if any. */
    bootMs: number;
    /** runStack: loading program modules (compiling them under ts-node) plus evaluating the whole program. */
    evalMs: number;
    gcMs: number;
    gcCount: number;
    cpuUserMs: number;
    cpuSystemMs: number;
    maxRssMiB: number;
    heapUsedMiB: number;
    resources: number;
    /** Resources counted under each customer's component (itself included), by customer id. */
    perCustomer: Record<string, number>;
    byType: Record<string, number>;
}

export interface ResourceNode {
    name: string;
    parent?: string;
    custom: boolean;
}

/**
 * The customer a resource belongs to: walks the parent chain up to a component (not a custom resource, whose own
 * name may also start with `customer-<id>-`) named `customer-<id>`.
 */
export function customerOf(urn: string, nodes: ReadonlyMap<string, ResourceNode>): string | undefined {
    for (let cur = nodes.get(urn); cur; cur = cur.parent ? nodes.get(cur.parent) : undefined) {
        const m = !cur.custom && /^customer-(.+)$/.exec(cur.name);
        if (m) return m[1];
    }
    return undefined;
}

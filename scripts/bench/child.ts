// One benchmark measurement in a fresh process: runs the real program (program.ts) under the shared mock engine for
// a generated customers dir and prints one JSON line (prefixed BENCH_RESULT) with timings, GC, memory and counts.
// Spawned by scripts/bench/index.ts in every run mode (ts-node, transpile-only, precompiled JS, type stripping), so
// it imports nothing that only one of those modes can load.
import * as fs from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { runStack } from "../lib/run-stack";
import type { InputsDump } from "./blast";

export const RESULT_PREFIX = "BENCH_RESULT ";

export interface ChildRequest {
    stack: string;
    customersDir: string;
    preview: boolean;
    /** When set, every resource's URN and inputs are written here as JSON lines (for the blast-radius diff). */
    dumpInputs?: string;
}

export interface ChildResult {
    /** From process start to the first line of this file: Node boot plus the TypeScript loader, if any. */
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

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are plain JSON */
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

async function main(): Promise<void> {
    const bootMs = performance.now();
    const raw = process.env.SAS_BENCH_REQUEST;
    if (!raw) throw new Error("scripts/bench/child.ts: SAS_BENCH_REQUEST (JSON ChildRequest) is not set; run it through npm run bench");
    const req = JSON.parse(raw) as ChildRequest;
    let gcMs = 0;
    let gcCount = 0;
    const gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
            gcMs += e.duration;
            gcCount++;
        }
    });
    gcObserver.observe({ entryTypes: ["gc"] });

    const t0 = performance.now();
    const run = await runStack(req.stack, { customersDir: req.customersDir, preview: req.preview });
    const evalMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20)); // let the last GC entries reach the observer
    gcObserver.disconnect();

    const usage = process.resourceUsage();
    const nodes = new Map<string, ResourceNode>(run.resources.map((r) => [r.urn, r]));
    const perCustomer: Record<string, number> = {};
    const byType: Record<string, number> = {};
    for (const r of run.resources) {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
        const id = customerOf(r.urn, nodes);
        if (id) perCustomer[id] = (perCustomer[id] ?? 0) + 1;
    }
    if (req.dumpInputs) {
        const fd = fs.openSync(req.dumpInputs, "w");
        for (const r of run.resources) {
            const line: InputsDump = { urn: r.urn, customer: customerOf(r.urn, nodes), inputs: r.inputs as any };
            fs.writeSync(fd, JSON.stringify(line) + "\n");
        }
        fs.closeSync(fd);
    }
    const result: ChildResult = {
        bootMs,
        evalMs,
        gcMs,
        gcCount,
        cpuUserMs: usage.userCPUTime / 1000,
        cpuSystemMs: usage.systemCPUTime / 1000,
        maxRssMiB: usage.maxRSS / 1024,
        heapUsedMiB: process.memoryUsage().heapUsed / 1048576,
        resources: run.resources.length,
        perCustomer,
        byType,
    };
    process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + "\n");
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exitCode = 1;
    });
}

// One benchmark measurement in a fresh process: runs the real program (program.ts) under the shared mock engine for
// a generated customers dir and prints one JSON line (prefixed BENCH_RESULT) with timings, GC, memory and counts.
// Spawned by bench/index.ts in every run mode (ts-node, transpile-only, precompiled JS, type stripping), so
// it imports nothing that only one of those modes can load.
import * as fs from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { runStack } from "../tests/harness/run-stack";
import type { InputsDump } from "./blast";
import { customerOf, RESULT_PREFIX, type ChildRequest, type ChildResult, type ResourceNode } from "./protocol";

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are plain JSON */
async function main(): Promise<void> {
    const bootMs = performance.now();
    const raw = process.env.SAS_BENCH_REQUEST;
    if (!raw) throw new Error("bench/child.ts: SAS_BENCH_REQUEST (JSON ChildRequest) is not set; run it through npm run bench");
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
    // The benchmark measures one stack holding every customer (what one Pulumi run evaluates), also for environments
    // that are sharded in their stack file: a shard is the same program with fewer customers.
    const run = await runStack(req.stack, { customersDir: req.customersDir, preview: req.preview, config: { sharding: { layout: "single" } } });
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

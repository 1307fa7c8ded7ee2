// The pure parts of `npm run bench` (bench/): synthetic customers, blast-radius diff, parsers and the cost model.
// The measurements themselves are not asserted anywhere: speed belongs in docs/BENCHMARKS.md, not in tests.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCustomers, parseCustomerFile } from "../../components/records/load";
import { customerSchema } from "../../components/model/customer";
import { parseArgs } from "../../bench/args";
import { blastRadius, canonicalJson, outsideCustomer, parseDump } from "../../bench/blast";
import { customerOf, type ResourceNode } from "../../bench/protocol";
import { DEFAULT_TIER_SIZES } from "../../components/model/tiers";
import { cpuMilli, customersPerNode, eniMaxPods, kubeReservedCpuMilli, memoryMiB, nodeCapacity, tierDemand } from "../../bench/cost";
import { recordText, syntheticCustomers, writeCustomers } from "../../bench/customers";
import { childArgv, firstErrorLines } from "../../bench/modes";
import { BIG_HEAP, evalPlan, predictSeconds, RECOMMENDED } from "../../bench/plan";
import { renderReport, type BenchData } from "../../bench/report";
import { selfTimes, type CpuProfile } from "../../bench/profile";
import { relativeImports, unsupportedConstructs } from "../../bench/strip-check";
import { parseElapsed, parseTimeV } from "../../bench/time-v";

describe("bench: synthetic customers", () => {
    const customers = syntheticCustomers(250);

    it("are valid records by the real schema, with unique ids and purchase ids", () => {
        for (const c of customers) {
            const parsed = customerSchema.safeParse(c);
            assert.ok(parsed.success, `${c.id}: ${parsed.success ? "" : parsed.error.message}`);
        }
        assert.equal(new Set(customers.map((c) => c.id)).size, 250);
        assert.equal(new Set(customers.map((c) => c.purchaseId)).size, 250);
    });

    it("are deterministic and any prefix keeps the 60/30/10 tier mix", () => {
        assert.deepEqual(syntheticCustomers(250), customers);
        assert.deepEqual(syntheticCustomers(10), customers.slice(0, 10));
        const count = (tier: string) => customers.slice(0, 100).filter((c) => c.tier === tier).length;
        assert.deepEqual([count("starter"), count("business"), count("enterprise")], [60, 30, 10]);
    });

    it("round-trip through the record files and the real loader unchanged", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-test-"));
        try {
            writeCustomers(dir, customers.slice(0, 40));
            assert.deepEqual(loadCustomers(dir), customers.slice(0, 40));
            const one = customers[7];
            assert.deepEqual(parseCustomerFile(`${one.id}.yaml`, recordText(one)), { customer: one, problems: [] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("bench: blast radius", () => {
    const dump = (entries: [string, string | undefined, unknown][]) =>
        parseDump(entries.map(([urn, customer, inputs]) => JSON.stringify({ urn, customer, inputs })).join("\n") + "\n");

    it("compares inputs independent of key order", () => {
        assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
        assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
    });

    it("finds exactly the added, removed and changed URNs and which lie outside the customer", () => {
        const before = dump([
            ["urn:a-ns", "a", { name: "cust-a" }],
            ["urn:a-cm", "a", { data: { motto: "old" }, name: "welcome-site" }],
            ["urn:b-ns", "b", { name: "cust-b" }],
            ["urn:platform", undefined, { customers: 2 }],
        ]);
        const after = dump([
            ["urn:a-ns", "a", { name: "cust-a" }],
            ["urn:a-cm", "a", { name: "welcome-site", data: { motto: "new" } }],
            ["urn:platform", undefined, { customers: 3 }],
            ["urn:c-ns", "c", { name: "cust-c" }],
        ]);
        const radius = blastRadius(before, after);
        assert.deepEqual(radius, { added: ["urn:c-ns"], removed: ["urn:b-ns"], changed: ["urn:a-cm", "urn:platform"] });
        assert.deepEqual(outsideCustomer(radius, "a", before, after), ["urn:b-ns", "urn:c-ns", "urn:platform"]);
        assert.deepEqual(blastRadius(before, before), { added: [], removed: [], changed: [] });
    });

    it("refuses a dump that lists one URN twice", () => {
        assert.throws(() => dump([["urn:x", "a", {}], ["urn:x", "a", {}]]), /urn:x appears twice/);
    });

    it("attributes a resource to the customer component above it, not to a custom resource's own name", () => {
        const nodes = new Map<string, ResourceNode>([
            ["c", { name: "customer-acme", custom: false }],
            ["item", { name: "customer-acme-registry-item", custom: true, parent: "c" }],
            ["deep", { name: "x", custom: true, parent: "item" }],
            ["lonely", { name: "customer-acme-rockets-namespace", custom: true }],
        ]);
        assert.equal(customerOf("item", nodes), "acme");
        assert.equal(customerOf("deep", nodes), "acme");
        assert.equal(customerOf("lonely", nodes), undefined);
    });
});

describe("bench: parsers", () => {
    it("reads GNU time -v output", () => {
        const text = [
            '\tCommand being timed: "node child.js"',
            "\tUser time (seconds): 12.34",
            "\tSystem time (seconds): 1.20",
            "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50",
            "\tMaximum resident set size (kbytes): 2048000",
            "\tExit status: 0",
        ].join("\n");
        assert.deepEqual(parseTimeV(text), { userS: 12.34, systemS: 1.2, wallS: 62.5, maxRssKiB: 2048000, exitStatus: 0 });
        assert.equal(parseElapsed("1:00:01.5"), 3601.5);
        assert.throws(() => parseTimeV("nothing"), /no "User time \(seconds\)" line/);
    });

    it("charges CPU profile samples to the function on top of the stack", () => {
        const profile: CpuProfile = {
            nodes: [
                { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 3] },
                { id: 2, callFrame: { functionName: "debuggablePromise", url: "file:///x/node_modules/@pulumi/pulumi/runtime/debuggable.js", lineNumber: 247 } },
                { id: 3, callFrame: { functionName: "(garbage collector)", url: "", lineNumber: -1 } },
            ],
            samples: [2, 2, 3, 2],
            timeDeltas: [1000, 1000, 2000, 1000],
        };
        const byFile = selfTimes(profile, (n) => n.callFrame.url || n.callFrame.functionName);
        assert.deepEqual(
            byFile.map((x) => [x.label, x.ms, x.share]),
            [["file:///x/node_modules/@pulumi/pulumi/runtime/debuggable.js", 3, 0.6], ["(garbage collector)", 2, 0.4]],
        );
    });

    it("finds what Node's strip-only mode refuses, CommonJS globals and extensionless relative imports", () => {
        const text = [
            'import { a } from "./a";',
            'import type { T } from "./types";',
            'import { b } from "./b.ts";',
            "export class E extends Error {",
            "    constructor(readonly problems: string[]) { super(); }",
            "}",
            "enum Color { Red }",
            'const lazy = require("../lazy");',
        ].join("\n");
        assert.deepEqual(
            unsupportedConstructs("x.ts", text).map((p) => [p.line, p.construct]),
            [[5, "parameter property (constructor(readonly x: T))"], [7, "enum"], [8, "CommonJS global `require` (undefined in an ES module)"]],
        );
        assert.deepEqual(relativeImports("x.ts", text), [
            { spec: "./a", line: 1 },
            { spec: "./b.ts", line: 3 },
            { spec: "../lazy", line: 8 },
        ]);
    });

    it("parses flags, and names the flag in errors", () => {
        assert.deepEqual(parseArgs(["--sizes", "100,10,100"]).sizes, [10, 100]);
        assert.deepEqual(parseArgs(["--quick"]).sizes, [10, 100]);
        assert.deepEqual(parseArgs(["--skip=serve,cost"]).sections, ["eval", "knobs", "blast", "profile"]);
        assert.throws(() => parseArgs(["--sizes", "ten"]), /--sizes needs a comma-separated list/);
        assert.throws(() => parseArgs(["--only", "everything"]), /--only: unknown section "everything"/);
        assert.throws(() => parseArgs(["--fast"]), /unknown argument "--fast"/);
    });
});

describe("bench: plan and run modes", () => {
    it("runs 5,000 customers only precompiled and under ts-node transpile-only", () => {
        const big = evalPlan([10, 100, 1000, 5000]).filter((r) => r.size === 5000);
        assert.deepEqual([...new Set(big.map((r) => r.mode))].sort(), ["precompiled", "ts-node-transpile-only"]);
        assert.ok(big.every((r) => r.knobs.nodeFlags.includes("--stack-trace-limit=0")));
        assert.equal(evalPlan([10, 100]).filter((r) => r.mode === "strip-types").length, 1);
    });

    it("predicts a larger run from the fixed part and the scaled evaluation of a smaller one", () => {
        const run = { mode: "precompiled" as const, size: 1000, phase: "update" as const, knobs: RECOMMENDED };
        const done = [{ run: { ...run, size: 100 }, wallS: 4, evalS: 3 }];
        assert.equal(predictSeconds(run, done), 31);
        assert.equal(predictSeconds({ ...run, mode: "ts-node" }, done), undefined);
    });

    it("keeps the error line of a failed child, not the warnings before it", () => {
        const stderr = [
            "(node:1) [MODULE_TYPELESS_PACKAGE_JSON] Warning: Module type of file:///p/child.ts is not specified",
            "Reparsing as ES module because module syntax was detected.",
            "To eliminate this warning, add \"type\": \"module\" to /p/package.json.",
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/p/scripts/lib/run-stack' imported from /p/child.ts",
            "    at finalizeResolution (node:internal/modules/esm/resolve:272:11)",
        ].join("\n");
        assert.equal(
            firstErrorLines(stderr),
            [
                "Reparsing as ES module because module syntax was detected.",
                "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/p/scripts/lib/run-stack' imported from /p/child.ts",
                "    at finalizeResolution (node:internal/modules/esm/resolve:272:11)",
            ].join("\n"),
        );
        assert.match(firstErrorLines("<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"), /^<--- Last few GCs --->\nFATAL ERROR: Reached heap limit/);
    });

    it("builds each mode's command line", () => {
        const layout = { projectRoot: "/p", compiledRoot: "/c" };
        assert.deepEqual(childArgv("precompiled+source-maps", layout, ["--stack-trace-limit=0"]), {
            args: ["--stack-trace-limit=0", "-r", "source-map-support/register", "/c/bench/child.js"],
            cwd: "/c",
        });
        assert.deepEqual(childArgv("ts-node-transpile-only", layout, []).args, ["-r", "ts-node/register/transpile-only", "/p/bench/child.ts"]);
        assert.throws(() => childArgv("precompiled", { projectRoot: "/p" }, []), /needs the compiled tree/);
    });
});

describe("bench: cost model", () => {
    it("uses the EKS pod limits and reservations", () => {
        assert.equal(eniMaxPods("t3.medium"), 17);
        assert.equal(eniMaxPods("m6i.large"), 29);
        assert.equal(kubeReservedCpuMilli(2), 70);
        assert.equal(kubeReservedCpuMilli(8), 90);
        const m6i = nodeCapacity("m6i.large");
        assert.deepEqual([m6i.podSlots, m6i.allocatableCpuMilli, m6i.allocatableMemoryMiB], [27, 1930, 8192 - (255 + 11 * 29) - 100]);
        assert.throws(() => eniMaxPods("x9.huge"), /x9\.huge is not in INSTANCE_TYPES \(bench\/cost\.ts\)/);
    });

    it("parses quantities and finds the binding limit per tier", () => {
        assert.deepEqual([cpuMilli("50m"), cpuMilli("0.5"), memoryMiB("64Mi"), memoryMiB("1Gi")], [50, 500, 64, 1024]);
        // The built-in enterprise size: 3 replicas (HPA 3-6) of 50m / 32Mi requests.
        const demand = tierDemand("enterprise", DEFAULT_TIER_SIZES.enterprise);
        assert.deepEqual([demand.pods, demand.podsMax, demand.cpuMilli, demand.cpuMilliMax], [3, 6, 150, 300]);
        assert.deepEqual(customersPerNode(nodeCapacity("m6i.large"), demand), { customers: 9, bound: "pods" });
        assert.deepEqual(customersPerNode(nodeCapacity("m6i.large", 110), demand), { customers: 12, bound: "cpu" });
    });
});

describe("bench: report", () => {
    const child = (evalMs: number, resources: number) => ({
        bootMs: 500, evalMs, gcMs: 100, gcCount: 3, cpuUserMs: evalMs, cpuSystemMs: 0, maxRssMiB: 100, heapUsedMiB: 50, resources,
        perCustomer: { "bench-000000": 12, "bench-000001": 13 }, byType: {},
    });
    const outcome = (mode: "precompiled", size: number, knobs: typeof RECOMMENDED, evalMs: number, rssKiB: number) => {
        const run = { mode, size, phase: "update" as const, knobs };
        return {
            run,
            outcome: {
                spec: { mode, knobs, request: { stack: "prod", customersDir: "/x", preview: false } },
                ok: true, child: child(evalMs, 12_553), wallMs: evalMs + 1000, loadAvg: 1,
                time: { userS: evalMs / 1000, systemS: 0, wallS: evalMs / 1000 + 1, maxRssKiB: rssKiB, exitStatus: 0 },
            },
        };
    };
    const data: BenchData = {
        startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:10:00Z",
        options: parseArgs([]),
        machine: { nproc: 2, memoryGiB: 24, cpuModel: "test cpu", kernel: "6" },
        loadAvgStart: [1, 1, 1], loadAvgEnd: [1, 1, 1],
        versions: { node: "24", nginx: "1.22.1", autocannon: "9.0.0" },
        strip: { problems: [{ file: "components/records/load.ts", line: 16, construct: "parameter property (constructor(readonly x: T))" }] },
        eval: [outcome("precompiled", 1000, RECOMMENDED, 4_000, 900 * 1024), outcome("precompiled", 5000, BIG_HEAP, 30_000, 2 * 1024 * 1024)],
        blast: { size: 1000, scenarios: [{ name: "change one motto", customer: "bench-000500", added: [], removed: [], changed: ["urn:x::customer-bench-000500-configmap"], outside: [] }] },
        errors: [],
    };

    it("states each target with its measured value and verdict, and the strip-types blocker with file and line", () => {
        const text = renderReport(data, "## Findings\nhand-written\n");
        assert.match(text, /\| 1,000 customers evaluated < 5 s \(precompiled, --stack-trace-limit=0\) \| 4\.0 s \| met \|/);
        assert.match(text, /\| 5,000 customers evaluated < 20 s \(precompiled, [^|]*\) \| 30\.0 s \| missed \|/);
        assert.match(text, /\| 5,000 customers peak RSS < 1\.5 GiB [^|]*\| 2\.00 GiB \| missed \|/);
        assert.match(text, /\| zero blast radius outside the edited customer \(1000 customers\) \| 0 resource\(s\) outside \| met \|/);
        assert.match(text, /\| parameter property \(constructor\(readonly x: T\)\) \| 1 \| components\/records\/load\.ts:16 \|/);
        assert.match(text, /## Findings\nhand-written/);
        assert.equal(renderReport(data, ""), renderReport(data, ""));
    });
});

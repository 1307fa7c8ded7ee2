// docs/BENCHMARKS.md from one bench run's data. Pure: the same data always gives the same text.
import type { BenchOptions } from "./args";
import type { BlastRadius } from "./blast";
import type { CompileResult } from "./compile";
import type { Fit, NodeCapacity, TierDemand } from "./cost";
import { ERROR_LINE, MODES, type RunOutcome } from "./modes";
import { BIG_HEAP, CAPPED_HEAP, RECOMMENDED, type PlannedRun } from "./plan";
import type { SelfTime } from "./profile";
import type { ServeResult } from "./serve";
import type { StripProblem } from "./strip-check";
import type { Tier } from "../components/model/customer";

export interface EvalRow {
    run: PlannedRun;
    outcome?: RunOutcome;
    skipped?: string;
}

export interface BlastScenario extends BlastRadius {
    name: string;
    customer: string;
    outside: string[];
}

export interface CostStack {
    stack: string;
    instanceTypesNamed: boolean;
    nodeGroup?: { desired: number; max: number };
    resourcesPerTier: Partial<Record<Tier, number>>;
    platformResources?: number;
    demands: TierDemand[];
    fits: { node: NodeCapacity; perTier: Record<Tier, Fit>; blended: Fit }[];
    unknownTypes: string[];
}

export interface BenchData {
    startedAt: string;
    finishedAt: string;
    options: BenchOptions;
    machine: { nproc: number; memoryGiB: number; cpuModel: string; kernel: string };
    loadAvgStart: number[];
    loadAvgEnd?: number[];
    versions: Record<string, string>;
    compile?: CompileResult;
    strip: { problems: StripProblem[]; runError?: string };
    /** Pulumi.yaml runtime.options.nodeargs, if set: the flags `pulumi up` adds. */
    pulumiNodeargs?: string;
    eval?: EvalRow[];
    knobs?: EvalRow[];
    blast?: { size: number; scenarios: BlastScenario[] };
    profile?: {
        size: number;
        outcome: RunOutcome;
        functions: SelfTime[];
        files: SelfTime[];
        all: SelfTime[];
        /** The same run with the recommended flag, to show what is left. */
        after?: { label: string; outcome: RunOutcome; all: SelfTime[]; functions: SelfTime[] };
    };
    serve?: { customer: string; seconds: number; results: ServeResult[] };
    cost?: CostStack[];
    errors: { section: string; message: string }[];
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const esc = (c: string) => c.replace(/\|/g, "\\|").replace(/\n/g, " ");
    const line = (cells: readonly string[]) => `| ${cells.map(esc).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}

const s1 = (ms: number) => (ms / 1000).toFixed(1);
const f0 = (n: number) => n.toFixed(0);

/** Wall/CPU/RSS of a run as measured from outside (GNU time) where available, else from the child itself. */
export function measures(o: RunOutcome): { wallS: number; cpuS: number; rssMiB: number } {
    const c = o.child!;
    return {
        wallS: o.wallMs / 1000,
        cpuS: o.time ? o.time.userS + o.time.systemS : (c.cpuUserMs + c.cpuSystemMs) / 1000,
        rssMiB: o.time ? o.time.maxRssKiB / 1024 : c.maxRssMiB,
    };
}

function customersOf(o: RunOutcome): number {
    return Object.keys(o.child?.perCustomer ?? {}).length;
}

function evalTable(rows: readonly EvalRow[]): string {
    return table(
        ["customers", "mode", "phase", "flags", "wall s", "CPU s", "peak RSS MiB", "eval s", "GC s", "resources", "per customer", "CPU ms / resource", "load avg", "note"],
        rows.map(({ run, outcome, skipped }) => {
            const head = [String(run.size), run.mode, run.phase, run.knobs.label];
            if (skipped) return [...head, "", "", "", "", "", "", "", "", "", `skipped: ${skipped}`];
            if (!outcome?.ok || !outcome.child) return [...head, "", "", "", "", "", "", "", "", outcome ? outcome.loadAvg.toFixed(1) : "", `FAILED: ${(outcome?.error ?? "").split("\n").find((l) => ERROR_LINE.test(l.trim())) ?? outcome?.error ?? ""}`];
            const m = measures(outcome);
            const c = outcome.child;
            const n = customersOf(outcome);
            const perCustomer = n ? (Object.values(c.perCustomer).reduce((a, b) => a + b, 0) / n).toFixed(2) : "";
            const msPerResource = ((m.cpuS * 1000) / c.resources).toFixed(2);
            return [...head, m.wallS.toFixed(1), m.cpuS.toFixed(1), f0(m.rssMiB), s1(c.evalMs), s1(c.gcMs), String(c.resources), perCustomer, msPerResource, outcome.loadAvg.toFixed(1), ""];
        }),
    );
}

function find(rows: readonly EvalRow[] | undefined, size: number, mode: string, phase: string, label: string): RunOutcome | undefined {
    const r = rows?.find((x) => x.run.size === size && x.run.mode === mode && x.run.phase === phase && x.run.knobs.label === label);
    return r?.outcome?.ok ? r.outcome : undefined;
}

function targets(d: BenchData): string {
    const rows: string[][] = [];
    const evalS = (o?: RunOutcome) => (o?.child ? o.child.evalMs / 1000 : undefined);
    const show = (x: number | undefined, unit: string) => (x === undefined ? "not measured" : `${x.toFixed(unit === "GiB" ? 2 : 1)} ${unit}`);
    const verdict = (x: number | undefined, limit: number) => (x === undefined ? "?" : x <= limit ? "met" : "missed");
    const rowsFor = (size: number, mode: string, label: string, limitS: number, what: string) => {
        const o = find(d.eval, size, mode, "update", label);
        rows.push([`${size.toLocaleString("en-US")} customers evaluated < ${limitS} s (${what})`, show(evalS(o), "s"), verdict(evalS(o), limitS)]);
        return o;
    };
    rowsFor(1000, "precompiled", "defaults", 5, "precompiled, defaults");
    rowsFor(1000, "precompiled", RECOMMENDED.label, 5, `precompiled, ${RECOMMENDED.label}`);
    rowsFor(1000, "precompiled+source-maps", "defaults", 5, "as `pulumi up` runs JavaScript: source maps on, defaults");
    rowsFor(1000, "precompiled+source-maps", RECOMMENDED.label, 5, `as \`pulumi up\` runs JavaScript, ${RECOMMENDED.label}`);
    const o5 = rowsFor(5000, "precompiled", BIG_HEAP.label, 20, `precompiled, ${BIG_HEAP.label}`);
    const rss = o5 ? measures(o5).rssMiB / 1024 : undefined;
    rows.push([`5,000 customers peak RSS < 1.5 GiB (precompiled, ${BIG_HEAP.label})`, show(rss, "GiB"), verdict(rss, 1.5)]);
    const capped = d.eval?.find((r) => r.run.size === 5000 && r.run.mode === "precompiled" && r.run.knobs.label === CAPPED_HEAP.label);
    if (capped?.outcome) {
        const o = capped.outcome;
        const oom = /heap out of memory|Reached heap limit/.test(o.error ?? "");
        rows.push([
            `5,000 customers within a 1.5 GiB heap (precompiled, ${CAPPED_HEAP.label})`,
            o.ok && o.child ? `finished: ${s1(o.child.evalMs)} s, ${f0(measures(o).rssMiB)} MiB peak RSS` : `${oom ? "JavaScript heap out of memory" : "failed"} after ${s1(o.wallMs)} s`,
            o.ok ? "met" : "missed",
        ]);
    }
    if (d.blast) {
        const outside = d.blast.scenarios.reduce((a, s) => a + s.outside.length, 0);
        rows.push([`zero blast radius outside the edited customer (${d.blast.size} customers)`, `${outside} resource(s) outside`, outside === 0 ? "met" : "missed"]);
    }
    const at1k = d.serve?.results.find((r) => r.targetRps === 1000);
    rows.push([
        "p99 < 5 ms at 1,000 rps per nginx pod (raw response times; see Serving)",
        at1k ? `${at1k.rawP99Ms.toFixed(2)} ms (autocannon's own, coordinated-omission-corrected: ${at1k.p99Ms} ms)` : "not measured",
        at1k ? (at1k.rawP99Ms < 5 ? "met" : "missed") : "?",
    ]);
    return table(["target", "measured", "verdict"], rows);
}

function stripSection(d: BenchData): string {
    const byConstruct = new Map<string, StripProblem[]>();
    for (const p of d.strip.problems) {
        const key = p.construct.startsWith("extensionless") ? "extensionless relative import" : p.construct;
        byConstruct.set(key, [...(byConstruct.get(key) ?? []), p]);
    }
    const lines: string[] = [];
    if (d.strip.runError) lines.push("The run (`node --experimental-strip-types bench/child.ts`) failed with:\n", "```", d.strip.runError, "```\n");
    else if (d.eval?.some((r) => r.run.mode === "strip-types" && r.outcome?.ok)) lines.push("The program ran under Node's type stripping.\n");
    if (d.strip.problems.length === 0) lines.push("Static check of the import graph from index.ts: no construct that strip-only mode refuses.\n");
    else {
        lines.push(`Static check of the import graph from index.ts and bench/child.ts (bench/strip-check.ts): ${d.strip.problems.length} blocker(s).\n`);
        const rows = [...byConstruct.entries()].map(([construct, ps]) => {
            const files = [...new Set(ps.map((p) => p.file))];
            const where = ps.length <= 4 ? ps.map((p) => `${p.file}:${p.line}`).join(", ") : `${files.length} files, e.g. ${ps.slice(0, 3).map((p) => `${p.file}:${p.line}`).join(", ")}`;
            return [construct, String(ps.length), where];
        });
        lines.push(table(["construct", "count", "where"], rows));
    }
    return lines.join("\n");
}

const PROFILE_GROUPS: [string, (label: string) => boolean][] = [
    ["garbage collector", (l) => l === "(garbage collector)"],
    ["stack traces (@pulumi/pulumi runtime/debuggable.js + node:internal/errors)", (l) => l.endsWith("runtime/debuggable.js") || l === "node:internal/errors"],
    ["protobuf (google-protobuf, @pulumi/pulumi/proto)", (l) => l.startsWith("google-protobuf/") || l.startsWith("@pulumi/pulumi/proto/")],
    ["other @pulumi/* SDK code", (l) => l.startsWith("@pulumi/") && !l.endsWith("runtime/debuggable.js") && !l.startsWith("@pulumi/pulumi/proto/")],
    ["microtask queue (runMicrotasks)", (l) => l === "runMicrotasks"],
    ["module loading (node:internal/modules, wrapSafe)", (l) => l.startsWith("node:internal/modules") || l === "wrapSafe"],
    ["the program itself (components/, stacks/, infra/, program.js, tests/harness)", (l) => /^(components|stacks|infra|tests|program\.js|index\.js)/.test(l)],
];

function profileSection(p: NonNullable<BenchData["profile"]>): string {
    const pct = (x: SelfTime) => `${(x.share * 100).toFixed(1)}%`;
    const sum = (all: readonly SelfTime[], pred: (label: string) => boolean) =>
        all.filter((x) => pred(x.label)).reduce((a, x) => ({ ms: a.ms + x.ms, share: a.share + x.share }), { ms: 0, share: 0 });
    const total = (all: readonly SelfTime[]) => all.reduce((a, x) => a + x.ms, 0);
    const cell = (all: readonly SelfTime[], pred: (label: string) => boolean) => {
        const g = sum(all, pred);
        return `${f0(g.ms)} ms (${(g.share * 100).toFixed(1)}%)`;
    };
    const after = p.after;
    return [
        `\`node --cpu-prof\` of the precompiled update run at ${p.size} customers: with default flags (${s1(p.outcome.wallMs)} s wall under the profiler)` +
            (after ? ` and with \`${after.label}\` (${s1(after.outcome.wallMs)} s).\n` : ".\n"),
        "Where self time goes, grouped:\n",
        table(
            ["group", "defaults", ...(after ? [after.label] : [])],
            [
                ...PROFILE_GROUPS.map(([g, pred]) => [g, cell(p.all, pred), ...(after ? [cell(after.all, pred)] : [])]),
                ["all samples", `${f0(total(p.all))} ms`, ...(after ? [`${f0(total(after.all))} ms`] : [])],
            ],
        ),
        "Top functions by self time (defaults):\n",
        table(["self ms", "share", "function (file:line)"], p.functions.map((x) => [f0(x.ms), pct(x), x.label])),
        ...(after ? [`Top functions by self time (${after.label}):\n`, table(["self ms", "share", "function (file:line)"], after.functions.slice(0, 10).map((x) => [f0(x.ms), pct(x), x.label]))] : []),
        "Top files by self time (defaults):\n",
        table(["self ms", "share", "file"], p.files.map((x) => [f0(x.ms), pct(x), x.label])),
    ].join("\n");
}

function costSection(cost: readonly CostStack[]): string {
    const out: string[] = [];
    out.push(
        "Requests are per customer at steady state (HPA minimum where a tier autoscales; the worst case at the HPA maximum in brackets). " +
            "Node capacity: allocatable = capacity - EKS kube-reserved (CPU 6% of core 1 + 1% of core 2; memory 255 MiB + 11 MiB x max-pods) - 100 MiB eviction threshold, " +
            "minus the aws-node and kube-proxy DaemonSet pods (2 pod slots, 125m CPU). max-pods: VPC CNI secondary IPs = ENIs x (IPv4 per ENI - 1) + 2 " +
            "(t3.medium 17, m6i.large 29), or 110 with prefix delegation. Cluster-wide pods (CoreDNS, the ingress controller) are not in these per-node numbers.\n",
    );
    for (const c of cost) {
        const tiers = c.demands.map((d) => d.tier);
        out.push(`### Stack ${c.stack}\n`);
        out.push(
            table(
                ["tier", "resources / customer (run)", "pods", "CPU request", "memory request"],
                c.demands.map((d) => [
                    d.tier,
                    String(c.resourcesPerTier[d.tier] ?? "?"),
                    d.pods === d.podsMax ? String(d.pods) : `${d.pods} (${d.podsMax})`,
                    d.cpuMilli === d.cpuMilliMax ? `${f0(d.cpuMilli)}m` : `${f0(d.cpuMilli)}m (${f0(d.cpuMilliMax)}m)`,
                    d.memoryMiB === d.memoryMiBMax ? `${f0(d.memoryMiB)} MiB` : `${f0(d.memoryMiB)} MiB (${f0(d.memoryMiBMax)} MiB)`,
                ]),
            ),
        );
        if (c.platformResources !== undefined) out.push(`Platform resources (not per customer) in the run: ${c.platformResources}.\n`);
        if (!c.instanceTypesNamed) out.push("This stack names no node instance type (kubernetes.mode existing); the table shows the types the EKS stacks use.\n");
        if (c.unknownTypes.length) out.push(`Instance types without data in bench/cost.ts: ${c.unknownTypes.join(", ")}.\n`);
        if (c.fits.length) {
            out.push(
                table(
                    ["node", "max pods", "allocatable CPU / memory", ...tiers.map((t) => `${t} customers/node`), "blended customers/node (60/30/10)", ...(c.nodeGroup ? [`customers at node group max (${c.nodeGroup.max} nodes)`] : [])],
                    c.fits.map((f) => [
                        f.node.type,
                        String(f.node.maxPods),
                        `${f0(f.node.allocatableCpuMilli)}m / ${f0(f.node.allocatableMemoryMiB)} MiB`,
                        ...tiers.map((t) => `${f.perTier[t].customers} (${f.perTier[t].bound})`),
                        `${f.blended.customers} (${f.blended.bound})`,
                        ...(c.nodeGroup ? [String(f.blended.customers * c.nodeGroup.max)] : []),
                    ]),
                ),
            );
        }
    }
    return out.join("\n");
}

export function renderReport(d: BenchData, notes: string): string {
    const parts: string[] = [];
    const o = d.options;
    parts.push(
        "# Benchmarks\n",
        "<!-- Generated by `npm run bench` (bench/index.ts). Edit bench/findings.md for the hand-written part; the rest is regenerated. -->\n",
        `Run: ${d.startedAt} to ${d.finishedAt}. Command: \`npm run bench\` (sizes ${o.sizes.join(", ")}; stack ${o.stack}; sections ${o.sections.join(", ")}).\n`,
        table(
            ["machine", ""],
            [
                ["CPU", `${d.machine.nproc} x ${d.machine.cpuModel}`],
                ["memory", `${d.machine.memoryGiB.toFixed(1)} GiB`],
                ["kernel", d.machine.kernel],
                ["load average (1 min) at start / end", `${d.loadAvgStart[0].toFixed(2)} / ${d.loadAvgEnd?.[0].toFixed(2) ?? "?"}`],
                ...Object.entries(d.versions).map(([k, v]) => [k, v]),
            ],
        ),
        "Other engineers share this machine; every row records the 1-minute load average when it started. With a load above " +
            `${d.machine.nproc}, wall time overstates the program's cost and CPU time is the better comparison.\n`,
    );
    if (d.errors.length) parts.push("## Sections that failed\n", table(["section", "error"], d.errors.map((e) => [e.section, e.message.split("\n")[0]])));
    parts.push("## Targets\n", targets(d));
    if (notes.trim()) parts.push(notes.trim() + "\n");
    if (d.eval) {
        parts.push(
            "## Evaluation: customers x run mode\n",
            "Each row is a fresh process: the child (bench/child.ts) runs the real program.ts through tests/harness/run-stack.ts under Pulumi's mock engine for a directory of synthetic, schema-valid customers (bench/customers.ts, tiers 60/30/10). " +
                "wall = whole process (boot, TypeScript loading, evaluation); CPU s and peak RSS from `/usr/bin/time -v` (getrusage of the child; the child's own process.resourceUsage() where GNU time is not installed); eval s = runStack alone (includes loading program modules); GC s from perf_hooks gc entries.\n",
            table(["mode", "how it runs"], MODES.map((m) => [m.name, m.description])),
            d.pulumiNodeargs
                ? `Pulumi.yaml sets \`runtime.options.nodeargs: "${d.pulumiNodeargs}"\`, so \`pulumi up\` runs the program like the rows with those flags; rows labelled "defaults" show Node without them.\n`
                : "Pulumi.yaml sets no `runtime.options.nodeargs`: `pulumi up` runs the program like the rows labelled \"defaults\".\n",
        );
        if (d.compile) parts.push(`Precompiling (\`tsc -p bench/tsconfig.json --outDir <tmp>\`) took ${s1(d.compile.ms)} s${d.compile.diagnostics.length ? ` and reported ${d.compile.diagnostics.length} type error(s) (emitted anyway), first: \`${d.compile.diagnostics[0]}\`` : ""}.\n`);
        parts.push(evalTable(d.eval));
        parts.push("### Node's type stripping\n", stripSection(d));
    }
    if (d.knobs?.length) {
        const base = d.knobs.find((k) => k.run.knobs.label === "defaults")?.outcome;
        const b = base?.ok ? measures(base) : undefined;
        parts.push(
            `## Node and SDK knobs (precompiled, update, ${d.knobs[0].run.size} customers)\n`,
            "@pulumi/pulumi captures `new Error().stack` for every promise it tracks (runtime/debuggable.js `debuggablePromise`, unconditionally: PULUMI_DEBUG_PROMISE_LEAKS only changes what is printed for leaks at exit), and `excessiveDebugOutput` in runtime/settings.js is a hard-coded `false` that only adds log text. " +
                "`--stack-trace-limit=0` makes that capture nearly free; Resource.callsites() still raises the limit to Infinity for its own one trace per resource, so source positions of resources are kept.\n",
            table(
                ["flags / env", "wall s", "CPU s", "peak RSS MiB", "eval s", "GC s", "GC count", "CPU vs defaults"],
                d.knobs.map(({ run, outcome }) => {
                    if (!outcome?.ok || !outcome.child) return [run.knobs.label, "", "", "", "", "", "", `FAILED: ${(outcome?.error ?? "").split("\n")[0]}`];
                    const m = measures(outcome);
                    return [run.knobs.label, m.wallS.toFixed(1), m.cpuS.toFixed(1), f0(m.rssMiB), s1(outcome.child.evalMs), s1(outcome.child.gcMs), String(outcome.child.gcCount), b ? `${((m.cpuS / b.cpuS - 1) * 100).toFixed(0)}%` : ""];
                }),
            ),
        );
    }
    if (d.profile) parts.push("## What dominates evaluation time\n", profileSection(d.profile));
    if (d.blast) {
        parts.push(
            `## Blast radius (${d.blast.size} customers, stack ${o.stack})\n`,
            "Inputs of every resource compared as canonical JSON by URN between the base run and a run with one record edited. Only the edited customer's resources may differ.\n",
            table(
                ["edit", "customer", "added", "removed", "inputs changed", "outside that customer", "examples"],
                d.blast.scenarios.map((s) => [
                    s.name,
                    s.customer,
                    String(s.added.length),
                    String(s.removed.length),
                    String(s.changed.length),
                    String(s.outside.length),
                    (s.outside.length ? s.outside : [...s.changed, ...s.added, ...s.removed]).slice(0, 3).map((u) => u.slice(u.lastIndexOf("::") + 2)).join(", "),
                ]),
            ),
        );
    }
    if (d.serve) {
        parts.push(
            "## Serving: one customer's nginx\n",
            `Debian ${d.versions.nginx} with customer ${d.serve.customer}'s rendered nginx.conf and page (tests/harness/realparts/nginx.ts startNginx: worker_processes 1, access log on), autocannon ${d.versions.autocannon} in the same machine on 127.0.0.1, ${d.serve.seconds} s per rate with \`overallRate\`. ` +
                "The raw columns are percentiles over every response time autocannon reported (sub-millisecond) and are what the target is judged on. " +
                "autocannon's own percentiles are whole milliseconds and, at a fixed rate, 'corrected for coordinated omission' with an expected interval of ceil(1 / per-connection rate) = 1 ms (lib/run.js), " +
                "which adds a synthetic sample for every millisecond of each slower response and so overstates the tail. The load generator shares the 2 cores with nginx.\n",
            table(
                ["target rps", "connections", "achieved rps", "p50 ms (raw)", "p99 ms (raw)", "p50 / p99 ms (autocannon)", "requests", "errors", "non-2xx", "timeouts", "worker RSS KiB (max)"],
                d.serve.results.map((r) => [
                    String(r.targetRps),
                    String(r.connections),
                    f0(r.achievedRps),
                    r.rawP50Ms.toFixed(2),
                    r.rawP99Ms.toFixed(2),
                    `${r.p50Ms} / ${r.p99Ms}`,
                    String(r.requests),
                    String(r.errors),
                    String(r.non2xx),
                    String(r.timeouts),
                    `${r.workerRssKiB} (${r.workerRssMaxKiB})`,
                ]),
            ),
        );
    }
    if (d.cost) parts.push("## Cost model\n", costSection(d.cost));
    return parts.join("\n");
}

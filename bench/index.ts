// `npm run bench`: issue 7. Measures how the real program scales with customers under Pulumi's mock engine (one fresh
// process per measurement, in every way the program can be run), its blast radius, one pod's serving cost and the
// cluster cost per customer, and writes docs/BENCHMARKS.md. Flags: bench/args.ts (`--quick`, `--sizes`).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { parseArgs, type BenchOptions } from "./args";
import { blastRadius, outsideCustomer, parseDump } from "./blast";
import { compileProgram, type CompileResult } from "./compile";
import { INSTANCE_TYPES, PREFIX_DELEGATION_MAX_PODS, blendedDemand, customersPerNode, nodeCapacity, tierDemand } from "./cost";
import { TIER_MIX, recordText, syntheticCustomer, syntheticCustomers, syntheticId, tierFor, writeCustomers } from "./customers";
import { DEFAULT_KNOBS, runChild, type Knobs, type Layout, type RunOutcome } from "./modes";
import { evalPlan, KNOB_VARIANTS, LARGE, predictSeconds, RECOMMENDED, type PlannedRun } from "./plan";
import { topFiles, topFunctions, type CpuProfile } from "./profile";
import { renderReport, type BenchData, type BlastScenario, type CostStack, type EvalRow } from "./report";
import { benchServing } from "./serve";
import { stripTypesProblems } from "./strip-check";
import { TIERS, type Tier } from "../components/model/customer";
import { decodeConfig, parseStackSettings } from "../stacks/load";
import { readStackConfig } from "../tests/harness/stack-config";
import { PROJECT_ROOT } from "../components/model/project";
import { ENGINE_END, ENGINE_START, withEngineSection } from "./engine";



function log(msg: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function version(pkg: string): string {
    try {
        return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
    } catch {
        return "not installed";
    }
}

function nginxVersion(): string {
    // nginx -v prints to stderr.
    const res = spawnSync("/usr/sbin/nginx", ["-v"], { encoding: "utf8" });
    if (res.error) return "not installed (/usr/sbin/nginx)";
    return `${res.stdout}${res.stderr}`.trim().replace(/^nginx version: /, "") || "unknown";
}

function machine(): BenchData["machine"] {
    const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
    return {
        nproc: os.availableParallelism(),
        memoryGiB: os.totalmem() / 1024 ** 3,
        cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
        kernel: os.release(),
    };
}

/** runtime.options.nodeargs of Pulumi.yaml: the Node flags `pulumi up` runs this program with. */
function pulumiNodeargs(): string | undefined {
    try {
        const doc = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { runtime?: { options?: { nodeargs?: string } } };
        return doc.runtime?.options?.nodeargs?.trim() || undefined;
    } catch {
        return undefined;
    }
}

/** Tier of a synthetic customer id (bench-000123 → tierFor(123)). */
function tierOfId(id: string): Tier | undefined {
    const m = /^bench-(\d+)$/.exec(id);
    return m ? tierFor(Number(m[1])) : undefined;
}

/** Resources per customer, by tier, from a run's per-customer counts. */
export function perTier(perCustomer: Record<string, number>): Partial<Record<Tier, number>> {
    const out: Partial<Record<Tier, number>> = {};
    for (const [id, n] of Object.entries(perCustomer)) {
        const tier = tierOfId(id);
        if (!tier) continue;
        if (out[tier] !== undefined && out[tier] !== n) out[tier] = Math.max(out[tier]!, n);
        else out[tier] = n;
    }
    return out;
}

class Bench {
    readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-"));
    layout: Layout = { projectRoot: PROJECT_ROOT };
    readonly started = Date.now();
    /** Inputs dump of the matrix's precompiled, update, --stack-trace-limit=0 run at blastSize: the blast-radius base. */
    readonly baseDump = path.join(this.tmp, "inputs-base.jsonl");
    private dirs = new Map<number, string>();
    private done: { run: PlannedRun; wallS: number; evalS: number }[] = [];

    constructor(readonly opts: BenchOptions) {}

    customersDir(size: number): string {
        let dir = this.dirs.get(size);
        if (!dir) {
            dir = path.join(this.tmp, `customers-${size}`);
            writeCustomers(dir, syntheticCustomers(size));
            this.dirs.set(size, dir);
        }
        return dir;
    }

    compile(): CompileResult {
        const out = path.join(this.tmp, "js");
        log(`compiling with bench/tsconfig.json into ${out}`);
        const res = compileProgram(PROJECT_ROOT, out);
        this.layout = { ...this.layout, compiledRoot: res.outDir };
        log(`tsc: ${(res.ms / 1000).toFixed(1)} s, ${res.diagnostics.length} diagnostic(s)`);
        return res;
    }

    async run(run: PlannedRun, extra: { dumpInputs?: string; extraFlags?: string[]; customersDir?: string; stack?: string } = {}): Promise<RunOutcome> {
        const outcome = await runChild(
            {
                mode: run.mode,
                knobs: run.knobs,
                request: {
                    stack: extra.stack ?? this.opts.stack,
                    customersDir: extra.customersDir ?? this.customersDir(run.size),
                    preview: run.phase === "preview",
                    dumpInputs: extra.dumpInputs,
                },
                extraFlags: extra.extraFlags,
                timeoutMs: this.opts.maxRunSeconds * 2000,
            },
            this.layout,
        );
        const what = `${run.mode} ${run.size} ${run.phase} [${run.knobs.label}]`;
        if (outcome.ok && outcome.child) {
            const c = outcome.child;
            log(`${what}: wall ${(outcome.wallMs / 1000).toFixed(1)} s, eval ${(c.evalMs / 1000).toFixed(1)} s, cpu ${((c.cpuUserMs + c.cpuSystemMs) / 1000).toFixed(1)} s, rss ${c.maxRssMiB.toFixed(0)} MiB, ${c.resources} resources`);
        } else log(`${what}: FAILED ${outcome.error?.split("\n")[0]}`);
        return outcome;
    }

    /**
     * Runs the matrix rows for the given sizes. A row above LARGE customers is skipped (and reported so) when its
     * predicted time exceeds --max-run-seconds or what is left of --budget-seconds after `reserveS`.
     */
    async evalMatrix(sizes: (size: number) => boolean, reserveS = 0): Promise<EvalRow[]> {
        const rows: EvalRow[] = [];
        for (const run of evalPlan(this.opts.sizes).filter((r) => sizes(r.size))) {
            if (run.mode !== "ts-node" && run.mode !== "ts-node-transpile-only" && run.mode !== "strip-types" && !this.layout.compiledRoot) {
                rows.push({ run, skipped: "no compiled tree (tsc failed)" });
                continue;
            }
            const predicted = predictSeconds(run, this.done);
            const left = this.opts.budgetSeconds - (Date.now() - this.started) / 1000 - reserveS;
            const what = `${run.mode} ${run.size} ${run.phase} [${run.knobs.label}]`;
            // Sizes up to LARGE are capped by the plan itself; a 10-customer run is all fixed cost and predicts nothing.
            if (run.size > LARGE && predicted !== undefined && predicted > this.opts.maxRunSeconds) {
                rows.push({ run, skipped: `predicted ${predicted.toFixed(0)} s (from the smaller run) > --max-run-seconds ${this.opts.maxRunSeconds}` });
                log(`${what}: skipped, predicted ${predicted.toFixed(0)} s`);
                continue;
            }
            if (run.size > LARGE && (predicted ?? Infinity) > left) {
                rows.push({ run, skipped: `predicted ${predicted?.toFixed(0) ?? "?"} s, ${Math.max(0, left).toFixed(0)} s left of --budget-seconds ${this.opts.budgetSeconds}` });
                log(`${what}: skipped, predicted ${predicted?.toFixed(0) ?? "?"} s > ${left.toFixed(0)} s left`);
                continue;
            }
            const isBase = run.mode === "precompiled" && run.size === this.opts.blastSize && run.phase === "update" && run.knobs.label === RECOMMENDED.label;
            const outcome = await this.run(run, isBase ? { dumpInputs: this.baseDump } : {});
            rows.push({ run, outcome });
            if (outcome.ok && outcome.child) this.done.push({ run, wallS: outcome.wallMs / 1000, evalS: outcome.child.evalMs / 1000 });
        }
        return rows;
    }

    async knobs(size: number): Promise<EvalRow[]> {
        const rows: EvalRow[] = [];
        for (const knobs of KNOB_VARIANTS) {
            const run: PlannedRun = { mode: "precompiled", size, phase: "update", knobs };
            rows.push({ run, outcome: await this.run(run) });
        }
        return rows;
    }

    /** Base run plus three one-customer edits at `size` customers; every resource whose inputs differ, by URN. */
    async blast(size: number): Promise<BlastScenario[]> {
        const base = syntheticCustomers(size);
        const added = syntheticCustomer(size);
        const changedIdx = Math.floor(size / 2);
        const removedIdx = Math.floor(size / 4);
        const variants: { name: string; customer: string; edit: (dir: string) => void }[] = [
            { name: "add one customer", customer: added.id, edit: (dir) => writeCustomers(dir, [added]) },
            {
                name: "change one motto",
                customer: syntheticId(changedIdx),
                edit: (dir) => {
                    const c = { ...base[changedIdx], motto: `${base[changedIdx].motto} (changed)` };
                    fs.writeFileSync(path.join(dir, `${c.id}.yaml`), recordText(c));
                },
            },
            { name: "remove one customer", customer: syntheticId(removedIdx), edit: (dir) => fs.rmSync(path.join(dir, `${syntheticId(removedIdx)}.yaml`)) },
        ];
        const mode = this.layout.compiledRoot ? "precompiled" : "ts-node-transpile-only";
        const runOnce = async (dir: string, label: string) => {
            const dump = path.join(this.tmp, `inputs-${label.replace(/\W+/g, "-")}.jsonl`);
            const outcome = await this.run({ mode, size, phase: "update", knobs: RECOMMENDED }, { dumpInputs: dump, customersDir: dir });
            if (!outcome.ok) throw new Error(`blast radius: ${label} run failed: ${outcome.error}`);
            return parseDump(fs.readFileSync(dump, "utf8"));
        };
        const before = fs.existsSync(this.baseDump) ? parseDump(fs.readFileSync(this.baseDump, "utf8")) : await runOnce(this.customersDir(size), "base");
        const out: BlastScenario[] = [];
        for (const v of variants) {
            const dir = path.join(this.tmp, `blast-${v.name.replace(/\W+/g, "-")}`);
            fs.cpSync(this.customersDir(size), dir, { recursive: true });
            v.edit(dir);
            const after = await runOnce(dir, v.name);
            const radius = blastRadius(before, after);
            out.push({ name: v.name, customer: v.customer, ...radius, outside: outsideCustomer(radius, v.customer, before, after) });
        }
        return out;
    }

    /** CPU profiles of the precompiled update run at `size`: with default flags, then with the recommended flag. */
    async profile(size: number): Promise<BenchData["profile"]> {
        const compiledRoot = this.layout.compiledRoot;
        if (!compiledRoot) throw new Error("profile needs the compiled tree (tsc failed)");
        const one = async (knobs: Knobs, dirName: string) => {
            const dir = path.join(this.tmp, dirName);
            fs.mkdirSync(dir, { recursive: true });
            const outcome = await this.run(
                { mode: "precompiled", size, phase: "update", knobs: { ...knobs, label: `${knobs.label} + --cpu-prof` } },
                { extraFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`] },
            );
            if (!outcome.ok) throw new Error(`profile run (${knobs.label}) failed: ${outcome.error}`);
            const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
            if (!file) throw new Error(`--cpu-prof wrote no .cpuprofile into ${dir}`);
            const prof = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
            const roots = [compiledRoot, PROJECT_ROOT];
            return { outcome, functions: topFunctions(prof, 20, roots), files: topFiles(prof, 15, roots), all: topFiles(prof, 10_000, roots) };
        };
        const base = await one(DEFAULT_KNOBS, "cpu-prof-defaults");
        const after = await one(RECOMMENDED, "cpu-prof-recommended");
        return { size, ...base, after: { label: RECOMMENDED.label, ...after } };
    }

    /** Per stack: settings through the program's own loader, resources per tier from a small run, node fit. */
    async cost(evalRows: readonly EvalRow[]): Promise<CostStack[]> {
        const stacks = fs
            .readdirSync(PROJECT_ROOT)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => !!s)
            .sort();
        const out: CostStack[] = [];
        for (const stack of stacks) {
            const settings = parseStackSettings(stack, decodeConfig(readStackConfig(PROJECT_ROOT, stack)));
            const fromMatrix = stack === this.opts.stack ? evalRows.find((r) => r.outcome?.ok && r.run.size >= 10)?.outcome : undefined;
            const outcome =
                fromMatrix ??
                (await this.run({ mode: this.layout.compiledRoot ? "precompiled" : "ts-node-transpile-only", size: 10, phase: "update", knobs: RECOMMENDED }, { stack }));
            const demands = TIERS.map((t) => tierDemand(t, settings.tierSizes[t]));
            const k8s = settings.kubernetes as { mode: string; nodeGroup?: { instanceTypes: string[]; maxSize: number; desiredSize: number } };
            const named = k8s.nodeGroup?.instanceTypes ?? [];
            const types = named.length > 0 ? named : Object.keys(INSTANCE_TYPES);
            const nodes = types.flatMap((type) =>
                INSTANCE_TYPES[type] ? [nodeCapacity(type), nodeCapacity(type, PREFIX_DELEGATION_MAX_PODS)] : [],
            );
            out.push({
                stack,
                instanceTypesNamed: named.length > 0,
                nodeGroup: k8s.nodeGroup ? { desired: k8s.nodeGroup.desiredSize, max: k8s.nodeGroup.maxSize } : undefined,
                resourcesPerTier: outcome.ok && outcome.child ? perTier(outcome.child.perCustomer) : {},
                platformResources: outcome.ok && outcome.child ? outcome.child.resources - Object.values(outcome.child.perCustomer).reduce((a, b) => a + b, 0) : undefined,
                demands,
                fits: nodes.map((node) => ({
                    node,
                    perTier: Object.fromEntries(demands.map((d) => [d.tier, customersPerNode(node, d)])) as Record<Tier, ReturnType<typeof customersPerNode>>,
                    blended: customersPerNode(node, blendedDemand(demands, TIER_MIX)),
                })),
                unknownTypes: types.filter((t) => !INSTANCE_TYPES[t]),
            });
        }
        return out;
    }
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const started = new Date();
    const bench = new Bench(opts);
    log(`sizes ${opts.sizes.join(", ")}; stack ${opts.stack}; sections ${opts.sections.join(", ")}; temp ${bench.tmp}`);
    const data: BenchData = {
        startedAt: started.toISOString(),
        finishedAt: "",
        options: opts,
        machine: machine(),
        loadAvgStart: os.loadavg(),
        versions: {
            node: process.versions.node,
            "@pulumi/pulumi": version("@pulumi/pulumi"),
            "@pulumi/kubernetes": version("@pulumi/kubernetes"),
            "@pulumi/aws": version("@pulumi/aws"),
            "ts-node": version("ts-node"),
            typescript: version("typescript"),
            autocannon: version("autocannon"),
            nginx: nginxVersion(),
        },
        strip: { problems: stripTypesProblems(PROJECT_ROOT, ["index.ts", "bench/child.ts"]) },
        pulumiNodeargs: pulumiNodeargs(),
        errors: [],
    };
    const attempt = async <T>(section: string, fn: () => Promise<T> | T): Promise<T | undefined> => {
        try {
            return await fn();
        } catch (e) {
            const msg = (e as Error).message ?? String(e);
            log(`${section} FAILED: ${msg}`);
            data.errors.push({ section, message: msg });
            return undefined;
        }
    };
    const needsJs = opts.sections.some((s) => s !== "serve");
    if (needsJs) data.compile = await attempt("compile", () => bench.compile());
    // Up to LARGE customers first; the larger sizes run last, in whatever time the budget leaves.
    if (opts.sections.includes("eval")) data.eval = await attempt("eval", () => bench.evalMatrix((n) => n <= LARGE));
    const stripRow = data.eval?.find((r) => r.run.mode === "strip-types");
    if (stripRow?.outcome && !stripRow.outcome.ok) data.strip.runError = stripRow.outcome.error;
    const knobSize = opts.sizes.includes(opts.blastSize) ? opts.blastSize : opts.sizes.filter((n) => n <= LARGE).pop() ?? opts.sizes[0];
    if (opts.sections.includes("knobs")) {
        const reference = (data.eval ?? []).filter((r) => r.run.mode === "precompiled" && r.run.size === knobSize && r.run.phase === "update");
        data.knobs = await attempt("knobs", async () => [...reference, ...(await bench.knobs(knobSize))]);
    }
    if (opts.sections.includes("blast")) data.blast = await attempt("blast", async () => ({ size: opts.blastSize, scenarios: await bench.blast(opts.blastSize) }));
    if (opts.sections.includes("profile")) data.profile = await attempt("profile", () => bench.profile(opts.blastSize));
    if (opts.sections.includes("serve")) {
        data.serve = await attempt("serve", async () => ({
            customer: syntheticCustomer(0).id,
            seconds: opts.serveSeconds,
            results: await benchServing(syntheticCustomer(0), opts.serveRates, opts.serveSeconds),
        }));
    }
    if (opts.sections.includes("cost")) data.cost = await attempt("cost", () => bench.cost(data.eval ?? []));
    if (opts.sections.includes("eval") && opts.sizes.some((n) => n > LARGE)) {
        const large = await attempt("eval (large sizes)", () => bench.evalMatrix((n) => n > LARGE, 20));
        data.eval = [...(data.eval ?? []), ...(large ?? [])];
    }
    data.finishedAt = new Date().toISOString();
    data.loadAvgEnd = os.loadavg();
    const notesFile = path.join(__dirname, "findings.md");
    const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, "utf8") : "";
    const out = path.resolve(PROJECT_ROOT, opts.out);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // The real-engine section (npm run bench:engine) is measured on its own: a full run keeps it as it is.
    const previous = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    const engine = previous.includes(ENGINE_START) ? previous.slice(previous.indexOf(ENGINE_START), previous.indexOf(ENGINE_END) + ENGINE_END.length) : "";
    fs.writeFileSync(out, engine ? withEngineSection(renderReport(data, notes), engine + "\n") : renderReport(data, notes));
    const raw = path.join(bench.tmp, "bench-results.json");
    fs.writeFileSync(raw, JSON.stringify(data, null, 2));
    log(`wrote ${path.relative(process.cwd(), out) || out} (raw results: ${raw}) in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
    for (const dir of fs.readdirSync(bench.tmp)) {
        if (dir.startsWith("customers-") || dir.startsWith("blast-") || dir.startsWith("inputs-")) fs.rmSync(path.join(bench.tmp, dir), { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}

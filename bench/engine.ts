// `npm run bench:engine -- [--sizes 10,50,100,200] [--skip-checkpoints-at 50] [--profile-at 50] [--merge]`: the
// program under the REAL Pulumi
// engine (CLI and Kubernetes provider built here, file backend) on the embedded cluster (kwok nodes), per size:
// `up` from empty, a no-change `up`, adding one customer, `destroy`; wall time, resources per second, peak RSS and CPU
// of the CLI and of the provider, state file size; beside the mock-engine evaluation (npm run render) of the same
// customers. Writes its section of docs/BENCHMARKS.md (between the engine markers) and the raw JSON next to it.
// --merge keeps the rows of sizes not run now from the raw JSON (each row carries its own date and load), so a long
// size (200 customers takes about an hour) can be added on its own. --profile-at N runs one more `up` from empty at N
// customers with the CLI's own Go profiler (`pulumi --profiling`) and reports where the CLI's CPU goes (go tool pprof).
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/model/project";
import { ensureSandboxCluster, stopSandboxCluster } from "../tests/harness/realparts/sandbox-cluster";
import { engineBinaries, openSandboxStack, sandboxPaths } from "../scripts/sandbox/engine";
import { syntheticCustomer, syntheticCustomers, writeCustomers } from "./customers";

export const ENGINE_START = "<!-- engine:start -->";
export const ENGINE_END = "<!-- engine:end -->";

interface ProcSample {
    peakRssMiB: number;
    cpuSeconds: number;
}

export interface Measured {
    wallSeconds: number;
    resources: number;
    cli: ProcSample;
    provider: ProcSample;
    nodeRssMiB: number;
}

export interface EngineRow {
    customers: number;
    mockRenderSeconds: number;
    upFromEmpty: Measured;
    noChangeUp: Measured;
    addOne: Measured;
    destroy: Measured;
    stateBytes: number;
    upFromEmptySkipCheckpoints?: Measured;
    /** When this row was measured, and the load average just before. */
    measuredOn?: string;
    loadBefore?: string;
}

/** The CLI's CPU profile of one `up` from empty: the functions with the largest cumulative share. */
export interface CliProfile {
    customers: number;
    measuredOn: string;
    wallSeconds: number;
    cpuSeconds: number;
    /** [function, cumulative seconds, share of the profile] */
    top: [string, number, number][];
}

const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Every process whose executable's base name is `name`, with its RSS and CPU so far. */
function processes(name: string): { pid: number; rssMiB: number; cpuSeconds: number }[] {
    const out: { pid: number; rssMiB: number; cpuSeconds: number }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")[0];
            if (path.basename(cmd) !== name) continue;
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
            const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"));
            out.push({ pid: Number(entry), rssMiB: rss ? Number(rss[1]) / 1024 : 0, cpuSeconds: cpu });
        } catch {
            // gone meanwhile
        }
    }
    return out;
}

/** Samples the CLI's and the provider's RSS and CPU every 200 ms while `run` goes on. */
export async function measure(run: () => Promise<number>): Promise<Measured> {
    const peak = { cli: 0, provider: 0, node: 0 };
    const cpu = { cli: new Map<number, number>(), provider: new Map<number, number>() };
    const sample = () => {
        for (const [key, name] of [["cli", "pulumi"], ["provider", "pulumi-resource-kubernetes"]] as const) {
            for (const p of processes(name)) {
                peak[key] = Math.max(peak[key], p.rssMiB);
                cpu[key].set(p.pid, p.cpuSeconds);
            }
        }
        peak.node = Math.max(peak.node, process.memoryUsage().rss / 1024 / 1024);
    };
    const timer = setInterval(sample, 200);
    const started = process.hrtime.bigint();
    let resources = 0;
    try {
        resources = await run();
    } finally {
        clearInterval(timer);
    }
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
        wallSeconds,
        resources,
        cli: { peakRssMiB: peak.cli, cpuSeconds: total(cpu.cli) },
        provider: { peakRssMiB: peak.provider, cpuSeconds: total(cpu.provider) },
        nodeRssMiB: peak.node,
    };
}

interface BenchArgs {
    sizes: number[];
    skipCheckpointsAt?: number;
    profileAt?: number;
    merge: boolean;
    out: string;
}

export function parseArgs(argv: string[]): BenchArgs {
    const opts: BenchArgs = { sizes: [10, 50, 100], out: "docs/BENCHMARKS.md", merge: false };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--sizes") opts.sizes = argv[++i] === "none" ? [] : argv[i].split(",").map(Number);
        else if (argv[i] === "--skip-checkpoints-at") opts.skipCheckpointsAt = Number(argv[++i]);
        else if (argv[i] === "--profile-at") opts.profileAt = Number(argv[++i]);
        else if (argv[i] === "--merge") opts.merge = true;
        else if (argv[i] === "--out") opts.out = argv[++i];
        else throw new Error(`unknown argument ${argv[i]} (use --sizes 10,50,100|none [--skip-checkpoints-at 50] [--profile-at 50] [--merge] [--out docs/BENCHMARKS.md])`);
    }
    if (opts.profileAt !== undefined && !(Number.isInteger(opts.profileAt) && opts.profileAt > 0)) throw new Error("--profile-at: a positive whole number");
    if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes: positive whole numbers");
    return opts;
}

const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

async function benchSize(n: number, root: string, skipCheckpoints: boolean): Promise<EngineRow> {
    const bins = engineBinaries();
    const paths = sandboxPaths(path.join(root, `n${n}${skipCheckpoints ? "-nockpt" : ""}`));
    const { cluster } = await ensureSandboxCluster({ dir: path.join(root, "cluster"), kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" });
    const dir = path.join(paths.root, "customers");
    writeCustomers(dir, syntheticCustomers(n));
    if (skipCheckpoints) process.env.PULUMI_SKIP_CHECKPOINTS = "true";
    try {
        const stack = await openSandboxStack({ paths, bins, cluster, config: { customersDir: dir, customerBatchSize: 0 } });
        const render = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/render.ts", "--stack", "sandbox", "--customers-dir", dir, "--out", path.join(paths.root, "render")], { cwd: PROJECT_ROOT, encoding: "utf8" });
        if (render.status !== 0) throw new Error(`render failed: ${render.stderr}`);
        const t0 = Date.now();
        spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/render.ts", "--stack", "sandbox", "--customers-dir", dir, "--out", path.join(paths.root, "render")], { cwd: PROJECT_ROOT });
        const mockRenderSeconds = (Date.now() - t0) / 1000;
        const upFromEmpty = await measure(async () => sum((await stack.up()).summary.resourceChanges));
        const noChangeUp = await measure(async () => sum((await stack.up()).summary.resourceChanges));
        writeCustomers(dir, [syntheticCustomer(n)]);
        const addOne = await measure(async () => (await stack.up()).summary.resourceChanges?.create ?? 0);
        const stateFile = path.join(paths.state, ".pulumi", "stacks", "sas-onboarding", "sandbox.json");
        const stateBytes = fs.existsSync(stateFile) ? fs.statSync(stateFile).size : 0;
        const destroy = await measure(async () => sum((await stack.destroy()).summary.resourceChanges));
        return { customers: n, mockRenderSeconds, upFromEmpty, noChangeUp, addOne, destroy, stateBytes };
    } finally {
        delete process.env.PULUMI_SKIP_CHECKPOINTS;
    }
}

/**
 * One more `up` from empty at n customers with the CLI wrapped to add its global `--profiling` flag (the Automation
 * API has no option for it), then `go tool pprof` on the largest CPU profile (the `up`; the other profiles are the
 * workspace's short config calls). The stack is destroyed afterwards, unmeasured.
 */
async function profileUp(n: number, root: string): Promise<CliProfile> {
    const bins = engineBinaries();
    const dir = path.join(root, `profile-n${n}`);
    const wrapper = path.join(dir, "cli", "bin", "pulumi");
    fs.mkdirSync(path.dirname(wrapper), { recursive: true });
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${bins.pulumi}' --profiling '${path.join(dir, "pulumi")}' "$@"\n`, { mode: 0o755 });
    const paths = sandboxPaths(path.join(dir, "sandbox"));
    const { cluster } = await ensureSandboxCluster({ dir: path.join(root, "cluster"), kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" });
    const customersDir = path.join(paths.root, "customers");
    writeCustomers(customersDir, syntheticCustomers(n));
    const stack = await openSandboxStack({ paths, bins: { ...bins, pulumi: wrapper }, cluster, config: { customersDir, customerBatchSize: 0 } });
    const up = await measure(async () => sum((await stack.up()).summary.resourceChanges));
    await stack.destroy();
    const profiles = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".cpu"))
        .map((f) => path.join(dir, f))
        .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    if (!profiles.length) throw new Error(`no CPU profile written under ${dir}`);
    const report = execFileSync("go", ["tool", "pprof", "-top", "-cum", "-unit=s", "-nodecount=400", bins.pulumi, profiles[0]], { encoding: "utf8", maxBuffer: 64 << 20 });
    return { customers: n, measuredOn: today(), wallSeconds: up.wallSeconds, cpuSeconds: up.cli.cpuSeconds, top: parsePprofTop(report) };
}

/** The rows of `go tool pprof -top -cum -unit=s`: function, cumulative seconds, cumulative share. */
export function parsePprofTop(report: string): [string, number, number][] {
    const rows: [string, number, number][] = [];
    for (const line of report.split("\n")) {
        const m = /^\s*[\d.]+s\s+[\d.]+%\s+[\d.]+%\s+([\d.]+)s\s+([\d.]+)%\s+(.+?)\s*$/.exec(line);
        if (m) rows.push([m[3], Number(m[1]), Number(m[2]) / 100]);
    }
    return rows;
}

const today = () => new Date().toISOString().slice(0, 10);

const f1 = (x: number) => x.toFixed(1);

export function renderEngineSection(rows: EngineRow[], meta: { cpus: number }, profile?: CliProfile): string {
    const lines = [
        ENGINE_START,
        "## The real engine (`npm run bench:engine`)",
        "",
        `Measured on ${meta.cpus} cores (each row's date and the load average before it in its last column): \`pulumi\` v3.274.1 and \`pulumi-resource-kubernetes\` 4.25.0 built`,
        "from Go modules, file backend, the program through the Automation API's inline program, the `sandbox` stack (no",
        "AWS item) on the embedded cluster (kwok nodes: pods become Ready, no container runs; Traefik publishes each Ingress's",
        "address, which the provider waits for). Synthetic customers with the",
        "benchmark's tier mix; all customers declared at once (customerBatchSize 0). One run per row: read trends, not",
        "milliseconds. CPU is user+system seconds of the process; RSS is the sampled peak (every 200 ms).",
        "",
        "| customers | resources | mock render s | up from empty s | res/s | no-change up s | add one s | destroy s | CLI peak MiB | CLI CPU s (up) | provider peak MiB | provider CPU s (up) | state KiB | measured (load before) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ...rows.map((r) =>
            [
                r.customers,
                r.upFromEmpty.resources,
                f1(r.mockRenderSeconds),
                f1(r.upFromEmpty.wallSeconds),
                f1(r.upFromEmpty.resources / r.upFromEmpty.wallSeconds),
                f1(r.noChangeUp.wallSeconds),
                f1(r.addOne.wallSeconds),
                f1(r.destroy.wallSeconds),
                Math.round(Math.max(r.upFromEmpty.cli.peakRssMiB, r.destroy.cli.peakRssMiB)),
                f1(r.upFromEmpty.cli.cpuSeconds),
                Math.round(r.upFromEmpty.provider.peakRssMiB),
                f1(r.upFromEmpty.provider.cpuSeconds),
                Math.round(r.stateBytes / 1024),
                `${r.measuredOn ?? "?"} (${r.loadBefore ?? "?"})`,
            ].join(" | ").replace(/^/, "| ").replace(/$/, " |"),
        ),
        "",
    ];
    const nock = rows.filter((r) => r.upFromEmptySkipCheckpoints);
    if (nock.length) {
        lines.push("`PULUMI_SKIP_CHECKPOINTS=true` (measured as an option, never a default: a crash then loses the state of the run):", "");
        for (const r of nock) lines.push(`- ${r.customers} customers: up from empty ${f1(r.upFromEmptySkipCheckpoints!.wallSeconds)} s (with checkpoints ${f1(r.upFromEmpty.wallSeconds)} s).`);
        lines.push("");
    }
    lines.push(...renderPrediction(rows));
    if (profile) lines.push(...renderProfile(profile));
    lines.push(ENGINE_END, "");
    return lines.join("\n");
}

/**
 * Where the CLI's CPU goes, by cause: the frame that stands for each (cumulative, so a cause's callees are inside
 * it; the causes do not call each other). All but the step executor grow with the size of the checkpoint.
 */
export const PROFILE_CAUSES: { cause: string; frame: RegExp }[] = [
    { cause: "checkpoint: state to API types (stack.SerializeDeployment)", frame: /stack\.SerializeDeploymentWithMetadata$/ },
    { cause: "checkpoint: JSON encoding of the whole state", frame: /^encoding\/json\.\(\*encodeState\)\.reflectValue$/ },
    { cause: "checkpoint: MD5 of the whole file (file backend's blob write)", frame: /^crypto\/md5\.block$/ },
    { cause: "checkpoint: integrity check of the whole snapshot (VerifyIntegrity)", frame: /snapshot\.VerifyIntegrity$/ },
    { cause: "garbage collection (mostly the above's allocations)", frame: /^runtime\.gcDrain$/ },
    { cause: "the steps themselves (stepExecutor.executeChain)", frame: /deploy\.\(\*stepExecutor\)\.executeChain$/ },
];

export function profileByCause(p: CliProfile): { cause: string; seconds: number; share: number }[] {
    return PROFILE_CAUSES.map(({ cause, frame }) => {
        const row = p.top.find(([fn]) => frame.test(fn));
        return { cause, seconds: row?.[1] ?? 0, share: row?.[2] ?? 0 };
    });
}

export function renderProfile(p: CliProfile): string[] {
    return [
        `Where the CLI's CPU goes: \`up\` from empty at ${p.customers} customers under \`pulumi --profiling\` (\`--profile-at ${p.customers}\`, ${p.measuredOn}; ${f1(p.wallSeconds)} s wall, ${f1(p.cpuSeconds)} s CLI CPU; \`go tool pprof -top -cum\`, raw in benchmarks-engine-profile.json):`,
        "",
        "| cause | frame's cumulative CPU s | share of the profile |",
        "| --- | ---: | ---: |",
        ...profileByCause(p).map((c) => `| ${c.cause} | ${f1(c.seconds)} | ${(c.share * 100).toFixed(1)} % |`),
        "",
    ];
}

/** Least squares of y = a·n + b·n² (no constant: nothing costs nothing at 0 customers). */
export function fitQuadratic(points: [number, number][]): { a: number; b: number } {
    let s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
    for (const [n, y] of points) {
        s11 += n * n;
        s12 += n ** 3;
        s22 += n ** 4;
        t1 += n * y;
        t2 += n * n * y;
    }
    const det = s11 * s22 - s12 * s12;
    return { a: (t1 * s22 - t2 * s12) / det, b: (s11 * t2 - s12 * t1) / det };
}

/** Least squares of y = c + d·n. */
export function fitLinear(points: [number, number][]): { c: number; d: number } {
    const k = points.length;
    const mx = points.reduce((a, [n]) => a + n, 0) / k;
    const my = points.reduce((a, [, y]) => a + y, 0) / k;
    const d = points.reduce((a, [n, y]) => a + (n - mx) * (y - my), 0) / points.reduce((a, [n]) => a + (n - mx) ** 2, 0);
    return { c: my - d * mx, d };
}

const duration = (s: number) => (s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** What the measured curve predicts for one stack of 1,000 and 5,000 customers (needs 3+ sizes). */
export function renderPrediction(rows: EngineRow[]): string[] {
    if (rows.length < 3) return [];
    const fitUp = fitQuadratic(rows.map((r) => [r.customers, r.upFromEmpty.wallSeconds]));
    const fitDestroy = fitQuadratic(rows.map((r) => [r.customers, r.destroy.wallSeconds]));
    const fitAdd = fitLinear(rows.map((r) => [r.customers, r.addOne.wallSeconds]));
    const fitNoChange = fitLinear(rows.map((r) => [r.customers, r.noChangeUp.wallSeconds]));
    const fitRss = fitLinear(rows.map((r) => [r.upFromEmpty.resources, Math.max(r.upFromEmpty.cli.peakRssMiB, r.destroy.cli.peakRssMiB)]));
    const perCustomer = rows.reduce((a, r) => a + r.upFromEmpty.resources / r.customers, 0) / rows.length;
    const at = (n: number) => {
        const res = n * perCustomer;
        return `| ${n.toLocaleString("en-US")} | ${Math.round(res).toLocaleString("en-US")} | ${duration(fitUp.a * n + fitUp.b * n * n)} | ${duration(fitNoChange.c + fitNoChange.d * n)} | ${duration(fitAdd.c + fitAdd.d * n)} | ${duration(fitDestroy.a * n + fitDestroy.b * n * n)} | ${((fitRss.c + fitRss.d * res) / 1024).toFixed(1)} GiB |`;
    };
    return [
        `What these rows predict for one stack (fits over ${rows.map((r) => r.customers).join("/")} customers: up and destroy a·n + b·n² with b = ${fitUp.b.toFixed(4)} and ${fitDestroy.b.toFixed(4)} s per customer²; no-change, add one and the CLI's peak memory linear, ${(fitRss.d * 1024).toFixed(0)} KiB per resource):`,
        "",
        "| customers | resources | up from empty | no-change up | add one | destroy | CLI peak memory |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        at(1000),
        at(5000),
        "",
    ];
}

/** Replaces the engine section of a report (or appends it), leaving the rest as it is. */
export function withEngineSection(report: string, section: string): string {
    const a = report.indexOf(ENGINE_START);
    const b = report.indexOf(ENGINE_END);
    if (a !== -1 && b > a) return report.slice(0, a) + section.trimEnd() + report.slice(b + ENGINE_END.length);
    return report.trimEnd() + "\n\n" + section;
}

/** Rows kept from an earlier run (--merge): every size not measured now, in size order with the new ones. */
export function mergeRows(earlier: EngineRow[], now: EngineRow[]): EngineRow[] {
    const sizes = new Set(now.map((r) => r.customers));
    return [...earlier.filter((r) => !sizes.has(r.customers)), ...now].sort((a, b) => a.customers - b.customers);
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-engine-"));
    const out = path.resolve(PROJECT_ROOT, opts.out);
    const rawFile = path.join(path.dirname(out), "benchmarks-engine.json");
    const profileFile = path.join(path.dirname(out), "benchmarks-engine-profile.json");
    const rows: EngineRow[] = [];
    let profile: CliProfile | undefined = fs.existsSync(profileFile) ? (JSON.parse(fs.readFileSync(profileFile, "utf8")) as CliProfile) : undefined;
    try {
        for (const n of opts.sizes) {
            const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(" ");
            console.error(`bench:engine: ${n} customers`);
            const row = await benchSize(n, root, false);
            if (opts.skipCheckpointsAt === n) row.upFromEmptySkipCheckpoints = (await benchSize(n, root, true)).upFromEmpty;
            row.measuredOn = today();
            row.loadBefore = loadBefore;
            rows.push(row);
            console.error(`bench:engine: ${n}: up ${f1(row.upFromEmpty.wallSeconds)} s, no-change ${f1(row.noChangeUp.wallSeconds)} s, add one ${f1(row.addOne.wallSeconds)} s, destroy ${f1(row.destroy.wallSeconds)} s`);
        }
        if (opts.profileAt) {
            console.error(`bench:engine: CLI profile of up from empty at ${opts.profileAt} customers`);
            profile = await profileUp(opts.profileAt, root);
        }
    } finally {
        await stopSandboxCluster(path.join(root, "cluster"));
        fs.rmSync(root, { recursive: true, force: true });
    }
    const earlier = opts.merge && fs.existsSync(rawFile) ? (JSON.parse(fs.readFileSync(rawFile, "utf8")) as EngineRow[]) : [];
    const all = opts.merge ? mergeRows(earlier, rows) : rows;
    const section = renderEngineSection(all, { cpus: os.cpus().length }, profile);
    fs.writeFileSync(out, withEngineSection(fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "", section));
    fs.writeFileSync(rawFile, JSON.stringify(all, null, 2) + "\n");
    if (profile) fs.writeFileSync(profileFile, JSON.stringify(profile, null, 2) + "\n");
    console.log(section);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`bench:engine: ${(e as Error).message}`);
        process.exit(1);
    });
}

// `npm run bench:engine -- [--sizes 10,50,100,200] [--skip-checkpoints-at 50]`: the program under the REAL Pulumi
// engine (CLI and Kubernetes provider built here, file backend) on the embedded cluster (kwok nodes), per size:
// `up` from empty, a no-change `up`, adding one customer, `destroy`; wall time, resources per second, peak RSS and CPU
// of the CLI and of the provider, state file size; beside the mock-engine evaluation (npm run render) of the same
// customers. Writes its section of docs/BENCHMARKS.md (between the engine markers) and the raw JSON next to it.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/model/project";
import { ensureEmbeddedCluster, stopEmbeddedCluster } from "../tests/harness/realparts/embedded-cluster";
import { engineBinaries, openSandboxStack, sandboxPaths } from "../scripts/sandbox/engine";
import { syntheticCustomer, syntheticCustomers, writeCustomers } from "./customers";

export const ENGINE_START = "<!-- engine:start -->";
export const ENGINE_END = "<!-- engine:end -->";

interface ProcSample {
    peakRssMiB: number;
    cpuSeconds: number;
}

interface Measured {
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
async function measure(run: () => Promise<number>): Promise<Measured> {
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

function parseArgs(argv: string[]): { sizes: number[]; skipCheckpointsAt?: number; out: string } {
    const opts: { sizes: number[]; skipCheckpointsAt?: number; out: string } = { sizes: [10, 50, 100], out: "docs/BENCHMARKS.md" };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--sizes") opts.sizes = argv[++i].split(",").map(Number);
        else if (argv[i] === "--skip-checkpoints-at") opts.skipCheckpointsAt = Number(argv[++i]);
        else if (argv[i] === "--out") opts.out = argv[++i];
        else throw new Error(`unknown argument ${argv[i]} (use --sizes 10,50,100 [--skip-checkpoints-at 50] [--out docs/BENCHMARKS.md])`);
    }
    if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes: positive whole numbers");
    return opts;
}

const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

async function benchSize(n: number, root: string, skipCheckpoints: boolean): Promise<EngineRow> {
    const bins = engineBinaries();
    const paths = sandboxPaths(path.join(root, `n${n}${skipCheckpoints ? "-nockpt" : ""}`));
    const cluster = await ensureEmbeddedCluster({ dir: path.join(root, "cluster"), kubeScheduler: bins.kubeScheduler, kwok: bins.kwok });
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

const f1 = (x: number) => x.toFixed(1);

export function renderEngineSection(rows: EngineRow[], meta: { date: string; cpus: number; load: string }): string {
    const lines = [
        ENGINE_START,
        "## The real engine (`npm run bench:engine`)",
        "",
        `Measured ${meta.date} on ${meta.cpus} cores (load before: ${meta.load}): \`pulumi\` v3.274.1 and \`pulumi-resource-kubernetes\` 4.25.0 built`,
        "from Go modules, file backend, the program through the Automation API's inline program, the `sandbox` stack (no",
        "AWS item) on the embedded cluster (kwok nodes: pods become Ready, no container runs). Synthetic customers with the",
        "benchmark's tier mix; all customers declared at once (customerBatchSize 0). One run per row: read trends, not",
        "milliseconds. CPU is user+system seconds of the process; RSS is the sampled peak (every 200 ms).",
        "",
        "| customers | resources | mock render s | up from empty s | res/s | no-change up s | add one s | destroy s | CLI peak MiB | CLI CPU s (up) | provider peak MiB | provider CPU s (up) | state KiB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
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
    lines.push(ENGINE_END, "");
    return lines.join("\n");
}

/** Replaces the engine section of a report (or appends it), leaving the rest as it is. */
export function withEngineSection(report: string, section: string): string {
    const a = report.indexOf(ENGINE_START);
    const b = report.indexOf(ENGINE_END);
    if (a !== -1 && b > a) return report.slice(0, a) + section.trimEnd() + report.slice(b + ENGINE_END.length);
    return report.trimEnd() + "\n\n" + section;
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-engine-"));
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    const rows: EngineRow[] = [];
    try {
        for (const n of opts.sizes) {
            console.error(`bench:engine: ${n} customers`);
            const row = await benchSize(n, root, false);
            if (opts.skipCheckpointsAt === n) row.upFromEmptySkipCheckpoints = (await benchSize(n, root, true)).upFromEmpty;
            rows.push(row);
            console.error(`bench:engine: ${n}: up ${f1(row.upFromEmpty.wallSeconds)} s, no-change ${f1(row.noChangeUp.wallSeconds)} s, add one ${f1(row.addOne.wallSeconds)} s, destroy ${f1(row.destroy.wallSeconds)} s`);
        }
    } finally {
        await stopEmbeddedCluster(path.join(root, "cluster"));
        fs.rmSync(root, { recursive: true, force: true });
    }
    const out = path.resolve(PROJECT_ROOT, opts.out);
    const section = renderEngineSection(rows, { date: new Date().toISOString().slice(0, 10), cpus: os.cpus().length, load });
    fs.writeFileSync(out, withEngineSection(fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "", section));
    fs.writeFileSync(path.join(path.dirname(out), "benchmarks-engine.json"), JSON.stringify(rows, null, 2) + "\n");
    console.log(section);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`bench:engine: ${(e as Error).message}`);
        process.exit(1);
    });
}

// `npm run bench:shards -- [--sizes 100,1000] [--per-shard 25]`: onboarding latency with the REAL engine when an
// environment is sharded (docs/DECISIONS.md "Customer shards"): the platform stack plus shard stacks of about
// `--per-shard` customers each (the shard count grows with the environment, as `npm run shards -- check` asks), on the
// embedded cluster (kwok nodes, Traefik publishing Ingress addresses), the same machinery as bench/engine.ts. Per
// environment size: the platform's `up` from empty, every shard's `up` from empty (at the smallest size; at larger ones
// only the shard that receives the new customer, the others being stacks this onboarding never runs), a no-change `up`,
// and adding one customer (the platform's `up`, which lists every page, then its shard's: what deploy.yml runs), with
// the CLI's peak memory and each stack's state size. Writes its section of docs/BENCHMARKS.md (between the shards
// markers) and docs/benchmarks-shards.json. The one-stack rows come from docs/benchmarks-engine.json (npm run bench:engine).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT, PROJECT_ROOT } from "../components/model/project";
import { parseShardStackName, shardIndex, shardPlan, shardStackName } from "../components/model/shards";
import { ensureSandboxCluster, stopSandboxCluster } from "../tests/harness/realparts/sandbox-cluster";
import { engineBinaries, openSandboxStack, SANDBOX_STACK, sandboxPaths } from "../scripts/sandbox/engine";
import { syntheticCustomer, syntheticCustomers, syntheticId, writeCustomers } from "./customers";
import { fitLinear, measure, type EngineRow, type Measured } from "./engine";

export const SHARDS_START = "<!-- shards:start -->";
export const SHARDS_END = "<!-- shards:end -->";

export interface ShardRun {
    customers: number;
    shards: number;
    /** Customers in each shard stack, by name. */
    placement: Record<string, number>;
    platformUp: Measured;
    /** Every shard measured from empty (all at the smallest size, else only the new customer's shard). */
    shardUps: { stack: string; customers: number; up: Measured }[];
    noChangeShardUp: Measured;
    addOne: { platform: Measured; shard: Measured; stack: string; shardCustomers: number };
    stateKiB: { platform: number; shards: Record<string, number> };
    measuredOn: string;
    loadBefore: string;
}

const PLATFORM_STACK = `organization/${PROJECT}/${SANDBOX_STACK}`;
const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const f1 = (x: number) => x.toFixed(1);

function parseArgs(argv: string[]): { sizes: number[]; perShard: number; out: string } {
    const opts = { sizes: [100, 1000], perShard: 25, out: "docs/BENCHMARKS.md" };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--sizes") opts.sizes = argv[++i].split(",").map(Number);
        else if (argv[i] === "--per-shard") opts.perShard = Number(argv[++i]);
        else if (argv[i] === "--out") opts.out = argv[++i];
        else throw new Error(`unknown argument ${argv[i]} (use --sizes 100,1000 [--per-shard 25] [--out docs/BENCHMARKS.md])`);
    }
    if ([...opts.sizes, opts.perShard].some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes and --per-shard: positive whole numbers");
    return opts;
}

function stateKiB(stateDir: string, stack: string): number {
    const file = path.join(stateDir, ".pulumi", "stacks", PROJECT, `${stack}.json`);
    return fs.existsSync(file) ? Math.round(fs.statSync(file).size / 1024) : 0;
}

async function benchEnvironment(n: number, perShard: number, root: string, allShards: boolean): Promise<ShardRun> {
    const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    const bins = engineBinaries();
    const paths = sandboxPaths(path.join(root, `n${n}`));
    // A cluster per size: the platform's cluster-wide objects (RBAC, admission policy) belong to one platform stack.
    const clusterDir = path.join(root, `cluster-n${n}`);
    try {
        return await runEnvironment(n, perShard, paths, clusterDir, allShards, loadBefore, bins);
    } finally {
        await stopSandboxCluster(clusterDir);
    }
}

async function runEnvironment(
    n: number,
    perShard: number,
    paths: ReturnType<typeof sandboxPaths>,
    clusterDir: string,
    allShards: boolean,
    loadBefore: string,
    bins: ReturnType<typeof engineBinaries>,
): Promise<ShardRun> {
    const { cluster } = await ensureSandboxCluster({ dir: clusterDir, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" });
    const customersDir = path.join(paths.root, "customers");
    writeCustomers(customersDir, syntheticCustomers(n));
    const shards = Math.ceil(n / perShard);
    const ids = Array.from({ length: n }, (_, i) => syntheticId(i));
    const plan = shardPlan(ids, { layout: "sharded", environment: SANDBOX_STACK, shards });
    const newId = syntheticId(n);
    const target = shardStackName(SANDBOX_STACK, shardIndex(newId, shards));

    const platform = await openSandboxStack({ paths, bins, cluster, config: { customersDir, customerBatchSize: 0, sharding: { layout: "sharded", shards } } });
    const platformUp = await measure(async () => sum((await platform.up()).summary.resourceChanges));
    const open = (stack: string) => openSandboxStack({ paths, bins, cluster, stackName: stack, shard: { platformStack: PLATFORM_STACK, index: parseShardStackName(stack)!.index } });
    const shardUps: ShardRun["shardUps"] = [];
    const opened = new Map<string, Stack>();
    for (const stack of allShards ? Object.keys(plan) : [target]) {
        const s = await open(stack);
        opened.set(stack, s);
        console.error(`bench:shards: ${n}: ${stack} (${plan[stack].length} customers)`);
        shardUps.push({ stack, customers: plan[stack].length, up: await measure(async () => sum((await s.up()).summary.resourceChanges)) });
    }
    const targetStack = opened.get(target)!;
    const noChangeShardUp = await measure(async () => sum((await targetStack.up()).summary.resourceChanges));
    writeCustomers(customersDir, [syntheticCustomer(n)]);
    const addPlatform = await measure(async () => sum((await platform.up()).summary.resourceChanges));
    const addShard = await measure(async () => (await targetStack.up()).summary.resourceChanges?.create ?? 0);
    return {
        customers: n,
        shards,
        placement: Object.fromEntries(Object.entries(plan).map(([s, list]) => [s, list.length])),
        platformUp,
        shardUps,
        noChangeShardUp,
        addOne: { platform: addPlatform, shard: addShard, stack: target, shardCustomers: plan[target].length },
        stateKiB: { platform: stateKiB(paths.state, SANDBOX_STACK), shards: Object.fromEntries([...opened.keys()].map((s) => [s, stateKiB(paths.state, s)])) },
        measuredOn: new Date().toISOString().slice(0, 10),
        loadBefore,
    };
}

/** The one-stack figures the engine benchmark measured (and what its fits predict) beside the sharded runs. */
export function renderShardsSection(runs: ShardRun[], single: EngineRow[]): string {
    const singleAt = (n: number) => single.find((r) => r.customers === n);
    const fitAdd = single.length >= 2 ? fitLinear(single.map((r) => [r.customers, r.addOne.wallSeconds])) : undefined;
    const fitNoChange = single.length >= 2 ? fitLinear(single.map((r) => [r.customers, r.noChangeUp.wallSeconds])) : undefined;
    const addOneSharded = (r: ShardRun) => r.addOne.platform.wallSeconds + r.addOne.shard.wallSeconds;
    const lines = [
        SHARDS_START,
        "## Sharded environments with the real engine (`npm run bench:shards`)",
        "",
        "The same engine, cluster and synthetic customers as the section above; the environment split into its platform stack and",
        `shard stacks of about ${runs[0] ? Math.round(runs[0].customers / runs[0].shards) : "?"} customers (the shard count grows with the environment, as \`npm run shards -- check\` asks).`,
        "Adding one customer is what deploy.yml runs for it: the platform's `up` (it lists every page) and then the `up` of the",
        "one shard the hash places it in. At the larger sizes only that shard is deployed: the other shards are stacks this",
        "onboarding never runs (their objects' load on the API server is not part of these figures). One run per row.",
        "",
        "| customers | shards | platform up s | shard up from empty s (each) | no-change shard up s | add one: platform s + shard s = total | one stack: add one s | CLI peak MiB | state KiB: platform / shard | measured (load before) |",
        "| ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | --- |",
        ...runs.map((r) => {
            const one = singleAt(r.customers);
            const oneStack = one ? `${f1(one.addOne.wallSeconds)} (measured)` : fitAdd ? `~${f1(fitAdd.c + fitAdd.d * r.customers)} (fit)` : "?";
            const peak = Math.max(r.platformUp.cli.peakRssMiB, r.addOne.platform.cli.peakRssMiB, r.addOne.shard.cli.peakRssMiB, ...r.shardUps.map((s) => s.up.cli.peakRssMiB));
            const shardState = Object.values(r.stateKiB.shards);
            return [
                r.customers,
                r.shards,
                f1(r.platformUp.wallSeconds),
                r.shardUps.map((s) => `${f1(s.up.wallSeconds)} (${s.customers})`).join(", "),
                f1(r.noChangeShardUp.wallSeconds),
                `${f1(r.addOne.platform.wallSeconds)} + ${f1(r.addOne.shard.wallSeconds)} = **${f1(addOneSharded(r))}**`,
                oneStack,
                Math.round(peak),
                `${r.stateKiB.platform} / ${shardState.length ? Math.round(shardState.reduce((a, b) => a + b, 0) / shardState.length) : "?"}`,
                `${r.measuredOn} (${r.loadBefore})`,
            ].join(" | ").replace(/^/, "| ").replace(/$/, " |");
        }),
        "",
    ];
    if (runs.length >= 2) {
        const [small, large] = [runs[0], runs[runs.length - 1]];
        const change = (addOneSharded(large) - addOneSharded(small)) / addOneSharded(small);
        const full = runs.find((r) => r.shardUps.length === r.shards);
        const meanShard = full ? full.shardUps.reduce((a, s) => a + s.up.wallSeconds, 0) / full.shardUps.length : undefined;
        lines.push(
            `- **Onboarding latency** (add one customer): ${f1(addOneSharded(small))} s at ${small.customers} customers, ${f1(addOneSharded(large))} s at ${large.customers} (${change >= 0 ? "+" : ""}${(change * 100).toFixed(0)} %; target: within 20 % and at most 30 s).` +
                (fitAdd ? ` One stack: ~${f1(fitAdd.c + fitAdd.d * large.customers)} s at ${large.customers} by the fit of the one-stack rows.` : ""),
            `- **A no-change \`up\`** of the shard: ${runs.map((r) => `${f1(r.noChangeShardUp.wallSeconds)} s at ${r.customers}`).join(", ")}` +
                (fitNoChange ? `; one stack: ~${f1(fitNoChange.c + fitNoChange.d * large.customers)} s at ${large.customers} (fit).` : "."),
        );
        if (full && meanShard !== undefined) {
            lines.push(
                `- **Rebuilding an environment** is linear in its size: a shard of ~${Math.round(full.customers / full.shards)} customers takes ${f1(meanShard)} s from empty (mean of ${full.shards}), whatever the environment's size, so ${large.customers} customers in ${large.shards} shards take ~${f1((large.shards * meanShard) / 60)} min of engine time in one job, or ~${f1((Math.ceil(large.shards / 4) * meanShard) / 60)} min as 4 parallel jobs (deploy.yml's matrix); one stack of ${large.customers} is quadratic (section above).`,
            );
        }
        lines.push("");
    }
    lines.push(SHARDS_END, "");
    return lines.join("\n");
}

export function withShardsSection(report: string, section: string): string {
    const a = report.indexOf(SHARDS_START);
    const b = report.indexOf(SHARDS_END);
    if (a !== -1 && b > a) return report.slice(0, a) + section.trimEnd() + report.slice(b + SHARDS_END.length);
    return report.trimEnd() + "\n\n" + section;
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-shards-"));
    const runs: ShardRun[] = [];
    try {
        for (const [i, n] of opts.sizes.entries()) {
            console.error(`bench:shards: ${n} customers in shards of ~${opts.perShard}`);
            const run = await benchEnvironment(n, opts.perShard, root, i === 0);
            runs.push(run);
            console.error(`bench:shards: ${n}: add one ${f1(run.addOne.platform.wallSeconds)} + ${f1(run.addOne.shard.wallSeconds)} s`);
        }
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
    const out = path.resolve(PROJECT_ROOT, opts.out);
    const engineRaw = path.join(path.dirname(out), "benchmarks-engine.json");
    const single = fs.existsSync(engineRaw) ? (JSON.parse(fs.readFileSync(engineRaw, "utf8")) as EngineRow[]) : [];
    const section = renderShardsSection(runs, single);
    fs.writeFileSync(out, withShardsSection(fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "", section));
    fs.writeFileSync(path.join(path.dirname(out), "benchmarks-shards.json"), JSON.stringify(runs, null, 2) + "\n");
    console.log(section);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`bench:shards: ${(e as Error).message}`);
        process.exit(1);
    });
}

// `npm run shards`: plan, check, affected, move and stacks for customer shards (usage: args.ts USAGE).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/model/project";
import { shardMoves, shardPlan, type Placement } from "../../components/model/shards";
import { CustomerRecordsError } from "../../components/records/load";
import { StackSettingsError } from "../../stacks/load";
import { STACKS } from "../../tests/harness/stack-config";
import type { ToolIo } from "../lib/entry";
import { affectedStacks, repoRelative, type Affected } from "./affected";
import { parseShardsArgs, USAGE, type ShardsOptions } from "./args";
import { measureResourceModel, overBudget, stackLoads, type ResourceModel } from "./budget";
import { loadEnvironment, ShardsUsageError, type Environment } from "./environment";
import { applyMoves, moveCommands, shellLine, type PulumiRunner } from "./move";
import { shardStackFile, stackFileDrift, writeStackFiles } from "./stack-files";

/** Environments promoted one after the other by deploy.yml; they must shard alike, since promotion goes shard by shard. */
export const PROMOTION_CHAIN = ["dev", "stage", "prod"] as const;

type Run = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface ShardsDeps {
    root: string;
    git: Run;
    /** The pulumi CLI in a directory (move --apply). */
    pulumi: (cwd: string) => PulumiRunner;
    measure: (env: Environment) => Promise<ResourceModel>;
}

function spawnRun(command: string, cwd: string, env: NodeJS.ProcessEnv): Run {
    return (args) =>
        new Promise((resolve) => {
            const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", (e) => resolve({ code: 127, stdout, stderr: `${command}: ${e.message}` }));
            child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        });
}

export function defaultDeps(env: NodeJS.ProcessEnv): ShardsDeps {
    return {
        root: PROJECT_ROOT,
        git: spawnRun("git", PROJECT_ROOT, env),
        pulumi: (cwd) => spawnRun("pulumi", cwd, env),
        measure: measureResourceModel,
    };
}

const placementText = (p: Placement) => (p.layout === "single" ? "one stack (single layout)" : `${p.shards} shard${p.shards === 1 ? "" : "s"}`);

export async function runShards(argv: readonly string[], io: ToolIo, deps: ShardsDeps = defaultDeps(io.env)): Promise<number> {
    const out = (line = "") => io.stdout(`${line}\n`);
    let opts: ShardsOptions;
    try {
        opts = parseShardsArgs(argv);
        if (opts.help) {
            out(USAGE);
            return 0;
        }
        const load = (stack: string) => loadEnvironment(stack, { customersDir: opts.customersDir, root: deps.root });
        switch (opts.command) {
            case "plan":
                return plan(load(opts.stacks[0]), opts, out);
            case "check":
                return await check((opts.stacks.length ? opts.stacks : [...STACKS]).map(load), deps, out, io.stderr);
            case "affected":
                return await affected(load(opts.stacks[0]), opts, deps, out);
            case "move":
                return await move(load(opts.stacks[0]), opts, deps, out, io.stderr);
            case "stacks":
                return stacks(load(opts.stacks[0]), opts, deps, out);
        }
    } catch (e) {
        if (e instanceof ShardsUsageError || e instanceof StackSettingsError || e instanceof CustomerRecordsError) {
            io.stderr(`shards: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

function plan(env: Environment, opts: ShardsOptions, out: (l?: string) => void): number {
    const placement: Placement = opts.shards === undefined ? env.placement : { layout: "sharded", environment: env.name, shards: opts.shards };
    const p = shardPlan(env.customers.map((c) => c.id), placement);
    if (opts.json) {
        out(JSON.stringify(p, null, 2));
        return 0;
    }
    out(`${env.name}: ${env.customers.length} customers in ${placementText(placement)}`);
    for (const [stack, ids] of Object.entries(p)) out(`  ${stack.padEnd(20)} ${String(ids.length).padStart(5)}  ${ids.join(", ")}`);
    return 0;
}

/** The smallest shard count (from `from`) that keeps every stack within the budget, for the advice. */
function countWithinBudget(env: Environment, model: ResourceModel, from: number): number | undefined {
    for (let n = from; n <= 100; n++) {
        const placement: Placement = { layout: "sharded", environment: env.name, shards: n };
        if (overBudget(stackLoads({ ...env, placement }, model), env.settings.sharding.budget).length === 0) return n;
    }
    return undefined;
}

async function check(envs: Environment[], deps: ShardsDeps, out: (l?: string) => void, err: (t: string) => void): Promise<number> {
    const problems: string[] = [];
    for (const env of envs) {
        const model = await deps.measure(env);
        const budget = env.settings.sharding.budget;
        const loads = stackLoads(env, model);
        const file = `Pulumi.${env.name}.yaml`;
        out(`${env.name}: ${env.customers.length} customers in ${placementText(env.placement)}; budget ${budget.customers} customers and ${budget.resources} resources per stack (resources per customer: ${Object.entries(model.perTier).map(([t, n]) => `${t} ${n}`).join(", ")})`);
        for (const l of loads) out(`  ${l.stack.padEnd(20)} ${String(l.customers).padStart(5)} customers  ~${String(l.resources).padStart(6)} resources`);
        const over = overBudget(loads, budget);
        if (over.length) {
            const current = env.placement.layout === "sharded" ? env.placement.shards : 1;
            const next = countWithinBudget(env, model, current + 1);
            const advice =
                env.placement.layout === "sharded"
                    ? `raise sharding.shards in ${file} (now ${current}${next ? `; ${next} keeps every shard within budget` : ""}), then move the customers: npm run shards -- move --stack ${env.name} --to ${next ?? current + 1} (docs/RUNBOOK.md "Resharding")`
                    : `raise sharding.shards in ${file}: set sharding.layout sharded with sharding.shards ${next ?? "<n>"}, then move the customers: npm run shards -- move --stack ${env.name} --to ${next ?? "<n>"} (docs/RUNBOOK.md "Resharding")`;
            for (const o of over) {
                const what = [
                    ...(o.over.includes("customers") ? [`${o.customers} customers, over the budget of ${budget.customers} (sharding.budget.customers)`] : []),
                    ...(o.over.includes("resources") ? [`about ${o.resources} resources, over the budget of ${budget.resources} (sharding.budget.resources)`] : []),
                ].join(" and ");
                problems.push(`${o.stack} holds ${what}; ${advice}`);
            }
        }
        for (const d of stackFileDrift(deps.root, env.placement)) {
            problems.push(
                d.problem === "extra"
                    ? `${d.file}: a shard beyond sharding.shards in ${file}; move its customers (npm run shards -- move), then remove the stack and the file`
                    : `${d.file}: ${d.problem === "missing" ? "missing" : "differs from what sharding.shards calls for"}; run npm run shards -- stacks --stack ${env.name} --write`,
            );
        }
    }
    const chain = envs.filter((e) => (PROMOTION_CHAIN as readonly string[]).includes(e.name));
    if (chain.length) {
        const all = PROMOTION_CHAIN.map((name) => chain.find((e) => e.name === name) ?? loadEnvironment(name, { root: deps.root }));
        const shape = (e: Environment) => placementText(e.placement);
        if (new Set(all.map(shape)).size > 1) {
            problems.push(`promotion chain ${PROMOTION_CHAIN.join(" -> ")}: sharding differs (${all.map((e) => `${e.name}: ${shape(e)}`).join(", ")}); promotion goes shard by shard, so sharding.layout and sharding.shards must agree`);
        }
    }
    for (const p of problems) err(`check: ${p}\n`);
    if (problems.length === 0) out("check: ok");
    return problems.length ? 1 : 0;
}

async function affected(env: Environment, opts: ShardsOptions, deps: ShardsDeps, out: (l?: string) => void): Promise<number> {
    const diff = await deps.git(["diff", "--name-only", "--no-renames", opts.base!, opts.head]);
    const files = diff.code === 0 ? diff.stdout.split("\n").filter(Boolean) : undefined;
    const result: Affected = affectedStacks(
        { placement: env.placement, customersDir: repoRelative(deps.root, env.customersDir) },
        files,
        `no diff against ${opts.base} (${diff.stderr.trim().split("\n")[0] || "git failed"}): everything`,
    );
    if (opts.json) {
        out(JSON.stringify(result));
        return 0;
    }
    out(`${env.name}: ${result.stacks.length ? result.stacks.join(", ") : "nothing to deploy"}${result.all ? " (every stack)" : ""}`);
    for (const [stack, why] of Object.entries(result.reasons)) {
        out(`  ${stack}`);
        for (const w of why.slice(0, 5)) out(`    ${w}`);
        if (why.length > 5) out(`    ... and ${why.length - 5} more`);
    }
    return 0;
}

async function move(env: Environment, opts: ShardsOptions, deps: ShardsDeps, out: (l?: string) => void, err: (t: string) => void): Promise<number> {
    const to: Placement = opts.to === undefined ? env.placement : opts.to === "single" ? { layout: "single", environment: env.name } : { layout: "sharded", environment: env.name, shards: opts.to };
    const ids = env.customers.map((c) => c.id);
    if (opts.apply) {
        const cwd = path.resolve(opts.cwd ?? deps.root);
        let result: Awaited<ReturnType<typeof applyMoves>>;
        try {
            result = await applyMoves(deps.pulumi(cwd), { name: env.name, ids }, to, { log: (l) => out(`move: ${l}`), secretsProvider: opts.secretsProvider });
        } catch (e) {
            // The backend said no (or disagrees with itself): the operator reads why; moves already made stay made.
            err(`shards: move --apply: ${(e as Error).message}\n`);
            return 1;
        }
        if (opts.json) out(JSON.stringify(result));
        else out(`move: ${result.moves.length} customer(s) moved${result.created.length ? `, created ${result.created.join(", ")}` : ""}; now \`pulumi up\` the platform, then every shard stack (docs/RUNBOOK.md "Resharding")`);
        return 0;
    }
    const from: Placement = opts.from === undefined ? env.placement : opts.from === "single" ? { layout: "single", environment: env.name } : { layout: "sharded", environment: env.name, shards: opts.from };
    const moves = shardMoves(ids, from, to);
    const commands = moveCommands(moves);
    const newStacks = Object.keys(shardPlan([], to)).filter((s) => !Object.keys(shardPlan([], from)).includes(s));
    if (opts.json) {
        out(JSON.stringify({ environment: env.name, from, to, moves, newStacks, commands: commands.map(shellLine) }, null, 2));
        return 0;
    }
    out(`move: ${env.name} from ${placementText(from)} to ${placementText(to)}: ${moves.length} of ${ids.length} customers change stacks (the others stay)`);
    for (const m of moves) out(`  ${m.id.padEnd(40)} ${m.from} -> ${m.to}`);
    if (commands.length === 0) return 0;
    out("");
    out("The moves, in order (state only: no object is deleted or recreated). First create the new shard stacks, never");
    out(`\`up\` them before their customers are moved: ${newStacks.length ? newStacks.map((s) => `pulumi stack init ${s}`).join("; ") : "(none)"}`);
    for (const c of commands) out(`  ${shellLine(c)}`);
    out(`Or let the tool do it from the backend's state, before the platform's next up: npm run shards -- move --stack ${env.name} --to ${opts.to} --apply`);
    return 0;
}

function stacks(env: Environment, opts: ShardsOptions, deps: ShardsDeps, out: (l?: string) => void): number {
    if (env.placement.layout === "single") {
        out(`${env.name}: single layout, no shard stacks`);
        return 0;
    }
    if (opts.write) {
        const written = writeStackFiles(deps.root, env.placement);
        out(written.length ? `wrote ${written.join(", ")}` : "every shard stack file is up to date");
    }
    const drift = stackFileDrift(deps.root, env.placement);
    for (const stack of Object.keys(shardPlan([], env.placement))) out(`Pulumi.${stack}.yaml${opts.write ? "" : `\n${shardStackFile(env.name, stack).replace(/^/gm, "  ")}`}`);
    for (const d of drift) out(`${d.file}: ${d.problem}`);
    return drift.some((d) => d.problem !== "extra") ? 1 : 0;
}

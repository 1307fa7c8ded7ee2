// Resharding: moving customers between an environment's stacks with `pulumi state move` (state only: every object
// stays where it is, nothing is deleted or recreated). A customer moves as its CustomerSite component; the CLI takes
// the component's children along, copies (or reuses) the destination's providers, and re-parents the component under
// the destination's stack. The shard program declares the same component names and provider inputs, so the next `up`
// of both stacks finds every moved resource unchanged.
import { PROJECT } from "../../components/model/project";
import { componentName } from "../../components/model/names";
import { parseShardStackName, stackOfCustomer, type Placement, type ShardMove } from "../../components/model/shards";

export const CUSTOMER_SITE_TYPE = "sas:index:CustomerSite";

/** The URN of a customer's component in a stack (what `pulumi state move` is given; its children follow). */
export function customerSiteUrn(stack: string, id: string): string {
    return `urn:pulumi:${stack}::${PROJECT}::${CUSTOMER_SITE_TYPE}::${componentName(id)}`;
}

export interface MoveCommand {
    source: string;
    dest: string;
    ids: string[];
    /** Arguments of the `pulumi` CLI. */
    args: string[];
}

/** One `pulumi state move` per source and destination pair, in a stable order. */
export function moveCommands(moves: readonly ShardMove[]): MoveCommand[] {
    const groups = new Map<string, ShardMove[]>();
    for (const m of moves) groups.set(`${m.from}\u0000${m.to}`, [...(groups.get(`${m.from}\u0000${m.to}`) ?? []), m]);
    return [...groups.values()]
        .map((ms) => {
            const ids = ms.map((m) => m.id).sort();
            const { from: source, to: dest } = ms[0];
            return { source, dest, ids, args: ["state", "move", "--source", source, "--dest", dest, "--yes", ...ids.map((id) => customerSiteUrn(source, id))] };
        })
        .sort((a, b) => a.source.localeCompare(b.source) || a.dest.localeCompare(b.dest));
}

/** A command as an operator types it (URNs quoted: they hold `$` and `:`). */
export function shellLine(cmd: MoveCommand): string {
    return ["pulumi", ...cmd.args.map((a) => (a.startsWith("urn:") ? `'${a}'` : a))].join(" ");
}

/** Runs the Pulumi CLI (injected: tests and the engine suite give their own binary, directory and environment). */
export type PulumiRunner = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

async function pulumiOk(run: PulumiRunner, args: string[]): Promise<string> {
    const res = await run(args);
    if (res.code !== 0) throw new Error(`pulumi ${args.slice(0, 3).join(" ")} failed (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`);
    return res.stdout;
}

/** The environment's stacks that exist in the backend: its own and its shard stacks. */
export async function existingStacks(run: PulumiRunner, environment: string): Promise<string[]> {
    const listed = JSON.parse(await pulumiOk(run, ["stack", "ls", "--json"])) as { name: string }[];
    return listed
        .map((s) => s.name.split("/").pop()!)
        .filter((name) => name === environment || parseShardStackName(name)?.environment === environment)
        .sort();
}

/** Where each customer's component is in the backend's state now (customer id → stack); one customer in two stacks is an error. */
export async function locateCustomers(run: PulumiRunner, stacks: readonly string[]): Promise<Map<string, string>> {
    const where = new Map<string, string>();
    for (const stack of stacks) {
        const state = JSON.parse(await pulumiOk(run, ["stack", "export", "--stack", stack])) as { deployment?: { resources?: { type: string; urn: string }[] } };
        for (const r of state.deployment?.resources ?? []) {
            if (r.type !== CUSTOMER_SITE_TYPE) continue;
            const id = r.urn.split("::").pop()!.replace(/^customer-/, "");
            const seen = where.get(id);
            if (seen) throw new Error(`customer ${id} is in the state of both ${seen} and ${stack}; resolve by hand before moving (docs/RUNBOOK.md "Resharding")`);
            where.set(id, stack);
        }
    }
    return where;
}

/** The moves that bring every located customer to its stack under `to`; customers not deployed anywhere need none. */
export function movesFromState(located: ReadonlyMap<string, string>, ids: readonly string[], to: Placement): ShardMove[] {
    return [...ids]
        .sort()
        .flatMap((id) => {
            const from = located.get(id);
            const target = stackOfCustomer(id, to);
            return from !== undefined && from !== target ? [{ id, from, to: target }] : [];
        });
}

export interface ApplyResult {
    moves: ShardMove[];
    created: string[];
}

/**
 * Applies the moves the backend's state calls for: creates missing destination stacks (never `up`: a new shard's
 * program would create customers still held elsewhere), runs one `pulumi state move` per pair, then reads the state
 * again and fails unless every moved customer is where `to` places it. Idempotent: a second run finds nothing to do.
 */
export async function applyMoves(
    run: PulumiRunner,
    env: { name: string; ids: readonly string[] },
    to: Placement,
    opts: { log: (line: string) => void; secretsProvider?: string },
): Promise<ApplyResult> {
    const stacks = await existingStacks(run, env.name);
    const moves = movesFromState(await locateCustomers(run, stacks), env.ids, to);
    const created: string[] = [];
    for (const dest of [...new Set(moves.map((m) => m.to))].sort()) {
        if (stacks.includes(dest)) continue;
        opts.log(`creating stack ${dest} (empty; its first up comes after the move)`);
        await pulumiOk(run, ["stack", "init", dest, ...(opts.secretsProvider ? ["--secrets-provider", opts.secretsProvider] : [])]);
        created.push(dest);
    }
    for (const cmd of moveCommands(moves)) {
        opts.log(`moving ${cmd.ids.join(", ")}: ${cmd.source} -> ${cmd.dest}`);
        await pulumiOk(run, cmd.args);
    }
    if (moves.length > 0) {
        const after = await locateCustomers(run, await existingStacks(run, env.name));
        const wrong = moves.filter((m) => after.get(m.id) !== m.to);
        if (wrong.length) throw new Error(`after the move, not where they belong: ${wrong.map((m) => `${m.id} (in ${after.get(m.id) ?? "no stack"}, wanted ${m.to})`).join(", ")}`);
    }
    return { moves, created };
}

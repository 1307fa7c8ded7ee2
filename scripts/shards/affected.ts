// Which stacks of an environment a change touches, so CI previews and deploys only those: a changed customer record
// touches its shard (and the platform, which publishes every page's address and the monitoring modules); the
// environment's settings or any shared code touch every stack, the platform first. Files no stack reads (docs, tests,
// tools, workflows) touch none. Anything not known to be harmless counts as shared code: a wrong guess runs too much,
// never too little.
import * as path from "node:path";
import { customerStacks, parseShardStackName, stackOfCustomer, type Placement } from "../../components/model/shards";
import { ALLOWED_NON_RECORD_FILES, RECORD_EXTENSION } from "../../components/records/load";

export interface Affected {
    environment: string;
    /** Every stack of the environment is touched (settings or shared code changed, or no base to compare with). */
    all: boolean;
    /** The environment's own stack (the platform when sharded), when touched: deploy it first. */
    platform: string[];
    /** Touched shard stacks, in order. */
    shards: string[];
    /** platform then shards: the order to run them in. */
    stacks: string[];
    /** Why each stack is touched: the files (or the reason) behind it. */
    reasons: Record<string, string[]>;
}

/** Paths no stack's program reads: changing them deploys nothing. Directories end with "/". */
export const NOT_DEPLOYED: readonly string[] = ["docs/", "tests/", "bench/", "scripts/", "monitoring/", ".github/", ".ci/", ".gitignore", ".mocharc.json", "eslint.config.mjs"];

type Touch = { kind: "none" } | { kind: "all"; why: string } | { kind: "stacks"; stacks: string[]; why: string };

/** What one changed file (a repository-relative path) touches in the environment. */
export function classifyPath(file: string, env: { placement: Placement; customersDir: string }): Touch {
    const p = env.placement;
    const stackFile = /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1];
    if (stackFile !== undefined) {
        if (stackFile === p.environment) return { kind: "all", why: `${file}: the environment's settings` };
        const shard = parseShardStackName(stackFile);
        if (shard?.environment === p.environment) return { kind: "stacks", stacks: [stackFile], why: `${file}: the shard's own settings` };
        return { kind: "none" };
    }
    const dir = env.customersDir.replace(/\/+$/, "");
    if (file.startsWith(`${dir}/`)) {
        const name = file.slice(dir.length + 1);
        if (ALLOWED_NON_RECORD_FILES.includes(name)) return { kind: "none" };
        if (!name.includes("/") && name.endsWith(RECORD_EXTENSION)) {
            const id = name.slice(0, -RECORD_EXTENSION.length);
            const home = stackOfCustomer(id, p);
            // The platform lists every customer (its `customers` output, the blackbox modules): it changes too.
            return { kind: "stacks", stacks: p.layout === "sharded" ? [p.environment, home] : [home], why: `${file}: customer ${id}` };
        }
        return { kind: "all", why: `${file}: not a record; every stack reads the customer directory` };
    }
    if (file.endsWith(".md") || NOT_DEPLOYED.some((n) => (n.endsWith("/") ? file.startsWith(n) : file === n))) return { kind: "none" };
    return { kind: "all", why: `${file}: shared code or configuration` };
}

/** The stacks touched by a set of changed files; `undefined` files (no base to compare) touch everything. */
export function affectedStacks(env: { placement: Placement; customersDir: string }, files: readonly string[] | undefined, noBaseReason = "no base commit to compare with"): Affected {
    const p = env.placement;
    const every = p.layout === "sharded" ? [p.environment, ...customerStacks(p)] : [p.environment];
    const reasons = new Map<string, string[]>();
    const note = (stack: string, why: string) => reasons.set(stack, [...(reasons.get(stack) ?? []), why]);
    let all = false;
    if (files === undefined) {
        all = true;
        for (const s of every) note(s, noBaseReason);
    } else {
        for (const file of [...files].sort()) {
            const t = classifyPath(file, env);
            if (t.kind === "all") {
                all = true;
                for (const s of every) note(s, t.why);
            } else if (t.kind === "stacks") for (const s of t.stacks) note(s, t.why);
        }
    }
    const stacks = every.filter((s) => reasons.has(s));
    return {
        environment: p.environment,
        all,
        platform: stacks.filter((s) => s === p.environment),
        shards: stacks.filter((s) => s !== p.environment),
        stacks,
        reasons: Object.fromEntries(stacks.map((s) => [s, reasons.get(s)!])),
    };
}

/** The customer directory as the repository names it (forward slashes, relative to the root). */
export function repoRelative(root: string, dir: string): string {
    return path.relative(root, dir).split(path.sep).join("/");
}

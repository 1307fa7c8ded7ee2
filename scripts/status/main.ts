// `npm run status`: shows onboarding states and dead letters, marks states for workflow steps, sends due notices.
import { reportCustomer, reportStep } from "../lib/metrics";
import * as path from "node:path";
import { customerIdSchema } from "../../components/model/customer";
import { registryTableName } from "../../components/model/names";
import { formatDuration, NOTIFY_ENVIRONMENT, timeToOnboardMs, type OnboardingItem } from "../../components/model/onboarding";
import { defaultRunner, type Runner } from "../intake/publish";
import { textTable } from "../intake/report";
import {
    listDeadLetters,
    listOnboarding,
    markOnboarding,
    readNotifyMarker,
    readOnboarding,
    Registry,
    type RegistryOptions,
} from "../lib/registry-client";
import { defaultRetryPolicy, describe } from "../lib/retry";
import { parseStatusArgs, USAGE, type StatusOptions } from "./args";
import { shardMembership } from "../shards/environment";
import { notifyLive, transportFromEnv, type NoticeTransport, type NotifyDeps } from "./notify";

export interface StatusIo {
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
    cwd?: string;
    now?(): number;
    registryOptions?: RegistryOptions;
    run?: Runner;
    /** Overrides the transport from SAS_NOTIFY_WEBHOOK_URL / _SECRET (tests, other transports). */
    transport?: NoticeTransport | null;
    notifyDeps?: NotifyDeps;
}

/** Customers whose record file `commit` added or changed (deletions are not deployments of a customer). */
export async function customersInCommit(commit: string, customersDir: string, cwd: string, env: NodeJS.ProcessEnv, run: Runner = defaultRunner): Promise<string[]> {
    const git = async (args: string[]) => {
        const res = await run("git", args, { cwd, env });
        if (res.code !== 0) throw new Error(`git ${args[0]} failed: ${res.stderr.trim()}`);
        return res.stdout;
    };
    const root = (await git(["rev-parse", "--show-toplevel"])).trim();
    const relDir = path.relative(root, path.resolve(cwd, customersDir)).split(path.sep).join("/");
    const [, parent] = (await git(["rev-list", "--parents", "-n", "1", commit])).trim().split(" ");
    const names = parent
        ? await git(["-C", root, "diff", "--name-only", "--no-renames", "--diff-filter=d", parent, commit, "--", relDir || "."])
        : await git(["-C", root, "ls-tree", "-r", "--name-only", commit, "--", relDir || "."]);
    return names
        .split("\n")
        .filter((f) => f.endsWith(".yaml") && path.posix.dirname(f) === (relDir || "."))
        .map((f) => path.posix.basename(f, ".yaml"))
        .filter((id) => customerIdSchema.safeParse(id).success)
        .sort();
}

function stateTable(items: readonly OnboardingItem[], notified: Map<string, string> | undefined): string {
    const header = ["customer", "state", "step", "attempts", "updated", "commit", "time to onboard", ...(notified ? ["notified"] : []), "reason"];
    const rows = items.map((i) => [
        i.customerId,
        i.state,
        i.step ?? "-",
        String(i.attempts),
        i.updatedAt,
        i.commit ? i.commit.slice(0, 12) : "-",
        formatDuration(timeToOnboardMs(i)),
        ...(notified ? [notified.get(i.customerId) ?? "no"] : []),
        i.reason || "-",
    ]);
    return textTable(header, rows, 80);
}

export async function runStatus(argv: readonly string[], io: StatusIo): Promise<number> {
    const cwd = io.cwd ?? process.cwd();
    const now = io.now ?? Date.now;
    let opts: StatusOptions;
    let transport: NoticeTransport | undefined;
    try {
        opts = parseStatusArgs(argv);
        if (opts.help) {
            io.stdout(USAGE);
            return 0;
        }
        transport = io.transport === null ? undefined : (io.transport ?? transportFromEnv(io.env));
    } catch (err) {
        io.stderr(`status: ${(err as Error).message}\n`);
        return 2;
    }
    const env = opts.stack!;
    const table = opts.table ?? registryTableName(env);
    let inShard: (id: string) => boolean = () => true;
    try {
        if (opts.shard !== undefined) inShard = shardMembership(env, opts.shard);
    } catch (err) {
        io.stderr(`status: ${(err as Error).message}\n`);
        return 2;
    }
    let reg: Registry;
    try {
        reg = Registry.connect(
            { endpoint: opts.registryEndpoint, region: opts.region, table },
            {
                retryPolicy: () => defaultRetryPolicy(now(), opts.deadlineSeconds * 1000),
                onRetry: (what, attempt, err, wait) => io.stderr(`status: registry ${what}: attempt ${attempt} failed (${describe(err)}); retrying in ${wait} ms\n`),
                ...io.registryOptions,
            },
            io.env,
        );
    } catch (err) {
        io.stderr(`status: ${(err as Error).message}\n`);
        return 2;
    }
    try {
        if (opts.command === "mark") return await mark(reg, opts, io, cwd, now, transport, inShard);
        if (opts.command === "notify") return await notifyDue(reg, opts, io, now, transport);
        if (opts.deadLetters) {
            const letters = await listDeadLetters(reg);
            if (opts.json) for (const l of letters) io.stdout(`${JSON.stringify(l)}\n`);
            else {
                io.stdout(`dead letters in ${table}: ${letters.length} (${letters.filter((l) => !l.resolvedAt).length} unresolved)\n`);
                if (letters.length > 0) {
                    io.stdout(
                        textTable(
                            ["key", "purchaseId", "count", "last", "source", "resolved", "reason"],
                            letters.map((l) => [l.key.length > 30 ? `${l.key.slice(0, 29)}…` : l.key, l.purchaseId ?? "-", String(l.count), l.lastAt, l.source, l.resolvedAt ?? "no", l.reason]),
                            100,
                        ),
                    );
                }
            }
            return 0;
        }
        const items = opts.customers.length
            ? (await Promise.all(opts.customers.map((c) => readOnboarding(reg, c, env)))).filter((i): i is OnboardingItem => i !== undefined)
            : await listOnboarding(reg, env);
        const missing = opts.customers.filter((c) => !items.some((i) => i.customerId === c));
        let notified: Map<string, string> | undefined;
        if (env === NOTIFY_ENVIRONMENT) {
            notified = new Map();
            for (const i of items) {
                const m = await readNotifyMarker(reg, i.customerId, env);
                if (m) notified.set(i.customerId, m.status === "sent" ? (m.sentAt ?? "sent") : m.status);
            }
        }
        if (opts.json) {
            for (const i of items) io.stdout(`${JSON.stringify({ ...i, timeToOnboardMs: timeToOnboardMs(i) ?? null, notified: notified?.get(i.customerId) ?? null })}\n`);
        } else {
            io.stdout(`onboarding in ${env} (${table}): ${items.length} customer(s)\n`);
            if (items.length > 0) io.stdout(stateTable(items, notified));
        }
        for (const m of missing) io.stderr(`status: ${m}: no onboarding item in ${env}\n`);
        return missing.length > 0 ? 1 : 0;
    } catch (err) {
        io.stderr(`status: registry ${table}: ${describe(err)}\n`);
        return 1;
    } finally {
        reg.destroy();
    }
}

async function mark(reg: Registry, opts: StatusOptions, io: StatusIo, cwd: string, now: () => number, transport: NoticeTransport | undefined, inShard: (id: string) => boolean): Promise<number> {
    const env = opts.stack!;
    const ids = (opts.commit ? await customersInCommit(opts.commit, opts.customersDir, cwd, io.env, io.run) : opts.customers).filter(inShard);
    if (opts.commit) io.stderr(`status: commit ${opts.commit.slice(0, 12)} adds or changes ${ids.length} customer record(s)${opts.shard ? ` held by ${opts.shard}` : ""}${ids.length ? `: ${ids.join(", ")}` : ""}\n`);
    const at = opts.at ?? new Date(now()).toISOString();
    let bad = 0;
    for (const id of ids) {
        const res = await markOnboarding(reg, id, env, {
            state: opts.state!,
            at,
            ...(opts.step ? { step: opts.step } : {}),
            ...(opts.reason ? { reason: opts.reason } : {}),
            ...(opts.commit ? { commit: opts.commit } : {}),
            ...(opts.pr ? { pr: opts.pr } : {}),
        });
        const line: Record<string, unknown> = { customerId: id, environment: env, state: opts.state, outcome: res.outcome };
        if (res.outcome === "refused") {
            line.reason = res.reason;
            // A stale run losing to a newer one is the design working, not an error of this run.
            if (!res.reason.startsWith("stale")) bad++;
        } else {
            line.version = res.item.version;
            line.attempts = res.item.attempts;
            await reportCustomer(io, "status", res.item);
        }
        if (opts.state === "live" && env === NOTIFY_ENVIRONMENT && res.outcome === "written") {
            if (transport) {
                try {
                    const n = await notifyLive(reg, id, env, transport, { now, ...io.notifyDeps });
                    line.notice = n.outcome;
                    if (n.outcome === "failed") line.noticeError = n.error;
                } catch (err) {
                    line.notice = "failed";
                    line.noticeError = describe(err);
                }
                if (line.notice === "failed") bad++;
            } else {
                line.notice = "pending (no SAS_NOTIFY_WEBHOOK_URL; run `npm run status -- notify --stack prod` once configured)";
            }
        }
        io.stdout(`${JSON.stringify(line)}\n`);
    }
    if (opts.state === "deployed") await reportStep(io, "status", { environment: env, step: "deploy", deployedAt: Date.parse(at) / 1000 });
    return bad > 0 ? 1 : 0;
}

async function notifyDue(reg: Registry, opts: StatusOptions, io: StatusIo, now: () => number, transport: NoticeTransport | undefined): Promise<number> {
    const env = opts.stack!;
    if (env !== NOTIFY_ENVIRONMENT) {
        io.stderr(`status: customers are told only when live in ${NOTIFY_ENVIRONMENT}\n`);
        return 2;
    }
    if (!transport) {
        io.stderr("status: no transport configured: set SAS_NOTIFY_WEBHOOK_URL and SAS_NOTIFY_WEBHOOK_SECRET\n");
        return 2;
    }
    const ids = opts.customers.length ? opts.customers : (await listOnboarding(reg, env)).filter((i) => i.onboardedAt).map((i) => i.customerId);
    let failed = 0;
    for (const id of ids) {
        const n = await notifyLive(reg, id, env, transport, { now, ...io.notifyDeps });
        if (n.outcome === "failed") failed++;
        io.stdout(`${JSON.stringify({ customerId: id, ...n })}\n`);
    }
    return failed > 0 ? 1 : 0;
}

// One pull request per customer: branch onboard/<id> holds exactly one commit on top of the base branch that adds or
// changes customers/<id>.yaml. Built with git plumbing (a temporary index), so the working tree and the checked-out
// branch are never touched; pushed with --force-with-lease so two writers cannot silently overwrite each other.
// Pull requests go through the gh CLI (GH_TOKEN from the environment).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { customerIdSchema } from "../../components/model/customer";
import { parseCustomerFile } from "../../components/records/load";
import type { Registry } from "../lib/registry-client";
import { markOnboarding } from "../lib/registry-client";
import { describe } from "../lib/retry";
import type { IntakeOptions } from "./args";
import { writeFileAtomic } from "./records";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export type Runner = (cmd: "git" | "gh", args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string }) => Promise<RunResult>;

export const defaultRunner: Runner = (cmd, args, opts) =>
    new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        if (child.stdin) {
            child.stdin.on("error", () => undefined); // a command that exits without reading its input
            child.stdin.end(opts.input);
        }
    });

export const ONBOARDING_LABEL = "onboarding";
export const BRANCH_PREFIX = "onboard/";
const BOT = { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com" };

interface Ctx {
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
    cwd: string;
    run?: Runner;
}

class Tools {
    constructor(
        private readonly ctx: Ctx,
        private readonly root: string,
    ) {}

    private get runner(): Runner {
        return this.ctx.run ?? defaultRunner;
    }

    async git(args: string[], extraEnv: Record<string, string> = {}, input?: string): Promise<string> {
        const res = await this.runner("git", args, { cwd: this.root, env: { ...this.ctx.env, ...extraEnv }, ...(input !== undefined ? { input } : {}) });
        if (res.code !== 0) throw new Error(`git ${args[0]} failed (exit ${res.code}): ${res.stderr.trim().split("\n").slice(-2).join(" ")}`);
        return res.stdout.trim();
    }

    /** An object's content, byte for byte. */
    async show(spec: string): Promise<string> {
        const res = await this.runner("git", ["show", spec], { cwd: this.root, env: this.ctx.env });
        if (res.code !== 0) throw new Error(`git show ${spec} failed: ${res.stderr.trim()}`);
        return res.stdout;
    }

    /** A ref or object name, or "" when it does not exist. */
    async revParse(spec: string): Promise<string> {
        const res = await this.runner("git", ["rev-parse", "-q", "--verify", spec], { cwd: this.root, env: this.ctx.env });
        return res.code === 0 ? res.stdout.trim() : "";
    }

    async gh(args: string[], input?: string): Promise<string> {
        const res = await this.runner("gh", args, { cwd: this.root, env: this.ctx.env, ...(input !== undefined ? { input } : {}) });
        if (res.code !== 0) throw new Error(`gh ${args.slice(0, 2).join(" ")} failed (exit ${res.code}): ${res.stderr.trim().split("\n").slice(-2).join(" ")}`);
        return res.stdout.trim();
    }
}

async function repoRoot(ctx: Ctx): Promise<string> {
    const res = await (ctx.run ?? defaultRunner)("git", ["rev-parse", "--show-toplevel"], { cwd: ctx.cwd, env: ctx.env });
    if (res.code !== 0) throw new Error(`not inside a git repository: ${ctx.cwd}`);
    return res.stdout.trim();
}

const recordPath = (root: string, cwd: string, customersDir: string, id: string) =>
    path.relative(root, path.resolve(cwd, customersDir, `${id}.yaml`)).split(path.sep).join("/");

async function fetchRefs(tools: Tools, remote: string, base: string): Promise<void> {
    await tools.git([
        "fetch", "--no-tags", "--prune", remote,
        `+refs/heads/${base}:refs/remotes/${remote}/${base}`,
        `+refs/heads/${BRANCH_PREFIX}*:refs/remotes/${remote}/${BRANCH_PREFIX}*`,
    ]);
}

/** Markdown-escaped text for a PR body (company names are free text). */
export function mdText(s: string): string {
    return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function prTitle(id: string, companyName: string): string {
    return `Onboard ${companyName} as ${id}`.slice(0, 200);
}

export function prBody(r: { id: string; companyName: string; tier: string; purchaseId: string; outcome: string; reason: string; runUrl?: string }): string {
    return [
        `Onboarding of purchase \`${r.purchaseId}\`${r.runUrl ? ` (intake run ${r.runUrl})` : ""}.`,
        "",
        "| field | value |",
        "| --- | --- |",
        `| id | \`${r.id}\` |`,
        `| company | ${mdText(r.companyName)} |`,
        `| tier | ${r.tier} |`,
        `| intake | ${r.outcome}: ${mdText(r.reason)} |`,
        "",
        "Merging deploys the customer through dev, stage and prod (deploy.yml). Track it with",
        `\`npm run status -- --stack prod --customer ${r.id}\`.`,
        "",
        "Contact details stay in the registry (PII item); they are never part of a pull request.",
        "",
    ].join("\n");
}

interface ResultLine {
    purchaseId: string | null;
    outcome: string;
    id: string | null;
    reason: string;
}

export function readResults(text: string): ResultLine[] {
    const out: ResultLine[] = [];
    for (const line of text.split("\n")) {
        if (!line.startsWith("{")) continue; // npm's banner lines and blank lines
        try {
            const v = JSON.parse(line) as ResultLine;
            if (v && typeof v === "object" && typeof v.outcome === "string") out.push(v);
        } catch {
            // not a result line
        }
    }
    return out;
}

export interface PublishLine {
    id: string;
    branch: string;
    action: "opened" | "updated" | "unchanged" | "merged" | "failed" | "planned";
    pr: string | null;
    reason: string;
}

export async function runPublish(
    opts: IntakeOptions,
    ctx: Ctx & { now: () => number; connect: () => Registry },
): Promise<number> {
    const results = readResults(fs.readFileSync(path.resolve(ctx.cwd, opts.files[0]), "utf8"));
    const wanted = new Map<string, ResultLine>();
    for (const r of results) {
        if (r.id === null || r.outcome === "rejected" || !customerIdSchema.safeParse(r.id).success) continue;
        wanted.set(r.id, r);
    }
    const root = await repoRoot(ctx);
    const tools = new Tools(ctx, root);
    await fetchRefs(tools, opts.remote, opts.base);
    const baseCommit = await tools.revParse(`refs/remotes/${opts.remote}/${opts.base}^{commit}`);
    if (!baseCommit) throw new Error(`no branch ${opts.base} on ${opts.remote}`);
    const at = new Date(ctx.now()).toISOString();
    const registry = opts.noRegistry || opts.dryRun ? undefined : ctx.connect();
    const runUrl = ctx.env.GITHUB_RUN_ID && ctx.env.GITHUB_REPOSITORY
        ? `${ctx.env.GITHUB_SERVER_URL ?? "https://github.com"}/${ctx.env.GITHUB_REPOSITORY}/actions/runs/${ctx.env.GITHUB_RUN_ID}`
        : undefined;
    const identity = {
        GIT_AUTHOR_NAME: ctx.env.GIT_AUTHOR_NAME ?? BOT.name,
        GIT_AUTHOR_EMAIL: ctx.env.GIT_AUTHOR_EMAIL ?? BOT.email,
        GIT_COMMITTER_NAME: ctx.env.GIT_COMMITTER_NAME ?? BOT.name,
        GIT_COMMITTER_EMAIL: ctx.env.GIT_COMMITTER_EMAIL ?? BOT.email,
    };
    const lines: PublishLine[] = [];
    let labelReady = false;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-publish-"));
    try {
        for (const [id, result] of [...wanted.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
            const branch = `${BRANCH_PREFIX}${id}`;
            const rel = recordPath(root, ctx.cwd, opts.customersDir, id);
            const line: PublishLine = { id, branch, action: "failed", pr: null, reason: "" };
            lines.push(line);
            try {
                const full = path.join(root, rel);
                if (!fs.existsSync(full)) throw new Error(`${rel} does not exist`);
                const parsed = parseCustomerFile(rel, fs.readFileSync(full, "utf8"));
                if (!parsed.customer) throw new Error(`${rel} is not a valid record`);
                const blob = await tools.git(["hash-object", "-w", "--", rel]);
                if ((await tools.revParse(`${baseCommit}:${rel}`)) === blob) {
                    Object.assign(line, { action: "merged", reason: `${rel} is already on ${opts.base}` });
                    continue;
                }
                const remoteRef = `refs/remotes/${opts.remote}/${branch}`;
                const old = await tools.revParse(`${remoteRef}^{commit}`);
                const upToDate = old !== "" && (await tools.revParse(`${old}:${rel}`)) === blob;
                if (opts.dryRun) {
                    Object.assign(line, { action: "planned", reason: upToDate ? "branch up to date; would ensure the pull request" : `would push ${branch} and open or update its pull request` });
                    continue;
                }
                const listOpen = async () =>
                    JSON.parse(
                        (await tools.gh(["pr", "list", "--head", branch, "--base", opts.base, "--state", "open", "--json", "number,url", "--limit", "1"])) || "[]",
                    ) as { number: number; url: string }[];
                let open = await listOpen();
                // A branch of the same name for another purchase: overwrite it only when its pull request is closed
                // (an abandoned onboarding); an open one means the ids collided, which intake pending should prevent.
                if (old && !upToDate) {
                    const theirs = parseCustomerFile(rel, (await tools.revParse(`${old}:${rel}`)) ? await tools.show(`${old}:${rel}`) : "").customer;
                    if (theirs && theirs.purchaseId !== parsed.customer.purchaseId && open.length > 0) {
                        throw new Error(`${branch} has an open pull request for purchase ${theirs.purchaseId}; not overwritten (run intake pending first)`);
                    }
                    if (theirs && theirs.purchaseId !== parsed.customer.purchaseId) open = [];
                }
                let head = old;
                if (!upToDate) {
                    const index = path.join(tmp, `index-${id}`);
                    const env = { GIT_INDEX_FILE: index };
                    await tools.git(["read-tree", baseCommit], env);
                    await tools.git(["update-index", "--add", "--cacheinfo", `100644,${blob},${rel}`], env);
                    const tree = await tools.git(["write-tree"], env);
                    const message = `Onboard ${id} (purchase ${parsed.customer.purchaseId})\n\nWritten by npm run intake (${result.outcome}).\n`;
                    head = await tools.git(["commit-tree", tree, "-p", baseCommit, "-F", "-"], identity, message);
                    await tools.git(["push", `--force-with-lease=refs/heads/${branch}:${old}`, opts.remote, `${head}:refs/heads/${branch}`]);
                }
                if (!labelReady) {
                    await tools.gh(["label", "create", ONBOARDING_LABEL, "--color", "0E8A16", "--description", "A customer onboarding from npm run intake", "--force"]);
                    labelReady = true;
                }
                const c = parsed.customer;
                const title = prTitle(id, c.companyName);
                const body = prBody({ id, companyName: c.companyName, tier: c.tier, purchaseId: c.purchaseId, outcome: result.outcome, reason: result.reason, ...(runUrl ? { runUrl } : {}) });
                if (open.length > 0) {
                    await tools.gh(["pr", "edit", String(open[0].number), "--title", title, "--body-file", "-", "--add-label", ONBOARDING_LABEL], body);
                    Object.assign(line, { action: upToDate ? "unchanged" : "updated", pr: open[0].url, reason: upToDate ? "branch already up to date" : `pushed ${head.slice(0, 12)}` });
                } else {
                    const url = (await tools.gh(["pr", "create", "--base", opts.base, "--head", branch, "--title", title, "--body-file", "-", "--label", ONBOARDING_LABEL], body)).split("\n").pop() ?? "";
                    Object.assign(line, { action: "opened", pr: url, reason: `pushed ${head.slice(0, 12)}` });
                }
                if (registry) {
                    const res = await markOnboarding(registry, id, opts.environment, { state: "recorded", at, commit: head, ...(line.pr ? { pr: line.pr } : {}) });
                    if (res.outcome === "refused") line.reason += `; state kept (${res.reason})`;
                }
            } catch (err) {
                Object.assign(line, { action: "failed", reason: describe(err) });
                if (registry) {
                    try {
                        await markOnboarding(registry, id, opts.environment, { state: "failed", step: "recorded", reason: `pull request: ${describe(err)}`.slice(0, 500), at });
                    } catch (markErr) {
                        line.reason += `; state not recorded: ${describe(markErr)}`;
                    }
                }
            }
        }
    } finally {
        registry?.destroy();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    for (const l of lines) ctx.stdout(`${JSON.stringify(l)}\n`);
    const failed = lines.filter((l) => l.action === "failed");
    ctx.stderr(`intake publish: ${lines.length} customer(s): ${["opened", "updated", "unchanged", "merged", "planned", "failed"].map((a) => `${lines.filter((l) => l.action === a).length} ${a}`).join(", ")}\n`);
    return failed.length > 0 ? 1 : 0;
}

/** Copies the record of every open onboarding pull request into the customers directory (see USAGE: pending). */
export async function materializePending(opts: IntakeOptions, ctx: Ctx): Promise<number> {
    const root = await repoRoot(ctx);
    const tools = new Tools(ctx, root);
    await fetchRefs(tools, opts.remote, opts.base);
    const open = JSON.parse(
        (await tools.gh(["pr", "list", "--label", ONBOARDING_LABEL, "--base", opts.base, "--state", "open", "--json", "headRefName", "--limit", "1000"])) || "[]",
    ) as { headRefName: string }[];
    let copied = 0;
    for (const { headRefName } of open) {
        if (!headRefName.startsWith(BRANCH_PREFIX)) continue;
        const id = headRefName.slice(BRANCH_PREFIX.length);
        if (!customerIdSchema.safeParse(id).success) continue;
        const rel = recordPath(root, ctx.cwd, opts.customersDir, id);
        const spec = `refs/remotes/${opts.remote}/${headRefName}:${rel}`;
        if (!(await tools.revParse(spec))) {
            ctx.stderr(`intake pending: ${headRefName} has no ${rel}; skipped\n`);
            continue;
        }
        const text = await tools.show(spec);
        const full = path.join(root, rel);
        if (fs.existsSync(full) && fs.readFileSync(full, "utf8") === text) continue;
        writeFileAtomic(full, text);
        copied++;
        ctx.stderr(`intake pending: ${rel} from open pull request branch ${headRefName}\n`);
    }
    ctx.stderr(`intake pending: ${open.length} open onboarding pull request(s), ${copied} record(s) copied\n`);
    return 0;
}

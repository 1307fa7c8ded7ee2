// Shared pieces of the intake/status tests: running the CLIs in-process, a real git repository in a temp directory,
// and fast retry policies for the real (dynalite) registry.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runIntake, type IntakeIo, type IntakeLine } from "../../../scripts/intake/main";
import { runStatus, type StatusIo } from "../../../scripts/status/main";
import type { RegistryOptions } from "../../../scripts/lib/registry-client";

export const FAST_RETRY: RegistryOptions = {
    retryPolicy: () => ({ attempts: 4, baseDelayMs: 5, maxDelayMs: 20, deadline: Date.now() + 5_000 }),
};

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

export async function intake(args: string[], io: Partial<IntakeIo> = {}): Promise<CliRun & { lines: IntakeLine[] }> {
    let stdout = "";
    let stderr = "";
    const code = await runIntake(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, registryOptions: FAST_RETRY, ...io });
    const lines = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as IntakeLine);
    return { code, stdout, stderr, lines };
}

export async function status(args: string[], io: Partial<StatusIo> = {}): Promise<CliRun & { json: Record<string, unknown>[] }> {
    let stdout = "";
    let stderr = "";
    const code = await runStatus(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, registryOptions: FAST_RETRY, transport: null, ...io });
    const json = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code, stdout, stderr, json };
}

export const GIT_ENV = {
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@localhost",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@localhost",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: os.tmpdir(),
    PATH: process.env.PATH ?? "",
};

export function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A git repository in a temp dir with customers/ holding the given files, committed on main. */
export function tempRepo(files: Record<string, string> = {}): { dir: string; customers: string; cleanup(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-intake-repo-"));
    git(dir, "init", "-q", "-b", "main");
    fs.mkdirSync(path.join(dir, "customers"));
    fs.writeFileSync(path.join(dir, "customers", ".gitkeep"), "");
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, "customers", name), text);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "initial");
    return { dir, customers: path.join(dir, "customers"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (recursively, .git excluded) with its content. */
export function filesUnder(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (e.name === ".git") continue;
            const full = path.join(d, e.name);
            if (e.isDirectory()) walk(full);
            else out.set(path.relative(dir, full), fs.readFileSync(full, "utf8"));
        }
    };
    walk(dir);
    return out;
}

export function assertNoneOf(haystack: string, needles: readonly string[], where: string): void {
    for (const n of needles) assert.ok(!haystack.includes(n), `${where} contains "${n}"`);
}

export const REPO_CUSTOMERS = path.resolve(__dirname, "..", "..", "..", "customers");
export const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "intake");

// Where verify's inputs come from outside the process: stack outputs and the commit being verified.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { parseStackOutputs, type StackOutputs } from "./outputs";

export function readOutputsFile(file: string): StackOutputs {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`--outputs ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    return parseStackOutputs(file, text);
}

export function readStackOutputs(stack: string): StackOutputs {
    const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
    let text: string;
    try {
        text = execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
        const e = err as { stderr?: string; code?: string };
        const detail = e.code === "ENOENT" ? "the pulumi CLI is not on PATH" : (e.stderr ?? String(err)).trim();
        throw new Error(`\`pulumi ${args.join(" ")}\` failed: ${detail}`);
    }
    return parseStackOutputs(`\`pulumi stack output --stack ${stack}\``, text);
}

export function resolveCommit(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    if (flag) return flag;
    if (env.GITHUB_SHA) return env.GITHUB_SHA;
    try {
        return execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        throw new Error("cannot tell which commit is verified: pass --commit <sha>, set GITHUB_SHA, or run inside the git checkout");
    }
}

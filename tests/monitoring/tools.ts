// Finds promtool, amtool and alertmanager for the monitoring tests: each is built once per version from its Go
// wrapper module by tests/harness/build/build-promtool.sh or build-amtool.sh (cached under
// ~/.cache/sas-onboarding/<tool>/<version>/). Without Go to build a missing one, the suite fails when CI=true and
// skips loudly elsewhere, like tests/workflows/actionlint.test.ts; any other build failure always fails.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export type GoTool = "promtool" | "amtool" | "alertmanager" | "crdcheck";

/** Which build script builds a tool, and with which argument. */
const BUILD: Record<GoTool, [string, string[]]> = {
    promtool: ["tests/harness/build/build-promtool.sh", []],
    crdcheck: ["tests/harness/build/build-promtool.sh", ["crdcheck"]],
    amtool: ["tests/harness/build/build-amtool.sh", []],
    alertmanager: ["tests/harness/build/build-amtool.sh", ["alertmanager"]],
};

function onPath(bin: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

/** Builds (when missing) and returns the tool's path; fails in CI, skips locally when it cannot be had. */
export function requireGoTool(ctx: Mocha.Context, tool: GoTool): string {
    const [rel, args] = BUILD[tool];
    const script = path.join(ROOT, rel);
    const res = spawnSync("bash", [script, ...args], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const bin = res.stdout.trim();
    if (res.status === 0 && bin && fs.existsSync(bin)) return bin;
    if (onPath("go")) {
        // Go is there and the build still failed: a real error (a bad version, a compile failure), never a skip.
        throw new Error(`${path.relative(ROOT, script)} exited ${res.status} (its output is above)`);
    }
    const why = `the Go toolchain (go), needed to build ${tool}: https://go.dev/dl`;
    if (process.env.CI === "true") throw new Error(`missing ${why}`);
    console.warn(`\n!!! SKIPPING ${tool} tests: missing ${why}\n`);
    ctx.skip();
}

export interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
    output: string;
}

export function run(bin: string, args: string[], opts: { cwd?: string; input?: string } = {}): Run {
    const res = spawnSync(bin, args, { cwd: opts.cwd, input: opts.input, encoding: "utf8", timeout: 120_000 });
    if (res.error) throw res.error;
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, output: `${res.stdout}${res.stderr}` };
}

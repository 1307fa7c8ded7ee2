// How the program can be run, and one measured run of it in a fresh process under GNU time.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RESULT_PREFIX, type ChildRequest, type ChildResult } from "./protocol";
import { parseTimeV, type TimeReport } from "./time-v";

export const GNU_TIME = "/usr/bin/time";

export type ModeName = "ts-node" | "ts-node-transpile-only" | "precompiled" | "precompiled+source-maps" | "strip-types";

export interface Mode {
    name: ModeName;
    /** What a reader should know about it, for the table legend. */
    description: string;
}

export const MODES: readonly Mode[] = [
    { name: "ts-node", description: "`node -r ts-node/register` (type-checks; Pulumi's default for a TypeScript main without `noCheck`)" },
    {
        name: "ts-node-transpile-only",
        description: "`node -r ts-node/register/transpile-only` (PULUMI_NODEJS_TRANSPILE_ONLY=true or `noCheck` in tsconfig)",
    },
    { name: "precompiled", description: "`tsc` to JavaScript first, then plain `node child.js`" },
    {
        name: "precompiled+source-maps",
        description:
            "precompiled JavaScript with `-r source-map-support/register`, as `pulumi up` runs a JS main (@pulumi/pulumi/cmd/run/index.js loads it unconditionally)",
    },
    { name: "strip-types", description: "`node child.ts` with Node 24's built-in type stripping" },
];

/** Extra Node flags and environment for one variant of a mode (the GC / stack-trace knobs). */
export interface Knobs {
    label: string;
    nodeFlags: string[];
    env?: Record<string, string>;
}

export const DEFAULT_KNOBS: Knobs = { label: "defaults", nodeFlags: [] };

export interface Layout {
    projectRoot: string;
    /** Output of `tsc -p bench/tsconfig.json`, with node_modules and non-TypeScript files mirrored in. */
    compiledRoot?: string;
}

export interface RunSpec {
    mode: ModeName;
    knobs: Knobs;
    request: ChildRequest;
    /** Extra node flags that are not knobs (e.g. --cpu-prof), kept out of labels. */
    extraFlags?: string[];
    timeoutMs?: number;
}

export interface RunOutcome {
    spec: RunSpec;
    ok: boolean;
    /** First lines of stderr when the run failed, so the report can say exactly why. */
    error?: string;
    child?: ChildResult;
    time?: TimeReport;
    wallMs: number;
    loadAvg: number;
}

/** The argv (after `node`) that runs the child in a mode. Pure, so the test can check every mode's command. */
export function childArgv(mode: ModeName, layout: Layout, flags: readonly string[]): { args: string[]; cwd: string } {
    const tsChild = path.join(layout.projectRoot, "bench", "child.ts");
    const jsChild = () => {
        if (!layout.compiledRoot) throw new Error(`mode ${mode} needs the compiled tree (bench/tsconfig.json); compile first`);
        return path.join(layout.compiledRoot, "bench", "child.js");
    };
    switch (mode) {
        case "ts-node":
            return { args: [...flags, "-r", "ts-node/register", tsChild], cwd: layout.projectRoot };
        case "ts-node-transpile-only":
            return { args: [...flags, "-r", "ts-node/register/transpile-only", tsChild], cwd: layout.projectRoot };
        case "precompiled":
            return { args: [...flags, jsChild()], cwd: layout.compiledRoot! };
        case "precompiled+source-maps":
            return { args: [...flags, "-r", "source-map-support/register", jsChild()], cwd: layout.compiledRoot! };
        case "strip-types":
            // Explicit flag: the default on Node >= 23.6, but stating it keeps the command honest on older 22.x.
            return { args: [...flags, "--experimental-strip-types", tsChild], cwd: layout.projectRoot };
    }
}

export async function runChild(spec: RunSpec, layout: Layout): Promise<RunOutcome> {
    const timeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sas-bench-time-")), "time.txt");
    const { args, cwd } = childArgv(spec.mode, layout, [...spec.knobs.nodeFlags, ...(spec.extraFlags ?? [])]);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...spec.knobs.env,
        SAS_BENCH_REQUEST: JSON.stringify(spec.request),
        // ts-node must use the project's tsconfig wherever the child starts.
        TS_NODE_PROJECT: path.join(layout.projectRoot, "tsconfig.json"),
    };
    delete env.NODE_OPTIONS;
    const loadAvg = os.loadavg()[0];
    const started = process.hrtime.bigint();
    // Without GNU time (Debian package "time") the child's own getrusage figures are used; the report says which.
    const [cmd, argv]: [string, string[]] = fs.existsSync(GNU_TIME) ? [GNU_TIME, ["-v", "-o", timeFile, process.execPath, ...args]] : [process.execPath, args];
    const proc = spawn(cmd, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), spec.timeoutMs ?? 600_000);
    const code = await new Promise<number | null>((resolve) => proc.on("close", (c) => resolve(c)));
    clearTimeout(timer);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    let time: TimeReport | undefined;
    try {
        time = parseTimeV(fs.readFileSync(timeFile, "utf8"));
    } catch {
        time = undefined;
    }
    fs.rmSync(path.dirname(timeFile), { recursive: true, force: true });
    const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
    if (code !== 0 || !line) {
        const why = firstErrorLines(stderr) || `exit code ${code}${code === null ? " (killed: timeout)" : ""}, no result line`;
        return { spec, ok: false, error: why, time, wallMs, loadAvg };
    }
    return { spec, ok: true, child: JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult, time, wallMs, loadAvg };
}

/** The line that names what went wrong: a thrown Error, or V8 giving up (heap out of memory). */
export const ERROR_LINE = /^(\w*Error\b|FATAL ERROR)/;

/** The informative part of a Node error on stderr: the error line and the source excerpt above it. */
export function firstErrorLines(stderr: string, max = 8): string {
    const noise = /^\(node:\d+\) \[MODULE_TYPELESS_PACKAGE_JSON\]|ExperimentalWarning|^\(Use `node --trace-warnings|To eliminate this warning/;
    const lines = stderr.split("\n").filter((l) => l.trim() && !noise.test(l));
    const errorAt = lines.findIndex((l) => ERROR_LINE.test(l.trim()));
    const start = errorAt === -1 ? 0 : Math.max(0, errorAt - 4);
    return lines.slice(start, start + max).join("\n");
}

// The "precompiled" run mode's build: `tsc -p bench/tsconfig.json --outDir <tmp>`, then the pieces the
// JavaScript needs at run time next to it (node_modules, stack files, non-TypeScript assets read via __dirname).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface CompileResult {
    outDir: string;
    ms: number;
    /** tsc diagnostics (type errors do not block emit: see bench/tsconfig.json). */
    diagnostics: string[];
}

/** Folders whose non-TypeScript files the program may read relative to its own __dirname. */
const ASSET_DIRS = ["components", "stacks", "infra", "policy", "tests/harness", "customers"];
const SKIP = new Set(["node_modules", ".git", "out", "bin"]);

function copyAssets(from: string, to: string): void {
    if (!fs.existsSync(from)) return;
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        if (SKIP.has(entry.name)) continue;
        const src = path.join(from, entry.name);
        const dst = path.join(to, entry.name);
        if (entry.isDirectory()) copyAssets(src, dst);
        else if (entry.isFile() && !entry.name.endsWith(".ts")) {
            fs.mkdirSync(to, { recursive: true });
            fs.copyFileSync(src, dst);
        }
    }
}

export function compileProgram(projectRoot: string, outDir: string): CompileResult {
    const tsc = path.join(projectRoot, "node_modules", "typescript", "bin", "tsc");
    const started = Date.now();
    const res = spawnSync(process.execPath, [tsc, "-p", path.join(projectRoot, "bench", "tsconfig.json"), "--outDir", outDir], {
        cwd: projectRoot,
        encoding: "utf8",
    });
    const ms = Date.now() - started;
    const child = path.join(outDir, "bench", "child.js");
    if (!fs.existsSync(child)) {
        throw new Error(`bench/tsconfig.json: tsc emitted no ${path.relative(outDir, child)} (exit ${res.status}):\n${res.stdout}${res.stderr}`);
    }
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(outDir, "node_modules"), "dir");
    for (const name of fs.readdirSync(projectRoot)) {
        if (/^Pulumi(\..+)?\.yaml$/.test(name) || name === "package.json") fs.copyFileSync(path.join(projectRoot, name), path.join(outDir, name));
    }
    for (const dir of ASSET_DIRS) copyAssets(path.join(projectRoot, dir), path.join(outDir, dir));
    const diagnostics = (res.stdout + res.stderr).split("\n").filter((l) => /error TS\d+/.test(l));
    return { outDir, ms, diagnostics };
}

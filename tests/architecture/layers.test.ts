// The layers, bottom up, and the one direction imports may run. A new folder must be placed in a layer here, or this
// test fails: nobody adds code that no rule covers.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../../components/model/project";

interface Layer {
    name: string;
    match: RegExp;
    /** Layers this one may import (besides itself). */
    may: readonly string[];
}

const PRODUCT = ["model", "records", "tenant", "settings", "platform", "program"];
export const LAYERS: readonly Layer[] = [
    { name: "model", match: /^components\/model\//, may: [] },
    { name: "records", match: /^components\/records\//, may: ["model"] },
    { name: "tenant", match: /^components\/tenant\//, may: ["model"] },
    { name: "settings", match: /^stacks\//, may: ["model"] },
    { name: "platform", match: /^infra\//, may: ["model", "settings"] },
    { name: "program", match: /^(program|index)\.ts$/, may: ["model", "records", "tenant", "settings", "platform"] },
    { name: "policy", match: /^policy\//, may: ["model"] },
    { name: "harness", match: /^tests\/harness\//, may: [...PRODUCT] },
    // monitoring/render.ts writes the committed alerting and dashboard files from the model's builders.
    { name: "tools", match: /^(scripts|monitoring)\//, may: [...PRODUCT, "harness"] },
    { name: "bench", match: /^bench\//, may: [...PRODUCT, "harness", "tools"] },
    { name: "tests", match: /^tests\//, may: [...PRODUCT, "policy", "harness", "tools", "bench"] },
];

const SKIP_DIRS = new Set(["node_modules", ".git", "out", "bin", "fixtures", "go"]);

function sourceFiles(dir = PROJECT_ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith(".") ? [] : sourceFiles(full);
        return e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

const rel = (file: string) => path.relative(PROJECT_ROOT, file).split(path.sep).join("/");
export const layerOf = (relFile: string): Layer | undefined => LAYERS.find((l) => l.match.test(relFile));

/** Project files a file imports (import, export from, require, import()), resolved to .ts files. */
export function projectImports(file: string, text = fs.readFileSync(file, "utf8")): string[] {
    const info = ts.preProcessFile(text, true, true);
    return info.importedFiles
        .map((f) => f.fileName)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => {
            const base = path.resolve(path.dirname(file), spec);
            const hit = [base, `${base}.ts`, path.join(base, "index.ts")].find((c) => c.endsWith(".ts") && fs.existsSync(c));
            return hit;
        })
        .filter((f): f is string => f !== undefined);
}

/** Import cycles between files (strongly connected components with more than one file, or a self-import). */
export function importCycles(graph: Map<string, string[]>): string[][] {
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const out: string[][] = [];
    const visit = (v: string) => {
        idx.set(v, index);
        low.set(v, index++);
        stack.push(v);
        on.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!idx.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
        if (low.get(v) === idx.get(v)) {
            const scc: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                on.delete(w);
                scc.push(w);
            } while (w !== v);
            if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
        }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    return out;
}

describe("architecture: layers and imports", () => {
    const files = sourceFiles();
    const graph = new Map(files.map((f) => [rel(f), projectImports(f).map(rel)]));

    it("finds the project's files and places every one in a layer", () => {
        assert.ok(files.length > 100, `only ${files.length} files found`);
        const unplaced = [...graph.keys()].filter((f) => !layerOf(f));
        assert.deepEqual(unplaced, [], "files outside every layer: add their folder to LAYERS");
    });

    it("imports run only downwards (or within a layer)", () => {
        const upward: string[] = [];
        for (const [from, targets] of graph) {
            const a = layerOf(from)!;
            for (const to of targets) {
                const b = layerOf(to);
                if (b && b !== a && !a.may.includes(b.name)) upward.push(`${from} (${a.name}) imports ${to} (${b.name})`);
            }
        }
        assert.deepEqual(upward, []);
    });

    it("the model and the manifests stay pure: zod, yaml, node built-ins, and Pulumi types by type-only import", () => {
        const allowed = /^(zod|yaml|node:.+|@pulumi\/kubernetes|@pulumi\/pulumi)$/;
        const bad: string[] = [];
        for (const f of files.filter((f) => /^components\/(model|tenant)\/(?!customer-site)/.test(rel(f)))) {
            const text = fs.readFileSync(f, "utf8");
            const info = ts.preProcessFile(text, true, true);
            for (const spec of info.importedFiles.map((i) => i.fileName).filter((s) => !s.startsWith("."))) {
                if (!allowed.test(spec)) bad.push(`${rel(f)} imports ${spec}`);
            }
            if (/^import\s+(?!type\b)[^;]*from\s+["']@pulumi\//m.test(text)) bad.push(`${rel(f)} imports @pulumi at run time (use import type)`);
        }
        assert.deepEqual(bad, []);
    });

    it("no file imports another in a loop", () => {
        assert.deepEqual(importCycles(graph), []);
    });

    it("the checks can fail: an upward import and a loop are both found", () => {
        const tenant = path.join(PROJECT_ROOT, "components", "tenant", "manifests.ts");
        const fake = projectImports(path.join(PROJECT_ROOT, "components", "model", "names.ts"), 'import { x } from "../tenant/manifests";');
        assert.deepEqual(fake.map(rel), [rel(tenant)]);
        const from = layerOf("components/model/names.ts")!;
        assert.equal(from.may.includes(layerOf(rel(tenant))!.name), false);
        assert.deepEqual(importCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])), [["a", "b", "c"]]);
    });
});

// Shared by the outside judges of the rendered objects (kube-score.test.ts, trivy.test.ts): finding their Go-built
// binaries, and the committed, reasoned ignore lists under policy/ that say which of their findings the project accepts.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { requireRealPart } from "../harness/real-part";
import type { KubeObject } from "../harness/realparts/kube-client";
import { REPO_ROOT, STACKS, renderStack, type StackName } from "../support/rendered";

function onPath(bin: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

/**
 * Runs a build script of tests/harness/build/ (it builds the tool when missing, cached per version, and prints its
 * path) and returns the path, or why the tool cannot be had (no Go: for requireRealPart). With Go present, a failed
 * build is an error, never a skip.
 */
export function locateGoTool(buildScript: string, tool: string): { bin: string } | { missing: string } {
    const res = spawnSync("bash", [path.join(REPO_ROOT, buildScript)], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const bin = (res.stdout ?? "").trim();
    if (res.status === 0 && bin && fs.existsSync(bin)) return { bin };
    if (onPath("go")) throw new Error(`${buildScript} exited ${res.status} (its output is above)`);
    return { missing: `the Go toolchain (go), needed to build ${tool}: https://go.dev/dl (then bash ${buildScript})` };
}

/** One finding of a judge about one rendered object. */
export interface Finding {
    /** The judge's check id (kube-score: container-resources; Trivy: KSV-0041). */
    check: string;
    kind: string;
    /** `<namespace>/<name>`, or `<name>` for a cluster-scoped object. */
    object: string;
    /** What exactly: kube-score's container path and summary, Trivy's severity and message. */
    detail: string;
}

export const ignoreFileSchema = z.strictObject({
    ignores: z.array(
        z.strictObject({
            check: z.string().regex(/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/, { error: "a check id of the judge (kube-score list; Trivy KSV-nnnn)" }),
            kind: z.string().regex(/^([A-Z][A-Za-z]+|\*)$/, { error: "an object kind such as Deployment, or * for any" }),
            object: z.string().regex(/^([a-z0-9*.-]+\/)?[a-z0-9*.-]+$/, { error: "a glob over <namespace>/<name> (or <name>, cluster-scoped)" }),
            reason: z.string().trim().min(80, { error: "a reason of at least a sentence or two: why accepted, not fixed" }),
        }),
    ),
});
export type IgnoreEntry = z.infer<typeof ignoreFileSchema>["ignores"][number];

/** Reads and validates an ignore list (a path relative to the repository root). */
export function readIgnoreFile(rel: string): IgnoreEntry[] {
    const parsed = ignoreFileSchema.safeParse(parse(fs.readFileSync(path.join(REPO_ROOT, rel), "utf8")));
    if (!parsed.success) throw new Error(`${rel}: ${z.prettifyError(parsed.error)}`);
    return parsed.data.ignores;
}

/** `*` matches within one segment of `<namespace>/<name>`; everything else literally. */
export function globMatches(glob: string, value: string): boolean {
    const re = new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join("[^/]*")}$`);
    return re.test(value);
}

export function ignoredBy(entries: readonly IgnoreEntry[], f: Finding): IgnoreEntry | undefined {
    return entries.find((e) => e.check === f.check && (e.kind === "*" || e.kind === f.kind) && globMatches(e.object, f.object));
}

/** The entries that match no finding at all: stale acceptances, which the tests refuse. */
export function staleEntries(entries: readonly IgnoreEntry[], findings: readonly Finding[]): IgnoreEntry[] {
    return entries.filter((e) => !findings.some((f) => ignoredBy([e], f)));
}

export const showFinding = (f: Finding) => `${f.check} ${f.kind} ${f.object}: ${f.detail}`;
export const objectRef = (m: { name: string; namespace?: string }) => (m.namespace ? `${m.namespace}/${m.name}` : m.name);

export interface JudgedStacks {
    /** The judge's binary (set in the suite's before hook). */
    bin(): string;
    ignores(): IgnoreEntry[];
    /** Every stack's rendered objects (out/<stack>/objects.json). */
    rendered(stack: StackName): KubeObject[];
}

/**
 * The part every outside judge shares, inside the caller's describe(): build or find the judge, render every stack,
 * judge it with `judge`, then one test per stack (no finding outside the ignore list, and something to judge) and
 * one that no ignore entry has gone stale. The caller adds its own negative controls with the returned accessors.
 */
export function judgeEveryStack(opts: {
    tool: string;
    buildScript: string;
    ignoreFile: string;
    /** What the gate counts, for messages: "kube-score CRITICAL findings". */
    what: string;
    judge: (bin: string, objects: KubeObject[]) => Finding[];
}): JudgedStacks {
    let bin = "";
    let ignores: IgnoreEntry[] = [];
    const findings = new Map<StackName, Finding[]>();
    const rendered = new Map<StackName, KubeObject[]>();

    before(async function () {
        const found = locateGoTool(opts.buildScript, opts.tool);
        requireRealPart(this, "missing" in found ? found.missing : undefined);
        if ("bin" in found) bin = found.bin;
        ignores = readIgnoreFile(opts.ignoreFile);
        for (const stack of STACKS) {
            const { objects } = await renderStack(stack);
            rendered.set(stack, objects);
            findings.set(stack, opts.judge(bin, objects));
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: nothing outside ${opts.ignoreFile}`, function () {
            assert.ok(rendered.get(stack)!.some((o) => o.kind === "Deployment"), `out/${stack}/objects.json has no Deployment to judge`);
            const open = findings.get(stack)!.filter((f) => !ignoredBy(ignores, f));
            assert.deepEqual(open.map(showFinding), [], `out/${stack}/objects.json: ${opts.what}; fix the builder, or accept one in ${opts.ignoreFile} with a reason`);
        });
    }

    it(`every entry of ${opts.ignoreFile} still matches a finding of some stack (no stale acceptances)`, function () {
        const stale = staleEntries(ignores, [...findings.values()].flat());
        assert.deepEqual(stale.map((e) => `${e.check} ${e.kind} ${e.object}`), [], `${opts.ignoreFile}: these entries match no finding any more; remove them`);
    });

    return { bin: () => bin, ignores: () => ignores, rendered: (stack) => rendered.get(stack)! };
}

// Which (mode, size, phase, knobs) combinations a run measures. The expensive ones are capped so that the full bench
// stays under 15 minutes on a 2-core machine; every cap is visible in the report, never silent.
import type { Knobs, ModeName } from "./modes";
import { DEFAULT_KNOBS } from "./modes";

export type Phase = "update" | "preview";

export interface PlannedRun {
    mode: ModeName;
    size: number;
    phase: Phase;
    knobs: Knobs;
}

/** The Node flag that makes the SDK's per-promise `new Error().stack` cheap (see docs/BENCHMARKS.md, profile). */
export const RECOMMENDED: Knobs = { label: "--stack-trace-limit=0", nodeFlags: ["--stack-trace-limit=0"] };

/** Above this many customers a run needs more than Node's default heap (about 4 GiB on this machine). */
export const BIG_HEAP: Knobs = {
    label: "--stack-trace-limit=0 --max-old-space-size=12288",
    nodeFlags: ["--stack-trace-limit=0", "--max-old-space-size=12288"],
};

/** The 1.5 GiB memory target as a hard heap cap: does the program fit at all? */
export const CAPPED_HEAP: Knobs = {
    label: "--stack-trace-limit=0 --max-old-space-size=1536",
    nodeFlags: ["--stack-trace-limit=0", "--max-old-space-size=1536"],
};

/**
 * GC and stack-trace variants, each run at one size in the precompiled mode (update). The defaults and
 * --stack-trace-limit=0 runs of the evaluation matrix at the same size are the reference rows.
 */
export const KNOB_VARIANTS: readonly Knobs[] = [
    { label: "PULUMI_DEBUG_PROMISE_LEAKS=1", nodeFlags: [], env: { PULUMI_DEBUG_PROMISE_LEAKS: "1" } },
    { label: "--max-semi-space-size=64", nodeFlags: ["--max-semi-space-size=64"] },
    { label: "--stack-trace-limit=0 --max-semi-space-size=64", nodeFlags: ["--stack-trace-limit=0", "--max-semi-space-size=64"] },
    // Most of the peak heap is garbage from in-flight registrations: a cap makes V8 collect it earlier.
    CAPPED_HEAP,
];

/** Sizes up to this run in every mode; larger ones only in the fast modes, last, within the time budget. */
export const LARGE = 1000;

/**
 * The evaluation matrix, in the order it runs. Small sizes: every mode, both phases for the two common ones. At LARGE:
 * precompiled (both phases), and each slower mode with and without the recommended flag; ts-node with type checking
 * is left out there (its type check is a fixed cost, measured at the small sizes). Above LARGE: precompiled within
 * the 1.5 GiB target as a heap cap, then precompiled and ts-node transpile-only with the recommended flag and a heap
 * large enough to finish. strip-types runs once at the
 * smallest size: it either works or fails at module load.
 */
export function evalPlan(sizes: readonly number[]): PlannedRun[] {
    const runs: PlannedRun[] = [];
    const add = (mode: ModeName, size: number, phase: Phase, knobs: Knobs = DEFAULT_KNOBS) => runs.push({ mode, size, phase, knobs });
    if (sizes.length > 0) add("strip-types", sizes[0], "update");
    for (const size of sizes) {
        if (size < LARGE) {
            add("precompiled", size, "update");
            add("precompiled", size, "preview");
            add("ts-node-transpile-only", size, "update");
            add("ts-node-transpile-only", size, "preview");
            add("ts-node", size, "update");
            add("precompiled+source-maps", size, "update");
        } else if (size === LARGE) {
            add("precompiled", size, "update");
            add("precompiled", size, "preview");
            add("precompiled", size, "update", RECOMMENDED);
            add("ts-node-transpile-only", size, "update");
            add("ts-node-transpile-only", size, "update", RECOMMENDED);
            add("precompiled+source-maps", size, "update");
            add("precompiled+source-maps", size, "update", RECOMMENDED);
        } else {
            add("precompiled", size, "update", CAPPED_HEAP);
            add("precompiled", size, "update", BIG_HEAP);
            add("ts-node-transpile-only", size, "update", BIG_HEAP);
        }
    }
    return runs;
}

/**
 * Predicted wall seconds of a run from the largest smaller run in the same mode and knobs: its fixed part (process
 * boot, module loading outside the evaluation) plus its evaluation time scaled linearly in customers.
 */
export function predictSeconds(run: PlannedRun, done: readonly { run: PlannedRun; wallS: number; evalS: number }[]): number | undefined {
    const flags = (k: Knobs) => k.nodeFlags.filter((f) => !f.startsWith("--max-old-space-size")).join(" ");
    // Below 100 customers a run is mostly fixed cost (boot, module loading) and scales to nothing useful.
    const same = done.filter((d) => d.run.mode === run.mode && flags(d.run.knobs) === flags(run.knobs) && d.run.size < run.size && d.run.size >= 100);
    if (same.length === 0) return undefined;
    const ref = same.reduce((a, b) => (b.run.size > a.run.size ? b : a));
    return ref.wallS - ref.evalS + (ref.evalS * run.size) / ref.run.size;
}

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

/** GC and stack-trace variants, each run at one size in the precompiled mode (update), against the defaults. */
export const KNOB_VARIANTS: readonly Knobs[] = [
    DEFAULT_KNOBS,
    { label: "PULUMI_DEBUG_PROMISE_LEAKS=1", nodeFlags: [], env: { PULUMI_DEBUG_PROMISE_LEAKS: "1" } },
    RECOMMENDED,
    { label: "--max-semi-space-size=64", nodeFlags: ["--max-semi-space-size=64"] },
    { label: "--stack-trace-limit=0 --max-semi-space-size=64", nodeFlags: ["--stack-trace-limit=0", "--max-semi-space-size=64"] },
    { label: "--max-old-space-size=1536", nodeFlags: ["--max-old-space-size=1536"] },
];

/** Sizes above this run only in the fast modes (precompiled; transpile-only with the recommended flag). */
export const LARGE = 1000;

/**
 * The evaluation matrix. Every mode runs both phases at small sizes; at LARGE the slow modes run update only; above
 * LARGE only precompiled (defaults and recommended) and ts-node transpile-only (recommended) run. strip-types runs
 * once at the smallest size: it either works everywhere or fails at module load.
 */
export function evalPlan(sizes: readonly number[]): PlannedRun[] {
    const runs: PlannedRun[] = [];
    const add = (mode: ModeName, size: number, phase: Phase, knobs: Knobs = DEFAULT_KNOBS) => runs.push({ mode, size, phase, knobs });
    if (sizes.length > 0) add("strip-types", sizes[0], "update");
    for (const size of sizes) {
        if (size < LARGE) {
            for (const mode of ["precompiled", "ts-node-transpile-only", "ts-node", "precompiled+source-maps"] as const) {
                add(mode, size, "update");
                add(mode, size, "preview");
            }
        } else if (size === LARGE) {
            add("precompiled", size, "update");
            add("precompiled", size, "preview");
            add("precompiled", size, "update", RECOMMENDED);
            add("ts-node-transpile-only", size, "update");
            add("ts-node-transpile-only", size, "update", RECOMMENDED);
            add("ts-node", size, "update");
            add("precompiled+source-maps", size, "update");
            add("precompiled+source-maps", size, "update", RECOMMENDED);
        } else {
            add("precompiled", size, "update");
            add("precompiled", size, "update", RECOMMENDED);
            add("precompiled", size, "preview", RECOMMENDED);
            add("ts-node-transpile-only", size, "update", RECOMMENDED);
        }
    }
    return runs;
}

/**
 * Predicted wall seconds of a run from the largest smaller run in the same mode and knobs: its fixed part (process
 * boot, module loading outside the evaluation) plus its evaluation time scaled linearly in customers.
 */
export function predictSeconds(run: PlannedRun, done: readonly { run: PlannedRun; wallS: number; evalS: number }[]): number | undefined {
    const same = done.filter((d) => d.run.mode === run.mode && d.run.knobs.label === run.knobs.label && d.run.size < run.size);
    if (same.length === 0) return undefined;
    const ref = same.reduce((a, b) => (b.run.size > a.run.size ? b : a));
    return ref.wallS - ref.evalS + (ref.evalS * run.size) / ref.run.size;
}

// `npm run bench -- [flags]`: what to measure. Defaults are the full run that writes docs/BENCHMARKS.md.
import * as os from "node:os";
import * as path from "node:path";

export const SECTIONS = ["eval", "knobs", "blast", "profile", "serve", "cost"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
    sizes: number[];
    stack: string;
    sections: Section[];
    /** Where the report goes; relative to the project root (absolute paths as given). */
    out: string;
    /** Customers in the blast-radius and profile runs. */
    blastSize: number;
    serveRates: number[];
    serveSeconds: number;
    /** A run predicted (from a smaller size in the same mode) to take longer than this is skipped and reported so. */
    maxRunSeconds: number;
    /** The whole bench should end within this; runs above LARGE customers are skipped when they would not fit. */
    budgetSeconds: number;
}

export const FULL: BenchOptions = {
    sizes: [10, 100, 1000, 5000],
    stack: "prod",
    sections: [...SECTIONS],
    out: "docs/BENCHMARKS.md",
    blastSize: 1000,
    serveRates: [1000, 5000, 20000],
    serveSeconds: 10,
    maxRunSeconds: 150,
    budgetSeconds: 840,
};

/** --quick: every section once, small: for developing the benchmark, not for the report. */
export const QUICK: Partial<BenchOptions> = { sizes: [10, 100], blastSize: 100, serveRates: [1000], serveSeconds: 3, out: path.join(os.tmpdir(), "sas-bench-quick.md") };

const USAGE =
    "usage: npm run bench -- [--quick] [--sizes 10,100,1000,5000] [--stack prod] [--only eval,knobs,blast,profile,serve,cost] " +
    "[--skip <sections>] [--out docs/BENCHMARKS.md] [--blast-size 1000] [--serve-rates 1000,5000,20000] [--serve-seconds 10] [--max-run-seconds 150] [--budget-seconds 840]";

function numbers(flag: string, value: string | undefined): number[] {
    const list = (value ?? "").split(",").map((s) => Number(s.trim()));
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) {
        throw new Error(`${flag} needs a comma-separated list of positive integers, got "${value ?? ""}"\n${USAGE}`);
    }
    return list;
}

function sections(flag: string, value: string | undefined): Section[] {
    const list = (value ?? "").split(",").map((s) => s.trim());
    for (const s of list) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`${flag}: unknown section "${s}" (sections: ${SECTIONS.join(", ")})\n${USAGE}`);
    return list as Section[];
}

export function parseArgs(argv: readonly string[]): BenchOptions {
    const opts: BenchOptions = { ...FULL, sections: [...FULL.sections] };
    if (argv.includes("--quick")) Object.assign(opts, QUICK);
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--quick":
                break;
            case "--sizes":
                opts.sizes = numbers(flag, value());
                break;
            case "--stack":
                opts.stack = value();
                break;
            case "--only":
                opts.sections = sections(flag, value());
                break;
            case "--skip": {
                const skip = sections(flag, value());
                opts.sections = opts.sections.filter((s) => !skip.includes(s));
                break;
            }
            case "--out":
                opts.out = value();
                break;
            case "--blast-size":
                opts.blastSize = numbers(flag, value())[0];
                break;
            case "--serve-rates":
                opts.serveRates = numbers(flag, value());
                break;
            case "--serve-seconds":
                opts.serveSeconds = numbers(flag, value())[0];
                break;
            case "--max-run-seconds":
                opts.maxRunSeconds = numbers(flag, value())[0];
                break;
            case "--budget-seconds":
                opts.budgetSeconds = numbers(flag, value())[0];
                break;
            default:
                throw new Error(`unknown argument "${argv[i]}"\n${USAGE}`);
        }
    }
    opts.sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
    return opts;
}

import * as fs from "node:fs";
import { parseShardStackName } from "../../components/model/shards";
import { assessSteps, type CustomerDeletion, type UnattributedStep } from "./deletions";
import { GuardUsageError, USAGE, limitForStack, parseGuardArgs, type GuardOptions } from "./options";
import { HOW_TO_PRODUCE, PreviewInputError, assertPreviewSucceeded, changeSteps, parsePreview, previewStack } from "./preview";
import { judge } from "./verdict";

export interface GuardRun {
  exitCode: 0 | 1 | 2;
  out: string[];
  err: string[];
}

/** The whole guard, minus process I/O: arguments and environment in, exit code and output lines out. */
export function runGuard(argv: readonly string[], env: Record<string, string | undefined>): GuardRun {
  try {
    const opts = parseGuardArgs(argv, env);
    if (opts === "help") {
      return { exitCode: 0, out: [USAGE], err: [] };
    }
    if (opts.files) return judgeTotal(opts.files, opts, env);
    const { customers, unattributed, stack } = assessFile(opts.file);
    return judge(customers, limitForStack(opts, stack, env), unattributed);
  } catch (e) {
    if (e instanceof GuardUsageError || e instanceof PreviewInputError) {
      return { exitCode: 2, out: [], err: [`guard: ${e.message}`] };
    }
    throw e;
  }
}

/** One preview file: its customers deleted or replaced, its unattributed steps and its stack. */
function assessFile(file: string): { customers: CustomerDeletion[]; unattributed: UnattributedStep[]; stack: string | undefined } {
  let text: string;
  // "-" reads stdin, for `pulumi preview --json | npm run guard -- -` (use `set -o pipefail` to keep preview's status).
  const name = file === "-" ? "<stdin>" : file;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new PreviewInputError(`${file}: ${why}; ${HOW_TO_PRODUCE}`);
  }
  const digest = parsePreview(text, name);
  assertPreviewSucceeded(digest, name);
  const steps = changeSteps(digest);
  return { ...assessSteps(steps), stack: previewStack(steps, name) };
}

/**
 * --total: a sharded environment's previews (its platform and shard stacks) judged together against the
 * environment's limit, so that a change spread over many shards cannot delete more customers in sum than one stack
 * may. Every preview must belong to the same environment.
 */
function judgeTotal(files: readonly string[], opts: GuardOptions, env: Record<string, string | undefined>): GuardRun {
  const assessed = files.map(assessFile);
  const environments = [...new Set(assessed.flatMap((a) => (a.stack === undefined ? [] : [parseShardStackName(a.stack)?.environment ?? a.stack])))].sort();
  if (environments.length > 1) {
    throw new PreviewInputError(`the previews belong to ${environments.length} environments (${environments.join(", ")}); --total judges one environment's stacks together`);
  }
  const seen = new Set<string>();
  const customers = assessed.flatMap((a) => a.customers).filter((d) => !seen.has(d.customerId) && seen.add(d.customerId)).sort((a, b) => a.customerId.localeCompare(b.customerId));
  return judge(customers, { ...limitForStack(opts, environments[0], env), totalOf: files.length }, assessed.flatMap((a) => a.unattributed));
}

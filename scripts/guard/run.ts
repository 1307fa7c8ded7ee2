import * as fs from "node:fs";
import { assessSteps } from "./deletions";
import { GuardUsageError, USAGE, limitForStack, parseGuardArgs } from "./options";
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
    let text: string;
    // "-" reads stdin, for `pulumi preview --json | npm run guard -- -` (use `set -o pipefail` to keep preview's status).
    const name = opts.file === "-" ? "<stdin>" : opts.file;
    try {
      text = fs.readFileSync(opts.file === "-" ? 0 : opts.file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : (e as Error).message;
      throw new PreviewInputError(
        `${opts.file}: ${why}; ${HOW_TO_PRODUCE}`,
      );
    }
    const digest = parsePreview(text, name);
    assertPreviewSucceeded(digest, name);
    const steps = changeSteps(digest);
    const { customers, unattributed } = assessSteps(steps);
    return judge(customers, limitForStack(opts, previewStack(steps, name), env), unattributed);
  } catch (e) {
    if (e instanceof GuardUsageError || e instanceof PreviewInputError) {
      return { exitCode: 2, out: [], err: [`guard: ${e.message}`] };
    }
    throw e;
  }
}

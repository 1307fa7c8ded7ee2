import * as path from "node:path";
import { runUnderMocks, type RecordedResource } from "./mock-engine";
import { readStackConfig, type StackName } from "./stack-config";
import { fakeOutputs, fakeInvokes } from "./fake-outputs";
import { PROJECT, PROJECT_ROOT } from "../../components/model/project";

export { PROJECT_ROOT };

export interface RunStackOptions {
    /** Preview mode: resource outputs are unknown, as in `pulumi preview`. */
    preview?: boolean;
    /** Overrides customersDir (absolute, or relative to the project root). */
    customersDir?: string;
    /** Extra or replaced settings, by key without the project prefix (values as in the stack file). */
    config?: Record<string, unknown>;
}

export interface StackRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

/** Runs the real program (program.ts) for one stack's real Pulumi.<stack>.yaml under the mock engine. */
export async function runStack(stack: StackName | string, opts: RunStackOptions = {}): Promise<StackRun> {
    const config = readStackConfig(PROJECT_ROOT, stack);
    const overrides: Record<string, unknown> = { ...opts.config };
    if (opts.customersDir) overrides.customersDir = path.resolve(PROJECT_ROOT, opts.customersDir);
    for (const [key, value] of Object.entries(overrides)) {
        config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    // Required lazily: the program must be loaded after the mocks are in place (it reads config when it runs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { defineStack } = require("../../program") as typeof import("../../program");
    const run = await runUnderMocks(
        { stack, preview: opts.preview ?? false, config, fakeOutputs, invokes: fakeInvokes },
        defineStack,
    );
    return { resources: run.resources, outputs: { ...run.result } };
}

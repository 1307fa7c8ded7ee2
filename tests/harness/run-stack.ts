import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks, type RecordedResource, type ReferencedStack } from "./mock-engine";
import { readStackConfig, type StackName } from "./stack-config";
import { fakeOutputs, fakeInvokes } from "./fake-outputs";
import { PROJECT, PROJECT_ROOT } from "../../components/model/project";
import { parseShardStackName, shardStackName } from "../../components/model/shards";
import { decodeConfig, parseStackSettings, platformEnvironment } from "../../stacks/load";

export { PROJECT_ROOT };

export interface RunStackOptions {
    /** Preview mode: resource outputs are unknown, as in `pulumi preview`. */
    preview?: boolean;
    /** Overrides customersDir (absolute, or relative to the project root). */
    customersDir?: string;
    /**
     * Extra or replaced settings, by key without the project prefix (values as in the stack file). They are the
     * environment's settings: for a shard stack they go to its platform stack, whose outputs carry them to the shard.
     */
    config?: Record<string, unknown>;
    /** A shard stack: the platform run its StackReference reads (default: the platform in update mode, as deployed). */
    platform?: StackRun;
}

export interface StackRun {
    stack: string;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    /** The outputs as a StackReference to this stack reads them: exported keys, values resolved, secret ones named. */
    referenced: ReferencedStack;
    /** Stacks this program read through a StackReference. */
    stackReferences: string[];
}

/** A whole environment: its own stack and, in the sharded layout, every shard stack (empty ones too), in order. */
export interface EnvironmentRun {
    environment: string;
    layout: "single" | "sharded";
    platform: StackRun;
    /** Shard stack name → its run (none in the single layout). */
    shards: Record<string, StackRun>;
    /** Every stack's resources: the environment's stack first, then each shard's. */
    resources: RecordedResource[];
}

/** The fully qualified name of a stack on a self-managed backend, as shard stacks name their platform. */
export const qualifiedStackName = (stack: string) => `organization/${PROJECT}/${stack}`;

/** A stack file's config with setting overrides applied (keys without the project prefix; values as in the file). */
function withOverrides(config: Record<string, string>, opts: RunStackOptions): Record<string, string> {
    const overrides: Record<string, unknown> = { ...opts.config };
    if (opts.customersDir) overrides.customersDir = path.resolve(PROJECT_ROOT, opts.customersDir);
    const out = { ...config };
    for (const [key, value] of Object.entries(overrides)) out[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    return out;
}

/** A stack's config: its Pulumi.<stack>.yaml, or, for a shard stack without a file, the two keys its file would hold. */
function stackConfig(stack: string, shardOf = parseShardStackName(stack)): Record<string, string> {
    if (fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`)) || !shardOf) return readStackConfig(PROJECT_ROOT, stack);
    return { [`${PROJECT}:platformStack`]: qualifiedStackName(shardOf.environment), [`${PROJECT}:shard`]: String(shardOf.index) };
}

/**
 * Runs the real program (program.ts) for one stack under the mock engine: an environment's stack with its real
 * Pulumi.<stack>.yaml, or a shard stack, whose StackReference reads its platform's outputs (the platform is run
 * first, in update mode, unless `opts.platform` gives that run).
 */
export async function runStack(stack: StackName | string, opts: RunStackOptions = {}, shardOf?: { environment: string; index: number }): Promise<StackRun> {
    const own = stackConfig(stack, shardOf);
    const platformStack = own[`${PROJECT}:platformStack`];
    if (platformStack === undefined) return runProgram(stack, withOverrides(own, opts), opts.preview ?? false, {});
    const platform = opts.platform ?? (await runStack(platformEnvironment(platformStack), { ...opts, preview: false, platform: undefined }));
    return runProgram(stack, own, opts.preview ?? false, { [platformStack]: platform.referenced });
}

/**
 * Runs a whole environment: its stack, then (sharded layout) each shard stack against the platform's outputs as a
 * deployed platform would publish them (an update-mode run, also when the shards are previewed).
 */
export async function runEnvironment(environment: string, opts: RunStackOptions = {}): Promise<EnvironmentRun> {
    // The program first: it refuses bad settings itself (before any resource), as a real run would.
    const platform = await runStack(environment, { ...opts, platform: undefined });
    const settings = parseStackSettings(environment, decodeConfig(withOverrides(readStackConfig(PROJECT_ROOT, environment), opts)));
    if (settings.sharding.layout === "single") return { environment, layout: "single", platform, shards: {}, resources: platform.resources };
    const deployed = opts.preview ? await runStack(environment, { ...opts, preview: false, platform: undefined }) : platform;
    const shards: Record<string, StackRun> = {};
    for (let index = 0; index < (settings.sharding.shards ?? 0); index++) {
        const name = shardStackName(environment, index);
        shards[name] = await runStack(name, { ...opts, platform: deployed }, { environment, index });
    }
    return { environment, layout: "sharded", platform, shards, resources: [platform, ...Object.values(shards)].flatMap((r) => r.resources) };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Output's promise is an SDK-internal field */
async function runProgram(stack: string, config: Record<string, string>, preview: boolean, stackReferences: Record<string, ReferencedStack>): Promise<StackRun> {
    // Required lazily: the program must be loaded after the mocks are in place (it reads config when it runs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { defineStack, exportedOutputs } = require("../../program") as typeof import("../../program");
    const run = await runUnderMocks({ stack, preview, config, fakeOutputs, invokes: fakeInvokes, stackReferences }, defineStack);
    const outputs: Record<string, unknown> = {};
    const secretOutputNames: string[] = [];
    for (const [key, value] of Object.entries(exportedOutputs(run.result))) {
        if (!pulumi.Output.isInstance(value)) {
            outputs[key] = value;
            continue;
        }
        outputs[key] = await (value as any).promise();
        if (await pulumi.isSecret(value)) secretOutputNames.push(key);
    }
    return { stack, resources: run.resources, outputs: { ...run.result }, referenced: { outputs, secretOutputNames }, stackReferences: run.stackReferences };
}

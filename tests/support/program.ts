// The one way tests run the program: under the shared mock engine (tests/harness/mock-engine.ts), after the mocks
// are set, with a stack's real Pulumi.<stack>.yaml.
import { runEnvironment, runStack as runOneStack, type RunStackOptions, type StackRun } from "../harness/run-stack";
import { parseShardStackName } from "../../components/model/shards";

export { PROJECT_ROOT, runEnvironment, type EnvironmentRun, type StackRun, type RunStackOptions } from "../harness/run-stack";
export { runOneStack };
export type { RecordedResource } from "../harness/mock-engine";
export { STACKS, type StackName } from "../harness/stack-config";
export { kubernetesObjects, type K8sObject } from "../harness/manifests";

/**
 * What an environment deploys, whatever its layout: its own stack, and in the sharded layout every shard stack too
 * (resources of all of them, the environment's stack first; outputs the environment stack's, which list every
 * customer). A shard stack's name runs that one stack. Per-stack structure (which stack holds what) is tested with
 * runOneStack and runEnvironment.
 */
export async function runStack(stack: string, opts: RunStackOptions = {}): Promise<StackRun> {
    if (parseShardStackName(stack)) return runOneStack(stack, opts);
    const env = await runEnvironment(stack, opts);
    return { ...env.platform, resources: env.resources, stackReferences: Object.values(env.shards).flatMap((s) => s.stackReferences) };
}

import { strict as assert } from "node:assert";
import { runUnderMocks } from "../harness/mock-engine";
import { readStackConfig } from "../harness/stack-config";
import { fakeInvokes, fakeOutputs } from "../harness/fake-outputs";
import { PROJECT_ROOT } from "../support/program";
import { STACK_OUTPUT_KEYS } from "../../program";
import { outputValue } from "../support/outputs";

describe("program: the Pulumi entry point (index.ts)", () => {
    it("exports an async function whose result is the stack outputs, as `pulumi up` runs it", async () => {
        const run = await runUnderMocks(
            { stack: "dev", preview: false, config: readStackConfig(PROJECT_ROOT, "dev"), fakeOutputs, invokes: fakeInvokes },
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the mocks, as the CLI loads it
            () => (require("../../index") as () => Promise<Record<string, unknown>>)(),
        );
        // dev has no local DynamoDB endpoint: an output the stack does not have is left out, not exported as undefined.
        // dev is sharded: its stack is the platform, and exports what its shard stacks read.
        assert.deepEqual(Object.keys(run.result).sort(), [
            "basicAuth", "clusterName", "customers", "environment", "ingressAddress", "kubeconfig", "registryTableArn", "registryTableName", "shardInputs",
        ]);
        assert.deepEqual(Object.keys(run.result), STACK_OUTPUT_KEYS.filter((k) => k in run.result), "exported in the listed order");
        assert.equal(run.result.environment, "dev");
        assert.equal(await outputValue(run.result.registryTableName), "sas-onboarding-dev-customers");
        assert.ok(run.resources.some((r) => r.type === "sas:platform:Cluster"));
        assert.equal((run.result.shardInputs as { environment: string }).environment, "dev");
    });
});

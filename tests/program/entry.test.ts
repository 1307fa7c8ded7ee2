import { strict as assert } from "node:assert";
import { runUnderMocks } from "../harness/mock-engine";
import { readStackConfig } from "../harness/stack-config";
import { fakeInvokes, fakeOutputs } from "../harness/fake-outputs";
import { PROJECT_ROOT } from "../support/program";
import { outputValue } from "../support/outputs";

describe("program: the Pulumi entry point (index.ts)", () => {
    it("exports an async function whose result is the stack outputs, as `pulumi up` runs it", async () => {
        const run = await runUnderMocks(
            { stack: "dev", preview: false, config: readStackConfig(PROJECT_ROOT, "dev"), fakeOutputs, invokes: fakeInvokes },
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the mocks, as the CLI loads it
            () => (require("../../index") as () => Promise<Record<string, unknown>>)(),
        );
        assert.deepEqual(Object.keys(run.result).sort(), [
            "basicAuth", "clusterName", "customers", "environment", "ingressAddress", "kubeconfig", "registryEndpoint", "registryTableArn", "registryTableName",
        ]);
        assert.equal(run.result.environment, "dev");
        assert.equal(await outputValue(run.result.registryTableName), "sas-onboarding-dev-customers");
        assert.ok(run.resources.some((r) => r.type === "sas:index:CustomerSite"));
    });
});

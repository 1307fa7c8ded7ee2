// A stack that still carries the documentation's example values (account 111122223333, zone Z0EXAMPLE0SAS0ZONE,
// *.example.com) stops before any resource, so before any cloud call, naming every such key; offline evaluation
// (the mock engine of `npm run render` and the tests) keeps working on the very same stack files.
import { strict as assert } from "node:assert";
import { decodeConfig, exampleValueProblems, parseStackSettings, settingsForEngine, StackSettingsError } from "../../stacks/load";
import { readStackConfig } from "../harness/stack-config";
import { runStack, PROJECT_ROOT } from "../support/program";

const fromFile = (stack: string) => decodeConfig(readStackConfig(PROJECT_ROOT, stack));

function refusal(run: () => unknown): string[] {
    try {
        run();
    } catch (e) {
        assert.ok(e instanceof StackSettingsError, `expected StackSettingsError, got ${(e as Error).message}`);
        return e.message.split("\n").slice(1).map((l) => l.trim());
    }
    return assert.fail("expected the stack to be refused");
}

const EKS_EXAMPLE_KEYS = [
    "sas-onboarding:baseDomain",
    "sas-onboarding:kubernetes.adminRoleArn",
    "sas-onboarding:kubernetes.deployerRoleArn",
    "sas-onboarding:kubernetes.previewRoleArn",
    "sas-onboarding:dns.hostedZoneId",
    "sas-onboarding:certManager.acmeEmail",
];

describe("stack settings: example values", () => {
    for (const stack of ["dev", "stage", "prod"]) {
        it(`${stack}: a real engine is refused before any resource, every example key named at once`, () => {
            const lines = refusal(() => settingsForEngine(stack, fromFile(stack), { mockEngine: false }));
            assert.deepEqual(lines.map((l) => l.split(": ")[0]), EKS_EXAMPLE_KEYS);
            assert.ok(lines.every((l) => l.endsWith("(an example value; replace it, or set sas-onboarding:allowExampleValues true for offline evaluation only)")), lines.join("\n"));
            assert.match(lines[1], /account 111122223333 is the example account/);
            assert.match(lines[4], /Z0EXAMPLE0SAS0ZONE is the example zone/);
            assert.match(lines[5], /Let's Encrypt refuses it/);
        });
    }

    for (const stack of ["local", "sandbox"]) {
        it(`${stack}: carries no example value (sas.localhost is a real loopback name), so a real engine runs it`, () => {
            assert.deepEqual(exampleValueProblems(parseStackSettings(stack, fromFile(stack))), []);
            assert.equal(settingsForEngine(stack, fromFile(stack), { mockEngine: false }).stack, stack);
        });
    }

    it("the mock engine (render, tests) evaluates the example stacks; allowExampleValues lets a real engine do so deliberately", async () => {
        assert.equal(settingsForEngine("dev", fromFile("dev"), { mockEngine: true }).baseDomain, "dev.sas.example.com");
        assert.equal(settingsForEngine("dev", { ...fromFile("dev"), allowExampleValues: "true" }, { mockEngine: false }).allowExampleValues, true);
        // The real program under the real mock engine: loadStackSettings itself recognises the mock monitor.
        const run = await runStack("prod");
        assert.ok(run.resources.some((r) => r.type === "aws:eks/cluster:Cluster"));
    });

    it("replacing every example value is enough; a near-miss domain is not an example", () => {
        const real = {
            ...fromFile("prod"),
            baseDomain: "welcome.sas-group.eu",
            kubernetes: {
                ...(fromFile("prod").kubernetes as Record<string, unknown>),
                adminRoleArn: "arn:aws:iam::444455556666:role/sas-github-deploy-prod",
                deployerRoleArn: "arn:aws:iam::444455556666:role/sas-ci-deployer-prod",
                previewRoleArn: "arn:aws:iam::444455556666:role/sas-github-preview",
            },
            dns: { hostedZoneId: "Z04ABCDEF12345" },
            certManager: { install: true, acmeEmail: "platform@sas-group.eu" },
        };
        assert.deepEqual(exampleValueProblems(parseStackSettings("prod", real)), []);
        assert.deepEqual(exampleValueProblems(parseStackSettings("prod", { ...real, baseDomain: "notexample.com" })), []);
        assert.deepEqual(
            exampleValueProblems(parseStackSettings("prod", { ...real, baseDomain: "sas.example.org" })).map((l) => l.split(": ")[0]),
            ["sas-onboarding:baseDomain"],
        );
    });
});

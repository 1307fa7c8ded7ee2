// The sharded layout under the mock engine: a platform stack with no customer, shard stacks holding exactly the
// customers the stable hash places there, built from the platform's outputs through a StackReference, and the same
// customer resources (names, parents, inputs) as the single layout declares, so `pulumi state move` between them
// keeps every object.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT, STACKS, type RecordedResource } from "../support/program";
import { runEnvironment, runStack, type EnvironmentRun } from "../harness/run-stack";
import { loadCustomers } from "../../components/records/load";
import { shardPlan, shardStackName } from "../../components/model/shards";
import { BASIC_AUTH_USER, htpasswdLine } from "../../components/model/htpasswd";
import { recordYaml, tempDirWith } from "../support/tmp";

const SAMPLE_IDS = loadCustomers(path.join(PROJECT_ROOT, "customers")).map((c) => c.id);
const SHARDED = (shards: number) => ({ sharding: { layout: "sharded", shards } });
const SINGLE = { sharding: { layout: "single" } };

/** A URN without its stack part: the same resource in two stacks compares equal. */
const anyStack = (urn: string | undefined) => urn?.replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:*::");
const isCustomer = (r: RecordedResource) => r.type === "sas:index:CustomerSite" || r.urn.includes("sas:index:CustomerSite$");
const PROVIDERS = new Set(["pulumi:providers:kubernetes", "pulumi:providers:aws"]);
/** What "the same resource" means across layouts: name, type, parent, inputs (and where they are secret), protect. */
const shape = (r: RecordedResource) => JSON.stringify({ urn: anyStack(r.urn), parent: anyStack(r.parent), inputs: r.inputs, secretPaths: r.secretPaths, protect: r.protect });
const sitesOf = (resources: readonly RecordedResource[]) =>
    resources.filter((r) => r.type === "sas:index:CustomerSite").map((r) => r.name.replace(/^customer-/, "")).sort();

describe("program: sharded layout (platform + shard stacks)", function () {
    this.timeout(120_000);

    for (const stack of STACKS) {
        describe(`stack ${stack} sharded over 3 shards vs single`, () => {
            let single: EnvironmentRun;
            let sharded: EnvironmentRun;
            before(async () => {
                single = await runEnvironment(stack, { config: SINGLE });
                sharded = await runEnvironment(stack, { config: SHARDED(3) });
            });

            it("the platform stack declares no customer resource, and exactly the single layout's platform resources", () => {
                assert.equal(single.layout, "single");
                assert.equal(sharded.layout, "sharded");
                assert.deepEqual(sharded.platform.resources.filter(isCustomer).map((r) => r.urn), []);
                // One difference, by design: where tenant namespaces are protected (prod), the sharded platform protects its
                // Kubernetes provider, which stands for the shards' namespaces in destroy --exclude-protected.
                const provider = sharded.platform.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
                assert.equal(provider.protect, stack === "prod");
                assert.deepEqual(
                    sharded.platform.resources.map((r) => shape(r === provider ? { ...r, protect: false } : r)),
                    single.platform.resources.filter((r) => !isCustomer(r)).map(shape),
                );
                // verify reads every page's address from the environment's stack, in both layouts.
                assert.deepEqual(sharded.platform.outputs.customers, single.platform.outputs.customers);
                assert.deepEqual(Object.keys(sharded.platform.outputs.customers as object).sort(), SAMPLE_IDS);
            });

            it("each shard holds exactly its planned customers and nothing of the platform (its own providers only)", () => {
                const plan = shardPlan(SAMPLE_IDS, { layout: "sharded", environment: stack, shards: 3 });
                assert.deepEqual(Object.keys(sharded.shards), Object.keys(plan));
                for (const [name, run] of Object.entries(sharded.shards)) {
                    assert.deepEqual(sitesOf(run.resources), plan[name], name);
                    const other = run.resources.filter((r) => !isCustomer(r)).map((r) => r.type).sort();
                    assert.deepEqual(other.filter((t) => !PROVIDERS.has(t)), [], `${name}: ${other.join(", ")}`);
                    assert.deepEqual(run.stackReferences, [`organization/sas-onboarding/${stack}`]);
                    assert.deepEqual(Object.keys(run.outputs.customers as object).sort(), plan[name]);
                    assert.deepEqual(run.outputs.shard, { platformStack: `organization/sas-onboarding/${stack}`, index: Number(name.slice(-2)), shards: 3 });
                }
            });

            it("the shards together declare the single layout's customer resources: same names, parents, inputs and secrets", () => {
                const fromShards = Object.values(sharded.shards).flatMap((r) => r.resources.filter(isCustomer)).map(shape).sort();
                const fromSingle = single.platform.resources.filter(isCustomer).map(shape).sort();
                assert.equal(fromShards.length, fromSingle.length);
                assert.deepEqual(fromShards, fromSingle);
            });

            it("customer resources use the shard's own top-level providers, named as in the single layout", () => {
                for (const [name, run] of Object.entries(sharded.shards)) {
                    const providers = new Set(run.resources.filter((r) => isCustomer(r) && r.custom).map((r) => anyStack(r.provider?.replace(/::[^:]+$/, ""))));
                    for (const p of providers) assert.match(p ?? "", /^urn:pulumi:\*::sas-onboarding::pulumi:providers:(kubernetes::kubernetes|aws::aws)$/, name);
                }
            });
        });
    }

    it("reads the cluster, the registry table and basic auth from the platform's outputs (dev: eks, managed registry)", async () => {
        const env = await runEnvironment("dev", { config: SHARDED(2) });
        const platform = env.platform.referenced;
        assert.deepEqual(platform.secretOutputNames.sort(), ["basicAuth", "kubeconfig"]);
        for (const run of Object.values(env.shards)) {
            const k8s = run.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
            assert.equal(k8s.inputs.kubeconfig, platform.outputs.kubeconfig);
            assert.ok(k8s.secretPaths.includes("kubeconfig"), "the kubeconfig stays a secret in the shard");
            for (const item of run.resources.filter((r) => r.type === "aws:dynamodb/tableItem:TableItem")) assert.equal(item.inputs.tableName, platform.outputs.registryTableName);
            const { password } = platform.outputs.basicAuth as { password: string };
            for (const secret of run.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")) {
                assert.equal(secret.inputs.stringData.htpasswd, `${htpasswdLine(BASIC_AUTH_USER, password)}\n`);
                assert.ok(secret.secretPaths.includes("stringData"), secret.name);
            }
        }
        // The platform's settings reach the shards without its secrets.
        const sandbox = await runStack("sandbox", { config: { ...SHARDED(2), basicAuthPassword: "a-sandbox-password-from-config" } });
        const inputs = sandbox.referenced.outputs.shardInputs as { environment: string; settings: Record<string, unknown> };
        assert.equal(inputs.environment, "sandbox");
        assert.equal(inputs.settings.basicAuthPassword, undefined);
        assert.doesNotMatch(JSON.stringify(inputs), /a-sandbox-password-from-config/);
    });

    it("adding a customer changes one shard only (plus the platform's list of pages and its blackbox modules)", async () => {
        const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${String(i).padStart(3, "0")}.yaml`, recordYaml(`c${String(i).padStart(3, "0")}`)]));
        const a = tempDirWith(files(12));
        const b = tempDirWith(files(13));
        try {
            const before = await runEnvironment("prod", { customersDir: a.dir, config: SHARDED(4) });
            const after = await runEnvironment("prod", { customersDir: b.dir, config: SHARDED(4) });
            const home = shardStackName("prod", Number(Object.entries(shardPlan(["c012"], { layout: "sharded", environment: "prod", shards: 4 })).find(([, ids]) => ids.length)![0].slice(-2)));
            const strip = (r: RecordedResource) => JSON.stringify(r.inputs).split(a.dir).join("<dir>").split(b.dir).join("<dir>");
            for (const [name, run] of Object.entries(before.shards)) {
                const now = new Map(after.shards[name].resources.map((r) => [r.urn, strip(r)]));
                for (const r of run.resources) assert.equal(now.get(r.urn), strip(r), `${name}: ${r.urn} changed`);
                const added = [...now.keys()].filter((u) => !run.resources.some((r) => r.urn === u));
                if (name === home) assert.ok(added.length >= 12 && added.every((u) => u.includes("customer-c012")), added.join("\n"));
                else assert.deepEqual(added, [], name);
            }
            const platformBefore = new Map(before.platform.resources.map((r) => [r.urn, strip(r)]));
            const changed = after.platform.resources.filter((r) => platformBefore.get(r.urn) !== strip(r)).map((r) => r.name);
            assert.deepEqual(changed, ["monitoring-blackbox-config"]);
        } finally {
            a.cleanup();
            b.cleanup();
        }
    });

    it("previews shards against the deployed platform's outputs", async () => {
        const env = await runEnvironment("sandbox", { config: SHARDED(2), preview: true });
        assert.deepEqual(Object.values(env.shards).flatMap((r) => sitesOf(r.resources)).sort(), SAMPLE_IDS);
    });

    it("a shard validates every record of the environment: a bad record placed in another shard stops it too", async () => {
        const ids = ["c000", "c001", "c002", "c003", "c004", "c005"];
        const plan = shardPlan(ids, { layout: "sharded", environment: "sandbox", shards: 2 });
        const [home, other] = Object.keys(plan);
        assert.ok(plan[home].length > 0 && plan[other].length > 0, JSON.stringify(plan));
        const t = tempDirWith(Object.fromEntries(ids.map((id) => [`${id}.yaml`, recordYaml(id)])));
        try {
            const platform = await runStack("sandbox", { customersDir: t.dir, config: SHARDED(2) });
            assert.deepEqual(sitesOf((await runStack(home, { platform })).resources), plan[home]);
            const bad = plan[other][0];
            fs.writeFileSync(path.join(t.dir, `${bad}.yaml`), recordYaml(bad, { tier: "gold" }));
            await assert.rejects(runStack(home, { platform }), (e: Error & { registeredBeforeFailure?: number }) => {
                assert.match(e.message, new RegExp(`${bad}\\.yaml: tier`));
                assert.equal(e.registeredBeforeFailure, 0, "nothing declared");
                return true;
            });
        } finally {
            t.cleanup();
        }
    });

    it("refuses a shard of an environment that is not sharded, and a shard index beyond the count, naming what to do", async () => {
        await assert.rejects(runStack("sandbox-shard-00", { config: SINGLE }), /platform stack organization\/sas-onboarding\/sandbox, output shardInputs: missing; deploy the platform first/);
        await assert.rejects(runStack("sandbox-shard-03", { config: SHARDED(3) }), /sas-onboarding:shard: 3 is not below the environment's sharding\.shards 3 .*npm run shards -- move/);
        await assert.rejects(runStack("sandbox", { config: { sharding: { layout: "sharded" } } }), /sas-onboarding:sharding\.shards: is required with sharding\.layout sharded/);
        await assert.rejects(runStack("sandbox", { config: { sharding: { layout: "single", shards: 2 } } }), /sas-onboarding:sharding\.shards: only applies to sharding\.layout sharded/);
    });
});

// `--shard <env>-shard-<nn>`: verify and status act on the customers one shard stack holds (a sharded environment's
// per-shard deploy job), by the placement of this checkout's Pulumi.<env>.yaml.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/model/project";
import { shardPlan } from "../../components/model/shards";
import { loadCustomers } from "../../components/records/load";
import { shardMembership } from "../../scripts/shards/environment";
import { runVerify } from "../../scripts/verify/main";
import { parseArgs } from "../../scripts/verify/args";
import { parseStatusArgs } from "../../scripts/status/args";

const IDS = loadCustomers(path.join(PROJECT_ROOT, "customers")).map((c) => c.id);
const DEV_PLAN = shardPlan(IDS, { layout: "sharded", environment: "dev", shards: 4 });

describe("--shard: one shard stack's customers", function () {
    this.timeout(30_000);

    it("membership follows the environment's plan, and refuses stacks the environment does not have", () => {
        for (const [stack, members] of Object.entries(DEV_PLAN)) assert.deepEqual(IDS.filter(shardMembership("dev", stack)), members, stack);
        assert.throws(() => shardMembership("dev", "prod-shard-00"), /--shard prod-shard-00 is not a shard stack of dev \(dev-shard-<nn>\)/);
        assert.throws(() => shardMembership("dev", "dev-shard-04"), /--shard dev-shard-04: Pulumi\.dev\.yaml has sharding\.shards 4/);
        assert.throws(() => shardMembership("local", "local-shard-00"), /Pulumi\.local\.yaml has sharding\.layout single/);
    });

    it("verify --shard checks only that shard's pages (and refuses a shard the environment lacks, checking nothing)", async () => {
        assert.equal(parseArgs(["--stack", "dev", "--shard", "dev-shard-00"]).shard, "dev-shard-00");
        const run = async (shard: string) => {
            let out = "";
            let err = "";
            const code = await runVerify(
                ["--outputs", path.join(PROJECT_ROOT, "scripts/verify/example-outputs.json"), "--shard", shard, "--skip-registry", "--attempts", "1", "--deadline-seconds", "5", "--request-timeout-ms", "300", "--resolve", "*.dev.sas.example.com=http://127.0.0.1:9"],
                { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { ...process.env, GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" } },
            );
            return { code, out, err };
        };
        const held = DEV_PLAN["dev-shard-00"];
        assert.ok(held.length >= 1 && held.length < IDS.length);
        const r = await run("dev-shard-00");
        assert.match(r.err, new RegExp(`checking ${held.length} customer page\\(s\\) of "dev" held by dev-shard-00`));
        // Nothing answers on port 9: every checked page fails, and only the shard's customers appear.
        assert.equal(r.code, 1);
        for (const id of IDS) assert.equal(r.out.includes(id), held.includes(id), `${id} in the report:\n${r.out}`);
        const refused = await run("dev-shard-09");
        assert.equal(refused.code, 2);
        assert.match(refused.err, /verify: --shard dev-shard-09: Pulumi\.dev\.yaml has sharding\.shards 4/);
    });

    it("status mark --shard narrows --commit, and belongs to mark", () => {
        assert.equal(parseStatusArgs(["mark", "--stack", "dev", "--state", "deployed", "--commit", "abc1234", "--shard", "dev-shard-01"]).shard, "dev-shard-01");
        assert.throws(() => parseStatusArgs(["mark", "--stack", "dev", "--state", "deployed", "--customer", "acme-rockets", "--shard", "dev-shard-01"]), /--shard narrows --commit/);
        assert.throws(() => parseStatusArgs(["--stack", "dev", "--shard", "dev-shard-01"]), /--state, --commit, --shard, --step, --reason, --pr and --at belong to mark/);
    });
});

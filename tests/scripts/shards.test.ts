// `npm run shards`: plan, check, affected, move (preview and --apply against a simulated backend) and stacks, through
// the tool's own entry with injected git, pulumi and measurement where the real ones would need a backend.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/model/project";
import { shardMoves, shardPlan, shardStackName, stackOfCustomer } from "../../components/model/shards";
import { loadCustomers } from "../../components/records/load";
import { STACKS } from "../harness/stack-config";
import { defaultDeps, runShards, type ShardsDeps } from "../../scripts/shards/main";
import { customerSiteUrn, type PulumiRunner } from "../../scripts/shards/move";
import type { ResourceModel } from "../../scripts/shards/budget";
import { shardStackFile } from "../../scripts/shards/stack-files";
import { recordYaml, tempDirWith } from "../support/tmp";

const SAMPLE_IDS = loadCustomers(path.join(PROJECT_ROOT, "customers")).map((c) => c.id);

async function shards(argv: string[], deps: Partial<ShardsDeps> = {}): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runShards(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: process.env }, { ...defaultDeps(process.env), ...deps });
    return { code, out, err };
}

/** A copy of the repository's stack files in a temp directory (the records stay where they are). */
function stackFilesCopy(edit: (name: string, text: string) => string | undefined = (_n, t) => t): { root: string; cleanup(): void } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-shards-"));
    for (const f of fs.readdirSync(PROJECT_ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        const text = edit(f, fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8"));
        if (text !== undefined) fs.writeFileSync(path.join(root, f), text);
    }
    fs.mkdirSync(path.join(root, "customers"));
    for (const f of fs.readdirSync(path.join(PROJECT_ROOT, "customers"))) fs.copyFileSync(path.join(PROJECT_ROOT, "customers", f), path.join(root, "customers", f));
    return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

const FIXED_MODEL: ResourceModel = { perTier: { starter: 12, business: 13, enterprise: 15 }, stackOverhead: 3 };

describe("npm run shards: plan", () => {
    it("prints { stack: [ids] } for every stack: the environment's own in the single layout, every shard (empty too) when sharded", async () => {
        for (const stack of STACKS) {
            const { code, out } = await shards(["plan", "--stack", stack, "--json"]);
            assert.equal(code, 0);
            const plan = JSON.parse(out) as Record<string, string[]>;
            if (stack === "local" || stack === "sandbox") assert.deepEqual(plan, { [stack]: SAMPLE_IDS });
            else {
                assert.deepEqual(plan, shardPlan(SAMPLE_IDS, { layout: "sharded", environment: stack, shards: 4 }));
                assert.deepEqual(Object.keys(plan), [0, 1, 2, 3].map((i) => shardStackName(stack, i)));
            }
        }
        const text = await shards(["plan", "--stack", "prod"]);
        assert.match(text.out, /^prod: 4 customers in 4 shards\n/);
        assert.match(text.out, new RegExp(`  ${stackOfCustomer("acme-rockets", { layout: "sharded", environment: "prod", shards: 4 })} +\\d+  .*acme-rockets`));
    });

    it("refuses a shard stack, an unknown stack and bad arguments with exit 2, naming the fix", async () => {
        assert.deepEqual(await shards(["plan", "--stack", "dev-shard-01"]), { code: 2, out: "", err: "shards: dev-shard-01 is a shard stack; give its environment (--stack dev)\n" });
        assert.match((await shards(["plan", "--stack", "qa"])).err, /^shards: no stack file Pulumi\.qa\.yaml/);
        assert.match((await shards(["plan"])).err, /plan needs exactly one --stack <env>/);
        assert.match((await shards(["nope", "--stack", "dev"])).err, /unknown command "nope" \(plan, check, affected, move, stacks\)/);
        assert.match((await shards(["move", "--stack", "dev", "--to", "0"])).err, /--to must be a shard count from 1 to 100, got "0"/);
        assert.match((await shards(["affected", "--stack", "dev"])).err, /affected needs --base <git ref>/);
        assert.match((await shards(["move", "--stack", "dev", "--apply", "--from", "2"])).err, /--from is for the preview/);
        assert.equal((await shards(["--help"])).code, 0);
    });
});

describe("npm run shards: check", function () {
    this.timeout(120_000);

    it("passes every committed environment, with resource counts per tier measured under the mock engine", async () => {
        const { code, out, err } = await shards(["check"]);
        assert.equal(code, 0, err);
        assert.match(out, /check: ok\n$/);
        for (const stack of STACKS) assert.match(out, new RegExp(`^${stack}: 4 customers in `, "m"));
        // The mock engine's count: an enterprise customer (PDB and HPA) has two resources more than a starter one.
        const prod = /^prod: .*resources per customer: starter (\d+), business (\d+), enterprise (\d+)\)$/m.exec(out)!;
        assert.equal(Number(prod[3]) - Number(prod[1]), 2, prod[0]);
    });

    it("fails a shard over its customer budget, naming the shard, its count, the budget and the setting to raise", async () => {
        const t = stackFilesCopy((name, text) => (name === "Pulumi.dev.yaml" ? text.replace("    shards: 4\n", "    shards: 4\n    budget:\n      customers: 1\n") : text));
        try {
            const { code, err } = await shards(["check", "--stack", "dev"], { root: t.root, measure: async () => FIXED_MODEL });
            assert.equal(code, 1);
            const full = shardPlan(SAMPLE_IDS, { layout: "sharded", environment: "dev", shards: 4 });
            const crowded = Object.entries(full).filter(([, ids]) => ids.length > 1);
            assert.ok(crowded.length > 0);
            const lines = err.trim().split("\n");
            assert.equal(lines.length, crowded.length, err);
            for (const [stack, ids] of crowded) {
                assert.ok(
                    lines.some((l) =>
                        l.startsWith(`check: ${stack} holds ${ids.length} customers, over the budget of 1 (sharding.budget.customers); raise sharding.shards in Pulumi.dev.yaml (now 4; `) &&
                        l.includes("npm run shards -- move --stack dev --to "),
                    ),
                    err,
                );
            }
        } finally {
            t.cleanup();
        }
    });

    it("fails on estimated resources too, and tells a single-layout stack to shard", async () => {
        const t = stackFilesCopy((name, text) => (name === "Pulumi.local.yaml" ? `${text}  sas-onboarding:sharding:\n    budget:\n      resources: 40\n` : text));
        try {
            const { code, err } = await shards(["check", "--stack", "local"], { root: t.root, measure: async () => FIXED_MODEL });
            assert.equal(code, 1);
            // 3 + 13 (acme-rockets is enterprise: 15) ... = the fixed model over the four sample tiers.
            const tiers = loadCustomers(path.join(PROJECT_ROOT, "customers")).map((c) => FIXED_MODEL.perTier[c.tier]);
            const expected = FIXED_MODEL.stackOverhead + tiers.reduce((a, b) => a + b, 0);
            assert.match(err, new RegExp(`^check: local holds about ${expected} resources, over the budget of 40 \\(sharding\\.budget\\.resources\\); raise sharding\\.shards in Pulumi\\.local\\.yaml: set sharding\\.layout sharded with sharding\\.shards \\d+`));
        } finally {
            t.cleanup();
        }
    });

    it("fails when the shard stack files disagree with the count, and when dev, stage and prod shard differently", async () => {
        const t = stackFilesCopy((name, text) =>
            name === "Pulumi.stage-shard-02.yaml" ? undefined : name === "Pulumi.stage-shard-01.yaml" ? text.replace("shard: 1", "shard: 7") : name === "Pulumi.stage.yaml" ? text.replace("shards: 4", "shards: 3") : text,
        );
        try {
            fs.writeFileSync(path.join(t.root, "Pulumi.dev-shard-09.yaml"), shardStackFile("dev", "dev-shard-09"));
            const { code, err } = await shards(["check", "--stack", "stage", "--stack", "dev"], { root: t.root, measure: async () => FIXED_MODEL });
            assert.equal(code, 1);
            assert.deepEqual(err.trim().split("\n").sort(), [
                "check: Pulumi.dev-shard-09.yaml: a shard beyond sharding.shards in Pulumi.dev.yaml; move its customers (npm run shards -- move), then remove the stack and the file",
                "check: Pulumi.stage-shard-01.yaml: differs from what sharding.shards calls for; run npm run shards -- stacks --stack stage --write",
                "check: Pulumi.stage-shard-02.yaml: missing; run npm run shards -- stacks --stack stage --write",
                "check: Pulumi.stage-shard-03.yaml: a shard beyond sharding.shards in Pulumi.stage.yaml; move its customers (npm run shards -- move), then remove the stack and the file",
                "check: promotion chain dev -> stage -> prod: sharding differs (dev: 4 shards, stage: 3 shards, prod: 4 shards); promotion goes shard by shard, so sharding.layout and sharding.shards must agree",
            ]);
        } finally {
            t.cleanup();
        }
    });
});

describe("npm run shards: affected", () => {
    const git = (files: string[] | undefined) => async () => (files ? { code: 0, stdout: files.join("\n") + "\n", stderr: "" } : { code: 128, stdout: "", stderr: "fatal: bad revision 'abc'\n" });
    const affected = async (stack: string, files: string[] | undefined) => JSON.parse((await shards(["affected", "--stack", stack, "--base", "abc", "--json"], { git: git(files) })).out);
    const home = (id: string) => stackOfCustomer(id, { layout: "sharded", environment: "dev", shards: 4 });

    it("a changed record touches its shard and the platform (first); added and removed records likewise", async () => {
        const a = await affected("dev", ["customers/acme-rockets.yaml"]);
        assert.deepEqual(a, {
            environment: "dev",
            all: false,
            platform: ["dev"],
            shards: [home("acme-rockets")],
            stacks: ["dev", home("acme-rockets")],
            reasons: { dev: ["customers/acme-rockets.yaml: customer acme-rockets"], [home("acme-rockets")]: ["customers/acme-rockets.yaml: customer acme-rockets"] },
        });
        // A rename is a removal and an addition: both the old id's shard and the new one's.
        const renamed = await affected("dev", ["customers/sakura-logistics.yaml", "customers/zeta-tools.yaml"]);
        assert.deepEqual(renamed.shards, [...new Set([home("sakura-logistics"), home("zeta-tools")])].sort());
        assert.deepEqual(renamed.stacks[0], "dev");
        // Single layout: the one stack.
        assert.deepEqual((await affected("local", ["customers/acme-rockets.yaml"])).stacks, ["local"]);
    });

    it("settings or shared code touch every stack, platform first; a shard's own file only that shard; docs, tests and tools nothing", async () => {
        const every = ["dev", "dev-shard-00", "dev-shard-01", "dev-shard-02", "dev-shard-03"];
        for (const file of ["Pulumi.dev.yaml", "program.ts", "components/tenant/customer-site.ts", "package-lock.json", "policy/policies/pods.ts", "customers/notes.txt"]) {
            const a = await affected("dev", [file]);
            assert.deepEqual([a.all, a.stacks], [true, every], file);
        }
        assert.deepEqual((await affected("dev", ["Pulumi.dev-shard-02.yaml"])).stacks, ["dev-shard-02"]);
        for (const file of ["docs/RUNBOOK.md", "README.md", "tests/program/shards.test.ts", "scripts/shards/main.ts", ".github/workflows/pr.yml", "bench/index.ts", "Pulumi.stage.yaml", "Pulumi.prod-shard-01.yaml", "customers/customer.schema.json", "customers/README.md"]) {
            assert.deepEqual((await affected("dev", [file])).stacks, [], file);
        }
    });

    it("without a base to compare with (unknown commit, first push) everything is touched, and says why", async () => {
        const a = await affected("prod", undefined);
        assert.equal(a.all, true);
        assert.deepEqual(a.stacks, ["prod", "prod-shard-00", "prod-shard-01", "prod-shard-02", "prod-shard-03"]);
        assert.match(a.reasons.prod[0], /^no diff against abc \(fatal: bad revision 'abc'\): everything$/);
    });

    it("reads the real repository's history: a commit compared with itself touches nothing", async () => {
        const { code, out } = await shards(["affected", "--stack", "dev", "--base", "HEAD", "--json"]);
        assert.equal(code, 0);
        assert.deepEqual(JSON.parse(out).stacks, []);
        assert.match((await shards(["affected", "--stack", "dev", "--base", "HEAD"])).out, /^dev: nothing to deploy\n$/);
    });
});

describe("npm run shards: move", () => {
    it("previews only the customers whose shard changes, with the exact pulumi state move commands", async () => {
        const { code, out } = await shards(["move", "--stack", "prod", "--to", "6", "--json"]);
        assert.equal(code, 0);
        const preview = JSON.parse(out);
        const expected = shardMoves(SAMPLE_IDS, { layout: "sharded", environment: "prod", shards: 4 }, { layout: "sharded", environment: "prod", shards: 6 });
        assert.deepEqual(preview.moves, expected);
        assert.deepEqual(preview.newStacks, ["prod-shard-04", "prod-shard-05"]);
        const pairs = [...new Set(expected.map((m) => `${m.from}>${m.to}`))].sort();
        assert.equal(preview.commands.length, pairs.length);
        for (const m of expected) {
            const line = preview.commands.find((c: string) => c.includes(`--source ${m.from} --dest ${m.to} --yes`));
            assert.ok(line?.startsWith("pulumi state move "), JSON.stringify(preview.commands));
            assert.ok(line.includes(`'${customerSiteUrn(m.from, m.id)}'`));
        }
    });

    it("from the single layout every customer leaves the environment's stack, one command per shard", async () => {
        const preview = JSON.parse((await shards(["move", "--stack", "sandbox", "--to", "2", "--json"])).out);
        assert.deepEqual(preview.moves.map((m: { from: string }) => m.from), SAMPLE_IDS.map(() => "sandbox"));
        const plan = shardPlan(SAMPLE_IDS, { layout: "sharded", environment: "sandbox", shards: 2 });
        assert.deepEqual(
            preview.commands,
            Object.entries(plan)
                .filter(([, ids]) => ids.length)
                .map(([stack, ids]) => `pulumi state move --source sandbox --dest ${stack} --yes ${ids.map((id) => `'urn:pulumi:sandbox::sas-onboarding::sas:index:CustomerSite::customer-${id}'`).join(" ")}`),
        );
        const text = (await shards(["move", "--stack", "dev", "--from", "3", "--to", "4"])).out;
        assert.match(text, /^move: dev from 3 shards to 4 shards: \d of 4 customers change stacks/);
        assert.match(text, /pulumi stack init dev-shard-03/);
    });

    describe("--apply, against a simulated backend", () => {
        /** A backend of stacks holding CustomerSite URNs, answering the CLI calls the tool makes, recording them. */
        function backend(initial: Record<string, string[]>) {
            const stacks = new Map(Object.entries(initial).map(([s, ids]) => [s, new Set(ids)]));
            const calls: string[] = [];
            const run: PulumiRunner = async (args) => {
                calls.push(args.slice(0, 3).join(" ") + (args[0] === "state" ? ` ${args[3]}>${args[5]}` : ""));
                const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
                if (args[0] === "stack" && args[1] === "ls") return ok(JSON.stringify([...stacks.keys()].map((name) => ({ name: `organization/sas-onboarding/${name}` }))));
                if (args[0] === "stack" && args[1] === "export") {
                    const ids = stacks.get(args[3]);
                    if (!ids) return { code: 255, stdout: "", stderr: `no stack named '${args[3]}' found` };
                    return ok(JSON.stringify({ deployment: { resources: [{ type: "pulumi:pulumi:Stack", urn: "x" }, ...[...ids].map((id) => ({ type: "sas:index:CustomerSite", urn: customerSiteUrn(args[3], id) }))] } }));
                }
                if (args[0] === "stack" && args[1] === "init") {
                    stacks.set(args[2], new Set());
                    return ok();
                }
                if (args[0] === "state" && args[1] === "move") {
                    const [source, dest] = [args[3], args[5]];
                    if (!stacks.has(dest)) return { code: 255, stdout: "", stderr: `no stack ${dest}` };
                    for (const urn of args.slice(7)) {
                        const id = urn.split("::customer-").pop()!;
                        assert.ok(stacks.get(source)!.delete(id), `${id} not in ${source}`);
                        stacks.get(dest)!.add(id);
                    }
                    return ok();
                }
                return { code: 1, stdout: "", stderr: `unexpected pulumi ${args.join(" ")}` };
            };
            return { stacks, calls, run };
        }

        it("moves what the state says is misplaced, creates missing shard stacks, checks the result, and is idempotent", async () => {
            const ids = Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(3, "0")}`);
            const t = tempDirWith(Object.fromEntries(ids.map((id) => [`${id}.yaml`, recordYaml(id)])));
            try {
                const two = shardPlan(ids, { layout: "sharded", environment: "sandbox", shards: 2 });
                const b = backend({ sandbox: [], ...two });
                const apply = () => shards(["move", "--stack", "sandbox", "--to", "3", "--apply", "--json", "--customers-dir", t.dir], { pulumi: () => b.run });
                const first = await apply();
                assert.equal(first.code, 0, first.err);
                const result = JSON.parse(first.out.split("\n").filter(Boolean).pop()!);
                const expected = shardMoves(ids, { layout: "sharded", environment: "sandbox", shards: 2 }, { layout: "sharded", environment: "sandbox", shards: 3 });
                assert.ok(expected.length > 0 && expected.length < ids.length, `${expected.length} of 12 move`);
                assert.deepEqual(result.moves, expected);
                assert.deepEqual(result.created, ["sandbox-shard-02"]);
                const three = shardPlan(ids, { layout: "sharded", environment: "sandbox", shards: 3 });
                for (const [stack, members] of Object.entries(three)) assert.deepEqual([...(b.stacks.get(stack) ?? [])].sort(), members, stack);
                const movesBefore = b.calls.filter((c) => c.startsWith("state move")).length;
                assert.equal(movesBefore, new Set(expected.map((m) => `${m.from}>${m.to}`)).size, "one pulumi state move per pair");
                const again = await apply();
                assert.deepEqual(JSON.parse(again.out.split("\n").filter(Boolean).pop()!), { moves: [], created: [] });
                assert.equal(b.calls.filter((c) => c.startsWith("state move")).length, movesBefore, "the second run moved nothing");
            } finally {
                t.cleanup();
            }
        });

        it("moves a single-layout environment's customers into its shards; refuses a customer held by two stacks", async () => {
            const b = backend({ sandbox: SAMPLE_IDS });
            const res = await shards(["move", "--stack", "sandbox", "--to", "2", "--apply"], { pulumi: () => b.run });
            assert.equal(res.code, 0, res.err);
            assert.deepEqual(b.stacks.get("sandbox")!.size, 0);
            assert.match(res.out, /^move: creating stack sandbox-shard-00/m);
            assert.match(res.out, /move: 4 customer\(s\) moved, created sandbox-shard-00, sandbox-shard-01; now `pulumi up` the platform, then every shard stack/);
            const twice = backend({ sandbox: ["acme-rockets"], "sandbox-shard-00": ["acme-rockets"] });
            const refused = await shards(["move", "--stack", "sandbox", "--to", "2", "--apply"], { pulumi: () => twice.run });
            assert.equal(refused.code, 1);
            assert.match(refused.err, /^shards: move --apply: customer acme-rockets is in the state of both sandbox and sandbox-shard-00; resolve by hand/);
            assert.deepEqual(twice.calls.filter((c) => !c.startsWith("stack ")), [], "nothing moved");
        });
    });
});

describe("npm run shards: stacks", () => {
    it("the committed shard stack files are exactly what the counts call for", async () => {
        for (const env of ["dev", "stage", "prod"]) {
            const { code, out } = await shards(["stacks", "--stack", env]);
            assert.equal(code, 0, out);
            for (let i = 0; i < 4; i++) assert.equal(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${env}-shard-0${i}.yaml`), "utf8"), shardStackFile(env, `${env}-shard-0${i}`));
        }
        assert.equal((await shards(["stacks", "--stack", "local"])).out, "local: single layout, no shard stacks\n");
    });

    it("--write writes the missing and differing files, and leaves a shard beyond the count to the operator", async () => {
        const t = stackFilesCopy((name, text) => (name === "Pulumi.dev.yaml" ? text.replace("shards: 4", "shards: 6") : name === "Pulumi.dev-shard-01.yaml" ? "config: {}\n" : text));
        try {
            const before = await shards(["stacks", "--stack", "dev"], { root: t.root });
            assert.equal(before.code, 1);
            assert.match(before.out, /Pulumi\.dev-shard-04\.yaml: missing\nPulumi\.dev-shard-05\.yaml: missing\n$/);
            const write = await shards(["stacks", "--stack", "dev", "--write"], { root: t.root });
            assert.equal(write.code, 0);
            assert.match(write.out, /^wrote Pulumi\.dev-shard-01\.yaml, Pulumi\.dev-shard-04\.yaml, Pulumi\.dev-shard-05\.yaml\n/);
            for (let i = 0; i < 6; i++) assert.equal(fs.readFileSync(path.join(t.root, `Pulumi.dev-shard-0${i}.yaml`), "utf8"), shardStackFile("dev", `dev-shard-0${i}`));
        } finally {
            t.cleanup();
        }
    });
});

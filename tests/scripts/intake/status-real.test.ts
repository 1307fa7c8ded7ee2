// `npm run status` and the onboarding store against a DynamoDB-compatible registry (dynalite): marks, the table with
// time to onboard, conditional writes under two concurrent writers, marks by commit (real git), dead letters.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { markOnboarding, Registry } from "../../../scripts/lib/registry-client";
import { customersInCommit } from "../../../scripts/status/main";
import { startLocalRegistry, type LocalRegistry } from "../../harness/realparts/dynalite";
import { FAST_RETRY, git, intake, status, tempRepo } from "./helpers";

const T = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 10, minutes)).toISOString();

/** Lets both writers read before either writes, and decides whose write goes first. */
function raceRegistries(endpoint: string, table: string) {
    let reads = 0;
    let bothRead!: () => void;
    const readBarrier = new Promise<void>((r) => (bothRead = r));
    const conditionFailures: string[] = [];
    const make = (name: string, writeGate: () => Promise<void>) => {
        const reg = Registry.connect({ endpoint, table }, FAST_RETRY, {});
        const get = reg.get.bind(reg);
        const putIf = reg.putIf.bind(reg);
        let first = true;
        reg.get = async (p, r) => {
            const item = await get(p, r);
            if (first) {
                first = false;
                if (++reads === 2) bothRead();
                await readBarrier;
            }
            return item;
        };
        reg.putIf = async (item, condition) => {
            await writeGate();
            const res = await putIf(item, condition);
            if (res === "condition-failed") conditionFailures.push(name);
            return res;
        };
        return reg;
    };
    return { make, conditionFailures };
}

describe("status and onboarding states against a DynamoDB-compatible registry", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    const reg = () => ["--registry-endpoint", registry.endpoint, "--table", registry.tableName];

    before(async () => {
        registry = await startLocalRegistry();
    });
    after(async () => {
        await registry?.stop();
    });

    it("marks a customer through the states and shows the table with time to onboard", async () => {
        const store = Registry.connect({ endpoint: registry.endpoint, table: registry.tableName }, FAST_RETRY, {});
        try {
            await markOnboarding(store, "acme", "prod", { state: "received", at: T(0), purchaseId: "PO-1", occurredAt: T(0) });
        } finally {
            store.destroy();
        }
        const steps: [string[], string][] = [
            [["--state", "recorded", "--pr", "https://github.example/o/r/pull/7", "--at", T(1)], "recorded"],
            [["--state", "deployed", "--at", T(30)], "deployed"],
            [["--state", "live", "--at", T(42)], "live"],
        ];
        for (const [extra, state] of steps) {
            const r = await status(["mark", "--stack", "prod", "--customer", "acme", ...extra, ...reg()]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.json[0].outcome, "written");
            assert.equal(r.json[0].state, state);
        }
        const shown = await status(["--stack", "prod", ...reg()]);
        assert.equal(shown.code, 0);
        const lines = shown.stdout.split("\n");
        assert.equal(lines[0], `onboarding in prod (${registry.tableName}): 1 customer(s)`);
        assert.match(lines[1], /^customer\s+state\s+step\s+attempts\s+updated\s+commit\s+time to onboard\s+notified\s+reason$/);
        assert.deepEqual(lines[2].split(/\s{2,}/), ["acme", "live", "-", "1", T(42), "-", "42m 0s", "no", "-"]);
        const json = await status(["--stack", "prod", "--customer", "acme", "--json", ...reg()]);
        assert.deepEqual(
            [json.json[0].state, json.json[0].version, json.json[0].pr, json.json[0].timeToOnboardMs, json.json[0].onboardedAt],
            ["live", 4, "https://github.example/o/r/pull/7", 42 * 60_000, T(42)],
        );
    });

    it("refuses a stale run (exit 0: the newer state is kept) and a move the state machine forbids (exit 1)", async () => {
        const stale = await status(["mark", "--stack", "prod", "--customer", "acme", "--state", "failed", "--step", "live", "--reason", "verify timed out", "--at", T(40), ...reg()]);
        assert.equal(stale.code, 0);
        assert.deepEqual(stale.json[0], {
            customerId: "acme", environment: "prod", state: "failed", outcome: "refused",
            reason: `stale: the stored state "live" was written at ${T(42)}, after this run started (${T(40)})`,
        });
        await registry.client.send(
            new (await import("@aws-sdk/client-dynamodb")).PutItemCommand({
                TableName: registry.tableName,
                Item: { customerId: { S: "beta" }, record: { S: "ONBOARDING#dev" }, environment: { S: "dev" }, state: { S: "received" }, reason: { S: "" }, attempts: { N: "1" }, version: { N: "1" }, updatedAt: { S: T(0) } },
            }),
        );
        const skip = await status(["mark", "--stack", "dev", "--customer", "beta", "--state", "live", "--at", T(5), ...reg()]);
        assert.equal(skip.code, 1);
        assert.equal(skip.json[0].reason, "cannot go from received to live");
        assert.equal((await registry.get("beta", "ONBOARDING#dev"))?.state, "received");
    });

    it("records failures with step, reason and attempts, and resumes at the failed step", async () => {
        const m = (extra: string[]) => status(["mark", "--stack", "dev", "--customer", "beta", ...extra, ...reg()]);
        assert.equal((await m(["--state", "recorded", "--at", T(10)])).code, 0);
        const f1 = await m(["--state", "failed", "--reason", "pulumi up: timeout", "--at", T(11)]);
        assert.deepEqual([f1.json[0].outcome, f1.json[0].attempts], ["written", 1]);
        await m(["--state", "failed", "--step", "deployed", "--reason", "pulumi up: quota", "--at", T(12)]);
        const item = await registry.get("beta", "ONBOARDING#dev");
        assert.deepEqual([item?.state, item?.step, item?.attempts, item?.reason, item?.failedAt], ["failed", "deployed", 2, "pulumi up: quota", T(12)]);
        const shown = await status(["--stack", "dev", "--customer", "beta", ...reg()]);
        assert.deepEqual(shown.stdout.split("\n")[2].split(/\s{2,}/), ["beta", "failed", "deployed", "2", T(12), "-", "-", "pulumi up: quota"]);
        const jump = await m(["--state", "live", "--at", T(13)]);
        assert.equal(jump.json[0].reason, "cannot go from failed (at deployed) to live: it resumes at deployed");
        const resumed = await m(["--state", "deployed", "--at", T(14)]);
        assert.deepEqual([resumed.json[0].outcome, resumed.json[0].attempts], ["written", 3]);
    });

    describe("two concurrent writers (both read the same version, then both write)", () => {
        async function race(first: "old" | "new") {
            const id = `race-${first}`;
            const setup = Registry.connect({ endpoint: registry.endpoint, table: registry.tableName }, FAST_RETRY, {});
            await markOnboarding(setup, id, "prod", { state: "recorded", at: T(0) });
            setup.destroy();
            let releaseSecond!: () => void;
            const secondMayWrite = new Promise<void>((r) => (releaseSecond = r));
            const { make, conditionFailures } = raceRegistries(registry.endpoint, registry.tableName);
            const gate = (who: "old" | "new") => () => (who === first ? Promise.resolve() : secondMayWrite);
            const oldRun = make("old", gate("old"));
            const newRun = make("new", gate("new"));
            // The older run (started at T(5)) reports a failed deploy; the newer run (T(9)) a successful one.
            const oldWrite = markOnboarding(oldRun, id, "prod", { state: "failed", step: "deployed", reason: "old run failed", at: T(5) });
            const newWrite = markOnboarding(newRun, id, "prod", { state: "deployed", commit: "c0ffee", at: T(9) });
            const firstDone = await (first === "old" ? oldWrite : newWrite);
            releaseSecond();
            const [o, n] = await Promise.all([oldWrite, newWrite]);
            oldRun.destroy();
            newRun.destroy();
            assert.equal(firstDone.outcome, "written");
            assert.deepEqual(conditionFailures, [first === "old" ? "new" : "old"], "the second write met the condition and was re-decided");
            return { o, n, item: await registry.get(id, "ONBOARDING#prod") };
        }

        it("newer first: the late older run is refused as stale; the newer state stays", async () => {
            const { o, n, item } = await race("new");
            assert.equal(n.outcome, "written");
            assert.deepEqual(o, { outcome: "refused", reason: `stale: the stored state "deployed" was written at ${T(9)}, after this run started (${T(5)})`, current: o.outcome === "refused" ? o.current : undefined });
            assert.deepEqual([item?.state, item?.version, item?.commit, item?.updatedAt], ["deployed", 2, "c0ffee", T(9)]);
        });

        it("older first: the newer run re-reads and resumes from the failure; nothing is lost", async () => {
            const { o, n, item } = await race("old");
            assert.equal(o.outcome, "written");
            assert.equal(n.outcome, "written");
            assert.deepEqual([item?.state, item?.version, item?.attempts, item?.failedAt, item?.deployedAt], ["deployed", 3, 2, T(5), T(9)]);
        });
    });

    it("marks every customer a commit added or changed (real git), not deleted ones", async () => {
        const repo = tempRepo({ "alpha.yaml": "a\n", "bravo.yaml": "b\n" });
        try {
            const root = git(repo.dir, "rev-parse", "HEAD").trim();
            fs.writeFileSync(path.join(repo.customers, "bravo.yaml"), "b2\n");
            fs.writeFileSync(path.join(repo.customers, "charlie.yaml"), "c\n");
            fs.writeFileSync(path.join(repo.dir, "README.md"), "not a customer\n");
            fs.rmSync(path.join(repo.customers, "alpha.yaml"));
            git(repo.dir, "add", "-A");
            git(repo.dir, "commit", "-q", "-m", "second");
            const second = git(repo.dir, "rev-parse", "HEAD").trim();
            assert.deepEqual(await customersInCommit(root, "customers", repo.dir, process.env), ["alpha", "bravo"]);
            assert.deepEqual(await customersInCommit(second, "customers", repo.dir, process.env), ["bravo", "charlie"]);
            const r = await status(["mark", "--stack", "stage", "--state", "deployed", "--commit", second, ...reg()], { cwd: repo.dir, env: process.env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /adds or changes 2 customer record\(s\): bravo, charlie/);
            assert.deepEqual(r.json.map((j) => [j.customerId, j.outcome, j.version]), [["bravo", "written", 1], ["charlie", "written", 1]]);
            assert.equal((await registry.get("charlie", "ONBOARDING#stage"))?.commit, second);
            assert.equal(await registry.get("alpha", "ONBOARDING#stage"), undefined);
        } finally {
            repo.cleanup();
        }
    });

    it("lists dead letters, and marks one resolved once its purchase goes through", async () => {
        const repo = tempRepo();
        try {
            const bad = { purchaseId: "PO-DL-1", companyName: "Dead Letter Co", motto: "x", tier: "platinum", contactEmail: "dl@example.com", occurredAt: "2026-05-01T10:00:00Z" };
            const first = await intake([...reg(), "-", "--format", "json"], { cwd: repo.dir, readStdin: () => JSON.stringify(bad) });
            assert.equal(first.code, 1);
            const listed = await status(["--dead-letters", ...reg()]);
            assert.equal(listed.code, 0);
            assert.match(listed.stdout, /^dead letters in sas-registry-test: 1 \(1 unresolved\)\n/);
            assert.match(listed.stdout, /purchase:PO-DL-1\s+PO-DL-1\s+1\s+\S+\s+stdin \(the one object\)\s+no\s+stdin \(the one object\): tier: tier must be one of starter, business, enterprise/);
            assert.ok(!listed.stdout.includes("dl@example.com"));
            const fixed = await intake([...reg(), "-", "--format", "json"], { cwd: repo.dir, readStdin: () => JSON.stringify({ ...bad, tier: "starter" }) });
            assert.deepEqual(fixed.lines.map((l) => l.outcome), ["created"]);
            const json = await status(["--dead-letters", "--json", ...reg()]);
            assert.equal(json.json.length, 1);
            assert.equal(json.json[0].key, "purchase:PO-DL-1");
            assert.equal(typeof json.json[0].resolvedAt, "string");
            assert.deepEqual(JSON.parse(String(json.json[0].raw)), { ...bad, contactEmail: "[redacted]" });
        } finally {
            repo.cleanup();
        }
    });

    it("exits 1 naming a customer without an onboarding item, and 2 on bad arguments", async () => {
        const r = await status(["--stack", "prod", "--customer", "nobody", ...reg()]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /status: nobody: no onboarding item in prod/);
        const usage = await status(["mark", "--stack", "prod", "--state", "gone", "--customer", "acme"]);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /--state must be one of received, recorded, deployed, live, failed; got "gone"/);
        assert.equal((await status(["mark", "--stack", "prod", "--state", "live"])).code, 2);
        assert.equal((await status(["--stack", "Prod!"])).code, 2);
    });
});

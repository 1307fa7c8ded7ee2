// `npm run intake` end to end against real parts: a git repository in a temp directory for the record files, and a
// DynamoDB-compatible registry (dynalite) for personal data, onboarding states and dead letters.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { loadCustomers } from "../../../components/records/load";
import { fallbackId } from "../../../components/model/purchase";
import { INTAKE_PARTITION } from "../../../components/model/onboarding";
import { startLocalRegistry, type LocalRegistry } from "../../harness/realparts/dynalite";
import { assertNoneOf, filesUnder, git, intake, REPO_CUSTOMERS, tempRepo } from "./helpers";
import { startThrottleProxy } from "./throttle-proxy";

const HEADER = "purchaseId,companyName,motto,tier,contactEmail,subdomain,occurredAt";
const EMAILS = ["anna.mueller@example.com", "sato@example.jp", "root@example.org", "ops@acme-two.example", "fresh@example.net"];

const FIRST_CSV = [
    HEADER,
    `PO-7001,Müller Kaffee Großhandel,"Frisch, ""gut"" & schnell",business,${EMAILS[0]},,2026-05-01T09:00:00Z`,
    `PO-7002,はやぶさ運輸株式会社,速く、確かに。,starter,${EMAILS[1]},,2026-05-01T09:05:00Z`,
    `PO-7003,Admin,Administrators welcome,enterprise,${EMAILS[2]},,2026-05-01T09:10:00Z`,
    "",
].join("\r\n");

function expectedRecord(lines: string[]): string {
    return ["# yaml-language-server: $schema=./customer.schema.json", ...lines, ""].join("\n");
}

describe("intake against a real git repository and a DynamoDB-compatible registry", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    let repo: ReturnType<typeof tempRepo>;
    let out = "";
    const args = () => ["--registry-endpoint", registry.endpoint, "--table", registry.tableName];
    const run = async (extra: string[], stdin?: string) => {
        const r = await intake([...args(), ...extra], { cwd: repo.dir, ...(stdin !== undefined ? { readStdin: () => stdin } : {}) });
        out += r.stdout + r.stderr;
        return r;
    };

    before(async () => {
        registry = await startLocalRegistry();
        // The repository's own sample records, so ids and companies collide with real ones.
        const samples = Object.fromEntries(fs.readdirSync(REPO_CUSTOMERS).filter((f) => f.endsWith(".yaml")).map((f) => [f, fs.readFileSync(path.join(REPO_CUSTOMERS, f), "utf8")]));
        repo = tempRepo(samples);
        fs.writeFileSync(path.join(repo.dir, "first.csv"), FIRST_CSV);
        git(repo.dir, "add", "first.csv");
        git(repo.dir, "commit", "-q", "-m", "events");
    });
    after(async () => {
        await registry?.stop();
        repo?.cleanup();
    });

    it("creates records in the committed format, personal data only in the registry, state received", async () => {
        const r = await run(["first.csv"]);
        assert.equal(r.code, 0, r.stderr);
        const japanese = fallbackId("PO-7002");
        assert.deepEqual(r.lines, [
            { purchaseId: "PO-7001", outcome: "created", id: "muller-kaffee-grosshandel", file: "customers/muller-kaffee-grosshandel.yaml", reason: "new customer, id from companyName", row: "first.csv line 2" },
            { purchaseId: "PO-7002", outcome: "created", id: japanese, file: `customers/${japanese}.yaml`, reason: "new customer, id derived from purchaseId (companyName has no Latin letters)", row: "first.csv line 3" },
            { purchaseId: "PO-7003", outcome: "created", id: "admin-2", file: "customers/admin-2.yaml", reason: 'new customer, id from companyName; "admin" is not usable: id is reserved for the platform; assigned "admin-2"', row: "first.csv line 4" },
        ]);
        assert.equal(
            fs.readFileSync(path.join(repo.customers, "muller-kaffee-grosshandel.yaml"), "utf8"),
            expectedRecord(["id: muller-kaffee-grosshandel", "companyName: Müller Kaffee Großhandel", 'motto: Frisch, "gut" & schnell', "tier: business", "purchaseId: PO-7001"]),
        );
        assert.equal(
            fs.readFileSync(path.join(repo.customers, `${japanese}.yaml`), "utf8"),
            expectedRecord([`id: ${japanese}`, "companyName: はやぶさ運輸株式会社", "motto: 速く、確かに。", "tier: starter", "purchaseId: PO-7002"]),
        );
        // The loader accepts the whole directory as it now is: samples plus the new records.
        assert.deepEqual(loadCustomers(repo.customers).map((c) => c.id), ["acme-rockets", "admin-2", japanese, "muller-kaffee", "muller-kaffee-grosshandel", "nile-analytics", "sakura-logistics"]);
        assert.deepEqual(await registry.get("muller-kaffee-grosshandel", "PII"), {
            customerId: "muller-kaffee-grosshandel", record: "PII", purchaseId: "PO-7001", contactEmail: EMAILS[0], occurredAt: "2026-05-01T09:00:00.000Z",
            updatedAt: (await registry.get("muller-kaffee-grosshandel", "PII"))!.updatedAt,
        });
        const state = await registry.get("admin-2", "ONBOARDING#prod");
        assert.deepEqual(
            [state?.state, state?.version, state?.attempts, state?.purchaseId, state?.purchasedAt, state?.eventAt, typeof state?.receivedAt],
            ["received", 1, 1, "PO-7003", "2026-05-01T09:10:00Z", "2026-05-01T09:10:00Z", "string"],
        );
        assert.match(r.stderr, /intake: 3 event\(s\): 3 created, 0 updated, 0 unchanged, 0 rejected/);
        assert.match(r.stderr, /first\.csv line 4\s+created\s+admin-2\s+PO-7003/);
        git(repo.dir, "add", "-A");
        git(repo.dir, "commit", "-q", "-m", "onboard");
    });

    it("processing the same file again gives unchanged for every row and touches no file", async () => {
        const before = fs.statSync(path.join(repo.customers, "admin-2.yaml")).mtimeMs;
        const stateBefore = await registry.get("admin-2", "ONBOARDING#prod");
        const r = await run(["first.csv"]);
        assert.equal(r.code, 0);
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.reason]), Array(3).fill(["unchanged", "already onboarded with the same content"]));
        assert.equal(git(repo.dir, "status", "--porcelain"), "");
        assert.equal(fs.statSync(path.join(repo.customers, "admin-2.yaml")).mtimeMs, before);
        assert.deepEqual(await registry.get("admin-2", "ONBOARDING#prod"), stateBefore, "state untouched");
    });

    it("recognizes the repository's sample records by purchaseId (found by scanning customers/)", async () => {
        const events = [
            { purchaseId: "PO-2026-000102", companyName: "Müller Kaffeerösterei GmbH", motto: "Jeden Morgen frisch geröstet.", tier: "business", contactEmail: "kaffee@example.com", occurredAt: "2026-04-01T08:00:00Z" },
        ];
        const r = await run(["-", "--format", "json"], JSON.stringify(events));
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.id, l.row]), [["updated", "muller-kaffee", "stdin index 0"]]);
        assert.equal(r.lines[0].reason, "contact details stored in the registry (the record file is unchanged)");
        assert.equal(git(repo.dir, "status", "--porcelain"), "", "the record file itself is unchanged");
        const again = await run(["-", "--format", "json"], JSON.stringify(events));
        assert.deepEqual(again.lines.map((l) => l.outcome), ["unchanged"]);
    });

    it("same purchase with new content: updated, same id, a person's theme kept, onboarding restarted", async () => {
        fs.appendFileSync(path.join(repo.customers, "admin-2.yaml"), 'theme:\n  accentColor: "#123456"\n');
        git(repo.dir, "commit", "-qam", "theme by a person");
        await registry.client.send(
            new (await import("@aws-sdk/client-dynamodb")).UpdateItemCommand({
                TableName: registry.tableName,
                Key: { customerId: { S: "admin-2" }, record: { S: "ONBOARDING#prod" } },
                UpdateExpression: "SET #s = :live, onboardedAt = :t",
                ExpressionAttributeNames: { "#s": "state" },
                ExpressionAttributeValues: { ":live": { S: "live" }, ":t": { S: "2026-05-01T12:00:00.000Z" } },
            }),
        );
        const line = JSON.stringify({ purchaseId: "PO-7003", companyName: "Admin", motto: "Administrators, welcome back", tier: "business", contactEmail: EMAILS[2], subdomain: "admins", occurredAt: "2026-05-02T09:00:00Z" });
        const r = await run(["-", "--format", "jsonl"], `${line}\n`);
        assert.deepEqual(r.lines, [{
            purchaseId: "PO-7003", outcome: "updated", id: "admin-2", file: "customers/admin-2.yaml", row: "stdin line 1",
            reason: 'changed: motto, tier; subdomain "admins" ignored: an onboarded customer keeps its id',
        }]);
        assert.equal(
            fs.readFileSync(path.join(repo.customers, "admin-2.yaml"), "utf8"),
            expectedRecord(["id: admin-2", "companyName: Admin", "motto: Administrators, welcome back", "tier: business", "purchaseId: PO-7003", "theme:", '  accentColor: "#123456"']),
        );
        const state = await registry.get("admin-2", "ONBOARDING#prod");
        assert.deepEqual([state?.state, state?.eventAt, state?.purchasedAt, state?.onboardedAt], ["received", "2026-05-02T09:00:00Z", "2026-05-01T09:10:00Z", "2026-05-01T12:00:00.000Z"]);
        git(repo.dir, "commit", "-qam", "update");
    });

    it("an older event arriving after a newer one is reported stale and not applied", async () => {
        const old = JSON.stringify({ purchaseId: "PO-7003", companyName: "Admin", motto: "Administrators welcome", tier: "enterprise", contactEmail: "old-admin@example.org", occurredAt: "2026-05-01T09:10:00Z" });
        const r = await run(["-", "--format", "jsonl"], old);
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.reason]), [["unchanged", "stale: an event from 2026-05-02T09:00:00Z was applied already; this one is from 2026-05-01T09:10:00Z"]]);
        assert.equal(git(repo.dir, "status", "--porcelain"), "");
        assert.equal((await registry.get("admin-2", "PII"))?.contactEmail, EMAILS[2], "stale contact details are not applied either");
    });

    it("contact details follow the newest event even when the record content is the same", async () => {
        const base = { purchaseId: "PO-7001", companyName: "Müller Kaffee Großhandel", motto: 'Frisch, "gut" & schnell', tier: "business" };
        const newer = await run(["-", "--format", "json"], JSON.stringify({ ...base, contactEmail: "new-owner@example.com", occurredAt: "2026-05-03T09:00:00+02:00" }));
        assert.deepEqual(newer.lines.map((l) => [l.outcome, l.reason]), [["updated", "contact details stored in the registry (the record file is unchanged)"]]);
        const older = await run(["-", "--format", "json"], JSON.stringify({ ...base, contactEmail: "older-owner@example.com", occurredAt: "2026-05-02T09:00:00Z" }));
        assert.deepEqual(older.lines.map((l) => [l.outcome, l.reason]), [["unchanged", "already onboarded with the same content; contact details kept: the registry has them from a newer event"]]);
        const pii = await registry.get("muller-kaffee-grosshandel", "PII");
        assert.deepEqual([pii?.contactEmail, pii?.occurredAt], ["new-owner@example.com", "2026-05-03T07:00:00.000Z"]);
        assert.equal(git(repo.dir, "status", "--porcelain"), "");
    });

    it("the same company under a new purchaseId is rejected (not merged), and dead-lettered", async () => {
        const r = await run(["-", "--format", "json"], JSON.stringify({ purchaseId: "PO-7999", companyName: "MÜLLER KAFFEE GROSSHANDEL", motto: "Noch einmal", tier: "starter", contactEmail: "second@example.com", occurredAt: "2026-05-03T09:00:00Z" }));
        assert.equal(r.code, 1);
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.reason]), [["rejected", 'stdin (the one object): companyName: the same company is already onboarded as "muller-kaffee-grosshandel" by purchase PO-7001; a second purchase is not merged: update that record, or send a distinct company name']]);
        const dl = await registry.get(INTAKE_PARTITION, "DEADLETTER#purchase:PO-7999");
        assert.deepEqual([dl?.count, dl?.purchaseId, dl?.source], [1, "PO-7999", "stdin (the one object)"]);
        assert.equal(JSON.parse(String(dl?.raw)).contactEmail, "[redacted]");
        assert.equal(git(repo.dir, "status", "--porcelain"), "");
    });

    it("resolves collisions within one input and with existing files by input order, reported in reason", async () => {
        const events = [
            { purchaseId: "PO-7101", companyName: "Acme Rockets", motto: "One", tier: "starter", contactEmail: EMAILS[3], occurredAt: "2026-05-04T09:00:00Z" },
            { purchaseId: "PO-7102", companyName: "Acme-Rockets!", motto: "Two", tier: "starter", contactEmail: "two@example.com", occurredAt: "2026-05-04T09:01:00Z", subdomain: "acme-rockets" },
            { purchaseId: "PO-7101", companyName: "Acme Rockets", motto: "One", tier: "starter", contactEmail: EMAILS[3], occurredAt: "2026-05-04T09:00:00Z" },
            { purchaseId: "PO-7101", companyName: "Acme Rockets", motto: "Changed", tier: "starter", contactEmail: EMAILS[3], occurredAt: "2026-05-04T09:02:00Z" },
        ];
        const r = await run(["-", "--format", "json", "--dry-run"], JSON.stringify(events));
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.id, l.reason.replace(/^stdin index \d: /, "")]), [
            ["created", "acme-rockets-2", 'new customer, id from companyName; "acme-rockets" is taken by customer "acme-rockets" (purchase PO-2026-000101); assigned "acme-rockets-2"'],
            ["rejected", null, 'companyName: the same company is already onboarded as "acme-rockets-2" by purchase PO-7101; a second purchase is not merged: update that record, or send a distinct company name'],
            ["unchanged", "acme-rockets-2", "same as stdin index 0"],
            ["rejected", null, "purchaseId: also at stdin index 0 with different content; send one event per purchase"],
        ]);
        assert.match(r.stderr, /\(dry run: nothing written\)/);
        assert.equal(git(repo.dir, "status", "--porcelain"), "", "dry run wrote no file");
        assert.deepEqual(await registry.items("acme-rockets-2"), [], "dry run wrote no registry item");
        assert.equal(await registry.get(INTAKE_PARTITION, "DEADLETTER#purchase:PO-7102"), undefined, "dry run kept no dead letter");
    });

    it("without a registry drops personal fields with a warning that does not show them", async () => {
        const r = await intake(["--no-registry", "-", "--format", "json"], {
            cwd: repo.dir,
            readStdin: () => JSON.stringify({ purchaseId: "PO-7201", companyName: "Fresh Start", motto: "New", tier: "starter", contactEmail: EMAILS[4], occurredAt: "2026-05-05T09:00:00Z" }),
        });
        out += r.stdout + r.stderr;
        assert.equal(r.code, 0);
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.id]), [["created", "fresh-start"]]);
        assert.match(r.stderr, /intake: warning: --no-registry: contactEmail of 1 event\(s\) dropped; personal data is kept only in the registry, never in customers\//);
        assert.deepEqual(await registry.items("fresh-start"), []);
        fs.rmSync(path.join(repo.customers, "fresh-start.yaml"));
    });

    it("workflow_dispatch csv-path: a CSV in the repository carries no contact data and needs none", async () => {
        fs.mkdirSync(path.join(repo.dir, "intake"));
        fs.writeFileSync(path.join(repo.dir, "intake", "ops.csv"), "purchaseId,companyName,motto,tier,occurredAt\nPO-7501,Operator Added,By hand,starter,2026-05-07T09:00:00Z\n");
        fs.writeFileSync(path.join(repo.dir, "event.json"), JSON.stringify({ inputs: { "csv-path": "intake/ops.csv", "events-json": "" }, ref: "refs/heads/main" }));
        const r = await run(["--github-event", "event.json"]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.lines.map((l) => [l.outcome, l.id, l.row]), [["created", "operator-added", "intake/ops.csv line 2"]]);
        assert.equal(await registry.get("operator-added", "PII"), undefined);
        assert.equal((await registry.get("operator-added", "ONBOARDING#prod"))?.state, "received");
        const sameFromStorefront = await run(["-", "--format", "json"], JSON.stringify({ purchaseId: "PO-7502", companyName: "No Contact", motto: "x", tier: "starter", occurredAt: "2026-05-07T09:00:00Z" }));
        assert.equal(sameFromStorefront.lines[0].reason, "stdin (the one object): contactEmail: contactEmail is required", "storefront events must carry it");
        fs.rmSync(path.join(repo.dir, "intake"), { recursive: true });
        fs.rmSync(path.join(repo.dir, "event.json"));
        fs.rmSync(path.join(repo.customers, "operator-added.yaml"));
    });

    it("never writes an e-mail address it was given to any file or any output line", () => {
        const written = [...filesUnder(repo.dir).entries()].filter(([name]) => !name.endsWith(".csv")).map(([name, text]) => `${name}\n${text}`).join("\n");
        assertNoneOf(written, [...EMAILS, "kaffee@example.com", "second@example.com", "two@example.com", "old-admin@example.org"], "files in the repository");
        assertNoneOf(git(repo.dir, "log", "-p", "--all", "--", "customers"), EMAILS, "git history of customers/");
        assertNoneOf(out, [...EMAILS, "kaffee@example.com", "second@example.com", "two@example.com", "old-admin@example.org", "new-owner@example.com", "older-owner@example.com"], "intake output");
        assert.ok(out.length > 1000, "the output was captured");
    });

    it("retries DynamoDB throttling with backoff and completes", async () => {
        const proxy = await startThrottleProxy(registry.endpoint, 3);
        try {
            const r = await intake(["--registry-endpoint", proxy.endpoint, "--table", registry.tableName, "-", "--format", "json"], {
                cwd: repo.dir,
                readStdin: () => JSON.stringify({ purchaseId: "PO-7301", companyName: "Throttled Co", motto: "Patience", tier: "starter", contactEmail: "slow@example.com", occurredAt: "2026-05-06T09:00:00Z" }),
            });
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(r.lines.map((l) => [l.outcome, l.id]), [["created", "throttled-co"]]);
            assert.equal(proxy.stats.throttled, 3);
            assert.equal((r.stderr.match(/ProvisionedThroughputExceededException.*retrying in \d+ ms/g) ?? []).length, 3);
            assert.equal((await registry.get("throttled-co", "ONBOARDING#prod"))?.state, "received");
            fs.rmSync(path.join(repo.customers, "throttled-co.yaml"));
        } finally {
            await proxy.stop();
        }
    });

    it("gives up on a registry that stays throttled: rejected, nothing written, run again resumes", async () => {
        const proxy = await startThrottleProxy(registry.endpoint, 1000);
        const event = JSON.stringify({ purchaseId: "PO-7401", companyName: "Always Throttled", motto: "Later", tier: "starter", contactEmail: "later@example.com", occurredAt: "2026-05-06T09:00:00Z" });
        try {
            const r = await intake(["--registry-endpoint", proxy.endpoint, "--table", registry.tableName, "-", "--format", "json"], { cwd: repo.dir, readStdin: () => event });
            assert.equal(r.code, 1);
            assert.equal(r.lines[0].outcome, "rejected");
            assert.match(r.lines[0].reason, /^stdin \(the one object\): not completed: RetryExhaustedError: registry get PII: gave up after 4 attempt\(s\): ProvisionedThroughputExceededException/);
            assert.match(r.lines[0].reason, /\(dead letter not stored: RetryExhaustedError/);
            assert.equal(fs.existsSync(path.join(repo.customers, "always-throttled.yaml")), false);
        } finally {
            await proxy.stop();
        }
        const again = await intake([...args(), "-", "--format", "json"], { cwd: repo.dir, readStdin: () => event });
        assert.deepEqual(again.lines.map((l) => l.outcome), ["created"]);
        fs.rmSync(path.join(repo.customers, "always-throttled.yaml"));
    });

    it("treats an unreachable registry as transient, then rejects without writing", async () => {
        const port = await new Promise<number>((resolve) => {
            const s = net.createServer().listen(0, "127.0.0.1", () => {
                const p = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(p));
            });
        });
        const r = await intake(["--registry-endpoint", `http://127.0.0.1:${port}`, "--table", registry.tableName, "first.csv"], { cwd: repo.dir });
        assert.equal(r.code, 1);
        assert.deepEqual(r.lines.map((l) => l.outcome), ["rejected", "rejected", "rejected"]);
        assert.match(r.lines[0].reason, /not processed: registry unavailable \(RetryExhaustedError: registry get ONBOARDING#prod: gave up after 4 attempt\(s\): .*ECONNREFUSED/);
        assert.match(r.stderr, /attempt 1 failed .*ECONNREFUSED.*retrying/);
        assert.equal(git(repo.dir, "status", "--porcelain"), "");
    });
});

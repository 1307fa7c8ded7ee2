// The hostile corpus (tests/fixtures/intake/): every event is rejected naming its row and field, nothing is written to
// the customer records, each becomes a dead letter in a real (dynalite) registry without its e-mail address, and no
// address appears in anything intake printed. Plus 10 MB fields, generated here rather than committed.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { INTAKE_PARTITION } from "../../../components/model/onboarding";
import { startLocalRegistry, type LocalRegistry } from "../../harness/realparts/dynalite";
import { assertNoneOf, FIXTURES, git, intake, tempRepo } from "./helpers";

interface Expected {
    row: string;
    field: string;
    message: string;
    what: string;
}

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as Record<string, Expected[] | string>;
const corpusFiles = Object.keys(expected).filter((k) => !k.startsWith("_"));
const EMAIL = /[A-Za-z0-9._%+-]+@example\.(com|org|net|jp)/g;

describe("intake: hostile and malformed events", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    let repo: ReturnType<typeof tempRepo>;

    before(async () => {
        registry = await startLocalRegistry();
        repo = tempRepo({ "acme.yaml": "id: acme\ncompanyName: Acme\nmotto: Hi\ntier: starter\npurchaseId: PO-EXISTING\n" });
    });
    after(async () => {
        await registry?.stop();
        repo?.cleanup();
    });

    it("has at least 30 cases, the CSV one with a BOM and CRLF line ends", () => {
        const total = corpusFiles.reduce((n, f) => n + (expected[f] as Expected[]).length, 0);
        assert.ok(total >= 30, `only ${total} cases`);
        const csv = fs.readFileSync(path.join(FIXTURES, "hostile-rows.csv"));
        assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], "starts with a UTF-8 BOM");
        assert.ok(csv.includes("\r\n"), "CRLF line ends (check that git did not normalize them)");
    });

    for (const file of corpusFiles) {
        it(`${file}: rejects every event with its row and field; writes no record; keeps dead letters without e-mail`, async () => {
            const cases = expected[file] as Expected[];
            const copy = path.join(repo.dir, "..", `${path.basename(repo.dir)}-${file}`);
            fs.copyFileSync(path.join(FIXTURES, file), copy);
            try {
                const run = await intake(["--customers-dir", "customers", "--registry-endpoint", registry.endpoint, "--table", registry.tableName, copy], { cwd: repo.dir });
                assert.equal(run.code, 1);
                assert.equal(run.lines.length, cases.length, run.stdout);
                run.lines.forEach((line, i) => {
                    const c = cases[i];
                    const row = `${copy} ${c.row}`;
                    assert.equal(line.outcome, "rejected", c.what);
                    assert.equal(line.row, row, c.what);
                    assert.equal(line.id, null, c.what);
                    assert.equal(line.file, null, c.what);
                    const at = c.field ? `${c.field}: ${c.message}` : c.message;
                    assert.ok(line.reason.startsWith(`${row}: `), `${c.what}: ${line.reason}`);
                    assert.ok(line.reason.includes(at), `${c.what}: expected "${at}" in: ${line.reason}`);
                });
                assert.match(run.stderr, new RegExp(`intake: ${cases.length} event\\(s\\): 0 created, 0 updated, 0 unchanged, ${cases.length} rejected`));
                assert.equal(git(repo.dir, "status", "--porcelain"), "", "nothing written to the repository");
                assertNoneOf(run.stdout + run.stderr, fs.readFileSync(copy, "utf8").match(EMAIL) ?? [], "intake output");
            } finally {
                fs.rmSync(copy, { force: true });
            }
        });
    }

    it("kept one dead letter per rejected event, each without any e-mail address, and no PII item", async () => {
        const letters = await registry.items(INTAKE_PARTITION);
        const total = corpusFiles.reduce((n, f) => n + (expected[f] as Expected[]).length, 0);
        assert.equal(letters.length, total);
        const all = JSON.stringify(letters);
        const addresses = corpusFiles.flatMap((f) => fs.readFileSync(path.join(FIXTURES, f), "utf8").match(EMAIL) ?? []);
        assert.ok(addresses.length >= 30);
        assertNoneOf(all, addresses, "dead letters");
        for (const l of letters) {
            assert.equal(l.count, 1);
            assert.match(String(l.reason), /^.+ (line|index) \d+: /);
        }
        const c02 = letters.find((l) => l.record === "DEADLETTER#purchase:PO-C02");
        assert.ok(c02, "keyed by purchase id when it is valid");
        assert.deepEqual(JSON.parse(String(c02.raw)), {
            purchaseId: "PO-C02", companyName: '=HYPERLINK("http://evil.example","click")', motto: "Hello", tier: "starter",
            contactEmail: "[redacted]", occurredAt: "2026-05-01T10:00:00Z",
        });
        assert.ok(letters.some((l) => /^DEADLETTER#sha256:[0-9a-f]{64}$/.test(String(l.record))), "keyed by hash without a valid purchase id");
        assert.deepEqual(await registry.items("acme"), [], "no PII, no state for anything rejected");
    });

    it("a second run of the same file counts the dead letters up instead of duplicating them", async () => {
        const copy = path.join(repo.dir, "..", `${path.basename(repo.dir)}-again.json`);
        fs.copyFileSync(path.join(FIXTURES, "hostile.json"), copy);
        try {
            const run = await intake(["--registry-endpoint", registry.endpoint, "--table", registry.tableName, copy], { cwd: repo.dir });
            assert.equal(run.code, 1);
            const a00 = await registry.get(INTAKE_PARTITION, "DEADLETTER#purchase:PO-A00");
            assert.equal(a00?.count, 2);
            assert.notEqual(a00?.firstAt, undefined);
        } finally {
            fs.rmSync(copy, { force: true });
        }
    });

    it("rejects 10 MB fields quickly, in JSON, JSON lines and CSV, with short messages", async () => {
        const ten = "W".repeat(10 * 1024 * 1024);
        const base = { purchaseId: "PO-BIG-1", companyName: "Big", motto: "Hi", tier: "starter", contactEmail: "big1@example.com", occurredAt: "2026-05-01T10:00:00Z" };
        const dir = fs.mkdtempSync(path.join(repo.dir, "..", "big-"));
        try {
            fs.writeFileSync(path.join(dir, "big.json"), JSON.stringify([{ ...base, companyName: ten }, { ...base, purchaseId: "PO-BIG-2", contactEmail: `${ten}@example.com` }]));
            fs.writeFileSync(path.join(dir, "big.jsonl"), `${JSON.stringify({ ...base, purchaseId: "PO-BIG-3", [ten]: 1 })}\n`);
            fs.writeFileSync(path.join(dir, "big.csv"), `purchaseId,companyName,motto,tier,contactEmail,occurredAt\nPO-BIG-4,Big,"${ten}",starter,big4@example.com,2026-05-01T10:00:00Z\n`);
            const started = Date.now();
            const run = await intake(["--registry-endpoint", registry.endpoint, "--table", registry.tableName, "big.json", "big.jsonl", "big.csv"], { cwd: dir });
            assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
            assert.equal(run.code, 1);
            assert.deepEqual(
                run.lines.map((l) => [l.outcome, l.reason.replace(/^.*?: /, "")]),
                [
                    ["rejected", "companyName: companyName must be at most 100 characters"],
                    ["rejected", "contactEmail: contactEmail must be at most 254 characters"],
                    ["rejected", `${"W".repeat(40)}…: unknown field`],
                    ["rejected", "motto: motto must be at most 200 characters"],
                ],
            );
            assert.ok(run.stdout.length < 4000, "messages never carry the value");
            assert.equal(git(repo.dir, "status", "--porcelain"), "");
            const big1 = await registry.get(INTAKE_PARTITION, "DEADLETTER#purchase:PO-BIG-1");
            assert.ok(String(big1?.raw).length < 8000, "dead letters keep a cut-down raw event");
            assert.ok(!String(big1?.raw).includes("big1@example.com"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

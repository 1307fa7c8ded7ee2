// The pure parts of intake and status: the CSV reader, input formats, GitHub event payloads, arguments, retries and
// the record file format.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCustomerFile } from "../../../components/records/load";
import { parseIntakeArgs } from "../../../scripts/intake/args";
import { parseCsv } from "../../../scripts/intake/csv";
import { eventsFromGithubEvent } from "../../../scripts/intake/github-event";
import { detectFormat, readCsv, readJson, readJsonLines } from "../../../scripts/intake/parse";
import { mdText, prBody, readResults } from "../../../scripts/intake/publish";
import { renderRecord, scanRecords, writeFileAtomic } from "../../../scripts/intake/records";
import { isTransientError, RetryExhaustedError, withRetry, type RetryClock } from "../../../scripts/lib/retry";
import { parseStatusArgs } from "../../../scripts/status/args";
import { REPO_CUSTOMERS } from "./helpers";

describe("intake: RFC 4180 CSV reader", () => {
    it("reads quotes, doubled quotes, separators and line breaks inside quotes, CRLF and a BOM", () => {
        const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,end\n';
        assert.deepEqual(parseCsv(text), [
            { line: 1, fields: ["a", "b", "c"], raw: "a,b,c" },
            { line: 2, fields: ["x, y", 'say "hi"', "two\r\nlines"], raw: '"x, y","say ""hi""","two\r\nlines"' },
            { line: 4, fields: ["plain", "", "end"], raw: "plain,,end" },
        ]);
    });

    it("skips blank lines and a missing final newline is fine", () => {
        assert.deepEqual(parseCsv("a,b\n\n1,2").map((r) => [r.line, r.fields]), [[1, ["a", "b"]], [3, ["1", "2"]]]);
        assert.deepEqual(parseCsv(""), []);
        assert.deepEqual(parseCsv('""\n').map((r) => r.fields), [[""]], "an explicitly quoted empty field is a record");
    });

    it("reports quoting errors on their record and reads on", () => {
        const recs = parseCsv('h1,h2\na"b,c\n"x"y,z\n"open,1\nok,2\n');
        assert.deepEqual(recs.map((r) => [r.line, r.error ?? "", r.errorColumn ?? -1]), [
            [1, "", -1],
            [2, "a quote inside unquoted field 1 (quote the whole field and double the quote)", 0],
            [3, "unexpected text after a closing quote in field 1", 0],
            [4, "unterminated quoted field 1 (its opening quote is never closed)", 0],
            [5, "", -1],
        ]);
        assert.deepEqual(recs[4].fields, ["ok", "2"]);
    });
});

describe("intake: input formats", () => {
    it("detects the format by extension, else by content", () => {
        assert.equal(detectFormat("x.csv", "[1]"), "csv");
        assert.equal(detectFormat("x.jsonl", "{}"), "jsonl");
        assert.equal(detectFormat("x.ndjson", "{}"), "jsonl");
        assert.equal(detectFormat("stdin", "\uFEFF [ {} ]"), "json");
        assert.equal(detectFormat("stdin", '{"a":1}'), "json");
        assert.equal(detectFormat("stdin", '{"a":1}\n{"a":2}\n'), "jsonl");
        assert.equal(detectFormat("stdin", "purchaseId,companyName\n"), "csv");
    });

    it("names rows: JSON index, JSON lines line, CSV line where the record starts", () => {
        assert.deepEqual(readJson('[{"a":1},{"b":2}]', "e.json").map((e) => [e.row, e.raw]), [["e.json index 0", { a: 1 }], ["e.json index 1", { b: 2 }]]);
        assert.deepEqual(readJson('{"a":1}', "e.json").map((e) => e.row), ["e.json (the one object)"]);
        assert.deepEqual(readJson("[", "e.json").map((e) => [e.row, e.problems[0].message.slice(0, 12)]), [["e.json (whole file)", "invalid JSON"]]);
        assert.deepEqual(readJsonLines('{"a":1}\r\n\n{"b":\n', "e.jsonl").map((e) => [e.row, e.problems.length]), [["e.jsonl line 1", 0], ["e.jsonl line 3", 1]]);
        const csv = readCsv('purchaseId,companyName,subdomain\r\nPO-1,"Multi\nline",\r\nPO-2,B,sub\r\n', "e.csv");
        assert.deepEqual(csv.map((e) => [e.row, e.raw]), [["e.csv line 2", { purchaseId: "PO-1", companyName: "Multi\nline" }], ["e.csv line 4", { purchaseId: "PO-2", companyName: "B", subdomain: "sub" }]]);
    });

    it("never lets a CSV header reach an object's prototype", () => {
        const [e] = readCsv("__proto__,purchaseId\nx,PO-1\n", "e.csv");
        assert.deepEqual(e.raw, { purchaseId: "PO-1" });
        assert.equal(Object.getPrototypeOf(e.raw), Object.prototype);
        assert.deepEqual(e.problems, [{ field: "__proto__", message: "unknown field (column in the header)" }]);
    });
});

describe("intake: GitHub event payloads", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-gh-event-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("takes repository_dispatch client_payload as one event or {events: [...]}", () => {
        const one = eventsFromGithubEvent(JSON.stringify({ action: "purchase-completed", client_payload: { purchaseId: "PO-1" } }), root);
        assert.deepEqual(one, { text: '{"purchaseId":"PO-1"}', format: "json", source: "client_payload" });
        const many = eventsFromGithubEvent(JSON.stringify({ client_payload: { events: [{ purchaseId: "PO-1" }, { purchaseId: "PO-2" }] } }), root);
        assert.equal(many.text, '[{"purchaseId":"PO-1"},{"purchaseId":"PO-2"}]');
        assert.throws(() => eventsFromGithubEvent(JSON.stringify({ client_payload: [1] }), root), /client_payload must be an object/);
    });

    it("takes workflow_dispatch events-json, or a CSV path confined to the repository", () => {
        assert.deepEqual(eventsFromGithubEvent(JSON.stringify({ inputs: { "events-json": '[{"a":1}]', "csv-path": "" } }), root).format, "json");
        fs.mkdirSync(path.join(root, "intake"));
        fs.writeFileSync(path.join(root, "intake", "may.csv"), "purchaseId\nPO-1\n");
        assert.deepEqual(eventsFromGithubEvent(JSON.stringify({ inputs: { "csv-path": "intake/may.csv" } }), root), { text: "purchaseId\nPO-1\n", format: "csv", source: "intake/may.csv", contactOptional: true });
        fs.writeFileSync(path.join(root, "intake", "pii.csv"), "\uFEFFpurchaseId, contactEmail\r\nPO-1,a@example.com\r\n");
        assert.throws(() => eventsFromGithubEvent(JSON.stringify({ inputs: { "csv-path": "intake/pii.csv" } }), root), /has a contactEmail column, and personal data must never be committed/);
        fs.symlinkSync("/etc/hostname", path.join(root, "intake", "escape.csv"));
        for (const [bad, message] of [
            ["../x.csv", /inside the repository/],
            ["/etc/passwd.csv", /inside the repository/],
            ["intake/may.txt", /must name a \.csv file/],
            ["intake/none.csv", /no such file/],
            ["intake/escape.csv", /leads outside the repository/],
        ] as const) {
            assert.throws(() => eventsFromGithubEvent(JSON.stringify({ inputs: { "csv-path": bad } }), root), message, bad);
        }
        assert.throws(() => eventsFromGithubEvent(JSON.stringify({ inputs: { "csv-path": "a.csv", "events-json": "[]" } }), root), /not both/);
        assert.throws(() => eventsFromGithubEvent(JSON.stringify({ inputs: {} }), root), /needs events-json or csv-path/);
        assert.throws(() => eventsFromGithubEvent(JSON.stringify({ pull_request: {} }), root), /neither client_payload/);
    });
});

describe("intake and status: arguments", () => {
    it("parses intake options and refuses contradictions", () => {
        const o = parseIntakeArgs(["--dry-run", "--customers-dir", "c", "--environment", "stage", "--registry-endpoint=http://127.0.0.1:8000", "e.csv"]);
        assert.deepEqual([o.command, o.dryRun, o.customersDir, o.environment, o.registryEndpoint, o.files], ["intake", true, "c", "stage", "http://127.0.0.1:8000", ["e.csv"]]);
        assert.equal(parseIntakeArgs(["x.json"]).environment, "prod");
        assert.equal(parseIntakeArgs(["publish", "r.jsonl", "--base", "main"]).command, "publish");
        assert.equal(parseIntakeArgs(["pending"]).command, "pending");
        for (const [args, message] of [
            [[], /no input/],
            [["--no-registry", "--table", "t", "x"], /cannot be combined/],
            [["--format", "xml", "x"], /--format must be one of json, jsonl, csv/],
            [["--environment", "Prod", "x"], /not an environment name/],
            [["--github-event", "e.json", "x.csv"], /not both/],
            [["--dry-run", "--dry-run", "x"], /given more than once/],
            [["--bogus", "x"], /unknown argument "--bogus"/],
            [["publish"], /exactly one results file/],
            [["publish", "r", "--base", "../x"], /not a branch name/],
        ] as const) {
            assert.throws(() => parseIntakeArgs(args as readonly string[]), message, args.join(" "));
        }
    });

    it("parses status options", () => {
        const m = parseStatusArgs(["mark", "--stack", "dev", "--state", "failed", "--step", "deployed", "--reason", "boom", "--commit", "abc1234", "--at", "2026-05-01T10:00:00+02:00"]);
        assert.deepEqual([m.command, m.stack, m.state, m.step, m.reason, m.commit, m.at], ["mark", "dev", "failed", "deployed", "boom", "abc1234", "2026-05-01T08:00:00.000Z"]);
        assert.equal(parseStatusArgs(["--dead-letters"]).stack, "prod");
        assert.deepEqual(parseStatusArgs(["--stack", "prod", "--customer", "a-1", "--customer", "b-2"]).customers, ["a-1", "b-2"]);
        for (const [args, message] of [
            [["--stack", "dev", "--state", "live"], /belong to mark/],
            [["mark", "--stack", "dev", "--state", "live", "--customer", "abc", "--commit", "abc1234"], /either --customer <id> or --commit <sha>/],
            [["mark", "--stack", "dev", "--state", "live", "--step", "live", "--customer", "abc"], /--step only goes with --state failed/],
            [["--stack", "dev", "--customer", "Not_An_Id"], /not a customer id/],
            [["mark", "--stack", "dev", "--state", "live", "--commit", "main"], /must be a commit SHA/],
            [[], /--stack <env> is required/],
        ] as const) {
            assert.throws(() => parseStatusArgs(args as readonly string[]), message, args.join(" "));
        }
    });
});

describe("retries", () => {
    const clock = (): RetryClock & { waits: number[]; t: number } => {
        const c = { t: 0, waits: [] as number[], now: () => c.t, sleep: async (ms: number) => { c.waits.push(ms); c.t += ms; }, random: () => 0.5 };
        return c;
    };
    const throttled = Object.assign(new Error("slow down"), { name: "ProvisionedThroughputExceededException" });

    it("retries transient failures with exponential backoff and equal jitter, then succeeds", async () => {
        const c = clock();
        let calls = 0;
        const value = await withRetry("op", async () => (++calls < 4 ? Promise.reject(throttled) : "ok"), { attempts: 5, baseDelayMs: 100, maxDelayMs: 250, deadline: 10_000 }, c);
        assert.equal(value, "ok");
        assert.deepEqual(c.waits, [75, 150, 188], "half fixed, half random (0.5), doubling, capped at 250");
    });

    it("stops at the attempt limit or before a wait that would pass the deadline; rethrows permanent errors at once", async () => {
        const c = clock();
        await assert.rejects(withRetry("op", async () => Promise.reject(throttled), { attempts: 3, baseDelayMs: 10, maxDelayMs: 10, deadline: 1e9 }, c), (e: unknown) => {
            assert.ok(e instanceof RetryExhaustedError);
            assert.equal(e.attempts, 3);
            assert.equal(e.message, "op: gave up after 3 attempt(s): ProvisionedThroughputExceededException: slow down");
            return true;
        });
        const d = clock();
        await assert.rejects(withRetry("op", async () => Promise.reject(throttled), { attempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, deadline: 1500 }, d), /op \(deadline reached\): gave up after 2 attempt/);
        let calls = 0;
        const permanent = Object.assign(new Error("bad"), { name: "ValidationException" });
        await assert.rejects(withRetry("op", async () => { calls++; throw permanent; }, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, deadline: 1e9 }, clock()), /bad/);
        assert.equal(calls, 1);
    });

    it("classifies errors: throttling, 5xx, 429 and network errors are transient", () => {
        assert.ok(isTransientError(throttled));
        assert.ok(isTransientError(Object.assign(new Error(), { code: "ECONNRESET" })));
        assert.ok(isTransientError(new TypeError("fetch failed", { cause: Object.assign(new Error(), { code: "ECONNREFUSED" }) })));
        assert.ok(isTransientError({ name: "X", $metadata: { httpStatusCode: 503 } }));
        assert.ok(isTransientError({ statusCode: 429 }));
        assert.ok(!isTransientError({ name: "ConditionalCheckFailedException", $metadata: { httpStatusCode: 400 } }));
        assert.ok(!isTransientError({ statusCode: 404 }));
        assert.ok(!isTransientError("string"));
    });
});

describe("intake: record files", () => {
    it("renders a record exactly like the committed samples (modeline, field order, YAML quoting)", () => {
        for (const name of ["muller-kaffee.yaml", "nile-analytics.yaml", "sakura-logistics.yaml"]) {
            const text = fs.readFileSync(path.join(REPO_CUSTOMERS, name), "utf8");
            assert.equal(renderRecord(parseCustomerFile(name, text).customer!), text, name);
        }
        const acme = parseCustomerFile("a", fs.readFileSync(path.join(REPO_CUSTOMERS, "acme-rockets.yaml"), "utf8")).customer!;
        assert.deepEqual(parseCustomerFile("again", renderRecord(acme)).customer, acme, "a hand-quoted sample reads back the same");
        const tricky = { id: "tricky", companyName: "yes", motto: "#1: 'quoted' \"double\" - dash", tier: "starter" as const, purchaseId: "123" };
        assert.deepEqual(parseCustomerFile("t", renderRecord(tricky)).customer, tricky);
    });

    it("writes atomically (temp file in the same directory, then rename) and leaves no temp file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-atomic-"));
        try {
            writeFileAtomic(path.join(dir, "a.yaml"), "one\n");
            writeFileAtomic(path.join(dir, "a.yaml"), "two\n");
            assert.deepEqual(fs.readdirSync(dir), ["a.yaml"]);
            assert.equal(fs.readFileSync(path.join(dir, "a.yaml"), "utf8"), "two\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("scans customers/ by purchaseId; an unreadable file still owns its id", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-scan-"));
        try {
            fs.copyFileSync(path.join(REPO_CUSTOMERS, "acme-rockets.yaml"), path.join(dir, "acme-rockets.yaml"));
            fs.writeFileSync(path.join(dir, "broken.yaml"), "id: [\n");
            fs.writeFileSync(path.join(dir, ".broken.yaml.123.tmp"), "half");
            const snap = scanRecords(dir, "customers");
            assert.equal(snap.byPurchase.get("PO-2026-000101")?.file, "customers/acme-rockets.yaml");
            assert.deepEqual([...snap.takenIds.keys()], ["acme-rockets", "broken"]);
            assert.match(snap.warnings[0], /^customers\/broken\.yaml does not parse/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("intake publish: PR text", () => {
    it("escapes Markdown in customer text and reads result lines among npm's banner lines", () => {
        assert.equal(mdText("*Bold* [x](y) <b>|"), "\\*Bold\\* \\[x\\]\\(y\\) \\<b\\>\\|");
        const body = prBody({ id: "acme", companyName: "Acme | <img>", tier: "starter", purchaseId: "PO-1", outcome: "created", reason: "new customer" });
        assert.match(body, /\| company \| Acme \\\| \\<img\\> \|/);
        assert.deepEqual(readResults('\n> sas-onboarding@0.1.0 intake\n{"purchaseId":"PO-1","outcome":"created","id":"a","reason":""}\n{broken\n').map((r) => r.id), ["a"]);
    });
});

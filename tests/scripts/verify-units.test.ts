// The pure parts of `npm run verify`: argument parsing, URL mapping, backoff, the page rule, outputs validation,
// the retry loop's decisions, the conditional registry write and the report. No network here; see
// verify-real.test.ts for the same code against real nginx and a DynamoDB-compatible server.
import { strict as assert } from "node:assert";
import { parseArgs } from "../../scripts/verify/args";
import { backoffDelay } from "../../scripts/verify/backoff";
import { checkCustomer, type CheckDeps } from "../../scripts/verify/check-customer";
import { parseStackOutputs } from "../../scripts/verify/outputs";
import { pageProblem } from "../../scripts/verify/page-check";
import { registryClient, statusPutInput } from "../../scripts/verify/registry";
import { failureSummary, resultTable } from "../../scripts/verify/report";
import { parseResolveRule, targetFor } from "../../scripts/verify/resolve";
import { resolveCommit } from "../../scripts/verify/sources";

const GOOD_OUTPUTS = {
    customers: { "acme-rockets": "https://acme-rockets.dev.sas.example.com" },
    environment: "dev",
    registryTableName: "sas-dev-registry",
    basicAuth: { username: "sas", password: "pw" },
};

describe("verify: arguments", function () {
    it("parses every option and applies defaults", function () {
        const o = parseArgs(["--outputs", "o.json", "--attempts=3", "--base-delay-ms", "0", "--resolve", "*.a.test=http://127.0.0.1:81", "--resolve", "x.b.test=https://127.0.0.1:8443", "--insecure-tls"]);
        assert.equal(o.outputsFile, "o.json");
        assert.equal(o.attempts, 3);
        assert.equal(o.baseDelayMs, 0);
        assert.equal(o.deadlineSeconds, 300);
        assert.equal(o.customersDir, "customers");
        assert.deepEqual(o.resolve.map((r) => [r.host, r.target.href]), [["*.a.test", "http://127.0.0.1:81/"], ["x.b.test", "https://127.0.0.1:8443/"]]);
        assert.equal(o.insecureTls, true);
        assert.equal(parseArgs(["--stack", "dev"]).stack, "dev");
    });

    it("names the flag that is wrong", function () {
        assert.throws(() => parseArgs([]), /exactly one of --stack <name> or --outputs/);
        assert.throws(() => parseArgs(["--stack", "dev", "--outputs", "x"]), /exactly one of/);
        assert.throws(() => parseArgs(["--stack"]), /--stack needs a value/);
        assert.throws(() => parseArgs(["--stack", "dev", "--attempts", "0"]), /--attempts must be a whole number >= 1, got "0"/);
        assert.throws(() => parseArgs(["--stack", "dev", "--deadline-seconds", "1.5"]), /--deadline-seconds must be a whole number/);
        assert.throws(() => parseArgs(["--stack", "dev", "--frobnicate"]), /unknown argument "--frobnicate"/);
        assert.throws(() => parseArgs(["--stack", "dev", "--stack", "prod"]), /--stack given more than once/);
        assert.throws(() => parseArgs(["--stack", "dev", "--resolve", "a.test"]), /--resolve "a.test": expected <host>=/);
        assert.throws(() => parseArgs(["--stack", "dev", "--resolve", "a.test=ftp://x"]), /target must be http/);
        assert.throws(() => parseArgs(["--stack", "dev", "--resolve", "a.test=http://x/path"]), /without a path/);
        assert.throws(() => parseArgs(["--stack", "dev", "--dynamodb-endpoint", "localhost:8000"]), /--dynamodb-endpoint must be an http\(s\) URL/);
    });
});

describe("verify: --resolve", function () {
    it("connects to the mapped address but keeps the customer's Host and TLS name", function () {
        const rules = [parseResolveRule("*.sas.test=http://127.0.0.1:8080"), parseResolveRule("exact.other.test=https://10.0.0.1:8443")];
        const t = targetFor(new URL("https://acme.sas.test/"), rules);
        assert.equal(t.connectUrl.href, "http://127.0.0.1:8080/");
        assert.equal(t.hostHeader, "acme.sas.test");
        assert.equal(t.servername, "acme.sas.test");
        assert.equal(targetFor(new URL("https://exact.other.test/x?y"), rules).connectUrl.href, "https://10.0.0.1:8443/x?y");
        // "*.sas.test" must not match "sas.test" itself nor "evilsas.test"
        assert.equal(targetFor(new URL("https://sas.test/"), rules).connectUrl.href, "https://sas.test/");
        assert.equal(targetFor(new URL("https://evilsas.test/"), rules).connectUrl.href, "https://evilsas.test/");
    });
});

describe("verify: backoff", function () {
    it("doubles per retry, jitters within the upper half, and is capped", function () {
        const p = { baseDelayMs: 100, maxDelayMs: 1000 };
        assert.deepEqual([1, 2, 3, 4, 5].map((r) => backoffDelay(r, p, 0)), [50, 100, 200, 400, 500]);
        assert.deepEqual([1, 2, 3, 4, 5].map((r) => backoffDelay(r, p, 0.999999)), [100, 200, 400, 800, 1000]);
        assert.equal(backoffDelay(2, p, 0.5), 150);
    });
});

describe("verify: page rule", function () {
    const customer = { companyName: `Müller & "Söhne" <GmbH>`, motto: "It's <b>fresh</b>" };
    const page = `<h1>Welcome to SAS</h1><p>Müller &amp; &quot;Söhne&quot; &lt;GmbH&gt;</p><p>It&#39;s &lt;b&gt;fresh&lt;/b&gt;</p>`;

    it("passes only a 200 with the escaped name, escaped motto and the welcome text", function () {
        assert.equal(pageProblem(customer, { status: 200, body: page }), undefined);
    });

    it("says what is wrong", function () {
        assert.equal(pageProblem(customer, { status: 401, body: page }), "HTTP 401");
        assert.equal(pageProblem(customer, { status: 200, body: page.replace("Welcome to SAS", "Hi") }), 'HTTP 200 but page lacks "Welcome to SAS"');
        // raw (unescaped) text is an injection, not a pass
        const raw = `<h1>Welcome to SAS</h1><p>${customer.companyName}</p><p>${customer.motto}</p>`;
        assert.equal(pageProblem(customer, { status: 200, body: raw }), "HTTP 200 but page lacks company name, motto");
    });
});

describe("verify: stack outputs validation", function () {
    const bad = (value: unknown) => {
        try {
            parseStackOutputs("outputs.json", JSON.stringify(value));
        } catch (err) {
            return (err as Error).message;
        }
        assert.fail("expected the outputs to be refused");
    };

    it("accepts well-formed outputs, prod without basicAuth, and a local registry endpoint", function () {
        assert.equal(parseStackOutputs("o", JSON.stringify(GOOD_OUTPUTS)).basicAuth?.username, "sas");
        const prod = { ...GOOD_OUTPUTS, environment: "prod", basicAuth: undefined };
        assert.equal(parseStackOutputs("o", JSON.stringify(prod)).environment, "prod");
        const local = { ...GOOD_OUTPUTS, environment: "local", registryEndpoint: "http://localhost:8000" };
        assert.equal(parseStackOutputs("o", JSON.stringify(local)).registryEndpoint, "http://localhost:8000");
    });

    it("names each missing or malformed key", function () {
        assert.match(bad({}), /^invalid stack outputs from outputs\.json:\n {2}customers is missing\n {2}environment is missing\n {2}registryTableName is missing$/);
        assert.match(bad({ ...GOOD_OUTPUTS, customers: { acme: "not a url" } }), /customers\.acme: "not a url" is not a URL; expected https:\/\/<id>\.<baseDomain>/);
        assert.match(bad({ ...GOOD_OUTPUTS, customers: { acme: "ftp://acme.x.test" } }), /customers\.acme: "ftp:\/\/acme\.x\.test" must be http\(s\)/);
        assert.match(bad({ ...GOOD_OUTPUTS, customers: { acme: "https://other.x.test" } }), /customers\.acme: host "other\.x\.test" must be acme\.<baseDomain>/);
        assert.match(bad({ ...GOOD_OUTPUTS, customers: { acme: "https://u:p@acme.x.test" } }), /must not embed credentials/);
        assert.match(bad({ ...GOOD_OUTPUTS, customers: ["https://acme.x.test"] }), /customers must be an object of id -> URL/);
        assert.match(bad({ ...GOOD_OUTPUTS, basicAuth: undefined }), /\n {2}basicAuth is missing; non-prod stack "dev" pages are behind basic auth/);
        assert.match(bad({ ...GOOD_OUTPUTS, basicAuth: "[secret]" }), /basicAuth is "\[secret\]": read outputs with --show-secrets/);
        assert.match(bad({ ...GOOD_OUTPUTS, basicAuth: { username: "sas" } }), /basicAuth\.password is missing/);
        assert.match(bad({ ...GOOD_OUTPUTS, registryTableName: 7 }), /registryTableName must be a string/);
        assert.match(bad({ ...GOOD_OUTPUTS, registryEndpoint: "localhost:8000" }), /registryEndpoint must be an http\(s\) URL/);
        assert.match(bad([1]), /stack outputs must be a JSON object/);
        assert.throws(() => parseStackOutputs("o.json", "{nope"), /invalid stack outputs from o\.json:\n {2}not valid JSON/);
    });
});

describe("verify: retry loop", function () {
    const customer = { companyName: "Acme", motto: "Go" };
    const okPage = { status: 200, body: "Welcome to SAS Acme Go" };
    function fakeClock(responses: Array<{ status: number; body: string } | Error>, requestMs = 10) {
        let t = 0;
        const sleeps: number[] = [];
        const timeouts: number[] = [];
        const deps: CheckDeps = {
            now: () => t,
            sleep: async (ms) => {
                sleeps.push(ms);
                t += ms;
            },
            random: () => 0,
            describeError: (e) => (e as Error).message,
            get: async (timeoutMs) => {
                timeouts.push(timeoutMs);
                t += requestMs;
                const r = responses.shift();
                if (!r) throw new Error("no more responses");
                if (r instanceof Error) throw r;
                return r;
            },
        };
        return { deps, sleeps, timeouts };
    }
    const policy = { attempts: 5, requestTimeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 10_000, deadline: 60_000 };

    it("retries failures with growing delays until the page is right", async function () {
        const f = fakeClock([new Error("connection failed (ECONNREFUSED)"), { status: 503, body: "" }, okPage]);
        const r = await checkCustomer(customer, policy, f.deps);
        assert.deepEqual(r, { pass: true, attempts: 3, reason: "OK" });
        assert.deepEqual(f.sleeps, [50, 100]);
    });

    it("gives up after --attempts with the last reason", async function () {
        const f = fakeClock(Array.from({ length: 5 }, () => ({ status: 404, body: "" })));
        const r = await checkCustomer(customer, policy, f.deps);
        assert.deepEqual(r, { pass: false, attempts: 5, reason: "HTTP 404" });
        assert.equal(f.sleeps.length, 4);
    });

    it("stops at the deadline and never lets a request outlive it", async function () {
        const f = fakeClock(Array.from({ length: 5 }, () => ({ status: 502, body: "" })), 10);
        const r = await checkCustomer(customer, { ...policy, deadline: 300 }, f.deps);
        // attempt 1 at t=0 (timeout capped to 300), sleep 50, attempt 2 at t=60 (cap 240), sleep 100, attempt 3 at
        // t=170 (cap 130); the next wait (200) would pass the deadline, so it stops.
        assert.deepEqual(f.timeouts, [300, 240, 130]);
        assert.deepEqual(r, { pass: false, attempts: 3, reason: "HTTP 502 (deadline reached)" });
    });
});

describe("verify: registry item", function () {
    it("keys STATUS#<env> items and refuses to overwrite a newer check", function () {
        const input = statusPutInput("t", {
            customerId: "acme", environment: "stage", result: "FAIL", commit: "abc", checkedAt: "2026-01-02T03:04:05.678Z", attempts: 3, reason: "HTTP 404",
        });
        assert.deepEqual(input.Item, {
            customerId: { S: "acme" },
            record: { S: "STATUS#stage" },
            environment: { S: "stage" },
            result: { S: "FAIL" },
            commit: { S: "abc" },
            checkedAt: { S: "2026-01-02T03:04:05.678Z" },
            attempts: { N: "3" },
            reason: { S: "HTTP 404" },
        });
        assert.equal(input.ConditionExpression, "attribute_not_exists(customerId) OR checkedAt <= :checkedAt");
        assert.deepEqual(input.ExpressionAttributeValues, { ":checkedAt": { S: "2026-01-02T03:04:05.678Z" } });
    });

    it("needs a region for AWS, and uses placeholder credentials only for a local endpoint without any", async function () {
        assert.throws(() => registryClient({}, {}), /no AWS region; set AWS_REGION or pass --region/);
        const local = registryClient({ endpoint: "http://127.0.0.1:8000" }, {});
        const creds = await (local.config.credentials as () => Promise<{ accessKeyId: string }>)();
        assert.equal(creds.accessKeyId, "local");
        assert.equal(await local.config.region(), "us-east-1");
        local.destroy();
        const aws = registryClient({ region: "eu-central-1" }, { AWS_ACCESS_KEY_ID: "x" });
        assert.equal(await aws.config.region(), "eu-central-1");
        aws.destroy();
    });

    it("takes the commit from --commit, then GITHUB_SHA", function () {
        assert.equal(resolveCommit("abc", { GITHUB_SHA: "def" }), "abc");
        assert.equal(resolveCommit(undefined, { GITHUB_SHA: "def" }), "def");
    });
});

describe("verify: report", function () {
    it("prints a sorted, aligned table and names each failure with its reason", function () {
        const rows = [
            { customerId: "zeta", url: "https://zeta.x", result: "FAIL" as const, attempts: 2, reason: "HTTP 404" },
            { customerId: "acme", url: "https://acme.x", result: "PASS" as const, attempts: 1, reason: "OK" },
        ];
        assert.equal(
            resultTable(rows),
            [
                "CUSTOMER  RESULT  ATTEMPTS  URL             REASON",
                "acme      PASS    1         https://acme.x  OK",
                "zeta      FAIL    2         https://zeta.x  HTTP 404",
            ].join("\n"),
        );
        assert.equal(failureSummary("dev", rows), 'verify: 1 of 2 customer page(s) failed in "dev":\n  zeta: HTTP 404 (https://zeta.x)');
        assert.equal(failureSummary("dev", rows.slice(1)), undefined);
    });
});

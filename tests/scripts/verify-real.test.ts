// `npm run verify` against real parts: Debian nginx serving pages rendered by renderSiteContent (one right, one with
// another customer's page, one throttled with limit_rate, one down), basic auth enforced by nginx, and an
// in-process dynalite server holding the registry table.
import { freePort } from "../harness/processes";
import { requireRealPart } from "../harness/real-part";
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderSiteContent } from "../../components/model/site/content";
import type { Customer } from "../../components/model/customer";
import { runVerify } from "../../scripts/verify/main";
import { writeStatus } from "../../scripts/verify/registry";
import { startLocalRegistry, type LocalRegistry } from "../harness/realparts/dynalite";
import { NGINX_BIN, startNginx } from "../harness/realparts/nginx";

type RunningNginx = Awaited<ReturnType<typeof startNginx>>;

const DOMAIN = "sas.test";
const AUTH = { username: "sas", password: "s3cret-Only-For-Tests" };

const customers: Record<string, Customer> = {
    "good-co": { id: "good-co", companyName: `Good & "Co" <Ltd>`, motto: "We're <b>bold</b> & kind", tier: "starter", purchaseId: "PO-GOOD-1" },
    "wrong-co": { id: "wrong-co", companyName: "Wrong Co", motto: "Right motto", tier: "business", purchaseId: "PO-WRONG-1" },
    "slow-co": { id: "slow-co", companyName: "Slow Co", motto: "Eventually", tier: "starter", purchaseId: "PO-SLOW-1" },
    "down-co": { id: "down-co", companyName: "Down Co", motto: "Offline", tier: "enterprise", purchaseId: "PO-DOWN-1" },
};

function writeCustomersDir(ids: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-verify-customers-"));
    for (const id of ids) {
        const c = customers[id];
        const yaml = [`id: ${c.id}`, `companyName: ${JSON.stringify(c.companyName)}`, `motto: ${JSON.stringify(c.motto)}`, `tier: ${c.tier}`, `purchaseId: ${c.purchaseId}`, ""];
        fs.writeFileSync(path.join(dir, `${id}.yaml`), yaml.join("\n"));
    }
    return dir;
}

/** The pod's real config, with nginx itself enforcing basic auth on the page (the ingress does this in a cluster). */
/** The page's own nginx config with basic auth, as a non-prod tenant runs it; extraHttp slows a page down. */
function siteConf(c: Customer, extraHttp = ""): string {
    const conf = renderSiteContent(c, { basicAuth: true }).nginxConf;
    assert.ok(conf.includes("sendfile on;"), "rendered nginx.conf changed shape; update this test");
    return conf.replace("sendfile on;", `sendfile on;\n${extraHttp}`);
}

function files(page: string): Record<string, string> {
    return { "index.html": page };
}

/** The tenant's basic-auth Secret, as mounted: one htpasswd line. */
const AUTH_FILES = { htpasswd: `${AUTH.username}:{PLAIN}${AUTH.password}\n` };


async function verify(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runVerify(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
    return { code, stdout, stderr };
}

function tableRow(stdout: string, id: string): string[] {
    const line = stdout.split("\n").find((l) => l.startsWith(`${id} `));
    assert.ok(line, `no table row for ${id} in:\n${stdout}`);
    return line.split(/ {2,}/);
}

describe("verify against real nginx and a DynamoDB-compatible registry", function () {
    this.timeout(120_000);
    const servers: RunningNginx[] = [];
    const tmpDirs: string[] = [];
    let registry: LocalRegistry;
    const resolve: string[] = [];
    let outputsAll: string;

    function outputsFile(ids: string[], extra: Record<string, unknown> = {}): string {
        const file = path.join(tmpDirs[0], `outputs-${tmpDirs.length}-${Math.random().toString(36).slice(2)}.json`);
        const value = {
            customers: Object.fromEntries(ids.map((id) => [id, `https://${id}.${DOMAIN}`])),
            environment: "dev",
            registryTableName: registry.tableName,
            registryEndpoint: registry.endpoint,
            basicAuth: AUTH,
            ...extra,
        };
        fs.writeFileSync(file, JSON.stringify(value));
        return file;
    }

    before(async function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
        tmpDirs.push(fs.mkdtempSync(path.join(os.tmpdir(), "sas-verify-outputs-")));
        registry = await startLocalRegistry();
        const good = customers["good-co"];
        const start = async (id: string, page: string, extraHttp = "") => {
            const n = await startNginx({ nginxConf: siteConf(customers[id], extraHttp), files: files(page), authFiles: AUTH_FILES });
            servers.push(n);
            resolve.push("--resolve", `${id}.${DOMAIN}=${n.baseUrl}`);
        };
        await start("good-co", renderSiteContent(good).indexHtml);
        // A real page, but another customer's: the classic mix-up of ConfigMaps between namespaces.
        await start("wrong-co", renderSiteContent(good).indexHtml);
        // ~1.2 KB at 400 B/s: a few seconds, well inside the default request timeout.
        await start("slow-co", renderSiteContent(customers["slow-co"]).indexHtml, "    limit_rate 400;");
        resolve.push("--resolve", `down-co.${DOMAIN}=http://127.0.0.1:${await freePort()}`);
        outputsAll = outputsFile(Object.keys(customers));
    });

    after(async function () {
        for (const s of servers) await s.stop();
        if (registry) await registry.stop();
        for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
    });

    const fast = ["--attempts", "3", "--base-delay-ms", "20", "--deadline-seconds", "60"];

    it("passes right pages (slow ones too), names each failing customer and why, and records every result", async function () {
        const dir = writeCustomersDir(Object.keys(customers));
        tmpDirs.push(dir);
        const r = await verify(["--outputs", outputsAll, "--customers-dir", dir, "--commit", "c0ffee1", ...fast, ...resolve]);
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(tableRow(r.stdout, "good-co").slice(0, 3), ["good-co", "PASS", "1"]);
        assert.deepEqual(tableRow(r.stdout, "slow-co").slice(0, 3), ["slow-co", "PASS", "1"]);
        assert.deepEqual(tableRow(r.stdout, "wrong-co").slice(1), ["FAIL", "3", `https://wrong-co.${DOMAIN}`, "HTTP 200 but page lacks company name, motto"]);
        assert.deepEqual(tableRow(r.stdout, "down-co").slice(1), ["FAIL", "3", `https://down-co.${DOMAIN}`, "connection failed (ECONNREFUSED)"]);
        assert.match(r.stderr, /verify: 2 of 4 customer page\(s\) failed in "dev":\n {2}down-co: connection failed \(ECONNREFUSED\) \(https:\/\/down-co\.sas\.test\)\n {2}wrong-co: HTTP 200 but page lacks company name, motto/);
        assert.match(r.stderr, /verify: \d\/4 checked, \d failed/, "progress lines on stderr");
        assert.ok(!r.stderr.includes(AUTH.password) && !r.stdout.includes(AUTH.password), "the password must never be printed");

        const good = await registry.get("good-co", "STATUS#dev");
        assert.ok(good);
        assert.deepEqual({ ...good, checkedAt: "?" }, {
            customerId: "good-co", record: "STATUS#dev", environment: "dev", result: "PASS", commit: "c0ffee1", checkedAt: "?", attempts: 1, reason: "OK",
        });
        assert.match(String(good.checkedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const down = await registry.get("down-co", "STATUS#dev");
        assert.deepEqual([down?.result, down?.attempts, down?.reason], ["FAIL", 3, "connection failed (ECONNREFUSED)"]);
        assert.equal((await registry.get("wrong-co", "STATUS#dev"))?.result, "FAIL");
        assert.equal((await registry.get("slow-co", "STATUS#dev"))?.result, "PASS");
    });

    it("fails a slow page that cannot finish within --request-timeout-ms", async function () {
        const dir = writeCustomersDir(["slow-co"]);
        tmpDirs.push(dir);
        const r = await verify(["--outputs", outputsFile(["slow-co"]), "--customers-dir", dir, "--commit", "c0ffee2", "--request-timeout-ms", "500", "--attempts", "2", "--base-delay-ms", "10", "--skip-registry", ...resolve]);
        assert.equal(r.code, 1);
        assert.deepEqual(tableRow(r.stdout, "slow-co").slice(1, 3), ["FAIL", "2"]);
        assert.match(r.stderr, /slow-co: timed out after 500 ms/);
    });

    it("sends the basic-auth credentials from the outputs (a wrong password gives HTTP 401)", async function () {
        const dir = writeCustomersDir(["good-co"]);
        tmpDirs.push(dir);
        const r = await verify(["--outputs", outputsFile(["good-co"], { basicAuth: { username: "sas", password: "wrong" } }), "--customers-dir", dir, "--commit", "c0ffee3", "--attempts", "1", "--skip-registry", ...resolve]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /good-co: HTTP 401/);
    });

    it("is idempotent on re-run: one item per customer and environment, holding the latest run", async function () {
        const dir = writeCustomersDir(["good-co"]);
        tmpDirs.push(dir);
        const out = outputsFile(["good-co"], { environment: "stage" });
        const first = await verify(["--outputs", out, "--customers-dir", dir, "--commit", "aaaa111", ...fast, ...resolve]);
        assert.equal(first.code, 0, first.stderr);
        const firstItem = await registry.get("good-co", "STATUS#stage");
        await new Promise((r) => setTimeout(r, 5)); // distinct millisecond timestamps
        const second = await verify(["--outputs", out, "--customers-dir", dir, "--commit", "bbbb222", ...fast, ...resolve]);
        assert.equal(second.code, 0, second.stderr);
        const items = (await registry.items("good-co")).filter((i) => i.record === "STATUS#stage");
        assert.equal(items.length, 1);
        assert.equal(items[0].commit, "bbbb222");
        assert.ok(String(items[0].checkedAt) > String(firstItem?.checkedAt), "second run's checkedAt must be newer");

        // Retrying the very same write (same run, same checkedAt) succeeds and changes nothing.
        const same = { customerId: "good-co", environment: "stage", result: "PASS" as const, commit: "bbbb222", checkedAt: String(items[0].checkedAt), attempts: 1, reason: "OK" };
        assert.equal(await writeStatus(registry.client, registry.tableName, same), "written");
        assert.deepEqual(await registry.get("good-co", "STATUS#stage"), items[0]);
    });

    it("never lets a stale (older) run overwrite a newer result", async function () {
        const dir = writeCustomersDir(["good-co"]);
        tmpDirs.push(dir);
        const newer = { customerId: "good-co", environment: "prod", result: "FAIL" as const, commit: "newer99", checkedAt: "2999-01-01T00:00:00.000Z", attempts: 4, reason: "HTTP 503" };
        assert.equal(await writeStatus(registry.client, registry.tableName, newer), "written");
        const out = outputsFile(["good-co"], { environment: "prod" });
        const r = await verify(["--outputs", out, "--customers-dir", dir, "--commit", "older11", ...fast, ...resolve]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /kept newer results for good-co \(this run is older\)/);
        const item = await registry.get("good-co", "STATUS#prod");
        assert.deepEqual([item?.commit, item?.result, item?.checkedAt], ["newer99", "FAIL", "2999-01-01T00:00:00.000Z"]);
        assert.equal(await writeStatus(registry.client, registry.tableName, { ...newer, commit: "old", checkedAt: "2000-01-01T00:00:00.000Z" }), "kept-newer");
    });

    it("flags customers missing from the outputs and deployments without a record", async function () {
        const dir = writeCustomersDir(["good-co", "slow-co"]);
        tmpDirs.push(dir);
        const out = outputsFile(["good-co", "orphan-co"]);
        const r = await verify(["--outputs", out, "--customers-dir", dir, "--commit", "c0ffee4", "--skip-registry", ...fast, ...resolve]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`orphan-co: deployed, but there is no ${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/orphan-co\\.yaml`));
        assert.match(r.stderr, /slow-co: no URL in stack outputs customers \(not deployed\?\)/);
        assert.deepEqual(tableRow(r.stdout, "good-co").slice(0, 2), ["good-co", "PASS"]);
    });

    it("refuses hostile outputs files with exit 2 before checking anything", async function () {
        const dir = writeCustomersDir(["good-co"]);
        tmpDirs.push(dir);
        const cases: Array<[string, RegExp]> = [
            ["{", /not valid JSON/],
            [JSON.stringify({ environment: "dev" }), /customers is missing\n {2}registryTableName is missing/],
            [JSON.stringify({ customers: { "good-co": "javascript:alert(1)" }, environment: "dev", registryTableName: "t", basicAuth: AUTH }), /customers\.good-co: "javascript:alert\(1\)" must be http\(s\)/],
            [JSON.stringify({ customers: { "good-co": "https://evil.example" }, environment: "dev", registryTableName: "t", basicAuth: AUTH }), /customers\.good-co: host "evil\.example" must be good-co\.<baseDomain>/],
        ];
        for (const [text, expected] of cases) {
            const file = path.join(dir, "hostile.json");
            fs.writeFileSync(file, text);
            const r = await verify(["--outputs", file, "--customers-dir", dir, "--commit", "x", ...resolve]);
            assert.equal(r.code, 2, text);
            assert.match(r.stderr, new RegExp(`invalid stack outputs from ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
            assert.match(r.stderr, expected);
            assert.match(r.stderr, /nothing was checked/);
            assert.equal(r.stdout, "");
        }
        const missing = await verify(["--outputs", path.join(dir, "nope.json"), "--customers-dir", dir]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--outputs .*nope\.json: cannot read the file \(ENOENT\)/);
    });

    it("fails (exit 1) naming the table when the registry write fails", async function () {
        const dir = writeCustomersDir(["good-co"]);
        tmpDirs.push(dir);
        const r = await verify(["--outputs", outputsFile(["good-co"], { registryTableName: "no-such-table" }), "--customers-dir", dir, "--commit", "c0ffee5", ...fast, ...resolve]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /registry write to table "no-such-table" at http:\/\/127\.0\.0\.1:\d+ failed: ResourceNotFoundException/);
    });

    it("works as the real CLI: npm run verify's entry exits non-zero and prints the table", async function () {
        const dir = writeCustomersDir(["good-co", "down-co"]);
        tmpDirs.push(dir);
        const args = ["-r", "ts-node/register/transpile-only", "scripts/verify.ts", "--outputs", outputsFile(["good-co", "down-co"]), "--customers-dir", dir, "--commit", "c0ffee6", "--skip-registry", ...fast, ...resolve];
        const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
            const child = execFile(process.execPath, args, { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, CI: "" } }, (err, stdout, stderr) =>
                done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
            );
            child.stdin?.end();
        });
        assert.equal(result.code, 1, result.stderr);
        assert.deepEqual(tableRow(result.stdout, "good-co").slice(0, 2), ["good-co", "PASS"]);
        assert.match(result.stderr, /down-co: connection failed \(ECONNREFUSED\)/);
    });
});

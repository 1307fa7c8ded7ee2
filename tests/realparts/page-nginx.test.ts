// Every rendered welcome page served by real Debian nginx, as a non-root user, with exactly the rendered nginx.conf
// (only its /etc/sas/, /tmp/ paths and port moved, see tests/harness/realparts/nginx.ts): /healthz answers and every
// security header the config declares is on every response. And each page once more as its pod runs it: under the
// exact numeric user and group its rendered Deployment declares (>= 10000, in no passwd file), owning nothing but what
// it writes into a root-owned, world-writable /tmp (an emptyDir), answering both of the Deployment's probes.
import { freePort } from "../harness/processes";
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requireRealPart } from "../harness/real-part";
import { NGINX_BIN, rewriteNginxConf, startNginx } from "../harness/realparts/nginx";
import type { KubeObject } from "../harness/realparts/kube-client";
import { STACKS, renderStack, welcomeSites, type WelcomeSite } from "../support/rendered";
import { BASIC_AUTH_USER, htpasswdLine } from "../../components/model/htpasswd";
import { AUTH_FILE, SITE_LAYOUT } from "../../components/model/site/layout";

/**
 * A stack with tenancy.basicAuth renders `auth_basic` into the config; its pods mount the htpasswd file from the
 * tenant's Secret (rendered as a secret, so these tests bring their own password and file).
 */
export const TEST_PASSWORD = "correct-horse-battery-staple-42";
export const usesBasicAuth = (nginxConf: string) => /^\s*auth_basic "/m.test(nginxConf);
export const authHeader = (user = BASIC_AUTH_USER, password = TEST_PASSWORD) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const authFilesFor = (site: WelcomeSite) => (usesBasicAuth(site.nginxConf) ? { [AUTH_FILE.key]: `${htpasswdLine(BASIC_AUTH_USER, TEST_PASSWORD)}\n` } : undefined);

/** Headers no welcome page may go without, whatever else the config adds. */
const REQUIRED_HEADERS = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"];

/** The `add_header Name "value" always;` lines of a rendered config, as [lower-case name, value]. */
export function declaredHeaders(nginxConf: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const m of nginxConf.matchAll(/^\s*add_header\s+([A-Za-z-]+)\s+"([^"]*)"\s+always;\s*$/gm)) {
        out.push([m[1].toLowerCase(), m[2]]);
    }
    return out;
}

async function fetchText(url: string, authorization?: string): Promise<{ status: number; headers: Headers; body: string }> {
    const res = await fetch(url, { redirect: "manual", headers: authorization ? { authorization } : {} });
    return { status: res.status, headers: res.headers, body: await res.text() };
}

describe("real parts: rendered pages in real nginx", function () {
    this.timeout(300_000);

    before(function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
    });

    for (const stack of STACKS) {
        it(`${stack}: every customer's page and /healthz are served with every security header`, async function () {
            const sites = welcomeSites(await renderStack(stack));
            assert.ok(sites.length > 0, `out/${stack}/objects.json has no welcome-site ConfigMap`);
            for (const site of sites) {
                const where = `out/${stack}/objects.json ConfigMap ${site.namespace}/welcome-site`;
                const headers = declaredHeaders(site.nginxConf);
                for (const h of REQUIRED_HEADERS) {
                    assert.ok(headers.some(([n]) => n === h), `${where}: nginx.conf declares no ${h} header (add_header ... always;)`);
                }
                const csp = headers.find(([n]) => n === "content-security-policy")![1];
                assert.match(csp, /default-src 'none'/, `${where}: the CSP must start from default-src 'none'`);

                const authFiles = authFilesFor(site);
                assert.equal(!!authFiles, stack !== "prod", `${where}: basic auth in nginx.conf exactly where tenancy.basicAuth is on`);
                const credentials = authFiles ? authHeader() : undefined;
                const nginx = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml }, authFiles });
                try {
                    const health = await fetchText(`${nginx.baseUrl}/healthz`);
                    assert.equal(health.status, 200, `${where}: /healthz answered ${health.status}\n${nginx.logs()}`);
                    assert.equal(health.body.trim(), "ok");

                    const page = await fetchText(`${nginx.baseUrl}/`, credentials);
                    assert.equal(page.status, 200, `${where}: / answered ${page.status}\n${nginx.logs()}`);
                    assert.equal(page.body, site.indexHtml, `${where}: nginx must serve the rendered index.html byte for byte`);
                    assert.match(page.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/i);

                    const missing = await fetchText(`${nginx.baseUrl}/.env`, credentials);
                    assert.equal(missing.status, 404, `${where}: anything but the page must be 404`);

                    for (const [path, res] of [["/", page], ["/healthz", health], ["/.env (404)", missing]] as const) {
                        for (const [name, value] of headers) {
                            assert.equal(res.headers.get(name), value, `${where}: response to ${path} lacks header ${name}: ${value}`);
                        }
                        assert.equal(res.headers.get("server"), "nginx", `${where}: server_tokens must be off (no version in Server)`);
                    }
                } finally {
                    await nginx.stop();
                }
            }
        });
    }
});

/** The ids a container of the Deployment runs as: the pod's securityContext, overridden by the container's. */
export function podIds(deployment: KubeObject): { uid: number; gid: number } {
    /* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are plain JSON-shaped data */
    const pod = (deployment.spec as any)?.template?.spec ?? {};
    const c = pod.containers?.[0]?.securityContext ?? {};
    /* eslint-enable @typescript-eslint/no-explicit-any */
    const uid = c.runAsUser ?? pod.securityContext?.runAsUser;
    const gid = c.runAsGroup ?? pod.securityContext?.runAsGroup;
    assert.ok(Number.isInteger(uid) && Number.isInteger(gid), `${deployment.metadata.namespace}/${deployment.metadata.name}: no numeric runAsUser/runAsGroup`);
    return { uid, gid };
}

/** The httpGet paths of the Deployment's first container's readiness and liveness probes. */
function probePaths(deployment: KubeObject): { readiness: string; liveness: string } {
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects are plain JSON-shaped data */
    const c = (deployment.spec as any).template.spec.containers[0];
    return { readiness: c.readinessProbe?.httpGet?.path, liveness: c.livenessProbe?.httpGet?.path };
}


/** `Uid:`/`Gid:` (real, effective, saved, filesystem) and `Groups:` of a live process. */
function procIds(pid: number): { uids: number[]; gids: number[]; groups: number[] } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => (new RegExp(`^${name}:[ \\t]*(.*)$`, "m").exec(status)?.[1] ?? "").trim().split(/\s+/).filter(Boolean).map(Number);
    return { uids: field("Uid"), gids: field("Gid"), groups: field("Groups") };
}

function childrenOf(pid: number): number[] {
    return fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
            try {
                return /^PPid:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${d}/status`, "utf8"))?.[1] === String(pid);
            } catch {
                return false; // gone meanwhile
            }
        })
        .map(Number);
}

/**
 * The rendered nginx.conf and page laid out as the pod has them, run as exactly `ids` (setpriv, numeric ids: no passwd
 * entry needed, supplementary groups cleared). The config and page are root-owned and read-only for everyone else
 * (the ConfigMap mount, defaultMode 0444); the run directory (the pod's /tmp) is root-owned and world-writable like
 * a kubelet emptyDir, so nginx owns nothing it did not create.
 */
async function startAsPod(site: WelcomeSite, ids: { uid: number; gid: number }, tmpMode = 0o777) {
    // Basic auth: the Secret's own mount beside the ConfigMap's, root-owned and 0444 like the Deployment declares.
    const authFiles = authFilesFor(site);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-nginx-pod-"));
    fs.chmodSync(tmp, 0o755);
    const siteDir = path.join(tmp, "etc-sas", "site");
    const run = path.join(tmp, "run");
    fs.mkdirSync(siteDir, { recursive: true, mode: 0o755 });
    fs.mkdirSync(run);
    fs.chmodSync(run, tmpMode);
    const port = await freePort();
    const conf = path.join(tmp, "etc-sas", "nginx.conf");
    fs.writeFileSync(conf, rewriteNginxConf(site.nginxConf, tmp, port));
    fs.writeFileSync(path.join(siteDir, "index.html"), site.indexHtml);
    for (const f of [conf, path.join(siteDir, "index.html")]) fs.chmodSync(f, 0o444);
    if (authFiles) {
        const authDir = path.join(tmp, "etc-sas-auth");
        fs.mkdirSync(authDir, { mode: 0o755 });
        for (const [name, content] of Object.entries(authFiles)) fs.writeFileSync(path.join(authDir, name), content, { mode: 0o444 });
    }
    // nginx reopens /dev/stdout and /dev/stderr by path: its stdio is a file the dropped user may open for append.
    const logFile = path.join(tmp, "stdio.log");
    fs.writeFileSync(logFile, "");
    fs.chmodSync(logFile, 0o666);
    const logs = () => fs.readFileSync(logFile, "utf8");
    const out = fs.openSync(logFile, "a");
    const child = spawn(
        "setpriv",
        [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, "--clear-groups", NGINX_BIN, "-e", "stderr", "-p", `${run}/`, "-c", conf],
        { stdio: ["ignore", out, out], detached: true },
    );
    fs.closeSync(out);
    let exited: string | undefined;
    const exit = new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => ((exited = `exit code ${code} signal ${signal}`), resolve()));
        child.once("error", (err) => ((exited = `spawn error ${err.message}`), resolve()));
    });
    const kill = (signal: NodeJS.Signals) => {
        try {
            process.kill(-child.pid!, signal);
        } catch {
            // already gone
        }
    };
    const stop = async () => {
        if (exited === undefined) {
            kill("SIGTERM");
            const timer = setTimeout(() => kill("SIGKILL"), 5000);
            await exit;
            clearTimeout(timer);
        }
        kill("SIGKILL");
        fs.rmSync(tmp, { recursive: true, force: true });
    };
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
        const deadline = Date.now() + 15_000;
        for (;;) {
            if (exited !== undefined) throw new Error(`nginx as uid ${ids.uid} gid ${ids.gid} stopped before serving (${exited}):\n${logs()}`);
            const status = await fetch(`${baseUrl}/healthz`).then((r) => r.status, () => 0);
            if (status === 200) break;
            if (Date.now() > deadline) throw new Error(`nginx as uid ${ids.uid} gid ${ids.gid}: /healthz not 200 within 15 s (last ${status}):\n${logs()}`);
            await new Promise((r) => setTimeout(r, 50));
        }
    } catch (err) {
        await stop();
        throw err;
    }
    return { baseUrl, pid: child.pid!, run, logs, stop };
}

describe("real parts: rendered pages in real nginx under the pod's own user and group", function () {
    this.timeout(300_000);

    before(function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
        requireRealPart(
            this,
            process.getuid?.() === 0 ? undefined : "running nginx under the pod's numeric uid/gid needs root (setpriv); run this test as root",
        );
    });

    for (const stack of STACKS) {
        it(`${stack}: every page runs as its Deployment's uid/gid (>= 10000), owns only what it writes to /tmp, answers both probes`, async function () {
            const rendered = await renderStack(stack);
            const sites = welcomeSites(rendered);
            assert.ok(sites.length > 0, `out/${stack}/objects.json has no welcome-site ConfigMap`);
            for (const site of sites) {
                const deployment = rendered.objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === site.namespace);
                const where = `out/${stack}/objects.json Deployment ${site.namespace}/welcome`;
                assert.ok(deployment, `${where} is missing`);
                const ids = podIds(deployment);
                assert.ok(ids.uid >= 10000 && ids.gid >= 10000, `${where}: runs as uid ${ids.uid} gid ${ids.gid}; both must be >= 10000`);
                const probes = probePaths(deployment);
                assert.notEqual(probes.readiness, probes.liveness, `${where}: readiness and liveness probe the same path`);

                const nginx = await startAsPod(site, ids);
                try {
                    // The master and every worker run as exactly those ids, with no supplementary group.
                    const procs = [nginx.pid, ...childrenOf(nginx.pid)];
                    assert.ok(procs.length >= 2, `${where}: expected an nginx master and a worker, found pids ${procs.join(", ")}`);
                    for (const pid of procs) {
                        const p = procIds(pid);
                        assert.deepEqual(p, { uids: Array(4).fill(ids.uid), gids: Array(4).fill(ids.gid), groups: [] }, `${where}: nginx pid ${pid} ids`);
                    }
                    // Everything it wrote is under /tmp and belongs to it; nothing else needed to belong to it.
                    const written = fs.readdirSync(nginx.run);
                    assert.ok(written.includes("nginx.pid"), `${where}: no pid file in /tmp: ${written.join(", ")}`);
                    for (const f of written) {
                        const st = fs.statSync(path.join(nginx.run, f));
                        assert.deepEqual([st.uid, st.gid], [ids.uid, ids.gid], `${where}: /tmp/${f} is owned by ${st.uid}:${st.gid}`);
                    }

                    // The kubelet's probes send no credentials: both must pass without them, basic auth or not.
                    assert.equal(probes.readiness, SITE_LAYOUT.readyPath, `${where}: readiness probes ${probes.readiness}`);
                    const ready = await fetch(`${nginx.baseUrl}${probes.readiness}`);
                    assert.equal(ready.status, 200, `${where}: readiness probe ${probes.readiness} answered ${ready.status}\n${nginx.logs()}`);
                    assert.equal(await ready.text(), site.indexHtml, `${where}: readiness must probe the page itself`);
                    const live = await fetch(`${nginx.baseUrl}${probes.liveness}`);
                    assert.equal(live.status, 200, `${where}: liveness probe ${probes.liveness} answered ${live.status}\n${nginx.logs()}`);
                    assert.equal((await live.text()).trim(), "ok");
                    if (usesBasicAuth(site.nginxConf)) {
                        // The htpasswd file is root-owned 0444 (no fsGroup): nginx as the pod's user reads it per request.
                        assert.equal((await fetch(`${nginx.baseUrl}/`)).status, 401, `${where}: / without credentials`);
                        const page = await fetch(`${nginx.baseUrl}/`, { headers: { authorization: authHeader() } });
                        assert.equal(page.status, 200, `${where}: / with the right credentials answered ${page.status}\n${nginx.logs()}`);
                        assert.equal(await page.text(), site.indexHtml);
                    }
                    assert.doesNotMatch(nginx.logs(), /\[(emerg|alert|crit|error)\]/, `${where}: nginx logged errors:\n${nginx.logs()}`);
                } finally {
                    await nginx.stop();
                }
            }
        });
    }

    it("negative control: the same page with a /tmp its user cannot write does not start (the ids really bite)", async function () {
        const stack = STACKS[0];
        const rendered = await renderStack(stack);
        const site = welcomeSites(rendered)[0];
        const deployment = rendered.objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === site.namespace)!;
        await assert.rejects(startAsPod(site, podIds(deployment), 0o755), /stopped before serving[\s\S]*Permission denied/);
    });
});

// Every link of the request path real: the program under the real Pulumi engine on the embedded cluster, Traefik
// (built from its Go module) as the ingress controller publishing each Ingress's address, a real node (kubelet,
// containerd, runc, CNI bridge) running the customer pods under their real security context, and requests (curl-like
// fetches and Chromium) going host → Traefik → pod IP → nginx. The same path as `npm run sandbox` on a real node; its
// own directory, node name, bridge and subnet, so it runs beside a user's sandbox.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../components/model/project";
import { BASIC_AUTH_USER } from "../../components/model/htpasswd";
import { escapeHtml } from "../../components/model/site/escape";
import { requireRealPart } from "../harness/real-part";
import { goMissing } from "../harness/engine-events";
import type { KubeClient } from "../harness/realparts/kube-client";
import { chromiumMissing, launchBrowser } from "../harness/realparts/browser";
import { ensureSandboxCluster, realNodeUnavailable, stopSandboxCluster, type SandboxCluster } from "../harness/realparts/sandbox-cluster";
import { basicAuthPassword, engineBinaries, openSandboxStack, sandboxPaths, type SandboxPaths } from "../../scripts/sandbox/engine";

const SAMPLES = ["acme-rockets", "muller-kaffee", "nile-analytics", "sakura-logistics"];
const NODE = { name: "path-test-node-0", bridge: "sas-cni1", podSubnet: "10.89.0.0/16" };
const BASE_DOMAIN = "sas.localhost";

interface Record_ {
    id: string;
    companyName: string;
    motto: string;
}

interface Answer {
    status: number;
    body: string;
    headers: http.IncomingHttpHeaders;
}

function missingPart(): string | undefined {
    return goMissing() ?? realNodeUnavailable() ?? chromiumMissing();
}

describe("the whole request path: real engine, Traefik, a real node, nginx, Chromium", function () {
    this.timeout(900_000);
    let root: string;
    let paths: SandboxPaths;
    let sandbox: SandboxCluster;
    let admin: KubeClient;
    let stack: Stack;
    let customersDir: string;
    let password: string;
    const records = new Map<string, Record_>();

    /**
     * A request through Traefik's loopback entrypoint for `host`, as a browser on this machine sends it (node:http:
     * fetch drops a Host header it is given). A fresh connection each time, like independent visitors.
     */
    const get = (host: string, opts: { path?: string; auth?: [string, string] } = {}): Promise<Answer> =>
        new Promise((resolve, reject) => {
            const headers: Record<string, string> = { Host: host };
            if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth.join(":")).toString("base64")}`;
            const req = http.request({ host: "127.0.0.1", port: sandbox.traefik.webPort, path: opts.path ?? "/", headers, agent: false, timeout: 5_000 }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
                res.on("error", reject);
            });
            req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
            req.on("error", reject);
            req.end();
        });
    const hostOf = (id: string) => `${id}.${BASE_DOMAIN}`;
    const writeRecord = (id: string, fields: Partial<Record_>) => {
        const file = path.join(customersDir, `${id}.yaml`);
        const record = { ...(parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>), ...fields };
        fs.writeFileSync(file, Object.entries(record).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n") + "\n");
        records.set(id, record as unknown as Record_);
    };

    before(async function () {
        requireRealPart(this, missingPart());
        const bins = engineBinaries();
        root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-path-"));
        paths = sandboxPaths(root);
        sandbox = await ensureSandboxCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "real", realNode: NODE });
        admin = sandbox.cluster.admin;
        customersDir = path.join(root, "customers");
        fs.mkdirSync(customersDir);
        for (const id of SAMPLES) {
            fs.copyFileSync(path.join(PROJECT_ROOT, "customers", `${id}.yaml`), path.join(customersDir, `${id}.yaml`));
            records.set(id, parse(fs.readFileSync(path.join(customersDir, `${id}.yaml`), "utf8")) as Record_);
        }
        stack = await openSandboxStack({ paths, bins, cluster: sandbox.cluster, image: sandbox.image, config: { customersDir, baseDomain: BASE_DOMAIN } });
        password = basicAuthPassword(paths);
    });

    after(async function () {
        this.timeout(300_000);
        try {
            if (stack) await stack.destroy();
        } finally {
            if (paths) await stopSandboxCluster(paths.cluster);
            if (root) fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("up waits for Traefik to publish every Ingress's address (no skipAwait anywhere) and for running pods", async () => {
        const result = await stack.up();
        assert.equal(result.summary.result, "succeeded");
        assert.ok((result.summary.resourceChanges?.create ?? 0) > SAMPLES.length * 13);
        for (const id of SAMPLES) {
            const ing = await admin.get<{ metadata: { annotations?: Record<string, string> }; status: { loadBalancer?: { ingress?: { ip?: string }[] } } }>("networking.k8s.io/v1", "Ingress", "welcome", `cust-${id}`);
            assert.deepEqual(ing.status.loadBalancer?.ingress, [{ ip: "127.0.0.1" }], `cust-${id}: Traefik published no address`);
            assert.equal(ing.metadata.annotations?.["pulumi.com/skipAwait"], undefined);
            const pods = await admin.list<{ spec: { nodeName?: string }; status: { phase: string; containerStatuses?: { ready: boolean; imageID: string }[] } }>("v1", "Pod", `cust-${id}`);
            assert.ok(pods.length > 0);
            for (const p of pods) {
                assert.equal(p.spec.nodeName, NODE.name);
                assert.equal(p.status.phase, "Running");
                assert.equal(p.status.containerStatuses?.[0].ready, true);
                // The image that runs is the one built here, named by its own digest.
                assert.match(p.status.containerStatuses![0].imageID, new RegExp(`${sandbox.image!.digest}$`));
            }
        }
    });

    it("the pods' nginx runs as uid 10101 with no capabilities, no privilege gain, seccomp and a read-only root", async () => {
        const pods = await admin.list<{ metadata: { name: string }; status: { containerStatuses: { containerID: string }[] } }>("v1", "Pod", "cust-acme-rockets");
        const pid = sandbox.node!.taskPid(pods[0].status.containerStatuses[0].containerID);
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1].trim();
        // nginx's master process renames itself ("nginx: master process nginx -e stderr -c ...").
        assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"), /^nginx: master process nginx /);
        assert.equal(field("Uid")?.split(/\s+/)[0], "10101");
        assert.equal(field("Gid")?.split(/\s+/)[0], "10101");
        assert.equal(field("CapEff"), "0000000000000000");
        assert.equal(field("CapBnd"), "0000000000000000");
        assert.equal(field("NoNewPrivs"), "1");
        assert.equal(field("Seccomp"), "2");
        const root = fs.readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").find((l) => l.split(" ")[4] === "/");
        assert.ok(root, "no root mount");
        assert.ok(root.split(" ")[5].split(",").includes("ro"), `root not read-only: ${root}`);
    });

    it("each customer's host through Traefik serves that customer's page and nothing of another's", async () => {
        // `up` ends when Traefik has published the Ingress's address; its router for the host follows once the pods'
        // EndpointSlices reach it (its provider throttle is 2 s). Bounded wait, then the page itself.
        for (const id of SAMPLES) {
            const deadline = Date.now() + 20_000;
            while ((await get(hostOf(id))).status === 404 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        }
        for (const id of SAMPLES) {
            const res = await get(hostOf(id), { auth: [BASIC_AUTH_USER, password] });
            assert.equal(res.status, 200, `${id}: ${res.status} ${res.body.slice(0, 200)}`);
            const r = records.get(id)!;
            assert.ok(res.body.includes("Welcome to SAS"), `${id}: no "Welcome to SAS"`);
            assert.ok(res.body.includes(escapeHtml(r.companyName)), `${id}: company name missing`);
            assert.ok(res.body.includes(escapeHtml(r.motto)), `${id}: motto missing`);
            for (const other of SAMPLES.filter((o) => o !== id)) {
                assert.ok(!res.body.includes(escapeHtml(records.get(other)!.companyName)), `${id}'s page shows ${other}'s company`);
            }
            assert.match(String(res.headers["content-security-policy"]), /default-src 'none'/);
        }
    });

    it("an unknown host gets Traefik's own 404", async () => {
        const res = await get(hostOf("no-such-customer"));
        assert.equal(res.status, 404);
        assert.equal(res.body.trim(), "404 page not found");
        const bare = await get("127.0.0.1");
        assert.equal(bare.status, 404);
    });

    it("a non-prod page challenges for basic auth: none or wrong → 401 with the realm, right → 200, /healthz open", async () => {
        const host = hostOf("muller-kaffee");
        const none = await get(host);
        assert.equal(none.status, 401);
        assert.equal(none.headers["www-authenticate"], 'Basic realm="SAS preview"');
        assert.ok(!none.body.includes(escapeHtml(records.get("muller-kaffee")!.companyName)));
        const wrong = await get(host, { auth: [BASIC_AUTH_USER, `${password}x`] });
        assert.equal(wrong.status, 401);
        assert.equal((await get(host, { auth: ["someone-else", password] })).status, 401);
        assert.equal((await get(host, { auth: [BASIC_AUTH_USER, password] })).status, 200);
        assert.equal((await get(host, { path: "/healthz" })).status, 200);
    });

    it("Chromium loads every page through Traefik: the text, no console errors, no CSP violations, a screenshot", async () => {
        // Every *.localhost name is this machine to Chromium; the port is Traefik's entrypoint.
        const browser = await launchBrowser({ httpCredentials: { username: BASIC_AUTH_USER, password } });
        try {
            for (const id of SAMPLES) {
                const shot = path.join(root, "screenshots", `${id}.png`);
                const origin = `http://${hostOf(id)}:${sandbox.traefik.webPort}`;
                const visit = await browser.visit(`${origin}/`, { screenshotPath: shot });
                assert.equal(visit.status, 200);
                const r = records.get(id)!;
                assert.ok(visit.visibleText.includes("Welcome to SAS"));
                assert.ok(visit.visibleText.includes(r.companyName), `${id}: company not visible`);
                assert.ok(visit.visibleText.includes(r.motto), `${id}: motto not visible`);
                assert.deepEqual(visit.consoleErrors, []);
                assert.deepEqual(visit.cspViolations, []);
                assert.deepEqual(visit.requests.filter((u) => !u.startsWith(`${origin}/`)), []);
                assert.ok(fs.statSync(shot).size > 5_000, `${id}: screenshot too small`);
            }
        } finally {
            await browser.close();
        }
    });

    it("a motto change rolls the pods with zero failed requests (a request every 20 ms during the up)", async () => {
        const id = "acme-rockets";
        const host = hostOf(id);
        const before = records.get(id)!.motto;
        const after = `${before} (rolled ${process.pid})`;
        const replicaSets = async () => (await admin.list<{ metadata: { name: string } }>("apps/v1", "ReplicaSet", `cust-${id}`)).map((r) => r.metadata.name).sort();
        const rsBefore = await replicaSets();
        const seen: { status: number; motto: "old" | "new" | "none"; error?: string }[] = [];
        let running = true;
        const loop = (async () => {
            const deadline = Date.now() + 600_000;
            while (running && Date.now() < deadline) {
                try {
                    const res = await get(host, { auth: [BASIC_AUTH_USER, password] });
                    seen.push({ status: res.status, motto: res.body.includes(escapeHtml(after)) ? "new" : res.body.includes(escapeHtml(before)) ? "old" : "none" });
                } catch (e) {
                    seen.push({ status: 0, motto: "none", error: (e as Error).message });
                }
                await new Promise((r) => setTimeout(r, 20));
            }
        })();
        writeRecord(id, { motto: after });
        const events: EngineEvent[] = [];
        let result;
        try {
            result = await stack.up({ onEvent: (e) => events.push(e) });
            // Keep asking until the old pods are gone from Traefik's view as well.
            const settle = Date.now() + 30_000;
            while (Date.now() < settle && !seen.slice(-25).every((s) => s.motto === "new")) await new Promise((r) => setTimeout(r, 200));
        } finally {
            running = false;
            await loop;
        }
        assert.equal(result.summary.result, "succeeded");
        const updated = events.flatMap((e) => (e.resourcePreEvent && e.resourcePreEvent.metadata.op === "update" ? [e.resourcePreEvent.metadata.urn.split("::").pop()] : [])).sort();
        assert.deepEqual(updated, [`customer-${id}-configmap`, `customer-${id}-deployment`]);
        const failed = seen.filter((s) => s.status !== 200 || s.motto === "none");
        assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${seen.length} requests failed during the rollout`);
        assert.ok(seen.length >= 50, `only ${seen.length} requests during the rollout`);
        assert.equal(seen[0].motto, "old");
        assert.ok(seen.slice(-25).every((s) => s.motto === "new"), "the new motto is not what every request gets at the end");
        // A real rollout: a new ReplicaSet (the pod template's content hash changed) beside the old one.
        const rsAfter = await replicaSets();
        assert.ok(rsAfter.some((n) => !rsBefore.includes(n)), `no new ReplicaSet: ${rsAfter.join(", ")}`);
    });
});

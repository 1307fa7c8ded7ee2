// The embedded cluster the real Pulumi engine runs against (`npm run sandbox`, the engine tests): etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback, with kwok's simulated nodes running
// the pods (scheduled, admitted by quota and Pod Security, Ready, Deployments Available, Service endpoints: all by
// the real controllers). Unlike startControlPlane (one test's throw-away cluster), this one is detached and keeps its
// state in a directory: it outlives the command that started it, and the next command attaches to it.
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { apiServerArgs, binaryCacheDir, controllerManagerArgs, locateBinaries } from "./controlplane";
import { KubeClient } from "./kube-client";
import { freePort, portFree, runningAs } from "../processes";
import { PROJECT_ROOT } from "../../../components/model/project";

/** The kubeconfig context the sandbox stack names (Pulumi.sandbox.yaml: kubernetes.context). */
export const EMBEDDED_CONTEXT = "sas-sandbox";
const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;
type Component = (typeof COMPONENTS)[number];
const READY_TIMEOUT_MS = 120_000;
/** What each simulated node offers: room for a few hundred small tenants (requests, not usage: nothing runs). */
const NODE_CAPACITY = { cpu: "32", memory: "256Gi", "ephemeral-storage": "500Gi", pods: "250" };

export interface EmbeddedClusterOptions {
    /** Where the cluster keeps etcd's data, certificates, tokens, logs and its state file. */
    dir: string;
    /** kube-scheduler and kwok binaries (tests/harness/build/build-engine.sh builds them). */
    kubeScheduler: string;
    kwok: string;
    /**
     * Simulated nodes (kwok): default 2, so that spread constraints can be met. 0 when a real node runs the pods
     * (tests/harness/realparts/sandbox-cluster.ts): simulated nodes left from an earlier run are then deleted, since a
     * pod scheduled there never runs, and even tainted they would count as empty spread domains.
     */
    nodes?: number;
    /** Progress lines (the sandbox runner prints them). */
    log?: (line: string) => void;
}

export interface EmbeddedCluster {
    dir: string;
    server: string;
    caPem: string;
    /** A kubeconfig for the admin (system:masters) with context EMBEDDED_CONTEXT; its path never changes. */
    kubeconfigPath: string;
    admin: KubeClient;
    /** The admin's bearer token (system:masters): what the host-side real parts (kubelet, Traefik) authenticate with. */
    adminToken: string;
    /** True when this call started the processes, false when it attached to running ones. */
    started: boolean;
}

interface StateFile {
    ports: { etcd: number; etcdPeer: number; api: number; kcm: number; scheduler: number; kwok: number };
    tokens: { admin: string; kcm: string; scheduler: string };
    pids: Partial<Record<Component, number>>;
}

const stateFile = (dir: string) => path.join(dir, "cluster.json");
const readState = (dir: string): StateFile | undefined => {
    try {
        return JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as StateFile;
    } catch {
        return undefined;
    }
};




/** kwok's own "fast" stages (from its module): nodes become Ready and keep a lease; pods become Ready at once. */
export function kwokStages(kwokBinary: string): string {
    const beside = path.join(path.dirname(kwokBinary), "stages.yaml");
    if (fs.existsSync(beside)) return beside;
    const goMod = fs.readFileSync(path.join(PROJECT_ROOT, "tests", "harness", "go", "kwok", "go.mod"), "utf8");
    const version = /^require sigs\.k8s\.io\/kwok (v\S+)$/m.exec(goMod)?.[1];
    if (!version) throw new Error("tests/harness/go/kwok/go.mod: no `require sigs.k8s.io/kwok vX.Y.Z` line");
    const modCache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
    const base = path.join(modCache, "sigs.k8s.io", `kwok@${version}`, "kustomize", "stage");
    const files = ["node/fast/node-initialize.yaml", "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml", "pod/fast/pod-ready.yaml", "pod/fast/pod-complete.yaml", "pod/fast/pod-delete.yaml"];
    const text = files.map((f) => fs.readFileSync(path.join(base, f), "utf8").trim()).join("\n---\n");
    fs.writeFileSync(beside, text + "\n");
    return beside;
}

function kubeconfig(server: string, caPem: string, user: string, token: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: EMBEDDED_CONTEXT, cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: EMBEDDED_CONTEXT, context: { cluster: EMBEDDED_CONTEXT, user } }],
        "current-context": EMBEDDED_CONTEXT,
    }, null, 2);
}

function spawnDetached(dir: string, name: Component, bin: string, args: string[]): number {
    const fd = fs.openSync(path.join(dir, `${name}.log`), "a");
    try {
        const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd] });
        child.unref();
        if (!child.pid) throw new Error(`${name}: could not start ${bin}`);
        return child.pid;
    } finally {
        fs.closeSync(fd);
    }
}

async function waitFor(dir: string, what: string, pids: StateFile["pids"], ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = "";
    while (Date.now() < deadline) {
        for (const [name, pid] of Object.entries(pids) as [Component, number][]) {
            if (!runningAs(pid, name)) {
                const tail = fs.existsSync(path.join(dir, `${name}.log`)) ? fs.readFileSync(path.join(dir, `${name}.log`), "utf8").trimEnd().split("\n").slice(-15).join("\n") : "";
                throw new Error(`embedded cluster: ${name} exited while waiting for ${what} (log: ${path.join(dir, `${name}.log`)})\n${tail}`);
            }
        }
        try {
            if (await ready()) return;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`embedded cluster: ${what} not ready within ${READY_TIMEOUT_MS / 1000}s${last ? ` (${last})` : ""}; logs in ${dir}`);
}

const KWOK_NODE = (i: number) => `kwok-node-${i}`;

/** Creates the first `wanted` kwok nodes that are missing; with 0, deletes every kwok node. Returns the count. */
async function reconcileSimulatedNodes(admin: KubeClient, wanted = 2): Promise<number> {
    if (wanted === 0) {
        const list = (await admin.raw("GET", "/api/v1/nodes?labelSelector=type%3Dkwok")).body as { items?: { metadata: { name: string } }[] };
        for (const n of list.items ?? []) await admin.raw("DELETE", `/api/v1/nodes/${n.metadata.name}`);
        return 0;
    }
    const nodes = Math.max(2, wanted);
    for (let i = 0; i < nodes; i++) {
        const name = KWOK_NODE(i);
        if ((await admin.raw("GET", `/api/v1/nodes/${name}`)).status === 200) continue;
        const created = await admin.create({
            apiVersion: "v1",
            kind: "Node",
            metadata: {
                name,
                annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
                labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": `zone-${i % 2}`, type: "kwok" },
            },
            status: { allocatable: NODE_CAPACITY, capacity: NODE_CAPACITY },
        });
        if (created.status !== 201) throw new Error(`embedded cluster: creating Node ${name}: HTTP ${created.status} ${created.text.slice(0, 300)}`);
    }
    return nodes;
}

/** Attaches to the cluster in `dir` when all its processes run, else (re)starts it there, keeping etcd's data. */
export async function ensureEmbeddedCluster(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
    const { dir } = opts;
    const log = opts.log ?? (() => undefined);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const previous = readState(dir);
    const caFile = path.join(dir, "apiserver-certs", "apiserver.crt");
    const kubeconfigPath = path.join(dir, "admin.kubeconfig");
    if (previous && COMPONENTS.every((c) => runningAs(previous.pids[c], c))) {
        const caPem = fs.readFileSync(caFile, "utf8");
        const server = `https://127.0.0.1:${previous.ports.api}`;
        const admin = new KubeClient({ server, token: previous.tokens.admin, caPem });
        if ((await admin.raw("GET", "/readyz")).status === 200) {
            await reconcileSimulatedNodes(admin, opts.nodes);
            return { dir, server, caPem, kubeconfigPath, admin, adminToken: previous.tokens.admin, started: false };
        }
    }
    // Whatever is left of a previous run (some processes died) stops before a clean start on the same data.
    if (previous) await stopEmbeddedCluster(dir);

    const located = locateBinaries();
    if ("missing" in located) throw new Error(located.missing);
    const bins = located.bins;
    if (!bins.kubeControllerManager) throw new Error(`kube-controller-manager not found in ${binaryCacheDir()}: run bash tests/harness/build/build-test-binaries.sh`);

    // Same ports as last time where they are free (logs and habits stay readable), new ones otherwise.
    const reuse = async (p: number | undefined) => (p && (await portFree(p)) ? p : freePort());
    const ports: StateFile["ports"] = {
        etcd: await reuse(previous?.ports.etcd),
        etcdPeer: await reuse(previous?.ports.etcdPeer),
        api: await reuse(previous?.ports.api),
        kcm: await reuse(previous?.ports.kcm),
        scheduler: await reuse(previous?.ports.scheduler),
        kwok: await reuse(previous?.ports.kwok),
    };
    const tokens = previous?.tokens ?? { admin: crypto.randomBytes(24).toString("hex"), kcm: crypto.randomBytes(24).toString("hex"), scheduler: crypto.randomBytes(24).toString("hex") };
    const state: StateFile = { ports, tokens, pids: {} };
    const save = () => fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });

    const saKey = path.join(dir, "sa.key");
    const saPub = path.join(dir, "sa.pub");
    if (!fs.existsSync(saKey)) {
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    }
    const tokenFile = path.join(dir, "tokens.csv");
    fs.writeFileSync(tokenFile, [
        `${tokens.admin},sas-sandbox-admin,uid-0,"system:masters"`,
        `${tokens.kcm},system:kube-controller-manager,uid-1`,
        `${tokens.scheduler},system:kube-scheduler,uid-2`,
    ].join("\n") + "\n", { mode: 0o600 });

    log(`starting the embedded cluster in ${dir}`);
    state.pids.etcd = spawnDetached(dir, "etcd", bins.etcd, [
        "--name=sandbox",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=sandbox=http://127.0.0.1:${ports.etcdPeer}`,
        "--log-level=warn",
    ]);
    save();
    await waitFor(dir, "etcd", state.pids, async () => {
        const res = await fetch(`http://127.0.0.1:${ports.etcd}/health`);
        return (await res.text()).includes('"health":"true"');
    });
    state.pids["kube-apiserver"] = spawnDetached(
        dir,
        "kube-apiserver",
        bins.kubeApiserver,
        apiServerArgs({ etcdPort: ports.etcd, apiPort: ports.api, certDir: path.join(dir, "apiserver-certs"), tokenFile, saPub, saKey }),
    );
    save();
    await waitFor(dir, "the API server's certificate", state.pids, async () => fs.existsSync(caFile) && fs.statSync(caFile).size > 0);
    const caPem = fs.readFileSync(caFile, "utf8");
    const server = `https://127.0.0.1:${ports.api}`;
    const admin = new KubeClient({ server, token: tokens.admin, caPem });
    await waitFor(dir, "kube-apiserver /readyz", state.pids, async () => (await admin.raw("GET", "/readyz")).status === 200);

    fs.writeFileSync(kubeconfigPath, kubeconfig(server, caPem, "sas-sandbox-admin", tokens.admin), { mode: 0o600 });
    const kcmConfig = path.join(dir, "kcm.kubeconfig");
    const schedulerConfig = path.join(dir, "scheduler.kubeconfig");
    fs.writeFileSync(kcmConfig, kubeconfig(server, caPem, "system:kube-controller-manager", tokens.kcm), { mode: 0o600 });
    fs.writeFileSync(schedulerConfig, kubeconfig(server, caPem, "system:kube-scheduler", tokens.scheduler), { mode: 0o600 });
    state.pids["kube-controller-manager"] = spawnDetached(
        dir,
        "kube-controller-manager",
        bins.kubeControllerManager,
        controllerManagerArgs({ kubeconfig: kcmConfig, port: ports.kcm, certDir: path.join(dir, "kcm-certs"), saKey, caFile }),
    );
    state.pids["kube-scheduler"] = spawnDetached(dir, "kube-scheduler", opts.kubeScheduler, [
        `--kubeconfig=${schedulerConfig}`,
        `--authentication-kubeconfig=${schedulerConfig}`,
        `--authorization-kubeconfig=${schedulerConfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${ports.scheduler}`,
        "--leader-elect=false",
        "--profiling=false",
        "--v=1",
    ]);
    state.pids.kwok = spawnDetached(dir, "kwok", opts.kwok, [
        `--kubeconfig=${kubeconfigPath}`,
        `--config=${kwokStages(opts.kwok)}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--node-lease-duration-seconds=40",
        "--cidr=10.244.0.1/16",
        "--node-ip=10.0.0.1",
        `--server-address=127.0.0.1:${ports.kwok}`,
    ]);
    save();

    await waitFor(dir, "the controllers (default ServiceAccount)", state.pids, async () => (await admin.raw("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200);
    const nodes = await reconcileSimulatedNodes(admin, opts.nodes);
    await waitFor(dir, `${nodes} Ready kwok nodes`, state.pids, async () => {
        const list = (await admin.raw("GET", "/api/v1/nodes?labelSelector=type%3Dkwok")).body as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
        return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length >= nodes;
    });
    log(`embedded cluster ready at ${server} (${nodes} kwok nodes)`);
    return { dir, server, caPem, kubeconfigPath, admin, adminToken: tokens.admin, started: true };
}

/** Stops the cluster in `dir` (its data stays for the next start); true when something was running. */
export async function stopEmbeddedCluster(dir: string): Promise<boolean> {
    const state = readState(dir);
    if (!state) return false;
    let stopped = false;
    for (const c of [...COMPONENTS].reverse()) {
        const pid = state.pids[c];
        if (!runningAs(pid, c)) continue;
        stopped = true;
        process.kill(pid!, "SIGTERM");
        const deadline = Date.now() + 10_000;
        while (runningAs(pid, c) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (runningAs(pid, c)) process.kill(pid!, "SIGKILL");
    }
    state.pids = {};
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
    return stopped;
}

/** The cluster's processes and whether each runs, for `npm run sandbox -- status`. */
export function embeddedClusterProcesses(dir: string): { component: Component; pid?: number; running: boolean }[] {
    const state = readState(dir);
    return COMPONENTS.map((component) => ({ component, pid: state?.pids[component], running: runningAs(state?.pids[component], component) }));
}

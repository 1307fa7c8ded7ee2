// A real, throwaway Kubernetes control plane for tests: etcd + kube-apiserver (+ kube-controller-manager) built
// from Go modules by tests/harness/build/build-test-binaries.sh, on loopback, free ports and a temp dir, with static-token
// auth, RBAC and the admission plugins a real cluster runs. Nothing here is mocked: if the binaries are missing,
// locateBinaries() says so and how to get them.
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { KubeClient } from "./kube-client";
import { freePorts } from "../processes";

import { PROJECT_ROOT as REPO_ROOT } from "../../../components/model/project";
const BUILD_HINT =
    "run `npm run build:test-binaries` (tests/harness/build/build-test-binaries.sh builds them from the Go module proxy; Go must be on PATH) " +
    "or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver and etcd (envtest's assets)";

/** Admission plugins the tests rely on; all three are on by default in 1.37, and naming them keeps it so. */
export const REQUIRED_ADMISSION_PLUGINS = ["PodSecurity", "ResourceQuota", "LimitRanger"] as const;

export interface ControlPlaneBinaries {
    etcd: string;
    kubeApiserver: string;
    /** Absent when only envtest assets are available and nothing was built. */
    kubeControllerManager?: string;
}

/** The Kubernetes version tests/harness/go/kube/go.mod pins; the cache directory is keyed by it. */
export function pinnedKubernetesVersion(): string {
    const goMod = path.join(REPO_ROOT, "tests", "harness", "go", "kube", "go.mod");
    const m = /^require k8s\.io\/kubernetes (v\S+)$/m.exec(fs.readFileSync(goMod, "utf8"));
    if (!m) throw new Error(`${goMod}: no "require k8s.io/kubernetes vX.Y.Z" line`);
    return m[1];
}

export function binaryCacheDir(): string {
    const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(cacheHome, "sas-onboarding", "kube", pinnedKubernetesVersion());
}

function executable(p: string): boolean {
    try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

/**
 * Finds the binaries the way tests/harness/build/build-test-binaries.sh lays them out: KUBEBUILDER_ASSETS first (envtest users
 * build nothing), then the version-keyed cache. Returns a sentence naming what is missing and how to get it.
 */
export function locateBinaries(): { bins: ControlPlaneBinaries } | { missing: string } {
    const cache = binaryCacheDir();
    const dirs = [process.env.KUBEBUILDER_ASSETS, cache].filter((d): d is string => !!d);
    for (const dir of dirs) {
        const etcd = path.join(dir, "etcd");
        const kubeApiserver = path.join(dir, "kube-apiserver");
        if (!executable(etcd) || !executable(kubeApiserver)) continue;
        const kcm = [path.join(dir, "kube-controller-manager"), path.join(cache, "kube-controller-manager")].find(executable);
        return { bins: { etcd, kubeApiserver, kubeControllerManager: kcm } };
    }
    return { missing: `etcd and kube-apiserver not found in ${dirs.join(" or ")}; ${BUILD_HINT}` };
}


export interface TestUser {
    name: string;
    groups: string[];
}

export interface StartOptions {
    /** Users besides the admin (system:masters) that get a static token; e.g. a member of the CI deployer group. */
    users?: TestUser[];
    /** Also run kube-controller-manager (ReplicaSets create pods, quota status is computed, default SAs appear). */
    controllerManager?: boolean;
}

export interface ControlPlane {
    server: string;
    caPem: string;
    /** A client for the admin (system:masters) or for one of StartOptions.users by name. */
    client(user?: string): KubeClient;
    /** The last lines of every process's output, for failure messages. */
    logs(maxLinesEach?: number): string;
    stop(): Promise<void>;
}

interface Proc {
    name: string;
    child: ChildProcess;
    logFile: string;
    exited?: string;
    exitPromise: Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const ADMIN: TestUser = { name: "sas-test-admin", groups: ["system:masters"] };
const KCM_USER: TestUser = { name: "system:kube-controller-manager", groups: [] };

/** Processes alive across all control planes, killed on process exit in case a test run dies without stop(). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.once("exit", () => {
        for (const c of live) {
            try {
                c.kill("SIGKILL");
            } catch {
                // already gone
            }
        }
    });
}

/** kube-apiserver on loopback, as both the tests' control plane and the embedded cluster run it. */
export function apiServerArgs(a: { etcdPort: number; apiPort: number; certDir: string; tokenFile: string; saPub: string; saKey: string }): string[] {
    return [
        `--etcd-servers=http://127.0.0.1:${a.etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        // The endpoint reconciler refuses loopback addresses; the "kubernetes" Service needs no endpoints here.
        "--endpoint-reconciler-type=none",
        `--secure-port=${a.apiPort}`,
        `--cert-dir=${a.certDir}`,
        `--token-auth-file=${a.tokenFile}`,
        "--authorization-mode=RBAC",
        `--enable-admission-plugins=${REQUIRED_ADMISSION_PLUGINS.join(",")}`,
        // As a real cluster: privileged pods are valid, so a rejected privileged pod proves Pod Security, not this flag.
        "--allow-privileged=true",
        `--service-account-key-file=${a.saPub}`,
        `--service-account-signing-key-file=${a.saKey}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--profiling=false",
        "--v=1",
    ];
}

/** kube-controller-manager on loopback, for both control planes: one kubeconfig for its three identities. */
export function controllerManagerArgs(a: { kubeconfig: string; port: number; certDir: string; saKey: string; caFile: string }): string[] {
    return [
        `--kubeconfig=${a.kubeconfig}`,
        `--authentication-kubeconfig=${a.kubeconfig}`,
        `--authorization-kubeconfig=${a.kubeconfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${a.port}`,
        `--cert-dir=${a.certDir}`,
        "--leader-elect=false",
        // As in real clusters: each controller acts under its own service account and RBAC role.
        "--use-service-account-credentials=true",
        `--service-account-private-key-file=${a.saKey}`,
        `--root-ca-file=${a.caFile}`,
        "--profiling=false",
        "--v=1",
    ];
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
    const located = locateBinaries();
    if ("missing" in located) throw new Error(located.missing);
    const bins = located.bins;
    if (opts.controllerManager && !bins.kubeControllerManager) {
        throw new Error(
            `kube-controller-manager not found next to ${bins.kubeApiserver} nor in ${binaryCacheDir()}; ` +
                "run `npm run build:test-binaries` (it builds only what is missing)",
        );
    }
    installExitHook();

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-kube-"));
    const procs: Proc[] = [];
    const logs = (maxLinesEach = 80): string =>
        procs
            .map((p) => {
                let text = "";
                try {
                    text = fs.readFileSync(p.logFile, "utf8");
                } catch {
                    // not written yet
                }
                const lines = text.trimEnd().split("\n");
                return `----- ${p.name} (${p.exited ?? "running"}), last ${Math.min(maxLinesEach, lines.length)} lines -----\n` +
                    lines.slice(-maxLinesEach).join("\n");
            })
            .join("\n");

    const stop = async (): Promise<void> => {
        // Reverse start order: controllers first, etcd last, so nothing logs storms about a vanished backend.
        for (const p of [...procs].reverse()) {
            if (p.exited === undefined) {
                p.child.kill("SIGTERM");
                const timer = setTimeout(() => p.child.kill("SIGKILL"), STOP_GRACE_MS);
                await p.exitPromise;
                clearTimeout(timer);
            }
            live.delete(p.child);
        }
        fs.rmSync(tmp, { recursive: true, force: true });
    };

    try {
        const [etcdPort, etcdPeerPort, apiPort, kcmPort] = await freePorts(4);

        // etcd: single member, loopback only; fsync off because the data dies with the test.
        procs.push(
            startProcess("etcd", bins.etcd, [
                "--name=test",
                `--data-dir=${path.join(tmp, "etcd")}`,
                `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
                `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
                `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
                `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
                `--initial-cluster=test=http://127.0.0.1:${etcdPeerPort}`,
                "--unsafe-no-fsync",
                "--log-level=warn",
            ], tmp),
        );
        await waitFor("etcd /health", procs, async () => (await httpGet(`http://127.0.0.1:${etcdPort}/health`)).includes('"health":"true"'));

        // Service-account signing keys: TokenRequest and the controller-manager's per-controller credentials need them.
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        const saKey = path.join(tmp, "sa.key");
        const saPub = path.join(tmp, "sa.pub");
        fs.writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));

        const users = [ADMIN, KCM_USER, ...(opts.users ?? [])];
        const tokens = new Map<string, string>();
        const tokenLines = users.map((u, i) => {
            if (tokens.has(u.name)) throw new Error(`startControlPlane: user "${u.name}" given twice (StartOptions.users)`);
            const token = crypto.randomBytes(24).toString("hex");
            tokens.set(u.name, token);
            const groups = u.groups.length ? `,"${u.groups.join(",")}"` : "";
            return `${token},${u.name},uid-${i}${groups}`;
        });
        const tokenFile = path.join(tmp, "tokens.csv");
        fs.writeFileSync(tokenFile, tokenLines.join("\n") + "\n", { mode: 0o600 });

        const certDir = path.join(tmp, "apiserver-certs");
        procs.push(
            startProcess("kube-apiserver", bins.kubeApiserver, apiServerArgs({ etcdPort, apiPort, certDir, tokenFile, saPub, saKey }), tmp),
        );
        const server = `https://127.0.0.1:${apiPort}`;
        // The self-signed serving cert file carries its CA after it; trusting that file verifies TLS for real.
        const caFile = path.join(certDir, "apiserver.crt");
        await waitFor("kube-apiserver certificate", procs, async () => fs.existsSync(caFile) && fs.statSync(caFile).size > 0);
        const caPem = fs.readFileSync(caFile, "utf8");
        const clientFor = (user?: string): KubeClient => {
            const name = user ?? ADMIN.name;
            const token = tokens.get(name);
            if (!token) throw new Error(`controlplane.client: no user "${name}"; pass it in StartOptions.users`);
            return new KubeClient({ server, token, caPem });
        };
        const admin = clientFor();
        await waitFor("kube-apiserver /readyz", procs, async () => (await admin.raw("GET", "/readyz")).status === 200);

        if (opts.controllerManager && bins.kubeControllerManager) {
            const kubeconfig = path.join(tmp, "kcm.kubeconfig");
            fs.writeFileSync(kubeconfig, kubeconfigYaml(server, caFile, tokens.get(KCM_USER.name)!), { mode: 0o600 });
            procs.push(
                startProcess(
                    "kube-controller-manager",
                    bins.kubeControllerManager,
                    controllerManagerArgs({ kubeconfig, port: kcmPort, certDir: path.join(tmp, "kcm-certs"), saKey, caFile }),
                    tmp,
                ),
            );
            // The serviceaccount controller making "default" in "default" shows the controllers are running and
            // talking to the API server with working credentials.
            await waitFor("kube-controller-manager (default ServiceAccount created)", procs, async () =>
                (await admin.raw("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
            );
        }

        return { server, caPem, client: clientFor, logs, stop };
    } catch (err) {
        const dump = logs(60);
        await stop();
        throw new Error(`${(err as Error).message}\n${dump}`);
    }
}

function startProcess(name: string, bin: string, args: string[], tmp: string): Proc {
    const logFile = path.join(tmp, `${name}.log`);
    const fd = fs.openSync(logFile, "a");
    let child: ChildProcess;
    try {
        child = spawn(bin, args, { stdio: ["ignore", fd, fd] });
    } finally {
        fs.closeSync(fd);
    }
    live.add(child);
    const proc: Proc = { name, child, logFile, exitPromise: Promise.resolve() };
    proc.exitPromise = new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => {
            proc.exited = `exited: code ${code} signal ${signal}`;
            live.delete(child);
            resolve();
        });
        child.once("error", (err) => {
            proc.exited = `failed to start: ${err.message}`;
            live.delete(child);
            resolve();
        });
    });
    return proc;
}

async function waitFor(what: string, procs: Proc[], ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError = "";
    while (Date.now() < deadline) {
        const dead = procs.find((p) => p.exited !== undefined);
        if (dead) throw new Error(`waiting for ${what}: ${dead.name} ${dead.exited}`);
        try {
            if (await ready()) return;
        } catch (err) {
            lastError = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`waiting for ${what}: not ready within ${READY_TIMEOUT_MS / 1000}s${lastError ? ` (last error: ${lastError})` : ""}`);
}

function kubeconfigYaml(server: string, caFile: string, token: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority: ${caFile}`,
        "users:",
        "- name: kcm",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: test",
        "  context:",
        "    cluster: test",
        "    user: kcm",
        "current-context: test",
        "",
    ].join("\n");
}

function httpGet(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: 2000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve(body));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", reject);
    });
}

/** Holds all listeners open at once so the ports handed out are distinct. */

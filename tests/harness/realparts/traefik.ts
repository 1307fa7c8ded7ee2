// The real Traefik (tests/harness/build/build-traefik.sh) as the embedded cluster's ingress controller, running on the
// host outside the cluster: its kubernetesingress provider watches the API server (token + CA), routes each Ingress
// of its class on the `web` entrypoint (a loopback port) straight to the Service's endpoints (pod IPs), and publishes
// each Ingress's status.loadBalancer.ingress (ingressEndpoint.ip/hostname): what the Pulumi provider's Ingress await
// waits for, so no skipAwait is needed. Detached like the embedded cluster: a state file in `dir` lets the next
// command attach to it. docs/REAL-NODE.md has what was proven with it.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { KubeClient } from "./kube-client";
import { freePort, portFree, runningAs } from "../processes";
import { PROJECT_ROOT } from "../../../components/model/project";

/** The controller name Traefik's IngressClass lookup accepts (spec.controller). */
export const TRAEFIK_CONTROLLER = "traefik.io/ingress-controller";
const READY_TIMEOUT_MS = 60_000;

export interface TraefikOptions {
    /** The traefik binary (traefikBinary() builds/locates it). */
    binary: string;
    /** Where the CA file, the log (traefik.log) and the state file (traefik.json) live. */
    dir: string;
    /** The API server, its CA and a token that may list/watch Ingresses, Services, EndpointSlices, Secrets,
     *  IngressClasses cluster-wide and update ingresses/status (the embedded cluster's admin token does). */
    server: string;
    caPem: string;
    token: string;
    /** The IngressClass name it serves (default "traefik", the stack's ingressClassName). */
    ingressClass?: string;
    /** Create the IngressClass (controller traefik.io/ingress-controller) when missing; Traefik ignores an Ingress
     *  whose ingressClassName names no IngressClass of its controller. Default true. */
    ensureIngressClass?: boolean;
    /** Loopback port of the `web` entrypoint (default: the previous one if free, else a free one). */
    webPort?: number;
    /** What Traefik publishes in each Ingress's status.loadBalancer.ingress: an IP (default 127.0.0.1) or a hostname. */
    publishIp?: string;
    publishHostname?: string;
    /** Traefik's log level (default INFO); access logs go to the same file. */
    logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
    log?: (line: string) => void;
}

export interface Traefik {
    pid: number;
    /** http://127.0.0.1:<webPort>: send requests with a Host header of an Ingress rule. */
    url: string;
    webPort: number;
    /** The internal entrypoint with /ping and the API (/api/http/routers, ...). */
    adminUrl: string;
    logFile: string;
    /** True when this call started the process, false when it attached to a running one. */
    started: boolean;
}

interface StateFile {
    pid?: number;
    binary: string;
    webPort: number;
    adminPort: number;
    args: string[];
}

const stateFile = (dir: string) => path.join(dir, "traefik.json");

/** Builds (first time) or locates the traefik binary via tests/harness/build/build-traefik.sh. */
export function traefikBinary(): string {
    return execFileSync("bash", [path.join(PROJECT_ROOT, "tests", "harness", "build", "build-traefik.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}




/** Creates IngressClass `name` for Traefik's controller unless one exists; returns its controller. */
export async function ensureIngressClass(admin: KubeClient, name: string): Promise<string> {
    const got = await admin.raw("GET", `/apis/networking.k8s.io/v1/ingressclasses/${name}`);
    if (got.status === 200) return (got.body as { spec?: { controller?: string } }).spec?.controller ?? "";
    const created = await admin.create({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name }, spec: { controller: TRAEFIK_CONTROLLER } });
    if (created.status !== 201 && created.status !== 409) throw new Error(`traefik: creating IngressClass ${name}: HTTP ${created.status} ${created.text.slice(0, 300)}`);
    return TRAEFIK_CONTROLLER;
}

/** Attaches to the Traefik started in `dir` when it runs with the same configuration, else (re)starts it. */
export async function ensureTraefik(opts: TraefikOptions): Promise<Traefik> {
    const log = opts.log ?? (() => undefined);
    const dir = path.resolve(opts.dir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ingressClass = opts.ingressClass ?? "traefik";
    const admin = new KubeClient({ server: opts.server, token: opts.token, caPem: opts.caPem });
    if (opts.ensureIngressClass ?? true) {
        const controller = await ensureIngressClass(admin, ingressClass);
        if (controller !== TRAEFIK_CONTROLLER) log(`traefik: IngressClass ${ingressClass} names controller ${controller}, not ${TRAEFIK_CONTROLLER}: Traefik will ignore Ingresses of that class`);
    }
    const caFile = path.join(dir, "apiserver-ca.crt");
    fs.writeFileSync(caFile, opts.caPem);
    const logFile = path.join(dir, "traefik.log");

    let previous: StateFile | undefined;
    try {
        previous = JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as StateFile;
    } catch {
        previous = undefined;
    }
    const reuse = async (p: number | undefined) => (p && (await portFree(p)) ? p : freePort());
    const argsFor = (webPort: number, adminPort: number) => [
        `--entryPoints.web.address=127.0.0.1:${webPort}`,
        `--entryPoints.traefik.address=127.0.0.1:${adminPort}`,
        "--ping=true",
        "--ping.entryPoint=traefik",
        "--api=true",
        // The API on the loopback `traefik` entrypoint (with /ping): without insecure it needs a router to api@internal.
        "--api.insecure=true",
        "--api.dashboard=false",
        "--providers.kubernetesingress=true",
        `--providers.kubernetesingress.endpoint=${opts.server}`,
        `--providers.kubernetesingress.token=${opts.token}`,
        `--providers.kubernetesingress.certAuthFilePath=${caFile}`,
        `--providers.kubernetesingress.ingressClass=${ingressClass}`,
        ...(opts.publishHostname
            ? [`--providers.kubernetesingress.ingressEndpoint.hostname=${opts.publishHostname}`]
            : [`--providers.kubernetesingress.ingressEndpoint.ip=${opts.publishIp ?? "127.0.0.1"}`]),
        `--log.level=${opts.logLevel ?? "INFO"}`,
        "--accessLog=true",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
    ];
    if (previous && runningAs(previous.pid, opts.binary) && previous.binary === opts.binary) {
        const wanted = argsFor(opts.webPort ?? previous.webPort, previous.adminPort);
        if (JSON.stringify(wanted) === JSON.stringify(previous.args)) {
            return { pid: previous.pid!, url: `http://127.0.0.1:${previous.webPort}`, webPort: previous.webPort, adminUrl: `http://127.0.0.1:${previous.adminPort}`, logFile, started: false };
        }
    }
    if (previous) await stopTraefik(dir);
    const webPort = opts.webPort ?? (await reuse(previous?.webPort));
    const adminPort = await reuse(previous?.adminPort);
    const args = argsFor(webPort, adminPort);
    const fd = fs.openSync(logFile, "a");
    let pid: number;
    try {
        const child = spawn(opts.binary, args, { detached: true, stdio: ["ignore", fd, fd] });
        child.unref();
        if (!child.pid) throw new Error(`traefik: could not start ${opts.binary}`);
        pid = child.pid;
    } finally {
        fs.closeSync(fd);
    }
    const state: StateFile = { pid, binary: opts.binary, webPort, adminPort, args };
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
    log(`traefik: starting on http://127.0.0.1:${webPort} (IngressClass ${ingressClass})`);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
        if (!runningAs(pid, opts.binary)) {
            const tail = fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
            throw new Error(`traefik exited while starting (log: ${logFile})\n${tail}`);
        }
        try {
            if ((await fetch(`http://127.0.0.1:${adminPort}/ping`)).status === 200) break;
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) throw new Error(`traefik: /ping not answering within ${READY_TIMEOUT_MS / 1000}s (log: ${logFile})`);
        await new Promise((r) => setTimeout(r, 200));
    }
    return { pid, url: `http://127.0.0.1:${webPort}`, webPort, adminUrl: `http://127.0.0.1:${adminPort}`, logFile, started: true };
}

/** Stops the Traefik started in `dir`; true when one was running. */
export async function stopTraefik(dir: string): Promise<boolean> {
    let state: StateFile;
    try {
        state = JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as StateFile;
    } catch {
        return false;
    }
    if (!runningAs(state.pid, state.binary)) return false;
    process.kill(state.pid!, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (runningAs(state.pid, state.binary) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (runningAs(state.pid, state.binary)) process.kill(state.pid!, "SIGKILL");
    state.pid = undefined;
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
    return true;
}

/** Waits until Traefik has published `namespace/name`'s status.loadBalancer.ingress; returns it. */
export async function waitForIngressAddress(admin: KubeClient, namespace: string, name: string, timeoutMs = 30_000): Promise<{ ip?: string; hostname?: string }[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const res = await admin.raw("GET", `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}`);
        const lb = (res.body as { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } }).status?.loadBalancer?.ingress;
        if (res.status === 200 && lb?.length) return lb;
        if (Date.now() > deadline) throw new Error(`traefik: Ingress ${namespace}/${name} has no status.loadBalancer.ingress after ${timeoutMs / 1000}s (HTTP ${res.status})`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

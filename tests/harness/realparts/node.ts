// A REAL node for the embedded cluster (docs/REAL-NODE.md): the kubelet built from k8s.io/kubernetes
// (tests/harness/build/build-node.sh) with Debian's containerd 1.6, runc 1.1 (libseccomp) and the CNI bridge +
// host-local plugins, registered with the embedded cluster's API server. Unlike kwok's simulated nodes, pods on it
// run: their containers serve on pod IPs of a host bridge, which the host (and Traefik on the host) reaches directly.
//
// Nothing can be pulled here (no registry access), so the node's images are built from the host's files:
//   - the pod sandbox ("pause") image around tests/harness/go/node/pause, a static Go binary;
//   - an unprivileged nginx image from Debian's /usr/sbin/nginx and its shared libraries (nginxImageRootfs).
// Both are OCI image layouts written by writeOciArchive and imported with `ctr -n k8s.io images import`.
//
// Requirements: root (containerd, runc, cgroups, bridge), cgroups v1 or v2 (v1 needs failCgroupV1: false, set).
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KubeClient } from "./kube-client";
import { freePort, runningAs } from "../processes";

/** What build-node.sh prints (name=path lines). */
export interface NodeBinaries {
    kubelet: string;
    containerd: string;
    ctr: string;
    runc: string;
    cniBinDir: string;
    /** The static pause binary (build-node.sh builds it from tests/harness/go/node/pause). */
    pause: string;
}

export interface RealNodeOptions {
    /** Where containerd's root/state, the kubelet's root dir, CNI config + IPAM, logs and the state file live. */
    dir: string;
    /** The API server and a token the kubelet uses (the embedded cluster's admin token works: system:masters). */
    server: string;
    caPem: string;
    token: string;
    binaries: NodeBinaries;
    /** Default "real-node-0". */
    nodeName?: string;
    /** The CNI bridge's subnet (host-local IPAM); the host gets .1 on bridge `bridge`. Default 10.88.0.0/16, sas-cni0. */
    podSubnet?: string;
    bridge?: string;
    /** Node labels (kubelet --node-labels; kubernetes.io/* only from the kubelet's allowed set). */
    labels?: Record<string, string>;
    /** Taints the node registers with. Default: sas.io/real-node=true:NoSchedule, so only pods that tolerate it land there. */
    taints?: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
    /** The sandbox image reference containerd uses (default sas.local/pause:1, built and imported here). */
    sandboxImage?: string;
    /**
     * The kubelet's cgroup root (default /sas-<nodeName>): each node's pods live in their own tree, so two real nodes
     * on one machine (a user's sandbox and a test run) never clean up each other's pod cgroups as orphans.
     */
    cgroupRoot?: string;
    /** Pods the kubelet admits (default 60). */
    maxPods?: number;
    log?: (line: string) => void;
}

export interface RealNode {
    nodeName: string;
    dir: string;
    containerdSocket: string;
    podSubnet: string;
    /** Imports an OCI/docker archive into containerd's k8s.io namespace (what the kubelet sees). */
    importImage(archive: string): void;
    /** `ctr -n k8s.io images tag`: an additional name for an imported image. */
    tagImage(source: string, target: string): void;
    /** The host pid of a container's init process (containerStatuses[].containerID), for checks in /proc/<pid>. */
    taskPid(containerId: string): number;
    /** Stops the kubelet, the pods' containers (via containerd's shims) and containerd; deletes the Node object. */
    stop(opts?: { deleteNode?: boolean }): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
export const DEFAULT_NODE_NAME = "real-node-0";
export const REAL_NODE_TAINT = { key: "sas.io/real-node", value: "true", effect: "NoSchedule" as const };

function sha256(data: Buffer | string): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** A reproducible, uncompressed tar of `dir`'s contents (root-owned, mtime 0), via GNU tar. */
function tarDirectory(dir: string, out: string): void {
    execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=posix", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "-C", dir, "-cf", out, "."]);
}

export interface OciImageConfig {
    user?: string;
    env?: string[];
    entrypoint?: string[];
    cmd?: string[];
    workingDir?: string;
    exposedPorts?: string[];
}

/**
 * Writes a one-layer OCI image layout archive (oci-layout, index.json, blobs/sha256/...) of `rootfs` to `out`,
 * named `name` (annotation io.containerd.image.name, which `ctr images import` uses). Returns the digests: the
 * manifest digest is what `name@sha256:...` references must match in a registry; containerd's image store does not
 * check a name's digest against its target (docs/REAL-NODE.md).
 */
export function writeOciArchive(rootfs: string, name: string, config: OciImageConfig, out: string): { manifestDigest: string; configDigest: string } {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "oci-"));
    try {
        const blobs = path.join(work, "blobs", "sha256");
        fs.mkdirSync(blobs, { recursive: true });
        const layerTmp = path.join(work, "layer.tar");
        tarDirectory(rootfs, layerTmp);
        const layer = fs.readFileSync(layerTmp);
        fs.rmSync(layerTmp);
        const layerDigest = sha256(layer);
        fs.writeFileSync(path.join(blobs, layerDigest), layer);
        const imageConfig = Buffer.from(JSON.stringify({
            created: "1970-01-01T00:00:00Z",
            architecture: "amd64",
            os: "linux",
            config: {
                User: config.user,
                Env: config.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                Entrypoint: config.entrypoint,
                Cmd: config.cmd,
                WorkingDir: config.workingDir ?? "/",
                ExposedPorts: config.exposedPorts ? Object.fromEntries(config.exposedPorts.map((p) => [p, {}])) : undefined,
            },
            rootfs: { type: "layers", diff_ids: [`sha256:${layerDigest}`] },
            history: [{ created: "1970-01-01T00:00:00Z", created_by: "tests/harness/realparts/node.ts writeOciArchive" }],
        }));
        const configDigest = sha256(imageConfig);
        fs.writeFileSync(path.join(blobs, configDigest), imageConfig);
        const manifest = Buffer.from(JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${configDigest}`, size: imageConfig.length },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: `sha256:${layerDigest}`, size: layer.length }],
        }));
        const manifestDigest = sha256(manifest);
        fs.writeFileSync(path.join(blobs, manifestDigest), manifest);
        const tag = /:([^/:@]+)$/.exec(name.split("@")[0])?.[1] ?? "latest";
        fs.writeFileSync(path.join(work, "index.json"), JSON.stringify({
            schemaVersion: 2,
            manifests: [{
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                digest: `sha256:${manifestDigest}`,
                size: manifest.length,
                platform: { architecture: "amd64", os: "linux" },
                annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag },
            }],
        }));
        fs.writeFileSync(path.join(work, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        execFileSync("tar", ["--owner=0", "--group=0", "--numeric-owner", "-C", work, "-cf", out, "oci-layout", "index.json", "blobs"]);
        return { manifestDigest: `sha256:${manifestDigest}`, configDigest: `sha256:${configDigest}` };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Copies `file` (symlinks resolved) to the same path under `root`. */
function copyInto(root: string, file: string): void {
    const dest = path.join(root, file);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(file), dest);
    fs.chmodSync(dest, fs.statSync(fs.realpathSync(file)).mode & 0o777);
}

/** Shared libraries `ldd` lists for a binary, with the dynamic loader. */
function sharedLibraries(binary: string): string[] {
    const out = execFileSync("ldd", [binary], { encoding: "utf8" });
    const libs = new Set<string>();
    for (const line of out.split("\n")) {
        const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
        if (m) libs.add(m[1]);
    }
    return [...libs];
}

/**
 * The rootfs of an unprivileged nginx image like nginxinc/nginx-unprivileged, from the host's Debian nginx
 * (apt nginx-light or nginx): /usr/sbin/nginx, its libraries, /etc/nginx/mime.types, a passwd with nginx = 10101
 * (the pods' runAsUser), and writable-looking dirs (the pod mounts /tmp; its root fs is read-only).
 */
export function nginxImageRootfs(root: string, nginxBinary = "/usr/sbin/nginx"): void {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    for (const f of [nginxBinary, ...sharedLibraries(nginxBinary)]) copyInto(root, f);
    if (fs.existsSync("/etc/nginx/mime.types")) copyInto(root, "/etc/nginx/mime.types");
    for (const d of ["tmp", "var/lib/nginx", "var/log/nginx", "var/cache/nginx", "run", "etc/sas", "usr/share/nginx/html", "dev", "proc", "sys"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.chmodSync(path.join(root, "tmp"), 0o1777);
    fs.writeFileSync(path.join(root, "etc", "passwd"), "root:x:0:0:root:/root:/sbin/nologin\nnginx:x:10101:10101:nginx:/nonexistent:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n");
    fs.writeFileSync(path.join(root, "etc", "group"), "root:x:0:\nnginx:x:10101:\nnogroup:x:65534:\n");
    fs.writeFileSync(path.join(root, "usr", "share", "nginx", "html", "index.html"), "<!doctype html><title>nginx</title><p>sas.local nginx image (Debian nginx)</p>\n");
    fs.writeFileSync(path.join(root, "etc", "nginx", "nginx.conf"), [
        "worker_processes 1;", "daemon off;", "pid /tmp/nginx.pid;", "error_log /dev/stderr warn;", "events { worker_connections 64; }",
        "http { include /etc/nginx/mime.types; access_log /dev/stdout; client_body_temp_path /tmp/client_temp; proxy_temp_path /tmp/proxy_temp;",
        "  fastcgi_temp_path /tmp/fastcgi_temp; uwsgi_temp_path /tmp/uwsgi_temp; scgi_temp_path /tmp/scgi_temp;",
        "  server { listen 8080; root /usr/share/nginx/html; } }", "",
    ].join("\n"));
}

/** The image reference the sandbox uses instead of the public (unpullable, digest-pinned) nginx-unprivileged. */
export const LOCAL_NGINX_IMAGE = "sas.local/nginx-unprivileged:1.28.0-debian";
export const LOCAL_PAUSE_IMAGE = "sas.local/pause:1";

/** Builds the nginx image archive (OCI layout tar) for `name`; returns its path and digests. */
export function buildNginxImage(workDir: string, name = LOCAL_NGINX_IMAGE): { archive: string; manifestDigest: string; configDigest: string } {
    const rootfs = path.join(workDir, "nginx-rootfs");
    nginxImageRootfs(rootfs);
    const archive = path.join(workDir, "nginx-image.oci.tar");
    const digests = writeOciArchive(rootfs, name, {
        user: "10101",
        entrypoint: ["nginx"],
        cmd: ["-e", "stderr", "-c", "/etc/nginx/nginx.conf"],
        exposedPorts: ["8080/tcp"],
    }, archive);
    fs.rmSync(rootfs, { recursive: true, force: true });
    return { archive, ...digests };
}

/** Builds the pause binary from tests/harness/go/node/pause (cached next to the kubelet) and returns its path. */
export function buildPause(projectRoot: string, outDir: string): string {
    const out = path.join(outDir, "pause");
    if (fs.existsSync(out)) return out;
    fs.mkdirSync(outDir, { recursive: true });
    execFileSync("go", ["build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./pause"], {
        cwd: path.join(projectRoot, "tests", "harness", "go", "node"),
        env: { ...process.env, CGO_ENABLED: "0" },
        stdio: ["ignore", "ignore", "inherit"],
    });
    return out;
}

export function buildPauseImage(pauseBinary: string, workDir: string, name = LOCAL_PAUSE_IMAGE): string {
    const rootfs = path.join(workDir, "pause-rootfs");
    fs.rmSync(rootfs, { recursive: true, force: true });
    fs.mkdirSync(rootfs, { recursive: true });
    fs.copyFileSync(pauseBinary, path.join(rootfs, "pause"));
    fs.chmodSync(path.join(rootfs, "pause"), 0o755);
    const archive = path.join(workDir, "pause-image.oci.tar");
    writeOciArchive(rootfs, name, { user: "65535", entrypoint: ["/pause"] }, archive);
    fs.rmSync(rootfs, { recursive: true, force: true });
    return archive;
}

/** Parses build-node.sh's stdout (name=path lines); `pause` overrides the pause binary it printed. */
export function parseNodeBinaries(stdout: string, pause?: string): NodeBinaries {
    const kv = Object.fromEntries(stdout.trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
    for (const k of ["kubelet", "containerd", "ctr", "runc", "cni-bin-dir", ...(pause ? [] : ["pause"])]) if (!kv[k]) throw new Error(`build-node.sh printed no ${k}=...`);
    return { kubelet: kv.kubelet, containerd: kv.containerd, ctr: kv.ctr, runc: kv.runc, cniBinDir: kv["cni-bin-dir"], pause: pause ?? kv.pause };
}

/** Runs tests/harness/build/build-node.sh (builds the kubelet and pause on first use) and returns the binaries. */
export function nodeBinaries(projectRoot: string): NodeBinaries {
    const out = execFileSync("bash", [path.join(projectRoot, "tests", "harness", "build", "build-node.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return parseNodeBinaries(out);
}


/** The host's first non-loopback IPv4 (the kubelet refuses a loopback node IP). */
function hostIp(): string {
    for (const addrs of Object.values(os.networkInterfaces())) {
        for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("10.88.")) return a.address;
    }
    throw new Error("real node: the host has no non-loopback IPv4 address for the kubelet's node IP");
}

function spawnLogged(dir: string, name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): number {
    const fd = fs.openSync(path.join(dir, `${name}.log`), "a");
    try {
        const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd], env: env ?? process.env });
        child.unref();
        if (!child.pid) throw new Error(`${name}: could not start ${bin}`);
        return child.pid;
    } finally {
        fs.closeSync(fd);
    }
}

function tail(file: string, lines = 20): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "";
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, guard: () => void, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        guard();
        try {
            if (await check()) return;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`real node: ${what} not ready within ${timeoutMs / 1000}s${last ? ` (${last})` : ""}`);
}

interface NodeState {
    pids: { containerd?: number; kubelet?: number };
    nodeName: string;
    /** The API server the kubelet registered with (a restarted cluster on a new port needs a new kubelet). */
    server?: string;
    podSubnet?: string;
    socket: string;
    binaries: NodeBinaries;
}

const stateFile = (dir: string) => path.join(dir, "node.json");

/**
 * Creates the cgroup `root` in every mounted hierarchy (v1: one per controller; v2: the unified one): the kubelet
 * refuses a cgroupRoot that does not exist ("invalid configuration: cgroup-root ... doesn't exist").
 */
function ensureCgroupRoot(root: string): void {
    const base = "/sys/fs/cgroup";
    const hierarchies = fs.existsSync(path.join(base, "cgroup.controllers"))
        ? [base]
        : fs
              .readdirSync(base, { withFileTypes: true })
              .filter((e) => e.isDirectory() && !e.isSymbolicLink())
              .map((e) => path.join(base, e.name));
    for (const h of hierarchies) fs.mkdirSync(path.join(h, root), { recursive: true });
}

function handle(opts: { nodeName: string; dir: string; socket: string; podSubnet: string; ctrBin: string; admin: KubeClient }): RealNode {
    const ctr = (...args: string[]) => execFileSync(opts.ctrBin, ["--address", opts.socket, "-n", "k8s.io", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return {
        nodeName: opts.nodeName,
        dir: opts.dir,
        containerdSocket: opts.socket,
        podSubnet: opts.podSubnet,
        importImage: (archive) => void ctr("images", "import", archive),
        tagImage: (source, target) => void ctr("images", "tag", "--force", source, target),
        taskPid: (containerId) => {
            const id = containerId.replace(/^containerd:\/\//, "");
            const task = ctr("tasks", "ls").split("\n").find((l) => l.startsWith(`${id} `));
            if (!task) throw new Error(`real node ${opts.nodeName}: container ${id} has no task`);
            return Number(task.trim().split(/\s+/)[1]);
        },
        stop: async (o) => {
            await stopRealNode(opts.dir);
            if (o?.deleteNode ?? true) await opts.admin.raw("DELETE", `/api/v1/nodes/${opts.nodeName}`);
        },
    };
}

/**
 * The node started in `dir` when its containerd and kubelet still run with the same binaries and its Node is Ready
 * (the sandbox's second `npm run sandbox` keeps its pods serving), else a fresh start (startRealNode).
 */
export async function ensureRealNode(opts: RealNodeOptions): Promise<RealNode & { started: boolean }> {
    const dir = path.resolve(opts.dir);
    const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
    let state: NodeState | undefined;
    try {
        state = JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as NodeState;
    } catch {
        state = undefined;
    }
    const admin = new KubeClient({ server: opts.server, token: opts.token, caPem: opts.caPem });
    if (
        state &&
        state.nodeName === nodeName &&
        state.server === opts.server &&
        runningAs(state.pids.containerd, opts.binaries.containerd) &&
        runningAs(state.pids.kubelet, opts.binaries.kubelet)
    ) {
        const res = await admin.raw("GET", `/api/v1/nodes/${nodeName}`);
        const conds = (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
        if (res.status === 200 && conds.some((c) => c.type === "Ready" && c.status === "True")) {
            return { ...handle({ nodeName, dir, socket: state.socket, podSubnet: opts.podSubnet ?? DEFAULT_POD_SUBNET, ctrBin: opts.binaries.ctr, admin }), started: false };
        }
    }
    return { ...(await startRealNode(opts)), started: true };
}

const DEFAULT_POD_SUBNET = "10.88.0.0/16";

/** Whether IPv4 `ip` lies in `cidr`. */
function inSubnet(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const n = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}

/**
 * Deletes the pod network namespaces of `podSubnet` that no process uses any more (with them go their veths on the
 * bridge). A node stopped with its pods (containerd and the kubelet gone before the CNI teardown) leaves them
 * behind; the next start hands out the same addresses again, and a leftover veth answering for one of them makes
 * the new pod unreachable (the kubelet's probes saw "connection refused" from the stale namespace).
 */
export function removeStaleNetns(podSubnet: string): string[] {
    const removed: string[] = [];
    let names: string[];
    try {
        names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith("cni-"));
    } catch {
        return removed;
    }
    for (const ns of names) {
        try {
            if (execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).trim()) continue;
            const addr = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(execFileSync("ip", ["netns", "exec", ns, "ip", "-4", "addr", "show"], { encoding: "utf8" }))?.[1];
            if (!addr || !inSubnet(addr, podSubnet)) continue;
            execFileSync("ip", ["netns", "delete", ns]);
            removed.push(`${ns} (${addr})`);
        } catch {
            // gone meanwhile, or not ours to read
        }
    }
    return removed;
}

/** Starts containerd and the kubelet (stopping what a previous start in `dir` left running) and waits for the Node to be Ready. */
export async function startRealNode(opts: RealNodeOptions): Promise<RealNode> {
    const log = opts.log ?? (() => undefined);
    const dir = path.resolve(opts.dir);
    const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
    const podSubnet = opts.podSubnet ?? DEFAULT_POD_SUBNET;
    const bridge = opts.bridge ?? "sas-cni0";
    const bins = opts.binaries;
    if (process.getuid?.() !== 0) throw new Error("real node: containerd and the kubelet need root");
    await stopRealNode(dir);
    // Nothing of this node runs now: its old pod networks and their addresses are free again.
    const stale = removeStaleNetns(podSubnet);
    if (stale.length) log(`real node: removed ${stale.length} stale pod network namespace(s): ${stale.join(", ")}`);
    fs.rmSync(path.join(dir, "cni", "ipam"), { recursive: true, force: true });
    const cgroupRoot = opts.cgroupRoot ?? `/sas-${nodeName}`;
    ensureCgroupRoot(cgroupRoot);
    for (const d of ["containerd/root", "containerd/state", "kubelet", "cni/net.d", "cni/ipam", "images", "pki"]) fs.mkdirSync(path.join(dir, d), { recursive: true });

    // A unix socket path is limited to 107 bytes; a deep `dir` moves the socket under /run.
    let socket = path.join(dir, "containerd", "containerd.sock");
    if (socket.length > 100) {
        const short = path.join("/run", `sas-node-${sha256(dir).slice(0, 12)}`);
        fs.mkdirSync(short, { recursive: true });
        socket = path.join(short, "containerd.sock");
    }
    const sandboxImage = opts.sandboxImage ?? LOCAL_PAUSE_IMAGE;
    fs.writeFileSync(path.join(dir, "cni", "net.d", "10-sas-bridge.conflist"), JSON.stringify({
        cniVersion: "1.0.0",
        name: "sas-node",
        plugins: [{
            type: "bridge",
            bridge,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: { type: "host-local", ranges: [[{ subnet: podSubnet }]], routes: [{ dst: "0.0.0.0/0" }], dataDir: path.join(dir, "cni", "ipam") },
        }],
    }, null, 2));
    const containerdConfig = path.join(dir, "containerd", "config.toml");
    fs.writeFileSync(containerdConfig, `version = 2
root = ${JSON.stringify(path.join(dir, "containerd", "root"))}
state = ${JSON.stringify(path.join(dir, "containerd", "state"))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${JSON.stringify(socket)}

[ttrpc]
  address = ${JSON.stringify(socket + ".ttrpc")}

[debug]
  level = "info"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(sandboxImage)}
  enable_selinux = false
  disable_apparmor = true
  # Root here lacks CAP_SYS_RESOURCE: lowering oom_score_adj (the sandbox's -998) fails in runc's nsexec with
  # "failed to update /proc/self/oom_score_adj: Permission denied". Clamp to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = ${JSON.stringify(bins.runc)}
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${JSON.stringify(bins.cniBinDir)}
    conf_dir = ${JSON.stringify(path.join(dir, "cni", "net.d"))}
`);
    const state: NodeState = { pids: {}, nodeName, socket, binaries: bins, server: opts.server, podSubnet };
    const save = () => fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
    const guard = () => {
        for (const [name, pid] of Object.entries(state.pids) as ["containerd" | "kubelet", number][]) {
            if (!runningAs(pid, bins[name])) throw new Error(`real node: ${name} exited (log: ${path.join(dir, `${name}.log`)})\n${tail(path.join(dir, `${name}.log`))}`);
        }
    };

    log(`real node: starting containerd (${socket})`);
    // The runc v2 shim (containerd-shim-runc-v2) is found on PATH, next to containerd.
    const env = { ...process.env, PATH: `${path.dirname(bins.containerd)}:${path.dirname(bins.runc)}:/usr/sbin:/usr/bin:/sbin:/bin` };
    state.pids.containerd = spawnLogged(dir, "containerd", bins.containerd, ["--config", containerdConfig], env);
    save();
    const ctr = (...args: string[]) => execFileSync(bins.ctr, ["--address", socket, "-n", "k8s.io", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    await waitUntil("containerd", () => fs.existsSync(socket) && ctr("version").includes("Server"), guard, 30_000);

    // Images: the sandbox image (always rebuilt: cheap) and whatever the caller imports afterwards.
    const pauseArchive = buildPauseImage(bins.pause, path.join(dir, "images"), sandboxImage);
    ctr("images", "import", "--no-unpack", pauseArchive);

    const apiKubeconfig = path.join(dir, "kubelet.kubeconfig");
    fs.writeFileSync(apiKubeconfig, JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "embedded", cluster: { server: opts.server, "certificate-authority-data": Buffer.from(opts.caPem).toString("base64") } }],
        users: [{ name: "kubelet", user: { token: opts.token } }],
        contexts: [{ name: "embedded", context: { cluster: "embedded", user: "kubelet" } }],
        "current-context": "embedded",
    }), { mode: 0o600 });
    const taints = opts.taints ?? [REAL_NODE_TAINT];
    const kubeletConfig = path.join(dir, "kubelet-config.json");
    fs.writeFileSync(kubeletConfig, JSON.stringify({
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        // cgroups v1 here (no unified hierarchy); recent kubelets refuse it unless told not to.
        failCgroupV1: false,
        cgroupDriver: "cgroupfs",
        cgroupRoot,
        address: "127.0.0.1",
        port: await freePort(),
        readOnlyPort: 0,
        healthzBindAddress: "127.0.0.1",
        healthzPort: await freePort(),
        authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
        authorization: { mode: "AlwaysAllow" },
        containerRuntimeEndpoint: `unix://${socket}`,
        failSwapOn: false,
        resolvConf: "",
        serializeImagePulls: false,
        registerNode: true,
        registerWithTaints: taints,
        maxPods: opts.maxPods ?? 60,
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        evictionHard: { "memory.available": "1Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
        protectKernelDefaults: false,
        staticPodPath: "",
        cgroupsPerQOS: true,
        enforceNodeAllocatable: ["pods"],
        localStorageCapacityIsolation: true,
    }, null, 2));
    const labels = { "sas.io/real-node": "true", ...(opts.labels ?? {}) };
    log(`real node: starting the kubelet as Node ${nodeName}`);
    state.pids.kubelet = spawnLogged(dir, "kubelet", bins.kubelet, [
        `--config=${kubeletConfig}`,
        `--kubeconfig=${apiKubeconfig}`,
        `--hostname-override=${nodeName}`,
        `--node-ip=${hostIp()}`,
        `--root-dir=${path.join(dir, "kubelet")}`,
        `--cert-dir=${path.join(dir, "pki")}`,
        `--node-labels=${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",")}`,
        "--v=2",
    ], env);
    save();
    const admin = new KubeClient({ server: opts.server, token: opts.token, caPem: opts.caPem });
    await waitUntil(`Node ${nodeName} Ready`, async () => {
        const res = await admin.raw("GET", `/api/v1/nodes/${nodeName}`);
        const conds = (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
        return res.status === 200 && conds.some((c) => c.type === "Ready" && c.status === "True");
    }, guard);
    log(`real node: ${nodeName} Ready (pods on ${podSubnet} via bridge ${bridge})`);
    return handle({ nodeName, dir, socket, podSubnet, ctrBin: bins.ctr, admin });
}

/**
 * Unmounts what the kubelet and containerd mounted beneath `dir` (pod volumes: emptyDir tmpfs, ConfigMaps, Secrets,
 * service account tokens; container root filesystems), deepest first, so the directory can be removed ("EBUSY").
 */
export function unmountUnder(dir: string): number {
    const prefix = path.resolve(dir) + "/";
    const points = fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((l) => l.split(" ")[4])
        .filter((p): p is string => !!p && p.startsWith(prefix))
        .map((p) => p.replace(/\\040/g, " "))
        .sort((a, b) => b.length - a.length);
    for (const p of points) {
        try {
            execFileSync("umount", ["-l", p], { stdio: "ignore" });
        } catch {
            // already gone with its parent
        }
    }
    return points.length;
}

/** Stops the kubelet, every pod sandbox (so no shim or nginx outlives the node) and containerd started in `dir`. */
export async function stopRealNode(dir: string): Promise<boolean> {
    let state: NodeState;
    try {
        state = JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as NodeState;
    } catch {
        return false;
    }
    const stopPid = async (pid: number | undefined, bin: string) => {
        if (!runningAs(pid, bin)) return false;
        process.kill(pid!, "SIGTERM");
        const deadline = Date.now() + 10_000;
        while (runningAs(pid, bin) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (runningAs(pid, bin)) process.kill(pid!, "SIGKILL");
        return true;
    };
    const stoppedKubelet = await stopPid(state.pids.kubelet, state.binaries.kubelet);
    if (runningAs(state.pids.containerd, state.binaries.containerd)) {
        // The pods' tasks run under containerd-shim-runc-v2 processes that outlive containerd: kill them first.
        const ctr = (...args: string[]) => execFileSync(state.binaries.ctr, ["--address", state.socket, "-n", "k8s.io", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        try {
            const tasks = ctr("tasks", "ls", "-q").trim().split("\n").filter(Boolean);
            for (const t of tasks) {
                try {
                    ctr("tasks", "kill", "-s", "SIGKILL", t);
                } catch { /* already gone */ }
            }
            await new Promise((r) => setTimeout(r, 1000));
            for (const t of tasks) {
                try {
                    ctr("tasks", "delete", "-f", t);
                } catch { /* already gone */ }
            }
        } catch { /* containerd not answering */ }
    }
    const stoppedContainerd = await stopPid(state.pids.containerd, state.binaries.containerd);
    if (state.podSubnet) removeStaleNetns(state.podSubnet);
    unmountUnder(dir);
    state.pids = {};
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
    return stoppedKubelet || stoppedContainerd;
}

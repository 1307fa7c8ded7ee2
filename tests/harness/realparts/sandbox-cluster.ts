// The whole embedded cluster the real engine deploys to: the control plane (embedded-cluster.ts), Traefik as its
// ingress controller (traefik.ts: it publishes every Ingress's address, which the Pulumi provider waits for), and the
// nodes that run the pods:
//   - "real": one real node (node.ts: kubelet, containerd, runc, CNI bridge) whose pods serve on pod IPs that Traefik
//     on the host reaches, with an nginx image built here from Debian's nginx (nothing can be pulled);
//   - "simulated": kwok's nodes, where pods become Ready but no container runs (scale runs: the benchmark, the engine
//     lifecycle tests).
// npm run sandbox, the engine tests, the request-path tests and the engine benchmark all start it through here.
import * as fs from "node:fs";
import * as path from "node:path";
import { embeddedClusterProcesses, ensureEmbeddedCluster, stopEmbeddedCluster, type EmbeddedCluster } from "./embedded-cluster";
import { runningAs } from "../processes";
import { buildNginxImage, ensureRealNode, LOCAL_NGINX_IMAGE, nodeBinaries, stopRealNode, type RealNode } from "./node";
import { ensureTraefik, stopTraefik, traefikBinary, type Traefik } from "./traefik";
import { PROJECT_ROOT } from "../../../components/model/project";

export type NodeKind = "real" | "simulated";

/** The image setting the stack gets on a real node: the image built and imported here, pinned by its own digest. */
export interface LocalImage {
    repository: string;
    tag: string;
    digest: string;
}

export interface SandboxClusterOptions {
    /** The cluster's directory; Traefik and the real node keep their files in traefik/ and node/ beneath it. */
    dir: string;
    kubeScheduler: string;
    kwok: string;
    nodes: NodeKind;
    /**
     * A real node's identity on this machine. Two real nodes can run side by side (a user's sandbox and a test run)
     * when their names, bridges and subnets differ; the default is the sandbox's.
     */
    realNode?: { name: string; bridge: string; podSubnet: string };
    log?: (line: string) => void;
}

export interface SandboxCluster {
    cluster: EmbeddedCluster;
    traefik: Traefik;
    nodes: NodeKind;
    /** Only with nodes "real". */
    node?: RealNode;
    /** Only with nodes "real": the image setting to deploy (the public image cannot be pulled here). */
    image?: LocalImage;
}

export const SANDBOX_REAL_NODE = { name: "sandbox-node-0", bridge: "sas-cni0", podSubnet: "10.88.0.0/16" };

/** Why a real node cannot run on this machine (undefined when it can): what the user must install or change. */
export function realNodeUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "a real node needs root (containerd, runc, cgroups and a network bridge)";
    const missing = [
        ["/usr/bin/containerd", "containerd"],
        ["/usr/sbin/runc", "runc"],
        ["/usr/lib/cni/bridge", "containernetworking-plugins"],
        ["/usr/sbin/nginx", "nginx-light (the image's nginx)"],
        ["/usr/sbin/iptables", "iptables"],
    ]
        .filter(([file]) => !fs.existsSync(file))
        .map(([, pkg]) => pkg);
    if (missing.length) return `a real node needs the Debian packages ${missing.join(", ")} (apt-get install them)`;
    return undefined;
}

/** Starts (or attaches to) the control plane, Traefik and the nodes in `opts.dir`. */
export async function ensureSandboxCluster(opts: SandboxClusterOptions): Promise<SandboxCluster> {
    const log = opts.log ?? (() => undefined);
    if (opts.nodes === "real") {
        const why = realNodeUnavailable();
        if (why) throw new Error(why);
    }
    const cluster = await ensureEmbeddedCluster({
        dir: opts.dir,
        kubeScheduler: opts.kubeScheduler,
        kwok: opts.kwok,
        nodes: opts.nodes === "real" ? 0 : 2,
        log,
    });
    const traefik = await ensureTraefik({
        binary: traefikBinary(),
        dir: path.join(opts.dir, "traefik"),
        server: cluster.server,
        caPem: cluster.caPem,
        token: cluster.adminToken,
        log,
    });
    if (opts.nodes === "simulated") return { cluster, traefik, nodes: "simulated" };

    const identity = opts.realNode ?? SANDBOX_REAL_NODE;
    const nodeDir = path.join(opts.dir, "node");
    const node = await ensureRealNode({
        dir: nodeDir,
        server: cluster.server,
        caPem: cluster.caPem,
        token: cluster.adminToken,
        binaries: nodeBinaries(PROJECT_ROOT),
        nodeName: identity.name,
        bridge: identity.bridge,
        podSubnet: identity.podSubnet,
        // The only node: untainted, so the stack's pods (which tolerate nothing) land on it.
        taints: [],
        labels: { "topology.kubernetes.io/zone": "zone-0" },
        log,
    });
    // Rebuilt each time (a second; byte-identical for the same Debian nginx, so the digest and the stack stay put).
    const built = buildNginxImage(path.join(nodeDir, "images"));
    node.importImage(built.archive);
    const [repository, tag] = LOCAL_NGINX_IMAGE.split(/:(?=[^:/]+$)/);
    // The digest is our image's own: the pod's imageID then names the bytes that really run.
    node.tagImage(LOCAL_NGINX_IMAGE, `${repository}@${built.manifestDigest}`);
    return { cluster, traefik, nodes: "real", node, image: { repository, tag, digest: built.manifestDigest } };
}

/** Stops Traefik, the real node (its pods' containers too) and the control plane in `dir`; true when anything ran. */
export async function stopSandboxCluster(dir: string): Promise<boolean> {
    const traefik = await stopTraefik(path.join(dir, "traefik"));
    const node = await stopRealNode(path.join(dir, "node"));
    const cluster = await stopEmbeddedCluster(dir);
    return traefik || node || cluster;
}

/** Every process of the sandbox cluster and whether it runs, for `npm run sandbox -- status`. */
export function sandboxProcesses(dir: string): { component: string; pid?: number; running: boolean }[] {
    const read = (file: string): Record<string, unknown> | undefined => {
        try {
            return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        } catch {
            return undefined;
        }
    };
    const out: { component: string; pid?: number; running: boolean }[] = embeddedClusterProcesses(dir);
    const traefik = read(path.join(dir, "traefik", "traefik.json")) as { pid?: number; binary: string } | undefined;
    if (traefik) out.push({ component: "traefik", pid: traefik.pid, running: runningAs(traefik.pid, traefik.binary) });
    const node = read(path.join(dir, "node", "node.json")) as { nodeName: string; pids: { containerd?: number; kubelet?: number }; binaries: { containerd: string; kubelet: string } } | undefined;
    if (node) {
        out.push({ component: `containerd (${node.nodeName})`, pid: node.pids.containerd, running: runningAs(node.pids.containerd, node.binaries.containerd) });
        out.push({ component: `kubelet (${node.nodeName})`, pid: node.pids.kubelet, running: runningAs(node.pids.kubelet, node.binaries.kubelet) });
    }
    return out;
}

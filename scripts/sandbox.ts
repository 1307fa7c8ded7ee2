// `npm run sandbox [-- up|preview|destroy|stop|status] [--nodes real|simulated]`: the program with the real Pulumi
// engine (CLI and Kubernetes provider built from Go modules) against an embedded cluster on this machine (etcd,
// kube-apiserver, controllers, scheduler), with Traefik as its ingress controller and a real node (kubelet,
// containerd, runc) running the pods, or kwok's simulated nodes where a real node cannot run (not root, packages
// missing) or when asked. No cloud account. Everything lives under ~/.cache/sas-onboarding/sandbox.
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../components/model/project";
import { BASIC_AUTH_USER } from "../components/model/htpasswd";
import { ensureSandboxCluster, realNodeUnavailable, sandboxProcesses, stopSandboxCluster, type NodeKind } from "../tests/harness/realparts/sandbox-cluster";
import { basicAuthPassword, engineBinaries, openSandboxStack, SandboxError, sandboxPaths } from "./sandbox/engine";

const VERBS = ["up", "preview", "destroy", "stop", "status"] as const;
type Verb = (typeof VERBS)[number];

interface Args {
    verb: Verb;
    customersDir?: string;
    /** Unset: a real node where this machine can run one, else simulated nodes (said loudly). */
    nodes?: NodeKind;
}

const USAGE = `npm run sandbox -- [${VERBS.join("|")}] [--customers-dir <dir>] [--nodes real|simulated]`;

export function parseSandboxArgs(argv: string[]): Args {
    const args: Args = { verb: "up" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if ((VERBS as readonly string[]).includes(a)) args.verb = a as Verb;
        else if (a === "--customers-dir") args.customersDir = argv[++i];
        else if (a === "--nodes") {
            const v = argv[++i];
            if (v !== "real" && v !== "simulated") throw new SandboxError(`--nodes: "real" or "simulated", not "${v ?? ""}" (use: ${USAGE})`);
            args.nodes = v;
        } else throw new SandboxError(`unknown argument "${a}" (use: ${USAGE})`);
    }
    return args;
}

/** The nodes to run: the one asked for, else real when possible. */
export function chooseNodes(asked: NodeKind | undefined, unavailable: string | undefined, log: (line: string) => void): NodeKind {
    if (asked === "real" && unavailable) throw new SandboxError(`--nodes real: ${unavailable}`);
    if (asked) return asked;
    if (!unavailable) return "real";
    log(`NOTE: simulated (kwok) nodes: ${unavailable}; pods become Ready but no container runs, so no page is served`);
    return "simulated";
}

async function main(argv: string[]): Promise<void> {
    const args = parseSandboxArgs(argv);
    const paths = sandboxPaths();
    if (args.verb === "stop") {
        const stopped = await stopSandboxCluster(paths.cluster);
        console.log(stopped ? `stopped the embedded cluster, Traefik and the node (the data stays in ${paths.cluster})` : "the embedded cluster was not running");
        return;
    }
    if (args.verb === "status") {
        for (const p of sandboxProcesses(paths.cluster)) console.log(`${p.component.padEnd(24)} ${p.running ? `running (pid ${p.pid})` : "stopped"}`);
        return;
    }
    const bins = engineBinaries();
    const say = (l: string) => console.log(`sandbox: ${l}`);
    const nodes = chooseNodes(args.nodes, realNodeUnavailable(), say);
    const sandbox = await ensureSandboxCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes, log: say });
    const { cluster, traefik } = sandbox;
    if (!cluster.started) say(`using the running embedded cluster at ${cluster.server}`);
    const stack = await openSandboxStack({
        paths,
        bins,
        cluster,
        image: sandbox.image,
        config: args.customersDir ? { customersDir: path.resolve(args.customersDir) } : {},
    });
    const onOutput = (out: string) => process.stdout.write(out);
    const onEvent = (_e: EngineEvent) => undefined;
    if (args.verb === "preview") {
        await stack.preview({ onOutput, onEvent, diff: false });
        return;
    }
    if (args.verb === "destroy") {
        await stack.destroy({ onOutput });
        console.log(`\nsandbox: destroyed; the embedded cluster keeps running (npm run sandbox -- stop)`);
        return;
    }
    const result = await stack.up({ onOutput });
    const customers = (result.outputs.customers?.value ?? {}) as Record<string, string>;
    const password = path.join(paths.root, "basic-auth-password");
    console.log(`\ncustomers (through Traefik on this machine, ${traefik.url}):`);
    for (const [id, url] of Object.entries(customers)) console.log(`  ${id.padEnd(24)} ${throughController(url, traefik.webPort)}`);
    const [firstId, firstUrl] = Object.entries(customers)[0] ?? [];
    console.log(
        (nodes === "real"
            ? `\nThe pods run on a real node (${sandbox.node!.nodeName}: kubelet, containerd, runc) with nginx built here from Debian's nginx.` +
              `\nOpen a page in a browser (*.localhost is this machine): ${firstUrl ? throughController(firstUrl, traefik.webPort) : "(no customers)"}` +
              `\nor: curl -u ${BASIC_AUTH_USER}:"$(cat ${password})" ${firstUrl ? throughController(firstUrl, traefik.webPort) : ""}` +
              (firstId ? `   # same as -H 'Host: ${new URL(firstUrl!).host}' ${traefik.url}/` : "")
            : `\nThe pods run on kwok's simulated nodes (scheduled, admitted and Ready by the real controllers; no container runs, so Traefik has nothing to serve).` +
              `\nFor pages that answer: run as root with containerd, runc and containernetworking-plugins installed (npm run sandbox -- --nodes real).`) +
            `\nBasic auth: user ${BASIC_AUTH_USER}, password in ${password} (${basicAuthPassword(paths).length} characters).` +
            `\nKubernetes: KUBECONFIG=${cluster.kubeconfigPath} kubectl get pods -A` +
            `\nAgain: npm run sandbox (0 changes) · npm run sandbox -- destroy · npm run sandbox -- stop`,
    );
}

/** A customer's URL as this machine reaches it: Traefik's loopback port (every *.localhost name is 127.0.0.1). */
export function throughController(url: string, port: number): string {
    const u = new URL(url);
    u.protocol = "http:";
    u.port = String(port);
    return u.toString();
}

if (require.main === module) {
    process.chdir(PROJECT_ROOT);
    main(process.argv.slice(2)).catch((e: unknown) => {
        const err = e as Error;
        // Engine failures carry the engine's own output, already streamed above: print only the summary line.
        const line = err instanceof SandboxError ? err.message : (err.message ?? String(e)).split("\n").find((l) => l.trim()) ?? String(e);
        console.error(`sandbox: ${line}`);
        process.exit(1);
    });
}

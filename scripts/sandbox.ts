// `npm run sandbox [-- up|preview|destroy|stop|status]`: the program with the real Pulumi engine (CLI and Kubernetes
// provider built from Go modules) against an embedded cluster on this machine (etcd, kube-apiserver, controllers,
// scheduler and kwok's simulated nodes), no cloud account. Everything lives under ~/.cache/sas-onboarding/sandbox.
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../components/model/project";
import { embeddedClusterProcesses, ensureEmbeddedCluster, stopEmbeddedCluster } from "../tests/harness/realparts/embedded-cluster";
import { basicAuthPassword, engineBinaries, openSandboxStack, SandboxError, sandboxPaths } from "./sandbox/engine";

const VERBS = ["up", "preview", "destroy", "stop", "status"] as const;
type Verb = (typeof VERBS)[number];

interface Args {
    verb: Verb;
    customersDir?: string;
}

export function parseSandboxArgs(argv: string[]): Args {
    const args: Args = { verb: "up" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if ((VERBS as readonly string[]).includes(a)) args.verb = a as Verb;
        else if (a === "--customers-dir") args.customersDir = argv[++i];
        else throw new SandboxError(`unknown argument "${a}" (use: npm run sandbox -- [${VERBS.join("|")}] [--customers-dir <dir>])`);
    }
    return args;
}

async function main(argv: string[]): Promise<void> {
    const args = parseSandboxArgs(argv);
    const paths = sandboxPaths();
    if (args.verb === "stop") {
        const stopped = await stopEmbeddedCluster(paths.cluster);
        console.log(stopped ? `stopped the embedded cluster (its data stays in ${paths.cluster})` : "the embedded cluster was not running");
        return;
    }
    if (args.verb === "status") {
        for (const p of embeddedClusterProcesses(paths.cluster)) console.log(`${p.component.padEnd(24)} ${p.running ? `running (pid ${p.pid})` : "stopped"}`);
        return;
    }
    const bins = engineBinaries();
    const cluster = await ensureEmbeddedCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, log: (l) => console.log(`sandbox: ${l}`) });
    if (!cluster.started) console.log(`sandbox: using the running embedded cluster at ${cluster.server}`);
    const stack = await openSandboxStack({
        paths,
        bins,
        cluster,
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
    console.log("\ncustomers:");
    for (const [id, url] of Object.entries(customers)) console.log(`  ${id.padEnd(24)} ${url}`);
    console.log(
        `\nThe pods run on kwok's simulated nodes (scheduled, admitted and Ready by the real controllers; no container runs).` +
            `\nBasic auth: user sas-preview, password in ${path.join(paths.root, "basic-auth-password")} (${basicAuthPassword(paths).length} characters).` +
            `\nKubernetes: KUBECONFIG=${cluster.kubeconfigPath} kubectl get pods -A` +
            `\nAgain: npm run sandbox (0 changes) · npm run sandbox -- destroy · npm run sandbox -- stop`,
    );
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

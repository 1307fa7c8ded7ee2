// The real Pulumi engine on this machine: the CLI and the Kubernetes provider built from Go modules, the program
// hosted in this Node process through the Automation API's inline program (no Node language host is needed), a file
// backend, and the embedded cluster. Shared by `npm run sandbox` and the engine tests.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { defineStack, exportedOutputs } from "../../program";
import { PROJECT, PROJECT_ROOT } from "../../components/model/project";
import { readStackConfig } from "../../tests/harness/stack-config";
import { EMBEDDED_CONTEXT, type EmbeddedCluster } from "../../tests/harness/realparts/embedded-cluster";
import type { LocalImage } from "../../tests/harness/realparts/sandbox-cluster";

export const SANDBOX_STACK = "sandbox";

export interface EngineBinaries {
    pulumi: string;
    provider: string;
    kubeScheduler: string;
    kwok: string;
}

/** A one-line error for the operator, with where to look. */
export class SandboxError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SandboxError";
    }
}

function runBuild(script: string): string {
    const file = path.join(PROJECT_ROOT, "tests", "harness", "build", script);
    try {
        return execFileSync("bash", [file], { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    } catch (e) {
        const status = (e as { status?: number }).status;
        if (status === 3 || /Go is not on PATH|'go' is not on PATH/.test(String((e as Error).message))) {
            throw new SandboxError(`${script}: Go is not on PATH; install Go (/usr/local/go/bin) to build the engine and the cluster`);
        }
        throw new SandboxError(`${script} failed (exit ${status}); its build logs are under ~/.cache/sas-onboarding/build-logs/`);
    }
}

/** Builds what is missing (cached under ~/.cache/sas-onboarding) and returns the binaries' paths. */
export function engineBinaries(): EngineBinaries {
    runBuild("build-test-binaries.sh");
    const lines = Object.fromEntries(
        runBuild("build-engine.sh")
            .trim()
            .split("\n")
            .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    const need = (name: string) => {
        const p = lines[name];
        if (!p || !fs.existsSync(p)) throw new SandboxError(`build-engine.sh printed no usable ${name} (got "${p ?? ""}")`);
        return p;
    };
    return { pulumi: need("pulumi"), provider: need("pulumi-resource-kubernetes"), kubeScheduler: need("kube-scheduler"), kwok: need("kwok") };
}

/** Where one sandbox keeps everything: cluster, Pulumi state and home, workspace, its generated secrets. */
export interface SandboxPaths {
    root: string;
    cluster: string;
    state: string;
    home: string;
    work: string;
}

/** The sandbox's home: SAS_SANDBOX_ROOT, else ~/.cache/sas-onboarding/sandbox. */
export function sandboxPaths(root = process.env.SAS_SANDBOX_ROOT || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), PROJECT, "sandbox")): SandboxPaths {
    return { root, cluster: path.join(root, "cluster"), state: path.join(root, "state"), home: path.join(root, "pulumi-home"), work: path.join(root, "workspace") };
}

/** A random value generated once per sandbox and kept in a 0600 file beside it (never in the repository). */
function generatedSecret(paths: SandboxPaths, name: string): string {
    const file = path.join(paths.root, name);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
    }
    return fs.readFileSync(file, "utf8").trim();
}

export function sandboxEnv(paths: SandboxPaths, bins: EngineBinaries): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${paths.state}`,
        PULUMI_CONFIG_PASSPHRASE: generatedSecret(paths, "passphrase"),
        PULUMI_HOME: paths.home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The provider built here is found on PATH as an ambient plugin, whatever version the SDK asks for.
        PATH: `${path.dirname(bins.provider)}:${path.dirname(bins.pulumi)}:${process.env.PATH ?? ""}`,
    };
}

/**
 * The program as the engine runs it here: the real program.ts, unchanged. Traefik (the embedded cluster's ingress
 * controller) publishes each Ingress's address, so the provider's Ingress await runs as on a real cluster; the
 * runner adds nothing. Tests may add transforms for a deliberately broken variant.
 */
export function sandboxProgram(opts: { transforms?: pulumi.ResourceTransform[] } = {}): () => Promise<Record<string, unknown>> {
    return async () => {
        for (const t of opts.transforms ?? []) pulumi.runtime.registerResourceTransform(t);
        return exportedOutputs(await defineStack());
    };
}

export interface OpenStackOptions {
    paths: SandboxPaths;
    bins: EngineBinaries;
    cluster: EmbeddedCluster;
    stackName?: string;
    /** Settings over Pulumi.sandbox.yaml, by key without the project prefix (e.g. customersDir, tenancy). */
    config?: Record<string, unknown>;
    /** On a real node: the image built and imported there (SandboxCluster.image), in place of the committed one. */
    image?: LocalImage;
    /** Extra resource transforms, for tests that need a deliberately broken variant of the program. */
    transforms?: pulumi.ResourceTransform[];
    /**
     * A customer shard stack of a sharded sandbox (stackName `<environment>-shard-<nn>`): its config is only these two
     * keys, as a shard stack's file holds; everything else reaches it through the platform stack's outputs.
     */
    shard?: { platformStack: string; index: number };
}

/**
 * Creates or selects the sandbox stack in its own workspace (never the repository's Pulumi.sandbox.yaml, which stays
 * as committed): the committed settings, the embedded cluster's kubeconfig, on a real node the image built there,
 * and the basic-auth password as a secret.
 */
export async function openSandboxStack(opts: OpenStackOptions): Promise<Stack> {
    const { paths, bins } = opts;
    for (const d of [paths.state, paths.home, paths.work]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(bins.pulumi)), skipVersionCheck: true });
    const stackName = opts.stackName ?? SANDBOX_STACK;
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, projectName: PROJECT, program: sandboxProgram({ transforms: opts.transforms }) },
        {
            workDir: paths.work,
            pulumiCommand,
            envVars: sandboxEnv(paths, bins),
            projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${paths.state}` } },
        },
    );
    if (opts.shard) {
        await stack.setAllConfig({
            [`${PROJECT}:platformStack`]: { value: opts.shard.platformStack },
            [`${PROJECT}:shard`]: { value: String(opts.shard.index) },
        });
        return stack;
    }
    const committed = readStackConfig(PROJECT_ROOT, SANDBOX_STACK);
    const config: Record<string, { value: string; secret?: boolean }> = {};
    for (const [key, value] of Object.entries(committed)) config[key] = { value };
    const overrides: Record<string, unknown> = {
        kubernetes: { mode: "existing", kubeconfig: opts.cluster.kubeconfigPath, context: EMBEDDED_CONTEXT },
        ...(opts.image ? { image: opts.image } : {}),
        ...opts.config,
    };
    for (const [key, value] of Object.entries(overrides)) {
        config[`${PROJECT}:${key}`] = { value: typeof value === "string" ? value : JSON.stringify(value) };
    }
    config[`${PROJECT}:basicAuthPassword`] = { value: generatedSecret(paths, "basic-auth-password"), secret: true };
    await stack.setAllConfig(config);
    return stack;
}

/** The policy pack as the real CLI runs it (`--policy-pack`), and the config CI passes with it. */
export const POLICY_PACK = path.join(PROJECT_ROOT, "policy", "bin", "sas-guardrails");
export const POLICY_PACK_CONFIG = path.join(PROJECT_ROOT, "policy", "config.json");

export function basicAuthPassword(paths: SandboxPaths): string {
    return generatedSecret(paths, "basic-auth-password");
}

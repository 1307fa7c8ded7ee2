// The render output the real-parts tests check, produced by the project's own `render` script (scripts/render.ts)
// so a clean clone needs no prior render. Each stack is rendered once per test process, however many files ask.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeObject } from "../harness/realparts/kube-client";

import { STACKS, type StackName } from "../harness/stack-config";
export { STACKS, type StackName };

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const RENDER_TIMEOUT_MS = 300_000;

export interface RenderedStack {
    stack: StackName;
    outDir: string;
    /** out/<stack>/objects.json: every object, in apply (dependency) order. */
    objects: KubeObject[];
}

const renders = new Map<StackName, Promise<RenderedStack>>();

/** Runs `scripts/render.ts --stack <stack>` with this very Node (the one ensure-node.sh put on PATH). */
export function renderStack(stack: StackName): Promise<RenderedStack> {
    let p = renders.get(stack);
    if (!p) {
        p = runRender(stack);
        renders.set(stack, p);
    }
    return p;
}

function runRender(stack: StackName): Promise<RenderedStack> {
    const script = path.join(REPO_ROOT, "scripts", "render.ts");
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", script, "--stack", stack],
            { cwd: REPO_ROOT, timeout: RENDER_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: process.env },
            (err, stdout, stderr) => {
                if (err) {
                    reject(new Error(`npm run render -- --stack ${stack} failed (${err.message.split("\n")[0]}):\n${stdout}\n${stderr}`));
                    return;
                }
                try {
                    resolve(readRendered(stack));
                } catch (e) {
                    reject(e);
                }
            },
        );
    });
}

export function readRendered(stack: StackName): RenderedStack {
    const outDir = path.join(REPO_ROOT, "out", stack);
    const file = path.join(outDir, "objects.json");
    const objects = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(objects) || objects.length === 0) {
        throw new Error(`${file}: expected a non-empty JSON array of Kubernetes objects (scripts/render.ts)`);
    }
    for (const [i, o] of objects.entries()) {
        const obj = o as Partial<KubeObject>;
        if (typeof obj?.apiVersion !== "string" || typeof obj.kind !== "string" || typeof obj.metadata?.name !== "string") {
            throw new Error(`${file}: item ${i} lacks apiVersion, kind or metadata.name`);
        }
    }
    return { stack, outDir, objects: objects as KubeObject[] };
}

/** The tenant namespaces (cust-<id>) of a render, in render order. */
export function tenantNamespaces(r: RenderedStack): string[] {
    return r.objects.filter((o) => o.kind === "Namespace" && o.metadata.name.startsWith("cust-")).map((o) => o.metadata.name);
}

export interface WelcomeSite {
    customerId: string;
    namespace: string;
    indexHtml: string;
    nginxConf: string;
}

/** Each tenant's welcome-site ConfigMap: exactly the page and nginx config its pods serve. */
export function welcomeSites(r: RenderedStack): WelcomeSite[] {
    return r.objects
        .filter((o) => o.kind === "ConfigMap" && o.metadata.name === "welcome-site" && o.metadata.namespace?.startsWith("cust-"))
        .map((o) => {
            const data = (o as { data?: Record<string, string> }).data ?? {};
            const where = `out/${r.stack}/objects.json ConfigMap ${o.metadata.namespace}/welcome-site`;
            if (typeof data["index.html"] !== "string" || typeof data["nginx.conf"] !== "string") {
                throw new Error(`${where}: data must hold index.html and nginx.conf`);
            }
            return {
                customerId: o.metadata.namespace!.slice("cust-".length),
                namespace: o.metadata.namespace!,
                indexHtml: data["index.html"],
                nginxConf: data["nginx.conf"],
            };
        });
}

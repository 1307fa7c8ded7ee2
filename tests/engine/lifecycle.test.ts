// The program under the real Pulumi engine (CLI and Kubernetes provider built from Go modules, file backend) against
// the embedded cluster (real API server, controllers, scheduler; kwok nodes run the pods). Every test asserts on the
// engine's own summary and events and on the API server's objects. One cluster and one stack for the whole suite, in
// a temporary directory; the tests run in order, each starting from the state the previous one left.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../../components/model/project";
import { customerSchema } from "../../components/model/customer";
import { renderSiteContent } from "../../components/model/site/content";
import { parse } from "yaml";
import { requireRealPart } from "../harness/real-part";
import { goMissing, stepsOf, type Step } from "../harness/engine-events";
import type { EmbeddedCluster } from "../harness/realparts/embedded-cluster";
import { ensureSandboxCluster, stopSandboxCluster } from "../harness/realparts/sandbox-cluster";
import type { KubeClient } from "../harness/realparts/kube-client";
import {
    engineBinaries,
    openSandboxStack,
    POLICY_PACK,
    POLICY_PACK_CONFIG,
    sandboxPaths,
    type EngineBinaries,
    type SandboxPaths,
} from "../../scripts/sandbox/engine";

const SAMPLES = ["acme-rockets", "muller-kaffee", "nile-analytics", "sakura-logistics"];
const NEW_ID = "zeta-tools";

const changed = (steps: Step[]) => steps.filter((s) => s.op !== "same");
const nameOf = (urn: string) => urn.split("::").pop()!;


describe("real engine: the program's lifecycle on the embedded cluster", function () {
    this.timeout(600_000);
    let root: string;
    let paths: SandboxPaths;
    let bins: EngineBinaries;
    let cluster: EmbeddedCluster;
    let admin: KubeClient;
    let customersDir: string;
    let stack: Stack;
    let totalResources = 0;

    const config = () => ({ customersDir, tenancy: { basicAuth: true, protectNamespaces: false } });
    const open = async (extra: Record<string, unknown> = {}, stackName?: string) =>
        openSandboxStack({ paths, bins, cluster, stackName, config: { ...config(), ...extra } });
    const up = async (s: Stack = stack) => {
        const events: EngineEvent[] = [];
        const result = await s.up({ onEvent: (e) => events.push(e) });
        return { result, steps: stepsOf(events) };
    };
    const writeRecord = (id: string, fields: Record<string, unknown> = {}) => {
        const source = path.join(PROJECT_ROOT, "customers", `${id}.yaml`);
        const base = fs.existsSync(source) ? (parse(fs.readFileSync(source, "utf8")) as Record<string, unknown>) : { id, companyName: "Zeta Tools", motto: "Sharp since today", tier: "starter", purchaseId: "PO-2026-999001" };
        const record = { ...base, ...fields };
        fs.writeFileSync(path.join(customersDir, `${id}.yaml`), Object.entries(record).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n") + "\n");
    };
    const namespaces = async () => (await admin.list<{ metadata: { name: string } }>("v1", "Namespace")).map((n) => n.metadata.name).filter((n) => n.startsWith("cust-")).sort();

    before(async function () {
        requireRealPart(this, goMissing());
        bins = engineBinaries();
        root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-engine-"));
        paths = sandboxPaths(root);
        ({ cluster } = await ensureSandboxCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" }));
        admin = cluster.admin;
        customersDir = path.join(root, "customers");
        fs.mkdirSync(customersDir);
        for (const id of SAMPLES) fs.copyFileSync(path.join(PROJECT_ROOT, "customers", `${id}.yaml`), path.join(customersDir, `${id}.yaml`));
        stack = await open();
    });

    after(async function () {
        if (paths) await stopSandboxCluster(paths.cluster);
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("preview of a new stack creates only", async () => {
        const events: EngineEvent[] = [];
        const result = await stack.preview({ onEvent: (e) => events.push(e) });
        const ops = new Set(changed(stepsOf(events)).map((s) => s.op));
        assert.deepEqual([...ops], ["create"]);
        totalResources = result.changeSummary.create ?? 0;
        // The stack, providers, components and 13-15 objects per customer.
        assert.ok(totalResources > SAMPLES.length * 13, `only ${totalResources} creates`);
        assert.deepEqual(Object.keys(result.changeSummary), ["create"]);
    });

    it("up creates every object; pods become Ready and Deployments Available through the real controllers", async () => {
        const { result } = await up();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(result.summary.resourceChanges, { create: totalResources });
        assert.deepEqual(await namespaces(), SAMPLES.map((id) => `cust-${id}`));
        for (const id of SAMPLES) {
            const ns = `cust-${id}`;
            const d = await admin.get<{ spec: { replicas: number }; status: { availableReplicas?: number; conditions?: { type: string; status: string }[] } }>("apps/v1", "Deployment", "welcome", ns);
            assert.equal(d.status.availableReplicas, d.spec.replicas, `${ns}: Deployment not fully available`);
            assert.ok(d.status.conditions?.some((c) => c.type === "Available" && c.status === "True"), `${ns}: not Available`);
            const pods = await admin.list<{ spec: { nodeName?: string }; status: { conditions?: { type: string; status: string }[] } }>("v1", "Pod", ns);
            assert.equal(pods.length, d.spec.replicas);
            for (const p of pods) {
                assert.match(p.spec.nodeName ?? "", /^kwok-node-/);
                assert.ok(p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"), `${ns}: a pod is not Ready`);
            }
            const slices = await admin.list<{ endpoints?: { conditions?: { ready?: boolean } }[] }>("discovery.k8s.io/v1", "EndpointSlice", ns);
            assert.equal(slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length, d.spec.replicas, `${ns}: Service endpoints`);
        }
    });

    it("up again changes nothing", async () => {
        const { result, steps } = await up();
        assert.deepEqual(result.summary.resourceChanges, { same: totalResources });
        assert.deepEqual(changed(steps), []);
    });

    it("adding one customer creates only that customer's resources", async () => {
        writeRecord(NEW_ID);
        const { result, steps } = await up();
        const created = changed(steps);
        // A starter customer: its component and 11 objects (no PodDisruptionBudget, no autoscaler).
        assert.ok(created.length >= 12, `${created.length} creates`);
        assert.deepEqual(created.filter((s) => s.op !== "create" || !nameOf(s.urn).startsWith(`customer-${NEW_ID}`)), []);
        assert.equal(result.summary.resourceChanges?.same, totalResources);
        assert.ok((await namespaces()).includes(`cust-${NEW_ID}`));
        totalResources += created.length;
    });

    it("changing one motto updates only that customer's ConfigMap and Deployment, and the pods roll to the new content", async () => {
        writeRecord("acme-rockets", { motto: "Faster than yesterday" });
        const { steps } = await up();
        assert.deepEqual(changed(steps).map((s) => `${s.op} ${nameOf(s.urn)}`).sort(), ["update customer-acme-rockets-configmap", "update customer-acme-rockets-deployment"]);
        const record = customerSchema.parse(parse(fs.readFileSync(path.join(customersDir, "acme-rockets.yaml"), "utf8")));
        const hash = renderSiteContent(record, { basicAuth: true }).hash;
        const d = await admin.get<{ metadata: { generation: number }; spec: { replicas: number; template: { metadata: { annotations: Record<string, string> } } }; status: { observedGeneration: number; updatedReplicas?: number; availableReplicas?: number } }>("apps/v1", "Deployment", "welcome", "cust-acme-rockets");
        assert.equal(d.spec.template.metadata.annotations["sas.io/content-hash"], hash);
        assert.equal(d.status.observedGeneration, d.metadata.generation);
        assert.equal(d.status.updatedReplicas, d.spec.replicas, "the rollout reached every replica");
        assert.equal(d.status.availableReplicas, d.spec.replicas);
        const cm = await admin.get<{ data: Record<string, string> }>("v1", "ConfigMap", "welcome-site", "cust-acme-rockets");
        assert.match(cm.data["index.html"], /Faster than yesterday/);
    });

    it("removing three customers: the real preview, fed to the guard, is refused; the override lets it through", async () => {
        const removed = ["muller-kaffee", "nile-analytics", "sakura-logistics"];
        const keep = new Map(removed.map((id) => [id, fs.readFileSync(path.join(customersDir, `${id}.yaml`), "utf8")]));
        for (const id of removed) fs.rmSync(path.join(customersDir, `${id}.yaml`));
        try {
            const events: EngineEvent[] = [];
            await stack.preview({ onEvent: (e) => events.push(e) });
            const log = path.join(root, "preview-events.jsonl");
            fs.writeFileSync(log, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
            const guard = (env: Record<string, string> = {}) =>
                spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/guard.ts", log], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, ...env } });
            const refused = guard();
            assert.equal(refused.status, 1, refused.stdout + refused.stderr);
            for (const id of removed) assert.match(refused.stdout + refused.stderr, new RegExp(id));
            const allowed = guard({ SAS_ALLOW_MASS_DELETE: "yes" });
            assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
        } finally {
            for (const [id, text] of keep) fs.writeFileSync(path.join(customersDir, `${id}.yaml`), text);
        }
        assert.deepEqual(changed(stepsOf(await previewEvents(stack))), [], "the records are back: nothing to do");
    });

    it("the policy pack through the real CLI passes the program, and fails a privileged container by the policy's name", async () => {
        const pass = await stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [POLICY_PACK_CONFIG] });
        assert.match(pass.stdout, /sas-guardrails/);
        const broken = await openSandboxStack({
            paths,
            bins,
            cluster,
            config: config(),
            transforms: [
                (args) => {
                    if (args.type !== "kubernetes:apps/v1:Deployment") return undefined;
                    const props = JSON.parse(JSON.stringify(args.props));
                    Object.assign(props.spec.template.spec.containers[0].securityContext, { privileged: true, allowPrivilegeEscalation: true });
                    return { props, opts: args.opts };
                },
            ],
        });
        await assert.rejects(broken.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [POLICY_PACK_CONFIG] }), (e: Error) => {
            assert.match(e.message, /mandatory/);
            assert.match(e.message, /pod-not-privileged/);
            assert.match(e.message, /pod-no-privilege-escalation/);
            return true;
        });
    });

    it("a protected namespace blocks its deletion with the engine's error", async () => {
        const prodLike = await open({ tenancy: { basicAuth: true, protectNamespaces: true } });
        await up(prodLike);
        const kept = fs.readFileSync(path.join(customersDir, `${NEW_ID}.yaml`), "utf8");
        fs.rmSync(path.join(customersDir, `${NEW_ID}.yaml`));
        try {
            await assert.rejects(up(prodLike), (e: Error) => {
                assert.match(e.message, /protect/);
                assert.match(e.message, new RegExp(`customer-${NEW_ID}-namespace`));
                return true;
            });
            assert.ok((await namespaces()).includes(`cust-${NEW_ID}`), "the protected namespace is still there");
        } finally {
            fs.writeFileSync(path.join(customersDir, `${NEW_ID}.yaml`), kept);
        }
        stack = await open();
        await up();
        const { result } = await up();
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
    });

    it("up killed mid-run (SIGKILL): after `pulumi refresh --clear-pending-creates` the next up converges, no orphan or duplicate", async () => {
        for (const id of ["kill-a1", "kill-b2", "kill-c3"]) writeRecord(id, { id, purchaseId: `PO-KILL-${id}`, companyName: `Kill ${id}` });
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/sandbox.ts", "up", "--customers-dir", customersDir, "--nodes", "simulated"], {
            cwd: PROJECT_ROOT,
            env: { ...process.env, SAS_SANDBOX_ROOT: root },
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no create started within 120 s:\n${out}`)), 120_000);
            child.stdout.on("data", (d: Buffer) => {
                out += d.toString();
                if (/customer-kill-\S+ creating/.test(out)) {
                    clearTimeout(timer);
                    resolve();
                }
            });
        });
        process.kill(-child.pid!, "SIGKILL");
        await new Promise((r) => child.once("exit", r));
        await stack.cancel().catch(() => undefined);
        await stack.refresh({ clearPendingCreates: true });
        const { result } = await up();
        assert.equal(result.summary.result, "succeeded");
        const { result: again } = await up();
        assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], "converged");
        const state = await stack.exportStack();
        const urns = (state.deployment.resources as { urn: string }[]).map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length, "no duplicate in state");
        for (const id of ["kill-a1", "kill-b2", "kill-c3"]) {
            assert.ok(urns.some((u) => u.endsWith(`::customer-${id}-deployment`)), `${id} in state`);
            const d = await admin.get<{ status: { availableReplicas?: number } }>("apps/v1", "Deployment", "welcome", `cust-${id}`);
            assert.equal(d.status.availableReplicas, 1);
        }
        assert.equal((await namespaces()).length, urns.filter((u) => u.endsWith("-namespace") && u.includes("CustomerSite")).length, "every namespace on the cluster is in state: no orphan");
    });

    it("the API server gone during an up gives a clear error; once it is back, up converges", async () => {
        // The API server is stopped after the program's change is on disk and before the engine talks to it: every
        // call then fails at once. (Stopped while the provider already waits for a rollout, the provider keeps
        // retrying until its own timeout; that outcome is the same error, minutes later.)
        writeRecord("apiserver-gone", { id: "apiserver-gone", purchaseId: "PO-GONE-0001", companyName: "Gone Inc" });
        const pid = JSON.parse(fs.readFileSync(path.join(paths.cluster, "cluster.json"), "utf8")).pids["kube-apiserver"] as number;
        process.kill(pid, "SIGKILL");
        const bounded = <T>(p: Promise<T>, ms: number) =>
            Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms))]);
        await assert.rejects(bounded(up(), 180_000), (e: Error) => {
            assert.doesNotMatch(e.message, /^no answer within/);
            assert.match(e.message, /connection refused|unreachable|dial tcp/i);
            return true;
        });
        ({ cluster } = await ensureSandboxCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" }));
        admin = cluster.admin;
        await stack.refresh({ clearPendingCreates: true });
        await up();
        const { result } = await up();
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
        assert.ok((await namespaces()).includes("cust-apiserver-gone"));
    });

    it("a bad record reaches nothing: no resource in a new stack's state", async () => {
        const badDir = path.join(root, "bad-customers");
        fs.mkdirSync(badDir);
        fs.copyFileSync(path.join(customersDir, "acme-rockets.yaml"), path.join(badDir, "acme-rockets.yaml"));
        fs.writeFileSync(path.join(badDir, "broken.yaml"), "id: broken\ncompanyName: ''\nmotto: x\ntier: gold\npurchaseId: PO-BAD-1\n");
        const bad = await openSandboxStack({ paths, bins, cluster, stackName: "sandbox-bad", config: { ...config(), customersDir: badDir } });
        await assert.rejects(bad.up(), (e: Error) => {
            assert.match(e.message, /broken\.yaml: companyName/);
            return true;
        });
        const state = await bad.exportStack();
        const resources = (state.deployment.resources ?? []) as { type: string }[];
        assert.deepEqual(resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.type), []);
        await bad.workspace.removeStack("sandbox-bad", { force: true });
    });

    it("destroy leaves no tenant object on the API server and an empty state", async () => {
        const result = await stack.destroy();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(await namespaces(), []);
        const state = await stack.exportStack();
        assert.deepEqual(state.deployment.resources ?? [], []);
    });
});

async function previewEvents(stack: Stack): Promise<EngineEvent[]> {
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => events.push(e) });
    return events;
}

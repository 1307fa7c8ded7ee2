// Resharding with the real engine (CLI and Kubernetes provider built from Go modules, file backend) on the embedded
// cluster: the sandbox in one stack, then split into a platform stack and 2 shard stacks, then the shard count raised
// to 3. Customers move with `npm run shards -- move --apply` (real `pulumi state move`); after each move `up` on every
// stack creates, deletes and replaces nothing, and every tenant object (and pod) on the API server keeps the UID it
// had at the start. One cluster and one backend in a temporary directory, never the user's sandbox; in order.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../../components/model/project";
import { shardMoves, shardPlan, shardStackName, type Placement } from "../../components/model/shards";
import { requireRealPart } from "../harness/real-part";
import { goMissing, stepsOf, type Step } from "../harness/engine-events";
import type { EmbeddedCluster } from "../harness/realparts/embedded-cluster";
import { ensureSandboxCluster, stopSandboxCluster } from "../harness/realparts/sandbox-cluster";
import { engineBinaries, openSandboxStack, sandboxEnv, sandboxPaths, type EngineBinaries, type SandboxPaths } from "../../scripts/sandbox/engine";

const ENV = "sandbox";
const PLATFORM_STACK = `organization/sas-onboarding/${ENV}`;
/** Six customers; with 2 shards both hold some, and growing to 3 moves some out of each (checked below, not assumed). */
const CUSTOMERS: Record<string, "starter" | "business" | "enterprise"> = {
    "alpine-gear": "enterprise",
    "birch-books": "business",
    "cobalt-labs": "starter",
    "ember-tools": "starter",
    "fjord-fish": "starter",
    "harbor-tea": "starter",
};
const IDS = Object.keys(CUSTOMERS).sort();
const sharded = (shards: number): Placement => ({ layout: "sharded", environment: ENV, shards });

/** Kinds of tenant objects whose identity must survive the move (the pods too: no rollout). */
const TENANT_KINDS: Array<[string, string]> = [
    ["v1", "ResourceQuota"],
    ["v1", "LimitRange"],
    ["networking.k8s.io/v1", "NetworkPolicy"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding"],
    ["v1", "ConfigMap"],
    ["v1", "Secret"],
    ["apps/v1", "Deployment"],
    ["apps/v1", "ReplicaSet"],
    ["v1", "Pod"],
    ["v1", "Service"],
    ["networking.k8s.io/v1", "Ingress"],
    ["policy/v1", "PodDisruptionBudget"],
    ["autoscaling/v2", "HorizontalPodAutoscaler"],
];

const DESTRUCTIVE = new Set(["create", "delete", "replace", "create-replacement", "delete-replaced", "discard", "import"]);


describe("real engine: sharding and resharding move customers between stacks without touching an object", function () {
    this.timeout(900_000);
    let root: string;
    let paths: SandboxPaths;
    let bins: EngineBinaries;
    let cluster: EmbeddedCluster;
    let customersDir: string;
    let platform: Stack;
    const shards = new Map<string, Stack>();
    let uidsBefore: Map<string, string>;

    const platformConfig = (count: number) => ({ customersDir, sharding: { layout: "sharded", shards: count }, tenancy: { basicAuth: true, protectNamespaces: true } });
    const openShard = async (index: number) => {
        const name = shardStackName(ENV, index);
        const stack = await openSandboxStack({ paths, bins, cluster, stackName: name, shard: { platformStack: PLATFORM_STACK, index } });
        shards.set(name, stack);
        return stack;
    };
    const up = async (stack: Stack) => {
        const events: EngineEvent[] = [];
        const result = await stack.up({ onEvent: (e) => events.push(e) });
        assert.equal(result.summary.result, "succeeded");
        return { result, steps: stepsOf(events) };
    };
    /** Every tenant object's UID on the API server, by apiVersion/kind/namespace/name. */
    const tenantUids = async (): Promise<Map<string, string>> => {
        const uids = new Map<string, string>();
        const namespaces = (await cluster.admin.list<{ metadata: { name: string; uid: string } }>("v1", "Namespace")).filter((n) => n.metadata.name.startsWith("cust-"));
        for (const ns of namespaces) {
            uids.set(`v1/Namespace/${ns.metadata.name}`, ns.metadata.uid);
            for (const [apiVersion, kind] of TENANT_KINDS) {
                for (const o of await cluster.admin.list<{ metadata: { name: string; uid: string } }>(apiVersion, kind, ns.metadata.name)) {
                    // Service-account token Secrets and the root CA ConfigMap are the cluster's own, not the program's.
                    if (kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt") continue;
                    uids.set(`${apiVersion}/${kind}/${ns.metadata.name}/${o.metadata.name}`, o.metadata.uid);
                }
            }
        }
        return uids;
    };
    /** Which customers each stack's state holds (its CustomerSite components). */
    const stateCustomers = async (stack: Stack): Promise<string[]> => {
        const state = await stack.exportStack();
        return ((state.deployment.resources ?? []) as { type: string; urn: string }[])
            .filter((r) => r.type === "sas:index:CustomerSite")
            .map((r) => r.urn.split("::customer-").pop()!)
            .sort();
    };

    before(async function () {
        requireRealPart(this, goMissing());
        bins = engineBinaries();
        root = fs.mkdtempSync(path.join(os.tmpdir(), "sas-engine-shards-"));
        paths = sandboxPaths(root);
        ({ cluster } = await ensureSandboxCluster({ dir: paths.cluster, kubeScheduler: bins.kubeScheduler, kwok: bins.kwok, nodes: "simulated" }));
        customersDir = path.join(root, "customers");
        fs.mkdirSync(customersDir);
        for (const [i, [id, tier]] of Object.entries(CUSTOMERS).entries()) {
            fs.writeFileSync(path.join(customersDir, `${id}.yaml`), [`id: ${id}`, `companyName: "${id} Ltd"`, "motto: Moved, never rebuilt", `tier: ${tier}`, `purchaseId: PO-SHARD-${i}`, ""].join("\n"));
        }
        // The fixture does what it claims: both shards hold customers, and growing moves some but not all.
        const two = shardPlan(IDS, sharded(2));
        assert.ok(Object.values(two).every((ids) => ids.length > 0), JSON.stringify(two));
        const moves = shardMoves(IDS, sharded(2), sharded(3));
        assert.ok(moves.length > 0 && moves.length < IDS.length && new Set(moves.map((m) => m.from)).size === 2, JSON.stringify(moves));
    });

    after(async function () {
        if (paths) await stopSandboxCluster(paths.cluster);
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    /** `npm run shards -- move --to <count> --apply` as an operator runs it: the real CLI on this backend. */
    const moveApply = async (count: number) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "scripts/shards.ts", "move", "--stack", ENV, "--to", String(count), "--apply", "--json", "--customers-dir", customersDir, "--cwd", paths.work],
            { cwd: PROJECT_ROOT, env: { ...process.env, ...sandboxEnv(paths, bins) }, stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        const code = await new Promise<number | null>((r) => child.on("close", r));
        assert.equal(code, 0, `${out}\n${err}`);
        return JSON.parse(out.trim().split("\n").pop()!) as { moves: unknown[]; created: string[] };
    };
    /** The state of every stack follows the plan for `count` shards. */
    const stateFollowsPlan = async (count: number) => {
        for (const [name, ids] of Object.entries(shardPlan(IDS, sharded(count)))) {
            const stack = shards.get(name) ?? (await openShard(Number(name.slice(-2))));
            assert.deepEqual(await stateCustomers(stack), ids, name);
        }
        assert.deepEqual(await stateCustomers(platform), [], "the platform holds no customer");
    };
    /**
     * `up` on the platform (with `count` shards), then every shard: nothing created, deleted or replaced, every
     * customer resource `same`. One engine-internal exception: a stack that has never run a program gets the builtin
     * `pulumi` provider its StackReference reads through (state only; no object anywhere; the summary does not count
     * it). A `read` is the StackReference seeing the platform's new outputs.
     */
    const upEverywhere = async (count: number, newStacks: readonly string[]) => {
        platform = await openSandboxStack({ paths, bins, cluster, stackName: ENV, config: platformConfig(count) });
        const { steps: platformSteps, result: platformResult } = await up(platform);
        assert.deepEqual(platformSteps.filter((st) => DESTRUCTIVE.has(st.op)), [], `${ENV}: ${JSON.stringify(platformResult.summary.resourceChanges)}`);
        for (let i = 0; i < count; i++) {
            const name = shardStackName(ENV, i);
            const { result, steps } = await up(shards.get(name)!);
            const changes = result.summary.resourceChanges ?? {};
            const internal = (st: Step) => newStacks.includes(name) && st.op === "create" && st.urn === `urn:pulumi:${name}::sas-onboarding::pulumi:providers:pulumi::default`;
            assert.deepEqual(steps.filter((st) => DESTRUCTIVE.has(st.op) && !internal(st)), [], `${name}: ${JSON.stringify(changes)}`);
            assert.deepEqual(Object.keys(changes).filter((op) => op !== "same" && op !== "read"), [], `${name}: ${JSON.stringify(changes)}`);
            assert.ok((changes.read ?? 0) <= 1, `${name}: ${JSON.stringify(changes)}`);
        }
        assert.deepEqual(await tenantUids(), uidsBefore, "every tenant object (and pod) is the one created at the start");
    };

    it("the single layout: the environment's stack holds every customer", async () => {
        platform = await openSandboxStack({ paths, bins, cluster, stackName: ENV, config: { customersDir, tenancy: { basicAuth: true, protectNamespaces: true } } });
        const { result } = await up(platform);
        assert.deepEqual(Object.keys(result.outputs.customers.value as object).sort(), IDS);
        assert.deepEqual(await stateCustomers(platform), IDS);
        uidsBefore = await tenantUids();
        const namespaces = [...uidsBefore.keys()].filter((k) => k.startsWith("v1/Namespace/"));
        assert.deepEqual(namespaces.sort(), IDS.map((id) => `v1/Namespace/cust-${id}`));
        assert.ok(uidsBefore.size >= IDS.length * 12, `${uidsBefore.size} tenant objects`);
        assert.ok([...uidsBefore.keys()].some((k) => k.startsWith("v1/Pod/")), "pods run (kwok)");
    });

    it("single -> 2 shards: `move --apply` (before the platform's up) moves every customer into its shard stack, state only", async () => {
        const result = await moveApply(2);
        assert.deepEqual(result.moves, shardMoves(IDS, { layout: "single", environment: ENV }, sharded(2)));
        assert.deepEqual(result.created, [0, 1].map((i) => shardStackName(ENV, i)));
        await stateFollowsPlan(2);
        assert.deepEqual(await tenantUids(), uidsBefore, "a state move touches no object");
    });

    it("then `up` on the sharded platform and both shards: nothing created, deleted or replaced; every UID kept", async () => {
        await upEverywhere(2, [0, 1].map((i) => shardStackName(ENV, i)));
        for (const [name, ids] of Object.entries(shardPlan(IDS, sharded(2)))) {
            const outputs = await shards.get(name)!.outputs();
            assert.deepEqual(Object.keys(outputs.customers.value as object).sort(), ids, name);
        }
    });

    it("raising the count to 3: `move --apply` moves exactly the customers whose shard changes, with pulumi state move", async () => {
        const expected = shardMoves(IDS, sharded(2), sharded(3));
        const preview = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/shards.ts", "move", "--stack", ENV, "--from", "2", "--to", "3", "--customers-dir", customersDir, "--json"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.equal(preview.status, 0, preview.stderr);
        assert.deepEqual(JSON.parse(preview.stdout).moves, expected);
        const result = await moveApply(3);
        assert.deepEqual(result.moves, expected);
        assert.deepEqual(result.created, [shardStackName(ENV, 2)]);
        await stateFollowsPlan(3);
        assert.deepEqual(await tenantUids(), uidsBefore);
    });

    it("then `up` on the platform and every shard: nothing created, deleted or replaced; every UID kept; the plan is what the stacks hold", async () => {
        await upEverywhere(3, [shardStackName(ENV, 2)]);
        // (The committed sandbox stack file is single-layout; --shards plans it as this test shards it.)
        const plan = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/shards.ts", "plan", "--stack", ENV, "--shards", "3", "--customers-dir", customersDir, "--json"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.equal(plan.status, 0, plan.stderr);
        const printed = JSON.parse(plan.stdout) as Record<string, string[]>;
        assert.deepEqual(Object.keys(printed), [0, 1, 2].map((i) => shardStackName(ENV, i)));
        for (const [name, ids] of Object.entries(printed)) assert.deepEqual(await stateCustomers(shards.get(name)!), ids, name);
    });

    it("a second up everywhere is all `same`", async () => {
        for (const stack of [platform, ...shards.values()]) {
            const { result } = await up(stack);
            assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"], `${stack.name}: ${JSON.stringify(result.summary.resourceChanges)}`);
        }
    });
});

// Every rendered object of every stack on a REAL kube-apiserver (+ kube-controller-manager), built from Go modules:
// server-side apply in dependency order with zero warnings, as the CI deployer identity where the render has one;
// every Deployment's ReplicaSet creates its pods (no FailedCreate from PodSecurity, ResourceQuota, LimitRange);
// and negative controls that show those admission checks really bite.
import { strict as assert } from "node:assert";
import { type ControlPlane, locateBinaries, startControlPlane } from "../harness/realparts/controlplane";
import { requireRealPart } from "../harness/real-part";
import { type KubeClient, type KubeObject, describeObject } from "../harness/realparts/kube-client";
import { type RenderedStack, STACKS, renderStack, tenantNamespaces } from "../support/rendered";

const FIELD_MANAGER = "sas-onboarding-ci";
const DEPLOYER_USER = "sas-test-ci-deployer";
const DEPLOYER_ROLE_LABEL = "sas.io/role";
const PODS_TIMEOUT_MS = 120_000;

function binariesMissing(): string | undefined {
    const found = locateBinaries();
    if ("missing" in found) return found.missing;
    if (!found.bins.kubeControllerManager) {
        return "kube-controller-manager not found (envtest assets have none); run `npm run build:test-binaries`";
    }
    return undefined;
}

/** The CI deployer's ClusterRoleBinding (label sas.io/role=ci-deployer) and the Group it binds, if rendered. */
function deployerBinding(objects: KubeObject[]): { binding: KubeObject; group: string } | undefined {
    const binding = objects.find(
        (o) => o.kind === "ClusterRoleBinding" && o.metadata.labels?.[DEPLOYER_ROLE_LABEL] === "ci-deployer",
    );
    if (!binding) return undefined;
    const subject = (binding as { subjects?: Array<{ kind?: string; name?: string }> }).subjects?.[0];
    assert.equal(subject?.kind, "Group", `${describeObject(binding)}: subjects[0] must be a Group (the CI deployer group)`);
    return { binding, group: subject!.name! };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pod the "restricted" Pod Security Standard admits; resources come from the namespace's LimitRange defaults. */
function restrictedPod(namespace: string, name: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { "sas.io/test": "negative-control" } },
        spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "probe",
                    image: "registry.invalid/never-pulled:1",
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
}

function statusMessage(res: { body: unknown; text: string }): string {
    const b = res.body as { message?: string } | undefined;
    return typeof b === "object" && b?.message ? b.message : res.text;
}

for (const stack of STACKS) {
    describe(`real parts: ${stack} render on a real kube-apiserver + kube-controller-manager`, function () {
        this.timeout(600_000);
        let cp: ControlPlane | undefined;
        let rendered: RenderedStack;
        let deployer: ReturnType<typeof deployerBinding>;

        before(async function () {
            requireRealPart(this, binariesMissing());
            rendered = await renderStack(stack);
            deployer = deployerBinding(rendered.objects);
            cp = await startControlPlane({
                controllerManager: true,
                users: deployer ? [{ name: DEPLOYER_USER, groups: [deployer.group] }] : [],
            });
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed" && cp) console.error(`control plane logs (${stack}):\n${cp.logs()}`);
        });

        after(async function () {
            await cp?.stop();
        });

        it("renders a CI deployer ClusterRoleBinding (label sas.io/role=ci-deployer) bound to a Group", function () {
            assert.ok(
                deployer,
                `out/${stack}/objects.json has no ClusterRoleBinding labelled ${DEPLOYER_ROLE_LABEL}=ci-deployer; ` +
                    "everything is then applied as cluster-admin and the deployer role is not proven",
            );
        });

        it("accepts every object by server-side apply, in render order, with zero warnings (as the CI deployer)", async function () {
            const admin = cp!.client();
            // Cluster-scoped RBAC is bootstrapped once by an admin, as on a real cluster: the deployer cannot grant
            // itself its own rights, and RBAC cannot limit `create` by resource name, so a least-privilege deployer
            // cannot create ClusterRoles. It applies everything else, in render order, and then re-applies each
            // ClusterRole to show it can keep them current (its role grants update/patch on them by name).
            const isClusterRbac = (o: KubeObject) =>
                o.apiVersion === "rbac.authorization.k8s.io/v1" && (o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding");
            const bootstrap = new Set<KubeObject>(deployer ? rendered.objects.filter(isClusterRbac) : []);
            const applier: KubeClient = deployer ? cp!.client(DEPLOYER_USER) : admin;
            const failures: string[] = [];
            const warnings: string[] = [];
            const applyAll = async (client: KubeClient, objs: KubeObject[], who: string) => {
                for (const obj of objs) {
                    try {
                        const res = await client.apply(obj, FIELD_MANAGER);
                        for (const w of res.warnings) warnings.push(`${describeObject(obj)} (as ${who}): ${w}`);
                    } catch (err) {
                        failures.push(`${(err as Error).message} (as ${who})`);
                    }
                }
            };
            // Namespaces the stack writes into but does not own exist before it, as on a real cluster: monitoring.enabled
            // expects kube-prometheus-stack's namespace, where the blackbox exporter's config goes.
            const declared = new Set(rendered.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
            const prerequisites = [...new Set(rendered.objects.map((o) => o.metadata.namespace).filter((ns): ns is string => !!ns && !declared.has(ns)))];
            await applyAll(admin, prerequisites.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })), "cluster-admin (prerequisites)");
            await applyAll(admin, [...bootstrap], "cluster-admin (bootstrap)");
            const who = deployer ? `${DEPLOYER_USER} in group ${deployer.group}` : "cluster-admin";
            await applyAll(applier, rendered.objects.filter((o) => !bootstrap.has(o)), who);
            await applyAll(applier, [...bootstrap].filter((o) => o.kind === "ClusterRole"), `${who}, re-applying`);

            const problems = [...failures.map((f) => `REJECTED ${f}`), ...warnings.map((w) => `WARNING (a warning is a failure) ${w}`)];
            assert.deepEqual(problems, [], `out/${stack}/objects.json on a real API server:\n${problems.join("\n")}`);

            // Read back: every object exists on the server as rendered (name and namespace).
            for (const obj of rendered.objects) {
                await admin.get(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
            }
        });

        it("every Deployment's ReplicaSet creates all its pods (no FailedCreate from PodSecurity, quota or LimitRange)", async function () {
            const admin = cp!.client();
            const deployments = rendered.objects.filter((o) => o.kind === "Deployment");
            assert.ok(deployments.length > 0, `out/${stack}/objects.json has no Deployment`);
            const pending = new Map(deployments.map((d) => [describeObject(d), d]));
            const lastState = new Map<string, string>();
            const deadline = Date.now() + PODS_TIMEOUT_MS;
            while (pending.size > 0 && Date.now() < deadline) {
                for (const [key, d] of pending) {
                    const ns = d.metadata.namespace!;
                    const live = await admin.get<{ metadata: { uid: string }; spec: { replicas?: number } }>(
                        "apps/v1", "Deployment", d.metadata.name, ns,
                    );
                    const rss = (await admin.list<{ metadata: { name: string; uid: string; ownerReferences?: Array<{ uid: string }> }; spec: { replicas?: number } }>(
                        "apps/v1", "ReplicaSet", ns,
                    )).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === live.metadata.uid));
                    const rsUids = new Set(rss.map((rs) => rs.metadata.uid));
                    const rsNames = new Set(rss.map((rs) => rs.metadata.name));
                    const failed = (await admin.events(ns)).filter(
                        (e) => e.reason === "FailedCreate" && e.involvedObject?.kind === "ReplicaSet" && rsNames.has(e.involvedObject.name ?? ""),
                    );
                    assert.deepEqual(
                        failed.map((e) => `${e.involvedObject?.name}: ${e.message}`),
                        [],
                        `${key} (out/${stack}/objects.json): its ReplicaSet could not create pods`,
                    );
                    const pods = (await admin.list<{ metadata: { ownerReferences?: Array<{ uid: string }> } }>("v1", "Pod", ns)).filter(
                        (p) => p.metadata.ownerReferences?.some((r) => rsUids.has(r.uid)),
                    );
                    const want = live.spec.replicas ?? 1;
                    lastState.set(key, `${rss.length} ReplicaSet(s), ${pods.length}/${want} pods`);
                    if (rss.length > 0 && pods.length === want && want > 0) pending.delete(key);
                }
                if (pending.size > 0) await sleep(1000);
            }
            assert.deepEqual(
                [...pending.keys()].map((k) => `${k}: ${lastState.get(k) ?? "no state"}`),
                [],
                `out/${stack}/objects.json: these Deployments did not get their pods within ${PODS_TIMEOUT_MS / 1000}s`,
            );
        });

        describe("negative controls in every tenant namespace (the checks above can fail)", function () {
            let namespaces: string[];

            before(function () {
                namespaces = tenantNamespaces(rendered);
                assert.ok(namespaces.length > 0, `out/${stack}/objects.json has no tenant Namespace (cust-<id>)`);
            });

            it("rejects a privileged pod (PodSecurity)", async function () {
                const problems: string[] = [];
                for (const ns of namespaces) {
                    const pod = restrictedPod(ns, "privileged-probe");
                    const spec = pod.spec as { containers: Array<{ securityContext: Record<string, unknown> }> };
                    spec.containers[0].securityContext = { privileged: true };
                    const res = await cp!.client().create(pod);
                    if (res.status !== 403 || !/violates PodSecurity "restricted[^"]*": .*privileged/.test(statusMessage(res))) {
                        problems.push(`${ns}: privileged pod got HTTP ${res.status}: ${statusMessage(res)}`);
                    }
                }
                assert.deepEqual(problems, [], `out/${stack}/objects.json: tenant namespaces must enforce PodSecurity "restricted"`);
            });

            it("rejects a pod beyond the tenant's ResourceQuota", async function () {
                const admin = cp!.client();
                const problems: string[] = [];
                for (const ns of namespaces) {
                    const quotas = await admin.list<{ status?: { hard?: Record<string, string> } }>("v1", "ResourceQuota", ns);
                    if (quotas.length === 0) {
                        problems.push(`${ns}: no ResourceQuota`);
                        continue;
                    }
                    // Quota admission refuses every pod until the quota controller has filled status.hard.
                    const deadline = Date.now() + PODS_TIMEOUT_MS;
                    while (Date.now() < deadline) {
                        const qs = await admin.list<{ status?: { hard?: Record<string, string> } }>("v1", "ResourceQuota", ns);
                        if (qs.every((q) => q.status?.hard && Object.keys(q.status.hard).length > 0)) break;
                        await sleep(500);
                    }
                    let rejection: string | undefined;
                    // Bounded: a quota that admits this many extra pods is no quota for a one-page tenant.
                    for (let i = 0; i < 60 && rejection === undefined; i++) {
                        const res = await admin.create(restrictedPod(ns, `quota-probe-${i}`));
                        if (res.status !== 201) rejection = `HTTP ${res.status}: ${statusMessage(res)}`;
                    }
                    if (!rejection) problems.push(`${ns}: 60 extra pods were all admitted; the ResourceQuota does not limit pods`);
                    else if (!/^HTTP 403: .*exceeded quota/.test(rejection)) problems.push(`${ns}: the pod beyond quota was rejected for another reason: ${rejection}`);
                }
                assert.deepEqual(problems, [], `out/${stack}/objects.json: every tenant namespace needs a ResourceQuota that bites`);
            });

            it("reports a pod template that breaks the restricted profile as a warning, which the apply check catches", async function () {
                const deployment = rendered.objects.find((o) => o.kind === "Deployment" && namespaces.includes(o.metadata.namespace ?? ""));
                assert.ok(deployment, `out/${stack}/objects.json has no Deployment in a tenant namespace`);
                const broken = JSON.parse(JSON.stringify(deployment)) as KubeObject;
                const podSpec = (broken.spec as { template: { spec: { securityContext?: Record<string, unknown> } } }).template.spec;
                podSpec.securityContext = { ...podSpec.securityContext, runAsNonRoot: false, seccompProfile: undefined };
                const res = await cp!.client().apply(broken, FIELD_MANAGER, { dryRun: true });
                assert.ok(
                    res.warnings.some((w) => /would violate PodSecurity "restricted[^"]*"/.test(w)),
                    `${describeObject(broken)}: no PodSecurity warning for a non-compliant pod template; warnings: ${JSON.stringify(res.warnings)}`,
                );
            });

            it("rejects an object with an invalid name", async function () {
                for (const ns of namespaces) {
                    const res = await cp!.client().create({
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        metadata: { name: "Not_A_DNS_Name!", namespace: ns },
                        data: { a: "b" },
                    });
                    assert.equal(res.status, 422, `${ns}: invalid ConfigMap name was not rejected: HTTP ${res.status} ${res.text}`);
                    assert.match(statusMessage(res), /metadata\.name: Invalid value: "Not_A_DNS_Name!"/);
                }
            });
        });
    });
}

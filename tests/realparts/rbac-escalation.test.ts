// The CI deployer's least privilege on a REAL kube-apiserver (+ kube-controller-manager for the token controller):
// the escalation an outside review found (a service-account-token Secret named like the basic-auth Secret, in
// kube-system, read back and used to list every Secret) works with RBAC alone and is refused once the admission
// policy the program declares (infra/rbac-rules.ts) is bootstrapped; every variant of it is refused with its HTTP
// status and message; and every stack's objects still apply as the deployer, exactly as the pipeline applies them.
import { strict as assert } from "node:assert";
import { type ControlPlane, locateBinaries, startControlPlane } from "../harness/realparts/controlplane";
import { requireRealPart } from "../harness/real-part";
import { KubeClient, type KubeObject, type KubeResponse, describeObject } from "../harness/realparts/kube-client";
import { customResourceObjects } from "../harness/manifests";
import { kubernetesObjects, runStack, STACKS, type StackName } from "../support/program";
import { DEPLOYER_GUARD, DEPLOYER_ROLE, TENANT_VIEWER_ROLE } from "../../infra/rbac-rules";

const FIELD_MANAGER = "sas-onboarding-ci";
const DEPLOYER_USER = "sas-test-ci-deployer";
const GUARD_TIMEOUT_MS = 30_000;
const TOKEN_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a stack declares for the cluster: built-in objects in apply order, and the deployer guard (policy + binding). */
interface Declared {
    objects: KubeObject[];
    guard: KubeObject[];
    deployerGroup: string;
    supportGroup: string;
    tenants: string[];
}

async function declared(stack: StackName): Promise<Declared> {
    const run = await runStack(stack);
    const objects = kubernetesObjects(run.resources) as KubeObject[];
    const guard = customResourceObjects(run.resources).filter((o) => o.apiVersion === "admissionregistration.k8s.io/v1") as KubeObject[];
    assert.deepEqual(guard.map((o) => o.kind).sort(), ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"], `${stack}: the deployer guard`);
    const binding = objects.find((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === DEPLOYER_ROLE) as
        | (KubeObject & { subjects: Array<{ kind: string; name: string }> })
        | undefined;
    assert.ok(binding, `${stack}: no ClusterRoleBinding ${DEPLOYER_ROLE}`);
    const support = objects.find((o) => o.kind === "RoleBinding" && (o as { roleRef?: { name?: string } }).roleRef?.name === TENANT_VIEWER_ROLE) as
        | (KubeObject & { subjects: Array<{ name: string }> })
        | undefined;
    assert.ok(support, `${stack}: no support RoleBinding`);
    const tenants = objects.filter((o) => o.kind === "Namespace" && o.metadata.name.startsWith("cust-")).map((o) => o.metadata.name);
    assert.ok(tenants.length > 0, `${stack}: no tenant namespace`);
    return { objects, guard, deployerGroup: binding.subjects[0].name, supportGroup: support.subjects[0].name, tenants };
}

const isClusterRbac = (o: KubeObject) =>
    o.apiVersion === "rbac.authorization.k8s.io/v1" && (o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding");

function message(res: KubeResponse): string {
    const b = res.body as { message?: string } | undefined;
    return typeof b === "object" && b?.message ? b.message : res.text;
}

const guardDenied = (what: RegExp) => new RegExp(`ValidatingAdmissionPolicy '${DEPLOYER_GUARD}' with binding '${DEPLOYER_GUARD}' denied request: .*${what.source}`);
const rbacForbidden = (verb: string, resource: string) => new RegExp(`cannot ${verb} resource "${resource}"`);

/** One request and what must come back; collected, so a test names every attempt that got through at once. */
interface Attempt {
    what: string;
    send: () => Promise<KubeResponse>;
    status: number;
    message: RegExp;
}

async function judge(attempts: Attempt[]): Promise<string[]> {
    const problems: string[] = [];
    for (const a of attempts) {
        const res = await a.send();
        const text = message(res);
        if (res.status !== a.status || !a.message.test(text)) {
            problems.push(`${a.what}: expected HTTP ${a.status} matching ${a.message}, got HTTP ${res.status}: ${text}`);
        }
    }
    return problems;
}

/** POST (create) or PUT-like server-side apply, optionally as a dry run (admission runs, nothing is stored). */
async function create(client: KubeClient, obj: KubeObject, dryRun = false): Promise<KubeResponse> {
    const p = await client.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    return client.raw("POST", `${p}?fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`, JSON.stringify(obj));
}

async function apply(client: KubeClient, obj: KubeObject, dryRun = false): Promise<KubeResponse> {
    const p = await client.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return client.raw(
        "PATCH",
        `${p}?fieldManager=${FIELD_MANAGER}&fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`,
        JSON.stringify(obj),
        "application/apply-patch+yaml",
    );
}

async function remove(client: KubeClient, apiVersion: string, kind: string, name: string, namespace?: string, dryRun = true): Promise<KubeResponse> {
    return client.raw("DELETE", `${await client.pathFor(apiVersion, kind, namespace, name)}${dryRun ? "?dryRun=All" : ""}`);
}

function secret(namespace: string, name: string, type: string, data: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject {
    return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, type, stringData: data };
}

/** The reported escalation's first step: a token Secret for a controller's service account, named like basic auth. */
function tokenSecret(namespace: string, serviceAccount: string): KubeObject {
    return secret(namespace, "welcome-basic-auth", "kubernetes.io/service-account-token", {}, { "kubernetes.io/service-account.name": serviceAccount });
}

/** A Deployment whose pod spec is the rendered tenant's, with `podSpec` merged over it. */
function deployment(namespace: string, name: string, podSpec: Record<string, unknown> = {}): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name } },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 10101, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "c",
                            image: "registry.invalid/never-pulled:1",
                            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                        },
                    ],
                    ...podSpec,
                },
            },
        },
    };
}

function roleBinding(namespace: string, name: string, roleKind: string, role: string, subject: Record<string, string>): KubeObject {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: role },
        subjects: [subject],
    };
}

/** Admin applies the guard, then waits until the API server's policy informers enforce it (a dry run is refused). */
async function bootstrapGuard(admin: KubeClient, deployer: KubeClient, guard: KubeObject[]): Promise<void> {
    for (const o of guard) await admin.apply(o, FIELD_MANAGER);
    const probe: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "guard-probe", namespace: "default" }, data: {} };
    const deadline = Date.now() + GUARD_TIMEOUT_MS;
    let last = "";
    while (Date.now() < deadline) {
        const res = await create(deployer, probe, true);
        if (res.status === 403 && message(res).includes(DEPLOYER_GUARD)) return;
        last = `HTTP ${res.status}: ${message(res)}`;
        await sleep(250);
    }
    throw new Error(`the deployer guard was not enforced within ${GUARD_TIMEOUT_MS / 1000}s; last answer to a probe: ${last}`);
}

function binariesMissing(withControllerManager: boolean): string | undefined {
    const found = locateBinaries();
    if ("missing" in found) return found.missing;
    if (withControllerManager && !found.bins.kubeControllerManager) return "kube-controller-manager not found; run `npm run build:test-binaries`";
    return undefined;
}

describe("real parts: the reported escalation of the CI deployer, end to end", function () {
    this.timeout(300_000);
    let cp: ControlPlane | undefined;
    let d: Declared;
    // The namespace controller's own service account: its role deletes (so lists) everything in every namespace.
    const CONTROLLER_SA = "namespace-controller";

    before(async function () {
        requireRealPart(this, binariesMissing(true));
        d = await declared("dev");
        cp = await startControlPlane({ controllerManager: true, users: [{ name: DEPLOYER_USER, groups: [d.deployerGroup] }] });
        const admin = cp.client();
        for (const o of d.objects.filter(isClusterRbac)) await admin.apply(o, FIELD_MANAGER);
        const deadline = Date.now() + TOKEN_TIMEOUT_MS;
        while ((await admin.raw("GET", `/api/v1/namespaces/kube-system/serviceaccounts/${CONTROLLER_SA}`)).status !== 200) {
            if (Date.now() > deadline) throw new Error(`kube-controller-manager made no service account ${CONTROLLER_SA}`);
            await sleep(500);
        }
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed" && cp) console.error(cp.logs());
    });

    after(async function () {
        await cp?.stop();
    });

    it("with RBAC alone (no guard) it works: the deployer mints a controller's token, reads it, and lists every Secret", async function () {
        const deployer = cp!.client(DEPLOYER_USER);
        const created = await create(deployer, tokenSecret("kube-system", CONTROLLER_SA));
        assert.equal(created.status, 201, `negative control: RBAC alone should admit the token Secret: ${message(created)}`);
        let token = "";
        const deadline = Date.now() + TOKEN_TIMEOUT_MS;
        while (!token && Date.now() < deadline) {
            const s = await deployer.get<{ data?: { token?: string } }>("v1", "Secret", "welcome-basic-auth", "kube-system");
            token = Buffer.from(s.data?.token ?? "", "base64").toString("utf8");
            if (!token) await sleep(500);
        }
        assert.ok(token, "the token controller did not fill the Secret; the negative control proves nothing");
        const stolen = new KubeClient({ server: cp!.server, token, caPem: cp!.caPem });
        const all = await stolen.raw("GET", "/api/v1/secrets");
        assert.equal(all.status, 200, `the stolen token should list every Secret: ${message(all)}`);
        const workload = await create(deployer, deployment("kube-system", "escalation", { serviceAccountName: CONTROLLER_SA, automountServiceAccountToken: true }), true);
        assert.equal(workload.status, 201, `negative control: RBAC alone admits a kube-system Deployment as any service account: ${message(workload)}`);
        // Clean up for the next test: the admin removes what the deployer made.
        assert.equal((await remove(cp!.client(), "v1", "Secret", "welcome-basic-auth", "kube-system", false)).status, 200);
    });

    it("with the guard the program declares, each step is refused", async function () {
        const admin = cp!.client();
        const deployer = cp!.client(DEPLOYER_USER);
        await bootstrapGuard(admin, deployer, d.guard);
        const problems = await judge([
            {
                what: "token Secret for a controller in kube-system",
                send: () => create(deployer, tokenSecret("kube-system", CONTROLLER_SA)),
                status: 403,
                message: guardDenied(/may change only tenant namespaces \(cust-\*\) .*not secrets kube-system\/welcome-basic-auth/),
            },
            {
                what: "Deployment in kube-system as the controller's service account",
                send: () => create(deployer, deployment("kube-system", "escalation", { serviceAccountName: CONTROLLER_SA, automountServiceAccountToken: true }), true),
                status: 403,
                message: guardDenied(/not deployments kube-system\/escalation/),
            },
            {
                what: "reading a Secret it did not name (list all)",
                send: () => deployer.raw("GET", "/api/v1/secrets"),
                status: 403,
                message: rbacForbidden("list", "secrets"),
            },
        ]);
        assert.deepEqual(problems, []);
        assert.equal((await admin.raw("GET", "/api/v1/namespaces/kube-system/secrets/welcome-basic-auth")).status, 404, "nothing was stored");
    });
});

for (const stack of STACKS) {
    describe(`real parts: ${stack}: the CI deployer applies the stack and nothing more (RBAC + admission policy)`, function () {
        this.timeout(300_000);
        let cp: ControlPlane | undefined;
        let d: Declared;
        let admin: KubeClient;
        let deployer: KubeClient;
        let tenant: string;

        before(async function () {
            requireRealPart(this, binariesMissing(false));
            d = await declared(stack);
            tenant = d.tenants[0];
            cp = await startControlPlane({ users: [{ name: DEPLOYER_USER, groups: [d.deployerGroup] }] });
            admin = cp.client();
            deployer = cp.client(DEPLOYER_USER);
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed" && cp) console.error(`control plane logs (${stack}):\n${cp.logs()}`);
        });

        after(async function () {
            await cp?.stop();
        });

        it("admin bootstraps cluster RBAC and the guard; the deployer applies every other object, then re-applies the ClusterRoles", async function () {
            // Namespaces the program writes into but does not own (kube-prometheus-stack's), present on a real cluster.
            const foreign = [...new Set(d.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))].filter(
                (n) => !d.objects.some((o) => o.kind === "Namespace" && o.metadata.name === n),
            );
            for (const name of foreign) await admin.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, "test-setup");
            const bootstrap = d.objects.filter(isClusterRbac);
            for (const o of bootstrap) await admin.apply(o, FIELD_MANAGER);
            await bootstrapGuard(admin, deployer, d.guard);

            const problems: string[] = [];
            const applyAll = async (objs: KubeObject[], note: string) => {
                for (const obj of objs) {
                    const res = await apply(deployer, obj);
                    if (res.status < 200 || res.status >= 300) problems.push(`REJECTED ${describeObject(obj)}${note}: HTTP ${res.status}: ${message(res)}`);
                    for (const w of res.warnings) problems.push(`WARNING ${describeObject(obj)}${note}: ${w}`);
                }
            };
            await applyAll(d.objects.filter((o) => !isClusterRbac(o)), "");
            await applyAll(bootstrap.filter((o) => o.kind === "ClusterRole"), " (re-applied unchanged)");
            assert.deepEqual(problems, [], `${stack}: the deployer could not apply what the program declares`);
            for (const obj of d.objects) await admin.get(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
        });

        it("the guard's expressions type-check without warnings and its binding denies", async function () {
            const policy = await admin.get<{ status?: { typeChecking?: { expressionWarnings?: unknown[] } } }>(
                "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", DEPLOYER_GUARD,
            );
            assert.deepEqual(policy.status?.typeChecking?.expressionWarnings ?? [], []);
            const binding = await admin.get<{ spec: { validationActions: string[]; policyName: string } }>(
                "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", DEPLOYER_GUARD,
            );
            assert.deepEqual([binding.spec.policyName, binding.spec.validationActions], [DEPLOYER_GUARD, ["Deny"]]);
        });

        it("refuses Secrets that are not Opaque or not in a tenant namespace, and every read of a Secret it did not name", async function () {
            await admin.apply(secret("kube-system", "platform-credentials", "Opaque", { k: "v" }), "test-setup");
            const typed: Array<[string, Record<string, string>]> = [
                ["kubernetes.io/service-account-token", {}],
                ["kubernetes.io/dockerconfigjson", { ".dockerconfigjson": "{\"auths\":{}}" }],
                ["kubernetes.io/tls", { "tls.crt": "x", "tls.key": "y" }],
                ["kubernetes.io/basic-auth", { username: "u", password: "p" }],
                ["bootstrap.kubernetes.io/token", { "token-id": "abcdef", "token-secret": "0123456789abcdef" }],
            ];
            const problems = await judge([
                ...typed.map(([type, data]): Attempt => ({
                    what: `${type} Secret in ${tenant}`,
                    send: () =>
                        create(deployer, secret(tenant, "welcome-basic-auth-x", type, data, type.includes("service-account") ? { "kubernetes.io/service-account.name": "default" } : undefined)),
                    status: 403,
                    message: guardDenied(new RegExp(`only Secrets of type Opaque, not ${type.replace(/\./g, "\\.")}`)),
                })),
                ...["kube-system", "default", "kube-public"].map((ns): Attempt => ({
                    what: `Opaque Secret in ${ns}`,
                    send: () => create(deployer, secret(ns, "welcome-basic-auth", "Opaque", { auth: "x" })),
                    status: 403,
                    message: guardDenied(new RegExp(`not secrets ${ns}/welcome-basic-auth`)),
                })),
                {
                    what: "get a kube-system Secret",
                    send: async () => deployer.raw("GET", await deployer.pathFor("v1", "Secret", "kube-system", "platform-credentials")),
                    status: 403,
                    message: rbacForbidden("get", "secrets"),
                },
                { what: "list Secrets cluster-wide", send: () => deployer.raw("GET", "/api/v1/secrets"), status: 403, message: rbacForbidden("list", "secrets") },
                {
                    what: `list Secrets in ${tenant}`,
                    send: () => deployer.raw("GET", `/api/v1/namespaces/${tenant}/secrets`),
                    status: 403,
                    message: rbacForbidden("list", "secrets"),
                },
                {
                    what: "a token for the tenant's default service account (TokenRequest)",
                    send: () =>
                        deployer.raw("POST", `/api/v1/namespaces/${tenant}/serviceaccounts/default/token`, JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} })),
                    status: 403,
                    message: rbacForbidden("create", "serviceaccounts/token"),
                },
            ]);
            assert.deepEqual(problems, []);
        });

        it("refuses workloads outside tenant namespaces, as another service account, or with a service-account token", async function () {
            const problems = await judge([
                ...["kube-system", "default"].map((ns): Attempt => ({
                    what: `Deployment in ${ns}`,
                    send: () => create(deployer, deployment(ns, "escalation"), true),
                    status: 403,
                    message: guardDenied(new RegExp(`not deployments ${ns}/escalation`)),
                })),
                {
                    what: `Deployment in ${tenant} as service account "other"`,
                    send: () => create(deployer, deployment(tenant, "escalation", { serviceAccountName: "other" }), true),
                    status: 403,
                    message: guardDenied(/must run as the service account default/),
                },
                {
                    what: `Deployment in ${tenant} with the deprecated serviceAccount field`,
                    send: () => create(deployer, deployment(tenant, "escalation", { serviceAccount: "other" }), true),
                    status: 403,
                    message: guardDenied(/must run as the service account default/),
                },
                {
                    what: `Deployment in ${tenant} with automountServiceAccountToken: true`,
                    send: () => create(deployer, deployment(tenant, "escalation", { automountServiceAccountToken: true }), true),
                    status: 403,
                    message: guardDenied(/must set automountServiceAccountToken: false/),
                },
                {
                    what: `Deployment in ${tenant} without automountServiceAccountToken (defaults to mounting)`,
                    send: () => {
                        const dep = deployment(tenant, "escalation");
                        delete (dep.spec as { template: { spec: Record<string, unknown> } }).template.spec.automountServiceAccountToken;
                        return create(deployer, dep, true);
                    },
                    status: 403,
                    message: guardDenied(/must set automountServiceAccountToken: false/),
                },
                {
                    what: `Deployment in ${tenant} with a projected service-account token`,
                    send: () =>
                        create(deployer, deployment(tenant, "escalation", { volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }] }), true),
                    status: 403,
                    message: guardDenied(/mount no service-account token/),
                },
                {
                    what: `bare Pod in ${tenant}`,
                    send: () => create(deployer, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: tenant }, spec: { containers: [{ name: "c", image: "x" }] } }, true),
                    status: 403,
                    message: rbacForbidden("create", "pods"),
                },
            ]);
            assert.deepEqual(problems, []);
        });

        it("refuses RoleBindings but the tenant viewer for support, any ClusterRoleBinding, and changed ClusterRole rules", async function () {
            const support = { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: d.supportGroup };
            const viewer = d.objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === TENANT_VIEWER_ROLE)!;
            const widened = JSON.parse(JSON.stringify(viewer)) as KubeObject & { rules: unknown[] };
            widened.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["create"] });
            const problems = await judge([
                {
                    what: `RoleBinding to cluster-admin in ${tenant}`,
                    send: () => create(deployer, roleBinding(tenant, "escalation", "ClusterRole", "cluster-admin", support)),
                    status: 403,
                    message: /is attempting to grant RBAC permissions not currently held/,
                },
                {
                    what: `RoleBinding to ${DEPLOYER_ROLE} (which it holds) in ${tenant}`,
                    send: () => create(deployer, roleBinding(tenant, "escalation", "ClusterRole", DEPLOYER_ROLE, support)),
                    status: 403,
                    message: guardDenied(new RegExp(`may bind only the ClusterRole ${TENANT_VIEWER_ROLE} to the group ${d.supportGroup}, not ClusterRole ${DEPLOYER_ROLE}`)),
                },
                {
                    what: `RoleBinding of the tenant viewer to a service account in ${tenant}`,
                    send: () => create(deployer, roleBinding(tenant, "escalation", "ClusterRole", TENANT_VIEWER_ROLE, { kind: "ServiceAccount", name: "default", namespace: tenant })),
                    status: 403,
                    message: guardDenied(/may bind only the ClusterRole/),
                },
                {
                    what: "RoleBinding of the tenant viewer in kube-system",
                    send: () => create(deployer, roleBinding("kube-system", "escalation", "ClusterRole", TENANT_VIEWER_ROLE, support)),
                    status: 403,
                    message: guardDenied(/not rolebindings kube-system\/escalation/),
                },
                {
                    what: "ClusterRoleBinding to cluster-admin",
                    send: () =>
                        create(deployer, {
                            apiVersion: "rbac.authorization.k8s.io/v1",
                            kind: "ClusterRoleBinding",
                            metadata: { name: "escalation" },
                            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: d.deployerGroup }],
                        }),
                    status: 403,
                    message: rbacForbidden("create", "clusterrolebindings"),
                },
                {
                    what: `${TENANT_VIEWER_ROLE} re-applied with a rule the deployer holds`,
                    send: () => apply(deployer, widened),
                    status: 403,
                    message: guardDenied(/may only re-apply platform ClusterRoles unchanged/),
                },
                {
                    what: "a new ClusterRole",
                    send: () => create(deployer, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "escalation" }, rules: [] }),
                    status: 403,
                    message: rbacForbidden("create", "clusterroles"),
                },
            ]);
            assert.deepEqual(problems, []);
        });

        it("refuses any change to the admission policy and its binding", async function () {
            const before = await admin.get<{ metadata: { resourceVersion: string } }>("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", DEPLOYER_GUARD);
            const beforeBinding = await admin.get<{ metadata: { resourceVersion: string } }>(
                "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", DEPLOYER_GUARD,
            );
            const policy = d.guard.find((o) => o.kind === "ValidatingAdmissionPolicy")!;
            const gutted = { ...policy, spec: { ...(policy.spec as object), validations: [{ expression: "true" }] } };
            const audit = d.guard.find((o) => o.kind === "ValidatingAdmissionPolicyBinding")!;
            const problems = await judge([
                { what: "editing the policy", send: () => apply(deployer, gutted), status: 403, message: rbacForbidden("patch", "validatingadmissionpolicies") },
                {
                    what: "deleting the policy",
                    send: () => remove(deployer, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", DEPLOYER_GUARD, undefined, false),
                    status: 403,
                    message: rbacForbidden("delete", "validatingadmissionpolicies"),
                },
                {
                    what: "deleting its binding",
                    send: () => remove(deployer, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", DEPLOYER_GUARD, undefined, false),
                    status: 403,
                    message: rbacForbidden("delete", "validatingadmissionpolicybindings"),
                },
                {
                    what: "turning its binding to audit-only",
                    send: () => apply(deployer, { ...audit, spec: { ...(audit.spec as object), validationActions: ["Audit"] } }),
                    status: 403,
                    message: rbacForbidden("patch", "validatingadmissionpolicybindings"),
                },
            ]);
            assert.deepEqual(problems, []);
            const after = await admin.get<{ metadata: { resourceVersion: string } }>("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", DEPLOYER_GUARD);
            const afterBinding = await admin.get<{ metadata: { resourceVersion: string } }>("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", DEPLOYER_GUARD);
            assert.deepEqual([after.metadata.resourceVersion, afterBinding.metadata.resourceVersion], [before.metadata.resourceVersion, beforeBinding.metadata.resourceVersion]);
        });

        it("refuses namespaces it does not own, weakening a tenant's Pod Security, and Services beyond ClusterIP", async function () {
            const tenantNs = d.objects.find((o) => o.kind === "Namespace" && o.metadata.name === tenant)!;
            const privileged = JSON.parse(JSON.stringify(tenantNs)) as KubeObject;
            privileged.metadata.labels = { ...privileged.metadata.labels, "pod-security.kubernetes.io/enforce": "privileged" };
            const service = (spec: Record<string, unknown>): KubeObject => ({
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "escalation", namespace: tenant },
                spec: { selector: { app: "x" }, ports: [{ port: 80 }], ...spec },
            });
            const problems = await judge([
                {
                    what: "a namespace outside cust-*",
                    send: () => create(deployer, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-elsewhere" } }, true),
                    status: 403,
                    message: guardDenied(/not namespaces team-elsewhere/),
                },
                {
                    what: "deleting another team's namespace",
                    send: async () => {
                        await admin.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-payments" } }, "test-setup");
                        return remove(deployer, "v1", "Namespace", "team-payments");
                    },
                    status: 403,
                    message: guardDenied(/not namespaces team-payments/),
                },
                {
                    what: "a ConfigMap in kube-system",
                    send: () => create(deployer, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "escalation", namespace: "kube-system" }, data: {} }, true),
                    status: 403,
                    message: guardDenied(/not configmaps kube-system\/escalation/),
                },
                {
                    what: `${tenant} relabelled enforce=privileged`,
                    send: () => apply(deployer, privileged),
                    status: 403,
                    message: guardDenied(/must keep the label pod-security.kubernetes.io\/enforce=restricted/),
                },
                {
                    what: "a new tenant namespace without Pod Security labels",
                    send: () => create(deployer, { apiVersion: "v1", kind: "Namespace", metadata: { name: "cust-unguarded" } }, true),
                    status: 403,
                    message: guardDenied(/must keep the label pod-security.kubernetes.io\/enforce=restricted/),
                },
                {
                    what: `a Service with externalIPs in ${tenant}`,
                    send: () => create(deployer, service({ externalIPs: ["10.0.0.1"] }), true),
                    status: 403,
                    message: guardDenied(/must be ClusterIP without externalIPs/),
                },
                {
                    what: `an ExternalName Service in ${tenant}`,
                    send: () => create(deployer, service({ type: "ExternalName", externalName: "kubernetes.default.svc.cluster.local", selector: undefined }), true),
                    status: 403,
                    message: guardDenied(/must be ClusterIP without externalIPs/),
                },
            ]);
            assert.deepEqual(problems, []);
        });

        it("still lets the deployer ask what it may do (kubectl auth can-i / whoami) and get a truthful answer", async function () {
            const ask = async (namespace: string, verb: string, resource: string, group = "") => {
                const res = await deployer.raw(
                    "POST",
                    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                    JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { namespace, verb, resource, group } } }),
                );
                assert.equal(res.status, 201, `can-i ${verb} ${resource} -n ${namespace}: ${message(res)}`);
                return (res.body as { status: { allowed: boolean } }).status.allowed;
            };
            assert.equal(await ask(tenant, "create", "deployments", "apps"), true);
            assert.equal(await ask(tenant, "list", "secrets"), false);
            const whoami = await deployer.raw("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }));
            assert.equal(whoami.status, 201, message(whoami));
        });

        it("still lets the deployer remove a tenant (the guard blocks no ordinary change)", async function () {
            const res = await remove(deployer, "v1", "Namespace", tenant);
            assert.equal(res.status, 200, `dry-run delete of ${tenant}: HTTP ${res.status}: ${message(res)}`);
            const secretBack = d.objects.find((o) => o.kind === "Secret" && o.metadata.namespace === tenant);
            if (secretBack) {
                const del = await remove(deployer, "v1", "Secret", secretBack.metadata.name, tenant);
                assert.equal(del.status, 200, `dry-run delete of the basic-auth Secret: ${message(del)}`);
            }
        });
    });
}

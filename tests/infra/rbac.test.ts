// The platform RBAC every stack declares: the CI deployer's ClusterRole (no read of any Secret but the basic-auth
// one by name, no token minting), and the admission policy + binding that confine its group to tenant namespaces and
// the platform objects the stack really declares. Its behaviour on a real API server: tests/realparts/rbac-escalation.test.ts.
import { strict as assert } from "node:assert";
import { kubernetesObjects, runStack, STACKS, type StackRun } from "../support/program";
import { DEPLOYER_GUARD, DEPLOYER_RULES, deployerOwnedObjects, ownedObjectKey, TENANT_VIEWER_RULES } from "../../infra/rbac-rules";

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are plain JSON */
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

describe("infra: the CI deployer's rules", () => {
    const grants = (resource: string, verb: string, rules = DEPLOYER_RULES) =>
        rules.filter((r) => r.resources.includes(resource) && r.verbs.includes(verb));

    it("reads, updates or deletes Secrets only by name, never lists or watches them", () => {
        for (const verb of ["get", "update", "patch", "delete"]) {
            assert.deepEqual(grants("secrets", verb).map((r) => r.resourceNames), [["welcome-basic-auth"]], verb);
        }
        for (const verb of ["list", "watch", "deletecollection"]) assert.deepEqual(grants("secrets", verb), [], verb);
    });

    it("cannot mint or mount a token: no pods, service accounts, tokens, exec, webhooks or bindings beyond RoleBindings", () => {
        const resources = DEPLOYER_RULES.filter((r) => r.verbs.some((v) => !["get", "list", "watch"].includes(v))).flatMap((r) => r.resources);
        for (const r of ["pods", "serviceaccounts", "serviceaccounts/token", "pods/exec", "clusterrolebindings", "validatingadmissionpolicies", "validatingadmissionpolicybindings", "roles"]) {
            assert.ok(!resources.includes(r), `${r} is writable`);
        }
        assert.ok(DEPLOYER_RULES.every((r) => !r.verbs.some((v) => ["escalate", "bind", "impersonate", "*"].includes(v))));
    });

    it("holds every tenant-viewer permission (it creates the support RoleBinding without bind)", () => {
        for (const rule of TENANT_VIEWER_RULES) {
            for (const resource of rule.resources) {
                for (const verb of rule.verbs) {
                    assert.ok(DEPLOYER_RULES.some((d) => d.apiGroups.some((g) => rule.apiGroups.includes(g)) && d.resources.includes(resource) && d.verbs.includes(verb) && !d.resourceNames), `${verb} ${resource}`);
                }
            }
        }
    });
});

for (const stack of STACKS) {
    describe(`infra: stack ${stack} declares the deployer guard`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });
        const one = (type: string) => {
            const found = run.resources.filter((r) => r.type === type);
            assert.equal(found.length, 1, type);
            return found[0];
        };

        it("a ValidatingAdmissionPolicy matched to the deployer group, failing closed, bound with Deny, under PlatformRbac", () => {
            const policy = one(VAP);
            const binding = one(VAP_BINDING);
            const spec = policy.inputs.spec;
            assert.equal(policy.inputs.metadata.name, DEPLOYER_GUARD);
            assert.equal(spec.failurePolicy, "Fail");
            assert.deepEqual(spec.matchConditions, [{ name: "ci-deployer-group", expression: `request.userInfo.groups.exists(g, g == "sas:ci-deployers")` }]);
            assert.deepEqual(spec.matchConstraints.resourceRules, [{ apiGroups: ["*"], apiVersions: ["*"], operations: ["CREATE", "UPDATE", "DELETE", "CONNECT"], resources: ["*/*"] }]);
            assert.ok(spec.validations.length >= 7 && spec.validations.every((v: any) => v.reason === "Forbidden" && v.messageExpression));
            assert.deepEqual(binding.inputs.spec, { policyName: DEPLOYER_GUARD, validationActions: ["Deny"] });
            const parent = run.resources.find((r) => r.urn === policy.parent)!;
            assert.equal(parent.type, "sas:platform:PlatformRbac");
            assert.equal(binding.parent, policy.parent);
            // The group is granted its role only once the guard is bound.
            const roleBinding = one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
            assert.ok(roleBinding.dependsOn.includes(binding.urn));
            assert.ok(binding.dependsOn.includes(policy.urn));
        });

        it("owns exactly the platform objects outside cust-* that the deployer applies in this stack", () => {
            const spec = one(VAP).inputs.spec;
            const owned = spec.variables.find((v: any) => v.name === "owned").expression as string;
            const declared = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs?.metadata?.name && !r.type.startsWith("kubernetes:helm"));
            const ns = (name: string) => declared.some((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === name);
            const blackbox = declared.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "sas-blackbox-modules");
            const expected = deployerOwnedObjects({
                ingressNamespace: ns("traefik") ? "traefik" : undefined,
                certManagerNamespace: ns("cert-manager") ? "cert-manager" : undefined,
                monitoringNamespace: blackbox?.inputs.metadata.namespace,
            }).map(ownedObjectKey);
            assert.ok(owned.includes(`[${expected.map((k) => JSON.stringify(k)).join(", ")}]`), `${owned}\nexpected ${expected.join(", ")}`);
            // Every object of out/<stack>/objects.json the deployer applies outside cust-* is owned; the cluster RBAC is the
            // admin's bootstrap, and CRD-defined objects and Helm releases are the admin's too (they need the charts).
            for (const o of kubernetesObjects(run.resources).filter((o) => !["ClusterRole", "ClusterRoleBinding"].includes(o.kind))) {
                const namespace = o.kind === "Namespace" ? o.metadata.name : o.metadata.namespace;
                if (namespace?.startsWith("cust-")) continue;
                const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
                const key = ownedObjectKey({ group, resource: `${o.kind.toLowerCase()}s`, namespace: o.metadata.namespace, name: o.metadata.name });
                assert.ok(expected.includes(key), `${o.kind} ${namespace}/${o.metadata.name} (${key}) is applied outside cust-* but not owned`);
            }
        });
    });
}

import { strict as assert } from "node:assert";
import { rbacNoClusterSecretRead, rbacNoEscalationVerbs, rbacNoWildcards } from "../../policy/policies/rbac";
import { clusterRole, role } from "./fixtures";
import { DEPLOYER_ROLE, DEPLOYER_RULES as PROGRAM_DEPLOYER_RULES, TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES } from "../../infra/rbac-rules";
import { runResourcePolicy } from "./harness";

// What a CI deployer legitimately needs: explicit groups, resources and verbs, Secrets only created (a create answers
// with what was sent; every other verb answers with the stored Secret, data included).
const DEPLOYER_RULES = [
  { apiGroups: [""], resources: ["namespaces", "configmaps", "services", "serviceaccounts"], verbs: ["get", "list", "create", "patch", "delete"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "create", "patch", "delete"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: ["get", "create", "patch"] },
  { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
];

describe("policy: RBAC", () => {
  describe("rbac-no-wildcards", () => {
    it("passes explicit rules in a ClusterRole and a Role", async () => {
      assert.deepEqual(await runResourcePolicy(rbacNoWildcards, clusterRole(DEPLOYER_RULES)), { violations: [] });
      assert.deepEqual(await runResourcePolicy(rbacNoWildcards, role(DEPLOYER_RULES)), { violations: [] });
    });

    it("flags every wildcard field of a ClusterRole", async () => {
      const outcome = await runResourcePolicy(
        rbacNoWildcards,
        clusterRole([DEPLOYER_RULES[0], { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "too-much"),
      );
      assert.deepEqual(outcome.violations, [
        'ClusterRole too-much: rules[1].apiGroups contains "*"; list the exact apiGroups instead',
        'ClusterRole too-much: rules[1].resources contains "*"; list the exact resources instead',
        'ClusterRole too-much: rules[1].verbs contains "*"; list the exact verbs instead',
      ]);
    });

    it("flags a wildcard verb in a namespaced Role", async () => {
      const outcome = await runResourcePolicy(rbacNoWildcards, role([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }]));
      assert.deepEqual(outcome.violations, [
        'Role cust-acme/welcome-reader: rules[0].verbs contains "*"; list the exact verbs instead',
      ]);
    });
  });

  describe("rbac-no-escalation-verbs", () => {
    it("passes a ClusterRole without escalate, bind or impersonate", async () => {
      assert.deepEqual(await runResourcePolicy(rbacNoEscalationVerbs, clusterRole(DEPLOYER_RULES)), { violations: [] });
    });

    it("flags bind and escalate on roles, and impersonate on users", async () => {
      const outcome = await runResourcePolicy(
        rbacNoEscalationVerbs,
        clusterRole([
          { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["get", "bind", "escalate"] },
          { apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] },
        ]),
      );
      assert.deepEqual(outcome.violations, [
        "ClusterRole sas-ci-deployer: rules[0].verbs grants escalate, bind; remove them from the ClusterRole",
        "ClusterRole sas-ci-deployer: rules[1].verbs grants impersonate; remove them from the ClusterRole",
      ]);
    });

    it("flags creating service-account tokens (named, by subresource wildcard, or through a full wildcard)", async () => {
      const outcome = await runResourcePolicy(
        rbacNoEscalationVerbs,
        clusterRole([
          { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
          { apiGroups: [""], resources: ["serviceaccounts/*"], verbs: ["*"] },
          { apiGroups: ["*"], resources: ["*"], verbs: ["create"] },
          { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create", "get"] },
          { apiGroups: ["example.io"], resources: ["serviceaccounts/token"], verbs: ["create"] },
          { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["get"] },
        ]),
      );
      assert.deepEqual(outcome.violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants create on serviceaccounts/token: it mints tokens of any service account it names; remove it",
        "ClusterRole sas-ci-deployer: rules[1] grants create on serviceaccounts/*: it mints tokens of any service account it names; remove it",
        "ClusterRole sas-ci-deployer: rules[2] grants create on *: it mints tokens of any service account it names; remove it",
      ]);
    });

    it("passes the program's own deployer and tenant-viewer rules", async () => {
      for (const [name, rules] of [[DEPLOYER_ROLE, PROGRAM_DEPLOYER_RULES], [TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES]] as const) {
        assert.deepEqual(await runResourcePolicy(rbacNoEscalationVerbs, clusterRole([...rules], name)), { violations: [] });
        assert.deepEqual(await runResourcePolicy(rbacNoWildcards, clusterRole([...rules], name)), { violations: [] });
        const secretRead = await runResourcePolicy(rbacNoClusterSecretRead, clusterRole([...rules], name), { allowedSecretNames: ["welcome-basic-auth"] });
        assert.deepEqual(secretRead.violations, []);
      }
    });

    it("does not apply to namespaced Roles", async () => {
      const outcome = await runResourcePolicy(rbacNoEscalationVerbs, role([{ apiGroups: [""], resources: ["pods"], verbs: ["bind"] }]));
      assert.deepEqual(outcome.violations, []);
      assert.equal(outcome.notApplicable, "Policy only applies to resources of type 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole'");
    });
  });

  describe("rbac-no-cluster-secret-read", () => {
    it("passes a ClusterRole that may write but not read secrets", async () => {
      assert.deepEqual(await runResourcePolicy(rbacNoClusterSecretRead, clusterRole(DEPLOYER_RULES)), { violations: [] });
    });

    it("passes secret read in a namespaced Role", async () => {
      const outcome = await runResourcePolicy(rbacNoClusterSecretRead, role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]));
      assert.deepEqual(outcome.violations, []);
    });

    it("flags get/list/watch on secrets", async () => {
      const outcome = await runResourcePolicy(
        rbacNoClusterSecretRead,
        clusterRole([{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch", "patch"] }]),
      );
      assert.deepEqual(outcome.violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants get, list, watch, patch on secrets cluster-wide; use a namespaced Role instead",
      ]);
    });

    it("flags update, patch and delete on secrets too: their answers carry the Secret's data", async () => {
      const outcome = await runResourcePolicy(
        rbacNoClusterSecretRead,
        clusterRole([{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "update", "patch", "delete", "deletecollection"] }]),
      );
      assert.deepEqual(outcome.violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants update, patch, delete, deletecollection on secrets cluster-wide; use a namespaced Role instead",
      ]);
    });

    it("flags secret read reached through wildcards", async () => {
      const outcome = await runResourcePolicy(
        rbacNoClusterSecretRead,
        clusterRole([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      );
      assert.deepEqual(outcome.violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants * on secrets cluster-wide; use a namespaced Role instead",
      ]);
    });

    it("flags a read pinned by resourceNames unless policy config allows every name", async () => {
      const pinned = clusterRole([
        { apiGroups: [""], resources: ["secrets"], resourceNames: ["welcome-basic-auth"], verbs: ["get", "patch"] },
      ]);
      assert.deepEqual((await runResourcePolicy(rbacNoClusterSecretRead, pinned)).violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants get, patch on secrets named welcome-basic-auth in every namespace; use a namespaced Role instead, or allow the name in policy config allowedSecretNames",
      ]);
      const allowed = await runResourcePolicy(rbacNoClusterSecretRead, pinned, { allowedSecretNames: ["welcome-basic-auth"] });
      assert.deepEqual(allowed.violations, []);
      // The allowance is for pinned names only: it never excuses an unpinned read.
      const unpinned = clusterRole([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
      const stillFlagged = await runResourcePolicy(rbacNoClusterSecretRead, unpinned, { allowedSecretNames: ["welcome-basic-auth"] });
      assert.deepEqual(stillFlagged.violations, [
        "ClusterRole sas-ci-deployer: rules[0] grants get on secrets cluster-wide; use a namespaced Role instead",
      ]);
    });

    it("ignores a 'secrets' resource of a non-core API group", async () => {
      const outcome = await runResourcePolicy(
        rbacNoClusterSecretRead,
        clusterRole([{ apiGroups: ["external-secrets.io"], resources: ["secrets"], verbs: ["get"] }]),
      );
      assert.deepEqual(outcome.violations, []);
    });
  });
});

import { strict as assert } from "node:assert";
import { CUSTOMER_SITE_TYPE, isDefaultDeny, tenantNamespaceDefaultDeny, tenantNamespacePsaRestricted } from "../../policy/policies/tenancy";
import { defaultDeny, tenantNamespace } from "./fixtures";
import { runStackPolicy, urnFor } from "./harness";

const NS_URN = urnFor("dev", "kubernetes:core/v1:Namespace", "cust-acme");

describe("policy: tenant namespaces", () => {
  describe("tenant-namespace-psa-restricted", () => {
    it("passes a tenant namespace labelled restricted for enforce, audit and warn", async () => {
      const outcome = await runStackPolicy(tenantNamespacePsaRestricted, [tenantNamespace(), defaultDeny()]);
      assert.deepEqual(outcome, { violations: [] });
    });

    it("ignores non-tenant namespaces", async () => {
      const platform = tenantNamespace();
      platform.props.metadata = { name: "traefik" };
      assert.deepEqual((await runStackPolicy(tenantNamespacePsaRestricted, [platform])).violations, []);
    });

    it("flags a missing label and a weaker level, against the namespace's URN", async () => {
      const ns = tenantNamespace();
      delete ns.props.metadata.labels["pod-security.kubernetes.io/audit"];
      ns.props.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
      assert.deepEqual((await runStackPolicy(tenantNamespacePsaRestricted, [ns])).violations, [
        {
          message: 'Namespace cust-acme: metadata.labels["pod-security.kubernetes.io/enforce"] must be "restricted" (is "baseline")',
          urn: NS_URN,
        },
        {
          message: 'Namespace cust-acme: metadata.labels["pod-security.kubernetes.io/audit"] must be "restricted" (is missing)',
          urn: NS_URN,
        },
      ]);
    });

    it("recognises an auto-named tenant namespace by its resource name", async () => {
      const ns = tenantNamespace();
      delete ns.props.metadata.name;
      delete ns.props.metadata.labels;
      const outcome = await runStackPolicy(tenantNamespacePsaRestricted, [{ ...ns, name: "cust-zeta" }]);
      assert.equal(outcome.violations.length, 3);
      assert.equal(
        outcome.violations[0].message,
        'Namespace cust-zeta: metadata.labels["pod-security.kubernetes.io/enforce"] must be "restricted" (is missing)',
      );
    });
  });

  describe("tenant-namespace-default-deny", () => {
    const missing = (ns: string) =>
      `Namespace ${ns} has no default-deny NetworkPolicy: add one with metadata.namespace: ${ns}, spec.podSelector: {}, spec.policyTypes: [Ingress, Egress] and no ingress/egress rules`;

    it("passes when each tenant namespace has its own default-deny policy", async () => {
      const outcome = await runStackPolicy(tenantNamespaceDefaultDeny, [
        tenantNamespace("acme"),
        tenantNamespace("zeta"),
        defaultDeny("cust-acme"),
        defaultDeny("cust-zeta"),
      ]);
      assert.deepEqual(outcome, { violations: [] });
    });

    it("flags a tenant namespace with no NetworkPolicy, and only that one", async () => {
      const outcome = await runStackPolicy(tenantNamespaceDefaultDeny, [
        tenantNamespace("acme"),
        tenantNamespace("zeta"),
        defaultDeny("cust-acme"),
      ]);
      assert.deepEqual(outcome.violations, [
        { message: missing("cust-zeta"), urn: urnFor("dev", "kubernetes:core/v1:Namespace", "cust-zeta") },
      ]);
    });

    it("does not count a default-deny policy that lives in another namespace", async () => {
      const outcome = await runStackPolicy(tenantNamespaceDefaultDeny, [tenantNamespace("acme"), defaultDeny("cust-zeta")]);
      assert.deepEqual(outcome.violations, [{ message: missing("cust-acme"), urn: NS_URN }]);
    });

    const notDenyAll: [string, (spec: Record<string, unknown>) => void][] = [
      ["selects only some pods", (s) => (s.podSelector = { matchLabels: { app: "welcome" } })],
      ["selects by expression", (s) => (s.podSelector = { matchExpressions: [{ key: "a", operator: "Exists" }] })],
      ["covers ingress only", (s) => (s.policyTypes = ["Ingress"])],
      ["allows some ingress", (s) => (s.ingress = [{ from: [{ podSelector: {} }] }])],
      ["allows some egress", (s) => (s.egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }])],
      ["has no podSelector", (s) => delete s.podSelector],
    ];
    for (const [label, mutate] of notDenyAll) {
      it(`flags a NetworkPolicy that ${label}`, async () => {
        const np = defaultDeny();
        mutate(np.props.spec);
        assert.equal(isDefaultDeny(np.props.spec), false);
        const outcome = await runStackPolicy(tenantNamespaceDefaultDeny, [tenantNamespace(), np]);
        assert.deepEqual(outcome.violations, [{ message: missing("cust-acme"), urn: NS_URN }]);
      });
    }

    it("accepts explicit empty rule lists and empty matchLabels as deny-all", () => {
      assert.equal(
        isDefaultDeny({ podSelector: { matchLabels: {} }, policyTypes: ["Egress", "Ingress"], ingress: [], egress: [] }),
        true,
      );
    });
  });

  describe("a tenancy policy that matches no tenant namespace is reported", () => {
    const site = (id: string) => ({ type: CUSTOMER_SITE_TYPE, name: `customer-${id}`, props: {} });
    for (const policy of [tenantNamespacePsaRestricted, tenantNamespaceDefaultDeny]) {
      it(`${policy.name}: two customer sites but one cust-* namespace is a violation naming both counts`, async () => {
        const outcome = await runStackPolicy(policy, [site("acme"), site("zeta"), tenantNamespace("acme"), defaultDeny()]);
        assert.deepEqual(outcome.violations.map((v) => v.message), [
          "the stack has 2 customer site(s) but only 1 Namespace(s) named cust-*: tenant policies cannot judge the others (is the tenant namespace prefix right?)",
        ]);
      });
      it(`${policy.name}: as many namespaces as sites passes`, async () => {
        const outcome = await runStackPolicy(policy, [site("acme"), tenantNamespace("acme"), defaultDeny()]);
        assert.deepEqual(outcome.violations, []);
      });
    }
  });
});

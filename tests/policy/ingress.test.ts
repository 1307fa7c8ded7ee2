import { strict as assert } from "node:assert";
import { ingressClassName, ingressRuleHosts } from "../../policy/policies/ingress";
import { ingress } from "./fixtures";
import { runResourcePolicy } from "./harness";

describe("policy: Ingress", () => {
  describe("ingress-class-name", () => {
    it("passes an Ingress with spec.ingressClassName", async () => {
      assert.deepEqual(await runResourcePolicy(ingressClassName, ingress()), { violations: [] });
    });

    it("flags an Ingress relying on the deprecated class annotation", async () => {
      const ing = ingress();
      delete ing.props.spec.ingressClassName;
      ing.props.metadata.annotations = { "kubernetes.io/ingress.class": "nginx" };
      assert.deepEqual((await runResourcePolicy(ingressClassName, ing)).violations, [
        "Ingress cust-acme/welcome: set spec.ingressClassName",
      ]);
    });
  });

  describe("ingress-rule-hosts", () => {
    it("passes when every rule has a host", async () => {
      assert.deepEqual(await runResourcePolicy(ingressRuleHosts, ingress()), { violations: [] });
    });

    it("flags the rule without a host", async () => {
      const ing = ingress();
      ing.props.spec.rules.push({ http: ing.props.spec.rules[0].http });
      assert.deepEqual((await runResourcePolicy(ingressRuleHosts, ing)).violations, [
        "Ingress cust-acme/welcome: spec.rules[1].host is not set, so the rule matches every hostname",
      ]);
    });

    it("flags a defaultBackend-only Ingress", async () => {
      const ing = ingress();
      ing.props.spec = { ingressClassName: "nginx", defaultBackend: { service: { name: "welcome", port: { number: 80 } } } };
      assert.deepEqual((await runResourcePolicy(ingressRuleHosts, ing)).violations, [
        "Ingress cust-acme/welcome: spec.rules is empty, so it serves every hostname; add a rule with a host",
      ]);
    });
  });
});

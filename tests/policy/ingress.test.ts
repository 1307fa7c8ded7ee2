import { strict as assert } from "node:assert";
import { HTTP_ROUTE_TYPE, ingressClassName, ingressRuleHosts } from "../../policy/policies/ingress";
import { httpRouteManifest } from "../../components/tenant/manifests";
import { renderSiteContent } from "../../components/model/site/content";
import { DEFAULT_TIER_SIZES } from "../../components/model/tiers";
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

  describe("ingress-rule-hosts on HTTPRoutes (routing gateway)", () => {
    /* eslint-disable @typescript-eslint/no-explicit-any -- policy inputs are plain JSON */
    const customer = { id: "acme", companyName: "Acme", motto: "m", tier: "starter" as const, purchaseId: "PO-1" };
    const route = (): { type: string; props: any } => ({
      type: HTTP_ROUTE_TYPE,
      props: JSON.parse(
        JSON.stringify(
          httpRouteManifest({
            customer,
            content: renderSiteContent(customer),
            size: DEFAULT_TIER_SIZES.starter,
            image: "docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine",
            baseDomain: "welcome.sas.example",
            ingressClassName: "traefik",
            tls: { enabled: true },
            tenancy: { podSecurityVersion: "v1.33", ingressNamespace: "traefik", ingressPodSelector: { "app.kubernetes.io/name": "traefik" }, supportGroup: "g", basicAuth: false },
            gateway: { name: "sas-gateway", namespace: "traefik" },
          }),
        ),
      ),
    });

    it("passes the rendered customer route (its one exact hostname)", async () => {
      assert.deepEqual(await runResourcePolicy(ingressRuleHosts, route()), { violations: [] });
    });

    it("flags an HTTPRoute without hostnames: it would answer for every host of the Gateway", async () => {
      const r = route();
      delete r.props.spec.hostnames;
      assert.deepEqual((await runResourcePolicy(ingressRuleHosts, r)).violations, [
        "HTTPRoute cust-acme/welcome: spec.hostnames is empty, so it serves every hostname of its Gateway; list the customer's hostname",
      ]);
    });

    it("flags a wildcard or empty hostname, on HTTPRoutes and Ingresses alike", async () => {
      const r = route();
      r.props.spec.hostnames = ["*.welcome.sas.example", ""];
      assert.deepEqual((await runResourcePolicy(ingressRuleHosts, r)).violations, [
        'HTTPRoute cust-acme/welcome: spec.hostnames[0] is a wildcard ("*.welcome.sas.example"), so it matches every customer\'s hostname',
        "HTTPRoute cust-acme/welcome: spec.hostnames[1] is not set, so the rule matches every hostname",
      ]);
      const ing = ingress();
      ing.props.spec.rules[0].host = "*.welcome.sas.example";
      assert.deepEqual((await runResourcePolicy(ingressRuleHosts, ing)).violations, [
        'Ingress cust-acme/welcome: spec.rules[0].host is a wildcard ("*.welcome.sas.example"), so it matches every customer\'s hostname',
      ]);
    });
    /* eslint-enable @typescript-eslint/no-explicit-any */
  });
});

import { strict as assert } from "node:assert";
import { pushgatewayServiceMonitorManifest, traefikPodMonitorManifest } from "../../../../components/model/monitoring/scrape";
import { TRAEFIK_SERVICE_REGEX, traefikServiceName } from "../../../../components/model/monitoring/promql";
import { resolveMonitoringSettings } from "../../../../components/model/monitoring/settings";
import { ingressManifest, serviceManifest, type SiteSpec } from "../../../../components/tenant/manifests";
import { renderSiteContent } from "../../../../components/model/site/content";
import { DEFAULT_TIER_SIZES } from "../../../../components/model/tiers";
import type { Customer } from "../../../../components/model/customer";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain JSON-shaped data */
const s = resolveMonitoringSettings({ environment: "prod", baseDomain: "sas.example.com", tls: true, selectorLabels: { release: "kps" } });

describe("scrape configuration", () => {
    it("scrapes Traefik's pods on their metrics port with a fixed job name", () => {
        const m = traefikPodMonitorManifest(s);
        assert.equal(m.kind, "PodMonitor");
        assert.deepEqual(m.metadata, {
            name: "traefik",
            namespace: "monitoring",
            labels: { "app.kubernetes.io/part-of": "sas-onboarding", "app.kubernetes.io/managed-by": "pulumi", release: "kps" },
        });
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: ["traefik"] });
        assert.deepEqual(m.spec.selector.matchLabels, { "app.kubernetes.io/name": "traefik" });
        assert.equal(m.spec.podMetricsEndpoints[0].port, "metrics");
        assert.deepEqual(m.spec.podMetricsEndpoints[0].relabelings, [{ action: "replace", targetLabel: "job", replacement: "traefik" }]);
    });

    it("scrapes the Pushgateway keeping the pushed labels (honorLabels)", () => {
        const m = pushgatewayServiceMonitorManifest(s);
        assert.equal(m.kind, "ServiceMonitor");
        assert.equal(m.spec.endpoints[0].honorLabels, true);
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: ["monitoring"] });
    });

    it("derives a customer's Traefik service name from the real Service and Ingress manifests", () => {
        const customer: Customer = { id: "acme-co", companyName: "Acme", motto: "m", tier: "starter", purchaseId: "PO-1" };
        const spec: SiteSpec = {
            customer,
            content: renderSiteContent(customer),
            size: DEFAULT_TIER_SIZES.starter,
            image: "x:1",
            baseDomain: "sas.example.com",
            ingressClassName: "traefik",
            tls: { enabled: true },
            tenancy: { podSecurityVersion: "v1.33", ingressNamespace: "traefik", ingressPodSelector: { "app.kubernetes.io/name": "traefik" }, supportGroup: "g", basicAuth: false },
        };
        const ingress: any = ingressManifest(spec);
        const service: any = serviceManifest(spec);
        const backend = ingress.spec.rules[0].http.paths[0].backend.service;
        assert.equal(backend.name, service.metadata.name);
        // Traefik's Ingress provider: Normalize(<namespace>-<service>-<port name or number>) + "@kubernetes".
        const traefikName = `${ingress.metadata.namespace}-${backend.name}-${backend.port.name ?? backend.port.number}@kubernetes`;
        assert.equal(traefikServiceName("acme-co"), traefikName);
        const m = new RegExp(`^${TRAEFIK_SERVICE_REGEX}$`).exec(traefikName);
        assert.equal(m?.[1], "acme-co", "the label_replace regex gives back the customer id, dashes included");
        assert.equal(new RegExp(`^${TRAEFIK_SERVICE_REGEX}$`).exec("kube-system-welcome-http@kubernetes"), null);
    });
});

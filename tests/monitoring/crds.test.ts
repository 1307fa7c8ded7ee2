// The Prometheus Operator objects the builders render decode, with unknown fields refused, into the operator's own Go
// API types (tests/harness/go/prometheus/crdcheck, github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring):
// a misspelt or misplaced field would otherwise be pruned silently by the API server and the probe or rule lost.
import { strict as assert } from "node:assert";
import { customerProbeManifest } from "../../components/model/monitoring/probes";
import { prometheusRuleManifest } from "../../components/model/monitoring/rules";
import { pushgatewayServiceMonitorManifest, traefikPodMonitorManifest } from "../../components/model/monitoring/scrape";
import { stackMonitoringSettings, STACKS } from "./stacks";
import { requireGoTool, run } from "./tools";

describe("Prometheus Operator objects: the operator's Go API types", function () {
    this.timeout(900_000);
    let crdcheck = "";
    before(function () {
        crdcheck = requireGoTool(this, "crdcheck");
    });

    it("decode strictly for every stack: PrometheusRule, PodMonitor, ServiceMonitor and a customer's Probe", function () {
        const objects = STACKS.flatMap((stack) => {
            const s = { ...stackMonitoringSettings(stack), selectorLabels: { release: "kube-prometheus-stack" } };
            return [
                prometheusRuleManifest(s),
                traefikPodMonitorManifest(s),
                pushgatewayServiceMonitorManifest(s),
                customerProbeManifest({ id: "acme-co", companyName: "Acme & Co", tier: "enterprise" }, s),
            ];
        });
        const res = run(crdcheck, [], { input: JSON.stringify(objects) });
        assert.equal(res.status, 0, res.output);
        assert.equal(res.stdout.trim().split("\n").filter((l) => l.startsWith("ok ")).length, objects.length, res.output);
    });

    it("negative control: a misspelt field is refused", function () {
        const s = stackMonitoringSettings("prod");
        const probe = customerProbeManifest({ id: "acme", companyName: "Acme", tier: "starter" }, s) as unknown as { spec: Record<string, unknown> };
        probe.spec.scrapeTimeOut = probe.spec.scrapeTimeout;
        delete probe.spec.scrapeTimeout;
        const res = run(crdcheck, [], { input: JSON.stringify([probe]) });
        assert.equal(res.status, 1, res.output);
        assert.match(res.stdout, /error Probe cust-acme\/welcome-page: unknown field "spec.scrapeTimeOut"/);
    });
});

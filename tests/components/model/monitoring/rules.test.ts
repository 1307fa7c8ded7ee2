import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { knownSeriesNames } from "../../../../components/model/monitoring/catalog";
import { isAlertingRule } from "../../../../components/model/monitoring/crds";
import { ALERT_NAMES, alertSpecs, prometheusRuleManifest, RECORDING_RULES, ruleFile } from "../../../../components/model/monitoring/rules";
import { resolveMonitoringSettings } from "../../../../components/model/monitoring/settings";
import { seriesNames } from "../../../monitoring/promql-names";

const s = resolveMonitoringSettings({ environment: "stage", baseDomain: "stage.sas.example.com", tls: true, selectorLabels: { release: "kps" } });
const alerts = () => ruleFile(s).groups.flatMap((g) => g.rules.filter(isAlertingRule));
const MONITORING_MD = path.resolve(__dirname, "../../../../docs/MONITORING.md");

describe("monitoring rules (builders)", () => {
    it("renders every alert of the catalogue once, each with severity, scope, environment and three annotations", () => {
        assert.deepEqual(alerts().map((a) => a.alert).sort(), [...ALERT_NAMES].sort());
        for (const a of alerts()) {
            assert.deepEqual(Object.keys(a.labels).sort(), ["environment", "scope", "severity"], a.alert);
            assert.equal(a.labels.environment, "stage");
            assert.match(a.labels.severity, /^(critical|warning)$/);
            assert.deepEqual(Object.keys(a.annotations).sort(), ["description", "runbook_url", "summary"], a.alert);
            assert.match(a.annotations.summary, /\(stage\)$/, `${a.alert}: the summary names the environment`);
            assert.equal(a.annotations.runbook_url, `docs/MONITORING.md#${a.alert.toLowerCase()}`);
        }
    });

    it("customer-scoped alerts name the customer in their summary; fleet alerts are the ingress and dead-letter ones", () => {
        for (const a of alerts()) {
            if (a.labels.scope === "customer") assert.match(a.annotations.summary, /\{\{ \$labels\.customer \}\}/, a.alert);
        }
        assert.deepEqual(alerts().filter((a) => a.labels.scope === "fleet").map((a) => a.alert), ["IngressControllerDown", "OnboardingDeadLetters"]);
    });

    it("every runbook_url anchor is a section of docs/MONITORING.md", () => {
        const headings = new Set(
            fs
                .readFileSync(MONITORING_MD, "utf8")
                .split("\n")
                .filter((l) => /^#{1,6} /.test(l))
                .map((l) => l.replace(/^#+ /, "").trim().toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")),
        );
        for (const a of alertSpecs(s)) assert.ok(headings.has(a.anchor), `docs/MONITORING.md has no heading for #${a.anchor}`);
    });

    it("every expression reads only series an exporter, the pipeline or a recording rule produces", () => {
        const known = knownSeriesNames();
        const unknown = ruleFile(s).groups.flatMap((g) => g.rules.flatMap((r) => seriesNames(r.expr).filter((n) => !known.has(n)).map((n) => `${g.name}: ${n}`)));
        assert.deepEqual(unknown, []);
        assert.ok(!known.has("probe_sucess"), "negative control: a misspelt metric is not known");
    });

    it("the recording rules open the group of the alerts that read them", () => {
        const traffic = ruleFile(s).groups.find((g) => g.rules.some((r) => "record" in r))!;
        const order = traffic.rules.map((r) => ("record" in r ? r.record : r.alert));
        assert.deepEqual(order.slice(0, 3), Object.values(RECORDING_RULES));
        for (const a of alerts()) {
            if (Object.values(RECORDING_RULES).some((name) => a.expr.includes(name))) assert.ok(order.includes(a.alert), `${a.alert} reads a recording rule from another group`);
        }
    });

    it("thresholds from the settings land in the expressions", () => {
        const custom = resolveMonitoringSettings({
            environment: "prod",
            baseDomain: "sas.example.com",
            tls: true,
            thresholds: { latencyP95Seconds: 2.5, errorRatio5xx: 0.2, onboardingStuckMinutes: 90, verifyGraceMinutes: 5, quotaUsedRatio: 0.8 },
        });
        const expr = (name: string) => alertSpecs(custom).find((a) => a.alert === name)!.expr;
        assert.match(expr("CustomerPageSlow"), /> 2\.5$/);
        assert.match(expr("CustomerHigh5xxRate"), /> 0\.2\)/);
        assert.match(expr("OnboardingStuck"), /> 5400\)/);
        assert.match(expr("VerifyFailingAfterDeploy"), /time\(\) - 300\)$/);
        assert.match(expr("TenantQuotaNearlyExhausted"), /> 0\.8,/);
        assert.match(expr("OnboardingStuck"), /environment="prod"/);
    });

    it("the PrometheusRule carries the rule file in the monitoring namespace with the selector labels", () => {
        const m = prometheusRuleManifest(s);
        assert.equal(m.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(m.kind, "PrometheusRule");
        assert.deepEqual([m.metadata.name, m.metadata.namespace, m.metadata.labels.release], ["sas-onboarding", "monitoring", "kps"]);
        assert.deepEqual(m.spec, ruleFile(s));
    });
});

describe("monitoring settings", () => {
    const base = { environment: "prod", baseDomain: "sas.example.com", tls: true };
    it("fills defaults", () => {
        const r = resolveMonitoringSettings(base);
        assert.equal(r.namespace, "monitoring");
        assert.equal(r.blackbox.proberUrl, "blackbox-exporter.monitoring.svc:9115");
        assert.equal(r.thresholds.onboardingStuckMinutes, 30);
        assert.equal(r.traefik.job, "traefik");
    });
    it("refuses values that would render broken or silent rules", () => {
        assert.throws(() => resolveMonitoringSettings({ ...base, environment: "Prod!" }), /environment "Prod!"/);
        assert.throws(() => resolveMonitoringSettings({ ...base, blackbox: { proberUrl: "http://x:9115" } }), /without a scheme/);
        assert.throws(() => resolveMonitoringSettings({ ...base, blackbox: { timeout: "30s", interval: "30s" } }), /shorter than/);
        assert.throws(() => resolveMonitoringSettings({ ...base, thresholds: { errorRatio5xx: 5 } }), /ratio in \(0, 1\]/);
        assert.throws(() => resolveMonitoringSettings({ ...base, thresholds: { latencyP95Seconds: 0 } }), /positive number/);
        assert.throws(() => resolveMonitoringSettings({ ...base, traefik: { job: 'x"y' } }), /plain job name/);
    });
});

/**
 * Recording and alerting rules for one environment, as a Prometheus rule file (for promtool) and as a PrometheusRule
 * (for the Prometheus Operator). Nothing in them names a customer: a new customer is watched by the same rules, so
 * adding one never changes this object. Each alert carries `environment` (set here), `severity`, `scope`
 * ("customer": also `customer`, taken from the series or from its namespace / Traefik service; "fleet": the whole
 * environment), a summary, a description and a runbook_url into docs/MONITORING.md.
 *
 * Annotation templates see the labels of the alerting series, not the rule's own labels: `environment` is written
 * into the text here (one rule file per environment), because most series (kube-state-metrics, Traefik) lack it.
 */
import { MONITORING_API_VERSION, type AlertingRule, type PrometheusRuleManifest, type RecordingRule, type RuleFile, type RuleGroup } from "./crds";
import { PIPELINE_METRICS } from "./pipeline-metrics";
import {
    customerFromNamespace,
    customerFromTraefikService,
    quote,
    TENANT_NAMESPACE_SELECTOR,
    TRAEFIK_SERVICE_SELECTOR,
} from "./promql";
import { PROBE_JOB, type MonitoringSettings } from "./settings";
import { OBJECT_NAMES } from "../names";

export const RULE_NAME = "sas-onboarding";
/** Recording rules on Traefik's metrics and the alerts reading them, evaluated in this order. */
const TRAFFIC_GROUP = "sas-onboarding.traffic";

/** Recording rules (level:metric:operations); the dashboard reads them too. */
export const RECORDING_RULES = {
    requests: "customer:traefik_service_requests:rate5m",
    requests5xx: "customer:traefik_service_requests_5xx:rate5m",
    latencyP95: "customer:traefik_service_request_duration_seconds:p95_5m",
} as const;

export type Severity = "critical" | "warning";
export type Scope = "customer" | "fleet";

export interface AlertSpec {
    alert: string;
    group: string;
    severity: Severity;
    scope: Scope;
    for?: string;
    expr: string;
    summary: string;
    description: string;
    /** Anchor of the alert's section in docs/MONITORING.md (GitHub's: the heading lower-cased). */
    anchor: string;
}

export const ALERT_NAMES = [
    "CustomerPageDown",
    "CustomerPageWrongContent",
    "CustomerProbeFailing",
    "CustomerPageSlow",
    "CustomerHigh5xxRate",
    "IngressControllerDown",
    "OnboardingStuck",
    "OnboardingFailed",
    "VerifyFailingAfterDeploy",
    "OnboardingDeadLetters",
    "TenantPodsNotReady",
    "TenantQuotaNearlyExhausted",
    "TenantHpaAtMax",
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

const pct = (ratio: number) => `${+(ratio * 100).toFixed(2)}%`;

export function alertSpecs(s: MonitoringSettings): AlertSpec[] {
    const env = quote(s.environment);
    const t = s.thresholds;
    const probe = (metric: string) => `${metric}{job=${quote(PROBE_JOB)}}`;
    const M = PIPELINE_METRICS;
    const specs: Array<Omit<AlertSpec, "anchor">> = [
        {
            alert: "CustomerPageDown",
            group: "sas-onboarding.customer-pages",
            severity: "critical",
            scope: "customer",
            for: "5m",
            // Failures with a 200 are wrong content (next alert); the two partition every failed probe.
            expr: `(${probe("probe_success")} == 0) unless (${probe("probe_http_status_code")} == 200)`,
            summary: `Welcome page of {{ $labels.customer }} is down (${s.environment})`,
            description:
                "The probe of {{ $labels.instance }} has failed for 5 minutes without an HTTP 200: no answer, a TLS error, a redirect or an error status.",
        },
        {
            alert: "CustomerPageWrongContent",
            group: "sas-onboarding.customer-pages",
            severity: "critical",
            scope: "customer",
            for: "5m",
            expr: `(${probe("probe_success")} == 0) and (${probe("probe_http_status_code")} == 200)`,
            summary: `Welcome page of {{ $labels.customer }} shows the wrong content (${s.environment})`,
            description:
                '{{ $labels.instance }} has answered 200 for 5 minutes, but its body lacks "Welcome to SAS" or the company name of {{ $labels.customer }}.',
        },
        {
            alert: "CustomerProbeFailing",
            group: "sas-onboarding.customer-pages",
            severity: "warning",
            scope: "customer",
            for: "10m",
            expr: `${probe("up")} == 0`,
            summary: `The page of {{ $labels.customer }} is not being probed (${s.environment})`,
            description:
                "Prometheus has not been able to scrape the blackbox exporter for {{ $labels.instance }} for 10 minutes (exporter down, or module sas-welcome-{{ $labels.customer }} missing from its config): nobody watches this page.",
        },
        {
            alert: "CustomerPageSlow",
            group: TRAFFIC_GROUP,
            severity: "warning",
            scope: "customer",
            for: "10m",
            expr: `${RECORDING_RULES.latencyP95} > ${t.latencyP95Seconds}`,
            summary: `Welcome page of {{ $labels.customer }} is slow (${s.environment})`,
            description: `The p95 latency of real traffic through Traefik has been above ${t.latencyP95Seconds}s for 10 minutes; now {{ $value | humanizeDuration }}.`,
        },
        {
            alert: "CustomerHigh5xxRate",
            group: TRAFFIC_GROUP,
            severity: "warning",
            scope: "customer",
            for: "5m",
            expr: `(${RECORDING_RULES.requests5xx} / ${RECORDING_RULES.requests} > ${t.errorRatio5xx}) and (${RECORDING_RULES.requests} > ${t.minRequestsPerSecond})`,
            summary: `Welcome page of {{ $labels.customer }} answers 5xx (${s.environment})`,
            description: `{{ $value | humanizePercentage }} of its requests answered 5xx over the last 5 minutes (threshold ${pct(t.errorRatio5xx)}), for 5 minutes.`,
        },
        {
            alert: "IngressControllerDown",
            group: "sas-onboarding.ingress",
            severity: "critical",
            scope: "fleet",
            for: "3m",
            expr: `(sum by (job) (up{job=${quote(s.traefik.job)}}) == 0) or absent(up{job=${quote(s.traefik.job)}})`,
            summary: `The ingress controller (Traefik) is down (${s.environment})`,
            description:
                "No Traefik pod of job {{ $labels.job }} has been scraped for 3 minutes: every customer page is unreachable. Per-customer alerts are inhibited meanwhile.",
        },
        {
            alert: "OnboardingStuck",
            group: "sas-onboarding.pipeline",
            severity: "warning",
            scope: "customer",
            expr:
                `((time() - max by (customer, environment) (${M.recorded.name}{environment=${env}})) > ${t.onboardingStuckMinutes * 60})` +
                ` * on (customer, environment) group_left (state)` +
                ` (max by (customer, environment, state) (${M.state.name}{environment=${env}, state!~"live|failed"}) == 1)`,
            summary: `Onboarding of {{ $labels.customer }} is stuck in {{ $labels.state }} (${s.environment})`,
            description: `The purchase was recorded {{ $value | humanizeDuration }} ago and the page is not live (threshold ${t.onboardingStuckMinutes} minutes).`,
        },
        {
            alert: "OnboardingFailed",
            group: "sas-onboarding.pipeline",
            severity: "critical",
            scope: "customer",
            expr: `max by (customer, environment) (${M.state.name}{environment=${env}, state="failed"}) == 1`,
            summary: `Onboarding of {{ $labels.customer }} failed (${s.environment})`,
            description: "The pipeline gave up on {{ $labels.customer }}: the customer has paid and has no page.",
        },
        {
            alert: "VerifyFailingAfterDeploy",
            group: "sas-onboarding.pipeline",
            severity: "critical",
            scope: "customer",
            expr:
                `max by (customer, environment) (${M.verifyLastSuccess.name}{environment=${env}})` +
                ` < on (environment) group_left ()` +
                ` (max by (environment) (${M.deployLastSuccess.name}{environment=${env}}) < time() - ${t.verifyGraceMinutes * 60})`,
            summary: `Verify has not passed for {{ $labels.customer }} since the last deploy (${s.environment})`,
            description: `Last verified at {{ $value | humanizeTimestamp }}, before the environment's last successful deploy, which is more than ${t.verifyGraceMinutes} minutes old.`,
        },
        {
            alert: "OnboardingDeadLetters",
            group: "sas-onboarding.pipeline",
            severity: "warning",
            scope: "fleet",
            expr: `max by (environment) (${M.deadLetters.name}{environment=${env}}) > 0`,
            summary: `{{ $value }} purchase event(s) in the dead-letter queue (${s.environment})`,
            description: "Intake gave up on these events after its retries; each is a purchase without a customer until someone replays or rejects it.",
        },
        {
            alert: "TenantPodsNotReady",
            group: "sas-onboarding.tenants",
            severity: "warning",
            scope: "customer",
            for: "10m",
            expr: customerFromNamespace(
                `sum by (namespace) (kube_pod_status_ready{${TENANT_NAMESPACE_SELECTOR}, condition=~"false|unknown"}) > 0` +
                    ` or sum by (namespace) (kube_deployment_spec_replicas{${TENANT_NAMESPACE_SELECTOR}, deployment=${quote(OBJECT_NAMES.app)}}` +
                    ` - kube_deployment_status_replicas_available{${TENANT_NAMESPACE_SELECTOR}, deployment=${quote(OBJECT_NAMES.app)}}) > 0`,
            ),
            summary: `Pods of {{ $labels.customer }} are not ready (${s.environment})`,
            description: "{{ $value }} pod(s) of namespace {{ $labels.namespace }} have been not ready, or missing from the Deployment's replicas, for 10 minutes.",
        },
        {
            alert: "TenantQuotaNearlyExhausted",
            group: "sas-onboarding.tenants",
            severity: "warning",
            scope: "customer",
            for: "15m",
            expr: customerFromNamespace(
                `max by (namespace, resourcequota, resource) (kube_resourcequota{${TENANT_NAMESPACE_SELECTOR}, type="used"})` +
                    ` / max by (namespace, resourcequota, resource) (kube_resourcequota{${TENANT_NAMESPACE_SELECTOR}, type="hard"}) > ${t.quotaUsedRatio}`,
            ),
            summary: `Quota of {{ $labels.customer }} is nearly exhausted (${s.environment})`,
            description: `{{ $labels.resource }} of ResourceQuota {{ $labels.resourcequota }} has been above ${pct(t.quotaUsedRatio)} of its hard limit for 15 minutes; now {{ $value | humanizePercentage }}.`,
        },
        {
            alert: "TenantHpaAtMax",
            group: "sas-onboarding.tenants",
            severity: "warning",
            scope: "customer",
            for: "15m",
            expr: customerFromNamespace(
                `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${TENANT_NAMESPACE_SELECTOR}})` +
                    ` >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{${TENANT_NAMESPACE_SELECTOR}})`,
            ),
            summary: `The autoscaler of {{ $labels.customer }} is at its maximum (${s.environment})`,
            description: "HorizontalPodAutoscaler {{ $labels.horizontalpodautoscaler }} has run {{ $value }} replicas, its maximum, for 15 minutes.",
        },
    ];
    return specs.map((a) => ({ ...a, anchor: a.alert.toLowerCase() }));
}

export function recordingRules(s: MonitoringSettings): RecordingRule[] {
    const labels = { environment: s.environment };
    const traefik = (metric: string, extra = "") => `rate(${metric}{${TRAEFIK_SERVICE_SELECTOR}${extra}}[5m])`;
    return [
        {
            record: RECORDING_RULES.requests,
            expr: `sum by (customer) (${customerFromTraefikService(traefik("traefik_service_requests_total"))})`,
            labels,
        },
        {
            record: RECORDING_RULES.requests5xx,
            expr: `sum by (customer) (${customerFromTraefikService(traefik("traefik_service_requests_total", ', code=~"5.."'))})`,
            labels,
        },
        {
            record: RECORDING_RULES.latencyP95,
            expr: `histogram_quantile(0.95, sum by (customer, le) (${customerFromTraefikService(traefik("traefik_service_request_duration_seconds_bucket"))}))`,
            labels,
        },
    ];
}

export function alertingRule(a: AlertSpec, s: MonitoringSettings): AlertingRule {
    return {
        alert: a.alert,
        expr: a.expr,
        ...(a.for ? { for: a.for } : {}),
        labels: { severity: a.severity, scope: a.scope, environment: s.environment },
        annotations: {
            summary: a.summary,
            description: a.description,
            runbook_url: `${s.runbookBaseUrl}#${a.anchor}`,
        },
    };
}

/**
 * The rule file: the alert groups in catalogue order. The recording rules open the traffic group, ahead of the alerts
 * that read them: rules of one group run in order at the same timestamp, while separate groups run independently and
 * an alert could read the previous minute's recording (firing one interval late, as promtool showed).
 */
export function ruleFile(s: MonitoringSettings): RuleFile {
    const groups: RuleGroup[] = [{ name: TRAFFIC_GROUP, rules: recordingRules(s) }];
    for (const a of alertSpecs(s)) {
        let g = groups.find((x) => x.name === a.group);
        if (!g) groups.push((g = { name: a.group, rules: [] }));
        g.rules.push(alertingRule(a, s));
    }
    return { groups };
}

export function prometheusRuleManifest(s: MonitoringSettings): PrometheusRuleManifest {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PrometheusRule",
        metadata: {
            name: RULE_NAME,
            namespace: s.namespace,
            labels: { "app.kubernetes.io/part-of": "sas-onboarding", "app.kubernetes.io/managed-by": "pulumi", ...s.selectorLabels },
        },
        spec: ruleFile(s),
    };
}

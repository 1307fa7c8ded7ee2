// The promtool unit tests of every alert, as data: input series in which one customer fails and another is healthy,
// and the eval times at which each alert must stay silent (still pending, or never) and must fire (with its exact
// labels and annotations). promtool-tests.ts turns them into a `promtool test rules` file.
import type { AlertName } from "../../components/model/monitoring/rules";
import { traefikServiceName } from "../../components/model/monitoring/promql";

export const ENV = "prod";
export const BASE_DOMAIN = "sas.example.com";

export interface Series {
    series: string;
    values: string;
}

export interface Firing {
    /** Labels the series gives the alert; the rule's own (severity, scope, environment) are added from the builder. */
    labels: Record<string, string>;
    /** What `{{ $value ... }}` renders to in this alert's annotations, when they use it. */
    value?: string;
}

export interface Expectation {
    alert: AlertName;
    at: string;
    /** [] = silent at that time. */
    fires: Firing[];
}

export interface ExprExpectation {
    expr: string;
    at: string;
    samples: Array<{ labels: string; value: number }>;
}

export interface CaseGroup {
    name: string;
    input: Series[];
    expect: Expectation[];
    exprs?: ExprExpectation[];
}

const labelText = (labels: Record<string, string>) =>
    `{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ")}}`;
const s = (metric: string, labels: Record<string, string>, values: string): Series => ({ series: `${metric}${labelText(labels)}`, values });

const url = (id: string) => `https://${id}.${BASE_DOMAIN}/`;
const probeLabels = (id: string) => ({ job: "sas-welcome", instance: url(id), customer: id, environment: ENV });
const probe = (id: string, success: string, status: string, up = "1x20"): Series[] => [
    s("probe_success", probeLabels(id), success),
    s("probe_http_status_code", probeLabels(id), status),
    s("up", probeLabels(id), up),
];

const traefikBuckets = (id: string, perMinute: Record<string, number>): Series[] =>
    Object.entries(perMinute).map(([le, n]) =>
        s(
            "traefik_service_request_duration_seconds_bucket",
            { job: "traefik", service: traefikServiceName(id), code: "200", method: "GET", protocol: "http", le },
            `0+${n}x30`,
        ),
    );
const traefikRequests = (id: string, code: string, perMinute: number): Series =>
    s("traefik_service_requests_total", { job: "traefik", service: traefikServiceName(id), code, method: "GET", protocol: "http" }, `0+${perMinute}x30`);

const pipe = { job: "sas-onboarding" };
const states = (id: string, byState: Record<string, string>, env = ENV): Series[] =>
    ["received", "recorded", "deployed", "live", "failed"].map((state) =>
        s("sas_onboarding_state", { ...pipe, environment: env, customer: id, state }, byState[state] ?? "0x60"),
    );
const recorded = (id: string, values: string): Series => s("sas_onboarding_recorded_timestamp_seconds", { ...pipe, environment: ENV, customer: id }, values);

const ksm = { job: "kube-state-metrics" };

export const CASE_GROUPS: CaseGroup[] = [
    {
        name: "customer page probes: down, wrong content, not probed",
        input: [
            ...probe("acme", "0x20", "0x20"), // connection refused: down
            ...probe("errco", "0x20", "503x20"), // an error status: down
            ...probe("wrongco", "0x20", "200x20"), // 200 without the company name: wrong content, not down
            ...probe("good", "1x20", "200x20"),
            // The exporter cannot probe lostco (module missing): the scrape fails, no probe_* series at all.
            s("up", probeLabels("lostco"), "0x20"),
        ],
        expect: [
            { alert: "CustomerPageDown", at: "4m", fires: [] },
            { alert: "CustomerPageDown", at: "5m", fires: [{ labels: probeLabels("acme") }, { labels: probeLabels("errco") }] },
            { alert: "CustomerPageDown", at: "15m", fires: [{ labels: probeLabels("acme") }, { labels: probeLabels("errco") }] },
            { alert: "CustomerPageWrongContent", at: "4m", fires: [] },
            { alert: "CustomerPageWrongContent", at: "5m", fires: [{ labels: probeLabels("wrongco") }] },
            { alert: "CustomerProbeFailing", at: "9m", fires: [] },
            { alert: "CustomerProbeFailing", at: "10m", fires: [{ labels: probeLabels("lostco") }] },
        ],
    },
    {
        name: "customer page probes: a page that recovers before 5m never fires",
        input: [...probe("flappy", "0 0 0 1x20", "0 0 0 200x20"), ...probe("good", "1x20", "200x20")],
        expect: [
            { alert: "CustomerPageDown", at: "2m", fires: [] },
            { alert: "CustomerPageDown", at: "5m", fires: [] },
            { alert: "CustomerPageDown", at: "10m", fires: [] },
        ],
    },
    {
        name: "traefik: slow p95 and 5xx ratio per customer",
        input: [
            // Traefik's default buckets 0.1, 0.3, 1.2, 5: acme's requests all take 1.2-5 s, good's all under 0.1 s.
            ...traefikBuckets("acme", { "0.1": 0, "0.3": 0, "1.2": 0, "5": 60, "+Inf": 60 }),
            ...traefikBuckets("good", { "0.1": 60, "0.3": 60, "1.2": 60, "5": 60, "+Inf": 60 }),
            // acme 10 % 5xx at 1 req/s; good 0 %; quietco 100 % 5xx but one request in 100 minutes (under the floor).
            traefikRequests("acme", "200", 54),
            traefikRequests("acme", "502", 6),
            traefikRequests("good", "200", 60),
            traefikRequests("good", "500", 0),
            traefikRequests("quietco", "502", 0.01),
            // Another tenant's service name that merely contains "welcome", and a non-tenant backend: never customers.
            s("traefik_service_requests_total", { job: "traefik", service: "kube-system-welcome-http@kubernetes", code: "502" }, "0+60x30"),
        ],
        expect: [
            // rate() over [5m] needs two samples: the p95 exists from 1m, so "for: 10m" fires at 11m.
            { alert: "CustomerPageSlow", at: "10m", fires: [] },
            { alert: "CustomerPageSlow", at: "11m", fires: [{ labels: { customer: "acme", environment: ENV }, value: "4.81s" }] },
            { alert: "CustomerHigh5xxRate", at: "5m", fires: [] },
            { alert: "CustomerHigh5xxRate", at: "6m", fires: [{ labels: { customer: "acme", environment: ENV }, value: "10%" }] },
            { alert: "CustomerHigh5xxRate", at: "20m", fires: [{ labels: { customer: "acme", environment: ENV }, value: "10%" }] },
        ],
        exprs: [
            {
                expr: "count by (customer, environment) (customer:traefik_service_requests:rate5m)",
                at: "10m",
                samples: [
                    { labels: `{customer="acme", environment="${ENV}"}`, value: 1 },
                    { labels: `{customer="good", environment="${ENV}"}`, value: 1 },
                    { labels: `{customer="quietco", environment="${ENV}"}`, value: 1 },
                ],
            },
            {
                expr: "customer:traefik_service_requests_5xx:rate5m / customer:traefik_service_requests:rate5m",
                at: "10m",
                samples: [
                    { labels: `{customer="acme", environment="${ENV}"}`, value: 0.1 },
                    { labels: `{customer="good", environment="${ENV}"}`, value: 0 },
                    { labels: `{customer="quietco", environment="${ENV}"}`, value: 1 },
                ],
            },
        ],
    },
    {
        name: "ingress controller: all Traefik pods down",
        input: [
            s("up", { job: "traefik", instance: "10.0.0.1:9100", pod: "traefik-a" }, "1 1 0x20"),
            s("up", { job: "traefik", instance: "10.0.0.2:9100", pod: "traefik-b" }, "1 1 0x20"),
        ],
        expect: [
            // Down from 2m; "for: 3m" fires at 5m.
            { alert: "IngressControllerDown", at: "4m", fires: [] },
            { alert: "IngressControllerDown", at: "5m", fires: [{ labels: { job: "traefik" } }] },
        ],
    },
    {
        name: "ingress controller: one of two pods down is no outage",
        input: [
            s("up", { job: "traefik", instance: "10.0.0.1:9100", pod: "traefik-a" }, "1x20"),
            s("up", { job: "traefik", instance: "10.0.0.2:9100", pod: "traefik-b" }, "0x20"),
        ],
        expect: [{ alert: "IngressControllerDown", at: "15m", fires: [] }],
    },
    {
        name: "ingress controller: never scraped at all (absent)",
        input: [s("up", { job: "kube-state-metrics", instance: "10.0.0.9:8080" }, "1x20")],
        expect: [
            { alert: "IngressControllerDown", at: "2m", fires: [] },
            { alert: "IngressControllerDown", at: "3m", fires: [{ labels: { job: "traefik" } }] },
        ],
    },
    {
        name: "pipeline: onboarding stuck and failed",
        input: [
            // All recorded at t=0 (Unix 0): acme stays deployed (never live); good is live; failco failed at 5m.
            recorded("acme", "0x60"),
            ...states("acme", { deployed: "1x60" }),
            recorded("good", "0x60"),
            ...states("good", { live: "1x60" }),
            recorded("failco", "0x60"),
            ...states("failco", { deployed: "1 1 1 1 1 0x60", failed: "0 0 0 0 0 1x60" }),
            // newco is recorded at 20m (Unix 1200): stuck only after 50m.
            recorded("newco", "_x19 1200x40"),
            ...states("newco", { received: "_x19 0x40", recorded: "_x19 1x40", deployed: "_x19 0x40", live: "_x19 0x40", failed: "_x19 0x40" }),
            // Another environment's stuck customer is that environment's alert, not this one's.
            s("sas_onboarding_recorded_timestamp_seconds", { ...pipe, environment: "dev", customer: "devco" }, "0x60"),
            ...states("devco", { deployed: "1x60" }, "dev"),
        ],
        expect: [
            { alert: "OnboardingStuck", at: "30m", fires: [] },
            {
                alert: "OnboardingStuck",
                at: "31m",
                fires: [{ labels: { customer: "acme", environment: ENV, state: "deployed" }, value: "31m 0s" }],
            },
            {
                alert: "OnboardingStuck",
                at: "51m",
                fires: [
                    { labels: { customer: "acme", environment: ENV, state: "deployed" }, value: "51m 0s" },
                    { labels: { customer: "newco", environment: ENV, state: "recorded" }, value: "31m 0s" },
                ],
            },
            { alert: "OnboardingFailed", at: "4m", fires: [] },
            { alert: "OnboardingFailed", at: "5m", fires: [{ labels: { customer: "failco", environment: ENV } }] },
        ],
    },
    {
        name: "pipeline: verify not passing after a deploy",
        input: [
            // The last deploy before the test at Unix 0; a new one succeeds at 10m (Unix 600).
            s("sas_deploy_last_success_timestamp_seconds", { ...pipe, environment: ENV, step: "deploy" }, "0x9 600x40"),
            // acme was verified at 5m and never again; good is verified again at 11m.
            s("sas_verify_last_success_timestamp_seconds", { ...pipe, environment: ENV, customer: "acme" }, "300x50"),
            s("sas_verify_last_success_timestamp_seconds", { ...pipe, environment: ENV, customer: "good" }, "300x10 660x40"),
        ],
        expect: [
            // Before the new deploy both were verified after the previous one: silent.
            { alert: "VerifyFailingAfterDeploy", at: "9m", fires: [] },
            // Grace: 15 minutes after the deploy at 10m.
            { alert: "VerifyFailingAfterDeploy", at: "25m", fires: [] },
            {
                alert: "VerifyFailingAfterDeploy",
                at: "26m",
                fires: [{ labels: { customer: "acme", environment: ENV }, value: "1970-01-01 00:05:00 +0000 UTC" }],
            },
        ],
    },
    {
        name: "pipeline: dead letters",
        input: [
            s("sas_onboarding_dead_letters", { ...pipe, environment: ENV, step: "intake" }, "0x4 2x10"),
            s("sas_onboarding_dead_letters", { ...pipe, environment: "dev", step: "intake" }, "5x15"),
        ],
        expect: [
            { alert: "OnboardingDeadLetters", at: "4m", fires: [] },
            { alert: "OnboardingDeadLetters", at: "5m", fires: [{ labels: { environment: ENV }, value: "2" }] },
        ],
    },
    {
        name: "tenants: pods not ready, replicas missing",
        input: [
            s("kube_pod_status_ready", { ...ksm, namespace: "cust-acme", pod: "welcome-a", condition: "false" }, "1x20"),
            s("kube_pod_status_ready", { ...ksm, namespace: "cust-acme", pod: "welcome-a", condition: "true" }, "0x20"),
            s("kube_pod_status_ready", { ...ksm, namespace: "cust-good", pod: "welcome-b", condition: "false" }, "0x20"),
            s("kube_pod_status_ready", { ...ksm, namespace: "cust-good", pod: "welcome-b", condition: "true" }, "1x20"),
            s("kube_pod_status_ready", { ...ksm, namespace: "kube-system", pod: "coredns-x", condition: "false" }, "1x20"),
            s("kube_deployment_spec_replicas", { ...ksm, namespace: "cust-good", deployment: "welcome" }, "2x20"),
            s("kube_deployment_status_replicas_available", { ...ksm, namespace: "cust-good", deployment: "welcome" }, "2x20"),
            // shortco wants 3 and has 2 (a pod that cannot be scheduled: it has no Ready condition at all).
            s("kube_deployment_spec_replicas", { ...ksm, namespace: "cust-shortco", deployment: "welcome" }, "3x20"),
            s("kube_deployment_status_replicas_available", { ...ksm, namespace: "cust-shortco", deployment: "welcome" }, "2x20"),
        ],
        expect: [
            { alert: "TenantPodsNotReady", at: "9m", fires: [] },
            {
                alert: "TenantPodsNotReady",
                at: "10m",
                fires: [
                    { labels: { namespace: "cust-acme", customer: "acme" }, value: "1" },
                    { labels: { namespace: "cust-shortco", customer: "shortco" }, value: "1" },
                ],
            },
        ],
    },
    {
        name: "tenants: quota nearly exhausted, HPA at max",
        input: [
            s("kube_resourcequota", { ...ksm, namespace: "cust-acme", resourcequota: "tenant-quota", resource: "pods", type: "used" }, "7x20"),
            s("kube_resourcequota", { ...ksm, namespace: "cust-acme", resourcequota: "tenant-quota", resource: "pods", type: "hard" }, "7x20"),
            s("kube_resourcequota", { ...ksm, namespace: "cust-acme", resourcequota: "tenant-quota", resource: "requests.cpu", type: "used" }, "0.1x20"),
            s("kube_resourcequota", { ...ksm, namespace: "cust-acme", resourcequota: "tenant-quota", resource: "requests.cpu", type: "hard" }, "0.35x20"),
            s("kube_resourcequota", { ...ksm, namespace: "cust-good", resourcequota: "tenant-quota", resource: "pods", type: "used" }, "2x20"),
            s("kube_resourcequota", { ...ksm, namespace: "cust-good", resourcequota: "tenant-quota", resource: "pods", type: "hard" }, "4x20"),
            s("kube_horizontalpodautoscaler_status_current_replicas", { ...ksm, namespace: "cust-acme", horizontalpodautoscaler: "welcome" }, "6x20"),
            s("kube_horizontalpodautoscaler_spec_max_replicas", { ...ksm, namespace: "cust-acme", horizontalpodautoscaler: "welcome" }, "6x20"),
            s("kube_horizontalpodautoscaler_status_current_replicas", { ...ksm, namespace: "cust-good", horizontalpodautoscaler: "welcome" }, "3x20"),
            s("kube_horizontalpodautoscaler_spec_max_replicas", { ...ksm, namespace: "cust-good", horizontalpodautoscaler: "welcome" }, "6x20"),
        ],
        expect: [
            { alert: "TenantQuotaNearlyExhausted", at: "14m", fires: [] },
            {
                alert: "TenantQuotaNearlyExhausted",
                at: "15m",
                fires: [{ labels: { namespace: "cust-acme", customer: "acme", resourcequota: "tenant-quota", resource: "pods" }, value: "100%" }],
            },
            { alert: "TenantHpaAtMax", at: "14m", fires: [] },
            { alert: "TenantHpaAtMax", at: "15m", fires: [{ labels: { namespace: "cust-acme", customer: "acme", horizontalpodautoscaler: "welcome" }, value: "6" }] },
        ],
    },
];

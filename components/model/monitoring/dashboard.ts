/**
 * The Grafana dashboard "SAS onboarding" (monitoring/dashboards/onboarding.json is this, rendered by
 * monitoring/render.ts): a fleet view of one environment (customers by state, onboarding latency, pages down, dead
 * letters, alerts) and a per-customer view driven by the `customer` variable (probe, traffic, pods, quota, HPA,
 * certificate). Queries read only the metrics components/model/monitoring/catalog.ts lists.
 */
import { PIPELINE_METRICS } from "./pipeline-metrics";
import { TENANT_NAMESPACE_PREFIX } from "../names";
import { RECORDING_RULES } from "./rules";
import { PROBE_JOB } from "./settings";

export const DASHBOARD_UID = "sas-onboarding";

const DS = { type: "prometheus", uid: "${datasource}" };
const ENV = 'environment="$environment"';
const CUST = 'customer="$customer"';
const NS = `namespace="${TENANT_NAMESPACE_PREFIX}$customer"`;
const PROBE = `job="${PROBE_JOB}", ${ENV}`;
const M = PIPELINE_METRICS;

interface Target {
    expr: string;
    legendFormat?: string;
    instant?: boolean;
    format?: "time_series" | "table";
}
interface PanelSpec {
    type: "stat" | "timeseries" | "table" | "bargauge";
    title: string;
    description?: string;
    w: number;
    h: number;
    unit?: string;
    targets: Target[];
    thresholds?: Array<{ value: number | null; color: string }>;
}
interface Row {
    title: string;
    panels: PanelSpec[];
}

const stat = (title: string, expr: string, extra: Partial<PanelSpec> = {}): PanelSpec => ({
    type: "stat",
    title,
    w: 4,
    h: 4,
    targets: [{ expr, instant: true }],
    ...extra,
});
const series = (title: string, targets: Target[], extra: Partial<PanelSpec> = {}): PanelSpec => ({ type: "timeseries", title, w: 12, h: 8, targets, ...extra });
const red = (at: number) => [
    { value: null, color: "green" },
    { value: at, color: "red" },
];

const FLEET: Row = {
    title: "Fleet ($environment)",
    panels: [
        stat("Customers live", `count(max by (customer) (${M.state.name}{${ENV}, state="live"}) == 1) or vector(0)`),
        stat("Customers onboarding", `count(max by (customer) (${M.state.name}{${ENV}, state!~"live|failed"}) == 1) or vector(0)`),
        stat("Onboarding failed", `count(max by (customer) (${M.state.name}{${ENV}, state="failed"}) == 1) or vector(0)`, { thresholds: red(1) }),
        stat("Pages down", `count(probe_success{${PROBE}} == 0) or vector(0)`, { thresholds: red(1) }),
        stat("Dead letters", `max(${M.deadLetters.name}{${ENV}}) or vector(0)`, { thresholds: red(1) }),
        stat("Since last deploy", `time() - max(${M.deployLastSuccess.name}{${ENV}})`, { unit: "s" }),
        {
            type: "bargauge",
            title: "Customers by state",
            w: 8,
            h: 8,
            targets: [{ expr: `sum by (state) (max by (customer, state) (${M.state.name}{${ENV}}))`, legendFormat: "{{state}}", instant: true }],
        },
        series(
            "Onboarding latency, purchase to live",
            [
                { expr: `histogram_quantile(0.5, sum by (le) (${M.duration.name}_bucket{${ENV}}))`, legendFormat: "p50" },
                { expr: `histogram_quantile(0.95, sum by (le) (${M.duration.name}_bucket{${ENV}}))`, legendFormat: "p95" },
                { expr: `sum(${M.duration.name}_sum{${ENV}}) / sum(${M.duration.name}_count{${ENV}})`, legendFormat: "mean" },
            ],
            { unit: "s", w: 8, description: "Over every customer in the Pushgateway: each contributes one observation, its own purchase-to-live time." },
        ),
        series(
            "Pipeline events by outcome",
            [{ expr: `sum by (step, outcome) (increase(${M.events.name}{${ENV}}[$__rate_interval]))`, legendFormat: "{{step}} {{outcome}}" }],
            { w: 8 },
        ),
        {
            type: "table",
            title: "Customers not live",
            w: 12,
            h: 8,
            targets: [
                {
                    expr: `(time() - max by (customer) (${M.recorded.name}{${ENV}})) * on (customer) group_left (state) (max by (customer, state) (${M.state.name}{${ENV}, state!="live"}) == 1)`,
                    format: "table",
                    instant: true,
                },
            ],
            unit: "s",
        },
        series("Page availability (probe success, 5m)", [{ expr: `avg_over_time(probe_success{${PROBE}}[5m])`, legendFormat: "{{customer}}" }], {
            unit: "percentunit",
        }),
        {
            type: "table",
            title: "Firing alerts",
            w: 24,
            h: 6,
            targets: [{ expr: `ALERTS{alertstate="firing", ${ENV}}`, format: "table", instant: true }],
        },
    ],
};

const CUSTOMER: Row = {
    title: "Customer $customer",
    panels: [
        stat("Page up", `probe_success{job="${PROBE_JOB}", ${CUST}}`, { thresholds: [{ value: null, color: "red" }, { value: 1, color: "green" }] }),
        stat("HTTP status", `probe_http_status_code{job="${PROBE_JOB}", ${CUST}}`),
        stat("Onboarding state", `max by (state) (${M.state.name}{${ENV}, ${CUST}}) == 1`),
        stat("Onboarded in", `max(${M.duration.name}_sum{${ENV}, ${CUST}})`, { unit: "s" }),
        stat("Last verified", `time() - max(${M.verifyLastSuccess.name}{${ENV}, ${CUST}})`, { unit: "s" }),
        stat("Certificate expires in", `min(probe_ssl_earliest_cert_expiry{job="${PROBE_JOB}", ${CUST}}) - time()`, { unit: "s", thresholds: red(0) }),
        series("Probe duration", [{ expr: `probe_duration_seconds{job="${PROBE_JOB}", ${CUST}}`, legendFormat: "{{instance}}" }], { unit: "s" }),
        series(
            "Requests and 5xx through Traefik",
            [
                { expr: `${RECORDING_RULES.requests}{${CUST}}`, legendFormat: "requests/s" },
                { expr: `${RECORDING_RULES.requests5xx}{${CUST}}`, legendFormat: "5xx/s" },
            ],
            { unit: "reqps" },
        ),
        series("p95 latency through Traefik", [{ expr: `${RECORDING_RULES.latencyP95}{${CUST}}`, legendFormat: "p95" }], { unit: "s" }),
        series(
            "Pods ready / desired",
            [
                { expr: `sum(kube_pod_status_ready{${NS}, condition="true"})`, legendFormat: "ready" },
                { expr: `sum(kube_deployment_spec_replicas{${NS}})`, legendFormat: "desired" },
                { expr: `sum(kube_horizontalpodautoscaler_spec_max_replicas{${NS}})`, legendFormat: "HPA max" },
            ],
        ),
        series(
            "Quota used",
            [
                {
                    expr: `max by (resource) (kube_resourcequota{${NS}, type="used"}) / max by (resource) (kube_resourcequota{${NS}, type="hard"})`,
                    legendFormat: "{{resource}}",
                },
            ],
            { unit: "percentunit", w: 24 },
        ),
    ],
};

/** Lays rows out on Grafana's 24-column grid, left to right, wrapping; ids are 1.. in order. */
function layout(rows: Row[]) {
    const panels: Array<Record<string, unknown>> = [];
    let id = 0;
    let y = 0;
    for (const row of rows) {
        panels.push({ id: ++id, type: "row", title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
        y += 1;
        let x = 0;
        let rowHeight = 0;
        for (const p of row.panels) {
            if (x + p.w > 24) {
                x = 0;
                y += rowHeight;
                rowHeight = 0;
            }
            panels.push({
                id: ++id,
                type: p.type,
                title: p.title,
                ...(p.description ? { description: p.description } : {}),
                datasource: DS,
                gridPos: { x, y, w: p.w, h: p.h },
                fieldConfig: {
                    defaults: {
                        ...(p.unit ? { unit: p.unit } : {}),
                        ...(p.thresholds ? { thresholds: { mode: "absolute", steps: p.thresholds } } : {}),
                    },
                    overrides: [],
                },
                options: {},
                targets: p.targets.map((t, i) => ({
                    refId: String.fromCharCode(65 + i),
                    datasource: DS,
                    expr: t.expr,
                    ...(t.legendFormat ? { legendFormat: t.legendFormat } : {}),
                    ...(t.instant ? { instant: true, range: false } : {}),
                    ...(t.format ? { format: t.format } : {}),
                })),
            });
            x += p.w;
            rowHeight = Math.max(rowHeight, p.h);
        }
        y += rowHeight;
    }
    return panels;
}

const queryVariable = (name: string, label: string, query: string) => ({
    name,
    label,
    type: "query",
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    sort: 1,
    includeAll: false,
    multi: false,
    current: {},
    hide: 0,
});

export function onboardingDashboard() {
    return {
        uid: DASHBOARD_UID,
        title: "SAS onboarding",
        description: "Customer onboarding and welcome pages: fleet and per customer. Alerts and runbooks: docs/MONITORING.md.",
        tags: ["sas-onboarding"],
        timezone: "utc",
        editable: false,
        graphTooltip: 1,
        schemaVersion: 39,
        version: 1,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        annotations: { list: [] },
        templating: {
            list: [
                { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: {}, hide: 0, refresh: 1 },
                queryVariable("environment", "Environment", `label_values(${M.state.name}, environment)`),
                queryVariable("customer", "Customer", `label_values(${M.state.name}{${ENV}}, customer)`),
            ],
        },
        panels: layout([FLEET, CUSTOMER]),
    };
}

/**
 * The metrics the onboarding pipeline (intake -> deploy -> verify) exports, and their rendering in the Prometheus text
 * exposition format (version 0.0.4). Pure: no clock, no I/O. Delivery is ./pushgateway.ts (why a Pushgateway and not
 * the node_exporter textfile collector: docs/MONITORING.md#pipeline-metrics).
 *
 * Two kinds of reports, pushed to two kinds of Pushgateway groups:
 * - a StepReport per pipeline step and environment (group {job, environment, step}, replaced whole by PUT): event
 *   counts by outcome, retries, dead letters, the last successful deploy;
 * - a CustomerReport per customer and environment (group {job, environment, customer}, merged by POST so a step only
 *   replaces the metrics it sends): onboarding state, when the purchase was recorded, when verify last passed, and the
 *   purchase -> live latency as a one-observation histogram, so `sum by (le)` over customers is the fleet's latency
 *   distribution.
 */

export const PIPELINE_JOB = "sas-onboarding";

export const PIPELINE_STEPS = ["intake", "deploy", "verify"] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** What happened to one unit of work (a purchase event, a deploy, a verification). */
export const OUTCOMES = ["succeeded", "failed", "rejected", "dead_lettered"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * A customer's place in the pipeline; exactly one is 1 at a time (the enum-as-gauge pattern of kube-state-metrics).
 * The same states as the intake's state machine (components/model/onboarding.ts), so a registry item maps 1:1;
 * tests/components/model/monitoring/pipeline-metrics.test.ts holds the two lists together.
 */
export const ONBOARDING_STATES = ["received", "recorded", "deployed", "live", "failed"] as const;
export type OnboardingState = (typeof ONBOARDING_STATES)[number];

/** Purchase -> live, seconds: from half a minute (the happy path) to a day (something waited for a human). */
export const ONBOARDING_DURATION_BUCKETS: readonly number[] = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

export const PIPELINE_METRICS = {
    events: {
        name: "sas_onboarding_events_total",
        type: "counter",
        help: "Units of work each pipeline step finished, by outcome (cumulative since the step's store was created).",
    },
    retries: { name: "sas_onboarding_retries_total", type: "counter", help: "Retries each pipeline step made (cumulative)." },
    deadLetters: { name: "sas_onboarding_dead_letters", type: "gauge", help: "Messages waiting in the intake's dead-letter queue." },
    duration: {
        name: "sas_onboarding_duration_seconds",
        type: "histogram",
        help: "Seconds from the recorded purchase to the customer's page verified live.",
    },
    state: { name: "sas_onboarding_state", type: "gauge", help: "1 for the customer's current onboarding state, 0 for the others." },
    recorded: {
        name: "sas_onboarding_recorded_timestamp_seconds",
        type: "gauge",
        help: "Unix time the customer's purchase was recorded by intake.",
    },
    verifyLastSuccess: {
        name: "sas_verify_last_success_timestamp_seconds",
        type: "gauge",
        help: "Unix time verify last found the customer's page live with the right content.",
    },
    deployLastSuccess: {
        name: "sas_deploy_last_success_timestamp_seconds",
        type: "gauge",
        help: "Unix time of the environment's last successful pulumi up.",
    },
} as const;

/** Every series name the pipeline can expose, histogram suffixes included (for dashboard and rule linting). */
export function pipelineSeriesNames(): string[] {
    return Object.values(PIPELINE_METRICS).flatMap((m) =>
        m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
    );
}

export interface StepReport {
    environment: string;
    step: PipelineStep;
    /** Cumulative counts by outcome; missing outcomes are rendered as 0 so every series exists from the start. */
    events?: Partial<Record<Outcome, number>>;
    retries?: number;
    /** Current depth of the dead-letter queue (intake only). */
    deadLetters?: number;
    /** Unix seconds of the last successful `pulumi up` (deploy only). */
    deployedAt?: number;
}

export interface CustomerReport {
    environment: string;
    customer: string;
    state: OnboardingState;
    /** Unix seconds the purchase was recorded (OnboardingStuck counts from here; the registry item's recordedAt). */
    recordedAt: number;
    /** Unix seconds of the purchase itself, the start of "time to onboard" (item purchasedAt); default recordedAt. */
    purchasedAt?: number;
    /** Unix seconds the page was first live (item onboardedAt): adds the purchase -> live observation. */
    liveAt?: number;
    /** Unix seconds verify last passed for this customer. */
    verifiedAt?: number;
}

export type Labels = Record<string, string>;
export interface Sample {
    labels: Labels;
    value: number;
    /** Appended to the family name: "_bucket", "_sum", "_count" for histograms, "" otherwise. */
    suffix?: string;
}
export interface MetricFamily {
    name: string;
    type: "counter" | "gauge" | "histogram";
    help: string;
    samples: Sample[];
}

export function stepMetricFamilies(r: StepReport): MetricFamily[] {
    const base = { environment: r.environment, step: r.step };
    if (r.deadLetters !== undefined && r.step !== "intake") throw new Error(`deadLetters is the intake's to report, not ${r.step}'s`);
    if (r.deployedAt !== undefined && r.step !== "deploy") throw new Error(`deployedAt is the deploy step's to report, not ${r.step}'s`);
    const families: MetricFamily[] = [];
    if (r.events) {
        families.push({
            ...meta(PIPELINE_METRICS.events),
            samples: OUTCOMES.map((outcome) => ({ labels: { ...base, outcome }, value: count(r.events?.[outcome] ?? 0, `events.${outcome}`) })),
        });
    }
    if (r.retries !== undefined) families.push({ ...meta(PIPELINE_METRICS.retries), samples: [{ labels: base, value: count(r.retries, "retries") }] });
    if (r.deadLetters !== undefined) {
        families.push({ ...meta(PIPELINE_METRICS.deadLetters), samples: [{ labels: { environment: r.environment }, value: count(r.deadLetters, "deadLetters") }] });
    }
    if (r.deployedAt !== undefined) {
        families.push({
            ...meta(PIPELINE_METRICS.deployLastSuccess),
            samples: [{ labels: { environment: r.environment }, value: timestamp(r.deployedAt, "deployedAt") }],
        });
    }
    return families;
}

export function customerMetricFamilies(r: CustomerReport): MetricFamily[] {
    if (!ONBOARDING_STATES.includes(r.state)) throw new Error(`unknown onboarding state "${r.state}"`);
    const base = { environment: r.environment, customer: r.customer };
    const families: MetricFamily[] = [
        {
            ...meta(PIPELINE_METRICS.state),
            samples: ONBOARDING_STATES.map((state) => ({ labels: { ...base, state }, value: state === r.state ? 1 : 0 })),
        },
        { ...meta(PIPELINE_METRICS.recorded), samples: [{ labels: base, value: timestamp(r.recordedAt, "recordedAt") }] },
    ];
    if (r.verifiedAt !== undefined) {
        families.push({ ...meta(PIPELINE_METRICS.verifyLastSuccess), samples: [{ labels: base, value: timestamp(r.verifiedAt, "verifiedAt") }] });
    }
    if (r.liveAt !== undefined) {
        const start = r.purchasedAt === undefined ? r.recordedAt : timestamp(r.purchasedAt, "purchasedAt");
        const seconds = timestamp(r.liveAt, "liveAt") - start;
        if (seconds < 0) throw new Error(`liveAt (${r.liveAt}) is before the purchase (${start})`);
        families.push(histogramFamily(PIPELINE_METRICS.duration, base, [seconds], ONBOARDING_DURATION_BUCKETS));
    }
    return families;
}

export const renderStepMetrics = (r: StepReport): string => renderExposition(stepMetricFamilies(r));
export const renderCustomerMetrics = (r: CustomerReport): string => renderExposition(customerMetricFamilies(r));

/** A classic cumulative histogram of the observations: one _bucket per bound plus +Inf, _sum and _count. */
export function histogramFamily(
    m: { name: string; help: string },
    labels: Labels,
    observations: readonly number[],
    buckets: readonly number[],
): MetricFamily {
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i] > buckets[i - 1])) throw new Error("histogram buckets must increase strictly");
    for (const o of observations) if (!Number.isFinite(o) || o < 0) throw new Error(`histogram observation must be a finite number >= 0, got ${o}`);
    const samples: Sample[] = [...buckets, Infinity].map((le) => ({
        suffix: "_bucket",
        labels: { ...labels, le: formatValue(le) },
        value: observations.filter((o) => o <= le).length,
    }));
    samples.push({ suffix: "_sum", labels, value: observations.reduce((a, b) => a + b, 0) });
    samples.push({ suffix: "_count", labels, value: observations.length });
    return { name: m.name, type: "histogram", help: m.help, samples };
}

/** Text exposition format 0.0.4: HELP and TYPE once per family, no timestamps (a Pushgateway refuses them). */
export function renderExposition(families: readonly MetricFamily[]): string {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const f of families) {
        if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name "${f.name}"`);
        if (seen.has(f.name)) throw new Error(`metric family ${f.name} rendered twice`);
        seen.add(f.name);
        lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
        lines.push(`# TYPE ${f.name} ${f.type}`);
        for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ""}${renderLabels(s.labels)} ${formatValue(s.value)}`);
    }
    return lines.length ? lines.join("\n") + "\n" : "";
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function renderLabels(labels: Labels): string {
    const entries = Object.entries(labels);
    if (!entries.length) return "";
    return `{${entries
        .map(([k, v]) => {
            if (!LABEL_NAME.test(k) || k.startsWith("__")) throw new Error(`invalid label name "${k}"`);
            return `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
        })
        .join(",")}}`;
}

function formatValue(v: number): string {
    if (v === Infinity) return "+Inf";
    if (v === -Infinity) return "-Inf";
    if (Number.isNaN(v)) return "NaN";
    return String(v);
}

const meta = (m: { name: string; type: MetricFamily["type"]; help: string }) => ({ name: m.name, type: m.type, help: m.help });

function count(n: number, what: string): number {
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number >= 0, got ${n}`);
    return n;
}

function timestamp(t: number, what: string): number {
    // Seconds, not milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973. Catches Date.now() passed unconverted.
    if (!Number.isFinite(t) || t < 0 || t > 1e11) throw new Error(`${what} must be Unix seconds, got ${t}`);
    return t;
}

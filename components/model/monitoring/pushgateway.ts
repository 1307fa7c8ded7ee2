/**
 * The tiny writer the pipeline steps (intake, deploy, `npm run verify`) use to hand their metrics to a Prometheus
 * Pushgateway. Everything but `send` is pure; `send` is the only I/O and takes its `fetch` as a parameter so tests
 * and scripts can stub it. Without SAS_PUSHGATEWAY_URL (a developer's machine, the local stack) nothing is sent.
 *
 *   import { pushStepReport, pushTargetFromEnv } from "../components/model/monitoring/pushgateway";
 *   await pushStepReport(pushTargetFromEnv(), { environment: stack, step: "deploy", deployedAt: Date.now() / 1000 });
 */
import {
    PIPELINE_JOB,
    renderCustomerMetrics,
    renderStepMetrics,
    type CustomerReport,
    type StepReport,
} from "./pipeline-metrics";

export const PUSHGATEWAY_URL_ENV = "SAS_PUSHGATEWAY_URL";
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface PushTarget {
    /** Base URL of the Pushgateway, e.g. http://prometheus-pushgateway.monitoring.svc:9091 */
    url: string;
    fetch?: typeof fetch;
    timeoutMs?: number;
}

export interface PushRequest {
    method: "PUT" | "POST" | "DELETE";
    url: string;
    headers: Record<string, string>;
    body?: string;
}

/** The target from SAS_PUSHGATEWAY_URL, or undefined when it is unset or empty (then pushes are skipped). */
export function pushTargetFromEnv(env: NodeJS.ProcessEnv = process.env): PushTarget | undefined {
    const url = env[PUSHGATEWAY_URL_ENV]?.trim();
    if (!url) return undefined;
    if (!/^https?:\/\/[^/\s]+/.test(url)) throw new Error(`${PUSHGATEWAY_URL_ENV}="${url}" must be an http(s) URL`);
    return { url };
}

/**
 * /metrics/job/<job>/<label>/<value>... A value that is empty or contains "/" goes base64url-encoded with the
 * `@base64` suffix, the Pushgateway's own escape; everything else is percent-encoded.
 */
export function groupUrl(base: string, grouping: Record<string, string>): string {
    const { job, ...rest } = grouping;
    if (!job) throw new Error("a Pushgateway grouping key needs a job");
    const part = (name: string, value: string) =>
        value === "" || value.includes("/")
            ? `${name}@base64/${Buffer.from(value, "utf8").toString("base64url") || "="}`
            : `${name}/${encodeURIComponent(value)}`;
    const segments = [part("job", job), ...Object.entries(rest).map(([k, v]) => part(k, v))];
    return `${base.replace(/\/+$/, "")}/metrics/${segments.join("/")}`;
}

export const stepGrouping = (r: Pick<StepReport, "environment" | "step">) => ({ job: PIPELINE_JOB, environment: r.environment, step: r.step });
export const customerGrouping = (r: Pick<CustomerReport, "environment" | "customer">) => ({
    job: PIPELINE_JOB,
    environment: r.environment,
    customer: r.customer,
});

/** A step owns its group: PUT replaces it whole, so a metric the step stopped sending disappears. */
export function stepPushRequest(base: string, r: StepReport): PushRequest {
    return { method: "PUT", url: groupUrl(base, stepGrouping(r)), headers: { "Content-Type": CONTENT_TYPE }, body: renderStepMetrics(r) };
}

/**
 * Several steps write a customer's group: POST replaces only the metric names sent, so deploy setting the state to
 * "deployed" keeps the verify timestamp and latency histogram that verify pushed earlier.
 */
export function customerPushRequest(base: string, r: CustomerReport): PushRequest {
    return { method: "POST", url: groupUrl(base, customerGrouping(r)), headers: { "Content-Type": CONTENT_TYPE }, body: renderCustomerMetrics(r) };
}

/** When a customer is removed: drop its group, or its last state would be reported forever. */
export function customerDeleteRequest(base: string, r: Pick<CustomerReport, "environment" | "customer">): PushRequest {
    return { method: "DELETE", url: groupUrl(base, customerGrouping(r)), headers: {} };
}

export async function send(target: PushTarget, req: PushRequest): Promise<void> {
    const doFetch = target.fetch ?? fetch;
    const res = await doFetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    });
    if (res.status < 200 || res.status >= 300) {
        const text = await res.text().catch(() => "");
        throw new Error(`Pushgateway ${req.method} ${req.url} answered ${res.status}: ${text.trim().slice(0, 500)}`);
    }
}

/** Pushes, or does nothing when target is undefined (no SAS_PUSHGATEWAY_URL). Returns whether it pushed. */
export async function pushStepReport(target: PushTarget | undefined, r: StepReport): Promise<boolean> {
    if (!target) return false;
    await send(target, stepPushRequest(target.url, r));
    return true;
}

export async function pushCustomerReport(target: PushTarget | undefined, r: CustomerReport): Promise<boolean> {
    if (!target) return false;
    await send(target, customerPushRequest(target.url, r));
    return true;
}

export async function deleteCustomerReport(target: PushTarget | undefined, r: Pick<CustomerReport, "environment" | "customer">): Promise<boolean> {
    if (!target) return false;
    await send(target, customerDeleteRequest(target.url, r));
    return true;
}

/**
 * What the monitoring builders need from a stack. Every field but the first three has a default, so the program can
 * wire monitoring with `resolveMonitoringSettings({ environment: stack, baseDomain, tls })` and override single
 * fields from the stack's `monitoring.*` settings. Pure data: no Pulumi, no I/O.
 */

export interface MonitoringThresholds {
    /** CustomerPageSlow: p95 of real traffic through Traefik over 5m, seconds. */
    latencyP95Seconds: number;
    /** CustomerHigh5xxRate: share of 5xx answers over 5m (0.05 = 5 %). */
    errorRatio5xx: number;
    /** CustomerHigh5xxRate: below this many requests per second the ratio is noise (one 502 of two requests). */
    minRequestsPerSecond: number;
    /** OnboardingStuck: a customer recorded this many minutes ago and still not live (nor failed). */
    onboardingStuckMinutes: number;
    /** VerifyFailingAfterDeploy: minutes a deploy gives verify to succeed for every customer. */
    verifyGraceMinutes: number;
    /** TenantQuotaNearlyExhausted: used / hard of any resource of a tenant's ResourceQuota. */
    quotaUsedRatio: number;
}

export interface MonitoringSettings {
    /** The stack name (local, dev, stage, prod): the `environment` label of every alert and probe. */
    environment: string;
    baseDomain: string;
    /** The Ingress serves HTTPS (`ingress.tls.enabled`): probes use https:// and fail on plain HTTP. */
    tls: boolean;
    /** Namespace of the shared monitoring objects (PrometheusRule, PodMonitor, ServiceMonitor, blackbox config). */
    namespace: string;
    /**
     * Labels the Prometheus Operator's ruleSelector / probeSelector / podMonitorSelector / serviceMonitorSelector
     * match, e.g. `{ release: "kube-prometheus-stack" }` for that chart's defaults. Put on every object built here.
     */
    selectorLabels: Record<string, string>;
    /** Where docs/MONITORING.md is browsable; each alert's runbook_url is `<runbookBaseUrl>#<anchor>`. */
    runbookBaseUrl: string;
    blackbox: {
        /** host:port of the blackbox exporter Service, as Probe.spec.prober.url wants it (no scheme). */
        proberUrl: string;
        /** How often each customer page is probed. */
        interval: string;
        /** Per-probe timeout inside the exporter; below the interval. */
        timeout: string;
        /**
         * Non-prod pages sit behind basic auth (`tenancy.basicAuth`): the exporter then sends these credentials.
         * passwordFile is a path inside the exporter's pod (mount the stack's basic-auth password there).
         */
        basicAuth?: { username: string; passwordFile: string };
    };
    traefik: {
        /** Namespace and pod labels of the Traefik v3 pods the PodMonitor scrapes. */
        namespace: string;
        podSelector: Record<string, string>;
        /** Name of the container port serving /metrics (the Traefik Helm chart calls it "metrics", 9100). */
        metricsPort: string;
        /** The `job` label the PodMonitor gives Traefik's series; IngressControllerDown watches `up{job=...}`. */
        job: string;
    };
    pushgateway: {
        /** Namespace and Service labels of the Pushgateway the pipeline steps push to (docs/MONITORING.md). */
        namespace: string;
        serviceSelector: Record<string, string>;
        /** Name of the Service port serving /metrics. */
        port: string;
    };
    thresholds: MonitoringThresholds;
}

export const DEFAULT_THRESHOLDS: Readonly<MonitoringThresholds> = {
    latencyP95Seconds: 1,
    errorRatio5xx: 0.05,
    minRequestsPerSecond: 0.05,
    onboardingStuckMinutes: 30,
    verifyGraceMinutes: 15,
    quotaUsedRatio: 0.9,
};

/** The `job` label every customer probe carries (Probe.spec.jobName); rules select probes by it. */
export const PROBE_JOB = "sas-welcome";

export type MonitoringSettingsInput = Pick<MonitoringSettings, "environment" | "baseDomain" | "tls"> & {
    namespace?: string;
    selectorLabels?: Record<string, string>;
    runbookBaseUrl?: string;
    blackbox?: Partial<MonitoringSettings["blackbox"]>;
    traefik?: Partial<MonitoringSettings["traefik"]>;
    pushgateway?: Partial<MonitoringSettings["pushgateway"]>;
    thresholds?: Partial<MonitoringThresholds>;
};

/** Fills every default; throws on values that would render rules Prometheus rejects or that never fire. */
export function resolveMonitoringSettings(input: MonitoringSettingsInput): MonitoringSettings {
    const namespace = input.namespace ?? "monitoring";
    const s: MonitoringSettings = {
        environment: input.environment,
        baseDomain: input.baseDomain,
        tls: input.tls,
        namespace,
        selectorLabels: input.selectorLabels ?? {},
        runbookBaseUrl: input.runbookBaseUrl ?? "docs/MONITORING.md",
        blackbox: {
            proberUrl: `blackbox-exporter.${namespace}.svc:9115`,
            interval: "30s",
            timeout: "10s",
            ...input.blackbox,
        },
        traefik: {
            namespace: "traefik",
            podSelector: { "app.kubernetes.io/name": "traefik" },
            metricsPort: "metrics",
            job: "traefik",
            ...input.traefik,
        },
        pushgateway: {
            namespace,
            serviceSelector: { "app.kubernetes.io/name": "prometheus-pushgateway" },
            port: "http",
            ...input.pushgateway,
        },
        thresholds: { ...DEFAULT_THRESHOLDS, ...input.thresholds },
    };
    validate(s);
    return s;
}

const LABEL_VALUE_SAFE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DURATION = /^[1-9][0-9]*(ms|s|m|h)$/;

function validate(s: MonitoringSettings): void {
    const fail = (what: string) => {
        throw new Error(`monitoring settings: ${what}`);
    };
    if (!LABEL_VALUE_SAFE.test(s.environment)) fail(`environment "${s.environment}" must be a DNS label such as "prod"`);
    if (!s.baseDomain || /[/:\s]/.test(s.baseDomain)) fail(`baseDomain "${s.baseDomain}" must be a bare domain`);
    if (!LABEL_VALUE_SAFE.test(s.namespace)) fail(`namespace "${s.namespace}" must be a DNS label`);
    if (/^[a-z]+:\/\//.test(s.blackbox.proberUrl)) fail(`blackbox.proberUrl "${s.blackbox.proberUrl}" is host:port, without a scheme`);
    for (const key of ["interval", "timeout"] as const) {
        if (!DURATION.test(s.blackbox[key])) fail(`blackbox.${key} "${s.blackbox[key]}" must be a duration such as "30s"`);
    }
    if (seconds(s.blackbox.timeout) >= seconds(s.blackbox.interval)) fail("blackbox.timeout must be shorter than blackbox.interval");
    if (!/^[a-zA-Z_][a-zA-Z0-9_-]*$/.test(s.traefik.job)) fail(`traefik.job "${s.traefik.job}" must be a plain job name`);
    const t = s.thresholds;
    const positive: Array<keyof MonitoringThresholds> = ["latencyP95Seconds", "minRequestsPerSecond", "onboardingStuckMinutes", "verifyGraceMinutes"];
    for (const key of positive) if (!(Number.isFinite(t[key]) && t[key] > 0)) fail(`thresholds.${key} must be a positive number, got ${t[key]}`);
    for (const key of ["errorRatio5xx", "quotaUsedRatio"] as const) {
        if (!(t[key] > 0 && t[key] <= 1)) fail(`thresholds.${key} is a ratio in (0, 1], got ${t[key]}`);
    }
}

/** Seconds of a Prometheus duration such as "30s", "5m", "1h", "500ms". */
export function seconds(duration: string): number {
    const m = /^([0-9]+)(ms|s|m|h)$/.exec(duration);
    if (!m) throw new Error(`not a duration: "${duration}"`);
    const n = Number(m[1]);
    return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[m[2] as "ms" | "s" | "m" | "h"];
}

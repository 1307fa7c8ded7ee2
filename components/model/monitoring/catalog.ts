/**
 * Every series name a rule or dashboard panel may read, by who produces it. The dashboard and rule tests fail on a
 * query that names anything else: a typo, or a metric nobody exports. Versions assumed: blackbox_exporter 0.2x,
 * kube-state-metrics 2.x, Traefik v3 with `metrics.prometheus` (docs/MONITORING.md#traefik-metrics), Prometheus 3.
 */
import { pipelineSeriesNames } from "./pipeline-metrics";
import { RECORDING_RULES } from "./rules";

const histogram = (name: string) => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

export const EXTERNAL_METRICS: Readonly<Record<string, readonly string[]>> = {
    /** blackbox_exporter's http prober, per Probe target. */
    blackbox: [
        "probe_success",
        "probe_duration_seconds",
        "probe_http_status_code",
        "probe_http_duration_seconds",
        "probe_http_content_length",
        "probe_http_uncompressed_body_length",
        "probe_http_redirects",
        "probe_http_ssl",
        "probe_http_version",
        "probe_failed_due_to_regex",
        "probe_ssl_earliest_cert_expiry",
        "probe_ssl_last_chain_expiry_timestamp_seconds",
        "probe_tls_version_info",
        "probe_dns_lookup_time_seconds",
        "probe_ip_protocol",
    ],
    /** kube-state-metrics 2.x. */
    kubeStateMetrics: [
        "kube_pod_status_ready",
        "kube_pod_status_phase",
        "kube_pod_container_status_restarts_total",
        "kube_deployment_spec_replicas",
        "kube_deployment_status_replicas_available",
        "kube_resourcequota",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_status_desired_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kube_horizontalpodautoscaler_spec_min_replicas",
    ],
    /** Traefik v3 Prometheus metrics (service labels on by default; router labels only with addRoutersLabels). */
    traefik: [
        "traefik_service_requests_total",
        ...histogram("traefik_service_request_duration_seconds"),
        "traefik_router_requests_total",
        ...histogram("traefik_router_request_duration_seconds"),
        "traefik_entrypoint_requests_total",
        ...histogram("traefik_entrypoint_request_duration_seconds"),
        "traefik_open_connections",
        "traefik_config_reloads_total",
        "traefik_config_last_reload_success",
    ],
    /** Prometheus itself: the scrape health of every target and the alerts it evaluates. */
    prometheus: ["up", "scrape_duration_seconds", "ALERTS", "ALERTS_FOR_STATE"],
    /** The Pushgateway's own series per pushed group. */
    pushgateway: ["push_time_seconds", "push_failure_time_seconds"],
};

/** All series names a query may name: the pipeline's, the exporters' and our recording rules'. */
export function knownSeriesNames(): Set<string> {
    return new Set([...pipelineSeriesNames(), ...Object.values(EXTERNAL_METRICS).flat(), ...Object.values(RECORDING_RULES)]);
}

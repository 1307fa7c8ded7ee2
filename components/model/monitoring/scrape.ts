/**
 * Scrape configuration for the two exporters that are not per customer:
 *
 * - Traefik v3 (the ingress controller), by a PodMonitor: the Traefik Helm chart serves Prometheus metrics on the
 *   pods' "metrics" port (9100) and, by default, not on its Service, so a ServiceMonitor would find nothing.
 *   Assumptions (docs/MONITORING.md#traefik-metrics): `metrics.prometheus` enabled (chart default) with
 *   `addServicesLabels: true` (Traefik default), so traefik_service_* carry `service="<ns>-<svc>-<port>@kubernetes"`,
 *   for a customer `cust-<id>-welcome-http@kubernetes`. Router labels (`addRoutersLabels`) are not needed.
 * - The Pushgateway the pipeline steps push to, by a ServiceMonitor with honorLabels, so the pushed `job`,
 *   `environment`, `customer` and `step` labels survive the scrape.
 */
import { MONITORING_API_VERSION, type PodMonitorManifest, type ServiceMonitorManifest } from "./crds";
import type { MonitoringSettings } from "./settings";

const PART_OF = { "app.kubernetes.io/part-of": "sas-onboarding", "app.kubernetes.io/managed-by": "pulumi" };

export function traefikPodMonitorManifest(s: MonitoringSettings): PodMonitorManifest {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name: "traefik", namespace: s.namespace, labels: { ...PART_OF, ...s.selectorLabels } },
        spec: {
            namespaceSelector: { matchNames: [s.traefik.namespace] },
            selector: { matchLabels: s.traefik.podSelector },
            podMetricsEndpoints: [
                {
                    port: s.traefik.metricsPort,
                    path: "/metrics",
                    interval: "30s",
                    // A fixed job name: IngressControllerDown watches up{job=...} and must not depend on object names.
                    relabelings: [{ action: "replace", targetLabel: "job", replacement: s.traefik.job }],
                },
            ],
        },
    };
}

export function pushgatewayServiceMonitorManifest(s: MonitoringSettings): ServiceMonitorManifest {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "sas-onboarding-pushgateway", namespace: s.namespace, labels: { ...PART_OF, ...s.selectorLabels } },
        spec: {
            namespaceSelector: { matchNames: [s.pushgateway.namespace] },
            selector: { matchLabels: s.pushgateway.serviceSelector },
            endpoints: [{ port: s.pushgateway.port, path: "/metrics", interval: "30s", honorLabels: true }],
        },
    };
}

/**
 * Monitoring and alerting for the onboarding stack: pure builders the program wires when a stack sets
 * `monitoring.enabled` (docs/MONITORING.md#wiring). Per environment:
 *
 *   const s = resolveMonitoringSettings({ environment: stack, baseDomain, tls, ...settings.monitoring });
 *   prometheusRuleManifest(s)                  // one PrometheusRule, the same for any set of customers
 *   traefikPodMonitorManifest(s)               // Traefik v3 metrics
 *   pushgatewayServiceMonitorManifest(s)       // the pipeline's pushed metrics
 *   blackboxConfigMapManifest(customers, s)    // the blackbox exporter's config: one module per customer
 *
 * Per customer (beside its Deployment, in cust-<id>):
 *
 *   customerProbeManifest(customer, s)
 */
export * from "./settings";
export * from "./crds";
export { blackboxConfigMapManifest, BLACKBOX_CONFIG_KEY, BLACKBOX_CONFIG_MAP, blackboxExporterConfig, blackboxModule, blackboxModuleName, customerProbeManifest, pageBodyRegexps, type BlackboxConfig, type ProbedCustomer } from "./probes";
export { pushgatewayServiceMonitorManifest, traefikPodMonitorManifest } from "./scrape";
export { ALERT_NAMES, alertSpecs, prometheusRuleManifest, RECORDING_RULES, ruleFile, type AlertName, type AlertSpec } from "./rules";
export { alertmanagerConfig, DEFAULT_ALERTMANAGER_OPTIONS, alertingSecretKeys, receiverNames, type AlertmanagerOptions } from "./alertmanager";
export { onboardingDashboard, DASHBOARD_UID } from "./dashboard";
export { knownSeriesNames, EXTERNAL_METRICS } from "./catalog";
export * from "./pipeline-metrics";
export { toYaml } from "./yaml";

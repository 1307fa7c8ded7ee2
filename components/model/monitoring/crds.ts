/**
 * The Prometheus Operator custom resources this folder builds (monitoring.coreos.com/v1), typed as plain interfaces:
 * only the fields we set, named as the CRDs name them. Pure data for CustomResource/ConfigFile inputs and tests.
 */

export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

export interface ObjectMeta {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface RelabelConfig {
    sourceLabels?: string[];
    separator?: string;
    targetLabel?: string;
    regex?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep";
}

export interface ProbeManifest {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "Probe";
    metadata: ObjectMeta;
    spec: {
        jobName: string;
        interval: string;
        scrapeTimeout: string;
        module: string;
        prober: { url: string; scheme: "http" | "https"; path: string };
        targets: { staticConfig: { static: string[]; labels: Record<string, string> } };
    };
}

export interface PodMonitorManifest {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "PodMonitor";
    metadata: ObjectMeta;
    spec: {
        namespaceSelector: { matchNames: string[] };
        selector: { matchLabels: Record<string, string> };
        podMetricsEndpoints: Array<{
            port: string;
            path: string;
            interval: string;
            relabelings?: RelabelConfig[];
            metricRelabelings?: RelabelConfig[];
        }>;
    };
}

export interface ServiceMonitorManifest {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "ServiceMonitor";
    metadata: ObjectMeta;
    spec: {
        namespaceSelector: { matchNames: string[] };
        selector: { matchLabels: Record<string, string> };
        endpoints: Array<{ port: string; path: string; interval: string; honorLabels?: boolean }>;
    };
}

/** One rule as Prometheus (and promtool) read it; PrometheusRule.spec.groups[].rules[] has the same shape. */
export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}
export interface RecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
}
export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
    name: string;
    interval?: string;
    rules: Rule[];
}

/** A Prometheus rule file (`promtool check rules`, `rule_files:`): the same groups a PrometheusRule carries. */
export interface RuleFile {
    groups: RuleGroup[];
}

export interface PrometheusRuleManifest {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "PrometheusRule";
    metadata: ObjectMeta;
    spec: RuleFile;
}

export const isAlertingRule = (r: Rule): r is AlertingRule => "alert" in r;

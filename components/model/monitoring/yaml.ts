import { stringify } from "yaml";

/**
 * YAML for files Prometheus, promtool, blackbox_exporter and Alertmanager read: no line folding (a folded PromQL
 * expression is still valid, but diffs and greps are not), no anchors/aliases for repeated objects.
 */
export function toYaml(value: unknown): string {
    return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

// Turns alert-cases.ts into a `promtool test rules` file for the rule file the builders render. The expected
// annotations are the alert's templates with {{ $labels.x }} and {{ $value ... }} filled in here, so promtool checks
// the real Go-template expansion against what the text is meant to say.
import type { AlertSpec } from "../../components/model/monitoring/rules";
import type { CaseGroup, Firing } from "./alert-cases";

export interface PromtoolTestFile {
    rule_files: string[];
    evaluation_interval: string;
    tests: Array<{
        name: string;
        interval: string;
        input_series: Array<{ series: string; values: string }>;
        alert_rule_test: Array<{
            eval_time: string;
            alertname: string;
            exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
        }>;
        promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }>;
    }>;
}

/** Fills {{ $labels.name }} and {{ $value }} / {{ $value | fn }} the way Prometheus would for this firing. */
export function expand(template: string, labels: Record<string, string>, value: string | undefined, what: string): string {
    return template.replace(/\{\{\s*(\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)|\$value(\s*\|\s*[a-zA-Z]+)?)\s*\}\}/g, (_m, _all, label?: string) => {
        if (label !== undefined) {
            if (!(label in labels)) throw new Error(`${what}: template uses $labels.${label}, which the expected alert lacks`);
            return labels[label];
        }
        if (value === undefined) throw new Error(`${what}: template uses $value; give the case's expected value text`);
        return value;
    });
}

export function expectedAlert(spec: AlertSpec, f: Firing, environment: string, runbookBaseUrl: string) {
    const labels = { ...f.labels, severity: spec.severity, scope: spec.scope, environment };
    const what = `${spec.alert} ${JSON.stringify(f.labels)}`;
    return {
        exp_labels: labels,
        exp_annotations: {
            summary: expand(spec.summary, labels, f.value, what),
            description: expand(spec.description, labels, f.value, what),
            runbook_url: `${runbookBaseUrl}#${spec.anchor}`,
        },
    };
}

export function promtoolTestFile(
    ruleFileName: string,
    groups: CaseGroup[],
    specs: AlertSpec[],
    opts: { environment: string; runbookBaseUrl: string },
): PromtoolTestFile {
    const byName = new Map(specs.map((a) => [a.alert, a]));
    return {
        rule_files: [ruleFileName],
        evaluation_interval: "1m",
        tests: groups.map((g) => ({
            name: g.name,
            interval: "1m",
            input_series: g.input,
            alert_rule_test: g.expect.map((e) => {
                const spec = byName.get(e.alert);
                if (!spec) throw new Error(`case "${g.name}" expects unknown alert ${e.alert}`);
                return {
                    eval_time: e.at,
                    alertname: e.alert,
                    exp_alerts: e.fires.map((f) => expectedAlert(spec, f, opts.environment, opts.runbookBaseUrl)),
                };
            }),
            ...(g.exprs ? { promql_expr_test: g.exprs.map((x) => ({ expr: x.expr, eval_time: x.at, exp_samples: x.samples })) } : {}),
        })),
    };
}

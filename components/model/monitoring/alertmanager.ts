/**
 * Alertmanager routing for every environment, as one config (monitoring/alertmanager/alertmanager.yml is this,
 * rendered by monitoring/render.ts): each environment's Alertmanager loads the same file and routes on the
 * `environment` label the rules set.
 *
 * - prod: critical alerts page (PagerDuty) and also go to the prod Slack channel; warnings only to Slack.
 * - dev, stage, local: Slack, one webhook (so one channel) per environment, repeated less often.
 * - Alerts are grouped per environment and customer: one notification tells everything wrong with one customer.
 * - While the ingress controller is down every page is down: IngressControllerDown inhibits all customer-scoped
 *   alerts of its environment. A page that is down or wrong also inhibits its own slow/5xx/not-probed alerts.
 * - Secrets never live in the file: the PagerDuty routing key and the Slack webhook URLs are read from files mounted
 *   from a Secret (`alertmanagerSpec.secrets: [sas-alerting]` mounts it at /etc/alertmanager/secrets/sas-alerting/).
 */
import { ALERT_NAMES, type AlertName } from "./rules";

export interface AlertmanagerOptions {
    /** Environments routed to Slack only. */
    nonProdEnvironments: string[];
    /** The paging environment. */
    prodEnvironment: string;
    /** Directory the alerting Secret is mounted at. */
    secretDir: string;
    /** Slack channel names per environment, for the message only (an incoming webhook posts to its own channel). */
    slackChannelPrefix: string;
}

export const DEFAULT_ALERTMANAGER_OPTIONS: Readonly<AlertmanagerOptions> = {
    nonProdEnvironments: ["local", "dev", "stage"],
    prodEnvironment: "prod",
    secretDir: "/etc/alertmanager/secrets/sas-alerting",
    slackChannelPrefix: "#sas-alerts-",
};

/** Receiver names, stable: tests and `amtool config routes test --verify.receivers` use them. */
export const receiverNames = {
    fallback: "slack-platform",
    pager: (env: string) => `pagerduty-${env}`,
    slack: (env: string) => `slack-${env}`,
};

/** The key of each secret file in the Secret (and so its file name under secretDir). */
export const alertingSecretKeys = {
    pagerdutyRoutingKey: "pagerduty-routing-key",
    slackWebhook: (env: string) => `slack-webhook-url-${env}`,
    slackPlatformWebhook: "slack-webhook-url-platform",
};

const CUSTOMER_SIDE_EFFECTS: AlertName[] = ["CustomerPageSlow", "CustomerHigh5xxRate", "CustomerProbeFailing"];

const SLACK_TITLE =
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.environment }}' +
    "{{ if .CommonLabels.customer }} / {{ .CommonLabels.customer }}{{ end }}: {{ .CommonLabels.alertname }}";
const SLACK_TEXT =
    "{{ range .Alerts }}*{{ .Labels.alertname }}* ({{ .Labels.severity }}): {{ .Annotations.summary }}\n" +
    "{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";

export function alertmanagerConfig(opts: AlertmanagerOptions = DEFAULT_ALERTMANAGER_OPTIONS) {
    const file = (key: string) => `${opts.secretDir}/${key}`;
    const slack = (name: string, channel: string, webhookKey: string) => ({
        name,
        slack_configs: [
            {
                api_url_file: file(webhookKey),
                channel,
                send_resolved: true,
                title: SLACK_TITLE,
                text: SLACK_TEXT,
            },
        ],
    });
    const prod = opts.prodEnvironment;
    const envs = [...opts.nonProdEnvironments, prod];
    if (new Set(envs).size !== envs.length) throw new Error(`environments listed twice: ${envs.join(", ")}`);
    for (const a of CUSTOMER_SIDE_EFFECTS) if (!ALERT_NAMES.includes(a)) throw new Error(`unknown alert ${a}`);
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: receiverNames.fallback,
            group_by: ["environment", "customer"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                {
                    matchers: [`environment="${prod}"`, `severity="critical"`],
                    receiver: receiverNames.pager(prod),
                    // Also to the prod channel (next route): the page and the written record.
                    continue: true,
                    group_wait: "10s",
                    repeat_interval: "1h",
                },
                { matchers: [`environment="${prod}"`], receiver: receiverNames.slack(prod) },
                ...opts.nonProdEnvironments.map((env) => ({
                    matchers: [`environment="${env}"`],
                    receiver: receiverNames.slack(env),
                    repeat_interval: "12h",
                })),
            ],
        },
        inhibit_rules: [
            {
                source_matchers: ['alertname="IngressControllerDown"'],
                target_matchers: ['scope="customer"'],
                equal: ["environment"],
            },
            {
                source_matchers: ['alertname=~"CustomerPageDown|CustomerPageWrongContent"'],
                target_matchers: [`alertname=~"${CUSTOMER_SIDE_EFFECTS.join("|")}"`],
                equal: ["environment", "customer"],
            },
        ],
        receivers: [
            slack(receiverNames.fallback, `${opts.slackChannelPrefix}platform`, alertingSecretKeys.slackPlatformWebhook),
            {
                name: receiverNames.pager(prod),
                pagerduty_configs: [
                    {
                        routing_key_file: file(alertingSecretKeys.pagerdutyRoutingKey),
                        severity: "critical",
                        send_resolved: true,
                        description: "{{ .CommonLabels.environment }}{{ if .CommonLabels.customer }} / {{ .CommonLabels.customer }}{{ end }}: {{ .CommonAnnotations.summary }}",
                        details: {
                            alerts: "{{ range .Alerts }}{{ .Labels.alertname }}: {{ .Annotations.summary }} ({{ .Annotations.runbook_url }})\n{{ end }}",
                            customer: "{{ .CommonLabels.customer }}",
                            environment: "{{ .CommonLabels.environment }}",
                        },
                    },
                ],
            },
            ...envs.map((env) => slack(receiverNames.slack(env), `${opts.slackChannelPrefix}${env}`, alertingSecretKeys.slackWebhook(env))),
        ],
    };
}

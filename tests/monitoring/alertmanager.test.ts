// The Alertmanager routing in monitoring/alertmanager/alertmanager.yml, proved with the real tools built from
// github.com/prometheus/alertmanager (tests/harness/build/build-amtool.sh): amtool accepts the config, routes label
// sets of every alert and environment to the intended receivers, renders the notification templates; a real
// alertmanager on 127.0.0.1 inhibits customer alerts while the ingress controller is down and delivers the
// notifications it should to local stand-ins for Slack and PagerDuty (no traffic leaves the machine).
import { freePort } from "../harness/processes";
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
    alertingSecretKeys,
    alertmanagerConfig,
    DEFAULT_ALERTMANAGER_OPTIONS,
    receiverNames,
} from "../../components/model/monitoring/alertmanager";
import { alertSpecs } from "../../components/model/monitoring/rules";
import { resolveMonitoringSettings } from "../../components/model/monitoring/settings";
import { toYaml } from "../../components/model/monitoring/yaml";
import { requireGoTool, ROOT, run } from "./tools";

const CONFIG = path.join(ROOT, "monitoring/alertmanager/alertmanager.yml");

describe("alertmanager config: amtool", function () {
    this.timeout(900_000);
    let amtool = "";
    let dir = "";

    before(function () {
        amtool = requireGoTool(this, "amtool");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-amtool-"));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    const routes = (labels: Record<string, string>, expected: string[], config = CONFIG) =>
        run(amtool, [
            "config",
            "routes",
            "test",
            `--config.file=${config}`,
            `--verify.receivers=${expected.join(",")}`,
            ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
        ]);

    it("check-config accepts the committed config: 2 inhibit rules, a fallback, a pager and a channel per environment", function () {
        const res = run(amtool, ["check-config", CONFIG]);
        assert.equal(res.status, 0, res.output);
        assert.match(res.output, /SUCCESS/);
        assert.match(res.output, /- 2 inhibit rules/);
        const envs = [...DEFAULT_ALERTMANAGER_OPTIONS.nonProdEnvironments, DEFAULT_ALERTMANAGER_OPTIONS.prodEnvironment];
        assert.match(res.output, new RegExp(`- ${envs.length + 2} receivers`));
    });

    const table: Array<[string, Record<string, string>, string[]]> = [
        ["prod critical pages and posts", { environment: "prod", severity: "critical", alertname: "CustomerPageDown", customer: "acme" }, ["pagerduty-prod", "slack-prod"]],
        ["prod warning only posts", { environment: "prod", severity: "warning", alertname: "CustomerPageSlow", customer: "acme" }, ["slack-prod"]],
        ["prod fleet critical pages", { environment: "prod", severity: "critical", alertname: "IngressControllerDown" }, ["pagerduty-prod", "slack-prod"]],
        ["stage critical never pages", { environment: "stage", severity: "critical", alertname: "CustomerPageDown", customer: "acme" }, ["slack-stage"]],
        ["dev to the dev channel", { environment: "dev", severity: "critical", alertname: "OnboardingFailed", customer: "acme" }, ["slack-dev"]],
        ["local to the local channel", { environment: "local", severity: "warning", alertname: "TenantHpaAtMax" }, ["slack-local"]],
        ["no environment: the platform channel", { alertname: "Watchdog", severity: "none" }, ["slack-platform"]],
        ["an unknown environment: the platform channel", { environment: "qa", severity: "critical" }, ["slack-platform"]],
    ];
    for (const [name, labels, expected] of table) {
        it(`routes test: ${name}`, function () {
            const res = routes(labels, expected);
            assert.equal(res.status, 0, res.output);
            assert.equal(res.stdout.trim(), expected.join(","));
        });
    }

    it("routes test: every alert the rules can raise, in every environment, reaches that environment's receivers", function () {
        for (const env of ["local", "dev", "stage", "prod"]) {
            for (const a of alertSpecs(resolveMonitoringSettings({ environment: env, baseDomain: "x.example.com", tls: true }))) {
                const expected =
                    env === "prod" ? (a.severity === "critical" ? [receiverNames.pager(env), receiverNames.slack(env)] : [receiverNames.slack(env)]) : [receiverNames.slack(env)];
                const res = routes({ alertname: a.alert, environment: env, severity: a.severity, scope: a.scope, customer: "acme" }, expected);
                assert.equal(res.status, 0, `${env} ${a.alert}: ${res.output}`);
            }
        }
    });

    it("negative control: routes test fails when the expected receiver is wrong", function () {
        const res = routes({ environment: "prod", severity: "critical" }, ["slack-dev"]);
        assert.equal(res.status, 1, res.output);
        assert.match(res.output, /Expected receivers did not match resolved receivers/);
    });

    it("negative control: check-config rejects a route to a receiver that does not exist", function () {
        const broken = alertmanagerConfig();
        broken.route.routes[1].receiver = "slack-nowhere";
        const file = path.join(dir, "broken.yml");
        fs.writeFileSync(file, toYaml(broken));
        const res = run(amtool, ["check-config", file]);
        assert.equal(res.status, 1, res.output);
        assert.match(res.output, /undefined receiver "slack-nowhere"/);
    });

    it("template render: the Slack title and text and the PagerDuty description are valid templates", function () {
        const cfg = alertmanagerConfig();
        const empty = path.join(dir, "empty.tmpl");
        fs.writeFileSync(empty, '{{ define "sas.empty" }}{{ end }}');
        const texts = [
            ...cfg.receivers.flatMap((r) => ("slack_configs" in r ? r.slack_configs.flatMap((c) => [c.title, c.text]) : [])),
            ...cfg.receivers.flatMap((r) => ("pagerduty_configs" in r ? r.pagerduty_configs.flatMap((c) => [c.description, ...Object.values(c.details)]) : [])),
        ];
        assert.ok(texts.length >= 6);
        for (const text of new Set(texts)) {
            const res = run(amtool, ["template", "render", `--template.glob=${empty}`, `--template.text=${text}`]);
            assert.equal(res.status, 0, `${text}\n${res.output}`);
        }
        const bad = run(amtool, ["template", "render", `--template.glob=${empty}`, "--template.text={{ range .Alerts }"]);
        assert.equal(bad.status, 1, "negative control: a broken template must fail");
    });
});

interface Received {
    path: string;
    body: Record<string, unknown>;
}

describe("alertmanager config: a real alertmanager (inhibition and delivery)", function () {
    this.timeout(900_000);
    let alertmanager = "";
    let dir = "";
    let proc: ChildProcess | undefined;
    let hook: http.Server | undefined;
    let base = "";
    let output = "";
    const received: Received[] = [];

    before(async function () {
        alertmanager = requireGoTool(this, "alertmanager");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-alertmanager-"));
        // Local stand-ins for Slack and PagerDuty: every notification lands here, on 127.0.0.1.
        hook = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d) => (body += d));
            req.on("end", () => {
                received.push({ path: req.url ?? "", body: JSON.parse(body || "{}") });
                res.writeHead(req.url === "/pagerduty" ? 202 : 200, { "Content-Type": "application/json" });
                res.end(req.url === "/pagerduty" ? '{"status":"success","message":"Event processed"}' : "ok");
            });
        });
        await new Promise<void>((r) => hook!.listen(0, "127.0.0.1", r));
        const hookUrl = `http://127.0.0.1:${(hook.address() as net.AddressInfo).port}`;

        const secrets = path.join(dir, "secrets");
        fs.mkdirSync(secrets);
        for (const env of ["local", "dev", "stage", "prod", "platform"]) {
            const key = env === "platform" ? alertingSecretKeys.slackPlatformWebhook : alertingSecretKeys.slackWebhook(env);
            fs.writeFileSync(path.join(secrets, key), `${hookUrl}/slack/${env}\n`);
        }
        fs.writeFileSync(path.join(secrets, alertingSecretKeys.pagerdutyRoutingKey), "test-routing-key\n");
        // The committed config with the secrets here, PagerDuty's endpoint local and short waits; routes and
        // inhibition are untouched.
        const cfg = alertmanagerConfig({ ...DEFAULT_ALERTMANAGER_OPTIONS, secretDir: secrets });
        Object.assign(cfg.route, { group_wait: "1s", group_interval: "1s" });
        for (const r of cfg.route.routes) if ("group_wait" in r) r.group_wait = "1s";
        for (const r of cfg.receivers) if ("pagerduty_configs" in r) for (const c of r.pagerduty_configs) Object.assign(c, { url: `${hookUrl}/pagerduty` });
        const file = path.join(dir, "alertmanager.yml");
        fs.writeFileSync(file, toYaml(cfg));

        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        proc = spawn(
            alertmanager,
            [`--config.file=${file}`, `--storage.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        proc.stdout?.on("data", (d) => (output += d));
        proc.stderr?.on("data", (d) => (output += d));
        const deadline = Date.now() + 30_000;
        for (;;) {
            const ok = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
            if (ok) break;
            if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`alertmanager did not become ready:\n${output}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    });

    after(async function () {
        if (proc && proc.exitCode === null) {
            proc.kill("SIGTERM");
            await new Promise((r) => proc!.once("exit", r));
        }
        hook?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const alert = (labels: Record<string, string>) => ({
        labels,
        annotations: { summary: `${labels.alertname} ${labels.customer ?? ""}`.trim(), description: "test", runbook_url: "docs/MONITORING.md#x" },
        startsAt: new Date().toISOString(),
    });
    const customerAlert = (alertname: string, environment: string, customer: string, severity = "critical") =>
        alert({ alertname, environment, customer, severity, scope: "customer" });

    it("suppresses customer alerts of an environment whose ingress controller is down, and only those", async function () {
        const post = await fetch(`${base}/api/v2/alerts`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify([
                alert({ alertname: "IngressControllerDown", environment: "dev", severity: "critical", scope: "fleet", job: "traefik" }),
                customerAlert("CustomerPageDown", "dev", "acme"),
                customerAlert("TenantHpaAtMax", "dev", "acme", "warning"),
                alert({ alertname: "OnboardingDeadLetters", environment: "dev", severity: "warning", scope: "fleet" }),
                customerAlert("CustomerPageDown", "prod", "acme"),
                // A down page inhibits its own slow/5xx alerts, not another customer's.
                customerAlert("CustomerPageDown", "stage", "beta"),
                customerAlert("CustomerPageSlow", "stage", "beta", "warning"),
                customerAlert("CustomerPageSlow", "stage", "gamma", "warning"),
            ]),
        });
        assert.equal(post.status, 200, await post.text());
        const state = async () => {
            const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }>;
            return Object.fromEntries(alerts.map((a) => [`${a.labels.environment}/${a.labels.alertname}/${a.labels.customer ?? "-"}`, a.status.state]));
        };
        let got: Record<string, string> = {};
        const expected = {
            "dev/IngressControllerDown/-": "active",
            "dev/CustomerPageDown/acme": "suppressed",
            "dev/TenantHpaAtMax/acme": "suppressed",
            "dev/OnboardingDeadLetters/-": "active",
            "prod/CustomerPageDown/acme": "active",
            "stage/CustomerPageDown/beta": "active",
            "stage/CustomerPageSlow/beta": "suppressed",
            "stage/CustomerPageSlow/gamma": "active",
        };
        // Inhibition is computed asynchronously after the POST: poll briefly.
        for (let i = 0; i < 50; i++) {
            got = await state();
            if (JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(expected).sort())) break;
            await new Promise((r) => setTimeout(r, 100));
        }
        assert.deepEqual(got, expected, output);
    });

    it("delivers one notification per environment and customer, to the right channel, paging only for prod", async function () {
        const want = (p: string, customer?: string) => (r: Received) =>
            r.path === p && (customer === undefined || JSON.stringify(r.body).includes(`"customer":"${customer}"`) || JSON.stringify(r.body).includes(`/ ${customer}:`));
        const deadline = Date.now() + 60_000;
        const done = () =>
            received.some(want("/pagerduty")) &&
            received.some(want("/slack/prod", "acme")) &&
            received.some(want("/slack/dev")) &&
            received.some(want("/slack/stage", "beta")) &&
            received.some(want("/slack/stage", "gamma"));
        while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        const paths = received.map((r) => r.path);
        assert.ok(done(), `missing notifications; got ${JSON.stringify(paths)}\n${output}`);

        const pd = received.find(want("/pagerduty"))!.body as { routing_key: string; payload: { summary: string; severity: string } };
        assert.equal(pd.routing_key, "test-routing-key", "the routing key comes from the mounted file");
        assert.match(pd.payload.summary, /^prod \/ acme: CustomerPageDown acme$/);
        assert.equal(paths.filter((p) => p === "/pagerduty").length, 1, "only prod critical pages");

        const slackTexts = received.filter((r) => r.path.startsWith("/slack/")).map((r) => JSON.stringify(r.body));
        // Suppressed alerts are in no notification; the stage group of beta carries only its page-down alert.
        assert.ok(!slackTexts.some((t) => t.includes("TenantHpaAtMax")), "an inhibited alert was notified");
        const dev = received.filter((r) => r.path === "/slack/dev").map((r) => JSON.stringify(r.body));
        assert.ok(dev.some((t) => t.includes("IngressControllerDown")), "the ingress alert itself is notified");
        assert.ok(!dev.some((t) => t.includes("acme")), "dev's customer alerts are inhibited while its ingress controller is down");
        assert.ok(!slackTexts.some((t) => t.includes("*CustomerPageSlow* (warning): CustomerPageSlow beta")), "an inhibited alert was notified");
        assert.ok(slackTexts.some((t) => t.includes("Runbook: docs/MONITORING.md#x")));
        assert.ok(!received.some((r) => r.path === "/slack/platform"), "every alert had an environment: nothing for the fallback");
    });
});


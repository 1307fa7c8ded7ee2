// The alerting and recording rules, proved with the real promtool (built from github.com/prometheus/prometheus by
// tests/harness/build/build-promtool.sh): `promtool check rules` accepts the rule file of every stack and the
// PrometheusRule's spec; `promtool test rules` shows each alert firing on the failing series at the right time, silent
// before it and silent on the healthy customers; a wrong expectation and a broken rule make promtool fail.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { alertSpecs, ALERT_NAMES, prometheusRuleManifest, ruleFile } from "../../components/model/monitoring/rules";
import { resolveMonitoringSettings } from "../../components/model/monitoring/settings";
import { toYaml } from "../../components/model/monitoring/yaml";
import { BASE_DOMAIN, CASE_GROUPS, ENV } from "./alert-cases";
import { promtoolTestFile } from "./promtool-tests";
import { stackMonitoringSettings, STACKS } from "./stacks";
import { requireGoTool, run } from "./tools";

describe("monitoring rules: promtool", function () {
    this.timeout(900_000); // a cold build of promtool takes minutes on 2 cores
    let promtool = "";
    let dir = "";
    const settings = resolveMonitoringSettings({ environment: ENV, baseDomain: BASE_DOMAIN, tls: true });

    before(function () {
        promtool = requireGoTool(this, "promtool");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-promtool-"));
    });
    after(function () {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const write = (name: string, content: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        return file;
    };

    it("promtool is the version the wrapper module pins", function () {
        const out = run(promtool, ["--version"]);
        assert.equal(out.status, 0, out.output);
        const gomod = fs.readFileSync(path.join(__dirname, "../harness/go/prometheus/go.mod"), "utf8");
        const [, minor, patch] = /github\.com\/prometheus\/prometheus v0\.(\d+)\.(\d+)/.exec(gomod) ?? [];
        assert.match(out.stdout, new RegExp(`^promtool, version ${Math.floor(+minor / 100)}\\.${+minor % 100}\\.${patch} `));
    });

    for (const stack of STACKS) {
        it(`check rules: accepts the rule file and the PrometheusRule spec of stack ${stack}`, function () {
            const s = stackMonitoringSettings(stack);
            const files = [write(`rules-${stack}.yml`, toYaml(ruleFile(s))), write(`prometheusrule-${stack}.yml`, toYaml(prometheusRuleManifest(s).spec))];
            const res = run(promtool, ["check", "rules", "--lint=all", "--lint-fatal", ...files]);
            assert.equal(res.status, 0, res.output);
            const expected = ALERT_NAMES.length + 3; // + the recording rules
            assert.equal((res.output.match(new RegExp(`SUCCESS: ${expected} rules found`, "g")) ?? []).length, 2, res.output);
        });
    }

    it("test rules: every alert fires on its failing series, at the right time, and only there", function () {
        const rules = write("rules.yml", toYaml(ruleFile(settings)));
        const tested = new Set(CASE_GROUPS.flatMap((g) => g.expect.filter((e) => e.fires.length > 0).map((e) => e.alert)));
        assert.deepEqual(
            ALERT_NAMES.filter((a) => !tested.has(a)),
            [],
            "every alert needs a case in tests/monitoring/alert-cases.ts in which it fires",
        );
        const silentFirst = ALERT_NAMES.filter((a) => {
            const times = CASE_GROUPS.flatMap((g) => g.expect.filter((e) => e.alert === a));
            const firstFire = Math.min(...times.filter((e) => e.fires.length).map((e) => minutes(e.at)));
            return !times.some((e) => e.fires.length === 0 && minutes(e.at) < firstFire);
        });
        assert.deepEqual(silentFirst, [], "every alert needs an expectation of silence before it first fires (its `for` or threshold)");

        const testFile = write(
            "tests.yml",
            toYaml(promtoolTestFile(path.basename(rules), CASE_GROUPS, alertSpecs(settings), { environment: ENV, runbookBaseUrl: settings.runbookBaseUrl })),
        );
        const res = run(promtool, ["test", "rules", testFile], { cwd: dir });
        assert.equal(res.status, 0, `promtool test rules failed:\n${res.output}`);
        assert.match(res.output, /SUCCESS/);
        assert.doesNotMatch(res.output, /FAILED/);
    });

    it("negative control: an alert expected one minute early makes promtool test rules fail", function () {
        const rules = write("rules-neg.yml", toYaml(ruleFile(settings)));
        const early = CASE_GROUPS.filter((g) => g.name.startsWith("customer page probes: down")).map((g) => ({
            ...g,
            // CustomerPageDown has `for: 5m`: at 4m it is pending, not firing.
            expect: g.expect.filter((e) => e.alert === "CustomerPageDown" && e.at === "5m").map((e) => ({ ...e, at: "4m" })),
        }));
        assert.equal(early[0]?.expect.length, 1);
        const testFile = write(
            "tests-neg.yml",
            toYaml(promtoolTestFile(path.basename(rules), early, alertSpecs(settings), { environment: ENV, runbookBaseUrl: settings.runbookBaseUrl })),
        );
        const res = run(promtool, ["test", "rules", testFile], { cwd: dir });
        assert.equal(res.status, 1, `expected promtool to fail:\n${res.output}`);
        assert.match(res.output, /FAILED/);
        assert.match(res.output, /alertname: CustomerPageDown, time: 4m/);
        assert.match(res.output, /got:\s*\[\]/);
    });

    it("negative control: a healthy customer expected to alert makes promtool test rules fail", function () {
        const rules = write("rules-neg2.yml", toYaml(ruleFile(settings)));
        const wrong = CASE_GROUPS.filter((g) => g.name.startsWith("tenants: quota")).map((g) => ({
            ...g,
            expect: g.expect
                .filter((e) => e.alert === "TenantHpaAtMax" && e.fires.length)
                .map((e) => ({ ...e, fires: [...e.fires, { labels: { namespace: "cust-good", customer: "good", horizontalpodautoscaler: "welcome" }, value: "3" }] })),
        }));
        const testFile = write(
            "tests-neg2.yml",
            toYaml(promtoolTestFile(path.basename(rules), wrong, alertSpecs(settings), { environment: ENV, runbookBaseUrl: settings.runbookBaseUrl })),
        );
        const res = run(promtool, ["test", "rules", testFile], { cwd: dir });
        assert.equal(res.status, 1, `expected promtool to fail:\n${res.output}`);
        assert.match(res.output, /alertname: TenantHpaAtMax, time: 15m/);
    });

    it("negative control: check rules rejects a rule with a PromQL error", function () {
        const broken = ruleFile(settings);
        const rule = broken.groups.flatMap((g) => g.rules).find((r) => "alert" in r && r.alert === "CustomerPageDown")!;
        assert.match(rule.expr, /== 0/);
        rule.expr = rule.expr.replace("== 0", "== ");
        const res = run(promtool, ["check", "rules", write("broken.yml", toYaml(broken))]);
        assert.equal(res.status, 1, res.output);
        assert.match(res.output, /FAILED/);
        assert.match(res.output, /parse error/);
    });
});

function minutes(d: string): number {
    const m = /^(\d+)m$/.exec(d);
    if (!m) throw new Error(`eval times in alert-cases.ts are whole minutes, got ${d}`);
    return +m[1];
}

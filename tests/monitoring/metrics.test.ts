// The pipeline's exposition text and the probes' body regexps, checked with the real promtool:
// - `promtool check metrics` lints what the pipeline steps push (format, naming, HELP/TYPE, histogram shape);
// - the blackbox modules' body regexps run in Go's regexp engine (the one blackbox_exporter uses), through PromQL
//   label matchers in `promtool test rules`, against the real rendered welcome pages.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderCustomerMetrics, renderStepMetrics } from "../../components/model/monitoring/pipeline-metrics";
import { pageBodyRegexps } from "../../components/model/monitoring/probes";
import { quote } from "../../components/model/monitoring/promql";
import { toYaml } from "../../components/model/monitoring/yaml";
import { renderSiteContent } from "../../components/model/site/content";
import { requireGoTool, run } from "./tools";

describe("pipeline metrics and probe regexps: promtool", function () {
    this.timeout(900_000);
    let promtool = "";
    let dir = "";
    before(function () {
        promtool = requireGoTool(this, "promtool");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-promtool-metrics-"));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("check metrics: every report a step can push is clean exposition text", function () {
        const texts = [
            renderStepMetrics({ environment: "prod", step: "intake", events: { succeeded: 40, failed: 2, rejected: 1, dead_lettered: 1 }, retries: 5, deadLetters: 1 }),
            renderStepMetrics({ environment: "prod", step: "deploy", events: { succeeded: 3 }, deployedAt: 1_760_000_000 }),
            renderStepMetrics({ environment: "prod", step: "verify", events: { succeeded: 3, failed: 1 }, retries: 0 }),
            renderCustomerMetrics({ environment: "prod", customer: "acme", state: "live", recordedAt: 1_760_000_000, liveAt: 1_760_000_420, verifiedAt: 1_760_000_500 }),
            renderCustomerMetrics({ environment: "prod", customer: "newco", state: "recorded", recordedAt: 1_760_000_000 }),
        ];
        for (const text of texts) {
            const res = run(promtool, ["check", "metrics"], { input: text });
            assert.equal(res.status, 0, `${text}\n${res.output}`);
            assert.equal(res.output.trim(), "", `promtool check metrics has findings:\n${res.output}`);
        }
    });

    it("negative control: check metrics reports a badly named counter", function () {
        const res = run(promtool, ["check", "metrics"], { input: "# HELP sas_bad A counter.\n# TYPE sas_bad counter\nsas_bad 1\n" });
        assert.equal(res.status, 3, res.output);
        assert.match(res.output, /counter metrics should have "_total" suffix/);
    });

    it("Go's regexp engine: each customer's body regexps match its own page and not another's", function () {
        const names = ["Acme & Co", "O'Brien <Brothers>", 'The "Best" Shop', "A.B (C)+ [D] {E} ^$|?*\\", "株式会社サンプル", "شركة المثال", "Café 🚀"];
        const page = (name: string, id: string) =>
            renderSiteContent({ id, companyName: name, motto: "m", tier: "starter", purchaseId: `PO-${id}` }).indexHtml;
        // One series per page, its HTML as a label value; a matcher with the module's regexp selects it when the regexp
        // matches somewhere in the body (label matchers are anchored, hence the (?s).* around it).
        const input = names.map((name, i) => ({ series: `page{case="${i}", body=${quote(page(name, `c${i}`))}}`, values: "1" }));
        input.push({ series: `page{case="other", body=${quote(page("Someone Else", "other"))}}`, values: "1" });
        const exprs = names.flatMap((name, i) =>
            pageBodyRegexps(name).map((re) => ({
                expr: `count by (case) (page{body=~${quote(`(?s).*(?:${re}).*`)}})`,
                eval_time: "0m",
                // Heading regexp: every page (all seven plus "other"); company regexp: only its own page.
                exp_samples:
                    re === pageBodyRegexps(name)[0]
                        ? [...names.map((_, j) => ({ labels: `{case="${j}"}`, value: 1 })), { labels: '{case="other"}', value: 1 }]
                        : [{ labels: `{case="${i}"}`, value: 1 }],
            })),
        );
        fs.writeFileSync(path.join(dir, "empty-rules.yml"), "groups: []\n");
        const file = path.join(dir, "regexp-tests.yml");
        fs.writeFileSync(file, toYaml({ rule_files: ["empty-rules.yml"], tests: [{ interval: "1m", input_series: input, promql_expr_test: exprs }] }));
        const res = run(promtool, ["test", "rules", file], { cwd: dir });
        assert.equal(res.status, 0, res.output);
    });
});

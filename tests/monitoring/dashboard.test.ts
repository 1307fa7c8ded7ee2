// Lints monitoring/dashboards/onboarding.json: valid JSON with unique panel ids and a sane grid, every query on the
// `datasource` variable, parsed by the real promtool (`promtool promql format`), and naming only series an exporter,
// the pipeline or one of our recording rules produces (components/model/monitoring/catalog.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { knownSeriesNames } from "../../components/model/monitoring/catalog";
import { seriesNames, withGrafanaVariables } from "./promql-names";
import { requireGoTool, ROOT, run } from "./tools";

/* eslint-disable @typescript-eslint/no-explicit-any -- dashboard JSON is untyped data */
const FILE = path.join(ROOT, "monitoring/dashboards/onboarding.json");
const text = fs.readFileSync(FILE, "utf8");

function allPanels(): any[] {
    const top: any[] = JSON.parse(text).panels;
    return top.flatMap((p) => [p, ...(p.panels ?? [])]);
}
const queries = (): Array<{ where: string; expr: string }> => [
    ...allPanels().flatMap((p) => (p.targets ?? []).map((t: any) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr as string }))),
    ...JSON.parse(text)
        .templating.list.filter((v: any) => v.type === "query")
        .map((v: any) => ({ where: `variable ${v.name}`, expr: String(v.query.query).replace(/^label_values\((.*),\s*[a-zA-Z_]+\)$/, "$1") })),
];

describe("dashboard monitoring/dashboards/onboarding.json", function () {
    it("is valid JSON with a uid, a title, and the datasource, environment and customer variables", function () {
        const d = JSON.parse(text);
        assert.equal(d.uid, "sas-onboarding");
        assert.ok(d.title);
        const vars = d.templating.list.map((v: any) => `${v.name}:${v.type}`);
        assert.deepEqual(vars, ["datasource:datasource", "environment:query", "customer:query"]);
    });

    it("has unique panel ids, every panel on the grid without overlaps", function () {
        const panels = allPanels();
        const ids = panels.map((p) => p.id);
        assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(",")}`);
        const cells = new Map<string, number>();
        for (const p of panels) {
            const { x, y, w, h } = p.gridPos;
            assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `panel ${p.id} "${p.title}" is off the 24-column grid: ${JSON.stringify(p.gridPos)}`);
            for (let i = x; i < x + w; i++)
                for (let j = y; j < y + h; j++) {
                    const other = cells.get(`${i},${j}`);
                    assert.equal(other, undefined, `panel ${p.id} "${p.title}" overlaps panel ${other}`);
                    cells.set(`${i},${j}`, p.id);
                }
        }
    });

    it("has a fleet view and a per-customer view that uses $customer", function () {
        const panels = allPanels();
        const rows = panels.filter((p) => p.type === "row").map((p) => p.title);
        assert.deepEqual(rows, ["Fleet ($environment)", "Customer $customer"]);
        const titles = panels.map((p) => p.title);
        for (const t of ["Customers by state", "Onboarding latency, purchase to live", "Pages down"]) assert.ok(titles.includes(t), `missing panel "${t}"`);
        const customerRow = panels.findIndex((p) => p.title === "Customer $customer");
        const perCustomer = panels.slice(customerRow + 1);
        assert.ok(perCustomer.length >= 5);
        for (const p of perCustomer) {
            for (const t of p.targets) assert.match(t.expr, /\$customer/, `per-customer panel "${p.title}" does not filter by $customer`);
        }
    });

    it("queries every panel through the datasource variable", function () {
        for (const p of allPanels().filter((x) => x.type !== "row")) {
            assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, `panel ${p.id}`);
            assert.ok(p.targets?.length, `panel ${p.id} "${p.title}" has no query`);
            for (const t of p.targets) assert.deepEqual(t.datasource, p.datasource, `panel ${p.id} ${t.refId}`);
        }
    });

    it("names only series that an exporter, the pipeline or a recording rule produces", function () {
        const known = knownSeriesNames();
        const unknown = queries().flatMap(({ where, expr }) => seriesNames(withGrafanaVariables(expr)).filter((n) => !known.has(n)).map((n) => `${where}: ${n}`));
        assert.deepEqual(unknown, []);
        const used = new Set(queries().flatMap(({ expr }) => seriesNames(withGrafanaVariables(expr))));
        for (const must of ["sas_onboarding_state", "sas_onboarding_duration_seconds_bucket", "probe_success"]) assert.ok(used.has(must), `no panel reads ${must}`);
    });

    describe("with promtool", function () {
        this.timeout(900_000);
        let promtool = "";
        before(function () {
            promtool = requireGoTool(this, "promtool");
        });

        it("every query parses as PromQL (promtool promql format)", function () {
            for (const { where, expr } of queries()) {
                const res = run(promtool, ["promql", "format", "--experimental", withGrafanaVariables(expr)]);
                assert.equal(res.status, 0, `${where}: ${expr}\n${res.output}`);
            }
        });

        it("negative control: promtool rejects a broken query", function () {
            const res = run(promtool, ["promql", "format", "--experimental", "sum by (le (x)"]);
            assert.notEqual(res.status, 0);
        });
    });
});

describe("seriesNames (the PromQL name extractor the lints use)", function () {
    it("finds series and skips functions, keywords, labels, strings, numbers and durations", function () {
        assert.deepEqual(
            seriesNames('sum by (customer) (rate(a_total{x="y", z=~"w.*"}[5m])) / on (customer) group_left (state) b > 0.5 and c unless time() - 1e3'),
            ["a_total", "b", "c"],
        );
        assert.deepEqual(seriesNames('label_replace(up{job="t"} == 0, "customer", "$1", "namespace", "cust-(.+)")'), ["up"]);
        assert.deepEqual(seriesNames(withGrafanaVariables('increase(x{c="$customer"}[$__rate_interval]) or vector(0)')), ["x"]);
        assert.deepEqual(seriesNames("histogram_quantile(0.95, sum(rate(h_bucket[5m])) without (pod))"), ["h_bucket"]);
    });
});

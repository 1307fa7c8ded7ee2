import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { escapeHtml } from "../../../../components/model/site/escape";
import { cspHashSource, DEFAULT_ACCENT, pageStyle, renderPage } from "../../../../components/model/site/page";
import { contentHash, renderSiteContent } from "../../../../components/model/site/content";
import { securityHeaders } from "../../../../components/model/site/security-headers";
import type { Customer } from "../../../../components/model/customer";

const customer = (over: Partial<Customer> = {}): Customer => ({
    id: "acme",
    companyName: "Acme & Sons <Ltd>",
    motto: `Say "hi" & 'bye'`,
    tier: "starter",
    purchaseId: "PO-1",
    ...over,
});

describe("site: escapeHtml", () => {
    it("escapes the five HTML-significant characters and nothing else", () => {
        assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert.equal(escapeHtml("Müller さくら تحليلات"), "Müller さくら تحليلات");
        assert.equal(escapeHtml("&amp;"), "&amp;amp;", "already-escaped text is escaped again: entities are literal text");
    });
});

describe("site: page", () => {
    const html = renderPage({ companyName: "Acme & Sons <Ltd>", motto: `Say "hi"`, accentColor: "#AA00ff" });

    it("holds Welcome to SAS, the escaped company name and motto, and no raw customer markup", () => {
        assert.match(html, /<h1>Welcome to SAS<\/h1>/);
        assert.ok(html.includes(`<p class="company" dir="auto">Acme &amp; Sons &lt;Ltd&gt;</p>`));
        assert.ok(html.includes(`<p class="motto" dir="auto">Say &quot;hi&quot;</p>`));
        assert.ok(!html.includes("<Ltd>"));
    });

    it("is a phone-ready HTML document with a language and no external assets", () => {
        assert.ok(html.startsWith("<!doctype html>\n<html lang=\"en\">"));
        assert.ok(html.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'));
        assert.ok(html.includes('<meta charset="utf-8">'));
        assert.doesNotMatch(html, /\b(src|href)=|url\(|@import|<script|<link/i);
    });

    it("puts the accent colour (lower-cased) into the inline style, or the default", () => {
        assert.ok(html.includes("--accent:#aa00ff"));
        assert.ok(renderPage({ companyName: "a", motto: "b" }).includes(`--accent:${DEFAULT_ACCENT}`));
        assert.throws(() => pageStyle("red;}body{x"), /accentColor must be #rrggbb/);
    });

    it("the CSP style hash is the SHA-256 of exactly the inline <style> text", () => {
        const style = /<style>([^<]*)<\/style>/.exec(html)?.[1];
        assert.ok(style);
        const expected = `'sha256-${createHash("sha256").update(style).digest("base64")}'`;
        assert.equal(cspHashSource(style), expected);
        const csp = new Map(securityHeaders("#AA00ff")).get("Content-Security-Policy");
        assert.equal(csp, `default-src 'none'; style-src ${expected}; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    });
});

describe("site: content hash", () => {
    const base = renderSiteContent(customer());

    it("is the same for the same record", () => {
        assert.equal(renderSiteContent(customer()).hash, base.hash);
        assert.match(base.hash, /^[0-9a-f]{64}$/);
    });

    it("changes with the motto, the company name and the accent colour", () => {
        assert.notEqual(renderSiteContent(customer({ motto: "New motto" })).hash, base.hash);
        assert.notEqual(renderSiteContent(customer({ companyName: "Acme 2" })).hash, base.hash);
        assert.notEqual(renderSiteContent(customer({ theme: { accentColor: "#123456" } })).hash, base.hash);
    });

    it("does not change with fields the page does not show (tier, purchase id)", () => {
        assert.equal(renderSiteContent(customer({ tier: "enterprise", purchaseId: "PO-2" })).hash, base.hash);
    });

    it("is length-prefixed, so moving text between page and config changes it", () => {
        assert.notEqual(contentHash("ab", "c"), contentHash("a", "bc"));
    });
});

import { strict as assert } from "node:assert";
import { customerSchema } from "../../../components/model/customer";
import {
    asciiSlug,
    baseId,
    companyKey,
    fallbackId,
    fitSlug,
    parsePurchaseEvent,
    recordFromEvent,
    redactRawEvent,
    resolveId,
    sameRecord,
    showName,
    validPurchaseId,
} from "../../../components/model/purchase";

const valid = {
    purchaseId: "PO-1001",
    companyName: "Acme Rockets",
    motto: "To the moon",
    tier: "business",
    contactEmail: "ops@acme.example",
    occurredAt: "2026-05-01T10:00:00Z",
};

const problemsOf = (raw: unknown) => parsePurchaseEvent(raw).problems.map((p) => `${p.field}: ${p.message}`);

describe("purchase event: validation and normalization", () => {
    it("accepts a valid event, NFC-normalizing and trimming text, lower-casing the sub-domain", () => {
        const { event, problems } = parsePurchaseEvent({
            ...valid,
            companyName: "  Mu\u0308ller Kaffee ",
            subdomain: " Muller-Kaffee ",
            contactEmail: " ops@acme.example ",
        });
        assert.deepEqual(problems, []);
        assert.deepEqual(event, { ...valid, companyName: "Müller Kaffee", subdomain: "muller-kaffee" });
        assert.equal(event!.companyName, "M\u00fcller Kaffee", "composed ü (NFC)");
    });

    it("treats an empty sub-domain (an empty CSV cell) as none", () => {
        assert.equal(parsePurchaseEvent({ ...valid, subdomain: "  " }).event?.subdomain, undefined);
        assert.equal("subdomain" in parsePurchaseEvent({ ...valid, subdomain: "" }).event!, false);
    });

    it("reports every problem of an event at once, each naming its field", () => {
        assert.deepEqual(problemsOf({ companyName: "", motto: 5, tier: "gold", contactEmail: "nope", occurredAt: "2026-02-30T10:00:00Z", subdomain: "Bad_Sub", plan: "x" }), [
            "purchaseId: purchaseId is required",
            "companyName: companyName must not be empty",
            "motto: motto must be a string",
            "tier: tier must be one of starter, business, enterprise",
            "contactEmail: contactEmail must be a valid e-mail address",
            "occurredAt: occurredAt must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T12:00:00Z",
            "plan: unknown field",
            "subdomain: subdomain must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
        ]);
    });

    it("takes the text rules from the record schema: bidi controls, zero-width-only text and control characters", () => {
        assert.match(problemsOf({ ...valid, companyName: "Acme\u202Egnp.exe" })[0], /^companyName: companyName must not contain bidirectional control characters \(U\+202E RIGHT-TO-LEFT OVERRIDE/);
        assert.match(problemsOf({ ...valid, motto: "\u200B\u200B" })[0], /^motto: motto must not be empty: it has only invisible characters \(U\+200B\)/);
        assert.deepEqual(problemsOf({ ...valid, companyName: "Ac\u0007me" }), ["companyName: companyName must not contain control characters"]);
        assert.deepEqual(problemsOf({ ...valid, companyName: "x".repeat(101) }), ["companyName: companyName must be at most 100 characters"]);
        // The same text, as a record, fails the loader's schema with the same message: one source of rules.
        const asRecord = customerSchema.safeParse({ id: "acme", companyName: "Acme\u202Egnp.exe", motto: "m", tier: "starter", purchaseId: "PO-1" });
        assert.match(asRecord.error!.issues[0].message, /must not contain bidirectional control characters/);
    });

    it("rejects spreadsheet formula triggers at the start of companyName and motto (not neutralized)", () => {
        for (const bad of ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\uFF1D1+1"]) {
            assert.deepEqual(problemsOf({ ...valid, companyName: bad }), ["companyName: companyName must not start with =, +, - or @ (a spreadsheet formula trigger)"], bad);
            assert.deepEqual(problemsOf({ ...valid, motto: bad }), ["motto: motto must not start with =, +, - or @ (a spreadsheet formula trigger)"], bad);
        }
        assert.deepEqual(problemsOf({ ...valid, companyName: "A=B Consulting", motto: "1+1=2" }), []);
    });

    it("checks contactEmail and occurredAt without ever repeating the value", () => {
        for (const email of ["not-an-address", "a@b", "=HYPERLINK(\"x\")@evil.example", `${"a".repeat(250)}@example.com`]) {
            const messages = problemsOf({ ...valid, contactEmail: email });
            assert.equal(messages.length, 1, email);
            assert.ok(!messages[0].includes(email), `message repeats the value: ${messages[0]}`);
        }
        assert.deepEqual(problemsOf({ ...valid, occurredAt: "2026-05-01 10:00" }), ["occurredAt: occurredAt must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T12:00:00Z"]);
        assert.deepEqual(problemsOf({ ...valid, occurredAt: "2026-05-01T10:00:00+02:00" }), []);
        assert.deepEqual(problemsOf({ ...valid, occurredAt: "2026-05-01T10:00:00" }).length, 1, "a time without zone is ambiguous");
    });

    it("refuses non-objects as a whole", () => {
        assert.deepEqual(problemsOf([valid]), [": a purchase event must be an object of fields"]);
        assert.deepEqual(problemsOf("PO-1"), [": a purchase event must be an object of fields"]);
        assert.deepEqual(problemsOf(null), [": a purchase event must be an object of fields"]);
    });

    it("echoes a purchase id only when it is valid, and shows hostile field names escaped and short", () => {
        assert.equal(validPurchaseId("PO-1001"), "PO-1001");
        assert.equal(validPurchaseId("PO 1/2\u202E"), undefined);
        assert.equal(showName("a\u202Eb\nc"), "a\\u202eb\\nc");
        assert.equal(showName("k".repeat(100)), `${"k".repeat(40)}…`);
        assert.equal(showName("mail bob@example.com"), "mail [redacted]");
    });
});

describe("purchase event: customer id", () => {
    it("transliterates company names to ASCII (NFKD, marks stripped, a small letter table)", () => {
        const cases: [string, string][] = [
            ["Müller Kaffee", "muller-kaffee"],
            ["Müller Kaffeerösterei GmbH", "muller-kaffeerosterei-gmbh"],
            ["Großbäckerei Straße", "grossbackerei-strasse"],
            ["Ærø Øl", "aero-ol"],
            ["Łódź Logistics", "lodz-logistics"],
            ["Þór & Sons", "thor-sons"],
            ["Crème Brûlée Co.", "creme-brulee-co"],
            ["Joe's Diner", "joes-diner"],
            ["ＡＢＣ Ｔｒａｄｉｎｇ", "abc-trading"],
            ["İstanbul Çay", "istanbul-cay"],
            ["Œuvre Đà Nẵng", "oeuvre-da-nang"],
            ["  --Acme!!Rockets--  ", "acme-rockets"],
        ];
        for (const [name, slug] of cases) assert.equal(asciiSlug(name), slug, name);
    });

    it("derives the id from the sub-domain when given, else from the company name", () => {
        assert.deepEqual(baseId({ purchaseId: "PO-1", companyName: "Müller Kaffee", subdomain: "kaffee" }), { base: "kaffee", source: "subdomain" });
        assert.deepEqual(baseId({ purchaseId: "PO-1", companyName: "Müller Kaffee" }), { base: "muller-kaffee", source: "companyName" });
    });

    it("falls back to c-<8 hex of SHA-256(purchaseId)> when the name has no Latin letters, deterministically", () => {
        const a = baseId({ purchaseId: "PO-2026-000103", companyName: "さくら物流株式会社" });
        assert.equal(a.source, "fallback");
        assert.match(a.base, /^c-[0-9a-f]{8}$/);
        assert.equal(a.base, fallbackId("PO-2026-000103"));
        assert.equal(baseId({ purchaseId: "PO-2026-000103", companyName: "さくら物流株式会社" }).base, a.base);
        assert.notEqual(fallbackId("PO-2026-000104"), a.base);
        assert.equal(baseId({ purchaseId: "PO-9", companyName: "تحليلات النيل" }).source, "fallback");
        assert.equal(baseId({ purchaseId: "PO-9", companyName: "1&1" }).source, "fallback", "digits alone are not a name");
        assert.deepEqual(baseId({ purchaseId: "PO-9", companyName: "さくら Logistics" }), { base: "logistics", source: "companyName" });
    });

    it("cuts long names at a word boundary to 40 characters", () => {
        const long = "The Quite Extraordinarily Long Company Name Of Northern Europe";
        const id = baseId({ purchaseId: "PO-1", companyName: long }).base;
        assert.equal(id, "the-quite-extraordinarily-long-company");
        assert.ok(id.length <= 40);
        assert.equal(fitSlug("a".repeat(50), 40), "a".repeat(40));
    });

    it("resolves reserved names and collisions by a stable rule: -2, -3, ...; c- before a reserved prefix", () => {
        const none = () => undefined;
        assert.deepEqual(resolveId("acme", none), { id: "acme", notes: [] });
        assert.deepEqual(resolveId("admin", none), { id: "admin-2", notes: ['"admin" is not usable: id is reserved for the platform', 'assigned "admin-2"'] });
        const taken = new Map([["acme", "customer \"acme\" (purchase PO-1)"], ["acme-2", "customer \"acme-2\" (purchase PO-2)"]]);
        assert.deepEqual(resolveId("acme", (id) => taken.get(id)), { id: "acme-3", notes: ['"acme" is taken by customer "acme" (purchase PO-1)', 'assigned "acme-3"'] });
        assert.equal(resolveId("sas-widgets", none).id, "c-sas-widgets");
        assert.match(resolveId("kube-system", none).notes[0], /reserved prefix "kube-"/);
        assert.equal(resolveId("ab", none).id, "ab-2", "too short: the first valid candidate");
        const forty = `${"x".repeat(19)}-${"y".repeat(20)}`;
        assert.equal(resolveId(forty, (id) => (id === forty ? "someone" : undefined)).id, `${"x".repeat(19)}-${"y".repeat(18)}-2`);
    });

    it("knows the same company across spellings of punctuation, case and width", () => {
        assert.equal(companyKey("Acme Rockets, Inc."), companyKey("ACME ROCKETS INC"));
        assert.equal(companyKey("ＡＣＭＥ Rockets Inc"), companyKey("acme rockets inc."));
        assert.equal(companyKey("MÜLLER KAFFEE GROSSHANDEL"), companyKey("Müller Kaffee Großhandel"));
        assert.notEqual(companyKey("Acme Rockets GmbH"), companyKey("Acme Rockets Inc."));
    });

    it("builds the record from the event, keeping a theme a person added", () => {
        const event = parsePurchaseEvent(valid).event!;
        const record = recordFromEvent(event, "acme-rockets", { id: "acme-rockets", companyName: "Old", motto: "Old", tier: "starter", purchaseId: "PO-1001", theme: { accentColor: "#112233" } });
        assert.deepEqual(record, { id: "acme-rockets", companyName: "Acme Rockets", motto: "To the moon", tier: "business", purchaseId: "PO-1001", theme: { accentColor: "#112233" } });
        assert.ok(sameRecord(record, { ...record }));
        assert.ok(!sameRecord(record, { ...record, motto: "other" }));
        assert.ok(!sameRecord(record, { ...record, theme: undefined }));
    });
});

describe("purchase event: dead-letter redaction", () => {
    it("drops contact fields and replaces anything shaped like an e-mail address, at any depth", () => {
        const raw = {
            purchaseId: "PO-1",
            contactEmail: "alice@example.com",
            "contact-phone": "+49 30 1234",
            motto: "write to alice@example.com now",
            nested: { note: ["bob@example.org"] },
            "carol@example.net": 1,
        };
        const out = redactRawEvent(raw);
        assert.deepEqual(out, {
            purchaseId: "PO-1",
            contactEmail: "[redacted]",
            "contact-phone": "[redacted]",
            motto: "write to [redacted] now",
            nested: { note: ["[redacted]"] },
            "[redacted]": 1,
        });
        assert.ok(!JSON.stringify(out).includes("@"));
    });

    it("redacts unparseable raw text and cuts 10 MB values quickly", () => {
        assert.equal(redactRawEvent('{"contactEmail":"dave@example.com",'), '{"contactEmail":"[redacted]",');
        const huge = "x".repeat(10 * 1024 * 1024);
        const started = Date.now();
        const out = redactRawEvent({ companyName: huge, motto: `${"y".repeat(5_000_000)} eve@example.com` }) as Record<string, string>;
        assert.ok(Date.now() - started < 2000, "redaction is bounded work");
        assert.equal(out.companyName.length < 1100, true);
        assert.match(out.companyName, /…\(10484736 more characters\)$/);
        assert.ok(!JSON.stringify(out).includes("eve@example.com"));
    });
});

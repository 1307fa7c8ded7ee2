// The free-text rules (components/model/text.ts) as the record schema applies them to companyName and motto.
import { strict as assert } from "node:assert";
import { customerSchema } from "../../../components/model/customer";
import { BIDI_CONTROLS, checkDisplayText, displayText } from "../../../components/model/text";

const BASE = { id: "acme", companyName: "Acme", motto: "We make things", tier: "starter", purchaseId: "PO-1001" };

/** Parses a record with the given companyName; the stored value or the "field: message" lines. */
function companyName(value: string): { value?: string; problems: string[] } {
    const parsed = customerSchema.safeParse({ ...BASE, companyName: value });
    if (parsed.success) return { value: parsed.data.companyName, problems: [] };
    return { problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
}

describe("model: display text rules (companyName, motto)", () => {
    it("normalizes to NFC and trims, and counts the length after normalization", () => {
        assert.deepEqual(companyName("  Cafe\u0301 Mu\u0308ller  "), { value: "Caf\u00e9 M\u00fcller", problems: [] });
        assert.deepEqual(companyName("\ufeffAcme\ufeff"), { value: "Acme", problems: [] }, "a BOM at either end is trimmed");
        // 100 decomposed "é" are 200 code points before NFC and 100 after: within the 100 limit.
        assert.equal(companyName("e\u0301".repeat(100)).value, "\u00e9".repeat(100));
        assert.deepEqual(companyName("\u00e9".repeat(101)).problems, ["companyName: companyName must be at most 100 characters"]);
    });

    it("rejects text with nothing visible, naming the field and the invisible characters", () => {
        const cases: [string, string][] = [
            ["", "companyName must not be empty"],
            [" \u3000 ", "companyName must not be empty"],
            ["\u200b", "companyName must not be empty: it has only invisible characters (U+200B)"],
            ["\u200c\u200d", "companyName must not be empty: it has only invisible characters (U+200C, U+200D)"],
            ["\u2060 \u200b", "companyName must not be empty: it has only invisible characters (U+2060, U+200B)"],
            ["\u00ad", "companyName must not be empty: it has only invisible characters (U+00AD)"],
            ["\u3164\u3164", "companyName must not be empty: it has only invisible characters (U+3164)"],
            ["\u2800", "companyName must not be empty: it has only invisible characters (U+2800)"],
            ["\u180e", "companyName must not be empty: it has only invisible characters (U+180E)"],
            ["\ufe0f", "companyName must not be empty: it has only invisible characters (U+FE0F)"],
            ["\u{e0041}\u{e0063}", "companyName must not be empty: it has only invisible characters (U+E0041, U+E0063)"],
            ["\u0301\u0302", "companyName must not be empty: it has only invisible characters (U+0301, U+0302)"],
            ["\u202e", "companyName must not be empty: it has only invisible characters (U+202E)"],
        ];
        for (const [input, message] of cases) {
            assert.deepEqual(companyName(input), { problems: [`companyName: ${message}`] }, JSON.stringify(input));
        }
    });

    it("keeps invisible characters that belong inside visible text (emoji ZWJ, Persian ZWNJ, soft hyphen)", () => {
        for (const text of ["\u{1f469}\u200d\u{1f4bb} Labs", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "Donau\u00addampf\u00adschiff", "\u2764\ufe0f Hearts", "\u0634\u0631\u0643\u0629 \u05e9\u05dc\u05d5\u05dd 株式会社"]) {
            assert.deepEqual(companyName(text), { value: text, problems: [] }, JSON.stringify(text));
        }
    });

    it("rejects each bidirectional control character, naming it and where it is", () => {
        assert.equal(Object.keys(BIDI_CONTROLS).length, 12);
        for (const [ch, name] of Object.entries(BIDI_CONTROLS)) {
            const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
            assert.deepEqual(companyName(`Acme${ch}Corp`).problems, [
                `companyName: companyName must not contain bidirectional control characters (U+${hex} ${name} at character 5); ` +
                    "the page already isolates the text direction, so write the text in its natural order without them",
            ]);
        }
    });

    it("rejects control characters, line and paragraph separators", () => {
        for (const text of ["Ac\u0085me", "Ac\u2028me", "Ac\u2029me", "Ac\u0000me", "Ac\rme"]) {
            assert.deepEqual(companyName(text).problems, ["companyName: companyName must not contain control characters"], JSON.stringify(text));
        }
    });

    it("reports every broken rule of a field at once, and names motto as motto", () => {
        const parsed = customerSchema.safeParse({ ...BASE, motto: "\u202e" + "x".repeat(200) + "\u0007" });
        assert.ok(!parsed.success);
        assert.deepEqual(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message.split(";")[0]}`), [
            "motto: motto must be at most 200 characters",
            "motto: motto must not contain bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE at character 1)",
            "motto: motto must not contain control characters",
        ]);
    });

    it("exports the same rule for other intakes: as a zod schema and as a plain function", () => {
        const schema = displayText("buyerName", 10);
        assert.equal(schema.parse(" Cafe\u0301 "), "Caf\u00e9");
        const failed = schema.safeParse("\u200b");
        assert.ok(!failed.success);
        assert.equal(failed.error.issues[0].message, "buyerName must not be empty: it has only invisible characters (U+200B)");
        assert.equal(schema.safeParse(42).error?.issues[0].message, "buyerName must be a string");
        assert.deepEqual(checkDisplayText("buyerName", " Cafe\u0301 ", 10), { value: "Caf\u00e9", problems: [] });
        assert.deepEqual(checkDisplayText("buyerName", "a\u2066b", 10), {
            value: "a\u2066b",
            problems: [
                "buyerName must not contain bidirectional control characters (U+2066 LEFT-TO-RIGHT ISOLATE at character 2); " +
                    "the page already isolates the text direction, so write the text in its natural order without them",
            ],
        });
    });
});

import { z } from "zod";

/**
 * The rules for free text a customer supplies and the page shows (company name, motto). One source: the record
 * schema (./customer.ts) uses `displayText`, and any other intake of the same text (e.g. purchase intake) must use
 * `displayText` or `checkDisplayText` too, so a name accepted in one place is accepted everywhere.
 *
 * The rules, in order:
 *   1. Unicode NFC normalization, then trim (JS whitespace, which includes U+FEFF at the ends).
 *   2. Empty after trimming: "<label> must not be empty".
 *   3. Nothing visible left once invisible characters are ignored (format characters \p{Cf}, Default_Ignorable_Code_Point
 *      such as U+200B ZWSP, U+200C/D ZWNJ/ZWJ, U+2060 WJ, U+00AD SHY, U+3164 HANGUL FILLER, whitespace, lone combining
 *      marks, U+2800 BRAILLE BLANK): "<label> must not be empty: it has only invisible characters (...)". Invisible
 *      characters inside otherwise visible text stay (ZWJ in emoji sequences, ZWNJ in Persian are legitimate).
 *   4. Bidirectional controls (U+202A-U+202E embeddings/overrides, U+2066-U+2069 isolates, U+200E/U+200F marks,
 *      U+061C ALM) are rejected, not isolated: the page already wraps each text in dir="auto" with
 *      unicode-bidi:isolate, and an override can make a name read as something else (RLO "gpj.exe").
 *   5. C0/C1 control characters (tab and newline included), lone surrogates and the line/paragraph separators
 *      U+2028/U+2029 are rejected.
 *   6. At most `max` code points (not UTF-16 units), counted after normalization.
 */

/** Bidirectional formatting characters, with the names the error message uses. */
export const BIDI_CONTROLS: Readonly<Record<string, string>> = {
    "\u061C": "ARABIC LETTER MARK",
    "\u200E": "LEFT-TO-RIGHT MARK",
    "\u200F": "RIGHT-TO-LEFT MARK",
    "\u202A": "LEFT-TO-RIGHT EMBEDDING",
    "\u202B": "RIGHT-TO-LEFT EMBEDDING",
    "\u202C": "POP DIRECTIONAL FORMATTING",
    "\u202D": "LEFT-TO-RIGHT OVERRIDE",
    "\u202E": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
};

/** C0 and C1 control characters (including tab and newline), lone surrogates, line and paragraph separators. */
const FORBIDDEN_TEXT = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
/** Code points that show nothing on their own. */
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Mn}\p{Me}\u2800]$/u;

/** Length in user-visible code points, not UTF-16 units, so "株式会社" counts 4 whatever its encoding. */
export const codePoints = (s: string): number => [...s].length;

const hex = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Step 1: what the stored value is (NFC, trimmed). */
export function normalizeText(raw: string): string {
    return raw.normalize("NFC").trim();
}

/** Steps 2-6 on an already normalized text; the messages name the field. Empty array: the text is fine. */
export function displayTextProblems(label: string, text: string, max: number): string[] {
    if (text.length === 0) return [`${label} must not be empty`];
    const chars = [...text];
    if (chars.every((ch) => INVISIBLE.test(ch))) {
        const shown = [...new Set(chars.filter((ch) => !/\s/u.test(ch)))].slice(0, 3).map(hex);
        return [`${label} must not be empty: it has only invisible characters${shown.length ? ` (${shown.join(", ")})` : ""}`];
    }
    const problems: string[] = [];
    if (chars.length > max) problems.push(`${label} must be at most ${max} characters`);
    const bidiAt = chars.findIndex((ch) => ch in BIDI_CONTROLS);
    if (bidiAt >= 0) {
        const ch = chars[bidiAt];
        problems.push(
            `${label} must not contain bidirectional control characters (${hex(ch)} ${BIDI_CONTROLS[ch]} at character ${bidiAt + 1}); ` +
                "the page already isolates the text direction, so write the text in its natural order without them",
        );
    }
    if (FORBIDDEN_TEXT.test(text)) problems.push(`${label} must not contain control characters`);
    return problems;
}

/** The whole rule as a plain function, for code that does not use zod: the stored value or the problems. */
export function checkDisplayText(label: string, raw: string, max: number): { value: string; problems: string[] } {
    const value = normalizeText(raw);
    return { value, problems: displayTextProblems(label, value, max) };
}

/** A string field whose missing and wrong-type cases say which of the two it is. */
export const requiredString = (label: string) =>
    z.string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) });

/** The zod schema of a display text field: parses to the NFC-normalized, trimmed value. */
export const displayText = (label: string, max: number) =>
    requiredString(label)
        .normalize("NFC")
        .trim()
        .superRefine((text, ctx) => {
            for (const message of displayTextProblems(label, text, max)) ctx.addIssue({ code: "custom", message });
        });

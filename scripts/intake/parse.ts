// Purchase events from a file: a JSON array (or one JSON object), JSON lines, or CSV with a header row of the same
// field names. Each event keeps where it came from (CSV/JSONL line, JSON index) for every message about it.
import { PURCHASE_FIELDS, showName, type EventProblem } from "../../components/model/purchase";
import { parseCsv } from "./csv";

export type InputFormat = "json" | "jsonl" | "csv";
export const INPUT_FORMATS: readonly InputFormat[] = ["json", "jsonl", "csv"];

export interface InputEvent {
    /** Where the event is, e.g. "events.csv line 3", "events.json index 0". */
    row: string;
    /** The event as an object of fields when the input could be read that far. */
    raw?: unknown;
    /** The event's text as given (a CSV record, a JSON line, an array element re-serialized): for dead letters. */
    rawText: string;
    /** Problems found while reading (quoting, JSON syntax, columns); field problems come later from the schema. */
    problems: EventProblem[];
}

/** By extension; otherwise by the first character: '[' JSON, '{' JSON (one object) or JSON lines, anything else CSV. */
export function detectFormat(name: string, text: string): InputFormat {
    const lower = name.toLowerCase();
    if (lower.endsWith(".csv")) return "csv";
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
    const trimmed = text.replace(/^\uFEFF/, "").trimStart();
    if (lower.endsWith(".json") || trimmed.startsWith("[") || trimmed.startsWith("{")) {
        if (trimmed.startsWith("[")) return "json";
        try {
            JSON.parse(trimmed);
            return "json";
        } catch {
            return trimmed.startsWith("{") ? "jsonl" : "json";
        }
    }
    return "csv";
}

const jsonError = (err: unknown) => `invalid JSON: ${(err as Error).message.split("\n")[0].slice(0, 200)}`;

export function readJson(text: string, source: string): InputEvent[] {
    let value: unknown;
    try {
        value = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
        return [{ row: `${source} (whole file)`, rawText: text, problems: [{ field: "", message: jsonError(err) }] }];
    }
    if (!Array.isArray(value)) return [{ row: `${source} (the one object)`, raw: value, rawText: text, problems: [] }];
    return value.map((element, index) => ({ row: `${source} index ${index}`, raw: element, rawText: JSON.stringify(element) ?? "", problems: [] }));
}

export function readJsonLines(text: string, source: string): InputEvent[] {
    const events: InputEvent[] = [];
    text.replace(/^\uFEFF/, "")
        .split("\n")
        .forEach((lineText, index) => {
            const line = lineText.replace(/\r$/, "");
            if (line.trim() === "") return;
            const row = `${source} line ${index + 1}`;
            try {
                events.push({ row, raw: JSON.parse(line), rawText: line, problems: [] });
            } catch (err) {
                events.push({ row, rawText: line, problems: [{ field: "", message: jsonError(err) }] });
            }
        });
    return events;
}

const KNOWN = new Set<string>(PURCHASE_FIELDS);

/**
 * CSV: the header names the fields. Unknown and duplicate columns are problems of every row (the file is wrong, so no
 * row is trusted). An empty cell of the optional `subdomain` means "none"; other cells are strings as written.
 */
export function readCsv(text: string, source: string): InputEvent[] {
    const records = parseCsv(text);
    if (records.length === 0) return [];
    const [header, ...rows] = records;
    const headerProblems: EventProblem[] = [];
    if (header.error) headerProblems.push({ field: "", message: `header (line ${header.line}): ${header.error}` });
    const names = header.fields.map((f) => f.trim());
    const seen = new Set<string>();
    names.forEach((name, i) => {
        if (name === "") headerProblems.push({ field: `column ${i + 1}`, message: "empty column name in the header" });
        else if (seen.has(name)) headerProblems.push({ field: showName(name), message: `duplicate column in the header (line ${header.line})` });
        else if (!KNOWN.has(name)) headerProblems.push({ field: showName(name), message: "unknown field (column in the header)" });
        seen.add(name);
    });
    return rows.map((rec) => {
        const problems: EventProblem[] = [...headerProblems];
        const column = (i: number) => (names[i] ? showName(names[i]) : `column ${i + 1}`);
        if (rec.error) problems.push({ field: column(rec.errorColumn ?? 0), message: rec.error });
        else if (rec.fields.length !== names.length) {
            problems.push({
                field: column(Math.min(rec.fields.length, names.length)),
                message: `the row has ${rec.fields.length} field(s) but the header has ${names.length}`,
            });
        }
        const raw: Record<string, string> = {};
        names.forEach((name, i) => {
            if (!KNOWN.has(name) || Object.prototype.hasOwnProperty.call(raw, name) || i >= rec.fields.length) return;
            if (name === "subdomain" && rec.fields[i].trim() === "") return;
            raw[name] = rec.fields[i];
        });
        // A quoting slip inside a record still leaves its fields delimited, so they are checked too (every problem
        // at once); an unterminated quote leaves no fields to check.
        return { row: `${source} line ${rec.line}`, raw: rec.fields.length > 0 ? raw : undefined, rawText: rec.raw, problems };
    });
}

export function readEvents(text: string, format: InputFormat, source: string): InputEvent[] {
    switch (format) {
        case "json": return readJson(text, source);
        case "jsonl": return readJsonLines(text, source);
        case "csv": return readCsv(text, source);
    }
}

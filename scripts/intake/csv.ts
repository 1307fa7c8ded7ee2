// A small RFC 4180 reader: fields separated by ',', records by CRLF or LF, fields optionally in double quotes with
// '""' for a quote inside; quoted fields may span lines. A UTF-8 BOM at the start is dropped. Errors do not stop
// the reader: a record with a quoting error is returned with the error, and reading resumes at the next line.

export interface CsvRecord {
    /** 1-based line on which the record starts (what a person sees in an editor). */
    line: number;
    fields: string[];
    /** The record's text as it appeared, for dead letters. */
    raw: string;
    error?: string;
    /** 0-based column of the error. */
    errorColumn?: number;
}

export function parseCsv(text: string): CsvRecord[] {
    const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const records: CsvRecord[] = [];
    let i = 0;
    let line = 1;
    const n = src.length;
    while (i < n) {
        const startLine = line;
        const start = i;
        const fields: string[] = [];
        let error: string | undefined;
        let errorColumn: number | undefined;
        const fail = (message: string) => {
            if (error !== undefined) return;
            error = message;
            errorColumn = fields.length;
        };
        let field = "";
        let endOfRecord = false;
        let unterminated = false;
        // One field per iteration of the outer loop.
        while (!endOfRecord) {
            field = "";
            if (src[i] === '"') {
                i++;
                let closed = false;
                while (i < n) {
                    const ch = src[i];
                    if (ch === '"') {
                        if (src[i + 1] === '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        closed = true;
                        break;
                    }
                    if (ch === "\n") line++;
                    field += ch;
                    i++;
                }
                if (!closed) {
                    // No way to know where the field was meant to end: this record is its first line, and reading
                    // resumes on the next line, so the records after it are still checked one by one.
                    const eol = src.indexOf("\n", start);
                    i = eol < 0 ? n : eol + 1;
                    line = startLine + 1;
                    records.push({
                        line: startLine,
                        fields: [],
                        raw: src.slice(start, eol < 0 ? n : eol).replace(/\r$/, ""),
                        error: `unterminated quoted field ${fields.length + 1} (its opening quote is never closed)`,
                        errorColumn: fields.length,
                    });
                    unterminated = true;
                    break;
                }
                // After a closing quote only a separator or the end of the record may follow.
                if (i < n && src[i] !== "," && src[i] !== "\n" && !(src[i] === "\r" && src[i + 1] === "\n")) {
                    fail(`unexpected text after a closing quote in field ${fields.length + 1}`);
                    while (i < n && src[i] !== "," && src[i] !== "\n") i++;
                }
            } else {
                while (i < n && src[i] !== "," && src[i] !== "\n" && !(src[i] === "\r" && src[i + 1] === "\n")) {
                    if (src[i] === '"') fail(`a quote inside unquoted field ${fields.length + 1} (quote the whole field and double the quote)`);
                    field += src[i];
                    i++;
                }
            }
            fields.push(field);
            if (i >= n) endOfRecord = true;
            else if (src[i] === ",") i++;
            else {
                i += src[i] === "\r" ? 2 : 1;
                line++;
                endOfRecord = true;
            }
        }
        if (unterminated) continue;
        const raw = src.slice(start, i).replace(/\r?\n$/, "");
        // A line with nothing on it separates nothing: skipped (a trailing newline, blank lines between records).
        if (fields.length === 1 && fields[0] === "" && !error && !raw.startsWith('"')) continue;
        records.push({ line: startLine, fields, raw, ...(error !== undefined ? { error, errorColumn } : {}) });
    }
    return records;
}

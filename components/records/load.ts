import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, isNode, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { customerSchema, RECORD_LIMITS, type Customer } from "../model/customer";
import { CUSTOMER_SCHEMA_FILE } from "../model/customer-json-schema";

/** One problem with one customer file; `field` is a dotted path, or empty when the whole file is at fault. */
export interface RecordProblem {
    file: string;
    field: string;
    message: string;
}

/** Thrown with every problem found, never just the first: a reviewer fixes a pull request in one round. */
export class CustomerRecordsError extends Error {
    constructor(readonly problems: readonly RecordProblem[]) {
        super(
            `${problems.length} problem(s) in customer records; nothing was deployed:\n` +
                problems.map((p) => `  ${p.file}: ${p.field ? `${p.field}: ` : ""}${p.message}`).join("\n"),
        );
        this.name = "CustomerRecordsError";
    }
}

/** Largest customer file read, in bytes, and most customer files read (settings records.*; defaults in the model). */
export const DEFAULT_MAX_RECORD_BYTES = RECORD_LIMITS.maxRecordBytes;
export const DEFAULT_MAX_CUSTOMERS = RECORD_LIMITS.maxCustomers;
/** The only extension a record may have, exactly (not .yml, not .YAML). */
export const RECORD_EXTENSION = ".yaml";
/**
 * Files that may sit in the customer directory besides the records; they are never read. Every other entry (other
 * extensions, backups, hidden files, sub-directories, links) is reported as a problem rather than silently ignored.
 */
export const ALLOWED_NON_RECORD_FILES: readonly string[] = ["README.md", CUSTOMER_SCHEMA_FILE, ".gitkeep"];

export interface LoadOptions {
    /** An empty customer list is refused unless a stack explicitly allows it: an empty list would delete every tenant. */
    allowEmpty?: boolean;
    /** How file names appear in messages; defaults to the directory as given, e.g. `customers/acme.yaml`. */
    displayDir?: string;
    /**
     * Largest record file in bytes (default DEFAULT_MAX_RECORD_BYTES, 64 KiB). Checked with lstat before the file is
     * opened; at most this many bytes plus one are ever read, so a file that grows meanwhile is still refused.
     */
    maxRecordBytes?: number;
    /** Most record files (default DEFAULT_MAX_CUSTOMERS, 5000); when there are more, no record is read at all. */
    maxCustomers?: number;
}

function zodProblems(file: string, error: z.ZodError): RecordProblem[] {
    return error.issues.flatMap((issue) => {
        const at = issue.path.map(String);
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => ({ file, field: [...at, key].join("."), message: "unknown field" }));
        }
        return [{ file, field: at.join("."), message: issue.message }];
    });
}

/** Tags a record may use: the YAML 1.2 core types and the non-specific "!" (all of them yield plain data). */
const ALLOWED_TAGS = new Set(["!", ...["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`)]);

/** Parses one file's text; returns the record or the problems, never throws. */
export function parseCustomerFile(file: string, text: string): { customer?: Customer; problems: RecordProblem[] } {
    const lines = new LineCounter();
    // The YAML 1.2 core schema whatever the document's %YAML directive says, and no YAML 1.1 extras (!!binary, !!set,
    // !!timestamp, ...): every other tag stays unresolved and is refused below.
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines, schema: "core", resolveKnownTags: false });
    const where = (offset: number) => {
        const { line, col } = lines.linePos(offset);
        return `line ${line}, column ${col}`;
    };
    if (doc.errors.length > 0) {
        return {
            problems: doc.errors.map((e) => {
                const { line, col } = lines.linePos(e.pos[0]);
                return { file, field: "", message: `invalid YAML at line ${line}, column ${col}: ${e.message.split("\n")[0]}` };
            }),
        };
    }
    // Warnings are errors: an unresolved tag (!!js/function, !ruby/object:..., any !custom) would otherwise silently
    // become a plain string or mapping, and a record that asks for code or objects is not a record.
    const yamlProblems: RecordProblem[] = doc.warnings.map((w) => {
        if (w.code === "TAG_RESOLVE_FAILED") {
            const tag = text.slice(w.pos[0], w.pos[1]).trim() || "(unknown)";
            return { file, field: "", message: `YAML tag ${tag} is not allowed (${where(w.pos[0])}); records hold plain values only` };
        }
        return { file, field: "", message: `YAML warning at ${where(w.pos[0])}: ${w.message.split("\n")[0]}` };
    });
    if (yamlProblems.length === 0) {
        // Belt and braces, should a future yaml release resolve more tags without a warning.
        visit(doc, (_key, node) => {
            if (isNode(node) && node.tag && !ALLOWED_TAGS.has(node.tag)) {
                yamlProblems.push({ file, field: "", message: `YAML tag ${node.tag} is not allowed (${where(node.range?.[0] ?? 0)}); records hold plain values only` });
            }
        });
    }
    if (yamlProblems.length > 0) return { problems: yamlProblems };
    // A handful of aliases is plenty for a record; a "billion laughs" document is refused rather than expanded.
    let value: unknown;
    try {
        value = doc.toJS({ maxAliasCount: 10 });
    } catch (e) {
        return { problems: [{ file, field: "", message: `invalid YAML: ${(e as Error).message}` }] };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        const kind = value === null ? "an empty document" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
        return { problems: [{ file, field: "", message: `expected a mapping of customer fields, found ${kind}` }] };
    }
    const parsed = customerSchema.safeParse(value);
    return parsed.success ? { customer: parsed.data, problems: [] } : { problems: zodProblems(file, parsed.error) };
}

/** Checks that only make sense across the whole set: names, duplicate ids and purchase ids. */
export function crossFileProblems(records: readonly { file: string; customer: Customer }[]): RecordProblem[] {
    const problems: RecordProblem[] = [];
    const byId = new Map<string, string>();
    const byPurchase = new Map<string, string>();
    for (const { file, customer } of records) {
        const expectedId = path.basename(file, RECORD_EXTENSION);
        if (customer.id !== expectedId) {
            problems.push({ file, field: "id", message: `"${customer.id}" must equal the file name "${expectedId}"` });
        }
        const sameId = byId.get(customer.id);
        if (sameId) problems.push({ file, field: "id", message: `duplicate id "${customer.id}" (also in ${sameId})` });
        else byId.set(customer.id, file);
        const samePurchase = byPurchase.get(customer.purchaseId);
        if (samePurchase) {
            problems.push({ file, field: "purchaseId", message: `duplicate purchaseId "${customer.purchaseId}" (also in ${samePurchase})` });
        } else byPurchase.set(customer.purchaseId, file);
    }
    return problems;
}

/** File names as shown in messages: control, format (bidi, zero-width) and separator characters escaped. */
export function printableName(name: string): string {
    return name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]/gu, (ch) => (ch === "\\" ? "\\\\" : `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`));
}

/** What a directory entry is, when it is not a regular file. */
function notRegularKind(st: fs.Stats): string | undefined {
    if (st.isFile()) return undefined;
    if (st.isSymbolicLink()) return "a symbolic link";
    if (st.isDirectory()) return "a directory";
    if (st.isFIFO()) return "a named pipe (FIFO)";
    if (st.isSocket()) return "a socket";
    if (st.isCharacterDevice()) return "a character device";
    if (st.isBlockDevice()) return "a block device";
    return "a special file";
}

function notRegularMessage(kind: string): string {
    return `is ${kind}, not a regular file; customer records must be regular files${kind === "a symbolic link" ? " (links are never followed)" : ""}`;
}

function tooLargeMessage(size: number | undefined, maxBytes: number): string {
    const limit = `the limit of ${maxBytes} bytes per record (setting records.maxRecordBytes)`;
    // Without a size, lstat under-reported it (a file growing meanwhile, or a pseudo-file): reading stopped at the cap.
    return size === undefined ? `is more than ${limit}; reading stopped there` : `is ${size} bytes, more than ${limit}; it was not read`;
}

const errnoCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? "unknown error";

/**
 * Reads one record file without trusting it: lstat first (a link, directory, FIFO or device is refused without being
 * opened, a file over the cap is refused without being read), then open without following links, check that what was
 * opened is the file that was inspected, and read at most `maxBytes + 1` bytes into `buffer` (>= maxBytes + 1 long).
 * The text must be valid UTF-8. Returns the text or the problem message, never throws.
 */
export function readRecordFile(fullPath: string, maxBytes: number, buffer: Buffer = Buffer.allocUnsafe(maxBytes + 1)): { text: string } | { problem: string } {
    let st: fs.Stats;
    try {
        st = fs.lstatSync(fullPath);
    } catch (e) {
        return { problem: `could not be inspected (${errnoCode(e)})` };
    }
    const kind = notRegularKind(st);
    if (kind) return { problem: notRegularMessage(kind) };
    if (st.size > maxBytes) return { problem: tooLargeMessage(st.size, maxBytes) };
    let fd: number;
    try {
        // O_NONBLOCK: should the file be swapped for a FIFO after lstat, opening it must not hang.
        fd = fs.openSync(fullPath, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
        return { problem: errnoCode(e) === "ELOOP" ? notRegularMessage("a symbolic link") : `could not be read (${errnoCode(e)})` };
    }
    try {
        const opened = fs.fstatSync(fd);
        if (!opened.isFile() || opened.ino !== st.ino || opened.dev !== st.dev) return { problem: "changed while it was being read; run again" };
        const limit = maxBytes + 1;
        let length = 0;
        while (length < limit) {
            const n = fs.readSync(fd, buffer, length, limit - length, null);
            if (n === 0) break;
            length += n;
        }
        if (length > maxBytes) return { problem: tooLargeMessage(undefined, maxBytes) };
        try {
            return { text: new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length)) };
        } catch {
            return { problem: "is not valid UTF-8 text" };
        }
    } catch (e) {
        return { problem: `could not be read (${errnoCode(e)})` };
    } finally {
        fs.closeSync(fd);
    }
}

/** Why an entry that is not `<id>.yaml` may not be in the customer directory. */
function strayEntryMessage(name: string, kind: string | undefined): string {
    const ext = path.extname(name);
    if (!name.startsWith(".") && /^\.ya?ml$/i.test(ext)) return `customer files must end in ${RECORD_EXTENSION}, not ${ext}`;
    const allowed = `only <id>${RECORD_EXTENSION} records and ${ALLOWED_NON_RECORD_FILES.join(", ")} may be in the customer directory`;
    if (name.startsWith(".")) return `hidden ${kind ? kind.replace(/^an? /, "") : "file"} not allowed: ${allowed}`;
    return `${kind ? `is ${kind} and ` : ""}not a customer record: ${allowed}`;
}

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`loadCustomers: ${option} must be a positive integer, got ${value}`);
    return value;
}

/**
 * Reads every customer record in `dir`, validates each, then the set, and returns the customers sorted by id so the
 * program's output does not depend on the order of files on disk. Throws CustomerRecordsError listing all problems.
 * Nothing in the directory is trusted: see readRecordFile for single files, strayEntryMessage for everything else.
 */
export function loadCustomers(dir: string, opts: LoadOptions = {}): Customer[] {
    const maxBytes = positiveInteger(opts.maxRecordBytes, DEFAULT_MAX_RECORD_BYTES, "maxRecordBytes");
    const maxCustomers = positiveInteger(opts.maxCustomers, DEFAULT_MAX_CUSTOMERS, "maxCustomers");
    const displayDir = opts.displayDir ?? dir;
    const shown = (name: string) => path.posix.join(displayDir.split(path.sep).join("/"), printableName(name));
    let dirStat: fs.Stats | undefined;
    try {
        dirStat = fs.lstatSync(dir);
    } catch {
        dirStat = undefined;
    }
    if (!dirStat) throw new CustomerRecordsError([{ file: displayDir, field: "", message: "customer directory does not exist" }]);
    if (!dirStat.isDirectory()) {
        const message = dirStat.isSymbolicLink()
            ? "customer directory is a symbolic link; point customersDir at the real directory (links are never followed)"
            : `customer directory is ${notRegularKind(dirStat) ?? "a file"}, not a directory`;
        throw new CustomerRecordsError([{ file: displayDir, field: "", message }]);
    }
    const problems: RecordProblem[] = [];
    // Sorted so that problems and "also in" messages are in the same order from run to run.
    const names = fs.readdirSync(dir).sort();
    const recordNames = names.filter((n) => n.endsWith(RECORD_EXTENSION) && !n.startsWith("."));
    const isRecordName = new Set(recordNames);
    for (const name of names) {
        if (isRecordName.has(name) || ALLOWED_NON_RECORD_FILES.includes(name)) continue;
        let kind: string | undefined;
        try {
            kind = notRegularKind(fs.lstatSync(path.join(dir, name)));
        } catch {
            kind = undefined;
        }
        problems.push({ file: shown(name), field: "", message: strayEntryMessage(name, kind) });
    }
    const records: { file: string; customer: Customer }[] = [];
    if (recordNames.length > maxCustomers) {
        problems.push({
            file: displayDir,
            field: "",
            message: `${recordNames.length} customer files, more than the limit of ${maxCustomers} (setting records.maxCustomers); no record was read`,
        });
    } else {
        const buffer = Buffer.allocUnsafe(maxBytes + 1);
        for (const name of recordNames) {
            const file = shown(name);
            const read = readRecordFile(path.join(dir, name), maxBytes, buffer);
            if ("problem" in read) {
                problems.push({ file, field: "", message: read.problem });
                continue;
            }
            const result = parseCustomerFile(file, read.text);
            problems.push(...result.problems);
            if (result.customer) records.push({ file, customer: result.customer });
        }
    }
    problems.push(...crossFileProblems(records));
    if (problems.length === 0 && records.length === 0 && !opts.allowEmpty) {
        problems.push({
            file: displayDir,
            field: "",
            message: "no customer records found; refusing to deploy an empty list (it would remove every tenant). Set allowEmptyCustomers: true in the stack settings to allow it",
        });
    }
    if (problems.length > 0) throw new CustomerRecordsError(problems);
    return records.map((r) => r.customer).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

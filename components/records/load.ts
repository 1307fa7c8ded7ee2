import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { customerSchema, type Customer } from "../model/customer";

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

export interface LoadOptions {
    /** An empty customer list is refused unless a stack explicitly allows it: an empty list would delete every tenant. */
    allowEmpty?: boolean;
    /** How file names appear in messages; defaults to the directory as given, e.g. `customers/acme.yaml`. */
    displayDir?: string;
}

const RECORD_EXTENSION = ".yaml";

function zodProblems(file: string, error: z.ZodError): RecordProblem[] {
    return error.issues.flatMap((issue) => {
        const at = issue.path.map(String);
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => ({ file, field: [...at, key].join("."), message: "unknown field" }));
        }
        return [{ file, field: at.join("."), message: issue.message }];
    });
}

/** Parses one file's text; returns the record or the problems, never throws. */
export function parseCustomerFile(file: string, text: string): { customer?: Customer; problems: RecordProblem[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
    if (doc.errors.length > 0) {
        return {
            problems: doc.errors.map((e) => {
                const { line, col } = lines.linePos(e.pos[0]);
                return { file, field: "", message: `invalid YAML at line ${line}, column ${col}: ${e.message.split("\n")[0]}` };
            }),
        };
    }
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

/**
 * Reads every customer record in `dir`, validates each, then the set, and returns the customers sorted by id so the
 * program's output does not depend on the order of files on disk. Throws CustomerRecordsError listing all problems.
 */
export function loadCustomers(dir: string, opts: LoadOptions = {}): Customer[] {
    const displayDir = opts.displayDir ?? dir;
    const shown = (name: string) => path.posix.join(displayDir.split(path.sep).join("/"), name);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new CustomerRecordsError([{ file: displayDir, field: "", message: "customer directory does not exist" }]);
    }
    const problems: RecordProblem[] = [];
    const names = fs
        .readdirSync(dir)
        .filter((n) => !n.startsWith("."))
        .sort();
    for (const n of names.filter((n) => n.endsWith(".yml"))) {
        problems.push({ file: shown(n), field: "", message: `customer files must end in ${RECORD_EXTENSION}, not .yml` });
    }
    // Files are visited in sorted order so that "also in" messages are stable from run to run.
    const records: { file: string; customer: Customer }[] = [];
    for (const name of names.filter((n) => n.endsWith(RECORD_EXTENSION))) {
        const file = shown(name);
        const result = parseCustomerFile(file, fs.readFileSync(path.join(dir, name), "utf8"));
        problems.push(...result.problems);
        if (result.customer) records.push({ file, customer: result.customer });
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

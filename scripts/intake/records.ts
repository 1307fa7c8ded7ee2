// Customer record files as intake sees them: found by scanning customers/ (records keep their purchaseId), written in
// the committed format (modeline first, fields in the samples' order) and atomically (temp file + rename).
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { YAML_MODELINE } from "../../components/model/customer-json-schema";
import type { Customer } from "../../components/model/customer";
import { companyKey } from "../../components/model/purchase";
import { parseCustomerFile } from "../../components/records/load";

export interface ExistingRecord {
    id: string;
    /** As shown in messages and output, e.g. customers/acme.yaml. */
    file: string;
    customer: Customer;
}

export interface RecordSnapshot {
    byPurchase: Map<string, ExistingRecord>;
    /** Every id with a file, parseable or not (a broken file still owns its name), with who owns it. */
    takenIds: Map<string, string>;
    byCompany: Map<string, ExistingRecord>;
    /** Files that do not parse: intake leaves them alone and reports them. */
    warnings: string[];
}

export const RECORD_EXTENSION = ".yaml";

export const displayPath = (displayDir: string, id: string) =>
    path.posix.join(displayDir.split(path.sep).join("/"), `${id}${RECORD_EXTENSION}`);

export function scanRecords(dir: string, displayDir = dir): RecordSnapshot {
    const snapshot: RecordSnapshot = { byPurchase: new Map(), takenIds: new Map(), byCompany: new Map(), warnings: [] };
    if (!fs.existsSync(dir)) return snapshot;
    const names = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith(RECORD_EXTENSION) && !n.startsWith("."))
        .sort();
    for (const name of names) {
        const id = name.slice(0, -RECORD_EXTENSION.length);
        const file = displayPath(displayDir, id);
        const parsed = parseCustomerFile(file, fs.readFileSync(path.join(dir, name), "utf8"));
        if (!parsed.customer) {
            snapshot.takenIds.set(id, `the unreadable file ${file}`);
            snapshot.warnings.push(`${file} does not parse (${parsed.problems.map((p) => `${p.field ? `${p.field}: ` : ""}${p.message}`).join("; ")}); its purchase cannot be matched`);
            continue;
        }
        const record: ExistingRecord = { id, file, customer: parsed.customer };
        snapshot.takenIds.set(id, `customer "${id}" (purchase ${parsed.customer.purchaseId})`);
        if (!snapshot.byPurchase.has(parsed.customer.purchaseId)) snapshot.byPurchase.set(parsed.customer.purchaseId, record);
        const key = companyKey(parsed.customer.companyName);
        if (!snapshot.byCompany.has(key)) snapshot.byCompany.set(key, record);
    }
    return snapshot;
}

/** The record file's text: the modeline, then the fields in the order of the committed samples. */
export function renderRecord(c: Customer): string {
    const ordered: Record<string, unknown> = {
        id: c.id,
        companyName: c.companyName,
        motto: c.motto,
        tier: c.tier,
        purchaseId: c.purchaseId,
        ...(c.theme ? { theme: { ...(c.theme.accentColor !== undefined ? { accentColor: c.theme.accentColor } : {}) } } : {}),
    };
    const text = `${YAML_MODELINE}\n${stringify(ordered, { lineWidth: 0 })}`;
    // The loader must read back exactly this record; anything else is a bug here, not a bad event.
    const back = parseCustomerFile("rendered", text);
    if (!back.customer || JSON.stringify(back.customer) !== JSON.stringify(ordered)) {
        throw new Error(`rendered record for "${c.id}" does not read back as written`);
    }
    return text;
}

/** Writes next to the target (same file system), flushes, then renames: readers see the old file or the new one. */
export function writeFileAtomic(target: string, text: string): void {
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    const fd = fs.openSync(tmp, "wx", 0o644);
    try {
        fs.writeFileSync(fd, text, "utf8");
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    try {
        fs.renameSync(tmp, target);
    } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw err;
    }
}

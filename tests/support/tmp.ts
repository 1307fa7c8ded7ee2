import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fresh temp directory holding the given files; removed by the returned cleanup. */
export function tempDirWith(files: Record<string, string>): { dir: string; cleanup(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-test-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A valid record as YAML text, with fields replaced or removed (value undefined) as given. */
export function recordYaml(id: string, fields: Record<string, unknown> = {}): string {
    const base: Record<string, unknown> = {
        id,
        companyName: `${id} Ltd`,
        motto: "We make things",
        tier: "starter",
        purchaseId: `PO-${id}`,
        ...fields,
    };
    return Object.entries(base)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join("\n") + "\n";
}

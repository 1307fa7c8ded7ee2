import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const STACKS = ["local", "sandbox", "dev", "stage", "prod"] as const;
export type StackName = (typeof STACKS)[number];

export function isStackName(s: string): s is StackName {
    return (STACKS as readonly string[]).includes(s);
}

/**
 * Reads Pulumi.<stack>.yaml and returns its config the way the Pulumi CLI hands it to a program: every key
 * namespaced, scalars as strings, structured values as JSON. Secrets (`secure:`) cannot be decrypted offline and are
 * refused with the key named.
 */
export function readStackConfig(projectRoot: string, stack: string): Record<string, string> {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${path.basename(file)} (stacks: ${STACKS.join(", ")})`);
    const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(`${path.basename(file)}: ${key} is an encrypted secret; offline runs cannot decrypt it`);
        }
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

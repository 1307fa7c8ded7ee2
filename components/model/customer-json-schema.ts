import { z } from "zod";
import { customerSchema } from "./customer";

/** Where editors find the schema: each record's first line is a yaml-language-server modeline pointing here. */
export const CUSTOMER_SCHEMA_FILE = "customer.schema.json";
export const YAML_MODELINE = `# yaml-language-server: $schema=./${CUSTOMER_SCHEMA_FILE}`;

/**
 * The JSON Schema generated from the zod schema, as committed in customers/. Zod refinements (reserved ids, code-point
 * lengths, control characters) cannot be expressed in JSON Schema; the loader still enforces them.
 */
export function customerJsonSchema(): string {
    const schema = z.toJSONSchema(customerSchema, { io: "input", target: "draft-2020-12" });
    return JSON.stringify({ ...schema, title: "SAS customer record" }, null, 2) + "\n";
}

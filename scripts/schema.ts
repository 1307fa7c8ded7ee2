// Regenerates customers/customer.schema.json from the zod schema. A test fails while the committed file is stale.
import * as fs from "node:fs";
import * as path from "node:path";
import { CUSTOMER_SCHEMA_FILE, customerJsonSchema } from "../components/model/customer-json-schema";

const target = path.join(__dirname, "..", "customers", CUSTOMER_SCHEMA_FILE);
fs.writeFileSync(target, customerJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);

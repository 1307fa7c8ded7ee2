// Mass-deletion guard for CI: `npm run guard -- preview.json`. Logic lives in scripts/guard/; this file only
// wires it to the process.
import { runGuard } from "./guard/run";

const result = runGuard(process.argv.slice(2), process.env);
for (const line of result.out) console.log(line);
for (const line of result.err) console.error(line);
process.exitCode = result.exitCode;

// Entry of `npm run verify`; the logic lives in scripts/verify/ (usage: `npm run verify -- --help`).
import { runVerify } from "./verify/main";

runVerify(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        process.stderr.write(`verify: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
    },
);

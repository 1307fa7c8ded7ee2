// Entry of `npm run status`; the logic lives in scripts/status/ (usage: `npm run status -- --help`, docs/INTAKE.md).
import { runStatus } from "./status/main";

runStatus(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        process.stderr.write(`status: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
    },
);

// Entry of `npm run intake`; the logic lives in scripts/intake/ (usage: `npm run intake -- --help`, docs/INTAKE.md).
import { runIntake } from "./intake/main";

runIntake(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        process.stderr.write(`intake: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
    },
);

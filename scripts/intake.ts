// Entry of `npm run intake`; the logic lives in scripts/intake/ (usage: `npm run intake -- --help`, docs/INTAKE.md).
import { runAsCommand } from "./lib/entry";
import { runIntake } from "./intake/main";

runAsCommand("intake", runIntake);

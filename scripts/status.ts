// Entry of `npm run status`; the logic lives in scripts/status/ (usage: `npm run status -- --help`, docs/INTAKE.md).
import { runAsCommand } from "./lib/entry";
import { runStatus } from "./status/main";

runAsCommand("status", runStatus);

// Entry of `npm run verify`; the logic lives in scripts/verify/ (usage: `npm run verify -- --help`).
import { runAsCommand } from "./lib/entry";
import { runVerify } from "./verify/main";

runAsCommand("verify", runVerify);

// Entry of `npm run shards`; the logic lives in scripts/shards/ (usage: `npm run shards -- --help`).
import { runAsCommand } from "./lib/entry";
import { runShards } from "./shards/main";

runAsCommand("shards", runShards);

// Command-line parsing for `npm run shards`, pure.
import { forEachFlag } from "../lib/flags";
import { MAX_SHARDS } from "../../components/model/shards";
import { ShardsUsageError } from "./environment";

export const COMMANDS = ["plan", "check", "affected", "move", "stacks"] as const;
export type Command = (typeof COMMANDS)[number];

export interface ShardsOptions {
    command: Command;
    /** Environments (check: none given means every environment). */
    stacks: string[];
    json: boolean;
    customersDir?: string;
    base?: string;
    head: string;
    /** move: the new placement (`single` merges the shards back into the environment's stack). */
    to?: number | "single";
    /** move: the placement the customers are in now, offline (`single` or a count); default the settings'. */
    from?: number | "single";
    apply: boolean;
    write: boolean;
    /** plan: as if the environment were sharded over this many shards (what-if; the settings stay as they are). */
    shards?: number;
    secretsProvider?: string;
    /** move --apply: where the pulumi CLI runs (a directory with the project's Pulumi.yaml). */
    cwd?: string;
    help: boolean;
}

export const USAGE = `Usage: npm run shards -- plan --stack <env> [--shards <count>] [--json]
       npm run shards -- check [--stack <env>]...
       npm run shards -- affected --stack <env> --base <git ref> [--head <git ref>] [--json]
       npm run shards -- move --stack <env> --to <count|single> [--from <count|single>] [--json]
       npm run shards -- move --stack <env> [--to <count|single>] --apply [--cwd <dir>] [--secrets-provider <p>]
       npm run shards -- stacks --stack <env> [--write]

Customer shards (docs/DECISIONS.md "Customer shards", docs/RUNBOOK.md "Resharding"). A sharded environment's stack
<env> is its platform; its customers live in <env>-shard-<nn>, placed by a stable hash of the id.

  plan      which stack holds which customers: { "<stack>": ["<id>", ...] } (single layout: { "<env>": [...] });
            --shards <count>: as if sharded over that many shards
  check     fails (exit 1) when a customer stack is over sharding.budget (customers, or resources estimated per tier
            under the mock engine), when the shard stack files disagree with sharding.shards, or when the promotion
            chain (dev, stage, prod) disagrees on sharding; every environment unless --stack is given
  affected  the stacks a change touches, platform first: changed records -> their shards (and the platform, which
            lists every page); settings or shared code -> every stack; docs, tests and tools -> none
  move      the customers whose stack changes when the shard count becomes --to, and the exact \`pulumi state move\`
            commands (a preview; --from defaults to the settings). With --apply: finds where each customer is in the
            backend's state (pulumi stack export), creates missing shard stacks, moves them to where --to (default:
            the settings) places them, and checks the result; run it before the platform's \`up\` (needs the pulumi
            CLI, the backend login and the stacks' passphrase in the environment)
  stacks    the shard stacks' files Pulumi.<env>-shard-<nn>.yaml the count calls for; --write writes them

  --stack <env>              the environment (local, sandbox, dev, stage, prod)
  --json                     machine-readable output
  --customers-dir <dir>      the records (default: the environment's customersDir)
  --base / --head <ref>      affected: compare these commits (head default HEAD); an unknown base touches everything
  --secrets-provider <p>     move --apply: for shard stacks it creates (default: the CLI's, e.g. passphrase)
  --cwd <dir>                move --apply: where pulumi runs (a project directory; default the repository root)
Exit codes: 0 ok, 1 check failed, 2 bad arguments or input.`;

function count(raw: string, flag: string): number {
    if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_SHARDS) throw new ShardsUsageError(`${flag} must be a shard count from 1 to ${MAX_SHARDS}, got "${raw}"`);
    return Number(raw);
}

export function parseShardsArgs(argv: readonly string[]): ShardsOptions {
    const fail = (m: string) => new ShardsUsageError(`${m}\n(run \`npm run shards -- --help\` for usage)`);
    const opts: ShardsOptions = { command: "plan", stacks: [], json: false, head: "HEAD", apply: false, write: false, help: false };
    let command: string | undefined;
    forEachFlag(
        argv,
        fail,
        (flag, value, arg) => {
            if (flag === undefined) {
                if (command !== undefined) throw fail(`unexpected argument "${arg}"`);
                command = arg;
            } else if (flag === "--help" || flag === "-h") opts.help = true;
            else if (flag === "--stack") opts.stacks.push(value());
            else if (flag === "--json") opts.json = true;
            else if (flag === "--customers-dir") opts.customersDir = value();
            else if (flag === "--base") opts.base = value();
            else if (flag === "--head") opts.head = value();
            else if (flag === "--to") {
                const v = value();
                opts.to = v === "single" ? "single" : count(v, "--to");
            }
            else if (flag === "--from") {
                const v = value();
                opts.from = v === "single" ? "single" : count(v, "--from");
            } else if (flag === "--apply") opts.apply = true;
            else if (flag === "--write") opts.write = true;
            else if (flag === "--shards") opts.shards = count(value(), "--shards");
            else if (flag === "--secrets-provider") opts.secretsProvider = value();
            else if (flag === "--cwd") opts.cwd = value();
            else throw fail(`unknown option ${arg}`);
        },
        { repeatable: ["--stack"], positional: (a) => !a.startsWith("-") },
    );
    if (opts.help) return opts;
    if (command === undefined) throw fail(`missing the command (${COMMANDS.join(", ")})`);
    if (!(COMMANDS as readonly string[]).includes(command)) throw fail(`unknown command "${command}" (${COMMANDS.join(", ")})`);
    opts.command = command as Command;
    if (opts.command !== "check" && opts.stacks.length !== 1) throw fail(`${opts.command} needs exactly one --stack <env>`);
    if (opts.command === "affected" && opts.base === undefined) throw fail("affected needs --base <git ref> (the commit the change is compared with)");
    if (opts.command === "move" && opts.to === undefined && !opts.apply) throw fail("move needs --to <count> (the new sharding.shards; with --apply it defaults to the settings')");
    if (opts.apply && opts.command !== "move") throw fail("--apply belongs to move");
    if (opts.apply && opts.from !== undefined) throw fail("move --apply reads where the customers are from the backend's state; --from is for the preview");
    if (opts.write && opts.command !== "stacks") throw fail("--write belongs to stacks");
    if (opts.shards !== undefined && opts.command !== "plan") throw fail("--shards belongs to plan (move takes --from and --to)");
    return opts;
}

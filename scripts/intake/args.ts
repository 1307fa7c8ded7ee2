// Command-line parsing for `npm run intake`, pure (the style of scripts/verify/args.ts).
import { forEachFlag } from "../lib/flags";
import { INPUT_FORMATS, type InputFormat } from "./parse";

export interface IntakeOptions {
    command: "intake" | "publish" | "pending";
    files: string[];
    githubEvent?: string;
    format?: InputFormat;
    customersDir: string;
    dryRun: boolean;
    environment: string;
    table?: string;
    registryEndpoint?: string;
    region?: string;
    noRegistry: boolean;
    deadlineSeconds: number;
    /** publish: the branch PRs target and the remote to push to. */
    base: string;
    remote: string;
    help: boolean;
}

export class IntakeUsageError extends Error {
    constructor(message: string) {
        super(`${message}\n(run \`npm run intake -- --help\` for usage)`);
        this.name = "IntakeUsageError";
    }
}

export const USAGE = `Usage: npm run intake -- [options] <file>...
       npm run intake -- pending [--remote origin] [--base main] [--customers-dir customers]
       npm run intake -- publish [options] <results.jsonl>

Turns completed purchases into customer records (customers/<id>.yaml), personal data into the registry, and tracks
each onboarding (docs/INTAKE.md). Input: a JSON array (or one object), JSON lines, or CSV with a header row;
"-" reads standard input. Prints one JSON line per event on stdout ({purchaseId, outcome, id, file, reason, row}),
then a summary table on stderr. Exit 0 when nothing was rejected, 1 otherwise, 2 for bad arguments.

  --dry-run                  decide and print; write nothing (no files, no registry items)
  --customers-dir <dir>      the customer records (default: customers)
  --format json|jsonl|csv    input format (default: by extension, else by content)
  --github-event <file>      read the events from a GitHub event payload ($GITHUB_EVENT_PATH): repository_dispatch
                             client_payload (one event, or {"events": [...]}), or workflow_dispatch inputs
                             events-json / csv-path
  --environment <env>        whose registry keeps the onboarding and the personal data (default: prod)
  --table <name>             registry table (default: sas-onboarding-<environment>-customers)
  --registry-endpoint <url>  DynamoDB endpoint (DynamoDB Local, dynalite); default AWS
  --region <region>          AWS region (default: $AWS_REGION / $AWS_DEFAULT_REGION)
  --no-registry              no registry: personal fields are dropped (with a warning), no state, no dead letters
  --deadline-seconds <n>     how long registry calls retry transient failures (default: 60)
  --help                     this text

pending (in the intake workflow, before intake): copies the record of every open "onboarding" pull request (branch
onboard/<id>) into the customers directory, so intake sees purchases whose PR is not merged yet (same purchase:
unchanged; same wanted id: the next free one) instead of opening a second PR.

publish (in the intake workflow, after intake): for each created/updated/unchanged customer whose record differs from
<base>, pushes branch onboard/<id> (that one file on top of <base>) and opens or updates its pull request with the
gh CLI, labelled "onboarding", then marks the onboarding "recorded" (or "failed" at step recorded).
  --base <branch>            default: main
  --remote <name>            default: origin
  (and --customers-dir, --environment, --table, --registry-endpoint, --region, --no-registry, --dry-run)
`;

const ENV_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function parseIntakeArgs(argv: readonly string[]): IntakeOptions {
    const opts: IntakeOptions = {
        command: "intake",
        files: [],
        customersDir: "customers",
        dryRun: false,
        environment: "prod",
        noRegistry: false,
        deadlineSeconds: 60,
        base: "main",
        remote: "origin",
        help: false,
    };
    const args = [...argv];
    if (args[0] === "publish" || args[0] === "pending") {
        opts.command = args[0];
        args.shift();
    }
    forEachFlag(args, (m) => new IntakeUsageError(m), (flag, value, arg) => {
        if (flag === undefined) {
            opts.files.push(arg);
            return;
        }
        switch (flag) {
            case "--dry-run": opts.dryRun = true; break;
            case "--customers-dir": opts.customersDir = value(); break;
            case "--format": {
                const f = value();
                if (!(INPUT_FORMATS as readonly string[]).includes(f)) throw new IntakeUsageError(`--format must be one of ${INPUT_FORMATS.join(", ")}, got "${f}"`);
                opts.format = f as InputFormat;
                break;
            }
            case "--github-event": opts.githubEvent = value(); break;
            case "--environment": opts.environment = value(); break;
            case "--table": opts.table = value(); break;
            case "--registry-endpoint": opts.registryEndpoint = value(); break;
            case "--region": opts.region = value(); break;
            case "--no-registry": opts.noRegistry = true; break;
            case "--deadline-seconds": {
                const v = value();
                if (!/^\d+$/.test(v) || Number(v) < 1) throw new IntakeUsageError(`--deadline-seconds must be a whole number >= 1, got "${v}"`);
                opts.deadlineSeconds = Number(v);
                break;
            }
            case "--base": opts.base = value(); break;
            case "--remote": opts.remote = value(); break;
            case "--help": case "-h": opts.help = true; break;
            default: throw new IntakeUsageError(`unknown argument "${arg}"`);
        }
    }, { positional: (arg) => arg === "-" || !arg.startsWith("-") });
    if (opts.help) return opts;
    if (!ENV_NAME.test(opts.environment)) throw new IntakeUsageError(`--environment "${opts.environment}" is not an environment name`);
    if (opts.registryEndpoint !== undefined && !/^https?:\/\/\S+$/.test(opts.registryEndpoint)) {
        throw new IntakeUsageError(`--registry-endpoint must be an http(s) URL, got "${opts.registryEndpoint}"`);
    }
    if (opts.noRegistry && (opts.registryEndpoint !== undefined || opts.table !== undefined)) {
        throw new IntakeUsageError("--no-registry cannot be combined with --registry-endpoint or --table");
    }
    if (opts.command === "intake") {
        if (opts.githubEvent !== undefined && opts.files.length > 0) throw new IntakeUsageError("give input files or --github-event, not both");
        if (opts.githubEvent === undefined && opts.files.length === 0) throw new IntakeUsageError("no input: give a file (or - for standard input)");
    } else if (opts.command === "publish" && opts.files.length !== 1) {
        throw new IntakeUsageError("publish needs exactly one results file (the JSON lines intake printed)");
    } else if (opts.command === "pending" && opts.files.length > 0) {
        throw new IntakeUsageError("pending takes no files");
    }
    if (!/^[A-Za-z0-9._/-]+$/.test(opts.base) || opts.base.includes("..")) throw new IntakeUsageError(`--base "${opts.base}" is not a branch name`);
    if (!/^[A-Za-z0-9._-]+$/.test(opts.remote)) throw new IntakeUsageError(`--remote "${opts.remote}" is not a remote name`);
    return opts;
}

// Command-line parsing for `npm run status`, pure (the style of scripts/verify/args.ts).
import { forEachFlag } from "../lib/flags";
import { customerIdSchema } from "../../components/model/customer";
import { isOnboardingState, isProgressState, type OnboardingState, type ProgressState } from "../../components/model/onboarding";

export interface StatusOptions {
    command: "show" | "mark" | "notify";
    stack?: string;
    customers: string[];
    deadLetters: boolean;
    json: boolean;
    state?: OnboardingState;
    step?: ProgressState;
    reason?: string;
    commit?: string;
    pr?: string;
    at?: string;
    customersDir: string;
    /** mark --commit: only the commit's customers this shard stack holds. */
    shard?: string;
    table?: string;
    registryEndpoint?: string;
    region?: string;
    deadlineSeconds: number;
    help: boolean;
}

export class StatusUsageError extends Error {
    constructor(message: string) {
        super(`${message}\n(run \`npm run status -- --help\` for usage)`);
        this.name = "StatusUsageError";
    }
}

export const USAGE = `Usage: npm run status -- --stack <env> [--customer <id>]... [--json]
       npm run status -- --dead-letters [--stack <env>]
       npm run status -- mark --stack <env> --state <state> (--customer <id>... | --commit <sha>) [options]
       npm run status -- notify --stack prod [--customer <id>]...

Onboarding state per customer and environment, from the registry table (docs/INTAKE.md).

  --stack <env>              environment (its registry table: sas-onboarding-<env>-customers)
  --customer <id>            only this customer (repeatable)
  --dead-letters             rejected purchase events kept by intake (default --stack prod, where intake writes)
  --json                     JSON lines instead of a table
  --table <name>             registry table (default: from --stack)
  --registry-endpoint <url>  DynamoDB endpoint (DynamoDB Local, dynalite); default AWS
  --region <region>          AWS region (default: $AWS_REGION / $AWS_DEFAULT_REGION)
  --deadline-seconds <n>     how long registry calls and notices retry transient failures (default: 60)

mark: moves customers to <state> (received, recorded, deployed, live, failed) with a conditional write; a run older
than the stored state is refused ("stale"), as is a move the state machine does not allow.
  --commit <sha>             every customer whose record that commit added or changed (git, in the current repository)
  --customers-dir <dir>      where the records are, for --commit (default: customers)
  --shard <env>-shard-<nn>   with --commit: only the customers that shard stack holds (a sharded environment's
                             per-shard deploy job; placement from Pulumi.<env>.yaml)
  --step <state>             for failed: the step that failed (default: the one after the current state)
  --reason <text>            why (failed)
  --pr <url>                 the pull request (recorded)
  --at <iso-time>            the run's start time (default: now); the stale check compares it
  On --stack prod, a customer that becomes live is told once (signed webhook, SAS_NOTIFY_WEBHOOK_URL and
  SAS_NOTIFY_WEBHOOK_SECRET); without them the notice waits for \`notify\`.

notify: sends the notices of live customers that have not been told yet (or whose notice failed).
`;

const ENV_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function parseStatusArgs(argv: readonly string[]): StatusOptions {
    const opts: StatusOptions = { command: "show", customers: [], deadLetters: false, json: false, customersDir: "customers", deadlineSeconds: 60, help: false };
    const args = [...argv];
    if (args[0] === "mark" || args[0] === "notify") opts.command = args.shift() as "mark" | "notify";
    forEachFlag(args, (m) => new StatusUsageError(m), (flag, value, arg) => {
        switch (flag) {
            case "--stack": opts.stack = value(); break;
            case "--customer": {
                const id = value();
                if (!customerIdSchema.safeParse(id).success) throw new StatusUsageError(`--customer "${id}" is not a customer id`);
                opts.customers.push(id);
                break;
            }
            case "--dead-letters": opts.deadLetters = true; break;
            case "--json": opts.json = true; break;
            case "--state": {
                const s = value();
                if (!isOnboardingState(s)) throw new StatusUsageError(`--state must be one of received, recorded, deployed, live, failed; got "${s}"`);
                opts.state = s;
                break;
            }
            case "--step": {
                const s = value();
                if (!isProgressState(s)) throw new StatusUsageError(`--step must be one of received, recorded, deployed, live; got "${s}"`);
                opts.step = s;
                break;
            }
            case "--reason": opts.reason = value().slice(0, 500); break;
            case "--commit": {
                const c = value();
                if (!/^[0-9a-f]{7,40}$/.test(c)) throw new StatusUsageError(`--commit must be a commit SHA, got "${c}"`);
                opts.commit = c;
                break;
            }
            case "--pr": opts.pr = value(); break;
            case "--at": {
                const a = value();
                if (Number.isNaN(Date.parse(a))) throw new StatusUsageError(`--at must be an ISO 8601 time, got "${a}"`);
                opts.at = new Date(a).toISOString();
                break;
            }
            case "--customers-dir": opts.customersDir = value(); break;
            case "--shard": opts.shard = value(); break;
            case "--table": opts.table = value(); break;
            case "--registry-endpoint": opts.registryEndpoint = value(); break;
            case "--region": opts.region = value(); break;
            case "--deadline-seconds": {
                const v = value();
                if (!/^\d+$/.test(v) || Number(v) < 1) throw new StatusUsageError(`--deadline-seconds must be a whole number >= 1, got "${v}"`);
                opts.deadlineSeconds = Number(v);
                break;
            }
            case "--help": case "-h": opts.help = true; break;
            default: throw new StatusUsageError(`unknown argument "${arg}"`);
        }
    }, { repeatable: ["--customer"] });
    if (opts.help) return opts;
    if (opts.deadLetters) {
        if (opts.command !== "show") throw new StatusUsageError("--dead-letters is a listing; it does not combine with mark or notify");
        opts.stack ??= "prod";
    }
    if (opts.stack === undefined) throw new StatusUsageError("--stack <env> is required");
    if (!ENV_NAME.test(opts.stack)) throw new StatusUsageError(`--stack "${opts.stack}" is not an environment name`);
    if (opts.registryEndpoint !== undefined && !/^https?:\/\/\S+$/.test(opts.registryEndpoint)) {
        throw new StatusUsageError(`--registry-endpoint must be an http(s) URL, got "${opts.registryEndpoint}"`);
    }
    if (opts.command === "mark") {
        if (!opts.state) throw new StatusUsageError("mark needs --state");
        if ((opts.commit === undefined) === (opts.customers.length === 0)) throw new StatusUsageError("mark needs either --customer <id> or --commit <sha>");
        if (opts.shard !== undefined && opts.commit === undefined) throw new StatusUsageError("--shard narrows --commit; with --customer, name the customers");
        if (opts.step && opts.state !== "failed") throw new StatusUsageError("--step only goes with --state failed");
    } else if (opts.state || opts.commit || opts.step || opts.reason || opts.pr || opts.at || opts.shard) {
        throw new StatusUsageError("--state, --commit, --shard, --step, --reason, --pr and --at belong to mark");
    }
    return opts;
}

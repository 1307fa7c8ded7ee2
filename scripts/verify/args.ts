// Command-line parsing for `npm run verify`, kept pure so every flag and error message is unit-tested.
import { forEachFlag } from "../lib/flags";
import { parseResolveRule, type ResolveRule } from "./resolve";

export interface VerifyOptions {
    /** Exactly one source of stack outputs: a stack name (runs `pulumi stack output`) or a JSON file. */
    stack?: string;
    outputsFile?: string;
    customersDir: string;
    deadlineSeconds: number;
    attempts: number;
    baseDelayMs: number;
    requestTimeoutMs: number;
    concurrency: number;
    resolve: ResolveRule[];
    insecureTls: boolean;
    commit?: string;
    dynamodbEndpoint?: string;
    region?: string;
    skipRegistry: boolean;
    /** Only the customers this shard stack of the environment holds (a sharded environment's per-shard deploy job). */
    shard?: string;
    help: boolean;
}

export class VerifyUsageError extends Error {
    constructor(message: string) {
        super(`${message}\n(run \`npm run verify -- --help\` for usage)`);
        this.name = "VerifyUsageError";
    }
}

export const USAGE = `Usage: npm run verify -- (--stack <name> | --outputs <file.json>) [options]

Checks every customer's welcome page of one deployed stack and records PASS/FAIL per customer in the registry table.

  --stack <name>              read outputs with \`pulumi stack output --json --show-secrets --stack <name>\`
  --outputs <file.json>       read outputs from a file instead (same JSON shape; scripts/verify/example-outputs.json)
  --customers-dir <dir>       customer records to expect (default: customers)
  --shard <env>-shard-<nn>    only the customers that shard stack holds (placement from Pulumi.<env>.yaml; --stack is
                              the environment's stack, whose outputs list every page)
  --deadline-seconds <n>      overall deadline for all checks (default: 300)
  --attempts <n>              attempts per customer URL (default: 10)
  --base-delay-ms <n>         first retry delay; doubles each retry, with jitter (default: 1000)
  --request-timeout-ms <n>    timeout of one HTTP request (default: 10000)
  --concurrency <n>           customers checked at once (default: 4)
  --resolve <host>=<url>      send requests for <host> (or *.<domain>) to <url>, keeping the Host header and TLS
                              server name, e.g. --resolve '*.sas.localtest.me=http://127.0.0.1:8080' (repeatable)
  --insecure-tls              accept self-signed certificates (kind / local clusters only)
  --commit <sha>              commit recorded with the results (default: $GITHUB_SHA, then git rev-parse HEAD)
  --dynamodb-endpoint <url>   registry endpoint (default: outputs.registryEndpoint, then AWS)
  --region <region>           AWS region of the registry (default: $AWS_REGION / $AWS_DEFAULT_REGION)
  --skip-registry             do not write status items (a dry check; the pipeline never uses this)
  --help                      this text
`;

const DEFAULTS = {
    customersDir: "customers",
    deadlineSeconds: 300,
    attempts: 10,
    baseDelayMs: 1000,
    requestTimeoutMs: 10_000,
    concurrency: 4,
};

function positiveInt(flag: string, raw: string, min: number): number {
    if (!/^\d+$/.test(raw) || Number(raw) < min) {
        throw new VerifyUsageError(`${flag} must be a whole number >= ${min}, got "${raw}"`);
    }
    return Number(raw);
}

export function parseArgs(argv: readonly string[]): VerifyOptions {
    const opts: VerifyOptions = { ...DEFAULTS, resolve: [], insecureTls: false, skipRegistry: false, help: false };
    const args = argv;
    forEachFlag(args, (m) => new VerifyUsageError(m), (flag, value, arg) => {
        switch (flag) {
            case "--stack": opts.stack = value(); break;
            case "--outputs": opts.outputsFile = value(); break;
            case "--customers-dir": opts.customersDir = value(); break;
            case "--deadline-seconds": opts.deadlineSeconds = positiveInt(flag, value(), 1); break;
            case "--attempts": opts.attempts = positiveInt(flag, value(), 1); break;
            case "--base-delay-ms": opts.baseDelayMs = positiveInt(flag, value(), 0); break;
            case "--request-timeout-ms": opts.requestTimeoutMs = positiveInt(flag, value(), 1); break;
            case "--concurrency": opts.concurrency = positiveInt(flag, value(), 1); break;
            case "--resolve": opts.resolve.push(parseResolveRule(value())); break;
            case "--insecure-tls": opts.insecureTls = true; break;
            case "--commit": opts.commit = value(); break;
            case "--dynamodb-endpoint": opts.dynamodbEndpoint = value(); break;
            case "--region": opts.region = value(); break;
            case "--skip-registry": opts.skipRegistry = true; break;
            case "--shard": opts.shard = value(); break;
            case "--help": case "-h": opts.help = true; break;
            default: throw new VerifyUsageError(`unknown argument "${arg}"`);
        }
    }, { repeatable: ["--resolve"] });
    if (opts.help) return opts;
    if ((opts.stack === undefined) === (opts.outputsFile === undefined)) {
        throw new VerifyUsageError("give exactly one of --stack <name> or --outputs <file.json>");
    }
    if (opts.stack !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(opts.stack)) {
        throw new VerifyUsageError(`--stack "${opts.stack}" is not a Pulumi stack name`);
    }
    if (opts.dynamodbEndpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(opts.dynamodbEndpoint)) {
        throw new VerifyUsageError(`--dynamodb-endpoint must be an http(s) URL, got "${opts.dynamodbEndpoint}"`);
    }
    return opts;
}

export const DEFAULT_MAX_CUSTOMER_DELETES = 2;
export const MAX_DELETES_ENV = "SAS_MAX_CUSTOMER_DELETES";
export const ALLOW_ENV = "SAS_ALLOW_MASS_DELETE";

/** The per-stack limit variable, e.g. SAS_MAX_CUSTOMER_DELETES_PROD for stack "prod" (other characters become "_"). */
export function stackLimitEnv(stack: string): `${typeof MAX_DELETES_ENV}_${string}` {
  return `${MAX_DELETES_ENV}_${stack.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export const USAGE = `usage: npm run guard -- <preview.json> [--max-deletes N] [--allow-mass-delete]
       npm run guard -- --total <preview.json>... [--max-deletes N] [--allow-mass-delete]

Fails (exit 1) when the preview would delete or replace more than N customers (default ${DEFAULT_MAX_CUSTOMER_DELETES}), or
deletes or replaces anything it cannot attribute to a customer or the platform. A customer counts once when its
CustomerSite is deleted or any of its Namespace, Deployment, Ingress or registry item is deleted or replaced.
  <preview.json>         output of \`pulumi preview --json --stack <stack>\` ("-" reads stdin)
  --max-deletes N        customers that may be deleted at once (env ${MAX_DELETES_ENV}_<STACK>, e.g.
                         ${stackLimitEnv("prod")}, then ${MAX_DELETES_ENV}); the stack is read from the URNs
  --allow-mass-delete    let it through anyway, with a warning (env ${ALLOW_ENV}=yes)
  --total                judge the previews of several stacks of one environment together (a sharded environment:
                         its platform and shard stacks), against the environment's limit (${MAX_DELETES_ENV}_<ENV>,
                         then ${MAX_DELETES_ENV}); each shard's own preview is also judged alone, against its own
Exit codes: 0 ok, 1 refused (too many customers, or unattributed deletes), 2 bad arguments or unreadable preview.`;

export type LimitSource = "default" | "--max-deletes" | typeof MAX_DELETES_ENV | `${typeof MAX_DELETES_ENV}_${string}`;

export interface GuardOptions {
  file: string;
  /** --total: every preview file, judged together (file is the first). */
  files?: string[];
  maxDeletes: number;
  /** Where maxDeletes came from, for messages. */
  maxDeletesSource: LimitSource;
  allowMassDelete: boolean;
  allowSource?: "--allow-mass-delete" | typeof ALLOW_ENV;
  /** The stack the limit applies to, once known from the preview (see limitForStack). */
  stack?: string;
  /** --total: how many stacks' previews the count covers (the limit is the environment's, `stack`). */
  totalOf?: number;
}

/** Bad command line or environment: the message names the flag or variable to fix. */
export class GuardUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GuardUsageError";
  }
}

function parseLimit(raw: string, source: string): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new GuardUsageError(`${source}: expected a non-negative integer number of customers, got ${JSON.stringify(raw)}`);
  }
  return Number(raw.trim());
}

/** Reads the CLI arguments (after `--`) and environment. Flags win over environment variables. */
export function parseGuardArgs(argv: readonly string[], env: Record<string, string | undefined>): GuardOptions | "help" {
  const files: string[] = [];
  let flagLimit: number | undefined;
  let flagAllow = false;
  let total = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      return "help";
    } else if (arg === "--total") {
      total = true;
    } else if (arg === "--allow-mass-delete") {
      flagAllow = true;
    } else if (arg === "--max-deletes") {
      const value = argv[i + 1];
      if (value === undefined) {
        throw new GuardUsageError("--max-deletes: missing value (e.g. --max-deletes 3)");
      }
      flagLimit = parseLimit(value, "--max-deletes");
      i++;
    } else if (arg.startsWith("--max-deletes=")) {
      flagLimit = parseLimit(arg.slice("--max-deletes=".length), "--max-deletes");
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new GuardUsageError(`unknown option ${arg}\n${USAGE}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0 || (files.length > 1 && !total)) {
    throw new GuardUsageError(
      `${files.length === 0 ? "missing the preview file" : `expected one preview file, got ${files.length}: ${files.join(", ")}\n(--total judges several stacks' previews together)`}\n${USAGE}`,
    );
  }
  if (total && files.includes("-")) throw new GuardUsageError(`--total reads files, not stdin\n${USAGE}`);

  let maxDeletes = DEFAULT_MAX_CUSTOMER_DELETES;
  let maxDeletesSource: GuardOptions["maxDeletesSource"] = "default";
  const envLimit = env[MAX_DELETES_ENV];
  if (flagLimit !== undefined) {
    maxDeletes = flagLimit;
    maxDeletesSource = "--max-deletes";
  } else if (envLimit !== undefined && envLimit !== "") {
    maxDeletes = parseLimit(envLimit, MAX_DELETES_ENV);
    maxDeletesSource = MAX_DELETES_ENV;
  }

  const envAllow = env[ALLOW_ENV];
  if (envAllow !== undefined && envAllow !== "" && envAllow !== "yes") {
    // Fail closed but say why: "true"/"1" look like consent but are not the agreed word.
    throw new GuardUsageError(`${ALLOW_ENV} must be exactly "yes" to allow a mass delete (got ${JSON.stringify(envAllow)}); unset it otherwise`);
  }
  const allowSource = flagAllow ? "--allow-mass-delete" : envAllow === "yes" ? ALLOW_ENV : undefined;
  return {
    file: files[0],
    ...(total ? { files } : {}),
    maxDeletes,
    maxDeletesSource,
    allowMassDelete: allowSource !== undefined,
    ...(allowSource ? { allowSource } : {}),
  };
}

/**
 * The limit for the preview's stack: --max-deletes, else SAS_MAX_CUSTOMER_DELETES_<STACK>, else
 * SAS_MAX_CUSTOMER_DELETES, else the default. `opts` comes from parseGuardArgs (which knows no stack yet).
 */
export function limitForStack(opts: GuardOptions, stack: string | undefined, env: Record<string, string | undefined>): GuardOptions {
  if (stack === undefined) return opts;
  const name = stackLimitEnv(stack);
  const value = env[name];
  if (opts.maxDeletesSource === "--max-deletes" || value === undefined || value === "") return { ...opts, stack };
  return { ...opts, stack, maxDeletes: parseLimit(value, name), maxDeletesSource: name };
}

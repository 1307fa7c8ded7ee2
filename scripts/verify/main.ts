// `npm run verify`: wires the pure parts to the network, the registry and the terminal.
import { reportStep } from "../lib/metrics";
import { loadCustomers } from "../../components/records/load";
import type { Customer } from "../../components/model/customer";
import { parseArgs, USAGE, VerifyUsageError } from "./args";
import { checkCustomer, type CheckResult } from "./check-customer";
import { describeError, httpGet } from "./http-get";
import type { StackOutputs } from "./outputs";
import { registryClient, writeStatus } from "./registry";
import { failureSummary, progressLine, resultTable, type Row } from "./report";
import { targetFor } from "./resolve";
import { readOutputsFile, readStackOutputs, resolveCommit } from "./sources";
import { shardMembership } from "../shards/environment";

export interface VerifyIo {
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
}

/** Exit codes: 0 every page right, 1 a page is wrong or the registry write failed, 2 bad arguments or inputs. */
export async function runVerify(argv: readonly string[], io: VerifyIo): Promise<number> {
    let opts;
    let outputs: StackOutputs;
    let customers: Customer[];
    let commit: string;
    let inScope: (id: string) => boolean = () => true;
    try {
        opts = parseArgs(argv);
        if (opts.help) {
            io.stdout(USAGE);
            return 0;
        }
        outputs = opts.outputsFile !== undefined ? readOutputsFile(opts.outputsFile) : readStackOutputs(opts.stack!);
        customers = loadCustomers(opts.customersDir, { allowEmpty: true });
        commit = resolveCommit(opts.commit, io.env);
        if (opts.shard !== undefined) inScope = shardMembership(outputs.environment, opts.shard);
    } catch (err) {
        io.stderr(`verify: ${(err as Error).message}\n`);
        if (!(err instanceof VerifyUsageError)) io.stderr("verify: nothing was checked.\n");
        return 2;
    }

    const environment = outputs.environment;
    const endpoint = opts.dynamodbEndpoint ?? outputs.registryEndpoint;
    let client;
    if (!opts.skipRegistry) {
        try {
            client = registryClient({ endpoint, region: opts.region }, io.env);
        } catch (err) {
            io.stderr(`verify: ${(err as Error).message}\n`);
            return 2;
        }
    }

    // The run's start time stamps every item: a run that started later is the newer result, however long it took.
    const startedAt = Date.now();
    const checkedAt = new Date(startedAt).toISOString();
    const deadline = startedAt + opts.deadlineSeconds * 1000;

    const byId = new Map(customers.map((c) => [c.id, c]));
    const ids = [...new Set([...byId.keys(), ...Object.keys(outputs.customers)])].filter(inScope).sort();
    const rows: Row[] = [];
    let failed = 0;
    const progress = (current: string) => io.stderr(`${progressLine(rows.length, ids.length, failed, current)}\n`);
    io.stderr(`verify: checking ${ids.length} customer page(s) of "${environment}"${opts.shard ? ` held by ${opts.shard}` : ""} (commit ${commit.slice(0, 12)})\n`);

    const checkOne = async (id: string): Promise<Row> => {
        const customer = byId.get(id);
        const url = outputs.customers[id];
        if (!customer) return { customerId: id, url, result: "FAIL", attempts: 0, reason: `deployed, but there is no ${opts.customersDir}/${id}.yaml` };
        if (!url) return { customerId: id, url: "-", result: "FAIL", attempts: 0, reason: "no URL in stack outputs customers (not deployed?)" };
        const target = targetFor(new URL(url), opts.resolve);
        const result: CheckResult = await checkCustomer(
            customer,
            { attempts: opts.attempts, requestTimeoutMs: opts.requestTimeoutMs, baseDelayMs: opts.baseDelayMs, maxDelayMs: 30_000, deadline },
            {
                get: (timeoutMs) => httpGet(target, { timeoutMs, basicAuth: outputs.basicAuth, insecureTls: opts.insecureTls }),
                now: Date.now,
                sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
                random: Math.random,
                describeError,
            },
            (attempt, problem) => {
                if (problem !== undefined && attempt < opts.attempts) io.stderr(`verify: ${id}: attempt ${attempt} failed: ${problem}; retrying\n`);
            },
        );
        return { customerId: id, url, result: result.pass ? "PASS" : "FAIL", attempts: result.attempts, reason: result.reason };
    };

    const queue = [...ids];
    const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const row = await checkOne(id);
            rows.push(row);
            if (row.result === "FAIL") failed++;
            progress(`${id} ${row.result}`);
        }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, Math.max(1, ids.length)) }, worker));

    io.stdout(`${resultTable(rows)}\n`);

    let registryFailed = false;
    if (client) {
        const table = outputs.registryTableName;
        let written = 0;
        const kept: string[] = [];
        try {
            for (const row of [...rows].sort((a, b) => (a.customerId < b.customerId ? -1 : 1))) {
                const outcome = await writeStatus(client, table, {
                    customerId: row.customerId,
                    environment,
                    result: row.result,
                    commit,
                    checkedAt,
                    attempts: row.attempts,
                    reason: row.reason,
                });
                if (outcome === "written") written++;
                else kept.push(row.customerId);
            }
            io.stderr(`verify: registry ${table}: wrote ${written} STATUS#${environment} item(s)\n`);
            if (kept.length) io.stderr(`verify: registry ${table}: kept newer results for ${kept.join(", ")} (this run is older)\n`);
        } catch (err) {
            registryFailed = true;
            io.stderr(
                `verify: registry write to table "${table}"${endpoint ? ` at ${endpoint}` : ""} failed: ${(err as Error).name}: ${(err as Error).message}\n` +
                    "  fix: outputs registryTableName / registryEndpoint, --dynamodb-endpoint, or the role's dynamodb:PutItem permission\n",
            );
        } finally {
            client.destroy();
        }
    } else {
        io.stderr("verify: --skip-registry: no status items written\n");
    }

    const summary = failureSummary(environment, rows);
    if (summary) io.stderr(`${summary}\n`);
    await reportStep(io, "verify", { environment, step: "verify", events: { succeeded: rows.length - failed, failed } });
    return summary || registryFailed ? 1 : 0;
}

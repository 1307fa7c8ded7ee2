// One environment as the shard tools see it: its settings (Pulumi.<env>.yaml, parsed by the program's own schema),
// its placement and its validated customer records. Offline: no engine, no backend.
import * as path from "node:path";
import type { Customer } from "../../components/model/customer";
import { PROJECT_ROOT } from "../../components/model/project";
import { parseShardStackName, stackOfCustomer, type Placement } from "../../components/model/shards";
import { loadCustomers } from "../../components/records/load";
import { decodeConfig, parseStackSettings } from "../../stacks/load";
import type { StackSettings } from "../../stacks/settings";
import { readStackConfig } from "../../tests/harness/stack-config";

export interface Environment {
    name: string;
    settings: StackSettings;
    placement: Placement;
    /** Absolute directory of the records. */
    customersDir: string;
    customers: Customer[];
}

/** A mistake in how a tool was called (bad flag, unknown stack): exit 2, the message names what to fix. */
export class ShardsUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ShardsUsageError";
    }
}

/** The placement an environment's settings give. */
export function placementOf(settings: StackSettings): Placement {
    return settings.sharding.layout === "sharded"
        ? { layout: "sharded", environment: settings.stack, shards: settings.sharding.shards ?? 1 }
        : { layout: "single", environment: settings.stack };
}

/** Reads an environment (never a shard stack: its customers are the environment's). */
export function loadEnvironment(stack: string, opts: { customersDir?: string; root?: string } = {}): Environment {
    const shard = parseShardStackName(stack);
    if (shard) throw new ShardsUsageError(`${stack} is a shard stack; give its environment (--stack ${shard.environment})`);
    const root = opts.root ?? PROJECT_ROOT;
    let config: Record<string, string>;
    try {
        config = readStackConfig(root, stack);
    } catch (e) {
        throw new ShardsUsageError((e as Error).message);
    }
    const settings = parseStackSettings(stack, decodeConfig(config));
    const customersDir = path.resolve(root, opts.customersDir ?? settings.customersDir);
    const customers = loadCustomers(customersDir, {
        allowEmpty: settings.allowEmptyCustomers,
        maxRecordBytes: settings.records.maxRecordBytes,
        maxCustomers: settings.records.maxCustomers,
        displayDir: path.relative(root, customersDir) || ".",
    });
    return { name: stack, settings, placement: placementOf(settings), customersDir, customers };
}

/**
 * Which customers one stack of the environment holds, by the settings of this checkout (the commit being deployed):
 * verify and status use it to act on one shard's customers only (`--shard <env>-shard-<nn>`).
 */
export function shardMembership(environment: string, shardStack: string, root = PROJECT_ROOT): (id: string) => boolean {
    const shard = parseShardStackName(shardStack);
    if (!shard || shard.environment !== environment) throw new ShardsUsageError(`--shard ${shardStack} is not a shard stack of ${environment} (${environment}-shard-<nn>)`);
    let config: Record<string, string>;
    try {
        config = readStackConfig(root, environment);
    } catch (e) {
        throw new ShardsUsageError((e as Error).message);
    }
    const placement = placementOf(parseStackSettings(environment, decodeConfig(config)));
    if (placement.layout !== "sharded" || shard.index >= placement.shards) {
        throw new ShardsUsageError(`--shard ${shardStack}: Pulumi.${environment}.yaml has ${placement.layout === "sharded" ? `sharding.shards ${placement.shards}` : "sharding.layout single"}`);
    }
    return (id) => stackOfCustomer(id, placement) === shardStack;
}

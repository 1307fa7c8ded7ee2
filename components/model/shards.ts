import { createHash } from "node:crypto";

/**
 * Where a customer's resources live: one stack per environment (`single`), or the environment's stack as the
 * platform plus a fixed number of customer shard stacks (`sharded`, docs/DECISIONS.md "Customer shards").
 *
 * Placement depends only on the customer id and the shard count, never on the other customers: adding or removing a
 * customer moves nobody else. The id is hashed to a stable 64-bit key (the first 8 bytes of its SHA-256, big-endian)
 * and the key to a shard by jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", 2014): when the count grows from n to n+1, a customer either stays where it is or moves to the new
 * shard n (about 1/(n+1) of them), so resharding moves as few customers as possible.
 */

export const SHARD_LAYOUTS = ["single", "sharded"] as const;
export type ShardLayout = (typeof SHARD_LAYOUTS)[number];

/** Shard stack names carry a two-digit index, so an environment has at most 100 shards. */
export const MAX_SHARDS = 100;

/** How one environment places its customers. */
export type Placement = { layout: "single"; environment: string } | { layout: "sharded"; environment: string; shards: number };

/** One customer changing stacks when the placement changes. */
export interface ShardMove {
    id: string;
    from: string;
    to: string;
}

const MASK_64 = (1n << 64n) - 1n;
/** The paper's 64-bit linear congruential step. */
const LCG_MULTIPLIER = 2862933555777941757n;
const TWO_POW_31 = 2 ** 31;

/** The stable 64-bit key of a customer id: the first 8 bytes of SHA-256 over its UTF-8 bytes, big-endian. */
export function shardKey(id: string): bigint {
    return createHash("sha256").update(id, "utf8").digest().readBigUInt64BE(0);
}

/**
 * Jump consistent hash: the bucket in [0, buckets) of a 64-bit key. A transcription of the paper's C++ (the same
 * 64-bit wrap-around multiply, and the same double-precision division, so results are bit-identical to it).
 */
export function jumpConsistentHash(key: bigint, buckets: number): number {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > TWO_POW_31) throw new RangeError(`buckets must be a whole number in [1, 2^31], got ${buckets}`);
    if (key < 0n || key > MASK_64) throw new RangeError(`key must be an unsigned 64-bit integer, got ${key}`);
    let k = key;
    let b = -1;
    let j = 0;
    while (j < buckets) {
        b = j;
        k = (k * LCG_MULTIPLIER + 1n) & MASK_64;
        j = Math.floor((b + 1) * (TWO_POW_31 / (Number(k >> 33n) + 1)));
    }
    return b;
}

function checkShardCount(shards: number): void {
    if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new RangeError(`shard count must be a whole number from 1 to ${MAX_SHARDS}, got ${shards}`);
}

/** The shard index of a customer among `shards` shards. */
export function shardIndex(id: string, shards: number): number {
    checkShardCount(shards);
    return jumpConsistentHash(shardKey(id), shards);
}

/** The name of an environment's shard stack: `<environment>-shard-<nn>`, nn two digits from 00. The one place it is spelled. */
export function shardStackName(environment: string, index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_SHARDS) throw new RangeError(`shard index must be a whole number from 0 to ${MAX_SHARDS - 1}, got ${index}`);
    return `${environment}-shard-${String(index).padStart(2, "0")}`;
}

/** The environment and index a shard stack name stands for, or undefined when the name is not a shard stack's. */
export function parseShardStackName(stack: string): { environment: string; index: number } | undefined {
    const m = /^(.+)-shard-([0-9]{2})$/.exec(stack);
    return m ? { environment: m[1], index: Number(m[2]) } : undefined;
}

/** The stacks that hold an environment's customers, in order: the environment's own stack, or its shard stacks. */
export function customerStacks(p: Placement): string[] {
    if (p.layout === "single") return [p.environment];
    checkShardCount(p.shards);
    return Array.from({ length: p.shards }, (_, i) => shardStackName(p.environment, i));
}

/** The stack that holds one customer's resources. */
export function stackOfCustomer(id: string, p: Placement): string {
    return p.layout === "single" ? p.environment : shardStackName(p.environment, shardIndex(id, p.shards));
}

/** Every customer stack (empty ones too, in customerStacks order) with its customers' ids, sorted. */
export function shardPlan(ids: readonly string[], p: Placement): Record<string, string[]> {
    const plan: Record<string, string[]> = Object.fromEntries(customerStacks(p).map((s) => [s, []]));
    for (const id of [...ids].sort()) plan[stackOfCustomer(id, p)].push(id);
    return plan;
}

/** The customers whose stack differs between two placements of the same environment, sorted by id. */
export function shardMoves(ids: readonly string[], from: Placement, to: Placement): ShardMove[] {
    if (from.environment !== to.environment) throw new Error(`moves stay within one environment (${from.environment} vs ${to.environment})`);
    return [...ids]
        .sort()
        .map((id) => ({ id, from: stackOfCustomer(id, from), to: stackOfCustomer(id, to) }))
        .filter((m) => m.from !== m.to);
}

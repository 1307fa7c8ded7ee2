import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import {
    customerStacks,
    jumpConsistentHash,
    MAX_SHARDS,
    parseShardStackName,
    shardIndex,
    shardKey,
    shardMoves,
    shardPlan,
    shardStackName,
    stackOfCustomer,
} from "../../../components/model/shards";

/** Deterministic, realistic customer ids: DNS labels like the records use. */
const ids = (n: number, prefix = "cust"): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i.toString(36)}-${(i * 7919) % 1000}`);

/**
 * The paper's algorithm again, in exact integer arithmetic: j = floor((b + 1) * 2^31 / ((key >> 33) + 1)). The
 * product uses doubles; here the division is exact, so an agreement over many keys shows the transcription (and
 * its 64-bit wrap-around) is right rather than merely self-consistent.
 */
function jumpExact(key: bigint, buckets: number): number {
    let k = key;
    let b = -1n;
    let j = 0n;
    while (j < BigInt(buckets)) {
        b = j;
        k = (k * 2862933555777941757n + 1n) % 2n ** 64n;
        j = ((b + 1n) * 2n ** 31n) / ((k >> 33n) + 1n);
    }
    return Number(b);
}

describe("customer shards: placement (components/model/shards.ts)", () => {
    it("matches the reference C++ implementation's published outputs (buckets 1..n per key)", () => {
        // Outputs of the paper's reference C++ code, as published in github.com/dgryski/go-jump jump_test.go.
        const vectors: Array<[bigint, number[]]> = [
            [0n, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
            [1n, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
            [0xdeadbeefn, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
            [0x0ddc0ffeebadf00dn, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
        ];
        for (const [key, expected] of vectors) {
            assert.deepEqual(expected.map((_, i) => jumpConsistentHash(key, i + 1)), expected, `key ${key.toString(16)}`);
        }
    });

    it("agrees with an exact-integer transcription of the paper for 3,000 keys and 1..100 buckets", () => {
        for (const id of ids(3000)) {
            const key = shardKey(id);
            for (const n of [1, 2, 3, 5, 8, 13, 16, 31, 32, 64, 99, 100]) assert.equal(jumpConsistentHash(key, n), jumpExact(key, n), `${id}, ${n} buckets`);
        }
    });

    it("keys are the first 8 bytes of SHA-256 of the id, big-endian", () => {
        for (const id of ["acme-rockets", "muller-kaffee", "zz", "a".repeat(40)]) {
            const hex = createHash("sha256").update(Buffer.from(id, "utf8")).digest("hex");
            assert.equal(shardKey(id), BigInt(`0x${hex.slice(0, 16)}`));
        }
        // Pinned: computed outside this code base (SHA-256 and the reference algorithm in Go, 2026-11-29). A change of key
        // derivation or hash would silently move customers of every environment; this makes it a failing test.
        const pinned: Array<[string, string, number[]]> = [
            ["acme-rockets", "a8d914f7defc297c", [0, 0, 0, 0, 11, 11]],
            ["muller-kaffee", "80db363d08716714", [1, 1, 1, 5, 10, 16]],
            ["nile-analytics", "83fbd9239829614a", [0, 0, 0, 0, 11, 11]],
            ["sakura-logistics", "295b8c53252682d4", [0, 0, 3, 3, 8, 19]],
            ["zeta-tools", "29510f489daefb11", [0, 2, 3, 5, 5, 20]],
        ];
        for (const [id, key, shards] of pinned) {
            assert.equal(shardKey(id).toString(16).padStart(16, "0"), key, id);
            assert.deepEqual([2, 3, 4, 8, 16, 32].map((n) => shardIndex(id, n)), shards, id);
        }
    });

    it("is deterministic: the same id lands in the same shard on every call", () => {
        const all = ids(500);
        const first = all.map((id) => shardIndex(id, 16));
        assert.deepEqual(all.map((id) => shardIndex(id, 16)), first);
        assert.deepEqual([...all].reverse().map((id) => shardIndex(id, 16)).reverse(), first);
    });

    it("spreads 10,000 ids evenly over 16 shards (chi-square below the 0.1 % critical value, every shard within 12 % of the mean)", () => {
        const counts = new Array<number>(16).fill(0);
        for (const id of ids(10_000)) counts[shardIndex(id, 16)]++;
        const mean = 10_000 / 16;
        const chi2 = counts.reduce((s, c) => s + (c - mean) ** 2 / mean, 0);
        assert.ok(chi2 < 37.7, `chi-square ${chi2.toFixed(1)} over 15 degrees of freedom: ${counts.join(", ")}`);
        for (const c of counts) assert.ok(Math.abs(c - mean) / mean < 0.12, `a shard holds ${c}, mean ${mean}: ${counts.join(", ")}`);
    });

    it("growing the count from n to n+1 (n = 1..64) keeps every customer or moves it to the new shard, about 1/(n+1) of them", () => {
        const all = ids(4000);
        let previous = all.map(() => 0);
        for (let n = 2; n <= 64; n++) {
            const now = all.map((id) => shardIndex(id, n));
            let moved = 0;
            for (const [i, shard] of now.entries()) {
                if (shard !== previous[i]) {
                    assert.equal(shard, n - 1, `${all[i]}: ${previous[i]} -> ${shard} when growing to ${n} shards`);
                    moved++;
                }
            }
            const expected = all.length / n;
            // Binomial spread: within 5 standard deviations, so the bound holds for every n without being vacuous.
            const sd = Math.sqrt(all.length * (1 / n) * (1 - 1 / n));
            assert.ok(Math.abs(moved - expected) < 5 * sd, `${moved} moved growing to ${n}, expected about ${expected.toFixed(0)}`);
            previous = now;
        }
    });

    it("refuses shard counts and bucket numbers outside their ranges", () => {
        assert.throws(() => shardIndex("a", 0), /shard count must be a whole number from 1 to 100, got 0/);
        assert.throws(() => shardIndex("a", MAX_SHARDS + 1), /got 101/);
        assert.throws(() => shardIndex("a", 2.5), /got 2.5/);
        assert.throws(() => jumpConsistentHash(1n, 0), /buckets must be/);
        assert.throws(() => jumpConsistentHash(-1n, 3), /unsigned 64-bit/);
        assert.throws(() => jumpConsistentHash(2n ** 64n, 3), /unsigned 64-bit/);
    });
});

describe("customer shards: stack names and plans", () => {
    it("names shard stacks <environment>-shard-<two digits> and reads them back", () => {
        assert.equal(shardStackName("dev", 0), "dev-shard-00");
        assert.equal(shardStackName("prod", 7), "prod-shard-07");
        assert.equal(shardStackName("prod", 99), "prod-shard-99");
        assert.throws(() => shardStackName("prod", 100), /from 0 to 99, got 100/);
        assert.throws(() => shardStackName("prod", -1), /got -1/);
        assert.deepEqual(parseShardStackName("prod-shard-07"), { environment: "prod", index: 7 });
        assert.deepEqual(parseShardStackName("my-env-shard-12"), { environment: "my-env", index: 12 });
        assert.equal(parseShardStackName("prod"), undefined);
        assert.equal(parseShardStackName("prod-shard-7"), undefined);
        assert.equal(parseShardStackName("prod-shard-007"), undefined);
    });

    it("lists the customer stacks of each layout", () => {
        assert.deepEqual(customerStacks({ layout: "single", environment: "local" }), ["local"]);
        assert.deepEqual(customerStacks({ layout: "sharded", environment: "dev", shards: 3 }), ["dev-shard-00", "dev-shard-01", "dev-shard-02"]);
        assert.throws(() => customerStacks({ layout: "sharded", environment: "dev", shards: 0 }), /shard count/);
    });

    it("plans every shard (empty ones too) with sorted ids; single layout is one stack with everyone", () => {
        const all = ids(40);
        const plan = shardPlan(all, { layout: "sharded", environment: "dev", shards: 4 });
        assert.deepEqual(Object.keys(plan), ["dev-shard-00", "dev-shard-01", "dev-shard-02", "dev-shard-03"]);
        assert.deepEqual(Object.values(plan).flat().sort(), [...all].sort());
        for (const [stack, members] of Object.entries(plan)) {
            assert.deepEqual(members, [...members].sort());
            for (const id of members) assert.equal(shardStackName("dev", shardIndex(id, 4)), stack);
        }
        assert.deepEqual(shardPlan(all, { layout: "single", environment: "local" }), { local: [...all].sort() });
        assert.deepEqual(shardPlan([], { layout: "sharded", environment: "dev", shards: 2 }), { "dev-shard-00": [], "dev-shard-01": [] });
    });

    it("places a customer the same whoever else exists (adding or removing customers moves nobody)", () => {
        const p = { layout: "sharded" as const, environment: "prod", shards: 8 };
        const all = ids(300);
        const full = shardPlan(all, p);
        const fewer = shardPlan(all.filter((_, i) => i % 3 !== 0), p);
        const more = shardPlan([...all, ...ids(50, "new")], p);
        for (const id of all) {
            const where = stackOfCustomer(id, p);
            assert.ok(full[where].includes(id));
            if (fewer[where]) assert.equal(fewer[where].includes(id), all.indexOf(id) % 3 !== 0);
            assert.ok(more[where].includes(id));
        }
    });

    it("moves only customers whose shard changes: growing 2 -> 3 moves into shard 02 only; single -> sharded moves everyone", () => {
        const all = ids(600);
        const moves = shardMoves(all, { layout: "sharded", environment: "dev", shards: 2 }, { layout: "sharded", environment: "dev", shards: 3 });
        assert.ok(moves.length > 150 && moves.length < 250, `${moves.length} of 600 moved (expected about 200)`);
        assert.deepEqual([...new Set(moves.map((m) => m.to))], ["dev-shard-02"]);
        assert.deepEqual(moves.map((m) => m.id), [...moves.map((m) => m.id)].sort());
        for (const m of moves) assert.equal(m.from, shardStackName("dev", shardIndex(m.id, 2)));
        const all2 = shardMoves(all.slice(0, 10), { layout: "single", environment: "dev" }, { layout: "sharded", environment: "dev", shards: 2 });
        assert.deepEqual(all2.map((m) => m.from), new Array(10).fill("dev"));
        assert.deepEqual(shardMoves(all, { layout: "sharded", environment: "dev", shards: 5 }, { layout: "sharded", environment: "dev", shards: 5 }), []);
        assert.throws(() => shardMoves(all, { layout: "single", environment: "dev" }, { layout: "single", environment: "stage" }), /one environment/);
    });
});

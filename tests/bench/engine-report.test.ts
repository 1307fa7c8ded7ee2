// The real-engine reports' arithmetic and text, without an engine: the fits that turn measured rows into predictions,
// the profile's causes, the merge of rows measured on different days, and the sharded section's verdict line.
import { strict as assert } from "node:assert";
import { fitLinear, fitQuadratic, mergeRows, parsePprofTop, profileByCause, renderPrediction, type CliProfile, type EngineRow, type Measured } from "../../bench/engine";
import { renderShardsSection, withShardsSection, type ShardRun } from "../../bench/shards";

const m = (wallSeconds: number, resources = 0, peakRssMiB = 100): Measured => ({
    wallSeconds,
    resources,
    cli: { peakRssMiB, cpuSeconds: wallSeconds / 2 },
    provider: { peakRssMiB: 50, cpuSeconds: 1 },
    nodeRssMiB: 200,
});

/** A row whose times follow known curves, so the fits must give them back. */
const row = (n: number): EngineRow => ({
    customers: n,
    mockRenderSeconds: 1,
    upFromEmpty: m(2 * n + 0.01 * n * n, 12 * n, 100 + 0.5 * 12 * n),
    noChangeUp: m(3 + 0.1 * n),
    addOne: m(15 + 0.05 * n),
    destroy: m(n + 0.02 * n * n),
    stateBytes: 1000 * n,
});

describe("bench: real-engine report arithmetic", () => {
    it("fits y = a·n + b·n² and y = c + d·n exactly on points that follow them", () => {
        const q = fitQuadratic([10, 50, 100, 200].map((n) => [n, 2 * n + 0.01 * n * n]));
        assert.ok(Math.abs(q.a - 2) < 1e-9 && Math.abs(q.b - 0.01) < 1e-12, JSON.stringify(q));
        const l = fitLinear([10, 50, 100].map((n) => [n, 15 + 0.05 * n]));
        assert.ok(Math.abs(l.c - 15) < 1e-9 && Math.abs(l.d - 0.05) < 1e-12, JSON.stringify(l));
    });

    it("predicts 1,000 and 5,000 customers from the fits (here: up 2·n + 0.01·n², add one 15 + 0.05·n)", () => {
        const text = renderPrediction([10, 50, 100].map(row)).join("\n");
        // up at 1,000: 2,000 + 10,000 = 12,000 s = 3.3 h; add one: 65 s; at 5,000: 260,000 s = 72.2 h, 265 s = 4 min.
        assert.match(text, /\| 1,000 \| 12,000 \| 3\.3 h \| 103 s \| 65 s \|/);
        assert.match(text, /\| 5,000 \| 60,000 \| 72\.2 h \| 8 min \| 4 min \|/);
        assert.deepEqual(renderPrediction([row(10), row(50)]), [], "two sizes cannot show a curve");
    });

    it("keeps rows of sizes not measured now and replaces the others", () => {
        const old = [row(10), row(50), row(100)].map((r) => ({ ...r, measuredOn: "old" }));
        const merged = mergeRows(old, [{ ...row(50), measuredOn: "new" }, { ...row(200), measuredOn: "new" }]);
        assert.deepEqual(merged.map((r) => [r.customers, r.measuredOn]), [[10, "old"], [50, "new"], [100, "old"], [200, "new"]]);
    });

    it("reads go tool pprof -top -cum and names each cause by its frame", () => {
        const top = parsePprofTop([
            "      flat  flat%   sum%        cum   cum%",
            "     0.10s  0.2%  0.2%     18.00s 31.9%  encoding/json.(*encodeState).reflectValue",
            "     8.10s 14.4% 14.6%      8.10s 14.4%  crypto/md5.block",
            "     0.01s 0.01% 14.6%     10.20s 18.2%  github.com/pulumi/pulumi/pkg/v3/resource/stack.SerializeDeploymentWithMetadata",
        ].join("\n"));
        assert.deepEqual(top[1].slice(0, 2), ["crypto/md5.block", 8.1]);
        assert.ok(Math.abs(top[1][2] - 0.144) < 1e-9);
        const profile: CliProfile = { customers: 50, measuredOn: "d", wallSeconds: 1, cpuSeconds: 1, top };
        const seconds = (prefix: string) => profileByCause(profile).find((c) => c.cause.startsWith(prefix))?.seconds;
        assert.equal(seconds("checkpoint: JSON encoding"), 18);
        assert.equal(seconds("checkpoint: MD5"), 8.1);
        assert.equal(seconds("checkpoint: state to API types"), 10.2);
        assert.equal(seconds("garbage collection"), 0, "a frame absent from the profile counts 0");
    });

    it("the sharded section compares onboarding latency at both sizes and with one stack, and replaces itself", () => {
        const run = (n: number, shards: number, platform: number, shard: number): ShardRun => ({
            customers: n,
            shards,
            placement: {},
            platformUp: m(20),
            shardUps: Array.from({ length: n === 100 ? shards : 1 }, (_, i) => ({ stack: `sandbox-shard-0${i}`, customers: 25, up: m(40) })),
            noChangeShardUp: m(3),
            addOne: { platform: m(platform), shard: m(shard), stack: "sandbox-shard-01", shardCustomers: 25 },
            stateKiB: { platform: 100, shards: { "sandbox-shard-01": 1500 } },
            measuredOn: "d",
            loadBefore: "1",
        });
        const text = renderShardsSection([run(100, 4, 5, 10), run(1000, 40, 6, 10.5)], [row(10), row(50), row(100)]);
        assert.match(text, /5\.0 \+ 10\.0 = \*\*15\.0\*\*/);
        assert.match(text, /15\.0 s at 100 customers, 16\.5 s at 1000 \(\+10 %/);
        assert.match(text, /\| 20\.0 \(measured\) \|/, "one stack at 100 is the engine row");
        assert.match(text, /~65\.0 \(fit\)/, "one stack at 1,000 comes from the fit");
        assert.match(text, /40 shards take ~26\.7 min of engine time in one job, or ~6\.7 min as 4 parallel jobs/);
        const report = withShardsSection(withShardsSection("# r\n", text), text.replace("sandbox", "x"));
        assert.equal(report.split("<!-- shards:start -->").length, 2);
    });
});

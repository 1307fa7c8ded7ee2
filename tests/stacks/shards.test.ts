import { strict as assert } from "node:assert";
import { parseStackSettings, settingsFromPlatform, shardInputsOf, stackRole, StackSettingsError } from "../../stacks/load";

const env = () => ({
    baseDomain: "dev.sas.example.com",
    kubernetes: { mode: "existing" },
    image: { repository: "docker.io/nginxinc/nginx-unprivileged", tag: "1.28.0-alpine" },
    registry: { manage: "false" },
    tenancy: { basicAuth: "true" },
    basicAuthPassword: "a-secret-password-of-length",
    sharding: { layout: "sharded", shards: 4 },
});
const MOCK = { mockEngine: true };
const without = (o: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

function problems(f: () => unknown): string[] {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof StackSettingsError, String(e));
        return e.message.split("\n").slice(1).map((l) => l.trim());
    }
    return assert.fail("expected a refusal");
}

describe("stack settings: sharding", () => {
    it("defaults to one stack per environment, with the shard budget written once", () => {
        const s = parseStackSettings("dev", { ...without(env(), "basicAuthPassword", "sharding"), tenancy: { basicAuth: "false" } });
        assert.deepEqual(s.sharding, { layout: "single", budget: { customers: 100, resources: 1400 } });
        assert.deepEqual(parseStackSettings("dev", env()).sharding, { layout: "sharded", shards: 4, budget: { customers: 100, resources: 1400 } });
        assert.deepEqual(parseStackSettings("dev", { ...env(), sharding: { layout: "sharded", shards: 2, budget: { customers: 5 } } }).sharding.budget, { customers: 5, resources: 1400 });
    });

    it("names the key of every bad sharding value", () => {
        assert.deepEqual(problems(() => parseStackSettings("dev", { ...env(), sharding: { layout: "many", shards: 0, budget: { tenants: 1 } } })), [
            'sas-onboarding:sharding.layout: Invalid option: expected one of "single"|"sharded"',
            "sas-onboarding:sharding.shards: Too small: expected number to be >=1",
            "sas-onboarding:sharding.budget.tenants: unknown setting",
        ]);
        assert.deepEqual(problems(() => parseStackSettings("dev", { ...env(), sharding: { layout: "sharded", shards: 101 } })), ["sas-onboarding:sharding.shards: Too big: expected number to be <=100"]);
    });
});

describe("stack role: environment or shard", () => {
    it("an environment's role carries its settings and, for its shards, the same settings without secrets", () => {
        const role = stackRole("dev", env(), MOCK);
        assert.equal(role.kind, "environment");
        if (role.kind !== "environment") return;
        assert.equal(role.settings.stack, "dev");
        assert.deepEqual(role.shardInputs, { environment: "dev", settings: without(env(), "basicAuthPassword") });
    });

    it("a shard stack holds only platformStack and shard, and its name must be the one they give", () => {
        const role = stackRole("dev-shard-03", { platformStack: "organization/sas-onboarding/dev", shard: "3" }, MOCK);
        assert.deepEqual(role, { kind: "shard", stack: "dev-shard-03", environment: "dev", shard: { platformStack: "organization/sas-onboarding/dev", shard: 3 } });
        assert.deepEqual(problems(() => stackRole("dev-shard-03", { platformStack: "organization/sas-onboarding/dev", shard: 3, baseDomain: "x.example.com" }, MOCK)), [
            "sas-onboarding:baseDomain: not a shard stack setting (a shard stack holds only platformStack and shard; the environment's settings live in Pulumi.<environment>.yaml)",
        ]);
        assert.deepEqual(problems(() => stackRole("dev-shard-04", { platformStack: "organization/sas-onboarding/dev", shard: 3 }, MOCK)), [
            "sas-onboarding:shard: platformStack organization/sas-onboarding/dev and shard 3 name the stack dev-shard-03, not dev-shard-04",
        ]);
        assert.deepEqual(problems(() => stackRole("dev-shard-00", { platformStack: "dev", shard: 100 }, MOCK)), [
            "sas-onboarding:platformStack: must be a fully qualified stack name <organization>/<project>/<stack>, e.g. organization/sas-onboarding/dev",
            "sas-onboarding:shard: must be below 100",
        ]);
        assert.deepEqual(problems(() => stackRole("dev-shard-00", { shard: 0 }, MOCK)), ["sas-onboarding:platformStack: Invalid input: expected string, received undefined"]);
    });

    it("a shard reads the environment's settings from the platform, naming the platform stack and output in every problem", () => {
        const from = "organization/sas-onboarding/dev";
        const s = settingsFromPlatform(from, shardInputsOf("dev", env()), MOCK);
        assert.equal(s.stack, "dev");
        assert.equal(s.basicAuthPassword, undefined);
        assert.equal(s.sharding.shards, 4);
        assert.throws(() => settingsFromPlatform(from, undefined, MOCK), /^Error: platform stack organization\/sas-onboarding\/dev, output shardInputs: missing; deploy the platform first \(pulumi up --stack dev, with sas-onboarding:sharding\.layout sharded\)$/);
        assert.throws(() => settingsFromPlatform(from, { environment: "dev" }, MOCK), /output shardInputs: settings: Invalid input/);
        assert.throws(() => settingsFromPlatform(from, shardInputsOf("dev", { ...env(), sharding: { layout: "single" } }), MOCK), /sharding\.layout is single; the platform declares its customers itself/);
        const refused = problems(() => settingsFromPlatform(from, shardInputsOf("dev", { ...env(), baseDomain: "NOT A DOMAIN" }), MOCK));
        assert.deepEqual(refused, ["(read from platform stack organization/sas-onboarding/dev, output shardInputs)", "sas-onboarding:baseDomain: must be a lower-case DNS name with at least two labels"]);
        // A real engine refuses the documentation's example values in a shard exactly as in its environment.
        assert.match(problems(() => settingsFromPlatform(from, shardInputsOf("dev", env()), { mockEngine: false })).join("\n"), /sas-onboarding:baseDomain: "dev\.sas\.example\.com" is a reserved example domain/);
    });
});

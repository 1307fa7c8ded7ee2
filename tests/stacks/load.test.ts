import { strict as assert } from "node:assert";
import { decodeConfig, parseStackSettings, StackSettingsError } from "../../stacks/load";
import { DEFAULT_TIER_SIZES } from "../../components/model/tiers";

const valid = () => ({
    baseDomain: "dev.sas.example.com",
    kubernetes: { mode: "existing" },
    aws: { region: "eu-west-1" },
    image: { repository: "docker.io/nginxinc/nginx-unprivileged", tag: "1.28.0-alpine" },
});

function problems(values: Record<string, unknown>): string[] {
    try {
        parseStackSettings("dev", values);
    } catch (e) {
        assert.ok(e instanceof StackSettingsError, String(e));
        assert.match(e.message, /^invalid settings in Pulumi\.dev\.yaml:/);
        return e.message.split("\n").slice(1).map((l) => l.trim());
    }
    return assert.fail("expected the settings to be rejected");
}

describe("stack settings", () => {
    it("applies defaults and merges tier overrides over the built-in sizes", () => {
        const s = parseStackSettings("dev", { ...valid(), tiers: { business: { replicas: 1 } } });
        assert.equal(s.customersDir, "customers");
        assert.equal(s.allowEmptyCustomers, false);
        assert.deepEqual(s.ingress, { className: "traefik", tls: { enabled: false } });
        assert.deepEqual(s.tierSizes.business, { ...DEFAULT_TIER_SIZES.business, replicas: 1 });
        assert.deepEqual(s.tierSizes.enterprise, DEFAULT_TIER_SIZES.enterprise);
    });

    it("decodes Pulumi's string config: JSON for structured values, strings kept as strings", () => {
        const decoded = decodeConfig({
            "sas-onboarding:baseDomain": "123.example.com",
            "sas-onboarding:image": '{"repository":"r/x","tag":"1"}',
            "sas-onboarding:allowEmptyCustomers": "true",
            "aws:region": "eu-west-1",
        });
        assert.deepEqual(decoded, { baseDomain: "123.example.com", image: { repository: "r/x", tag: "1" }, allowEmptyCustomers: "true" });
        assert.equal(parseStackSettings("dev", { ...valid(), allowEmptyCustomers: "true" }).allowEmptyCustomers, true);
        assert.equal(parseStackSettings("dev", { ...valid(), customerBatchSize: "50" }).customerBatchSize, 50);
        assert.throws(() => decodeConfig({ "sas-onboarding:image": "{not json" }), /sas-onboarding:image: structured value is not valid JSON/);
    });

    const CASES: [string, Record<string, unknown>, string][] = [
        ["missing baseDomain", { ...valid(), baseDomain: undefined }, "sas-onboarding:baseDomain: is required"],
        ["baseDomain not a DNS name", { ...valid(), baseDomain: "Not A Domain" }, "sas-onboarding:baseDomain: must be a lower-case DNS name"],
        ["missing image", { ...valid(), image: undefined }, "sas-onboarding:image:"],
        ["image tag latest", { ...valid(), image: { repository: "r/x", tag: "latest" } }, "sas-onboarding:image.tag: must not be 'latest'"],
        ["image unpinned", { ...valid(), image: { repository: "r/x" } }, "sas-onboarding:image: needs a tag or a digest"],
        ["bad digest", { ...valid(), image: { repository: "r/x", digest: "md5:1" } }, "sas-onboarding:image.digest: must be sha256:"],
        ["unknown cluster mode", { ...valid(), kubernetes: { mode: "magic" } }, "sas-onboarding:kubernetes.mode: mode must be one of"],
        ["wrong type flag", { ...valid(), allowEmptyCustomers: "yes" }, "sas-onboarding:allowEmptyCustomers: must be true or false"],
        ["unknown key", { ...valid(), basedomain: "x" }, "sas-onboarding:basedomain: unknown setting"],
        ["batch size not a number", { ...valid(), customerBatchSize: "many" }, "sas-onboarding:customerBatchSize: must be a whole number"],
        ["unknown nested key", { ...valid(), ingress: { className: "nginx", tsl: {} } }, "sas-onboarding:ingress.tsl: unknown setting"],
        ["replicas not a number", { ...valid(), tiers: { starter: { replicas: "two" } } }, "sas-onboarding:tiers.starter.replicas:"],
        ["bad quantity", { ...valid(), tiers: { starter: { cpuLimit: "lots" } } }, "sas-onboarding:tiers.starter.cpuLimit: cpuLimit must be a CPU quantity"],
        ["memory in a CPU unit", { ...valid(), tiers: { starter: { memoryLimit: "64m" } } }, "sas-onboarding:tiers.starter.memoryLimit: memoryLimit must be a memory quantity in Ki, Mi or Gi"],
        ["memory in bytes (quota arithmetic needs Ki, Mi or Gi)", { ...valid(), tiers: { business: { memoryRequest: "67108864" } } }, "sas-onboarding:tiers.business.memoryRequest: memoryRequest must be a memory quantity"],
        ["unknown tier", { ...valid(), tiers: { gold: { replicas: 2 } } }, "sas-onboarding:tiers.gold: unknown setting"],
    ];
    for (const [what, values, expected] of CASES) {
        it(`rejects ${what}, naming the key`, () => {
            const lines = problems(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
            assert.ok(lines.some((l) => l.startsWith(expected)), `expected a line starting "${expected}", got:\n${lines.join("\n")}`);
        });
    }
});

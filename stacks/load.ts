import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { PROJECT } from "../components/model/project";
import { TIERS } from "../components/model/customer";
import { z } from "zod";
import { SECRET_SETTINGS, shardStackSettingsSchema, stackSettingsSchema, type ShardStackSettings, type StackSettings } from "./settings";
import { DEFAULT_TIER_SIZES, tierSizeSchema } from "../components/model/tiers";
import { shardStackName } from "../components/model/shards";


export class StackSettingsError extends Error {
    constructor(stack: string, problems: readonly string[]) {
        super(`invalid settings in Pulumi.${stack}.yaml:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "StackSettingsError";
    }
}

/**
 * Pulumi passes each config value as a string; structured values (objects, lists) arrive as JSON. Only those are
 * decoded, so a string setting that happens to look like a number stays a string.
 */
export function decodeConfig(all: Record<string, string>, project = PROJECT): Record<string, unknown> {
    const prefix = `${project}:`;
    const out: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(all)) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        const trimmed = raw.trim();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                out[name] = JSON.parse(trimmed);
            } catch (e) {
                throw new Error(`${key}: structured value is not valid JSON (${(e as Error).message})`);
            }
        } else out[name] = raw;
    }
    return out;
}

/** A setting's key as written in the stack file: `sas-onboarding:ingress.tls.enabled`. */
export function settingKey(path: readonly PropertyKey[], project = PROJECT): string {
    return `${project}:${path.map(String).join(".")}`;
}

/** Validates decoded settings; every problem is reported with its key as written in the stack file. */
export function parseStackSettings(stack: string, values: Record<string, unknown>, project = PROJECT): StackSettings {
    const parsed = stackSettingsSchema.safeParse(values);
    if (!parsed.success) {
        throw new StackSettingsError(
            stack,
            parsed.error.issues.flatMap((issue) =>
                issue.code === "unrecognized_keys"
                    ? issue.keys.map((k) => `${settingKey([...issue.path, k], project)}: unknown setting`)
                    : [`${settingKey(issue.path, project)}: ${issue.message}`],
            ),
        );
    }
    const settings = parsed.data;
    const problems: string[] = [];
    const tierSizes = Object.fromEntries(
        TIERS.map((tier) => {
            const merged = { ...DEFAULT_TIER_SIZES[tier], ...settings.tiers[tier] };
            const check = tierSizeSchema.safeParse(merged);
            if (!check.success) problems.push(...check.error.issues.map((i) => `${settingKey(["tiers", tier, ...i.path], project)}: ${i.message}`));
            return [tier, merged];
        }),
    ) as StackSettings["tierSizes"];
    problems.push(...crossFieldProblems(settings, project));
    if (problems.length > 0) throw new StackSettingsError(stack, problems);
    return { ...settings, stack, tierSizes };
}

/**
 * Reads the current stack's settings from the Pulumi engine's config. A stack still carrying the documentation's
 * example values stops here, before any resource (so before any cloud call), naming every such key. Under Pulumi's
 * mock engine (render, tests) nothing reaches a cloud and the examples pass; a real engine needs allowExampleValues.
 */
export function loadStackSettings(): StackSettings {
    const { stack, decoded } = currentConfig();
    return settingsForEngine(stack, decoded, { mockEngine: underMockEngine() });
}

/** The current stack's name and its decoded config; a config that does not decode is a settings error of the stack. */
function currentConfig(): { stack: string; decoded: Record<string, unknown> } {
    const stack = pulumi.getStack();
    try {
        return { stack, decoded: decodeConfig(pulumi.runtime.allConfig()) };
    } catch (e) {
        throw new StackSettingsError(stack, [(e as Error).message]);
    }
}

/**
 * What a stack is: an environment (its settings in Pulumi.<stack>.yaml; with sharding.layout sharded, the platform of
 * its shard stacks), or one customer shard of an environment (Pulumi.<environment>-shard-<nn>.yaml: only
 * platformStack and shard; the environment's settings arrive through the platform stack's `shardInputs` output).
 */
export type StackRole =
    | { kind: "environment"; settings: StackSettings; shardInputs: ShardInputs }
    | { kind: "shard"; stack: string; environment: string; shard: ShardStackSettings };

/** The current stack's role, from the Pulumi engine's config (see stackRole). */
export function loadStackRole(): StackRole {
    const { stack, decoded } = currentConfig();
    return stackRole(stack, decoded, { mockEngine: underMockEngine() });
}

/** A stack whose config names a platform stack (or a shard index) is a shard; any other is an environment. */
export function stackRole(stack: string, decoded: Record<string, unknown>, engine: { mockEngine: boolean }, project = PROJECT): StackRole {
    if ("platformStack" in decoded || "shard" in decoded) {
        const shard = parseShardStackSettings(stack, decoded, project);
        return { kind: "shard", stack, environment: platformEnvironment(shard.platformStack), shard };
    }
    return { kind: "environment", settings: settingsForEngine(stack, decoded, engine, project), shardInputs: shardInputsOf(stack, decoded) };
}

/** The environment a fully qualified platform stack name stands for: its last part. */
export function platformEnvironment(platformStack: string): string {
    return platformStack.split("/").pop() ?? platformStack;
}

/**
 * Validates a shard stack's config: only platformStack and shard, and a stack name that is the one the environment
 * and index give (so a copied file cannot make a second stack claim the same customers).
 */
export function parseShardStackSettings(stack: string, decoded: Record<string, unknown>, project = PROJECT): ShardStackSettings {
    const parsed = shardStackSettingsSchema.safeParse(decoded);
    if (!parsed.success) {
        throw new StackSettingsError(
            stack,
            parsed.error.issues.flatMap((issue) =>
                issue.code === "unrecognized_keys"
                    ? issue.keys.map(
                          (k) =>
                              `${settingKey([...issue.path, k], project)}: not a shard stack setting (a shard stack holds only platformStack and shard; the environment's settings live in Pulumi.<environment>.yaml)`,
                      )
                    : [`${settingKey(issue.path, project)}: ${issue.message}`],
            ),
        );
    }
    const expected = shardStackName(platformEnvironment(parsed.data.platformStack), parsed.data.shard);
    if (expected !== stack) {
        throw new StackSettingsError(stack, [
            `${settingKey(["shard"], project)}: platformStack ${parsed.data.platformStack} and shard ${parsed.data.shard} name the stack ${expected}, not ${stack}`,
        ]);
    }
    return parsed.data;
}

/**
 * What an environment's platform stack exports for its shard stacks (output `shardInputs`): the environment's name and
 * its settings exactly as Pulumi.<environment>.yaml holds them (decoded, secrets left out). A shard parses them with
 * the same schema, defaults and checks as the environment itself, so both layouts build a customer from the same
 * settings by the same code.
 */
export const shardInputsSchema = z.strictObject({
    environment: z.string().min(1),
    settings: z.record(z.string(), z.unknown()),
});
export type ShardInputs = z.infer<typeof shardInputsSchema>;

export function shardInputsOf(environment: string, decoded: Record<string, unknown>): ShardInputs {
    const secret = new Set<string>(SECRET_SETTINGS);
    return { environment, settings: Object.fromEntries(Object.entries(decoded).filter(([key]) => !secret.has(key))) };
}

/**
 * The environment's settings as a shard reads them from its platform stack. Every problem names the platform stack
 * and its output; an environment that is not sharded has no shards.
 */
export function settingsFromPlatform(platformStack: string, value: unknown, engine: { mockEngine: boolean }, project = PROJECT): StackSettings {
    const where = `platform stack ${platformStack}, output shardInputs`;
    if (value === undefined) {
        throw new Error(`${where}: missing; deploy the platform first (pulumi up --stack ${platformEnvironment(platformStack)}, with ${settingKey(["sharding", "layout"], project)} sharded)`);
    }
    const inputs = shardInputsSchema.safeParse(value);
    if (!inputs.success) throw new Error(`${where}: ${inputs.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ")}`);
    let settings: StackSettings;
    try {
        settings = settingsForEngine(inputs.data.environment, inputs.data.settings, engine, project);
    } catch (e) {
        if (e instanceof StackSettingsError) throw new StackSettingsError(inputs.data.environment, [`(read from ${where})`, ...e.message.split("\n").slice(1).map((l) => l.trim())]);
        throw e;
    }
    if (settings.sharding.layout !== "sharded") {
        throw new Error(`${where}: ${settingKey(["sharding", "layout"], project)} is ${settings.sharding.layout}; the platform declares its customers itself and has no shard stacks`);
    }
    return settings;
}

/** parseStackSettings, then the example-value check that only a real engine (one that reaches clouds) needs. */
export function settingsForEngine(stack: string, decoded: Record<string, unknown>, engine: { mockEngine: boolean }, project = PROJECT): StackSettings {
    const settings = parseStackSettings(stack, decoded, project);
    const examples = settings.allowExampleValues || engine.mockEngine ? [] : exampleValueProblems(settings, project);
    if (examples.length > 0) throw new StackSettingsError(stack, examples);
    return settings;
}

/**
 * True when the program runs under Pulumi's mock monitor (`npm run render`, the tests, the benchmark): no engine, no
 * provider, so no value can reach a cloud and the examples are harmless (docs/DECISIONS.md "Example values").
 */
export function underMockEngine(): boolean {
    return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

/** The placeholders the stack files and docs ship with; none of them can work against a real account. */
export const EXAMPLE_VALUES = {
    accountId: "111122223333",
    hostedZoneId: "Z0EXAMPLE0SAS0ZONE",
    /** RFC 2606 reserves example.com (and .org/.net, .example) for documentation. */
    domain: /(^|\.)example\.(com|org|net)$|(^|\.)example$/,
} as const;

/** Every setting that still holds an example value, each naming its key, the value and what to put there instead. */
export function exampleValueProblems(s: StackSettings, project = PROJECT): string[] {
    const problems: string[] = [];
    const hint = `(an example value; replace it, or set ${project}:allowExampleValues true for offline evaluation only)`;
    if (EXAMPLE_VALUES.domain.test(s.baseDomain)) problems.push(`${project}:baseDomain: "${s.baseDomain}" is a reserved example domain ${hint}`);
    if (s.kubernetes.mode === "eks") {
        const roles = { adminRoleArn: s.kubernetes.adminRoleArn, deployerRoleArn: s.kubernetes.deployerRoleArn, previewRoleArn: s.kubernetes.previewRoleArn };
        for (const [key, arn] of Object.entries(roles)) {
            if (arn?.split(":")[4] === EXAMPLE_VALUES.accountId) problems.push(`${project}:kubernetes.${key}: account ${EXAMPLE_VALUES.accountId} is the example account ${hint}`);
        }
    }
    if (s.dns.hostedZoneId === EXAMPLE_VALUES.hostedZoneId) problems.push(`${project}:dns.hostedZoneId: ${s.dns.hostedZoneId} is the example zone ${hint}`);
    const mailDomain = s.certManager.acmeEmail?.split("@")[1];
    if (mailDomain && EXAMPLE_VALUES.domain.test(mailDomain)) {
        problems.push(`${project}:certManager.acmeEmail: "${s.certManager.acmeEmail}" is at a reserved example domain; Let's Encrypt refuses it ${hint}`);
    }
    return problems;
}

/** Rules that span keys: each names the key to change. */
function crossFieldProblems(s: ReturnType<typeof stackSettingsSchema.parse>, project: string): string[] {
    const problems: string[] = [];
    // The shared Gateway's https listener needs the wildcard Secret in the controller's namespace: only cert-manager puts it there.
    if (s.routing === "gateway" && s.ingress.tls.enabled && !s.certManager.install) {
        problems.push(`${project}:routing: gateway with ingress.tls.enabled needs certManager.install (the Gateway's certificate)`);
    }
    if (s.certManager.install) {
        if (s.kubernetes.mode !== "eks") problems.push(`${project}:certManager.install: needs kubernetes.mode eks (Route53 access through IAM roles for service accounts)`);
        if (!s.ingressController.install) problems.push(`${project}:certManager.install: needs ingressController.install (the wildcard becomes the controller's default certificate)`);
        if (!s.dns.hostedZoneId) problems.push(`${project}:certManager.install: needs dns.hostedZoneId for the DNS-01 challenge`);
        if (!s.certManager.acmeEmail) problems.push(`${project}:certManager.acmeEmail: is required when certManager.install is true`);
        if (!s.ingress.tls.enabled) problems.push(`${project}:certManager.install: needs ingress.tls.enabled`);
    }
    const awsUsers = [
        s.kubernetes.mode === "eks" ? "kubernetes.mode eks" : "",
        s.registry.manage ? "registry.manage" : "",
        s.dns.hostedZoneId ? "dns.hostedZoneId" : "",
        s.certManager.install ? "certManager.install" : "",
    ].filter(Boolean);
    if (!s.aws && awsUsers.length > 0) problems.push(`${project}:aws.region: is required: this stack creates AWS resources (${awsUsers.join(", ")})`);
    if (s.sharding.layout === "sharded" && s.sharding.shards === undefined) {
        problems.push(`${project}:sharding.shards: is required with sharding.layout sharded (the number of customer shard stacks)`);
    }
    if (s.sharding.layout === "single" && s.sharding.shards !== undefined) {
        problems.push(`${project}:sharding.shards: only applies to sharding.layout sharded (this stack holds every customer itself)`);
    }
    if (s.basicAuthPassword && !s.tenancy.basicAuth) problems.push(`${project}:basicAuthPassword: is set but tenancy.basicAuth is off`);
    if (s.dns.hostedZoneId && !s.ingressController.install) {
        problems.push(`${project}:dns.hostedZoneId: needs ingressController.install (the record points at its load balancer)`);
    }
    if (s.kubernetes.mode === "eks") {
        // EKS holds one access entry per principal, and the three roles are three different levels of access.
        const k = s.kubernetes;
        const seen = new Map<string, string>();
        for (const [key, arn] of [["adminRoleArn", k.adminRoleArn], ["deployerRoleArn", k.deployerRoleArn], ["previewRoleArn", k.previewRoleArn]] as const) {
            if (!arn) continue;
            const first = seen.get(arn);
            if (first) problems.push(`${project}:kubernetes.${key}: is the same role as kubernetes.${first}; admin, deployer and preview must be different IAM roles (one EKS access entry each)`);
            else seen.set(arn, key);
        }
    }
    return problems;
}

import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../components/model/project";
import { TIERS } from "../components/model/customer";
import { stackSettingsSchema, type StackSettings } from "./settings";
import { DEFAULT_TIER_SIZES, tierSizeSchema } from "../components/model/tiers";


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

/** Reads the current stack's settings from the Pulumi engine's config. */
export function loadStackSettings(): StackSettings {
    const stack = pulumi.getStack();
    let decoded: Record<string, unknown>;
    try {
        decoded = decodeConfig(pulumi.runtime.allConfig());
    } catch (e) {
        throw new StackSettingsError(stack, [(e as Error).message]);
    }
    return parseStackSettings(stack, decoded);
}

/** Rules that span keys: each names the key to change. */
function crossFieldProblems(s: ReturnType<typeof stackSettingsSchema.parse>, project: string): string[] {
    const problems: string[] = [];
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
    if (s.basicAuthPassword && !s.tenancy.basicAuth) problems.push(`${project}:basicAuthPassword: is set but tenancy.basicAuth is off`);
    if (s.dns.hostedZoneId && !s.ingressController.install) {
        problems.push(`${project}:dns.hostedZoneId: needs ingressController.install (the record points at its load balancer)`);
    }
    return problems;
}

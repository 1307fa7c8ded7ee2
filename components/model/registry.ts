import type { Customer } from "./customer";

/** Key design of the registry table: one partition per customer, one item per kind of record about it. */
export const REGISTRY_KEYS = { partition: "customerId", sort: "record" } as const;
export const PROFILE_RECORD = "PROFILE";
/** Per-environment verification results written by `npm run verify`. */
export const statusRecord = (environment: string) => `STATUS#${environment}`;

/**
 * The customer's public record as a DynamoDB item (attribute-value JSON), mirroring git. Only public fields: the
 * registry is read by support tooling, so nothing secret belongs here. Attribute order is fixed for stable inputs.
 */
export function registryProfileItem(c: Customer, ctx: { environment: string; url: string; namespace: string }): string {
    const s = (value: string) => ({ S: value });
    return JSON.stringify({
        [REGISTRY_KEYS.partition]: s(c.id),
        [REGISTRY_KEYS.sort]: s(PROFILE_RECORD),
        companyName: s(c.companyName),
        motto: s(c.motto),
        tier: s(c.tier),
        purchaseId: s(c.purchaseId),
        namespace: s(ctx.namespace),
        url: s(ctx.url),
        environment: s(ctx.environment),
    });
}

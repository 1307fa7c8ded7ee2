import { z } from "zod";
import { tierSizeSchema, type TierSize } from "./tiers";
import type { Tier } from "../components/records/schema";

/**
 * Every stack setting, typed. Pulumi.<stack>.yaml holds them under the project namespace (`sas-onboarding:<key>`);
 * docs/SETTINGS.md documents each key. Unknown keys are errors, so a typo never silently falls back to a default.
 */

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/** Pulumi hands scalar config values over as strings; accept "true"/"false" as well as real booleans. */
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
    error: "must be true or false",
});

export const imageSchema = z
    .strictObject({
        repository: z.string().regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/, { error: "must be an image repository like docker.io/nginxinc/nginx-unprivileged" }),
        tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "must be an image tag" }).optional(),
        digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: "must be sha256:<64 hex digits>" }).optional(),
    })
    .refine((i) => i.tag !== undefined || i.digest !== undefined, { error: "needs a tag or a digest: images are pinned" })
    .refine((i) => i.tag !== "latest", { path: ["tag"], error: "must not be 'latest': images are pinned" });

export const ingressSchema = z.strictObject({
    className: z.string().min(1).default("nginx"),
    tls: z
        .strictObject({
            enabled: flag.default(false),
            /** Secret holding a wildcard certificate for *.<baseDomain>, copied into each tenant namespace by the operator. */
            secretName: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
            /** cert-manager ClusterIssuer that issues one certificate per customer host. */
            clusterIssuer: z.string().min(1).optional(),
        })
        .default({ enabled: false }),
});

export const kubernetesSchema = z.discriminatedUnion(
    "mode",
    [
        z.strictObject({
            mode: z.literal("existing"),
            /** Path to a kubeconfig file; unset means the provider's own default (KUBECONFIG or ~/.kube/config). */
            kubeconfig: z.string().min(1).optional(),
            context: z.string().min(1).optional(),
        }),
    ],
    { error: "mode must be one of: existing" },
);

const tierOverrides = z
    .strictObject({
        starter: tierSizeSchema.partial().optional(),
        business: tierSizeSchema.partial().optional(),
        enterprise: tierSizeSchema.partial().optional(),
    })
    .default({});

export const stackSettingsSchema = z.strictObject({
    baseDomain: z.string({ error: "is required (e.g. dev.sas.example.com)" }).regex(DNS_NAME, {
        error: "must be a lower-case DNS name with at least two labels",
    }),
    customersDir: z.string().min(1).default("customers"),
    allowEmptyCustomers: flag.default(false),
    image: imageSchema,
    ingress: ingressSchema.default({ className: "nginx", tls: { enabled: false } }),
    kubernetes: kubernetesSchema,
    tiers: tierOverrides,
});

export type StackSettingsInput = z.input<typeof stackSettingsSchema>;
export type StackSettings = z.infer<typeof stackSettingsSchema> & { stack: string; tierSizes: Record<Tier, TierSize> };

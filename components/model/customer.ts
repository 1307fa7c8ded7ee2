import { z } from "zod";
import { displayText, requiredString } from "./text";

/**
 * The customer record: the one source of the `Customer` type. Every field rule lives here (the free-text rules in
 * ./text.ts, shared with any other intake of the same text), so the loader, the JSON Schema for editors and the
 * program can never disagree about what a valid record is.
 */

/** Sub-domains and namespace prefixes a customer id must never take (they belong to the platform or to Kubernetes). */
export const RESERVED_IDS: readonly string[] = [
    "admin", "api", "app", "assets", "auth", "billing", "cdn", "console", "dashboard", "default", "docs", "ftp",
    "grafana", "help", "ingress", "localhost", "login", "mail", "ns1", "ns2", "prometheus", "root", "sas", "smtp",
    "sso", "static", "status", "support", "system", "www",
];
/** Prefixes Kubernetes or the platform keep for themselves. */
export const RESERVED_ID_PREFIXES: readonly string[] = ["kube-", "sas-", "cust-", "ingress-"];

/** DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const customerIdSchema = requiredString("id")
    .min(3, { error: "id must be at least 3 characters" })
    .max(40, { error: "id must be at most 40 characters" })
    .regex(DNS_LABEL, { error: "id must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit" })
    .refine((id) => !RESERVED_IDS.includes(id), { error: "id is reserved for the platform" })
    .refine((id) => !RESERVED_ID_PREFIXES.some((p) => id.startsWith(p)), {
        error: `id must not start with a reserved prefix (${RESERVED_ID_PREFIXES.join(", ")})`,
    })
    .describe("DNS-1123 label, 3-40 characters, equal to the file name; becomes <id>.<baseDomain> and namespace cust-<id>.");

export const tierSchema = z
    .enum(["starter", "business", "enterprise"], {
        error: (issue) => (issue.input === undefined ? "tier is required" : "tier must be one of starter, business, enterprise"),
    })
    .describe("Commercial tier; sizes replicas, resources and quotas.");

export const customerSchema = z
    .strictObject(
        {
            id: customerIdSchema,
            companyName: displayText("companyName", 100).describe("Company name shown on the page: 1-100 characters, any script; no control or bidirectional formatting characters."),
            motto: displayText("motto", 200).describe("Motto shown on the page: 1-200 characters, any script; no control or bidirectional formatting characters."),
            tier: tierSchema,
            purchaseId: requiredString("purchaseId")
                .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, {
                    error: "purchaseId must be 3-64 characters of letters, digits, '.', '_' or '-'",
                })
                .describe("The purchase that created this customer; unique across all customers."),
            theme: z
                .strictObject(
                    {
                        accentColor: z
                            .string({ error: "accentColor must be a string" })
                            .regex(/^#[0-9a-fA-F]{6}$/, { error: "accentColor must be a #rrggbb colour" })
                            .optional()
                            .describe("Accent colour of the page, #rrggbb."),
                    },
                    { error: "theme must be a mapping" },
                )
                .optional()
                .describe("Optional look of the page."),
        },
        { error: "a customer record must be a mapping of fields" },
    )
    .describe("A SAS customer: one file per customer under customers/, named <id>.yaml.");

export type Customer = z.infer<typeof customerSchema>;
export type Tier = z.infer<typeof tierSchema>;
export const TIERS: readonly Tier[] = tierSchema.options;

/**
 * How much the record loader reads at most (stack settings `records.*` override them): a real record is well under
 * 1 KiB, and 5,000 customers is the largest size measured (docs/BENCHMARKS.md). Above either, nothing is deployed.
 */
export const RECORD_LIMITS = { maxRecordBytes: 64 * 1024, maxCustomers: 5000 } as const;

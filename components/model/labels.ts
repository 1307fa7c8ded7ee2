import type { Customer } from "./customer";
import { PROJECT } from "./project";

export const APP_NAME = "sas-welcome";

export const PART_OF = PROJECT;
export const CUSTOMER_ID_LABEL = "sas.io/customer-id";
export const TIER_LABEL = "sas.io/tier";
export const CONTENT_HASH_ANNOTATION = "sas.io/content-hash";

/**
 * Selector labels: the subset that identifies a customer's pods. Never add a label here that can change (a tier or a
 * version), because a Deployment's selector is immutable.
 */
export function selectorLabels(customer: Pick<Customer, "id">): Record<string, string> {
    return {
        "app.kubernetes.io/name": APP_NAME,
        "app.kubernetes.io/instance": customer.id,
    };
}

/**
 * Labels every tenant's objects share whoever the customer is (the Gateway admits HTTPRoutes only from namespaces
 * carrying them).
 */
export const TENANT_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/component": "welcome-page",
    "app.kubernetes.io/part-of": PART_OF,
};

/** Labels for every object of one customer. No version or date label: it would touch every tenant on each release. */
export function customerLabels(customer: Pick<Customer, "id" | "tier">): Record<string, string> {
    return {
        ...selectorLabels(customer),
        ...TENANT_LABELS,
        "app.kubernetes.io/managed-by": "pulumi",
        [CUSTOMER_ID_LABEL]: customer.id,
        [TIER_LABEL]: customer.tier,
    };
}

import { PROJECT } from "./project";

/**
 * Kubernetes and Pulumi names for one customer. Fixed, explicit names (no Pulumi auto-naming suffix) keep resource
 * inputs identical from run to run; isolation comes from the namespace, so object names can repeat across tenants.
 */
export const OBJECT_NAMES = {
    app: "welcome",
    configMap: "welcome-site",
    basicAuthSecret: "welcome-basic-auth",
    quota: "tenant-quota",
    limits: "tenant-limits",
    denyAll: "default-deny",
    allowIngress: "allow-from-ingress-controller",
    supportBinding: "sas-tenant-viewer",
} as const;

export const TENANT_NAMESPACE_PREFIX = "cust-";

export function tenantNamespace(customerId: string): string {
    return `${TENANT_NAMESPACE_PREFIX}${customerId}`;
}

/** The Pulumi resource name of a customer's component; children are `${componentName}-<role>`. */
export function componentName(customerId: string): string {
    return `customer-${customerId}`;
}

export function customerHost(customerId: string, baseDomain: string): string {
    return `${customerId}.${baseDomain}`;
}

export function customerUrl(customerId: string, baseDomain: string, tls: boolean): string {
    return `${tls ? "https" : "http"}://${customerHost(customerId, baseDomain)}/`;
}

/** Registry table name: one per stack, fixed so that tooling (verify, support) can find it from the stack name. */
export const registryTableName = (stack: string) => `${PROJECT}-${stack}-customers`;

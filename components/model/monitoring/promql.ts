/**
 * PromQL fragments shared by the rules and the dashboard: how a series names its customer. Tenant namespaces are
 * `cust-<id>` (components/model/names.ts); Traefik names a customer's backend `cust-<id>-welcome-http@kubernetes`
 * (the Ingress provider's `<namespace>-<service>-<port name>`, then `@<provider>`).
 */
import { OBJECT_NAMES, TENANT_NAMESPACE_PREFIX } from "../names";

/** The port name of the customer Service that the Ingress backend refers to (components/tenant/manifests.ts). */
export const SERVICE_PORT_NAME = "http";

/** Matches (fully, as PromQL does) a tenant namespace; group 1 is the customer id. */
export const TENANT_NAMESPACE_REGEX = `${TENANT_NAMESPACE_PREFIX}(.+)`;
export const TENANT_NAMESPACE_SELECTOR = `namespace=~"${TENANT_NAMESPACE_PREFIX}.+"`;

/** Matches Traefik's `service` label of a customer's backend; group 1 is the customer id (greedy, the suffix is fixed). */
export const TRAEFIK_SERVICE_REGEX = `${TENANT_NAMESPACE_PREFIX}(.+)-${OBJECT_NAMES.app}-${SERVICE_PORT_NAME}@kubernetes`;
export const TRAEFIK_SERVICE_SELECTOR = `service=~"${TENANT_NAMESPACE_PREFIX}.+-${OBJECT_NAMES.app}-${SERVICE_PORT_NAME}@kubernetes"`;

/** The Traefik `service` label value of one customer's backend. */
export function traefikServiceName(customerId: string): string {
    return `${TENANT_NAMESPACE_PREFIX}${customerId}-${OBJECT_NAMES.app}-${SERVICE_PORT_NAME}@kubernetes`;
}

/** Adds `customer="<id>"` to every series of `expr` from its `namespace="cust-<id>"`. */
export function customerFromNamespace(expr: string): string {
    return `label_replace(${expr}, "customer", "$1", "namespace", "${TENANT_NAMESPACE_REGEX}")`;
}

/** Adds `customer="<id>"` to every series of `expr` from Traefik's `service` label. */
export function customerFromTraefikService(expr: string): string {
    return `label_replace(${expr}, "customer", "$1", "service", "${TRAEFIK_SERVICE_REGEX}")`;
}

/** A PromQL string literal (double-quoted, Go escapes). */
export function quote(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * Customer page probes: one blackbox-exporter Probe per customer URL, answered by a blackbox module of that customer's
 * own (docs/MONITORING.md#probes: why one module per customer).
 *
 * The module passes only when the page answers 200 and its body carries both the "Welcome to SAS" heading and the
 * customer's own company name, HTML-escaped exactly as components/model/site/page.ts writes it, inside the company
 * paragraph. So a page of another customer, the controller's default backend, an empty nginx or a stale page that lost
 * its name all fail with status 200: CustomerPageWrongContent, not CustomerPageDown.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Customer } from "../customer";
import { CONTENT_HASH_ANNOTATION, customerLabels } from "../labels";
import { customerUrl, tenantNamespace } from "../names";
import { contentHash } from "../site/content";
import { escapeHtml } from "../site/escape";
import { MONITORING_API_VERSION, type ProbeManifest } from "./crds";
import { PROBE_JOB, seconds, type MonitoringSettings } from "./settings";
import { toYaml } from "./yaml";

export type ProbedCustomer = Pick<Customer, "id" | "companyName" | "tier">;

export const PROBE_NAME = "welcome-page";
export const WELCOME_HEADING = "<h1>Welcome to SAS</h1>";

export function blackboxModuleName(customerId: string): string {
    return `sas-welcome-${customerId}`;
}

/** Escapes RE2 (Go regexp) metacharacters: the result matches `text` literally, in Go as in JavaScript. */
export function regexpLiteral(text: string): string {
    return text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/** The body regexps a customer's page must match (all of them): the heading and the escaped company name. */
export function pageBodyRegexps(companyName: string): string[] {
    return [regexpLiteral(WELCOME_HEADING), `<p class="company"[^>]*>${regexpLiteral(escapeHtml(companyName))}</p>`];
}

/** One module of blackbox_exporter's config (blackbox.yml `modules:`), in its own snake_case keys. */
export interface BlackboxModule {
    prober: "http";
    timeout: string;
    http: {
        method: "GET";
        valid_status_codes: number[];
        valid_http_versions: string[];
        follow_redirects: boolean;
        fail_if_not_ssl?: boolean;
        preferred_ip_protocol: "ip4";
        ip_protocol_fallback: boolean;
        headers: Record<string, string>;
        fail_if_body_not_matches_regexp: string[];
        basic_auth?: { username: string; password_file: string };
    };
}

export interface BlackboxConfig {
    modules: Record<string, BlackboxModule>;
}

export function blackboxModule(customer: Pick<ProbedCustomer, "companyName">, s: MonitoringSettings): BlackboxModule {
    return {
        prober: "http",
        timeout: s.blackbox.timeout,
        http: {
            method: "GET",
            valid_status_codes: [200],
            valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
            // A redirect (to a login, to another host) is not the page: report its status instead of following it.
            follow_redirects: false,
            ...(s.tls ? { fail_if_not_ssl: true } : {}),
            preferred_ip_protocol: "ip4",
            ip_protocol_fallback: true,
            headers: { Accept: "text/html", "User-Agent": "sas-onboarding-probe" },
            fail_if_body_not_matches_regexp: pageBodyRegexps(customer.companyName),
            ...(s.blackbox.basicAuth
                ? { basic_auth: { username: s.blackbox.basicAuth.username, password_file: s.blackbox.basicAuth.passwordFile } }
                : {}),
        },
    };
}

/**
 * The whole blackbox exporter config for an environment: one module per customer, sorted by id so the rendered file
 * (and its hash, if the exporter's pods roll on change) is the same for the same customers.
 */
export function blackboxExporterConfig(customers: readonly Pick<ProbedCustomer, "id" | "companyName">[], s: MonitoringSettings): BlackboxConfig {
    const modules: Record<string, BlackboxModule> = {};
    for (const c of [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
        const name = blackboxModuleName(c.id);
        if (modules[name]) throw new Error(`customer ${c.id} listed twice`);
        modules[name] = blackboxModule(c, s);
    }
    return { modules };
}

export const BLACKBOX_CONFIG_MAP = "sas-blackbox-modules";
export const BLACKBOX_CONFIG_KEY = "blackbox.yml";

/**
 * The exporter's config as a ConfigMap in the monitoring namespace, with the config's hash as an annotation: copy it
 * onto the exporter's pod template so a new customer's module rolls the exporter (it reads its config only at start
 * and on POST /-/reload).
 */
export function blackboxConfigMapManifest(customers: readonly Pick<ProbedCustomer, "id" | "companyName">[], s: MonitoringSettings): k8s.core.v1.ConfigMapArgs {
    const text = toYaml(blackboxExporterConfig(customers, s));
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: BLACKBOX_CONFIG_MAP,
            namespace: s.namespace,
            labels: { "app.kubernetes.io/part-of": "sas-onboarding", "app.kubernetes.io/managed-by": "pulumi" },
            annotations: { [CONTENT_HASH_ANNOTATION]: contentHash(text) },
        },
        data: { [BLACKBOX_CONFIG_KEY]: text },
    };
}

/** Probe in the customer's namespace: it lives and dies with the tenant, like its Deployment. */
export function customerProbeManifest(customer: ProbedCustomer, s: MonitoringSettings): ProbeManifest {
    // The exporter gives up at min(module timeout, scrape timeout - 0.5s): keep the scrape timeout above the module's.
    const scrapeTimeout = `${Math.min(seconds(s.blackbox.timeout) + 5, seconds(s.blackbox.interval))}s`;
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "Probe",
        metadata: {
            name: PROBE_NAME,
            namespace: tenantNamespace(customer.id),
            labels: { ...customerLabels(customer), ...s.selectorLabels },
        },
        spec: {
            jobName: PROBE_JOB,
            interval: s.blackbox.interval,
            scrapeTimeout,
            module: blackboxModuleName(customer.id),
            prober: { url: s.blackbox.proberUrl, scheme: "http", path: "/probe" },
            targets: {
                staticConfig: {
                    static: [customerUrl(customer.id, s.baseDomain, s.tls)],
                    labels: { customer: customer.id, environment: s.environment },
                },
            },
        },
    };
}

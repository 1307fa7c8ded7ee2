import { createHash } from "node:crypto";
import type { Customer } from "../customer";
import { renderNginxConfig, type NginxConfigOptions } from "./nginx-config";
import { renderPage } from "./page";
import { securityHeaders } from "./security-headers";

export interface SiteContent {
    indexHtml: string;
    nginxConf: string;
    /** SHA-256 over page and config: the pod-template annotation that rolls the pods when either changes. */
    hash: string;
}

/**
 * Everything one customer's pod serves, from the record and the stack's serving options alone (basic auth on or off):
 * nothing from another customer can change it. The hash covers the config, so switching basic auth rolls the pods.
 */
export function renderSiteContent(customer: Customer, opts: NginxConfigOptions = {}): SiteContent {
    const accentColor = customer.theme?.accentColor;
    const indexHtml = renderPage({ companyName: customer.companyName, motto: customer.motto, accentColor });
    const nginxConf = renderNginxConfig(securityHeaders(accentColor), opts);
    return { indexHtml, nginxConf, hash: contentHash(indexHtml, nginxConf) };
}

export function contentHash(...parts: string[]): string {
    const h = createHash("sha256");
    // Length-prefixed so that moving text from one part to the other can never give the same hash.
    for (const p of parts) h.update(`${Buffer.byteLength(p, "utf8")}:`).update(p, "utf8");
    return h.digest("hex");
}

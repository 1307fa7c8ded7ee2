import { createHash } from "node:crypto";
import type { Customer } from "../customer";
import { renderNginxConfig } from "./nginx-config";
import { renderPage } from "./page";
import { securityHeaders } from "./security-headers";

export interface SiteContent {
    indexHtml: string;
    nginxConf: string;
    /** SHA-256 over page and config: the pod-template annotation that rolls the pods when either changes. */
    hash: string;
}

/** Everything one customer's pod serves, from the record alone: nothing from another customer can change it. */
export function renderSiteContent(customer: Customer): SiteContent {
    const accentColor = customer.theme?.accentColor;
    const indexHtml = renderPage({ companyName: customer.companyName, motto: customer.motto, accentColor });
    const nginxConf = renderNginxConfig(securityHeaders(accentColor));
    return { indexHtml, nginxConf, hash: contentHash(indexHtml, nginxConf) };
}

export function contentHash(...parts: string[]): string {
    const h = createHash("sha256");
    // Length-prefixed so that moving text from one part to the other can never give the same hash.
    for (const p of parts) h.update(`${Buffer.byteLength(p, "utf8")}:`).update(p, "utf8");
    return h.digest("hex");
}

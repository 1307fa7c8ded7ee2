// One HTTP GET with a hard timeout. Redirects are not followed: a welcome page that redirects is a wrong page.
import * as http from "node:http";
import * as https from "node:https";
import type { HttpResult } from "./page-check";
import type { RequestTarget } from "./resolve";

export interface GetOptions {
    timeoutMs: number;
    basicAuth?: { username: string; password: string };
    insecureTls: boolean;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function httpGet(target: RequestTarget, opts: GetOptions): Promise<HttpResult> {
    const url = target.connectUrl;
    const headers: Record<string, string> = { host: target.hostHeader, "user-agent": "sas-onboarding-verify" };
    if (opts.basicAuth) {
        const token = Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`, "utf8").toString("base64");
        headers.authorization = `Basic ${token}`;
    }
    const isHttps = url.protocol === "https:";
    const request = isHttps ? https.request : http.request;
    return new Promise((resolve, reject) => {
        const req = request(
            {
                protocol: url.protocol,
                hostname: url.hostname.replace(/^\[|\]$/g, ""),
                port: url.port || (isHttps ? 443 : 80),
                path: url.pathname + url.search,
                method: "GET",
                headers,
                agent: false,
                ...(isHttps ? { servername: target.servername, rejectUnauthorized: !opts.insecureTls } : {}),
            },
            (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (c: Buffer) => {
                    size += c.length;
                    if (size > MAX_BODY_BYTES) req.destroy(new Error(`response larger than ${MAX_BODY_BYTES} bytes`));
                    else chunks.push(c);
                });
                res.on("end", () => {
                    let body = Buffer.concat(chunks).toString("utf8");
                    const location = res.headers.location;
                    if (location && res.statusCode && res.statusCode >= 300 && res.statusCode < 400) body += `\n(redirect to ${location})`;
                    resolve({ status: res.statusCode ?? 0, body });
                });
                res.on("error", reject);
            },
        );
        // One timer over connect + headers + body: a server trickling bytes must not hold a check forever.
        const timer = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
        req.on("close", () => clearTimeout(timer));
        req.on("error", reject);
        req.end();
    });
}

/** Short, stable error text for the table: "ECONNREFUSED", "timed out after 500 ms", ... */
export function describeError(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return e.code === "ENOTFOUND" ? "DNS name not found (ENOTFOUND)" : `connection failed (${e.code})`;
    if (e && typeof e.code === "string") return `${e.code}`;
    return e instanceof Error ? e.message : String(err);
}

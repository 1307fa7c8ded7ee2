// --resolve: send a customer's request to another address (a local nginx, a kind ingress on 127.0.0.1) while the
// request still carries the customer's Host header and TLS server name, exactly as it would through real DNS.

export interface ResolveRule {
    /** Exact host, or "*.<domain>" matching any one-or-more labels in front of <domain>. */
    host: string;
    target: URL;
}

export interface RequestTarget {
    /** Where the TCP connection goes. */
    connectUrl: URL;
    /** Host header and TLS server name: always the customer's own host. */
    hostHeader: string;
    servername: string;
}

export function parseResolveRule(raw: string): ResolveRule {
    const eq = raw.indexOf("=");
    const host = eq > 0 ? raw.slice(0, eq).toLowerCase() : "";
    const rest = eq > 0 ? raw.slice(eq + 1) : "";
    if (!/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(host)) {
        throw new Error(`--resolve "${raw}": expected <host>=<http(s)://address:port>, with <host> like acme.example.com or *.example.com`);
    }
    let target: URL;
    try {
        target = new URL(rest);
    } catch {
        throw new Error(`--resolve "${raw}": "${rest}" is not a URL like http://127.0.0.1:8080`);
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
        throw new Error(`--resolve "${raw}": target must be http:// or https://, got ${target.protocol}`);
    }
    if (target.pathname !== "/" || target.search || target.hash) {
        throw new Error(`--resolve "${raw}": target must be scheme://host:port only, without a path`);
    }
    return { host, target };
}

function matches(rule: ResolveRule, host: string): boolean {
    if (rule.host.startsWith("*.")) return host.endsWith(rule.host.slice(1)) && host.length > rule.host.length - 1;
    return rule.host === host;
}

/** The first matching rule wins; without one the URL is used as is. */
export function targetFor(url: URL, rules: readonly ResolveRule[]): RequestTarget {
    const rule = rules.find((r) => matches(r, url.hostname.toLowerCase()));
    const hostHeader = url.host;
    if (!rule) return { connectUrl: url, hostHeader, servername: url.hostname };
    const connectUrl = new URL(url.pathname + url.search, rule.target);
    return { connectUrl, hostHeader, servername: url.hostname };
}

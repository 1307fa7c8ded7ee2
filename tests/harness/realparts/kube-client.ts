// The smallest Kubernetes client the real-parts tests need, over node:https: discovery (kind -> resource path),
// server-side apply, create, get/list, events. Every response keeps its Warning headers, because a warning
// (PodSecurity, deprecated API) is a failure for us and client libraries tend to swallow them.
import * as https from "node:https";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
    [k: string]: unknown;
}

export interface KubeResponse<T = unknown> {
    status: number;
    body: T;
    text: string;
    /** Each Warning header's text (RFC 7234 warn-text, unquoted), in order. */
    warnings: string[];
}

interface ResourceInfo {
    resource: string;
    namespaced: boolean;
}

/** A non-2xx answer, with the API server's Status message and the object it was about. */
export class KubeApiError extends Error {
    constructor(
        readonly what: string,
        readonly status: number,
        readonly reason: string,
        readonly apiMessage: string,
    ) {
        super(`${what}: HTTP ${status} ${reason}: ${apiMessage}`);
    }
}

export function describeObject(o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
    const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
    return `${o.kind ?? "?"} ${ns}${o.metadata?.name ?? "?"}`;
}

/** Splits a Warning header; warn-text is a quoted-string that may itself hold commas and escaped quotes. */
export function parseWarnings(values: string[]): string[] {
    const out: string[] = [];
    const re = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
    for (const v of values) {
        for (const m of v.matchAll(re)) out.push(m[2].replace(/\\(.)/g, "$1"));
    }
    return out;
}

export class KubeClient {
    private readonly discovery = new Map<string, Map<string, ResourceInfo>>();
    private readonly agent: https.Agent;

    constructor(private readonly opts: { server: string; token: string; caPem: string }) {
        this.agent = new https.Agent({ ca: opts.caPem, keepAlive: false });
    }

    raw(method: string, path: string, body?: string, contentType = "application/json"): Promise<KubeResponse> {
        const url = new URL(path, this.opts.server);
        return new Promise((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        Authorization: `Bearer ${this.opts.token}`,
                        Accept: "application/json",
                        ...(body !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) } : {}),
                    },
                    timeout: 30_000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            // /readyz and friends answer plain text
                        }
                        const warningValues: string[] = [];
                        for (let i = 0; i < res.rawHeaders.length; i += 2) {
                            if (res.rawHeaders[i].toLowerCase() === "warning") warningValues.push(res.rawHeaders[i + 1]);
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed, text, warnings: parseWarnings(warningValues) });
                    });
                    res.on("error", reject);
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
            req.on("error", reject);
            if (body !== undefined) req.write(body);
            req.end();
        });
    }

    /** Resource name and scope for apiVersion+kind, from the server's own discovery documents. */
    async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
        let kinds = this.discovery.get(apiVersion);
        if (!kinds) {
            const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
            const res = await this.raw("GET", path);
            if (res.status !== 200) {
                throw new Error(`discovery ${path}: HTTP ${res.status}; the API server does not serve apiVersion ${apiVersion}`);
            }
            kinds = new Map();
            for (const r of (res.body as { resources: Array<{ name: string; kind: string; namespaced: boolean }> }).resources) {
                if (!r.name.includes("/")) kinds.set(r.kind, { resource: r.name, namespaced: r.namespaced });
            }
            this.discovery.set(apiVersion, kinds);
        }
        const info = kinds.get(kind);
        if (!info) throw new Error(`discovery: apiVersion ${apiVersion} has no kind ${kind} on this API server`);
        return info;
    }

    /** Collection path (name omitted) or item path for an object or a (apiVersion, kind, namespace) triple. */
    async pathFor(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
        const { resource, namespaced } = await this.resourceFor(apiVersion, kind);
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        if (namespaced && !namespace) throw new Error(`${kind} ${name ?? ""} is namespaced but has no metadata.namespace`);
        const nsPart = namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : "";
        return `${base}${nsPart}/${resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
    }

    /** Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML). Throws KubeApiError unless 2xx. dryRun runs
     *  validation and admission (so warnings too) without storing anything. */
    async apply(obj: KubeObject, fieldManager: string, opts: { dryRun?: boolean } = {}): Promise<KubeResponse<KubeObject>> {
        const p = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
        const res = await this.raw(
            "PATCH",
            `${p}?fieldManager=${encodeURIComponent(fieldManager)}&fieldValidation=Strict${opts.dryRun ? "&dryRun=All" : ""}`,
            JSON.stringify(obj),
            "application/apply-patch+yaml",
        );
        return this.ok(res, `server-side apply of ${describeObject(obj)}`) as KubeResponse<KubeObject>;
    }

    /** POST; returns the response whatever its status, for tests that expect a rejection. */
    async create(obj: KubeObject): Promise<KubeResponse> {
        const p = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
        return this.raw("POST", `${p}?fieldValidation=Strict`, JSON.stringify(obj));
    }

    async get<T = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T> {
        const res = await this.raw("GET", await this.pathFor(apiVersion, kind, namespace, name));
        return this.ok(res, `get ${kind} ${namespace ? namespace + "/" : ""}${name}`).body as T;
    }

    async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
        const { resource, namespaced } = await this.resourceFor(apiVersion, kind);
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        let p = namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}` : `${base}/${resource}`;
        if (labelSelector) p += `?labelSelector=${encodeURIComponent(labelSelector)}`;
        const res = await this.raw("GET", p);
        return (this.ok(res, `list ${kind}${namespace ? ` in ${namespace}` : ""}`).body as { items: T[] }).items;
    }

    /** Core events in a namespace (all namespaces when omitted). */
    events(namespace?: string): Promise<Array<KubeObject & { reason?: string; message?: string; type?: string; involvedObject?: { kind?: string; name?: string } }>> {
        return this.list("v1", "Event", namespace);
    }

    private ok(res: KubeResponse, what: string): KubeResponse {
        if (res.status >= 200 && res.status < 300) return res;
        const b = res.body as { reason?: string; message?: string } | string;
        const reason = typeof b === "object" ? (b.reason ?? "") : "";
        const message = typeof b === "object" ? (b.message ?? res.text) : res.text;
        throw new KubeApiError(what, res.status, reason, message);
    }
}

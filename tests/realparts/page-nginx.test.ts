// Every rendered welcome page served by real Debian nginx, as a non-root user, with exactly the rendered nginx.conf
// (only its /etc/sas/, /tmp/ paths and port moved, see tests/harness/realparts/nginx.ts): /healthz answers and every
// security header the config declares is on every response.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { requireRealPart } from "../harness/real-part";
import { NGINX_BIN, startNginx } from "../harness/realparts/nginx";
import { STACKS, renderStack, welcomeSites } from "../support/rendered";

/** Headers no welcome page may go without, whatever else the config adds. */
const REQUIRED_HEADERS = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"];

/** The `add_header Name "value" always;` lines of a rendered config, as [lower-case name, value]. */
export function declaredHeaders(nginxConf: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const m of nginxConf.matchAll(/^\s*add_header\s+([A-Za-z-]+)\s+"([^"]*)"\s+always;\s*$/gm)) {
        out.push([m[1].toLowerCase(), m[2]]);
    }
    return out;
}

async function fetchText(url: string): Promise<{ status: number; headers: Headers; body: string }> {
    const res = await fetch(url, { redirect: "manual" });
    return { status: res.status, headers: res.headers, body: await res.text() };
}

describe("real parts: rendered pages in real nginx", function () {
    this.timeout(300_000);

    before(function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
    });

    for (const stack of STACKS) {
        it(`${stack}: every customer's page and /healthz are served with every security header`, async function () {
            const sites = welcomeSites(await renderStack(stack));
            assert.ok(sites.length > 0, `out/${stack}/objects.json has no welcome-site ConfigMap`);
            for (const site of sites) {
                const where = `out/${stack}/objects.json ConfigMap ${site.namespace}/welcome-site`;
                const headers = declaredHeaders(site.nginxConf);
                for (const h of REQUIRED_HEADERS) {
                    assert.ok(headers.some(([n]) => n === h), `${where}: nginx.conf declares no ${h} header (add_header ... always;)`);
                }
                const csp = headers.find(([n]) => n === "content-security-policy")![1];
                assert.match(csp, /default-src 'none'/, `${where}: the CSP must start from default-src 'none'`);

                const nginx = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml } });
                try {
                    const health = await fetchText(`${nginx.baseUrl}/healthz`);
                    assert.equal(health.status, 200, `${where}: /healthz answered ${health.status}\n${nginx.logs()}`);
                    assert.equal(health.body.trim(), "ok");

                    const page = await fetchText(`${nginx.baseUrl}/`);
                    assert.equal(page.status, 200, `${where}: / answered ${page.status}\n${nginx.logs()}`);
                    assert.equal(page.body, site.indexHtml, `${where}: nginx must serve the rendered index.html byte for byte`);
                    assert.match(page.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/i);

                    const missing = await fetchText(`${nginx.baseUrl}/.env`);
                    assert.equal(missing.status, 404, `${where}: anything but the page must be 404`);

                    for (const [path, res] of [["/", page], ["/healthz", health], ["/.env (404)", missing]] as const) {
                        for (const [name, value] of headers) {
                            assert.equal(res.headers.get(name), value, `${where}: response to ${path} lacks header ${name}: ${value}`);
                        }
                        assert.equal(res.headers.get("server"), "nginx", `${where}: server_tokens must be off (no version in Server)`);
                    }
                } finally {
                    await nginx.stop();
                }
            }
        });
    }
});

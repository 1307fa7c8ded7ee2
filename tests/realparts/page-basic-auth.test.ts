// Basic auth inside the tenant's own nginx (tenancy.basicAuth), run by real Debian nginx with exactly the config a
// non-prod pod gets (renderSiteContent with basicAuth, and the one rendered into out/dev/objects.json), the htpasswd
// file laid out where the Deployment mounts the Secret (SITE_LAYOUT.htpasswdPath, mapped by the harness): the page
// asks for credentials, only the right ones open it, and the probes' paths stay open for the kubelet.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { requireRealPart } from "../harness/real-part";
import { NGINX_BIN, startNginx, type RunningNginx } from "../harness/realparts/nginx";
import { renderStack, welcomeSites } from "../support/rendered";
import { renderSiteContent } from "../../components/model/site/content";
import { BASIC_AUTH_USER, htpasswdLine } from "../../components/model/htpasswd";
import { AUTH_FILE, BASIC_AUTH_REALM, SITE_LAYOUT } from "../../components/model/site/layout";
import { securityHeaders } from "../../components/model/site/security-headers";

const PASSWORD = "first-password-0123456789";
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function get(nginx: RunningNginx, urlPath: string, authorization?: string) {
    const res = await fetch(`${nginx.baseUrl}${urlPath}`, { redirect: "manual", headers: authorization ? { authorization } : {} });
    return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Replaces the htpasswd file the way the kubelet updates a Secret volume: a new file renamed over the old one. */
function rotate(nginx: RunningNginx, password: string): void {
    const dir = path.join(nginx.dir, "etc-sas-auth");
    const next = path.join(dir, `.${AUTH_FILE.key}.new`);
    fs.writeFileSync(next, `${htpasswdLine(BASIC_AUTH_USER, password)}\n`, { mode: 0o444 });
    fs.renameSync(next, path.join(dir, AUTH_FILE.key));
}

describe("real parts: basic auth in the page's own nginx", function () {
    this.timeout(300_000);
    const customer = { id: "acme", companyName: "Acme & Co", motto: "Up <up>", tier: "starter" as const, purchaseId: "PO-1" };
    const site = renderSiteContent(customer, { basicAuth: true });
    let nginx: RunningNginx;

    before(async function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
        nginx = await startNginx({
            nginxConf: site.nginxConf,
            files: { "index.html": site.indexHtml },
            authFiles: { [AUTH_FILE.key]: `${htpasswdLine(BASIC_AUTH_USER, PASSWORD)}\n` },
        });
    });

    after(async () => {
        await nginx?.stop();
    });

    it("renders auth_basic with the realm and the mounted user file only when basic auth is on", () => {
        assert.match(site.nginxConf, new RegExp(`^\\s*auth_basic "${BASIC_AUTH_REALM}";$`, "m"));
        assert.ok(site.nginxConf.includes(`auth_basic_user_file ${SITE_LAYOUT.htpasswdPath};`));
        const open = renderSiteContent(customer);
        assert.doesNotMatch(open.nginxConf, /auth_basic/);
        assert.notEqual(open.hash, site.hash, "switching basic auth changes the content hash, so the pods roll");
    });

    it("without credentials: 401 with WWW-Authenticate Basic realm=\"SAS preview\", and every security header", async () => {
        for (const p of ["/", "/index.html"]) {
            const res = await get(nginx, p);
            assert.equal(res.status, 401, `${p}\n${nginx.logs()}`);
            assert.equal(res.headers.get("www-authenticate"), `Basic realm="${BASIC_AUTH_REALM}"`);
            assert.doesNotMatch(res.body, /Acme/, "the 401 body must not carry the page");
            for (const [name, value] of securityHeaders()) assert.equal(res.headers.get(name), value, `${p}: ${name}`);
        }
    });

    it("wrong password or wrong user: 401", async () => {
        assert.equal((await get(nginx, "/", basic(BASIC_AUTH_USER, "not-the-password"))).status, 401);
        assert.equal((await get(nginx, "/", basic("someone-else", PASSWORD))).status, 401);
        assert.equal((await get(nginx, "/", "Bearer abc")).status, 401);
    });

    it("the right credentials: 200 with the page byte for byte", async () => {
        for (const p of ["/", "/index.html"]) {
            const res = await get(nginx, p, basic(BASIC_AUTH_USER, PASSWORD));
            assert.equal(res.status, 200, `${p}\n${nginx.logs()}`);
            assert.equal(res.body, site.indexHtml);
            assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/i);
        }
        assert.equal((await get(nginx, "/.env", basic(BASIC_AUTH_USER, PASSWORD))).status, 404, "still one page only");
    });

    it("the probes' paths answer without credentials: /healthz (nginx) and /readyz (the page file itself)", async () => {
        const health = await get(nginx, SITE_LAYOUT.healthPath);
        assert.equal(health.status, 200);
        assert.equal(health.body.trim(), "ok");
        const ready = await get(nginx, SITE_LAYOUT.readyPath);
        assert.equal(ready.status, 200);
        assert.equal(ready.body, site.indexHtml);
    });

    it("readiness fails (503) when the page file cannot be served, while liveness stays up", async () => {
        const page = path.join(nginx.dir, "etc-sas", "site", "index.html");
        const hidden = `${page}.away`;
        fs.renameSync(page, hidden);
        try {
            assert.equal((await get(nginx, SITE_LAYOUT.readyPath)).status, 503);
            assert.equal((await get(nginx, SITE_LAYOUT.healthPath)).status, 200);
        } finally {
            fs.renameSync(hidden, page);
        }
        assert.equal((await get(nginx, SITE_LAYOUT.readyPath)).status, 200);
    });

    it("a rotated password applies without a reload: nginx reads the user file on every request", async () => {
        rotate(nginx, "second-password-9876543210");
        try {
            assert.equal((await get(nginx, "/", basic(BASIC_AUTH_USER, PASSWORD))).status, 401, "the old password is refused at once");
            assert.equal((await get(nginx, "/", basic(BASIC_AUTH_USER, "second-password-9876543210"))).status, 200);
        } finally {
            rotate(nginx, PASSWORD);
        }
    });

    it("harness: without authFiles the same config is served with auth off (for tests of the page itself)", async () => {
        const open = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml } });
        try {
            assert.equal((await get(open, "/")).body, site.indexHtml);
            assert.ok(!fs.existsSync(path.join(open.dir, "etc-sas-auth")));
        } finally {
            await open.stop();
        }
    });

    it("the dev stack's rendered config (tenancy.basicAuth) behaves the same", async function () {
        const rendered = welcomeSites(await renderStack("dev"))[0];
        assert.ok(rendered, "out/dev/objects.json has no welcome-site ConfigMap");
        const dev = await startNginx({
            nginxConf: rendered.nginxConf,
            files: { "index.html": rendered.indexHtml },
            authFiles: { [AUTH_FILE.key]: `${htpasswdLine(BASIC_AUTH_USER, PASSWORD)}\n` },
        });
        try {
            assert.equal((await get(dev, "/")).status, 401);
            assert.equal((await get(dev, "/", basic(BASIC_AUTH_USER, PASSWORD))).body, rendered.indexHtml);
            assert.equal((await get(dev, SITE_LAYOUT.readyPath)).status, 200);
        } finally {
            await dev.stop();
        }
    });
});

import { strict as assert } from "node:assert";
import { renderNginxConfig } from "../../../../components/model/site/nginx-config";
import { securityHeaders } from "../../../../components/model/site/security-headers";
import { SITE_LAYOUT } from "../../../../components/model/site/layout";

describe("site: nginx config", () => {
    const conf = renderNginxConfig(securityHeaders());
    const lines = conf.split("\n").map((l) => l.trim());

    it("listens on the unprivileged port, serves the doc root and answers /healthz", () => {
        assert.ok(lines.includes(`listen ${SITE_LAYOUT.port};`));
        assert.ok(lines.includes(`root ${SITE_LAYOUT.docRoot};`));
        assert.ok(lines.includes(`location = ${SITE_LAYOUT.healthPath} {`));
        assert.ok(lines.includes('return 200 "ok\\n";'));
    });

    it("runs in the foreground with every writable path under /tmp and no server tokens", () => {
        assert.ok(lines.includes("daemon off;"));
        assert.ok(lines.includes("pid /tmp/nginx.pid;"));
        assert.ok(lines.includes("server_tokens off;"));
        for (const t of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) assert.ok(lines.includes(`${t}_temp_path /tmp/${t === "client_body" ? "client" : t}_temp;`), t);
        const paths = conf.match(/\s(\/[a-z][^\s;]*)/g)?.map((p) => p.trim()) ?? [];
        for (const p of paths) {
            assert.ok(p.startsWith("/tmp/") || p.startsWith("/etc/sas") || p.startsWith("/dev/std") || p === "/" || p.startsWith("/index") || p.startsWith("/healthz") || p.startsWith("/readyz"), `unexpected path ${p}`);
        }
    });

    it("sends every security header, with `always`, at server level", () => {
        for (const [name, value] of securityHeaders()) assert.ok(lines.includes(`add_header ${name} "${value}" always;`), name);
        assert.equal(securityHeaders().length, 7);
        const names = securityHeaders().map(([n]) => n);
        for (const required of ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]) assert.ok(names.includes(required));
    });

    it("readiness serves the page file itself (503 when it cannot), never behind basic auth", () => {
        const ready = conf.slice(conf.indexOf(`location = ${SITE_LAYOUT.readyPath} {`));
        assert.match(ready, /^location = \/readyz \{\n\s+try_files \/index\.html =503;\n\s+\}/);
        assert.doesNotMatch(conf, /auth_basic/, "no basic auth unless asked for");
    });

    it("basic auth (tenancy.basicAuth): realm and the mounted user file at server level, probes' locations open", () => {
        const auth = renderNginxConfig(securityHeaders(), { basicAuth: true });
        const server = auth.slice(auth.indexOf("    server {"), auth.indexOf("        location"));
        assert.match(server, /^\s+auth_basic "SAS preview";$/m);
        assert.match(server, new RegExp(`^\\s+auth_basic_user_file ${SITE_LAYOUT.htpasswdPath};$`, "m"));
        for (const probe of [SITE_LAYOUT.healthPath, SITE_LAYOUT.readyPath]) {
            const block = auth.slice(auth.indexOf(`location = ${probe} {`));
            assert.match(block, /^location = \/[a-z]+ \{\n\s+auth_basic off;/, probe);
        }
        // Exactly the two probes open; `/` and `/index.html` inherit the server's auth.
        assert.equal(auth.match(/auth_basic off;/g)?.length, 2);
        assert.ok(!SITE_LAYOUT.htpasswdPath.startsWith(`${SITE_LAYOUT.docRoot}/`), "the user file is never under the doc root");
    });

    it("includes no file from outside its own config", () => {
        assert.doesNotMatch(conf, /^\s*include\b/m);
    });

    it("refuses header values that would break out of the quoted string", () => {
        assert.throws(() => renderNginxConfig([["X-Test", 'a"; return 500; #']]), /unsafe header/);
    });
});

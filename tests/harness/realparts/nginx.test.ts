// Proves tests/harness/realparts/nginx.ts runs a pod-shaped nginx.conf for real: pages served from the rewritten doc root,
// /healthz answering, logs captured, and stop() freeing the port and removing the temp dir.
import { requireRealPart } from "../real-part";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import { NGINX_BIN, rewriteNginxConf, startNginx } from "./nginx";
import { podShapedNginxConf } from "./nginx-conf";
import { renderSiteContent } from "../../../components/model/site/content";

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

describe("tests/harness/realparts/nginx.ts: rewriteNginxConf (pure)", function () {
  it("rewrites /etc/sas/, /tmp/ and listen 8080 exactly", function () {
    const out = rewriteNginxConf("pid /tmp/nginx.pid;\nlisten 8080;\nroot /etc/sas/site;\n", "/x", 4321);
    assert.equal(out, "pid /x/run/nginx.pid;\nlisten 127.0.0.1:4321;\nroot /x/etc-sas/site;\n");
    assert.throws(() => rewriteNginxConf("listen 80;", "/x", 1), /listen 8080/);
  });
});

describe("tests/harness/realparts/nginx.ts: startNginx (real nginx)", function () {
  before(function () {
    requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
  });

  it("serves the files as an unprivileged user and cleans up on stop()", async function () {
    const page = "<!doctype html><title>t</title><p>Welcome to SAS &amp; friends</p>";
    const nginx = await startNginx({ nginxConf: podShapedNginxConf(), files: { "index.html": page } });
    let stopped = false;
    try {
      assert.match(nginx.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await get(`${nginx.baseUrl}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.body.trim(), "ok");
      const index = await get(`${nginx.baseUrl}/`);
      assert.equal(index.status, 200);
      assert.equal(index.body, page);
      const missing = await get(`${nginx.baseUrl}/nope.html`);
      assert.equal(missing.status, 404);
      assert.match(nginx.logs(), /GET \/nope\.html/, "access_log to /dev/stdout should land in logs()");
      if (process.getuid?.() === 0) {
        // nginx rewrites its master's argv to include the -c path, which lives in our sas-nginx-* temp dir.
        const masters = fs
          .readdirSync("/proc")
          .filter((p) => /^\d+$/.test(p))
          .flatMap((p) => {
            try {
              const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
              return cmd.includes("sas-nginx-") ? [fs.readFileSync(`/proc/${p}/status`, "utf8")] : [];
            } catch {
              return [];
            }
          });
        assert.ok(masters.length > 0, "expected to find the nginx master in /proc");
        for (const status of masters) assert.doesNotMatch(status, /^Uid:\s+0\s/m, "nginx must not run as root");
      }
      await nginx.stop();
      stopped = true;
      await assert.rejects(get(`${nginx.baseUrl}/healthz`), /ECONNREFUSED/);
    } finally {
      if (!stopped) await nginx.stop();
    }
  });

  it("runs the pod's real rendered config (renderSiteContent) and serves its page", async function () {
    const site = renderSiteContent({ id: "acme-co", companyName: "Acme & Co", motto: "Up <up>", tier: "starter", purchaseId: "PO-1" });
    const nginx = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml } });
    try {
      const index = await get(`${nginx.baseUrl}/`);
      assert.equal(index.status, 200);
      assert.equal(index.body, site.indexHtml);
      assert.equal((await get(`${nginx.baseUrl}/healthz`)).status, 200);
    } finally {
      await nginx.stop();
    }
  });

  it("fails with nginx's own message when the config is broken", async function () {
    const bad = podShapedNginxConf().replace("daemon off;", "daemon off;\nthis_is_not_a_directive on;");
    await assert.rejects(
      startNginx({ nginxConf: bad, files: {} }),
      /nginx stopped before serving \/healthz[\s\S]*unknown directive "this_is_not_a_directive"/,
    );
  });
});

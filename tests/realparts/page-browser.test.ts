// Every rendered welcome page as a person sees it: Debian Chromium (playwright-core) loads it from real nginx
// running the rendered config. The text is right, nothing errs, the CSP blocks nothing (the page's own style is
// allowed by hash), nothing else is requested; a screenshot per customer lands in out/<stack>/screenshots/.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadCustomers } from "../../components/records/load";
import type { Customer } from "../../components/model/customer";
import { type Browser, chromiumMissing, launchBrowser } from "../harness/realparts/browser";
import { requireRealPart } from "../harness/real-part";
import { NGINX_BIN, startNginx } from "../harness/realparts/nginx";
import { REPO_ROOT, STACKS, renderStack, welcomeSites } from "../support/rendered";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("real parts: rendered pages in real Chromium", function () {
    this.timeout(300_000);
    let browser: Browser | undefined;
    let customers: Map<string, Customer>;

    before(async function () {
        requireRealPart(this, fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; install Debian's nginx: apt-get install -y nginx`);
        requireRealPart(this, chromiumMissing());
        customers = new Map(loadCustomers(path.join(REPO_ROOT, "customers")).map((c) => [c.id, c]));
        browser = await launchBrowser();
    });

    after(async function () {
        await browser?.close();
    });

    for (const stack of STACKS) {
        it(`${stack}: each page shows "Welcome to SAS", the company name and motto, with no errors, CSP violations or requests`, async function () {
            const rendered = await renderStack(stack);
            const sites = welcomeSites(rendered);
            assert.ok(sites.length > 0, `out/${stack}/objects.json has no welcome-site ConfigMap`);
            for (const site of sites) {
                const where = `out/${stack}/objects.json ConfigMap ${site.namespace}/welcome-site`;
                const customer = customers.get(site.customerId);
                assert.ok(customer, `${where}: no customers/${site.customerId}.yaml for this tenant`);
                const screenshotPath = path.join(rendered.outDir, "screenshots", `${site.customerId}.png`);
                fs.rmSync(screenshotPath, { force: true });

                const nginx = await startNginx({ nginxConf: site.nginxConf, files: { "index.html": site.indexHtml } });
                try {
                    const url = `${nginx.baseUrl}/`;
                    const visit = await browser!.visit(url, { selectors: [".company", ".motto", "h1"], screenshotPath });
                    assert.equal(visit.status, 200, `${where}: page answered ${visit.status}`);
                    assert.ok(visit.visibleText.includes("Welcome to SAS"), `${where}: visible text lacks "Welcome to SAS":\n${visit.visibleText}`);
                    assert.ok(visit.visibleText.includes(customer.companyName), `${where}: visible text lacks the company name "${customer.companyName}"`);
                    assert.ok(visit.visibleText.includes(customer.motto), `${where}: visible text lacks the motto "${customer.motto}"`);
                    assert.equal(visit.texts[".company"], customer.companyName, `${where}: .company text`);
                    assert.equal(visit.texts[".motto"], customer.motto, `${where}: .motto text`);
                    assert.deepEqual(visit.consoleErrors, [], `${where}: console errors`);
                    assert.deepEqual(visit.cspViolations, [], `${where}: CSP violations (is the style hash in the CSP current?)`);
                    assert.deepEqual(visit.dialogs, [], `${where}: dialogs opened`);
                    assert.deepEqual(visit.requests, [url], `${where}: the page must request nothing but itself`);
                    assert.deepEqual(visit.scriptableNodes, [], `${where}: scriptable elements or attributes in the page`);
                } finally {
                    await nginx.stop();
                }
                const png = fs.readFileSync(screenshotPath);
                assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE) && png.length > 1000, `${screenshotPath}: not a PNG screenshot`);
            }
        });
    }
});

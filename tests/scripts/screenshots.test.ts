import { requireRealPart } from "../harness/real-part";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { render } from "../../scripts/render";
import { screenshotStack } from "../../scripts/screenshots";
import { chromiumMissing } from "../harness/realparts/browser";
import { NGINX_BIN } from "../harness/realparts/nginx";
import { loadCustomers } from "../../components/records/load";
import { PROJECT_ROOT } from "../support/program";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("npm run screenshots (real nginx + Chromium)", function () {
    this.timeout(120_000);
    let outRoot: string;

    before(function () {
        const missing = chromiumMissing() ?? (fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing`);
        requireRealPart(this, missing && `${missing} (apt-get install -y chromium nginx-light)`);
        outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "sas-shots-"));
    });
    after(() => outRoot && fs.rmSync(outRoot, { recursive: true, force: true }));

    it("photographs every customer's page of a rendered stack, served with its own config, with no problems", async () => {
        await render({ stack: "prod", outDir: path.join(outRoot, "prod") });
        const shots = await screenshotStack("prod", outRoot);
        const ids = loadCustomers(path.join(PROJECT_ROOT, "customers")).map((c) => c.id);
        assert.deepEqual(shots.map((s) => s.customer).sort(), ids);
        for (const s of shots) {
            assert.deepEqual(s.problems, [], s.customer);
            const png = fs.readFileSync(s.file);
            assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), `${s.file} is not a PNG`);
            assert.ok(png.length > 5_000, `${s.file} is suspiciously small (${png.length} bytes)`);
        }
    });

    it("names the missing render instead of photographing nothing", async () => {
        await assert.rejects(screenshotStack("dev", path.join(outRoot, "nothing-here")), /objects\.json not found: run `npm run render -- --stack dev` first/);
    });
});

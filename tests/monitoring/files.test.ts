// The committed monitoring files are exactly what their builders render (monitoring/render.ts --check does the same).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderedFiles } from "../../monitoring/render";
import { ROOT } from "./tools";

describe("committed monitoring files", function () {
    for (const [rel, content] of Object.entries(renderedFiles())) {
        it(`monitoring/${rel} is up to date (node -r ts-node/register/transpile-only monitoring/render.ts)`, function () {
            const file = path.join(ROOT, "monitoring", rel);
            assert.ok(fs.existsSync(file), `monitoring/${rel} is missing`);
            assert.equal(fs.readFileSync(file, "utf8"), content);
        });
    }
});

// `npm run test:<suite>` runs one suite alone; together the suites are exactly `npm test`'s files, each in one suite.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/model/project";

const scripts = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** The quoted spec globs of a `mocha '<glob>' ...` script. */
function specs(command: string): string[] {
    assert.match(command, /^mocha /, `a suite script runs mocha: ${command}`);
    return [...command.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}
const files = (globs: string[]) => globs.flatMap((g) => fs.globSync(g, { cwd: PROJECT_ROOT })).map((f) => f.split(path.sep).join("/"));

describe("architecture: test suites", () => {
    const suites = Object.entries(scripts).filter(([name]) => /^test:/.test(name) && name !== "test:all");
    const all = files(specs(scripts["test:all"])).sort();

    it("has at least the unit, policy, real-parts and workflows suites, and npm test runs them all", () => {
        for (const s of ["test:unit", "test:policy", "test:realparts", "test:workflows"]) assert.ok(scripts[s], `${s} is missing`);
        assert.match(scripts.test, /npm run test:all/);
        assert.ok(all.length > 30, `test:all finds only ${all.length} files`);
    });

    it("mocha's config adds no spec of its own (a positional path would otherwise run everything)", () => {
        const rc = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".mocharc.json"), "utf8")) as Record<string, unknown>;
        assert.equal(rc.spec, undefined);
        assert.equal(rc.forbidOnly, true);
    });

    it("every test file is in exactly one suite", () => {
        const owner = new Map<string, string[]>();
        for (const [name, command] of suites) for (const f of files(specs(command))) owner.set(f, [...(owner.get(f) ?? []), name]);
        assert.deepEqual(all.filter((f) => !owner.has(f)), [], "test files in no suite");
        assert.deepEqual([...owner].filter(([, s]) => s.length > 1).map(([f, s]) => `${f}: ${s.join(", ")}`), [], "test files in two suites");
    });
});

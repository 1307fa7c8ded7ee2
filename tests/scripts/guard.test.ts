import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { customerDeletions } from "../../scripts/guard/deletions";
import { findJsonError } from "../../scripts/guard/json-error";
import { GuardUsageError, parseGuardArgs } from "../../scripts/guard/options";
import { PreviewInputError, lineColumn, parsePreview } from "../../scripts/guard/preview";
import { runGuard } from "../../scripts/guard/run";
import { parseUrn } from "../../scripts/guard/urn";
import { judge } from "../../scripts/guard/verdict";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = "tests/fixtures/preview";
const fixture = (name: string) => path.join(FIXTURES, name);
const COMPONENT = "urn:pulumi:prod::sas-onboarding::sas:index:CustomerSite::customer-";

function load(name: string) {
  return parsePreview(fs.readFileSync(path.join(ROOT, fixture(name)), "utf8"), fixture(name));
}

function deletedIds(name: string): string[] {
  return customerDeletions(load(name)).map((d) => d.customerId);
}

/** runGuard with the repository root as working directory, so fixture paths print as they are given. */
function guard(args: string[], env: Record<string, string | undefined> = {}) {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return runGuard(args, env);
  } finally {
    process.chdir(cwd);
  }
}

const DEFAULT_LIMIT = "limit 2 (default; set --max-deletes or SAS_MAX_CUSTOMER_DELETES)";

describe("scripts/guard: mass-deletion guard", () => {
  describe("URNs", () => {
    it("parses a top-level component, a nested child and a name containing '::'", () => {
      assert.deepEqual(parseUrn(`${COMPONENT}acme-rockets`), {
        stack: "prod",
        project: "sas-onboarding",
        typeChain: ["sas:index:CustomerSite"],
        type: "sas:index:CustomerSite",
        name: "customer-acme-rockets",
      });
      const child = parseUrn(
        "urn:pulumi:dev::sas-onboarding::sas:index:Platform$sas:index:CustomerSite$kubernetes:core/v1:Namespace::a::b",
      );
      assert.deepEqual(child?.typeChain, ["sas:index:Platform", "sas:index:CustomerSite", "kubernetes:core/v1:Namespace"]);
      assert.equal(child?.type, "kubernetes:core/v1:Namespace");
      assert.equal(child?.name, "a::b");
      assert.equal(parseUrn("customer-acme"), undefined);
      assert.equal(parseUrn("urn:pulumi:prod::sas-onboarding::sas:index:CustomerSite"), undefined);
    });
  });

  describe("which customers a preview deletes", () => {
    it("none when customers are only updated or created", () => {
      assert.deepEqual(deletedIds("no-deletes.json"), []);
    });

    it("counts the CustomerSite component, not its children, once per customer, sorted by id", () => {
      const one = customerDeletions(load("delete-one.json"));
      assert.deepEqual(one, [
        { customerId: "muller-kaffee", stack: "prod", urn: `${COMPONENT}muller-kaffee`, op: "delete" },
      ]);
      assert.deepEqual(deletedIds("delete-two.json"), ["acme-rockets", "muller-kaffee"]);
      assert.deepEqual(deletedIds("delete-three.json"), ["acme-rockets", "muller-kaffee", "nile-analytics"]);
    });

    it("ignores replacements that bring the component back, child deletes and discards", () => {
      assert.deepEqual(deletedIds("replacements.json"), []);
    });

    it("counts a replace whose new state is gone", () => {
      const gone = customerDeletions(load("replace-gone.json"));
      assert.deepEqual(
        gone.map((d) => [d.customerId, d.op]),
        [["acme-rockets", "replace"], ["nile-analytics", "replace"], ["sakura-logistics", "replace"]],
      );
    });

    it("counts a delete-replaced with no replacement, and names a component without the customer- prefix as is", () => {
      const digest = {
        steps: [
          { op: "delete-replaced", urn: `${COMPONENT}acme-rockets` },
          { op: "delete", urn: "urn:pulumi:prod::sas-onboarding::sas:index:CustomerSite::legacy-site" },
          { op: "delete", urn: "urn:pulumi:prod::sas-onboarding::sas:index:Platform::customer-not-a-site" },
        ],
      };
      assert.deepEqual(
        customerDeletions(digest).map((d) => d.customerId),
        ["acme-rockets", "legacy-site"],
      );
    });
  });

  describe("verdict", () => {
    it("passes below the limit, listing the customer", () => {
      const run = guard([fixture("delete-one.json")]);
      assert.equal(run.exitCode, 0);
      assert.deepEqual(run.out, [
        `guard: ok, 1 customer would be deleted, within the ${DEFAULT_LIMIT}:`,
        `  - muller-kaffee (stack prod, delete ${COMPONENT}muller-kaffee)`,
      ]);
      assert.deepEqual(run.err, []);
    });

    it("passes exactly at the limit", () => {
      const run = guard([fixture("delete-two.json")]);
      assert.equal(run.exitCode, 0);
      assert.equal(run.out[0], `guard: ok, 2 customers would be deleted, within the ${DEFAULT_LIMIT}:`);
    });

    it("passes a preview without deletions", () => {
      assert.deepEqual(guard([fixture("no-deletes.json")]), {
        exitCode: 0,
        out: [`guard: ok, no customer would be deleted; ${DEFAULT_LIMIT}`],
        err: [],
      });
    });

    it("fails above the limit, naming each customer", () => {
      const run = guard([fixture("delete-three.json")]);
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.out, []);
      assert.deepEqual(run.err, [
        `guard: refusing: 3 customers would be deleted, more than the ${DEFAULT_LIMIT}:`,
        `  - acme-rockets (stack prod, delete ${COMPONENT}acme-rockets)`,
        `  - muller-kaffee (stack prod, delete ${COMPONENT}muller-kaffee)`,
        `  - nile-analytics (stack prod, delete ${COMPONENT}nile-analytics)`,
        "If this is intended, re-run with --allow-mass-delete or SAS_ALLOW_MASS_DELETE=yes; otherwise restore the missing customers/<id>.yaml records.",
      ]);
    });

    it("fails on replacements that leave three customers without a new state", () => {
      const run = guard([fixture("replace-gone.json")]);
      assert.equal(run.exitCode, 1);
      assert.equal(run.err[1], `  - acme-rockets (stack prod, replace ${COMPONENT}acme-rockets)`);
    });

    for (const [label, args, env, source] of [
      ["--allow-mass-delete", ["--allow-mass-delete"], {}, "--allow-mass-delete"],
      ["SAS_ALLOW_MASS_DELETE=yes", [], { SAS_ALLOW_MASS_DELETE: "yes" }, "SAS_ALLOW_MASS_DELETE"],
    ] as const) {
      it(`lets a mass delete through with ${label}, with a loud warning naming each customer`, () => {
        const run = guard([fixture("delete-three.json"), ...args], env);
        assert.equal(run.exitCode, 0);
        assert.deepEqual(run.out, []);
        assert.equal(run.err[0], "!".repeat(100));
        assert.equal(
          run.err[1],
          `!!! MASS DELETE ALLOWED by ${source}: 3 customers WILL BE DELETED, above the ${DEFAULT_LIMIT}:`,
        );
        assert.deepEqual(run.err.slice(2, 5), [
          `!!!   - acme-rockets (stack prod, delete ${COMPONENT}acme-rockets)`,
          `!!!   - muller-kaffee (stack prod, delete ${COMPONENT}muller-kaffee)`,
          `!!!   - nile-analytics (stack prod, delete ${COMPONENT}nile-analytics)`,
        ]);
      });
    }

    it("honours a custom limit from --max-deletes, from the environment, and prefers the flag", () => {
      assert.equal(guard([fixture("delete-three.json"), "--max-deletes", "3"]).exitCode, 0);
      assert.equal(guard([fixture("delete-three.json"), "--max-deletes=3"]).exitCode, 0);
      const zero = guard([fixture("delete-one.json"), "--max-deletes", "0"]);
      assert.equal(zero.exitCode, 1);
      assert.equal(zero.err[0], "guard: refusing: 1 customer would be deleted, more than the limit 0 (from --max-deletes):");
      const fromEnv = guard([fixture("delete-two.json")], { SAS_MAX_CUSTOMER_DELETES: "1" });
      assert.equal(fromEnv.exitCode, 1);
      assert.equal(fromEnv.err[0], "guard: refusing: 2 customers would be deleted, more than the limit 1 (from SAS_MAX_CUSTOMER_DELETES):");
      assert.equal(guard([fixture("delete-two.json"), "--max-deletes", "2"], { SAS_MAX_CUSTOMER_DELETES: "1" }).exitCode, 0);
    });

    it("judge: exactly the limit passes, one more fails", () => {
      const d = (id: string) => ({ customerId: id, stack: "dev", urn: `${COMPONENT}${id}`, op: "delete" });
      const opts = { maxDeletes: 1, maxDeletesSource: "--max-deletes" as const, allowMassDelete: false };
      assert.equal(judge([d("a")], opts).exitCode, 0);
      assert.equal(judge([d("a"), d("b")], opts).exitCode, 1);
    });
  });

  describe("bad input", () => {
    it("names the file, line and column of a truncated preview", () => {
      const text = fs.readFileSync(path.join(ROOT, fixture("truncated.json")), "utf8");
      const end = lineColumn(text, text.length);
      const run = guard([fixture("truncated.json")]);
      assert.equal(run.exitCode, 2);
      assert.deepEqual(run.err, [
        `guard: ${fixture("truncated.json")}:${end.line}:${end.column}: not valid JSON: unexpected end of input inside a string (line ${end.line}, column ${end.column}); produce it with \`pulumi preview --json --stack <stack> > preview.json\` (with --json nothing else is printed to stdout)`,
      ]);
      assert.deepEqual(end, { line: 188, column: 37 });
    });

    it("points at a trailing comma", () => {
      assert.throws(
        () => load("trailing-comma.json"),
        (e: unknown) =>
          e instanceof PreviewInputError &&
          e.message.startsWith(`${fixture("trailing-comma.json")}:7:5: not valid JSON: unexpected "]" where a value was expected (line 7, column 5);`),
      );
    });

    it("points at human-readable preview output saved instead of --json", () => {
      assert.throws(
        () => parsePreview("Previewing update (prod)\n\n     Type  Name\n", "preview.json"),
        (e: unknown) => e instanceof PreviewInputError && e.message.startsWith('preview.json:1:1: not valid JSON: unexpected "P" where a value was expected'),
      );
    });

    it("rejects a file that is not a preview (stack export), listing what it found", () => {
      const run = guard([fixture("stack-export.json")]);
      assert.equal(run.exitCode, 2);
      assert.deepEqual(run.err, [
        `guard: ${fixture("stack-export.json")}: not a "pulumi preview --json" document: top-level "steps" is missing (found keys: version, deployment); produce it with \`pulumi preview --json --stack <stack> > preview.json\``,
      ]);
    });

    it("rejects wrong shapes: empty file, array, steps not an array, step without urn", () => {
      const cases: [string, string][] = [
        ["  \n", "p.json: file is empty;"],
        ["[]", 'p.json: not a "pulumi preview --json" document: the top level is an array, expected an object with a "steps" array;'],
        ['{"steps": {}}', 'p.json: not a "pulumi preview --json" document: "steps" is an object, expected an array;'],
        ['{"steps": [{"op": "delete"}]}', "p.json: steps[0].urn is missing or not a string"],
      ];
      for (const [text, start] of cases) {
        assert.throws(
          () => parsePreview(text, "p.json"),
          (e: unknown) => e instanceof PreviewInputError && e.message.startsWith(start),
          text,
        );
      }
    });

    it("refuses a failed preview instead of reporting a false all-clear", () => {
      const run = guard([fixture("program-error.json")]);
      assert.equal(run.exitCode, 2);
      assert.deepEqual(run.err, [
        `guard: ${fixture("program-error.json")}: the preview failed (2 error diagnostics, first: "error: Running program '/work/main' failed with an unhandled exception: | CustomerRecordsError: customers/acme-rockets.yaml: motto: Required"); a failed preview plans no deletes, so customer deletions cannot be counted - fix the preview and run the guard on its new output`,
      ]);
    });

    it("accepts a byte-order mark", () => {
      assert.deepEqual(parsePreview('\uFEFF{"steps": []}', "p.json").steps, []);
    });

    it("reports a missing file by name", () => {
      const run = guard(["does-not-exist.json"]);
      assert.equal(run.exitCode, 2);
      assert.equal(
        run.err[0],
        "guard: does-not-exist.json: file not found; produce it with `pulumi preview --json --stack <stack> > preview.json`",
      );
    });

    it("the JSON locator agrees with JSON.parse on valid documents", () => {
      for (const name of ["delete-three.json", "replacements.json", "stack-export.json"]) {
        assert.equal(findJsonError(fs.readFileSync(path.join(ROOT, fixture(name)), "utf8")), undefined, name);
      }
      assert.deepEqual(findJsonError('{"a": 1}\n{"b": 2}'), { offset: 9, reason: 'unexpected "{" after the end of the JSON document' });
    });
  });

  describe("options", () => {
    const usage = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseGuardArgs(argv, env);
      } catch (e) {
        assert.ok(e instanceof GuardUsageError);
        return e.message.split("\n")[0];
      }
      return "no error";
    };

    it("rejects bad limits, an unagreed override word, unknown flags and a missing file, naming the setting", () => {
      assert.equal(usage(["p.json", "--max-deletes", "two"]), '--max-deletes: expected a non-negative integer number of customers, got "two"');
      assert.equal(usage(["p.json", "--max-deletes"]), "--max-deletes: missing value (e.g. --max-deletes 3)");
      assert.equal(usage(["p.json"], { SAS_MAX_CUSTOMER_DELETES: "-1" }), 'SAS_MAX_CUSTOMER_DELETES: expected a non-negative integer number of customers, got "-1"');
      assert.equal(
        usage(["p.json"], { SAS_ALLOW_MASS_DELETE: "true" }),
        'SAS_ALLOW_MASS_DELETE must be exactly "yes" to allow a mass delete (got "true"); unset it otherwise',
      );
      assert.equal(usage(["p.json", "--force"]), "unknown option --force");
      assert.equal(usage([]), "missing the preview file");
      assert.equal(usage(["a.json", "b.json"]), "expected one preview file, got 2: a.json, b.json");
    });

    it("defaults to a limit of 2 without override", () => {
      assert.deepEqual(parseGuardArgs(["p.json"], {}), {
        file: "p.json",
        maxDeletes: 2,
        maxDeletesSource: "default",
        allowMassDelete: false,
      });
    });
  });

  describe("CLI (npm run guard)", () => {
    /** The caller's environment minus guard settings, with this Node (24, via scripts/ensure-node.sh) first on PATH for npm. */
    function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
      const binDir = path.dirname(process.execPath);
      return {
        ...process.env,
        PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
        SAS_ALLOW_MASS_DELETE: "",
        SAS_MAX_CUSTOMER_DELETES: "",
        ...extra,
      };
    }

    function npmGuard(args: string[], env: Record<string, string> = {}) {
      return spawnSync("npm", ["run", "--silent", "guard", "--", ...args], { cwd: ROOT, encoding: "utf8", env: cleanEnv(env) });
    }

    it("exits 1 above the limit and 0 with the override, through the package.json script", () => {
      const refused = npmGuard([fixture("delete-three.json")]);
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /guard: refusing: 3 customers would be deleted/);
      for (const id of ["acme-rockets", "muller-kaffee", "nile-analytics"]) {
        assert.match(refused.stderr, new RegExp(`  - ${id} \\(stack prod`));
      }
      const allowed = npmGuard([fixture("delete-three.json"), "--allow-mass-delete"]);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.match(allowed.stderr, /!!! MASS DELETE ALLOWED by --allow-mass-delete: 3 customers WILL BE DELETED/);
    });

    it("reads the preview from stdin with -", () => {
      const run = spawnSync("npm", ["run", "--silent", "guard", "--", "-"], {
        cwd: ROOT,
        encoding: "utf8",
        input: fs.readFileSync(path.join(ROOT, fixture("delete-three.json")), "utf8"),
        env: cleanEnv(),
      });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /guard: refusing: 3 customers would be deleted/);
      const bad = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/guard.ts", "-"], {
        cwd: ROOT,
        encoding: "utf8",
        input: "Previewing update (prod)\n",
        env: cleanEnv(),
      });
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, /^guard: <stdin>:1:1: not valid JSON: unexpected "P" where a value was expected/);
    });

    it("exits 0 within the limit and 2 on a malformed file", () => {
      const ok = npmGuard([fixture("delete-two.json")]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /guard: ok, 2 customers would be deleted/);
      const bad = npmGuard([fixture("trailing-comma.json")]);
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, /trailing-comma\.json:7:5: not valid JSON/);
    });
  });
});

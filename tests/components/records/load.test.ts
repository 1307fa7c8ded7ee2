import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CustomerRecordsError, loadCustomers } from "../../../components/records/load";
import { customerJsonSchema, CUSTOMER_SCHEMA_FILE, YAML_MODELINE } from "../../../components/model/customer-json-schema";
import { recordYaml, tempDirWith } from "../../support/tmp";

const REPO_CUSTOMERS = path.join(__dirname, "..", "..", "..", "customers");

/** Loads the files from a temp dir shown as customers/, returning the error's lines (or failing if none). */
function problemsFor(files: Record<string, string>, opts: { allowEmpty?: boolean } = {}, what = "records"): string[] {
    const t = tempDirWith(files);
    try {
        loadCustomers(t.dir, { displayDir: "customers", ...opts });
    } catch (e) {
        assert.ok(e instanceof CustomerRecordsError, `expected CustomerRecordsError, got ${e}`);
        return e.message.split("\n").slice(1).map((l) => l.trim());
    } finally {
        t.cleanup();
    }
    assert.fail(`${what}: expected the records to be rejected`);
}

const long = (n: number) => "x".repeat(n);

// Each case: one bad file (named like its id) and the message prefix that must name file and field.
const MALFORMED: [what: string, text: string, expected: string, file?: string][] = [
    ["id missing", recordYaml("acme", { id: undefined }), "customers/acme.yaml: id: id is required"],
    ["id not a string", recordYaml("acme", { id: 123 }), "customers/acme.yaml: id: id must be a string"],
    ["id too short", recordYaml("ab"), "customers/ab.yaml: id: id must be at least 3 characters"],
    ["id too long", recordYaml(long(41)), `customers/${long(41)}.yaml: id: id must be at most 40 characters`],
    ["id upper case", recordYaml("Acme"), "customers/Acme.yaml: id: id must be a DNS-1123 label"],
    ["id leading dash", recordYaml("-acme"), "customers/-acme.yaml: id: id must be a DNS-1123 label"],
    ["id trailing dash", recordYaml("acme-"), "customers/acme-.yaml: id: id must be a DNS-1123 label"],
    ["id underscore", recordYaml("ac_me"), "customers/ac_me.yaml: id: id must be a DNS-1123 label"],
    ["id reserved www", recordYaml("www"), "customers/www.yaml: id: id is reserved"],
    ["id reserved default", recordYaml("default"), "customers/default.yaml: id: id is reserved"],
    ["id reserved prefix kube-", recordYaml("kube-system"), "customers/kube-system.yaml: id: id must not start with a reserved prefix"],
    ["id differs from file name", recordYaml("other"), `customers/acme.yaml: id: "other" must equal the file name "acme"`, "acme.yaml"],
    ["companyName missing", recordYaml("acme", { companyName: undefined }), "customers/acme.yaml: companyName: companyName is required"],
    ["companyName blank", recordYaml("acme", { companyName: "   " }), "customers/acme.yaml: companyName: companyName must not be empty"],
    ["companyName too long", recordYaml("acme", { companyName: long(101) }), "customers/acme.yaml: companyName: companyName must be at most 100"],
    ["companyName control char", recordYaml("acme", { companyName: "Acme\u0007" }), "customers/acme.yaml: companyName: companyName must not contain control"],
    ["companyName newline", recordYaml("acme", { companyName: "Ac\nme" }), "customers/acme.yaml: companyName: companyName must not contain control"],
    ["companyName a list", recordYaml("acme", { companyName: ["a"] }), "customers/acme.yaml: companyName: companyName must be a string"],
    ["motto missing", recordYaml("acme", { motto: undefined }), "customers/acme.yaml: motto: motto is required"],
    ["motto empty", recordYaml("acme", { motto: "" }), "customers/acme.yaml: motto: motto must not be empty"],
    ["motto too long", recordYaml("acme", { motto: long(201) }), "customers/acme.yaml: motto: motto must be at most 200"],
    ["motto tab", recordYaml("acme", { motto: "a\tb" }), "customers/acme.yaml: motto: motto must not contain control"],
    ["tier missing", recordYaml("acme", { tier: undefined }), "customers/acme.yaml: tier: tier is required"],
    ["tier unknown", recordYaml("acme", { tier: "gold" }), "customers/acme.yaml: tier: tier must be one of starter, business, enterprise"],
    ["purchaseId missing", recordYaml("acme", { purchaseId: undefined }), "customers/acme.yaml: purchaseId: purchaseId is required"],
    ["purchaseId bad characters", recordYaml("acme", { purchaseId: "PO 1/2" }), "customers/acme.yaml: purchaseId: purchaseId must be 3-64"],
    ["purchaseId a number", recordYaml("acme", { purchaseId: 12345 }), "customers/acme.yaml: purchaseId: purchaseId must be a string"],
    ["accentColor not hex", recordYaml("acme", { theme: { accentColor: "red" } }), "customers/acme.yaml: theme.accentColor: accentColor must be a #rrggbb"],
    ["accentColor short hex", recordYaml("acme", { theme: { accentColor: "#fff" } }), "customers/acme.yaml: theme.accentColor: accentColor must be a #rrggbb"],
    ["theme not a mapping", recordYaml("acme", { theme: "dark" }), "customers/acme.yaml: theme: theme must be a mapping"],
    ["unknown field", recordYaml("acme", { plan: "gold" }), "customers/acme.yaml: plan: unknown field"],
    ["unknown theme field", recordYaml("acme", { theme: { font: "Comic" } }), "customers/acme.yaml: theme.font: unknown field"],
    ["bad YAML", "id: acme\ncompanyName: [unclosed\n", "customers/acme.yaml: invalid YAML at line"],
    ["duplicate YAML key", recordYaml("acme") + "tier: business\n", "customers/acme.yaml: invalid YAML at line 6"],
    ["YAML list", "- id: acme\n", "customers/acme.yaml: expected a mapping of customer fields, found a list"],
    ["YAML scalar", "just text\n", "customers/acme.yaml: expected a mapping of customer fields, found a string"],
    ["empty file", "", "customers/acme.yaml: expected a mapping of customer fields, found an empty document"],
];

describe("customer records: loader", () => {
    it("loads the committed sample customers sorted by id", () => {
        const customers = loadCustomers(REPO_CUSTOMERS);
        assert.ok(customers.length >= 3);
        assert.deepEqual(customers.map((c) => c.id), [...customers.map((c) => c.id)].sort());
        assert.ok(customers.some((c) => /[^\x20-\x7e]/.test(c.companyName)), "a non-ASCII company name");
        assert.ok(customers.some((c) => ["<", "&", '"'].every((ch) => c.motto.includes(ch))), "a motto with < & \"");
    });

    it("trims company name and motto", () => {
        const t = tempDirWith({ "acme.yaml": recordYaml("acme", { companyName: "  Acme  ", motto: " Go " }) });
        try {
            const [c] = loadCustomers(t.dir);
            assert.equal(c.companyName, "Acme");
            assert.equal(c.motto, "Go");
        } finally {
            t.cleanup();
        }
    });

    it(`rejects ${MALFORMED.length} malformed records, each naming file and field`, () => {
        assert.ok(MALFORMED.length >= 25);
        for (const [what, text, expected, file = expected.split(":")[0].replace("customers/", "")] of MALFORMED) {
            const lines = problemsFor({ [file]: text }, {}, what);
            assert.ok(lines.some((l) => l.startsWith(expected)), `${what}: expected a line starting "${expected}", got:\n${lines.join("\n")}`);
        }
    });

    it("collects every problem of every file in one error", () => {
        const lines = problemsFor({
            "acme.yaml": recordYaml("acme", { motto: "", tier: "gold" }),
            "beta.yaml": recordYaml("beta", { companyName: undefined }),
            "good.yaml": recordYaml("good"),
        });
        assert.deepEqual(lines, [
            "customers/acme.yaml: motto: motto must not be empty",
            "customers/acme.yaml: tier: tier must be one of starter, business, enterprise",
            "customers/beta.yaml: companyName: companyName is required",
        ]);
    });

    it("rejects duplicate ids and purchase ids across files, naming both", () => {
        const lines = problemsFor({
            "acme.yaml": recordYaml("acme", { purchaseId: "PO-1" }),
            "acme-two.yaml": recordYaml("acme", { purchaseId: "PO-1" }),
        });
        assert.deepEqual(lines, [
            `customers/acme-two.yaml: id: "acme" must equal the file name "acme-two"`,
            `customers/acme.yaml: id: duplicate id "acme" (also in customers/acme-two.yaml)`,
            `customers/acme.yaml: purchaseId: duplicate purchaseId "PO-1" (also in customers/acme-two.yaml)`,
        ]);
    });

    it("rejects .yml files rather than ignoring them", () => {
        assert.deepEqual(problemsFor({ "acme.yml": recordYaml("acme") }), [
            "customers/acme.yml: customer files must end in .yaml, not .yml",
        ]);
    });

    it("refuses an empty directory unless allowed", () => {
        const lines = problemsFor({ "README.md": "not a record" });
        assert.equal(lines.length, 1);
        assert.match(lines[0], /^customers: no customer records found; refusing to deploy an empty list/);
        const t = tempDirWith({});
        try {
            assert.deepEqual(loadCustomers(t.dir, { allowEmpty: true }), []);
        } finally {
            t.cleanup();
        }
    });

    it("names a missing directory", () => {
        assert.throws(() => loadCustomers("/nonexistent/customers", { displayDir: "nope" }), /nope: customer directory does not exist/);
    });
});

describe("customer records: JSON Schema for editors", () => {
    it("the committed customers/customer.schema.json equals the one generated from the zod schema (npm run schema)", () => {
        const committed = fs.readFileSync(path.join(REPO_CUSTOMERS, CUSTOMER_SCHEMA_FILE), "utf8");
        assert.equal(committed, customerJsonSchema(), "stale: run `npm run schema` and commit the result");
    });

    it("every customer file starts with the yaml-language-server modeline", () => {
        for (const f of fs.readdirSync(REPO_CUSTOMERS).filter((n) => n.endsWith(".yaml"))) {
            assert.equal(fs.readFileSync(path.join(REPO_CUSTOMERS, f), "utf8").split("\n")[0], YAML_MODELINE, f);
        }
    });

    it("the schema forbids unknown keys and requires every field", () => {
        const schema = JSON.parse(customerJsonSchema());
        assert.equal(schema.additionalProperties, false);
        assert.deepEqual([...schema.required].sort(), ["companyName", "id", "motto", "purchaseId", "tier"]);
    });
});

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
// The module object itself (not the namespace copy above, whose properties are read-only getters), to watch openSync.
import nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    ALLOWED_NON_RECORD_FILES,
    CustomerRecordsError,
    DEFAULT_MAX_CUSTOMERS,
    DEFAULT_MAX_RECORD_BYTES,
    loadCustomers,
    readRecordFile,
    type LoadOptions,
} from "../../../components/records/load";
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
    ["motto right-to-left override", recordYaml("acme", { motto: "\u202egpj.exe" }), "customers/acme.yaml: motto: motto must not contain bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE at character 1)"],
    ["companyName only zero-width", recordYaml("acme", { companyName: "\u200b\u200d\ufeff" }), "customers/acme.yaml: companyName: companyName must not be empty: it has only invisible characters (U+200B, U+200D)"],
    ["companyName line separator", recordYaml("acme", { companyName: "Ac\u2028me" }), "customers/acme.yaml: companyName: companyName must not contain control"],
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

/** A temp directory prepared by `setup` (real files, links, FIFOs), loaded as customers/. */
function loadPrepared(setup: (dir: string) => void, opts: LoadOptions = {}): { lines: string[]; message: string; opened: string[] } {
    const t = tempDirWith({});
    try {
        setup(t.dir);
        const watched = watchOpens(() => loadCustomers(t.dir, { displayDir: "customers", ...opts }));
        const e = watched.error;
        assert.ok(e instanceof CustomerRecordsError, `expected CustomerRecordsError, got ${String(e)}`);
        const relative = watched.opened.map((p) => path.relative(t.dir, p));
        return { lines: e.message.split("\n").slice(1).map((l) => l.trim()), message: e.message, opened: relative };
    } finally {
        t.cleanup();
    }
}

/** Runs `fn` recording every path the code under test opens (fs.openSync), without changing what it does. */
function watchOpens(fn: () => unknown): { error?: unknown; opened: string[] } {
    const opened: string[] = [];
    const original = nodeFs.openSync;
    nodeFs.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
        opened.push(String(p));
        return (original as (...args: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync;
    try {
        fn();
        return { opened };
    } catch (error) {
        return { error, opened };
    } finally {
        nodeFs.openSync = original;
    }
}

const ONLY = "only <id>.yaml records and README.md, customer.schema.json, .gitkeep may be in the customer directory";
const LINK = "is a symbolic link, not a regular file; customer records must be regular files (links are never followed)";

describe("customer records: the loader trusts nothing in the directory", () => {
    it("exports its limits and allow-list with the documented defaults", () => {
        assert.equal(DEFAULT_MAX_RECORD_BYTES, 65536);
        assert.equal(DEFAULT_MAX_CUSTOMERS, 5000);
        assert.deepEqual(ALLOWED_NON_RECORD_FILES, ["README.md", "customer.schema.json", ".gitkeep"]);
    });

    it("refuses a symlink to /dev/zero without opening it", () => {
        const r = loadPrepared((dir) => {
            fs.writeFileSync(path.join(dir, "good.yaml"), recordYaml("good"));
            fs.symlinkSync("/dev/zero", path.join(dir, "acme.yaml"));
        });
        assert.deepEqual(r.lines, [`customers/acme.yaml: ${LINK}`]);
        assert.deepEqual(r.opened, ["good.yaml"]);
    });

    it("refuses a symlink to a file outside the repository without leaking its content or key names", () => {
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sas-secret-"));
        try {
            const secret = path.join(outside, "credentials.yaml");
            fs.writeFileSync(secret, "aws_secret_access_key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\ndb_password: hunter2\n");
            const r = loadPrepared((dir) => fs.symlinkSync(secret, path.join(dir, "acme.yaml")));
            assert.deepEqual(r.lines, [`customers/acme.yaml: ${LINK}`]);
            for (const leak of ["aws_secret_access_key", "wJalrXUtnFEMI", "db_password", "hunter2", outside]) {
                assert.ok(!r.message.includes(leak), `the error leaks ${leak}:\n${r.message}`);
            }
            assert.deepEqual(r.opened, []);
        } finally {
            fs.rmSync(outside, { recursive: true, force: true });
        }
    });

    it("refuses a symlink to a valid record in the same directory", () => {
        const r = loadPrepared((dir) => {
            fs.writeFileSync(path.join(dir, "acme.yaml"), recordYaml("acme"));
            fs.symlinkSync("acme.yaml", path.join(dir, "beta.yaml"));
        });
        assert.deepEqual(r.lines, [`customers/beta.yaml: ${LINK}`]);
    });

    it("refuses a dangling link, a directory named x.yaml and a FIFO, each by name, never crashing or blocking", () => {
        const r = loadPrepared((dir) => {
            fs.symlinkSync(path.join(dir, "nowhere.yaml"), path.join(dir, "dangling.yaml"));
            fs.mkdirSync(path.join(dir, "x.yaml"));
            fs.writeFileSync(path.join(dir, "x.yaml", "inner.yaml"), recordYaml("inner"));
            const mkfifo = spawnSync("mkfifo", [path.join(dir, "pipe.yaml")], { encoding: "utf8" });
            assert.equal(mkfifo.status, 0, `mkfifo failed: ${mkfifo.stderr}`);
        });
        assert.deepEqual(r.lines, [
            `customers/dangling.yaml: ${LINK}`,
            "customers/pipe.yaml: is a named pipe (FIFO), not a regular file; customer records must be regular files",
            "customers/x.yaml: is a directory, not a regular file; customer records must be regular files",
        ]);
        assert.deepEqual(r.opened, []);
    });

    it("refuses a 10 MB motto by its size, without opening the file", () => {
        const started = process.hrtime.bigint();
        let size = 0;
        const r = loadPrepared((dir) => {
            const file = path.join(dir, "acme.yaml");
            fs.writeFileSync(file, recordYaml("acme", { motto: "x".repeat(10 * 1024 * 1024) }));
            size = fs.statSync(file).size;
        });
        assert.ok(size > 10 * 1024 * 1024);
        assert.deepEqual(r.lines, [
            `customers/acme.yaml: is ${size} bytes, more than the limit of 65536 bytes per record (setting records.maxRecordBytes); it was not read`,
        ]);
        assert.deepEqual(r.opened, []);
        // Writing the 10 MB file dominates; loading must not add a parse of it (seconds on a shared machine).
        assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5000);
    });

    it("takes maxRecordBytes as an option: exactly the cap loads, one byte less refuses", () => {
        const text = recordYaml("acme");
        const bytes = Buffer.byteLength(text);
        const t = tempDirWith({ "acme.yaml": text });
        try {
            assert.equal(loadCustomers(t.dir, { maxRecordBytes: bytes }).length, 1);
            assert.throws(
                () => loadCustomers(t.dir, { displayDir: "customers", maxRecordBytes: bytes - 1 }),
                (e: Error) => e.message.includes(`customers/acme.yaml: is ${bytes} bytes, more than the limit of ${bytes - 1} bytes per record (setting records.maxRecordBytes)`),
            );
            assert.throws(() => loadCustomers(t.dir, { maxRecordBytes: 0 }), /loadCustomers: maxRecordBytes must be a positive integer, got 0/);
            assert.throws(() => loadCustomers(t.dir, { maxCustomers: 1.5 }), /loadCustomers: maxCustomers must be a positive integer, got 1.5/);
        } finally {
            t.cleanup();
        }
    });

    it("reads at most cap + 1 bytes when lstat under-reports the size (a /proc file reports 0 bytes)", function () {
        if (!fs.existsSync("/proc/self/status")) this.skip();
        assert.equal(fs.lstatSync("/proc/self/status").size, 0);
        assert.deepEqual(readRecordFile("/proc/self/status", 10), {
            problem: "is more than the limit of 10 bytes per record (setting records.maxRecordBytes); reading stopped there",
        });
    });

    it("refuses a file that is not UTF-8", () => {
        const r = loadPrepared((dir) => fs.writeFileSync(path.join(dir, "acme.yaml"), Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a])));
        assert.deepEqual(r.lines, ["customers/acme.yaml: is not valid UTF-8 text"]);
    });

    it("refuses more customer files than maxCustomers without reading any; exactly the limit loads", () => {
        const files = Object.fromEntries(["aaa", "bbb", "ccc", "ddd"].map((id) => [`${id}.yaml`, recordYaml(id)]));
        const r = loadPrepared((dir) => {
            for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
        }, { maxCustomers: 3 });
        assert.deepEqual(r.lines, ["customers: 4 customer files, more than the limit of 3 (setting records.maxCustomers); no record was read"]);
        assert.deepEqual(r.opened, []);
        const t = tempDirWith(files);
        try {
            assert.equal(loadCustomers(t.dir, { maxCustomers: 4 }).length, 4);
        } finally {
            t.cleanup();
        }
    });

    it("refuses 5001 customer files by default", () => {
        const r = loadPrepared((dir) => {
            // Hard links of one empty file: 5001 real regular files, created far faster than 5001 writes.
            const source = path.join(dir, "c00000.yaml");
            fs.writeFileSync(source, "");
            for (let i = 1; i <= DEFAULT_MAX_CUSTOMERS; i++) fs.linkSync(source, path.join(dir, `c${String(i).padStart(5, "0")}.yaml`));
        });
        assert.deepEqual(r.lines, ["customers: 5001 customer files, more than the limit of 5000 (setting records.maxCustomers); no record was read"]);
        assert.deepEqual(r.opened, []);
    });

    it("reports every entry outside the allow-list: other extensions, backups, hidden files, directories, links", () => {
        const r = loadPrepared((dir) => {
            const write = (name: string, text = "x") => fs.writeFileSync(path.join(dir, name), text);
            write("acme.yaml", recordYaml("acme"));
            for (const allowed of ALLOWED_NON_RECORD_FILES) write(allowed);
            for (const stray of ["acme.YAML", "acme.json", "acme.yaml.bak", "acme.yml", ".hidden.yaml", ".DS_Store", "evil\u202egpj.md"]) write(stray);
            fs.mkdirSync(path.join(dir, "notes"));
            fs.mkdirSync(path.join(dir, ".git"));
            fs.symlinkSync("/etc", path.join(dir, "link"));
        });
        assert.deepEqual(r.lines, [
            `customers/.DS_Store: hidden file not allowed: ${ONLY}`,
            `customers/.git: hidden directory not allowed: ${ONLY}`,
            `customers/.hidden.yaml: hidden file not allowed: ${ONLY}`,
            "customers/acme.YAML: customer files must end in .yaml, not .YAML",
            `customers/acme.json: not a customer record: ${ONLY}`,
            `customers/acme.yaml.bak: not a customer record: ${ONLY}`,
            "customers/acme.yml: customer files must end in .yaml, not .yml",
            `customers/evil\\u{202E}gpj.md: not a customer record: ${ONLY}`,
            `customers/link: is a symbolic link and not a customer record: ${ONLY}`,
            `customers/notes: is a directory and not a customer record: ${ONLY}`,
        ]);
        assert.deepEqual(r.opened, ["acme.yaml"], "only the record is ever opened");
    });

    it("loads a directory holding records and the allowed extra files only", () => {
        const t = tempDirWith({ "acme.yaml": recordYaml("acme"), "README.md": "# customers", "customer.schema.json": "{}", ".gitkeep": "" });
        try {
            assert.deepEqual(loadCustomers(t.dir).map((c) => c.id), ["acme"]);
        } finally {
            t.cleanup();
        }
    });

    it("refuses a customer directory that is a symbolic link or a file", () => {
        const t = tempDirWith({ "real/acme.yaml": recordYaml("acme"), "file": "x" });
        try {
            fs.symlinkSync(path.join(t.dir, "real"), path.join(t.dir, "linked"));
            assert.throws(
                () => loadCustomers(path.join(t.dir, "linked"), { displayDir: "customers" }),
                (e: Error) => e.message.endsWith("\n  customers: customer directory is a symbolic link; point customersDir at the real directory (links are never followed)"),
            );
            assert.throws(
                () => loadCustomers(path.join(t.dir, "file"), { displayDir: "customers" }),
                (e: Error) => e.message.endsWith("\n  customers: customer directory is a file, not a directory"),
            );
        } finally {
            t.cleanup();
        }
    });

    describe("YAML tags and warnings are errors naming file and line", () => {
        const withMotto = (raw: string) => recordYaml("acme").replace(/^motto: .*$/m, `motto: ${raw}`);
        const CASES: [tag: string, motto: string][] = [
            ["!!js/function", '!!js/function "function () { return process.env }"'],
            ["!ruby/object:Gem::Installer", "!ruby/object:Gem::Installer\n  i: x"],
            ["!custom", "!custom We make things"],
            ["!<tag:example.com,2026:evil>", "!<tag:example.com,2026:evil> We make things"],
            ["!!binary", "!!binary V2UgbWFrZSB0aGluZ3M="],
            ["!!set", "!!set {a, b}"],
            ["!!timestamp", "!!timestamp 2026-01-01"],
        ];
        for (const [tag, motto] of CASES) {
            it(`refuses ${tag}`, () => {
                assert.deepEqual(problemsFor({ "acme.yaml": withMotto(motto) }), [
                    `customers/acme.yaml: YAML tag ${tag} is not allowed (line 3, column 8); records hold plain values only`,
                ]);
            });
        }

        it("refuses an unknown directive as a YAML warning", () => {
            assert.deepEqual(problemsFor({ "acme.yaml": "%FOO bar\n---\n" + recordYaml("acme") }), [
                "customers/acme.yaml: YAML warning at line 1, column 1: Unknown directive %FOO",
            ]);
        });

        it("accepts the core tags and reads YAML 1.2 core even under a %YAML 1.1 directive", () => {
            const text = "%YAML 1.1\n---\n" + recordYaml("acme", { motto: undefined, purchaseId: undefined }) + "motto: yes\npurchaseId: !!str 12345\n";
            const t = tempDirWith({ "acme.yaml": text });
            try {
                const [c] = loadCustomers(t.dir);
                assert.equal(c.motto, "yes");
                assert.equal(c.purchaseId, "12345");
            } finally {
                t.cleanup();
            }
        });
    });

    it("stores company name and motto NFC-normalized", () => {
        const t = tempDirWith({ "acme.yaml": recordYaml("acme", { companyName: "Cafe\u0301 Mu\u0308ller", motto: " \u200bgo " }) });
        try {
            const [c] = loadCustomers(t.dir);
            assert.equal(c.companyName, "Caf\u00e9 M\u00fcller");
            assert.equal(c.motto, "\u200bgo");
        } finally {
            t.cleanup();
        }
    });
});

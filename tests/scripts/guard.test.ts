import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { classify } from "../../scripts/guard/classify";
import { assessPreview, assessSteps, customerDeletions } from "../../scripts/guard/deletions";
import { findJsonError } from "../../scripts/guard/json-error";
import { GuardUsageError, parseGuardArgs, stackLimitEnv } from "../../scripts/guard/options";
import { PreviewInputError, changeSteps, lineColumn, parsePreview, type ChangeStep } from "../../scripts/guard/preview";
import { runGuard } from "../../scripts/guard/run";
import { parseUrn } from "../../scripts/guard/urn";
import { judge } from "../../scripts/guard/verdict";
import { runStack, STACKS } from "../support/program";
import { loadCustomers } from "../../components/records/load";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = "tests/fixtures/preview";
const fixture = (name: string) => path.join(FIXTURES, name);
const COMPONENT = "urn:pulumi:prod::sas-onboarding::sas:index:CustomerSite::customer-";
const PROD = "urn:pulumi:prod::sas-onboarding::";
const CHILD = `${PROD}sas:index:CustomerSite$`;

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

// Changed with the per-stack limit: the stack and its own variable are named.
const DEFAULT_LIMIT = "limit 2 for stack prod (default; set --max-deletes, SAS_MAX_CUSTOMER_DELETES_PROD or SAS_MAX_CUSTOMER_DELETES)";

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

    it("ignores component replacements that bring it back, uncounted child deletes and discards, but counts a replaced Namespace", () => {
      // Changed with the tenant-resource counting: acme-rockets' Namespace is replaced (create-replacement, replace,
      // delete-replaced), which empties it, so acme-rockets now counts; it used to be ignored.
      assert.deepEqual(customerDeletions(load("replacements.json")), [
        { customerId: "acme-rockets", stack: "prod", urn: `${CHILD}kubernetes:core/v1:Namespace::customer-acme-rockets-namespace`, op: "replace" },
      ]);
      assert.deepEqual(assessPreview(load("replacements.json")).unattributed, []);
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
      // A component type the guard does not know is no longer ignored: it is refused by name.
      assert.deepEqual(assessSteps(changeSteps(digest)).unattributed, [
        {
          op: "delete",
          urn: "urn:pulumi:prod::sas-onboarding::sas:index:Platform::customer-not-a-site",
          reason: "unknown resource type sas:index:Platform (neither under a sas:index:CustomerSite nor under a sas:platform:* component)",
        },
      ]);
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
      assert.equal(zero.err[0], "guard: refusing: 1 customer would be deleted, more than the limit 0 for stack prod (from --max-deletes):");
      const fromEnv = guard([fixture("delete-two.json")], { SAS_MAX_CUSTOMER_DELETES: "1" });
      assert.equal(fromEnv.exitCode, 1);
      assert.equal(fromEnv.err[0], "guard: refusing: 2 customers would be deleted, more than the limit 1 for stack prod (from SAS_MAX_CUSTOMER_DELETES):");
      assert.equal(guard([fixture("delete-two.json"), "--max-deletes", "2"], { SAS_MAX_CUSTOMER_DELETES: "1" }).exitCode, 0);
    });

    it("judge: exactly the limit passes, one more fails", () => {
      const d = (id: string) => ({ customerId: id, stack: "dev", urn: `${COMPONENT}${id}`, op: "delete" });
      const opts = { maxDeletes: 1, maxDeletesSource: "--max-deletes" as const, allowMassDelete: false };
      assert.equal(judge([d("a")], opts).exitCode, 0);
      assert.equal(judge([d("a"), d("b")], opts).exitCode, 1);
    });
  });

  describe("tenant resources count against their customer; unknown shapes are refused", () => {
    const ns = (id: string) => `${CHILD}kubernetes:core/v1:Namespace::customer-${id}-namespace`;
    const deployment = (id: string) => `${CHILD}kubernetes:apps/v1:Deployment::customer-${id}-deployment`;

    it("refuses a preview that deletes five tenant Namespaces and nothing else", () => {
      const ids = ["acme-rockets", "muller-kaffee", "nile-analytics", "sakura-logistics", "zephyr-labs"];
      assert.deepEqual(deletedIds("delete-namespaces-only.json"), ids);
      const run = guard([fixture("delete-namespaces-only.json")]);
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.out, []);
      assert.deepEqual(run.err, [
        `guard: refusing: 5 customers would be deleted, more than the ${DEFAULT_LIMIT}:`,
        ...ids.map((id) => `  - ${id} (stack prod, delete ${ns(id)})`),
        "If this is intended, re-run with --allow-mass-delete or SAS_ALLOW_MASS_DELETE=yes; otherwise restore the missing customers/<id>.yaml records.",
      ]);
    });

    it("counts replaced Deployments in every step form, each customer once, and not a replaced Service", () => {
      assert.deepEqual(customerDeletions(load("replace-deployments.json")), [
        {
          customerId: "acme-rockets",
          stack: "prod",
          urn: deployment("acme-rockets"),
          op: "replace",
          also: [{ op: "replace", urn: `${CHILD}kubernetes:networking.k8s.io/v1:Ingress::customer-acme-rockets-ingress` }],
        },
        { customerId: "muller-kaffee", stack: "prod", urn: deployment("muller-kaffee"), op: "replace" },
        { customerId: "nile-analytics", stack: "prod", urn: deployment("nile-analytics"), op: "replace" },
      ]);
      const refused = guard([fixture("replace-deployments.json")]);
      assert.equal(refused.exitCode, 1);
      assert.equal(refused.err[0], `guard: refusing: 3 customers would be deleted or replaced, more than the ${DEFAULT_LIMIT}:`);
      assert.equal(
        refused.err[1],
        `  - acme-rockets (stack prod, replace ${deployment("acme-rockets")}; also replace ${CHILD}kubernetes:networking.k8s.io/v1:Ingress::customer-acme-rockets-ingress)`,
      );
      const ok = guard([fixture("replace-deployments.json"), "--max-deletes", "3"]);
      assert.equal(ok.exitCode, 0);
      assert.equal(ok.out[0], "guard: ok, 3 customers would be deleted or replaced, within the limit 3 for stack prod (from --max-deletes):");
    });

    it("counts the create-replacement and delete-replaced halves on their own", () => {
      for (const op of ["create-replacement", "delete-replaced", "import-replacement", "remove-pending-replace"]) {
        const steps: ChangeStep[] = [{ op, urn: deployment("acme-rockets"), hasNewState: op !== "delete-replaced" }];
        assert.deepEqual(assessSteps(steps).customers.map((d) => [d.customerId, d.op]), [["acme-rockets", op]], op);
      }
    });

    it("refuses an unknown resource type being deleted, naming the URN, and ignores known platform deletes", () => {
      const run = guard([fixture("delete-unknown-type.json")]);
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.out, []);
      assert.deepEqual(run.err, [
        `guard: no customer would be deleted; ${DEFAULT_LIMIT}`,
        "guard: refusing: 2 deleted or replaced resources cannot be attributed to a customer or the platform (the guard fails closed):",
        `  - delete ${CHILD}kubernetes:apps/v1:StatefulSet::customer-acme-rockets-cache: unknown resource type kubernetes:apps/v1:StatefulSet under a sas:index:CustomerSite`,
        `  - delete ${PROD}aws:s3/bucket:Bucket::customer-uploads: unknown resource type aws:s3/bucket:Bucket (neither under a sas:index:CustomerSite nor under a sas:platform:* component)`,
        "If a resource type is new, teach scripts/guard/classify.ts where it belongs (CustomerSite child or sas:platform:* component); if this is intended, re-run with --allow-mass-delete or SAS_ALLOW_MASS_DELETE=yes.",
      ]);
      const allowed = guard([fixture("delete-unknown-type.json"), "--allow-mass-delete"]);
      assert.equal(allowed.exitCode, 0);
      assert.deepEqual(allowed.err.slice(1, 4), [
        "!!! UNATTRIBUTED DELETES ALLOWED by --allow-mass-delete: 2 deleted or replaced resources the guard cannot attribute WILL GO:",
        `!!!   - delete ${CHILD}kubernetes:apps/v1:StatefulSet::customer-acme-rockets-cache: unknown resource type kubernetes:apps/v1:StatefulSet under a sas:index:CustomerSite`,
        `!!!   - delete ${PROD}aws:s3/bucket:Bucket::customer-uploads: unknown resource type aws:s3/bucket:Bucket (neither under a sas:index:CustomerSite nor under a sas:platform:* component)`,
      ]);
    });

    it("refuses unknown step ops and non-URNs, but judges nothing that only creates, updates or reads", () => {
      const statefulSet = `${CHILD}kubernetes:apps/v1:StatefulSet::customer-acme-rockets-cache`;
      const steps: ChangeStep[] = [
        { op: "create", urn: statefulSet, hasNewState: true },
        { op: "update", urn: `${PROD}aws:s3/bucket:Bucket::b`, hasNewState: true },
        { op: "discard", urn: "not-a-urn", hasNewState: false },
        { op: "delete", urn: "customer-acme-rockets-namespace", hasNewState: false },
        { op: "teleport", urn: ns("acme-rockets"), hasNewState: false },
      ];
      assert.deepEqual(assessSteps(steps), {
        customers: [],
        unattributed: [
          { op: "delete", urn: "customer-acme-rockets-namespace", reason: "not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)" },
          { op: "teleport", urn: ns("acme-rockets"), reason: 'unknown step op "teleport"' },
        ],
      });
    });

    it("derives the customer from the parent CustomerSite, the name customer-<id>-<role>, the namespace cust-<id> or the registry key", () => {
      const parent = `${COMPONENT}acme-rockets`;
      const cases: [string, ChangeStep, string][] = [
        ["parent only", { op: "delete", urn: `${CHILD}kubernetes:apps/v1:Deployment::renamed`, parent, hasNewState: false }, "acme-rockets"],
        ["name only", { op: "delete", urn: deployment("nile-analytics"), hasNewState: false }, "nile-analytics"],
        [
          "namespace only, top-level Namespace",
          { op: "delete", urn: `${PROD}kubernetes:core/v1:Namespace::tenant-ns`, hasNewState: false, state: { inputs: { metadata: { name: "cust-zephyr-labs" } } } },
          "zephyr-labs",
        ],
        [
          "namespace from a namespaced object's id",
          { op: "delete", urn: `${PROD}kubernetes:networking.k8s.io/v1:Ingress::web`, hasNewState: false, state: { id: "cust-muller-kaffee/welcome" } },
          "muller-kaffee",
        ],
        [
          "registry item key only",
          {
            op: "delete",
            urn: `${PROD}aws:dynamodb/tableItem:TableItem::profile`,
            hasNewState: false,
            state: { inputs: { item: JSON.stringify({ customerId: { S: "sakura-logistics" }, record: { S: "PROFILE" } }) } },
          },
          "sakura-logistics",
        ],
        ["registry item by name", { op: "delete", urn: `${CHILD}aws:dynamodb/tableItem:TableItem::customer-acme-rockets-registry-item`, parent, hasNewState: false }, "acme-rockets"],
      ];
      for (const [what, step, id] of cases) {
        assert.deepEqual(classify(step), { kind: "tenant-counted", customerId: id }, what);
      }
    });

    it("refuses a tenant-type resource it cannot attribute, or whose sources disagree; platform namespaces are platform", () => {
      assert.deepEqual(classify({ op: "delete", urn: `${PROD}kubernetes:core/v1:Namespace::monitoring`, hasNewState: false, state: { id: "monitoring" } }), {
        kind: "unattributed",
        reason:
          "kubernetes:core/v1:Namespace cannot be attributed to a customer (no parent sas:index:CustomerSite customer-<id>, name customer-<id>-namespace or namespace cust-<id>)",
      });
      assert.deepEqual(classify({ op: "delete", urn: ns("acme-rockets"), parent: `${COMPONENT}nile-analytics`, hasNewState: false }), {
        kind: "unattributed",
        reason: "kubernetes:core/v1:Namespace attributed to different customers (nile-analytics by parent, acme-rockets by name)",
      });
      assert.deepEqual(
        classify({ op: "delete", urn: `${PROD}sas:platform:IngressController$kubernetes:core/v1:Namespace::traefik-namespace`, hasNewState: false }),
        { kind: "platform" },
      );
      assert.deepEqual(classify({ op: "delete", urn: `${CHILD}kubernetes:core/v1:ConfigMap::customer-acme-rockets-configmap`, hasNewState: false }), {
        kind: "tenant-other",
      });
    });

    it("knows every resource the program declares in every stack: deleting all of it counts every customer and refuses nothing", async function () {
      this.timeout(120_000);
      const ids = loadCustomers(path.join(ROOT, "customers")).map((c) => c.id);
      for (const stack of STACKS) {
        const run = await runStack(stack, { preview: true });
        const deleteAll = {
          steps: run.resources.map((r) => ({ op: "delete", urn: r.urn, oldState: { urn: r.urn, type: r.type, parent: r.parent, inputs: r.inputs } })),
        };
        const assessment = assessPreview(deleteAll);
        assert.deepEqual(assessment.unattributed, [], stack);
        assert.deepEqual(assessment.customers.map((d) => d.customerId), ids, stack);
        assert.ok(assessment.customers.every((d) => d.urn.endsWith(`CustomerSite::customer-${d.customerId}`) && d.also === undefined), stack);
        // Without the components, every customer still counts through its own resources.
        const childrenOnly = { steps: deleteAll.steps.filter((s) => !s.urn.includes("CustomerSite::")) };
        assert.deepEqual(assessPreview(childrenOnly).customers.map((d) => d.customerId), ids, `${stack} (children only)`);
      }
    });
  });

  describe("per-stack limit", () => {
    it("names the variable after the stack", () => {
      assert.equal(stackLimitEnv("prod"), "SAS_MAX_CUSTOMER_DELETES_PROD");
      assert.equal(stackLimitEnv("eu-west.v2"), "SAS_MAX_CUSTOMER_DELETES_EU_WEST_V2");
    });

    it("prefers --max-deletes, then the stack's variable, then the general one; another stack's variable does not apply", () => {
      const three = fixture("delete-three.json");
      const perStack = guard([three], { SAS_MAX_CUSTOMER_DELETES_PROD: "3", SAS_MAX_CUSTOMER_DELETES: "1" });
      assert.equal(perStack.exitCode, 0);
      assert.equal(perStack.out[0], "guard: ok, 3 customers would be deleted, within the limit 3 for stack prod (from SAS_MAX_CUSTOMER_DELETES_PROD):");
      const flag = guard([three, "--max-deletes", "2"], { SAS_MAX_CUSTOMER_DELETES_PROD: "3" });
      assert.equal(flag.exitCode, 1);
      assert.equal(flag.err[0], "guard: refusing: 3 customers would be deleted, more than the limit 2 for stack prod (from --max-deletes):");
      const otherStack = guard([three], { SAS_MAX_CUSTOMER_DELETES_DEV: "10" });
      assert.equal(otherStack.exitCode, 1);
      assert.equal(otherStack.err[0], `guard: refusing: 3 customers would be deleted, more than the ${DEFAULT_LIMIT}:`);
    });

    it("rejects a bad per-stack value and a preview mixing stacks (exit 2)", () => {
      assert.deepEqual(guard([fixture("delete-one.json")], { SAS_MAX_CUSTOMER_DELETES_PROD: "many" }).err, [
        'guard: SAS_MAX_CUSTOMER_DELETES_PROD: expected a non-negative integer number of customers, got "many"',
      ]);
      const t = fs.mkdtempSync(path.join(os.tmpdir(), "sas-guard-"));
      try {
        const file = path.join(t, "mixed.json");
        fs.writeFileSync(file, JSON.stringify({ steps: [{ op: "delete", urn: `${COMPONENT}a` }, { op: "delete", urn: "urn:pulumi:dev::sas-onboarding::sas:index:CustomerSite::customer-b" }] }));
        const run = guard([file]);
        assert.equal(run.exitCode, 2);
        assert.deepEqual(run.err, [
          `guard: ${file}: the steps belong to 2 stacks (dev, prod); run the guard on one stack's preview at a time, each against its own limit`,
        ]);
      } finally {
        fs.rmSync(t, { recursive: true, force: true });
      }
    });
  });

  describe("--total: a sharded environment's stacks judged together", () => {
    let dir: string;
    const preview = (stack: string, deleted: string[]) => {
      const file = path.join(dir, `${stack}.json`);
      fs.writeFileSync(file, JSON.stringify({ steps: deleted.map((id) => ({ op: "delete", urn: `urn:pulumi:${stack}::sas-onboarding::sas:index:CustomerSite::customer-${id}` })) }));
      return file;
    };
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-guard-total-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("each shard within its own limit, the sum over the environment's limit: refused, naming every customer", () => {
      const a = preview("prod-shard-00", ["a1", "a2"]);
      const b = preview("prod-shard-01", ["b1"]);
      const empty = preview("prod", []);
      assert.equal(guard([a]).exitCode, 0);
      assert.equal(guard([a]).out[0], "guard: ok, 2 customers would be deleted, within the limit 2 for stack prod-shard-00 (default; set --max-deletes, SAS_MAX_CUSTOMER_DELETES_PROD_SHARD_00 or SAS_MAX_CUSTOMER_DELETES):");
      assert.equal(guard([b]).exitCode, 0);
      const total = guard(["--total", empty, a, b]);
      assert.equal(total.exitCode, 1);
      assert.equal(total.err[0], "guard: refusing: 3 customers would be deleted, more than the limit 2 for environment prod in total over 3 stacks (default; set --max-deletes, SAS_MAX_CUSTOMER_DELETES_PROD or SAS_MAX_CUSTOMER_DELETES):");
      assert.deepEqual(total.err.slice(1, 4).map((l) => l.split(" (stack ")[0]), ["  - a1", "  - a2", "  - b1"]);
      assert.match(total.err[2], /\(stack prod-shard-00, delete /);
      assert.match(total.err[3], /\(stack prod-shard-01, delete /);
    });

    it("takes the environment's own limit, and the override, as a single stack does", () => {
      const files = [preview("dev-shard-02", ["x", "y"]), preview("dev-shard-03", ["z"])];
      const raised = guard(["--total", ...files], { SAS_MAX_CUSTOMER_DELETES_DEV: "3", SAS_MAX_CUSTOMER_DELETES_DEV_SHARD_02: "0" });
      assert.equal(raised.exitCode, 0);
      assert.equal(raised.out[0], "guard: ok, 3 customers would be deleted, within the limit 3 for environment dev in total over 2 stacks (from SAS_MAX_CUSTOMER_DELETES_DEV):");
      assert.equal(guard(["--total", ...files], { SAS_ALLOW_MASS_DELETE: "yes" }).exitCode, 0);
      assert.equal(guard(["--total", ...files, "--max-deletes", "2"]).exitCode, 1);
    });

    it("refuses previews of two environments, stdin, and several files without --total (exit 2)", () => {
      const mixed = guard(["--total", preview("dev-shard-00", ["a"]), preview("prod-shard-00", ["b"])]);
      assert.deepEqual([mixed.exitCode, mixed.err], [2, ["guard: the previews belong to 2 environments (dev, prod); --total judges one environment's stacks together"]]);
      assert.equal(guard(["--total", "-"]).exitCode, 2);
      const two = guard([preview("dev-shard-00", []), preview("dev-shard-01", [])]);
      assert.equal(two.exitCode, 2);
      assert.match(two.err[0], /expected one preview file, got 2: .*\n\(--total judges several stacks' previews together\)/);
    });
  });

  describe("bad input", () => {
    it("names the file, line and column of a truncated preview", () => {
      const text = fs.readFileSync(path.join(ROOT, fixture("truncated.json")), "utf8");
      const end = lineColumn(text, text.length);
      const run = guard([fixture("truncated.json")]);
      assert.equal(run.exitCode, 2);
      assert.deepEqual(run.err, [
        `guard: ${fixture("truncated.json")}:${end.line}:${end.column}: not valid JSON: unexpected end of input inside a string (line ${end.line}, column ${end.column}); produce it with \`pulumi preview --json --stack <stack> > preview.json\` (or \`--event-log preview-events.jsonl\`) (with --json nothing else is printed to stdout)`,
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
        `guard: ${fixture("stack-export.json")}: not a "pulumi preview --json" document: top-level "steps" is missing (found keys: version, deployment); produce it with \`pulumi preview --json --stack <stack> > preview.json\` (or \`--event-log preview-events.jsonl\`)`,
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
        "guard: does-not-exist.json: file not found; produce it with `pulumi preview --json --stack <stack> > preview.json` (or `--event-log preview-events.jsonl`)",
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
        SAS_MAX_CUSTOMER_DELETES_PROD: "",
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

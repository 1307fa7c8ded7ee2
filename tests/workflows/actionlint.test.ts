// Every GitHub Actions workflow is lint-clean under actionlint (with shellcheck on `run:` blocks), and the delivery
// rules the lint cannot know hold: SHA-pinned actions, least permissions, dev -> stage -> prod promotion, one
// never-cancelled queue per stack, OIDC instead of keys, secrets only through step env and per environment (each
// stack's passphrase only in the steps that run Pulumi; prod's never in a pull request). A deliberately broken
// workflow proves the lint can fail.
import { requireRealPart } from "../harness/real-part";
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ingressControllerSchema, ingressSchema } from "../../stacks/settings";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOW_DIR = path.join(ROOT, ".github/workflows");
const workflowFiles = fs.existsSync(WORKFLOW_DIR)
    ? fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()
    : [];

/* eslint-disable @typescript-eslint/no-explicit-any -- workflow YAML is untyped data; assertions check its shape */
type Workflow = Record<string, any>;
type Job = Record<string, any>;
type Step = Record<string, any>;

function load(file: string): Workflow {
    return parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8"));
}
const jobsOf = (wf: Workflow): [string, Job][] => Object.entries(wf.jobs ?? {});
const stepsOf = (job: Job): Step[] => job.steps ?? [];
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : [job.needs].flat());

interface Finding {
    message: string;
    filepath: string;
    line: number;
    column: number;
    kind: string;
}

function onPath(bin: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

function runActionlint(bin: string, cwd: string, files: string[]): Finding[] {
    const res = spawnSync(bin, ["-no-color", "-format", "{{json .}}", ...files], { cwd, encoding: "utf8" });
    if (res.status !== 0 && res.status !== 1) {
        throw new Error(`actionlint failed to run (exit ${res.status}): ${res.stderr}`);
    }
    return JSON.parse(res.stdout || "[]") as Finding[];
}

describe("GitHub Actions workflows: actionlint", function () {
    this.timeout(600_000);
    let actionlint = "";

    before(function () {
        requireRealPart(this, onPath("go") ? undefined : "the Go toolchain (go), needed to build actionlint: https://go.dev/dl");
        // Builds github.com/rhysd/actionlint/cmd/actionlint once per version into the user cache; prints its path.
        actionlint = execFileSync("bash", [path.join(ROOT, "tests/harness/build/build-actionlint.sh")], {
            cwd: ROOT,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        }).trim();
        assert.ok(fs.existsSync(actionlint), `tests/harness/build/build-actionlint.sh printed "${actionlint}", which does not exist`);
    });

    it("has the delivery and intake workflows", function () {
        for (const f of ["pr.yml", "deploy.yml", "destroy.yml", "e2e.yml", "intake.yml"]) assert.ok(workflowFiles.includes(f), `.github/workflows/${f} is missing`);
    });

    it("reports zero findings on every workflow", function () {
        const files = workflowFiles.map((f) => path.join(".github/workflows", f));
        const findings = runActionlint(actionlint, ROOT, files);
        assert.deepEqual(
            findings.map((f) => `${f.filepath}:${f.line}:${f.column}: [${f.kind}] ${f.message}`),
            [],
        );
    });

    it("has shellcheck on PATH, so actionlint also checks every run: block", function () {
        requireRealPart(this, onPath("shellcheck") ? undefined : "shellcheck is not on PATH, so actionlint skips run: blocks: apt-get install -y shellcheck");
        assert.equal(spawnSync("shellcheck", ["--version"]).status, 0);
    });

    it("finds the faults in a deliberately broken workflow (the check can fail)", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-actionlint-neg-"));
        try {
            fs.mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
            const broken = [
                "name: broken",
                "on:",
                "  push:",
                "jobs:",
                "  a:",
                "    runs-on: ubuntu-24.04",
                "    needs: does-not-exist",
                "    steps:",
                '      - run: echo "${{ github.event.pull_request.title }}"',
                "      - run: rm -rf $BUILD_DIR/*",
                "",
            ].join("\n");
            fs.writeFileSync(path.join(dir, ".github/workflows/broken.yml"), broken);
            const kinds = runActionlint(actionlint, dir, [".github/workflows/broken.yml"]).map((f) => `${f.line}:${f.kind}`);
            assert.ok(kinds.includes("5:job-needs"), `expected the unknown needs of job "a" (line 5), got ${kinds.join(", ")}`);
            assert.ok(kinds.includes("9:expression"), `expected the untrusted-input injection on line 9, got ${kinds.join(", ")}`);
            if (onPath("shellcheck")) assert.ok(kinds.includes("10:shellcheck"), `expected shellcheck on line 10, got ${kinds.join(", ")}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("GitHub Actions workflows: delivery rules", function () {
    const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;

    it("pins every third-party action to a full commit SHA with its version in a comment, one SHA per action", function () {
        const shaByAction = new Map<string, string>();
        let count = 0;
        for (const file of workflowFiles) {
            const wf = load(file);
            const lines = fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8").split("\n");
            for (const [jobName, job] of jobsOf(wf)) {
                const uses = [job.uses, ...stepsOf(job).map((s) => s.uses)].filter((u): u is string => typeof u === "string");
                for (const u of uses) {
                    count++;
                    assert.match(u, SHA_PIN, `${file} job ${jobName}: "uses: ${u}" must be owner/repo@<40-hex commit SHA>`);
                    const line = lines.find((l) => l.includes(`uses: ${u}`));
                    assert.match(line ?? "", /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: "${u}" needs a "# vX.Y.Z" comment naming the pinned version`);
                    const [action, sha] = u.split("@");
                    assert.equal(shaByAction.get(action) ?? sha, sha, `${action} is pinned to two different SHAs`);
                    shaByAction.set(action, sha);
                }
            }
        }
        assert.ok(count >= 20, `expected the workflows to use actions, found ${count} uses:`);
    });

    it("grants nothing at the top and declares least permissions on every job", function () {
        for (const file of workflowFiles) {
            const wf = load(file);
            assert.deepEqual(wf.permissions, {}, `${file}: top-level permissions must be {} (each job asks for its own)`);
            for (const [name, job] of jobsOf(wf)) {
                assert.ok(job.permissions !== undefined, `${file} job ${name}: declare permissions`);
                const perms = job.permissions as Record<string, string>;
                assert.equal(typeof perms, "object", `${file} job ${name}: permissions must be a map, not "${perms}"`);
                // Writing the repository is intake's job alone: it pushes one onboard/<id> branch per customer.
                const publishes = stepsOf(job).some((s) => /npm run (--silent )?intake -- publish/.test(String(s.run ?? "")));
                for (const [scope, level] of Object.entries(perms)) {
                    if (level === "write") {
                        const allowed = ["id-token", "pull-requests", ...(publishes ? ["contents"] : [])];
                        assert.ok(allowed.includes(scope), `${file} job ${name}: ${scope}: write is more than it needs`);
                    }
                }
                const usesAws = stepsOf(job).some((s) => String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
                assert.equal(perms["id-token"] === "write", usesAws, `${file} job ${name}: id-token: write exactly when it assumes an AWS role`);
                if (perms["pull-requests"] === "write") {
                    assert.ok(
                        publishes || stepsOf(job).some((s) => s.with?.["comment-on-pr"] === true),
                        `${file} job ${name}: pull-requests: write without a PR comment or an intake publish`,
                    );
                }
            }
        }
    });

    it("uses AWS by OIDC role assumption only, and secrets only through env (never spliced into a script)", function () {
        for (const file of workflowFiles) {
            const wf = load(file);
            for (const [name, job] of jobsOf(wf)) {
                for (const step of stepsOf(job)) {
                    if (String(step.uses ?? "").startsWith("aws-actions/configure-aws-credentials@")) {
                        assert.match(String(step.with?.["role-to-assume"]), /^\$\{\{ vars\.[A-Z_]+ \}\}$/, `${file} job ${name}: role-to-assume from a variable`);
                        for (const key of ["aws-access-key-id", "aws-secret-access-key"]) {
                            assert.equal(step.with?.[key], undefined, `${file} job ${name}: no long-lived ${key}`);
                        }
                    }
                    if (typeof step.run === "string") {
                        assert.doesNotMatch(step.run, /\$\{\{\s*secrets\./, `${file} job ${name}: pass secrets to run: scripts through env`);
                        assert.doesNotMatch(step.run, /\$\{\{\s*(inputs|github\.event)\./, `${file} job ${name}: pass inputs to run: scripts through env`);
                    }
                }
            }
        }
    });

    describe("secrets by environment", function () {
        const PASSPHRASE = "PULUMI_CONFIG_PASSPHRASE";
        const SECRET_REF = /\$\{\{[^}]*\b(secrets\.|secrets\[|github\.token)/;
        /** A step that runs the Pulumi CLI against a stack (and so needs that stack's passphrase). */
        const runsPulumi = (step: Step): boolean =>
            (String(step.uses ?? "").startsWith("pulumi/actions@") && step.with?.command !== undefined) ||
            /\bpulumi (preview|up|destroy|refresh|stack|cancel|state|config)\b/.test(String(step.run ?? "")) ||
            // verify reads the stack's outputs with `pulumi stack output --show-secrets`.
            /\bnpm run verify\b/.test(String(step.run ?? ""));
        const jobEnvironment = (job: Job): string => String(job.environment?.name ?? job.environment ?? "");

        it("puts no secret in workflow- or job-level env (every step, npm ci's lifecycle scripts included, would see it)", function () {
            for (const file of workflowFiles) {
                const wf = load(file);
                for (const [key, value] of Object.entries(wf.env ?? {})) {
                    assert.doesNotMatch(String(value), SECRET_REF, `${file}: workflow env ${key} holds a secret; pass it to the one step that needs it`);
                    assert.notEqual(key, PASSPHRASE, `${file}: workflow env ${key}`);
                }
                for (const [name, job] of jobsOf(wf)) {
                    for (const [key, value] of Object.entries(job.env ?? {})) {
                        assert.doesNotMatch(String(value), SECRET_REF, `${file} job ${name}: job env ${key} holds a secret; pass it to the one step that needs it`);
                        assert.notEqual(key, PASSPHRASE, `${file} job ${name}: ${PASSPHRASE} belongs in the env of the steps that run pulumi`);
                    }
                    for (const step of stepsOf(job).filter((s) => /^\s*npm ci\s*$/.test(String(s.run ?? "")))) {
                        assert.equal(step.env, undefined, `${file} job ${name}: npm ci runs dependencies' lifecycle scripts; give it no env`);
                    }
                }
            }
        });

        it("gives PULUMI_CONFIG_PASSPHRASE exactly to the steps that run pulumi", function () {
            let steps = 0;
            for (const file of workflowFiles) {
                for (const [name, job] of jobsOf(load(file))) {
                    for (const step of stepsOf(job)) {
                        const has = step.env?.[PASSPHRASE] !== undefined;
                        const label = `${file} job ${name} step "${step.name ?? step.run ?? step.uses}"`;
                        assert.equal(has, runsPulumi(step), has ? `${label}: runs no pulumi command, so no passphrase` : `${label}: runs pulumi without ${PASSPHRASE}`);
                        if (has) steps++;
                        // Only the throwaway e2e stack (a file backend that dies with the job) may use a literal.
                        if (has && file !== "e2e.yml") assert.match(String(step.env[PASSPHRASE]), /secrets\.PULUMI_CONFIG_PASSPHRASE_(DEV|STAGE|PROD)\b/, label);
                    }
                }
            }
            assert.ok(steps >= 15, `only ${steps} steps get a passphrase`);
        });

        it("deploy.yml: each stage decrypts only its own stack; prod's passphrase only in jobs of the production environment", function () {
            const jobs = load("deploy.yml").jobs;
            for (const [job, env] of [["dev", "DEV"], ["stage", "STAGE"], ["prod", "PROD"]]) {
                const refs = JSON.stringify(jobs[job]).match(/PULUMI_CONFIG_PASSPHRASE_[A-Z]+/g) ?? [];
                assert.ok(refs.length >= 3, `${job}: guard, up and verify need the passphrase`);
                assert.deepEqual([...new Set(refs)], [`PULUMI_CONFIG_PASSPHRASE_${env}`], `deploy.yml job ${job}`);
            }
            for (const file of workflowFiles) {
                for (const [name, job] of jobsOf(load(file))) {
                    if (JSON.stringify(job).includes("PULUMI_CONFIG_PASSPHRASE_PROD")) {
                        assert.match(jobEnvironment(job), /production/, `${file} job ${name}: prod's passphrase is an environment secret of production`);
                    }
                }
            }
        });

        it("pr.yml never references the prod passphrase, nor a repository-wide one, and previews only non-prod stacks", function () {
            const text = fs.readFileSync(path.join(WORKFLOW_DIR, "pr.yml"), "utf8");
            assert.doesNotMatch(text, /PULUMI_CONFIG_PASSPHRASE_PROD/);
            assert.doesNotMatch(text, /secrets\.PULUMI_CONFIG_PASSPHRASE\b(?!_)/, "the old repository-wide passphrase also decrypts prod");
            assert.doesNotMatch(text, /secrets\[/, "a computed secret name could resolve to prod's");
            const refs = [...new Set(text.match(/secrets\.[A-Z_]+/g) ?? [])].sort();
            assert.deepEqual(refs, ["secrets.PULUMI_CONFIG_PASSPHRASE_DEV", "secrets.PULUMI_CONFIG_PASSPHRASE_STAGE"]);
            assert.ok(!load("pr.yml").jobs.preview.strategy.matrix.stack.includes("prod"));
        });
    });

    it("sets up Node 24 wherever Node is set up", function () {
        for (const file of workflowFiles) {
            const wf = load(file);
            for (const [name, job] of jobsOf(wf)) {
                for (const step of stepsOf(job).filter((s) => String(s.uses ?? "").startsWith("actions/setup-node@"))) {
                    const v = String(step.with?.["node-version"]);
                    const resolved = v === "${{ env.NODE_VERSION }}" ? String(job.env?.NODE_VERSION ?? wf.env?.NODE_VERSION) : v;
                    assert.equal(resolved, "24", `${file} job ${name}: node-version must be 24`);
                }
            }
        }
    });

    it("runs every pulumi preview and up with the mandatory policy pack and its committed config", function () {
        let checked = 0;
        for (const file of workflowFiles) {
            for (const [name, job] of jobsOf(load(file))) {
                for (const step of stepsOf(job)) {
                    const command = String(step.with?.command ?? "");
                    if (String(step.uses ?? "").startsWith("pulumi/actions@") && ["up", "preview"].includes(command)) {
                        assert.equal(step.with.policyPacks, "policy", `${file} job ${name}: ${command} without policyPacks`);
                        assert.equal(step.with.policyPackConfigs, "policy/config.json", `${file} job ${name}`);
                        checked++;
                    }
                    for (const line of String(step.run ?? "").split("\n").filter((l) => /\bpulumi (up|preview)\b/.test(l))) {
                        assert.match(line, /--policy-pack policy --policy-pack-config policy\/config\.json/, `${file} job ${name}: ${line.trim()}`);
                        checked++;
                    }
                }
            }
        }
        assert.ok(checked >= 8, `only ${checked} pulumi preview/up invocations found`);
    });

    describe("deploy.yml", function () {
        const wf = () => load("deploy.yml");
        const STACKS: Array<[string, string, string | undefined]> = [
            ["dev", "dev", undefined],
            ["stage", "stage", "dev"],
            ["prod", "production", "stage"],
        ];

        it("runs on push to main only", function () {
            assert.deepEqual(Object.keys(wf().on), ["push"]);
            assert.deepEqual(wf().on.push.branches, ["main"]);
        });

        it("promotes dev -> stage -> prod through needs, prod in environment production", function () {
            const jobs = wf().jobs;
            assert.deepEqual(Object.keys(jobs).sort(), ["dev", "prod", "stage"]);
            for (const [stack, environment, previous] of STACKS) {
                assert.deepEqual(needsOf(jobs[stack]), previous ? [previous] : [], `${stack} must need exactly the previous stage`);
                assert.equal(jobs[stack].environment?.name ?? jobs[stack].environment, environment);
                assert.equal(jobs[stack].if, undefined, `${stack}: no if: a failure before it must stop the promotion`);
            }
        });

        it("has one never-cancelled concurrency group per stack", function () {
            const groups = STACKS.map(([stack]) => wf().jobs[stack].concurrency);
            for (const [i, [stack]] of STACKS.entries()) {
                assert.equal(groups[i].group, `pulumi-stack-${stack}`);
                assert.equal(groups[i]["cancel-in-progress"], false);
            }
            assert.equal(wf().concurrency, undefined, "a workflow-level group would serialise all stacks together");
        });

        it("guards, then runs pulumi up, then verifies, for each stack in its own job", function () {
            for (const [stack] of STACKS) {
                const steps = stepsOf(wf().jobs[stack]);
                const guard = steps.findIndex((s) => /npm run guard -- preview\.json/.test(s.run ?? ""));
                const up = steps.findIndex((s) => String(s.uses ?? "").startsWith("pulumi/actions@") && s.with?.command === "up");
                const verify = steps.findIndex((s) => /npm run verify -- --stack "\$STACK"/.test(s.run ?? ""));
                assert.ok(guard >= 0 && up > guard && verify > up, `${stack}: expected guard < up < verify, got ${guard}, ${up}, ${verify}`);
                assert.equal(steps[up].with["stack-name"], stack);
                assert.equal(steps[up].with["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
                assert.equal(wf().jobs[stack].env.STACK, stack);
                for (const s of steps) assert.notEqual(s["continue-on-error"], true, `${stack}: continue-on-error would let a failure promote`);
            }
        });
    });

    describe("destroy.yml", function () {
        const wf = () => load("destroy.yml");

        it("is manual, with a stack choice and typed confirmations", function () {
            const inputs = wf().on.workflow_dispatch.inputs;
            assert.deepEqual(Object.keys(wf().on), ["workflow_dispatch"]);
            assert.deepEqual(inputs.stack.options, ["dev", "stage", "prod"]);
            assert.equal(inputs.confirm.required, true);
            const check = stepsOf(wf().jobs.confirm).map((s) => s.run ?? "").join("\n");
            assert.match(check, /"\$CONFIRM" != "\$STACK"/);
            assert.match(check, /"\$STACK" = "prod" \] && \[ "\$CONFIRM_PROD" != "destroy production"/);
            assert.deepEqual(needsOf(wf().jobs.destroy), ["confirm"]);
        });

        it("keeps protected resources, shares the stack's queue, and needs production approval for prod", function () {
            const job = wf().jobs.destroy;
            const step = stepsOf(job).find((s) => String(s.uses ?? "").startsWith("pulumi/actions@") && s.with?.command === "destroy");
            assert.ok(step, "a pulumi/actions destroy step");
            assert.equal(step.with["exclude-protected"], true);
            assert.deepEqual(job.concurrency, { group: "pulumi-stack-${{ inputs.stack }}", "cancel-in-progress": false });
            assert.equal(job.environment.name, "${{ inputs.stack == 'prod' && 'production' || inputs.stack }}");
        });
    });

    describe("pr.yml", function () {
        const wf = () => load("pr.yml");

        it("tests, renders every stack with artifacts, and previews each deployed stack with an edited PR comment", function () {
            assert.deepEqual(Object.keys(wf().on), ["pull_request"]);
            // The job runs what CI runs on a clean clone (one list of packages and builds), privileged for the real node.
            assert.ok(stepsOf(wf().jobs.test).some((s) => s.run === "bash .ci/run"));
            assert.equal(wf().jobs.test.container.options, "--privileged");
            const ciRun = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8").trim().split("\n");
            assert.ok(ciRun.includes("npm ci --no-audit --no-fund --loglevel=error"));
            assert.equal(ciRun[ciRun.length - 1], "npm test");
            assert.deepEqual(wf().jobs.render.strategy.matrix.stack, ["local", "sandbox", "dev", "stage", "prod"]);
            const upload = stepsOf(wf().jobs.render).find((s) => String(s.uses ?? "").startsWith("actions/upload-artifact@"));
            assert.equal(upload?.with.path, "out/${{ matrix.stack }}/");
            const preview = wf().jobs.preview;
            // Not prod: its passphrase never reaches a pull request (deploy.yml previews and guards prod before up).
            assert.deepEqual(preview.strategy.matrix.stack, ["dev", "stage"]);
            const action = stepsOf(preview).find((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
            assert.deepEqual(
                [action?.with.command, action?.with["comment-on-pr"], action?.with["edit-pr-comment"], action?.with["cloud-url"]],
                ["preview", true, true, "${{ vars.PULUMI_BACKEND_URL }}"],
            );
            const guard = stepsOf(preview).find((s) => /npm run guard -- preview\.json/.test(s.run ?? ""));
            assert.match(guard?.run ?? "", /pulumi preview --stack "\$STACK" --json .*> preview\.json/);
        });
    });

    describe("e2e.yml", function () {
        const wf = () => load("e2e.yml");

        it("runs on a schedule and on demand: kind + Traefik + DynamoDB Local, up, verify, destroy", function () {
            assert.deepEqual(Object.keys(wf().on).sort(), ["schedule", "workflow_dispatch"]);
            const job = wf().jobs.e2e;
            assert.match(job.services.dynamodb.image, /^amazon\/dynamodb-local:\d+\.\d+\.\d+$/);
            const steps = stepsOf(job);
            const at = (re: RegExp) => steps.findIndex((s) => re.test(`${s.uses ?? ""} ${s.run ?? ""}`));
            const kind = at(/^helm\/kind-action@/);
            const ingress = at(/helm upgrade --install traefik traefik\/traefik --version "\$TRAEFIK_CHART_VERSION"/);
            const up = at(/pulumi up --stack "\$STACK"/);
            const verify = at(/npm run verify -- --stack "\$STACK"/);
            const destroy = at(/pulumi destroy --stack "\$STACK"/);
            assert.ok(kind >= 0 && ingress > kind && up > ingress && verify > up && destroy > verify, `order ${[kind, ingress, up, verify, destroy]}`);
            assert.equal(steps[destroy].if, "always()");
            assert.equal(job.env.STACK, "local");
        });

        it("installs the Traefik chart the EKS stacks pin, in the namespace and class the local stack expects", function () {
            assert.equal(wf().env.TRAEFIK_CHART_VERSION, ingressControllerSchema.parse({}).chartVersion);
            const run = stepsOf(wf().jobs.e2e).find((s) => /helm upgrade --install traefik/.test(s.run ?? ""))?.run ?? "";
            assert.match(run, /--namespace traefik /);
            assert.match(run, /--set ingressClass\.name=traefik /);
            assert.equal(ingressControllerSchema.parse({}).namespace, "traefik");
            assert.equal(ingressSchema.parse({}).className, "traefik");
            assert.doesNotMatch(fs.readFileSync(path.join(ROOT, ".github/workflows/e2e.yml"), "utf8"), /ingress-nginx/i);
        });
    });
});

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
            /\bnpm run verify\b/.test(String(step.run ?? "")) ||
            // resharding runs `pulumi stack export` and `pulumi state move` on the environment's stacks.
            /\bnpm run shards -- move .*--apply\b/.test(String(step.run ?? ""));
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
            assert.ok(steps >= 25, `only ${steps} steps get a passphrase`);
        });

        it("deploy.yml: each environment's jobs decrypt only its own stacks; prod's passphrase only in jobs of the production environment", function () {
            const jobs = load("deploy.yml").jobs;
            for (const [env, secret] of [["dev", "DEV"], ["stage", "STAGE"], ["prod", "PROD"]]) {
                const refs = Object.entries(jobs)
                    .filter(([name]) => name.startsWith(`${env}-`))
                    .flatMap(([, job]) => JSON.stringify(job).match(/PULUMI_CONFIG_PASSPHRASE_[A-Z]+/g) ?? []);
                assert.ok(refs.length >= 5, `${env}: move, guards, ups and verify need the passphrase`);
                assert.deepEqual([...new Set(refs)], [`PULUMI_CONFIG_PASSPHRASE_${secret}`], `deploy.yml ${env}-* jobs`);
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
            // The previews' matrices come from the affected job, which looks at dev and stage only.
            const affected = stepsOf(load("pr.yml").jobs.affected).map((st) => String(st.run ?? "")).join("\n");
            assert.match(affected, /for env in dev stage; do/);
            assert.doesNotMatch(affected, /\bprod\b/);
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
        const ENVS: Array<[string, string, string | undefined]> = [
            ["dev", "dev", undefined],
            ["stage", "stage", "dev"],
            ["prod", "production", "stage"],
        ];
        const PHASES = ["platform", "preview", "guard", "up", "done"];

        it("runs on push to main only", function () {
            assert.deepEqual(Object.keys(wf().on), ["push"]);
            assert.deepEqual(wf().on.push.branches, ["main"]);
        });

        it("first works out the stacks the push touches and checks the shard budgets; every job of an environment follows its platform", function () {
            const jobs = wf().jobs;
            assert.deepEqual(Object.keys(jobs).sort(), ["affected", ...ENVS.flatMap(([env]) => PHASES.map((p) => `${env}-${p}`))].sort());
            const steps = stepsOf(jobs.affected).map((st) => String(st.run ?? ""));
            assert.ok(steps.includes("npm run shards -- check"), "the budget check");
            const affected = steps.find((r) => r.includes("shards -- affected"))!;
            assert.match(affected, /for env in dev stage prod; do/);
            assert.match(affected, /npm run -s shards -- affected --stack "\$env" --base "\$BEFORE" --json/);
            assert.equal(stepsOf(jobs.affected).find((st) => String(st.run ?? "").includes("shards -- affected"))!.env.BEFORE, "${{ github.event.before }}");
            assert.equal(stepsOf(jobs.affected)[0].with["fetch-depth"], 0);
            for (const [env] of ENVS) {
                assert.deepEqual(needsOf(jobs[`${env}-guard`]), [`${env}-preview`]);
                assert.deepEqual(needsOf(jobs[`${env}-up`]), [`${env}-guard`]);
                assert.ok(needsOf(jobs[`${env}-preview`]).includes(`${env}-platform`), `${env}: shards after the platform`);
                assert.match(jobs[`${env}-preview`].if, new RegExp(`needs\\.${env}-platform\\.result == 'success' \\|\\| needs\\.${env}-platform\\.result == 'skipped'`));
                assert.deepEqual(needsOf(jobs[`${env}-done`]), ["affected", ...PHASES.slice(0, 4).map((p) => `${env}-${p}`)]);
                assert.equal(jobs[`${env}-done`].if, "${{ always() }}");
                assert.deepEqual(jobs[`${env}-done`].permissions, { actions: "read" });
            }
        });

        it("promotes dev -> stage -> prod shard by shard: the next environment's shards are the ones whose twin succeeded", function () {
            const jobs = wf().jobs;
            for (const [env, environment, previous] of ENVS) {
                for (const phase of ["platform", "preview", "up"]) assert.equal(jobs[`${env}-${phase}`].environment?.name ?? jobs[`${env}-${phase}`].environment, environment, `${env}-${phase}`);
                const matrix = jobs[`${env}-preview`].strategy.matrix.stack;
                if (previous) {
                    assert.deepEqual(needsOf(jobs[`${env}-platform`]), ["affected", `${previous}-done`]);
                    assert.match(jobs[`${env}-platform`].if, new RegExp(`needs\\.${previous}-done\\.outputs\\.platform_ok == 'true'`));
                    assert.equal(matrix, `\${{ fromJSON(needs.${previous}-done.outputs.next_shards) }}`);
                } else {
                    assert.deepEqual(needsOf(jobs[`${env}-platform`]), ["affected"]);
                    assert.equal(matrix, "${{ fromJSON(needs.affected.outputs.dev_shards) }}");
                }
                assert.equal(jobs[`${env}-up`].strategy.matrix.stack, `\${{ fromJSON(needs.${env}-guard.outputs.shards) }}`);
                for (const phase of ["preview", "up"]) assert.equal(jobs[`${env}-${phase}`].strategy["fail-fast"], false, `${env}-${phase}: one shard's failure stops that shard only`);
                for (const [name, job] of jobsOf(wf())) for (const st of stepsOf(job)) assert.notEqual(st["continue-on-error"], true, `${name}: continue-on-error would let a failure promote`);
            }
        });

        it("has one never-cancelled concurrency group per stack: the platform's per environment, one per shard stack", function () {
            const jobs = wf().jobs;
            for (const [env] of ENVS) {
                assert.deepEqual(jobs[`${env}-platform`].concurrency, { group: `pulumi-stack-${env}`, "cancel-in-progress": false });
                assert.deepEqual(jobs[`${env}-up`].concurrency, { group: "pulumi-stack-${{ matrix.stack }}", "cancel-in-progress": false });
            }
            assert.equal(wf().concurrency, undefined, "a workflow-level group would serialise all stacks together");
        });

        it("platform: resharding moves, then its guard, then its up; shards: each guarded alone, then all together, then up and verify", function () {
            const jobs = wf().jobs;
            const index = (steps: Step[], f: (st: Step) => boolean) => steps.findIndex(f);
            const isUp = (st: Step) => String(st.uses ?? "").startsWith("pulumi/actions@") && st.with?.command === "up";
            for (const [env] of ENVS) {
                const platform = stepsOf(jobs[`${env}-platform`]);
                const move = index(platform, (st) => /^npm run shards -- move --stack "\$STACK" --apply$/.test(st.run ?? ""));
                const guard = index(platform, (st) => /npm run guard -- preview\.json/.test(st.run ?? ""));
                const up = index(platform, isUp);
                assert.ok(move >= 0 && guard > move && up > guard, `${env}-platform: expected move < guard < up, got ${move}, ${guard}, ${up}`);
                assert.equal(platform[move].if, `needs.affected.outputs.${env}_all == 'true'`);
                assert.equal(platform[up].with["stack-name"], env);
                assert.equal(jobs[`${env}-platform`].env.STACK, env);

                const preview = stepsOf(jobs[`${env}-preview`]);
                const own = index(preview, (st) => /pulumi preview --stack "\$STACK" --json .*> "preview-\$STACK\.json"\n\s*npm run guard -- "preview-\$STACK\.json"/.test(st.run ?? ""));
                assert.ok(own >= 0 && String(preview[own + 1]?.uses ?? "").startsWith("actions/upload-artifact@"), `${env}-preview: guard, then upload the preview`);
                assert.equal(preview[own + 1].with.name, "preview-${{ matrix.stack }}");

                const total = stepsOf(jobs[`${env}-guard`]);
                assert.equal(total.find((st) => String(st.uses ?? "").startsWith("actions/download-artifact@"))?.with.pattern, `preview-${env}-shard-*`);
                assert.match(total.find((st) => st.id === "total")?.run ?? "", /npm run guard -- --total "\$\{files\[@\]\}"/);

                const shard = stepsOf(jobs[`${env}-up`]);
                const shardUp = index(shard, isUp);
                const verify = index(shard, (st) => /npm run verify -- --stack "\$ENVIRONMENT" --shard "\$STACK"/.test(st.run ?? ""));
                const marks = shard.filter((st) => /npm run status -- mark --stack "\$ENVIRONMENT" --shard "\$STACK"/.test(st.run ?? ""));
                assert.ok(shardUp >= 0 && verify > shardUp, `${env}-up: up < verify`);
                assert.equal(marks.length, 3, `${env}-up: deployed, live and failed marks for the shard's customers`);
                assert.equal(shard[shardUp].with["stack-name"], "${{ matrix.stack }}");
                assert.equal(shard[shardUp].with["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
            }
        });

        it("the promotion report hands on exactly the shards whose twin succeeded, and names the failed ones", function () {
            requireRealPart(this, onPath("jq") ? undefined : "jq, which the workflow's report step runs");
            const step = stepsOf(wf().jobs["dev-done"]).find((st) => st.id === "report")!;
            const t = fs.mkdtempSync(path.join(os.tmpdir(), "sas-promote-"));
            try {
                // A stand-in for `gh api .../jobs --jq ...`: the names of the successful "dev up + verify" legs.
                fs.writeFileSync(path.join(t, "gh"), '#!/bin/sh\nprintf "%s\\n" $SUCCEEDED\n', { mode: 0o755 });
                const run = (env: Record<string, string>) => {
                    const files = { GITHUB_OUTPUT: path.join(t, "out"), GITHUB_STEP_SUMMARY: path.join(t, "summary") };
                    for (const f of Object.values(files)) fs.writeFileSync(f, "");
                    const res = spawnSync("bash", ["-eo", "pipefail", "-c", step.run], {
                        encoding: "utf8",
                        env: { ...process.env, ...files, PATH: `${t}:${process.env.PATH}`, GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "1", GITHUB_RUN_ATTEMPT: "1", ...env },
                    });
                    assert.equal(res.status, 0, res.stderr);
                    return { outputs: Object.fromEntries(fs.readFileSync(files.GITHUB_OUTPUT, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2))), summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"), stdout: res.stdout };
                };
                const shards = JSON.stringify(["dev-shard-00", "dev-shard-01", "dev-shard-03"]);
                const next = JSON.stringify(["stage-shard-00", "stage-shard-01", "stage-shard-02", "stage-shard-03"]);
                const one = run({ SUCCEEDED: "dev-shard-00 dev-shard-03", SHARDS: shards, NEXT_SHARDS: next, PLATFORM_RESULT: "success" });
                // stage-shard-02 was not touched in dev (nothing to wait for); stage-shard-01's twin failed.
                assert.deepEqual(one.outputs, { platform_ok: "true", next_shards: '["stage-shard-00","stage-shard-02","stage-shard-03"]' });
                assert.match(one.stdout, /::error title=shard dev-shard-01 failed::its promotion stops here; the other shards go on/);
                assert.match(one.summary, /failed or not reached \(their promotion stops here\): \["dev-shard-01"\]/);
                const down = run({ SUCCEEDED: "", SHARDS: shards, NEXT_SHARDS: next, PLATFORM_RESULT: "failure" });
                assert.deepEqual(down.outputs, { platform_ok: "false", next_shards: "[]" });
                assert.match(down.stdout, /::error title=dev platform failed::/);
                const untouched = run({ SUCCEEDED: "", SHARDS: "[]", NEXT_SHARDS: "[]", PLATFORM_RESULT: "skipped" });
                assert.deepEqual(untouched.outputs, { platform_ok: "true", next_shards: "[]" });
            } finally {
                fs.rmSync(t, { recursive: true, force: true });
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
            // A sharded environment's shard stacks go first (their objects stand on the platform's cluster), also kept protected.
            const steps = stepsOf(job);
            const shards = steps.findIndex((s) => /pulumi destroy --stack "\$s" --exclude-protected --yes --non-interactive/.test(s.run ?? ""));
            assert.ok(shards >= 0 && shards < steps.indexOf(step), "shards before the platform");
            assert.match(steps[shards].run, /npm run -s shards -- plan --stack "\$STACK" --json/);
            assert.deepEqual(job.concurrency, { group: "pulumi-stack-${{ inputs.stack }}", "cancel-in-progress": false });
            assert.equal(job.environment.name, "${{ inputs.stack == 'prod' && 'production' || inputs.stack }}");
        });
    });

    describe("pr.yml", function () {
        const wf = () => load("pr.yml");

        it("tests, renders every stack with artifacts, checks the shard budgets, and previews the touched stacks with an edited PR comment", function () {
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
            assert.ok(stepsOf(wf().jobs.affected).some((s) => s.run === "npm run shards -- check"), "a shard over its budget fails the PR");
            // Platforms first, then shards; neither for prod (its passphrase never reaches a pull request).
            assert.equal(wf().jobs["preview-platform"].strategy.matrix.stack, "${{ fromJSON(needs.affected.outputs.platforms) }}");
            assert.equal(wf().jobs["preview-shards"].strategy.matrix.target, "${{ fromJSON(needs.affected.outputs.shards) }}");
            assert.deepEqual(needsOf(wf().jobs["preview-shards"]), ["test", "affected", "preview-platform"]);
            assert.match(wf().jobs["preview-shards"].if, /needs\.preview-platform\.result == 'success' \|\| needs\.preview-platform\.result == 'skipped'/);
            for (const [job, stack] of [["preview-platform", "${{ matrix.stack }}"], ["preview-shards", "${{ matrix.target.stack }}"]]) {
                const action = stepsOf(wf().jobs[job]).find((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
                assert.deepEqual(
                    [action?.with.command, action?.with["stack-name"], action?.with["comment-on-pr"], action?.with["edit-pr-comment"], action?.with["cloud-url"]],
                    ["preview", stack, true, true, "${{ vars.PULUMI_BACKEND_URL }}"],
                    job,
                );
            }
            const guard = stepsOf(wf().jobs["preview-platform"]).find((s) => /npm run guard -- preview\.json/.test(s.run ?? ""));
            assert.match(guard?.run ?? "", /pulumi preview --stack "\$STACK" --json .*> preview\.json/);
            const perShard = stepsOf(wf().jobs["preview-shards"]).find((s) => /npm run guard -- "preview-\$STACK\.json"/.test(s.run ?? ""));
            assert.match(perShard?.run ?? "", /pulumi preview --stack "\$STACK" --json .*> "preview-\$STACK\.json"/);
            const total = stepsOf(wf().jobs["guard-total"]).map((s) => String(s.run ?? "")).join("\n");
            assert.match(total, /for env in dev stage; do[\s\S]*npm run guard -- --total "\$\{files\[@\]\}"/);
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

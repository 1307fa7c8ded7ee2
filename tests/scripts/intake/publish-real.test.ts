// One pull request per customer: real git (a bare "origin" and clones in temp directories) for branches onboard/<id>,
// a recorded stand-in for the gh CLI (no GitHub here), and dynalite for the onboarding state.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultRunner, type Runner } from "../../../scripts/intake/publish";
import { startLocalRegistry, type LocalRegistry } from "../../harness/realparts/dynalite";
import { git, GIT_ENV, intake } from "./helpers";

interface FakePr {
    number: number;
    url: string;
    head: string;
    title: string;
    body: string;
    labels: string[];
    open: boolean;
}

/** gh as far as publish and pending use it, with every call recorded. */
function fakeGh() {
    const prs: FakePr[] = [];
    const calls: string[][] = [];
    let failCreateFor: string | undefined;
    const arg = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    const gh = (args: string[], input?: string): { code: number; stdout: string; stderr: string } => {
        calls.push(args);
        const [a, b] = args;
        if (a === "label" && b === "create") return { code: 0, stdout: "", stderr: "" };
        if (a === "pr" && b === "list") {
            const open = prs.filter((p) => p.open);
            if (args.includes("--head")) {
                const mine = open.filter((p) => p.head === arg(args, "--head")).map((p) => ({ number: p.number, url: p.url }));
                return { code: 0, stdout: JSON.stringify(mine), stderr: "" };
            }
            return { code: 0, stdout: JSON.stringify(open.filter((p) => p.labels.includes(arg(args, "--label"))).map((p) => ({ headRefName: p.head }))), stderr: "" };
        }
        if (a === "pr" && b === "create") {
            if (failCreateFor === arg(args, "--head")) return { code: 1, stdout: "", stderr: "GraphQL: was submitted too quickly (createPullRequest)" };
            const n = prs.length + 1;
            const pr = { number: n, url: `https://github.example/o/r/pull/${n}`, head: arg(args, "--head"), title: arg(args, "--title"), body: input ?? "", labels: [arg(args, "--label")], open: true };
            prs.push(pr);
            return { code: 0, stdout: `\nCreating pull request for ${pr.head} into main\n\n${pr.url}\n`, stderr: "" };
        }
        if (a === "pr" && b === "edit") {
            const pr = prs.find((p) => p.number === Number(b === "edit" ? args[2] : 0))!;
            pr.title = arg(args, "--title");
            pr.body = input ?? "";
            return { code: 0, stdout: pr.url, stderr: "" };
        }
        return { code: 2, stdout: "", stderr: `unexpected gh ${args.join(" ")}` };
    };
    const runner: Runner = async (cmd, args, opts) => (cmd === "gh" ? gh(args, opts.input) : defaultRunner(cmd, args, { ...opts, env: { ...opts.env, ...GIT_ENV } }));
    return { prs, calls, runner, failCreate: (head: string | undefined) => (failCreateFor = head) };
}

const EVENTS = [
    { purchaseId: "PO-P1", companyName: "Publish One", motto: "First", tier: "starter", contactEmail: "one@pub.example", occurredAt: "2026-05-01T09:00:00Z" },
    { purchaseId: "PO-P2", companyName: "Publish Two", motto: "Second", tier: "business", contactEmail: "two@pub.example", occurredAt: "2026-05-01T09:01:00Z" },
];

describe("intake publish: one branch and pull request per customer (real git)", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    let tmp: string;
    let origin: string;
    let work: string;
    const gh = fakeGh();
    const reg = () => ["--registry-endpoint", registry.endpoint, "--table", registry.tableName];
    const inWork = (args: string[], cwd = work) => intake([...args, ...reg()], { cwd, run: gh.runner, env: { ...GIT_ENV } });

    before(async () => {
        registry = await startLocalRegistry();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-publish-test-"));
        origin = path.join(tmp, "origin.git");
        git(tmp, "init", "-q", "--bare", "-b", "main", origin);
        work = path.join(tmp, "work");
        git(tmp, "clone", "-q", origin, work);
        fs.mkdirSync(path.join(work, "customers"));
        fs.writeFileSync(path.join(work, "customers", "existing.yaml"), "id: existing\ncompanyName: Existing\nmotto: Here\ntier: starter\npurchaseId: PO-E1\n");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "start");
        git(work, "push", "-q", "origin", "main");
        fs.writeFileSync(path.join(tmp, "events.json"), JSON.stringify(EVENTS));
    });
    after(async () => {
        await registry?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("pushes onboard/<id> with exactly the record on top of main and opens a labelled PR; state recorded", async () => {
        const first = await inWork([path.join(tmp, "events.json")]);
        assert.equal(first.code, 0, first.stderr);
        fs.writeFileSync(path.join(tmp, "results.jsonl"), first.stdout);
        const pub = await inWork(["publish", path.join(tmp, "results.jsonl")]);
        assert.equal(pub.code, 0, pub.stderr);
        const lines = pub.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
        assert.deepEqual(lines.map((l) => [l.id, l.branch, l.action, l.pr]), [
            ["publish-one", "onboard/publish-one", "opened", "https://github.example/o/r/pull/1"],
            ["publish-two", "onboard/publish-two", "opened", "https://github.example/o/r/pull/2"],
        ]);
        const main = git(origin, "rev-parse", "main").trim();
        for (const id of ["publish-one", "publish-two"]) {
            const head = git(origin, "rev-parse", `onboard/${id}`).trim();
            assert.equal(git(origin, "rev-parse", `${head}^`).trim(), main, "one commit on top of main");
            assert.equal(git(origin, "diff", "--name-status", main, head), `A\tcustomers/${id}.yaml\n`);
            assert.equal(git(origin, "show", `${head}:customers/${id}.yaml`), fs.readFileSync(path.join(work, "customers", `${id}.yaml`), "utf8"));
            const state = await registry.get(id, "ONBOARDING#prod");
            assert.deepEqual([state?.state, state?.commit, state?.pr], ["recorded", head, lines.find((l) => l.id === id)!.pr]);
        }
        const create = gh.calls.filter((c) => c[0] === "pr" && c[1] === "create");
        assert.equal(create.length, 2);
        assert.deepEqual(create[0].slice(0, 8), ["pr", "create", "--base", "main", "--head", "onboard/publish-one", "--title", "Onboard Publish One as publish-one"]);
        assert.ok(create[0].includes("--label") && create[0][create[0].indexOf("--label") + 1] === "onboarding");
        assert.match(gh.prs[0].body, /Onboarding of purchase `PO-P1`/);
        assert.match(gh.prs[0].body, /\| company \| Publish One \|/);
        for (const pr of gh.prs) assert.ok(!pr.body.includes("@") && !pr.title.includes("@"), "no e-mail address in PR text");
        assert.equal(gh.calls.filter((c) => c[0] === "label").length, 1);
        assert.equal(git(work, "status", "--porcelain"), "?? customers/publish-one.yaml\n?? customers/publish-two.yaml\n", "the working tree is left as intake wrote it");
        assert.equal(git(work, "rev-parse", "--abbrev-ref", "HEAD").trim(), "main");
    });

    it("a second publish pushes nothing and updates the existing pull requests", async () => {
        const before = git(origin, "for-each-ref", "refs/heads/onboard/");
        const pub = await inWork(["publish", path.join(tmp, "results.jsonl")]);
        assert.equal(pub.code, 0, pub.stderr);
        assert.deepEqual(pub.stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, string>).action), ["unchanged", "unchanged"]);
        assert.equal(git(origin, "for-each-ref", "refs/heads/onboard/"), before);
        assert.equal(gh.calls.filter((c) => c[1] === "edit").length, 2);
        assert.equal(gh.prs.length, 2, "no second PR");
    });

    it("the next run sees open PRs' records (pending): same events unchanged, a same-named newcomer gets -2", async () => {
        const next = path.join(tmp, "next");
        git(tmp, "clone", "-q", origin, next);
        const pending = await inWork(["pending"], next);
        assert.equal(pending.code, 0, pending.stderr);
        assert.match(pending.stderr, /intake pending: 2 open onboarding pull request\(s\), 2 record\(s\) copied/);
        const again = await inWork([path.join(tmp, "events.json")], next);
        assert.deepEqual(again.lines.map((l) => l.outcome), ["unchanged", "unchanged"]);
        const newcomer = await intake(["--dry-run", "-", "--format", "json"], {
            cwd: next,
            readStdin: () => JSON.stringify({ purchaseId: "PO-P3", companyName: "Publish-One?", motto: "Me too", tier: "starter", contactEmail: "x@pub.example", occurredAt: "2026-05-01T09:02:00Z", subdomain: "publish-one" }),
        });
        assert.deepEqual(newcomer.lines.map((l) => [l.outcome, l.id]), [["rejected", null]], "same company as a pending one");
        const other = await intake(["--dry-run", "-", "--format", "json"], {
            cwd: next,
            readStdin: () => JSON.stringify({ purchaseId: "PO-P4", companyName: "Another Firm", motto: "Me", tier: "starter", contactEmail: "y@pub.example", occurredAt: "2026-05-01T09:02:00Z", subdomain: "publish-one" }),
        });
        assert.deepEqual(other.lines.map((l) => [l.outcome, l.id]), [["created", "publish-one-2"]]);
    });

    it("a failed PR marks the onboarding failed at recorded; the rerun resumes and records it", async () => {
        const ev = [{ purchaseId: "PO-P5", companyName: "Flaky PR", motto: "Retry", tier: "starter", contactEmail: "f@pub.example", occurredAt: "2026-05-01T09:05:00Z" }];
        fs.writeFileSync(path.join(tmp, "flaky.json"), JSON.stringify(ev));
        const r = await inWork([path.join(tmp, "flaky.json")]);
        fs.writeFileSync(path.join(tmp, "flaky.jsonl"), r.stdout);
        gh.failCreate("onboard/flaky-pr");
        const failed = await inWork(["publish", path.join(tmp, "flaky.jsonl")]);
        assert.equal(failed.code, 1);
        assert.match(failed.stdout, /"action":"failed".*gh pr create failed \(exit 1\): GraphQL: was submitted too quickly/);
        const state = await registry.get("flaky-pr", "ONBOARDING#prod");
        assert.deepEqual([state?.state, state?.step, state?.attempts], ["failed", "recorded", 1]);
        gh.failCreate(undefined);
        const rerun = await inWork(["publish", path.join(tmp, "flaky.jsonl")]);
        assert.equal(rerun.code, 0, rerun.stdout);
        assert.match(rerun.stdout, /"action":"opened"/);
        const after = await registry.get("flaky-pr", "ONBOARDING#prod");
        assert.deepEqual([after?.state, after?.step, after?.attempts], ["recorded", undefined, 2]);
    });

    it("never overwrites the branch of another purchase's open pull request", async () => {
        const file = path.join(work, "customers", "publish-two.yaml");
        const mine = fs.readFileSync(file, "utf8");
        const before = git(origin, "rev-parse", "onboard/publish-two");
        fs.writeFileSync(file, mine.replace("PO-P2", "PO-OTHER").replace("Publish Two", "Someone Else"));
        fs.writeFileSync(path.join(tmp, "other.jsonl"), `${JSON.stringify({ purchaseId: "PO-OTHER", outcome: "created", id: "publish-two", reason: "" })}\n`);
        try {
            const pub = await inWork(["publish", path.join(tmp, "other.jsonl")]);
            assert.equal(pub.code, 1);
            assert.match(pub.stdout, /onboard\/publish-two has an open pull request for purchase PO-P2; not overwritten/);
            assert.equal(git(origin, "rev-parse", "onboard/publish-two"), before);
        } finally {
            fs.writeFileSync(file, mine);
        }
    });

    it("reports a record already merged into main, and pushes nothing for it", async () => {
        // The pull request is merged (fast-forward) on the server.
        git(origin, "update-ref", "refs/heads/main", "refs/heads/onboard/publish-one");
        const pub = await inWork(["publish", path.join(tmp, "results.jsonl")]);
        const one = pub.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.id === "publish-one");
        assert.deepEqual([one?.action, one?.reason], ["merged", "customers/publish-one.yaml is already on main"]);
    });
});

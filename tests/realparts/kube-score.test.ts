// An outside judge of what every stack deploys: kube-score, built from its Go module (tests/harness/build/build-kube-score.sh),
// scores all objects of each stack's render in one run, so it can match Services, NetworkPolicies, PodDisruptionBudgets
// and autoscalers to the pods they govern. No CRITICAL finding may remain except those policy/kube-score-ignore.yaml
// accepts with a reason; an entry that no longer matches any finding fails (the list stays honest); and negative
// controls show the judge can fail: a careless Deployment, and a rendered one with this project's hardening undone.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeObject } from "../harness/realparts/kube-client";
import { type Finding, type IgnoreEntry, globMatches, ignoreFileSchema, ignoredBy, judgeEveryStack, objectRef, staleEntries } from "./judges";

const BUILD_SCRIPT = "tests/harness/build/build-kube-score.sh";
const IGNORE_FILE = "policy/kube-score-ignore.yaml";
/** kube-score's scorecard.GradeCritical; warnings are 5, "almost OK" 7, OK 10. */
const GRADE_CRITICAL = 1;
/**
 * Optional checks that can grade CRITICAL and that the project passes: well-formed, unique named container ports.
 * (container-seccomp-profile only ever warns, and Pod Security "restricted" already refuses a pod without seccomp;
 * the *-requests-equal-limits checks contradict the tiers on purpose: requests are what a page uses, limits a ceiling.)
 */
const OPTIONAL_CHECKS = ["container-ports-check"];
/** Kinds kube-score has checks for; it leaves the rest (Namespace, ConfigMap, RBAC, quota, ...) out of its report. */
const JUDGED_KINDS = ["Deployment", "Service", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler"];
/** The Kubernetes version to judge against when a render pins none (its tenant namespaces' Pod Security version). */
const DEFAULT_KUBE_VERSION = "v1.33";

interface ScoredObject {
    type_meta: { kind: string };
    object_meta: { name: string; namespace?: string };
    checks: Array<{ check: { id: string }; grade: number; skipped: boolean; comments: Array<{ path: string; summary: string }> | null }>;
}

/** The Kubernetes version the stack targets: its tenant namespaces' pinned Pod Security version. */
function kubernetesVersion(objects: KubeObject[]): string {
    const versions = new Set(
        objects
            .filter((o) => o.kind === "Namespace")
            .map((o) => o.metadata.labels?.["pod-security.kubernetes.io/enforce-version"])
            .filter((v): v is string => typeof v === "string" && /^v\d+\.\d+$/.test(v)),
    );
    assert.ok(versions.size <= 1, `tenant namespaces pin different Pod Security versions: ${[...versions].join(", ")}`);
    return [...versions][0] ?? DEFAULT_KUBE_VERSION;
}

/** Runs `kube-score score` over the objects, written as one multi-document file, and returns every CRITICAL finding. */
function score(bin: string, objects: KubeObject[], kubeVersion: string): Finding[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-kube-score-"));
    try {
        const file = path.join(dir, "objects.yaml");
        // JSON is YAML: one document per object.
        fs.writeFileSync(file, objects.map((o) => JSON.stringify(o)).join("\n---\n") + "\n");
        const args = [
            "score",
            "--output-format", "json",
            "--kubernetes-version", kubeVersion,
            // Only policy/kube-score-ignore.yaml may accept a finding; no object can silence the judge by annotation.
            "--disable-ignore-checks-annotations",
            ...OPTIONAL_CHECKS.flatMap((c) => ["--enable-optional-test", c]),
            file,
        ];
        const res = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
        if (res.error) throw res.error;
        // Exit 1 only says that some finding is CRITICAL; anything else is kube-score failing to run.
        if (res.status !== 0 && res.status !== 1) {
            throw new Error(`kube-score ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
        }
        const scored = JSON.parse(res.stdout) as ScoredObject[];
        const seen = new Set(scored.map((o) => `${o.type_meta.kind} ${objectRef(o.object_meta)}`));
        const unjudged = objects.filter((o) => JUDGED_KINDS.includes(o.kind) && !seen.has(`${o.kind} ${objectRef(o.metadata)}`));
        assert.deepEqual(unjudged.map((o) => `${o.kind} ${objectRef(o.metadata)}`), [], "kube-score left these objects unscored (did it fail to parse them?)");
        return scored.flatMap((o) =>
            o.checks
                .filter((c) => !c.skipped && c.grade <= GRADE_CRITICAL)
                .flatMap((c) =>
                    (c.comments?.length ? c.comments : [{ path: "", summary: "(no comment)" }]).map((m) => ({
                        check: c.check.id,
                        kind: o.type_meta.kind,
                        object: objectRef(o.object_meta),
                        detail: `${m.path ? `(${m.path}) ` : ""}${m.summary}`,
                    })),
                ),
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("real parts: kube-score judges every rendered object of every stack", function () {
    this.timeout(900_000);
    const judged = judgeEveryStack({ tool: "kube-score", buildScript: BUILD_SCRIPT, ignoreFile: IGNORE_FILE, what: "kube-score CRITICAL findings", judge: (bin, objects) => score(bin, objects, kubernetesVersion(objects)) });

    describe("negative controls (the judge can fail)", function () {
        it("a careless Deployment (root, no resources, no probes, untagged image) is CRITICAL on the checks that matter", function () {
            const careless: KubeObject = {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "careless", namespace: "cust-negative-control" },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: { app: "careless" } },
                    template: {
                        metadata: { labels: { app: "careless" } },
                        spec: { securityContext: { runAsUser: 0 }, containers: [{ name: "web", image: "nginx" }] },
                    },
                },
            };
            const got = new Set(score(judged.bin(), [careless], DEFAULT_KUBE_VERSION).filter((f) => !ignoredBy(judged.ignores(), f)).map((f) => f.check));
            for (const check of [
                "container-resources",
                "container-ephemeral-storage-request-and-limit",
                "container-security-context-user-group-id",
                "container-security-context-readonlyrootfilesystem",
                "container-image-tag",
                "pod-networkpolicy",
                "deployment-has-poddisruptionbudget",
            ]) {
                assert.ok(got.has(check), `kube-score did not report ${check} as CRITICAL for a careless Deployment; it reported: ${[...got].join(", ")}`);
            }
        });

        it("a rendered stack with the hardening undone (UID 101, no ephemeral storage, identical probes, no PDB) is CRITICAL again", function () {
            const objects = structuredClone(judged.rendered("stage"));
            const deployments = objects.filter((o) => o.kind === "Deployment");
            assert.ok(deployments.length > 0, "out/stage/objects.json has no Deployment");
            /* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are plain JSON-shaped data */
            for (const d of deployments) {
                const pod = (d.spec as any).template.spec;
                pod.securityContext = { ...pod.securityContext, runAsUser: 101, runAsGroup: 101 };
                for (const c of pod.containers) {
                    for (const kind of ["requests", "limits"]) delete c.resources[kind]["ephemeral-storage"];
                    c.readinessProbe = structuredClone(c.livenessProbe);
                }
            }
            /* eslint-enable @typescript-eslint/no-explicit-any */
            const undone = score(judged.bin(), objects.filter((o) => o.kind !== "PodDisruptionBudget"), kubernetesVersion(objects)).filter((f) => !ignoredBy(judged.ignores(), f));
            const expected = ["container-security-context-user-group-id", "container-ephemeral-storage-request-and-limit", "pod-probes-identical", "deployment-has-poddisruptionbudget"];
            for (const d of deployments) {
                const object = `${d.metadata.namespace}/${d.metadata.name}`;
                const got = new Set(undone.filter((f) => f.kind === "Deployment" && f.object === object).map((f) => f.check));
                // A single-replica Deployment is not asked for a PDB.
                const replicas = (d.spec as { replicas?: number }).replicas;
                for (const check of expected.filter((c) => c !== "deployment-has-poddisruptionbudget" || replicas === undefined || replicas >= 2)) {
                    assert.ok(got.has(check), `${object}: undoing the hardening did not bring back ${check}; got: ${[...got].join(", ")}`);
                }
            }
        });
    });
});

describe(`kube-score: matching findings against ${IGNORE_FILE}`, function () {
    const f: Finding = { check: "container-image-pull-policy", kind: "Deployment", object: "cust-acme/welcome", detail: "(nginx) ImagePullPolicy is not set to Always" };
    const entry: IgnoreEntry = { check: f.check, kind: "Deployment", object: "cust-*/welcome", reason: "r".repeat(80) };

    it("matches check, kind and a one-segment glob over namespace/name, nothing wider", function () {
        assert.equal(ignoredBy([entry], f), entry);
        assert.equal(ignoredBy([entry], { ...f, check: "container-resources" }), undefined);
        assert.equal(ignoredBy([entry], { ...f, kind: "StatefulSet" }), undefined);
        assert.equal(ignoredBy([entry], { ...f, object: "cust-acme/other" }), undefined);
        assert.equal(ignoredBy([entry], { ...f, object: "kube-system/welcome" }), undefined);
        assert.equal(globMatches("cust-*/welcome", "cust-a/b/welcome"), false);
        assert.equal(globMatches("cust-a.b/x", "cust-aXb/x"), false, "dots are literal");
        assert.ok(ignoredBy([{ ...entry, kind: "*" }], { ...f, kind: "Service" }), "kind * matches any kind");
    });

    it("finds the entries that match no finding (stale acceptances)", function () {
        const stale = { ...entry, check: "pod-probes" };
        assert.deepEqual(staleEntries([entry, stale], [f]), [stale]);
    });

    it("refuses an entry without a real reason", function () {
        assert.equal(ignoreFileSchema.safeParse({ ignores: [{ ...entry, reason: "because" }] }).success, false);
        assert.equal(ignoreFileSchema.safeParse({ ignores: [{ ...entry, extra: 1 }] }).success, false);
    });
});

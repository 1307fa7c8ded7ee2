// A second outside judge of what every stack deploys: Trivy's Kubernetes misconfiguration checks (`trivy config`),
// built from its Go module (tests/harness/build/build-trivy.sh) with the checks embedded at the trivy-checks version its
// go.sum pins, so a scan downloads nothing and gives the same answer on every machine. Every object of every stack is
// scanned (one file per object, so each finding names its object); no finding of any severity may remain except those
// policy/trivy-ignore.yaml accepts with a reason (Trivy rates the low-UID/GID checks KSV-0020/0021 LOW, so LOW counts);
// an entry that matches nothing fails; and negative controls show the judge can fail.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../harness/realparts/kube-client";
import { type Finding, ignoredBy, judgeEveryStack, objectRef } from "./judges";

const BUILD_SCRIPT = "tests/harness/build/build-trivy.sh";
const IGNORE_FILE = "policy/trivy-ignore.yaml";

interface TrivyReport {
    Results?: Array<{
        Target: string;
        Misconfigurations?: Array<{ ID: string; Severity: string; Status: string; Title: string; Message: string }>;
    }>;
}

/** Runs `trivy config` over the objects, one YAML file each, and returns every failed check as a finding. */
function scan(bin: string, objects: KubeObject[]): Finding[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-trivy-"));
    try {
        const input = path.join(dir, "objects");
        fs.mkdirSync(input);
        const byFile = new Map<string, KubeObject>();
        objects.forEach((o, i) => {
            const file = `${String(i).padStart(4, "0")}-${o.kind}.yaml`;
            byFile.set(file, o);
            fs.writeFileSync(path.join(input, file), stringify(o));
        });
        const out = path.join(dir, "report.json");
        const args = [
            "config",
            "--quiet",
            "--format", "json",
            "--output", out,
            // The checks embedded in the binary, never a download: the same verdict offline and on every machine.
            "--skip-check-update",
            "--cache-dir", path.join(dir, "cache"),
            "--skip-version-check",
            "--disable-telemetry",
            "--exit-code", "0",
            input,
        ];
        const res = spawnSync(bin, args, { encoding: "utf8", timeout: 300_000 });
        if (res.error) throw res.error;
        if (res.status !== 0) throw new Error(`trivy ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
        const report = JSON.parse(fs.readFileSync(out, "utf8")) as TrivyReport;
        const findings: Finding[] = [];
        for (const r of report.Results ?? []) {
            const o = byFile.get(path.basename(r.Target));
            assert.ok(o, `trivy reported on ${r.Target}, which is none of the written objects`);
            for (const m of r.Misconfigurations ?? []) {
                if (m.Status !== "FAIL") continue;
                findings.push({ check: m.ID, kind: o.kind, object: objectRef(o.metadata), detail: `${m.Severity} ${m.Title}: ${m.Message}` });
            }
        }
        return findings;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("real parts: Trivy judges every rendered object of every stack", function () {
    this.timeout(900_000);
    const judged = judgeEveryStack({ tool: "trivy", buildScript: BUILD_SCRIPT, ignoreFile: IGNORE_FILE, what: "Trivy findings", judge: (bin, objects) => scan(bin, objects) });

    describe("negative controls (the judge can fail)", function () {
        it("a careless Deployment (root, privileged, no resources, writable root filesystem) fails the checks that matter", function () {
            const careless: KubeObject = {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "careless", namespace: "cust-negative-control" },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: "careless" } },
                    template: {
                        metadata: { labels: { app: "careless" } },
                        spec: { containers: [{ name: "web", image: "nginx", securityContext: { privileged: true, runAsUser: 0 } }] },
                    },
                },
            };
            const got = new Set(scan(judged.bin(), [careless]).map((f) => f.check));
            for (const check of ["KSV-0017", "KSV-0012", "KSV-0014", "KSV-0020", "KSV-0021", "KSV-0011", "KSV-0018", "KSV-0013"]) {
                assert.ok(got.has(check), `Trivy did not report ${check} for a careless Deployment; it reported: ${[...got].sort().join(", ")}`);
            }
        });

        it("the rendered Deployments run as UID/GID 101 are reported again (KSV-0020, KSV-0021)", function () {
            const deployments = structuredClone(judged.rendered("stage").filter((o) => o.kind === "Deployment"));
            assert.ok(deployments.length > 0, "out/stage/objects.json has no Deployment");
            for (const d of deployments) {
                /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects are plain JSON-shaped data */
                const pod = (d.spec as any).template.spec;
                pod.securityContext = { ...pod.securityContext, runAsUser: 101, runAsGroup: 101 };
            }
            const got = scan(judged.bin(), deployments).filter((f) => !ignoredBy(judged.ignores(), f));
            for (const d of deployments) {
                const checks = new Set(got.filter((f) => f.object === objectRef(d.metadata)).map((f) => f.check));
                for (const check of ["KSV-0020", "KSV-0021"]) assert.ok(checks.has(check), `${objectRef(d.metadata)}: ${check} not reported for UID/GID 101`);
            }
        });
    });
});

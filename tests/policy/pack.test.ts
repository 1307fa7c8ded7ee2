// The pack as the Pulumi CLI runs it: policy/index.ts started by @pulumi/pulumi's run-policy-pack in its own
// process (cwd policy/, like the CLI's analyzer host), serving the real @pulumi/policy gRPC analyzer. Proves the pack boots, registers every
// policy as mandatory, and reports violations through the SDK's own code path, not only through our harness.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { parse } from "yaml";
import { policies } from "../../policy/all-policies";
import { deployment, tenantNamespace } from "./fixtures";
import { urnFor } from "./harness";

const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");

const EXPECTED = [
  "pod-run-as-non-root",
  "pod-no-privilege-escalation",
  "pod-not-privileged",
  "pod-drop-all-capabilities",
  "pod-read-only-root-filesystem",
  "pod-resources-set",
  "pod-probes-set",
  "pod-images-pinned",
  "pod-seccomp-runtime-default",
  "tenant-namespace-psa-restricted",
  "tenant-namespace-default-deny",
  "rbac-no-wildcards",
  "rbac-no-escalation-verbs",
  "rbac-no-cluster-secret-read",
  "dynamodb-point-in-time-recovery",
  "dynamodb-kms-encryption",
  "dynamodb-deletion-protection-prod",
  "ingress-class-name",
  "ingress-rule-hosts",
];

function options(): pb.AnalyzerResourceOptions {
  const opts = new pb.AnalyzerResourceOptions();
  opts.setProtect(false);
  return opts;
}

function call<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

describe("policy: the sas-guardrails pack", () => {
  it("declares the expected policies, uniquely named, all mandatory and described", () => {
    assert.deepEqual(policies.map((p) => p.name), EXPECTED);
    for (const p of policies) {
      assert.equal(p.enforcementLevel, "mandatory", p.name);
      assert.ok(p.description.length > 20, `${p.name}: description`);
    }
  });

  it("PulumiPolicy.yaml runs on nodejs and package.json gives the pack a version", () => {
    const yaml = parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime?: unknown };
    assert.equal(yaml.runtime, "nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version?: string };
    assert.match(pkg.version ?? "", /^\d+\.\d+\.\d+$/);
  });

  describe("served over gRPC by @pulumi/policy", () => {
    let child: ChildProcess | undefined;
    let client: AnalyzerClient;

    before(async function () {
      // The SDK's own policy-pack runner, as the nodejs language host invokes it for `--policy-pack policy`:
      // `run-policy-pack <engine-address> <program>`, TypeScript type-checked (the address is unused by it).
      const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
      child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (d) => (stderr += String(d)));
      // The SDK prints the port it bound as the first stdout line, which is what the CLI waits for.
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child?.stdout?.on("data", (d) => {
          out += String(d);
          const line = out.split("\n")[0];
          if (out.includes("\n") && /^\d+$/.test(line.trim())) resolve(Number(line));
        });
        child?.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving: ${stderr}${out}`)));
      });
      client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
      client?.close();
      if (child?.pid && child.exitCode === null) child.kill("SIGTERM");
    });

    it("describes itself as sas-guardrails with every policy mandatory", async () => {
      const info = await call<Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
      assert.equal(info.getName(), "sas-guardrails");
      assert.equal(info.getVersion(), "0.1.0");
      const served = info.getPoliciesList();
      assert.deepEqual(served.map((p) => p.getName()), EXPECTED);
      assert.deepEqual(
        served.filter((p) => p.getEnforcementlevel() !== pb.EnforcementLevel.MANDATORY).map((p) => p.getName()),
        [],
      );
    });

    it("analyze: reports a Deployment with a latest image as a mandatory violation", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].image = "nginx:latest";
      const req = new pb.AnalyzeRequest();
      req.setType(d.type);
      req.setName("welcome");
      req.setUrn(urnFor("dev", d.type, "welcome"));
      req.setProperties(Struct.fromJavaScript(d.props));
      req.setOptions(options());
      const res = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze.bind(client), req);
      const found = res.getDiagnosticsList().map((x) => [x.getPolicyname(), x.getEnforcementlevel(), x.getMessage()]);
      assert.deepEqual(found, [
        [
          "pod-images-pinned",
          pb.EnforcementLevel.MANDATORY,
          "Container images must be pinned to an explicit tag other than latest, or to a sha256 digest.\n" +
            'Deployment cust-acme/welcome: container "nginx" image "nginx:latest" is not pinned (tag "latest"): set spec.template.spec.containers[0].image to name:tag (tag not latest) or name@sha256:<digest>',
        ],
      ]);
    });

    it("analyzeStack: reports a tenant namespace without PSA labels or default-deny", async () => {
      const ns = tenantNamespace();
      delete ns.props.metadata.labels["pod-security.kubernetes.io/warn"];
      const resource = new pb.AnalyzerResource();
      resource.setType(ns.type);
      resource.setName("cust-acme");
      resource.setUrn(urnFor("dev", ns.type, "cust-acme"));
      resource.setProperties(Struct.fromJavaScript(ns.props));
      resource.setOptions(options());
      const req = new pb.AnalyzeStackRequest();
      req.setResourcesList([resource]);
      const res = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(client.analyzeStack.bind(client), req);
      const found = res.getDiagnosticsList().map((x) => [x.getPolicyname(), x.getUrn(), x.getMessage().split("\n")[1]]);
      assert.deepEqual(found, [
        [
          "tenant-namespace-psa-restricted",
          urnFor("dev", ns.type, "cust-acme"),
          'Namespace cust-acme: metadata.labels["pod-security.kubernetes.io/warn"] must be "restricted" (is missing)',
        ],
        [
          "tenant-namespace-default-deny",
          urnFor("dev", ns.type, "cust-acme"),
          "Namespace cust-acme has no default-deny NetworkPolicy: add one with metadata.namespace: cust-acme, spec.podSelector: {}, spec.policyTypes: [Ingress, Egress] and no ingress/egress rules",
        ],
      ]);
    });
  });
});

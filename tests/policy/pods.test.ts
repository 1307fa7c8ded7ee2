import { strict as assert } from "node:assert";
import {
  dropAllCapabilities,
  imagesPinned,
  noPrivilegeEscalation,
  notPrivileged,
  probesSet,
  readOnlyRootFilesystem,
  resourcesSet,
  runAsNonRoot,
  seccompRuntimeDefault,
  unpinnedReason,
  podPolicies,
} from "../../policy/policies/pods";
import { K8S } from "../../policy/lib/types";
import { DIGEST, deployment, hardenedContainer, hardenedPodSpec } from "./fixtures";
import { runResourcePolicy } from "./harness";

const D = "Deployment cust-acme/welcome";
const C0 = "spec.template.spec.containers[0]";

describe("policy: pod hardening", () => {
  it("a hardened Deployment passes every pod policy", async () => {
    for (const policy of podPolicies) {
      const outcome = await runResourcePolicy(policy, deployment());
      assert.deepEqual(outcome, { violations: [] }, policy.name);
    }
  });

  it("every pod policy is mandatory and declares itself not applicable to a Service", async () => {
    for (const policy of podPolicies) {
      assert.equal(policy.enforcementLevel, "mandatory", policy.name);
      const outcome = await runResourcePolicy(policy, { type: "kubernetes:core/v1:Service", props: { spec: {} } });
      assert.deepEqual(outcome.violations, [], policy.name);
      assert.match(outcome.notApplicable ?? "", /kubernetes:apps\/v1:Deployment/, policy.name);
    }
  });

  describe("pod-run-as-non-root", () => {
    it("passes when only the container sets runAsNonRoot", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.securityContext.runAsNonRoot;
      d.props.spec.template.spec.containers[0].securityContext.runAsNonRoot = true;
      assert.deepEqual((await runResourcePolicy(runAsNonRoot, d)).violations, []);
    });

    it("flags a pod without runAsNonRoot", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.securityContext.runAsNonRoot;
      assert.deepEqual((await runResourcePolicy(runAsNonRoot, d)).violations, [
        `${D}: container "nginx" may run as root: set runAsNonRoot: true in spec.template.spec.securityContext or ${C0}.securityContext`,
      ]);
    });

    it("flags a container overriding the pod with runAsNonRoot: false and UID 0", async () => {
      const d = deployment();
      Object.assign(d.props.spec.template.spec.containers[0].securityContext, { runAsNonRoot: false, runAsUser: 0 });
      assert.deepEqual((await runResourcePolicy(runAsNonRoot, d)).violations, [
        `${D}: container "nginx" may run as root: set runAsNonRoot: true in spec.template.spec.securityContext or ${C0}.securityContext`,
        `${D}: container "nginx" runs as UID 0: set a non-zero runAsUser in ${C0}.securityContext`,
      ]);
    });

    it("checks init containers too", async () => {
      const d = deployment();
      const init = hardenedContainer("seed");
      d.props.spec.template.spec.initContainers = [init];
      init.securityContext.runAsUser = 0;
      assert.deepEqual((await runResourcePolicy(runAsNonRoot, d)).violations, [
        `${D}: initContainer "seed" runs as UID 0: set a non-zero runAsUser in spec.template.spec.initContainers[0].securityContext`,
      ]);
    });
  });

  describe("pod-not-privileged", () => {
    it("passes the hardened Deployment (privileged unset) and privileged: false", async () => {
      const d = deployment();
      assert.deepEqual((await runResourcePolicy(notPrivileged, d)).violations, []);
      d.props.spec.template.spec.containers[0].securityContext.privileged = false;
      assert.deepEqual((await runResourcePolicy(notPrivileged, d)).violations, []);
    });

    it("flags privileged: true, naming the container", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].securityContext.privileged = true;
      assert.deepEqual((await runResourcePolicy(notPrivileged, d)).violations, [`${D}: container "nginx" must not set ${C0}.securityContext.privileged: true`]);
    });
  });

  describe("pod-no-privilege-escalation", () => {
    it("passes a Deployment whose init container and container both set it to false", async () => {
      const d = deployment();
      d.props.spec.template.spec.initContainers = [hardenedContainer("seed")];
      assert.deepEqual((await runResourcePolicy(noPrivilegeEscalation, d)).violations, []);
    });

    it("flags a missing allowPrivilegeEscalation", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation;
      assert.deepEqual((await runResourcePolicy(noPrivilegeEscalation, d)).violations, [
        `${D}: container "nginx" must set ${C0}.securityContext.allowPrivilegeEscalation: false`,
      ]);
    });

    it("flags allowPrivilegeEscalation: true on a bare Pod", async () => {
      const spec = hardenedPodSpec();
      spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      const outcome = await runResourcePolicy(noPrivilegeEscalation, {
        type: K8S.pod,
        props: { metadata: { name: "debug", namespace: "cust-acme" }, spec },
      });
      assert.deepEqual(outcome.violations, [
        'Pod cust-acme/debug: container "nginx" must set spec.containers[0].securityContext.allowPrivilegeEscalation: false',
      ]);
    });
  });

  describe("pod-drop-all-capabilities", () => {
    it("passes drop ALL alongside an added NET_BIND_SERVICE", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] };
      assert.deepEqual((await runResourcePolicy(dropAllCapabilities, d)).violations, []);
    });

    it("flags dropping only some capabilities", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].securityContext.capabilities = { drop: ["NET_RAW"] };
      assert.deepEqual((await runResourcePolicy(dropAllCapabilities, d)).violations, [
        `${D}: container "nginx" must drop all capabilities: set ${C0}.securityContext.capabilities.drop: ["ALL"]`,
      ]);
    });

    it("flags a container with no securityContext at all", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.containers[0].securityContext;
      assert.deepEqual((await runResourcePolicy(dropAllCapabilities, d)).violations, [
        `${D}: container "nginx" must drop all capabilities: set ${C0}.securityContext.capabilities.drop: ["ALL"]`,
      ]);
    });
  });

  describe("pod-read-only-root-filesystem", () => {
    it("passes a Job whose container has a read-only root filesystem", async () => {
      const outcome = await runResourcePolicy(readOnlyRootFilesystem, {
        type: K8S.job,
        props: { metadata: { name: "seed", namespace: "cust-acme" }, spec: { template: { spec: hardenedPodSpec() } } },
      });
      assert.deepEqual(outcome, { violations: [] });
    });

    it("flags readOnlyRootFilesystem: false in a StatefulSet", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      const outcome = await runResourcePolicy(readOnlyRootFilesystem, { type: K8S.statefulSet, props: d.props });
      assert.deepEqual(outcome.violations, [
        `StatefulSet cust-acme/welcome: container "nginx" must set ${C0}.securityContext.readOnlyRootFilesystem: true`,
      ]);
    });
  });

  describe("pod-resources-set", () => {
    it("accepts numeric quantities", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].resources = {
        requests: { cpu: 0.05, memory: "64Mi" },
        limits: { cpu: 1, memory: "128Mi" },
      };
      assert.deepEqual((await runResourcePolicy(resourcesSet, d)).violations, []);
    });

    it("lists exactly the missing requests and limits", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].resources = { requests: { cpu: "50m" }, limits: { memory: "128Mi" } };
      assert.deepEqual((await runResourcePolicy(resourcesSet, d)).violations, [
        `${D}: container "nginx" must set ${C0}.resources: missing requests.memory, limits.cpu`,
      ]);
    });

    it("flags a container with no resources", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.containers[0].resources;
      assert.deepEqual((await runResourcePolicy(resourcesSet, d)).violations, [
        `${D}: container "nginx" must set ${C0}.resources: missing requests.cpu, requests.memory, limits.cpu, limits.memory`,
      ]);
    });
  });

  describe("pod-probes-set", () => {
    it("passes exec and tcpSocket probes", async () => {
      const d = deployment();
      Object.assign(d.props.spec.template.spec.containers[0], {
        readinessProbe: { tcpSocket: { port: 8080 } },
        livenessProbe: { exec: { command: ["/bin/true"] } },
      });
      assert.deepEqual((await runResourcePolicy(probesSet, d)).violations, []);
    });

    it("flags a missing liveness probe", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.containers[0].livenessProbe;
      assert.deepEqual((await runResourcePolicy(probesSet, d)).violations, [
        `${D}: container "nginx" must set ${C0}.livenessProbe`,
      ]);
    });

    it("flags both probes missing on the second container of a CronJob, and ignores init containers", async () => {
      const spec = hardenedPodSpec();
      const sidecar = hardenedContainer("exporter");
      delete sidecar.readinessProbe;
      delete sidecar.livenessProbe;
      const init = hardenedContainer("seed");
      delete init.readinessProbe;
      delete init.livenessProbe;
      spec.containers.push(sidecar);
      spec.initContainers = [init];
      const outcome = await runResourcePolicy(probesSet, {
        type: K8S.cronJob,
        props: {
          metadata: { name: "rotate", namespace: "cust-acme" },
          spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec } } } },
        },
      });
      const at = "spec.jobTemplate.spec.template.spec.containers[1]";
      assert.deepEqual(outcome.violations, [
        `CronJob cust-acme/rotate: container "exporter" must set ${at}.readinessProbe and ${at}.livenessProbe`,
      ]);
    });
  });

  describe("pod-images-pinned", () => {
    for (const image of [
      "nginxinc/nginx-unprivileged:1.27.3-alpine",
      "registry.example:5000/sas/welcome:2026.11.1",
      `nginx@${DIGEST}`,
      `nginx:1.27@${DIGEST}`,
    ]) {
      it(`accepts ${image}`, async () => {
        const d = deployment();
        d.props.spec.template.spec.containers[0].image = image;
        assert.deepEqual((await runResourcePolicy(imagesPinned, d)).violations, []);
      });
    }

    for (const [image, reason] of [
      ["nginx:latest", 'tag "latest"'],
      ["nginx", "no tag or digest"],
      ["registry.example:5000/sas/welcome", "no tag or digest"],
      ["nginx@sha256:abc", 'malformed digest "sha256:abc"'],
      ["nginx:", "empty tag"],
    ]) {
      it(`rejects ${image} (${reason})`, async () => {
        const d = deployment();
        d.props.spec.template.spec.containers[0].image = image;
        assert.deepEqual((await runResourcePolicy(imagesPinned, d)).violations, [
          `${D}: container "nginx" image ${JSON.stringify(image)} is not pinned (${reason}): set ${C0}.image to name:tag (tag not latest) or name@sha256:<digest>`,
        ]);
      });
    }

    it("rejects a container without an image", async () => {
      assert.equal(unpinnedReason(undefined), "no image set");
      const d = deployment();
      delete d.props.spec.template.spec.containers[0].image;
      assert.deepEqual((await runResourcePolicy(imagesPinned, d)).violations, [
        `${D}: container "nginx" image null is not pinned (no image set): set ${C0}.image to name:tag (tag not latest) or name@sha256:<digest>`,
      ]);
    });
  });

  describe("pod-seccomp-runtime-default", () => {
    it("passes when each container sets RuntimeDefault itself", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.securityContext.seccompProfile;
      d.props.spec.template.spec.containers[0].securityContext.seccompProfile = { type: "RuntimeDefault" };
      assert.deepEqual((await runResourcePolicy(seccompRuntimeDefault, d)).violations, []);
    });

    it("flags an unset profile at the pod level", async () => {
      const d = deployment();
      delete d.props.spec.template.spec.securityContext.seccompProfile;
      assert.deepEqual((await runResourcePolicy(seccompRuntimeDefault, d)).violations, [
        `${D}: container "nginx" has seccomp profile unset: set spec.template.spec.securityContext.seccompProfile.type: RuntimeDefault`,
      ]);
    });

    it("flags a container overriding the pod with Unconfined, pointing at the container", async () => {
      const d = deployment();
      d.props.spec.template.spec.containers[0].securityContext.seccompProfile = { type: "Unconfined" };
      assert.deepEqual((await runResourcePolicy(seccompRuntimeDefault, d)).violations, [
        `${D}: container "nginx" has seccomp profile Unconfined: set ${C0}.securityContext.seccompProfile.type: RuntimeDefault`,
      ]);
    });
  });
});

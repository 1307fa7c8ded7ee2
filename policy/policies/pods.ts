// Pod hardening: every pod template the program ships must satisfy the Kubernetes "restricted" Pod Security
// Standard plus our operational floor (resources, probes, pinned images). Tenant namespaces enforce PSA
// "restricted" at admission too; these policies fail at preview, before anything reaches a cluster.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/applies";
import { type ContainerView, type PodView, WORKLOAD_TYPES, effectiveSecurity, podOf } from "../lib/podspec";
import { asRecord, describeObject, nonEmptyString } from "../lib/types";

type ContainerCheck = (pod: PodView, container: ContainerView) => string[];

/** Builds a policy that runs `check` on every container (and, if asked, init container) of every workload. */
function podPolicy(
  name: string,
  description: string,
  remediationSteps: string,
  check: ContainerCheck,
  scope: { initContainers: boolean },
): ResourceValidationPolicy {
  return {
    name,
    description,
    remediationSteps,
    enforcementLevel: "mandatory",
    validateResource: forTypes(WORKLOAD_TYPES, (args, reportViolation) => {
      const pod = podOf(args.type, args.props);
      if (!pod) {
        return;
      }
      const subject = describeObject(args.type, args.props, args.name);
      const containers = scope.initContainers ? [...pod.initContainers, ...pod.containers] : pod.containers;
      for (const container of containers) {
        for (const problem of check(pod, container)) {
          reportViolation(`${subject}: ${container.role} "${container.name}" ${problem}`);
        }
      }
    }),
  };
}

const ALL_CONTAINERS = { initContainers: true };

export const runAsNonRoot = podPolicy(
  "pod-run-as-non-root",
  "Containers must run as a non-root user (runAsNonRoot: true at pod or container level, never runAsUser 0).",
  "Set securityContext.runAsNonRoot: true on the pod template (or each container) and use an image with a non-root USER.",
  (pod, c) => {
    const problems: string[] = [];
    if (effectiveSecurity(pod, c, "runAsNonRoot") !== true) {
      problems.push(
        `may run as root: set runAsNonRoot: true in ${pod.path}.securityContext or ${c.path}.securityContext`,
      );
    }
    if (effectiveSecurity(pod, c, "runAsUser") === 0) {
      problems.push(`runs as UID 0: set a non-zero runAsUser in ${c.path}.securityContext`);
    }
    return problems;
  },
  ALL_CONTAINERS,
);

export const noPrivilegeEscalation = podPolicy(
  "pod-no-privilege-escalation",
  "Containers must set allowPrivilegeEscalation: false.",
  "Set securityContext.allowPrivilegeEscalation: false on every container.",
  (_pod, c) =>
    asRecord(c.spec.securityContext)?.allowPrivilegeEscalation === false
      ? []
      : [`must set ${c.path}.securityContext.allowPrivilegeEscalation: false`],
  ALL_CONTAINERS,
);

export const notPrivileged = podPolicy(
  "pod-not-privileged",
  "Containers must not run privileged (a privileged container is root on the node).",
  "Remove securityContext.privileged or set it to false on every container.",
  (_pod, c) => (asRecord(c.spec.securityContext)?.privileged === true ? [`must not set ${c.path}.securityContext.privileged: true`] : []),
  ALL_CONTAINERS,
);

export const dropAllCapabilities = podPolicy(
  "pod-drop-all-capabilities",
  'Containers must drop all Linux capabilities (capabilities.drop: ["ALL"]).',
  'Set securityContext.capabilities.drop: ["ALL"] on every container.',
  (_pod, c) => {
    const drop = asRecord(asRecord(c.spec.securityContext)?.capabilities)?.drop;
    return Array.isArray(drop) && drop.includes("ALL")
      ? []
      : [`must drop all capabilities: set ${c.path}.securityContext.capabilities.drop: ["ALL"]`];
  },
  ALL_CONTAINERS,
);

export const readOnlyRootFilesystem = podPolicy(
  "pod-read-only-root-filesystem",
  "Containers must run with a read-only root filesystem.",
  "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir for every path the process writes.",
  (_pod, c) =>
    asRecord(c.spec.securityContext)?.readOnlyRootFilesystem === true
      ? []
      : [`must set ${c.path}.securityContext.readOnlyRootFilesystem: true`],
  ALL_CONTAINERS,
);

const RESOURCE_KEYS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

export const resourcesSet = podPolicy(
  "pod-resources-set",
  "Containers must declare cpu and memory requests and limits.",
  "Set resources.requests.{cpu,memory} and resources.limits.{cpu,memory} on every container.",
  (_pod, c) => {
    const resources = asRecord(c.spec.resources);
    const missing = RESOURCE_KEYS.filter((key) => {
      const [bucket, resource] = key.split(".");
      const value = asRecord(resources?.[bucket])?.[resource];
      return !(nonEmptyString(value) || typeof value === "number");
    });
    return missing.length === 0 ? [] : [`must set ${c.path}.resources: missing ${missing.join(", ")}`];
  },
  ALL_CONTAINERS,
);

export const probesSet = podPolicy(
  "pod-probes-set",
  "Containers must declare readiness and liveness probes.",
  "Add readinessProbe and livenessProbe to every container (init containers cannot carry them).",
  (_pod, c) => {
    const missing = ["readinessProbe", "livenessProbe"].filter((probe) => asRecord(c.spec[probe]) === undefined);
    return missing.length === 0 ? [] : [`must set ${missing.map((probe) => `${c.path}.${probe}`).join(" and ")}`];
  },
  // Kubernetes rejects probes on plain init containers, so requiring them there would be unsatisfiable.
  { initContainers: false },
);

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Why an image reference is not pinned, or undefined when it is (explicit non-latest tag or sha256 digest). */
export function unpinnedReason(image: unknown): string | undefined {
  if (!nonEmptyString(image)) {
    return "no image set";
  }
  const at = image.indexOf("@");
  if (at >= 0) {
    return DIGEST.test(image.slice(at + 1)) ? undefined : `malformed digest "${image.slice(at + 1)}"`;
  }
  // A colon before the last slash belongs to a registry port (registry:5000/app), not a tag.
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  if (colon < 0) {
    return "no tag or digest";
  }
  const tag = image.slice(colon + 1);
  if (tag === "") {
    return "empty tag";
  }
  return tag === "latest" ? 'tag "latest"' : undefined;
}

export const imagesPinned = podPolicy(
  "pod-images-pinned",
  "Container images must be pinned to an explicit tag other than latest, or to a sha256 digest.",
  "Reference images as name:tag (tag != latest) or name@sha256:<digest>.",
  (_pod, c) => {
    const reason = unpinnedReason(c.spec.image);
    return reason === undefined
      ? []
      : [
          `image ${JSON.stringify(c.spec.image ?? null)} is not pinned (${reason}): set ${c.path}.image to name:tag (tag not latest) or name@sha256:<digest>`,
        ];
  },
  ALL_CONTAINERS,
);

export const seccompRuntimeDefault = podPolicy(
  "pod-seccomp-runtime-default",
  "Containers must run under the RuntimeDefault seccomp profile.",
  "Set securityContext.seccompProfile.type: RuntimeDefault on the pod template.",
  (pod, c) => {
    const type = asRecord(effectiveSecurity(pod, c, "seccompProfile"))?.type;
    if (type === "RuntimeDefault") {
      return [];
    }
    // Point at the level that decides: a container-level profile overrides the pod's.
    const where = asRecord(c.spec.securityContext)?.seccompProfile !== undefined ? c.path : pod.path;
    return [
      `has seccomp profile ${nonEmptyString(type) ? type : "unset"}: set ${where}.securityContext.seccompProfile.type: RuntimeDefault`,
    ];
  },
  ALL_CONTAINERS,
);

export const podPolicies: ResourceValidationPolicy[] = [
  runAsNonRoot,
  noPrivilegeEscalation,
  notPrivileged,
  dropAllCapabilities,
  readOnlyRootFilesystem,
  resourcesSet,
  probesSet,
  imagesPinned,
  seccompRuntimeDefault,
];

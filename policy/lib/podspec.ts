import { K8S, asArray, asRecord } from "./types";

/** Where each workload kind keeps its pod spec, as a property path from the resource's top level. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  [K8S.pod]: ["spec"],
  [K8S.deployment]: ["spec", "template", "spec"],
  [K8S.statefulSet]: ["spec", "template", "spec"],
  [K8S.daemonSet]: ["spec", "template", "spec"],
  [K8S.replicaSet]: ["spec", "template", "spec"],
  [K8S.job]: ["spec", "template", "spec"],
  [K8S.cronJob]: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);

export interface ContainerView {
  /** "container" or "initContainer", for messages. */
  role: "container" | "initContainer";
  name: string;
  /** Dotted path of the container in the resource, e.g. spec.template.spec.containers[0]. */
  path: string;
  spec: Record<string, unknown>;
}

export interface PodView {
  /** Dotted path of the pod spec, e.g. spec.template.spec. */
  path: string;
  spec: Record<string, unknown>;
  containers: ContainerView[];
  initContainers: ContainerView[];
}

/** The pod spec of a workload resource, or undefined if the type carries none / it is not set. */
export function podOf(type: string, props: Record<string, unknown>): PodView | undefined {
  const segments = POD_SPEC_PATHS[type];
  if (!segments) {
    return undefined;
  }
  let cursor: Record<string, unknown> | undefined = props;
  for (const segment of segments) {
    cursor = asRecord(cursor?.[segment]);
  }
  const path = segments.join(".");
  const spec = cursor ?? {};
  const list = (key: "containers" | "initContainers", role: ContainerView["role"]): ContainerView[] =>
    asArray(spec[key]).map((c, i) => {
      const container = asRecord(c) ?? {};
      return {
        role,
        name: typeof container.name === "string" ? container.name : `#${i}`,
        path: `${path}.${key}[${i}]`,
        spec: container,
      };
    });
  return { path, spec, containers: list("containers", "container"), initContainers: list("initContainers", "initContainer") };
}

/** A container's securityContext value for `key`, falling back to the pod-level securityContext. */
export function effectiveSecurity(pod: PodView, container: ContainerView, key: string): unknown {
  const own = asRecord(container.spec.securityContext)?.[key];
  return own !== undefined ? own : asRecord(pod.spec.securityContext)?.[key];
}

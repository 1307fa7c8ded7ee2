// What the engine tests read from the real engine's event stream, and the one real part they all need first.
import { spawnSync } from "node:child_process";
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** One step the engine took (or previewed): its operation (create, same, update, delete, ...) and the resource's URN. */
export interface Step {
    op: string;
    urn: string;
}

/** The steps of an operation, in the order the engine announced them (resourcePreEvent). */
export const stepsOf = (events: EngineEvent[]): Step[] =>
    events.flatMap((e) => (e.resourcePreEvent ? [{ op: e.resourcePreEvent.metadata.op, urn: e.resourcePreEvent.metadata.urn }] : []));

/** Why the real engine cannot be built here (undefined when Go is on PATH). */
export function goMissing(): string | undefined {
    return spawnSync("go", ["version"]).status === 0 ? undefined : "the Go toolchain (go), to build the Pulumi CLI, its Kubernetes provider and the cluster";
}

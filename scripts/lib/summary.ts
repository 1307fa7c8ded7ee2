import { customResourceObjects, objectGroup, type K8sObject } from "../../tests/harness/manifests";
import { TIER_LABEL } from "../../components/model/labels";
import type { StackRun } from "../../tests/harness/run-stack";

function table(header: string[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}

function countBy<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The Markdown summary of one render: customers and hosts, Kubernetes objects per kind, cloud resources per type;
 * for a sharded environment also which shard stack holds which customers.
 */
export function renderSummary(stack: string, run: StackRun, objects: readonly K8sObject[], shards?: Record<string, string[]>): string {
    const urls = (run.outputs.customers ?? {}) as Record<string, string>;
    const ingresses = objects.filter((o) => o.kind === "Ingress");
    const hostOf = (id: string) =>
        ingresses
            .filter((o) => objectGroup(o) === id)
            .flatMap((o) => ((o.spec as { rules?: { host: string }[] }).rules ?? []).map((r) => r.host))
            .join(", ");
    const tierOf = (id: string) => objects.find((o) => o.kind === "Namespace" && objectGroup(o) === id)?.metadata.labels?.[TIER_LABEL] ?? "";
    const custom = customResourceObjects(run.resources);
    const releases = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const cloud = run.resources.filter((r) => r.custom && !r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
    return [
        `# Stack ${stack}\n`,
        `## Customers (${Object.keys(urls).length})\n`,
        table(["customer", "tier", "host", "url"], Object.entries(urls).map(([id, url]) => [id, tierOf(id), hostOf(id), url])),
        ...(shards
            ? [
                  `## Stacks (sharded: the platform ${stack} and ${Object.keys(shards).length} shard stacks)\n`,
                  table(["stack", "customers"], Object.entries(shards).map(([name, ids]) => [name, ids.join(", ") || "none"])),
              ]
            : []),
        `## Kubernetes objects (${objects.length})\n`,
        table(["kind", "count"], countBy(objects, (o) => o.kind).map(([k, n]) => [k, String(n)])),
        `## Helm releases and objects of their CRDs (${releases.length + custom.length})\n`,
        releases.length + custom.length
            ? table(["kind", "name", "detail"], [
                  ...releases.map((r) => ["HelmRelease", String(r.inputs.name), `${r.inputs.chart} ${r.inputs.version}`]),
                  ...custom.map((o) => [o.kind, o.metadata.name, o.apiVersion]),
              ])
            : "none\n",
        `## Cloud resources (${cloud.length})\n`,
        cloud.length ? table(["type", "count"], countBy(cloud, (r) => r.type).map(([k, n]) => [k, String(n)])) : "none\n",
    ].join("\n");
}

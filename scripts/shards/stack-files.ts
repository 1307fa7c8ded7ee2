// The shard stacks' own files, Pulumi.<environment>-shard-<nn>.yaml: only the platform stack and the index, written
// from the environment's shard count by `npm run shards -- stacks --write`, and checked against it.
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT } from "../../components/model/project";
import { customerStacks, parseShardStackName, type Placement } from "../../components/model/shards";

/** The platform stack as shard stacks name it: fully qualified, on a self-managed backend's default organization. */
export const platformStackName = (environment: string) => `organization/${PROJECT}/${environment}`;

/** The exact text of one shard stack's file. */
export function shardStackFile(environment: string, stack: string): string {
    const shard = parseShardStackName(stack);
    if (!shard || shard.environment !== environment) throw new Error(`${stack} is not a shard stack of ${environment}`);
    const nn = stack.slice(-2);
    return [
        `# ${stack}: the customers of ${environment} that the stable hash places in shard ${nn} (npm run shards -- plan --stack ${environment}).`,
        `# Everything else comes from the platform stack ${environment} (Pulumi.${environment}.yaml) through its outputs. Written by`,
        `# \`npm run shards -- stacks --stack ${environment} --write\`; \`npm run shards -- check\` fails when these files and the count disagree.`,
        "config:",
        `  ${PROJECT}:platformStack: ${platformStackName(environment)}`,
        `  ${PROJECT}:shard: ${shard.index}`,
        "",
    ].join("\n");
}

export interface StackFileDrift {
    file: string;
    problem: "missing" | "different" | "extra";
}

/** The environment's shard stack files that are missing, differ from what the count gives, or name a shard beyond it. */
export function stackFileDrift(root: string, placement: Placement): StackFileDrift[] {
    const wanted = placement.layout === "sharded" ? customerStacks(placement) : [];
    const drift: StackFileDrift[] = [];
    for (const stack of wanted) {
        const file = `Pulumi.${stack}.yaml`;
        const full = path.join(root, file);
        if (!fs.existsSync(full)) drift.push({ file, problem: "missing" });
        else if (fs.readFileSync(full, "utf8") !== shardStackFile(placement.environment, stack)) drift.push({ file, problem: "different" });
    }
    for (const file of fs.readdirSync(root).sort()) {
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1];
        const shard = stack === undefined ? undefined : parseShardStackName(stack);
        if (shard?.environment === placement.environment && !wanted.includes(stack!)) drift.push({ file, problem: "extra" });
    }
    return drift;
}

/** Writes the missing or different files; extra ones are left for the operator (their stacks must be emptied first). */
export function writeStackFiles(root: string, placement: Placement): string[] {
    const written: string[] = [];
    for (const d of stackFileDrift(root, placement)) {
        if (d.problem === "extra") continue;
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(d.file)![1];
        fs.writeFileSync(path.join(root, d.file), shardStackFile(placement.environment, stack));
        written.push(d.file);
    }
    return written;
}

// `npm run render -- --stack <name>`: runs the real program for one stack under Pulumi's mock engine and writes what
// it would deploy to out/<stack>/ (objects, pages, summary). The main job on a fresh clone: no CLI, cloud or cluster.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CustomerRecordsError } from "../components/records/load";
import { StackSettingsError } from "../stacks/load";
import { runEnvironment, runStack, PROJECT_ROOT, type StackRun } from "../tests/harness/run-stack";
import { isStackName, STACKS } from "../tests/harness/stack-config";
import { parseShardStackName } from "../components/model/shards";
import { renderSummary } from "./lib/summary";
import { kubernetesObjects, objectGroup } from "../tests/harness/manifests";
import { SITE_FILES } from "../components/model/site/layout";

export interface RenderOptions {
    stack: string;
    outDir?: string;
    customersDir?: string;
}

export interface RenderResult {
    outDir: string;
    objectCount: number;
    summary: string;
}

/**
 * An environment renders whole: its own stack and, in the sharded layout, every shard stack, so out/<environment>/
 * holds every object the environment deploys whatever its layout. A shard stack's name renders that shard alone.
 */
export async function render(opts: RenderOptions): Promise<RenderResult> {
    const shard = parseShardStackName(opts.stack);
    if (!isStackName(shard?.environment ?? opts.stack)) throw new Error(`unknown stack "${opts.stack}" (stacks: ${STACKS.join(", ")}, or a shard stack <stack>-shard-<nn>)`);
    let run: StackRun;
    let stacks: Record<string, string[]> | undefined;
    if (shard) run = await runStack(opts.stack, { customersDir: opts.customersDir });
    else {
        const env = await runEnvironment(opts.stack, { customersDir: opts.customersDir });
        run = { ...env.platform, resources: env.resources };
        if (env.layout === "sharded") stacks = Object.fromEntries(Object.entries(env.shards).map(([name, s]) => [name, Object.keys(s.outputs.customers as object)]));
    }
    const objects = kubernetesObjects(run.resources);
    const outDir = path.resolve(opts.outDir ?? path.join(PROJECT_ROOT, "out", opts.stack));
    // Start clean: a customer removed from the records must disappear from the output too.
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(outDir, "pages"), { recursive: true });
    for (const obj of objects) {
        const dir = path.join(outDir, "k8s", objectGroup(obj));
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`), stringify(obj, { lineWidth: 0 }));
        const page = obj.kind === "ConfigMap" ? (obj.data as Record<string, string> | undefined)?.[SITE_FILES.page.key] : undefined;
        if (page !== undefined) fs.writeFileSync(path.join(outDir, "pages", `${objectGroup(obj)}.html`), page);
    }
    fs.writeFileSync(path.join(outDir, "objects.json"), JSON.stringify(objects, null, 2) + "\n");
    const summary = renderSummary(opts.stack, run, objects, stacks);
    fs.writeFileSync(path.join(outDir, "summary.md"), summary);
    return { outDir, objectCount: objects.length, summary };
}

function parseArgs(argv: string[]): RenderOptions {
    const opts: RenderOptions = { stack: "local" };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (flag === "--stack") opts.stack = value();
        else if (flag === "--out") opts.outDir = value();
        else if (flag === "--customers-dir") opts.customersDir = value();
        else throw new Error(`unknown argument "${argv[i]}" (use --stack <${STACKS.join("|")}>, --out <dir>, --customers-dir <dir>)`);
    }
    return opts;
}

if (require.main === module) {
    (async () => {
        try {
            const result = await render(parseArgs(process.argv.slice(2)));
            process.stdout.write(result.summary);
            console.log(`\nwrote ${result.objectCount} objects to ${path.relative(process.cwd(), result.outDir) || "."}`);
        } catch (e) {
            const known = e instanceof CustomerRecordsError || e instanceof StackSettingsError;
            console.error(known ? (e as Error).message : e);
            process.exit(1);
        }
    })();
}

// Shard budgets (sharding.budget): how many customers and resources one customer stack may hold. Customers are
// counted; resources are estimated from what the program really declares per tier, measured under the mock engine
// with one synthetic customer of each tier in the environment's own settings and layout.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TIERS, type Tier } from "../../components/model/customer";
import { runEnvironment, type StackRun } from "../../tests/harness/run-stack";
import type { RecordedResource } from "../../tests/harness/mock-engine";
import { shardPlan } from "../../components/model/shards";
import type { Environment } from "./environment";

/** What the estimate is built from: resources one customer of each tier adds, and what a customer stack has anyway. */
export interface ResourceModel {
    perTier: Record<Tier, number>;
    /** Resources of a customer stack without customers: its Stack, providers (a shard: also its StackReference). */
    stackOverhead: number;
}

export interface StackLoad {
    stack: string;
    customers: number;
    resources: number;
}

export interface BudgetProblem extends StackLoad {
    over: ("customers" | "resources")[];
}

const COMPONENT = "sas:index:CustomerSite";

/** The resources of each CustomerSite subtree (the component and everything parented under it), by customer id. */
function perCustomer(resources: readonly RecordedResource[]): Map<string, number> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const siteOf = (r: RecordedResource | undefined): RecordedResource | undefined => (!r ? undefined : r.type === COMPONENT ? r : siteOf(r.parent ? byUrn.get(r.parent) : undefined));
    const counts = new Map<string, number>();
    for (const r of resources) {
        const site = siteOf(r);
        if (site) counts.set(site.name, (counts.get(site.name) ?? 0) + 1);
    }
    return counts;
}

/** Measures the model under the mock engine: the environment's settings, one synthetic customer per tier. */
export async function measureResourceModel(env: Environment): Promise<ResourceModel> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-shards-budget-"));
    try {
        for (const tier of TIERS) {
            const id = `budget-${tier}`;
            fs.writeFileSync(
                path.join(dir, `${id}.yaml`),
                [`id: ${id}`, `companyName: Budget ${tier}`, "motto: Counted once", `tier: ${tier}`, `purchaseId: PO-BUDGET-${tier}`, ""].join("\n"),
            );
        }
        const run = await runEnvironment(env.name, { customersDir: dir });
        const stacks: StackRun[] = run.layout === "sharded" ? Object.values(run.shards) : [run.platform];
        const counts = perCustomer(stacks.flatMap((s) => s.resources));
        const perTier = Object.fromEntries(TIERS.map((tier) => [tier, counts.get(`customer-budget-${tier}`) ?? 0])) as Record<Tier, number>;
        // The engine's own: the Stack resource, and in a shard the StackReference read (state holds both).
        const own = run.layout === "sharded" ? 2 : 1;
        const overhead = Math.max(...stacks.map((s) => s.resources.length - [...perCustomer(s.resources).values()].reduce((a, b) => a + b, 0)));
        return { perTier, stackOverhead: overhead + own };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Customers and estimated resources of every customer stack of the environment, in stack order. */
export function stackLoads(env: Environment, model: ResourceModel): StackLoad[] {
    const tierOf = new Map(env.customers.map((c) => [c.id, c.tier]));
    return Object.entries(shardPlan([...tierOf.keys()], env.placement)).map(([stack, ids]) => ({
        stack,
        customers: ids.length,
        resources: model.stackOverhead + ids.reduce((sum, id) => sum + model.perTier[tierOf.get(id)!], 0),
    }));
}

/** The stacks over either budget. */
export function overBudget(loads: readonly StackLoad[], budget: { customers: number; resources: number }): BudgetProblem[] {
    return loads.flatMap((l) => {
        const over = [...(l.customers > budget.customers ? (["customers"] as const) : []), ...(l.resources > budget.resources ? (["resources"] as const) : [])];
        return over.length ? [{ ...l, over }] : [];
    });
}

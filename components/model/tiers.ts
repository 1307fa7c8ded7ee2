import { z } from "zod";
import type { Tier } from "./customer";
import { mebibytes, milliCpu } from "./quantity";

/** Accepted exactly when the quota arithmetic (components/model/quantity.ts) can use it, so no size fails later. */
const parsesWith = (parse: (q: string) => number) => (q: string) => {
    try {
        parse(q);
        return true;
    } catch {
        return false;
    }
};
const cpuQuantity = (what: string) =>
    z.string({ error: `${what} must be a string such as "50m"` }).refine(parsesWith(milliCpu), { error: `${what} must be a CPU quantity such as "50m" or "0.5"` });
const memoryQuantity = (what: string) =>
    z.string({ error: `${what} must be a string such as "64Mi"` }).refine(parsesWith(mebibytes), { error: `${what} must be a memory quantity in Ki, Mi or Gi, such as "64Mi"` });

export const autoscalingSchema = z.strictObject({
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().min(1).max(50),
    targetCpuUtilization: z.number().int().min(10).max(100),
}).refine((a) => a.minReplicas <= a.maxReplicas, { error: "needs minReplicas <= maxReplicas" });

export const tierSizeSchema = z.strictObject({
    replicas: z.number().int().min(1).max(50),
    /** A HorizontalPodAutoscaler between min and max; replicas then only seeds the first rollout. */
    autoscaling: autoscalingSchema.optional(),
    cpuRequest: cpuQuantity("cpuRequest"),
    cpuLimit: cpuQuantity("cpuLimit"),
    memoryRequest: memoryQuantity("memoryRequest"),
    memoryLimit: memoryQuantity("memoryLimit"),
});
export type TierSize = z.infer<typeof tierSizeSchema>;

/**
 * Built-in sizing per tier; a stack overrides single fields (`tiers: { business: { replicas: 1 } }`). The page is a
 * few KiB of static HTML: nginx idles at ~3 MiB and one worker serves thousands of requests per second, so requests
 * are small and the tiers differ mostly in replicas, i.e. availability.
 */
export const DEFAULT_TIER_SIZES: Readonly<Record<Tier, TierSize>> = {
    starter: { replicas: 1, cpuRequest: "10m", cpuLimit: "100m", memoryRequest: "16Mi", memoryLimit: "32Mi" },
    business: { replicas: 2, cpuRequest: "25m", cpuLimit: "200m", memoryRequest: "24Mi", memoryLimit: "48Mi" },
    enterprise: {
        replicas: 3,
        autoscaling: { minReplicas: 3, maxReplicas: 6, targetCpuUtilization: 70 },
        cpuRequest: "50m",
        cpuLimit: "500m",
        memoryRequest: "32Mi",
        memoryLimit: "64Mi",
    },
};

/** The rollout surge (the Deployment's maxSurge): the tenant quota must admit it, or a rollout stalls halfway. */
export const ROLLOUT_SURGE = 1;

/** Most pods a tier's Deployment can ever run at once: its ceiling (HPA max or replicas) plus the rollout surge. */
export function maxPods(size: Pick<TierSize, "replicas" | "autoscaling">): number {
    return (size.autoscaling?.maxReplicas ?? size.replicas) + ROLLOUT_SURGE;
}

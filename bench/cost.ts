// Cost model: what one customer asks of the cluster per tier (pods, CPU and memory requests, from the stack's own
// settings), and how many customers fit on the node types the stacks name, after EKS's reservations and pod limits.
import { mebibytes, milliCpu } from "../components/model/quantity";
import type { Tier } from "../components/model/customer";
import type { TierSize } from "../components/model/tiers";

/**
 * EC2 facts for the node types the stacks use. maxPods (VPC CNI, secondary IPs) = ENIs * (IPv4 per ENI - 1) + 2,
 * as in amazon-eks-ami's eni-max-pods.txt; with prefix delegation kubelet's max-pods is 110 (the Kubernetes
 * recommendation for nodes under 30 vCPU). Add a row here when a stack names another instance type.
 */
export const INSTANCE_TYPES: Record<string, { vcpu: number; memoryMiB: number; enis: number; ipv4PerEni: number }> = {
    "t3.medium": { vcpu: 2, memoryMiB: 4096, enis: 3, ipv4PerEni: 6 },
    "m6i.large": { vcpu: 2, memoryMiB: 8192, enis: 3, ipv4PerEni: 10 },
};

/** DaemonSet pods on every EKS node (aws-node, kube-proxy) and their CPU requests (25m and 100m). */
export const DAEMONSET_PODS = 2;
export const DAEMONSET_CPU_MILLI = 125;
export const EVICTION_HARD_MIB = 100;
export const PREFIX_DELEGATION_MAX_PODS = 110;

export function eniMaxPods(type: string): number {
    const t = INSTANCE_TYPES[type];
    if (!t) throw new Error(`instance type ${type} is not in INSTANCE_TYPES (bench/cost.ts); add its vCPU, memory and ENI limits`);
    return t.enis * (t.ipv4PerEni - 1) + 2;
}

/** EKS AMI kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of the rest. */
export function kubeReservedCpuMilli(vcpu: number): number {
    const steps: [number, number][] = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
    let left = vcpu;
    let reserved = 0;
    for (const [cores, share] of steps) {
        const n = Math.min(left, cores);
        reserved += n * 1000 * share;
        left -= n;
        if (left <= 0) break;
    }
    return reserved;
}

export interface NodeCapacity {
    type: string;
    maxPods: number;
    allocatableCpuMilli: number;
    allocatableMemoryMiB: number;
    /** What is left for tenant pods after the DaemonSets. */
    podSlots: number;
    cpuMilli: number;
    memoryMiB: number;
}

/** Allocatable = capacity - kube-reserved (EKS AMI formulas) - eviction threshold, then DaemonSets subtracted. */
export function nodeCapacity(type: string, maxPods = eniMaxPods(type)): NodeCapacity {
    const t = INSTANCE_TYPES[type];
    if (!t) throw new Error(`instance type ${type} is not in INSTANCE_TYPES (bench/cost.ts); add its vCPU, memory and ENI limits`);
    const allocatableCpuMilli = t.vcpu * 1000 - kubeReservedCpuMilli(t.vcpu);
    const allocatableMemoryMiB = t.memoryMiB - (255 + 11 * maxPods) - EVICTION_HARD_MIB;
    return {
        type,
        maxPods,
        allocatableCpuMilli,
        allocatableMemoryMiB,
        podSlots: maxPods - DAEMONSET_PODS,
        cpuMilli: allocatableCpuMilli - DAEMONSET_CPU_MILLI,
        memoryMiB: allocatableMemoryMiB,
    };
}

/** Quantity arithmetic is the product's own (components/model/quantity.ts): the cost model reads sizes as quotas do. */
export const cpuMilli = milliCpu;
export const memoryMiB = mebibytes;

export interface TierDemand {
    tier: Tier;
    /** Steady state (HPA minimum when autoscaled) and worst case (HPA maximum). */
    pods: number;
    podsMax: number;
    cpuMilli: number;
    memoryMiB: number;
    cpuMilliMax: number;
    memoryMiBMax: number;
}

export function tierDemand(tier: Tier, size: TierSize): TierDemand {
    const pods = size.autoscaling?.minReplicas ?? size.replicas;
    const podsMax = size.autoscaling?.maxReplicas ?? size.replicas;
    const cpu = cpuMilli(size.cpuRequest);
    const mem = memoryMiB(size.memoryRequest);
    return { tier, pods, podsMax, cpuMilli: pods * cpu, memoryMiB: pods * mem, cpuMilliMax: podsMax * cpu, memoryMiBMax: podsMax * mem };
}

export interface Fit {
    customers: number;
    /** Which limit binds: pods, cpu or memory. */
    bound: "pods" | "cpu" | "memory";
}

/** Customers of one demand that fit on one node (steady state). */
export function customersPerNode(node: NodeCapacity, demand: { pods: number; cpuMilli: number; memoryMiB: number }): Fit {
    const byLimit: [Fit["bound"], number][] = [
        ["pods", Math.floor(node.podSlots / demand.pods)],
        ["cpu", Math.floor(node.cpuMilli / demand.cpuMilli)],
        ["memory", Math.floor(node.memoryMiB / demand.memoryMiB)],
    ];
    const [bound, customers] = byLimit.reduce((a, b) => (b[1] < a[1] ? b : a));
    return { customers, bound };
}

/** The average customer of a tier mix: demand weighted by each tier's share. */
export function blendedDemand(demands: readonly TierDemand[], mix: readonly { tier: Tier; share: number }[]): { pods: number; cpuMilli: number; memoryMiB: number } {
    const share = (t: Tier) => mix.find((m) => m.tier === t)?.share ?? 0;
    return demands.reduce(
        (acc, d) => ({
            pods: acc.pods + share(d.tier) * d.pods,
            cpuMilli: acc.cpuMilli + share(d.tier) * d.cpuMilli,
            memoryMiB: acc.memoryMiB + share(d.tier) * d.memoryMiB,
        }),
        { pods: 0, cpuMilli: 0, memoryMiB: 0 },
    );
}

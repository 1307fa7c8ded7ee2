/**
 * Carves a VPC CIDR into one public and one private subnet per availability zone. Public subnets only hold load
 * balancers and NAT gateways (small: /prefix+4); private ones hold nodes and, with the VPC CNI, one IP per pod
 * (large: /prefix+2), which is what limits customers per cluster long before CPU does.
 */
export interface SubnetPlan {
    zone: string;
    publicCidr: string;
    privateCidr: string;
}

const toInt = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** Why a VPC CIDR cannot be carved (the settings schema reports it under its key), or undefined. */
export function subnetPlanProblem(vpcCidr: string): string | undefined {
    const [ip, bits] = vpcCidr.split("/");
    const prefix = Number(bits);
    if (prefix > 20) return `VPC CIDR ${vpcCidr} is too small: use /20 or larger`;
    if (toInt(ip) % 2 ** (32 - prefix) !== 0) return `VPC CIDR ${vpcCidr} is not aligned to its prefix (e.g. 10.40.0.0/16)`;
    return undefined;
}

export function subnetPlan(vpcCidr: string, zones: readonly string[]): SubnetPlan[] {
    const problem = subnetPlanProblem(vpcCidr);
    if (problem) throw new Error(problem);
    if (zones.length > 3) throw new Error("at most 3 availability zones");
    const [ip, bits] = vpcCidr.split("/");
    const prefix = Number(bits);
    const base = toInt(ip);
    const publicSize = 2 ** (32 - (prefix + 4));
    const privateSize = 2 ** (32 - (prefix + 2));
    // Quarter 0 of the VPC holds the public /prefix+4 blocks; quarters 1-3 are the private subnets.
    return zones.map((zone, i) => ({
        zone,
        publicCidr: `${toIp(base + i * publicSize)}/${prefix + 4}`,
        privateCidr: `${toIp(base + (i + 1) * privateSize)}/${prefix + 2}`,
    }));
}

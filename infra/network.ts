import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EksSettings } from "../stacks/settings";
import { subnetPlan } from "../components/model/subnet-plan";

export interface Network {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    privateSubnetIds: pulumi.Input<string>[];
}

/**
 * The cluster's network: an existing VPC from settings, or a new one with a public and a private subnet per zone.
 * Nodes live in private subnets and reach the internet (image pulls) through NAT; load balancers live in public ones.
 */
export function clusterNetwork(prefix: string, cluster: EksSettings, opts: pulumi.CustomResourceOptions): Network {
    const vpcSettings = cluster.vpc;
    if ("vpcId" in vpcSettings) {
        return { vpcId: vpcSettings.vpcId, publicSubnetIds: vpcSettings.publicSubnetIds, privateSubnetIds: vpcSettings.privateSubnetIds };
    }
    const vpc = new aws.ec2.Vpc(`${prefix}-vpc`, { cidrBlock: vpcSettings.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${prefix}-vpc` } }, opts);
    const igw = new aws.ec2.InternetGateway(`${prefix}-igw`, { vpcId: vpc.id, tags: { Name: `${prefix}-igw` } }, opts);
    const publicRoutes = new aws.ec2.RouteTable(`${prefix}-public-rt`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${prefix}-public` } }, opts);

    const plan = subnetPlan(vpcSettings.cidr, cluster.availabilityZones);
    const publicSubnets = plan.map((p, i) => {
        const subnet = new aws.ec2.Subnet(`${prefix}-public-${i}`, {
            vpcId: vpc.id,
            cidrBlock: p.publicCidr,
            availabilityZone: p.zone,
            mapPublicIpOnLaunch: false,
            // Tells the AWS load balancer integration where internet-facing load balancers go.
            tags: { Name: `${prefix}-public-${p.zone}`, "kubernetes.io/role/elb": "1" },
        }, opts);
        new aws.ec2.RouteTableAssociation(`${prefix}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, opts);
        return subnet;
    });
    const natCount = vpcSettings.natGateways === "perAz" ? plan.length : 1;
    const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
        const eip = new aws.ec2.Eip(`${prefix}-nat-${i}`, { domain: "vpc", tags: { Name: `${prefix}-nat-${i}` } }, opts);
        return new aws.ec2.NatGateway(`${prefix}-nat-${i}`, { subnetId: subnet.id, allocationId: eip.id, tags: { Name: `${prefix}-nat-${i}` } }, { ...opts, dependsOn: [igw] });
    });
    const privateSubnets = plan.map((p, i) => {
        const subnet = new aws.ec2.Subnet(`${prefix}-private-${i}`, {
            vpcId: vpc.id,
            cidrBlock: p.privateCidr,
            availabilityZone: p.zone,
            tags: { Name: `${prefix}-private-${p.zone}`, "kubernetes.io/role/internal-elb": "1" },
        }, opts);
        const routes = new aws.ec2.RouteTable(`${prefix}-private-rt-${i}`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % nats.length].id }],
            tags: { Name: `${prefix}-private-${p.zone}` },
        }, opts);
        new aws.ec2.RouteTableAssociation(`${prefix}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
        return subnet;
    });
    return { vpcId: vpc.id, publicSubnetIds: publicSubnets.map((s) => s.id), privateSubnetIds: privateSubnets.map((s) => s.id) };
}

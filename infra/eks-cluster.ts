import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EksSettings } from "../stacks/settings";
import { CLUSTER_POLICIES, NODE_POLICIES, serviceRole } from "./iam";
import { eksKubeconfig } from "./kubeconfig";
import { clusterNetwork } from "./network";

export interface EksCluster {
    name: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    oidcProviderArn: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string>;
}

/** AWS-managed EKS access policies (cluster-access-policy ARNs are global, not per account or region). */
export const EKS_ACCESS_POLICIES = {
    clusterAdmin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    /** Read most namespaced objects, never Secrets. */
    view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
} as const;

/**
 * configurationValues of the Amazon VPC CNI add-on: its network policy agent enforces Kubernetes NetworkPolicies
 * (each tenant's default-deny and allow-from-ingress). Without it EKS accepts NetworkPolicy objects and enforces none.
 */
export function vpcCniConfiguration(): string {
    return JSON.stringify({ enableNetworkPolicy: "true" });
}

/**
 * An EKS cluster from @pulumi/aws resources only: network, IAM, control plane with logging, the VPC CNI add-on with
 * NetworkPolicy enforcement, one managed node group, the OIDC provider for service-account roles, and the access
 * entries of exactly three IAM roles (docs/RUNBOOK.md "Cluster identities"):
 *
 * - adminRoleArn, the pipeline's apply role: cluster admin (AmazonEKSClusterAdminPolicy). It installs the Helm
 *   charts, the platform RBAC and the deployer's admission policy, which no confined identity could. The creator
 *   gets no implicit admin (bootstrapClusterCreatorAdminPermissions false): access is only what is listed here.
 * - deployerRoleArn: the Kubernetes group whose ClusterRole and admission policy (infra/rbac) confine it to tenants.
 * - previewRoleArn (optional), pull-request previews: read-only (AmazonEKSViewPolicy, no Secrets).
 *
 * The kubeconfig resolves only once the admin's access policy is associated, so the Kubernetes provider is never
 * used before the identity running the program may use it.
 */
export function eksCluster(args: {
    name: pulumi.Input<string>;
    prefix: string;
    region: string;
    settings: EksSettings;
    deployerGroup: string;
    opts: pulumi.CustomResourceOptions;
}): EksCluster {
    const { prefix, settings, opts } = args;
    const network = clusterNetwork(prefix, settings, opts);
    const clusterRole = serviceRole(`${prefix}-cluster-role`, "eks.amazonaws.com", CLUSTER_POLICIES, opts);
    const nodeRole = serviceRole(`${prefix}-node-role`, "ec2.amazonaws.com", NODE_POLICIES, opts);

    const cluster = new aws.eks.Cluster(`${prefix}-cluster`, {
        name: args.name,
        version: settings.version,
        roleArn: clusterRole.role.arn,
        vpcConfig: {
            subnetIds: [...network.privateSubnetIds, ...network.publicSubnetIds],
            endpointPublicAccess: settings.endpointPublicAccess,
            endpointPrivateAccess: settings.endpointPrivateAccess,
            publicAccessCidrs: settings.endpointPublicAccess ? settings.publicAccessCidrs : undefined,
        },
        enabledClusterLogTypes: settings.logTypes,
        // Access entries (not the aws-auth ConfigMap): cluster access is IAM-managed and visible in Pulumi state. No
        // implicit admin for whoever creates the cluster: the admin is the explicit entry below.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
    }, { ...opts, dependsOn: clusterRole.attachments });

    // Before the nodes join, so that every node starts with the network policy agent.
    const vpcCni = new aws.eks.Addon(`${prefix}-vpc-cni`, {
        clusterName: cluster.name,
        addonName: "vpc-cni",
        addonVersion: settings.vpcCniVersion,
        configurationValues: vpcCniConfiguration(),
        // EKS installs a self-managed vpc-cni with every cluster; the add-on takes it over.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
    }, opts);

    new aws.eks.NodeGroup(`${prefix}-nodes`, {
        clusterName: cluster.name,
        nodeRoleArn: nodeRole.role.arn,
        subnetIds: network.privateSubnetIds,
        instanceTypes: settings.nodeGroup.instanceTypes,
        amiType: "AL2023_x86_64_STANDARD",
        diskSize: settings.nodeGroup.diskSizeGiB,
        scalingConfig: { minSize: settings.nodeGroup.minSize, desiredSize: settings.nodeGroup.desiredSize, maxSize: settings.nodeGroup.maxSize },
        updateConfig: { maxUnavailable: 1 },
        labels: { "sas.io/pool": "tenants" },
    }, { ...opts, dependsOn: [...nodeRole.attachments, vpcCni] });

    const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(`${prefix}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, opts);

    const adminAccess = accessWithPolicy(`${prefix}-admin-access`, cluster.name, settings.adminRoleArn, EKS_ACCESS_POLICIES.clusterAdmin, opts);
    new aws.eks.AccessEntry(`${prefix}-deployer-access`, {
        clusterName: cluster.name,
        principalArn: settings.deployerRoleArn,
        kubernetesGroups: [args.deployerGroup],
        type: "STANDARD",
    }, opts);
    if (settings.previewRoleArn) accessWithPolicy(`${prefix}-preview-access`, cluster.name, settings.previewRoleArn, EKS_ACCESS_POLICIES.view, opts);

    const kubeconfig = pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, adminAccess.id])
        .apply(([name, endpoint, ca]) => eksKubeconfig({ name, endpoint, certificateAuthorityData: ca.data ?? "", region: args.region }));
    return { name: cluster.name, kubeconfig: pulumi.secret(kubeconfig), oidcProviderArn: oidc.arn, oidcIssuerUrl: issuer };
}

/** An access entry for one IAM role and one AWS-managed access policy on the whole cluster; returns the association. */
function accessWithPolicy(
    name: string,
    clusterName: pulumi.Input<string>,
    principalArn: string,
    policyArn: string,
    opts: pulumi.CustomResourceOptions,
): aws.eks.AccessPolicyAssociation {
    const entry = new aws.eks.AccessEntry(name, { clusterName, principalArn, type: "STANDARD" }, opts);
    return new aws.eks.AccessPolicyAssociation(`${name}-policy`, {
        clusterName,
        principalArn: entry.principalArn,
        policyArn,
        accessScope: { type: "cluster" },
    }, opts);
}

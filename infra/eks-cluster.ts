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

/**
 * An EKS cluster from @pulumi/aws resources only: network, IAM, control plane with logging, one managed node group,
 * the OIDC provider for service-account roles, and an access entry that maps the CI deployer role to the
 * Kubernetes group whose ClusterRole (infra/rbac) grants exactly what this program manages.
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
        // Access entries (not the aws-auth ConfigMap): cluster access is IAM-managed and visible in Pulumi state.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
    }, { ...opts, dependsOn: clusterRole.attachments });

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
    }, { ...opts, dependsOn: nodeRole.attachments });

    const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(`${prefix}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, opts);

    new aws.eks.AccessEntry(`${prefix}-deployer-access`, {
        clusterName: cluster.name,
        principalArn: settings.deployerRoleArn,
        kubernetesGroups: [args.deployerGroup],
        type: "STANDARD",
    }, opts);

    const kubeconfig = pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
        .apply(([name, endpoint, ca]) => eksKubeconfig({ name, endpoint, certificateAuthorityData: ca.data ?? "", region: args.region }));
    return { name: cluster.name, kubeconfig: pulumi.secret(kubeconfig), oidcProviderArn: oidc.arn, oidcIssuerUrl: issuer };
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterRoleManifest, DEPLOYER_ROLE, DEPLOYER_RULES, deployerBindingManifest, TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES } from "./rbac-rules";

/**
 * Cluster-wide RBAC of the platform: the tenant-viewer role (bound per tenant by CustomerSite) and the CI deployer
 * role bound to the group the EKS access entry maps the CI role to. Applied first, by a cluster admin, on bootstrap.
 */
export function platformRbac(deployerGroup: string, opts: pulumi.CustomResourceOptions) {
    const viewer = new k8s.rbac.v1.ClusterRole("tenant-viewer-role", clusterRoleManifest(TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES) as k8s.rbac.v1.ClusterRoleArgs, opts);
    const deployer = new k8s.rbac.v1.ClusterRole("ci-deployer-role", clusterRoleManifest(DEPLOYER_ROLE, DEPLOYER_RULES) as k8s.rbac.v1.ClusterRoleArgs, opts);
    new k8s.rbac.v1.ClusterRoleBinding("ci-deployer-binding", deployerBindingManifest(deployerGroup) as k8s.rbac.v1.ClusterRoleBindingArgs, { ...opts, dependsOn: [deployer] });
    return { viewerRoleName: TENANT_VIEWER_ROLE, viewer };
}

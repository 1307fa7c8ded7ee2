import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterRoleManifest, DEPLOYER_ROLE, DEPLOYER_RULES, deployerBindingManifest, TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES } from "./rbac-rules";

export interface PlatformRbacArgs {
    /** Kubernetes group of the CI deployer (the EKS access entry's group); bound to the deployer ClusterRole. */
    deployerGroup: string;
}

/**
 * Cluster-wide RBAC of the platform: the tenant-viewer role (bound per tenant by CustomerSite) and the CI deployer
 * role bound to the group the EKS access entry maps the CI role to. Applied first, by a cluster admin, on bootstrap.
 */
export class PlatformRbac extends pulumi.ComponentResource {
    /** The ClusterRole CustomerSite binds for the support group in each tenant namespace. */
    readonly viewerRole: { name: string; resource: k8s.rbac.v1.ClusterRole };

    constructor(name: string, args: PlatformRbacArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:PlatformRbac", name, {}, opts);
        const child = { parent: this };
        const viewer = new k8s.rbac.v1.ClusterRole("tenant-viewer-role", clusterRoleManifest(TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES), child);
        const deployer = new k8s.rbac.v1.ClusterRole("ci-deployer-role", clusterRoleManifest(DEPLOYER_ROLE, DEPLOYER_RULES), child);
        new k8s.rbac.v1.ClusterRoleBinding("ci-deployer-binding", deployerBindingManifest(args.deployerGroup), { ...child, dependsOn: [deployer] });
        this.viewerRole = { name: TENANT_VIEWER_ROLE, resource: viewer };
        this.registerOutputs({ viewerRoleName: TENANT_VIEWER_ROLE });
    }
}

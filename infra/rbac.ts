import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    clusterRoleManifest,
    DEPLOYER_ROLE,
    DEPLOYER_RULES,
    deployerBindingManifest,
    deployerGuardBindingManifest,
    deployerGuardPolicyManifest,
    type OwnedObject,
    TENANT_VIEWER_ROLE,
    TENANT_VIEWER_RULES,
} from "./rbac-rules";

export interface PlatformRbacArgs {
    /** Kubernetes group of the CI deployer (the EKS access entry's group); bound to the deployer ClusterRole. */
    deployerGroup: string;
    /** Kubernetes group of support engineers: the only subject a deployer-made RoleBinding may name. */
    supportGroup: string;
    /** Platform objects outside the tenant namespaces that the deployer applies (deployerOwnedObjects). */
    owned: readonly OwnedObject[];
}

/**
 * Cluster-wide RBAC of the platform and the admission policy that confines the CI deployer: the tenant-viewer role
 * (bound per tenant by CustomerSite), the CI deployer role bound to the group the EKS access entry maps the deployer
 * role to, and the ValidatingAdmissionPolicy + binding that keep that group inside tenant namespaces (cust-*) and the
 * platform objects it owns. Applied by a cluster admin (the pipeline's admin role on EKS, docs/RUNBOOK.md
 * "Cluster identities"); the deployer itself can neither create nor change any of them.
 */
export class PlatformRbac extends pulumi.ComponentResource {
    /** The ClusterRole CustomerSite binds for the support group in each tenant namespace. */
    readonly viewerRole: { name: string; resource: k8s.rbac.v1.ClusterRole };

    constructor(name: string, args: PlatformRbacArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:PlatformRbac", name, {}, opts);
        const child = { parent: this };
        const viewer = new k8s.rbac.v1.ClusterRole("tenant-viewer-role", clusterRoleManifest(TENANT_VIEWER_ROLE, TENANT_VIEWER_RULES), child);
        const deployer = new k8s.rbac.v1.ClusterRole("ci-deployer-role", clusterRoleManifest(DEPLOYER_ROLE, DEPLOYER_RULES), child);
        // The guard exists before the group is granted anything: there is no moment with the rights and without the limits.
        const guard = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            "ci-deployer-guard",
            deployerGuardPolicyManifest({ deployerGroup: args.deployerGroup, supportGroup: args.supportGroup, owned: args.owned }),
            child,
        );
        const guardBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding("ci-deployer-guard-binding", deployerGuardBindingManifest(), {
            ...child,
            dependsOn: [guard],
        });
        new k8s.rbac.v1.ClusterRoleBinding("ci-deployer-binding", deployerBindingManifest(args.deployerGroup), { ...child, dependsOn: [deployer, guardBinding] });
        this.viewerRole = { name: TENANT_VIEWER_ROLE, resource: viewer };
        this.registerOutputs({ viewerRoleName: TENANT_VIEWER_ROLE });
    }
}

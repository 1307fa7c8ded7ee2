import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "./iam-documents";

/** AWS managed policies only: no inline policy to review or drift. */
export const CLUSTER_POLICIES = ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"];
export const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/** A role for an AWS service with managed policies attached; returns the role and the attachments to depend on. */
export function serviceRole(name: string, service: string, policies: readonly string[], opts: pulumi.CustomResourceOptions) {
    const role = new aws.iam.Role(name, { assumeRolePolicy: assumeRolePolicy(service) }, opts);
    const attachments = policies.map(
        (policyArn) => new aws.iam.RolePolicyAttachment(`${name}-${policyArn.split("/").pop()}`, { role: role.name, policyArn }, opts),
    );
    return { role, attachments };
}

import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackSettings } from "../stacks/settings";
import { certManagerRoute53Policy, irsaTrustPolicy } from "./iam-documents";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_CHART_REPO = "https://charts.jetstack.io";
export const CLUSTER_ISSUER = "sas-letsencrypt";
export const WILDCARD_SECRET = "sas-wildcard-tls";

/**
 * cert-manager (pinned chart, CRDs included) with an IAM role for its service account that may only write TXT
 * records for `_acme-challenge.<baseDomain>`, a DNS-01 ClusterIssuer, and one wildcard Certificate for
 * *.<baseDomain> in the ingress controller's namespace. The controller serves it as its default certificate, so
 * tenants get HTTPS without any ACME machinery inside their namespaces.
 */
export function certManager(args: {
    settings: StackSettings;
    oidc: { providerArn: pulumi.Output<string>; issuerUrl: pulumi.Output<string> };
    ingressNamespace: pulumi.Resource;
    k8sOpts: pulumi.CustomResourceOptions;
    awsOpts: pulumi.CustomResourceOptions;
}) {
    const { settings } = args;
    const zoneId = settings.dns.hostedZoneId!;
    const role = new aws.iam.Role("cert-manager-dns01", {
        assumeRolePolicy: pulumi
            .all([args.oidc.providerArn, args.oidc.issuerUrl])
            .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, CERT_MANAGER_NAMESPACE, "cert-manager")),
    }, args.awsOpts);
    const policy = new aws.iam.Policy("cert-manager-dns01", { policy: certManagerRoute53Policy(zoneId, settings.baseDomain) }, args.awsOpts);
    new aws.iam.RolePolicyAttachment("cert-manager-dns01", { role: role.name, policyArn: policy.arn }, args.awsOpts);

    const ns = new k8s.core.v1.Namespace("cert-manager-namespace", {
        metadata: { name: CERT_MANAGER_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "pulumi", "pod-security.kubernetes.io/enforce": "restricted" } },
    }, args.k8sOpts);
    const release = new k8s.helm.v3.Release("cert-manager", {
        name: "cert-manager",
        chart: "cert-manager",
        version: settings.certManager.chartVersion,
        namespace: CERT_MANAGER_NAMESPACE,
        repositoryOpts: { repo: CERT_MANAGER_CHART_REPO },
        values: {
            crds: { enabled: true },
            serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": role.arn } },
            // Lets the controller read the projected web-identity token as a non-root user.
            securityContext: { fsGroup: 1001 },
        },
        atomic: true,
        timeout: 600,
    }, { ...args.k8sOpts, dependsOn: [ns] });
    const issuer = new k8s.apiextensions.CustomResource("cluster-issuer", {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: CLUSTER_ISSUER },
        spec: {
            acme: {
                email: settings.certManager.acmeEmail,
                server: settings.certManager.acmeServer,
                privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account` },
                solvers: [{ selector: { dnsZones: [settings.baseDomain] }, dns01: { route53: { region: settings.aws.region, hostedZoneID: zoneId } } }],
            },
        },
    }, { ...args.k8sOpts, dependsOn: [release] });
    new k8s.apiextensions.CustomResource("wildcard-certificate", {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "sas-wildcard", namespace: settings.ingressController.namespace },
        spec: {
            secretName: WILDCARD_SECRET,
            dnsNames: [`*.${settings.baseDomain}`],
            issuerRef: { kind: "ClusterIssuer", name: CLUSTER_ISSUER },
        },
    }, { ...args.k8sOpts, dependsOn: [issuer, args.ingressNamespace] });
}

import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { certManagerRoute53Policy, irsaTrustPolicy } from "./iam-documents";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_CHART_REPO = "https://charts.jetstack.io";
export const CLUSTER_ISSUER = "sas-letsencrypt";
export const WILDCARD_SECRET = "sas-wildcard-tls";

export interface CertManagerArgs {
    chartVersion: string;
    baseDomain: string;
    region: string;
    /** Route53 hosted zone of baseDomain, where the DNS-01 TXT records go. */
    hostedZoneId: string;
    acmeEmail: string;
    acmeServer: string;
    /** The cluster's OIDC provider: cert-manager reaches Route53 through an IAM role for its service account. */
    oidc: { providerArn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> };
    /** The ingress controller's namespace: the wildcard Secret lands there (Traefik's TLSStore `default` names it). */
    ingressNamespace: { name: string; resource: pulumi.Resource };
    /** Providers of the children: AWS for the IAM role, Kubernetes for the chart and objects. */
    providers: { aws: aws.Provider; kubernetes: k8s.Provider };
}

/** `<namespace>/<secret>` of the wildcard certificate (Traefik's TLSStore `default`, and the shared Gateway, name the Secret in that namespace). */
export const wildcardCertificateRef = (ingressNamespace: string) => `${ingressNamespace}/${WILDCARD_SECRET}`;

/**
 * cert-manager (pinned chart, CRDs included) with an IAM role for its service account that may only write TXT
 * records for `_acme-challenge.<baseDomain>`, a DNS-01 ClusterIssuer, and one wildcard Certificate for
 * *.<baseDomain> in the ingress controller's namespace. Traefik serves it as its default certificate (TLSStore
 * `default`, infra/traefik.ts) and the shared Gateway's https listener (routing `gateway`) terminates with it, so
 * tenants get HTTPS without any ACME machinery inside their namespaces.
 */
export class CertManager extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:CertManager", name, {}, opts);
        const awsOpts = { parent: this, provider: args.providers.aws };
        const k8sOpts = { parent: this, provider: args.providers.kubernetes };
        const role = new aws.iam.Role(`${name}-dns01`, {
            assumeRolePolicy: pulumi
                .all([args.oidc.providerArn, args.oidc.issuerUrl])
                .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, CERT_MANAGER_NAMESPACE, "cert-manager")),
        }, awsOpts);
        const policy = new aws.iam.Policy(`${name}-dns01`, { policy: certManagerRoute53Policy(args.hostedZoneId, args.baseDomain) }, awsOpts);
        new aws.iam.RolePolicyAttachment(`${name}-dns01`, { role: role.name, policyArn: policy.arn }, awsOpts);

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: CERT_MANAGER_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "pulumi", "pod-security.kubernetes.io/enforce": "restricted" } },
        }, k8sOpts);
        const release = new k8s.helm.v3.Release(name, {
            name: "cert-manager",
            chart: "cert-manager",
            version: args.chartVersion,
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
        }, { ...k8sOpts, dependsOn: [ns] });
        const issuer = new k8s.apiextensions.CustomResource(`${name}-cluster-issuer`, {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: CLUSTER_ISSUER },
            spec: {
                acme: {
                    email: args.acmeEmail,
                    server: args.acmeServer,
                    privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account` },
                    solvers: [{ selector: { dnsZones: [args.baseDomain] }, dns01: { route53: { region: args.region, hostedZoneID: args.hostedZoneId } } }],
                },
            },
        }, { ...k8sOpts, dependsOn: [release] });
        new k8s.apiextensions.CustomResource(`${name}-wildcard-certificate`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "sas-wildcard", namespace: args.ingressNamespace.name },
            spec: {
                secretName: WILDCARD_SECRET,
                dnsNames: [`*.${args.baseDomain}`],
                issuerRef: { kind: "ClusterIssuer", name: CLUSTER_ISSUER },
            },
        }, { ...k8sOpts, dependsOn: [issuer, args.ingressNamespace.resource] });
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

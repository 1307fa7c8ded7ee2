/** IAM policy documents as pure functions: reviewed and tested as data, not buried in resource arguments. */

/** Trust policy letting one AWS service (EKS control plane, EC2 nodes) assume a role. */
export function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", ...(service === "eks.amazonaws.com" ? ["sts:TagSession"] : [])] }],
    });
}

/** Trust policy letting exactly one Kubernetes service account assume a role through the cluster's OIDC provider. */
export function irsaTrustPolicy(providerArn: string, issuerUrl: string, namespace: string, serviceAccount: string): string {
    const issuer = issuerUrl.replace(/^https:\/\//, "");
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    });
}

/** Route53 rights for ACME DNS-01 and nothing more: TXT records named _acme-challenge.<baseDomain> in one zone. */
export function certManagerRoute53Policy(hostedZoneId: string, baseDomain: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
            {
                Effect: "Allow",
                Action: "route53:ChangeResourceRecordSets",
                Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}`,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [`_acme-challenge.${baseDomain}`],
                    },
                },
            },
            { Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}` },
        ],
    });
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** `*.<baseDomain>` → the ingress load balancer: one record for every customer, so onboarding touches no DNS. */
export function wildcardRecord(zoneId: string, baseDomain: string, target: pulumi.Output<string>, opts: pulumi.CustomResourceOptions) {
    return new aws.route53.Record("wildcard-dns", { zoneId, name: `*.${baseDomain}`, type: "CNAME", ttl: 300, records: [target] }, opts);
}

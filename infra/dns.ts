import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WildcardDnsArgs {
    /** Route53 hosted zone of baseDomain. */
    zoneId: string;
    baseDomain: string;
    /** The ingress controller's load balancer host name. */
    target: pulumi.Input<string>;
}

/** `*.<baseDomain>` → the ingress load balancer: one record for every customer, so onboarding touches no DNS. */
export class WildcardDns extends pulumi.ComponentResource {
    readonly fqdn: pulumi.Output<string>;

    constructor(name: string, args: WildcardDnsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:WildcardDns", name, {}, opts);
        const record = new aws.route53.Record(name, { zoneId: args.zoneId, name: `*.${args.baseDomain}`, type: "CNAME", ttl: 300, records: [args.target] }, { parent: this });
        this.fqdn = record.fqdn;
        this.registerOutputs({ fqdn: this.fqdn });
    }
}

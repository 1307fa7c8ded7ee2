/**
 * What the mock engine answers in update mode for outputs a real provider would compute and the program reads back
 * (ARNs, endpoints, generated strings). Everything else echoes its inputs. Preview mode answers nothing: every
 * computed output is unknown, as in `pulumi preview`. Values are fixed, so render output is reproducible.
 */
export function fakeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:111122223333:${resource}`;
    switch (type) {
        case "random:index/randomString:RandomString":
            return { result: "a1b2c3".slice(0, Number(inputs.length ?? 6)) };
        case "random:index/randomPassword:RandomPassword":
            return { result: "mock-password-0123456789ab".slice(0, Number(inputs.length ?? 24)) };
        case "aws:kms/key:Key":
            return { arn: arn("kms", `key/${name}`), keyId: `${name}-key-id` };
        case "aws:dynamodb/table:Table":
            return { arn: arn("dynamodb", `table/${String(inputs.name)}`) };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::111122223333:role/${name}`, name };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: `arn:aws:iam::111122223333:oidc-provider/${name}` };
        case "aws:eks/cluster:Cluster":
            return {
                arn: arn("eks", `cluster/${String(inputs.name)}`),
                endpoint: "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com",
                certificateAuthority: { data: "LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0=" },
                identities: [{ oidcs: [{ issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" }] }],
            };
        case "kubernetes:core/v1:Service":
            return { status: { loadBalancer: { ingress: [{ hostname: "ingress.elb.eu-west-1.amazonaws.com" }] } } };
        case "kubernetes:helm.sh/v3:Release":
            return { status: { name: String(inputs.name ?? name), status: "deployed" } };
        default:
            return {};
    }
}

/** Provider functions the program calls, with fixed answers. The program calls none today (zones are settings). */
export const fakeInvokes: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {};

// What `pulumi destroy --exclude-protected` (destroy.yml) keeps, computed the way the CLI computes it
// (pkg/cmd/pulumi/operations/destroy.go getProtectedExcludes): every protected resource and everything it depends
// on, transitively (parent, provider, dependencies). docs/RUNBOOK.md "Destroy an environment" lists exactly this.
import { strict as assert } from "node:assert";
import { runEnvironment, runStack, type RecordedResource, type StackName } from "../support/program";

function keptByExcludeProtected(resources: readonly RecordedResource[]): RecordedResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const kept = new Set<string>();
    const visit = (urn: string): void => {
        const r = byUrn.get(urn);
        if (!r || kept.has(urn)) return;
        kept.add(urn);
        if (r.parent) visit(r.parent);
        // A provider reference is `<provider URN>::<provider id>`.
        if (r.provider) visit(r.provider.slice(0, r.provider.lastIndexOf("::")));
        for (const d of r.dependsOn) visit(d);
    };
    for (const r of resources) if (r.protect) visit(r.urn);
    return resources.filter((r) => kept.has(r.urn) && r.custom);
}

const names = (rs: readonly RecordedResource[]) => rs.map((r) => `${r.type} ${r.name}`).sort();

/** What destroy keeps in each stack of the environment (each is destroyed on its own), by stack name. */
async function kept(stack: StackName, config: Record<string, unknown> = {}): Promise<Record<string, string[]>> {
    const env = await runEnvironment(stack, { config });
    return Object.fromEntries([env.platform, ...Object.values(env.shards)].map((s) => [s.stack, names(keptByExcludeProtected(s.resources))]));
}

describe("infra: what destroy keeps (--exclude-protected)", () => {
    const PLATFORM_KEPT = [
        "aws:dynamodb/table:Table registry",
        "aws:ec2/subnet:Subnet sas-prod-private-0",
        "aws:ec2/subnet:Subnet sas-prod-private-1",
        "aws:ec2/subnet:Subnet sas-prod-private-2",
        "aws:ec2/subnet:Subnet sas-prod-public-0",
        "aws:ec2/subnet:Subnet sas-prod-public-1",
        "aws:ec2/subnet:Subnet sas-prod-public-2",
        "aws:ec2/vpc:Vpc sas-prod-vpc",
        "aws:eks/accessEntry:AccessEntry sas-prod-admin-access",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation sas-prod-admin-access-policy",
        "aws:eks/cluster:Cluster sas-prod-cluster",
        "aws:iam/role:Role sas-prod-cluster-role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment sas-prod-cluster-role-AmazonEKSClusterPolicy",
        "aws:kms/key:Key registry-key",
        "pulumi:providers:aws aws",
        "pulumi:providers:kubernetes kubernetes",
        "random:index/randomString:RandomString cluster-suffix",
    ];

    it("prod as configured (sharded): the platform keeps the data and the cluster; each shard its protected tenant namespaces", async () => {
        const env = await runEnvironment("prod");
        assert.equal(env.layout, "sharded");
        const expected: Record<string, string[]> = { prod: PLATFORM_KEPT };
        for (const [name, shard] of Object.entries(env.shards)) {
            const tenants = shard.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.name.startsWith("customer-")).map((t) => `kubernetes:core/v1:Namespace ${t.name}`);
            // A shard without customers keeps nothing: its empty stack may go.
            expected[name] = tenants.length ? [...tenants, "pulumi:providers:kubernetes kubernetes"].sort() : [];
        }
        assert.ok(Object.values(expected).flat().some((n) => n.includes("Namespace customer-")));
        assert.deepEqual(await kept("prod"), expected);
    });

    it("prod in the single layout: the data, the protected tenant namespaces, and the cluster they live in", async () => {
        const tenants = (await runStack("prod")).resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.name.startsWith("customer-"));
        assert.ok(tenants.length > 0);
        assert.deepEqual(await kept("prod", { sharding: { layout: "single" } }), {
            prod: [...PLATFORM_KEPT, ...tenants.map((t) => `kubernetes:core/v1:Namespace ${t.name}`)].sort(),
        });
    });

    it("prod with tenancy.protectNamespaces off (the documented teardown): only the table, its key and their provider", async () => {
        const all = await kept("prod", { tenancy: { protectNamespaces: false } });
        assert.deepEqual(all.prod, ["aws:dynamodb/table:Table registry", "aws:kms/key:Key registry-key", "pulumi:providers:aws aws"]);
        assert.deepEqual(Object.entries(all).filter(([name, k]) => name !== "prod" && k.length > 0), []);
    });

    for (const stack of ["dev", "stage"] as const) {
        it(`${stack}: nothing is protected, destroy removes everything`, async () => {
            assert.deepEqual(Object.values(await kept(stack)).flat(), []);
        });
    }
});

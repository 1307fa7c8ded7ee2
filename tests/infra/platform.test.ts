import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runEnvironment, runStack, PROJECT_ROOT, STACKS, type EnvironmentRun, type StackRun, type StackName } from "../support/program";
import { loadCustomers } from "../../components/records/load";
import { outputIsKnown, outputIsSecret, outputValue } from "../support/outputs";

const CUSTOMERS = loadCustomers(path.join(PROJECT_ROOT, "customers"));
const of = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const one = (run: StackRun, type: string) => {
    const found = of(run, type);
    assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
    return found[0];
};

/** What each stack file must produce: zones, NAT gateways, node group sizes, protection. */
const EXPECTED: Record<Exclude<StackName, "sandbox">, { eks: boolean; zones: number; nats: number; nodes?: [number, number, number]; protect: boolean }> = {
    local: { eks: false, zones: 0, nats: 0, protect: false },
    dev: { eks: true, zones: 2, nats: 1, nodes: [1, 2, 3], protect: false },
    stage: { eks: true, zones: 3, nats: 1, nodes: [2, 2, 4], protect: false },
    prod: { eks: true, zones: 3, nats: 3, nodes: [3, 3, 9], protect: true },
};

const EKS_ONLY = ["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "aws:ec2/vpc:Vpc", "aws:iam/role:Role", "aws:eks/accessEntry:AccessEntry", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"];

// The sandbox stack creates nothing in AWS; it has its own block below.
for (const stack of STACKS.filter((s): s is Exclude<StackName, "sandbox"> => s !== "sandbox")) {
    const want = EXPECTED[stack];
    describe(`platform: stack ${stack}`, () => {
        /** Every stack of the environment together (its customers included); `platform` is the environment's own stack. */
        let run: StackRun;
        let env: EnvironmentRun;
        let preview: StackRun;
        /** Each Pulumi stack of the environment on its own: providers and component structure are per stack. */
        const stacks = () => [env.platform, ...Object.values(env.shards)];
        before(async () => {
            env = await runEnvironment(stack);
            run = await runStack(stack);
            preview = await runStack(stack, { preview: true });
        });

        it("registry table: on-demand, customerId/record keys, PITR on, encrypted, tagged", () => {
            const t = one(run, "aws:dynamodb/table:Table").inputs;
            assert.equal(t.name, `sas-onboarding-${stack}-customers`);
            assert.equal(t.billingMode, "PAY_PER_REQUEST");
            assert.equal(t.hashKey, "customerId");
            assert.equal(t.rangeKey, "record");
            assert.deepEqual(t.attributes, [{ name: "customerId", type: "S" }, { name: "record", type: "S" }]);
            assert.deepEqual(t.pointInTimeRecovery, { enabled: true });
            assert.equal(t.serverSideEncryption.enabled, true);
            assert.deepEqual(t.tags, { app: "sas-onboarding", environment: stack, "managed-by": "pulumi" });
        });

        it(`registry data ${want.protect ? "is" : "is not"} protected (deletion protection and Pulumi protect), and so are tenant namespaces`, () => {
            const table = one(run, "aws:dynamodb/table:Table");
            assert.equal(table.inputs.deletionProtectionEnabled, want.protect);
            assert.equal(table.protect, want.protect);
            const keys = of(run, "aws:kms/key:Key");
            assert.equal(keys.length, stack === "local" ? 0 : 1);
            for (const key of keys) assert.equal(key.protect, want.protect);
            const tenantNamespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.name.startsWith("customer-"));
            assert.equal(tenantNamespaces.length, CUSTOMERS.length);
            for (const ns of tenantNamespaces) assert.equal(ns.protect, want.protect, `${ns.name} protect`);
            const others = run.resources.filter((r) => r.protect && !["aws:dynamodb/table:Table", "aws:kms/key:Key"].includes(r.type) && !tenantNamespaces.includes(r));
            // A sharded platform protects its Kubernetes provider when the tenants are protected: it stands for the
            // shard stacks' namespaces, so that destroy --exclude-protected still keeps the cluster (tests/infra/destroy.test.ts).
            const standIn = env.layout === "sharded" && want.protect ? [one(env.platform, "pulumi:providers:kubernetes").urn] : [];
            assert.deepEqual(others.map((r) => r.urn), standIn, "nothing else is protected");
        });

        if (stack === "local") {
            it("uses the local DynamoDB endpoint, skips AWS credential checks, and has no KMS key (local servers have none)", () => {
                const p = one(run, "pulumi:providers:aws").inputs;
                assert.equal(JSON.parse(p.endpoints)[0].dynamodb, "http://127.0.0.1:8000");
                assert.equal(p.skipCredentialsValidation, "true");
                assert.equal(p.skipRequestingAccountId, "true");
                assert.equal(of(run, "aws:kms/key:Key").length, 0);
                assert.deepEqual(one(run, "aws:dynamodb/table:Table").inputs.serverSideEncryption, { enabled: true });
            });
            it("existing-cluster mode creates no EKS, VPC or IAM resources and no kubeconfig", async () => {
                for (const type of EKS_ONLY) assert.equal(of(run, type).length, 0, type);
                assert.equal(run.resources.filter((r) => r.type.startsWith("aws:ec2/")).length, 0);
                assert.equal(await outputValue(run.outputs.kubeconfig), undefined);
            });
        } else {
            it("encrypts the table with the stack's own rotating KMS key", () => {
                const key = one(run, "aws:kms/key:Key");
                assert.equal(key.inputs.enableKeyRotation, true);
                assert.equal(key.inputs.deletionWindowInDays, want.protect ? 30 : 7);
                assert.equal(one(run, "aws:dynamodb/table:Table").inputs.serverSideEncryption.kmsKeyArn, `arn:aws:kms:eu-west-1:111122223333:key/registry-key`);
                assert.equal(one(run, "aws:kms/alias:Alias").inputs.name, `alias/sas-${stack}-registry`);
            });

            it(`VPC: a public and a private subnet in each of ${want.zones} zones, ${want.nats} NAT gateway(s)`, () => {
                const subnets = of(run, "aws:ec2/subnet:Subnet").map((s) => s.inputs);
                assert.equal(subnets.length, want.zones * 2);
                const pub = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
                const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
                assert.equal(new Set(pub.map((s) => s.availabilityZone)).size, want.zones);
                assert.equal(new Set(priv.map((s) => s.availabilityZone)).size, want.zones);
                assert.equal(of(run, "aws:ec2/natGateway:NatGateway").length, want.nats);
                assert.equal(new Set(subnets.map((s) => s.cidrBlock)).size, subnets.length, "no overlapping subnets");
            });

            it("IAM: cluster and node roles with AWS managed policies only", () => {
                const attachments = of(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => !a.name.startsWith("cert-manager"))
                    .map((a) => a.inputs.policyArn)
                    .sort();
                assert.deepEqual(attachments, [
                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                    "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                ]);
                assert.equal(of(run, "aws:iam/rolePolicy:RolePolicy").length, 0, "no inline policies");
            });

            it("EKS: version, logging and endpoint access from settings; API authentication mode", () => {
                const c = one(run, "aws:eks/cluster:Cluster").inputs;
                assert.equal(c.version, "1.33");
                assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
                assert.equal(c.vpcConfig.endpointPrivateAccess, true);
                assert.equal(c.accessConfig.authenticationMode, "API");
                assert.equal(c.name, `sas-${stack}-a1b2c3`, "name carries the random suffix from state");
                assert.equal(c.vpcConfig.subnetIds.length, want.zones * 2);
            });

            it("node group sizes from settings, in private subnets", () => {
                const n = one(run, "aws:eks/nodeGroup:NodeGroup").inputs;
                assert.deepEqual([n.scalingConfig.minSize, n.scalingConfig.desiredSize, n.scalingConfig.maxSize], want.nodes);
                assert.equal(n.subnetIds.length, want.zones);
            });

            it("OIDC provider for service-account roles; access entries of exactly the admin, deployer and preview roles", () => {
                assert.deepEqual(one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs.clientIdLists, ["sts.amazonaws.com"]);
                // No implicit admin for whoever creates the cluster: every principal is an explicit entry below.
                assert.equal(one(run, "aws:eks/cluster:Cluster").inputs.accessConfig.bootstrapClusterCreatorAdminPermissions, false);
                const entries = of(run, "aws:eks/accessEntry:AccessEntry").map((e) => e.inputs);
                const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
                assert.deepEqual(entries.map((e) => e.principalArn).sort(), [role(`sas-ci-deployer-${stack}`), role(`sas-github-deploy-${stack}`), role("sas-github-preview")]);
                assert.deepEqual(entries.find((e) => e.principalArn === role(`sas-ci-deployer-${stack}`))!.kubernetesGroups, ["sas:ci-deployers"]);
                for (const e of entries) assert.equal(e.type, "STANDARD");
                const policies = of(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [a.inputs.principalArn, a.inputs.policyArn, a.inputs.accessScope.type]);
                assert.deepEqual(policies.sort(), [
                    [role(`sas-github-deploy-${stack}`), "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster"],
                    [role("sas-github-preview"), "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "cluster"],
                ]);
                // The deployer gets no access policy: only its group, which RBAC and the admission policy confine.
                assert.ok(!policies.some(([principal]) => principal === role(`sas-ci-deployer-${stack}`)));
            });

            it("the Kubernetes provider waits for the admin's access policy (the identity running the program may use the cluster)", () => {
                const provider = one(env.platform, "pulumi:providers:kubernetes");
                const association = of(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").find((a) => a.name === `sas-${stack}-admin-access-policy`)!;
                assert.ok(provider.dependsOn.includes(association.urn), provider.dependsOn.join("\n"));
            });

            it("the VPC CNI add-on enforces NetworkPolicies, and the nodes join after it", () => {
                const addon = one(run, "aws:eks/addon:Addon");
                assert.equal(addon.inputs.addonName, "vpc-cni");
                assert.deepEqual(JSON.parse(addon.inputs.configurationValues), { enableNetworkPolicy: "true" });
                assert.equal(addon.inputs.resolveConflictsOnCreate, "OVERWRITE");
                assert.equal(addon.inputs.clusterName, one(run, "aws:eks/cluster:Cluster").inputs.name);
                assert.ok(one(run, "aws:eks/nodeGroup:NodeGroup").dependsOn.includes(addon.urn), "the node group must wait for the add-on");
                // Tenants rely on it: each has a default-deny policy that only an enforcing CNI makes real.
                assert.equal(of(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((p) => p.inputs.metadata.name === "default-deny").length, CUSTOMERS.length);
            });

            it("the Kubernetes provider is built from the cluster's kubeconfig (aws eks get-token), exported as a secret", async () => {
                for (const shard of Object.values(env.shards)) assert.equal(one(shard, "pulumi:providers:kubernetes").inputs.kubeconfig, one(env.platform, "pulumi:providers:kubernetes").inputs.kubeconfig, shard.stack);
                const provider = one(env.platform, "pulumi:providers:kubernetes").inputs;
                const kubeconfig = JSON.parse(provider.kubeconfig);
                assert.equal(kubeconfig.clusters[0].cluster.server, "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com");
                assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 3), ["eks", "get-token", "--cluster-name"]);
                assert.equal(provider.context, undefined, "never the ambient kubeconfig's context");
                assert.deepEqual(one(env.platform, "pulumi:providers:kubernetes").secretPaths, ["kubeconfig"]);
                assert.equal(await outputIsSecret(run.outputs.kubeconfig), true);
            });

            it("installs Traefik v3 from a pinned chart in its own namespace, exporting its address", async () => {
                const r = of(run, "kubernetes:helm.sh/v3:Release").find((x) => x.name === "traefik")!;
                const release = r.inputs;
                assert.ok(r.urn.includes("sas:platform:IngressController$"), r.urn);
                assert.equal(release.chart, "traefik");
                assert.equal(release.repositoryOpts.repo, "https://traefik.github.io/charts");
                assert.equal(release.version, "41.3.0", "chart 41.3.0 ships Traefik v3.7.11 (docs/DECISIONS.md)");
                assert.equal(release.namespace, "traefik");
                const v = release.values;
                assert.equal(v.service.spec.type, "LoadBalancer");
                assert.deepEqual(v.ingressClass, { enabled: true, isDefaultClass: false, name: "traefik" });
                // The wildcard as the default certificate: TLSStore `default`, definable only in Traefik's namespace.
                assert.deepEqual(v.tlsStore, { default: { defaultCertificate: { secretName: "sas-wildcard-tls" } } });
                assert.equal(v.providers.kubernetesCRD.defaultTLSResourcesNamespace, "traefik");
                assert.equal(v.core.strictTLSOptions, true);
                for (const p of ["kubernetesCRD", "kubernetesIngress"]) assert.equal(v.providers[p].allowExternalNameServices, false, p);
                assert.equal(v.providers.kubernetesCRD.allowCrossNamespace, false);
                // HTTP -> HTTPS, HSTS on every HTTPS answer (a Middleware of the release, on the websecure entrypoint).
                assert.deepEqual(v.ports.web.http.redirections.entryPoint, { to: "websecure", scheme: "https", permanent: true });
                assert.deepEqual(v.ports.websecure.http.middlewares, ["traefik-sas-security-headers@kubernetescrd"]);
                const mw = v.extraObjects.find((o: { kind: string }) => o.kind === "Middleware");
                assert.deepEqual(mw.metadata, { name: "sas-security-headers", namespace: "traefik" });
                assert.deepEqual(mw.spec.headers, { stsSeconds: 31536000, stsIncludeSubdomains: true });
                // Metrics where the PodMonitor (components/model/monitoring/scrape.ts) scrapes: port `metrics` 9100, per service.
                assert.equal(v.ports.metrics.port, 9100);
                assert.deepEqual(v.metrics.prometheus, { entryPoint: "metrics", addEntryPointsLabels: true, addServicesLabels: true, addRoutersLabels: false });
                const podMonitor = run.resources.find((x) => x.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor");
                if (podMonitor) {
                    assert.deepEqual(podMonitor.inputs.spec.namespaceSelector, { matchNames: ["traefik"] });
                    assert.deepEqual(podMonitor.inputs.spec.selector, { matchLabels: { "app.kubernetes.io/name": "traefik" } });
                    assert.equal(podMonitor.inputs.spec.podMetricsEndpoints[0].port, "metrics");
                }
                const ns = of(run, "kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === "traefik")!;
                assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                assert.equal(await outputValue(run.outputs.ingressAddress), "ingress.elb.eu-west-1.amazonaws.com");
            });

            it("tenant pods admit only Traefik's own pods (its namespace AND app.kubernetes.io/name=traefik)", () => {
                const policies = of(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((p) => p.inputs.metadata.name === "allow-from-ingress-controller");
                assert.equal(policies.length, CUSTOMERS.length);
                for (const p of policies) {
                    assert.deepEqual(p.inputs.spec.ingress[0].from, [
                        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } },
                    ]);
                }
            });

            it("HTTPS for every tenant from one wildcard certificate: cert-manager by DNS-01 through a zone-scoped IRSA role", () => {
                const release = of(run, "kubernetes:helm.sh/v3:Release").find((r) => r.name === "cert-manager")!.inputs;
                assert.equal(release.version, "v1.19.1");
                assert.equal(release.values.crds.enabled, true);
                const roleArn = release.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"];
                assert.equal(roleArn, "arn:aws:iam::111122223333:role/cert-manager-dns01");
                const trust = JSON.parse(run.resources.find((r) => r.name === "cert-manager-dns01" && r.type === "aws:iam/role:Role")!.inputs.assumeRolePolicy);
                assert.equal(trust.Statement[0].Principal.Federated, `arn:aws:iam::111122223333:oidc-provider/sas-${stack}-oidc`);
                assert.deepEqual(Object.values(trust.Statement[0].Condition.StringEquals), ["system:serviceaccount:cert-manager:cert-manager", "sts.amazonaws.com"]);
                const cert = run.resources.find((r) => r.name === "cert-manager-wildcard-certificate")!.inputs;
                const domain = one(run, "aws:route53/record:Record").inputs.name.slice(2);
                assert.deepEqual(cert.spec.dnsNames, [`*.${domain}`]);
                assert.equal(cert.metadata.namespace, "traefik");
                const issuer = run.resources.find((r) => r.name === "cert-manager-cluster-issuer")!;
                assert.ok(issuer.dependsOn.some((d) => d.endsWith("::cert-manager")), "the issuer waits for the chart's CRDs");
                assert.equal(issuer.inputs.spec.acme.solvers[0].dns01.route53.hostedZoneID, "Z0EXAMPLE0SAS0ZONE");
                const ingresses = of(run, "kubernetes:networking.k8s.io/v1:Ingress");
                assert.ok(ingresses.every((i) => i.inputs.spec.tls[0].secretName === undefined && !i.inputs.metadata.annotations?.["cert-manager.io/cluster-issuer"]));
            });

            it("one wildcard DNS record to the ingress load balancer", () => {
                const record = one(run, "aws:route53/record:Record").inputs;
                assert.equal(record.type, "CNAME");
                assert.deepEqual(record.records, ["ingress.elb.eu-west-1.amazonaws.com"]);
                assert.equal(record.zoneId, "Z0EXAMPLE0SAS0ZONE");
            });

            it("preview completes with unknown cluster outputs", async () => {
                assert.equal(one(preview, "aws:eks/cluster:Cluster").inputs.version, "1.33");
                assert.equal(await outputIsKnown(preview.outputs.clusterName), false);
                assert.equal(of(preview, "sas:index:CustomerSite").length, CUSTOMERS.length);
            });
        }

        it("one registry item per customer whose JSON mirrors its record", () => {
            const items = of(run, "aws:dynamodb/tableItem:TableItem");
            assert.equal(items.length, CUSTOMERS.length);
            for (const c of CUSTOMERS) {
                const item = items.find((i) => i.name === `customer-${c.id}-registry-item`)!.inputs;
                assert.equal(item.tableName, `sas-onboarding-${stack}-customers`);
                const attrs = JSON.parse(item.item);
                assert.deepEqual(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, (v as { S: string }).S])), {
                    customerId: c.id,
                    record: "PROFILE",
                    companyName: c.companyName,
                    motto: c.motto,
                    tier: c.tier,
                    purchaseId: c.purchaseId,
                    namespace: `cust-${c.id}`,
                    url: (run.outputs.customers as Record<string, string>)[c.id],
                    environment: stack,
                });
            }
        });

        it("exports environment, customers, table name and ARN", async () => {
            assert.equal(run.outputs.environment, stack);
            assert.equal(await outputValue(run.outputs.registryTableName), `sas-onboarding-${stack}-customers`);
            assert.match(String(await outputValue(run.outputs.registryTableArn)), /^arn:aws:dynamodb:/);
        });

        it("every AWS resource uses its stack's one explicit AWS provider", () => {
            for (const s of stacks()) {
                const awsProviders = of(s, "pulumi:providers:aws");
                assert.equal(awsProviders.length, 1, s.stack);
                for (const r of s.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
                    assert.ok(r.provider?.startsWith(`${awsProviders[0].urn}::`), `${r.urn} uses ${r.provider}`);
                }
            }
        });

        it("the platform is components: every resource but the top-level providers belongs to a sas:platform or customer component", () => {
            assert.ok(env.platform.resources.filter((c) => c.type.startsWith("sas:platform:")).length >= 3, "expected Cluster, Registry and PlatformRbac at least");
            for (const s of stacks()) {
                const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
                for (const c of s.resources.filter((r) => !r.custom)) assert.match(c.type, /^sas:(platform|index):[A-Z][A-Za-z]+$/, `component type ${c.type}`);
                // The environment's own stack: only the AWS provider stands alone (the Kubernetes one is the Cluster's);
                // a shard stack declares both of its providers at the top, with the platform's inputs.
                const topLevel = s === env.platform ? ["pulumi:providers:aws"] : ["pulumi:providers:aws", "pulumi:providers:kubernetes"];
                const orphans = s.resources
                    .filter((r) => r.custom && !topLevel.includes(r.type))
                    .filter((r) => !r.parent || !byUrn.get(r.parent)?.type.startsWith("sas:"))
                    .map((r) => r.urn);
                assert.deepEqual(orphans, [], s.stack);
            }
        });
    });
}

describe("platform: removing a customer removes only its resources", () => {
    it("every surviving resource keeps identical inputs", async () => {
        const { tempDirWith, recordYaml } = await import("../support/tmp");
        const all = tempDirWith({ "aaa.yaml": recordYaml("aaa"), "bbb.yaml": recordYaml("bbb"), "ccc.yaml": recordYaml("ccc") });
        const fewer = tempDirWith({ "aaa.yaml": recordYaml("aaa"), "ccc.yaml": recordYaml("ccc") });
        try {
            const before = await runStack("prod", { customersDir: all.dir });
            const after = await runStack("prod", { customersDir: fewer.dir });
            const afterInputs = new Map(after.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
            const gone = before.resources.filter((r) => !afterInputs.has(r.urn));
            assert.ok(gone.length > 0 && gone.every((r) => r.urn.includes("customer-bbb")), gone.map((r) => r.urn).join("\n"));
            assert.ok(gone.some((r) => r.type === "aws:dynamodb/tableItem:TableItem"));
            // The one shared object that lists every customer (monitoring.enabled): the blackbox exporter's modules.
            const isBlackbox = (r: { type: string; inputs: { metadata?: { name?: string } } }) =>
                r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata?.name === "sas-blackbox-modules";
            for (const r of before.resources.filter((r) => !r.urn.includes("customer-bbb") && !isBlackbox(r))) assert.equal(afterInputs.get(r.urn), JSON.stringify(r.inputs), r.urn);
            const modules = (run: typeof before) => String(run.resources.find(isBlackbox)!.inputs.data["blackbox.yml"]).match(/^ {2}sas-welcome-[a-z]+/gm);
            assert.deepEqual(modules(before), ["  sas-welcome-aaa", "  sas-welcome-bbb", "  sas-welcome-ccc"]);
            assert.deepEqual(modules(after), ["  sas-welcome-aaa", "  sas-welcome-ccc"]);
        } finally {
            all.cleanup();
            fewer.cleanup();
        }
    });
});

describe("platform: stack sandbox (the real engine's stack: no AWS, no random provider)", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("sandbox", { config: { basicAuthPassword: "a-sandbox-password-from-config" } });
    });

    it("registers no AWS or random resource and no AWS provider: the registry is not managed here", () => {
        assert.deepEqual(run.resources.filter((r) => /^(aws:|random:|pulumi:providers:(aws|random))/.test(r.type)).map((r) => r.type), []);
        assert.equal(run.outputs.registryTableName, undefined);
        assert.ok(of(run, "sas:index:CustomerSite").length > 0);
    });

    it("takes the basic-auth password from the config secret, as a secret", async () => {
        const creds = run.outputs.basicAuth;
        assert.ok(await outputIsSecret(creds));
        assert.deepEqual(await outputValue(creds), { username: "sas-preview", password: "a-sandbox-password-from-config" });
        const secrets = of(run, "kubernetes:core/v1:Secret");
        assert.ok(secrets.length > 0 && secrets.every((s) => s.secretPaths.length > 0), "the htpasswd Secret is marked secret");
    });

    it("a stack that creates AWS resources without aws settings is refused, naming the key and why", async () => {
        await assert.rejects(runStack("sandbox", { config: { registry: { manage: true } } }), /sas-onboarding:aws\.region: is required: this stack creates AWS resources \(registry\.manage\)/);
    });
});

import { strict as assert } from "node:assert";
import { subnetPlan } from "../../components/model/subnet-plan";
import { eksKubeconfig } from "../../infra/kubeconfig";
import { vpcCniConfiguration } from "../../infra/eks-cluster";
import { registryProfileItem, statusRecord } from "../../components/model/registry";
import { parseStackSettings, StackSettingsError } from "../../stacks/load";
import { assumeRolePolicy, certManagerRoute53Policy, irsaTrustPolicy } from "../../infra/iam-documents";

describe("infra: IAM documents", () => {
    it("service trust: only the named service; EKS may also tag sessions", () => {
        const eks = JSON.parse(assumeRolePolicy("eks.amazonaws.com")).Statement[0];
        assert.deepEqual([eks.Principal, eks.Action], [{ Service: "eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]]);
        assert.deepEqual(JSON.parse(assumeRolePolicy("ec2.amazonaws.com")).Statement[0].Action, ["sts:AssumeRole"]);
    });
    it("IRSA trust: one service account, audience sts, issuer without scheme", () => {
        const t = JSON.parse(irsaTrustPolicy("arn:oidc", "https://oidc.example/id/X", "cert-manager", "cert-manager"));
        assert.deepEqual(t.Statement[0].Condition.StringEquals, {
            "oidc.example/id/X:sub": "system:serviceaccount:cert-manager:cert-manager",
            "oidc.example/id/X:aud": "sts.amazonaws.com",
        });
        assert.equal(t.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
    });
    it("Route53 policy: only TXT records named _acme-challenge.<baseDomain> in one zone; no wildcard resource for writes", () => {
        const p = JSON.parse(certManagerRoute53Policy("ZABC123", "sas.example.com"));
        const change = p.Statement.find((st: { Action: string }) => st.Action === "route53:ChangeResourceRecordSets");
        assert.equal(change.Resource, "arn:aws:route53:::hostedzone/ZABC123");
        assert.deepEqual(change.Condition["ForAllValues:StringEquals"], {
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.sas.example.com"],
        });
        assert.ok(p.Statement.every((st: { Action: string; Resource: string }) => st.Resource !== "*"));
    });
});

describe("infra: subnet plan", () => {
    it("carves /16 into /20 public and /18 private subnets, one each per zone, without overlap", () => {
        assert.deepEqual(subnetPlan("10.40.0.0/16", ["a", "b", "c"]), [
            { zone: "a", publicCidr: "10.40.0.0/20", privateCidr: "10.40.64.0/18" },
            { zone: "b", publicCidr: "10.40.16.0/20", privateCidr: "10.40.128.0/18" },
            { zone: "c", publicCidr: "10.40.32.0/20", privateCidr: "10.40.192.0/18" },
        ]);
    });
    it("refuses too small or misaligned VPCs", () => {
        assert.throws(() => subnetPlan("10.0.0.0/24", ["a"]), /too small/);
        assert.throws(() => subnetPlan("10.0.1.0/16", ["a"]), /not aligned/);
    });
});

describe("infra: VPC CNI add-on configuration", () => {
    it("turns on the network policy agent (NetworkPolicies are otherwise accepted and not enforced on EKS)", () => {
        assert.deepEqual(JSON.parse(vpcCniConfiguration()), { enableNetworkPolicy: "true" });
    });
});

describe("infra: EKS kubeconfig", () => {
    it("holds no credential and gets a token from aws eks get-token", () => {
        const k = JSON.parse(eksKubeconfig({ name: "c1", endpoint: "https://e", certificateAuthorityData: "Q0E=", region: "eu-west-1" }));
        assert.equal(k["current-context"], "c1");
        assert.deepEqual(k.users[0].user.exec.args, ["eks", "get-token", "--cluster-name", "c1", "--region", "eu-west-1", "--output", "json"]);
        assert.equal(JSON.stringify(k).includes("token\":"), false);
    });
});

describe("registry item", () => {
    it("is a deterministic DynamoDB item keyed customerId/PROFILE", () => {
        const c = { id: "acme", companyName: "Acme", motto: "Go", tier: "starter" as const, purchaseId: "PO-1" };
        const a = registryProfileItem(c, { environment: "dev", url: "https://acme.x/", namespace: "cust-acme" });
        assert.equal(a, registryProfileItem({ ...c }, { environment: "dev", url: "https://acme.x/", namespace: "cust-acme" }));
        assert.deepEqual(Object.keys(JSON.parse(a)).slice(0, 2), ["customerId", "record"]);
        assert.equal(statusRecord("prod"), "STATUS#prod");
    });
});

describe("stack settings: eks mode", () => {
    const eks = {
        mode: "eks",
        version: "1.33",
        availabilityZones: ["eu-west-1a", "eu-west-1b"],
        nodeGroup: { instanceTypes: ["t3.medium"], minSize: 1, desiredSize: 1, maxSize: 2 },
        adminRoleArn: "arn:aws:iam::111122223333:role/admin",
        deployerRoleArn: "arn:aws:iam::111122223333:role/deployer",
    };
    const base = { baseDomain: "x.example.com", aws: { region: "eu-west-1" }, image: { repository: "r/x", tag: "1" } };
    const problems = (kubernetes: unknown, extra: Record<string, unknown> = {}) => {
        try {
            parseStackSettings("dev", { ...base, kubernetes, ...extra });
        } catch (e) {
            assert.ok(e instanceof StackSettingsError);
            return e.message;
        }
        return assert.fail("expected rejection");
    };
    it("accepts a complete eks block with defaults for the VPC and logging", () => {
        const s = parseStackSettings("dev", { ...base, kubernetes: eks });
        assert.equal(s.kubernetes.mode, "eks");
        if (s.kubernetes.mode === "eks") {
            assert.deepEqual(s.kubernetes.vpc, { cidr: "10.40.0.0/16", natGateways: "single" });
            assert.deepEqual(s.kubernetes.logTypes, ["api", "audit", "authenticator"]);
        }
    });
    const CASES: [string, unknown, string, Record<string, unknown>?][] = [
        ["missing nodeGroup", { ...eks, nodeGroup: undefined }, "sas-onboarding:kubernetes.nodeGroup:"],
        ["node sizes out of order", { ...eks, nodeGroup: { ...eks.nodeGroup, minSize: 3 } }, "sas-onboarding:kubernetes.nodeGroup: needs minSize <= desiredSize <= maxSize"],
        ["one zone", { ...eks, availabilityZones: ["eu-west-1a"] }, "sas-onboarding:kubernetes.availabilityZones:"],
        ["bad zone name", { ...eks, availabilityZones: ["a", "b"] }, "sas-onboarding:kubernetes.availabilityZones.0: must be an availability zone name"],
        ["version not a string", { ...eks, version: 1.33 }, "sas-onboarding:kubernetes.version:"],
        ["bad deployer ARN", { ...eks, deployerRoleArn: "root" }, "sas-onboarding:kubernetes.deployerRoleArn: must be an IAM role ARN"],
        ["missing admin role", { ...eks, adminRoleArn: undefined }, "sas-onboarding:kubernetes.adminRoleArn:"],
        ["bad preview ARN", { ...eks, previewRoleArn: "arn:aws:iam::1:user/x" }, "sas-onboarding:kubernetes.previewRoleArn: must be an IAM role ARN"],
        ["the pipeline's admin role as the deployer", { ...eks, deployerRoleArn: eks.adminRoleArn }, "sas-onboarding:kubernetes.deployerRoleArn: is the same role as kubernetes.adminRoleArn"],
        ["the preview role as the deployer", { ...eks, previewRoleArn: eks.deployerRoleArn }, "sas-onboarding:kubernetes.previewRoleArn: is the same role as kubernetes.deployerRoleArn"],
        ["bad VPC CNI version", { ...eks, vpcCniVersion: "latest" }, "sas-onboarding:kubernetes.vpcCniVersion: must be an add-on version"],
        ["unknown eks key", { ...eks, nodegroup: {} }, "sas-onboarding:kubernetes.nodegroup: unknown setting"],
        ["missing aws block", eks, "sas-onboarding:aws.region: is required: this stack creates AWS resources (kubernetes.mode eks, registry.manage)", { aws: undefined }],
        ["bad region", eks, "sas-onboarding:aws.region: must be an AWS region", { aws: { region: "Europe" } }],
        ["bad local endpoint", eks, "sas-onboarding:aws.dynamodbEndpoint: must be a URL", { aws: { region: "eu-west-1", dynamodbEndpoint: "localhost" } }],
        ["VPC too small to carve", { ...eks, vpc: { cidr: "10.40.0.0/24" } }, "sas-onboarding:kubernetes.vpc.cidr: VPC CIDR 10.40.0.0/24 is too small"],
        ["VPC not aligned", { ...eks, vpc: { cidr: "10.40.1.0/16" } }, "sas-onboarding:kubernetes.vpc.cidr: VPC CIDR 10.40.1.0/16 is not aligned"],
        ["bad key window", eks, "sas-onboarding:registry.keyDeletionWindowDays:", { registry: { keyDeletionWindowDays: 3 } }],
        ["cert-manager without a zone", eks, "sas-onboarding:certManager.install: needs dns.hostedZoneId", { certManager: { install: true, acmeEmail: "a@b.co" }, ingressController: { install: true }, ingress: { tls: { enabled: true } } }],
        ["cert-manager without an e-mail", eks, "sas-onboarding:certManager.acmeEmail: is required", { certManager: { install: true }, dns: { hostedZoneId: "ZABCDE1" }, ingressController: { install: true }, ingress: { tls: { enabled: true } } }],
        ["cert-manager without the controller", eks, "sas-onboarding:certManager.install: needs ingressController.install", { certManager: { install: true, acmeEmail: "a@b.co" }, dns: { hostedZoneId: "ZABCDE1" }, ingress: { tls: { enabled: true } } }],
        ["cert-manager on an existing cluster", { mode: "existing" }, "sas-onboarding:certManager.install: needs kubernetes.mode eks", { certManager: { install: true, acmeEmail: "a@b.co" }, dns: { hostedZoneId: "ZABCDE1" }, ingressController: { install: true }, ingress: { tls: { enabled: true } } }],
        ["bad e-mail", eks, "sas-onboarding:certManager.acmeEmail: must be an e-mail", { certManager: { acmeEmail: "nobody" } }],
        ["bad zone id", eks, "sas-onboarding:dns.hostedZoneId: must be a Route53 hosted zone id", { dns: { hostedZoneId: "zone" } }],
        ["DNS record without the controller", eks, "sas-onboarding:dns.hostedZoneId: needs ingressController.install", { dns: { hostedZoneId: "ZABCDE1" } }],
    ];
    for (const [what, kube, expected, extra] of CASES) {
        it(`rejects ${what}, naming the key`, () => {
            const msg = problems(kube, extra);
            assert.ok(msg.split("\n").some((l) => l.trim().startsWith(expected)), `expected "${expected}" in:\n${msg}`);
        });
    }
});

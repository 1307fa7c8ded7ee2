import { z } from "zod";
import { tierSizeSchema, type TierSize } from "../components/model/tiers";
import { subnetPlanProblem } from "../components/model/subnet-plan";
import { RECORD_LIMITS, type Tier } from "../components/model/customer";
import { MAX_SHARDS, SHARD_LAYOUTS } from "../components/model/shards";

/**
 * Every stack setting, typed. Pulumi.<stack>.yaml holds them under the project namespace (`sas-onboarding:<key>`);
 * docs/SETTINGS.md documents each key. Unknown keys are errors, so a typo never silently falls back to a default.
 */

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/** Pulumi hands scalar config values over as strings; accept "true"/"false" as well as real booleans. */
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
    error: "must be true or false",
});

/** Likewise for a top-level whole number: "100" from the CLI, 100 from structured values and tests. */
const wholeNumber = z.union([z.number().int().min(0), z.string().regex(/^[0-9]+$/).transform(Number)], {
    error: "must be a whole number",
});

export const imageSchema = z
    .strictObject({
        repository: z.string().regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/, { error: "must be an image repository like docker.io/nginxinc/nginx-unprivileged" }),
        tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "must be an image tag" }).optional(),
        digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: "must be sha256:<64 hex digits>" }).optional(),
    })
    .refine((i) => i.tag !== undefined || i.digest !== undefined, { error: "needs a tag or a digest: images are pinned" })
    .refine((i) => i.tag !== "latest", { path: ["tag"], error: "must not be 'latest': images are pinned" });

export const ingressSchema = z.strictObject({
    /** IngressClass of the customers' Ingresses; with routing `gateway`, also the GatewayClass of the shared Gateway. */
    className: z.string().min(1).default("traefik"),
    tls: z
        .strictObject({
            enabled: flag.default(false),
            /**
             * A certificate Secret the operator places in every tenant namespace. Unset (the default): Ingresses name
             * only their host and the controller serves its default certificate, the *.<baseDomain> wildcard that
             * certManager issues. Per-host ACME HTTP-01 is deliberately not offered: its solver pods would have to run
             * inside tenant namespaces, past their quota and default-deny network policy.
             */
            secretName: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
        })
        .prefault({}),
});

const CIDR = /^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;

/** A new VPC: public subnets for load balancers, private ones for nodes, one per availability zone. */
const newVpcSchema = z.strictObject({
    cidr: z
        .string()
        .regex(CIDR, { error: "must be an IPv4 CIDR such as 10.40.0.0/16" })
        .refine((c) => subnetPlanProblem(c) === undefined, { error: (issue) => subnetPlanProblem(String(issue.input)) })
        .default("10.40.0.0/16"),
    /** "single" saves ~$32/month per extra AZ in non-prod; "perAz" survives the loss of one zone (prod). */
    natGateways: z.enum(["single", "perAz"]).default("single"),
});
/** An existing VPC (e.g. shared by a network team): nothing network-related is created. */
const existingVpcSchema = z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { error: "must be a VPC id (vpc-...)" }),
    publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
});

export const eksSchema = z.strictObject({
    mode: z.literal("eks"),
    version: z.string().regex(/^1\.[0-9]{2}$/, { error: "must be an EKS minor version such as 1.33" }),
    /** Two or three zones of the stack's region; listed explicitly so the program never asks AWS at evaluation time. */
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}-[a-z]+-[0-9][a-z]$/, { error: "must be an availability zone name" })).min(2).max(3),
    vpc: z.union([existingVpcSchema, newVpcSchema]).prefault({}),
    endpointPublicAccess: flag.default(true),
    endpointPrivateAccess: flag.default(true),
    publicAccessCidrs: z.array(z.string().regex(CIDR)).min(1).default(["0.0.0.0/0"]),
    logTypes: z.array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"])).default(["api", "audit", "authenticator"]),
    nodeGroup: z.strictObject({
        instanceTypes: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/)).min(1),
        minSize: z.number().int().min(1),
        desiredSize: z.number().int().min(1),
        maxSize: z.number().int().min(1),
        diskSizeGiB: z.number().int().min(20).default(20),
    }).refine((n) => n.minSize <= n.desiredSize && n.desiredSize <= n.maxSize, { error: "needs minSize <= desiredSize <= maxSize" }),
    /**
     * The pipeline's apply role of this environment (its GitHub environment's AWS_DEPLOY_ROLE_ARN): cluster admin
     * through an explicit access entry (AmazonEKSClusterAdminPolicy). The cluster creator gets nothing implicitly, so
     * every principal with access is one of these three settings (docs/RUNBOOK.md "Cluster identities").
     */
    adminRoleArn: z.string().regex(IAM_ROLE_ARN, { error: "must be an IAM role ARN" }),
    /** IAM role mapped by an EKS access entry to the CI deployer group (rbac.deployerGroup): tenants only, RBAC + admission policy. */
    deployerRoleArn: z.string().regex(IAM_ROLE_ARN, { error: "must be an IAM role ARN" }),
    /** IAM role of pull-request previews (AWS_PREVIEW_ROLE_ARN): read-only access (AmazonEKSViewPolicy, no Secrets). */
    previewRoleArn: z.string().regex(IAM_ROLE_ARN, { error: "must be an IAM role ARN" }).optional(),
    /** Amazon VPC CNI add-on version (e.g. v1.20.4-eksbuild.1); unset: the default for the cluster's version. */
    vpcCniVersion: z.string().regex(/^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$/, { error: "must be an add-on version such as v1.20.4-eksbuild.1" }).optional(),
});

export const existingClusterSchema = z.strictObject({
    mode: z.literal("existing"),
    /** Path to a kubeconfig file; unset means the provider's own default (KUBECONFIG or ~/.kube/config). */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
});

export const kubernetesSchema = z.discriminatedUnion("mode", [existingClusterSchema, eksSchema], {
    error: "mode must be one of: existing, eks",
});

export const awsSchema = z.strictObject({
    region: z.string().regex(/^[a-z]{2}-[a-z]+-[0-9]$/, { error: "must be an AWS region such as eu-west-1" }),
    /**
     * A local DynamoDB endpoint (DynamoDB Local; dynalite lacks the point-in-time recovery the table turns on). When set, the AWS provider talks only to it,
     * skips every credential check, and the registry uses the AWS-owned key (local servers have no KMS).
     */
    dynamodbEndpoint: z.url({ error: "must be a URL such as http://127.0.0.1:4567" }).optional(),
});

export const ingressControllerSchema = z.strictObject({
    /**
     * Install Traefik v3 with Helm; off means the cluster already runs Traefik for ingress.className in `namespace`
     * (tenant NetworkPolicies admit its pods, app.kubernetes.io/name=traefik, from there).
     */
    install: flag.default(false),
    /** Chart version of https://traefik.github.io/charts, pinned: 41.3.0 ships Traefik v3.7.11 (its appVersion). */
    chartVersion: z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+$/).default("41.3.0"),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).default("traefik"),
    serviceType: z.enum(["LoadBalancer", "NodePort"]).default("LoadBalancer"),
    replicas: z.number().int().min(1).default(2),
});

/**
 * cert-manager issuing one wildcard certificate for *.<baseDomain> by ACME DNS-01 in Route53 (eks only: cert-manager
 * reaches Route53 through an IAM role for its service account), served by Traefik as its default certificate.
 */
export const certManagerSchema = z.strictObject({
    install: flag.default(false),
    chartVersion: z.string().regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/).default("v1.19.1"),
    acmeEmail: z.email({ error: "must be an e-mail address for the ACME account" }).optional(),
    acmeServer: z.url().default("https://acme-v02.api.letsencrypt.org/directory"),
});

export const dnsSchema = z.strictObject({
    /** Route53 hosted zone of baseDomain: a wildcard record to the ingress load balancer, and DNS-01 challenges. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, { error: "must be a Route53 hosted zone id (Z...)" }).optional(),
});

export const registrySchema = z.strictObject({
    /**
     * The stack creates the registry table (and its key) and writes one PROFILE item per customer. Off: the registry
     * is owned elsewhere (another stack, a data team) or not used; this stack then needs no AWS provider for it.
     */
    manage: flag.default(true),
    /** DynamoDB deletion protection and Pulumi `protect` on the table and its key: prod data survives `pulumi destroy`. */
    protect: flag.default(false),
    /** Days a scheduled KMS key deletion waits (7-30); a mistaken destroy can be cancelled within it. */
    keyDeletionWindowDays: z.number().int().min(7).max(30).default(7),
});

export const tenancySchema = z.strictObject({
    /** Pod Security Standards version pinned in the namespace labels, so a cluster upgrade never tightens silently. */
    podSecurityVersion: z.string().regex(/^v1\.[0-9]{2}$/, { error: "must be a Kubernetes minor version such as v1.33" }).default("v1.33"),
    /** Pulumi `protect` on tenant namespaces: removing a customer becomes a deliberate two-step (prod). */
    protectNamespaces: flag.default(false),
    /** HTTP basic auth in front of every page (non-prod: pages are not public before launch). */
    basicAuth: flag.default(false),
});

export const rbacSchema = z.strictObject({
    /** Kubernetes group of the CI deployer (EKS access entry subject); bound to the deployer ClusterRole. */
    deployerGroup: z.string().min(1).default("sas:ci-deployers"),
    /** Kubernetes group of support engineers; bound read-only (never secrets) in every tenant namespace. */
    supportGroup: z.string().min(1).default("sas:support"),
});

/** What the record loader reads at most; a pull request beyond either is refused before anything is declared. */
export const recordsSchema = z.strictObject({
    /** Largest `customers/<id>.yaml`, in bytes. */
    maxRecordBytes: z.number().int().min(1024).max(1024 * 1024).default(RECORD_LIMITS.maxRecordBytes),
    /** Most customer files in one stack (shards raise the platform's total, not this). */
    maxCustomers: z.number().int().min(1).max(100_000).default(RECORD_LIMITS.maxCustomers),
});

/**
 * Prometheus Operator objects (docs/MONITORING.md): a PrometheusRule, scrape configs and the blackbox exporter's
 * config per environment, one Probe per customer. Needs the operator's CRDs in the cluster (kube-prometheus-stack).
 * Unset fields take the model's defaults (components/model/monitoring/settings.ts).
 */
export const monitoringSchema = z.strictObject({
    enabled: flag.default(false),
    /** Namespace of the shared monitoring objects (where kube-prometheus-stack runs). */
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
    /** Labels the operator's rule/probe/monitor selectors match, e.g. { release: kube-prometheus-stack }. */
    selectorLabels: z.record(z.string(), z.string()).optional(),
    thresholds: z
        .strictObject({
            latencyP95Seconds: z.number().positive().optional(),
            errorRatio5xx: z.number().positive().max(1).optional(),
            minRequestsPerSecond: z.number().positive().optional(),
            onboardingStuckMinutes: z.number().int().positive().optional(),
            verifyGraceMinutes: z.number().int().positive().optional(),
            quotaUsedRatio: z.number().positive().max(1).optional(),
        })
        .optional(),
});

/**
 * Where the environment's customers live (docs/DECISIONS.md "Customer shards"). `single`: every customer in this
 * stack, as small installations (local, sandbox) run. `sharded`: this stack becomes the platform (cluster, registry,
 * controller, cert-manager, RBAC, monitoring) and the customers live in `shards` stacks `<stack>-shard-<nn>`, placed
 * by a stable hash of their id; each shard stack reads this stack's outputs through a StackReference.
 */
export const shardingSchema = z
    .strictObject({
        layout: z.enum(SHARD_LAYOUTS).default("single"),
        /** Shard stacks of a sharded environment. Raising it moves about 1/(n+1) of the customers (docs/RUNBOOK.md "Resharding"). */
        shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
        /**
         * What one customer stack may hold before `npm run shards -- check` fails a pull request. The real engine's
         * cost of a change grows with the stack (docs/BENCHMARKS.md "The real engine"): at 100 customers an `up` from
         * empty took about 5 minutes and adding one customer 25 s; at 200 the curve predicts 20 minutes.
         */
        budget: z
            .strictObject({
                customers: z.number().int().min(1).default(100),
                /** Resources (components and objects) per stack, estimated from each tier's count under the mock engine. */
                resources: z.number().int().min(1).default(1400),
            })
            .prefault({}),
    })
    .prefault({});

const tierOverrides = z
    .strictObject({
        starter: tierSizeSchema.partial().optional(),
        business: tierSizeSchema.partial().optional(),
        enterprise: tierSizeSchema.partial().optional(),
    })
    .prefault({});

export const stackSettingsSchema = z.strictObject({
    baseDomain: z.string({ error: "is required (e.g. dev.sas.example.com)" }).regex(DNS_NAME, {
        error: "must be a lower-case DNS name with at least two labels",
    }),
    customersDir: z.string().min(1).default("customers"),
    /**
     * Lets the program run with the documentation's example values (account 111122223333, zone Z0EXAMPLE0SAS0ZONE,
     * *.example.com). Off: `pulumi preview`/`up` stops before any cloud call, naming each example key. Runs under
     * Pulumi's mock engine (`npm run render`, the tests) never reach a cloud and need no setting; this is for a real
     * engine pointed at no cloud on purpose (a local emulator). Never set it in a stack that deploys.
     */
    allowExampleValues: flag.default(false),
    allowEmptyCustomers: flag.default(false),
    records: recordsSchema.prefault({}),
    /**
     * Customers declared per batch; the next batch is declared when the engine has answered every registration of
     * the previous one. Bounds the program's memory (all registrations in flight at once cost ~180 KB each; see
     * docs/BENCHMARKS.md), at the price of serializing first-time rollouts batch by batch. 0 declares all at once.
     */
    customerBatchSize: wholeNumber.default(100),
    /**
     * The basic-auth password, as a config secret (`pulumi config set --secret basicAuthPassword ...`), instead of one
     * generated by @pulumi/random: for clusters shared with other tools, or stacks that run without the random provider.
     */
    basicAuthPassword: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
    image: imageSchema,
    ingress: ingressSchema.prefault({}),
    /**
     * How a customer's host reaches its Service: `ingress` (an Ingress per customer) or `gateway` (one shared Gateway
     * API Gateway per environment in the controller's namespace, an HTTPRoute per customer). `gateway` needs the
     * Gateway API CRDs (standard channel) in the cluster; Traefik's Gateway provider is turned on when it is installed.
     */
    routing: z.enum(["ingress", "gateway"]).default("ingress"),
    kubernetes: kubernetesSchema,
    /** Required when the stack creates anything in AWS (eks, a managed registry, DNS, cert-manager). */
    aws: awsSchema.optional(),
    ingressController: ingressControllerSchema.prefault({}),
    tenancy: tenancySchema.prefault({}),
    rbac: rbacSchema.prefault({}),
    certManager: certManagerSchema.prefault({}),
    dns: dnsSchema.prefault({}),
    registry: registrySchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    tiers: tierOverrides,
    sharding: shardingSchema,
});

/** Settings whose values are secrets: never copied into a stack output (the shard inputs leave them out). */
export const SECRET_SETTINGS = ["basicAuthPassword"] as const satisfies readonly (keyof StackSettingsInput)[];

/**
 * A customer shard stack's whole configuration (Pulumi.<environment>-shard-<nn>.yaml): which platform stack it belongs
 * to and its index. Everything else comes from the platform stack's outputs, which carry the environment's settings
 * from Pulumi.<environment>.yaml (the one place they are written).
 */
export const shardStackSettingsSchema = z.strictObject({
    /** Fully qualified: `<organization>/<project>/<environment>` (`organization` on a self-managed backend). */
    platformStack: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
        error: "must be a fully qualified stack name <organization>/<project>/<stack>, e.g. organization/sas-onboarding/dev",
    }),
    shard: wholeNumber.pipe(z.number().max(MAX_SHARDS - 1, { error: `must be below ${MAX_SHARDS}` })),
});
export type ShardStackSettings = z.infer<typeof shardStackSettingsSchema>;

export type EksSettings = z.infer<typeof eksSchema>;
export type ExistingClusterSettings = z.infer<typeof existingClusterSchema>;

export type StackSettingsInput = z.input<typeof stackSettingsSchema>;
export type StackSettings = z.infer<typeof stackSettingsSchema> & { stack: string; tierSizes: Record<Tier, TierSize> };

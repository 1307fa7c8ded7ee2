import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CustomerSite, type CustomerSiteArgs } from "./components/tenant/customer-site";
import { imageReference, type GatewayRef } from "./components/tenant/manifests";
import { componentName, customerUrl, registryTableName } from "./components/model/names";
import { shardIndex } from "./components/model/shards";
import { PROJECT_ROOT } from "./components/model/project";
import { loadCustomers } from "./components/records/load";
import type { Customer } from "./components/model/customer";
import { awsProvider, type AwsProvider } from "./infra/aws-provider";
import { BasicAuth } from "./infra/basic-auth";
import { CERT_MANAGER_NAMESPACE, CertManager, WILDCARD_SECRET } from "./infra/cert-manager";
import { Cluster, kubernetesProvider } from "./infra/cluster";
import { WildcardDns } from "./infra/dns";
import { IngressController, TRAEFIK_POD_SELECTOR } from "./infra/traefik";
import { SHARED_GATEWAY, SharedGateway } from "./infra/gateway";
import { PlatformRbac } from "./infra/rbac";
import { deployerOwnedObjects, TENANT_VIEWER_ROLE } from "./infra/rbac-rules";
import { Registry } from "./infra/registry";
import { Monitoring } from "./infra/monitoring";
import { BASIC_AUTH_USER, htpasswdLine } from "./components/model/htpasswd";
import { resolveMonitoringSettings, type MonitoringSettings } from "./components/model/monitoring";
import { loadStackRole, settingsFromPlatform, StackSettingsError, underMockEngine, type ShardInputs, type StackRole } from "./stacks/load";
import type { StackSettings } from "./stacks/settings";

/** The stack's outputs; the key list below is the one source of their names (index.ts exports exactly these). */
export interface StackOutputs {
    environment: string;
    /** Customer id → URL of its welcome page (a shard: its own customers; a sharded platform: the environment's). */
    customers: Record<string, string>;
    /** Absent in a shard stack (the platform's). */
    clusterName: pulumi.Output<string> | undefined;
    /** Secret: only in eks mode, where this stack created the cluster. */
    kubeconfig: pulumi.Output<string | undefined> | undefined;
    /** The ingress controller's load balancer, when this stack installs the controller. */
    ingressAddress: pulumi.Output<string> | undefined;
    /** Absent when the registry is not managed by this stack (registry.manage: false). */
    registryTableName: pulumi.Output<string> | undefined;
    registryTableArn: pulumi.Output<string> | undefined;
    /** The local DynamoDB-compatible endpoint (local stack), for `npm run verify`. */
    registryEndpoint: string | undefined;
    /** Secret: the basic-auth credentials of non-prod pages (absent where pages are public). */
    basicAuth: pulumi.Output<{ username: string; password: string }> | undefined;
    /** A sharded environment's platform stack: what its shard stacks read through their StackReference. */
    shardInputs: ShardInputs | undefined;
    /** A shard stack: which environment's shard it is. */
    shard: { platformStack: string; index: number; shards: number } | undefined;
}

/** Every stack output key, in export order; `satisfies` keeps it equal to StackOutputs' keys. */
export const STACK_OUTPUT_KEYS = [
    "environment",
    "customers",
    "clusterName",
    "kubeconfig",
    "ingressAddress",
    "registryTableName",
    "registryTableArn",
    "registryEndpoint",
    "basicAuth",
    "shardInputs",
    "shard",
] as const satisfies readonly (keyof StackOutputs)[];
type UnlistedOutput = Exclude<keyof StackOutputs, (typeof STACK_OUTPUT_KEYS)[number]>;
/** Fails to compile when StackOutputs gains a key that STACK_OUTPUT_KEYS does not list. */
export const STACK_OUTPUT_KEYS_COMPLETE: [UnlistedOutput] extends [never] ? true : false = true;

/** The outputs as the engine exports them: every listed key, in order, leaving out the ones this stack has not. */
export function exportedOutputs(outputs: StackOutputs): Record<string, unknown> {
    return Object.fromEntries(STACK_OUTPUT_KEYS.filter((key) => outputs[key] !== undefined).map((key) => [key, outputs[key]]));
}

/**
 * The whole program. Settings and customer records are parsed and validated completely before the first resource
 * is declared, so an invalid record or setting registers nothing at all. This is the only reader of settings: every
 * piece below gets the narrow values it needs.
 */
export async function defineStack(): Promise<StackOutputs> {
    const role = loadStackRole();
    if (role.kind === "shard") return defineShard(role);
    const settings = role.settings;
    return declareResources(settings, environmentCustomers(settings), role.shardInputs);
}

/** Every customer record of the environment, validated together (a shard cannot accept what the whole set rejects). */
function environmentCustomers(settings: StackSettings): Customer[] {
    const customersDir = path.resolve(PROJECT_ROOT, settings.customersDir);
    return loadCustomers(customersDir, {
        allowEmpty: settings.allowEmptyCustomers,
        maxRecordBytes: settings.records.maxRecordBytes,
        maxCustomers: settings.records.maxCustomers,
        displayDir: path.relative(PROJECT_ROOT, customersDir) || ".",
    });
}

/**
 * The AWS provider and region, created on first use: a stack that creates nothing in AWS (an existing cluster, a
 * registry owned elsewhere) registers no AWS provider at all. The settings check guarantees `aws` where it is used.
 */
function awsAccess(settings: StackSettings): (what: string) => { provider: AwsProvider; region: string } {
    let provider: AwsProvider | undefined;
    return (what) => {
        const a = settings.aws;
        if (!a) throw new Error(`Pulumi.${settings.stack}.yaml: ${what} needs sas-onboarding:aws.region`);
        provider ??= awsProvider({ region: a.region, environment: settings.stack, dynamodbEndpoint: a.dynamodbEndpoint });
        return { provider, region: a.region };
    };
}

/** Where the blackbox exporter finds the basic-auth password of non-prod pages (mounted from its own Secret). */
const BLACKBOX_PASSWORD_FILE = "/etc/sas-basic-auth/password";

export function monitoringSettings(settings: StackSettings): MonitoringSettings | undefined {
    const m = settings.monitoring;
    if (!m.enabled) return undefined;
    try {
        return resolveMonitoringSettings({
            environment: settings.stack,
            baseDomain: settings.baseDomain,
            tls: settings.ingress.tls.enabled,
            namespace: m.namespace,
            selectorLabels: m.selectorLabels,
            thresholds: m.thresholds,
            traefik: { namespace: settings.ingressController.namespace },
            blackbox: settings.tenancy.basicAuth ? { basicAuth: { username: BASIC_AUTH_USER, passwordFile: BLACKBOX_PASSWORD_FILE } } : {},
        });
    } catch (e) {
        throw new StackSettingsError(settings.stack, [`sas-onboarding:monitoring: ${(e as Error).message}`]);
    }
}

async function declareResources(settings: StackSettings, customers: readonly Customer[], shardInputs: ShardInputs): Promise<StackOutputs> {
    const aws = awsAccess(settings);
    const k = settings.kubernetes;
    const sharded = settings.sharding.layout === "sharded";
    const protectProvider = sharded && settings.tenancy.protectNamespaces;
    const cluster =
        k.mode === "existing"
            ? new Cluster("cluster", { mode: "existing", existing: k, protectProvider })
            : new Cluster(
                  "cluster",
                  { mode: "eks", eks: k, namePrefix: `sas-${settings.stack}`, region: aws("the EKS cluster").region, deployerGroup: settings.rbac.deployerGroup, protectProvider },
                  { providers: { aws: aws("the EKS cluster").provider } },
              );
    const k8sProvider = { providers: { kubernetes: cluster.provider } };
    const registry = settings.registry.manage
        ? new Registry("registry", {
              tableName: registryTableName(settings.stack),
              environment: settings.stack,
              protect: settings.registry.protect,
              keyDeletionWindowDays: settings.registry.keyDeletionWindowDays,
              localEndpoint: settings.aws?.dynamodbEndpoint !== undefined,
          }, { providers: { aws: aws("the registry table").provider } })
        : undefined;

    const c = settings.ingressController;
    const gatewayRouting = settings.routing === "gateway";
    const ingress = c.install
        ? new IngressController("traefik", {
              chartVersion: c.chartVersion,
              namespace: c.namespace,
              className: settings.ingress.className,
              replicas: c.replicas,
              serviceType: c.serviceType,
              sslRedirect: settings.ingress.tls.enabled,
              defaultCertificateSecret: settings.certManager.install ? WILDCARD_SECRET : undefined,
              gatewayApi: gatewayRouting,
          }, k8sProvider)
        : undefined;
    const gateway = gatewayRouting
        ? new SharedGateway("gateway", {
              namespace: c.namespace,
              className: settings.ingress.className,
              baseDomain: settings.baseDomain,
              tlsSecretName: settings.ingress.tls.enabled ? WILDCARD_SECRET : undefined,
              dependsOn: ingress ? [ingress.release] : [],
          }, k8sProvider)
        : undefined;
    if (ingress && settings.dns.hostedZoneId) {
        new WildcardDns("wildcard-dns", { zoneId: settings.dns.hostedZoneId, baseDomain: settings.baseDomain, target: ingress.address }, { providers: { aws: aws("the wildcard DNS record").provider } });
    }
    // The settings schema guarantees cert-manager's prerequisites (eks, controller, zone, e-mail); checked again here
    // only so the types know it.
    if (ingress && cluster.oidc && settings.certManager.install && settings.dns.hostedZoneId && settings.certManager.acmeEmail) {
        new CertManager("cert-manager", {
            chartVersion: settings.certManager.chartVersion,
            baseDomain: settings.baseDomain,
            region: aws("cert-manager").region,
            hostedZoneId: settings.dns.hostedZoneId,
            acmeEmail: settings.certManager.acmeEmail,
            acmeServer: settings.certManager.acmeServer,
            oidc: cluster.oidc,
            ingressNamespace: { name: c.namespace, resource: ingress.namespace },
            providers: { aws: aws("cert-manager").provider, kubernetes: cluster.provider },
        });
    }
    const rbac = new PlatformRbac("platform-rbac", {
        deployerGroup: settings.rbac.deployerGroup,
        supportGroup: settings.rbac.supportGroup,
        owned: deployerOwnedObjects({
            ingressNamespace: ingress ? c.namespace : undefined,
            certManagerNamespace: settings.certManager.install ? CERT_MANAGER_NAMESPACE : undefined,
            monitoringNamespace: monitoringSettings(settings)?.namespace,
        }),
    }, k8sProvider);
    const auth = settings.tenancy.basicAuth
        ? new BasicAuth("basic-auth", { password: settings.basicAuthPassword === undefined ? undefined : pulumi.secret(settings.basicAuthPassword) })
        : undefined;
    const siteProviders: Record<string, pulumi.ProviderResource> = { kubernetes: cluster.provider };
    if (registry) siteProviders.aws = aws("the registry items").provider;

    const monitoring = monitoringSettings(settings);
    if (monitoring) new Monitoring("monitoring", { settings: monitoring, customers }, k8sProvider);

    const urls = sharded
        ? // The customers live in the shard stacks; the platform still publishes every page's address (npm run verify).
          Object.fromEntries(customers.map((c) => [c.id, customerUrl(c.id, settings.baseDomain, settings.ingress.tls.enabled)]))
        : await declareCustomers(
              settings,
              sharedSiteArgs(settings, {
                  gateway: gateway && { name: gateway.name, namespace: gateway.namespace },
                  registryTableName: registry?.tableName,
                  viewerRole: rbac.viewerRole,
                  htpasswd: auth?.htpasswd,
              }),
              customers,
              siteProviders,
          );
    return {
        environment: settings.stack,
        customers: urls,
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        ingressAddress: ingress?.address,
        registryTableName: registry?.tableName,
        registryTableArn: registry?.tableArn,
        registryEndpoint: settings.aws?.dynamodbEndpoint,
        basicAuth: auth?.credentials,
        shardInputs: sharded ? shardInputs : undefined,
        shard: undefined,
    };
}

/** What every customer of a stack shares: CustomerSite's arguments but the customer and its tier's size. */
type SharedSiteArgs = Omit<CustomerSiteArgs, "customer" | "size">;

/** The platform pieces a customer refers to: objects of this stack (single layout) or the platform stack's outputs (a shard). */
interface PlatformForSites {
    gateway: GatewayRef | undefined;
    registryTableName: pulumi.Input<string> | undefined;
    viewerRole: CustomerSiteArgs["viewerRole"];
    htpasswd: pulumi.Output<string> | undefined;
}

/** One function for both layouts, so a customer's resource inputs are the same whichever stack declares it. */
function sharedSiteArgs(settings: StackSettings, platform: PlatformForSites): SharedSiteArgs {
    return {
        image: imageReference(settings.image),
        baseDomain: settings.baseDomain,
        ingressClassName: settings.ingress.className,
        tls: settings.ingress.tls,
        gateway: platform.gateway,
        protectNamespace: settings.tenancy.protectNamespaces,
        registry: platform.registryTableName === undefined ? undefined : { tableName: platform.registryTableName, environment: settings.stack },
        tenancy: {
            podSecurityVersion: settings.tenancy.podSecurityVersion,
            ingressNamespace: settings.ingressController.namespace,
            ingressPodSelector: { ...TRAEFIK_POD_SELECTOR },
            supportGroup: settings.rbac.supportGroup,
            basicAuth: settings.tenancy.basicAuth,
        },
        viewerRole: platform.viewerRole,
        monitoring: monitoringSettings(settings),
        htpasswd: platform.htpasswd,
    };
}

/**
 * One CustomerSite per customer, in batches of customerBatchSize: the next batch is declared once the engine has
 * answered every registration of the previous one (bounds the program's memory; docs/BENCHMARKS.md).
 */
async function declareCustomers(
    settings: StackSettings,
    shared: SharedSiteArgs,
    customers: readonly Customer[],
    providers: Record<string, pulumi.ProviderResource>,
): Promise<Record<string, string>> {
    const urls: Record<string, string> = {};
    const batchSize = settings.customerBatchSize || customers.length || 1;
    for (let first = 0; first < customers.length; first += batchSize) {
        const batch = customers.slice(first, first + batchSize).map((customer) => {
            const site = new CustomerSite(componentName(customer.id), { customer, size: settings.tierSizes[customer.tier], ...shared }, { providers });
            urls[customer.id] = site.url;
            return site;
        });
        await Promise.all(batch.map((site) => site.registered));
    }
    return urls;
}

/**
 * A customer shard stack: only the CustomerSite components (with their registry items) of the environment's
 * customers that the stable hash places here. The environment's settings, the cluster's kubeconfig, the registry
 * table and the basic-auth credentials come from the platform stack's outputs through one StackReference (read
 * before anything is declared: the settings are among them). The providers are declared at the top with the
 * platform's own inputs, and each CustomerSite keeps the name it has in a single stack, so `pulumi state move`
 * between stacks (and from a single stack) keeps every resource as it is.
 */
async function defineShard(role: Extract<StackRole, { kind: "shard" }>): Promise<StackOutputs> {
    const { platformStack, shard } = role.shard;
    const platform = new pulumi.StackReference("platform", { name: platformStack });
    const settings = settingsFromPlatform(platformStack, await platform.getOutputValue("shardInputs"), { mockEngine: underMockEngine() });
    const shards = settings.sharding.shards ?? 0;
    if (shard >= shards) {
        throw new StackSettingsError(role.stack, [
            `sas-onboarding:shard: ${shard} is not below the environment's sharding.shards ${shards} (platform stack ${platformStack}); move this shard's customers (npm run shards -- move) and remove the stack`,
        ]);
    }
    const mine = environmentCustomers(settings).filter((c) => shardIndex(c.id, shards) === shard);

    const k = settings.kubernetes;
    const platformOutput = (name: string) =>
        platform.requireOutput(name).apply((v: unknown) => {
            if (typeof v !== "string" || v === "") throw new Error(`platform stack ${platformStack}: output ${name} must be a non-empty string`);
            return v;
        });
    const providers: Record<string, pulumi.ProviderResource> = {
        kubernetes: kubernetesProvider(k.mode === "existing" ? { mode: "existing", existing: k } : { mode: "eks", kubeconfig: pulumi.secret(platformOutput("kubeconfig")) }),
    };
    if (settings.registry.manage) providers.aws = awsAccess(settings)("the registry items").provider;
    const htpasswd = settings.tenancy.basicAuth
        ? pulumi.secret(
              platform.requireOutput("basicAuth").apply((c: { username?: unknown; password?: unknown }) => {
                  if (typeof c?.username !== "string" || typeof c.password !== "string") throw new Error(`platform stack ${platformStack}: output basicAuth must hold username and password`);
                  return htpasswdLine(c.username, c.password);
              }),
          )
        : undefined;
    const urls = await declareCustomers(
        settings,
        sharedSiteArgs(settings, {
            gateway: sharedGatewayRef(settings),
            registryTableName: settings.registry.manage ? platformOutput("registryTableName") : undefined,
            viewerRole: { name: TENANT_VIEWER_ROLE },
            htpasswd,
        }),
        mine,
        providers,
    );
    return {
        environment: settings.stack,
        customers: urls,
        clusterName: undefined,
        kubeconfig: undefined,
        ingressAddress: undefined,
        registryTableName: undefined,
        registryTableArn: undefined,
        registryEndpoint: undefined,
        basicAuth: undefined,
        shardInputs: undefined,
        shard: { platformStack, index: shard, shards },
    };
}

/** The shared Gateway customers attach to (routing gateway), as the platform's SharedGateway declares it. */
function sharedGatewayRef(settings: StackSettings): GatewayRef | undefined {
    return settings.routing === "gateway" ? { name: SHARED_GATEWAY, namespace: settings.ingressController.namespace } : undefined;
}

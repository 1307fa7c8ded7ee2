import type * as k8s from "@pulumi/kubernetes";
import type { Customer } from "../model/customer";
import { ROLLOUT_SURGE, type TierSize } from "../model/tiers";
import { SITE_FILES, SITE_LAYOUT } from "../model/site/layout";
import type { SiteContent } from "../model/site/content";
import { CONTENT_HASH_ANNOTATION, customerLabels, selectorLabels } from "../model/labels";
import { customerHost, OBJECT_NAMES, tenantNamespace } from "../model/names";

/**
 * Kubernetes manifests for one customer, typed as @pulumi/kubernetes resource arguments (type-only import: no engine
 * at run time), so a misspelled field fails `tsc`. CustomerSite hands them to resources as they are; tests and
 * the real API server check them directly. Everything here is derived from the customer record and the stack's
 * settings only, so one customer's objects never change when another customer is added.
 */

export interface SiteSpec {
    customer: Customer;
    content: SiteContent;
    size: TierSize;
    /** Fully qualified image reference, tag or digest pinned. */
    image: string;
    baseDomain: string;
    ingressClassName: string;
    tls: { enabled: boolean; secretName?: string };
    tenancy: TenancySpec;
}

export interface TenancySpec {
    podSecurityVersion: string;
    /** Namespace of the ingress controller: the only source of traffic a tenant's pods admit. */
    ingressNamespace: string;
    /** Group bound read-only in the tenant namespace. */
    supportGroup: string;
    /** Ingress demands HTTP basic auth from the Secret `welcome-basic-auth` (non-prod). */
    basicAuth: boolean;
}

/** Pod Security Admission at `restricted` in all three modes, pinned to a version. */
export function podSecurityLabels(version: string): Record<string, string> {
    return Object.fromEntries(
        ["enforce", "audit", "warn"].flatMap((mode) => [
            [`pod-security.kubernetes.io/${mode}`, "restricted"],
            [`pod-security.kubernetes.io/${mode}-version`, version],
        ]),
    );
}

/** Metadata of an object in the customer's namespace: its name, the namespace and the customer's labels. */
export function meta(spec: Pick<SiteSpec, "customer">, name: string, annotations?: Record<string, string>): k8s.types.input.meta.v1.ObjectMeta {
    return { name, namespace: tenantNamespace(spec.customer.id), labels: customerLabels(spec.customer), ...(annotations ? { annotations } : {}) };
}

export function tenantNamespaceManifest(spec: Pick<SiteSpec, "customer" | "tenancy">): k8s.core.v1.NamespaceArgs {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: tenantNamespace(spec.customer.id),
            labels: { ...customerLabels(spec.customer), ...podSecurityLabels(spec.tenancy.podSecurityVersion) },
        },
    };
}

export function configMapManifest(spec: SiteSpec): k8s.core.v1.ConfigMapArgs {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(spec, OBJECT_NAMES.configMap),
        data: {
            [SITE_FILES.page.key]: spec.content.indexHtml,
            [SITE_FILES.nginxConf.key]: spec.content.nginxConf,
        },
    };
}

export function deploymentManifest(spec: SiteSpec): k8s.apps.v1.DeploymentArgs {
    const { size } = spec;
    const spread = (size.autoscaling?.maxReplicas ?? size.replicas) >= 2;
    const probe = (initialDelaySeconds: number, periodSeconds: number): k8s.types.input.core.v1.Probe => ({
        httpGet: { path: SITE_LAYOUT.healthPath, port: "http" },
        initialDelaySeconds,
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold: 3,
    });
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(spec, OBJECT_NAMES.app),
        spec: {
            // With an autoscaler, the HPA owns the replica count; declaring it here would fight it on every update.
            ...(size.autoscaling ? {} : { replicas: size.replicas }),
            revisionHistoryLimit: 3,
            selector: { matchLabels: selectorLabels(spec.customer) },
            // Never below the desired count during a rollout: a motto change must not take the page down.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: ROLLOUT_SURGE } },
            template: {
                metadata: {
                    labels: customerLabels(spec.customer),
                    // The ConfigMap keeps its name, so its content is hashed here: a new page or config rolls the pods.
                    annotations: { [CONTENT_HASH_ANNOTATION]: spec.content.hash },
                },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    ...(spread ? { topologySpreadConstraints: topologySpread(spec) } : {}),
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: 101,
                        runAsGroup: 101,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [
                        {
                            name: "nginx",
                            image: spec.image,
                            // Bypass the image's entrypoint: its scripts rewrite files under /etc/nginx, which is read-only here.
                            command: ["nginx", "-e", "stderr", "-c", SITE_LAYOUT.nginxConfPath],
                            ports: [{ name: "http", containerPort: SITE_LAYOUT.port, protocol: "TCP" }],
                            resources: {
                                requests: { cpu: size.cpuRequest, memory: size.memoryRequest },
                                limits: { cpu: size.cpuLimit, memory: size.memoryLimit },
                            },
                            readinessProbe: probe(1, 5),
                            livenessProbe: probe(5, 10),
                            securityContext: {
                                runAsNonRoot: true,
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [
                                { name: "site", mountPath: SITE_LAYOUT.configDir, readOnly: true },
                                { name: "tmp", mountPath: SITE_LAYOUT.tmpDir },
                            ],
                        },
                    ],
                    volumes: [
                        {
                            name: "site",
                            configMap: {
                                name: OBJECT_NAMES.configMap,
                                defaultMode: 0o444,
                                items: Object.values(SITE_FILES).map((f) => ({ key: f.key, path: f.path })),
                            },
                        },
                        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                    ],
                },
            },
        },
    };
}

/** Replicas spread over zones (best effort: a zone may be full) and over nodes (strict: one node is no HA). */
function topologySpread(spec: SiteSpec): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    const constraint = (topologyKey: string, whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule"): k8s.types.input.core.v1.TopologySpreadConstraint => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable,
        labelSelector: { matchLabels: selectorLabels(spec.customer) },
    });
    return [constraint("topology.kubernetes.io/zone", "ScheduleAnyway"), constraint("kubernetes.io/hostname", "DoNotSchedule")];
}

export function serviceManifest(spec: SiteSpec): k8s.core.v1.ServiceArgs {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(spec, OBJECT_NAMES.app),
        spec: {
            type: "ClusterIP",
            selector: selectorLabels(spec.customer),
            ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        },
    };
}

export function ingressManifest(spec: SiteSpec): k8s.networking.v1.IngressArgs {
    const host = customerHost(spec.customer.id, spec.baseDomain);
    const annotations: Record<string, string> = {};
    if (spec.tenancy.basicAuth) {
        annotations["nginx.ingress.kubernetes.io/auth-type"] = "basic";
        annotations["nginx.ingress.kubernetes.io/auth-secret"] = OBJECT_NAMES.basicAuthSecret;
        annotations["nginx.ingress.kubernetes.io/auth-realm"] = "SAS preview";
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: meta(spec, OBJECT_NAMES.app, Object.keys(annotations).length ? annotations : undefined),
        spec: {
            ingressClassName: spec.ingressClassName,
            ...(spec.tls.enabled
                ? // Without a secretName the controller serves its default (wildcard) certificate for this host.
                  { tls: [{ hosts: [host], ...(spec.tls.secretName ? { secretName: spec.tls.secretName } : {}) }] }
                : {}),
            rules: [
                {
                    host,
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: OBJECT_NAMES.app, port: { name: "http" } } },
                            },
                        ],
                    },
                },
            ],
        },
    };
}

export function imageReference(image: { repository: string; tag?: string; digest?: string }): string {
    // A digest wins over a tag: it is what the node actually pulls; the tag stays for humans.
    if (image.digest) return `${image.repository}${image.tag ? `:${image.tag}` : ""}@${image.digest}`;
    return `${image.repository}:${image.tag}`;
}

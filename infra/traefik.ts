import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Traefik Labs' Helm repository (chart `traefik`); the version is pinned by ingressController.chartVersion. */
export const TRAEFIK_CHART_REPO = "https://traefik.github.io/charts";
/** Helm release name; the chart names its Deployment, Service and pods' `app.kubernetes.io/instance` after it. */
export const TRAEFIK_RELEASE = "traefik";
/** Labels of the controller's pods (the chart's selector): tenant NetworkPolicies admit exactly these pods. */
export const TRAEFIK_POD_SELECTOR: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "traefik" };
/** The pods' Prometheus port, named `metrics` (components/model/monitoring/scrape.ts scrapes it with a PodMonitor). */
export const TRAEFIK_METRICS_PORT = 9100;
/** The entrypoints' container ports (the chart's defaults): Gateway listeners must name these, not 80/443. */
export const TRAEFIK_ENTRYPOINT_PORTS = { web: 8000, websecure: 8443 } as const;
/** Middleware (traefik.io/v1alpha1) with HSTS, applied to every router of the websecure entrypoint. */
export const SECURITY_HEADERS_MIDDLEWARE = "sas-security-headers";
/** HSTS for one year, subdomains included: a browser that saw HTTPS never falls back to HTTP. */
export const HSTS = { stsSeconds: 31_536_000, stsIncludeSubdomains: true } as const;

export interface IngressControllerArgs {
    /** Helm chart version, pinned (chart 41.3.0 ships Traefik v3.7.11). */
    chartVersion: string;
    namespace: string;
    /** IngressClass the tenants' Ingresses name (and, with Gateway API, the GatewayClass of the shared Gateway). */
    className: string;
    replicas: number;
    serviceType: "LoadBalancer" | "NodePort";
    /** The stack serves TLS: HTTP is redirected (308) to HTTPS on the web entrypoint. */
    sslRedirect: boolean;
    /** Secret (in `namespace`) served for every host without its own certificate: the cert-manager wildcard. */
    defaultCertificateSecret?: string;
    /** routing `gateway`: Traefik's Gateway API provider on, and its GatewayClass (the shared Gateway is infra/gateway.ts). */
    gatewayApi: boolean;
}

/** `<namespace>-<name>@kubernetescrd`: how an entrypoint names a Middleware of the Kubernetes CRD provider. */
export const middlewareRef = (namespace: string, name = SECURITY_HEADERS_MIDDLEWARE) => `${namespace}-${name}@kubernetescrd`;

/**
 * Helm values of the Traefik chart. Only the CRD, Ingress and (routing `gateway`) Gateway API providers, none of them
 * following ExternalName Services or cross-namespace references; the cluster-wide `default` TLSStore is honoured only
 * in Traefik's own namespace, and TLS options never fall back to the default on a conflict. The chart's own Gateway
 * stays off: the one shared Gateway is declared by the program. Two CRD objects come with the release
 * (`extraObjects`, `tlsStore`), so they exist as soon as the entrypoints that name them: the HSTS Middleware on
 * websecure and the TLSStore `default` with the wildcard certificate.
 */
export function traefikValues(args: IngressControllerArgs): Record<string, unknown> {
    return {
        deployment: { replicas: args.replicas },
        podDisruptionBudget: args.replicas >= 2 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        global: { checkNewVersion: false, sendAnonymousUsage: false },
        ingressClass: { enabled: true, isDefaultClass: false, name: args.className },
        core: { strictTLSOptions: true },
        providers: {
            kubernetesCRD: {
                enabled: true,
                allowCrossNamespace: false,
                allowExternalNameServices: false,
                defaultTLSResourcesNamespace: args.namespace,
            },
            kubernetesIngress: { enabled: true, allowExternalNameServices: false, publishedService: { enabled: true } },
            kubernetesGateway: { enabled: args.gatewayApi },
        },
        gateway: { enabled: false },
        gatewayClass: { enabled: args.gatewayApi, name: args.className },
        ports: {
            web: args.sslRedirect ? { http: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } } } } : {},
            websecure: { http: { middlewares: [middlewareRef(args.namespace)], tls: { enabled: true } } },
            metrics: { port: TRAEFIK_METRICS_PORT, expose: { default: false } },
        },
        // Prometheus on the pods' `metrics` port; per-service series (service="<ns>-<svc>-<port>@kubernetes") are what
        // the per-customer dashboards and alerts select on; per-router labels would double the series for nothing.
        metrics: { prometheus: { entryPoint: "metrics", addEntryPointsLabels: true, addServicesLabels: true, addRoutersLabels: false } },
        service: { spec: { type: args.serviceType } },
        ...(args.defaultCertificateSecret ? { tlsStore: { default: { defaultCertificate: { secretName: args.defaultCertificateSecret } } } } : {}),
        extraObjects: [securityHeadersMiddleware(args.namespace)],
    };
}

/** HSTS for every HTTPS answer; the page's own headers (CSP, nosniff, frame and referrer policy) come from its nginx. */
export function securityHeadersMiddleware(namespace: string): Record<string, unknown> {
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: SECURITY_HEADERS_MIDDLEWARE, namespace },
        spec: { headers: { ...HSTS } },
    };
}

/**
 * Traefik v3 (pinned chart) in its own namespace; `address` is the controller's external address. Tenant
 * NetworkPolicies admit traffic from exactly its pods (this namespace AND TRAEFIK_POD_SELECTOR).
 */
export class IngressController extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;
    readonly namespace: k8s.core.v1.Namespace;
    /** The Helm release: Traefik's CRDs (and with them the Gateway class) exist once it is done. */
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: IngressControllerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:IngressController", name, {}, opts);
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: {
                name: args.namespace,
                labels: {
                    "app.kubernetes.io/managed-by": "pulumi",
                    // Traefik runs as a non-root user with no capability, on unprivileged ports: restricted holds.
                    "pod-security.kubernetes.io/enforce": "restricted",
                },
            },
        }, { parent: this });
        this.release = new k8s.helm.v3.Release(name, {
            name: TRAEFIK_RELEASE,
            chart: "traefik",
            version: args.chartVersion,
            namespace: args.namespace,
            repositoryOpts: { repo: TRAEFIK_CHART_REPO },
            values: traefikValues(args),
            atomic: true,
            timeout: 600,
        }, { parent: this, dependsOn: [this.namespace] });
        const service = k8s.core.v1.Service.get(
            `${name}-service`,
            pulumi.interpolate`${args.namespace}/${this.release.status.name}`,
            { parent: this },
        );
        this.address = service.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");
        this.registerOutputs({ address: this.address });
    }
}

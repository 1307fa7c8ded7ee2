import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TENANT_LABELS } from "../components/model/labels";
import { TRAEFIK_ENTRYPOINT_PORTS } from "./traefik";

/** The one shared Gateway of an environment; every customer's HTTPRoute names it (routing `gateway`). */
export const SHARED_GATEWAY = "sas-gateway";


export interface SharedGatewayArgs {
    namespace: string;
    /** GatewayClass (Traefik's, named like the IngressClass). */
    className: string;
    baseDomain: string;
    /** The wildcard certificate's Secret in `namespace`: the https listener terminates TLS with it. Unset: http only. */
    tlsSecretName?: string;
    /** What the Gateway needs first: the controller's release (its GatewayClass) when this stack installs it. */
    dependsOn?: pulumi.Resource[];
}

/**
 * The Gateway (gateway.networking.k8s.io/v1): listener `http` on Traefik's web entrypoint and, with TLS, `https` on
 * websecure for *.<baseDomain> with the wildcard certificate. The HTTP-to-HTTPS redirect and HSTS are the
 * entrypoints' (infra/traefik.ts), so they hold for routes of either kind.
 */
export function sharedGatewayManifest(args: SharedGatewayArgs): Record<string, unknown> & { apiVersion: string; kind: string } {
    const allowedRoutes = {
        // Only namespaces carrying the tenant labels: a route anywhere else never attaches.
        namespaces: { from: "Selector", selector: { matchLabels: { ...TENANT_LABELS } } },
        kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
    };
    const hostname = `*.${args.baseDomain}`;
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: SHARED_GATEWAY, namespace: args.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        spec: {
            gatewayClassName: args.className,
            listeners: [
                { name: "http", protocol: "HTTP", port: TRAEFIK_ENTRYPOINT_PORTS.web, hostname, allowedRoutes },
                ...(args.tlsSecretName
                    ? [
                          {
                              name: "https",
                              protocol: "HTTPS",
                              port: TRAEFIK_ENTRYPOINT_PORTS.websecure,
                              hostname,
                              tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: args.tlsSecretName }] },
                              allowedRoutes,
                          },
                      ]
                    : []),
            ],
        },
    };
}

/**
 * The shared Gateway as a platform component. Needs the Gateway API CRDs (standard channel) in the cluster and
 * Traefik's Gateway provider (ingressController with gatewayApi).
 */
export class SharedGateway extends pulumi.ComponentResource {
    readonly name = SHARED_GATEWAY;
    readonly namespace: string;

    constructor(name: string, args: SharedGatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:Gateway", name, {}, opts);
        new k8s.apiextensions.CustomResource(`${name}-gateway`, sharedGatewayManifest(args), { parent: this, dependsOn: args.dependsOn ?? [] });
        this.namespace = args.namespace;
        this.registerOutputs({});
    }
}

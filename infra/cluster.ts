import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { EksSettings, ExistingClusterSettings } from "../stacks/settings";
import { eksCluster } from "./eks-cluster";

/** Where the stack's Kubernetes objects go. */
export type ClusterArgs = ClusterModeArgs & {
    /**
     * Pulumi `protect` on the Kubernetes provider. A sharded platform sets it when the environment protects its tenant
     * namespaces: they live in the shard stacks, out of this stack's sight, and `destroy --exclude-protected` must
     * still keep the cluster they stand on (it keeps a protected resource and everything the resource depends on).
     */
    protectProvider?: boolean;
};
type ClusterModeArgs =
    | { mode: "existing"; existing: ExistingClusterSettings }
    | {
          mode: "eks";
          eks: EksSettings;
          /** Prefix of every AWS resource name, e.g. `sas-dev`; the cluster's own name adds a stable random suffix. */
          namePrefix: string;
          region: string;
          /** Kubernetes group the deployer role's access entry maps to (bound by PlatformRbac). */
          deployerGroup: string;
      };

const PROVIDER_BEHAVIOUR = {
    // ConfigMaps keep their names and are updated in place; the pod-template content hash rolls the pods.
    // (The provider's default replaces a ConfigMap on every change, which for a fixed name means delete first.)
    enableConfigMapMutable: true,
    // A typo in a namespace or a missing CRD must fail the update, not be skipped.
    deleteUnreachable: false,
};

/** The Kubernetes provider's resource name, the same in every stack (resources keep it when moved between stacks). */
export const KUBERNETES_PROVIDER = "kubernetes";

/** How a stack reaches the cluster: an existing cluster's kubeconfig/context, or the kubeconfig of the EKS cluster. */
export type ClusterConnection = { mode: "existing"; existing: ExistingClusterSettings } | { mode: "eks"; kubeconfig: pulumi.Input<string> };

/**
 * The one Kubernetes provider of a stack. The platform's Cluster declares it as its child; a customer shard stack
 * declares it at the top with the platform's connection, so both build the same provider inputs. That equality is
 * what lets `pulumi state move` hand a customer's resources from one stack to another without replacing them
 * (the CLI reuses a destination provider whose inputs are equal).
 */
export function kubernetesProvider(connection: ClusterConnection, opts: pulumi.CustomResourceOptions = {}): k8s.Provider {
    if (connection.mode === "eks") return new k8s.Provider(KUBERNETES_PROVIDER, { kubeconfig: connection.kubeconfig, ...PROVIDER_BEHAVIOUR }, opts);
    const cluster = connection.existing;
    return new k8s.Provider(KUBERNETES_PROVIDER, {
        ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
        ...(cluster.context ? { context: cluster.context } : {}),
        ...PROVIDER_BEHAVIOUR,
    }, opts);
}

/**
 * The cluster this stack deploys to: an EKS cluster it creates (AWS resources from the `aws` provider passed in
 * `providers`), or an existing one from a kubeconfig. Either way, `provider` is the one Kubernetes provider every
 * Kubernetes resource of the stack uses; nothing falls back to the ambient kubeconfig in an eks stack.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    readonly clusterName: pulumi.Output<string>;
    /** Secret; only in eks mode, where this stack created the cluster. */
    readonly kubeconfig: pulumi.Output<string | undefined>;
    /** eks only: the OIDC provider, for IAM roles of service accounts. */
    readonly oidc?: { providerArn: pulumi.Output<string>; issuerUrl: pulumi.Output<string> };

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:Cluster", name, {}, opts);
        const child = { parent: this };
        const providerOpts = { ...child, ...(args.protectProvider ? { protect: true } : {}) };
        if (args.mode === "existing") {
            this.provider = kubernetesProvider({ mode: "existing", existing: args.existing }, providerOpts);
            // An existing cluster's real name is not known to this program; its kubeconfig context stands for it.
            this.clusterName = pulumi.output(args.existing.context ?? "existing");
            this.kubeconfig = pulumi.output(undefined);
        } else {
            // EKS names must be unique per account and region; the suffix is generated once and then lives in state.
            const suffix = new random.RandomString("cluster-suffix", { length: 6, special: false, upper: false }, child);
            const eks = eksCluster({
                name: pulumi.interpolate`${args.namePrefix}-${suffix.result}`,
                prefix: args.namePrefix,
                region: args.region,
                settings: args.eks,
                deployerGroup: args.deployerGroup,
                opts: child,
            });
            this.provider = kubernetesProvider({ mode: "eks", kubeconfig: eks.kubeconfig }, providerOpts);
            this.clusterName = eks.name;
            this.kubeconfig = eks.kubeconfig;
            this.oidc = { providerArn: eks.oidcProviderArn, issuerUrl: eks.oidcIssuerUrl };
        }
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}

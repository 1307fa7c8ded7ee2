import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackSettings } from "../stacks/settings";
import { eksCluster } from "./eks-cluster";

export interface ClusterTarget {
    /** The one provider every Kubernetes resource uses; nothing falls back to the ambient kubeconfig in an eks stack. */
    provider: k8s.Provider;
    clusterName: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string | undefined>;
    /** eks only: the OIDC provider, for IAM roles of service accounts. */
    oidc?: { providerArn: pulumi.Output<string>; issuerUrl: pulumi.Output<string> };
}

const PROVIDER_BEHAVIOUR = {
    // ConfigMaps keep their names and are updated in place; the pod-template content hash rolls the pods.
    // (The provider's default replaces a ConfigMap on every change, which for a fixed name means delete first.)
    enableConfigMapMutable: true,
    // A typo in a namespace or a missing CRD must fail the update, not be skipped.
    deleteUnreachable: false,
};

/** The cluster this stack deploys to: an EKS cluster it creates, or an existing one from a kubeconfig. */
export function clusterTarget(settings: StackSettings, awsOpts: pulumi.CustomResourceOptions): ClusterTarget {
    const cluster = settings.kubernetes;
    if (cluster.mode === "existing") {
        return {
            provider: new k8s.Provider("kubernetes", {
                ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
                ...(cluster.context ? { context: cluster.context } : {}),
                ...PROVIDER_BEHAVIOUR,
            }),
            // An existing cluster's real name is not known to this program; its kubeconfig context stands for it.
            clusterName: pulumi.output(cluster.context ?? "existing"),
            kubeconfig: pulumi.output(undefined),
        };
    }
    // EKS names must be unique per account and region; the suffix is generated once and then lives in state.
    const suffix = new random.RandomString("cluster-suffix", { length: 6, special: false, upper: false });
    const eks = eksCluster({
        name: pulumi.interpolate`sas-${settings.stack}-${suffix.result}`,
        prefix: `sas-${settings.stack}`,
        region: settings.aws.region,
        settings: cluster,
        deployerGroup: settings.rbac.deployerGroup,
        opts: awsOpts,
    });
    return {
        provider: new k8s.Provider("kubernetes", { kubeconfig: eks.kubeconfig, ...PROVIDER_BEHAVIOUR }),
        clusterName: eks.name,
        kubeconfig: eks.kubeconfig,
        oidc: { providerArn: eks.oidcProviderArn, issuerUrl: eks.oidcIssuerUrl },
    };
}

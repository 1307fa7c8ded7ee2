import * as k8s from "@pulumi/kubernetes";
import type { StackSettings } from "../stacks/settings";

/**
 * The one Kubernetes provider every Kubernetes resource uses. Built explicitly from the stack's settings so nothing
 * ever falls back to whatever cluster the ambient kubeconfig happens to point at.
 */
export function kubeProvider(settings: StackSettings): k8s.Provider {
    const cluster = settings.kubernetes;
    return new k8s.Provider("kubernetes", {
        ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
        ...(cluster.context ? { context: cluster.context } : {}),
        // ConfigMaps keep their names and are updated in place; the pod-template content hash rolls the pods.
        // (The provider's default replaces a ConfigMap on every change, which for a fixed name means delete first.)
        enableConfigMapMutable: true,
        // A typo in a namespace or a missing CRD must fail the update, not be skipped.
        deleteUnreachable: false,
    });
}

/**
 * A kubeconfig for an EKS cluster that holds no credential: kubectl and the Pulumi provider call
 * `aws eks get-token` for a short-lived token, using whatever AWS identity runs them (the CI role via OIDC).
 */
export interface ClusterAccess {
    name: string;
    endpoint: string;
    certificateAuthorityData: string;
    region: string;
}

export function eksKubeconfig(c: ClusterAccess): string {
    const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: c.name, cluster: { server: c.endpoint, "certificate-authority-data": c.certificateAuthorityData } }],
        contexts: [{ name: c.name, context: { cluster: c.name, user: c.name } }],
        "current-context": c.name,
        users: [
            {
                name: c.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", c.name, "--region", c.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    };
    return JSON.stringify(config, null, 2);
}

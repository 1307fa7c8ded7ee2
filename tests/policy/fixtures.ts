// Compliant baseline objects; each violating test case mutates one field of a fresh copy, so a failure
// points at exactly the field under test.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { K8S } from "../../policy/lib/types";

export const DIGEST = "sha256:" + "ab".repeat(32);

export function hardenedContainer(name = "nginx"): any {
  return {
    name,
    image: "nginxinc/nginx-unprivileged:1.27.3-alpine",
    ports: [{ containerPort: 8080 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
  };
}

export function hardenedPodSpec(): any {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: "RuntimeDefault" } },
    containers: [hardenedContainer()],
  };
}

export function deployment(): { type: string; props: any } {
  return {
    type: K8S.deployment,
    props: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "welcome", namespace: "cust-acme" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "welcome" } },
        template: { metadata: { labels: { app: "welcome" } }, spec: hardenedPodSpec() },
      },
    },
  };
}

export function tenantNamespace(id = "acme"): { type: string; props: any } {
  return {
    type: K8S.namespace,
    props: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: `cust-${id}`,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    },
  };
}

export function defaultDeny(namespace = "cust-acme"): { type: string; props: any } {
  return {
    type: K8S.networkPolicy,
    props: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
  };
}

export function clusterRole(rules: any[], name = "sas-ci-deployer"): { type: string; props: any } {
  return {
    type: K8S.clusterRole,
    props: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules },
  };
}

export function role(rules: any[], name = "welcome-reader", namespace = "cust-acme"): { type: string; props: any } {
  return {
    type: K8S.role,
    props: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules },
  };
}

export const KMS_ARN = "arn:aws:kms:eu-central-1:123456789012:key/0b7f3c2e-1111-4a6b-9c2d-0123456789ab";

export function registryTable(): { type: string; name: string; props: any } {
  return {
    type: "aws:dynamodb/table:Table",
    name: "customer-registry",
    props: {
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KMS_ARN },
      deletionProtectionEnabled: true,
    },
  };
}

export function ingress(): { type: string; props: any } {
  return {
    type: K8S.ingress,
    props: {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "welcome", namespace: "cust-acme" },
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host: "acme.welcome.sas.example",
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: "welcome", port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    },
  };
}

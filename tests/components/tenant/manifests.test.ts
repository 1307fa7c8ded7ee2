import { strict as assert } from "node:assert";
import {
    configMapManifest,
    deploymentManifest,
    imageReference,
    ingressManifest,
    serviceManifest,
    tenantNamespaceManifest,
    type SiteSpec,
} from "../../../components/tenant/manifests";
import { renderSiteContent } from "../../../components/model/site/content";
import type { Customer } from "../../../components/model/customer";
import { DEFAULT_TIER_SIZES } from "../../../components/model/tiers";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain JSON-shaped data */
const customer: Customer = { id: "acme", companyName: "Acme", motto: "Go", tier: "business", purchaseId: "PO-1" };
const spec = (over: Partial<SiteSpec> = {}): SiteSpec => ({
    customer,
    content: renderSiteContent(customer),
    size: DEFAULT_TIER_SIZES.business,
    image: "docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine",
    baseDomain: "sas.example.com",
    ingressClassName: "nginx",
    tls: { enabled: true },
    tenancy: { podSecurityVersion: "v1.33", ingressNamespace: "ingress-nginx", supportGroup: "sas:support", basicAuth: false },
    ...over,
});

describe("k8s manifests", () => {
    it("namespace cust-<id> with customer labels", () => {
        const ns: any = tenantNamespaceManifest(spec());
        assert.equal(ns.metadata.name, "cust-acme");
        assert.equal(ns.metadata.labels["sas.io/customer-id"], "acme");
        assert.equal(ns.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
    });

    it("ConfigMap carries exactly the rendered page and nginx config", () => {
        const cm: any = configMapManifest(spec());
        assert.deepEqual(Object.keys(cm.data).sort(), ["index.html", "nginx.conf"]);
        assert.equal(cm.data["index.html"], spec().content.indexHtml);
        assert.equal(cm.data["nginx.conf"], spec().content.nginxConf);
        assert.equal(cm.metadata.namespace, "cust-acme");
    });

    describe("Deployment", () => {
        const d: any = deploymentManifest(spec());
        const pod = d.spec.template.spec;
        const c = pod.containers[0];

        it("runs the pinned image with the tier's replicas and resources", () => {
            assert.equal(c.image, "docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine");
            assert.equal(d.spec.replicas, 2);
            assert.deepEqual(c.resources, { requests: { cpu: "25m", memory: "24Mi" }, limits: { cpu: "200m", memory: "48Mi" } });
        });

        it("has the restricted-profile security context", () => {
            assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, seccompProfile: { type: "RuntimeDefault" } });
            assert.deepEqual(c.securityContext, {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            assert.equal(pod.automountServiceAccountToken, false);
        });

        it("mounts the ConfigMap read-only and an emptyDir at /tmp", () => {
            assert.deepEqual(c.volumeMounts, [
                { name: "site", mountPath: "/etc/sas", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
            ]);
            assert.deepEqual(pod.volumes[0].configMap.items, [
                { key: "index.html", path: "site/index.html" },
                { key: "nginx.conf", path: "nginx.conf" },
            ]);
            assert.deepEqual(c.command, ["nginx", "-e", "stderr", "-c", "/etc/sas/nginx.conf"]);
        });

        it("probes /healthz and never drops below the desired count during a rollout", () => {
            assert.equal(c.readinessProbe.httpGet.path, "/healthz");
            assert.equal(c.livenessProbe.httpGet.path, "/healthz");
            assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        });

        it("annotates the pod template with the content hash and selects on stable labels only", () => {
            assert.equal(d.spec.template.metadata.annotations["sas.io/content-hash"], spec().content.hash);
            assert.deepEqual(d.spec.selector.matchLabels, { "app.kubernetes.io/name": "sas-welcome", "app.kubernetes.io/instance": "acme" });
            for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) assert.equal(d.spec.template.metadata.labels[k], v);
        });
    });

    it("Service is ClusterIP on port 80 to the named container port", () => {
        const s: any = serviceManifest(spec());
        assert.equal(s.spec.type, "ClusterIP");
        assert.deepEqual(s.spec.ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
    });

    it("Ingress routes <id>.<baseDomain> with the class and TLS from settings, never an ACME issuer in the tenant", () => {
        const i: any = ingressManifest(spec());
        assert.equal(i.spec.ingressClassName, "nginx");
        assert.equal(i.spec.rules[0].host, "acme.sas.example.com");
        assert.deepEqual(i.spec.tls, [{ hosts: ["acme.sas.example.com"] }], "the controller's default wildcard certificate");
        assert.equal(i.metadata.annotations, undefined);
        assert.deepEqual((ingressManifest(spec({ tls: { enabled: true, secretName: "wild" } })) as any).spec.tls, [{ hosts: ["acme.sas.example.com"], secretName: "wild" }]);
        const plain: any = ingressManifest(spec({ tls: { enabled: false } }));
        assert.equal(plain.spec.tls, undefined);
        assert.equal(plain.metadata.annotations, undefined);
    });

    it("image references pin a tag or a digest", () => {
        assert.equal(imageReference({ repository: "r/x", tag: "1.2" }), "r/x:1.2");
        assert.equal(imageReference({ repository: "r/x", tag: "1.2", digest: `sha256:${"a".repeat(64)}` }), `r/x:1.2@sha256:${"a".repeat(64)}`);
        assert.equal(imageReference({ repository: "r/x", digest: `sha256:${"a".repeat(64)}` }), `r/x@sha256:${"a".repeat(64)}`);
    });
});

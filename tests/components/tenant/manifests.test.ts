import { strict as assert } from "node:assert";
import {
    configMapManifest,
    deploymentManifest,
    EPHEMERAL_STORAGE,
    imagePullPolicy,
    imageReference,
    httpRouteManifest,
    ingressManifest,
    serviceManifest,
    tenantNamespaceManifest,
    type SiteSpec,
} from "../../../components/tenant/manifests";
import { renderSiteContent } from "../../../components/model/site/content";
import type { Customer } from "../../../components/model/customer";
import { DEFAULT_TIER_SIZES } from "../../../components/model/tiers";
import { mebibytes } from "../../../components/model/quantity";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain JSON-shaped data */
const DIGEST = `sha256:${"c".repeat(64)}`;
const PINNED = `docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine@${DIGEST}`;
const customer: Customer = { id: "acme", companyName: "Acme", motto: "Go", tier: "business", purchaseId: "PO-1" };
const spec = (over: Partial<SiteSpec> = {}): SiteSpec => ({
    customer,
    content: renderSiteContent(customer),
    size: DEFAULT_TIER_SIZES.business,
    image: PINNED,
    baseDomain: "sas.example.com",
    ingressClassName: "traefik",
    tls: { enabled: true },
    tenancy: { podSecurityVersion: "v1.33", ingressNamespace: "traefik", ingressPodSelector: { "app.kubernetes.io/name": "traefik" }, supportGroup: "sas:support", basicAuth: false },
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

        it("runs the pinned image with the tier's replicas and resources, and a small ephemeral-storage budget", () => {
            assert.equal(c.image, PINNED);
            assert.equal(d.spec.replicas, 2);
            assert.deepEqual(c.resources, {
                requests: { cpu: "25m", memory: "24Mi", "ephemeral-storage": "32Mi" },
                limits: { cpu: "200m", memory: "48Mi", "ephemeral-storage": "128Mi" },
            });
            assert.deepEqual(EPHEMERAL_STORAGE, { request: "32Mi", limit: "128Mi" });
            // The limit holds the /tmp emptyDir when full plus the kubelet's default log retention (5 x 10Mi).
            const tmp = pod.volumes.find((v: any) => v.name === "tmp");
            assert.equal(tmp.emptyDir.sizeLimit, "16Mi");
            assert.ok(mebibytes(EPHEMERAL_STORAGE.limit) >= mebibytes(tmp.emptyDir.sizeLimit) + 5 * 10);
            assert.ok(mebibytes(EPHEMERAL_STORAGE.request) <= mebibytes(EPHEMERAL_STORAGE.limit));
        });

        it("pulls a digest-pinned image only when the node lacks it, a tag-only image always", () => {
            assert.equal(c.imagePullPolicy, "IfNotPresent");
            const tagged: any = deploymentManifest(spec({ image: "docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine" }));
            assert.equal(tagged.spec.template.spec.containers[0].imagePullPolicy, "Always");
            assert.equal(imagePullPolicy(`r/x@${DIGEST}`), "IfNotPresent");
            assert.equal(imagePullPolicy(`r/x:1@${DIGEST}`), "IfNotPresent");
            assert.equal(imagePullPolicy("r/x:1"), "Always");
            assert.equal(imagePullPolicy("r/x:1@sha256:short"), "Always");
        });

        it("has the restricted-profile security context, as a user and group >= 10000", () => {
            assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 10101, runAsGroup: 10101, seccompProfile: { type: "RuntimeDefault" } });
            assert.ok(pod.securityContext.runAsUser >= 10000 && pod.securityContext.runAsGroup >= 10000, "kube-score and Trivy want ids >= 10000");
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

        it("is ready when the page is served, alive while nginx answers, and never drops below the desired count", () => {
            // Readiness asks for the page file itself (/readyz, open even behind basic auth), quickly and strictly: a pod
            // that cannot serve it leaves the Service.
            assert.deepEqual(c.readinessProbe, { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 2 });
            // Liveness asks nginx only, patiently: restarting cures a hung nginx, never a missing page.
            assert.deepEqual(c.livenessProbe, { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
            assert.notDeepEqual(c.readinessProbe, c.livenessProbe, "kube-score: identical probes make a slow pod restart instead of just leaving the Service");
            const window = (p: any) => p.periodSeconds * p.failureThreshold;
            assert.ok(window(c.readinessProbe) < window(c.livenessProbe), "a failing pod leaves the Service before it is restarted");
            assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        });

        it("keeps serving for 5 s after it is told to stop (the controller drops it first), within the grace period", () => {
            assert.deepEqual(c.lifecycle, { preStop: { sleep: { seconds: 5 } } });
            const grace = d.spec.template.spec.terminationGracePeriodSeconds ?? 30;
            assert.ok(c.lifecycle.preStop.sleep.seconds < grace);
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
        assert.equal(i.spec.ingressClassName, "traefik");
        assert.equal(i.spec.rules[0].host, "acme.sas.example.com");
        assert.deepEqual(i.spec.tls, [{ hosts: ["acme.sas.example.com"] }], "the controller's default wildcard certificate");
        assert.equal(i.metadata.annotations, undefined);
        assert.deepEqual((ingressManifest(spec({ tls: { enabled: true, secretName: "wild" } })) as any).spec.tls, [{ hosts: ["acme.sas.example.com"], secretName: "wild" }]);
        const plain: any = ingressManifest(spec({ tls: { enabled: false } }));
        assert.equal(plain.spec.tls, undefined);
        assert.equal(plain.metadata.annotations, undefined);
    });

    it("HTTPRoute (routing gateway) attaches <id>.<baseDomain> to the shared Gateway, backed by the Service", () => {
        const r: any = httpRouteManifest({ ...spec(), gateway: { name: "sas-gateway", namespace: "traefik" } });
        assert.equal(r.apiVersion, "gateway.networking.k8s.io/v1");
        assert.equal(r.kind, "HTTPRoute");
        assert.deepEqual([r.metadata.name, r.metadata.namespace], ["welcome", "cust-acme"]);
        assert.equal(r.metadata.labels["sas.io/customer-id"], "acme");
        assert.deepEqual(r.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "sas-gateway", namespace: "traefik" }]);
        assert.deepEqual(r.spec.hostnames, ["acme.sas.example.com"]);
        const s: any = serviceManifest(spec());
        assert.deepEqual(r.spec.rules, [
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: s.metadata.name, port: s.spec.ports[0].port }] },
        ]);
    });

    it("image references pin a tag or a digest", () => {
        assert.equal(imageReference({ repository: "r/x", tag: "1.2" }), "r/x:1.2");
        assert.equal(imageReference({ repository: "r/x", tag: "1.2", digest: `sha256:${"a".repeat(64)}` }), `r/x:1.2@sha256:${"a".repeat(64)}`);
        assert.equal(imageReference({ repository: "r/x", digest: `sha256:${"a".repeat(64)}` }), `r/x@sha256:${"a".repeat(64)}`);
    });
});

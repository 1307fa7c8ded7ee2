import { strict as assert } from "node:assert";
import {
    allowIngressPolicyManifest,
    autoscalerManifest,
    basicAuthSecretManifest,
    denyAllPolicyManifest,
    limitRangeManifest,
    podDisruptionBudgetManifest,
    resourceQuotaManifest,
    supportRoleBindingManifest,
} from "../../../components/tenant/isolation";
import { deploymentManifest, EPHEMERAL_STORAGE, ingressManifest, podSecurityLabels, tenantNamespaceManifest, type SiteSpec } from "../../../components/tenant/manifests";
import { renderSiteContent } from "../../../components/model/site/content";
import { htpasswdLine } from "../../../components/model/htpasswd";
import { maxPods, ROLLOUT_SURGE } from "../../../components/model/tiers";
import { milliCpu, mebibytes, storageTimes } from "../../../components/model/quantity";
import { DEFAULT_TIER_SIZES } from "../../../components/model/tiers";
import { DEPLOYER_RULES, TENANT_VIEWER_RULES, deployerBindingManifest } from "../../../infra/rbac-rules";
import type { Customer, Tier } from "../../../components/model/customer";
import { createHash } from "node:crypto";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain JSON-shaped data */
const spec = (tier: Tier, basicAuth = false): SiteSpec => {
    const customer: Customer = { id: "acme", companyName: "Acme", motto: "Go", tier, purchaseId: "PO-1" };
    return {
        customer,
        content: renderSiteContent(customer),
        size: DEFAULT_TIER_SIZES[tier],
        image: "r/x:1",
        baseDomain: "sas.example.com",
        ingressClassName: "traefik",
        tls: { enabled: false },
        tenancy: { podSecurityVersion: "v1.33", ingressNamespace: "traefik", ingressPodSelector: { "app.kubernetes.io/name": "traefik" }, supportGroup: "sas:support", basicAuth },
    };
};

describe("isolation: namespace", () => {
    it("carries PSA restricted for enforce, audit and warn at a pinned version", () => {
        const labels = (tenantNamespaceManifest(spec("starter")) as any).metadata.labels;
        for (const mode of ["enforce", "audit", "warn"]) {
            assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], "v1.33");
        }
        assert.equal(labels["sas.io/customer-id"], "acme");
        assert.equal(labels["sas.io/tier"], "starter");
        assert.deepEqual(Object.keys(podSecurityLabels("v1.30")).length, 6);
    });
});

for (const tier of ["starter", "business", "enterprise"] as Tier[]) {
    describe(`isolation: tier ${tier}`, () => {
        const s = spec(tier);
        const size = DEFAULT_TIER_SIZES[tier];
        const ceiling = (size.autoscaling?.maxReplicas ?? size.replicas) + 1;

        it(`quota admits exactly ${ceiling} pods (replicas or HPA max, plus the rollout surge) and their resources`, () => {
            const hard = (resourceQuotaManifest(s) as any).spec.hard;
            assert.equal(maxPods(s.size), ceiling);
            assert.equal((deploymentManifest(s) as any).spec.strategy.rollingUpdate.maxSurge, ROLLOUT_SURGE);
            assert.equal(hard.pods, String(ceiling));
            assert.equal(milliCpu(hard["requests.cpu"]), milliCpu(size.cpuRequest) * ceiling);
            assert.equal(mebibytes(hard["requests.memory"]), mebibytes(size.memoryRequest) * ceiling);
            assert.equal(milliCpu(hard["limits.cpu"]), milliCpu(size.cpuLimit) * ceiling);
            assert.equal(mebibytes(hard["limits.memory"]), mebibytes(size.memoryLimit) * ceiling);
            assert.equal(mebibytes(hard["requests.ephemeral-storage"]), mebibytes(EPHEMERAL_STORAGE.request) * ceiling);
            assert.equal(mebibytes(hard["limits.ephemeral-storage"]), mebibytes(EPHEMERAL_STORAGE.limit) * ceiling);
            assert.equal(hard["requests.ephemeral-storage"], storageTimes(EPHEMERAL_STORAGE.request, ceiling));
            assert.equal(hard["services.loadbalancers"], "0");
            assert.equal(hard.persistentvolumeclaims, "0");
            // The Deployment's own pod fits the LimitRange ceiling exactly.
            const c = (deploymentManifest(s) as any).spec.template.spec.containers[0];
            const lr = (limitRangeManifest(s) as any).spec.limits[0];
            assert.deepEqual(lr.max, c.resources.limits);
            assert.deepEqual(lr.default, c.resources.limits);
            assert.deepEqual(lr.defaultRequest, c.resources.requests);
            assert.deepEqual(Object.keys(lr.max).sort(), ["cpu", "ephemeral-storage", "memory"]);
            // Every resource the quota counts per pod is defaulted by the LimitRange, or quota admission would
            // refuse any pod created without it (a debug pod, a job) instead of defaulting it.
            for (const r of ["cpu", "memory", "ephemeral-storage"]) {
                assert.ok(hard[`requests.${r}`] && lr.defaultRequest[r], `requests.${r}`);
                assert.ok(hard[`limits.${r}`] && lr.default[r], `limits.${r}`);
            }
        });

        it(`PDB ${(size.autoscaling?.maxReplicas ?? size.replicas) >= 2 ? "allows one pod down at a time" : "is absent (a single pod)"}`, () => {
            const pdb = podDisruptionBudgetManifest(s) as any;
            if ((size.autoscaling?.maxReplicas ?? size.replicas) >= 2) {
                assert.deepEqual(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "sas-welcome", "app.kubernetes.io/instance": "acme" } } });
            } else assert.equal(pdb, undefined);
        });

        it(`topology spread ${size.replicas >= 2 ? "over zones and nodes" : "absent"}`, () => {
            const tsc = (deploymentManifest(s) as any).spec.template.spec.topologySpreadConstraints;
            if (size.replicas >= 2) {
                assert.deepEqual(tsc.map((t: any) => [t.topologyKey, t.whenUnsatisfiable, t.maxSkew]), [
                    ["topology.kubernetes.io/zone", "ScheduleAnyway", 1],
                    ["kubernetes.io/hostname", "DoNotSchedule", 1],
                ]);
            } else assert.equal(tsc, undefined);
        });

        it(`HPA ${tier === "enterprise" ? "scales on CPU between min and max, owning the replica count" : "is absent"}`, () => {
            const hpa = autoscalerManifest(s) as any;
            const dep = deploymentManifest(s) as any;
            if (tier === "enterprise") {
                assert.equal(hpa.spec.minReplicas, 3);
                assert.equal(hpa.spec.maxReplicas, 6);
                assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 70);
                assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "welcome" });
                assert.equal(dep.spec.replicas, undefined);
            } else {
                assert.equal(hpa, undefined);
                assert.equal(dep.spec.replicas, size.replicas);
            }
        });
    });
}

describe("isolation: disruption budget with an autoscaler", () => {
    it("exists whenever the autoscaler may run 2+ pods, even from a minimum of 1, and never blocks a drain of one pod", () => {
        const s = { ...spec("enterprise"), size: { ...DEFAULT_TIER_SIZES.enterprise, replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuUtilization: 70 } } };
        assert.deepEqual((podDisruptionBudgetManifest(s) as any).spec.maxUnavailable, 1);
        const single = { ...s, size: { ...s.size, autoscaling: { minReplicas: 1, maxReplicas: 1, targetCpuUtilization: 70 } } };
        assert.equal(podDisruptionBudgetManifest(single), undefined);
    });
});

describe("isolation: network policy", () => {
    it("denies all ingress and egress by default", () => {
        assert.deepEqual((denyAllPolicyManifest(spec("starter")) as any).spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });
    it("admits only TCP 8080 from the controller's own pods (its namespace AND its pod labels, one peer), and allows no egress", () => {
        const p = (allowIngressPolicyManifest(spec("starter")) as any).spec;
        assert.deepEqual(p.policyTypes, ["Ingress"]);
        assert.deepEqual(p.ingress, [
            {
                // One peer with both selectors = pods matching both; two peers would admit the whole namespace.
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        assert.equal(p.egress, undefined);
    });
});

describe("isolation: RBAC", () => {
    const all = [...TENANT_VIEWER_RULES, ...DEPLOYER_RULES];
    it("no wildcard anywhere, no escalate/bind/impersonate", () => {
        for (const r of all) {
            for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.notEqual(v, "*");
            for (const v of ["escalate", "bind", "impersonate"]) assert.ok(!r.verbs.includes(v), v);
        }
    });
    it("the viewer never touches secrets; the deployer reads only the basic-auth Secret by name", () => {
        assert.ok(TENANT_VIEWER_RULES.every((r) => !r.resources.includes("secrets")));
        const secretRules = DEPLOYER_RULES.filter((r) => r.resources.includes("secrets"));
        for (const r of secretRules) {
            const reads = r.verbs.filter((v) => ["get", "list", "watch"].includes(v));
            if (reads.length) assert.deepEqual(r.resourceNames, ["welcome-basic-auth"]);
        }
        assert.ok(secretRules.every((r) => !r.verbs.includes("list") && !r.verbs.includes("watch")));
    });
    it("the deployer holds every viewer permission (so it may bind the viewer role without `bind`)", () => {
        for (const v of TENANT_VIEWER_RULES) {
            for (const g of v.apiGroups) for (const res of v.resources) for (const verb of v.verbs) {
                assert.ok(DEPLOYER_RULES.some((d) => !d.resourceNames && d.apiGroups.includes(g) && d.resources.includes(res) && d.verbs.includes(verb)), `${g}/${res}:${verb}`);
            }
        }
    });
    it("support group bound read-only per namespace; deployer group bound cluster-wide, labelled for tests", () => {
        const rb = supportRoleBindingManifest(spec("starter"), "sas-tenant-viewer") as any;
        assert.equal(rb.metadata.namespace, "cust-acme");
        assert.deepEqual(rb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "sas-tenant-viewer" });
        assert.deepEqual(rb.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "sas:support" }]);
        const crb = deployerBindingManifest("sas:ci-deployers") as any;
        assert.equal(crb.metadata.labels["sas.io/role"], "ci-deployer");
        assert.equal(crb.subjects[0].name, "sas:ci-deployers");
    });
});

describe("isolation: basic auth", () => {
    it("htpasswd {SHA} line is deterministic and verifiable", () => {
        const line = htpasswdLine("sas-preview", "pw");
        assert.equal(line, `sas-preview:{SHA}${createHash("sha1").update("pw").digest("base64")}`);
        assert.throws(() => htpasswdLine("a:b", "pw"), /basic-auth user/);
    });
    it("Secret holds the file under `htpasswd`; the pods mount it read-only; the Ingress carries no controller annotation", () => {
        const secret = basicAuthSecretManifest(spec("starter", true), "u:{SHA}x\n") as any;
        assert.deepEqual(secret.stringData, { htpasswd: "u:{SHA}x\n" });
        assert.equal(secret.type, "Opaque");
        assert.equal(secret.metadata.name, "welcome-basic-auth");
        for (const on of [true, false]) assert.equal((ingressManifest(spec("starter", on)) as any).metadata.annotations, undefined);

        const pod = (deploymentManifest(spec("starter", true)) as any).spec.template.spec;
        assert.deepEqual(pod.volumes.find((v: any) => v.name === "auth"), {
            name: "auth",
            // 0444, root-owned: readable by the pod's one user without fsGroup; the file holds a digest, not the password.
            secret: { secretName: "welcome-basic-auth", defaultMode: 0o444, items: [{ key: "htpasswd", path: "htpasswd" }] },
        });
        assert.deepEqual(pod.containers[0].volumeMounts.find((m: any) => m.name === "auth"), { name: "auth", mountPath: "/etc/sas-auth", readOnly: true });
        assert.equal(pod.securityContext.fsGroup, undefined);
        const off = (deploymentManifest(spec("starter", false)) as any).spec.template.spec;
        assert.ok(!off.volumes.some((v: any) => v.name === "auth") && !off.containers[0].volumeMounts.some((m: any) => m.name === "auth"));
    });
});

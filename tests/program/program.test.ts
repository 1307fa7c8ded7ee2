import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runEnvironment, runStack, PROJECT_ROOT, STACKS, kubernetesObjects, type EnvironmentRun, type RecordedResource, type StackRun } from "../support/program";
import { loadCustomers } from "../../components/records/load";
import { escapeHtml } from "../../components/model/site/escape";
import { recordYaml, tempDirWith } from "../support/tmp";
import { outputIsSecret, outputValue } from "../support/outputs";
import { BASIC_AUTH_USER, htpasswdLine } from "../../components/model/htpasswd";
import { classify } from "../../scripts/guard/classify";

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are plain JSON */
const CUSTOMERS = loadCustomers(path.join(PROJECT_ROOT, "customers"));
const PER_CUSTOMER_KINDS = ["Namespace", "ConfigMap", "Deployment", "Service", "Ingress"];

const byType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const customerResources = (run: StackRun, id: string) => run.resources.filter((r) => r.urn.includes(`::customer-${id}`));
/** Inputs keyed by URN, serialized: "byte-identical resource inputs" is compared on exactly this. */
const inputsByUrn = (resources: readonly RecordedResource[]) => new Map(resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));

for (const stack of STACKS) {
    for (const preview of [false, true]) {
        describe(`program: stack ${stack} (${preview ? "preview" : "update"} mode)`, () => {
            let run: StackRun;
            let env: EnvironmentRun;
            before(async () => {
                env = await runEnvironment(stack, { preview });
                run = await runStack(stack, { preview });
            });

            it("declares one CustomerSite per customer with its isolation, page and registry children", () => {
                const sites = byType(run, "sas:index:CustomerSite");
                assert.deepEqual(sites.map((s) => s.name).sort(), CUSTOMERS.map((c) => `customer-${c.id}`));
                const objects = kubernetesObjects(run.resources);
                for (const kind of PER_CUSTOMER_KINDS) {
                    assert.equal(objects.filter((o) => o.kind === kind && o.metadata.labels?.["sas.io/customer-id"]).length, CUSTOMERS.length, kind);
                }
                const basicAuth = stack !== "prod";
                for (const site of sites) {
                    const id = site.name.replace("customer-", "");
                    const tier = CUSTOMERS.find((c) => c.id === id)!.tier;
                    const children = run.resources.filter((r) => r.parent === site.urn).map((c) => c.name.replace(`${site.name}-`, "")).sort();
                    // The sandbox stack does not manage the registry (registry.manage: false): no item per customer.
                    const registryItem = stack === "sandbox" ? [] : ["registry-item"];
                    const always = ["allow-ingress", "configmap", "deny-all", "deployment", "ingress", "limits", "namespace", "quota", ...registryItem, "service", "support-viewer"];
                    for (const role of always) assert.ok(children.includes(role), `${site.name} lacks ${role}`);
                    assert.equal(children.includes("basic-auth"), basicAuth, `${site.name} basic-auth`);
                    assert.equal(children.includes("hpa"), tier === "enterprise", `${site.name} hpa`);
                    assert.equal(children.includes("probe"), stack === "stage" || stack === "prod", `${site.name} probe (monitoring.enabled)`);
                    assert.ok(children.every((c) => [...always, "basic-auth", "hpa", "pdb", "probe"].includes(c)), children.join(","));
                }
            });

            it("gives every Kubernetes resource its stack's one explicit provider", () => {
                assert.ok(run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")).length >= CUSTOMERS.length * PER_CUSTOMER_KINDS.length);
                for (const s of [env.platform, ...Object.values(env.shards)]) {
                    const providers = byType(s, "pulumi:providers:kubernetes");
                    assert.equal(providers.length, 1, s.stack);
                    for (const r of s.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"))) assert.ok(r.provider?.startsWith(`${providers[0].urn}::`), `${r.urn} uses ${r.provider}`);
                    assert.equal(providers[0].inputs.enableConfigMapMutable, "true");
                }
            });

            it("serves each customer at <id>.<baseDomain> and exports id -> URL", () => {
                const hosts = kubernetesObjects(run.resources).filter((o) => o.kind === "Ingress").map((o) => (o.spec as any).rules[0].host).sort();
                const domain = /baseDomain: (\S+)/.exec(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8"))![1];
                assert.deepEqual(hosts, CUSTOMERS.map((c) => `${c.id}.${domain}`));
                const urls = run.outputs.customers as Record<string, string>;
                assert.deepEqual(Object.keys(urls), CUSTOMERS.map((c) => c.id));
                for (const c of CUSTOMERS) assert.match(urls[c.id], new RegExp(`^https?://${c.id}\\.${domain.replace(/\./g, "\\.")}/$`));
            });

            it("each page holds Welcome to SAS and the customer's escaped name and motto", () => {
                for (const c of CUSTOMERS) {
                    const cm = customerResources(run, c.id).find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
                    const html: string = cm.inputs.data["index.html"];
                    assert.ok(html.includes("<h1>Welcome to SAS</h1>"));
                    assert.ok(html.includes(escapeHtml(c.companyName)), c.id);
                    assert.ok(html.includes(escapeHtml(c.motto)), c.id);
                }
            });

            it("every pod is non-root, read-only, without privilege escalation and with ALL capabilities dropped", () => {
                const deployments = byType(run, "kubernetes:apps/v1:Deployment");
                assert.equal(deployments.length, CUSTOMERS.length, "one Deployment per customer, or this test judges nothing");
                for (const d of deployments) {
                    const pod = d.inputs.spec.template.spec;
                    assert.equal(pod.securityContext.runAsNonRoot, true);
                    assert.equal(pod.automountServiceAccountToken, false);
                    for (const c of pod.containers) {
                        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
                        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
                    }
                }
            });
        });
    }
}

describe("program: invalid input registers nothing", () => {
    it("a bad record anywhere means no resource at all reaches the engine", async () => {
        const t = tempDirWith({ "good.yaml": recordYaml("good"), "bad.yaml": recordYaml("bad", { motto: "" }) });
        try {
            await assert.rejects(runStack("dev", { customersDir: t.dir }), (e: Error & { registeredBeforeFailure?: number }) => {
                assert.match(e.message, /customers\/bad\.yaml: motto: motto must not be empty|bad\.yaml: motto: motto must not be empty/);
                assert.equal(e.registeredBeforeFailure, 0, "resources registered before validation failed");
                return true;
            });
        } finally {
            t.cleanup();
        }
    });

    it("an invalid setting fails naming the key, before any resource", async () => {
        await assert.rejects(runStack("dev", { config: { image: { repository: "r/x", tag: "latest" } } }), /Pulumi\.dev\.yaml:\n\s+sas-onboarding:image\.tag: must not be 'latest'/);
    });

    it("the stack's record limits reach the loader: more customers than records.maxCustomers registers nothing", async () => {
        await assert.rejects(runStack("dev", { config: { records: { maxCustomers: 2 } } }), (e: Error & { registeredBeforeFailure?: number }) => {
            assert.match(e.message, /customers: 4 customer files, more than the limit of 2 \(setting records\.maxCustomers\); no record was read/);
            assert.equal(e.registeredBeforeFailure, 0);
            return true;
        });
        await assert.rejects(runStack("dev", { config: { records: { maxRecordBytes: 100 } } }), /sas-onboarding:records\.maxRecordBytes: /);
    });

    it("an empty customer directory is refused unless the stack allows it", async () => {
        const t = tempDirWith({});
        try {
            await assert.rejects(runStack("dev", { customersDir: t.dir }), /no customer records found/);
            const run = await runStack("dev", { customersDir: t.dir, config: { allowEmptyCustomers: true } });
            assert.equal(run.resources.filter((r) => r.type === "sas:index:CustomerSite").length, 0);
        } finally {
            t.cleanup();
        }
    });
});

describe("program: determinism and blast radius", () => {
    const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`cust-${String(i).padStart(3, "0")}.yaml`.replace("cust-", "c"), recordYaml(`c${String(i).padStart(3, "0")}`)]));

    it("the same records give byte-identical inputs, whatever the order files were written in", async () => {
        const forward = tempDirWith(files(6));
        const reversed = tempDirWith(Object.fromEntries(Object.entries(files(6)).reverse()));
        try {
            const a = await runStack("prod", { customersDir: forward.dir });
            const b = await runStack("prod", { customersDir: reversed.dir });
            const strip = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k, v.split(forward.dir).join("").split(reversed.dir).join("")]));
            assert.deepEqual(strip(inputsByUrn(a.resources)), strip(inputsByUrn(b.resources)));
            assert.deepEqual(a.resources.map((r) => r.urn), b.resources.map((r) => r.urn), "same registration order");
        } finally {
            forward.cleanup();
            reversed.cleanup();
        }
    });

    it("declares customers in batches: a batch starts only when the previous one is registered, with identical inputs", async () => {
        const t = tempDirWith(files(5));
        try {
            // One stack holds them all (batches are per stack).
            const batched = await runStack("dev", { customersDir: t.dir, config: { customerBatchSize: 2, sharding: { layout: "single" } } });
            const allAtOnce = await runStack("dev", { customersDir: t.dir, config: { customerBatchSize: 0, sharding: { layout: "single" } } });
            assert.deepEqual(inputsByUrn(batched.resources), inputsByUrn(allAtOnce.resources));
            const order = batched.resources.map((r) => r.urn);
            const lastOf = (id: string) => Math.max(...order.map((u, i) => (u.includes(`customer-${id}`) ? i : -1)));
            const firstOf = (id: string) => order.findIndex((u) => u.includes(`customer-${id}`));
            assert.ok(lastOf("c001") < firstOf("c002"), "batch 2 began before batch 1 was registered");
            assert.ok(lastOf("c003") < firstOf("c004"), "batch 3 began before batch 2 was registered");
            // Without batches the engine interleaves customers, so the check above can fail.
            const flat = allAtOnce.resources.map((r) => r.urn);
            const lastFlat = Math.max(...flat.map((u, i) => (u.includes("customer-c000") ? i : -1)));
            assert.ok(lastFlat > flat.findIndex((u) => u.includes("customer-c004")));
        } finally {
            t.cleanup();
        }
    });

    it("adding customer N+1 leaves every resource of the first N identical, and adds only its own", async () => {
        const n = tempDirWith(files(5));
        const n1 = tempDirWith(files(6));
        try {
            const before = inputsByUrn((await runStack("stage", { customersDir: n.dir })).resources);
            const after = inputsByUrn((await runStack("stage", { customersDir: n1.dir })).resources);
            // The one shared object that lists every customer: the blackbox exporter's config (one module per customer,
            // docs/MONITORING.md). It is platform, not another customer's, and gains exactly the new module.
            const shared = (u: string) => u.endsWith("::monitoring-blackbox-config");
            for (const [urn, inputs] of before) if (!shared(urn)) assert.equal(after.get(urn), inputs, `changed: ${urn}`);
            const blackbox = [...after.keys()].find(shared)!;
            assert.notEqual(after.get(blackbox), before.get(blackbox));
            assert.match(after.get(blackbox)!, /c005/);
            const added = [...after.keys()].filter((u) => !before.has(u));
            assert.ok(added.length >= 6);
            assert.ok(added.every((u) => u.includes("customer-c005")), added.join("\n"));
        } finally {
            n.cleanup();
            n1.cleanup();
        }
    });

    it("a motto change touches only that customer's ConfigMap, Deployment (which rolls via the hash) and registry item", async () => {
        const a = tempDirWith(files(3));
        const b = tempDirWith({ ...files(3), "c001.yaml": recordYaml("c001", { motto: "A brand new motto" }) });
        try {
            const before = inputsByUrn((await runStack("dev", { customersDir: a.dir })).resources);
            const afterRun = await runStack("dev", { customersDir: b.dir });
            const after = inputsByUrn(afterRun.resources);
            const changed = [...before.keys()].filter((u) => before.get(u) !== after.get(u));
            assert.deepEqual(changed.map((u) => u.split("::").pop()).sort(), ["customer-c001-configmap", "customer-c001-deployment", "customer-c001-registry-item"]);
            const dep = afterRun.resources.find((r) => r.name === "customer-c001-deployment")!;
            assert.notEqual(JSON.parse(before.get(dep.urn)!).spec.template.metadata.annotations["sas.io/content-hash"], dep.inputs.spec.template.metadata.annotations["sas.io/content-hash"]);
        } finally {
            a.cleanup();
            b.cleanup();
        }
    });
});

describe("program: basic auth in front of non-prod pages", () => {
    for (const stack of STACKS) {
        const on = stack !== "prod";
        it(`${stack}: ${on ? "one stable random password, an htpasswd Secret per tenant mounted into its pods, checked by the page's nginx" : "public pages: no password, Secret or auth in nginx"}`, async () => {
            const run = await runStack(stack);
            const passwords = byType(run, "random:index/randomPassword:RandomPassword");
            const secrets = byType(run, "kubernetes:core/v1:Secret");
            const ingresses = byType(run, "kubernetes:networking.k8s.io/v1:Ingress");
            const configMaps = byType(run, "kubernetes:core/v1:ConfigMap").filter((c) => c.inputs.metadata.name === "welcome-site");
            const deployments = byType(run, "kubernetes:apps/v1:Deployment");
            // Basic auth is the page's own nginx's job: no Ingress carries a controller-specific annotation.
            assert.ok(ingresses.every((i) => i.inputs.metadata.annotations === undefined));
            assert.equal(configMaps.length, CUSTOMERS.length);
            for (const c of configMaps) assert.equal(/^\s*auth_basic "SAS preview";$/m.test(c.inputs.data["nginx.conf"]), on, c.urn);
            for (const d of deployments) {
                assert.equal(d.inputs.spec.template.spec.volumes.some((v: any) => v.secret?.secretName === "welcome-basic-auth"), on, d.urn);
                assert.equal(d.inputs.spec.template.spec.containers[0].readinessProbe.httpGet.path, "/readyz");
            }
            if (!on) {
                assert.equal(passwords.length + secrets.length, 0);
                assert.equal(run.outputs.basicAuth, undefined);
                return;
            }
            assert.equal(passwords.length, 1);
            assert.deepEqual(passwords[0].inputs, { length: 24, special: false });
            const creds = (await outputValue(run.outputs.basicAuth)) as { username: string; password: string };
            assert.equal(await outputIsSecret(run.outputs.basicAuth), true);
            assert.equal(creds.username, BASIC_AUTH_USER);
            assert.equal(secrets.length, CUSTOMERS.length);
            for (const s of secrets) {
                assert.equal(s.inputs.stringData.htpasswd, `${htpasswdLine(creds.username, creds.password)}\n`);
                assert.deepEqual(s.secretPaths, ["stringData"]);
                // The pods mount it: the Secret exists before the Deployment of the same customer.
                const d = deployments.find((x) => x.inputs.metadata.namespace === s.inputs.metadata.namespace)!;
                assert.ok(d.dependsOn.includes(s.urn), `${d.urn} must depend on ${s.urn}`);
            }
        });
    }
});

describe("program: monitoring (monitoring.enabled)", () => {
    for (const [stack, enabled] of [["local", false], ["sandbox", false], ["dev", false], ["stage", true], ["prod", true]] as const) {
        it(`${stack}: ${enabled ? "one Probe per customer, in its namespace, and the environment's rules" : "no monitoring objects"}`, async () => {
            const run = await runStack(stack);
            const probes = run.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:Probe");
            const rules = run.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
            const customers = loadCustomers(path.join(PROJECT_ROOT, "customers"));
            assert.equal(probes.length, enabled ? customers.length : 0);
            assert.equal(rules.length, enabled ? 1 : 0);
            for (const c of customers.filter(() => enabled)) {
                const probe = probes.find((p) => p.inputs.metadata.namespace === `cust-${c.id}`);
                assert.ok(probe, `no Probe in cust-${c.id}`);
                assert.equal(probe.parent, run.resources.find((r) => r.type === "sas:index:CustomerSite" && r.name === `customer-${c.id}`)?.urn);
                assert.deepEqual(probe.inputs.spec.targets.staticConfig.static, [`https://${c.id}.${stack === "prod" ? "" : `${stack}.`}sas.example.com/`]);
            }
            if (enabled) assert.ok(rules[0].inputs.spec.groups.length > 0);
        });
    }
});

describe("program: routing (ingress | gateway)", () => {
    const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
    const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
    const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
    const traefikRelease = (run: StackRun) => run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "traefik");

    it("dev, routing ingress (the default): an Ingress per customer, no Gateway, Traefik's Gateway provider off", async () => {
        const run = await runStack("dev");
        assert.equal(byType(run, INGRESS).length, CUSTOMERS.length);
        assert.equal(byType(run, ROUTE).length + byType(run, GATEWAY).length, 0);
        const values = traefikRelease(run)!.inputs.values;
        assert.equal(values.providers.kubernetesGateway.enabled, false);
        assert.equal(values.gatewayClass.enabled, false);
    });

    for (const stack of ["dev", "local"] as const) {
        it(`${stack}, routing gateway: one shared Gateway in the controller's namespace, an HTTPRoute per customer instead of the Ingress`, async () => {
            const run = await runStack(stack, { config: { routing: "gateway" } });
            const tls = stack === "dev";
            const domain = stack === "dev" ? "dev.sas.example.com" : "sas.localhost";
            assert.equal(byType(run, INGRESS).length, 0);
            const gateways = byType(run, GATEWAY);
            assert.equal(gateways.length, 1);
            const gw = gateways[0];
            assert.ok(gw.urn.includes("sas:platform:Gateway$"), `${gw.urn}: the guard knows platform resources by their sas:platform:* component`);
            assert.deepEqual([gw.inputs.metadata.name, gw.inputs.metadata.namespace, gw.inputs.spec.gatewayClassName], ["sas-gateway", "traefik", "traefik"]);
            const listeners = gw.inputs.spec.listeners;
            assert.deepEqual(listeners.map((l: any) => [l.name, l.protocol, l.port, l.hostname]), [
                ["http", "HTTP", 8000, `*.${domain}`],
                ...(tls ? [["https", "HTTPS", 8443, `*.${domain}`]] : []),
            ]);
            if (tls) assert.deepEqual(listeners[1].tls, { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "sas-wildcard-tls" }] });
            // Routes attach only from tenant namespaces: the selector matches every tenant Namespace's labels.
            const namespaces = byType(run, "kubernetes:core/v1:Namespace").filter((n) => n.inputs.metadata.name.startsWith("cust-"));
            for (const l of listeners) {
                assert.equal(l.allowedRoutes.namespaces.from, "Selector");
                for (const ns of namespaces) {
                    for (const [k, v] of Object.entries(l.allowedRoutes.namespaces.selector.matchLabels)) assert.equal(ns.inputs.metadata.labels[k], v, `${ns.urn} ${k}`);
                }
            }
            const routes = byType(run, ROUTE);
            assert.equal(routes.length, CUSTOMERS.length);
            for (const c of CUSTOMERS) {
                const route = routes.find((r) => r.name === `customer-${c.id}-route`)!;
                assert.ok(route, `no HTTPRoute for ${c.id}`);
                assert.equal(route.parent, byType(run, "sas:index:CustomerSite").find((s) => s.name === `customer-${c.id}`)!.urn);
                assert.equal(route.inputs.metadata.namespace, `cust-${c.id}`);
                assert.deepEqual(route.inputs.spec.hostnames, [`${c.id}.${domain}`]);
                assert.deepEqual(route.inputs.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "sas-gateway", namespace: "traefik" }]);
                assert.deepEqual(route.inputs.spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: "welcome", port: 80 }]);
            }
            const release = traefikRelease(run);
            if (stack === "dev") {
                assert.equal(release!.inputs.values.providers.kubernetesGateway.enabled, true);
                assert.deepEqual(release!.inputs.values.gatewayClass, { enabled: true, name: "traefik" });
                assert.equal(release!.inputs.values.gateway.enabled, false, "the chart's own Gateway stays off");
                assert.ok(gw.dependsOn.includes(release!.urn), "the Gateway waits for Traefik (its GatewayClass)");
            } else {
                assert.equal(release, undefined, "local: the controller is the cluster's own");
            }
        });
    }

    it("the mass-deletion guard knows every resource of a gateway stack: HTTPRoutes count for their customer, the Gateway is platform", async () => {
        const run = await runStack("dev", { config: { routing: "gateway" } });
        for (const r of run.resources) {
            const verdict = classify({ op: "delete", urn: r.urn, parent: r.parent, hasNewState: false, state: { inputs: r.inputs } });
            assert.notEqual(verdict.kind, "unattributed", `${r.urn}: ${"reason" in verdict ? verdict.reason : ""}`);
            if (r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") {
                assert.deepEqual(verdict, { kind: "tenant-counted", customerId: r.inputs.metadata.namespace.slice("cust-".length) });
            }
            if (r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway") assert.deepEqual(verdict, { kind: "platform" });
        }
    });

    it("routing gateway with TLS but without cert-manager stops before any resource (the Gateway would have no certificate)", async () => {
        await assert.rejects(
            runStack("dev", { config: { routing: "gateway", certManager: { install: false }, dns: {} } }),
            (e: Error & { registeredBeforeFailure?: number }) => {
                assert.match(e.message, /^invalid settings in Pulumi\.dev\.yaml:\n\s+sas-onboarding:routing: gateway with ingress\.tls\.enabled needs certManager\.install/);
                assert.equal(e.registeredBeforeFailure, 0);
                return true;
            },
        );
    });

    it("refuses an unknown routing mode, naming the key", async () => {
        await assert.rejects(runStack("local", { config: { routing: "mesh" } }), /sas-onboarding:routing/);
    });
});

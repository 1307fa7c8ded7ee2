// Telling the customer: a real HTTP server on 127.0.0.1 receives the signed webhook and verifies the signature; the
// exactly-once marker lives in a DynamoDB-compatible registry (dynalite).
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from "../../../components/model/onboarding";
import { markOnboarding, Registry } from "../../../scripts/lib/registry-client";
import { notifyLive, transportFromEnv, WebhookTransport } from "../../../scripts/status/notify";
import { startLocalRegistry, type LocalRegistry } from "../../harness/realparts/dynalite";
import { FAST_RETRY, status } from "./helpers";

const SECRET = "whsec_0123456789abcdef";
const T = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 10, minutes)).toISOString();

interface Delivery {
    verified: { ok: boolean; reason?: string };
    deliveryId: string;
    event: string | undefined;
    body: Record<string, unknown>;
    raw: string;
}

async function startReceiver() {
    const deliveries: Delivery[] = [];
    const answers: number[] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.setEncoding("utf8");
        req.on("data", (c: string) => (raw += c));
        req.on("end", () => {
            const verified = verifyWebhookSignature(SECRET, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, raw, Math.floor(Date.now() / 1000));
            deliveries.push({
                verified,
                deliveryId: String(req.headers[DELIVERY_HEADER.toLowerCase()]),
                event: req.headers["x-sas-event"] as string | undefined,
                body: JSON.parse(raw) as Record<string, unknown>,
                raw,
            });
            const code = answers.shift() ?? (verified.ok ? 204 : 401);
            res.writeHead(code);
            res.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sas`;
    return {
        url,
        deliveries,
        answers,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

describe("customer notice: signed webhook, exactly once, only when live in prod", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let store: Registry;
    const reg = () => ["--registry-endpoint", registry.endpoint, "--table", registry.tableName];
    const env = () => ({ SAS_NOTIFY_WEBHOOK_URL: receiver.url, SAS_NOTIFY_WEBHOOK_SECRET: SECRET });
    const fastNotify = { retryPolicy: () => ({ attempts: 4, baseDelayMs: 5, maxDelayMs: 20, deadline: Date.now() + 5_000 }) };

    async function onboardTo(id: string, state: "deployed" | "live", environment = "prod") {
        await markOnboarding(store, id, environment, { state: "received", at: T(0), purchaseId: `PO-${id}`, occurredAt: T(0) });
        await markOnboarding(store, id, environment, { state: "recorded", at: T(1) });
        await markOnboarding(store, id, environment, { state: "deployed", at: T(2) });
        if (state === "live") await markOnboarding(store, id, environment, { state: "live", at: T(3) });
    }

    before(async () => {
        registry = await startLocalRegistry();
        receiver = await startReceiver();
        store = Registry.connect({ endpoint: registry.endpoint, table: registry.tableName }, FAST_RETRY, {});
        // The public profile Pulumi writes for each customer: the notice links the page.
        await registry.client.send(
            new (await import("@aws-sdk/client-dynamodb")).PutItemCommand({
                TableName: registry.tableName,
                Item: { customerId: { S: "acme" }, record: { S: "PROFILE" }, url: { S: "https://acme.sas.example/" }, companyName: { S: "Acme" } },
            }),
        );
        await registry.client.send(
            new (await import("@aws-sdk/client-dynamodb")).PutItemCommand({
                TableName: registry.tableName,
                Item: { customerId: { S: "acme" }, record: { S: "PII" }, contactEmail: { S: "owner@acme.example" }, purchaseId: { S: "PO-acme" } },
            }),
        );
    });
    after(async () => {
        store?.destroy();
        await receiver?.stop();
        await registry?.stop();
    });
    beforeEach(() => {
        receiver.deliveries.length = 0;
        receiver.answers.length = 0;
    });

    it("sends nothing before live, and nothing for other environments", async () => {
        await onboardTo("acme", "deployed");
        const early = await status(["notify", "--stack", "prod", "--customer", "acme", ...reg()], { env: env(), transport: undefined });
        assert.deepEqual(early.json, [{ customerId: "acme", outcome: "not-live", state: "deployed" }]);
        await onboardTo("devonly", "live", "dev");
        const dev = await status(["mark", "--stack", "dev", "--customer", "devonly", "--state", "live", "--at", T(4), ...reg()], { env: env(), transport: undefined });
        assert.equal(dev.json[0].notice, undefined);
        assert.equal(receiver.deliveries.length, 0);
    });

    it("marking live in prod sends one signed notice without personal data, and marks it sent", async () => {
        const r = await status(["mark", "--stack", "prod", "--customer", "acme", "--state", "live", "--at", T(10), ...reg()], { env: env(), transport: undefined, notifyDeps: fastNotify });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.json[0].notice, "sent");
        assert.equal(receiver.deliveries.length, 1);
        const d = receiver.deliveries[0];
        assert.deepEqual(d.verified, { ok: true });
        assert.equal(d.event, "customer.live");
        assert.deepEqual(d.body, {
            type: "customer.live", deliveryId: d.deliveryId, customerId: "acme", purchaseId: "PO-acme", environment: "prod", liveAt: T(10),
            url: "https://acme.sas.example/", companyName: "Acme",
        });
        assert.ok(!d.raw.includes("owner@acme.example"), "the webhook carries no e-mail address");
        const marker = await registry.get("acme", "NOTIFIED#prod");
        assert.deepEqual([marker?.status, marker?.attempts, marker?.deliveryId, marker?.lastError], ["sent", 1, d.deliveryId, undefined]);
        const table = await status(["--stack", "prod", "--customer", "acme", ...reg()]);
        assert.ok(table.stdout.split("\n")[2].includes(String(marker?.sentAt)), "the table shows when the customer was told");
    });

    it("never sends twice: live again, notify again and two concurrent senders all find it sent", async () => {
        const again = await status(["mark", "--stack", "prod", "--customer", "acme", "--state", "live", "--at", T(11), ...reg()], { env: env(), transport: undefined });
        assert.equal(again.json[0].notice, "already-sent");
        const notify = await status(["notify", "--stack", "prod", ...reg()], { env: env(), transport: undefined });
        assert.deepEqual(notify.json.map((j) => [j.customerId, j.outcome]), [["acme", "already-sent"]]);
        await onboardTo("twins", "live");
        const transport = new WebhookTransport(receiver.url, SECRET);
        const [a, b] = await Promise.all([notifyLive(store, "twins", "prod", transport, fastNotify), notifyLive(store, "twins", "prod", transport, fastNotify)]);
        const [loser, winner] = [a.outcome, b.outcome].sort((x) => (x === "sent" ? 1 : -1));
        assert.equal(winner, "sent");
        assert.ok(["already-sent", "in-progress"].includes(loser), `the other sender: ${loser}`);
        assert.equal(receiver.deliveries.length, 1, "exactly one delivery");
    });

    it("retries a failing receiver with backoff, with one delivery id for every attempt", async () => {
        await onboardTo("flaky", "live");
        receiver.answers.push(503, 502);
        const res = await notifyLive(store, "flaky", "prod", new WebhookTransport(receiver.url, SECRET), fastNotify);
        assert.deepEqual(res, { outcome: "sent", deliveryId: receiver.deliveries[0].deliveryId, attempts: 3 });
        assert.equal(receiver.deliveries.length, 3);
        assert.equal(new Set(receiver.deliveries.map((d) => d.deliveryId)).size, 1);
        assert.ok(receiver.deliveries.every((d) => d.verified.ok));
    });

    it("records a refused notice as failed and sends it on the next run", async () => {
        await onboardTo("refused", "live");
        receiver.answers.push(400);
        const first = await notifyLive(store, "refused", "prod", new WebhookTransport(receiver.url, SECRET), fastNotify);
        assert.deepEqual(first, { outcome: "failed", error: "WebhookHttpError: webhook answered HTTP 400" });
        const marker = await registry.get("refused", "NOTIFIED#prod");
        assert.deepEqual([marker?.status, marker?.lastError], ["failed", "WebhookHttpError: webhook answered HTTP 400"]);
        const second = await status(["notify", "--stack", "prod", "--customer", "refused", ...reg()], { env: env(), transport: undefined, notifyDeps: fastNotify });
        assert.equal(second.json[0].outcome, "sent");
        assert.equal((await registry.get("refused", "NOTIFIED#prod"))?.attempts, 2);
        assert.equal(receiver.deliveries.length, 2);
    });

    it("a crash between sending and recording repeats the notice at most once, after the lease", async () => {
        await onboardTo("crashy", "live");
        const transport = new WebhookTransport(receiver.url, SECRET);
        let now = Date.parse(T(20));
        const deps = { ...fastNotify, now: () => now, leaseMs: 60_000 };
        await assert.rejects(
            notifyLive(store, "crashy", "prod", transport, { ...deps, afterSend: () => { throw new Error("crash"); } }),
            /crash/,
        );
        assert.equal(receiver.deliveries.length, 1);
        assert.equal((await registry.get("crashy", "NOTIFIED#prod"))?.status, "sending");
        const during = await notifyLive(store, "crashy", "prod", transport, deps);
        assert.equal(during.outcome, "in-progress", "inside the lease nobody else sends");
        now += 61_000;
        const after = await notifyLive(store, "crashy", "prod", transport, deps);
        assert.equal(after.outcome, "sent");
        const later = await notifyLive(store, "crashy", "prod", transport, deps);
        assert.equal(later.outcome, "already-sent");
        assert.equal(receiver.deliveries.length, 2, "the crash cost one repeat, no more");
        assert.equal(receiver.deliveries[0].deliveryId, receiver.deliveries[1].deliveryId, "the receiver can de-duplicate");
    });

    it("without a transport the notice waits (marked pending); the configuration is checked", async () => {
        await onboardTo("waiting", "deployed");
        const r = await status(["mark", "--stack", "prod", "--customer", "waiting", "--state", "live", "--at", T(30), ...reg()], { env: {}, transport: undefined });
        assert.match(String(r.json[0].notice), /^pending/);
        assert.equal(await registry.get("waiting", "NOTIFIED#prod"), undefined);
        const later = await status(["notify", "--stack", "prod", ...reg()], { env: env(), transport: undefined, notifyDeps: fastNotify });
        assert.deepEqual(later.json.find((j) => j.customerId === "waiting")?.outcome, "sent");
        assert.throws(() => transportFromEnv({ SAS_NOTIFY_WEBHOOK_URL: "http://hooks.example/x", SAS_NOTIFY_WEBHOOK_SECRET: "s" }), /must be https/);
        assert.throws(() => transportFromEnv({ SAS_NOTIFY_WEBHOOK_URL: "https://hooks.example/x" }), /SAS_NOTIFY_WEBHOOK_SECRET is not/);
        assert.equal(transportFromEnv({}), undefined);
    });
});

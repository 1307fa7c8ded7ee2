import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import {
    deadLetterKey,
    deliveryId,
    formatDuration,
    nextStep,
    onboardingFromItem,
    onboardingToItem,
    piiToItem,
    signWebhook,
    timeToOnboardMs,
    transition,
    verifyWebhookSignature,
    type Mark,
    type OnboardingItem,
    type OnboardingState,
} from "../../../components/model/onboarding";

const KEY = { customerId: "acme", environment: "prod" };
const T = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 10, minutes)).toISOString();

function apply(marks: Mark[], start?: OnboardingItem): OnboardingItem {
    let item = start;
    for (const m of marks) {
        const next = transition(item, KEY, m);
        assert.ok("item" in next, `refused ${m.state}: ${"refused" in next ? next.refused : ""}`);
        item = next.item;
    }
    return item!;
}

const itemIn = (state: OnboardingState, step?: "received" | "recorded" | "deployed" | "live"): OnboardingItem => ({
    ...KEY,
    state,
    ...(step ? { step } : {}),
    reason: "",
    attempts: 1,
    version: 3,
    updatedAt: T(10),
});

describe("onboarding state machine", () => {
    it("walks received -> recorded -> deployed -> live with a timestamp per state and a growing version", () => {
        const item = apply([
            { state: "received", at: T(0), purchaseId: "PO-1", occurredAt: "2026-05-01T09:30:00.000Z" },
            { state: "recorded", at: T(1), pr: "https://github.example/pr/1" },
            { state: "deployed", at: T(20), commit: "abc123" },
            { state: "live", at: T(25) },
        ]);
        assert.deepEqual(item, {
            ...KEY,
            state: "live",
            reason: "",
            attempts: 1,
            version: 4,
            updatedAt: T(25),
            purchaseId: "PO-1",
            purchasedAt: "2026-05-01T09:30:00.000Z",
            eventAt: "2026-05-01T09:30:00.000Z",
            receivedAt: T(0),
            recordedAt: T(1),
            deployedAt: T(20),
            liveAt: T(25),
            onboardedAt: T(25),
            pr: "https://github.example/pr/1",
            commit: "abc123",
        });
        assert.equal(timeToOnboardMs(item), 55 * 60_000);
        assert.equal(formatDuration(timeToOnboardMs(item)), "55m 0s");
    });

    it("allows exactly these moves (no skipping ahead, failed from anywhere, resume at the failed step)", () => {
        const table: [OnboardingState, OnboardingState, boolean][] = [
            ["received", "received", true], ["received", "recorded", true], ["received", "deployed", false], ["received", "live", false],
            ["recorded", "received", false], ["recorded", "deployed", true], ["recorded", "live", false],
            ["deployed", "recorded", false], ["deployed", "live", true], ["deployed", "deployed", true],
            ["live", "deployed", true], ["live", "received", false], ["live", "live", true],
        ];
        for (const [from, to, ok] of table) {
            const res = transition(itemIn(from), KEY, { state: to, at: T(11) });
            assert.equal("item" in res, ok, `${from} -> ${to}`);
        }
        for (const from of ["received", "recorded", "deployed", "live"] as const) {
            assert.ok("item" in transition(itemIn(from), KEY, { state: "failed", at: T(11) }), `${from} -> failed`);
        }
        const failedAtDeployed = itemIn("failed", "deployed");
        assert.ok("item" in transition(failedAtDeployed, KEY, { state: "deployed", at: T(11) }), "resume at the failed step");
        assert.ok("item" in transition(failedAtDeployed, KEY, { state: "recorded", at: T(11) }), "or before it");
        const skip = transition(failedAtDeployed, KEY, { state: "live", at: T(11) });
        assert.deepEqual(skip, { refused: "cannot go from failed (at deployed) to live: it resumes at deployed" });
        assert.deepEqual(transition(itemIn("received"), KEY, { state: "live", at: T(11) }), { refused: "cannot go from received to live" });
    });

    it("counts failed attempts per step and the attempts it took once the step succeeds", () => {
        let item = apply([{ state: "received", at: T(0) }, { state: "recorded", at: T(1) }]);
        item = apply([{ state: "failed", at: T(2), reason: "pulumi up: timeout" }], item);
        assert.deepEqual([item.state, item.step, item.attempts, item.reason, item.failedAt], ["failed", "deployed", 1, "pulumi up: timeout", T(2)]);
        item = apply([{ state: "failed", step: "deployed", at: T(3), reason: "again" }], item);
        assert.equal(item.attempts, 2);
        item = apply([{ state: "deployed", at: T(4) }], item);
        assert.deepEqual([item.state, item.step, item.attempts, item.reason], ["deployed", undefined, 3, ""]);
        assert.equal(nextStep(item), "live");
    });

    it("refuses a stale run: one that started before the stored state was written", () => {
        const stored = { ...itemIn("live"), updatedAt: T(30) };
        assert.deepEqual(transition(stored, KEY, { state: "failed", step: "live", at: T(20) }), {
            refused: `stale: the stored state "live" was written at ${T(30)}, after this run started (${T(20)})`,
        });
        assert.ok("item" in transition(stored, KEY, { state: "live", at: T(30) }), "the same run retrying its write is not stale");
    });

    it("restarts at received when the purchase changed, keeping purchase and first-live times", () => {
        const live = apply([
            { state: "received", at: T(0), occurredAt: T(0), purchaseId: "PO-1" },
            { state: "recorded", at: T(1) },
            { state: "deployed", at: T(2), commit: "c1" },
            { state: "live", at: T(3) },
        ]);
        const again = apply([{ state: "received", at: T(40), restart: true, occurredAt: T(39), purchaseId: "PO-1" }], live);
        assert.deepEqual(again, {
            ...KEY, state: "received", reason: "", attempts: 1, version: 5, updatedAt: T(40), purchaseId: "PO-1",
            purchasedAt: T(0), eventAt: T(39), receivedAt: T(40), onboardedAt: T(3),
        });
        assert.deepEqual(transition(live, KEY, { state: "recorded", at: T(40), restart: true }), { refused: "only received can restart an onboarding" });
    });

    it("starts customers onboarded before intake existed at whatever state is marked first", () => {
        const res = transition(undefined, KEY, { state: "deployed", at: T(0), commit: "c" });
        assert.ok("item" in res);
        assert.deepEqual([res.item.state, res.item.version, res.item.deployedAt], ["deployed", 1, T(0)]);
        assert.equal(timeToOnboardMs(res.item), undefined);
        assert.equal(formatDuration(undefined), "-");
    });

    it("round-trips items through DynamoDB attribute values; PII items carry only what they must", () => {
        const item = apply([{ state: "received", at: T(0), purchaseId: "PO-1", occurredAt: T(0) }, { state: "failed", at: T(1), reason: "gh: 502" }]);
        const json = onboardingToItem(item);
        assert.deepEqual(json.record, { S: "ONBOARDING#prod" });
        assert.deepEqual(json.version, { N: "2" });
        assert.equal(json.deployedAt, undefined);
        assert.deepEqual(onboardingFromItem(json), item);
        assert.deepEqual(piiToItem({ customerId: "acme", purchaseId: "PO-1", contactEmail: "a@example.com", updatedAt: T(0) }), {
            customerId: { S: "acme" }, record: { S: "PII" }, purchaseId: { S: "PO-1" }, contactEmail: { S: "a@example.com" }, updatedAt: { S: T(0) },
        });
    });

    it("formats durations for the status table", () => {
        assert.deepEqual([12_000, 65_000, 3 * 3600_000 + 60_000, 2 * 86400_000 + 3 * 3600_000].map(formatDuration), ["12s", "1m 5s", "3h 1m", "2d 3h"]);
    });

    it("keys dead letters by purchase id, else by the SHA-256 of the raw text", () => {
        assert.equal(deadLetterKey("PO-1", "whatever"), "purchase:PO-1");
        assert.equal(deadLetterKey(undefined, "abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
});

describe("webhook signature", () => {
    const secret = "whsec_test";
    const body = JSON.stringify({ type: "customer.live", customerId: "acme" });

    it("is HMAC-SHA256 over `${timestamp}.${body}` with the timestamp in the header", () => {
        const header = signWebhook(secret, 1_780_000_000, body);
        const expected = createHmac("sha256", secret).update(`1780000000.${body}`).digest("hex");
        assert.equal(header, `t=1780000000,v1=${expected}`);
        assert.deepEqual(verifyWebhookSignature(secret, header, body, 1_780_000_100), { ok: true });
    });

    it("rejects a changed body, a wrong secret, an old timestamp and malformed headers", () => {
        const header = signWebhook(secret, 1_780_000_000, body);
        assert.deepEqual(verifyWebhookSignature(secret, header, `${body} `, 1_780_000_000), { ok: false, reason: "signature mismatch" });
        assert.deepEqual(verifyWebhookSignature("other", header, body, 1_780_000_000), { ok: false, reason: "signature mismatch" });
        assert.deepEqual(verifyWebhookSignature(secret, header, body, 1_780_000_301), { ok: false, reason: "timestamp outside tolerance" });
        assert.deepEqual(verifyWebhookSignature(secret, "v1=abc", body, 1_780_000_000), { ok: false, reason: "malformed signature header" });
        assert.deepEqual(verifyWebhookSignature(secret, undefined, body, 1_780_000_000), { ok: false, reason: "malformed signature header" });
        assert.throws(() => signWebhook("", 1, body), /secret is empty/);
    });

    it("gives every attempt of one customer's notice the same delivery id", () => {
        assert.equal(deliveryId("acme", "PO-1", "prod"), deliveryId("acme", "PO-1", "prod"));
        assert.notEqual(deliveryId("acme", "PO-1", "prod"), deliveryId("acme", "PO-2", "prod"));
        assert.match(deliveryId("acme", "PO-1", "prod"), /^[0-9a-f]{32}$/);
    });
});

// Telling the customer, exactly once, when the page is live in prod. The NOTIFIED#prod marker is claimed with a
// conditional write *before* sending (status "sending" with a lease) and set to "sent" after; see docs/INTAKE.md for
// why a crash between the two can repeat the notice at most once, and how receivers de-duplicate it.
import {
    DELIVERY_HEADER,
    deliveryId,
    EVENT_HEADER,
    NOTIFY_ENVIRONMENT,
    SIGNATURE_HEADER,
    signWebhook,
    type LiveNotice,
} from "../../components/model/onboarding";
import { claimNotice, finishNotice, readNotifyMarker, readOnboarding, readProfile, type Registry } from "../lib/registry-client";
import { defaultRetryPolicy, describe, systemClock, withRetry, type RetryClock, type RetryPolicy } from "../lib/retry";

/** A way to tell the customer. The webhook is the first; SES e-mail is the documented next one (docs/INTAKE.md). */
export interface NoticeTransport {
    readonly name: string;
    send(notice: LiveNotice): Promise<void>;
}

export class WebhookHttpError extends Error {
    constructor(readonly statusCode: number) {
        super(`webhook answered HTTP ${statusCode}`);
        this.name = "WebhookHttpError";
    }
}

/**
 * POSTs the notice as JSON with `X-SAS-Signature: t=<unix seconds>,v1=<HMAC-SHA256(secret, "<t>.<body>")>`, the
 * delivery id (stable across retries) and the event name. 2xx is success; 429 and 5xx are retried; other answers fail.
 */
export class WebhookTransport implements NoticeTransport {
    readonly name = "webhook";

    constructor(
        private readonly url: string,
        private readonly secret: string,
        private readonly opts: { timeoutMs?: number; nowSeconds?: () => number } = {},
    ) {}

    async send(notice: LiveNotice): Promise<void> {
        const body = JSON.stringify(notice);
        const t = (this.opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000)))();
        const res = await fetch(this.url, {
            method: "POST",
            headers: {
                "content-type": "application/json",
                "user-agent": "sas-onboarding-notify/1",
                [SIGNATURE_HEADER]: signWebhook(this.secret, t, body),
                [DELIVERY_HEADER]: notice.deliveryId,
                [EVENT_HEADER]: notice.type,
            },
            body,
            redirect: "error",
            signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status > 299) throw new WebhookHttpError(res.status);
    }
}

/** The configured transport, or undefined (then notices wait). Plain http only to a loopback address. */
export function transportFromEnv(env: NodeJS.ProcessEnv): NoticeTransport | undefined {
    const url = env.SAS_NOTIFY_WEBHOOK_URL;
    const secret = env.SAS_NOTIFY_WEBHOOK_SECRET;
    if (!url) return undefined;
    if (!secret) throw new Error("SAS_NOTIFY_WEBHOOK_URL is set but SAS_NOTIFY_WEBHOOK_SECRET is not (notices are always signed)");
    const parsed = new URL(url);
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
    if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
        throw new Error("SAS_NOTIFY_WEBHOOK_URL must be https (plain http only to a loopback address)");
    }
    return new WebhookTransport(url, secret);
}

export type NoticeOutcome =
    | { outcome: "sent"; deliveryId: string; attempts: number }
    | { outcome: "already-sent"; sentAt?: string }
    | { outcome: "in-progress"; leaseUntil: string }
    | { outcome: "not-live"; state: string }
    | { outcome: "not-this-environment" }
    | { outcome: "failed"; error: string };

export interface NotifyDeps {
    now?: () => number;
    /** How long a claim keeps other runs away; after it a crashed claim is taken over (default 10 minutes). */
    leaseMs?: number;
    retryPolicy?: () => RetryPolicy;
    clock?: RetryClock;
    /** Tests: called after a successful send, before it is recorded; throwing simulates a crash there. */
    afterSend?: () => void;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;

export async function notifyLive(
    reg: Registry,
    customerId: string,
    environment: string,
    transport: NoticeTransport,
    deps: NotifyDeps = {},
): Promise<NoticeOutcome> {
    if (environment !== NOTIFY_ENVIRONMENT) return { outcome: "not-this-environment" };
    const now = deps.now ?? Date.now;
    const state = await readOnboarding(reg, customerId, environment);
    // Never before live: the first live (onboardedAt) is what the customer is told about.
    if (!state?.onboardedAt) return { outcome: "not-live", state: state?.state ?? "none" };
    const existing = await readNotifyMarker(reg, customerId, environment);
    if (existing?.status === "sent") return { outcome: "already-sent", ...(existing.sentAt ? { sentAt: existing.sentAt } : {}) };

    const id = deliveryId(customerId, state.purchaseId ?? "", environment);
    const claim = await claimNotice(reg, customerId, environment, id, now(), deps.leaseMs ?? DEFAULT_LEASE_MS);
    if (claim.outcome === "not-claimed") {
        if (claim.marker?.status === "sent") return { outcome: "already-sent", ...(claim.marker.sentAt ? { sentAt: claim.marker.sentAt } : {}) };
        return { outcome: "in-progress", leaseUntil: claim.marker?.leaseUntil ?? "" };
    }
    const profile = await readProfile(reg, customerId).catch(() => undefined);
    const notice: LiveNotice = {
        type: "customer.live",
        deliveryId: claim.marker.deliveryId,
        customerId,
        purchaseId: state.purchaseId ?? "",
        environment,
        liveAt: state.onboardedAt,
        ...(profile?.url ? { url: profile.url } : {}),
        ...(profile?.companyName ? { companyName: profile.companyName } : {}),
    };
    let attempts = 0;
    try {
        await withRetry(
            `notice to ${customerId}`,
            async (attempt) => {
                attempts = attempt;
                await transport.send(notice);
            },
            (deps.retryPolicy ?? (() => defaultRetryPolicy(now())))(),
            deps.clock ?? systemClock,
        );
    } catch (err) {
        const error = describe(err);
        await finishNotice(reg, customerId, environment, claim.claimId, { sent: false, at: now(), error });
        return { outcome: "failed", error };
    }
    deps.afterSend?.();
    await finishNotice(reg, customerId, environment, claim.claimId, { sent: true, at: now() });
    return { outcome: "sent", deliveryId: notice.deliveryId, attempts };
}

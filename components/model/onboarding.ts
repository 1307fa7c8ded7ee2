import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { REGISTRY_KEYS } from "./registry";

/**
 * Onboarding of one customer in one environment, as items of the registry table (docs/INTAKE.md). Pure: the state
 * machine, the item shapes and the webhook signature; the DynamoDB calls live in scripts/lib/registry-client.ts.
 *
 *   received -> recorded -> deployed -> live
 *        \          \           \         \
 *         `----------`-----------`---------`--> failed (step, reason, attempts) --> resumes at its step
 *
 * Items (partition `customerId`, sort `record`, see ./registry.ts):
 *   ONBOARDING#<env>   the state, with a version for conditional writes and a timestamp per state
 *   PII                personal data of the purchase (contactEmail); only here, never in git, logs or PR text
 *   NOTIFIED#<env>     the "customer was told" marker (sending | sent | failed) that makes the notice exactly-once
 *   partition #intake, DEADLETTER#<key>   a rejected event minus personal data, with reason and count
 */

export const PROGRESS_STATES = ["received", "recorded", "deployed", "live"] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];
export const ONBOARDING_STATES = [...PROGRESS_STATES, "failed"] as const;
export type OnboardingState = (typeof ONBOARDING_STATES)[number];

const ORDER: Record<ProgressState, number> = { received: 1, recorded: 2, deployed: 3, live: 4 };

export const onboardingRecord = (environment: string) => `ONBOARDING#${environment}`;
export const PII_RECORD = "PII";
export const notifiedRecord = (environment: string) => `NOTIFIED#${environment}`;
/** Partition of items that belong to no customer (yet): a customer id can never start with '#'. */
export const INTAKE_PARTITION = "#intake";
export const DEAD_LETTER_PREFIX = "DEADLETTER#";
export const deadLetterRecord = (key: string) => `${DEAD_LETTER_PREFIX}${key}`;
/** The customer is told when the page is live here, and only here. */
export const NOTIFY_ENVIRONMENT = "prod";

export const isProgressState = (s: string): s is ProgressState => (PROGRESS_STATES as readonly string[]).includes(s);
export const isOnboardingState = (s: string): s is OnboardingState => (ONBOARDING_STATES as readonly string[]).includes(s);

export interface OnboardingItem {
    customerId: string;
    environment: string;
    state: OnboardingState;
    /** For `failed`: the step that failed (the state it could not reach). */
    step?: ProgressState;
    reason: string;
    /** Attempts it took to reach the current state, or failed attempts so far at `step`. */
    attempts: number;
    /** +1 on every write; the conditional write compares it, so no update is ever lost. */
    version: number;
    /** ISO-8601 UTC time of the run that wrote the item; an older run is refused (stale). */
    updatedAt: string;
    purchaseId?: string;
    /** occurredAt of the first purchase: the start of "time to onboard". Never changed by updates. */
    purchasedAt?: string;
    /** occurredAt of the purchase event applied last: an older event arriving later is stale. */
    eventAt?: string;
    receivedAt?: string;
    recordedAt?: string;
    deployedAt?: string;
    liveAt?: string;
    failedAt?: string;
    /** First time the customer was live: the end of "time to onboard". Never cleared. */
    onboardedAt?: string;
    commit?: string;
    pr?: string;
}

/** One step of a run: "this customer is now in `state`", stamped with the run's start time `at`. */
export interface Mark {
    state: OnboardingState;
    at: string;
    step?: ProgressState;
    reason?: string;
    commit?: string;
    pr?: string;
    purchaseId?: string;
    occurredAt?: string;
    /** New content for the customer (an updated purchase): onboarding starts over at `received`. */
    restart?: boolean;
}

export type Transition = { item: OnboardingItem } | { refused: string };

const STATE_TIMESTAMP: Record<OnboardingState, keyof OnboardingItem> = {
    received: "receivedAt",
    recorded: "recordedAt",
    deployed: "deployedAt",
    live: "liveAt",
    failed: "failedAt",
};

/** The step a failure without an explicit step belongs to: the state after the current one. */
export function nextStep(current: OnboardingItem | undefined): ProgressState {
    if (!current) return "received";
    if (current.state === "failed") return current.step ?? "received";
    const i = PROGRESS_STATES.indexOf(current.state);
    return PROGRESS_STATES[Math.min(i + 1, PROGRESS_STATES.length - 1)];
}

/** Why `mark` may not follow `current`, or undefined when it may. */
export function refusal(current: OnboardingItem | undefined, mark: Mark): string | undefined {
    if (mark.state === "failed" && mark.step !== undefined && !isProgressState(mark.step)) return `unknown step "${mark.step}"`;
    if (!current) return undefined; // first item: any state (customers onboarded before intake existed start anywhere)
    if (mark.at < current.updatedAt) {
        return `stale: the stored state "${current.state}" was written at ${current.updatedAt}, after this run started (${mark.at})`;
    }
    if (mark.restart) return mark.state === "received" ? undefined : "only received can restart an onboarding";
    const from = current.state;
    const to = mark.state;
    if (to === "failed" || to === from) return undefined;
    if (from === "failed") {
        const step = current.step ?? "received";
        return ORDER[to] <= ORDER[step] ? undefined : `cannot go from failed (at ${step}) to ${to}: it resumes at ${step}`;
    }
    if (ORDER[to] === ORDER[from] + 1) return undefined;
    if (from === "live" && to === "deployed") return undefined; // a later commit changed the deployed record
    return `cannot go from ${from} to ${to}`;
}

/** The item after `mark`, or why not. Pure: the caller writes it conditionally on `current.version`. */
export function transition(current: OnboardingItem | undefined, key: { customerId: string; environment: string }, mark: Mark): Transition {
    const refused = refusal(current, mark);
    if (refused) return { refused };
    const base: OnboardingItem = current && !mark.restart
        ? { ...current }
        : {
              customerId: key.customerId,
              environment: key.environment,
              state: mark.state,
              reason: "",
              attempts: 0,
              version: 0,
              updatedAt: mark.at,
              ...(current?.purchasedAt ? { purchasedAt: current.purchasedAt } : {}),
              ...(current?.onboardedAt ? { onboardedAt: current.onboardedAt } : {}),
              ...(current?.purchaseId ? { purchaseId: current.purchaseId } : {}),
          };
    const step = mark.state === "failed" ? (mark.step ?? nextStep(current)) : undefined;
    let attempts: number;
    if (mark.state === "failed") attempts = (current?.state === "failed" && current.step === step ? current.attempts : 0) + 1;
    else if (current?.state === "failed" && !mark.restart && current.step === mark.state) attempts = current.attempts + 1;
    else if (current?.state === mark.state && !mark.restart) attempts = current.attempts;
    else attempts = 1;

    const item: OnboardingItem = {
        ...base,
        state: mark.state,
        reason: mark.reason ?? (mark.state === "failed" ? "failed" : ""),
        attempts,
        version: (current?.version ?? 0) + 1,
        updatedAt: mark.at,
        [STATE_TIMESTAMP[mark.state]]: mark.at,
    };
    if (step) item.step = step;
    else delete item.step;
    if (mark.purchaseId) item.purchaseId = mark.purchaseId;
    if (mark.occurredAt) {
        item.eventAt = mark.occurredAt;
        item.purchasedAt ??= mark.occurredAt;
    }
    if (mark.commit) item.commit = mark.commit;
    if (mark.pr) item.pr = mark.pr;
    if (mark.state === "live") item.onboardedAt ??= mark.at;
    return { item };
}

/** Purchase to first live, in milliseconds; undefined until both are known. */
export function timeToOnboardMs(item: Pick<OnboardingItem, "purchasedAt" | "receivedAt" | "onboardedAt">): number | undefined {
    const start = item.purchasedAt ?? item.receivedAt;
    if (!start || !item.onboardedAt) return undefined;
    return Date.parse(item.onboardedAt) - Date.parse(start);
}

export function formatDuration(ms: number | undefined): string {
    if (ms === undefined || !Number.isFinite(ms)) return "-";
    if (ms < 0) return "0s";
    const s = Math.round(ms / 1000);
    const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
    if (d > 0) return `${d}d ${h}h`;
    if (h > 0) return `${h}h ${m}m`;
    if (m > 0) return `${m}m ${sec}s`;
    return `${sec}s`;
}

// ---------------------------------------------------------------------------------------------------------------
// Items as DynamoDB attribute-value JSON (strings and numbers only; absent fields are absent attributes)

export type AttributeJson = { S: string } | { N: string };
export type ItemJson = Record<string, AttributeJson>;

export function toAttributes(values: Record<string, string | number | undefined>): ItemJson {
    const out: ItemJson = {};
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined) continue;
        out[k] = typeof v === "number" ? { N: String(v) } : { S: v };
    }
    return out;
}

export function fromAttributes(item: Record<string, { S?: string; N?: string }>): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(item)) {
        if (v.S !== undefined) out[k] = v.S;
        else if (v.N !== undefined) out[k] = Number(v.N);
    }
    return out;
}

const ONBOARDING_FIELDS = [
    "state", "step", "reason", "attempts", "version", "updatedAt", "purchaseId", "purchasedAt", "eventAt", "receivedAt",
    "recordedAt", "deployedAt", "liveAt", "failedAt", "onboardedAt", "commit", "pr",
] as const;

export function onboardingToItem(o: OnboardingItem): ItemJson {
    const values: Record<string, string | number | undefined> = {
        [REGISTRY_KEYS.partition]: o.customerId,
        [REGISTRY_KEYS.sort]: onboardingRecord(o.environment),
        environment: o.environment,
    };
    for (const f of ONBOARDING_FIELDS) values[f] = o[f];
    return toAttributes(values);
}

export function onboardingFromItem(item: Record<string, { S?: string; N?: string }>): OnboardingItem {
    const v = fromAttributes(item);
    const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
    const out: OnboardingItem = {
        customerId: String(v[REGISTRY_KEYS.partition]),
        environment: String(v.environment ?? String(v[REGISTRY_KEYS.sort]).slice("ONBOARDING#".length)),
        state: (str("state") ?? "received") as OnboardingState,
        reason: str("reason") ?? "",
        attempts: Number(v.attempts ?? 0),
        version: Number(v.version ?? 0),
        updatedAt: str("updatedAt") ?? "",
    };
    for (const f of ["step", "purchaseId", "purchasedAt", "eventAt", "receivedAt", "recordedAt", "deployedAt", "liveAt", "failedAt", "onboardedAt", "commit", "pr"] as const) {
        const s = str(f);
        if (s !== undefined) (out as unknown as Record<string, string>)[f] = s;
    }
    return out;
}

export interface PiiItem {
    customerId: string;
    purchaseId: string;
    contactEmail: string;
    updatedAt: string;
    /** occurredAt of the event it came from, in UTC (toISOString): an older event never overwrites it. */
    occurredAt?: string;
}

export function piiToItem(p: PiiItem): ItemJson {
    return toAttributes({
        [REGISTRY_KEYS.partition]: p.customerId,
        [REGISTRY_KEYS.sort]: PII_RECORD,
        purchaseId: p.purchaseId,
        contactEmail: p.contactEmail,
        updatedAt: p.updatedAt,
        occurredAt: p.occurredAt,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Dead letters

export interface DeadLetter {
    key: string;
    purchaseId?: string;
    /** Where the event came from: "<input> <row>", e.g. "events.csv line 4". */
    source: string;
    reason: string;
    /** The event minus personal data, as JSON text (components/model/purchase.ts redactRawEvent). */
    raw: string;
    count: number;
    firstAt: string;
    lastAt: string;
    resolvedAt?: string;
}

/** A rejected event's key: its purchase id when it has a valid one, else the SHA-256 of its raw text. */
export function deadLetterKey(purchaseId: string | undefined, rawText: string): string {
    return purchaseId ? `purchase:${purchaseId}` : `sha256:${createHash("sha256").update(rawText, "utf8").digest("hex")}`;
}

export function deadLetterFromItem(item: Record<string, { S?: string; N?: string }>): DeadLetter {
    const v = fromAttributes(item);
    const str = (k: string) => (v[k] === undefined ? undefined : String(v[k]));
    return {
        key: String(v[REGISTRY_KEYS.sort]).slice(DEAD_LETTER_PREFIX.length),
        ...(str("purchaseId") ? { purchaseId: str("purchaseId") } : {}),
        source: str("source") ?? "",
        reason: str("reason") ?? "",
        raw: str("raw") ?? "",
        count: Number(v.count ?? 0),
        firstAt: str("firstAt") ?? "",
        lastAt: str("lastAt") ?? "",
        ...(str("resolvedAt") ? { resolvedAt: str("resolvedAt") } : {}),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Telling the customer: the exactly-once marker and the signed webhook

export type NotifyStatus = "sending" | "sent" | "failed";

export interface NotifyMarker {
    customerId: string;
    environment: string;
    status: NotifyStatus;
    /** Same for every attempt of one customer's notice: receivers de-duplicate on it. */
    deliveryId: string;
    attempts: number;
    /** While `sending`, no other run may claim the notice before this time (a crashed run's claim expires). */
    leaseUntil: string;
    sentAt?: string;
    lastError?: string;
    updatedAt: string;
}

export function deliveryId(customerId: string, purchaseId: string, environment: string): string {
    return createHash("sha256").update(`${customerId}\n${purchaseId}\n${environment}`, "utf8").digest("hex").slice(0, 32);
}

export function notifyMarkerFromItem(item: Record<string, { S?: string; N?: string }>): NotifyMarker {
    const v = fromAttributes(item);
    return {
        customerId: String(v[REGISTRY_KEYS.partition]),
        environment: String(v.environment ?? ""),
        status: String(v.status) as NotifyStatus,
        deliveryId: String(v.deliveryId ?? ""),
        attempts: Number(v.attempts ?? 0),
        leaseUntil: String(v.leaseUntil ?? ""),
        ...(v.sentAt !== undefined ? { sentAt: String(v.sentAt) } : {}),
        ...(v.lastError !== undefined ? { lastError: String(v.lastError) } : {}),
        updatedAt: String(v.updatedAt ?? ""),
    };
}

export const SIGNATURE_HEADER = "X-SAS-Signature";
export const DELIVERY_HEADER = "X-SAS-Delivery";
export const EVENT_HEADER = "X-SAS-Event";

/** The body a customer-live notice carries. No personal data: the receiver maps purchaseId to its customer. */
export interface LiveNotice {
    type: "customer.live";
    deliveryId: string;
    customerId: string;
    purchaseId: string;
    environment: string;
    liveAt: string;
    url?: string;
    companyName?: string;
}

const hmacHex = (secret: string, timestamp: number, body: string) =>
    createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");

/** `X-SAS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the scheme Stripe and others use). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
    if (!secret) throw new Error("webhook secret is empty: set SAS_NOTIFY_WEBHOOK_SECRET (docs/INTAKE.md)");
    return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/** What a receiver runs: checks the HMAC in constant time and that the timestamp is within `toleranceSeconds`. */
export function verifyWebhookSignature(
    secret: string,
    header: string | undefined,
    body: string,
    nowSeconds: number,
    toleranceSeconds = 300,
): { ok: true } | { ok: false; reason: string } {
    const parts = Object.fromEntries((header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
    const t = Number(parts.t);
    if (!header || !/^\d+$/.test(parts.t ?? "") || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return { ok: false, reason: "malformed signature header" };
    if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: "timestamp outside tolerance" };
    const expected = Buffer.from(hmacHex(secret, t, body), "hex");
    const given = Buffer.from(parts.v1, "hex");
    return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "signature mismatch" };
}

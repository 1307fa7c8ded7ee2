// The registry table as intake and status use it: onboarding states, PII, dead letters and the notice marker, each
// write conditional where a race could lose or reorder something. Every call retries transient failures
// (scripts/lib/retry.ts) under a deadline; the SDK's own retries are off so that deadline is the only one.
import {
    ConditionalCheckFailedException,
    DeleteItemCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    QueryCommand,
    ScanCommand,
    UpdateItemCommand,
    type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import {
    DEAD_LETTER_PREFIX,
    deadLetterFromItem,
    deadLetterRecord,
    INTAKE_PARTITION,
    notifiedRecord,
    notifyMarkerFromItem,
    onboardingFromItem,
    onboardingRecord,
    onboardingToItem,
    PII_RECORD,
    piiToItem,
    transition,
    type DeadLetter,
    type Mark,
    type NotifyMarker,
    type OnboardingItem,
    type PiiItem,
} from "../../components/model/onboarding";
import { PROFILE_RECORD, REGISTRY_KEYS } from "../../components/model/registry";
import { defaultRetryPolicy, systemClock, withRetry, type RetryClock, type RetryPolicy } from "./retry";

type Item = Record<string, AttributeValue>;

export interface RegistryConnection {
    /** http(s) URL of DynamoDB Local / dynalite; AWS when absent. */
    endpoint?: string;
    region?: string;
    table: string;
}

/**
 * A local endpoint accepts any credentials; when none are configured, dummies keep the SDK from looking for AWS ones
 * (the same rule as verify's client). One attempt per call, short timeouts: retries belong to `withRetry`.
 */
export function createDynamoClient(opts: RegistryConnection, env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
    const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (opts.endpoint ? "us-east-1" : undefined);
    if (!region) throw new Error("registry: no AWS region; set AWS_REGION or pass --region (the registry table's region)");
    const local = opts.endpoint !== undefined && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
    return new DynamoDBClient({
        region,
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    });
}

const isConditionFailure = (err: unknown) =>
    err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";

export interface RegistryOptions {
    /** A fresh policy per call (its deadline starts at the call). */
    retryPolicy?: () => RetryPolicy;
    clock?: RetryClock;
    onRetry?: (what: string, attempt: number, err: unknown, waitMs: number) => void;
}

export class Registry {
    private readonly retryPolicy: () => RetryPolicy;
    private readonly clock: RetryClock;

    constructor(
        readonly client: DynamoDBClient,
        readonly table: string,
        private readonly opts: RegistryOptions = {},
    ) {
        this.retryPolicy = opts.retryPolicy ?? (() => defaultRetryPolicy());
        this.clock = opts.clock ?? systemClock;
    }

    static connect(conn: RegistryConnection, opts: RegistryOptions = {}, env: NodeJS.ProcessEnv = process.env): Registry {
        return new Registry(createDynamoClient(conn, env), conn.table, opts);
    }

    destroy(): void {
        this.client.destroy();
    }

    private call<T>(what: string, op: () => Promise<T>): Promise<T> {
        return withRetry(`registry ${what}`, op, this.retryPolicy(), this.clock, {
            onRetry: (attempt, err, wait) => this.opts.onRetry?.(what, attempt, err, wait),
        });
    }

    private key(partition: string, record: string): Item {
        return { [REGISTRY_KEYS.partition]: { S: partition }, [REGISTRY_KEYS.sort]: { S: record } };
    }

    async get(partition: string, record: string): Promise<Item | undefined> {
        const res = await this.call(`get ${record}`, () =>
            this.client.send(new GetItemCommand({ TableName: this.table, Key: this.key(partition, record), ConsistentRead: true })),
        );
        return res.Item;
    }

    /** Put, when `condition` holds; "condition-failed" otherwise (never retried: the caller re-reads and decides). */
    async putIf(
        item: Item,
        condition?: { expression: string; names?: Record<string, string>; values?: Item },
    ): Promise<"written" | "condition-failed"> {
        try {
            await this.call(`put ${item[REGISTRY_KEYS.sort]?.S}`, () =>
                this.client.send(
                    new PutItemCommand({
                        TableName: this.table,
                        Item: item,
                        ...(condition
                            ? {
                                  ConditionExpression: condition.expression,
                                  ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
                                  ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
                              }
                            : {}),
                    }),
                ),
            );
            return "written";
        } catch (err) {
            if (isConditionFailure(err)) return "condition-failed";
            throw err;
        }
    }

    async update(
        partition: string,
        record: string,
        input: { expression: string; condition?: string; names?: Record<string, string>; values?: Item },
    ): Promise<{ outcome: "written"; item: Item } | { outcome: "condition-failed" }> {
        try {
            const res = await this.call(`update ${record}`, () =>
                this.client.send(
                    new UpdateItemCommand({
                        TableName: this.table,
                        Key: this.key(partition, record),
                        UpdateExpression: input.expression,
                        ...(input.condition ? { ConditionExpression: input.condition } : {}),
                        ...(input.names ? { ExpressionAttributeNames: input.names } : {}),
                        ...(input.values ? { ExpressionAttributeValues: input.values } : {}),
                        ReturnValues: "ALL_NEW",
                    }),
                ),
            );
            return { outcome: "written", item: res.Attributes ?? {} };
        } catch (err) {
            if (isConditionFailure(err)) return { outcome: "condition-failed" };
            throw err;
        }
    }

    async delete(partition: string, record: string): Promise<void> {
        await this.call(`delete ${record}`, () => this.client.send(new DeleteItemCommand({ TableName: this.table, Key: this.key(partition, record) })));
    }

    /** Every item of one partition whose record starts with `prefix`. */
    query(partition: string, prefix = ""): Promise<Item[]> {
        return this.allPages(`query ${partition}`, (start) =>
            this.client.send(
                new QueryCommand({
                    TableName: this.table,
                    KeyConditionExpression: prefix ? "#p = :p AND begins_with(#r, :r)" : "#p = :p",
                    ExpressionAttributeNames: { "#p": REGISTRY_KEYS.partition, ...(prefix ? { "#r": REGISTRY_KEYS.sort } : {}) },
                    ExpressionAttributeValues: { ":p": { S: partition }, ...(prefix ? { ":r": { S: prefix } } : {}) },
                    ConsistentRead: true,
                    ...(start ? { ExclusiveStartKey: start } : {}),
                }),
            ),
        );
    }

    /** Every item whose record is exactly `record`, across customers (a scan: the table holds one item kind per customer). */
    scanRecord(record: string): Promise<Item[]> {
        return this.allPages(`scan ${record}`, (start) =>
            this.client.send(
                new ScanCommand({
                    TableName: this.table,
                    FilterExpression: "#r = :r",
                    ExpressionAttributeNames: { "#r": REGISTRY_KEYS.sort },
                    ExpressionAttributeValues: { ":r": { S: record } },
                    ConsistentRead: true,
                    ...(start ? { ExclusiveStartKey: start } : {}),
                }),
            ),
        );
    }

    /** Follows LastEvaluatedKey until the last page; each page is one retried call. */
    private async allPages(what: string, page: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): Promise<Item[]> {
        const items: Item[] = [];
        let start: Item | undefined;
        do {
            const res = await this.call(what, () => page(start));
            items.push(...(res.Items ?? []));
            start = res.LastEvaluatedKey;
        } while (start);
        return items;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Onboarding state

export type MarkResult =
    | { outcome: "written"; item: OnboardingItem; previous?: OnboardingItem }
    | { outcome: "refused"; reason: string; current?: OnboardingItem };

export async function readOnboarding(reg: Registry, customerId: string, environment: string): Promise<OnboardingItem | undefined> {
    const item = await reg.get(customerId, onboardingRecord(environment));
    return item ? onboardingFromItem(item) : undefined;
}

/**
 * Applies `mark` with optimistic concurrency: read, compute the transition, write on condition that the stored
 * version is still the one read (or that there is no item). A concurrent writer makes the condition fail; then the
 * item is read again and the transition re-decided against the newer state (which may now refuse it as stale).
 */
export async function markOnboarding(reg: Registry, customerId: string, environment: string, mark: Mark): Promise<MarkResult> {
    for (let round = 0; round < 10; round++) {
        const current = await readOnboarding(reg, customerId, environment);
        const next = transition(current, { customerId, environment }, mark);
        if ("refused" in next) return { outcome: "refused", reason: next.refused, current };
        const written = await reg.putIf(
            onboardingToItem(next.item),
            current
                ? { expression: "#v = :v", names: { "#v": "version" }, values: { ":v": { N: String(current.version) } } }
                : { expression: "attribute_not_exists(#p)", names: { "#p": REGISTRY_KEYS.partition } },
        );
        if (written === "written") return { outcome: "written", item: next.item, ...(current ? { previous: current } : {}) };
    }
    return { outcome: "refused", reason: "too many concurrent writers; try again" };
}

export async function listOnboarding(reg: Registry, environment: string): Promise<OnboardingItem[]> {
    return (await reg.scanRecord(onboardingRecord(environment))).map(onboardingFromItem).sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------------------
// Personal data

export async function readPii(reg: Registry, customerId: string): Promise<PiiItem | undefined> {
    const item = await reg.get(customerId, PII_RECORD);
    if (!item) return undefined;
    return {
        customerId,
        purchaseId: item.purchaseId?.S ?? "",
        contactEmail: item.contactEmail?.S ?? "",
        updatedAt: item.updatedAt?.S ?? "",
        ...(item.occurredAt?.S ? { occurredAt: item.occurredAt.S } : {}),
    };
}

/**
 * Writes the PII item unless it already says the same; conditional on the stored event not being newer, so contact
 * details from an older event arriving late never replace newer ones. Returns what happened (never the value).
 */
export async function putPii(reg: Registry, pii: PiiItem): Promise<"written" | "unchanged" | "stale"> {
    const current = await readPii(reg, pii.customerId);
    if (current && current.contactEmail === pii.contactEmail && current.purchaseId === pii.purchaseId) return "unchanged";
    const written = await reg.putIf(piiToItem(pii), {
        expression: "attribute_not_exists(#p) OR attribute_not_exists(#o) OR #o <= :o",
        names: { "#p": REGISTRY_KEYS.partition, "#o": "occurredAt" },
        values: { ":o": { S: pii.occurredAt ?? pii.updatedAt } },
    });
    return written === "written" ? "written" : "stale";
}

/** The public profile item Pulumi writes per customer (url, companyName), when it exists. */
export async function readProfile(reg: Registry, customerId: string): Promise<{ url?: string; companyName?: string } | undefined> {
    const item = await reg.get(customerId, PROFILE_RECORD);
    if (!item) return undefined;
    return { ...(item.url?.S ? { url: item.url.S } : {}), ...(item.companyName?.S ? { companyName: item.companyName.S } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Dead letters

/** Keeps a rejected event: the newest raw text and reason, the first and last time, and how often it came. */
export async function recordDeadLetter(
    reg: Registry,
    dl: { key: string; purchaseId?: string; source: string; reason: string; raw: string; at: string },
): Promise<DeadLetter> {
    const res = await reg.update(INTAKE_PARTITION, deadLetterRecord(dl.key), {
        expression:
            "SET #source = :source, #reason = :reason, #raw = :raw, #lastAt = :at, #firstAt = if_not_exists(#firstAt, :at)" +
            (dl.purchaseId ? ", #purchaseId = :pid" : "") +
            " ADD #count :one REMOVE #resolvedAt",
        names: {
            "#source": "source", "#reason": "reason", "#raw": "raw", "#lastAt": "lastAt", "#firstAt": "firstAt", "#count": "count",
            "#resolvedAt": "resolvedAt", ...(dl.purchaseId ? { "#purchaseId": "purchaseId" } : {}),
        },
        values: {
            ":source": { S: dl.source }, ":reason": { S: dl.reason }, ":raw": { S: dl.raw }, ":at": { S: dl.at }, ":one": { N: "1" },
            ...(dl.purchaseId ? { ":pid": { S: dl.purchaseId } } : {}),
        },
    });
    if (res.outcome !== "written") throw new Error("dead letter update refused");
    return deadLetterFromItem(res.item);
}

/** Marks a purchase's dead letter resolved once the purchase went through; "absent" when there was none. */
export async function resolveDeadLetter(reg: Registry, key: string, at: string): Promise<"resolved" | "absent"> {
    const res = await reg.update(INTAKE_PARTITION, deadLetterRecord(key), {
        expression: "SET #resolvedAt = :at",
        condition: "attribute_exists(#p) AND attribute_not_exists(#resolvedAt)",
        names: { "#resolvedAt": "resolvedAt", "#p": REGISTRY_KEYS.partition },
        values: { ":at": { S: at } },
    });
    return res.outcome === "written" ? "resolved" : "absent";
}

export async function listDeadLetters(reg: Registry): Promise<DeadLetter[]> {
    return (await reg.query(INTAKE_PARTITION, DEAD_LETTER_PREFIX)).map(deadLetterFromItem).sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// The exactly-once notice marker

export async function readNotifyMarker(reg: Registry, customerId: string, environment: string): Promise<NotifyMarker | undefined> {
    const item = await reg.get(customerId, notifiedRecord(environment));
    return item ? notifyMarkerFromItem(item) : undefined;
}

export type Claim = { outcome: "claimed"; marker: NotifyMarker; claimId: string } | { outcome: "not-claimed"; marker?: NotifyMarker };

/**
 * Takes the right to send one customer's notice: succeeds when there is no marker, the last attempt failed, or a
 * previous sender's lease ran out (it crashed between sending and recording). Only one run holds a live claim.
 */
export async function claimNotice(
    reg: Registry,
    customerId: string,
    environment: string,
    deliveryIdValue: string,
    now: number,
    leaseMs: number,
): Promise<Claim> {
    const claimId = randomUUID();
    const res = await reg.update(customerId, notifiedRecord(environment), {
        expression:
            "SET #status = :sending, #leaseUntil = :lease, #claimId = :claim, #environment = :env, #updatedAt = :now, " +
            "#deliveryId = if_not_exists(#deliveryId, :delivery) ADD #attempts :one",
        condition: "attribute_not_exists(#p) OR #status = :failed OR (#status = :sending AND #leaseUntil < :now)",
        names: {
            "#status": "status", "#leaseUntil": "leaseUntil", "#claimId": "claimId", "#environment": "environment",
            "#updatedAt": "updatedAt", "#deliveryId": "deliveryId", "#attempts": "attempts", "#p": REGISTRY_KEYS.partition,
        },
        values: {
            ":sending": { S: "sending" }, ":failed": { S: "failed" }, ":lease": { S: new Date(now + leaseMs).toISOString() },
            ":claim": { S: claimId }, ":env": { S: environment }, ":now": { S: new Date(now).toISOString() },
            ":delivery": { S: deliveryIdValue }, ":one": { N: "1" },
        },
    });
    if (res.outcome === "written") return { outcome: "claimed", marker: notifyMarkerFromItem(res.item), claimId };
    const marker = await readNotifyMarker(reg, customerId, environment);
    return { outcome: "not-claimed", ...(marker ? { marker } : {}) };
}

/** Records the send's result, only while this run still holds the claim. */
export async function finishNotice(
    reg: Registry,
    customerId: string,
    environment: string,
    claimId: string,
    result: { sent: true; at: number } | { sent: false; at: number; error: string },
): Promise<"recorded" | "claim-lost"> {
    const at = new Date(result.at).toISOString();
    const res = await reg.update(customerId, notifiedRecord(environment), {
        expression: result.sent
            ? "SET #status = :status, #sentAt = :at, #updatedAt = :at REMOVE #lastError"
            : "SET #status = :status, #lastError = :error, #updatedAt = :at",
        condition: "#claimId = :claim AND #status = :sending",
        names: {
            "#status": "status", "#updatedAt": "updatedAt", "#claimId": "claimId",
            ...(result.sent ? { "#sentAt": "sentAt", "#lastError": "lastError" } : { "#lastError": "lastError" }),
        },
        values: {
            ":status": { S: result.sent ? "sent" : "failed" }, ":at": { S: at }, ":claim": { S: claimId }, ":sending": { S: "sending" },
            ...(result.sent ? {} : { ":error": { S: result.error.slice(0, 500) } }),
        },
    });
    return res.outcome === "written" ? "recorded" : "claim-lost";
}

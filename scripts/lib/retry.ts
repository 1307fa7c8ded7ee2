// Retries of transient failures (DynamoDB throttling, network errors, 5xx) under one deadline. The delay rule is
// verify's (scripts/verify/backoff.ts: exponential, equal jitter, capped); this adds the loop, the deadline and the
// question "is this error worth another try?". Time, sleep and randomness are injectable for tests.
import { backoffDelay, type BackoffPolicy } from "../verify/backoff";

export { backoffDelay, type BackoffPolicy };

export interface RetryPolicy extends BackoffPolicy {
    /** Attempts in all, the first included. */
    attempts: number;
    /** Absolute time (clock.now() scale) after which no new attempt starts. */
    deadline: number;
}

export interface RetryClock {
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
}

export const systemClock: RetryClock = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
};

/** Defaults for registry calls: 8 attempts, 100 ms doubling to at most 5 s, within 60 s. */
export function defaultRetryPolicy(now = Date.now(), deadlineMs = 60_000): RetryPolicy {
    return { attempts: 8, baseDelayMs: 100, maxDelayMs: 5_000, deadline: now + deadlineMs };
}

const TRANSIENT_NAMES = new Set([
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "TransactionConflictException",
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
    "AbortError",
]);
const TRANSIENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET"]);

/** Throttling, server errors and network failures are transient; validation, conditions and 4xx are not. */
export function isTransientError(err: unknown): boolean {
    if (err === null || typeof err !== "object") return false;
    const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; statusCode?: number; cause?: unknown };
    if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
    if (e.code && TRANSIENT_CODES.has(e.code)) return true;
    if (e.$retryable) return true;
    const status = e.$metadata?.httpStatusCode ?? e.statusCode;
    if (status !== undefined && (status >= 500 || status === 429)) return true;
    return e.cause !== undefined && e.cause !== err && isTransientError(e.cause);
}

/** Thrown when a transient failure outlived its retries or the deadline; `cause` is the last failure. */
export class RetryExhaustedError extends Error {
    constructor(
        readonly what: string,
        readonly attempts: number,
        readonly last: unknown,
    ) {
        super(`${what}: gave up after ${attempts} attempt(s): ${describe(last)}`);
        this.name = "RetryExhaustedError";
    }
}

export function describe(err: unknown): string {
    if (err instanceof Error) {
        const code = (err as { code?: string }).code;
        return `${err.name}${code ? ` ${code}` : ""}: ${err.message.split("\n")[0]}`;
    }
    return String(err);
}

/**
 * Runs `op` until it succeeds, fails permanently (rethrown as it is), or transient failures use up the attempts or
 * the deadline (RetryExhaustedError). A wait that would end after the deadline is not started.
 */
export async function withRetry<T>(
    what: string,
    op: (attempt: number) => Promise<T>,
    policy: RetryPolicy,
    clock: RetryClock = systemClock,
    opts: { isTransient?: (err: unknown) => boolean; onRetry?: (attempt: number, err: unknown, waitMs: number) => void } = {},
): Promise<T> {
    const transient = opts.isTransient ?? isTransientError;
    for (let attempt = 1; ; attempt++) {
        try {
            return await op(attempt);
        } catch (err) {
            if (!transient(err)) throw err;
            if (attempt >= policy.attempts) throw new RetryExhaustedError(what, attempt, err);
            const wait = backoffDelay(attempt, policy, clock.random());
            if (clock.now() + wait >= policy.deadline) throw new RetryExhaustedError(`${what} (deadline reached)`, attempt, err);
            opts.onRetry?.(attempt, err, wait);
            await clock.sleep(wait);
        }
    }
}

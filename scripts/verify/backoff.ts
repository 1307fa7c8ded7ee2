// Retry timing. "Equal jitter": half the exponential step is fixed, half random, so retries from many customers
// spread out but never collapse to zero delay.

export interface BackoffPolicy {
    baseDelayMs: number;
    /** No single wait is longer than this, however many retries came before. */
    maxDelayMs: number;
}

/** Delay before retry number `retry` (1 = the wait after the first failed attempt). `random` is in [0, 1). */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: number): number {
    const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
    return Math.round(step / 2 + (step / 2) * random);
}

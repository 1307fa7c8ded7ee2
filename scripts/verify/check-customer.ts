// Retry loop for one customer URL. Time, sleep, randomness and the HTTP call are injected, so the loop's decisions
// (how many attempts, when to stop for the deadline) are tested without a network.
import { backoffDelay, type BackoffPolicy } from "./backoff";
import { pageProblem, type HttpResult } from "./page-check";
import type { Customer } from "../../components/model/customer";

export interface CheckDeps {
    get(timeoutMs: number): Promise<HttpResult>;
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
    describeError(err: unknown): string;
}

export interface CheckPolicy extends BackoffPolicy {
    attempts: number;
    requestTimeoutMs: number;
    /** Absolute time (deps.now() scale) after which no new attempt starts. */
    deadline: number;
}

export interface CheckResult {
    pass: boolean;
    attempts: number;
    /** Why it failed (the last attempt's problem), or "OK". */
    reason: string;
}

/** The smallest request timeout worth starting: below it an attempt can only time out. */
const MIN_ATTEMPT_MS = 50;

export async function checkCustomer(
    customer: Pick<Customer, "companyName" | "motto">,
    policy: CheckPolicy,
    deps: CheckDeps,
    onAttempt: (attempt: number, problem: string | undefined) => void = () => {},
): Promise<CheckResult> {
    let last = "not checked: deadline passed before the first attempt";
    let attempt = 0;
    while (attempt < policy.attempts) {
        const remaining = policy.deadline - deps.now();
        if (remaining < MIN_ATTEMPT_MS) {
            if (attempt > 0) last = `${last} (deadline reached)`;
            break;
        }
        attempt++;
        let problem: string | undefined;
        try {
            problem = pageProblem(customer, await deps.get(Math.min(policy.requestTimeoutMs, remaining)));
        } catch (err) {
            problem = deps.describeError(err);
        }
        onAttempt(attempt, problem);
        if (problem === undefined) return { pass: true, attempts: attempt, reason: "OK" };
        last = problem;
        if (attempt < policy.attempts) {
            const wait = backoffDelay(attempt, policy, deps.random());
            const left = policy.deadline - deps.now();
            if (wait >= left) {
                last = `${last} (deadline reached)`;
                break;
            }
            await deps.sleep(wait);
        }
    }
    return { pass: false, attempts: attempt, reason: last };
}

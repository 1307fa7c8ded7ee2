// The pipeline steps' metrics (docs/MONITORING.md, "Pipeline metrics"): pushed to the Pushgateway named by
// SAS_PUSHGATEWAY_URL, nothing when it is unset. Monitoring never fails a step: a push that fails is a warning.
import type { OnboardingItem } from "../../components/model/onboarding";
import { pushCustomerReport, pushStepReport, pushTargetFromEnv } from "../../components/model/monitoring/pushgateway";
import type { CustomerReport, StepReport } from "../../components/model/monitoring/pipeline-metrics";

interface MetricsIo {
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
}

const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

export async function reportStep(io: MetricsIo, tool: string, report: StepReport): Promise<void> {
    try {
        await pushStepReport(pushTargetFromEnv(io.env), report);
    } catch (err) {
        io.stderr(`${tool}: warning: pipeline metrics not pushed: ${(err as Error).message}\n`);
    }
}

/** One customer's onboarding as its registry item says it, in the metrics' terms (unix seconds). */
export function customerReport(item: OnboardingItem): CustomerReport | undefined {
    const recordedAt = seconds(item.recordedAt ?? item.receivedAt);
    if (recordedAt === undefined) return undefined;
    return {
        environment: item.environment,
        customer: item.customerId,
        state: item.state,
        recordedAt,
        ...(item.purchasedAt ? { purchasedAt: seconds(item.purchasedAt) } : {}),
        ...(item.onboardedAt ? { liveAt: seconds(item.onboardedAt) } : {}),
    };
}

export async function reportCustomer(io: MetricsIo, tool: string, item: OnboardingItem): Promise<void> {
    const report = customerReport(item);
    if (!report) return;
    try {
        await pushCustomerReport(pushTargetFromEnv(io.env), report);
    } catch (err) {
        io.stderr(`${tool}: warning: metrics of ${item.customerId} not pushed: ${(err as Error).message}\n`);
    }
}

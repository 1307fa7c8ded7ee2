import { strict as assert } from "node:assert";
import { ONBOARDING_STATES as INTAKE_STATES } from "../../../../components/model/onboarding";
import {
    histogramFamily,
    ONBOARDING_STATES,
    ONBOARDING_DURATION_BUCKETS,
    pipelineSeriesNames,
    renderCustomerMetrics,
    renderExposition,
    renderStepMetrics,
} from "../../../../components/model/monitoring/pipeline-metrics";

describe("pipeline metrics (text exposition)", () => {
    it("renders a step report: every outcome (0 when missing), retries, dead letters", () => {
        assert.equal(
            renderStepMetrics({ environment: "prod", step: "intake", events: { succeeded: 12, failed: 1 }, retries: 3, deadLetters: 2 }),
            [
                "# HELP sas_onboarding_events_total Units of work each pipeline step finished, by outcome (cumulative since the step's store was created).",
                "# TYPE sas_onboarding_events_total counter",
                'sas_onboarding_events_total{environment="prod",step="intake",outcome="succeeded"} 12',
                'sas_onboarding_events_total{environment="prod",step="intake",outcome="failed"} 1',
                'sas_onboarding_events_total{environment="prod",step="intake",outcome="rejected"} 0',
                'sas_onboarding_events_total{environment="prod",step="intake",outcome="dead_lettered"} 0',
                "# HELP sas_onboarding_retries_total Retries each pipeline step made (cumulative).",
                "# TYPE sas_onboarding_retries_total counter",
                'sas_onboarding_retries_total{environment="prod",step="intake"} 3',
                "# HELP sas_onboarding_dead_letters Messages waiting in the intake's dead-letter queue.",
                "# TYPE sas_onboarding_dead_letters gauge",
                'sas_onboarding_dead_letters{environment="prod"} 2',
                "",
            ].join("\n"),
        );
    });

    it("renders the deploy's last success, and only the deploy step may report it", () => {
        assert.match(renderStepMetrics({ environment: "dev", step: "deploy", deployedAt: 1_700_000_000 }), /^sas_deploy_last_success_timestamp_seconds\{environment="dev"\} 1700000000$/m);
        assert.throws(() => renderStepMetrics({ environment: "dev", step: "verify", deployedAt: 1 }), /deploy step's to report/);
        assert.throws(() => renderStepMetrics({ environment: "dev", step: "deploy", deadLetters: 1 }), /intake's to report/);
    });

    it("renders a customer report: the state enum, recorded time, verify time and the purchase-to-live histogram", () => {
        const text = renderCustomerMetrics({ environment: "prod", customer: "acme", state: "live", recordedAt: 1000, liveAt: 1420, verifiedAt: 1500 });
        const line = (re: RegExp) => assert.match(text, re);
        line(/^sas_onboarding_state\{environment="prod",customer="acme",state="live"\} 1$/m);
        line(/^sas_onboarding_state\{environment="prod",customer="acme",state="recorded"\} 0$/m);
        assert.equal(text.match(/^sas_onboarding_state\{/gm)?.length, 5);
        line(/^sas_onboarding_recorded_timestamp_seconds\{environment="prod",customer="acme"\} 1000$/m);
        line(/^sas_verify_last_success_timestamp_seconds\{environment="prod",customer="acme"\} 1500$/m);
        // 420 s: above the 300 bucket, inside 600.
        line(/^sas_onboarding_duration_seconds_bucket\{environment="prod",customer="acme",le="300"\} 0$/m);
        line(/^sas_onboarding_duration_seconds_bucket\{environment="prod",customer="acme",le="600"\} 1$/m);
        line(/^sas_onboarding_duration_seconds_bucket\{environment="prod",customer="acme",le="\+Inf"\} 1$/m);
        line(/^sas_onboarding_duration_seconds_sum\{environment="prod",customer="acme"\} 420$/m);
        line(/^sas_onboarding_duration_seconds_count\{environment="prod",customer="acme"\} 1$/m);
        assert.equal(text.match(/_bucket\{/g)?.length, ONBOARDING_DURATION_BUCKETS.length + 1);
        const early = renderCustomerMetrics({ environment: "prod", customer: "acme", state: "recorded", recordedAt: 1000 });
        assert.doesNotMatch(early, /sas_onboarding_duration_seconds|sas_verify_last_success/);
    });

    it("escapes label values and help text as the format requires", () => {
        const text = renderExposition([{ name: "x", type: "gauge", help: "a\\b\nc", samples: [{ labels: { l: 'q"\\\n' }, value: NaN }] }]);
        assert.equal(text, '# HELP x a\\\\b\\nc\n# TYPE x gauge\nx{l="q\\"\\\\\\n"} NaN\n');
    });

    it("refuses what Prometheus would refuse or misread", () => {
        assert.throws(() => renderStepMetrics({ environment: "p", step: "intake", retries: -1 }), /whole number/);
        assert.throws(() => renderStepMetrics({ environment: "p", step: "intake", events: { succeeded: 1.5 } }), /whole number/);
        assert.throws(() => renderCustomerMetrics({ environment: "p", customer: "a", state: "live", recordedAt: Date.now() }), /Unix seconds/);
        assert.throws(() => renderCustomerMetrics({ environment: "p", customer: "a", state: "live", recordedAt: 100, liveAt: 50 }), /before the purchase/);
        assert.throws(() => renderCustomerMetrics({ environment: "p", customer: "a", state: "gone" as "live", recordedAt: 1 }), /unknown onboarding state/);
        assert.throws(() => renderExposition([{ name: "bad-name", type: "gauge", help: "", samples: [] }]), /invalid metric name/);
        assert.throws(() => renderExposition([{ name: "x", type: "gauge", help: "", samples: [{ labels: { __x: "1" }, value: 1 }] }]), /invalid label name/);
        assert.throws(() => histogramFamily({ name: "h", help: "" }, {}, [1], [2, 1]), /increase strictly/);
    });

    it("reports the intake's own onboarding states (components/model/onboarding.ts)", () => {
        assert.deepEqual([...ONBOARDING_STATES], [...INTAKE_STATES]);
    });

    it("measures from the purchase when given, else from the recording", () => {
        const text = renderCustomerMetrics({ environment: "p", customer: "a", state: "live", purchasedAt: 100, recordedAt: 160, liveAt: 400 });
        assert.match(text, /^sas_onboarding_duration_seconds_sum\{environment="p",customer="a"\} 300$/m);
    });

    it("lists every series name, histogram suffixes included", () => {
        const names = pipelineSeriesNames();
        for (const n of ["sas_onboarding_events_total", "sas_onboarding_duration_seconds_bucket", "sas_onboarding_state", "sas_onboarding_dead_letters", "sas_verify_last_success_timestamp_seconds", "sas_deploy_last_success_timestamp_seconds"]) {
            assert.ok(names.includes(n), n);
        }
        assert.ok(!names.includes("sas_onboarding_duration_seconds"));
    });
});

import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
    customerDeleteRequest,
    customerPushRequest,
    deleteCustomerReport,
    groupUrl,
    pushCustomerReport,
    pushStepReport,
    pushTargetFromEnv,
    stepPushRequest,
} from "../../../../components/model/monitoring/pushgateway";

describe("pushgateway writer", () => {
    it("builds group URLs, base64-encoding values the path cannot carry", () => {
        assert.equal(groupUrl("http://pg:9091/", { job: "sas-onboarding", environment: "prod", step: "intake" }), "http://pg:9091/metrics/job/sas-onboarding/environment/prod/step/intake");
        assert.equal(groupUrl("http://pg:9091", { job: "j", path: "a/b", empty: "" }), "http://pg:9091/metrics/job/j/path@base64/YS9i/empty@base64/=");
        assert.throws(() => groupUrl("http://pg", { job: "" }), /needs a job/);
    });

    it("a step replaces its own group (PUT); a customer's group is merged (POST) and deleted on removal", () => {
        const step = stepPushRequest("http://pg:9091", { environment: "dev", step: "deploy", deployedAt: 5 });
        assert.equal(step.method, "PUT");
        assert.equal(step.url, "http://pg:9091/metrics/job/sas-onboarding/environment/dev/step/deploy");
        assert.equal(step.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
        assert.match(step.body!, /sas_deploy_last_success_timestamp_seconds\{environment="dev"\} 5/);
        const cust = customerPushRequest("http://pg:9091", { environment: "dev", customer: "acme", state: "deployed", recordedAt: 1 });
        assert.equal(cust.method, "POST");
        assert.equal(cust.url, "http://pg:9091/metrics/job/sas-onboarding/environment/dev/customer/acme");
        assert.equal(customerDeleteRequest("http://pg:9091", { environment: "dev", customer: "acme" }).method, "DELETE");
    });

    it("reads SAS_PUSHGATEWAY_URL; unset means no push", async () => {
        assert.equal(pushTargetFromEnv({}), undefined);
        assert.equal(pushTargetFromEnv({ SAS_PUSHGATEWAY_URL: " " }), undefined);
        assert.deepEqual(pushTargetFromEnv({ SAS_PUSHGATEWAY_URL: "http://pg:9091" }), { url: "http://pg:9091" });
        assert.throws(() => pushTargetFromEnv({ SAS_PUSHGATEWAY_URL: "pg:9091" }), /http\(s\) URL/);
        assert.equal(await pushStepReport(undefined, { environment: "dev", step: "intake", retries: 0 }), false);
    });

    it("sends over real HTTP and reports the gateway's refusal with its message", async () => {
        const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d) => (body += d));
            req.on("end", () => {
                seen.push({ method: req.method, url: req.url, type: req.headers["content-type"], body });
                if (req.url?.includes("/customer/broken")) {
                    res.writeHead(400);
                    res.end("pushed metrics are invalid or inconsistent with existing metrics\n");
                } else {
                    res.writeHead(req.method === "DELETE" ? 202 : 200);
                    res.end();
                }
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const target = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
        try {
            assert.equal(await pushStepReport(target, { environment: "dev", step: "intake", events: { succeeded: 1 }, deadLetters: 0 }), true);
            assert.equal(await pushCustomerReport(target, { environment: "dev", customer: "acme", state: "live", recordedAt: 10, liveAt: 70, verifiedAt: 80 }), true);
            assert.equal(await deleteCustomerReport(target, { environment: "dev", customer: "gone" }), true);
            await assert.rejects(
                pushCustomerReport(target, { environment: "dev", customer: "broken", state: "live", recordedAt: 1 }),
                /Pushgateway POST http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/sas-onboarding\/environment\/dev\/customer\/broken answered 400: pushed metrics are invalid/,
            );
            assert.deepEqual(
                seen.map((r) => `${r.method} ${r.url}`),
                [
                    "PUT /metrics/job/sas-onboarding/environment/dev/step/intake",
                    "POST /metrics/job/sas-onboarding/environment/dev/customer/acme",
                    "DELETE /metrics/job/sas-onboarding/environment/dev/customer/gone",
                    "POST /metrics/job/sas-onboarding/environment/dev/customer/broken",
                ],
            );
            assert.match(seen[1].body, /sas_onboarding_duration_seconds_bucket\{environment="dev",customer="acme",le="60"\} 1/);
            assert.equal(seen[0].type, "text/plain; version=0.0.4; charset=utf-8");
        } finally {
            server.close();
        }
    });
});

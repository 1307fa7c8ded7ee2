// The pipeline's metrics reach a real HTTP server standing in for the Pushgateway (the same PUT a Pushgateway takes),
// with the counts of the run; an unreachable Pushgateway is a warning, never a failed step.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { intake } from "./helpers";

interface Received {
    method: string;
    url: string;
    body: string;
}

describe("pipeline metrics: intake pushes its counts to the Pushgateway", function () {
    this.timeout(60_000);
    let server: http.Server;
    let url: string;
    const received: Received[] = [];
    let dir: string;

    before(async () => {
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c: Buffer) => (body += c.toString()));
            req.on("end", () => {
                received.push({ method: req.method ?? "", url: req.url ?? "", body });
                res.writeHead(200).end();
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sas-metrics-"));
        fs.mkdirSync(path.join(dir, "customers"));
    });
    after(async () => {
        await new Promise((r) => server.close(r));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("one PUT to the intake step's group with the run's outcomes", async () => {
        const events = path.join(dir, "events.json");
        fs.writeFileSync(events, JSON.stringify([
            { purchaseId: "PO-MET-0001", companyName: "Metric One", motto: "Counted", tier: "starter", contactEmail: "one@metrics.example.com", occurredAt: "2026-11-01T10:00:00Z" },
            { purchaseId: "PO-MET-0002", companyName: "Metric Two", motto: "Counted too", tier: "business", contactEmail: "two@metrics.example.com", occurredAt: "2026-11-01T10:01:00Z" },
            { purchaseId: "PO-MET-0003", companyName: "", motto: "Refused", tier: "starter", contactEmail: "three@metrics.example.com", occurredAt: "2026-11-01T10:02:00Z" },
        ]));
        const run = await intake([events, "--no-registry", "--customers-dir", path.join(dir, "customers")], { cwd: dir, env: { SAS_PUSHGATEWAY_URL: url } });
        assert.equal(run.code, 1, run.stderr);
        assert.equal(received.length, 1);
        assert.equal(received[0].method, "PUT");
        assert.equal(received[0].url, "/metrics/job/sas-onboarding/environment/prod/step/intake");
        assert.match(received[0].body, /sas_onboarding_events_total\{[^}]*outcome="succeeded"[^}]*\} 2\n/);
        assert.match(received[0].body, /sas_onboarding_events_total\{[^}]*outcome="rejected"[^}]*\} 1\n/);
    });

    it("an unreachable Pushgateway is a warning; the step's own exit code stands", async () => {
        const events = path.join(dir, "one.json");
        fs.writeFileSync(events, JSON.stringify([{ purchaseId: "PO-MET-0004", companyName: "Metric Four", motto: "Still fine", tier: "starter", contactEmail: "four@metrics.example.com", occurredAt: "2026-11-01T10:03:00Z" }]));
        const run = await intake([events, "--no-registry", "--customers-dir", path.join(dir, "customers")], { cwd: dir, env: { SAS_PUSHGATEWAY_URL: "http://127.0.0.1:9" } });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /intake: warning: pipeline metrics not pushed/);
    });
});

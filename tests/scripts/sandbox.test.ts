// The sandbox runner's own choices, without starting anything: its arguments, which nodes it runs, and the URL it
// prints for a customer (the engine, the cluster and the request path are proved in tests/engine and tests/path).
import { strict as assert } from "node:assert";
import { chooseNodes, parseSandboxArgs, throughController } from "../../scripts/sandbox";
import { SandboxError } from "../../scripts/sandbox/engine";

describe("npm run sandbox: arguments, nodes, printed URLs", () => {
    it("reads a verb, a customers directory and the nodes; up is the default verb", () => {
        assert.deepEqual(parseSandboxArgs([]), { verb: "up" });
        assert.deepEqual(parseSandboxArgs(["destroy", "--customers-dir", "x", "--nodes", "simulated"]), { verb: "destroy", customersDir: "x", nodes: "simulated" });
    });

    it("refuses an unknown argument or node kind in one line that shows the usage", () => {
        assert.throws(() => parseSandboxArgs(["--node", "real"]), (e: Error) => e instanceof SandboxError && /unknown argument "--node".*--nodes real\|simulated/.test(e.message));
        assert.throws(() => parseSandboxArgs(["--nodes", "kind"]), (e: Error) => e instanceof SandboxError && /--nodes: "real" or "simulated", not "kind"/.test(e.message));
        assert.throws(() => parseSandboxArgs(["--nodes"]), (e: Error) => e instanceof SandboxError && /not ""/.test(e.message));
    });

    it("runs a real node where the machine can, else simulated nodes, said once and loudly", () => {
        const said: string[] = [];
        assert.equal(chooseNodes(undefined, undefined, (l) => said.push(l)), "real");
        assert.equal(said.length, 0);
        assert.equal(chooseNodes(undefined, "a real node needs root", (l) => said.push(l)), "simulated");
        assert.equal(said.length, 1);
        assert.match(said[0], /^NOTE: simulated \(kwok\) nodes: a real node needs root; .*no page is served/);
        assert.equal(chooseNodes("simulated", undefined, () => assert.fail("nothing to say")), "simulated");
    });

    it("fails at once when a real node is asked for and cannot run, with the reason", () => {
        assert.throws(() => chooseNodes("real", "a real node needs the Debian packages runc", () => undefined), /^SandboxError: --nodes real: a real node needs the Debian packages runc$/);
    });

    it("prints each customer's URL as this machine reaches it: http, Traefik's port, the same host", () => {
        assert.equal(throughController("https://acme-rockets.sas.localhost", 38053), "http://acme-rockets.sas.localhost:38053/");
        assert.equal(throughController("http://nile-analytics.sas.localhost/", 8080), "http://nile-analytics.sas.localhost:8080/");
    });
});

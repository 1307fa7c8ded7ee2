// Fast first gate, before any API server: every rendered object validates against the Kubernetes OpenAPI
// JSON schema shipped in kubernetes-models. Catches type and shape mistakes in seconds; the API server tier
// (control-plane.test.ts) then proves what only a server can (defaulting, admission, unknown fields).
import { strict as assert } from "node:assert";
import type { KubeObject } from "../harness/realparts/kube-client";
import { describeObject } from "../harness/realparts/kube-client";
import { STACKS, renderStack } from "../support/rendered";

interface Validatable {
    validate(): void;
}
type ModelCtor = new (data: unknown) => Validatable;

/** kubernetes-models lays models out as <group>/<version>/<Kind> ("v1/<Kind>" for the core group). */
function modelFor(apiVersion: string, kind: string): ModelCtor | undefined {
    if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
        return mod[kind] as ModelCtor | undefined;
    } catch {
        return undefined;
    }
}

/** One line per problem: "<Kind> <ns>/<name>: <instancePath> <message>". Empty when the object is valid. */
export function schemaProblems(obj: KubeObject): string[] {
    const Model = modelFor(obj.apiVersion, obj.kind);
    if (!Model) return [`${describeObject(obj)}: kubernetes-models 4.x has no schema for ${obj.apiVersion} ${obj.kind}`];
    try {
        new Model(obj).validate();
        return [];
    } catch (err) {
        const errors = (err as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
        if (!errors?.length) return [`${describeObject(obj)}: ${(err as Error).message}`];
        return errors.map((e) => `${describeObject(obj)}: ${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    }
}

describe("real parts: kubernetes-models JSON-schema gate", function () {
    this.timeout(300_000);

    it("rejects a malformed object, so the gate can fail", function () {
        const bad = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "welcome", namespace: "cust-x" },
            spec: { replicas: "two", selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ image: "nginx" }] } } },
        } as unknown as KubeObject;
        const problems = schemaProblems(bad);
        assert.ok(problems.some((p) => p.includes("/spec/replicas") && p.includes("integer")), problems.join("\n"));
        assert.ok(problems.some((p) => p.includes("name")), `a container without a name must be reported:\n${problems.join("\n")}`);
        assert.deepEqual(schemaProblems({ ...bad, kind: "Deploymnet" }), [
            "Deploymnet cust-x/welcome: kubernetes-models 4.x has no schema for apps/v1 Deploymnet",
        ]);
    });

    for (const stack of STACKS) {
        it(`${stack}: every rendered object in out/${stack}/objects.json matches its Kubernetes schema`, async function () {
            const { objects } = await renderStack(stack);
            const problems = objects.flatMap(schemaProblems);
            assert.deepEqual(problems, [], `out/${stack}/objects.json has schema errors:\n${problems.join("\n")}`);
        });
    }
});

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseStackSettings } from "../../stacks/load";
import { certManagerSchema, ingressControllerSchema, registrySchema, rbacSchema, stackSettingsSchema, tenancySchema } from "../../stacks/settings";
import { PROJECT, PROJECT_ROOT } from "../../components/model/project";

const minimal = () => ({
    baseDomain: "dev.sas.example.com",
    kubernetes: { mode: "existing" },
    aws: { region: "eu-west-1" },
    image: { repository: "docker.io/nginxinc/nginx-unprivileged", tag: "1.28.0-alpine" },
});

/**
 * Replaces the default of one inner field for the duration of `run`. zod reads a default when it parses, so a section
 * parsed from {} (prefault) sees the new value; a section whose outer default restated the inner values would not.
 */
function withDefault(field: unknown, value: unknown, run: () => void): void {
    const def = (field as { _zod: { def: { type: string } } })._zod.def;
    assert.equal(def.type, "default", "the field must carry its own .default()");
    const original = Object.getOwnPropertyDescriptor(def, "defaultValue");
    Object.defineProperty(def, "defaultValue", { get: () => value, configurable: true });
    try {
        run();
    } finally {
        if (original) Object.defineProperty(def, "defaultValue", original);
    }
}

describe("stack settings: defaults written once", () => {
    const cases: [string, unknown, string[], unknown][] = [
        ["tenancy", tenancySchema.shape.podSecurityVersion, ["tenancy", "podSecurityVersion"], "v1.99"],
        ["rbac", rbacSchema.shape.supportGroup, ["rbac", "supportGroup"], "sas:other-support"],
        ["ingressController", ingressControllerSchema.shape.replicas, ["ingressController", "replicas"], 7],
        ["certManager", certManagerSchema.shape.chartVersion, ["certManager", "chartVersion"], "v9.9.9"],
        ["registry", registrySchema.shape.keyDeletionWindowDays, ["registry", "keyDeletionWindowDays"], 21],
    ];
    for (const [section, field, at, value] of cases) {
        it(`a stack that omits ${section} gets the changed inner default of ${at.join(".")}`, () => {
            const read = () => at.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], parseStackSettings("dev", minimal()));
            const before = read();
            assert.notEqual(before, value);
            withDefault(field, value, () => assert.equal(read(), value));
            assert.equal(read(), before);
        });
    }

    it("no section restates its fields' defaults: an omitted section equals the section parsed from {}", () => {
        const s = parseStackSettings("dev", minimal());
        assert.deepEqual(s.tenancy, tenancySchema.parse({}));
        assert.deepEqual(s.rbac, rbacSchema.parse({}));
        assert.deepEqual(s.registry, registrySchema.parse({}));
        assert.deepEqual(s.ingressController, ingressControllerSchema.parse({}));
        assert.deepEqual(s.certManager, certManagerSchema.parse({}));
        assert.ok(Object.keys(stackSettingsSchema.shape).length > 10);
    });
});

describe("project facts", () => {
    it("PROJECT is the name in Pulumi.yaml, and PROJECT_ROOT holds it", () => {
        const doc = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { name: string };
        assert.equal(doc.name, PROJECT);
    });
});

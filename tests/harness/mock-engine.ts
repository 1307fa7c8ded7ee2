import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../components/model/project";

/**
 * Runs the real program under Pulumi's own mock engine (`pulumi.runtime.setMocks`) and records every registration as
 * the engine would see it: type, name, URN, inputs, parent, provider, protect and dependencies. Shared by
 * `npm run render`, the tests and the benchmark, because setMocks is process-global.
 */

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    /** The resource's inputs after the SDK resolved them (what a provider would receive). */
    inputs: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    custom: boolean;
    /** Dotted paths of inputs that were marked secret (their values are unwrapped in `inputs`). */
    secretPaths: string[];
    parent?: string;
    provider?: string;
    protect: boolean;
    dependsOn: string[];
}

export interface EngineRun<T> {
    resources: RecordedResource[];
    result: T;
    /** Fully qualified names of the stacks the program read through a StackReference, in order. */
    stackReferences: string[];
}

/** A referenced stack's outputs as the engine hands them to a StackReference. */
export interface ReferencedStack {
    outputs: Record<string, unknown>;
    secretOutputNames: string[];
}

export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** Outputs the mock engine invents for a resource, per type; in preview mode nothing computed is known. */
export type OutputFaker = (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;

export interface EngineOptions {
    stack: string;
    preview: boolean;
    /** Config as the CLI would pass it: namespaced keys, string values. */
    config: Record<string, string>;
    fakeOutputs?: OutputFaker;
    /** Results for provider functions (invokes), by token. */
    invokes?: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
    /** Stacks a StackReference may read, by fully qualified name; reading any other fails, as with a missing stack. */
    stackReferences?: Record<string, ReferencedStack>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the monitor and its protobuf requests are untyped SDK internals */
interface MonitorRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getProtect(): boolean;
    getCustom(): boolean;
    getDependenciesList(): string[];
}

let running = false;

/** The SDK's wire marker for a secret value: `{ [SECRET_SIG]: <sig>, value }`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Replaces secret wrappers by their values, noting where they were. */
function unwrapSecrets(value: any, at: string, found: string[]): any {
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}${at ? "." : ""}${i}`, found));
    if (value === null || typeof value !== "object") return value;
    if (SECRET_SIG in value) {
        found.push(at);
        return unwrapSecrets(value.value, at, found);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, `${at}${at ? "." : ""}${k}`, found)]));
}

export async function runUnderMocks<T>(opts: EngineOptions, program: () => T | Promise<T>): Promise<EngineRun<T>> {
    if (running) throw new Error("runUnderMocks: one program at a time (the mock engine is process-global)");
    running = true;
    try {
        const recorded: RecordedResource[] = [];
        const references: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource(args: pulumi.runtime.MockResourceArgs) {
                    if (args.type === STACK_REFERENCE_TYPE) {
                        // A read, in preview as in update: the engine answers with the referenced stack's last outputs.
                        const name = String(args.inputs.name);
                        const referenced = opts.stackReferences?.[name];
                        if (!referenced) throw new Error(`mock engine: no stack ${name} to reference (known: ${Object.keys(opts.stackReferences ?? {}).join(", ") || "none"})`);
                        references.push(name);
                        return { id: name, state: { name, outputs: referenced.outputs, secretOutputNames: referenced.secretOutputNames } };
                    }
                    const faked = !opts.preview && opts.fakeOutputs ? opts.fakeOutputs(args.type, args.name, args.inputs) : {};
                    return {
                        // Preview: no id, no computed outputs, exactly as the engine reports unknowns.
                        id: opts.preview ? undefined : `${args.name}-id`,
                        state: { ...args.inputs, ...faked },
                    };
                },
                call(args: pulumi.runtime.MockCallArgs) {
                    const fn = opts.invokes?.[args.token];
                    if (!fn) throw new Error(`mock engine: no result for invoke ${args.token}`);
                    return fn(args.inputs);
                },
            },
            PROJECT,
            opts.stack,
            opts.preview,
        );
        pulumi.runtime.setAllConfig(opts.config);
        const monitor = (pulumi.runtime as any).getMonitor();
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: MonitorRequest & { getObject(): any }, callback: (err: unknown, resp?: any) => void) => {
            return register(req, (err: unknown, resp?: any) => {
                if (!err && resp) {
                    const secretPaths: string[] = [];
                    recorded.push({
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        inputs: unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()), "", secretPaths),
                        secretPaths,
                        custom: req.getCustom(),
                        parent: req.getParent() || undefined,
                        provider: req.getProvider() || undefined,
                        protect: req.getProtect(),
                        dependsOn: [...req.getDependenciesList()].sort(),
                    });
                }
                callback(err, resp);
            });
        };
        // waitForRPCs is marked @internal (absent from the .d.ts) but is how the SDK itself waits before exiting.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const waitForRPCs = (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs;
        let result: T;
        try {
            result = await program();
        } catch (e) {
            // Let anything already in flight land, then say how much reached the engine before the failure.
            await waitForRPCs();
            throw Object.assign(e as object, { registeredBeforeFailure: recorded.length });
        }
        await waitForRPCs();
        return { resources: recorded, result, stackReferences: references };
    } finally {
        running = false;
    }
}

// `npm run intake`: reads purchase events, decides (scripts/intake/decide.ts), then applies each decision: personal
// data to the registry's PII item, the onboarding state to `received`, the record file (atomically); rejected events
// become dead letters. Prints one JSON line per event and a summary.
import * as fs from "node:fs";
import * as path from "node:path";
import { deadLetterKey } from "../../components/model/onboarding";
import { redactEmails, redactRawEvent } from "../../components/model/purchase";
import { registryTableName } from "../../components/model/names";
import {
    markOnboarding,
    putPii,
    readOnboarding,
    recordDeadLetter,
    Registry,
    resolveDeadLetter,
    type RegistryOptions,
} from "../lib/registry-client";
import { defaultRetryPolicy, describe } from "../lib/retry";
import { IntakeUsageError, parseIntakeArgs, USAGE, type IntakeOptions } from "./args";
import { decide, type Decision } from "./decide";
import { eventsFromGithubEvent, GithubEventError } from "./github-event";
import { detectFormat, readEvents, type InputEvent } from "./parse";
import { materializePending, runPublish, type Runner } from "./publish";
import { scanRecords, writeFileAtomic } from "./records";
import { summaryTable } from "./report";
import { reportStep } from "../lib/metrics";

export interface IntakeIo {
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
    /** Working directory for relative paths (default: process.cwd()). */
    cwd?: string;
    readStdin?(): string;
    now?(): number;
    registryOptions?: RegistryOptions;
    /** Runs git / gh (publish, pending); default: the real binaries. */
    run?: Runner;
}

export interface IntakeLine {
    purchaseId: string | null;
    outcome: Decision["outcome"];
    id: string | null;
    file: string | null;
    reason: string;
    row: string;
}

export function lineOf(d: Decision): IntakeLine {
    return {
        purchaseId: d.purchaseId ?? null,
        outcome: d.outcome,
        id: d.id ?? null,
        file: d.file ?? null,
        // Reasons never contain a field's value; the redaction is for hostile field *names* shaped like addresses.
        reason: redactEmails(d.reason),
        row: d.input.row,
    };
}

function connectRegistry(opts: IntakeOptions, io: IntakeIo, now: () => number): Registry {
    return Registry.connect(
        { endpoint: opts.registryEndpoint, region: opts.region, table: opts.table ?? registryTableName(opts.environment) },
        {
            retryPolicy: () => defaultRetryPolicy(now(), opts.deadlineSeconds * 1000),
            onRetry: (what, attempt, err, wait) => io.stderr(`intake: registry ${what}: attempt ${attempt} failed (${describe(err)}); retrying in ${wait} ms\n`),
            ...io.registryOptions,
        },
        io.env,
    );
}

function readInputs(opts: IntakeOptions, io: IntakeIo, cwd: string): { inputs: InputEvent[]; contactOptional: boolean } {
    if (opts.githubEvent !== undefined) {
        const src = eventsFromGithubEvent(fs.readFileSync(path.resolve(cwd, opts.githubEvent), "utf8"), cwd);
        return { inputs: readEvents(src.text, opts.format ?? src.format, src.source), contactOptional: src.contactOptional === true };
    }
    const inputs = opts.files.flatMap((file) => {
        const text = file === "-" ? (io.readStdin ?? (() => fs.readFileSync(0, "utf8")))() : fs.readFileSync(path.resolve(cwd, file), "utf8");
        const name = file === "-" ? "stdin" : file;
        return readEvents(text, opts.format ?? detectFormat(name, text), name);
    });
    return { inputs, contactOptional: false };
}

/** Exit codes: 0 nothing rejected, 1 an event was rejected (or could not be completed), 2 bad arguments or input files. */
export async function runIntake(argv: readonly string[], io: IntakeIo): Promise<number> {
    const cwd = io.cwd ?? process.cwd();
    const now = io.now ?? Date.now;
    let opts: IntakeOptions;
    let inputs: InputEvent[];
    let contactOptional = false;
    try {
        opts = parseIntakeArgs(argv);
        if (opts.help) {
            io.stdout(USAGE);
            return 0;
        }
        if (opts.command === "publish") return await runPublish(opts, { ...io, cwd, now, connect: () => connectRegistry(opts, io, now) });
        if (opts.command === "pending") return await materializePending(opts, { ...io, cwd });
        ({ inputs, contactOptional } = readInputs(opts, io, cwd));
    } catch (err) {
        io.stderr(`intake: ${(err as Error).message}\n`);
        if (!(err instanceof IntakeUsageError) && !(err instanceof GithubEventError)) io.stderr("intake: nothing was read or written.\n");
        return 2;
    }

    const customersDir = path.resolve(cwd, opts.customersDir);
    const snapshot = scanRecords(customersDir, opts.customersDir);
    for (const w of snapshot.warnings) io.stderr(`intake: warning: ${w}\n`);
    const at = new Date(now()).toISOString();

    const useRegistry = !opts.noRegistry && !opts.dryRun;
    let registry: Registry | undefined;
    let registryDown: string | undefined;
    const appliedEventAt = new Map<string, string>();
    if (useRegistry) {
        try {
            registry = connectRegistry(opts, io, now);
            // The event applied last per known customer, so an older event arriving late is not applied over it.
            for (const input of inputs) {
                const pid = (input.raw as { purchaseId?: unknown } | undefined)?.purchaseId;
                const existing = typeof pid === "string" ? snapshot.byPurchase.get(pid) : undefined;
                if (!existing || appliedEventAt.has(existing.id)) continue;
                const state = await readOnboarding(registry, existing.id, opts.environment);
                if (state?.eventAt) appliedEventAt.set(existing.id, state.eventAt);
            }
        } catch (err) {
            registryDown = describe(err);
            io.stderr(`intake: registry unavailable: ${registryDown}\n`);
        }
    }

    const decisions = decide(inputs, snapshot, { displayDir: opts.customersDir, appliedEventAt, contactOptional });

    let droppedPii = 0;
    for (const d of decisions) {
        if (opts.dryRun) continue;
        if (d.outcome !== "rejected" && registryDown !== undefined) {
            d.outcome = "rejected";
            d.reason = `${d.input.row}: not processed: registry unavailable (${registryDown}); nothing written, run again`;
        }
        if (d.outcome === "rejected") {
            if (registry && registryDown === undefined) await keepDeadLetter(registry, d, at);
            continue;
        }
        if (d.stale) continue; // an older event: neither its file content nor its contact details are applied
        try {
            await applyAccepted(d, { opts, registry, customersDir, at });
            if (!registry && d.event?.contactEmail !== undefined) droppedPii++;
        } catch (err) {
            d.outcome = "rejected";
            d.reason = `${d.input.row}: not completed: ${describe(err)}; run again (it resumes)`;
            if (registry) await keepDeadLetter(registry, d, at);
        }
    }
    registry?.destroy();

    for (const d of decisions) io.stdout(`${JSON.stringify(lineOf(d))}\n`);
    if (droppedPii > 0) {
        io.stderr(`intake: warning: --no-registry: contactEmail of ${droppedPii} event(s) dropped; personal data is kept only in the registry, never in ${opts.customersDir}/\n`);
    }
    io.stderr(summaryTable(decisions.map(lineOf), { dryRun: opts.dryRun }));
    if (!opts.dryRun) {
        const rejected = decisions.filter((d) => d.outcome === "rejected").length;
        await reportStep(io, "intake", {
            environment: opts.environment,
            step: "intake",
            events: { succeeded: decisions.length - rejected, rejected, dead_lettered: registry && registryDown === undefined ? rejected : 0 },
        });
    }
    return decisions.some((d) => d.outcome === "rejected") ? 1 : 0;
}

async function applyAccepted(d: Decision, ctx: { opts: IntakeOptions; registry?: Registry; customersDir: string; at: string }): Promise<void> {
    const { registry, at } = ctx;
    const event = d.event!;
    const id = d.id!;
    if (registry) {
        const pii = event.contactEmail === undefined
            ? "unchanged"
            : await putPii(registry, {
                  customerId: id,
                  purchaseId: event.purchaseId,
                  contactEmail: event.contactEmail,
                  updatedAt: at,
                  occurredAt: new Date(event.occurredAt).toISOString(),
              });
        if (pii === "written" && d.outcome === "unchanged") {
            d.outcome = "updated";
            d.reason = "contact details stored in the registry (the record file is unchanged)";
        } else if (pii === "stale") {
            d.reason += "; contact details kept: the registry has them from a newer event";
        }
        // New content (created, updated) starts the onboarding at received. An unchanged record claims nothing: its
        // state, if any, is whatever the later steps recorded (a record that was on main before intake has none).
        if (d.restart) {
            const res = await markOnboarding(registry, id, ctx.opts.environment, {
                state: "received",
                at,
                restart: true,
                purchaseId: event.purchaseId,
                occurredAt: event.occurredAt,
            });
            if (res.outcome === "refused") d.reason += `; onboarding state kept (${res.reason})`;
        }
    }
    if (d.text !== undefined && (d.outcome === "created" || d.outcome === "updated")) {
        writeFileAtomic(path.join(ctx.customersDir, `${id}.yaml`), d.text);
    }
    if (registry) await resolveDeadLetter(registry, deadLetterKey(event.purchaseId, d.input.rawText), at);
}

async function keepDeadLetter(registry: Registry, d: Decision, at: string): Promise<void> {
    try {
        const raw = JSON.stringify(redactRawEvent(d.input.raw ?? d.input.rawText)) ?? "null";
        await recordDeadLetter(registry, {
            key: deadLetterKey(d.purchaseId, d.input.rawText),
            ...(d.purchaseId ? { purchaseId: d.purchaseId } : {}),
            source: d.input.row,
            reason: redactEmails(d.reason).slice(0, 4000),
            raw,
            at,
        });
    } catch (err) {
        d.reason += ` (dead letter not stored: ${describe(err)})`;
    }
}

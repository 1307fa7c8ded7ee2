// What each event becomes, decided before anything is written: created, updated, unchanged or rejected, with the id,
// the file text and a reason. Pure over a snapshot of customers/ (and, when there is a registry, the time of the event
// applied last per customer), so `--dry-run` prints exactly what a real run would do.
import type { Customer } from "../../components/model/customer";
import {
    baseId,
    companyKey,
    parsePurchaseEvent,
    recordFromEvent,
    resolveId,
    sameRecord,
    validPurchaseId,
    type EventProblem,
    type PurchaseEvent,
} from "../../components/model/purchase";
import type { InputEvent } from "./parse";
import { displayPath, renderRecord, type ExistingRecord, type RecordSnapshot } from "./records";

export type Outcome = "created" | "updated" | "unchanged" | "rejected";
export const OUTCOMES: readonly Outcome[] = ["created", "updated", "unchanged", "rejected"];

export interface Decision {
    input: InputEvent;
    outcome: Outcome;
    purchaseId?: string;
    id?: string;
    file?: string;
    reason: string;
    problems: EventProblem[];
    event?: PurchaseEvent;
    record?: Customer;
    /** The file's new text, for created and updated. */
    text?: string;
    /** created: a new customer; the onboarding starts (again) at received. */
    restart?: boolean;
    /** Older than the event applied last: reported, nothing applied. */
    stale?: boolean;
}

export interface DecideOptions {
    displayDir: string;
    /** occurredAt of the event applied last, per customer id (from the registry); absent without a registry. */
    appliedEventAt?: ReadonlyMap<string, string>;
    /** contactEmail may be absent (operator CSVs committed to the repository). */
    contactOptional?: boolean;
}

const formatProblems = (row: string, problems: readonly EventProblem[]) =>
    `${row}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; ")}`;

function changedFields(before: Customer, after: Customer): string[] {
    return (["companyName", "motto", "tier"] as const).filter((f) => before[f] !== after[f]);
}

export function decide(inputs: readonly InputEvent[], snapshot: RecordSnapshot, opts: DecideOptions): Decision[] {
    // Working copies: events earlier in the input claim ids and companies for the ones after them.
    const byPurchase = new Map(snapshot.byPurchase);
    const takenIds = new Map(snapshot.takenIds);
    const byCompany = new Map(snapshot.byCompany);
    const inBatch = new Map<string, { row: string; record: Customer; contactEmail?: string }>();
    const decisions: Decision[] = [];

    const reject = (input: InputEvent, problems: EventProblem[], purchaseId?: string): Decision => ({
        input,
        outcome: "rejected",
        ...(purchaseId ? { purchaseId } : {}),
        reason: formatProblems(input.row, problems),
        problems,
    });

    for (const input of inputs) {
        const purchaseIdGiven = validPurchaseId((input.raw as Record<string, unknown> | undefined)?.purchaseId);
        const parsed = input.raw === undefined ? { problems: [] as EventProblem[] } : parsePurchaseEvent(input.raw, { contactOptional: opts.contactOptional });
        const problems = [...input.problems, ...parsed.problems];
        if (problems.length > 0 || !parsed.event) {
            decisions.push(reject(input, problems.length ? problems : [{ field: "", message: "no event" }], purchaseIdGiven));
            continue;
        }
        const event = parsed.event;
        const pid = event.purchaseId;

        const earlier = inBatch.get(pid);
        if (earlier) {
            const existing = byPurchase.get(pid)!;
            const again = recordFromEvent(event, existing.id, existing.customer);
            if (sameRecord(again, earlier.record) && event.contactEmail === earlier.contactEmail) {
                decisions.push({ input, outcome: "unchanged", purchaseId: pid, id: existing.id, file: existing.file, reason: `same as ${earlier.row}`, problems: [], event, record: again });
            } else {
                decisions.push(reject(input, [{ field: "purchaseId", message: `also at ${earlier.row} with different content; send one event per purchase` }], pid));
            }
            continue;
        }

        const existing: ExistingRecord | undefined = byPurchase.get(pid);
        const key = companyKey(event.companyName);
        const sameCompany = byCompany.get(key);
        if (sameCompany && sameCompany.customer.purchaseId !== pid) {
            decisions.push(
                reject(input, [{
                    field: "companyName",
                    message: `the same company is already onboarded as "${sameCompany.id}" by purchase ${sameCompany.customer.purchaseId}; ` +
                        "a second purchase is not merged: update that record, or send a distinct company name",
                }], pid),
            );
            continue;
        }

        if (existing) {
            const record = recordFromEvent(event, existing.id, existing.customer);
            const notes: string[] = [];
            if (event.subdomain && event.subdomain !== existing.id) notes.push(`subdomain "${event.subdomain}" ignored: an onboarded customer keeps its id`);
            const applied = opts.appliedEventAt?.get(existing.id);
            inBatch.set(pid, { row: input.row, record, contactEmail: event.contactEmail });
            if (applied && Date.parse(event.occurredAt) < Date.parse(applied) && !sameRecord(record, existing.customer)) {
                decisions.push({
                    input, outcome: "unchanged", purchaseId: pid, id: existing.id, file: existing.file, problems: [], event, record: existing.customer, stale: true,
                    reason: `stale: an event from ${applied} was applied already; this one is from ${event.occurredAt}`,
                });
                inBatch.set(pid, { row: input.row, record: existing.customer, contactEmail: event.contactEmail });
                continue;
            }
            if (sameRecord(record, existing.customer)) {
                decisions.push({
                    input, outcome: "unchanged", purchaseId: pid, id: existing.id, file: existing.file, problems: [], event, record,
                    reason: ["already onboarded with the same content", ...notes].join("; "),
                });
                continue;
            }
            byCompany.set(key, { ...existing, customer: record });
            decisions.push({
                input, outcome: "updated", purchaseId: pid, id: existing.id, file: existing.file, problems: [], event, record,
                text: renderRecord(record), restart: true,
                reason: [`changed: ${changedFields(existing.customer, record).join(", ")}`, ...notes].join("; "),
            });
            continue;
        }

        const { base, source } = baseId(event);
        const resolved = resolveId(base, (id) => takenIds.get(id));
        const id = resolved.id;
        const record = recordFromEvent(event, id);
        const file = displayPath(opts.displayDir, id);
        const created: ExistingRecord = { id, file, customer: record };
        takenIds.set(id, `customer "${id}" (purchase ${pid}, ${input.row})`);
        byPurchase.set(pid, created);
        byCompany.set(key, created);
        inBatch.set(pid, { row: input.row, record, contactEmail: event.contactEmail });
        const from = source === "fallback" ? "id derived from purchaseId (companyName has no Latin letters)" : `id from ${source}`;
        decisions.push({
            input, outcome: "created", purchaseId: pid, id, file, problems: [], event, record, text: renderRecord(record), restart: true,
            reason: [`new customer, ${from}`, ...resolved.notes].join("; "),
        });
    }
    return decisions;
}

import { createHash } from "node:crypto";
import { z } from "zod";
import { customerIdSchema, customerSchema, RESERVED_ID_PREFIXES, RESERVED_IDS, tierSchema, type Customer } from "./customer";
import { requiredString } from "./text";

/**
 * A completed purchase from the storefront, and how it becomes a customer record. Pure: no I/O. The text fields take
 * their rules from the record schema itself (customerSchema's companyName, motto, purchaseId; tierSchema), so an event
 * the intake accepts is a record the loader accepts. The intake adds only what a record has no field for (contact
 * e-mail, purchase time, requested sub-domain) and one intake-only guard (spreadsheet formula triggers).
 */

/** One problem of one event: `field` is the event field ("" when the whole event is at fault). */
export interface EventProblem {
    field: string;
    message: string;
}

/**
 * Spreadsheet formula triggers (OWASP "CSV injection"): purchase exports are opened in spreadsheets, where a cell that
 * starts with one of these runs as a formula. Rejected, not neutralized: prefixing a quote would change the name shown
 * on the customer's page. Full-width forms are included because some spreadsheet locales treat them alike.
 */
const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"];

const noFormula = (s: string) => !FORMULA_TRIGGERS.some((t) => s.startsWith(t));
const formulaMessage = (label: string) => `${label} must not start with =, +, - or @ (a spreadsheet formula trigger)`;

/** RFC 5321 limits a path to 254 octets; the address syntax is zod's. The message never repeats the value. */
const contactEmailSchema = requiredString("contactEmail")
    .trim()
    .max(254, { error: "contactEmail must be at most 254 characters" })
    .pipe(z.email({ error: "contactEmail must be a valid e-mail address" }));

const occurredAtSchema = requiredString("occurredAt")
    .trim()
    .pipe(
        z.iso.datetime({
            offset: true,
            error: "occurredAt must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T12:00:00Z",
        }),
    );

/** Requested sub-domain: optional; an empty value (an empty CSV cell) means "none". Checked by `checkSubdomain`. */
const subdomainSchema = z
    .string({ error: "subdomain must be a string" })
    .max(200, { error: "subdomain must be at most 40 characters" })
    .transform((s) => s.normalize("NFC").trim().toLowerCase())
    .optional();

export const purchaseEventSchema = z.strictObject(
    {
        purchaseId: customerSchema.shape.purchaseId,
        companyName: customerSchema.shape.companyName.refine(noFormula, { error: formulaMessage("companyName") }),
        motto: customerSchema.shape.motto.refine(noFormula, { error: formulaMessage("motto") }),
        tier: tierSchema,
        contactEmail: contactEmailSchema,
        subdomain: subdomainSchema,
        occurredAt: occurredAtSchema,
    },
    { error: "a purchase event must be an object of fields" },
);

/**
 * The same event without contact data: for operator CSVs committed to the repository, which must never hold personal
 * data (the contact details come from the storefront's own event, or not at all).
 */
export const purchaseEventWithoutContactSchema = purchaseEventSchema.extend({ contactEmail: contactEmailSchema.optional() });

export type PurchaseEvent = Omit<z.infer<typeof purchaseEventSchema>, "subdomain" | "contactEmail"> & { subdomain?: string; contactEmail?: string };

/** The event fields, in the order documented (and used for CSV headers). */
export const PURCHASE_FIELDS = ["purchaseId", "companyName", "motto", "tier", "contactEmail", "subdomain", "occurredAt"] as const;
/** Fields that are personal data: they go to the registry's PII item only, never to git, logs or pull requests. */
export const PII_FIELDS: readonly string[] = ["contactEmail"];

const EMAIL_LIKE = /[^\s@"'<>,;:()[\]\\]+@[^\s@"'<>,;:()[\]\\]+/g;
export const REDACTED = "[redacted]";

/** Anything shaped like an e-mail address replaced: for any text that may echo input (field names, raw rows). */
export function redactEmails(text: string): string {
    return text.includes("@") ? text.replace(EMAIL_LIKE, REDACTED) : text;
}

/** A field name as it may be shown in a message: printable, at most 40 characters (hostile input has huge keys). */
export function showName(name: string): string {
    const printable = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name).slice(1, -1);
    return redactEmails(printable).replace(/[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A valid purchase id as given, else undefined (so an invalid one is never echoed). */
export function validPurchaseId(value: unknown): string | undefined {
    return customerSchema.shape.purchaseId.safeParse(value).success ? (value as string) : undefined;
}

function issueProblems(error: z.ZodError): EventProblem[] {
    return error.issues.flatMap((issue) => {
        const at = issue.path.map((p) => showName(String(p)));
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => ({ field: [...at, showName(key)].join("."), message: "unknown field" }));
        }
        return [{ field: at.join("."), message: issue.message }];
    });
}

/** The requested sub-domain's syntax problems; reserved names and collisions are not problems but resolved later. */
export function checkSubdomain(subdomain: string): EventProblem[] {
    if (isReserved(subdomain)) return [];
    const parsed = customerIdSchema.safeParse(subdomain);
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ field: "subdomain", message: i.message.replace(/^id /, "subdomain ") }));
}

/**
 * Validates and normalizes one event (NFC, trimmed). Every problem at once, each naming its field. `contactOptional`:
 * contactEmail may be absent (operator CSVs, see purchaseEventWithoutContactSchema).
 */
export function parsePurchaseEvent(raw: unknown, opts: { contactOptional?: boolean } = {}): { event?: PurchaseEvent; problems: EventProblem[] } {
    const parsed = (opts.contactOptional ? purchaseEventWithoutContactSchema : purchaseEventSchema).safeParse(raw);
    const problems = parsed.success ? [] : issueProblems(parsed.error);
    const subdomain = parsed.success ? parsed.data.subdomain : subdomainSchema.safeParse((raw as Record<string, unknown> | null)?.subdomain).data;
    if (subdomain) problems.push(...checkSubdomain(subdomain));
    if (!parsed.success || problems.length > 0) return { problems };
    const event: PurchaseEvent = { ...parsed.data };
    if (subdomain) event.subdomain = subdomain;
    else delete event.subdomain;
    return { event, problems: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Customer id derivation

/** Letters that Unicode decomposition does not reduce to ASCII, spelled the way German/Nordic/Polish/... write them. */
const TRANSLITERATION: Readonly<Record<string, string>> = {
    ß: "ss", ẞ: "ss", æ: "ae", Æ: "ae", œ: "oe", Œ: "oe", ø: "o", Ø: "o", ł: "l", Ł: "l", đ: "d", Đ: "d", ð: "d",
    Ð: "d", þ: "th", Þ: "th", ı: "i", ħ: "h", Ħ: "h", ŧ: "t", Ŧ: "t", ŋ: "n", Ŋ: "n", ĸ: "k", ſ: "s",
};

/** Characters dropped without a separator, so "Joe's Diner" is joes-diner, not joe-s-diner. */
const APOSTROPHES = /['\u2019\u02BC`\u00B4]/g;

export const MAX_ID_LENGTH = 40;
export const MIN_ID_LENGTH = 3;

/** Lower-case ASCII words joined by '-': NFKD, combining marks stripped, the table above, everything else a separator. */
export function asciiSlug(text: string): string {
    const ascii = [...text.normalize("NFKD")]
        .map((ch) => TRANSLITERATION[ch] ?? ch)
        .join("")
        .replace(/\p{M}/gu, "")
        .toLowerCase()
        .replace(APOSTROPHES, "");
    return ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** Cuts a slug to `max` characters, at a word boundary when that keeps at least half of it. */
export function fitSlug(slug: string, max: number): string {
    if (slug.length <= max) return slug;
    const cut = slug.slice(0, max + 1);
    const boundary = cut.lastIndexOf("-");
    const fitted = boundary >= max / 2 ? slug.slice(0, boundary) : slug.slice(0, max);
    return fitted.replace(/-+$/, "");
}

/** The id of a purchase whose name has no Latin letters to transliterate: `c-` + 8 hex digits of SHA-256(purchaseId). */
export function fallbackId(purchaseId: string): string {
    return `c-${createHash("sha256").update(purchaseId, "utf8").digest("hex").slice(0, 8)}`;
}

export type IdSource = "subdomain" | "companyName" | "fallback";

/** The id a purchase asks for, before reserved names and collisions: its sub-domain, else its company name's slug. */
export function baseId(event: Pick<PurchaseEvent, "purchaseId" | "companyName" | "subdomain">): { base: string; source: IdSource } {
    if (event.subdomain) return { base: event.subdomain, source: "subdomain" };
    const slug = fitSlug(asciiSlug(event.companyName), MAX_ID_LENGTH);
    if (/[a-z]/.test(slug)) return { base: slug, source: "companyName" };
    return { base: fallbackId(event.purchaseId), source: "fallback" };
}

export function reservedPrefixOf(id: string): string | undefined {
    return RESERVED_ID_PREFIXES.find((p) => id.startsWith(p));
}

function isReserved(id: string): boolean {
    return RESERVED_IDS.includes(id) || reservedPrefixOf(id) !== undefined;
}

/** Prefix put before an id that starts with a reserved prefix (`sas-widgets` -> `c-sas-widgets`); also the fallback's. */
export const ADJUSTED_ID_PREFIX = "c-";

export interface ResolvedId {
    id: string;
    /** Human-readable account of every adjustment, empty when the base was taken as it is. */
    notes: string[];
}

/**
 * The stable rule: a base with a reserved prefix gets `c-` in front; then the first of base, base-2, base-3, ... that is
 * a valid id (length, not reserved) and not `taken` wins. Suffixes replace the base's tail when the id would exceed 40
 * characters. Callers assign ids in input order, so the same input gives the same ids on every run.
 */
export function resolveId(base: string, taken: (id: string) => string | undefined): ResolvedId {
    const notes: string[] = [];
    let stem = base;
    const prefix = reservedPrefixOf(stem);
    if (prefix) {
        notes.push(`"${base}" starts with the reserved prefix "${prefix}", so "${ADJUSTED_ID_PREFIX}" was put in front`);
        stem = fitSlug(`${ADJUSTED_ID_PREFIX}${stem}`, MAX_ID_LENGTH);
    }
    for (let n = 1; n <= 1000; n++) {
        const candidate = n === 1 ? stem : `${stem.slice(0, MAX_ID_LENGTH - `-${n}`.length).replace(/-+$/, "")}-${n}`;
        const invalid = customerIdSchema.safeParse(candidate);
        const owner = invalid.success ? taken(candidate) : undefined;
        if (invalid.success && owner === undefined) {
            if (n > 1) notes.push(`assigned "${candidate}"`);
            return { id: candidate, notes };
        }
        if (n === 1) notes.push(invalid.success ? `"${candidate}" is taken by ${owner}` : `"${candidate}" is not usable: ${invalid.error.issues[0].message}`);
    }
    throw new Error(`no free id for "${base}" after 1000 candidates`);
}

/**
 * Key that identifies "the same company" across purchases: NFKC, case-folded (upper then lower, so "ß" and "SS"
 * meet), letters and digits only.
 */
export function companyKey(companyName: string): string {
    return companyName.normalize("NFKC").toUpperCase().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/** The record a purchase becomes; fields a person added to an existing record (theme) are kept. */
export function recordFromEvent(event: PurchaseEvent, id: string, existing?: Customer): Customer {
    const record: Customer = {
        id,
        companyName: event.companyName,
        motto: event.motto,
        tier: event.tier,
        purchaseId: event.purchaseId,
        ...(existing?.theme ? { theme: existing.theme } : {}),
    };
    return customerSchema.parse(record);
}

/** Whether two records say the same thing (field order and formatting of the file do not matter). */
export function sameRecord(a: Customer, b: Customer): boolean {
    const canonical = (c: Customer) =>
        JSON.stringify([c.id, c.companyName, c.motto, c.tier, c.purchaseId, c.theme?.accentColor ?? null, c.theme ? Object.keys(c.theme).length : -1]);
    return canonical(a) === canonical(b);
}

// ---------------------------------------------------------------------------------------------------------------
// Dead letters: the raw event minus personal data

const PII_KEY = /e-?mail|phone|contact/i;
const MAX_KEPT_STRING = 1024;

/** Cut first (an address is at most 254 characters, so none is split unseen), then redact: bounded work on 10 MB. */
function redactString(s: string, max: number): string {
    const clean = redactEmails(s.slice(0, max + 300));
    return s.length > max ? `${clean.slice(0, max)}…(${s.length - max} more characters)` : clean;
}

/**
 * The raw event as kept in a dead letter: personal fields removed (contactEmail and any key that looks like contact
 * data), anything shaped like an e-mail address inside other values replaced, long strings cut. Unparseable input
 * (a string) gets the same treatment, so a dead letter never holds an address whatever shape the input had.
 */
export function redactRawEvent(raw: unknown, depth = 0): unknown {
    if (typeof raw === "string") return redactString(raw, depth === 0 ? 4 * MAX_KEPT_STRING : MAX_KEPT_STRING);
    if (raw === null || typeof raw !== "object") return raw;
    if (depth >= 4) return "[nested too deep]";
    if (Array.isArray(raw)) return raw.slice(0, 20).map((v) => redactRawEvent(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw).slice(0, 30)) {
        const shownKey = redactString(showName(key), 64);
        out[shownKey] = PII_KEY.test(key) ? REDACTED : redactRawEvent(value, depth + 1);
    }
    return out;
}

// Synthetic customer records for the benchmark: valid against components/model/customer.ts, deterministic (the
// same index always yields the same record), with the tier mix and text variety of a real customer base.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Customer, Tier } from "../components/model/customer";

/** Share of each tier in a synthetic population; fixed so per-tier cost figures are comparable between runs. */
export const TIER_MIX: readonly { tier: Tier; share: number }[] = [
    { tier: "starter", share: 0.6 },
    { tier: "business", share: 0.3 },
    { tier: "enterprise", share: 0.1 },
];

const NAMES = ["Acme", "Nordwind", "Sakura", "Nile", "Müller", "Orbit", "Quantum", "Kestrel", "Ålesund", "Zenith", "株式会社 東京", "تحليلات"];
const SUFFIXES = ["Inc.", "GmbH", "Ltd", "AS", "K.K.", "& Söhne", "S.A.", "LLC"];
const MOTTOS = [
    "Fast, safe & \"reliably\" <out of this world>",
    "Jeden Morgen frisch geröstet.",
    "時間どおりに、心を込めて。",
    "Data you can trust — بيانات يمكنك الوثوق بها",
    "We ship on Fridays.",
    "Quality is not an act, it is a habit.",
];

/** mulberry32: tiny, seedable, good enough to spread synthetic values; Math.random would break determinism. */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** The id of synthetic customer `index`: sorts in index order and avoids every reserved id and prefix. */
export function syntheticId(index: number): string {
    return `bench-${String(index).padStart(6, "0")}`;
}

/** Tier by position in the population, so any prefix of N customers keeps the TIER_MIX proportions. */
export function tierFor(index: number): Tier {
    const slot = index % 10;
    return slot < 6 ? "starter" : slot < 9 ? "business" : "enterprise";
}

export function syntheticCustomer(index: number): Customer {
    const rnd = prng(index + 1);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const customer: Customer = {
        id: syntheticId(index),
        companyName: `${pick(NAMES)} ${pick(SUFFIXES)} #${index}`,
        motto: `${pick(MOTTOS)} (${index})`,
        tier: tierFor(index),
        purchaseId: `PO-BENCH-${String(index).padStart(6, "0")}`,
    };
    if (rnd() < 0.5) {
        const colour = Math.floor(rnd() * 0xffffff).toString(16).padStart(6, "0");
        customer.theme = { accentColor: `#${colour}` };
    }
    return customer;
}

export function syntheticCustomers(count: number): Customer[] {
    return Array.from({ length: count }, (_, i) => syntheticCustomer(i));
}

/** The YAML text of a record as a person would write it (customers/<id>.yaml). */
export function recordText(customer: Customer): string {
    return stringify(customer, { lineWidth: 0 });
}

/** Writes one <id>.yaml per customer into `dir` (created if missing); returns the file names written. */
export function writeCustomers(dir: string, customers: readonly Customer[]): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return customers.map((c) => {
        const name = `${c.id}.yaml`;
        fs.writeFileSync(path.join(dir, name), recordText(c));
        return name;
    });
}

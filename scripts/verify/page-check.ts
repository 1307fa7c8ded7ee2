// What makes a welcome page correct for one customer, as a pure function of the HTTP result.
import { escapeHtml } from "../../components/model/site/escape";
import type { Customer } from "../../components/model/customer";

export const WELCOME_TEXT = "Welcome to SAS";

export interface HttpResult {
    status: number;
    body: string;
}

/** Returns undefined when the page is right, otherwise the reason, phrased for the final table. */
export function pageProblem(customer: Pick<Customer, "companyName" | "motto">, res: HttpResult): string | undefined {
    if (res.status !== 200) return `HTTP ${res.status}`;
    const missing: string[] = [];
    if (!res.body.includes(WELCOME_TEXT)) missing.push(`"${WELCOME_TEXT}"`);
    if (!res.body.includes(escapeHtml(customer.companyName))) missing.push("company name");
    if (!res.body.includes(escapeHtml(customer.motto))) missing.push("motto");
    return missing.length ? `HTTP 200 but page lacks ${missing.join(", ")}` : undefined;
}

// Events from the GitHub event payload ($GITHUB_EVENT_PATH), so the workflow never puts the purchase (with its
// contact e-mail) into an environment variable: GitHub prints a step's env values at the top of its log.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCsv } from "./csv";
import { detectFormat, type InputFormat } from "./parse";

export interface EventSource {
    text: string;
    format: InputFormat;
    source: string;
    /** Operator CSVs from the repository carry no contact data (it must never be committed). */
    contactOptional?: boolean;
}

export class GithubEventError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GithubEventError";
    }
}

/** A path inside `root`, given relative to it; refuses absolute paths, '..' and symlinks that lead outside. */
export function repoFile(root: string, relative: string): string {
    if (relative === "" || path.isAbsolute(relative) || relative.split(/[\\/]/).includes("..")) {
        throw new GithubEventError(`csv-path must be a path inside the repository, like intake/2026-05.csv`);
    }
    if (!relative.toLowerCase().endsWith(".csv")) throw new GithubEventError("csv-path must name a .csv file");
    const full = path.resolve(root, relative);
    if (!fs.existsSync(full)) throw new GithubEventError(`csv-path: no such file in the repository`);
    const realRoot = fs.realpathSync(root);
    const real = fs.realpathSync(full);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw new GithubEventError("csv-path leads outside the repository");
    return real;
}

export function eventsFromGithubEvent(payloadText: string, repoRoot: string): EventSource {
    let payload: Record<string, unknown>;
    try {
        payload = JSON.parse(payloadText) as Record<string, unknown>;
    } catch (err) {
        throw new GithubEventError(`the GitHub event file is not JSON: ${(err as Error).message}`);
    }
    const client = payload?.client_payload;
    if (client !== undefined) {
        if (client === null || typeof client !== "object" || Array.isArray(client)) {
            throw new GithubEventError("client_payload must be an object: one purchase event, or {\"events\": [...]}");
        }
        const events = (client as { events?: unknown }).events;
        const value = Array.isArray(events) ? events : client;
        return { text: JSON.stringify(value), format: "json", source: "client_payload" };
    }
    const inputs = payload?.inputs as Record<string, unknown> | undefined;
    if (inputs && typeof inputs === "object") {
        const json = typeof inputs["events-json"] === "string" ? (inputs["events-json"] as string).trim() : "";
        const csvPath = typeof inputs["csv-path"] === "string" ? (inputs["csv-path"] as string).trim() : "";
        if (json && csvPath) throw new GithubEventError("give either events-json or csv-path, not both");
        if (json) return { text: json, format: detectFormat("events-json", json), source: "events-json" };
        if (csvPath) {
            const text = fs.readFileSync(repoFile(repoRoot, csvPath), "utf8");
            const header = parseCsv(text.split("\n", 1)[0])[0]?.fields.map((f) => f.trim()) ?? [];
            if (header.includes("contactEmail")) {
                throw new GithubEventError(
                    `csv-path: ${csvPath} has a contactEmail column, and personal data must never be committed: remove the file ` +
                        "from the repository (and its history), drop the column, and let the storefront send contact details",
                );
            }
            return { text, format: "csv", source: csvPath, contactOptional: true };
        }
        throw new GithubEventError("workflow_dispatch needs events-json or csv-path");
    }
    throw new GithubEventError("the GitHub event has neither client_payload (repository_dispatch) nor inputs (workflow_dispatch)");
}

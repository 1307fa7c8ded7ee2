import { createHash } from "node:crypto";
import { escapeHtml } from "./escape";

export interface PageInput {
    companyName: string;
    motto: string;
    /** #rrggbb, already validated by the record schema. */
    accentColor?: string;
}

/** Used when a customer sets no accent colour: SAS blue, contrast 7.2:1 on white (WCAG AAA for large text). */
export const DEFAULT_ACCENT = "#1d4ed8";

/**
 * The page's only stylesheet. It is inline (no external assets: the page loads nothing from anywhere) and the
 * Content-Security-Policy allows exactly this text by its SHA-256, so any injected style or script is refused.
 */
export function pageStyle(accentColor: string = DEFAULT_ACCENT): string {
    if (!/^#[0-9a-fA-F]{6}$/.test(accentColor)) throw new Error(`accentColor must be #rrggbb, got "${accentColor}"`);
    return [
        ":root{color-scheme:light;--accent:" + accentColor.toLowerCase() + "}",
        "*{box-sizing:border-box}",
        "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;",
        "font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK JP','Noto Sans Arabic',sans-serif;",
        "background:#f8fafc;color:#0f172a;line-height:1.5}",
        "main{max-width:40rem;margin:1.5rem;padding:2rem 1.5rem;background:#fff;border-top:.5rem solid var(--accent);",
        "border-radius:.75rem;box-shadow:0 1px 3px rgba(15,23,42,.15);overflow-wrap:anywhere}",
        "h1{margin:0 0 1rem;font-size:clamp(1.75rem,6vw,2.5rem);color:var(--accent)}",
        ".company{margin:0 0 .5rem;font-size:1.35rem;font-weight:600;unicode-bidi:isolate}",
        ".motto{margin:0;font-size:1.1rem;font-style:italic;color:#334155;unicode-bidi:isolate}",
    ].join("");
}

/** The CSP source expression for an inline block: 'sha256-<base64 of the exact bytes between the tags>'. */
export function cspHashSource(inlineText: string): string {
    return `'sha256-${createHash("sha256").update(inlineText, "utf8").digest("base64")}'`;
}

/**
 * The whole welcome page. Customer text is escaped and wrapped in `dir="auto"` so right-to-left names render in
 * their own direction without reordering the rest of the page.
 */
export function renderPage(input: PageInput): string {
    const company = escapeHtml(input.companyName);
    const motto = escapeHtml(input.motto);
    return [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        `<title>Welcome to SAS | ${company}</title>`,
        `<style>${pageStyle(input.accentColor)}</style>`,
        "</head>",
        "<body>",
        "<main>",
        "<h1>Welcome to SAS</h1>",
        `<p class="company" dir="auto">${company}</p>`,
        `<p class="motto" dir="auto">${motto}</p>`,
        "</main>",
        "</body>",
        "</html>",
        "",
    ].join("\n");
}

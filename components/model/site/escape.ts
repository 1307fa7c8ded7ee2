/**
 * HTML-escapes text for element content and double-quoted attribute values. Every customer-supplied value passes
 * through here before it reaches the page; the five characters below are the whole of what HTML lets text break out
 * with, so nothing else needs encoding (non-ASCII text stays as UTF-8, declared by the page's charset).
 */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const ESCAPES: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
};

// Debian's Chromium driven by playwright-core, the way this machine allows it: headless, no sandbox (we are root),
// nothing that phones home, a fresh profile per launch. openPage() records everything a page could do behind our
// back (console errors, CSP violations, dialogs, requests) so tests can assert it did none of it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

export function chromiumMissing(): string | undefined {
    return fs.existsSync(CHROMIUM_PATH)
        ? undefined
        : `${CHROMIUM_PATH} is missing; install Debian's browser: apt-get install -y chromium`;
}

export interface PageVisit {
    status: number;
    /** document.body.innerText: what a person sees. */
    visibleText: string;
    /** textContent of each selector asked for (undefined when the element is absent). */
    texts: Record<string, string | undefined>;
    consoleErrors: string[];
    cspViolations: string[];
    dialogs: string[];
    /** Every URL the page requested, the document included. */
    requests: string[];
    /** Elements or attributes that could run script: <script>, on* attributes, javascript: URLs, <iframe>, <object>. */
    scriptableNodes: string[];
}

export interface Browser {
    visit(url: string, opts?: { selectors?: string[]; screenshotPath?: string }): Promise<PageVisit>;
    close(): Promise<void>;
}

/** httpCredentials: answered to a basic-auth challenge (the preview pages' own). */
export async function launchBrowser(opts: { httpCredentials?: { username: string; password: string } } = {}): Promise<Browser> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sas-chromium-"));
    let context: BrowserContext;
    try {
        context = await chromium.launchPersistentContext(profile, {
            executablePath: CHROMIUM_PATH,
            headless: true,
            args: CHROMIUM_ARGS,
            viewport: { width: 1024, height: 640 },
            httpCredentials: opts.httpCredentials,
        });
    } catch (err) {
        fs.rmSync(profile, { recursive: true, force: true });
        throw new Error(`could not start ${CHROMIUM_PATH} through playwright-core: ${(err as Error).message}`);
    }
    return {
        async visit(url, opts = {}) {
            const page = await context.newPage();
            const consoleErrors: string[] = [];
            const dialogs: string[] = [];
            const requests: string[] = [];
            page.on("console", (m) => {
                if (m.type() === "error") consoleErrors.push(m.text());
            });
            page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
            page.on("dialog", (d) => {
                dialogs.push(`${d.type()}: ${d.message()}`);
                void d.dismiss();
            });
            page.on("request", (r) => requests.push(r.url()));
            // Runs before any page script, outside the page's CSP (Playwright injects it), so a violation
            // is recorded even if the page's own logging were suppressed.
            await page.addInitScript(() => {
                const w = window as unknown as { __sasCsp: string[] };
                w.__sasCsp = [];
                document.addEventListener("securitypolicyviolation", (e) => {
                    w.__sasCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample})`);
                });
            });
            try {
                const res = await page.goto(url, { waitUntil: "load" });
                // Give anything deferred (timers, late handlers) a chance to show itself before we look.
                await page.waitForTimeout(300);
                const selectors = opts.selectors ?? [];
                const found = await page.evaluate((sels: string[]) => {
                    const texts: Record<string, string | undefined> = {};
                    for (const s of sels) texts[s] = document.querySelector(s)?.textContent ?? undefined;
                    const scriptable: string[] = [];
                    for (const el of Array.from(document.querySelectorAll("*"))) {
                        const tag = el.tagName.toLowerCase();
                        if (["script", "iframe", "object", "embed", "frame", "base", "link", "img", "svg", "math", "form"].includes(tag)) {
                            scriptable.push(`<${tag}>`);
                        }
                        for (const a of Array.from(el.attributes)) {
                            if (a.name.toLowerCase().startsWith("on") || /^\s*javascript:/i.test(a.value)) {
                                scriptable.push(`<${tag} ${a.name}="${a.value}">`);
                            }
                        }
                    }
                    const w = window as unknown as { __sasCsp?: string[] };
                    return { texts, scriptable, csp: w.__sasCsp ?? [], visible: document.body.innerText };
                }, selectors);
                if (opts.screenshotPath) {
                    fs.mkdirSync(path.dirname(opts.screenshotPath), { recursive: true });
                    await page.screenshot({ path: opts.screenshotPath, fullPage: true });
                }
                return {
                    status: res?.status() ?? 0,
                    visibleText: found.visible,
                    texts: found.texts,
                    consoleErrors,
                    cspViolations: found.csp,
                    dialogs,
                    requests,
                    scriptableNodes: found.scriptable,
                };
            } finally {
                await page.close();
            }
        },
        async close() {
            await context.close();
            fs.rmSync(profile, { recursive: true, force: true });
        },
    };
}

import { cspHashSource, pageStyle } from "./page";

/**
 * The response headers every welcome page is served with. The CSP is the strictest that still renders the page:
 * nothing may load, run or frame it, and only the page's own stylesheet (by hash) applies.
 */
export function securityHeaders(accentColor?: string): ReadonlyArray<readonly [string, string]> {
    const csp = [
        "default-src 'none'",
        `style-src ${cspHashSource(pageStyle(accentColor))}`,
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ].join("; ");
    return [
        ["Content-Security-Policy", csp],
        ["X-Content-Type-Options", "nosniff"],
        ["Referrer-Policy", "no-referrer"],
        ["X-Frame-Options", "DENY"],
        ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
        ["Cross-Origin-Opener-Policy", "same-origin"],
        ["Cross-Origin-Resource-Policy", "same-origin"],
    ];
}

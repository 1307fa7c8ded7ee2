/**
 * The one way a test meets a missing real part (a binary, a browser, a toolchain): with CI=true it is a failure;
 * elsewhere a loud skip that says how to get the part. Call from a before()/it() with a `function` (not an arrow)
 * so `this` is the mocha context. `missing` is undefined when the part is there.
 */
export function requireRealPart(ctx: Mocha.Context, missing: string | undefined): void {
    if (!missing) return;
    if (process.env.CI === "true") {
        throw new Error(`real part missing in CI (CI=true makes this a failure): ${missing}`);
    }
    console.warn(`\n  !!! SKIPPING real-parts test: ${missing}\n`);
    ctx.skip();
}

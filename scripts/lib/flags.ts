/**
 * The command-line flags every tool takes the same way: `--flag value` or `--flag=value`, a value never starting
 * with `--`, and each flag at most once unless it is repeatable. `visit` gets each flag, or a positional argument
 * (flag undefined), and a `value()` that consumes the flag's value; problems go through `fail` with the flag named.
 */
export function forEachFlag(
    args: readonly string[],
    fail: (message: string) => Error,
    visit: (flag: string | undefined, value: () => string, arg: string) => void,
    opts: { repeatable?: readonly string[]; positional?: (arg: string) => boolean } = {},
): void {
    const seen = new Set<string>();
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (opts.positional?.(arg)) {
            visit(undefined, () => arg, arg);
            continue;
        }
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const flag = eq > 0 ? arg.slice(0, eq) : arg;
        const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
        const value = (): string => {
            if (inline !== undefined) return inline;
            const next = args[i + 1];
            if (next === undefined || next.startsWith("--")) throw fail(`${flag} needs a value`);
            i++;
            return next;
        };
        if (!opts.repeatable?.includes(flag) && seen.has(flag)) throw fail(`${flag} given more than once`);
        seen.add(flag);
        visit(flag, value, arg);
    }
}

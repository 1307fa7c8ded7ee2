// The series names a PromQL expression reads: everything that is neither a function, a keyword, a label (inside
// {...}, by/without/on/ignoring/group_x (...)), a string, a number nor a duration. Good enough for the queries in our
// rules and dashboard, which promtool has already parsed; not a PromQL parser.
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"]);

export function seriesNames(expr: string): string[] {
    let e = expr
        .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
        .replace(/\{[^}]*\}/g, "") // label matchers
        .replace(/\[[^\]]*\]/g, "") // ranges and subqueries
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
        .replace(/\boffset\s+-?[0-9a-z]+/g, " ");
    e = e.replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, " "); // Grafana variables outside strings
    const names = new Set<string>();
    const token = /(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi;
    for (let m = token.exec(e); m; m = token.exec(e)) {
        const [, num, ident, call] = m;
        if (num !== undefined || call !== undefined || !ident) continue; // a number or a function call
        if (KEYWORDS.has(ident.toLowerCase())) continue;
        names.add(ident);
    }
    return [...names].sort();
}

/** Replaces Grafana's variables by values PromQL accepts, so promtool can parse a panel query. */
export function withGrafanaVariables(expr: string): string {
    return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, "5m").replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, "x");
}

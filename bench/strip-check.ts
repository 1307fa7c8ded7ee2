// Why Node's built-in type stripping can (not) run the program: walks the import graph from the entry points and lists
// every construct strip-only mode refuses or every import it cannot resolve, with file and line.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export interface StripProblem {
    file: string;
    line: number;
    construct: string;
}

const COMMONJS_GLOBALS = new Set(["__dirname", "__filename", "require"]);

/**
 * Constructs that need code generation, which strip-only mode (no --experimental-transform-types) refuses, and
 * CommonJS globals, which do not exist once Node loads the file as an ES module (it does for any `import` syntax).
 */
export function unsupportedConstructs(fileName: string, text: string): StripProblem[] {
    const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const problems: StripProblem[] = [];
    const at = (node: ts.Node, construct: string) =>
        problems.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, construct });
    const isDeclare = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
    const visit = (node: ts.Node): void => {
        if (ts.isParameter(node) && ts.isConstructorDeclaration(node.parent) && ts.getModifiers(node)?.some((m) => m.kind !== ts.SyntaxKind.DeclareKeyword)) {
            at(node, "parameter property (constructor(readonly x: T))");
        } else if (ts.isEnumDeclaration(node) && !isDeclare(node)) {
            at(node, "enum");
        } else if (ts.isModuleDeclaration(node) && !isDeclare(node) && node.body && ts.isModuleBlock(node.body) && node.body.statements.some((s) => !ts.isInterfaceDeclaration(s) && !ts.isTypeAliasDeclaration(s))) {
            at(node, "namespace with runtime code");
        } else if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly) {
            at(node, "import = require()");
        } else if (ts.isExportAssignment(node) && node.isExportEquals) {
            at(node, "export =");
        } else if (ts.isDecorator(node)) {
            at(node, "decorator");
        } else if (ts.isIdentifier(node) && COMMONJS_GLOBALS.has(node.text) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
            // A .ts file with import syntax is loaded as an ES module by Node, where these do not exist.
            at(node, `CommonJS global \`${node.text}\` (undefined in an ES module)`);
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return problems;
}

/** Relative module specifiers a file imports (import, export from, require, import()), with their lines. */
export function relativeImports(fileName: string, text: string): { spec: string; line: number }[] {
    const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const out: { spec: string; line: number }[] = [];
    const add = (lit: ts.Expression | undefined, node: ts.Node) => {
        if (lit && ts.isStringLiteral(lit) && lit.text.startsWith(".")) {
            out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
        }
    };
    const visit = (node: ts.Node): void => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
            const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
            if (!typeOnly) add(node.moduleSpecifier, node);
        } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
            add(node.arguments[0], node);
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return out;
}

function resolveTs(fromFile: string, spec: string): string | undefined {
    const base = path.resolve(path.dirname(fromFile), spec);
    return [base, `${base}.ts`, path.join(base, "index.ts")].find((f) => f.endsWith(".ts") && fs.existsSync(f));
}

/** Every strip-types blocker in the program's import graph, files shown relative to `root`. */
export function stripTypesProblems(root: string, entries: readonly string[]): StripProblem[] {
    const seen = new Set<string>();
    const queue = entries.map((e) => path.resolve(root, e));
    const problems: StripProblem[] = [];
    while (queue.length > 0) {
        const file = queue.shift()!;
        if (seen.has(file)) continue;
        seen.add(file);
        const text = fs.readFileSync(file, "utf8");
        const rel = path.relative(root, file);
        problems.push(...unsupportedConstructs(rel, text));
        for (const { spec, line } of relativeImports(rel, text)) {
            if (!/\.[cm]?[jt]s$/.test(spec)) {
                problems.push({ file: rel, line, construct: `extensionless relative import "${spec}" (ES module resolution needs the file extension)` });
            }
            const target = resolveTs(file, spec);
            if (target) queue.push(target);
        }
    }
    return problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

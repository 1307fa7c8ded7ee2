// Locates the first syntax error in a JSON text. JSON.parse's messages differ between Node versions and often
// carry no position ("Unexpected token ']', ... is not valid JSON"), so on failure we rescan with this small
// RFC 8259 checker to name the exact place. Only called after JSON.parse has already failed.

export interface JsonSyntaxError {
  /** 0-based character offset of the error. */
  offset: number;
  reason: string;
}

class Fail extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

function show(ch: string): string {
  return JSON.stringify(ch);
}

export function findJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const expectMore = (what: string) => {
    if (i >= text.length) throw new Fail(i, `unexpected end of input, expected ${what}`);
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) throw new Fail(i, "unexpected end of input inside a string");
      const ch = text[i];
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < " ") throw new Fail(i, "unescaped control character in a string");
      if (ch === "\\") {
        const esc = text[i + 1];
        if (esc === undefined) throw new Fail(i + 1, "unexpected end of input inside a string");
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, "invalid \\u escape");
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(esc)) throw new Fail(i, `invalid escape \\${esc}`);
        i += 2;
        continue;
      }
      i++;
    }
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") throw new Fail(i, "invalid number");
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    expectMore("a value");
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        expectMore("a property name");
        if (text[i] !== '"') throw new Fail(i, `expected a property name in double quotes, found ${show(text[i])}`);
        str();
        ws();
        expectMore('":"');
        if (text[i] !== ":") throw new Fail(i, `expected ":" after the property name, found ${show(text[i])}`);
        i++;
        value();
        ws();
        expectMore('"," or "}"');
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        throw new Fail(i, `expected "," or "}" in an object, found ${show(text[i])}`);
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        expectMore('"," or "]"');
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        throw new Fail(i, `expected "," or "]" in an array, found ${show(text[i])}`);
      }
    }
    if (ch === '"') return str();
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) return num();
    throw new Fail(i, `unexpected ${show(ch)} where a value was expected`);
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Fail(i, `unexpected ${show(text[i])} after the end of the JSON document`);
    return undefined;
  } catch (e) {
    if (e instanceof Fail) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

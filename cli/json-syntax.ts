/**
 * Where JSON text is broken: the offset, line and column of the first syntax error, described as
 * Go's encoding/json describes it ("unexpected end of JSON input", "invalid character '}' looking
 * for beginning of value"). JSON.parse in Node 20 often names no position at all, and a user who
 * gave us a truncated export needs the line.
 */

export interface JsonSyntaxError {
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  message: string;
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const at = (offset: number, message: string): JsonSyntaxError => {
    const before = text.slice(0, offset).split("\n");
    return { offset, line: before.length, column: before[before.length - 1].length + 1, message };
  };
  class Stop {
    constructor(readonly error: JsonSyntaxError) {}
  }
  const end = () => new Stop(at(text.length, "unexpected end of JSON input"));
  const bad = (context: string) => new Stop(at(i, `invalid character ${quoteChar(text[i])} ${context}`));
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= text.length) throw end();
      if (text[i] !== word[k]) throw bad(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) throw end();
      const c = text[i];
      if (c === '"') return void i++;
      if (c < " ") throw bad("in string literal");
      if (c === "\\") {
        i++;
        if (i >= text.length) throw end();
        if (text[i] === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= text.length) throw end();
            if (!/[0-9a-fA-F]/.test(text[i])) throw bad("in \\u hexadecimal character escape");
          }
        } else if (!'"\\/bfnrt'.includes(text[i])) throw bad("in string escape code");
      }
      i++;
    }
  };
  const digits = () => {
    const start = i;
    while (i < text.length && text[i] >= "0" && text[i] <= "9") i++;
    return i > start;
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (i >= text.length) throw end();
    if (text[i] === "0") i++;
    else if (!digits()) throw bad("in numeric literal");
    if (text[i] === ".") {
      i++;
      if (i >= text.length) throw end();
      if (!digits()) throw bad("after decimal point in numeric literal");
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (i >= text.length) throw end();
      if (!digits()) throw bad("in exponent of numeric literal");
    }
  };
  const value = (): void => {
    ws();
    if (i >= text.length) throw end();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (i >= text.length) throw end();
        if (text[i] !== '"') throw bad("looking for beginning of object key string");
        string();
        ws();
        if (i >= text.length) throw end();
        if (text[i] !== ":") throw bad("after object key");
        i++;
        value();
        ws();
        if (i >= text.length) throw end();
        if (text[i] === "}") return void i++;
        if (text[i] !== ",") throw bad("after object key:value pair");
        i++;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (i >= text.length) throw end();
        if (text[i] === "]") return void i++;
        if (text[i] !== ",") throw bad("after array element");
        i++;
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    throw bad("looking for beginning of value");
  };
  try {
    value();
    ws();
    if (i < text.length) throw bad("after top-level value");
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return err.error;
    throw err;
  }
}

/** Go's quoteChar: `'x'`, `'\''` and `'"'`. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `'\\x${code.toString(16).padStart(2, "0")}'` : `'${c}'`;
}

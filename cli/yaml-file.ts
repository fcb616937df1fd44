/**
 * YAML files the plan reads (Pulumi.yaml, Pulumi.<stack>.yaml, PulumiPolicy.yaml), parsed with the
 * `yaml` package, and its errors said in one line: `<file>:<line>:<column>: not valid YAML: <what>`.
 * The package's own message ends with "at line L, column C:" and a code excerpt on the next lines;
 * the position goes to the front and the excerpt is dropped, so no message ends with a bare colon.
 */
import { parseDocument } from "yaml";

export class YamlFileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "YamlFileError";
  }
}

/** What is wrong, in our words where the package's words name its own API. */
function what(err: { code?: string; message: string }, text: string, line?: number, col?: number): string {
  const first = err.message
    .split("\n")[0]
    .replace(/ at line \d+, column \d+:?\s*$/, "")
    .replace(/[:\s]+$/, "");
  switch (err.code) {
    case "MULTIPLE_DOCS":
      return "more than one YAML document (a `---` separator starts a second one); the file holds one";
    case "DUPLICATE_KEY": {
      const key =
        line && col
          ? /^\s*(.+?)\s*:(?:\s|$)/.exec(text.split("\n")[line - 1].slice(col - 1))?.[1]
          : undefined;
      return `${key ? `key "${key}"` : "a key"} is given twice in the same map (keys must be unique)`;
    }
    default: {
      const quote = /^Missing closing (["'])quote/.exec(first)?.[1];
      if (quote)
        return `a string opened with ${quote} is never closed (the quote runs to the end of the file)`;
      return first.charAt(0).toLowerCase() + first.slice(1);
    }
  }
}

/** Parses `text` of `file` into plain data; throws a YamlFileError naming file, line and column. */
export function parseYamlFile(text: string, file: string): unknown {
  const doc = parseDocument(text);
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new YamlFileError(
      `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: not valid YAML: ${what(err, text, pos?.line, pos?.col)}`,
      pos?.line,
    );
  }
  try {
    return doc.toJS() ?? {};
  } catch (e) {
    // Resolving the document: an alias to an anchor that is not defined (before it).
    const message = (e as Error).message;
    const alias = /Unresolved alias[^:]*: (\S+)/.exec(message)?.[1];
    const line = alias ? lineOf(text, new RegExp(`\\*${escape(alias)}\\b`)) : undefined;
    throw new YamlFileError(
      `${file}${line ? `:${line}` : ""}: not valid YAML: ` +
        (alias
          ? `alias *${alias} names no anchor &${alias} defined before it`
          : message.split("\n")[0].replace(/[:\s]+$/, "")),
      line,
    );
  }
}

/** The 1-based line of the first match of `re` in `text`, if any. */
export function lineOf(text: string, re: RegExp): number | undefined {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * JSON text exactly as Go's encoding/json writes it (the AWS provider is a Go program), for values
 * built in the order Go would emit them:
 *   - `json.Marshal` escapes `<`, `>` and `&` as \u003c, \u003e, \u0026 and U+2028/U+2029 as
 *     \u2028/\u2029 (HTML-safe by default); JSON.stringify does not;
 *   - strings are UTF-8 in Go: a lone UTF-16 surrogate (which gRPC cannot carry either) becomes
 *     U+FFFD;
 *   - `json.MarshalIndent(v, "", "  ")` lays out like JSON.stringify(v, null, 2) (empty arrays and
 *     objects stay `[]` and `{}`);
 *   - maps are written with their keys sorted (bytewise), struct fields in declaration order: the
 *     caller builds objects in the right order, `sortedKeys` orders what Go holds as a map.
 */

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormedString = (s: string) => s.replace(LONE_SURROGATE, "\ufffd");

/** Lone surrogates as U+FFFD, everywhere in a value (Go sees the UTF-8 the SDK sent). */
export function wellFormed<T>(value: T): T {
  if (typeof value === "string") return wellFormedString(value) as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[wellFormedString(k)] = wellFormed(v);
    return out as T;
  }
  return value;
}

/** `json.Marshal` (indent 0) or `json.MarshalIndent(v, "", "  ")` (indent 2). */
export function goMarshal(value: unknown, indent: 0 | 2 = 0): string {
  // The characters escaped here can only occur inside JSON strings, so a pass over the text is exact.
  return JSON.stringify(wellFormed(value), null, indent || undefined).replace(HTML_UNSAFE, (c) => ESCAPES[c]);
}

/** Go's string order: bytewise over UTF-8 (differs from UTF-16 order only beyond the BMP). */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  if (/^[\u0000-\ud7ff]*$/.test(a) && /^[\u0000-\ud7ff]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** `slices.Sort` of strings. */
export const goSort = (list: readonly string[]): string[] => [...list].sort(goCompare);

/** A copy of a value decoded into Go's `any` and written back: object keys sorted, recursively. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort(goCompare)) out[k] = sortedKeys(obj[k]);
    return out;
  }
  return value;
}

/** The JSON type name Go uses in "cannot unmarshal <type> into ..." errors. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return typeof value; // string, number, boolean
}

/** The Go type Go prints (`%T`) for a value decoded into `any`. */
export function goTypeName(value: unknown): string {
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return "[]interface {}";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return "map[string]interface {}";
  }
}

/**
 * IAM policy documents as policies see them: a JSON string or an object, one statement or many,
 * strings or arrays for Action/Resource. `parsePolicyDocument` turns any of those into one shape and
 * never throws on odd input; it returns a readable error instead.
 *
 * Unknown preview values stay where they are: a statement whose Effect, Action or Resource (or one
 * element of them) is unknown is still returned, with an `Unknown` marker in that place, and a
 * statement that is unknown as a whole is listed in `unknownStatements`. The other statements are
 * judged as usual, so one unknown never erases what is certain.
 */
import { Unknown, snapshot } from "./props";

export type Item = string | Unknown;

export interface Statement {
  /** Position in the document's Statement list, from 0. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny" | Unknown;
  readonly action?: Item[] | Unknown;
  readonly notAction?: Item[] | Unknown;
  readonly resource?: Item[] | Unknown;
  readonly notResource?: Item[] | Unknown;
  readonly principal?: unknown;
  readonly notPrincipal?: unknown;
  readonly condition?: unknown;
}

/** A statement that is unknown as a whole (its list element is an unknown value). */
export interface UnknownStatement {
  readonly index: number;
  readonly marker: Unknown;
}

export type ParsedDocument =
  | {
      readonly kind: "ok";
      readonly statements: Statement[];
      readonly unknownStatements: UnknownStatement[];
    }
  | { readonly kind: "invalid"; readonly error: string }
  | { readonly kind: "unknown"; readonly marker: Unknown };

/** How a statement is named in messages: its Sid when it has one, else its index. */
export function statementLabel(s: { readonly index: number; readonly sid?: string }): string {
  return s.sid ? `statement "${s.sid}" (Statement[${s.index}])` : `Statement[${s.index}]`;
}

/** Parses a policy document given as a JSON string (optionally URL-encoded, as the IAM API returns it) or an object. */
export function parsePolicyDocument(input: unknown): ParsedDocument {
  const raw = snapshot(input);
  if (raw instanceof Unknown) {
    return { kind: "unknown", marker: raw };
  }
  let doc: unknown = raw;
  if (typeof raw === "string") {
    const text = raw.trim();
    if (text === "") {
      return { kind: "invalid", error: "the policy document is empty" };
    }
    let jsonText = text;
    // The IAM API returns documents URL-encoded (RFC 3986), e.g. in get-account-authorization-details.
    if (/^%7B/i.test(text)) {
      try {
        jsonText = decodeURIComponent(text);
      } catch {
        return { kind: "invalid", error: "the policy document looks URL-encoded but does not decode" };
      }
    }
    try {
      doc = JSON.parse(jsonText);
    } catch (e) {
      return { kind: "invalid", error: `the policy document is not valid JSON (${(e as Error).message})` };
    }
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { kind: "invalid", error: "the policy document is not a JSON object" };
  }
  const body = doc as Record<string, unknown>;
  const rawStatements = body["Statement"];
  if (rawStatements instanceof Unknown) {
    return { kind: "unknown", marker: rawStatements };
  }
  if (rawStatements === undefined) {
    return { kind: "invalid", error: "the policy document has no Statement" };
  }
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements: Statement[] = [];
  const unknownStatements: UnknownStatement[] = [];
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    if (item instanceof Unknown) {
      unknownStatements.push({ index, marker: item });
      continue;
    }
    const parsed = parseStatement(item, index);
    if (typeof parsed === "string") {
      return { kind: "invalid", error: parsed };
    }
    statements.push(parsed);
  }
  return { kind: "ok", statements, unknownStatements };
}

function parseStatement(raw: unknown, index: number): Statement | string {
  const where = `Statement[${index}]`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return `${where} is not an object`;
  }
  const s = raw as Record<string, unknown>;
  const effectRaw = s["Effect"];
  let effect: Statement["effect"];
  if (effectRaw instanceof Unknown) {
    effect = effectRaw;
  } else if (typeof effectRaw === "string" && /^(allow|deny)$/i.test(effectRaw)) {
    effect = effectRaw.toLowerCase() === "allow" ? "Allow" : "Deny";
  } else {
    return `${where} has Effect ${JSON.stringify(effectRaw)}; it must be "Allow" or "Deny"`;
  }
  const out: {
    -readonly [K in keyof Statement]: Statement[K];
  } = { index, effect };
  const sid = s["Sid"];
  if (typeof sid === "string" && sid !== "") {
    out.sid = sid;
  }
  for (const [key, field] of [
    ["Action", "action"],
    ["NotAction", "notAction"],
    ["Resource", "resource"],
    ["NotResource", "notResource"],
  ] as const) {
    if (!(key in s)) {
      continue;
    }
    const list = stringList(s[key]);
    if (typeof list === "string") {
      return `${where} has a ${key} that is ${list}`;
    }
    out[field] = list;
  }
  if (out.action === undefined && out.notAction === undefined) {
    return `${where} has neither Action nor NotAction`;
  }
  if ("Principal" in s) {
    out.principal = s["Principal"];
  }
  if ("NotPrincipal" in s) {
    out.notPrincipal = s["NotPrincipal"];
  }
  if ("Condition" in s) {
    out.condition = s["Condition"];
  }
  return out;
}

/** A string or array of strings, as IAM allows; anything else is described for the error message. */
function stringList(v: unknown): Item[] | Unknown | string {
  if (v instanceof Unknown) {
    return v;
  }
  if (typeof v === "string") {
    return [v];
  }
  if (Array.isArray(v)) {
    const items: Item[] = [];
    for (const item of v) {
      if (typeof item === "string" || item instanceof Unknown) {
        items.push(item);
      } else {
        return `not a string or list of strings (found ${JSON.stringify(item)})`;
      }
    }
    return items;
  }
  return `not a string or list of strings (found ${JSON.stringify(v)})`;
}

/** IAM wildcard matching (`*` any run, `?` one character); case-insensitive, as IAM matches action names. */
export function globMatches(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

export function hasWildcard(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

const regexCache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "is");
    regexCache.set(pattern, re);
  }
  return re;
}

/** Values of a condition block for one operator and key, case-insensitive on the key as IAM is. */
export function conditionValues(condition: unknown, operator: string, key: string): unknown[] | undefined {
  if (condition === null || typeof condition !== "object" || condition instanceof Unknown) {
    return undefined;
  }
  for (const [op, block] of Object.entries(condition as Record<string, unknown>)) {
    if (op !== operator || block === null || typeof block !== "object") {
      continue;
    }
    for (const [k, v] of Object.entries(block as Record<string, unknown>)) {
      if (k.toLowerCase() === key.toLowerCase()) {
        return Array.isArray(v) ? v : [v];
      }
    }
  }
  return undefined;
}

/** True when a condition value list is exactly the boolean `want` (IAM accepts "true"/"false" strings or booleans). */
export function conditionIsBoolean(values: unknown[] | undefined, want: boolean): boolean {
  return (
    values !== undefined &&
    values.length > 0 &&
    values.every((v) => v === want || (typeof v === "string" && v.toLowerCase() === String(want)))
  );
}

/** One `"<operator>": {"<key>": <values>}` entry of a Condition block. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  /** The values as a list (IAM takes one value or a list); an element may be unknown. */
  readonly values: unknown[] | Unknown;
}

/**
 * The entries of a Condition block (absent: none). An unknown block, or an operator whose keys are
 * unknown, comes back as `Unknown`. IAM evaluates entries with AND; values of one key with OR.
 */
export function conditionEntries(condition: unknown): ConditionEntry[] | Unknown | string {
  if (condition === undefined) {
    return [];
  }
  if (condition instanceof Unknown) {
    return condition;
  }
  if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
    return "the Condition is not an object";
  }
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block instanceof Unknown) {
      return block;
    }
    if (block === null || typeof block !== "object" || Array.isArray(block)) {
      return `the Condition operator ${operator} does not hold an object of keys`;
    }
    for (const [key, v] of Object.entries(block as Record<string, unknown>)) {
      out.push({ operator, key, values: v instanceof Unknown ? v : Array.isArray(v) ? v : [v] });
    }
  }
  return out;
}

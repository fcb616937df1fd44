/**
 * Parser for `aws iam get-account-authorization-details` output (JSON), and for the same data as
 * the AWS SDK returns it (the live source pages GetAccountAuthorizationDetails into this shape).
 * Reads roles (RoleLastUsed, instance profiles), users and groups (inline and attached policies,
 * group membership) and customer-managed policies (their default version's document). Errors name
 * the file and the line (JSON syntax) or the field: `<file>:<line or field>: <what is wrong>`.
 * Format: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
import {
  InlinePolicyFacts,
  InstanceProfileFacts,
  InventoryFormatError,
  ManagedPolicyFacts,
  PrincipalPolicyFacts,
  RoleFacts,
  UserFacts,
} from "./types";

export interface AuthorizationDetails {
  readonly roles: RoleFacts[];
  readonly users: UserFacts[];
  readonly groups: PrincipalPolicyFacts[];
  readonly policies: ManagedPolicyFacts[];
  readonly instanceProfiles: InstanceProfileFacts[];
  /** Kept for callers that only count users. */
  readonly userCount: number;
}

export function parseAuthorizationDetails(text: string, file: string): AuthorizationDetails {
  if (text.trim() === "") {
    throw new InventoryFormatError(
      `${file}:1: the file is empty; expected the JSON printed by 'aws iam get-account-authorization-details'`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const { line, message } = jsonErrorAt(e as Error, text);
    throw new InventoryFormatError(`${file}:${line}: not valid JSON (${message})`);
  }
  return authorizationDetailsFrom(data, file);
}

/** The same data already parsed (from JSON or the SDK); `source` names it in errors. */
export function authorizationDetailsFrom(data: unknown, source: string): AuthorizationDetails {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InventoryFormatError(
      `${source}:1: expected the JSON object printed by 'aws iam get-account-authorization-details', found ${describe(data)}`,
    );
  }
  const top = data as Record<string, unknown>;
  const lists = ["RoleDetailList", "UserDetailList", "GroupDetailList", "Policies"];
  if (!lists.some((k) => k in top)) {
    throw new InventoryFormatError(
      `${source}:RoleDetailList: missing (and so are UserDetailList, GroupDetailList and Policies); expected the output of 'aws iam get-account-authorization-details'`,
    );
  }
  const at = (field: string) => `${source}:${field}`;
  const roles: RoleFacts[] = [];
  const profiles = new Map<string, { arn: string; roles: Set<string> }>();
  list(top, "RoleDetailList", source).forEach((raw, i) => {
    const where = `RoleDetailList[${i}]`;
    const r = object(raw, at(where));
    const role = parseRole(r, where, source);
    roles.push(role);
    list(r, "InstanceProfileList", source, where).forEach((p, j) => {
      const pw = `${where}.InstanceProfileList[${j}]`;
      const o = object(p, at(pw));
      const name = requiredString(o, "InstanceProfileName", pw, source);
      const entry = profiles.get(name) ?? { arn: requiredString(o, "Arn", pw, source), roles: new Set() };
      entry.roles.add(role.name);
      profiles.set(name, entry);
    });
  });
  const users = list(top, "UserDetailList", source).map((raw, i) => {
    const where = `UserDetailList[${i}]`;
    const u = object(raw, at(where));
    const groups = list(u, "GroupList", source, where).map((g, j) => {
      if (typeof g !== "string" || g === "") {
        throw new InventoryFormatError(`${at(`${where}.GroupList[${j}]`)}: not a group name`);
      }
      return g;
    });
    return {
      ...principal(u, where, source, "UserName", "UserPolicyList"),
      groups,
    };
  });
  const groups = list(top, "GroupDetailList", source).map((raw, i) =>
    principal(
      object(raw, at(`GroupDetailList[${i}]`)),
      `GroupDetailList[${i}]`,
      source,
      "GroupName",
      "GroupPolicyList",
    ),
  );
  const policies = list(top, "Policies", source).map((raw, i) =>
    parsePolicy(object(raw, at(`Policies[${i}]`)), `Policies[${i}]`, source),
  );
  return {
    roles,
    users,
    groups,
    policies,
    instanceProfiles: [...profiles].map(([name, p]) => ({ name, arn: p.arn, roles: [...p.roles] })),
    userCount: users.length,
  };
}

function parseRole(r: Record<string, unknown>, where: string, source: string): RoleFacts {
  const name = requiredString(r, "RoleName", where, source);
  const arn = requiredString(r, "Arn", where, source);
  const createDate = parseDate(r["CreateDate"], `${source}:${where}.CreateDate`, true) as Date;
  const path = typeof r["Path"] === "string" ? (r["Path"] as string) : "/";
  const used = r["RoleLastUsed"];
  let lastUsed: Date | undefined;
  let lastUsedRegion: string | undefined;
  if (used !== undefined && used !== null) {
    const u = object(used, `${source}:${where}.RoleLastUsed`);
    lastUsed = parseDate(u["LastUsedDate"], `${source}:${where}.RoleLastUsed.LastUsedDate`, false);
    lastUsedRegion = typeof u["Region"] === "string" ? (u["Region"] as string) : undefined;
  }
  return { name, arn, path, createDate, lastUsed, lastUsedRegion };
}

function principal(
  o: Record<string, unknown>,
  where: string,
  source: string,
  nameKey: string,
  inlineKey: string,
): PrincipalPolicyFacts {
  const inline: InlinePolicyFacts[] = list(o, inlineKey, source, where).map((p, j) => {
    const pw = `${where}.${inlineKey}[${j}]`;
    const po = object(p, `${source}:${pw}`);
    return { name: requiredString(po, "PolicyName", pw, source), document: document(po, pw, source) };
  });
  const attached = list(o, "AttachedManagedPolicies", source, where).map((p, j) =>
    requiredString(
      object(p, `${source}:${where}.AttachedManagedPolicies[${j}]`),
      "PolicyArn",
      `${where}.AttachedManagedPolicies[${j}]`,
      source,
    ),
  );
  return {
    name: requiredString(o, nameKey, where, source),
    arn: requiredString(o, "Arn", where, source),
    inlinePolicies: inline,
    attachedPolicyArns: attached,
  };
}

function parsePolicy(p: Record<string, unknown>, where: string, source: string): ManagedPolicyFacts {
  const versions = list(p, "PolicyVersionList", source, where).map((v, j) =>
    object(v, `${source}:${where}.PolicyVersionList[${j}]`),
  );
  const defaultId = p["DefaultVersionId"];
  const index = versions.findIndex(
    (v) => v["IsDefaultVersion"] === true || (defaultId !== undefined && v["VersionId"] === defaultId),
  );
  const base = {
    name: requiredString(p, "PolicyName", where, source),
    arn: requiredString(p, "Arn", where, source),
    path: typeof p["Path"] === "string" ? (p["Path"] as string) : "/",
  };
  if (index < 0) {
    if (versions.length > 0) {
      throw new InventoryFormatError(
        `${source}:${where}.PolicyVersionList: no default version (IsDefaultVersion true, or VersionId ${JSON.stringify(defaultId ?? "")})`,
      );
    }
    // A trimmed export without versions: the policy is known, its document is not.
    return { ...base, defaultVersionId: typeof defaultId === "string" ? defaultId : "", document: undefined };
  }
  const vw = `${where}.PolicyVersionList[${index}]`;
  return {
    ...base,
    defaultVersionId:
      typeof versions[index]["VersionId"] === "string" ? (versions[index]["VersionId"] as string) : "",
    document: document(versions[index], vw, source),
  };
}

/** A policy document as the export holds it: an object (the CLI decodes it) or a URL-encoded string (the API). */
function document(o: Record<string, unknown>, where: string, source: string): unknown {
  const key = "PolicyDocument" in o ? "PolicyDocument" : "Document";
  const d = o[key];
  if (d === undefined || d === null || (typeof d !== "object" && typeof d !== "string")) {
    throw new InventoryFormatError(
      `${source}:${where}.${key}: missing, or neither a JSON object nor a string`,
    );
  }
  return d;
}

/** `o[key]` as a list (absent: empty); `path` is where `o` is in the export ("" at the top). */
function list(o: Record<string, unknown>, key: string, source: string, path = ""): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) {
    return [];
  }
  if (!Array.isArray(v)) {
    throw new InventoryFormatError(
      `${source}:${path ? `${path}.` : ""}${key}: not a list (found ${describe(v)})`,
    );
  }
  return v;
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new InventoryFormatError(`${where}: not an object (found ${describe(v)})`);
  }
  return v as Record<string, unknown>;
}

function requiredString(r: Record<string, unknown>, key: string, where: string, source: string): string {
  const v = r[key];
  if (typeof v !== "string" || v === "") {
    throw new InventoryFormatError(`${source}:${where}.${key}: missing or not a string`);
  }
  return v;
}

function describe(v: unknown): string {
  return v === null
    ? "null"
    : Array.isArray(v)
      ? "an array"
      : typeof v === "object"
        ? "an object"
        : `a ${typeof v}`;
}

/** ISO 8601 dates as the CLI prints them ("2024-01-31T12:00:00+00:00" or "...Z"); numbers are epoch seconds; the SDK gives Dates. */
export function parseDate(v: unknown, where: string, required: boolean): Date | undefined {
  if (v === undefined || v === null || v === "") {
    if (required) {
      throw new InventoryFormatError(`${where}: missing`);
    }
    return undefined;
  }
  const d =
    v instanceof Date
      ? v
      : typeof v === "number"
        ? new Date(v * 1000)
        : typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)
          ? new Date(v)
          : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new InventoryFormatError(`${where}: ${JSON.stringify(v)} is not an ISO 8601 date`);
  }
  return d;
}

/**
 * The line (1-based) of a JSON.parse error, and its message with the column. Node's messages name a
 * position for some errors only ("Unexpected token 'u', ..." names none), so the offset comes from
 * a small scan of the text to the first place that is not JSON (a truncated document ends there).
 */
export function jsonErrorAt(e: Error, text: string): { line: number; message: string } {
  const pos = jsonErrorOffset(text);
  const before = text.slice(0, pos).split("\n");
  return {
    line: before.length,
    message: `${e.message.replace(/\s+/g, " ").trim()}; line ${before.length}, column ${before[before.length - 1].length + 1}`,
  };
}

/** Offset of the first character where `text` stops being one JSON value (RFC 8259). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === "\\" ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}

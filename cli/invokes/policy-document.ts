/**
 * `aws:iam/getPolicyDocument:getPolicyDocument` computed offline exactly as the provider computes it
 * (pulumi-aws bridges terraform-provider-aws's `aws_iam_policy_document` data source). References,
 * in hashicorp/terraform-provider-aws:
 *   - internal/service/iam/policy_document_data_source.go: the schema (sets of strings for actions,
 *     resources and their Not* forms; sets of principal and condition blocks; `effect` default
 *     "Allow" in Allow|Deny; `sid` alphanumeric; `version` default "2012-10-17" in
 *     2008-10-17|2012-10-17; `source_json`/`override_json` must be empty) and the read: source
 *     documents merged in order (duplicate Sids across them are an error), then this document, then
 *     the override documents (a statement replaces the one with its Sid); `&{` becomes `${` in
 *     resources, principals and condition values (an error with version 2008-10-17);
 *   - internal/service/iam/policy_model.go: the JSON (struct field order Version, Id, Statement and
 *     Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition;
 *     empty fields omitted); one value is a string, several a list sorted in reverse; principals
 *     grouped by type, `{"*": ["*"]}` written as "*"; conditions grouped by test and variable,
 *     single values as strings; how source documents are decoded (Go's encoding/json: fields matched
 *     case-insensitively, map keys sorted when written, condition values that are numbers or objects
 *     dropped, a list holding a non-string crashes the provider);
 *   - the outputs: `json` (MarshalIndent, two spaces), `minifiedJson` (Marshal) and `id`
 *     (create.StringHashcode of `json`: its crc32 as a decimal).
 * The provider's own expectations (policy_document_data_source_test.go) pin this in
 * test/plan/invokes/policy-document.test.ts.
 */
import { jsonSyntaxError } from "../json-syntax";
import { InvokeError } from "./errors";
import { goCompare, goMarshal, goSort, goTypeName, jsonTypeName, sortedKeys } from "./go-json";
import { hashcode, setOrder, TF_STRING, tfBlock, tfList, tfSet } from "./terraform-set";

export const POLICY_DOCUMENT_TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument";

const VERSIONS = ["2008-10-17", "2012-10-17"];
const EFFECTS = ["Allow", "Deny"];

const STRING_SET = tfSet(TF_STRING);
const PRINCIPAL = tfBlock({ identifiers: STRING_SET, type: TF_STRING });
const CONDITION = tfBlock({ test: TF_STRING, values: tfList(TF_STRING), variable: TF_STRING });

/** A statement as the provider holds it (iamPolicyStatement); `any` fields keep what they were given. */
interface Statement {
  Sid: string;
  Effect: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: Principal[];
  NotPrincipal?: Principal[];
  Condition?: Condition[];
}
interface Principal {
  type: string;
  identifiers: string | string[];
}
interface Condition {
  test: string;
  variable: string;
  values: string | string[];
}
interface Doc {
  Version: string;
  Id: string;
  Statement: Statement[];
}

interface PrincipalArgs {
  type?: unknown;
  identifiers?: unknown;
}
interface ConditionArgs {
  test?: unknown;
  variable?: unknown;
  values?: unknown;
}
interface StatementArgs {
  sid?: unknown;
  effect?: unknown;
  actions?: unknown;
  notActions?: unknown;
  resources?: unknown;
  notResources?: unknown;
  principals?: unknown;
  notPrincipals?: unknown;
  conditions?: unknown;
}

export interface PolicyDocumentResult {
  result: Record<string, unknown>;
  /** What the provider silently drops from source documents (shown as program warnings). */
  warnings: string[];
}

/** The invoke's answer, or an InvokeError with the provider's message. */
export function getPolicyDocument(args: Record<string, unknown>): PolicyDocumentResult {
  const problems = validate(args);
  if (problems.length > 0) throw new InvokeError(POLICY_DOCUMENT_TOKEN, problems);
  const warnings: string[] = [];
  try {
    const doc = build(args, warnings);
    const json = goMarshal(docJson(doc), 2);
    return {
      result: {
        ...echo(args),
        json,
        minifiedJson: goMarshal(docJson(doc)),
        id: String(hashcode(json)),
      },
      warnings,
    };
  } catch (err) {
    if (err instanceof ProviderError) throw new InvokeError(POLICY_DOCUMENT_TOKEN, err.message);
    throw err;
  }
}

class ProviderError extends Error {}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v) => v !== undefined && v !== null).map(String) : [];
const str = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

/** Schema validation (ValidateFunc, Required) as the bridge reports it, every problem at once. */
function validate(args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const version = args.version === undefined ? "2012-10-17" : str(args.version);
  if (!VERSIONS.includes(version))
    problems.push(`expected version to be one of ${goList(VERSIONS)}, got ${version}`);
  for (const key of ["sourceJson", "overrideJson"] as const)
    if (str(args[key]) !== "") problems.push(`expected ${key} to be an empty string, got ${str(args[key])}`);
  for (const key of ["sourcePolicyDocuments", "overridePolicyDocuments"] as const)
    strings(args[key]).forEach((text, i) => {
      const error = text === "" ? undefined : jsonSyntaxError(text);
      if (error) problems.push(`"${key}.${i}" contains an invalid JSON: ${error.message}`);
    });
  const statements = Array.isArray(args.statements) ? (args.statements as StatementArgs[]) : [];
  statements.forEach((s, i) => {
    const at = `statements[${i}]`;
    if (s.effect !== undefined && !EFFECTS.includes(str(s.effect)))
      problems.push(`expected ${at}.effect to be one of ${goList(EFFECTS)}, got ${str(s.effect)}`);
    if (!/^[a-zA-Z0-9]*$/.test(str(s.sid)))
      problems.push(`invalid value for ${at}.sid (must only include alphanumeric characters)`);
    for (const kind of ["principals", "notPrincipals"] as const)
      (Array.isArray(s[kind]) ? (s[kind] as PrincipalArgs[]) : []).forEach((p, j) => {
        if (p?.type === undefined) problems.push(`Missing required argument: ${at}.${kind}[${j}].type`);
        if (p?.identifiers === undefined)
          problems.push(`Missing required argument: ${at}.${kind}[${j}].identifiers`);
      });
    (Array.isArray(s.conditions) ? (s.conditions as ConditionArgs[]) : []).forEach((c, j) => {
      for (const field of ["test", "variable", "values"] as const)
        if (c?.[field] === undefined)
          problems.push(`Missing required argument: ${at}.conditions[${j}].${field}`);
    });
  });
  return problems;
}

/** Go's %q of a []string: ["Allow" "Deny"]. */
const goList = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;

function build(args: Record<string, unknown>, warnings: string[]): Doc {
  const merged: Doc = { Version: "", Id: "", Statement: [] };

  const sources = strings(args.sourcePolicyDocuments);
  const sids = new Set<string>();
  sources.forEach((text, i) => {
    // `[""]` holds no document: the SDK reads an empty list element as nil, which the read skips.
    if (text === "") return;
    const doc = decodeDocument(text, `source document ${i}`, warnings);
    doc.Statement.forEach((s, j) => {
      if (s.Sid === "") return;
      if (sids.has(s.Sid))
        throw new ProviderError(
          `writing IAM Policy Document: merging source document ${i}: duplicate Sid (${s.Sid}) in ` +
            `source_policy_documents (statement ${j}). Remove the Sid or ensure Sids are unique.`,
        );
      sids.add(s.Sid);
    });
    merge(merged, doc);
  });

  const version = args.version === undefined ? "2012-10-17" : str(args.version);
  const current: Doc = { Version: version, Id: str(args.policyId), Statement: [] };
  const seen = new Set<string>();
  for (const s of Array.isArray(args.statements) ? (args.statements as StatementArgs[]) : []) {
    const sid = str(s.sid);
    if (seen.has(sid))
      throw new ProviderError(
        `writing IAM Policy Document: duplicate Sid (${sid}). Remove the Sid or ensure the Sid is unique.`,
      );
    if (sid !== "") seen.add(sid);
    current.Statement.push(statement(s, version));
  }
  merge(merged, current);

  strings(args.overridePolicyDocuments).forEach((text, i) => {
    if (text === "") return;
    merge(merged, decodeDocument(text, `override document ${i}`, warnings));
  });
  return merged;
}

/** iamPolicyDoc.Merge: adopt a non-empty Id, upgrade the Version, replace statements by Sid. */
function merge(into: Doc, next: Doc): void {
  if (next.Id !== "") into.Id = next.Id;
  if (goCompare(next.Version, into.Version) > 0) into.Version = next.Version;
  for (const s of next.Statement) {
    const at = s.Sid === "" ? -1 : into.Statement.findIndex((e) => e.Sid === s.Sid);
    if (at >= 0) into.Statement[at] = s;
    else into.Statement.push(s);
  }
}

/** A statement block of the config, as dataSourcePolicyDocumentRead builds it. */
function statement(s: StatementArgs, version: string): Statement {
  const out: Statement = { Sid: str(s.sid), Effect: s.effect === undefined ? "Allow" : str(s.effect) };
  const list = (value: unknown) => setOrder(strings(value), TF_STRING);
  const actions = list(s.actions);
  if (actions.length > 0) out.Action = decodeStrings(actions);
  const notActions = list(s.notActions);
  if (notActions.length > 0) out.NotAction = decodeStrings(notActions);
  const resources = list(s.resources);
  if (resources.length > 0)
    out.Resource = replaceVars(decodeStrings(resources), version, "reading resources");
  const notResources = list(s.notResources);
  if (notResources.length > 0)
    out.NotResource = replaceVars(decodeStrings(notResources), version, "reading not_resources");
  const principals = principalsOf(s.principals, version, "reading principals");
  if (principals.length > 0) out.Principal = principals;
  const notPrincipals = principalsOf(s.notPrincipals, version, "reading not_principals");
  if (notPrincipals.length > 0) out.NotPrincipal = notPrincipals;
  const conditions = conditionsOf(s.conditions, version);
  if (conditions.length > 0) out.Condition = conditions;
  return out;
}

/** policyDecodeConfigStrings: the one element as a string, else the list sorted in reverse. */
function decodeStrings(list: string[]): string | string[] {
  return list.length === 1 ? list[0] : goSort(list).reverse();
}

/** dataSourcePolicyDocumentReplaceVarsInList: `&{` -> `${` (not allowed in version 2008-10-17). */
function replaceVars<T extends string | string[]>(value: T, version: string, what: string): T {
  const one = (s: string) => {
    if (version === "2008-10-17" && s.includes("&{"))
      throw new ProviderError(
        `${what}: found &{ sequence in (${s}), which is not supported in document version 2008-10-17`,
      );
    return s.replaceAll("&{", "${");
  };
  return (typeof value === "string" ? one(value) : value.map(one)) as T;
}

function principalsOf(value: unknown, version: string, what: string): Principal[] {
  const blocks = (Array.isArray(value) ? (value as PrincipalArgs[]) : []).map((p) => ({
    type: str(p.type),
    identifiers: strings(p.identifiers),
  }));
  return setOrder(blocks, PRINCIPAL).map((p) => ({
    type: p.type,
    identifiers: replaceVars(
      decodeStrings(setOrder(p.identifiers, TF_STRING)),
      version,
      `${what}: reading identifiers`,
    ),
  }));
}

function conditionsOf(value: unknown, version: string): Condition[] {
  const blocks = (Array.isArray(value) ? (value as ConditionArgs[]) : []).map((c) => ({
    test: str(c.test),
    variable: str(c.variable),
    // expandStringListKeepEmpty: a list, in order, empty strings kept.
    values: Array.isArray(c.values) ? c.values.map(str) : [],
  }));
  return setOrder(blocks, CONDITION).map((c) => {
    const values = replaceVars(c.values, version, "reading condition: reading values");
    return { test: c.test, variable: c.variable, values: values.length === 1 ? values[0] : values };
  });
}

// ---- Decoding a source or override document (json.Unmarshal into iamPolicyDoc) ----------------

const DOC_FIELDS = ["Version", "Id", "Statement"] as const;
const STATEMENT_FIELDS = {
  Sid: "Sid",
  Effect: "Effect",
  Action: "Action",
  NotAction: "NotAction",
  Resource: "Resource",
  NotResource: "NotResource",
  Principal: "Principal",
  NotPrincipal: "NotPrincipal",
  Condition: "Condition",
} as const;

/** encoding/json's field matching: the exact name, else a case-insensitive one; later keys win. */
function fieldOf<T extends string>(key: string, fields: readonly T[]): T | undefined {
  return fields.find((f) => f === key) ?? fields.find((f) => f.toLowerCase() === key.toLowerCase());
}

function decodeDocument(text: string, what: string, warnings: string[]): Doc {
  const fail = (problem: string): never => {
    throw new ProviderError(`writing IAM Policy Document: merging ${what}: ${problem}`);
  };
  const data: unknown = JSON.parse(text);
  const doc: Doc = { Version: "", Id: "", Statement: [] };
  if (data === null) return doc;
  if (typeof data !== "object" || Array.isArray(data))
    fail(`json: cannot unmarshal ${jsonTypeName(data)} into Go value of type iam.iamPolicyDoc`);
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const field = fieldOf(key, DOC_FIELDS);
    if (!field || value === null) continue;
    if (field === "Statement") {
      if (!Array.isArray(value))
        fail(
          `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field iamPolicyDoc.Statement ` +
            "of type []*iam.iamPolicyStatement",
        );
      doc.Statement = (value as unknown[]).map((s, i) => decodeStatement(s, i, fail, warnings, what));
    } else {
      if (typeof value !== "string")
        fail(
          `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field iamPolicyDoc.${field} of type string`,
        );
      doc[field] = value as string;
    }
  }
  return doc;
}

function decodeStatement(
  raw: unknown,
  index: number,
  fail: (problem: string) => never,
  warnings: string[],
  what: string,
): Statement {
  // A null statement is a nil pointer that Merge dereferences: the provider crashes.
  if (raw === null) fail(`Statement[${index}] is null (the provider crashes on it: nil pointer dereference)`);
  if (typeof raw !== "object" || Array.isArray(raw))
    fail(
      `json: cannot unmarshal ${jsonTypeName(raw)} into Go struct field iamPolicyDoc.Statement ` +
        "of type iam.iamPolicyStatement",
    );
  const s: Statement = { Sid: "", Effect: "" };
  const names = Object.values(STATEMENT_FIELDS);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = fieldOf(key, names);
    if (!field) continue;
    switch (field) {
      case "Sid":
      case "Effect":
        if (value === null) break;
        if (typeof value !== "string")
          fail(
            `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field iamPolicyStatement.Statement.${field} of type string`,
          );
        s[field] = value as string;
        break;
      case "Principal":
      case "NotPrincipal":
        s[field] = decodePrincipals(value, fail);
        break;
      case "Condition":
        s.Condition = decodeConditions(value, fail, (dropped) =>
          warnings.push(
            `${what}, Statement[${index}]: the provider drops condition ${dropped} (only strings, booleans ` +
              "and lists of strings are kept when it reads a policy document)",
          ),
        );
        break;
      default:
        // `any`: kept as decoded; a null leaves it unset.
        if (value === null) delete s[field];
        else s[field] = value;
    }
  }
  return s;
}

/** iamPolicyStatementPrincipalSet.UnmarshalJSON. */
function decodePrincipals(value: unknown, fail: (problem: string) => never): Principal[] {
  if (typeof value === "string") return [{ type: "*", identifiers: ["*"] }];
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail(`Unsupported data type ${goTypeName(value)} for IAMPolicyStatementPrincipalSet`);
  const out: Principal[] = [];
  for (const [type, ids] of Object.entries(value as Record<string, unknown>)) {
    if (typeof ids === "string") {
      out.push({ type, identifiers: ids });
    } else if (Array.isArray(ids)) {
      ids.forEach((id, i) => {
        if (typeof id !== "string")
          fail(
            `Unsupported element type ${goTypeName(id)} for IAMPolicyStatementPrincipalSet.Identifiers[${i}] ` +
              `(principal type "${type}"): must be string`,
          );
      });
      out.push({ type, identifiers: goSort(ids as string[]) });
    } else {
      fail(`Unsupported data type ${goTypeName(ids)} for IAMPolicyStatementPrincipalSet.Identifiers`);
    }
  }
  return out;
}

/** iamPolicyStatementConditionSet.UnmarshalJSON (a map of maps; only some value types survive). */
function decodeConditions(
  value: unknown,
  fail: (problem: string) => never,
  dropped: (what: string) => void,
): Condition[] {
  if (value === null) return [];
  if (typeof value !== "object" || Array.isArray(value))
    fail(
      `json: cannot unmarshal ${jsonTypeName(value)} into Go value of type map[string]map[string]interface {}`,
    );
  const out: Condition[] = [];
  for (const [test, vars] of Object.entries(value as Record<string, unknown>)) {
    if (vars === null) continue;
    if (typeof vars !== "object" || Array.isArray(vars))
      fail(`json: cannot unmarshal ${jsonTypeName(vars)} into Go value of type map[string]interface {}`);
    for (const [variable, values] of Object.entries(vars as Record<string, unknown>)) {
      if (typeof values === "string") out.push({ test, variable, values: [values] });
      else if (typeof values === "boolean") out.push({ test, variable, values: String(values) });
      else if (Array.isArray(values)) {
        const bad = values.find((v) => typeof v !== "string");
        if (bad !== undefined)
          fail(
            `${test} ${variable}: a list holding ${goTypeName(bad)} ${JSON.stringify(bad)} (the provider crashes ` +
              "on it: interface conversion: interface {} is not string)",
          );
        out.push({ test, variable, values: values as string[] });
      } else dropped(`${test} ${variable}: ${JSON.stringify(values)}`);
    }
  }
  return out;
}

// ---- Writing JSON (MarshalJSON of the model) ----------------------------------------------------

function docJson(doc: Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (doc.Version !== "") out.Version = doc.Version;
  if (doc.Id !== "") out.Id = doc.Id;
  if (doc.Statement.length > 0) out.Statement = doc.Statement.map(statementJson);
  return out;
}

/** `omitempty` on `any` drops only nil; on strings and the sets, empty ones. */
function statementJson(s: Statement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.Sid !== "") out.Sid = s.Sid;
  if (s.Effect !== "") out.Effect = s.Effect;
  for (const k of ["Action", "NotAction", "Resource", "NotResource"] as const)
    if (s[k] !== undefined) out[k] = sortedKeys(s[k]);
  if (s.Principal?.length) out.Principal = principalsJson(s.Principal);
  if (s.NotPrincipal?.length) out.NotPrincipal = principalsJson(s.NotPrincipal);
  if (s.Condition?.length) out.Condition = conditionsJson(s.Condition);
  return out;
}

/** iamPolicyStatementPrincipalSet.MarshalJSON. */
function principalsJson(ps: Principal[]): unknown {
  if (ps.length === 1 && ps[0].type === "*") {
    const ids = ps[0].identifiers;
    if (ids === "*" || (Array.isArray(ids) && ids.length === 1 && ids[0] === "*")) return "*";
  }
  const raw = new Map<string, string | string[]>();
  for (const p of ps) {
    const current = raw.get(p.type);
    if (Array.isArray(p.identifiers)) {
      const list = current === undefined ? [] : typeof current === "string" ? [current] : current;
      raw.set(p.type, [...list, ...goSort(p.identifiers).reverse()]);
    } else if (current === undefined) {
      raw.set(p.type, p.identifiers);
    } else {
      raw.set(p.type, typeof current === "string" ? [current, p.identifiers] : [...current, p.identifiers]);
    }
  }
  return Object.fromEntries([...raw.keys()].sort(goCompare).map((k) => [k, raw.get(k)]));
}

/** iamPolicyStatementConditionSet.MarshalJSON: values appended in order, single ones flattened. */
function conditionsJson(cs: Condition[]): unknown {
  const raw = new Map<string, Map<string, string[]>>();
  for (const c of cs) {
    const byVariable = raw.get(c.test) ?? new Map<string, string[]>();
    raw.set(c.test, byVariable);
    byVariable.set(c.variable, [
      ...(byVariable.get(c.variable) ?? []),
      ...(Array.isArray(c.values) ? c.values : [c.values]),
    ]);
  }
  const out: Record<string, unknown> = {};
  for (const test of [...raw.keys()].sort(goCompare)) {
    const vars = raw.get(test)!;
    out[test] = Object.fromEntries(
      [...vars.keys()].sort(goCompare).map((v) => {
        const values = vars.get(v)!;
        return [v, values.length === 1 ? values[0] : values];
      }),
    );
  }
  return out;
}

// ---- The invoke's other outputs ------------------------------------------------------------------

/** The arguments as the provider's state holds them: defaults filled, sets in set order. */
function echo(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    version: args.version === undefined ? "2012-10-17" : str(args.version),
  };
  for (const k of ["policyId", "sourcePolicyDocuments", "overridePolicyDocuments"] as const)
    if (args[k] !== undefined) out[k] = args[k];
  if (Array.isArray(args.statements))
    out.statements = (args.statements as StatementArgs[]).map((s) => {
      const st: Record<string, unknown> = { effect: s.effect === undefined ? "Allow" : str(s.effect) };
      if (s.sid !== undefined) st.sid = str(s.sid);
      for (const k of ["actions", "notActions", "resources", "notResources"] as const)
        if (s[k] !== undefined) st[k] = setOrder(strings(s[k]), TF_STRING);
      for (const k of ["principals", "notPrincipals"] as const)
        if (Array.isArray(s[k]))
          st[k] = setOrder(
            (s[k] as PrincipalArgs[]).map((p) => ({
              type: str(p.type),
              identifiers: strings(p.identifiers),
            })),
            PRINCIPAL,
          ).map((p) => ({ identifiers: setOrder(p.identifiers, TF_STRING), type: p.type }));
      if (Array.isArray(s.conditions))
        st.conditions = setOrder(
          (s.conditions as ConditionArgs[]).map((c) => ({
            test: str(c.test),
            values: Array.isArray(c.values) ? c.values.map(str) : [],
            variable: str(c.variable),
          })),
          CONDITION,
        );
      return st;
    });
  return out;
}

/**
 * lib/iam-document.ts on its own: every shape IAM accepts, every shape it rejects (with the reason
 * the pack reports), unknown values kept where they are, wildcard matching, and the condition
 * helpers the TLS-only check relies on.
 */
import {
  conditionEntries,
  conditionIsBoolean,
  conditionValues,
  globMatches,
  hasWildcard,
  parsePolicyDocument,
  statementLabel,
} from "../lib/iam-document";
import { Unknown } from "../lib/props";

const u = new Unknown(new Error("unknown"));
const stmt = (s: object) => ({ Version: "2012-10-17", Statement: [s] });

describe("parsePolicyDocument rejects what AWS rejects, saying why", () => {
  test.each([
    ["an empty string", "", "the policy document is empty"],
    ["blank text", "  \n ", "the policy document is empty"],
    [
      "URL-encoded text that does not decode",
      "%7B%E0%A4%A",
      "the policy document looks URL-encoded but does not decode",
    ],
    ["text that is not JSON", "{nope", /^the policy document is not valid JSON \(/],
    ["a JSON array", "[]", "the policy document is not a JSON object"],
    ["JSON null", "null", "the policy document is not a JSON object"],
    ["a number", 42, "the policy document is not a JSON object"],
    ["no Statement", { Version: "2012-10-17" }, "the policy document has no Statement"],
    ["a statement that is not an object", { Statement: ["Allow"] }, "Statement[0] is not an object"],
    ["a statement that is a list", { Statement: [[]] }, "Statement[0] is not an object"],
    [
      "a bad Effect",
      stmt({ Effect: "Permit", Action: "s3:*" }),
      'Statement[0] has Effect "Permit"; it must be "Allow" or "Deny"',
    ],
    [
      "a missing Effect",
      stmt({ Action: "s3:*" }),
      'Statement[0] has Effect undefined; it must be "Allow" or "Deny"',
    ],
    [
      "neither Action nor NotAction",
      stmt({ Effect: "Allow", Resource: "*" }),
      "Statement[0] has neither Action nor NotAction",
    ],
    [
      "an Action that is a number",
      stmt({ Effect: "Allow", Action: 7 }),
      "Statement[0] has a Action that is not a string or list of strings (found 7)",
    ],
    [
      "a Resource list with an object",
      stmt({ Effect: "Allow", Action: "s3:*", Resource: ["a", { b: 1 }] }),
      'Statement[0] has a Resource that is not a string or list of strings (found {"b":1})',
    ],
  ])("%s", (_n, input, error) => {
    const parsed = parsePolicyDocument(input);
    expect(parsed.kind).toBe("invalid");
    if (parsed.kind === "invalid") {
      if (typeof error === "string") expect(parsed.error).toBe(error);
      else expect(parsed.error).toMatch(error);
    }
  });

  test.each(["Allowed", "xDeny", "Allow Deny", ""])("Effect %j is neither Allow nor Deny", (effect) => {
    expect(parsePolicyDocument(stmt({ Effect: effect, Action: "a:b" }))).toMatchObject({ kind: "invalid" });
  });

  test("null is not a statement", () => {
    expect(parsePolicyDocument({ Statement: [null] })).toEqual({
      kind: "invalid",
      error: "Statement[0] is not an object",
    });
  });

  test("the second bad statement is named by its index", () => {
    const parsed = parsePolicyDocument({
      Statement: [{ Effect: "Allow", Action: "s3:*" }, { Effect: "Deny" }],
    });
    expect(parsed).toEqual({ kind: "invalid", error: "Statement[1] has neither Action nor NotAction" });
  });
});

describe("parsePolicyDocument reads every form IAM accepts", () => {
  test("a URL-encoded JSON string, as the IAM API returns documents", () => {
    const text = encodeURIComponent(
      JSON.stringify(stmt({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })),
    );
    expect(text.startsWith("%7B")).toBe(true);
    expect(parsePolicyDocument(text)).toEqual({
      kind: "ok",
      statements: [{ index: 0, effect: "Allow", action: ["s3:GetObject"], resource: ["*"] }],
      unknownStatements: [],
    });
  });

  test("lower-case %7b and surrounding blanks", () => {
    const parsed = parsePolicyDocument(
      `  ${encodeURIComponent(JSON.stringify(stmt({ Effect: "deny", NotAction: "iam:*" }))).replace("%7B", "%7b")} `,
    );
    expect(parsed).toMatchObject({ kind: "ok", statements: [{ effect: "Deny", notAction: ["iam:*"] }] });
  });

  test("one statement object, Sid, Principal, NotPrincipal, Condition, NotResource", () => {
    const parsed = parsePolicyDocument({
      Statement: {
        Sid: "One",
        Effect: "ALLOW",
        Action: ["a:b"],
        NotResource: "x",
        Principal: { AWS: "*" },
        NotPrincipal: { AWS: "y" },
        Condition: { Bool: { k: "true" } },
      },
    });
    expect(parsed).toEqual({
      kind: "ok",
      unknownStatements: [],
      statements: [
        {
          index: 0,
          sid: "One",
          effect: "Allow",
          action: ["a:b"],
          notResource: ["x"],
          principal: { AWS: "*" },
          notPrincipal: { AWS: "y" },
          condition: { Bool: { k: "true" } },
        },
      ],
    });
  });

  test("an empty or non-string Sid is no Sid", () => {
    for (const Sid of ["", 7]) {
      const parsed = parsePolicyDocument(stmt({ Sid, Effect: "Allow", Action: "a:b" }));
      expect(parsed.kind === "ok" && "sid" in parsed.statements[0]).toBe(false);
    }
  });

  test("absent Principal, NotPrincipal, Condition and resources leave no keys behind", () => {
    const parsed = parsePolicyDocument(stmt({ Effect: "Allow", Action: "a:b" }));
    expect(parsed.kind === "ok" && Object.keys(parsed.statements[0]).sort()).toEqual([
      "action",
      "effect",
      "index",
    ]);
  });

  test("JSON text that merely contains %7B is not URL-decoded", () => {
    const parsed = parsePolicyDocument(
      JSON.stringify(stmt({ Sid: "a%7Bb", Effect: "Allow", Action: "a:b" })),
    );
    expect(parsed.kind === "ok" && parsed.statements[0].sid).toBe("a%7Bb");
  });

  test("unknown values stay in place: the document, the list, one statement, Effect, one element", () => {
    expect(parsePolicyDocument(u)).toEqual({ kind: "unknown", marker: u });
    expect(parsePolicyDocument({ Statement: u })).toEqual({ kind: "unknown", marker: u });
    const parsed = parsePolicyDocument({
      Statement: [u, { Effect: u, Action: ["a:b", u], Resource: u }],
    });
    expect(parsed).toEqual({
      kind: "ok",
      unknownStatements: [{ index: 0, marker: u }],
      statements: [{ index: 1, effect: u, action: ["a:b", u], resource: u }],
    });
  });
});

test("statementLabel names a statement by Sid and index, or by index", () => {
  expect(statementLabel({ index: 2 })).toBe("Statement[2]");
  expect(statementLabel({ index: 0, sid: "S" })).toBe('statement "S" (Statement[0])');
});

describe("IAM wildcards", () => {
  test.each([
    ["sagemaker:*", "sagemaker:InvokeEndpoint", true],
    ["SageMaker:invoke*", "sagemaker:InvokeEndpoint", true],
    ["sagemaker:Invoke?ndpoint", "sagemaker:InvokeEndpoint", true],
    ["sagemaker:Invoke?", "sagemaker:InvokeEndpoint", false],
    ["s3:*", "sagemaker:InvokeEndpoint", false],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/k/with.dots+and(parens)", true],
    ["a.b", "axb", false],
    ["(x)", "(x)", true],
    ["*", "line\nbreak", true],
  ])("%s matches %s: %s", (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
  test("hasWildcard", () => {
    expect([hasWildcard("a*"), hasWildcard("a?"), hasWildcard("abc")]).toEqual([true, true, false]);
  });
});

describe("condition helpers (the TLS-only check: Bool aws:SecureTransport false)", () => {
  const cond = { Bool: { "AWS:SecureTransport": "false" }, StringEquals: { "aws:x": ["a", "b"] } };

  test("conditionValues: one value or a list, the key matched case-insensitively, the operator exactly", () => {
    expect(conditionValues(cond, "Bool", "aws:securetransport")).toEqual(["false"]);
    expect(conditionValues(cond, "StringEquals", "aws:x")).toEqual(["a", "b"]);
    expect(conditionValues(cond, "bool", "aws:SecureTransport")).toBeUndefined();
    expect(conditionValues(cond, "Bool", "aws:other")).toBeUndefined();
    expect(conditionValues(undefined, "Bool", "k")).toBeUndefined();
    expect(conditionValues(null, "Bool", "k")).toBeUndefined();
    expect(conditionValues(u, "Bool", "k")).toBeUndefined();
    expect(conditionValues({ Bool: null }, "Bool", "k")).toBeUndefined();
    expect(conditionValues({ Bool: "x" }, "Bool", "k")).toBeUndefined();
    expect(conditionValues({ Other: { k: "1" }, Bool: { k: "2" } }, "Bool", "k")).toEqual(["2"]);
  });

  test("conditionIsBoolean: every value is the boolean, as a string (any case) or a boolean", () => {
    expect(conditionIsBoolean(["false"], false)).toBe(true);
    expect(conditionIsBoolean(["FALSE", false], false)).toBe(true);
    expect(conditionIsBoolean(["true"], true)).toBe(true);
    expect(conditionIsBoolean(["true"], false)).toBe(false);
    expect(conditionIsBoolean(["false", "true"], false)).toBe(false);
    expect(conditionIsBoolean([], false)).toBe(false);
    expect(conditionIsBoolean(undefined, false)).toBe(false);
    expect(conditionIsBoolean([0], false)).toBe(false);
  });

  test("conditionEntries: every operator and key, values as lists; unknown or malformed blocks say so", () => {
    expect(conditionEntries(undefined)).toEqual([]);
    expect(conditionEntries(cond)).toEqual([
      { operator: "Bool", key: "AWS:SecureTransport", values: ["false"] },
      { operator: "StringEquals", key: "aws:x", values: ["a", "b"] },
    ]);
    expect(conditionEntries(u)).toBe(u);
    expect(conditionEntries({ Bool: u })).toBe(u);
    expect(conditionEntries({ Bool: { k: u } })).toEqual([{ operator: "Bool", key: "k", values: u }]);
    expect(conditionEntries("x")).toBe("the Condition is not an object");
    expect(conditionEntries([])).toBe("the Condition is not an object");
    expect(conditionEntries(null)).toBe("the Condition is not an object");
    expect(conditionEntries({ Bool: [] })).toBe(
      "the Condition operator Bool does not hold an object of keys",
    );
    expect(conditionEntries({ Bool: null })).toBe(
      "the Condition operator Bool does not hold an object of keys",
    );
  });
});

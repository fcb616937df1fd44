/** lib/mfa.ts: what each IAM condition means for MFA (AWS's documented semantics), unknowns included. */
import { Statement } from "../lib/iam-document";
import {
  allowRequiresMfa,
  coversAssumeRole,
  deniesBroadly,
  denyWithoutMfa,
  enforcement,
  valuesAre,
} from "../lib/mfa";
import { Unknown } from "../lib/props";

const u = new Unknown(new Error("unknown"));
const s = (over: Partial<Statement>): Statement => ({ index: 0, effect: "Deny", ...over });

test("valuesAre: every value is the boolean; an unknown one decides only when the rest agree", () => {
  expect(valuesAre(["true", true, "TRUE"], true)).toBe(true);
  expect(valuesAre(["true", "false"], true)).toBe(false);
  expect(valuesAre([], true)).toBe(false);
  expect(valuesAre(["1"], true)).toBe(false);
  expect(valuesAre(["true", u], true)).toBe(u);
  expect(valuesAre(["false", u], true)).toBe(false);
  expect(valuesAre(u, true)).toBe(u);
});

describe("allowRequiresMfa (an Allow grants only with MFA)", () => {
  test.each([
    [{ Bool: { "aws:MultiFactorAuthPresent": "true" } }, true],
    [{ Bool: { "AWS:MultiFactorAuthPresent": true } }, true],
    [{ Bool: { "aws:MultiFactorAuthPresent": ["true", "false"] } }, false],
    [{ Bool: { "aws:MultiFactorAuthPresent": "false" } }, false],
    [{ BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, false],
    [{ NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, true],
    [{ NumericLessThanEquals: { "aws:MultiFactorAuthAge": 3600 } }, true],
    [{ NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }, false],
    [{ NumericGreaterThan: { "aws:MultiFactorAuthAge": "3600" } }, false],
    [{ Null: { "aws:MultiFactorAuthAge": "false" } }, true],
    [{ Null: { "aws:MultiFactorAuthAge": "true" } }, false],
    [{ Null: { "aws:MultiFactorAuthPresent": "false" } }, false],
    [
      { StringEquals: { "aws:PrincipalTag/team": "ml" }, Bool: { "aws:MultiFactorAuthPresent": "true" } },
      true,
    ],
    [{ StringEquals: { "aws:PrincipalTag/team": "ml" } }, false],
    [undefined, false],
    ["not an object", false],
  ])("%j -> %s", (condition, expected) => {
    expect(allowRequiresMfa(condition)).toBe(expected);
  });

  test("unknown parts: the whole Condition, or the MFA value; an unrelated unknown does not matter", () => {
    expect(allowRequiresMfa(u)).toBe(u);
    expect(allowRequiresMfa({ Bool: { "aws:MultiFactorAuthPresent": u } })).toBe(u);
    expect(
      allowRequiresMfa({
        Bool: { "aws:MultiFactorAuthPresent": u },
        Null: { "aws:MultiFactorAuthAge": "false" },
      }),
    ).toBe(true);
    expect(allowRequiresMfa({ StringEquals: { "aws:x": u } })).toBe(false);
    expect(allowRequiresMfa({ NumericLessThan: { "aws:MultiFactorAuthAge": u } })).toBe(true);
  });
});

describe("denyWithoutMfa (which requests without MFA a Deny refuses)", () => {
  test.each([
    [{ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }, "all"],
    [{ Null: { "aws:MultiFactorAuthAge": "true" } }, "all"],
    [{ Null: { "aws:MultiFactorAuthAge": "false" } }, "none"],
    [{ Bool: { "aws:MultiFactorAuthPresent": "false" } }, "console"],
    [{ BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, "none"],
    [{ BoolIfExists: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false" } }, "all"],
    [{ Bool: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false" } }, "console"],
    [
      {
        BoolIfExists: { "aws:MultiFactorAuthPresent": "false" },
        Bool: { "aws:MultiFactorAuthPresent": "false" },
      },
      "console",
    ],
    [{ BoolIfExists: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "true" } }, "none"],
    [{ Bool: { "aws:ViaAWSService": "false" } }, "none"],
    [
      {
        BoolIfExists: { "aws:MultiFactorAuthPresent": "false" },
        StringEquals: { "aws:RequestedRegion": "x" },
      },
      "none",
    ],
    [{}, "none"],
    [undefined, "none"],
    [[], "none"],
  ])("%j -> %s", (condition, expected) => {
    expect(denyWithoutMfa(condition)).toBe(expected);
  });

  test("unknown parts", () => {
    expect(denyWithoutMfa(u)).toBe(u);
    expect(denyWithoutMfa({ BoolIfExists: { "aws:MultiFactorAuthPresent": u } })).toBe(u);
    expect(denyWithoutMfa({ Null: { "aws:MultiFactorAuthAge": u } })).toBe(u);
    expect(
      denyWithoutMfa({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": u } }),
    ).toBe(u);
    expect(
      denyWithoutMfa({ BoolIfExists: { "aws:MultiFactorAuthPresent": u }, StringEquals: { k: "v" } }),
    ).toBe("none");
  });
});

test("deniesBroadly: Action * or NotAction, on Resource * (or none)", () => {
  expect(deniesBroadly(s({ action: ["*"], resource: ["*"] }))).toBe(true);
  expect(deniesBroadly(s({ notAction: ["iam:ListMFADevices"] }))).toBe(true);
  expect(deniesBroadly(s({ notAction: ["iam:*"], resource: ["arn:aws:s3:::b"] }))).toBe(false);
  expect(deniesBroadly(s({ action: ["s3:*"], resource: ["*"] }))).toBe(false);
  expect(deniesBroadly(s({ action: ["s3:*", u] }))).toBe(u);
  expect(deniesBroadly(s({ action: u }))).toBe(u);
  expect(deniesBroadly(s({ notAction: ["x"], resource: u }))).toBe(u);
  expect(deniesBroadly(s({ notAction: ["x"], resource: ["arn:x", u] }))).toBe(u);
});

test("coversAssumeRole: by name or pattern, or by a NotAction that leaves it in", () => {
  expect(coversAssumeRole(s({ action: ["sts:AssumeRole"] }))).toBe(true);
  expect(coversAssumeRole(s({ action: ["sts:*"] }))).toBe(true);
  expect(coversAssumeRole(s({ action: ["sts:AssumeRoleWithSAML"] }))).toBe(false);
  expect(coversAssumeRole(s({ action: ["sts:TagSession", u] }))).toBe(u);
  expect(coversAssumeRole(s({ action: u }))).toBe(u);
  expect(coversAssumeRole(s({ notAction: ["sts:TagSession"] }))).toBe(true);
  expect(coversAssumeRole(s({ notAction: ["sts:Assume*"] }))).toBe(false);
  expect(coversAssumeRole(s({ notAction: ["x", u] }))).toBe(u);
  expect(coversAssumeRole(s({ notAction: u }))).toBe(u);
  expect(coversAssumeRole(s({}))).toBe(false);
});

describe("enforcement (a policy's statements, for the principal it applies to)", () => {
  const deny = (condition: unknown, over: Partial<Statement> = {}) =>
    s({ notAction: ["iam:ListMFADevices"], resource: ["*"], condition, ...over });
  test("the strongest Deny wins; Allows never enforce", () => {
    expect(enforcement([s({ effect: "Allow", action: ["*"] })], [])).toEqual({ coverage: "none" });
    expect(enforcement([deny({ Bool: { "aws:MultiFactorAuthPresent": "false" } })], [])).toEqual({
      coverage: "console",
    });
    expect(
      enforcement(
        [
          deny({ Bool: { "aws:MultiFactorAuthPresent": "false" } }),
          deny({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }),
        ],
        [],
      ),
    ).toEqual({ coverage: "all" });
    expect(
      enforcement(
        [
          deny(
            { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
            { notAction: undefined, action: ["s3:*"] },
          ),
        ],
        [],
      ),
    ).toEqual({
      coverage: "none",
    });
  });
  test("unknowns that could make it enforce are returned, others are not", () => {
    expect(enforcement([], [{ marker: u }])).toEqual({ coverage: "none", unknown: u });
    expect(enforcement([s({ effect: u, action: ["*"] })], [])).toEqual({ coverage: "none", unknown: u });
    expect(enforcement([deny(u)], [])).toEqual({ coverage: "none", unknown: u });
    expect(
      enforcement([deny({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }, { resource: u })], []),
    ).toEqual({
      coverage: "none",
      unknown: u,
    });
    expect(enforcement([deny({ StringEquals: { k: "v" } }, { resource: u })], [])).toEqual({
      coverage: "none",
    });
    expect(
      enforcement([deny({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }), deny(u)], []),
    ).toEqual({ coverage: "all" });
  });
});

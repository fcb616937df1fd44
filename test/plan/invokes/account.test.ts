/**
 * Account look-ups answered from an authorization-details export as the provider answers them from
 * the account (terraform-provider-aws internal/service/iam/*_data_source.go): its fields and
 * formats, its "not found" errors, and unknowns (never invented values) for what the export lacks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { answerAccountLookup } from "../../../cli/invokes/account";
import { InvokeError } from "../../../cli/invokes/errors";
import { WIRE } from "../../../cli/wire";

const file = path.resolve(__dirname, "..", "..", "fixtures", "plan", "authorization-details.json");
const inventory = { file, data: JSON.parse(fs.readFileSync(file, "utf8")) };
const ask = (token: string, args: Record<string, unknown>, inv: typeof inventory | null = inventory) =>
  answerAccountLookup(`aws:iam/${token}`, args, inv ?? undefined);
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as InvokeError;
  }
  throw new Error("expected an error");
};

test("getRole: the provider's fields, dates in RFC 3339, the trust policy as text, tags without aws: keys", () => {
  expect(ask("getRole:getRole", { name: "Legacy-SageMaker-Role" })).toEqual({
    answer: {
      id: "Legacy-SageMaker-Role",
      arn: "arn:aws:iam::111122223333:role/legacy-sagemaker-role",
      name: "legacy-sagemaker-role",
      path: "/",
      uniqueId: "AROAEXAMPLELEGACY0001",
      createDate: "2023-05-01T12:00:00Z",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
      permissionsBoundary: "arn:aws:iam::111122223333:policy/boundary",
      roleLastUseds: [{ region: "us-east-1", lastUsedDate: "2024-01-15T10:04:52Z" }],
      tags: { owner: "data-team" },
      description: WIRE.unknown,
      maxSessionDuration: WIRE.unknown,
    },
    unknownFields: ["description", "maxSessionDuration"],
  });
});

test("a name the export does not have is the provider's error", () => {
  expect(errorOf(() => ask("getRole:getRole", { name: "nope" })).details).toBe(
    "invoking aws:iam/getRole:getRole: 1 error occurred:\n\t* reading IAM Role (nope): couldn't find resource",
  );
  expect(errorOf(() => ask("getUser:getUser", { userName: "nope" })).details).toMatch(
    /reading IAM User \(nope\): couldn't find resource$/,
  );
  expect(errorOf(() => ask("getGroup:getGroup", { groupName: "nope" })).details).toMatch(
    /reading IAM Group \(nope\): couldn't find resource$/,
  );
  expect(
    errorOf(() => ask("getPolicy:getPolicy", { arn: "arn:aws:iam::111122223333:policy/nope" })).details,
  ).toMatch(/reading IAM policy \(arn:aws:iam::111122223333:policy\/nope\): couldn't find resource$/);
  expect(errorOf(() => ask("getPolicy:getPolicy", { name: "nope", pathPrefix: "/team/" })).details).toMatch(
    /no IAM policy found matching criteria \(Name: nope, PathPrefix: \/team\/\); try different search$/,
  );
});

test("getUser and getGroup: ids, users of the group", () => {
  expect(ask("getUser:getUser", { userName: "alice" })).toEqual({
    answer: {
      id: "AIDAEXAMPLEALICE00001",
      arn: "arn:aws:iam::111122223333:user/alice",
      path: "/",
      permissionsBoundary: "",
      userId: "AIDAEXAMPLEALICE00001",
      userName: "alice",
      tags: { team: "ml" },
    },
  });
  expect(ask("getGroup:getGroup", { groupName: "data-scientists" })).toMatchObject({
    answer: {
      id: "AGPAEXAMPLEGROUP00001",
      groupName: "data-scientists",
      users: [
        {
          arn: "arn:aws:iam::111122223333:user/alice",
          path: "/",
          userId: "AIDAEXAMPLEALICE00001",
          userName: "alice",
        },
      ],
    },
  });
});

test("getPolicy: the default version's document; tags are not in an export, so unknown", () => {
  const outcome = ask("getPolicy:getPolicy", { name: "ml-data-read" });
  expect(outcome).toMatchObject({
    answer: {
      arn: "arn:aws:iam::111122223333:policy/ml-data-read",
      policyId: "ANPAEXAMPLEDATAREAD01",
      attachmentCount: 1,
      tags: WIRE.unknown,
    },
    unknownFields: ["tags"],
  });
  const doc = JSON.parse((outcome as { answer: { policy: string } }).answer.policy);
  expect(doc.Statement).toContainEqual({ Effect: "Allow", Action: "sagemaker:*", Resource: "*" });
});

test("what the export cannot settle is unknown with the reason, not an error and not a made-up value", () => {
  expect(ask("getRole:getRole", { name: "x" }, null)).toEqual({
    unknown: expect.stringContaining("pass --inventory <file>"),
  });
  expect(ask("getPolicy:getPolicy", { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })).toEqual({
    unknown: expect.stringContaining("is an AWS-managed policy the export"),
  });
  expect(ask("getPolicy:getPolicy", { name: "ReadOnlyAccess" })).toEqual({
    unknown: expect.stringContaining("may still be an AWS-managed policy"),
  });
  const filtered = { file, data: { RoleDetailList: [] } };
  expect(ask("getUser:getUser", { userName: "alice" }, filtered)).toEqual({
    unknown: expect.stringContaining("has no UserDetailList"),
  });
  expect(answerAccountLookup("aws:ec2/getVpc:getVpc", {}, inventory)).toBeUndefined();
});

test("a URL-encoded document (the API's raw form) is decoded as url.QueryUnescape does", () => {
  const raw = {
    file,
    data: {
      RoleDetailList: [
        {
          RoleName: "r",
          Arn: "a",
          CreateDate: "2020-01-01T00:00:00Z",
          AssumeRolePolicyDocument: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
        },
      ],
    },
  };
  expect(
    (ask("getRole:getRole", { name: "r" }, raw) as { answer: { assumeRolePolicy: string } }).answer
      .assumeRolePolicy,
  ).toBe('{"Version":"2012-10-17","Statement":[]}');
});

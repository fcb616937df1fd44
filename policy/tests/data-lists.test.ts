/** The two reviewed data files the wildcard policy relies on stay well-formed and keep their anchors. */
import managed from "../data/aws-managed-wildcard-policies.json";
import unscopable from "../data/sagemaker-unscopable-actions.json";
import { wildcardManagedPolicy } from "../lib/managed-policies";
import { isUnscopableSageMakerAction } from "../lib/sagemaker-permissions";

describe("sagemaker-unscopable-actions.json", () => {
  test("names its source and holds well-formed, unique, sorted action names", () => {
    expect(unscopable.source).toBe(
      "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html",
    );
    for (const a of unscopable.actions) {
      expect(a).toMatch(/^sagemaker:[A-Za-z0-9]+$/);
    }
    expect(new Set(unscopable.actions.map((a) => a.toLowerCase())).size).toBe(unscopable.actions.length);
    expect([...unscopable.actions].sort((x, y) => x.localeCompare(y))).toEqual(unscopable.actions);
  });

  test.each([
    "sagemaker:ListEndpoints",
    "sagemaker:ListTrainingJobs",
    "sagemaker:Search",
    "SAGEMAKER:LISTMODELS",
  ])("%s only takes Resource *", (a) => {
    expect(isUnscopableSageMakerAction(a)).toBe(true);
  });

  test.each([
    "sagemaker:InvokeEndpoint",
    "sagemaker:CreateTrainingJob",
    "sagemaker:ListTags",
    "sagemaker:DescribeEndpoint",
  ])("%s supports resource-level scoping", (a) => {
    expect(isUnscopableSageMakerAction(a)).toBe(false);
  });
});

describe("aws-managed-wildcard-policies.json", () => {
  test("names its source and leaves out service-linked role policies", () => {
    expect(managed.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    for (const p of managed.policies) {
      expect(p.path.endsWith(p.name)).toBe(true);
      expect(p.path.startsWith("aws-service-role/")).toBe(false);
      expect(p.grants).not.toBe("");
    }
  });

  test.each([
    ["AdministratorAccess", 'Action "*"'],
    ["PowerUserAccess", "NotAction"],
    ["AmazonSageMakerFullAccess", 'Action "sagemaker:*"'],
    ["job-function/DataScientist", 'Action "sagemaker:*"'],
    ["ReadOnlyAccess", 'Action "sagemaker:Describe*"'],
  ])("%s is on the list", (path, grants) => {
    expect(wildcardManagedPolicy(`arn:aws:iam::aws:policy/${path}`)?.grants).toContain(grants);
  });

  test.each([
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::111122223333:policy/AdministratorAccess",
    "AdministratorAccess",
  ])("%s is not an AWS-managed wildcard policy", (arn) => {
    expect(wildcardManagedPolicy(arn)).toBeUndefined();
  });
});

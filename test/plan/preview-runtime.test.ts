/**
 * The plan's preview runtime: what the SDK sends is captured as the engine would receive it, and
 * invokes behave as in a real preview where the plan can know the answer and as unknowns (traced to
 * the resources they reach) where it cannot, never as an empty "clean" result.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { INVOKE_MARKER_PREFIX, runPreview } from "../../cli/plan/preview-runtime";
import { WIRE } from "../../cli/wire";

const options = { project: "p", stack: "s", config: { "aws:region": "us-east-1" } };
const inventoryFile = path.resolve(__dirname, "..", "fixtures", "plan", "authorization-details.json");
const inventory = { file: inventoryFile, data: JSON.parse(fs.readFileSync(inventoryFile, "utf8")) };
const THIS_FILE = fs.readFileSync(__filename, "utf8").split("\n");
const lineOf = (needle: string) => THIS_FILE.findIndex((l) => l.includes(needle)) + 1;

test("a getPolicyDocumentOutput answer reaches the resource as the provider's JSON", async () => {
  const run = await runPreview(() => {
    const doc = aws.iam.getPolicyDocumentOutput({
      statements: [{ actions: ["s3:GetObject"], resources: ["*"] }],
    });
    new aws.iam.Policy("p", { policy: doc.json });
  }, options);
  const policy = run.resources.find((r) => r.type === "aws:iam/policy:Policy")!;
  expect(JSON.parse(policy.wireInputs.policy as string)).toEqual({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
  });
  expect(run.unresolved).toEqual([]);
  // The marker that traces invoke results never reaches what is captured.
  for (const r of run.resources) {
    expect(r.dependencies.some((u) => u.startsWith(INVOKE_MARKER_PREFIX))).toBe(false);
    expect(
      Object.values(r.propertyDependencies)
        .flat()
        .some((u) => u.startsWith(INVOKE_MARKER_PREFIX)),
    ).toBe(false);
    expect(r.fromInvokes).toEqual({});
  }
});

test("inputs unknown at preview: the Output form is unknown (as the SDK makes it), traced to its consumer", async () => {
  const run = await runPreview(() => {
    const bucket = new aws.s3.Bucket("b", {});
    const doc = aws.iam.getPolicyDocumentOutput({
      statements: [{ actions: ["s3:GetObject"], resources: [bucket.arn] }],
    });
    new aws.iam.Policy("p", { policy: doc.json });
  }, options);
  const bucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
  const policy = run.resources.find((r) => r.type === "aws:iam/policy:Policy")!;
  expect(policy.wireInputs.policy).toBe(WIRE.unknown);
  expect(run.unresolved).toEqual([
    expect.objectContaining({
      token: "aws:iam/getPolicyDocument:getPolicyDocument",
      form: "output",
      kind: "unknown-inputs",
      inputsFrom: [bucket.urn],
      site: expect.objectContaining({ uri: expect.stringContaining("preview-runtime.test.ts") }),
    }),
  ]);
  expect(policy.fromInvokes).toEqual({ policy: [run.unresolved[0].id] });
});

test("an invoke without an offline answer: unknown in both forms, never {} or undefined", async () => {
  const run = await runPreview(async () => {
    const vpc = aws.ec2.getVpcOutput({ default: true });
    new aws.ec2.SecurityGroup("out", { vpcId: vpc.id });
    const plain = await aws.ec2.getVpc({ default: true });
    expect(pulumi.Output.isInstance(plain.id)).toBe(false);
    new aws.ec2.SecurityGroup("plain", {
      vpcId: plain.id,
      description: `vpc ${plain.cidrBlock === undefined}`,
    });
  }, options);
  const out = run.resources.find((r) => r.name === "out")!;
  const plain = run.resources.find((r) => r.name === "plain")!;
  expect(out.wireInputs.vpcId).toBe(WIRE.unknown);
  expect(plain.wireInputs.vpcId).toBe(WIRE.unknown);
  expect(plain.wireInputs.description).toBe("vpc false"); // a field, not undefined
  expect(run.unresolved.map((u) => [u.token, u.form, u.kind])).toEqual([
    ["aws:ec2/getVpc:getVpc", "output", "no-answer"],
    ["aws:ec2/getVpc:getVpc", "plain", "no-answer"],
  ]);
  expect(run.unresolved[0].reason).toMatch(/no offline answer/);
  expect(out.fromInvokes).toEqual({ vpcId: [run.unresolved[0].id] });
});

test("the plain form with unknown inputs gets {} from the SDK, as in a real preview, and it is recorded", async () => {
  const run = await runPreview(async () => {
    const bucket = new aws.s3.Bucket("b", {});
    const doc = await aws.iam.getPolicyDocument({
      statements: [{ resources: [bucket.arn as unknown as string] }],
    });
    expect(doc).toEqual({});
  }, options);
  expect(run.unresolved).toEqual([
    expect.objectContaining({
      form: "plain",
      kind: "unknown-inputs",
      reason: expect.stringContaining("use the Output form"),
    }),
  ]);
});

test("account look-ups from the export: known fields stay known when others are unknown", async () => {
  const run = await runPreview(
    () => {
      const role = aws.iam.getRoleOutput({ name: "legacy-sagemaker-role" });
      new aws.iam.RolePolicyAttachment("a", { role: role.name, policyArn: role.permissionsBoundary });
      new aws.s3.Bucket("b", { tags: { why: role.description } });
    },
    { ...options, inventory },
  );
  const attachment = run.resources.find(
    (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  )!;
  expect(attachment.wireInputs).toEqual({
    role: "legacy-sagemaker-role",
    policyArn: "arn:aws:iam::111122223333:policy/boundary",
  });
  const bucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
  expect((bucket.wireInputs.tags as Record<string, unknown>).why).toBe(WIRE.unknown);
});

test("a provider error in an invoke rejects the program, with the provider's message", async () => {
  await expect(
    runPreview(async () => {
      await aws.iam.getPolicyDocument({ statements: [{ effect: "Permit" }] });
    }, options),
  ).rejects.toThrow('expected statements[0].effect to be one of ["Allow" "Deny"], got Permit');
});

test("each registration carries the SDK's source position: this file and the declaring line", async () => {
  const run = await runPreview(() => {
    new aws.s3.Bucket("here", {}); // declared-on-this-line
  }, options);
  const bucket = run.resources.find((r) => r.name === "here")!;
  expect(bucket.source).toEqual({
    uri: `file://${__filename}`,
    line: lineOf("// declared-on-this-line"),
    column: expect.any(Number),
  });
});

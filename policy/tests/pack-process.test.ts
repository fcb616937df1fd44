/**
 * The pack started exactly as the Pulumi CLI (and the offline plan) start it: node runs
 * @pulumi/pulumi/cmd/run-policy-pack with the engine address and the pack directory, in the pack
 * directory; index.ts is compiled by ts-node; the analyzer prints its port; we talk gRPC to it.
 */
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { T } from "../lib/resource-types";
import { AnalyzerClient, PACK_DIR, startPackProcess, violationsOf } from "./util";

const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");

let child: ChildProcess;
let client: AnalyzerClient;

beforeAll(async () => {
  const started = await startPackProcess(PACK_DIR, { ML_PLATFORM_IAM_INVENTORY: AUTH });
  child = started.child;
  client = new AnalyzerClient(started.port);
}, 90_000);

afterAll(() => {
  client?.close();
  child?.kill();
});

test("GetAnalyzerInfo: the pack's name, version and the mandated policies", async () => {
  const info = await client.info();
  expect(info.getName()).toBe("ml-platform-guardrails");
  expect(info.getVersion()).toBe(
    JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version,
  );
  const names = info.getPoliciesList().map((p) => p.getName());
  expect(names).toEqual(
    expect.arrayContaining(["sagemaker-no-wildcard-permissions", "iam-no-stale-roles", "iam-require-mfa"]),
  );
  expect(names).toHaveLength(21);
});

test("Configure with config/prod.json, then Analyze and AnalyzeStack round trips", async () => {
  await client.configure(JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", "prod.json"), "utf8")));
  const attach = await client.analyze({
    type: T.iamRolePolicyAttachment,
    name: "lambda-full-access",
    props: { role: "lambda-role", policyArn: "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess" },
  });
  const v = violationsOf(attach, "sagemaker-no-wildcard-permissions");
  expect(v).toHaveLength(1);
  expect(v[0]).toMatchObject({
    enforcementLevel: "mandatory",
    severity: "critical",
    policyPackName: "ml-platform-guardrails",
  });

  const stack = await client.analyzeStack([
    {
      type: T.sagemakerNotebookInstance,
      name: "nb",
      props: {
        roleArn: "arn:aws:iam::111122223333:role/legacy-sagemaker-role",
        instanceType: "ml.t3.medium",
      },
    },
  ]);
  const stale = violationsOf(stack, "iam-no-stale-roles");
  expect(stale).toHaveLength(1);
  expect(stale[0].message).toContain(`source: offline authorization-details export ${AUTH}`);
});

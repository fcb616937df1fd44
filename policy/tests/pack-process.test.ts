/**
 * The pack started exactly as the Pulumi CLI (and the offline plan) start it, with the plan's own
 * launcher (cli/plan/pack-process.ts): node runs @pulumi/pulumi/cmd/run-policy-pack with the engine
 * address and the pack directory, in the pack directory; index.ts is compiled by ts-node; the
 * analyzer prints its port; the plan's analyzer client talks gRPC to it.
 */
import * as fs from "fs";
import * as path from "path";
import { AnalyzerClient } from "../../cli/plan/analyzer-client";
import { PackProcess, readPackProject, startPack } from "../../cli/plan/pack-process";
import { T } from "../lib/resource-types";
import { PACK_DIR, PackClient, findingsOf, urnOf } from "./util";

const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");

let pack: PackProcess;
let client: PackClient;

beforeAll(async () => {
  pack = await startPack(readPackProject(PACK_DIR), {
    project: "ml-platform",
    stack: "test",
    organization: "organization",
    config: {},
    secretKeys: [],
    env: { ML_PLATFORM_IAM_INVENTORY: AUTH },
    timeoutMs: 90_000,
  }).ready;
  client = new PackClient(new AnalyzerClient(`127.0.0.1:${pack.port}`));
}, 90_000);

afterAll(() => {
  client?.close();
  pack?.stop();
});

test("GetAnalyzerInfo: the pack's name, version and the mandated policies", async () => {
  const info = await client.info();
  expect(info.name).toBe("ml-platform-guardrails");
  expect(info.version).toBe(JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version);
  const names = info.policies.map((p) => p.name);
  expect(names).toEqual(
    expect.arrayContaining(["sagemaker-no-wildcard-permissions", "iam-no-stale-roles", "iam-require-mfa"]),
  );
  expect(names).toHaveLength(21);
  expect(info.policies.find((p) => p.name === "iam-require-mfa")?.configSchema?.properties).toHaveProperty(
    "requireAccountFacts",
  );
});

test("Configure with config/prod.json, then Analyze and AnalyzeStack round trips", async () => {
  await client.configure(JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", "prod.json"), "utf8")));
  const attach = {
    type: T.iamRolePolicyAttachment,
    name: "lambda-full-access",
    props: { role: "lambda-role", policyArn: "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess" },
  };
  const v = findingsOf(await client.preview([attach]), "sagemaker-no-wildcard-permissions");
  expect(v).toHaveLength(1);
  expect(v[0]).toMatchObject({
    enforcementLevel: "mandatory",
    severity: "critical",
    policyPackName: "ml-platform-guardrails",
    urn: urnOf(T.iamRolePolicyAttachment, "lambda-full-access"),
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
  const stale = findingsOf(stack, "iam-no-stale-roles");
  expect(stale).toHaveLength(1);
  expect(stale[0].message).toContain(`source: offline authorization-details export ${AUTH}`);
});

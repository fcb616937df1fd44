/**
 * The shipped config/dev.json and config/prod.json against the pack, and the by-hand setup the
 * platform replaces. Our real dev and prod programs go through the pack in
 * test/serving/policy-preview.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { allPolicies } from "../policies";
import { byHandStack } from "./fixtures/by-hand-stack";
import {
  AnalyzeResult,
  AnalyzerClient,
  PACK_DIR,
  PolicyConfig,
  TestResource,
  startInProcessAnalyzer,
} from "./util";

let client: AnalyzerClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer(allPolicies()));
});
afterAll(() => stop());
beforeEach(() => clearInventoryCache());

function config(stack: string): PolicyConfig {
  return JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8"));
}

/** What `pulumi preview --policy-pack` does: Analyze each resource, then AnalyzeStack once. */
async function preview(resources: TestResource[]): Promise<AnalyzeResult> {
  const all: AnalyzeResult = { diagnostics: [], notApplicable: [] };
  for (const r of resources) {
    const res = await client.analyze(r);
    all.diagnostics.push(...res.diagnostics);
  }
  const stack = await client.analyzeStack(resources);
  all.diagnostics.push(...stack.diagnostics);
  all.notApplicable.push(...stack.notApplicable);
  return all;
}

describe.each(["dev", "prod"] as const)("%s stack", (stack) => {
  test("the config file names every policy of the pack", async () => {
    const names = (await client.info()).getPoliciesList().map((p) => p.getName());
    expect(Object.keys(config(stack)).sort()).toEqual([...names].sort());
  });
});

test("the by-hand course setup fails the prod config on the mandatory guardrails", async () => {
  await client.configure(config("prod"));
  const result = await preview(byHandStack());
  const mandatory = new Set(
    result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName),
  );
  expect([...mandatory].sort()).toEqual(
    [
      "ec2-ebs-encrypted",
      "ec2-imdsv2-required",
      "ec2-security-group-no-public-ingress",
      // Mandatory in prod.json since our stacks order every literal reference (issue 10).
      "resource-references-have-dependencies",
      "s3-bucket-encryption",
      "s3-bucket-public-access-block",
      "s3-bucket-tls-only",
      "sagemaker-no-wildcard-permissions",
      "sagemaker-notebook-kms",
      "sagemaker-notebook-no-direct-internet",
      "sagemaker-notebook-root-access-disabled",
      "cost-instance-type-allowlist",
    ].sort(),
  );
});

/**
 * Our own dev and prod stacks, as a preview hands them to the analyzer, with the shipped
 * config/dev.json and config/prod.json: no violation of any mandatory policy, and no
 * "can't run policy during preview" advisory from this pack.
 */
import * as fs from "fs";
import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { allPolicies } from "../policies";
import { byHandStack, platformStack } from "./fixtures/platform-stack";
import {
  AnalyzeResult,
  AnalyzerClient,
  PACK_DIR,
  PolicyConfig,
  TestResource,
  previewAdvisories,
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

  test("no violations and no preview advisories", async () => {
    await client.configure(config(stack));
    const result = await preview(platformStack(stack));
    expect(previewAdvisories(result)).toEqual([]);
    expect(result.diagnostics.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    // Without account facts the account checks say why they did not run.
    expect(result.notApplicable.find((n) => n.policyName === "iam-require-mfa")?.reason).toMatch(
      /no account facts/,
    );
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

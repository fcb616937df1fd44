/**
 * Our real dev and prod programs, as a first `pulumi preview` hands them to the policy pack's
 * analyzer (wire-form inputs, unknowns as the engine's sentinel), with the shipped stack configs:
 * no violation and no "can't run policy during preview" advisory. This pins the serving
 * components' promise that every guardrail input is known at preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { allPolicies } from "../../policy/policies";
import { clearInventoryCache } from "../../policy/lib/inventory";
import {
  AnalyzeResult,
  AnalyzerClient,
  PACK_DIR,
  previewAdvisories,
  startInProcessAnalyzer,
  TestResource,
} from "../../policy/tests/util";
import { runStack, StackRun } from "../harness";

let client: AnalyzerClient;
let stop: () => void;
beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer(allPolicies()));
});
afterAll(() => stop());
beforeEach(() => clearInventoryCache());

function asAnalyzed(run: StackRun): TestResource[] {
  return run.resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, props: r.wireInputs }));
}

async function preview(resources: TestResource[]): Promise<AnalyzeResult> {
  const all: AnalyzeResult = { diagnostics: [], notApplicable: [] };
  for (const r of resources) all.diagnostics.push(...(await client.analyze(r)).diagnostics);
  all.diagnostics.push(...(await client.analyzeStack(resources)).diagnostics);
  return all;
}

describe.each(["dev", "prod"])("%s stack through the policy pack", (stack) => {
  it("has no violations and no preview advisories, serving included", async () => {
    const run = await runStack(stack);
    const resources = asAnalyzed(run);
    // The serving resources are part of what is judged.
    for (const type of [
      "aws:sagemaker/model:Model",
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      "aws:lambda/function:Function",
    ])
      expect(resources.some((r) => r.type === type)).toBe(true);
    await client.configure(
      JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8")),
    );
    const result = await preview(resources);
    expect(previewAdvisories(result)).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });
});

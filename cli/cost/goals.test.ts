/**
 * The cost goals of issue 13, on this machine's estimate of our own stacks: dev costs at most $25
 * a month while nobody uses it, and at most $2 parked. And the three figures reach people: JSON
 * `cost` and the text table carry idle, typical and maximum.
 */
import * as path from "node:path";
import { runProgram } from "../plan/program";
import { PlannedResource, planResources } from "../plan/resources";
import { formatText } from "../plan/format/text";
import { toJson } from "../plan/format/json";
import { PlanReport } from "../plan/report";
import { loadStackSettings } from "../stack-config";
import { estimateCost } from "./estimate";

const PROJECT = path.resolve(__dirname, "..", "..");

async function plan(
  stack: string,
  parked = false,
): Promise<{ resources: PlannedResource[]; region?: string }> {
  const settings = loadStackSettings(PROJECT, stack);
  if (parked) settings.config["ml-platform:parked"] = "true";
  const run = await runProgram(settings, { registerTypeScript: false });
  return { resources: planResources(run.resources, settings), region: settings.config["aws:region"] };
}

const estimates: Record<string, ReturnType<typeof estimateCost>> = {};
const reports: Record<string, PlanReport> = {};
beforeAll(async () => {
  for (const [label, stack, parked] of [
    ["dev", "dev", false],
    ["dev-parked", "dev", true],
    ["prod", "prod", false],
  ] as const) {
    const p = await plan(stack, parked);
    estimates[label] = estimateCost(p.resources, p.region);
    reports[label] = {
      project: "ml-platform",
      stack,
      programDir: PROJECT,
      stackFile: `Pulumi.${stack}.yaml`,
      sourceRoot: PROJECT,
      packs: [],
      resources: p.resources,
      findings: [],
      cost: estimates[label],
      programOutput: [],
      unresolvedInvokes: [],
      failOnUnchecked: false,
      timings: {},
    };
  }
}, 180_000);

test("dev costs at most $25 a month idle and at most $2 parked", () => {
  expect(estimates.dev.idleMonthlyUsd).toBeLessThanOrEqual(25);
  expect(estimates["dev-parked"].idleMonthlyUsd).toBeLessThanOrEqual(2);
  expect(estimates["dev-parked"].monthlyUsd).toBeLessThanOrEqual(2);
  // What is left parked is the key: nothing else bills while nobody calls.
  expect(estimates["dev-parked"].items.filter((i) => (i.idleMonthlyUsd ?? 0) > 0).map((i) => i.type)).toEqual(
    ["aws:kms/key:Key"],
  );
});

test("idle <= typical <= max, item by item and in total", () => {
  for (const e of Object.values(estimates)) {
    expect(e.idleMonthlyUsd).toBeLessThanOrEqual(e.monthlyUsd);
    expect(e.monthlyUsd).toBeLessThanOrEqual(e.maxMonthlyUsd);
    for (const i of e.items.filter((x) => x.monthlyUsd !== null && x.maxMonthlyUsd !== null)) {
      expect(i.idleMonthlyUsd!).toBeLessThanOrEqual(i.monthlyUsd!);
      expect(i.monthlyUsd!).toBeLessThanOrEqual(i.maxMonthlyUsd!);
    }
  }
  // prod's endpoint bills its two instances idle, four at most.
  const endpoint = estimates.prod.items.find((i) => i.type === "aws:sagemaker/endpoint:Endpoint")!;
  expect([endpoint.idleMonthlyUsd, endpoint.monthlyUsd, endpoint.maxMonthlyUsd]).toEqual([
    167.9, 167.9, 335.8,
  ]);
});

test("JSON cost carries idleMonthlyUsd and monthlyUsdMax, in total and per item", () => {
  const cost = toJson(reports.dev).cost;
  expect(cost.idleMonthlyUsd).toBe(estimates.dev.idleMonthlyUsd);
  expect(cost.monthlyUsdMax).toBe(estimates.dev.maxMonthlyUsd);
  const notebook = cost.items.find(
    (i) => i.urn.endsWith("::notebook") && i.description.startsWith("notebook"),
  )!;
  expect(notebook).toMatchObject({ idleMonthlyUsd: 0.7, monthlyUsd: 9.5, monthlyUsdMax: 37.2 });
});

test("the text table shows the three figures, and the summary line too", () => {
  const text = formatText(reports.dev);
  const table = text.slice(text.indexOf("Monthly cost estimate"));
  expect(table).toMatch(/resource\s+idle\s+typical\s+max\s+what bills \(USD\/month\)/);
  expect(table).toMatch(
    /sagemaker:NotebookInstance notebook\s+0\.70\s+9\.50\s+37\.20\s+notebook ml\.t3\.medium/,
  );
  expect(table).toMatch(
    new RegExp(
      `total\\s+${estimates.dev.idleMonthlyUsd.toFixed(2)}\\s+${estimates.dev.monthlyUsd.toFixed(2)}\\s+${estimates.dev.maxMonthlyUsd.toFixed(2)}`,
    ),
  );
  // The old total line printed this label even when there was no range (issue 13).
  expect(text).not.toContain("minimum-maximum");
  expect(text).toContain(
    `~$${estimates.dev.monthlyUsd.toFixed(2)}/month (idle $${estimates.dev.idleMonthlyUsd.toFixed(2)}, max $${estimates.dev.maxMonthlyUsd.toFixed(2)})`,
  );
});

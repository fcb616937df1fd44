import * as fs from "node:fs";
import { costTable, README, withTable } from "../../scripts/plan-cost-table";

test("the dev/prod cost table in cli/README.md is current (regenerate: npm run docs:plan-cost)", async () => {
  const readme = fs.readFileSync(README, "utf8");
  expect(readme).toBe(withTable(readme, await costTable(false)));
});

import * as fs from "node:fs";
import * as path from "node:path";
import { configReference } from "../../scripts/config-reference";

it("docs/config.md matches the config schema (run `npm run docs:config` after changing it)", () => {
  const committed = fs.readFileSync(path.resolve(__dirname, "../../docs/config.md"), "utf8");
  expect(committed).toBe(configReference());
  expect(committed).toContain(
    "| `ml-platform:notebook.idleStopMinutes` | whole number >= 5, <= 1440 | `60` |",
  );
});

// `npm run build`: bundles every Lambda handler in functions/ into dist/functions/<name>/index.js
// with the same settings the Pulumi component uses at deploy time (functions/bundle.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
const { bundleFunction, PROJECT_ROOT } = require("../functions/bundle.ts");

const FUNCTIONS = { inference: "functions/inference/index.ts" };

for (const [name, entry] of Object.entries(FUNCTIONS)) {
  const bundle = bundleFunction(entry);
  const outDir = path.join(PROJECT_ROOT, "dist", "functions", name);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "index.js"), bundle.code);
  console.log(`${name}: dist/functions/${name}/index.js ${bundle.bytes} bytes sha256 ${bundle.sha256}`);
}

// `npm run build`: bundles every Lambda handler in functions/ into dist/functions/<name>/index.js
// with the same settings the Pulumi component uses at deploy time (functions/bundle.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
const { bundleFunction, PROJECT_ROOT } = require("../functions/bundle.ts");

const FUNCTIONS = { inference: "functions/inference/index.ts" };

const root = PROJECT_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const [name, entry] of Object.entries(FUNCTIONS)) {
  const bundle = bundleFunction(entry);
  const outDir = path.join(root, "dist", "functions", name);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "index.js"), bundle.code);
  console.log(`${name}: dist/functions/${name}/index.js ${bundle.bytes} bytes sha256 ${bundle.sha256}`);
}

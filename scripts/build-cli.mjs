// Bundles the offline plan (cli/plan.ts) into dist/cli/plan.js with esbuild before `npm start` and
// `npm run plan` (npm's prestart/preplan hooks), so the CLI starts as plain JavaScript: its policy
// pack processes are spawned within a few hundred milliseconds instead of after ts-node has
// compiled the CLI. Every package stays external, so the program, its @pulumi/aws and the mock
// runtime all load the one @pulumi/pulumi in node_modules. Takes well under a second.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

await build({
  entryPoints: [path.join(root, "cli", "plan.ts")],
  outfile: path.join(root, "dist", "cli", "plan.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
});

// The provider's entry point. The Pulumi CLI runs a Node.js plugin (PulumiPlugin.yaml) through the
// language host's RunPlugin: `node @pulumi/pulumi/cmd/run-plugin <this folder> <engine address>`
// (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go). run-plugin requires this file,
// finds the ComponentResource classes it exports and hosts them with componentProviderHost, whose
// schema comes from index.ts (provider/experimental/analyzer.ts).
//
// It runs the compiled provider, dist/ (scripts/build.js, run by `postinstall`), when dist/ was
// built from exactly the sources beside it (dist/build.json); when it was not (a component edited
// since), it rebuilds dist/ first (esbuild, about a second), and only if that fails runs index.ts
// with a transpile-only ts-node, saying so on stderr. No TypeScript is compiled at a normal start.
//
// run-plugin has already registered a type-checking ts-node (PULUMI_NODEJS_TYPESCRIPT=true, the
// CLI's default). It hooks `.js` as well as `.ts` (ts-node registers `.js` for its `.cts`/`.mts`
// support), so even a `.ts` file loaded by another hook was also type-checked by it, against
// @pulumi/aws's declarations: most of the start's CPU. Nothing here needs it: it is switched off.
"use strict";
const path = require("node:path");
const { staleReason } = require("./scripts/fingerprint");

const registered = process[Symbol.for("ts-node.register.instance")];
if (registered && typeof registered.enabled === "function") registered.enabled(false);

function load() {
  let reason = staleReason(__dirname);
  if (reason === undefined) return require("./dist/provider/index.js");
  const failure = require("./scripts/build").build();
  // Checked again even when this build failed: another provider starting at the same time may
  // have swapped in its own build of the same sources.
  reason = staleReason(__dirname);
  if (reason === undefined) return require("./dist/provider/index.js");
  console.error(
    `mlplatform provider: ${reason}, and rebuilding it failed (${failure ?? "still stale"}); ` +
      "running the TypeScript sources with ts-node instead (slower start). " +
      `Run \`npm run build\` in ${__dirname}.`,
  );
  delete require.extensions[".ts"];
  require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "tsconfig.json"),
    compilerOptions: { module: "commonjs" },
  });
  return require("./index.ts");
}

module.exports = load();

// The provider's entry point. The Pulumi CLI runs a Node.js plugin (PulumiPlugin.yaml) through the
// language host's RunPlugin: `node @pulumi/pulumi/cmd/run-plugin <this folder> <engine address>`
// (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go). run-plugin requires this file,
// finds the ComponentResource classes it exports and hosts them with componentProviderHost, whose
// schema comes from index.ts (provider/experimental/analyzer.ts).
//
// run-plugin registers ts-node with type checking, which would type-check @pulumi/aws's
// declarations at every start; the components are type-checked by `npm run typecheck` instead, so
// here they load transpile-only, as the stack program does under the offline plan.
"use strict";
const path = require("node:path");

delete require.extensions[".ts"];
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "tsconfig.json"),
  compilerOptions: { module: "commonjs" },
});

module.exports = require("./index.ts");

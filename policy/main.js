// The pack's entry point (package.json `main`), required by @pulumi/pulumi's run-policy-pack.
//
// It runs the compiled pack in dist/ when dist/ was built from exactly the sources beside it (the
// fingerprint in dist/build.json; a copy without sources runs dist/ as it is). Otherwise (a policy
// edited and not rebuilt, a pack published with a stale dist/) it runs index.ts through the ts-node
// the runner has already registered (type-checked, as before the pack shipped JavaScript) and says
// so on stderr: slower, never stale.
"use strict";
const { fingerprint, hasSources, readStamp } = require("./scripts/fingerprint");

function staleReason() {
  if (!hasSources(__dirname)) return undefined;
  const stamp = readStamp(__dirname);
  if (!stamp) return "dist/ has not been built";
  if (stamp.fingerprint !== fingerprint(__dirname)) return "the sources changed since dist/ was built";
  return undefined;
}

const reason = staleReason();
if (reason === undefined) {
  require("./dist/index.js");
} else if (require.extensions[".ts"]) {
  console.error(
    `ml-platform-policy: ${reason}; running the TypeScript sources with ts-node instead (slower start). ` +
      "Run `npm run build -w policy` at the repository root (or `npm run build` in policy/).",
  );
  require("./index.ts");
} else {
  throw new Error(`ml-platform-policy: ${reason}. Run \`npm run build\` in ${__dirname}.`);
}

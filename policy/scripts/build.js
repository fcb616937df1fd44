// Compiles the pack (tsc: JavaScript, .d.ts and source maps into dist/), then stamps dist/ with the
// fingerprint of the sources it was built from (scripts/fingerprint.js). main.js runs dist/ only
// when the stamp matches the sources, so a stale build is never what answers.
//
//   node scripts/build.js --force     always rebuild; exit 1 when tsc fails (`npm run build`)
//   node scripts/build.js --if-stale  rebuild only when dist/ is missing or stale; when tsc fails, say
//                                     so and exit 0 (`postinstall`, so `npm ci` at the root and
//                                     `npm install` in a copy of the pack build it; and root `prestart`):
//                                     main.js then runs the sources, which report the same errors.
//
// It writes nothing on stdout, so it is safe wherever a caller parses npm's stdout. The pack has no
// `prepare`/`prepack` script on purpose: `pulumi policy publish` runs `npm pack` and takes its whole
// stdout as the tarball's name, and npm prints a banner there for every pack-time script
// (pulumi/pulumi#6594); build before publishing instead (README).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { STAMP, fingerprint, hasSources, readStamp } = require("./fingerprint");

const packDir = path.resolve(__dirname, "..");
const force = process.argv.includes("--force");
const failureExitCode = force ? 1 : 0;
const say = (line) => process.stderr.write(`policy build: ${line}\n`);

function main() {
  if (!hasSources(packDir)) return 0; // a published pack: dist/ is what it ships
  const sources = fingerprint(packDir);
  const stamp = readStamp(packDir);
  if (!force && stamp?.fingerprint === sources && fs.existsSync(path.join(packDir, "dist", "index.js")))
    return 0;

  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc", { paths: [packDir] });
  } catch {
    say("typescript is not installed for the pack; run `npm install` in policy/ (it is a devDependency)");
    return failureExitCode;
  }
  fs.rmSync(path.join(packDir, "dist"), { recursive: true, force: true });
  const started = Date.now();
  // tsc prints its diagnostics on stdout: send them to stderr (see above).
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmitOnError"], {
    cwd: packDir,
    stdio: ["ignore", 2, 2],
  });
  if (run.status !== 0) {
    say(
      `tsc failed (${run.error?.message ?? `exit ${run.status}`}); dist/ is not built` +
        (force ? "" : ", so the pack will start from its TypeScript sources and report these errors"),
    );
    return failureExitCode;
  }
  const typescript = require(require.resolve("typescript/package.json", { paths: [packDir] })).version;
  fs.writeFileSync(
    path.join(packDir, STAMP),
    JSON.stringify({ fingerprint: sources, typescript }, null, 2) + "\n",
  );
  say(`compiled to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (typescript ${typescript})`);
  return 0;
}

process.exitCode = main();

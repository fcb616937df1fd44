// The provider's build stamp: which sources dist/ was compiled from and their fingerprint. Read by
// the build (scripts/build.js writes dist/build.json last) and by the entry point (main.js runs
// dist/ only when the sources beside it still have that fingerprint). Plain CommonJS, no
// dependencies: main.js calls it at every start, before anything is compiled.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** The stamp the build writes last, so a failed or interrupted build never looks current. */
const STAMP = path.join("dist", "build.json");

/** What decides the output besides the sources: the compiler options and the recipe. */
const RECIPE = ["provider/tsconfig.json", "provider/scripts/build.js"];

/** The folder the sources' paths are relative to: the repository (provider/ imports ../components). */
const rootOf = (providerDir) => path.resolve(providerDir, "..");

/**
 * sha256 over each file's path (relative to the repository) and content, in the given order; a
 * missing file makes a different hash (so a deleted source reads as stale, never as current).
 */
function fingerprint(providerDir, files) {
  const root = rootOf(providerDir);
  const hash = crypto.createHash("sha256");
  for (const file of [...files, ...RECIPE]) {
    hash.update(`${file}\0`);
    try {
      hash.update(fs.readFileSync(path.join(root, file)));
    } catch {
      hash.update("\u0001missing");
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** The stamp of the last good build, or undefined when dist/ was never built (or is half built). */
function readStamp(providerDir) {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(providerDir, STAMP), "utf8"));
    return Array.isArray(stamp.sources) && typeof stamp.fingerprint === "string" ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Why dist/ must not run (a sentence), or undefined when it was built from exactly these sources. */
function staleReason(providerDir) {
  const stamp = readStamp(providerDir);
  if (!stamp) return "dist/ has not been built";
  if (stamp.fingerprint !== fingerprint(providerDir, stamp.sources))
    return "the sources changed since dist/ was built";
  if (!fs.existsSync(path.join(providerDir, stamp.entry ?? ""))) return "dist/ is incomplete";
  return undefined;
}

module.exports = { STAMP, RECIPE, rootOf, fingerprint, readStamp, staleReason };

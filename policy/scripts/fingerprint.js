// The pack's TypeScript sources and their fingerprint: one list, read by the build (scripts/build.js,
// which records the fingerprint in dist/build.json) and by the entry point (main.js, which runs
// dist/ only when it was built from exactly these sources). Plain CommonJS: it runs before anything
// is compiled, and in a published pack, which has no sources.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** What tsc compiles (tsconfig.json's `include`) plus the compiler options themselves. */
const SOURCES = ["index.ts", "policies", "lib", "data", "tsconfig.json"];

/** The stamp the build writes last, so a failed or interrupted build never looks current. */
const STAMP = path.join("dist", "build.json");

function listSources(packDir) {
  const files = [];
  const walk = (rel) => {
    const abs = path.join(packDir, rel);
    let stat;
    try {
      stat = fs.statSync(abs);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
    } else if (/\.(ts|json)$/.test(rel)) {
      files.push(rel.split(path.sep).join("/"));
    }
  };
  SOURCES.forEach(walk);
  return files;
}

/** True when this directory holds the TypeScript sources (a checkout), false in a published pack. */
function hasSources(packDir) {
  return fs.existsSync(path.join(packDir, "index.ts"));
}

/** sha256 over every source file's path and content, in a fixed order. */
function fingerprint(packDir) {
  const hash = crypto.createHash("sha256");
  for (const file of listSources(packDir)) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(packDir, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** The stamp of the last good build, or undefined when dist/ was never built (or is half built). */
function readStamp(packDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(packDir, STAMP), "utf8"));
  } catch {
    return undefined;
  }
}

module.exports = { SOURCES, STAMP, listSources, hasSources, fingerprint, readStamp };

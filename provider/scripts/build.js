// Compiles the provider to JavaScript in dist/, so that its start loads no TypeScript compiler:
// index.ts and every local module it imports (provider/components/, ../components/, ../functions/
// for the handler's bundler), found with esbuild's metafile, each transpiled on its own (esbuild,
// bundle: false: what ts-node's transpile-only mode did at every start, once), into dist/ under its
// path in the repository (dist/provider/index.js, dist/components/...). JSON modules they import are
// copied. Then dist/build.json records the sources and their fingerprint (scripts/fingerprint.js);
// main.js runs dist/ only when it matches.
//
//   node scripts/build.js --force     always rebuild; exit 1 on failure (`npm run build`)
//   node scripts/build.js --if-stale  rebuild only when dist/ is missing or stale; on failure say so
//                                     and exit 0 (`postinstall`: `npm ci` at the root and the
//                                     `npm install` of `pulumi package add` build it); main.js then
//                                     rebuilds or runs the sources.
//
// Why esbuild and not tsc (the policy pack's build): the provider ships no declarations (the schema
// is inferred from the TypeScript sources, which stay), and tsc would either type-check against
// @pulumi/aws's 31 MB of declarations at install time or be told not to check; the sources are
// type-checked by `npm run typecheck`. The files are transpiled exactly as before, one by one, with
// provider/tsconfig.json's options.
//
// `__dirname` in a compiled file is its source folder (components read training/ and the handler's
// folder relative to themselves), so the compiled provider finds the same files as the sources.
// Nothing is written on stdout (npm's stdout may be parsed by a caller).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { STAMP, fingerprint, rootOf, staleReason } = require("./fingerprint");

const providerDir = path.resolve(__dirname, "..");
const ENTRY = path.join("dist", "provider", "index.js");
const say = (line) => process.stderr.write(`provider build: ${line}\n`);

/** The repository-relative paths of index.ts and every local module it imports, in import order. */
function sources(esbuild) {
  const root = rootOf(providerDir);
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [path.join("provider", "index.ts")],
    bundle: true,
    packages: "external",
    platform: "node",
    write: false,
    metafile: true,
    outfile: "unused.js",
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs)
    .map((file) => file.split(path.sep).join("/"))
    .filter((file) => !file.startsWith("node_modules/"));
}

/**
 * Builds into `outDir` (a fresh folder) and returns the stamp; throws when a file does not compile.
 */
function compile(esbuild, outDir) {
  const root = rootOf(providerDir);
  const files = sources(esbuild);
  const tsconfigRaw = fs.readFileSync(path.join(providerDir, "tsconfig.json"), "utf8");
  const rootTsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
  for (const file of files) {
    const src = path.join(root, file);
    const out = path.join(outDir, file.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (!file.endsWith(".ts")) {
      fs.copyFileSync(src, out);
      continue;
    }
    const { code, map } = esbuild.transformSync(fs.readFileSync(src, "utf8"), {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcefile: path.relative(path.dirname(out), src),
      sourcemap: "external",
      // The options that change emitted code (class fields, strict mode) as tsc would apply them.
      tsconfigRaw: {
        compilerOptions: {
          ...rootTsconfig.compilerOptions,
          ...(JSON.parse(tsconfigRaw).compilerOptions ?? {}),
          alwaysStrict: true,
        },
      },
      define: { __dirname: "__sourceDirname" },
    });
    const sourceDir = JSON.stringify(
      path.relative(path.dirname(out), path.dirname(src)).split(path.sep).join("/"),
    );
    // On the first line (after "use strict", which must stay first), so the source map's lines hold.
    const dirname = `const __sourceDirname = require("node:path").join(__dirname, ${sourceDir});`;
    const strict = /^"use strict";\n?/.exec(code);
    const body = strict ? `"use strict";${dirname}` + code.slice(strict[0].length) : dirname + code;
    fs.writeFileSync(out, `${body}//# sourceMappingURL=${path.basename(out)}.map\n`);
    fs.writeFileSync(`${out}.map`, map);
  }
  return {
    entry: ENTRY,
    sources: files,
    fingerprint: fingerprint(providerDir, files),
    esbuild: esbuild.version,
  };
}

/**
 * Rebuilds dist/ (into a temporary folder, then swapped in, so a provider starting meanwhile never
 * runs a half-written dist/). Returns undefined on success, else what went wrong.
 */
function build() {
  let esbuild;
  try {
    esbuild = require(require.resolve("esbuild", { paths: [providerDir] }));
  } catch {
    return "esbuild is not installed for the provider; run `npm install` in provider/ (it is a dependency)";
  }
  const dist = path.join(providerDir, "dist");
  const tmp = path.join(providerDir, `.dist-${process.pid}-${Date.now()}`);
  try {
    const stamp = compile(esbuild, tmp);
    fs.writeFileSync(path.join(tmp, path.basename(STAMP)), JSON.stringify(stamp, null, 2) + "\n");
    const old = `${tmp}-old`;
    if (fs.existsSync(dist)) fs.renameSync(dist, old);
    fs.renameSync(tmp, dist);
    fs.rmSync(old, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return `compiling failed: ${err.message.split("\n")[0]}`;
  }
}

function main(argv) {
  const force = argv.includes("--force");
  if (!fs.existsSync(path.join(providerDir, "index.ts"))) return 0; // no sources: dist/ is what it is
  if (!force && staleReason(providerDir) === undefined) return 0;
  const started = Date.now();
  const failure = build();
  if (failure) {
    say(
      `${failure}; dist/ is not built${force ? "" : ", so the provider will run its TypeScript sources (slower start)"}`,
    );
    return force ? 1 : 0;
  }
  say(`compiled to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

module.exports = { build, sources, ENTRY };

if (require.main === module) process.exitCode = main(process.argv.slice(2));

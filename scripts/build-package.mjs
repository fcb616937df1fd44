// Builds the npm package of the components, ml-platform-components, into dist/package/ (or
// `--out <dir>`), and with --pack `npm pack`s it beside that folder (dist/<name>-<version>.tgz, also
// copied to dist/<name>.tgz for examples/consumer), printing the tarball's path on stdout:
//
//   components/           tsc's JavaScript and .d.ts of components/ (tsconfig.package.json)
//   functions/inference/  the Lambda handler bundled now (index.js) and bundle.json { sha256, bytes,
//                         sourceMap }: InferenceFunction ships it, so consumers need no esbuild
//   training/             the files SourceBundle ships (its own collectBundleFiles picks them), so
//                         the default source bundle of the package is byte-equal to this repository's
//   package.json          generated: exports map, typesVersions, files, dependencies and peers
//   README.md, CHANGELOG.md
//
// The package has its own manifest, generated here, because the root package.json is the Pulumi
// program's and the workspace's manifest (private, with the build tools as dependencies); see the
// README's "Using a component in another program". Version, license, engines and dependency
// ranges come from the root package.json, the one place they are written.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const DEFAULT_OUT = path.join(root, "dist", "package");
const say = (line) => process.stderr.write(`build-package: ${line}\n`);

export const PACKAGE_NAME = "ml-platform-components";

/** Every component folder (components/<name>/index.ts), shared/ excepted. */
export function componentNames() {
  const dir = path.join(root, "components");
  return readdirSync(dir)
    .filter((name) => name !== "shared" && statSync(path.join(dir, name)).isDirectory())
    .filter((name) => {
      try {
        return statSync(path.join(dir, name, "index.ts")).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

/** `~3.248.0` or `^3.248.0` -> `^3.248.0`: a peer accepts every later minor release we build against. */
function peerRange(range) {
  const m = /^[~^]?(\d+\.\d+\.\d+)$/.exec(range ?? "");
  if (!m) throw new Error(`cannot derive a peer range from ${JSON.stringify(range)}`);
  return `^${m[1]}`;
}

/** The package's manifest, from the root one. */
export function packageManifest(rootManifest, components) {
  const entry = (dir) => ({ types: `./${dir}/index.d.ts`, default: `./${dir}/index.js` });
  const exports = { ".": entry("components") };
  const typesVersions = {};
  for (const name of components) {
    exports[`./${name}`] = entry(`components/${name}`);
    typesVersions[name] = [`components/${name}/index.d.ts`];
  }
  exports["./package.json"] = "./package.json";
  const deps = rootManifest.dependencies;
  return {
    name: PACKAGE_NAME,
    version: rootManifest.version,
    description:
      "Pulumi components for a secure, cost-aware ML platform on AWS: SageMaker endpoint with autoscaling, inference Lambda, training, notebook, network, storage, KMS.",
    license: rootManifest.license,
    keywords: ["pulumi", "aws", "sagemaker", "lambda", "machine-learning", "component"],
    main: "./components/index.js",
    types: "./components/index.d.ts",
    exports,
    // TypeScript's `moduleResolution: node` (Pulumi's template default) ignores `exports`.
    typesVersions: { "*": typesVersions },
    files: [
      "components/",
      "functions/inference/index.js",
      "functions/inference/bundle.json",
      "training/",
      "CHANGELOG.md",
    ],
    sideEffects: false,
    engines: rootManifest.engines,
    dependencies: { zod: deps.zod },
    peerDependencies: {
      "@pulumi/aws": peerRange(deps["@pulumi/aws"]),
      "@pulumi/pulumi": peerRange(deps["@pulumi/pulumi"]),
    },
  };
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", ...options });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    throw new Error(
      `${path.basename(command)} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
  return result.stdout;
}

export function buildPackage(out = DEFAULT_OUT) {
  const started = Date.now();
  const rootManifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  rmSync(out, { recursive: true, force: true });

  // 1. JavaScript and declarations. tsc prints diagnostics on stdout: keep stdout for the tarball path.
  run(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.package.json", "--outDir", out],
    {
      stdio: ["ignore", 2, 2],
    },
  );
  // functions/index.ts and bundle.ts enter tsc's program only as the type of a lazy require (the
  // repository's bundler); the package ships the bundle instead.
  rmSync(path.join(out, "functions"), { recursive: true, force: true });

  // 2. The inference handler, bundled with the settings the component uses (functions/bundle.ts).
  require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
  const { BUNDLE_OPTIONS, bundleFunction, inferenceFunctionEntry } = require("../functions/bundle.ts");
  const bundle = bundleFunction(inferenceFunctionEntry);
  const handlerDir = path.join(out, "functions", "inference");
  mkdirSync(handlerDir, { recursive: true });
  writeFileSync(path.join(handlerDir, "index.js"), bundle.code);
  writeFileSync(
    path.join(handlerDir, "bundle.json"),
    JSON.stringify(
      { sha256: bundle.sha256, bytes: bundle.bytes, sourceMap: Boolean(BUNDLE_OPTIONS.sourcemap) },
      null,
      2,
    ) + "\n",
  );

  // 3. The training code, as SourceBundle selects it (the component's own rule, not a copy of it).
  const { collectBundleFiles } = require("../components/source-bundle/source-bundle.ts");
  const training = collectBundleFiles(path.join(root, "training"));
  for (const file of training) {
    const target = path.join(out, "training", ...file.name.split("/"));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }

  // 4. Manifest and documents.
  const manifest = packageManifest(rootManifest, componentNames());
  writeFileSync(path.join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  cpSync(path.join(root, "components", "README.md"), path.join(out, "README.md"));
  cpSync(path.join(root, "CHANGELOG.md"), path.join(out, "CHANGELOG.md"));
  say(
    `${manifest.name}@${manifest.version} in ${path.relative(root, out) || out} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(handler ${bundle.bytes} bytes, ${training.length} training files)`,
  );
  return manifest;
}

/** `npm pack` of the built package into the folder above it; returns the tarball's absolute path. */
export function packPackage(out = DEFAULT_OUT) {
  const destination = path.dirname(out);
  const stdout = run("npm", ["pack", "--pack-destination", destination, "--loglevel=error", out]);
  const tarball = path.join(destination, stdout.trim().split("\n").pop());
  // A name without the version, so examples/consumer's package.json need not change with each release.
  cpSync(tarball, path.join(destination, `${PACKAGE_NAME}.tgz`));
  return tarball;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const at = process.argv.indexOf("--out");
    const out = at > 0 ? path.resolve(process.argv[at + 1] ?? "") : DEFAULT_OUT;
    if (at > 0 && !process.argv[at + 1]) throw new Error("--out needs a folder");
    buildPackage(out);
    if (process.argv.includes("--pack")) process.stdout.write(`${packPackage(out)}\n`);
  } catch (err) {
    say(err.message);
    process.exit(1);
  }
}

/**
 * Bundles a Lambda handler into one CommonJS file. `npm run build` (scripts/build-functions.mjs)
 * and the Pulumi inference-function component both call this, so what is tested is what is
 * deployed.
 *
 * Settings and why:
 * - CommonJS, platform node, target node22: the Lambda runtime loads `index.handler` via require.
 * - The AWS SDK is bundled, not taken from the runtime: the version is pinned by our lockfile,
 *   and one minified file loads faster than the runtime's copy (see functions/README.md).
 * - `mainFields: module, main` picks the packages' ES module builds, which esbuild can
 *   tree-shake; the CommonJS builds of the SDK cannot be, and weigh ~40% more.
 * - Except the fallback credential sources (SSO, shared ini files, credential_process, web
 *   identity, container and instance metadata): in Lambda the credentials are environment
 *   variables, the first link of the SDK's chain, and the SDK loads these later links lazily
 *   (dynamic import) only when the earlier ones fail. Left external (and loaded with require,
 *   which honours Lambda's NODE_PATH), they would come from the runtime's own SDK if ever reached; bundled, they would add ~100 KB never executed.
 * - Deterministic: no source map, no metafile, paths relative to the project root, legal
 *   comments dropped; the same sources and lockfile give the same bytes and the same hash.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { buildSync } from "esbuild";
import type { BuildOptions } from "esbuild";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The inference function's entry point, for `bundleFunction(inferenceFunctionEntry)`. */
export const inferenceFunctionEntry = path.join(PROJECT_ROOT, "functions", "inference", "index.ts");

export interface FunctionBundle {
  /** The bundled CommonJS source; save it as `index.js` and use the handler `index.handler`. */
  readonly code: string;
  /** Hex SHA-256 of `code`: equal bundles have equal hashes. */
  readonly sha256: string;
  /** Size of `code` in bytes (UTF-8). */
  readonly bytes: number;
}

/** Credential sources the SDK imports lazily and Lambda never reaches (see above). */
export const LAZY_CREDENTIAL_PROVIDERS: readonly string[] = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@smithy/credential-provider-imds",
];

export const BUNDLE_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  mainFields: ["module", "main"],
  external: [...LAZY_CREDENTIAL_PROVIDERS],
  // import() becomes require(), so externals resolve through NODE_PATH (the runtime's SDK).
  supported: { "dynamic-import": false },
  charset: "utf8",
  logLevel: "silent",
};

/** Bundles `entry` (absolute, or relative to the project root) and returns the code and its hash. */
export function bundleFunction(entry: string): FunctionBundle {
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.resolve(PROJECT_ROOT, entry)],
    outfile: "index.js",
    write: false,
  });
  const output = result.outputFiles[0];
  if (!output || result.outputFiles.length !== 1) {
    throw new Error(`bundling ${entry} produced ${result.outputFiles.length} files, expected 1`);
  }
  const code = output.text;
  return {
    code,
    sha256: createHash("sha256").update(output.contents).digest("hex"),
    bytes: output.contents.byteLength,
  };
}

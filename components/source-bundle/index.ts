/** The source bundle component (the training code as a deterministic archive): import from here. */
export {
  BUNDLE_MTIME,
  buildSourceBundle,
  collectBundleFiles,
  deterministicGzip,
  isBundled,
  SourceBundle,
  sourceBundleKey,
  tarArchive,
  tarHeader,
} from "./source-bundle";
export type { BundleFile, SourceBundleBuild, SourceBundleRef } from "./source-bundle";
export {
  DEFAULT_TRAINING_DIR,
  resolveSourceBundleArgs,
  SOURCE_BUNDLE_DEFAULTS,
  sourceBundleArgsSchema,
  sourceBundleFields,
} from "./args";
export type { ResolvedSourceBundleArgs, SourceBundleArgs } from "./args";

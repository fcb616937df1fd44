/** The artifact store component: import from here. */
export { ArtifactStore, ARTIFACT_PREFIXES, DATASET_SPLITS, tlsOnlyBucketPolicy } from "./artifact-store";
export {
  ARTIFACT_STORE_DEFAULTS,
  artifactStoreArgsSchema,
  artifactStoreFields,
  resolveArtifactStoreArgs,
} from "./args";
export type { ArtifactStoreArgs, ResolvedArtifactStoreArgs } from "./args";

/**
 * The Pulumi package's components (`pulumi package add`): componentProviderHost hosts the classes
 * main.js exports and infers the schema from these files (its analyzer starts here, at index.ts).
 * Export the package-facing classes only: a class is hosted under its own name.
 */
export { ArtifactStore } from "./components/artifact-store";
export { Ec2Trainer } from "./components/ec2-trainer";
export { InferenceEndpoint } from "./components/inference-endpoint";
export { InferenceFunction } from "./components/inference-function";
export { Network } from "./components/network";
export { NotebookInstance } from "./components/notebook";
export { PlatformKey } from "./components/platform-key";
export { SourceBundle } from "./components/source-bundle";
export { TrainingCluster } from "./components/training-cluster";

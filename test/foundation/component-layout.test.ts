/**
 * One layout for every component: components/<name>/{args.ts, <name>.ts, index.ts}, the index
 * exporting the class, its args schema, defaults and resolver by name; the root index exports
 * them all and importing it declares nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runUnderMocks } from "../support/mock-run";

const COMPONENTS: Record<string, { class: string; schema: string; defaults?: string; resolve: string }> = {
  "platform-key": {
    class: "PlatformKey",
    schema: "platformKeyArgsSchema",
    defaults: "PLATFORM_KEY_DEFAULTS",
    resolve: "resolvePlatformKeyArgs",
  },
  network: {
    class: "Network",
    schema: "networkArgsSchema",
    defaults: "NETWORK_DEFAULTS",
    resolve: "resolveNetworkArgs",
  },
  "artifact-store": {
    class: "ArtifactStore",
    schema: "artifactStoreArgsSchema",
    defaults: "ARTIFACT_STORE_DEFAULTS",
    resolve: "resolveArtifactStoreArgs",
  },
  "source-bundle": {
    class: "SourceBundle",
    schema: "sourceBundleArgsSchema",
    defaults: "SOURCE_BUNDLE_DEFAULTS",
    resolve: "resolveSourceBundleArgs",
  },
  notebook: {
    class: "NotebookInstance",
    schema: "notebookArgsSchema",
    defaults: "NOTEBOOK_DEFAULTS",
    resolve: "resolveNotebookArgs",
  },
  "training-cluster": {
    class: "TrainingCluster",
    schema: "trainingClusterArgsSchema",
    defaults: "TRAINING_DEFAULTS",
    resolve: "resolveTrainingArgs",
  },
  "ec2-trainer": {
    class: "Ec2Trainer",
    schema: "ec2TrainerArgsSchema",
    defaults: "EC2_TRAINER_DEFAULTS",
    resolve: "resolveEc2TrainerArgs",
  },
  "inference-endpoint": {
    class: "InferenceEndpoint",
    schema: "inferenceEndpointArgsSchema",
    defaults: "ENDPOINT_DEFAULTS",
    resolve: "resolveEndpointArgs",
  },
  "inference-function": {
    class: "InferenceFunction",
    schema: "inferenceFunctionArgsSchema",
    defaults: "FUNCTION_DEFAULTS",
    resolve: "resolveFunctionArgs",
  },
};

const ROOT = path.resolve(__dirname, "../../components");

describe.each(Object.entries(COMPONENTS))("components/%s", (dir, names) => {
  it("has args.ts, <name>.ts and index.ts", () => {
    for (const file of ["args.ts", `${dir}.ts`, "index.ts"])
      expect([file, fs.existsSync(path.join(ROOT, dir, file))]).toEqual([file, true]);
  });

  it("exports the component, its schema, defaults and resolver by name, from its index and the root", () => {
    const entry = require(path.join(ROOT, dir));
    const root = require(ROOT);
    for (const name of Object.values(names)) {
      expect([name, typeof entry[name]]).not.toEqual([name, "undefined"]);
      expect([name, root[name] === entry[name]]).toEqual([name, true]);
    }
  });
});

it("every folder under components/ but shared/ is a component in this layout", () => {
  const folders = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "shared")
    .map((e) => e.name)
    .sort();
  expect(folders).toEqual(Object.keys(COMPONENTS).sort());
  expect(fs.readdirSync(ROOT).filter((f) => f.endsWith(".ts"))).toEqual(["index.ts"]);
});

it("importing the root declares nothing", async () => {
  const run = await runUnderMocks(
    () => {
      require(ROOT);
      return "imported";
    },
    { project: "team", stack: "test", config: {} },
  );
  expect(run.result).toBe("imported");
  expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
});

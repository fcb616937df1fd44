/**
 * The Pulumi package (issue 11, item 4): provider/ started as the Pulumi CLI starts a Node.js
 * component provider from PulumiPlugin.yaml, spoken to over gRPC (ResourceProvider) as the engine
 * speaks to it.
 *
 * - GetSchema: every component's inputs (type, plain or Input, optional or required), outputs and
 *   the named types, as other languages' SDKs are generated from them; the committed
 *   provider/schema.json is what the provider serves; descriptions are the TypeScript components'.
 * - Construct under mocks (a mock resource monitor answering like a first preview): the
 *   package-facing components build the TypeScript ones, an endpoint and the function granted
 *   exactly that endpoint; arguments another resource produced (Outputs) and unknown ones; a bad
 *   argument fails with the component's own message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import * as adapters from "../../provider";
import * as artifactStore from "../../provider/components/artifact-store";
import * as ec2Trainer from "../../provider/components/ec2-trainer";
import * as inferenceEndpoint from "../../provider/components/inference-endpoint";
import * as inferenceFunction from "../../provider/components/inference-function";
import * as network from "../../provider/components/network";
import * as notebook from "../../provider/components/notebook";
import * as platformKey from "../../provider/components/platform-key";
import * as sourceBundle from "../../provider/components/source-bundle";
import * as trainingCluster from "../../provider/components/training-cluster";
import {
  Engine,
  PROVIDER_DIR,
  ProviderClient,
  ProviderProcess,
  ROOT,
  startEngine,
  startProvider,
} from "./support";

const MINUTES = 60_000;
const PACKAGE = "mlplatform";
const STACK = "dev";
const PROJECT = "consumer";

let engine: Engine;
let provider: ProviderProcess;
let client: ProviderClient;
let schema: any;

beforeAll(async () => {
  engine = await startEngine(STACK, PROJECT);
  provider = await startProvider(engine.address);
  client = new ProviderClient(provider.port);
  schema = await client.getSchema();
}, 8 * MINUTES);

afterAll(async () => {
  client?.close();
  provider?.stop();
  await engine?.stop();
});

/** A property as a signature: `Input<T>` unless plain, `T[]`, `map<T>`, named types by name. */
function sig(p: any, output = false): string {
  let t: string;
  if (p.$ref)
    t = p.$ref.startsWith("pulumi.json#/") ? p.$ref.slice("pulumi.json#/".length) : p.$ref.split(":").pop();
  else if (p.type === "array") t = `${sig(p.items, output)}[]`;
  else if (p.type === "object" && p.additionalProperties) t = `map<${sig(p.additionalProperties, output)}>`;
  else t = p.type;
  return output || p.plain ? t : `Input<${t}>`;
}
const props = (properties: Record<string, any>, output = false) =>
  Object.fromEntries(
    Object.entries(properties).map(([name, p]) => [`${name}${p.optional ? "?" : ""}`, sig(p, output)]),
  );
const resource = (name: string) => schema.resources[`${PACKAGE}:index:${name}`];

const CONTEXT = { "context?": "Input<AwsContext>" };
const TAGS = { "tags?": "map<string>" };

const EXPECTED: Record<string, { inputs: Record<string, string>; outputs: Record<string, string> }> = {
  PlatformKey: {
    inputs: { aliasName: "string", ...CONTEXT, "deletionWindowDays?": "number", ...TAGS },
    outputs: { aliasArn: "string", keyArn: "string" },
  },
  Network: {
    inputs: {
      "mode?": "NetworkMode",
      "namePrefix?": "string",
      "cidr?": "string",
      "region?": "Input<string>",
      "availabilityZoneCount?": "number",
      "interfaceEndpoints?": "string[]",
      "interfaceEndpointAzCount?": "number",
      "vpcId?": "string",
      "subnetIds?": "string[]",
      "vpcCidr?": "string",
      ...TAGS,
    },
    outputs: {
      vpcId: "string",
      subnetIds: "string[]",
      vpcCidr: "string",
      workloadSecurityGroupId: "string",
      "endpointSecurityGroupId?": "string",
      interfaceEndpointServices: "string[]",
    },
  },
  ArtifactStore: {
    inputs: {
      bucketName: "string",
      kmsKeyArn: "Input<string>",
      ...CONTEXT,
      "datasetPrefix?": "string",
      "noncurrentVersionExpirationDays?": "number",
      "forceDestroy?": "boolean",
      ...TAGS,
    },
    outputs: {
      bucketName: "string",
      bucketArn: "string",
      datasetPrefix: "string",
      prefixes: "ArtifactPrefixes",
    },
  },
  SourceBundle: {
    inputs: {
      bucketName: "string",
      kmsKeyArn: "Input<string>",
      "sourceDir?": "string",
      "codePrefix?": "string",
      ...TAGS,
    },
    outputs: { bucketName: "string", key: "string", sha256: "string", uri: "string", files: "string[]" },
  },
  NotebookInstance: {
    inputs: {
      notebookName: "string",
      "roleName?": "string",
      ...CONTEXT,
      storage: "ArtifactStoreRef",
      kmsKeyArn: "Input<string>",
      "kmsAliasArn?": "Input<string>",
      "subnetId?": "Input<string>",
      "securityGroupIds?": "Input<string>[]",
      "instanceType?": "string",
      "volumeSizeGb?": "number",
      "idleStopMinutes?": "number",
      "directInternetAccess?": "boolean",
      "rootAccess?": "boolean",
      "platformIdentifier?": "string",
      "trainingRoleArn?": "Input<string>",
      "jobNamePrefix?": "string",
      "homeBackupMinutes?": "number",
      "parked?": "boolean",
      ...TAGS,
    },
    outputs: { notebookName: "string", roleArn: "string", "url?": "string", homeBackupUri: "string" },
  },
  TrainingCluster: {
    inputs: {
      ...CONTEXT,
      storage: "ArtifactStoreRef",
      sourceBundle: "SourceBundleRefArgs",
      kmsKeyArn: "Input<string>",
      "kmsAliasArn?": "Input<string>",
      "volumeKmsKeyArn?": "Input<string>",
      "runId?": "string",
      jobNamePrefix: "string",
      "role?": "TrainingRoleArgs",
      "network?": "TrainingNetwork",
      "trainingJob?": "boolean",
      "tuning?": "TrainingTuningArgs",
      "instanceType?": "string",
      "instanceCount?": "number",
      "volumeSizeGb?": "number",
      "maxRuntimeHours?": "number",
      "spot?": "boolean",
      "maxWaitHours?": "number",
      "frameworkVersion?": "string",
      "pythonVersion?": "string",
      "hyperparameters?": "HyperparametersArgs",
      "pretrainedWeightsKey?": "string",
      "distribution?": "TrainingDistribution",
      "metrics?": "TrainingMetricsArgs",
      "waitMinutes?": "number",
      ...TAGS,
    },
    outputs: {
      roleArn: "string",
      "roleName?": "string",
      imageUri: "string",
      "trainingJobName?": "string",
      "modelDataUrl?": "string",
      "tuningJobName?": "string",
    },
  },
  Ec2Trainer: {
    inputs: {
      ...CONTEXT,
      storage: "ArtifactStoreRef",
      sourceBundle: "SourceBundleRefArgs",
      kmsKeyArn: "Input<string>",
      "kmsAliasArn?": "Input<string>",
      namePrefix: "string",
      vpcId: "Input<string>",
      subnetId: "Input<string>",
      "mode?": "Ec2TrainerMode",
      "instanceType?": "string",
      "volumeSizeGb?": "number",
      "maxRuntimeHours?": "number",
      "hyperparameters?": "HyperparametersArgs",
      "pretrainedWeightsKey?": "string",
      "sshCidr?": "string",
      "sessionManager?": "boolean",
      "launch?": "boolean",
      "runId?": "string",
      "dlamiPytorchVersion?": "string",
      "amiParameterName?": "string",
      ...TAGS,
    },
    outputs: {
      "instanceId?": "string",
      runId: "string",
      instanceType: "string",
      modelDataUrl: "string",
      outputUri: "string",
      amiParameterName: "string",
    },
  },
  InferenceEndpoint: {
    inputs: {
      endpointName: "string",
      "roleName?": "string",
      ...CONTEXT,
      modelDataUrl: "Input<string>",
      kmsKeyArn: "Input<string>",
      "kmsAliasArn?": "Input<string>",
      "image?": "EndpointImageArgs",
      "environment?": "map<string>",
      "networkIsolation?": "boolean",
      "mode?": "EndpointMode",
      "instanceType?": "string",
      "initialInstanceCount?": "number",
      "serverless?": "EndpointServerlessArgs",
      "variantName?": "string",
      "autoscaling?": "EndpointAutoscalingArgs",
      "dataCapture?": "EndpointDataCaptureArgs",
      "logRetentionDays?": "number",
      "parked?": "boolean",
      ...TAGS,
    },
    outputs: {
      endpointName: "string",
      endpointArn: "string",
      variantName: "string",
      maxRequestBytes: "number",
      roleArn: "string",
    },
  },
  InferenceFunction: {
    inputs: {
      functionName: "string",
      "roleName?": "string",
      ...CONTEXT,
      endpointName: "string",
      "endpointMaxRequestBytes?": "number",
      "memorySizeMb?": "number",
      "timeoutSeconds?": "number",
      "reservedConcurrency?": "number",
      "provisionedConcurrency?": "number",
      "aliasName?": "string",
      "functionUrl?": "FunctionUrlArgs",
      "logRetentionDays?": "number",
      "maxImageBytes?": "number",
      "fetchTimeoutMs?": "number",
      "endpointTimeoutMs?": "number",
      "topK?": "number",
      ...TAGS,
    },
    outputs: {
      functionName: "string",
      aliasName: "string",
      functionArn: "string",
      aliasArn: "string",
      "functionUrl?": "string",
      roleArn: "string",
      logGroupName: "string",
      codeSha256: "string",
    },
  },
};

const EXPECTED_TYPES: Record<string, Record<string, string> | string[]> = {
  AwsContext: { partition: "string", region: "string", accountId: "string", dnsSuffix: "string" },
  ArtifactPrefixes: {
    code: "string",
    models: "string",
    checkpoints: "string",
    notebooks: "string",
    dataCapture: "string",
  },
  ArtifactStoreRef: { bucketName: "string", "datasetPrefix?": "string" },
  SourceBundleRefArgs: { bucketName: "string", key: "string", sha256: "string" },
  NetworkMode: ["create", "existing"],
  Ec2TrainerMode: ["gpu", "cpu"],
  EndpointMode: ["instance", "serverless"],
  EndpointImageArgs: { "frameworkVersion?": "string", "pythonVersion?": "string", "uri?": "string" },
  EndpointServerlessArgs: { "memorySizeMb?": "number", "maxConcurrency?": "number" },
  EndpointAutoscalingArgs: {
    minCapacity: "number",
    maxCapacity: "number",
    "targetInvocationsPerInstance?": "number",
    "peakRequestsPerSecondPerInstance?": "number",
    "capacity?": "EndpointMeasuredCapacity",
    "safetyFactor?": "number",
    "scaleInCooldownSeconds?": "number",
    "scaleOutCooldownSeconds?": "number",
  },
  EndpointMeasuredCapacity: {
    requestsPerSecondPerInstance: "number",
    vCpus: "number",
    latencyBoundMs: "number",
    latencyPercentile: "number",
    source: "string",
    "measuredAt?": "string",
  },
  EndpointDataCaptureArgs: { bucketName: "string", "prefix?": "string", "samplingPercentage?": "number" },
  FunctionUrlArgs: { "authorizationType?": "FunctionUrlAuthType" },
  FunctionUrlAuthType: ["AWS_IAM", "NONE"],
  HyperparametersArgs: {
    "arch?": "string",
    "lr?": "number",
    "batchSize?": "number",
    "epochs?": "number",
    "pretrained?": "boolean",
  },
  TrainingRoleArgs: { "name?": "string", "arn?": "Input<string>" },
  TrainingNetwork: { subnetIds: "Input<Input<string>[]>", securityGroupIds: "Input<Input<string>[]>" },
  TrainingTuningArgs: {
    "instanceType?": "string",
    "maxJobs?": "number",
    "maxParallelJobs?": "number",
    "earlyStopping?": "EarlyStopping",
    "maxRuntimeHours?": "number",
    "ranges?": "TuningRangesArgs",
  },
  EarlyStopping: ["Auto", "Off"],
  TuningRangesArgs: { "lr?": "TuningRange", "batchSize?": "number[]", "epochs?": "TuningRange" },
  TuningRange: { min: "number", max: "number" },
  TrainingDistribution: ["hosts", "torchrun"],
  TrainingMetricsArgs: { definitions: "MetricDefinition[]", objective: "MetricObjectiveArgs" },
  MetricDefinition: { name: "string", regex: "string" },
  MetricObjectiveArgs: { metricName: "string", type: "ObjectiveType" },
  ObjectiveType: ["Maximize", "Minimize"],
};

test("GetSchema: the package, every component's inputs, types, required fields and outputs", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "package.json"), "utf8"));
  expect(schema.name).toBe(PACKAGE);
  expect(manifest.name).toBe(PACKAGE);
  // One version for the npm package and the Pulumi package: the repository's.
  expect(schema.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
  expect(schema.dependencies).toEqual([]);
  expect(Object.keys(schema.resources).sort()).toEqual(
    Object.keys(EXPECTED)
      .map((c) => `${PACKAGE}:index:${c}`)
      .sort(),
  );
  for (const [component, expected] of Object.entries(EXPECTED)) {
    const r = resource(component);
    expect({ component, isComponent: r.isComponent }).toEqual({ component, isComponent: true });
    expect({ component, inputs: props(r.inputProperties) }).toEqual({ component, inputs: expected.inputs });
    const required = Object.keys(expected.inputs)
      .filter((k) => !k.endsWith("?"))
      .sort();
    expect({ component, required: r.requiredInputs }).toEqual({ component, required });
    expect({ component, outputs: props(r.properties, true) }).toEqual({
      component,
      outputs: expected.outputs,
    });
    expect({ component, required: r.required }).toEqual({
      component,
      required: Object.keys(expected.outputs)
        .filter((k) => !k.endsWith("?"))
        .sort(),
    });
    expect(r.description).toEqual(expect.any(String));
  }
  // A type only outputs use (ArtifactPrefixes) is never plain: outputs are not inputs.
  const referenced = (where: "inputProperties" | "properties") =>
    JSON.stringify(Object.values(schema.resources).map((r: any) => r[where]));
  const outputOnly = (token: string) =>
    !referenced("inputProperties").includes(`#/types/${token}"`) &&
    referenced("properties").includes(`#/types/${token}"`);
  const types = Object.fromEntries(
    Object.entries(schema.types).map(([token, t]: [string, any]) => [
      token.split(":").pop(),
      t.enum ? t.enum.map((e: any) => e.value).sort() : props(t.properties, outputOnly(token)),
    ]),
  );
  const expectedTypes = Object.fromEntries(
    Object.entries(EXPECTED_TYPES).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]),
  );
  expect(types).toEqual(expectedTypes);
  // Enum members keep the names other languages see (EndpointMode.SERVERLESS in Python).
  expect(schema.types[`${PACKAGE}:index:EndpointMode`].enum.map((e: any) => e.name).sort()).toEqual([
    "Instance",
    "Serverless",
  ]);
});

test("the committed provider/schema.json is what the provider serves (npm run generate:provider-schema)", () => {
  const committed = JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "schema.json"), "utf8"));
  expect(committed).toEqual(schema);
});

/** Each interface's property docs in a TypeScript file, parsed (no type check). */
function interfaceDocs(file: string): Record<string, Record<string, string>> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const out: Record<string, Record<string, string>> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const docs: Record<string, string> = {};
    for (const member of node.members) {
      const jsDoc = (member as unknown as { jsDoc?: { comment?: string }[] }).jsDoc;
      if (member.name && ts.isIdentifier(member.name) && jsDoc?.length)
        docs[member.name.text] = jsDoc.map((d) => d.comment ?? "").join("\n");
    }
    out[node.name.text] = docs;
  });
  return out;
}

test("every argument keeps the TypeScript component's documentation, except those the package adapts", () => {
  const real: Record<string, [string, string]> = {
    PlatformKey: ["platform-key", "PlatformKeyArgs"],
    Network: ["network", "NetworkArgs"],
    ArtifactStore: ["artifact-store", "ArtifactStoreArgs"],
    SourceBundle: ["source-bundle", "SourceBundleArgs"],
    NotebookInstance: ["notebook", "NotebookInstanceArgs"],
    TrainingCluster: ["training-cluster", "TrainingClusterArgs"],
    Ec2Trainer: ["ec2-trainer", "Ec2TrainerArgs"],
    InferenceEndpoint: ["inference-endpoint", "InferenceEndpointArgs"],
    InferenceFunction: ["inference-function", "InferenceFunctionArgs"],
  };
  // Adapted for other languages (provider/README.md lists why).
  const adapted = ["context", "storage", "sourceBundle", "sourceDir"];
  for (const [component, [dir, name]] of Object.entries(real)) {
    const docs = interfaceDocs(path.join(ROOT, "components", dir, "args.ts"))[name];
    const inputs = resource(component).inputProperties;
    for (const [arg, doc] of Object.entries(docs))
      if (inputs[arg] && !adapted.includes(arg))
        expect({ component, arg, doc: inputs[arg].description }).toEqual({ component, arg, doc });
  }
});

test("the arguments each adapter passes through as Inputs are exactly the schema's non-plain ones", () => {
  const modules: Record<string, { inputs: readonly string[] }> = {
    PlatformKey: platformKey,
    Network: network,
    ArtifactStore: artifactStore,
    SourceBundle: sourceBundle,
    NotebookInstance: notebook,
    TrainingCluster: trainingCluster,
    Ec2Trainer: ec2Trainer,
    InferenceEndpoint: inferenceEndpoint,
    InferenceFunction: inferenceFunction,
  };
  const inputPaths = (properties: Record<string, any>, at: string[] = []): string[] =>
    Object.entries(properties).flatMap(([name, p]) => {
      const here = [...at, name];
      if (!p.plain || (p.type === "array" && !p.items.plain)) return [here.join(".")];
      const ref = p.$ref?.startsWith("#/types/") ? schema.types[p.$ref.slice("#/types/".length)] : undefined;
      return ref?.properties ? inputPaths(ref.properties, here) : [];
    });
  for (const [component, module] of Object.entries(modules))
    expect({ component, inputs: [...module.inputs].sort() }).toEqual({
      component,
      inputs: inputPaths(resource(component).inputProperties).sort(),
    });
  // The classes main.js exports (and run-plugin hosts) are the schema's components.
  expect(Object.keys(adapters).sort()).toEqual(Object.keys(EXPECTED).sort());
});

// ---- Construct ---------------------------------------------------------------------------------

const ENDPOINT_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/team-x-classifier";
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KMS_ALIAS = "arn:aws:kms:us-east-1:123456789012:alias/team-x-data";
const construct = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  deps?: Record<string, string[]>,
) =>
  client.construct({
    type: `${PACKAGE}:index:${type}`,
    name,
    inputs,
    inputDependencies: deps,
    monitor: engine.address,
    project: PROJECT,
    stack: STACK,
    config: { "aws:region": "us-east-1" },
  });
const childrenOf = (urn: string) => engine.registered.filter((r) => r.parent === urn);
const descendantsOf = (urn: string): typeof engine.registered =>
  childrenOf(urn).flatMap((c) => [c, ...descendantsOf(c.urn)]);

test(
  "Construct: an InferenceEndpoint, then an InferenceFunction granted exactly that endpoint",
  async () => {
    await client.configure();
    const endpoint = await construct("InferenceEndpoint", "classifier", {
      endpointName: "team-x-classifier",
      modelDataUrl: "s3://team-x-models-123456789012-us-east-1/resnet50/model.tar.gz",
      kmsKeyArn: KMS_KEY,
      kmsAliasArn: KMS_ALIAS,
      instanceType: "ml.m5.large",
      autoscaling: { minCapacity: 2, maxCapacity: 4, peakRequestsPerSecondPerInstance: 0.5 },
    });
    expect(endpoint.urn).toBe(
      `urn:pulumi:${STACK}::${PROJECT}::${PACKAGE}:index:InferenceEndpoint::classifier`,
    );
    expect(endpoint.state).toEqual({
      endpointName: "team-x-classifier",
      endpointArn: ENDPOINT_ARN,
      variantName: "AllTraffic",
      maxRequestBytes: 6 * 1024 * 1024,
      roleArn: "arn:aws:iam::123456789012:role/team-x-classifier-model",
    });
    // The TypeScript component is the package-facing one's child; the context was looked up.
    const [inner] = childrenOf(endpoint.urn);
    expect(inner.type).toBe("ml-platform:serving:InferenceEndpoint");
    expect(descendantsOf(endpoint.urn).map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "aws:sagemaker/model:Model",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:appautoscaling/target:Target",
        "aws:appautoscaling/policy:Policy",
      ]),
    );
    expect(engine.invokes).toEqual(expect.arrayContaining(["aws:index/getCallerIdentity:getCallerIdentity"]));

    const fn = await construct("InferenceFunction", "classify", {
      functionName: "team-x-classify",
      endpointName: "team-x-classifier",
      endpointMaxRequestBytes: endpoint.state.maxRequestBytes,
      reservedConcurrency: 5,
    });
    expect(fn.state).toMatchObject({
      functionName: "team-x-classify",
      aliasName: "live",
      aliasArn: "arn:aws:lambda:us-east-1:123456789012:function:team-x-classify:live",
      codeSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const policy = descendantsOf(fn.urn).find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    expect(JSON.parse(policy.inputs.policy).Statement[0]).toEqual({
      Sid: "InvokeEndpoint",
      Effect: "Allow",
      Action: ["sagemaker:InvokeEndpoint"],
      Resource: [ENDPOINT_ARN],
    });
    const lambda = descendantsOf(fn.urn).find((r) => r.type === "aws:lambda/function:Function")!;
    expect(lambda.inputs.environment.variables).toMatchObject({
      ENDPOINT_NAME: "team-x-classifier",
      MAX_IMAGE_BYTES: String(6 * 1024 * 1024),
    });
  },
  5 * MINUTES,
);

test(
  "Construct: a plain argument that arrives as another resource's output (with its dependency) is waited for",
  async () => {
    const fn = await construct(
      "InferenceFunction",
      "wired",
      { functionName: "team-x-wired", endpointName: "team-x-classifier" },
      { endpointName: [`urn:pulumi:${STACK}::${PROJECT}::${PACKAGE}:index:InferenceEndpoint::classifier`] },
    );
    expect(fn.state.functionName).toBe("team-x-wired");
    // The TypeScript component (and so every resource in it) waits for the endpoint: its role's
    // policy names the endpoint by an ARN assembled from known parts.
    const [inner] = childrenOf(fn.urn);
    expect(inner.dependencies).toEqual([
      `urn:pulumi:${STACK}::${PROJECT}::${PACKAGE}:index:InferenceEndpoint::classifier`,
    ]);
    const policy = descendantsOf(fn.urn).find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    expect(JSON.parse(policy.inputs.policy).Statement[0].Resource).toEqual([ENDPOINT_ARN]);
  },
  5 * MINUTES,
);

test(
  "Construct: a TrainingCluster given a SourceBundle's outputs waits for its upload",
  async () => {
    const bundle = await construct("SourceBundle", "code", {
      bucketName: "team-x-data-123456789012-us-east-1",
      kmsKeyArn: KMS_KEY,
    });
    expect(bundle.state).toMatchObject({
      bucketName: "team-x-data-123456789012-us-east-1",
      key: expect.stringMatching(/^code\/[0-9a-f]{16}\/sourcedir\.tar\.gz$/),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const { bucketName, key, sha256 } = bundle.state;
    const cluster = await construct(
      "TrainingCluster",
      "train",
      {
        storage: { bucketName },
        sourceBundle: { bucketName, key, sha256 },
        kmsKeyArn: KMS_KEY,
        kmsAliasArn: KMS_ALIAS,
        jobNamePrefix: "team-x",
      },
      { sourceBundle: [bundle.urn] },
    );
    expect(cluster.state.trainingJobName).toMatch(/^team-x-train-[0-9a-f]{12}$/);
    const job = descendantsOf(cluster.urn).find((r) => r.type === "aws:sagemaker/trainingJob:TrainingJob")!;
    expect(job.dependencies).toContain(bundle.urn);
    expect(cluster.state.modelDataUrl).toBe(
      `s3://${bucketName}/models/${cluster.state.trainingJobName}/output/model.tar.gz`,
    );
  },
  5 * MINUTES,
);

test(
  "Construct: a plain argument unknown during the preview: no resources, and a warning that says so",
  async () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const fn = await construct(
      "InferenceFunction",
      "unknown",
      { functionName: "team-x-unknown", endpointName: UNKNOWN },
      { endpointName: [`urn:pulumi:${STACK}::${PROJECT}::aws:s3/bucket:Bucket::somewhere`] },
    );
    expect(descendantsOf(fn.urn)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(engine.logs.filter((l) => l.severity === "warning").map((l) => l.message)).toContain(
      "InferenceFunction unknown: args.endpointName not known during this preview, so the component's resources " +
        "are not shown or checked by policies until `pulumi up`; pass plain values (e.g. the names you gave " +
        "those resources) to see them in previews",
    );
  },
  5 * MINUTES,
);

test(
  "Construct: a bad argument fails with the TypeScript component's message, naming the argument",
  async () => {
    await expect(
      construct("InferenceFunction", "open", {
        functionName: "team-x-open",
        endpointName: "team-x-classifier",
        functionUrl: { authorizationType: "NONE" },
      }),
    ).rejects.toThrow(
      'InferenceFunction open: args.functionUrl.authorizationType must be "AWS_IAM" (got "NONE"): without IAM auth ' +
        "anyone on the internet can run the function and spend its concurrency and the endpoint's capacity",
    );
  },
  5 * MINUTES,
);

test(
  "Construct: autoscaling.capacity.latencyPercentile, a number in the schema, is still only 50 or 99",
  async () => {
    await expect(
      construct("InferenceEndpoint", "p75", {
        endpointName: "team-x-p75",
        modelDataUrl: "s3://team-x-models-123456789012-us-east-1/resnet50/model.tar.gz",
        kmsKeyArn: KMS_KEY,
        instanceType: "ml.m5.large",
        autoscaling: {
          minCapacity: 1,
          maxCapacity: 2,
          capacity: {
            requestsPerSecondPerInstance: 4,
            vCpus: 2,
            latencyBoundMs: 500,
            latencyPercentile: 75,
            source: "bench/capacity/resnet50-224-2vcpu.json",
          },
        },
      }),
    ).rejects.toThrow("args.autoscaling.capacity.latencyPercentile must be 50 or 99");
  },
  5 * MINUTES,
);

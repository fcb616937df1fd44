/**
 * `ml-platform:parked: true`: what holds data and identity stays,
 * what bills by the hour or holds capacity goes, and `false` brings the whole stack back under the
 * same names, so nothing that holds data is replaced.
 */
import { S3World } from "../../cli/invokes/s3-objects";
import { runStack, StackRun } from "../harness";

const kind = (run: StackRun) => run.resources.map((r) => `${r.type}::${r.name}`).sort();
const runs: Record<string, StackRun> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod"]) {
    runs[stack] = await runStack(stack);
    runs[`${stack}-parked`] = await runStack(stack, { "ml-platform:parked": "true" });
    runs[`${stack}-unparked`] = await runStack(stack, { "ml-platform:parked": "false" });
  }
}, 180_000);

/** What a parked stack keeps, besides the component resources and the stack itself. */
const KEPT_BY_BOTH = [
  "aws:cloudwatch/logGroup:LogGroup::endpoint-logs",
  "aws:cloudwatch/logGroup:LogGroup::inference-logs",
  "aws:ec2/routeTable:RouteTable::network-private",
  "aws:ec2/routeTableAssociation:RouteTableAssociation::network-private-0",
  "aws:ec2/routeTableAssociation:RouteTableAssociation::network-private-1",
  "aws:ec2/securityGroup:SecurityGroup::network-workload",
  "aws:ec2/subnet:Subnet::network-private-0",
  "aws:ec2/subnet:Subnet::network-private-1",
  "aws:ec2/vpc:Vpc::network",
  "aws:ec2/vpcEndpoint:VpcEndpoint::network-s3",
  "aws:iam/role:Role::endpoint-role",
  "aws:iam/role:Role::inference-role",
  "aws:iam/role:Role::notebook-role",
  "aws:iam/role:Role::training-role",
  "aws:iam/rolePolicy:RolePolicy::endpoint-policy",
  "aws:iam/rolePolicy:RolePolicy::inference-policy",
  "aws:iam/rolePolicy:RolePolicy::notebook-policy",
  "aws:iam/rolePolicy:RolePolicy::training-policy",
  "aws:kms/alias:Alias::platform-key",
  "aws:kms/key:Key::platform-key",
  "aws:lambda/alias:Alias::inference-alias",
  "aws:lambda/function:Function::inference",
  "aws:s3/bucket:Bucket::artifacts",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::artifacts",
  "aws:s3/bucketObjectv2:BucketObjectv2::training-code",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls::artifacts",
  "aws:s3/bucketPolicy:BucketPolicy::artifacts",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::artifacts",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::artifacts",
  "aws:s3/bucketVersioning:BucketVersioning::artifacts",
  "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration::notebook-lifecycle",
];
const COMPONENTS = [
  "ml-platform:network:Network::network",
  "ml-platform:notebook:NotebookInstance::notebook",
  "ml-platform:security:PlatformKey::platform-key",
  "ml-platform:serving:InferenceEndpoint::endpoint",
  "ml-platform:serving:InferenceFunction::inference",
  "ml-platform:storage:ArtifactStore::artifacts",
  "ml-platform:training:SourceBundle::training-code",
  "ml-platform:training:TrainingCluster::training",
];

describe("a parked stack", () => {
  it("keeps exactly the key, the bucket, the roles, the log groups, the code and the free network (dev)", () => {
    expect(kind(runs["dev-parked"])).toEqual(
      [
        ...KEPT_BY_BOTH,
        ...COMPONENTS,
        "ml-platform:training:Ec2Trainer::ec2-trainer",
        "aws:ec2/securityGroup:SecurityGroup::ec2-trainer-sg",
        "aws:iam/instanceProfile:InstanceProfile::ec2-trainer-profile",
        "aws:iam/role:Role::ec2-trainer-role",
        "aws:iam/rolePolicy:RolePolicy::ec2-trainer-policy",
        "pulumi:pulumi:Stack::ml-platform-dev",
      ].sort(),
    );
  });

  it("keeps the same in prod, and the function's IAM-auth URL", () => {
    expect(kind(runs["prod-parked"])).toEqual(
      [
        ...KEPT_BY_BOTH,
        ...COMPONENTS,
        "aws:lambda/functionUrl:FunctionUrl::inference-url",
        "pulumi:pulumi:Stack::ml-platform-prod",
      ].sort(),
    );
  });

  it.each(["dev", "prod"])("leaves out everything that bills by the hour or holds capacity (%s)", (stack) => {
    const gone = kind(runs[stack]).filter((k) => !kind(runs[`${stack}-parked`]).includes(k));
    const types = [...new Set(gone.map((k) => k.split("::")[0]))].sort();
    const expected = [
      "aws:ec2/securityGroup:SecurityGroup", // the interface endpoints' group
      "aws:ec2/vpcEndpoint:VpcEndpoint", // the interface endpoints
      "aws:sagemaker/endpoint:Endpoint",
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      "aws:sagemaker/model:Model",
      "aws:sagemaker/notebookInstance:NotebookInstance",
      "aws:sagemaker/trainingJob:TrainingJob",
      ...(stack === "dev"
        ? ["aws:ec2/instance:Instance"]
        : [
            "aws:appautoscaling/policy:Policy",
            "aws:appautoscaling/target:Target",
            "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
            "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
          ]),
    ].sort();
    expect(types).toEqual(expected);
    expect(gone.filter((k) => k.startsWith("aws:ec2/securityGroup"))).toEqual([
      "aws:ec2/securityGroup:SecurityGroup::network-endpoints",
    ]);
  });

  it.each(["dev", "prod"])(
    "declares what it keeps under the same URN with the same inputs, so nothing is replaced or changed (%s)",
    (stack) => {
      const full = new Map(runs[stack].resources.map((r) => [r.urn, r]));
      for (const kept of runs[`${stack}-parked`].resources) {
        const before = full.get(kept.urn);
        expect({ urn: kept.urn, found: before !== undefined }).toEqual({ urn: kept.urn, found: true });
        expect({ urn: kept.urn, inputs: kept.inputs }).toEqual({ urn: kept.urn, inputs: before!.inputs });
      }
    },
  );

  it("says so in its outputs, and serves its endpoint's name and the artifact URL still", () => {
    expect(runs["dev-parked"].outputs).toMatchObject({
      parked: true,
      interfaceEndpoints: [],
      endpointName: "ml-platform-dev-endpoint",
      notebookName: "ml-platform-dev-notebook",
    });
    expect(runs["dev-parked"].outputs?.notebookUrl).toBeUndefined();
    expect(runs.dev.outputs).toMatchObject({
      parked: false,
      interfaceEndpoints: ["sagemaker.api", "sts", "logs"],
    });
  });
});

describe("unparking", () => {
  it.each(["dev", "prod"])("brings back every resource with the same URN and inputs (%s)", (stack) => {
    const back = runs[`${stack}-unparked`];
    expect(back.resources.map((r) => r.urn).sort()).toEqual(runs[stack].resources.map((r) => r.urn).sort());
    const before = new Map(runs[stack].resources.map((r) => [r.urn, r.inputs]));
    for (const r of back.resources)
      expect({ urn: r.urn, inputs: r.inputs }).toEqual({ urn: r.urn, inputs: before.get(r.urn) });
  });
});

/** What the store holds once the data is uploaded (what the training runs read). */
const UPLOADED = [
  "datasets/dog-images/train/001.Affenpinscher/a.jpg",
  "datasets/dog-images/valid/001.Affenpinscher/b.jpg",
  "datasets/dog-images/test/001.Affenpinscher/c.jpg",
  "weights/resnet50-11ad3fa6.pth",
];
const store = (...extra: string[]): S3World => ({ kind: "objects", keys: [...UPLOADED, ...extra] });
const status = (run: StackRun) => run.outputs?.trainingStatus as Record<string, unknown>;
/** `s3://<bucket>/<key>` -> `<key>`. */
const keyOf = (uri: unknown) => String(uri).replace(/^s3:\/\/[^/]+\//, "");
const RUNS = [
  "aws:sagemaker/trainingJob:TrainingJob",
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
  "aws:ec2/instance:Instance",
];
const runsIn = (run: StackRun) => run.resources.filter((r) => RUNS.includes(r.type)).map((r) => r.type);

describe("parking and the training runs", () => {
  it("holds a run that would start: no training job, no tuning job, no EC2 instance, status `parked`", () => {
    expect(runsIn(runs["dev-parked"])).toEqual([]);
    expect(runsIn(runs["prod-parked"])).toEqual([]);
    expect(status(runs["dev-parked"])).toEqual({ trainingJob: "parked", ec2Trainer: "parked" });
    expect(status(runs["prod-parked"])).toEqual({ trainingJob: "parked", tuningJob: "parked" });
    // Unparked, the same runs start.
    expect(status(runs["dev-unparked"])).toEqual({ trainingJob: "start", ec2Trainer: "start" });
    expect(status(runs["prod-unparked"])).toEqual({ trainingJob: "start", tuningJob: "start" });
    // The EC2 trainer keeps its role, profile and group (launch: false, as after a finished run).
    expect(runs["dev-parked"].one("aws:iam/role:Role", "ec2-trainer-role").inputs.name).toBe(
      "ml-platform-dev-ec2-trainer",
    );
  });

  it("serves the artifact URL the job will write, so the endpoint role's grant does not change", () => {
    const url = runs["dev-parked"].outputs?.modelDataUrl;
    expect(url).toMatch(
      /^s3:\/\/ml-platform-dev-artifacts-123456789012-us-east-1\/models\/ml-platform-dev-train-[0-9a-f]{12}\/output\/model\.tar\.gz$/,
    );
    // The job that would write it, unparked.
    const job = runs["dev-unparked"].one("aws:sagemaker/trainingJob:TrainingJob");
    expect(String(url)).toContain(`/models/${job.inputs.trainingJobName}/output/`);
  });

  it("while data is missing, parked or not, the runs wait for it", async () => {
    const parked = await runStack(
      "dev",
      { "ml-platform:parked": "true" },
      { s3: { kind: "objects", keys: [] } },
    );
    expect(runsIn(parked)).toEqual([]);
    expect(status(parked)).toMatchObject({ trainingJob: "waiting for data", ec2Trainer: "waiting for data" });
  });

  it("a run that finished before parking stays finished after unparking: no new run starts", async () => {
    const model = keyOf(runs["dev-parked"].outputs?.modelDataUrl);
    const ec2Out = keyOf(runs.dev.outputs?.ec2TrainerModelDataUrl).replace(/model\.tar\.gz$/, "");
    const done = store(model, `${ec2Out}model.tar.gz`, `${ec2Out}trainer.log`, `${ec2Out}run-status.json`);
    const parked = await runStack("dev", { "ml-platform:parked": "true" }, { s3: done });
    const unparked = await runStack("dev", { "ml-platform:parked": "false" }, { s3: done });
    for (const run of [parked, unparked]) {
      expect(runsIn(run)).toEqual([]);
      expect(status(run)).toEqual({ trainingJob: "finished", ec2Trainer: "finished" });
      expect(run.outputs?.modelDataUrl).toBe(runs["dev-parked"].outputs?.modelDataUrl);
    }
    // Unparked, the endpoint serves the finished job's model again.
    expect(unparked.ofType("aws:sagemaker/endpoint:Endpoint")).toHaveLength(1);
    expect(parked.ofType("aws:sagemaker/endpoint:Endpoint")).toEqual([]);
  });
});

describe("the parked flag", () => {
  it("must be true or false", async () => {
    await expect(runStack("dev", { "ml-platform:parked": "yes" })).rejects.toThrow(
      'ml-platform:parked must be true or false (got "yes")',
    );
  });
});

/**
 * Data as a checked prerequisite (issue 10 item 5, docs/deploy.md): the program lists the artifact
 * store before it declares a training run. A run whose inputs are missing is not declared and the
 * stack says what to upload (an output and a warning); a run whose output exists is not started
 * again, and serving wires to the artifact. Under mocks, the S3 listing answers from an S3 world
 * (cli/invokes/s3-objects.ts), the way the provider's aws_s3_objects data source answers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DATASET_SPLITS as MOCK_SPLITS, S3World } from "../../cli/invokes/s3-objects";
import { parsePlanArgs, USAGE } from "../../cli/plan/args";
import { runProgram } from "../../cli/plan/program";
import { loadStackSettings } from "../../cli/stack-config";
import { DATASET_SPLITS } from "../../components/artifact-store";
import { PROJECT_DIR, runStack, StackRun } from "../harness";

const BUCKET = (stack: string) => `ml-platform-${stack}-artifacts-123456789012-us-east-1`;
const TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob";
const TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob";
const INSTANCE = "aws:ec2/instance:Instance";
const SERVING = [
  "aws:sagemaker/model:Model",
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  "aws:sagemaker/endpoint:Endpoint",
  "aws:lambda/function:Function",
];
const BASE = [
  "aws:kms/key:Key",
  "aws:ec2/vpc:Vpc",
  "aws:s3/bucket:Bucket",
  "aws:sagemaker/notebookInstance:NotebookInstance",
  "aws:s3/bucketObjectv2:BucketObjectv2",
];
const DATASET = [
  "train/001.Affenpinscher/a.jpg",
  "valid/001.Affenpinscher/b.jpg",
  "test/001.Affenpinscher/c.jpg",
].map((k) => `datasets/dog-images/${k}`);
const WEIGHTS = "weights/resnet50-11ad3fa6.pth";
const objects = (...keys: string[]): S3World => ({ kind: "objects", keys });
const count = (run: StackRun, type: string) => run.ofType(type).length;
const status = (run: StackRun) => run.outputs?.trainingStatus as Record<string, unknown>;

/** Warnings the program logged (pulumi.log.warn prints `warning: [runtime] ...` under mocks). */
async function warningsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const logged: string[] = [];
  const spy = jest
    .spyOn(console, "warn")
    .mockImplementation((...a: unknown[]) => void logged.push(a.join(" ")));
  const log = jest
    .spyOn(console, "log")
    .mockImplementation((...a: unknown[]) => void logged.push(a.join(" ")));
  try {
    await fn();
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  return logged.filter((l) => /warning/.test(l));
}

test("the splits the program checks are train.py's (and the offline answer's)", () => {
  const train = fs.readFileSync(path.join(PROJECT_DIR, "training", "train.py"), "utf8");
  const splits = /^SPLITS = \(([^)]*)\)/m
    .exec(train)![1]
    .match(/"(\w+)"/g)!
    .map((s) => s.slice(1, -1));
  expect([...DATASET_SPLITS]).toEqual(splits);
  expect([...MOCK_SPLITS]).toEqual(splits);
});

describe.each(["dev", "prod"])("%s on an empty account (no bucket yet): the first pulumi up", (stack) => {
  let run: StackRun;
  let warnings: string[];
  beforeAll(async () => {
    warnings = await warningsOf(async () => {
      run = await runStack(stack, {}, { s3: { kind: "missing-bucket" } });
    });
  });

  it("creates the base and declares no run and nothing to serve", () => {
    for (const type of BASE) expect([type, count(run, type)]).toEqual([type, 1]);
    for (const type of [TRAINING_JOB, TUNING_JOB, INSTANCE, ...SERVING])
      expect([type, count(run, type)]).toEqual([type, 0]);
    // The roles are base too: the training role (the notebook may pass it) and, in dev, the EC2 trainer's.
    const roles = run.ofType("aws:iam/role:Role").map((r) => r.inputs.name);
    expect(roles).toContain(`ml-platform-${stack}-training`);
    if (stack === "dev") expect(roles).toContain("ml-platform-dev-ec2-trainer");
  });

  it("says exactly what to upload, where and how, as a stack output and a warning", () => {
    const bucket = BUCKET(stack);
    expect(status(run)).toMatchObject({
      trainingJob: "waiting for data",
      ...(stack === "prod" ? { tuningJob: "waiting for data" } : { ec2Trainer: "waiting for data" }),
      dataToUpload: [
        {
          what: "dataset (ImageFolder layout: train/, valid/, test/)",
          uri: `s3://${bucket}/datasets/dog-images/`,
          command: `aws s3 sync ./dogImages s3://${bucket}/datasets/dog-images/   # a folder with train/, valid/, test/`,
        },
        {
          what: "backbone weights (torchvision's ImageNet state dict; the jobs have no internet)",
          uri: `s3://${bucket}/${WEIGHTS}`,
          command: `aws s3 cp ./resnet50-11ad3fa6.pth s3://${bucket}/${WEIGHTS}`,
        },
      ],
    });
    const waiting = warnings.find((w) => w.includes("waiting for data"))!;
    expect(waiting).toContain(`aws s3 sync ./dogImages s3://${bucket}/datasets/dog-images/`);
    expect(waiting).toContain(`aws s3 cp ./resnet50-11ad3fa6.pth s3://${bucket}/${WEIGHTS}`);
    expect(waiting).toContain("then run `pulumi up` again");
  });
});

test("an empty bucket: the same wait, every input named", async () => {
  const run = await runStack("dev", {}, { s3: objects() });
  expect([count(run, TRAINING_JOB), count(run, INSTANCE), count(run, "aws:sagemaker/model:Model")]).toEqual([
    0, 0, 0,
  ]);
  expect((status(run).dataToUpload as { uri: string }[]).map((m) => m.uri)).toEqual([
    `s3://${BUCKET("dev")}/datasets/dog-images/`,
    `s3://${BUCKET("dev")}/${WEIGHTS}`,
  ]);
});

test("the dataset is there but the weights are not: only the weights are asked for", async () => {
  const run = await runStack("prod", {}, { s3: objects(...DATASET) });
  expect([count(run, TRAINING_JOB), count(run, TUNING_JOB)]).toEqual([0, 0]);
  expect(status(run).dataToUpload).toEqual([
    expect.objectContaining({ uri: `s3://${BUCKET("prod")}/${WEIGHTS}` }),
  ]);
});

test("a dataset with a split missing names that split", async () => {
  const run = await runStack("dev", {}, { s3: objects(DATASET[0], DATASET[2], WEIGHTS) });
  expect(status(run).dataToUpload).toEqual([
    expect.objectContaining({ what: "dataset (ImageFolder layout; missing: valid/)" }),
  ]);
});

test("without pretrained weights, the weights are not a prerequisite", async () => {
  const run = await runStack(
    "dev",
    { "ml-platform:training": { hyperparameters: { pretrained: false } } },
    { s3: objects(...DATASET) },
  );
  expect(status(run)).toEqual({ trainingJob: "start", ec2Trainer: "start" });
  expect(count(run, TRAINING_JOB)).toBe(1);
});

describe.each(["dev", "prod"])(
  "%s with everything uploaded: the next pulumi up trains and serves",
  (stack) => {
    it("declares the runs, and serving waits for the training job's artifact", async () => {
      const run = await runStack(stack, {}, { s3: objects(...DATASET, WEIGHTS) });
      expect(status(run)).toEqual(
        stack === "prod"
          ? { trainingJob: "start", tuningJob: "start" }
          : { trainingJob: "start", ec2Trainer: "start" },
      );
      expect(count(run, TRAINING_JOB)).toBe(1);
      expect(count(run, stack === "prod" ? TUNING_JOB : INSTANCE)).toBe(1);
      for (const type of SERVING) expect([type, count(run, type)]).toEqual([type, 1]);
      const model = run.one("aws:sagemaker/model:Model");
      const job = run.one(TRAINING_JOB);
      expect(model.propertyDependencies.primaryContainer).toContain(job.urn);
      // The offline plan's default answer is this world: the data is there, nothing is trained.
      const plan = await runStack(stack);
      expect(plan.resources.map((r) => r.urn)).toEqual(run.resources.map((r) => r.urn));
    });
  },
);

test("a listing S3 refuses (not a missing bucket) stops the program, naming the bucket: nothing is guessed", async () => {
  const denied =
    "listing S3 Bucket (b) Objects: operation error S3: ListObjectsV2, https response error StatusCode: 403, api error AccessDenied: Access Denied";
  await expect(runStack("dev", {}, { s3: { kind: "error", message: denied } })).rejects.toThrow(
    // The provider's error in the bridge's shape, on one line.
    `could not list s3://${BUCKET("dev")}/datasets/dog-images/ to check the training data and finished runs: ` +
      `invoking aws:s3/getObjects:getObjects: 1 error occurred: \t* ${denied}. ` +
      "The deploying identity needs s3:ListBucket on the artifact bucket; nothing was changed.",
  );
});

describe("the offline plan's --empty-account view", () => {
  it("is a flag of npm run plan, off by default", () => {
    expect(
      parsePlanArgs(["--empty-account"]).help === false && parsePlanArgs(["--empty-account"]),
    ).toMatchObject({
      emptyAccount: true,
    });
    expect(parsePlanArgs([])).not.toHaveProperty("emptyAccount");
    expect(USAGE).toContain("--empty-account");
  });

  it("plans the first pulumi up: the base, and the waiting-for-data warning with the URIs", async () => {
    const settings = loadStackSettings(PROJECT_DIR, "dev");
    const run = await runProgram(settings, { registerTypeScript: false, emptyAccount: true });
    expect(run.resources.some((r) => r.type === TRAINING_JOB)).toBe(false);
    const warning = run.output.find((m) => m.severity === "warning" && m.text.startsWith("waiting for data"));
    expect(warning?.text).toContain(`s3://${BUCKET("dev")}/datasets/dog-images/`);
    const full = await runProgram(settings, { registerTypeScript: false });
    expect(full.resources.some((r) => r.type === TRAINING_JOB)).toBe(true);
    expect(full.output.filter((m) => m.text.startsWith("waiting for data"))).toEqual([]);
  });
});

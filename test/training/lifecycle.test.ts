/**
 * Lifecycle that survives real use (issue 10 item 6): what our program does about the provider's
 * behaviour, which docs/deploy.md cites.
 * - A TrainingJob is recorded in the state only once it is Completed or Stopped (terraform-provider-aws
 *   internal/service/sagemaker/training_job.go: Create sets the state after waitTrainingJobCreated,
 *   whose targets are Completed and Stopped; Failed is an error, and nothing is recorded). SageMaker
 *   keeps a job's name until the job is deleted (DeleteTrainingJob: "After deleting the job, you can
 *   reuse its name"). So a retry of unchanged inputs needs a new name: `training.runId`.
 * - A terminated EC2 instance reads as gone (internal/service/ec2/find.go findInstanceByID treats
 *   `terminated` as not found; resourceInstanceRead then removes it from the state), so after
 *   `pulumi refresh` the program alone decides whether the run happens again: it does not once the
 *   run's `run-status.json` is in the store.
 */
import { S3World } from "../../cli/invokes/s3-objects";
import { buildSourceBundle } from "../../components/source-bundle";
import { runStack, StackRun } from "../harness";

const TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob";
const INSTANCE = "aws:ec2/instance:Instance";
const UPLOADED = [
  "datasets/dog-images/train/001.Affenpinscher/a.jpg",
  "datasets/dog-images/valid/001.Affenpinscher/b.jpg",
  "datasets/dog-images/test/001.Affenpinscher/c.jpg",
  "weights/resnet50-11ad3fa6.pth",
];
const world = (...extra: string[]): S3World => ({ kind: "objects", keys: [...UPLOADED, ...extra] });
const status = (run: StackRun) => run.outputs?.trainingStatus as Record<string, unknown>;
/** `run-<12 hex>`, from `s3://<bucket>/models/ec2/<runId>/output/model.tar.gz`. */
const runIdOf = (run: StackRun) => (run.outputs?.ec2TrainerModelDataUrl as string).split("/")[5];

async function logged(fn: () => Promise<StackRun>): Promise<{ run: StackRun; lines: string[] }> {
  const lines: string[] = [];
  const spies = (["log", "warn"] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(" "))),
  );
  try {
    return { run: await fn(), lines };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

describe("the EC2 trainer: a finished run stays finished", () => {
  let first: StackRun;
  beforeAll(async () => {
    first = await runStack("dev", {}, { s3: world() });
  });

  it("starts the run once its inputs are there", () => {
    expect(first.ofType(INSTANCE)).toHaveLength(1);
    expect(status(first).ec2Trainer).toBe("start");
    expect(runIdOf(first)).toMatch(/^run-[0-9a-f]{12}$/);
  });

  it("after the instance terminated and a refresh dropped it: no new instance, the role stays", async () => {
    const out = `models/ec2/${runIdOf(first)}/output`;
    const { run, lines } = await logged(() =>
      runStack(
        "dev",
        {},
        { s3: world(`${out}/model.tar.gz`, `${out}/trainer.log`, `${out}/run-status.json`) },
      ),
    );
    expect(run.ofType(INSTANCE)).toEqual([]);
    expect(status(run).ec2Trainer).toBe("finished");
    expect(run.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).toContain(
      "ml-platform-dev-ec2-trainer",
    );
    expect(run.outputs?.ec2TrainerModelDataUrl).toBe(
      `s3://ml-platform-dev-artifacts-123456789012-us-east-1/${out}/model.tar.gz`,
    );
    expect(lines.filter((l) => /EC2 trainer run .* ended without a model/.test(l))).toEqual([]);
  });

  it("a run that failed is finished too: it is not started again by itself, and the warning names the retry", async () => {
    const out = `models/ec2/${runIdOf(first)}/output`;
    const { run, lines } = await logged(() =>
      runStack("dev", {}, { s3: world(`${out}/trainer.log`, `${out}/run-status.json`) }),
    );
    expect(run.ofType(INSTANCE)).toEqual([]);
    expect(lines.join("\n")).toContain(
      `EC2 trainer run ${runIdOf(first)} ended without a model (its log: s3://ml-platform-dev-artifacts-123456789012-us-east-1/${out}/trainer.log)`,
    );
    expect(lines.join("\n")).toContain("set ml-platform:ec2Trainer.runId to train again");
  });

  it.each([
    ["a hyperparameter", { "ml-platform:training": { hyperparameters: { epochs: 3 } } }],
    ["the explicit run id", { "ml-platform:ec2Trainer": { runId: "2" } }],
    ["the dataset prefix", { "ml-platform:artifactStore": { datasetPrefix: "datasets/dogs-v2" } }],
  ])("changing %s is a new run (new run id, new instance)", async (_, overrides) => {
    const out = `models/ec2/${runIdOf(first)}/output`;
    // The inputs under the (possibly new) dataset prefix, and the first run's finished output.
    const prefix = (overrides as Record<string, { datasetPrefix?: string }>)["ml-platform:artifactStore"]
      ?.datasetPrefix;
    const inputs = UPLOADED.map((k) => (prefix ? k.replace("datasets/dog-images", prefix) : k));
    const keys = [...inputs, `${out}/run-status.json`, `${out}/model.tar.gz`];
    const run = await runStack("dev", overrides, { s3: { kind: "objects", keys } });
    expect(runIdOf(run)).not.toBe(runIdOf(first));
    expect(run.ofType(INSTANCE)).toHaveLength(1);
  });

  it("the trainer writes run-status.json on every exit, after the model and the log", () => {
    const userData = Buffer.from(first.one(INSTANCE).inputs.userDataBase64 as string, "base64").toString();
    const finish = userData.slice(userData.indexOf("finish() {"), userData.indexOf("trap finish EXIT"));
    expect(finish).toContain('"status": "%s"');
    expect(finish.indexOf("trainer.log")).toBeLessThan(finish.indexOf("run-status.json"));
    expect(userData.indexOf("trap finish EXIT")).toBeLessThan(userData.indexOf("train.py"));
  });
});

describe("the SageMaker training job: retry and timeouts", () => {
  let first: StackRun;
  beforeAll(async () => {
    first = await runStack("dev", {}, { s3: world() });
  });

  it("keeps its name while nothing changes, and takes a new one with training.runId (the retry after a failure)", async () => {
    const again = await runStack("dev", {}, { s3: world() });
    const retry = await runStack("dev", { "ml-platform:training": { runId: "2" } }, { s3: world() });
    const name = (r: StackRun) => r.one(TRAINING_JOB).inputs.trainingJobName;
    expect(name(again)).toBe(name(first));
    expect(name(retry)).not.toBe(name(first));
    expect(name(retry)).toMatch(/^ml-platform-dev-train-[0-9a-f]{12}$/);
    // A code change is a new job too: the bundle's sha256 is part of the name.
    expect(first.outputs?.sourceBundleUri).toContain(buildSourceBundle().sha256.slice(0, 16));
  });

  it("names the one config change that retries, on the job itself, whenever it is declared", async () => {
    const { lines } = await logged(() => runStack("dev", {}, { s3: world() }));
    const name = first.one(TRAINING_JOB).inputs.trainingJobName as string;
    expect(lines.join("\n")).toContain(
      `training job ${name}: \`pulumi up\` waits up to 50 minutes for it. If it fails, fix the cause and set ml-platform:training.runId to a new value`,
    );
  });

  it("waits at most training.waitMinutes (default 50, below the 1-hour default STS and Identity Center session), at most 12 hours", async () => {
    const job = first.one(TRAINING_JOB);
    expect(job.inputs.timeouts).toEqual({ create: "50m", delete: "45m" });
    expect(job.options.customTimeouts.create).toBe("50m");
    const prod = await runStack("prod", { "ml-platform:training": { waitMinutes: 720 } }, { s3: world() });
    expect(prod.one(TRAINING_JOB).options.customTimeouts.create).toBe("720m");
    await expect(runStack("prod", { "ml-platform:training": { waitMinutes: 721 } })).rejects.toThrow(
      "ml-platform:training.waitMinutes must be a whole number between 1 and 720 (got 721)",
    );
  });

  it("is retained when it leaves the program: the engine forgets the finished job, SageMaker keeps its record", () => {
    expect(first.one(TRAINING_JOB).options.retainOnDelete).toBe(true);
  });

  it("once its artifact exists it is not declared again, and the endpoint serves that artifact", async () => {
    const name = first.one(TRAINING_JOB).inputs.trainingJobName as string;
    const artifact = `models/${name}/output/model.tar.gz`;
    const run = await runStack("dev", {}, { s3: world(artifact) });
    expect(run.ofType(TRAINING_JOB)).toEqual([]);
    expect(status(run).trainingJob).toBe("finished");
    expect(run.outputs?.modelDataUrl).toBe(
      `s3://ml-platform-dev-artifacts-123456789012-us-east-1/${artifact}`,
    );
    expect(run.one("aws:sagemaker/model:Model").inputs.primaryContainer).toMatchObject({
      modelDataUrl: `s3://ml-platform-dev-artifacts-123456789012-us-east-1/${artifact}`,
    });
  });
});

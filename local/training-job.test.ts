/**
 * The local training job and model archive against what SageMaker does: hyperparameters
 * decoded and passed as the training toolkit passes them, the SM_* environment, the /opt/ml
 * layout, model.tar.gz with its entries at the archive root, and a safe unpack.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { SAGEMAKER_DIR } from "./endpoint";
import { pythonForTests } from "./python";
import { storedHyperparameters } from "./training-job";

const run = promisify(execFile);
const PYTHON = pythonForTests();
const describePython = PYTHON ? describe : describe.skip;

/** An entry point that records what it was started with, then succeeds or fails like train.py. */
const PROBE_ENTRY_POINT = `
import json, os, sys

record = {"argv": sys.argv[1:], "cwd": os.getcwd(), "env": {k: v for k, v in os.environ.items() if k.startswith("SM_")}}
if "--fail" in sys.argv:
    with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as f:
        f.write("ValueError: the probe was asked to fail")
    sys.exit(1)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "probe.json"), "w") as f:
    json.dump(record, f)
os.makedirs(os.path.join(os.environ["SM_MODEL_DIR"], "code"))
open(os.path.join(os.environ["SM_MODEL_DIR"], "code", "inference.py"), "w").write("# handler\\n")
open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "history.json"), "w").write("{}")
print("test_accuracy=0.5")
`;

/** Entry names of a .tar.gz, read with no tar library: 512-byte ustar headers. */
function tarNames(archive: Buffer): string[] {
  const tar = gunzipSync(archive);
  const names: string[] = [];
  let paxPath: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === "x") paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
    else if (type !== "g") {
      names.push(paxPath ?? field(345, 155) + field(0, 100));
      paxPath = undefined;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describePython("the local training job (training_job.py)", () => {
  let python: string;
  let work: string;
  let bundle: string;
  let data: string;

  beforeAll(async () => {
    python = PYTHON!;
    work = mkdtempSync(path.join(tmpdir(), "training-job-test-"));
    mkdirSync(path.join(work, "src"));
    writeFileSync(path.join(work, "src", "train.py"), PROBE_ENTRY_POINT);
    bundle = path.join(work, "sourcedir.tar.gz");
    await run("tar", ["-czf", bundle, "-C", path.join(work, "src"), "train.py"]);
    data = path.join(work, "dataset");
    mkdirSync(path.join(data, "train", "a"), { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function job(name: string, hyperparameters: Record<string, string>) {
    const root = path.join(work, name, "opt-ml");
    const file = path.join(work, name, "hyperparameters.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(hyperparameters));
    const args = [
      path.join(SAGEMAKER_DIR, "training_job.py"),
      ...[
        "--root",
        root,
        "--source-bundle",
        bundle,
        "--channel",
        `training=${data}`,
        "--hyperparameters",
        file,
      ],
    ];
    const outcome = await run(python, args).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    const summaryLine = outcome.stdout
      .split("\n")
      .filter((line) => line.startsWith("training-job: {"))
      .at(-1);
    return { root, code: outcome.code, stdout: outcome.stdout, summary: JSON.parse(summaryLine!.slice(14)) };
  }

  it("stores hyperparameters as CreateTrainingJob does: every value a JSON-encoded string", () => {
    const stored = storedHyperparameters({ epochs: "2", arch: "resnet50", augment: "false" });
    expect(stored).toMatchObject({
      sagemaker_program: '"train.py"',
      sagemaker_container_log_level: "20",
      epochs: "2",
      arch: '"resnet50"',
      augment: "false",
      pretrained: "false",
      lr: "0.01",
    });
    expect(Object.values(stored).every((value) => typeof value === "string")).toBe(true);
  });

  it("starts the entry point as the training toolkit does: sorted --key value, framework parameters left out", async () => {
    const { code, root, summary } = await job("ok", storedHyperparameters({ epochs: "2" }));
    expect(code).toBe(0);
    expect(summary.status).toBe("Completed");
    const probe = JSON.parse(readFileSync(path.join(root, "model", "probe.json"), "utf8"));
    // str() of the JSON-decoded values: Python spells the boolean False.
    expect(probe.argv).toEqual([
      ...["--arch", "resnet18", "--batch-size", "16", "--epochs", "2", "--image-size", "32"],
      ...["--lr", "0.01", "--num-workers", "0", "--pretrained", "False"],
    ]);
    expect(probe.cwd).toBe(path.join(root, "code"));
    expect(probe.env).toMatchObject({
      SM_HOSTS: '["algo-1"]',
      SM_CURRENT_HOST: "algo-1",
      SM_NUM_GPUS: "0",
      SM_CHANNELS: '["training"]',
      SM_CHANNEL_TRAINING: path.join(root, "input", "data", "training"),
      SM_MODEL_DIR: path.join(root, "model"),
      SM_OUTPUT_DIR: path.join(root, "output"),
      SM_OUTPUT_DATA_DIR: path.join(root, "output", "data"),
      SM_HP_EPOCHS: "2",
      SM_HP_ARCH: "resnet18",
      SM_USER_ENTRY_POINT: "train.py",
      SM_LOG_LEVEL: "20",
      SM_HPS:
        '{"arch":"resnet18","batch-size":16,"epochs":2,"image-size":32,"lr":0.01,"num-workers":0,"pretrained":false}',
    });
    expect(JSON.parse(probe.env.SM_USER_ARGS)).toEqual(probe.argv);
    expect(
      JSON.parse(readFileSync(path.join(root, "input", "config", "hyperparameters.json"), "utf8")).epochs,
    ).toBe("2");
  });

  it("packs model/ into model.tar.gz with every entry at the archive root, as SageMaker stores it", async () => {
    const { summary } = await job("packed", storedHyperparameters({}));
    expect(summary.modelArtifact).toMatch(/output\/model\.tar\.gz$/);
    const archive = readFileSync(summary.modelArtifact);
    expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    // Directories are entries of their own, written "code/" as tarfile (and the SDK's create_tar_file) writes them.
    expect(tarNames(archive)).toEqual(["code/", "probe.json", "code/inference.py"]);
    expect(tarNames(readFileSync(summary.outputArtifact))).toEqual(["history.json"]);
  });

  it("reports a failed entry point with output/failure as the FailureReason", async () => {
    const { code, summary } = await job("failing", { ...storedHyperparameters({}), fail: '""' });
    expect(code).toBe(1);
    expect(summary).toMatchObject({
      status: "Failed",
      exitCode: 1,
      failureReason: "ValueError: the probe was asked to fail",
    });
    expect(summary.modelArtifact).toBeUndefined();
  });

  it("refuses hyperparameters that are not all strings, as CreateTrainingJob would", async () => {
    const file = path.join(work, "numbers.json");
    writeFileSync(file, JSON.stringify({ epochs: 2 }));
    const args = [
      path.join(SAGEMAKER_DIR, "training_job.py"),
      "--root",
      path.join(work, "n"),
      "--source-bundle",
      bundle,
      "--hyperparameters",
      file,
    ];
    await expect(run(python, args)).rejects.toMatchObject({
      stderr: expect.stringContaining("must map names to string values"),
    });
  });
});

describePython("model.tar.gz unpacking (model_archive.py)", () => {
  let python: string;
  let work: string;

  beforeAll(async () => {
    python = PYTHON!;
    work = mkdtempSync(path.join(tmpdir(), "model-archive-test-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    [
      "an absolute path",
      "info = tarfile.TarInfo('/tmp/evil'); t.addfile(info, io.BytesIO(b''))",
      "has an absolute path",
    ],
    [
      "a climb out",
      "info = tarfile.TarInfo('code/../../evil'); t.addfile(info, io.BytesIO(b''))",
      "climbs out of the model directory",
    ],
    [
      "a symbolic link",
      "info = tarfile.TarInfo('link'); info.type = tarfile.SYMTYPE; info.linkname = '/etc/passwd'; t.addfile(info)",
      "is a link",
    ],
  ])("refuses %s, naming the entry", async (_name, add, message) => {
    const archive = path.join(work, `${_name.replace(/ /g, "-")}.tar.gz`);
    await run(python, [
      "-c",
      `import io, tarfile\nwith tarfile.open(${JSON.stringify(archive)}, "w:gz") as t:\n    ${add}`,
    ]);
    const unpack = run(python, [
      path.join(SAGEMAKER_DIR, "model_archive.py"),
      "unpack",
      archive,
      path.join(work, "out"),
    ]);
    await expect(unpack).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(message) });
  });

  it("refuses a file that is not a gzip tar", async () => {
    const archive = path.join(work, "not.tar.gz");
    writeFileSync(archive, "model weights, allegedly");
    const unpack = run(python, [
      path.join(SAGEMAKER_DIR, "model_archive.py"),
      "unpack",
      archive,
      path.join(work, "out2"),
    ]);
    await expect(unpack).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("is not a gzip-compressed tar archive"),
    });
  });
});

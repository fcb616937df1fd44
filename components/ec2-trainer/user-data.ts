/**
 * The EC2 trainer's user data: one training run, then power off. It logs to a file and to the
 * serial console (`aws ec2 get-console-output`), pulls the dataset and the code bundle from the
 * artifact store, runs training/train.py with the same hyperparameters as the SageMaker job but
 * local paths (no SM_* variables), uploads the model as model.tar.gz, and shuts the instance down
 * from an EXIT trap, so it stops billing on success and on failure alike. A shutdown scheduled at
 * start is the hard stop if anything hangs. With `instanceInitiatedShutdownBehavior: terminate`,
 * powering off terminates the instance.
 */
import { DLAMI_PYTHON } from "./dlami";

/**
 * Written last, on every exit (success or failure), beside the model: the run is over. A program
 * that finds it does not declare the instance again (stacks/training-runs.ts), so a `pulumi
 * refresh` (which drops the terminated instance from the state) followed by `pulumi up` starts no
 * second run.
 */
export const EC2_RUN_STATUS_FILE = "run-status.json";

export interface TrainerRun {
  /** Names this run's output folder: `<outputPrefix>` = models/ec2/<runId>/output. */
  runId: string;
  region: string;
  bucketName: string;
  datasetPrefix: string;
  bundleKey: string;
  /** Key prefix (no trailing slash) of this run's output: model.tar.gz, output.tar.gz, trainer.log. */
  outputPrefix: string;
  mode: "gpu" | "cpu";
  hyperparameters: { arch: string; lr: number; batchSize: number; epochs: number; pretrained: boolean };
  pretrainedWeightsKey?: string;
  maxRuntimeHours: number;
}

/** Single-quotes a value for bash (values here are validated, this is defence in depth). */
export function shellQuote(value: string | number | boolean): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

const WORK_DIR = "/opt/ml-platform";

/** train.py's command line for a run (flags only; the script path comes first). */
export function trainerArguments(run: TrainerRun): string[] {
  const hp = run.hyperparameters;
  const args = [
    "--lr",
    String(hp.lr),
    "--batch-size",
    String(hp.batchSize),
    "--epochs",
    String(hp.epochs),
    "--arch",
    hp.arch,
    "--pretrained",
    String(hp.pretrained),
  ];
  if (hp.pretrained && run.pretrainedWeightsKey)
    args.push("--weights-file", `${WORK_DIR}/weights/${run.pretrainedWeightsKey.split("/").pop()}`);
  args.push(
    "--data-dir",
    `${WORK_DIR}/data`,
    "--model-dir",
    `${WORK_DIR}/model`,
    "--output-data-dir",
    `${WORK_DIR}/output`,
  );
  if (run.mode === "cpu") args.push("--num-gpus", "0", "--backend", "gloo");
  else args.push("--backend", "nccl");
  return args;
}

export function trainerUserData(run: TrainerRun): string {
  const maxMinutes = Math.max(1, Math.ceil(run.maxRuntimeHours * 60));
  const weightsKey = run.hyperparameters.pretrained ? (run.pretrainedWeightsKey ?? "") : "";
  const weightsFile = weightsKey ? `${WORK_DIR}/weights/${weightsKey.split("/").pop()}` : "";
  const trainArgs = trainerArguments(run)
    .map((a) => shellQuote(a))
    .join(" ");
  return `#!/bin/bash
# ml-platform EC2 trainer, run ${run.runId}: fetch data and code, train, upload the model, power off.
set -euo pipefail

readonly RUN_ID=${shellQuote(run.runId)}
readonly REGION=${shellQuote(run.region)}
readonly BUCKET=${shellQuote(run.bucketName)}
readonly DATASET_PREFIX=${shellQuote(run.datasetPrefix)}
readonly BUNDLE_KEY=${shellQuote(run.bundleKey)}
readonly WEIGHTS_KEY=${shellQuote(weightsKey)}
readonly WEIGHTS_FILE=${shellQuote(weightsFile)}
readonly OUTPUT_PREFIX=${shellQuote(run.outputPrefix)}
readonly MAX_RUNTIME_MINUTES=${maxMinutes}
readonly WORK_DIR=${WORK_DIR}
readonly LOG_FILE=/var/log/ml-platform-trainer.log
export HOME=/root

# Everything below goes to the log file and to the serial console.
exec > >(tee -a "$LOG_FILE" > /dev/console) 2>&1

log() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ml-platform-trainer: $*"
}

s3() {
  aws s3 "$@" --region "$REGION" --only-show-errors
}

# Runs on every exit, success or failure: keep the log beside the model, then power off
# (the instance terminates on shutdown, so nothing keeps billing).
finish() {
  local status=$?
  if [ "$status" -eq 0 ]; then
    log "run $RUN_ID finished"
  else
    log "run $RUN_ID failed with exit status $status"
  fi
  s3 cp "$LOG_FILE" "s3://$BUCKET/$OUTPUT_PREFIX/trainer.log" || log "could not upload the log"
  # Last: the marker that this run is over, so no later deploy starts it again.
  local outcome=succeeded
  [ "$status" -eq 0 ] || outcome=failed
  mkdir -p "$WORK_DIR"
  printf '{"runId": "%s", "status": "%s", "exitStatus": %d}\n' "$RUN_ID" "$outcome" "$status" > "$WORK_DIR/${EC2_RUN_STATUS_FILE}"
  s3 cp "$WORK_DIR/${EC2_RUN_STATUS_FILE}" "s3://$BUCKET/$OUTPUT_PREFIX/${EC2_RUN_STATUS_FILE}" || log "could not upload the run status"
  log "powering off"
  shutdown -h now
}
trap finish EXIT

# Hard stop: whatever happens below, the instance is off after the run-time limit.
shutdown -h "+$MAX_RUNTIME_MINUTES" "ml-platform trainer: run-time limit reached"

log "run $RUN_ID: $(nproc) CPUs, limit $MAX_RUNTIME_MINUTES minutes"
python_bin=${DLAMI_PYTHON}
if [ ! -x "$python_bin" ]; then
  python_bin=$(command -v python3)
fi
mkdir -p "$WORK_DIR/data" "$WORK_DIR/code" "$WORK_DIR/model" "$WORK_DIR/output" "$WORK_DIR/weights"

log "dataset: s3://$BUCKET/$DATASET_PREFIX/"
s3 sync "s3://$BUCKET/$DATASET_PREFIX/" "$WORK_DIR/data/"
log "code: s3://$BUCKET/$BUNDLE_KEY"
s3 cp "s3://$BUCKET/$BUNDLE_KEY" "$WORK_DIR/sourcedir.tar.gz"
tar -xzf "$WORK_DIR/sourcedir.tar.gz" -C "$WORK_DIR/code"
if [ -n "$WEIGHTS_KEY" ]; then
  log "pretrained weights: s3://$BUCKET/$WEIGHTS_KEY"
  s3 cp "s3://$BUCKET/$WEIGHTS_KEY" "$WEIGHTS_FILE"
fi

log "training with $python_bin"
cd "$WORK_DIR/code"
"$python_bin" train.py ${trainArgs}

log "uploading the model to s3://$BUCKET/$OUTPUT_PREFIX/model.tar.gz"
tar -czf "$WORK_DIR/model.tar.gz" -C "$WORK_DIR/model" .
s3 cp "$WORK_DIR/model.tar.gz" "s3://$BUCKET/$OUTPUT_PREFIX/model.tar.gz"
tar -czf "$WORK_DIR/output.tar.gz" -C "$WORK_DIR/output" .
s3 cp "$WORK_DIR/output.tar.gz" "s3://$BUCKET/$OUTPUT_PREFIX/output.tar.gz"
`;
}

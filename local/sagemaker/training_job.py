"""A SageMaker training job on this machine: the container layout, the toolkit's launch, the artifacts.

    python training_job.py --root <dir> --source-bundle <sourcedir.tar.gz> --entry-point train.py \
        --channel training=<dataset dir> --hyperparameters <hyperparameters.json>

What it reproduces, in order (paths below are relative to --root, which stands for /opt/ml):

1. The platform's layout: input/config/hyperparameters.json (every value a string, as
   CreateTrainingJob stores them), resourceconfig.json (one host, algo-1) and
   inputdataconfig.json; input/data/<channel>/ (here a link to the local folder); model/,
   output/, output/data/; the code bundle unpacked into code/.
2. The training toolkit's launch (aws/sagemaker-training-toolkit): each hyperparameter value
   is JSON-decoded when it can be, else kept as text (environment.py, read_hyperparameters);
   sagemaker_* and the tuner's _tuning_objective_metric are framework parameters, not script
   arguments (params.py SAGEMAKER_HYPERPARAMETERS, mapping.split_by_criteria); the rest becomes
   `--key value` in sorted key order with str(value) (mapping.py, to_cmd_args); SM_* variables
   describe the job (environment.py, to_env_vars; mapping.to_env_vars encodes non-strings as
   compact JSON); the entry point runs from the code folder with the same interpreter.
3. The platform's outputs: on exit 0, model/ is packed into output/model.tar.gz at the archive
   root (model_archive.py) and output/data/ into output/output.tar.gz; on failure, the
   contents of output/failure are the job's FailureReason.

Prints `training-job: {"event": "started", "pid"}` when the entry point starts, its output as
it comes, then one last line
`training-job: {"status", "exitCode", "seconds", "packSeconds", "modelArtifact", "outputArtifact", "failureReason"}`.
Exit status: 0 Completed, 1 Failed, 2 bad arguments, 130 interrupted.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tarfile
import time

import lifetime
import model_archive

# aws/sagemaker-training-toolkit src/sagemaker_training/params.py
SAGEMAKER_HYPERPARAMETERS = (
    "sagemaker_program",
    "sagemaker_submit_directory",
    "sagemaker_enable_cloudwatch_metrics",
    "sagemaker_region",
    "sagemaker_container_log_level",
    "sagemaker_job_name",
    "default_user_module_name",
    "_tuning_objective_metric",
    "sagemaker_s3_output",
)
SAGEMAKER_PREFIX = "sagemaker_"
HOST = "algo-1"
SUMMARY_PREFIX = "training-job: "


def decode_hyperparameters(stored):
    """hyperparameters.json values (strings) -> Python values, as read_hyperparameters does."""
    decoded = {}
    for key, value in stored.items():
        try:
            decoded[key] = json.loads(value)
        except (ValueError, TypeError):
            decoded[key] = value
    return decoded


def split_hyperparameters(decoded):
    """(framework parameters, script hyperparameters), as mapping.split_by_criteria splits them."""
    framework, script = {}, {}
    for key, value in decoded.items():
        target = framework if key in SAGEMAKER_HYPERPARAMETERS or key.startswith(SAGEMAKER_PREFIX) else script
        target[key] = value
    return framework, script


def _decode(value):
    # mapping._decode: None -> "", bytes -> latin1 text, anything else -> str().
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin1")
    return str(value)


def to_cmd_args(hyperparameters):
    """mapping.to_cmd_args: sorted keys, "--key" (or "-k" for one letter), str(value); dicts as k=v,..."""
    args = []
    for key in sorted(hyperparameters):
        name = _decode(key)
        args.append(f"--{name}" if len(name) > 1 else f"-{name}")
        value = hyperparameters[key]
        if hasattr(value, "items"):
            args.append(",".join(f"{k}={v}" for k, v in sorted(value.items())))
        else:
            args.append(_decode(value))
    return args


def _env_value(value):
    # mapping.to_env_vars: strings as they are, None as "", everything else as compact JSON.
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def training_environment(root, channels, script_hps, framework, entry_point, user_args):
    paths = {
        "model_dir": os.path.join(root, "model"),
        "input_dir": os.path.join(root, "input"),
        "input_config_dir": os.path.join(root, "input", "config"),
        "output_dir": os.path.join(root, "output"),
        "output_data_dir": os.path.join(root, "output", "data"),
        "output_intermediate_dir": os.path.join(root, "output", "intermediate"),
        "module_dir": os.path.join(root, "code"),
    }
    env = {
        "hosts": [HOST],
        "current_host": HOST,
        "current_instance_type": "local",
        "network_interface_name": "lo",
        "hps": script_hps,
        "framework_params": {k: v for k, v in framework.items() if k not in SAGEMAKER_HYPERPARAMETERS},
        "channels": sorted(channels),
        "user_entry_point": entry_point,
        "module_name": os.path.splitext(entry_point)[0],
        "log_level": framework.get("sagemaker_container_log_level", 20),
        "num_cpus": len(os.sched_getaffinity(0)),
        "num_gpus": 0,
        "user_args": user_args,
        **paths,
    }
    for name in channels:
        env[f"channel_{name}"] = os.path.join(root, "input", "data", name)
    for key, value in script_hps.items():
        env[f"hp_{key}"] = value
    return {f"SM_{key.upper()}": _env_value(value) for key, value in env.items()}


def write_layout(root, channels, stored_hyperparameters, source_bundle):
    for folder in ("input/config", "input/data", "model", "output/data", "output/intermediate", "code"):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    config = os.path.join(root, "input", "config")
    with open(os.path.join(config, "hyperparameters.json"), "w", encoding="utf-8") as handle:
        json.dump(stored_hyperparameters, handle, indent=2)
    with open(os.path.join(config, "resourceconfig.json"), "w", encoding="utf-8") as handle:
        json.dump({"current_host": HOST, "hosts": [HOST], "network_interface_name": "lo"}, handle)
    with open(os.path.join(config, "inputdataconfig.json"), "w", encoding="utf-8") as handle:
        json.dump({name: {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"} for name in channels}, handle)
    for name, source in channels.items():
        os.symlink(os.path.abspath(source), os.path.join(root, "input", "data", name))
    with tarfile.open(source_bundle, mode="r:gz") as bundle:
        for member in bundle:
            if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                continue
            destination = os.path.join(root, "code", member.name)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with open(destination, "wb") as out:
                out.write(bundle.extractfile(member).read())


def run(args):
    root = os.path.abspath(args.root)
    channels = dict(args.channel)
    with open(args.hyperparameters, encoding="utf-8") as handle:
        stored = json.load(handle)
    if not isinstance(stored, dict) or not all(isinstance(v, str) for v in stored.values()):
        raise SystemExit(f"training_job.py: {args.hyperparameters} must map names to string values, as CreateTrainingJob does")
    write_layout(root, channels, stored, args.source_bundle)

    framework, script_hps = split_hyperparameters(decode_hyperparameters(stored))
    user_args = to_cmd_args(script_hps)
    env = {
        **os.environ,
        **training_environment(root, channels, script_hps, framework, args.entry_point, user_args),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, os.path.join(root, "code", args.entry_point), *user_args]
    print(f"training-job: running {' '.join([os.path.basename(command[0]), args.entry_point, *user_args])}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=os.path.join(root, "code"), env=env, preexec_fn=lifetime.die_with_parent)
    print(f"{SUMMARY_PREFIX}{json.dumps({'event': 'started', 'pid': process.pid})}", flush=True)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reaches the whole process group, SIGTERM only us: either way the entry point goes too.
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        raise
    summary = {"status": "Completed" if code == 0 else "Failed", "exitCode": code, "seconds": round(time.monotonic() - started, 3)}
    if code == 0:
        packing = time.monotonic()
        summary["modelArtifact"] = model_archive.pack(
            os.path.join(root, "model"), os.path.join(root, "output", "model.tar.gz")
        )
        summary["packSeconds"] = round(time.monotonic() - packing, 3)
        data_dir = os.path.join(root, "output", "data")
        output_artifact = os.path.join(root, "output", "output.tar.gz")
        with tarfile.open(output_artifact, mode="w:gz") as archive:
            for name in sorted(os.listdir(data_dir)):
                archive.add(os.path.join(data_dir, name), arcname=name)
        summary["outputArtifact"] = output_artifact
    else:
        failure = os.path.join(root, "output", "failure")
        if os.path.isfile(failure):
            with open(failure, encoding="utf-8", errors="replace") as handle:
                summary["failureReason"] = handle.read().strip()
        else:
            summary["failureReason"] = f"AlgorithmError: the entry point exited with status {code}"
    print(SUMMARY_PREFIX + json.dumps(summary), flush=True)
    return 0 if code == 0 else 1


def channel(text):
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected <name>=<folder>, got {text!r}")
    if not os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"channel {name}: {path} is not a folder")
    return name, path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="training_job.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the folder that stands for /opt/ml (created)")
    parser.add_argument("--source-bundle", required=True, help="sourcedir.tar.gz with the entry point")
    parser.add_argument("--entry-point", default="train.py")
    parser.add_argument("--channel", type=channel, action="append", default=[], help="<name>=<folder>")
    parser.add_argument("--hyperparameters", required=True, help="hyperparameters.json as CreateTrainingJob stores it")
    args = parser.parse_args(argv)
    lifetime.die_with_parent()
    lifetime.sigterm_as_keyboard_interrupt()
    try:
        return run(args)
    except KeyboardInterrupt:
        print("training-job: interrupted", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())

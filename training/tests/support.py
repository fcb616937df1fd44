"""Shared helpers for the training/ tests: paths, datasets, and ways to run train.py."""

import atexit
import contextlib
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
TRAINING_DIR = TESTS_DIR.parent
TRAIN_PY = TRAINING_DIR / "train.py"
METRICS_JSON = TRAINING_DIR / "metrics.json"

# The tests import train and inference as top-level modules, as SageMaker does.
if str(TRAINING_DIR) not in sys.path:
    sys.path.insert(0, str(TRAINING_DIR))

import shapes  # noqa: E402  (needs nothing from sys.path, kept beside the helpers)
import torch.hub  # noqa: E402

_scratch = Path(tempfile.mkdtemp(prefix="training-tests-"))
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)


def _refuse_download(url, *args, **kwargs):
    raise AssertionError(f"tests must never download anything (attempted {url})")


# Guard rails: nothing in the suite may fetch pretrained weights. In-process code
# fails loudly; subprocesses get an empty TORCH_HOME inside the scratch folder.
torch.hub.download_url_to_file = _refuse_download
os.environ["TORCH_HOME"] = str(_scratch / "torch-home")

# Small and fast: 32 px images, resnet18 with random weights (nothing is ever
# downloaded), no worker processes. Each run takes a few seconds on 2 CPUs.
FAST_ARGS = [
    "--arch", "resnet18",
    "--image-size", "32",
    "--num-workers", "0",
    "--batch-size", "8",
    "--lr", "0.01",
    "--seed", "7",
]  # fmt: skip
FAST_TRAINING_ARGS = [*FAST_ARGS, "--pretrained", "false"]


def scratch_dir(name):
    """A fresh folder under the suite's temporary root (removed at exit)."""
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_scratch))
    return path


_datasets = {}


def shapes_dataset(**kwargs):
    """The coloured-shapes dataset, generated once per distinct set of arguments.

    Callers must not modify it; use make_dataset() for a private copy.
    """
    key = repr(sorted(kwargs.items()))
    if key not in _datasets:
        _datasets[key] = shapes.make_dataset(scratch_dir("data"), **kwargs)
    return _datasets[key]


def make_dataset(**kwargs):
    """A private dataset the caller may modify."""
    return shapes.make_dataset(scratch_dir("data"), **kwargs)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**overrides):
    """The current environment minus anything that would steer train.py, plus overrides."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SM_") and k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    }
    # Two processes on two cores: one thread each avoids oversubscription.
    env.setdefault("OMP_NUM_THREADS", "1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def start_train(args, env, cwd=None):
    """Start train.py in a subprocess (stdout+stderr captured together)."""
    return subprocess.Popen(
        [sys.executable, str(TRAIN_PY), *args],
        env=env,
        cwd=cwd or TRAINING_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_train(args, env=None, timeout=300):
    """Run train.py to completion; returns (exit code, combined output)."""
    process = start_train(args, env or clean_env())
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def run_ranks(args_per_rank, env_per_rank, timeout=300):
    """Run one train.py per rank concurrently; returns [(exit code, output)] in rank order."""
    processes = [start_train(args, env) for args, env in zip(args_per_rank, env_per_rank)]
    results = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=timeout)
            results.append((process.returncode, output))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


@contextlib.contextmanager
def captured_main_output():
    """Capture what train.main() logs (stdout) and prints on errors (stderr).

    Restores the root logger afterwards: main() points it at the captured stream.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            yield stdout, stderr
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def run_main(argv, environ=None):
    """Call train.main() in this process; returns (exit code, stdout, stderr)."""
    import train

    with captured_main_output() as (stdout, stderr):
        try:
            code = train.main(argv, environ=environ if environ is not None else {})
        except SystemExit as exc:  # argparse errors
            code = exc.code
    return code, stdout.getvalue(), stderr.getvalue()


class TrainingRun:
    """The outcome of one train.py run: exit code, log, and where it wrote things."""

    def __init__(self, code, log, model_dir, output_dir, data_dir, epochs):
        self.code = code
        self.log = log
        self.model_dir = model_dir
        self.output_dir = output_dir
        self.data_dir = data_dir
        self.epochs = epochs


_reference_run = None
REFERENCE_EPOCHS = 5


def reference_run():
    """One single-process training run on the shapes data, shared by several test modules."""
    global _reference_run
    if _reference_run is None:
        data = shapes_dataset()
        model_dir, output_dir = scratch_dir("model"), scratch_dir("output")
        code, log = run_train(
            [
                *FAST_TRAINING_ARGS,
                "--epochs", str(REFERENCE_EPOCHS),
                "--data-dir", str(data),
                "--model-dir", str(model_dir),
                "--output-data-dir", str(output_dir),
            ]  # fmt: skip
        )
        _reference_run = TrainingRun(code, log, model_dir, output_dir, data, REFERENCE_EPOCHS)
    return _reference_run


def load_module_from(path, name):
    """Import a Python file under a chosen module name (e.g. the handler copied into a model)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def encode(image, fmt):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()



def photo_like(width, height, seed=0):
    """A photo-like RGB image (see local/demo_dataset.py, which the benchmark uses too)."""
    demo_dataset = load_module_from(TRAINING_DIR.parent / "local" / "demo_dataset.py", "demo_dataset")
    return demo_dataset.photo_like(width, height, seed)

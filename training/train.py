"""Train the image classifier: transfer learning on a torchvision ResNet.

One entry point for SageMaker training jobs, the EC2 trainer and local runs.
SageMaker conventions are the defaults (hyperparameters as `--key value`
strings, data and output locations from SM_* variables); every SM_* value can
be overridden with a flag. See README.md in this folder for the full contract.

Data: <data-dir>/{train,valid,test}/<class>/<image> (torchvision ImageFolder
layout). The model learns on train/, the best epoch is chosen on valid/, and
test/ is opened exactly once, after training, to report the final score.

Distributed: torchrun-style env (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
MASTER_PORT) wins when present; otherwise one process per host in SM_HOSTS
(--hosts), rank = position of the current host, master = first host.
"""

import argparse
import json
import logging
import math
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from PIL import Image
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, Subset
from torch.utils.data.distributed import DistributedSampler
from torchvision import transforms
from torchvision.datasets.folder import IMG_EXTENSIONS

import inference

LOG = logging.getLogger("train")
SPLITS = ("train", "valid", "test")
DEFAULT_MASTER_PORT = 29500
HERE = Path(__file__).resolve().parent


class DataLayoutError(Exception):
    """The data directory does not have the expected train/valid/test layout."""


class TrainingError(Exception):
    """Training could not proceed (diverged, weights unavailable, ...)."""


# --------------------------------------------------------------------------- argument parsing


def _unquote(text):
    # Hyperparameters may arrive JSON-quoted ('"0.001"') depending on who set them.
    return text.strip().strip("'\"").strip()


def parse_bool(text):
    value = _unquote(str(text)).lower()
    if value in ("true", "t", "yes", "y", "1", "on"):
        return True
    if value in ("false", "f", "no", "n", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _number(kind, minimum=None, maximum=None, exclusive_min=False):
    """An argparse type: a finite int/float within bounds, with a message that says which."""

    def convert(text):
        raw = _unquote(str(text))
        try:
            value = float(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if kind is int:
            if value != int(value):
                raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
            value = int(value)
        if minimum is not None and (value <= minimum if exclusive_min else value < minimum):
            bound = "greater than" if exclusive_min else "at least"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum}, got {text!r}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {text!r}")
        return value

    return convert


def _choice(*choices):
    def convert(text):
        value = _unquote(str(text)).lower()
        if value not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}, got {text!r}")
        return value

    return convert


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but errors are a single line (log readers and SageMaker's FailureReason)."""

    def error(self, message):
        message = " ".join(str(message).split())
        report_failure(f"argument error: {message}")
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser():
    parser = OneLineArgumentParser(
        prog="train.py",
        allow_abbrev=False,  # "--batch" must not silently mean "--batch-size"
        description="Transfer-learning image classifier trainer (SageMaker, EC2 and local).",
    )
    hp = parser.add_argument_group("hyperparameters")
    hp.add_argument("--epochs", type=_number(int, 1, 10_000), default=10, help="epochs to train (default 10)")
    hp.add_argument(
        "--batch-size",
        type=_number(int, 1, 65_536),
        default=32,
        help="images per process per step; the global batch is this x world size (default 32)",
    )
    hp.add_argument("--lr", type=_number(float, 0, 10, exclusive_min=True), default=0.001, help="learning rate")
    hp.add_argument("--optimizer", type=_choice("adam", "sgd"), default="adam", help="adam (default) or sgd")
    hp.add_argument("--momentum", type=_number(float, 0, 0.999), default=0.9, help="SGD momentum (default 0.9)")
    hp.add_argument("--weight-decay", type=_number(float, 0, 1), default=0.0, help="L2 weight decay (default 0)")
    hp.add_argument(
        "--arch", type=_choice(*inference.SUPPORTED_ARCHS), default="resnet50", help="backbone (default resnet50)"
    )
    hp.add_argument(
        "--pretrained",
        type=parse_bool,
        default=None,
        help="start from torchvision's ImageNet weights, downloaded to TORCH_HOME (default true)",
    )
    hp.add_argument(
        "--weights-file",
        default=None,
        help="backbone state dict to start from instead of downloading (for network-isolated jobs)",
    )
    hp.add_argument(
        "--freeze-backbone",
        type=parse_bool,
        default=True,
        help="train only the new classifier head (default true)",
    )
    hp.add_argument("--augment", type=parse_bool, default=True, help="random crop + flip on train/ (default true)")
    hp.add_argument(
        "--image-size", type=_number(int, 32, 1024), default=224, help="square input size in pixels (default 224)"
    )
    hp.add_argument(
        "--num-workers",
        type=_number(int, 0, 64),
        default=min(4, os.cpu_count() or 1),
        help="data loading worker processes (default min(4, CPUs))",
    )
    hp.add_argument("--seed", type=_number(int, 0, 2**31 - 1), default=42, help="random seed (default 42)")

    env = parser.add_argument_group("locations and cluster (flags override the SageMaker environment)")
    env.add_argument("--data-dir", help="folder with train/, valid/, test/ (env SM_CHANNEL_TRAINING)")
    env.add_argument("--model-dir", help="where the model is written (env SM_MODEL_DIR)")
    env.add_argument("--output-data-dir", help="where history.json is written (env SM_OUTPUT_DATA_DIR; optional)")
    env.add_argument("--hosts", help='JSON list or comma-separated host names (env SM_HOSTS, e.g. ["algo-1","algo-2"])')
    env.add_argument("--current-host", help="this host's name, one of --hosts (env SM_CURRENT_HOST)")
    env.add_argument(
        "--num-gpus", type=_number(int, 0, 64), help="GPUs to use on this host (env SM_NUM_GPUS; default: detected)"
    )
    env.add_argument(
        "--backend", type=_choice("auto", "gloo", "nccl"), default="auto", help="auto: nccl on GPU, gloo on CPU"
    )
    env.add_argument(
        "--master-port",
        type=_number(int, 1, 65_535),
        help=f"rendezvous port on the first host (env MASTER_PORT; default {DEFAULT_MASTER_PORT})",
    )
    env.add_argument(
        "--log-level",
        type=_choice("debug", "info", "warning", "error"),
        help="logging level (env SM_LOG_LEVEL; default info)",
    )
    # SageMaker's tuner adds this hyperparameter to every job it starts; accept and ignore it.
    parser.add_argument("--_tuning_objective_metric", help=argparse.SUPPRESS)
    return parser


def normalise_flag_names(argv):
    """--batch_size -> --batch-size: SageMaker users often name hyperparameters with underscores."""
    normalised = []
    for token in argv:
        if token.startswith("--") and not token.startswith("--_"):
            name, sep, value = token.partition("=")
            token = name.replace("_", "-") + sep + value
        normalised.append(token)
    return normalised


# --------------------------------------------------------------------------- environment resolution


@dataclass
class DistributedConfig:
    rank: int
    world_size: int
    local_rank: int
    master_addr: str
    master_port: int
    source: str  # "single", "torchrun-env" or "hosts"

    @property
    def enabled(self):
        return self.world_size > 1


_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$")


def parse_hosts(text):
    """SM_HOSTS is a JSON list; people also pass "a,b" on EC2. Returns a list of names."""
    text = text.strip()
    if text.startswith("["):
        try:
            hosts = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"not a valid JSON list ({err.msg})") from None
    else:
        hosts = [part.strip() for part in text.split(",")]
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise ValueError("expected a non-empty list of host names")
    hosts = [h.strip() for h in hosts]
    invalid = [h for h in hosts if not _HOST_NAME.match(h)]
    if invalid:
        raise ValueError(f"{invalid[0]!r} is not a host name or IP address")
    if len(set(hosts)) != len(hosts):
        raise ValueError("host names must be unique (one process per host; use torchrun for more)")
    return hosts


def _env_int(environ, name):
    raw = environ.get(name)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from None


def resolve_distributed(hosts, current_host, master_port, environ):
    """Decide rank, world size and rendezvous address. Raises ValueError with a clear message.

    1. torchrun-style env (WORLD_SIZE set): used as-is. This covers torchrun on EC2,
       SageMaker's torch_distributed launcher, and our test launcher.
    2. Otherwise one process per host: rank = index of current_host in hosts
       (SageMaker sorts SM_HOSTS, so algo-1 is rank 0 and the master).
    """
    if environ.get("WORLD_SIZE"):
        world_size = _env_int(environ, "WORLD_SIZE")
        rank = _env_int(environ, "RANK")
        local_rank = _env_int(environ, "LOCAL_RANK") if environ.get("LOCAL_RANK") else 0
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"RANK={rank} is not within WORLD_SIZE={world_size}")
        if world_size > 1 and not environ.get("MASTER_ADDR"):
            raise ValueError("WORLD_SIZE > 1 but MASTER_ADDR is not set")
        port = _env_int(environ, "MASTER_PORT") if environ.get("MASTER_PORT") else master_port
        master_addr = environ.get("MASTER_ADDR", "127.0.0.1")
        return DistributedConfig(rank, world_size, local_rank, master_addr, port, "torchrun-env")
    if len(hosts) <= 1:
        return DistributedConfig(0, 1, 0, "127.0.0.1", master_port, "single")
    if current_host not in hosts:
        raise ValueError(f"current host {current_host!r} is not in hosts {hosts}")
    return DistributedConfig(hosts.index(current_host), len(hosts), 0, hosts[0], master_port, "hosts")


@dataclass
class RunConfig:
    data_dir: Path
    model_dir: Path
    output_data_dir: Path  # may be None
    dist: DistributedConfig
    device: torch.device
    backend: str
    pretrained: bool
    log_level: str


def resolve_config(args, parser, environ):
    """Combine flags with SM_* variables; report problems through parser.error (exit 2)."""

    def pick(flag_value, env_name):
        if flag_value not in (None, ""):
            return flag_value, f"--{_flag_name(env_name)}"
        return environ.get(env_name) or None, env_name

    data_dir, data_src = pick(args.data_dir, "SM_CHANNEL_TRAINING")
    if not data_dir:
        parser.error("--data-dir is required (or set SM_CHANNEL_TRAINING)")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        parser.error(f"data directory {str(data_dir)!r} (from {data_src}) does not exist or is not a folder")

    model_dir, _ = pick(args.model_dir, "SM_MODEL_DIR")
    if not model_dir:
        parser.error("--model-dir is required (or set SM_MODEL_DIR)")
    output_data_dir, _ = pick(args.output_data_dir, "SM_OUTPUT_DATA_DIR")

    hosts_text, hosts_src = pick(args.hosts, "SM_HOSTS")
    current_host, current_host_src = pick(args.current_host, "SM_CURRENT_HOST")
    hosts = [current_host or "localhost"]
    if hosts_text:
        try:
            hosts = parse_hosts(hosts_text)
        except ValueError as err:
            parser.error(f"{hosts_src}: {err}, got {hosts_text!r}")
        if len(hosts) > 1 and not current_host:
            parser.error(f"{hosts_src} lists {len(hosts)} hosts; set --current-host (or SM_CURRENT_HOST)")
        if current_host and current_host not in hosts:
            parser.error(f"{current_host_src} {current_host!r} is not one of the hosts {hosts} (from {hosts_src})")

    master_port = args.master_port
    if master_port is None:
        try:
            master_port = int(environ.get("MASTER_PORT") or DEFAULT_MASTER_PORT)
        except ValueError:
            parser.error(f"MASTER_PORT must be a port number, got {environ.get('MASTER_PORT')!r}")
    try:
        dist_config = resolve_distributed(hosts, current_host, master_port, environ)
    except ValueError as err:
        parser.error(f"distributed setup: {err}")

    num_gpus = args.num_gpus
    if num_gpus is None and environ.get("SM_NUM_GPUS"):
        try:
            num_gpus = int(environ["SM_NUM_GPUS"])
        except ValueError:
            parser.error(f"SM_NUM_GPUS must be an integer, got {environ['SM_NUM_GPUS']!r}")
    if num_gpus is None:
        num_gpus = torch.cuda.device_count()
    if num_gpus > 0 and not torch.cuda.is_available():
        parser.error(f"--num-gpus is {num_gpus} but CUDA is not available on this machine; use --num-gpus 0")
    device = torch.device(f"cuda:{dist_config.local_rank % num_gpus}") if num_gpus > 0 else torch.device("cpu")

    backend = args.backend
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl" and device.type != "cuda":
        parser.error("--backend nccl needs GPUs; use --backend gloo (or auto) on CPU")

    pretrained = args.pretrained
    if args.weights_file:
        if pretrained is False:
            parser.error("--weights-file and --pretrained false contradict each other; drop one")
        if not Path(args.weights_file).is_file():
            parser.error(f"--weights-file {args.weights_file!r} does not exist")
        pretrained = True
    if pretrained is None:
        pretrained = True

    log_level = args.log_level or _sm_log_level(environ.get("SM_LOG_LEVEL"))
    return RunConfig(
        data_dir=data_dir,
        model_dir=Path(model_dir),
        output_data_dir=Path(output_data_dir) if output_data_dir else None,
        dist=dist_config,
        device=device,
        backend=backend,
        pretrained=pretrained,
        log_level=log_level,
    )


def _flag_name(env_name):
    return {
        "SM_CHANNEL_TRAINING": "data-dir",
        "SM_MODEL_DIR": "model-dir",
        "SM_OUTPUT_DATA_DIR": "output-data-dir",
        "SM_HOSTS": "hosts",
        "SM_CURRENT_HOST": "current-host",
    }[env_name]


def _sm_log_level(raw):
    # The SageMaker toolkit exports the numeric level (e.g. "20").
    try:
        return logging.getLevelName(int(raw)).lower() if raw else "info"
    except ValueError:
        return "info"


# --------------------------------------------------------------------------- data


@dataclass
class Split:
    name: str
    root: Path
    classes: list
    samples: list  # [(path, class_index)]


def _is_hidden(name):
    # e.g. .ipynb_checkpoints: torchvision's ImageFolder would make it a class.
    return name.startswith(".")


def scan_split(root, name):
    """List the class folders and image files of one split without opening any image."""
    folder = root / name
    if not folder.is_dir():
        raise DataLayoutError(
            f"data directory {str(root)!r} has no {name}/ folder; expected train/, valid/ and test/ "
            "in ImageFolder layout (one sub-folder per class)"
        )
    classes = sorted(e.name for e in os.scandir(folder) if e.is_dir() and not _is_hidden(e.name))
    if not classes:
        raise DataLayoutError(f"{str(folder)!r} has no class folders (expected {name}/<class>/<image>)")
    samples = []
    for index, label in enumerate(classes):
        found = []
        for dirpath, dirnames, filenames in os.walk(folder / label, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
            found += [
                Path(dirpath) / f
                for f in filenames
                if not _is_hidden(f) and f.lower().endswith(IMG_EXTENSIONS)
            ]
        if not found:
            raise DataLayoutError(
                f"class folder {str(folder / label)!r} has no images ({', '.join(IMG_EXTENSIONS)})"
            )
        samples += [(path, index) for path in sorted(found)]
    return Split(name, folder, classes, samples)


def scan_data_dir(root):
    """Scan all three splits and check they name the same classes."""
    splits = {name: scan_split(root, name) for name in SPLITS}
    reference = splits["train"].classes
    for name in ("valid", "test"):
        classes = splits[name].classes
        if classes != reference:
            missing = sorted(set(reference) - set(classes))
            extra = sorted(set(classes) - set(reference))
            detail = "; ".join(
                part
                for part in (
                    f"missing {_short_list(missing)}" if missing else "",
                    f"not in train/: {_short_list(extra)}" if extra else "",
                )
                if part
            )
            raise DataLayoutError(f"class folders of {str(splits[name].root)!r} differ from train/: {detail}")
    return splits


def _short_list(items, limit=5):
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def load_image(path):
    """Open one image as RGB, converted exactly as the endpoint converts requests (inference.to_rgb).

    Module-level so tests can observe which files are read.
    """
    try:
        with Image.open(path) as image:
            image.load()
            return inference.to_rgb(image)
    except (OSError, SyntaxError, ValueError) as err:
        raise TrainingError(f"cannot read image {path}: {err}") from None


class ImageSamples(Dataset):
    def __init__(self, samples, transform):
        self.samples = samples
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self.transform(load_image(path)), target


def train_transform(image_size, augment):
    if not augment:
        return inference.eval_transform(image_size)
    return transforms.Compose(
        [
            # Mild crop range: the subject of a photo should stay in frame.
            transforms.RandomResizedCrop(image_size, scale=(0.6, 1.0)),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
            transforms.Normalize(inference.IMAGENET_MEAN, inference.IMAGENET_STD),
        ]
    )


def _seed_worker(worker_id):
    # DataLoader seeds torch per worker; keep Python's RNG in step with it.
    random.seed(torch.initial_seed() % 2**32)


def make_train_loader(split, args, run):
    dataset = ImageSamples(split.samples, train_transform(args.image_size, args.augment))
    generator = torch.Generator().manual_seed(args.seed + run.dist.rank)
    sampler = None
    if run.dist.enabled:
        sampler = DistributedSampler(
            dataset, num_replicas=run.dist.world_size, rank=run.dist.rank, shuffle=True, seed=args.seed
        )
    loader = DataLoader(
        dataset,
        batch_size=args.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=args.num_workers,
        pin_memory=run.device.type == "cuda",
        worker_init_fn=_seed_worker,
        generator=generator,
    )
    return loader, sampler


def make_eval_loader(split, args, run):
    dataset = ImageSamples(split.samples, inference.eval_transform(args.image_size))
    # Each rank scores a disjoint stride of the split and the totals are summed:
    # exact metrics, unlike DistributedSampler which pads with duplicates.
    shard = Subset(dataset, range(run.dist.rank, len(dataset), run.dist.world_size))
    return DataLoader(
        shard,
        batch_size=args.batch_size,
        shuffle=False,
        num_workers=args.num_workers,
        pin_memory=run.device.type == "cuda",
    )


# --------------------------------------------------------------------------- model


def build_network(args, run, num_classes):
    """The backbone with a fresh Linear head; the head is the only trainable part unless unfrozen."""
    if args.weights_file:
        network = inference.build_model(args.arch, num_classes)
        state = _load_weights_file(args.weights_file)
        backbone = {k: v for k, v in state.items() if not k.startswith("fc.")}
        result = network.load_state_dict(backbone, strict=False)
        missing = [k for k in result.missing_keys if not k.startswith("fc.")]
        if missing or result.unexpected_keys:
            raise TrainingError(
                f"--weights-file {args.weights_file} does not fit {args.arch}: "
                f"missing {_short_list(missing)}; unexpected {_short_list(result.unexpected_keys)}"
            )
        LOG.info("backbone weights loaded from %s", args.weights_file)
    elif run.pretrained:
        try:
            network = inference.build_model(args.arch, num_classes, weights="DEFAULT")
        except Exception as err:  # noqa: BLE001 - any download failure means the same to the user
            raise TrainingError(
                f"could not load ImageNet weights for {args.arch} ({err}); "
                "pass --weights-file <state dict> or --pretrained false"
            ) from None
        LOG.info("backbone: torchvision ImageNet weights for %s", args.arch)
    else:
        network = inference.build_model(args.arch, num_classes)
        LOG.info("backbone: random initialisation (--pretrained false)")

    if args.freeze_backbone:
        for name, parameter in network.named_parameters():
            parameter.requires_grad = name.startswith("fc.")
    return network.to(run.device)


def _load_weights_file(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13
        return torch.load(path, map_location="cpu")
    except Exception as err:  # noqa: BLE001
        raise TrainingError(f"cannot read --weights-file {path}: {err}") from None


def make_optimizer(args, parameters):
    if args.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    return torch.optim.Adam(parameters, lr=args.lr, weight_decay=args.weight_decay)


def set_training_mode(model, freeze_backbone):
    # A frozen backbone stays in eval mode, BatchNorm statistics included: the
    # head then learns on exactly the features the served model will compute.
    if freeze_backbone:
        model.eval()
    else:
        model.train()


def _all_reduce(tensor, run):
    if run.dist.enabled:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def train_one_epoch(model, loader, optimizer, args, run):
    set_training_mode(model, args.freeze_backbone)
    totals = torch.zeros(2, dtype=torch.float64, device=run.device)  # loss sum, samples
    for images, targets in loader:
        images = images.to(run.device, non_blocking=True)
        targets = targets.to(run.device, non_blocking=True)
        loss = nn.functional.cross_entropy(model(images), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        totals[0] += loss.detach().double() * targets.numel()
        totals[1] += targets.numel()
    _all_reduce(totals, run)
    return (totals[0] / totals[1]).item()


def evaluate(network, loader, run):
    """(mean loss, accuracy, images scored) over the whole split, summed across ranks.

    Takes the bare network, not the DDP wrapper: ranks may hold different numbers
    of batches, and DDP's per-forward collectives would then deadlock.
    """
    network.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=run.device)  # loss sum, correct, samples
    with torch.no_grad():
        for images, targets in loader:
            images = images.to(run.device, non_blocking=True)
            targets = targets.to(run.device, non_blocking=True)
            logits = network(images)
            totals[0] += nn.functional.cross_entropy(logits, targets, reduction="sum").double()
            totals[1] += (logits.argmax(dim=1) == targets).sum()
            totals[2] += targets.numel()
    _all_reduce(totals, run)
    return (totals[0] / totals[2]).item(), (totals[1] / totals[2]).item(), int(totals[2].item())


# --------------------------------------------------------------------------- outputs


def _write_atomically(path, data):
    # Write-then-rename: a crash never leaves a half-written model behind.
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)


def model_config(args, num_classes):
    return {
        "format_version": inference.CONFIG_FORMAT_VERSION,
        "arch": args.arch,
        "num_classes": num_classes,
        "image_size": args.image_size,
        "resize_size": inference.resize_size_for(args.image_size),
        "mean": list(inference.IMAGENET_MEAN),
        "std": list(inference.IMAGENET_STD),
        "torch_version": torch.__version__,
    }


def save_model_dir(model_dir, state_dict, labels, config):
    """model.pth + labels.json + model_config.json + code/inference.py (self-contained artifact)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = model_dir / (inference.MODEL_FILE + ".tmp")
    torch.save(state_dict, tmp)
    os.replace(tmp, model_dir / inference.MODEL_FILE)
    _write_atomically(model_dir / inference.LABELS_FILE, json.dumps(labels, indent=2) + "\n")
    _write_atomically(model_dir / inference.CONFIG_FILE, json.dumps(config, indent=2) + "\n")
    code_dir = model_dir / "code"
    code_dir.mkdir(exist_ok=True)
    # The serving container imports code/inference.py from the model archive.
    shutil.copyfile(HERE / "inference.py", code_dir / "inference.py")


def report_failure(message):
    """On SageMaker, /opt/ml/output/failure becomes the job's FailureReason."""
    output_dir = os.environ.get("SM_OUTPUT_DIR")
    if output_dir and os.path.isdir(output_dir):
        try:
            with open(os.path.join(output_dir, "failure"), "w", encoding="utf-8") as handle:
                handle.write(message[:1000] + "\n")
        except OSError:
            pass


# --------------------------------------------------------------------------- logging


class _RankFilter(logging.Filter):
    def __init__(self, rank, world_size):
        super().__init__()
        self.tag = f"[rank {rank}/{world_size}]"

    def filter(self, record):
        record.rank_tag = self.tag
        return True


def configure_logging(level, rank, world_size):
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RankFilter(rank, world_size))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(rank_tag)s %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


# --------------------------------------------------------------------------- main


def seed_everything(seed):
    random.seed(seed)
    torch.manual_seed(seed)
    try:  # numpy is optional here, but torchvision may use it
        import numpy

        numpy.random.seed(seed)
    except ImportError:
        pass
    # Cheap determinism: no cuDNN autotuning, deterministic conv algorithms.
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


def run_training(args, run, splits):
    """Train, pick the best epoch on valid/, score test/ once. Returns the history dict."""
    is_main = run.dist.rank == 0
    labels = splits["train"].classes
    # SageMaker scrapes every host's log: only rank 0 logs metrics, so each data point is counted once.
    metrics_log = LOG.info if is_main else (lambda *args: None)

    # Local rank 0 fetches pretrained weights first so processes sharing a disk
    # do not download the same file concurrently.
    if run.dist.enabled and run.dist.local_rank != 0:
        dist.barrier()
    network = build_network(args, run, len(labels))
    if run.dist.enabled and run.dist.local_rank == 0:
        dist.barrier()

    trainable = [p for p in network.parameters() if p.requires_grad]
    model = network
    if run.dist.enabled:
        model = DistributedDataParallel(
            network,
            device_ids=[run.device.index] if run.device.type == "cuda" else None,
            broadcast_buffers=not args.freeze_backbone,  # frozen BN buffers never change
        )
    optimizer = make_optimizer(args, trainable)
    LOG.info(
        "model %s: %d classes, %d trainable / %d parameters",
        args.arch,
        len(labels),
        sum(p.numel() for p in trainable),
        sum(p.numel() for p in network.parameters()),
    )

    train_loader, sampler = make_train_loader(splits["train"], args, run)
    valid_loader = make_eval_loader(splits["valid"], args, run)

    history = {"epochs": [], "best_epoch": None}
    best = None  # (accuracy, -loss, epoch, state)
    for epoch in range(1, args.epochs + 1):
        started = time.monotonic()
        if sampler is not None:
            sampler.set_epoch(epoch)  # a different shuffle each epoch, same on all ranks
        train_loss = train_one_epoch(model, train_loader, optimizer, args, run)
        if not math.isfinite(train_loss):
            raise TrainingError(f"training diverged at epoch {epoch} (train_loss={train_loss}); lower --lr")
        valid_loss, valid_accuracy, _ = evaluate(network, valid_loader, run)
        metrics_log(
            "epoch=%d train_loss=%.6f valid_loss=%.6f valid_accuracy=%.6f",
            epoch,
            train_loss,
            valid_loss,
            valid_accuracy,
        )
        LOG.debug("epoch %d took %.1fs", epoch, time.monotonic() - started)
        history["epochs"].append(
            {"epoch": epoch, "train_loss": train_loss, "valid_loss": valid_loss, "valid_accuracy": valid_accuracy}
        )
        if best is None or (valid_accuracy, -valid_loss) > (best[0], best[1]):
            state = {k: v.detach().to("cpu", copy=True) for k, v in network.state_dict().items()}
            best = (valid_accuracy, -valid_loss, epoch, state)

    best_accuracy, best_neg_loss, best_epoch, best_state = best
    network.load_state_dict(best_state)
    history["best_epoch"] = best_epoch
    # Repeat the chosen epoch's valid metrics last: SageMaker's tuner ranks a job by
    # the latest value it logged, which must describe the model that is saved.
    metrics_log(
        "best_epoch=%d valid_loss=%.6f valid_accuracy=%.6f", best_epoch, -best_neg_loss, best_accuracy
    )

    # First and only time test/ images are opened.
    test_loss, test_accuracy, test_images = evaluate(network, make_eval_loader(splits["test"], args, run), run)
    metrics_log("test_loss=%.6f test_accuracy=%.6f", test_loss, test_accuracy)
    history["test"] = {"loss": test_loss, "accuracy": test_accuracy, "images": test_images}

    if is_main:
        save_model_dir(run.model_dir, best_state, labels, model_config(args, len(labels)))
        LOG.info("model written to %s", run.model_dir)
    else:
        LOG.info("not writing the model: rank 0 does")
    return history


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(normalise_flag_names(sys.argv[1:] if argv is None else list(argv)))
    run = resolve_config(args, parser, environ)
    try:
        splits = scan_data_dir(run.data_dir)
    except DataLayoutError as err:
        parser.error(str(err))

    configure_logging(run.log_level, run.dist.rank, run.dist.world_size)
    seed_everything(args.seed)
    LOG.info(
        "hyperparameters: arch=%s pretrained=%s freeze_backbone=%s epochs=%d batch_size=%d lr=%g optimizer=%s "
        "image_size=%d seed=%d",
        args.arch,
        run.pretrained,
        args.freeze_backbone,
        args.epochs,
        args.batch_size,
        args.lr,
        args.optimizer,
        args.image_size,
        args.seed,
    )
    LOG.info(
        "data %s: %d classes; train %d images, valid %d images, test %d images (held out until the end)",
        run.data_dir,
        len(splits["train"].classes),
        len(splits["train"].samples),
        len(splits["valid"].samples),
        len(splits["test"].samples),
    )
    LOG.info(
        "device %s; distributed %s: rank %d of %d, master %s:%d, backend %s",
        run.device,
        run.dist.source,
        run.dist.rank,
        run.dist.world_size,
        run.dist.master_addr,
        run.dist.master_port,
        run.backend,
    )

    try:
        if run.dist.enabled:
            dist.init_process_group(
                run.backend,
                init_method=f"tcp://{run.dist.master_addr}:{run.dist.master_port}",
                rank=run.dist.rank,
                world_size=run.dist.world_size,
                timeout=timedelta(minutes=30),
            )
        if run.device.type == "cuda":
            torch.cuda.set_device(run.device)
        history = run_training(args, run, splits)
        if run.dist.rank == 0 and run.output_data_dir is not None:
            run.output_data_dir.mkdir(parents=True, exist_ok=True)
            _write_atomically(run.output_data_dir / "history.json", json.dumps(history, indent=2) + "\n")
    except TrainingError as err:
        LOG.error("%s", err)
        report_failure(str(err))
        return 1
    except Exception as err:  # noqa: BLE001 - log with traceback, tell SageMaker why, fail
        LOG.exception("training failed")
        report_failure(f"{type(err).__name__}: {err}")
        return 1
    finally:
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())

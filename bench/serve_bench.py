"""Serving cost of training/inference.py on this machine: the model-side half of `npm run bench:serve`.

    python bench/serve_bench.py --work <dir> --out <result.json> [--baseline <old inference.py>] [--quick]

Measured, each speed-up in the same run as its baseline, in interleaved rounds (so a change
in the machine's load hits both alike), batch 1, 224x224, random weights (nothing can be
downloaded here; random weights cost the same FLOPs as trained ones):

- fp32 matmul peak at each thread count: torch.mm (the BLAS torch links; Debian's is the
  reference BLAS) and oneDNN's matmul (torch.utils.mkldnn Linear, pre-packed weights),
  n = 512..2048, best of each; the peak is the larger.
- forward latency of ResNet50 and ResNet18, p50/p99, and GFLOP/s (2 x multiply-adds of the
  convolutions and the classifier, counted with hooks) against that peak: eager under
  torch.no_grad (inference.py before), torch.inference_mode, channels-last, the frozen graph
  inference.py now serves (optimize_for_serving), at 1 and 2 threads; every variant's
  probabilities are compared with the eager network's on the same input.
- decoding a 12-megapixel JPEG, in full (before) and in draft mode (after), and its share of
  the forward time; preprocessing of that photo, old path (full decode, Resize, CenterCrop)
  against the new (draft decode, ResizeCenterCrop), with the largest pixel difference.
- inference.py's handlers per image (input_fn, predict_fn, output_fn on a 224x224 JPEG), the
  module before this change (--baseline, read from git) against the current one.

Also writes the model artifacts the end-to-end half serves: <work>/<arch>/model.tar.gz with
the current handler, and <work>/<arch>-baseline/model.tar.gz with the baseline handler.
"""

import argparse
import copy
import importlib.util
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(ROOT / "local" / "sagemaker"))
sys.path.insert(0, str(ROOT / "local"))

import demo_dataset  # noqa: E402
import inference  # noqa: E402
import model_archive  # noqa: E402
import torch  # noqa: E402
import train  # noqa: E402
from PIL import Image  # noqa: E402
from torch import nn  # noqa: E402
from torchvision import transforms  # noqa: E402

NUM_CLASSES = 133  # the reference workload: dog breeds
IMAGE_SIZE = 224
THREADS = sorted({1, len(os.sched_getaffinity(0))})


def log(message):
    print(f"serve_bench: {message}", file=sys.stderr, flush=True)


def percentile(samples, p):
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


class Samples(list):
    """Wall-clock seconds per call; `.cpu` holds the calling thread's CPU seconds for the same calls."""

    def __init__(self):
        super().__init__()
        self.cpu = []


def summary(samples_s):
    ms = [s * 1000 for s in samples_s]
    result = {"count": len(ms), "p50": round(percentile(ms, 50), 3), "p99": round(percentile(ms, 99), 3), "min": round(min(ms), 3)}
    cpu = getattr(samples_s, "cpu", None)
    if cpu:
        # The calling thread's CPU time: what the call costs without the waits for a CPU that
        # other work on a shared machine causes (exact for one-thread work: decoding, and
        # torch at 1 thread, whose kernels run in the calling thread).
        result["cpuP50"] = round(percentile([c * 1000 for c in cpu], 50), 3)
    return result


def interleaved(variants, rounds, warmup=1):
    """variants: {name: (callable, iterations per round)} -> {name: Samples}."""
    samples = {name: Samples() for name in variants}
    for name, (call, _) in variants.items():
        for _ in range(warmup):
            call()
    for _ in range(rounds):
        for name, (call, iterations) in variants.items():
            for _ in range(iterations):
                cpu = time.thread_time()
                started = time.perf_counter()
                call()
                samples[name].append(time.perf_counter() - started)
                samples[name].cpu.append(time.thread_time() - cpu)
    return samples


def with_threads(count, call):
    def run():
        torch.set_num_threads(count)
        return call()

    return run


# --------------------------------------------------------------------------- peak


def matmul_peak(threads, quick):
    """Best fp32 GEMM rate torch reaches here at `threads` threads, by three routes (GFLOP/s).

    torch.mm goes to the BLAS torch links (Debian's: the reference BLAS); torch.utils.mkldnn's
    Linear and a frozen 1x1 convolution go to oneDNN's GEMM, which the served graph uses. Sizes
    up to 1024 and best-of-many: short runs are less likely to lose the CPU to other work on a
    shared machine, and oneDNN is at full speed from 512 on.
    """
    torch.set_num_threads(threads)
    import torch.utils.mkldnn as mkldnn

    best = {"torch.mm": 0.0, "oneDNN matmul": 0.0, "oneDNN 1x1 convolution": 0.0}
    best_cpu = dict(best)
    repeats = 4 if quick else 12
    with torch.no_grad():
        for n in (256, 512, 1024):
            a, b = torch.randn(n, n), torch.randn(n, n)
            linear = mkldnn.to_mkldnn(nn.Linear(n, n, bias=False).eval())
            x = torch.randn(n, n).to_mkldnn()
            side = 32  # n x (32*32) x n GEMM as a convolution
            conv = torch.jit.optimize_for_inference(
                torch.jit.freeze(torch.jit.script(nn.Conv2d(n, n, 1, bias=False).eval()))
            )
            image = torch.randn(1, n, side, side)
            routes = {
                "torch.mm": (lambda: torch.mm(a, b), 2 * n**3),
                "oneDNN matmul": (lambda: linear(x), 2 * n**3),
                "oneDNN 1x1 convolution": (lambda: conv(image), 2 * n * n * side * side),
            }
            runs = interleaved({name: (call, repeats) for name, (call, _) in routes.items()}, rounds=1, warmup=2)
            for name, samples in runs.items():
                best[name] = max(best[name], routes[name][1] / min(samples) / 1e9)
                best_cpu[name] = max(best_cpu[name], routes[name][1] / max(min(samples.cpu), 1e-9) / 1e9)
    result = {name: round(value, 2) for name, value in best.items()}
    if threads == 1:
        # By the calling thread's CPU time (one thread does all the work): the peak without the
        # waits for a CPU, to compare with the forward's CPU time.
        result["cpu"] = {name: round(value, 2) for name, value in best_cpu.items()}
    return result


# --------------------------------------------------------------------------- forward


def count_flops(network, example):
    """2 x multiply-adds of every Conv2d and Linear for one forward pass."""
    macs = []

    def conv_hook(module, inputs, output):
        kernel = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        macs.append(output.numel() * kernel)

    def linear_hook(module, inputs, output):
        macs.append(output.numel() * module.in_features)

    hooks = [
        m.register_forward_hook(conv_hook if isinstance(m, nn.Conv2d) else linear_hook)
        for m in network.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    with torch.no_grad():
        network(example)
    for hook in hooks:
        hook.remove()
    return 2 * sum(macs)


def write_model(work, arch, handler_source=None):
    """A model directory as train.py writes it (random weights), and its model.tar.gz."""
    torch.manual_seed(0)
    network = inference.build_model(arch, NUM_CLASSES)
    name = arch if handler_source is None else f"{arch}-baseline"
    model_dir = Path(work) / name / "model"
    labels = [f"{i + 1:03d}.breed_{i + 1}" for i in range(NUM_CLASSES)]
    config = train.model_config(SimpleNamespace(arch=arch, image_size=IMAGE_SIZE), NUM_CLASSES)
    train.save_model_dir(model_dir, network.state_dict(), labels, config)
    if handler_source is not None:
        (model_dir / "code" / "inference.py").write_text(handler_source, encoding="utf-8")
    archive = model_archive.pack(str(model_dir), str(Path(work) / name / "model.tar.gz"))
    return model_dir, archive


def forward_variants(model_dir):
    os.environ[inference.ENV_OPTIMIZE] = "false"
    eager = inference.model_fn(str(model_dir)).network
    os.environ[inference.ENV_OPTIMIZE] = "true"
    frozen = inference.model_fn(str(model_dir)).network
    example = torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    flops = count_flops(eager, example)
    cl_network = copy.deepcopy(eager).to(memory_format=torch.channels_last)
    cl_example = example.contiguous(memory_format=torch.channels_last)

    def no_grad(network, x):
        with torch.no_grad():
            return network(x)

    def inference_mode(network, x):
        with torch.inference_mode():
            return network(x)

    calls = {"eager, no_grad (before)": lambda: no_grad(eager, example)}
    calls["eager, inference_mode"] = lambda: inference_mode(eager, example)
    calls["eager, inference_mode, channels-last"] = lambda: inference_mode(cl_network, cl_example)
    calls["frozen graph, inference_mode (after)"] = lambda: inference_mode(frozen, example)

    reference = torch.softmax(no_grad(eager, example), dim=1)
    differences = {name: float((torch.softmax(call(), dim=1) - reference).abs().max()) for name, call in calls.items()}
    return calls, flops, differences


# --------------------------------------------------------------------------- decode


def jpeg(width, height, quality=90, seed=0):
    buffer = io.BytesIO()
    demo_dataset.photo_like(width, height, seed).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def decode_measurements(photo, rounds):
    crop = inference.ResizeCenterCrop(256, IMAGE_SIZE)
    old_transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(IMAGE_SIZE)])

    def full_decode():
        return Image.open(io.BytesIO(photo)).convert("RGB")

    def draft_decode():
        request = inference.open_image(photo, 10**8, 10**8)
        return inference.decode_rgb(request, crop.draft_size(*request.size))

    calls = {
        "decode, full (before)": (full_decode, 2),
        "decode, draft (after)": (draft_decode, 2),
        "decode + resize + crop (before)": (lambda: old_transform(full_decode()), 2),
        "decode + resize + crop (after)": (lambda: crop(draft_decode()), 2),
    }
    samples = interleaved(calls, rounds)
    before = torch.tensor(list(old_transform(full_decode()).getdata()), dtype=torch.int16)
    after = torch.tensor(list(crop(draft_decode()).getdata()), dtype=torch.int16)
    difference = (before - after).abs()
    return samples, {"maxGreyLevels": int(difference.max()), "meanGreyLevels": round(float(difference.float().mean()), 3)}


# --------------------------------------------------------------------------- handlers


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handler_call(module, model, body):
    def call():
        data = module.input_fn(body, "image/jpeg")
        return module.output_fn(module.predict_fn(data, model), "application/json; topk=5")

    return call


def main(argv=None):
    parser = argparse.ArgumentParser(prog="serve_bench.py")
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--baseline", help="inference.py before the serving changes (for before/after)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not for figures)")
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else 5
    default_threads = torch.get_num_threads()
    result = {
        "machine": {
            "cpus": len(os.sched_getaffinity(0)),
            "cpuModel": _cpu_model(),
            "torch": torch.__version__,
            "torchDefaultThreads": default_threads,
            "blas": "reference BLAS (Debian libblas3)" if "BLAS_INFO=generic" in torch.__config__.show() else "see torch config",
            "python": platform.python_version(),
            "loadAverageAtStart": os.getloadavg()[0],
        },
        "rounds": rounds,
        "peak": {},
        "models": {},
    }
    for threads in THREADS:
        log(f"matmul peak at {threads} thread(s)")
        peak = matmul_peak(threads, args.quick)
        cpu = peak.pop("cpu", None)
        result["peak"][str(threads)] = {**peak, "peak": max(peak.values())}
        if cpu:
            result["peak"][str(threads)]["peakCpu"] = max(cpu.values())

    body_224 = jpeg(IMAGE_SIZE, IMAGE_SIZE, seed=1)
    (Path(args.work) / "request-224.jpg").write_bytes(body_224)  # the end-to-end half sends the same bytes
    baseline_source = Path(args.baseline).read_text(encoding="utf-8") if args.baseline else None
    for arch in ("resnet50", "resnet18"):
        log(f"{arch}: artifacts")
        model_dir, archive = write_model(args.work, arch)
        entry = {"archive": archive, "requestBytes": len(body_224)}
        if baseline_source is not None:
            _, entry["baselineArchive"] = write_model(args.work, arch, baseline_source)

        log(f"{arch}: forward variants at {THREADS} thread(s)")
        calls, flops, differences = forward_variants(model_dir)
        entry["gflopPerImage"] = round(flops / 1e9, 3)
        slow = 1 if arch == "resnet50" else 3
        variants = {}
        for threads in THREADS:
            for name, call in calls.items():
                iterations = slow if "eager" in name else slow * 4
                variants[f"{name} @ {threads} thread(s)"] = (with_threads(threads, call), iterations)
        samples = interleaved(variants, rounds)
        forward = {}
        for name, values in samples.items():
            stats = summary(values)
            threads = name.rsplit("@ ", 1)[1].split(" ")[0]
            peak = result["peak"][threads]["peak"]
            gflops = flops / (stats["p50"] / 1000) / 1e9
            best = flops / (stats["min"] / 1000) / 1e9
            stats.update(
                gflopsAtP50=round(gflops, 2),
                ofPeakAtP50=round(gflops / peak, 3),
                gflopsBest=round(best, 2),
                ofPeakBest=round(best / peak, 3),
                maxProbabilityDifference=differences[name.rsplit(" @", 1)[0]],
            )
            if threads == "1":  # CPU time is the work only when one thread does it all
                stats["gflopsAtCpuP50"] = round(flops / (stats["cpuP50"] / 1000) / 1e9, 2)
                stats["ofPeakAtCpuP50"] = round(stats["gflopsAtCpuP50"] / result["peak"]["1"]["peakCpu"], 3)
            else:
                stats.pop("cpuP50")  # one thread's CPU time says nothing about two
            forward[name] = stats
        entry["forward"] = forward

        log(f"{arch}: inference.py handlers per image (224x224 JPEG)")
        torch.set_num_threads(default_threads)
        handlers = {"inference.py now": handler_call(inference, inference.model_fn(str(model_dir)), body_224)}
        if baseline_source is not None:
            old = load_module(args.baseline, "inference_before")
            handlers["inference.py before"] = handler_call(old, old.model_fn(str(model_dir)), body_224)
        handler_samples = interleaved({name: (call, slow * 2) for name, call in handlers.items()}, rounds)
        entry["handlers"] = {name: summary(values) for name, values in handler_samples.items()}
        result["models"][arch] = entry

    log("12-megapixel JPEG: decode and preprocessing")
    torch.set_num_threads(default_threads)
    photo = jpeg(4000, 3000, seed=2)
    decode_samples, fidelity = decode_measurements(photo, rounds)
    result["photo"] = {
        "width": 4000,
        "height": 3000,
        "bytes": len(photo),
        "timings": {name: summary(values) for name, values in decode_samples.items()},
        "draftFidelity": fidelity,
    }
    result["machine"]["loadAverageAtEnd"] = os.getloadavg()[0]
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    sys.exit(main())

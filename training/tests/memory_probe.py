"""Serve images through inference.py under a hard address-space limit; used by test_serving_hardening.

    python memory_probe.py <model_dir> <headroom_mb> <image> [<image> ...]

Loads the model and serves one ordinary image first (so torch's threads and caches exist),
then caps the process's address space at its current size plus <headroom_mb> and serves
each image. Prints one JSON line per image: {"image", "ok", "status", "error", "rss_growth_mb"}.
An allocation beyond the cap fails with MemoryError instead of taking the machine's memory.
"""

import io
import json
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import inference  # noqa: E402
from PIL import Image  # noqa: E402


def address_space_bytes():
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(model, body, content_type):
    data = inference.input_fn(body, content_type)
    return inference.output_fn(inference.predict_fn(data, model), "application/json")


def main(argv):
    model_dir, headroom_mb, images = argv[0], int(argv[1]), argv[2:]
    model = inference.model_fn(model_dir)
    warm = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 200)).save(warm, "PNG")
    serve(model, warm.getvalue(), "image/png")
    limit = address_space_bytes() + headroom_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for path in images:
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = "image/png" if path.endswith(".png") else "image/jpeg"
        before = max_rss_mb()
        result = {"image": os.path.basename(path), "ok": False, "status": None, "error": None}
        try:
            answer, _ = serve(model, body, content_type)
            result.update(ok=True, predictions=len(json.loads(answer)["predictions"]))
        except MemoryError:
            result.update(error="MemoryError")
        except inference.InferenceRequestError as err:
            result.update(status=err.status_code, error=str(err))
        result["rss_growth_mb"] = round(max_rss_mb() - before, 1)
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

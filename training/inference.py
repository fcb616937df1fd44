"""Inference handler for the SageMaker PyTorch serving container.

The container imports this module (it travels inside model.tar.gz as
code/inference.py, see train.py) and calls, per request:

    model = model_fn(model_dir)                      # once, at start-up
    data = input_fn(request_body, content_type)      # bytes -> tensor
    prediction = predict_fn(data, model)             # tensor -> probabilities
    body, content_type = output_fn(prediction, accept)

Request: the body is the image bytes, Content-Type `image/jpeg` or `image/png`.
Response: `application/json` {"predictions": [{"label", "index", "probability"}, ...]},
sorted by probability (highest first), top-k entries. k comes from the Accept
header parameter `topk` (`Accept: application/json; topk=3`), else from env
TOP_K (default 5), and is clamped to the number of classes.

Bad requests raise a subclass of InferenceRequestError (a ValueError). When the
SageMaker inference toolkit is importable the same classes also derive from its
BaseInferenceToolkitError, so the container answers with our 4xx status code
instead of a generic 500.

This module is also imported by train.py: the model architecture and the
evaluation preprocessing are defined once, here, so training and serving cannot
drift apart.
"""

import io
import json
import logging
import os

import torch
from PIL import Image
from torch import nn
from torchvision import models, transforms

LOG = logging.getLogger(__name__)

# Files in the model directory (written by train.py, read by model_fn).
MODEL_FILE = "model.pth"
LABELS_FILE = "labels.json"
CONFIG_FILE = "model_config.json"
CONFIG_FORMAT_VERSION = 1

# Backbones whose classifier is a single `fc` Linear layer we can replace.
SUPPORTED_ARCHS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")

# ImageNet statistics: the pretrained torchvision backbones expect them.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

JSON_CONTENT_TYPE = "application/json"
# image/jpg is not a registered type but clients send it; treat it as JPEG.
IMAGE_CONTENT_TYPES = ("image/jpeg", "image/png", "image/jpg")
_PIL_FORMATS = ["JPEG", "PNG"]  # never let Pillow try any other decoder

# Environment knobs (set on the SageMaker Model's container environment).
ENV_TOP_K = "TOP_K"
ENV_MAX_IMAGE_BYTES = "MAX_IMAGE_BYTES"
ENV_MAX_IMAGE_PIXELS = "MAX_IMAGE_PIXELS"
DEFAULT_TOP_K = 5
DEFAULT_MAX_IMAGE_BYTES = 6 * 1024 * 1024  # the real-time InvokeEndpoint payload limit
DEFAULT_MAX_IMAGE_PIXELS = 25_000_000  # e.g. 5000 x 5000; phone photos are ~12 MP
ACCEPT_TOPK_PARAM = "topk"


# --------------------------------------------------------------------------- errors

try:  # Present inside the SageMaker serving containers, absent in our tests.
    from sagemaker_inference.errors import BaseInferenceToolkitError as _ToolkitError
except ImportError:  # pragma: no cover - depends on the runtime image

    class _ToolkitError(Exception):
        """Stand-in with the toolkit's (status_code, message, phrase) shape."""

        def __init__(self, status_code, message, phrase):
            self.status_code = status_code
            self.message = message
            self.phrase = phrase
            super().__init__(status_code, message, phrase)


class InferenceRequestError(_ToolkitError, ValueError):
    """A request the model cannot serve; `status_code` is the HTTP status to answer."""

    status_code = 400

    def __init__(self, message):
        super().__init__(type(self).status_code, message, message)

    def __str__(self):
        return self.message


class UnsupportedContentTypeError(InferenceRequestError):
    status_code = 415


class UnsupportedAcceptError(InferenceRequestError):
    status_code = 406


class PayloadTooLargeError(InferenceRequestError):
    status_code = 413


class InvalidImageError(InferenceRequestError):
    status_code = 400


class ModelLoadError(RuntimeError):
    """The model directory is incomplete or inconsistent (a deployment problem)."""


# --------------------------------------------------------------------------- shared with train.py


def build_model(arch, num_classes, weights=None):
    """A torchvision ResNet with its classifier replaced by Linear(features, num_classes).

    `weights` is passed to torchvision (None: random init; "DEFAULT": ImageNet).
    """
    if arch not in SUPPORTED_ARCHS:
        raise ValueError(f"unsupported arch {arch!r}; choose one of {', '.join(SUPPORTED_ARCHS)}")
    model = getattr(models, arch)(weights=weights)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


def resize_size_for(image_size):
    # Same ratio as the classic ImageNet recipe (resize 256, crop 224).
    return int(round(image_size * 256 / 224))


def eval_transform(image_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, resize_size=None):
    """Deterministic preprocessing used for validation, test and serving."""
    return transforms.Compose(
        [
            transforms.Resize(resize_size or resize_size_for(image_size)),
            transforms.CenterCrop(image_size),
            transforms.ToTensor(),
            transforms.Normalize(mean, std),
        ]
    )


# --------------------------------------------------------------------------- environment


def _positive_int_env(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"environment variable {name} must be a positive integer, got {raw!r}")
    return value


def request_limits():
    """(max_bytes, max_pixels) from the environment, validated."""
    return (
        _positive_int_env(ENV_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_BYTES),
        _positive_int_env(ENV_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_PIXELS),
    )


# --------------------------------------------------------------------------- model_fn


class LoadedModel:
    """What model_fn returns: the network plus everything needed to serve it."""

    def __init__(self, network, labels, config, device, default_top_k):
        self.network = network
        self.labels = labels
        self.config = config
        self.device = device
        self.default_top_k = default_top_k
        # The artifact's own config, not today's defaults: old models keep their preprocessing.
        self.transform = eval_transform(
            config["image_size"], config["mean"], config["std"], config.get("resize_size")
        )


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise ModelLoadError(f"model directory is missing {os.path.basename(path)} ({path})") from None
    except json.JSONDecodeError as err:
        raise ModelLoadError(f"{path} is not valid JSON: {err}") from None


def _load_state_dict(path, device):
    if not os.path.isfile(path):
        raise ModelLoadError(f"model directory is missing {os.path.basename(path)} ({path})")
    try:
        # weights_only: a state dict needs no pickled code, so refuse to run any.
        return torch.load(path, map_location=device, weights_only=True)
    except TypeError:  # torch older than 1.13 has no weights_only
        return torch.load(path, map_location=device)
    except Exception as err:  # noqa: BLE001 - unpickling errors come in many types
        raise ModelLoadError(f"cannot load {os.path.basename(path)}: {err}") from None


def model_fn(model_dir):
    """Load the classifier written by train.py from `model_dir`."""
    # Fail at start-up, not on the first request, if the env knobs are wrong.
    request_limits()
    default_top_k = _positive_int_env(ENV_TOP_K, DEFAULT_TOP_K)

    config = _read_json(os.path.join(model_dir, CONFIG_FILE))
    labels = _read_json(os.path.join(model_dir, LABELS_FILE))
    missing = [key for key in ("arch", "num_classes", "image_size", "mean", "std") if key not in config]
    if missing:
        raise ModelLoadError(f"{CONFIG_FILE} lacks {', '.join(missing)}")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ModelLoadError(f"{LABELS_FILE} must be a JSON list of class names")
    if len(labels) != config["num_classes"]:
        raise ModelLoadError(
            f"{LABELS_FILE} has {len(labels)} labels but {CONFIG_FILE} says num_classes={config['num_classes']}"
        )

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    network = build_model(config["arch"], config["num_classes"])
    network.load_state_dict(_load_state_dict(os.path.join(model_dir, MODEL_FILE), device))
    network.to(device).eval()
    LOG.info(
        "loaded %s with %d classes on %s (top_k default %d)",
        config["arch"],
        len(labels),
        device,
        default_top_k,
    )
    return LoadedModel(network, labels, config, device, default_top_k)


# --------------------------------------------------------------------------- input_fn


def _media_type(header):
    """'image/JPEG; q=1' -> 'image/jpeg'."""
    return (header or "").split(";", 1)[0].strip().lower()


def decode_image(request_body, max_bytes, max_pixels):
    """Bytes -> RGB PIL image, refusing empty, oversized and undecodable payloads."""
    if isinstance(request_body, str):
        raise InvalidImageError("request body must be raw image bytes, not text")
    if not isinstance(request_body, (bytes, bytearray, memoryview)):
        raise InvalidImageError(f"request body must be bytes, got {type(request_body).__name__}")
    size = len(request_body)
    if size == 0:
        raise InvalidImageError("request body is empty; send the image bytes")
    if size > max_bytes:
        raise PayloadTooLargeError(f"image is {size} bytes; the limit is {max_bytes} bytes ({ENV_MAX_IMAGE_BYTES})")
    try:
        image = Image.open(io.BytesIO(bytes(request_body)), formats=_PIL_FORMATS)
        width, height = image.size  # read from the header, before decoding pixels
        if width * height > max_pixels:
            raise PayloadTooLargeError(
                f"image is {width}x{height} = {width * height} pixels; "
                f"the limit is {max_pixels} ({ENV_MAX_IMAGE_PIXELS})"
            )
        image.load()
        return image.convert("RGB")
    except InferenceRequestError:
        raise
    except Image.DecompressionBombError as err:
        raise PayloadTooLargeError(f"image has too many pixels: {err}") from None
    except (OSError, SyntaxError, ValueError) as err:
        # Pillow signals unknown formats, truncation and corrupt chunks with these.
        raise InvalidImageError(f"request body is not a decodable JPEG or PNG image ({err})") from None


def input_fn(request_body, content_type):
    """Validate and decode a JPEG/PNG request body into an RGB PIL image.

    Resizing and normalisation happen in predict_fn, because they depend on the
    model's config and input_fn does not see the model.
    """
    media_type = _media_type(content_type)
    if media_type not in IMAGE_CONTENT_TYPES:
        raise UnsupportedContentTypeError(
            f"unsupported content type {content_type!r}; send image/jpeg or image/png bytes"
        )
    max_bytes, max_pixels = request_limits()
    # Decoded as whichever of JPEG/PNG the bytes really are: a mislabelled but
    # valid image is served rather than refused.
    return decode_image(request_body, max_bytes, max_pixels)


# --------------------------------------------------------------------------- predict_fn


def predict_fn(input_data, model):
    """PIL image -> {"probabilities": [...], "labels": [...], "default_top_k": k}."""
    batch = model.transform(input_data).unsqueeze(0).to(model.device)
    with torch.no_grad():
        probabilities = torch.softmax(model.network(batch), dim=1)[0].cpu()
    return {
        "probabilities": probabilities.tolist(),
        "labels": model.labels,
        "default_top_k": model.default_top_k,
    }


# --------------------------------------------------------------------------- output_fn


def _parse_accept(accept):
    """Return the `topk` parameter (or None) of the first JSON-compatible media range.

    Raises UnsupportedAcceptError when nothing in the header allows JSON.
    """
    if accept is None or accept.strip() == "":
        return None
    for media_range in accept.split(","):
        parts = [part.strip() for part in media_range.split(";")]
        if parts[0].lower() not in (JSON_CONTENT_TYPE, "application/*", "*/*"):
            continue
        topk = None
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == ACCEPT_TOPK_PARAM:
                topk = value.strip().strip('"')
        return topk
    raise UnsupportedAcceptError(f"unsupported Accept {accept!r}; this model answers {JSON_CONTENT_TYPE}")


def _top_k(raw, default, num_classes):
    if raw is None:
        k = default
    else:
        try:
            k = int(raw)
        except ValueError:
            k = 0
        if k < 1:
            raise InferenceRequestError(f"Accept parameter {ACCEPT_TOPK_PARAM} must be a positive integer, got {raw!r}")
    return min(k, num_classes)


def output_fn(prediction, accept):
    """Serialise the top-k predictions; returns (body, content_type).

    The toolkit sets the response Content-Type from the second element of the tuple.
    """
    requested = _parse_accept(accept)
    probabilities = prediction["probabilities"]
    labels = prediction["labels"]
    k = _top_k(requested, prediction["default_top_k"], len(labels))
    # Sort by probability, then by index so ties are stable across runs.
    order = sorted(range(len(probabilities)), key=lambda i: (-probabilities[i], i))[:k]
    predictions = [
        {"label": labels[i], "index": i, "probability": round(float(probabilities[i]), 6)} for i in order
    ]
    return json.dumps({"predictions": predictions}), JSON_CONTENT_TYPE

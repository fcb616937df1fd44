"""Inference handler for the SageMaker PyTorch serving container.

The container imports this module (it travels inside model.tar.gz as
code/inference.py, see train.py) and calls, per request:

    model = model_fn(model_dir)                      # once, at start-up
    data = input_fn(request_body, content_type)      # bytes -> checked image header
    prediction = predict_fn(data, model)             # decode, preprocess, classify
    body, content_type = output_fn(prediction, accept)

Request: the body is the image bytes, Content-Type `image/jpeg` or `image/png`.
Response: `application/json` {"predictions": [{"label", "index", "probability"}, ...]},
sorted by probability (highest first), top-k entries. k comes from the Accept
header parameter `topk` (`Accept: application/json; topk=3`), else from env
TOP_K (default 5), and is clamped to the number of classes.

Work per request is bounded: input_fn reads only the image header (size limits are
checked before any pixel is decoded), and preprocessing resizes only the region the
centre crop keeps, so an extreme aspect ratio costs no more than a square image.

Bad requests raise a subclass of InferenceRequestError (a ValueError). When the
SageMaker inference toolkit is importable the same classes also derive from its
BaseInferenceToolkitError, so the container answers with our 4xx status code
instead of a generic 500.

This module is also imported by train.py: the model architecture, the colour
conversion and the evaluation preprocessing are defined once, here, so training
and serving cannot drift apart.
"""

import io
import json
import logging
import os
import re

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
ENV_OPTIMIZE = "OPTIMIZE_FOR_INFERENCE"
DEFAULT_TOP_K = 5
DEFAULT_MAX_IMAGE_BYTES = 6 * 1024 * 1024  # the real-time InvokeEndpoint payload limit
DEFAULT_MAX_IMAGE_PIXELS = 25_000_000  # e.g. 5000 x 5000; phone photos are ~12 MP
ACCEPT_TOPK_PARAM = "topk"
# Large JPEGs are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling), never below
# this many times the resize target's short side, so the resize still has the detail it needs.
JPEG_DRAFT_MARGIN = 2


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


class ResizeCenterCrop:
    """torchvision's Resize(resize_size) then CenterCrop(crop_size), computing only the crop.

    Resize scales the shorter side to `resize_size` (the longer one in proportion, as
    torchvision computes it) and CenterCrop keeps the middle `crop_size` square. Resizing
    the whole image first costs memory in proportion to the aspect ratio: a 95-byte 3000x1
    PNG becomes 768000x256 pixels (~590 MB) before the crop throws nearly all of it away.
    Here Pillow resamples only the source box that maps onto the crop (`Image.resize(box=)`
    keeps the same sampling grid and filter), so the output and the work are bounded by the
    crop whatever the input's shape. Pixels equal the two-step result within one grey
    level (the box is passed to Pillow as 32-bit floats); tests pin that.
    """

    def __init__(self, resize_size, crop_size):
        if resize_size < crop_size:
            raise ValueError(f"resize size {resize_size} is smaller than the crop size {crop_size}")
        self.resize_size = resize_size
        self.crop_size = crop_size

    def resized_size(self, width, height):
        """(width, height) after Resize(resize_size), by torchvision's own rule."""
        if width <= height:
            return self.resize_size, int(self.resize_size * height / width)
        return int(self.resize_size * width / height), self.resize_size

    def source_box(self, width, height):
        """The region of a width x height image that ends up in the centre crop."""
        new_width, new_height = self.resized_size(width, height)
        # CenterCrop's offsets, rounded as torchvision rounds them.
        top = int(round((new_height - self.crop_size) / 2.0))
        left = int(round((new_width - self.crop_size) / 2.0))
        scale_x, scale_y = width / new_width, height / new_height
        return (
            left * scale_x,
            top * scale_y,
            (left + self.crop_size) * scale_x,
            (top + self.crop_size) * scale_y,
        )

    def draft_size(self, width, height):
        """The smallest decode size worth asking a JPEG decoder for (see JPEG_DRAFT_MARGIN)."""
        new_width, new_height = self.resized_size(width, height)
        factor = min(width / new_width, height / new_height) / JPEG_DRAFT_MARGIN
        if factor < 2:
            return None  # not even a 1/2-scale decode would be large enough
        return (max(1, int(width / factor)), max(1, int(height / factor)))

    def __call__(self, image):
        box = self.source_box(*image.size)
        return image.resize((self.crop_size, self.crop_size), Image.BILINEAR, box=box)

    def __repr__(self):
        return f"{type(self).__name__}(resize_size={self.resize_size}, crop_size={self.crop_size})"


def eval_transform(image_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, resize_size=None):
    """Deterministic preprocessing used for validation, test and serving (RGB image -> tensor)."""
    return transforms.Compose(
        [
            ResizeCenterCrop(resize_size or resize_size_for(image_size), image_size),
            transforms.ToTensor(),
            transforms.Normalize(mean, std),
        ]
    )


_SIXTEEN_BIT_GREY = ("I", "I;16", "I;16B", "I;16L", "I;16N")
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")


def to_rgb(image):
    """Any decoded JPEG/PNG mode -> 8-bit RGB, with colours as a viewer shows them.

    - 16-bit greyscale (Pillow's "I"/"I;16") is scaled to 8 bits; `convert("RGB")` would
      clip every value above 255, so 50 % grey (32768) would become white.
    - Transparency (an alpha channel, or a palette or colour marked transparent by tRNS)
      is flattened onto white, as a page shows it; dropping alpha would instead expose
      whatever colour happens to be stored under transparent pixels (often black).
    - Everything else (greyscale, palette, CMYK, bilevel) is converted by Pillow.
    """
    if image.mode in _SIXTEEN_BIT_GREY:
        # 0..65535 -> 0..255, rounded: v / 257 maps 65535 to 255 and 32768 to 128.
        grey = image.convert("I").point(lambda value: value / 257 + 0.5).convert("L")
        return grey.convert("RGB")
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


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


def _bool_env(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"environment variable {name} must be true or false, got {raw!r}")


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
        self.resize = self.transform.transforms[0]

    def preprocess(self, data, draft=True):
        """An ImageRequest (what input_fn returns) or an RGB PIL image -> a batch of one on the device."""
        if isinstance(data, ImageRequest):
            data = decode_rgb(data, self.resize.draft_size(*data.size) if draft else None)
        return self.transform(data).unsqueeze(0).to(self.device)


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


def optimize_for_serving(network, image_size, device):
    """The network as a frozen TorchScript graph optimised for inference, or itself on failure.

    `torch.jit.freeze` inlines the weights and folds each BatchNorm into the convolution
    before it; `torch.jit.optimize_for_inference` then pre-packs the convolution weights in
    oneDNN's blocked layout once, instead of on every call. On a CPU this is the difference
    between ~1 s and ~0.1 s per ResNet50 image with Debian's torch (see bench/README.md);
    outputs equal the eager network's within float rounding (tests pin it). Any failure
    (an old torch, an unscriptable network) keeps the eager network, with a warning.
    """
    example = torch.zeros(1, 3, image_size, image_size, device=device)
    try:
        with torch.no_grad():
            graph = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(network).eval()))
            for _ in range(2):  # the profiling executor specialises the graph on its first runs
                graph(example)
        return graph
    except Exception as err:  # noqa: BLE001 - any failure here means "serve the eager network"
        LOG.warning("serving the eager network: optimize_for_inference failed (%s: %s)", type(err).__name__, err)
        return network


def model_fn(model_dir):
    """Load the classifier written by train.py from `model_dir`."""
    # Fail at start-up, not on the first request, if the env knobs are wrong.
    request_limits()
    default_top_k = _positive_int_env(ENV_TOP_K, DEFAULT_TOP_K)
    optimize = _bool_env(ENV_OPTIMIZE, True)

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
    resize_size = config.get("resize_size") or resize_size_for(config["image_size"])
    if resize_size < config["image_size"]:
        raise ModelLoadError(
            f"{CONFIG_FILE} has resize_size={resize_size} below image_size={config['image_size']}"
        )

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    network = build_model(config["arch"], config["num_classes"])
    network.load_state_dict(_load_state_dict(os.path.join(model_dir, MODEL_FILE), device))
    network.to(device).eval()
    if optimize:
        network = optimize_for_serving(network, config["image_size"], device)
    Image.preinit()  # import the JPEG/PNG decoders now, not on the first request (~20 ms)
    LOG.info(
        "loaded %s with %d classes on %s (top_k default %d, %s, %d torch threads)",
        config["arch"],
        len(labels),
        device,
        default_top_k,
        "optimized graph" if isinstance(network, torch.jit.ScriptModule) else "eager network",
        torch.get_num_threads(),
    )
    return LoadedModel(network, labels, config, device, default_top_k)


# --------------------------------------------------------------------------- input_fn


def _media_type(header):
    """'image/JPEG; q=1' -> 'image/jpeg'."""
    return (header or "").split(";", 1)[0].strip().lower()


class ImageRequest:
    """What input_fn returns: a JPEG or PNG whose header is read and checked, pixels not yet decoded.

    Decoding waits for predict_fn, which knows the model's input size and can ask the JPEG
    decoder for a reduced-size decode (see decode_rgb).
    """

    __slots__ = ("image", "format", "size")

    def __init__(self, image):
        self.image = image
        self.format = image.format
        self.size = image.size

    def __repr__(self):
        return f"ImageRequest({self.format} {self.size[0]}x{self.size[1]})"


# Pillow puts the stream's repr in some messages ("cannot identify image file <_io.BytesIO
# object at 0x7f...>"): it says nothing to the caller and leaks a memory address.
_OBJECT_REPR = re.compile(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>")


def _reason(err):
    text = _OBJECT_REPR.sub("", str(err)).strip()
    return text or type(err).__name__


def _not_decodable(err):
    return InvalidImageError(f"request body is not a decodable JPEG or PNG image ({_reason(err)})")


def open_image(request_body, max_bytes, max_pixels):
    """Bytes -> ImageRequest, refusing empty, oversized and unrecognisable payloads from the header."""
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
    except Image.DecompressionBombError as err:
        raise PayloadTooLargeError(f"image has too many pixels: {_reason(err)}") from None
    except (OSError, SyntaxError, ValueError) as err:
        # Pillow signals unknown formats, truncation and corrupt chunks with these.
        raise _not_decodable(err) from None
    width, height = image.size  # read from the header, before decoding pixels
    if width * height > max_pixels:
        raise PayloadTooLargeError(
            f"image is {width}x{height} = {width * height} pixels; "
            f"the limit is {max_pixels} ({ENV_MAX_IMAGE_PIXELS})"
        )
    return ImageRequest(image)


def decode_rgb(request, draft_size=None):
    """Decode an ImageRequest's pixels into an 8-bit RGB image (see to_rgb).

    `draft_size` lets a JPEG decode at 1/2, 1/4 or 1/8 scale, the smallest that is still at
    least that size (Pillow's `draft`): far less work for a large photo. PNGs ignore it.
    """
    image = request.image
    try:
        if draft_size is not None and image.format == "JPEG":
            image.draft("RGB", draft_size)
        image.load()
        return to_rgb(image)
    except Image.DecompressionBombError as err:
        raise PayloadTooLargeError(f"image has too many pixels: {_reason(err)}") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise _not_decodable(err) from None


def input_fn(request_body, content_type):
    """Check a JPEG/PNG request body and read its header; returns an ImageRequest.

    Decoding, resizing and normalisation happen in predict_fn, because they depend on
    the model's config and input_fn does not see the model.
    """
    media_type = _media_type(content_type)
    if media_type not in IMAGE_CONTENT_TYPES:
        raise UnsupportedContentTypeError(
            f"unsupported content type {content_type!r}; send image/jpeg or image/png bytes"
        )
    max_bytes, max_pixels = request_limits()
    # Opened as whichever of JPEG/PNG the bytes really are: a mislabelled but
    # valid image is served rather than refused.
    return open_image(request_body, max_bytes, max_pixels)


# --------------------------------------------------------------------------- predict_fn


def predict_fn(input_data, model):
    """ImageRequest (or RGB PIL image) -> {"probabilities": [...], "labels": [...], "default_top_k": k}."""
    batch = model.preprocess(input_data)
    with torch.inference_mode():
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

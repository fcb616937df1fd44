"""The SageMaker serving handlers: model_fn, input_fn, predict_fn, output_fn."""

import json
import os
import random
import shutil
import struct
import unittest
import zlib
from types import SimpleNamespace
from unittest import mock

import support  # first: it puts training/ on sys.path for the imports below

import inference
import torch
import train
from PIL import Image, ImageFile
from torchvision import transforms

LABELS = ["blue_triangle", "green_circle", "red_square"]


def write_model_dir(labels=LABELS, image_size=32, seed=0):
    """An untrained resnet18 saved exactly as train.py saves a model."""
    torch.manual_seed(seed)
    network = inference.build_model("resnet18", len(labels))
    model_dir = support.scratch_dir("served-model")
    config = train.model_config(SimpleNamespace(arch="resnet18", image_size=image_size), len(labels))
    train.save_model_dir(model_dir, network.state_dict(), labels, config)
    return model_dir


def shape_bytes(fmt, label="red_square", size=48, mode="RGB"):
    image = support.shapes.draw_shape(label, size, random.Random(3)).convert(mode)
    return support.encode(image, fmt)


def png_header_only(width, height):
    """A PNG signature and IHDR chunk (no pixel data): what a decompression bomb shows first."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


class ServingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model_dir = write_model_dir()
        with mock.patch.dict(os.environ, {}, clear=False):
            for name in (
            inference.ENV_TOP_K,
            inference.ENV_MAX_IMAGE_BYTES,
            inference.ENV_MAX_IMAGE_PIXELS,
            inference.ENV_OPTIMIZE,
        ):
                os.environ.pop(name, None)
            cls.model = inference.model_fn(str(cls.model_dir))

    def setUp(self):
        patcher = mock.patch.dict(os.environ)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in (
            inference.ENV_TOP_K,
            inference.ENV_MAX_IMAGE_BYTES,
            inference.ENV_MAX_IMAGE_PIXELS,
            inference.ENV_OPTIMIZE,
        ):
            os.environ.pop(name, None)

    def invoke(self, body, content_type, accept="application/json"):
        data = inference.input_fn(body, content_type)
        response, response_type = inference.output_fn(inference.predict_fn(data, self.model), accept)
        self.assertEqual(response_type, "application/json")
        return json.loads(response)

    def assertValidPredictions(self, payload, k):
        predictions = payload["predictions"]
        self.assertEqual(list(payload), ["predictions"])
        self.assertEqual(len(predictions), k)
        for p in predictions:
            self.assertEqual(set(p), {"label", "index", "probability"})
            self.assertEqual(p["label"], LABELS[p["index"]])
            self.assertTrue(0.0 <= p["probability"] <= 1.0)
        probabilities = [p["probability"] for p in predictions]
        self.assertEqual(probabilities, sorted(probabilities, reverse=True))
        self.assertEqual(len({p["index"] for p in predictions}), k)

    # ------------------------------------------------------------------ happy paths

    def test_model_fn_loads_labels_and_config(self):
        self.assertEqual(self.model.labels, LABELS)
        self.assertEqual(self.model.config["image_size"], 32)
        self.assertEqual(self.model.default_top_k, 5)
        # Served as a frozen TorchScript graph (BatchNorm folded, weights pre-packed).
        self.assertIsInstance(self.model.network, torch.jit.ScriptModule)

    def test_optimized_graph_answers_like_the_eager_network(self):
        eager = inference.build_model("resnet18", len(LABELS))
        eager.load_state_dict(torch.load(self.model_dir / "model.pth", weights_only=True))
        eager.eval()
        torch.manual_seed(5)
        batch = torch.randn(4, 3, 32, 32)
        with torch.no_grad():
            expected = torch.softmax(eager(batch), dim=1)
        with torch.inference_mode():
            got = torch.softmax(self.model.network(batch), dim=1)
        self.assertLess((expected - got).abs().max().item(), 1e-5)

    def test_eager_network_when_optimization_is_switched_off(self):
        os.environ[inference.ENV_OPTIMIZE] = "false"
        model = inference.model_fn(str(self.model_dir))
        self.assertNotIsInstance(model.network, torch.jit.ScriptModule)
        self.assertFalse(model.network.training)
        prediction = inference.predict_fn(inference.input_fn(shape_bytes("PNG"), "image/png"), model)
        self.assertValidPredictions(json.loads(inference.output_fn(prediction, None)[0]), 3)

    def test_serving_crop_equals_torchvision_resize_then_crop(self):
        # ResizeCenterCrop computes only the crop; the pixels must be those of torchvision's
        # Resize + CenterCrop on the whole image, within one grey level.
        reference = transforms.Compose([transforms.Resize(37), transforms.CenterCrop(32)])
        fused = inference.ResizeCenterCrop(37, 32)
        rng = random.Random(11)
        sizes = [(37, 37), (32, 40), (1, 1), (500, 3), (3, 500), (97, 61)] + [
            (rng.randint(1, 400), rng.randint(1, 400)) for _ in range(40)
        ]
        for size in sizes:
            with self.subTest(size=size):
                image = Image.effect_noise(size, 70).convert("RGB")
                a = torch.tensor(list(reference(image).getdata()), dtype=torch.int16)
                b = torch.tensor(list(fused(image).getdata()), dtype=torch.int16)
                self.assertLessEqual((a - b).abs().max().item(), 1)

    def test_jpeg(self):
        payload = self.invoke(shape_bytes("JPEG"), "image/jpeg")
        # Default top-k is 5, clamped to the 3 classes; all of them sum to 1.
        self.assertValidPredictions(payload, 3)
        self.assertAlmostEqual(sum(p["probability"] for p in payload["predictions"]), 1.0, places=4)

    def test_png_including_alpha_and_greyscale(self):
        for mode in ("RGB", "RGBA", "L", "P"):
            with self.subTest(mode=mode):
                self.assertValidPredictions(self.invoke(shape_bytes("PNG", mode=mode), "image/png"), 3)

    def test_content_type_parameters_and_case_are_tolerated(self):
        self.assertValidPredictions(self.invoke(shape_bytes("PNG"), "Image/PNG; charset=binary"), 3)
        self.assertValidPredictions(self.invoke(shape_bytes("JPEG"), "image/jpg"), 3)

    def test_mislabelled_but_valid_image_is_served(self):
        self.assertValidPredictions(self.invoke(shape_bytes("PNG"), "image/jpeg"), 3)

    def test_bytearray_body(self):
        self.assertValidPredictions(self.invoke(bytearray(shape_bytes("PNG")), "image/png"), 3)

    def test_predictions_match_the_network_output(self):
        body = shape_bytes("PNG", label="green_circle")
        payload = self.invoke(body, "image/png")
        with Image.open(support.io.BytesIO(body)) as image:
            batch = inference.eval_transform(32)(image.convert("RGB")).unsqueeze(0)
        with torch.inference_mode():
            expected = torch.softmax(self.model.network(batch), dim=1)[0]
        for p in payload["predictions"]:
            self.assertAlmostEqual(p["probability"], float(expected[p["index"]]), places=5)
        self.assertEqual(payload["predictions"][0]["index"], int(expected.argmax()))

    # ------------------------------------------------------------------ top-k

    def test_topk_from_accept_header(self):
        self.assertValidPredictions(self.invoke(shape_bytes("PNG"), "image/png", "application/json; topk=2"), 2)
        self.assertValidPredictions(self.invoke(shape_bytes("PNG"), "image/png", 'application/json;topk="1"'), 1)

    def test_topk_is_clamped_to_the_number_of_classes(self):
        self.assertValidPredictions(self.invoke(shape_bytes("PNG"), "image/png", "application/json; topk=500"), 3)

    def test_wildcard_and_missing_accept_mean_json(self):
        for accept in ("*/*", "application/*; topk=1", None, "", "text/html, application/json; topk=2"):
            with self.subTest(accept=accept):
                payload = self.invoke(shape_bytes("PNG"), "image/png", accept)
                expected = {"application/*; topk=1": 1, "text/html, application/json; topk=2": 2}.get(accept, 3)
                self.assertValidPredictions(payload, expected)

    def test_top_k_environment_default(self):
        os.environ[inference.ENV_TOP_K] = "2"
        model = inference.model_fn(str(self.model_dir))
        data = inference.input_fn(shape_bytes("PNG"), "image/png")
        body, _ = inference.output_fn(inference.predict_fn(data, model), "application/json")
        self.assertEqual(len(json.loads(body)["predictions"]), 2)

    def test_invalid_topk(self):
        prediction = inference.predict_fn(inference.input_fn(shape_bytes("PNG"), "image/png"), self.model)
        for value in ("0", "-1", "two", ""):
            with self.subTest(value=value):
                with self.assertRaisesRegex(inference.InferenceRequestError, "topk must be a positive integer") as ctx:
                    inference.output_fn(prediction, f"application/json; topk={value}")
                self.assertEqual(ctx.exception.status_code, 400)

    def test_unsupported_accept(self):
        prediction = inference.predict_fn(inference.input_fn(shape_bytes("PNG"), "image/png"), self.model)
        with self.assertRaisesRegex(inference.UnsupportedAcceptError, "unsupported Accept 'text/csv'") as ctx:
            inference.output_fn(prediction, "text/csv")
        self.assertEqual(ctx.exception.status_code, 406)

    # ------------------------------------------------------------------ bad requests

    def assertRejected(self, error_class, status, fragment, body, content_type="image/png"):
        with self.assertRaises(error_class) as ctx:
            inference.input_fn(body, content_type)
        error = ctx.exception
        self.assertIsInstance(error, ValueError)
        self.assertEqual(error.status_code, status)
        self.assertIn(fragment, str(error))

    def test_wrong_content_type(self):
        for content_type in ("application/json", "text/plain", "image/gif", "", None):
            with self.subTest(content_type=content_type):
                self.assertRejected(
                    inference.UnsupportedContentTypeError, 415, "send image/jpeg or image/png", b"{}", content_type
                )

    def test_garbage_bytes(self):
        self.assertRejected(inference.InvalidImageError, 400, "not a decodable JPEG or PNG", os.urandom(2048))

    def test_other_image_formats_are_not_decoded(self):
        gif = support.encode(Image.new("RGB", (8, 8), "red"), "GIF")
        self.assertRejected(inference.InvalidImageError, 400, "not a decodable JPEG or PNG", gif)

    def test_truncated_image(self):
        # The header is intact, so input_fn accepts it; decoding the pixels (predict_fn) refuses it.
        body = shape_bytes("JPEG", size=256)
        request = inference.input_fn(body[: len(body) // 2], "image/jpeg")
        with self.assertRaisesRegex(inference.InvalidImageError, "not a decodable JPEG or PNG image") as ctx:
            inference.predict_fn(request, self.model)
        self.assertEqual(ctx.exception.status_code, 400)

    def test_empty_body(self):
        self.assertRejected(inference.InvalidImageError, 400, "request body is empty", b"")

    def test_text_body(self):
        self.assertRejected(inference.InvalidImageError, 400, "not text", "aGVsbG8=")

    def test_too_many_bytes(self):
        body = shape_bytes("PNG")
        os.environ[inference.ENV_MAX_IMAGE_BYTES] = str(len(body) - 1)
        self.assertRejected(inference.PayloadTooLargeError, 413, f"the limit is {len(body) - 1} bytes", body)
        os.environ[inference.ENV_MAX_IMAGE_BYTES] = str(len(body))
        self.assertValidPredictions(self.invoke(body, "image/png"), 3)

    def test_too_many_pixels(self):
        os.environ[inference.ENV_MAX_IMAGE_PIXELS] = str(64 * 64 - 1)
        self.assertRejected(
            inference.PayloadTooLargeError, 413, "64x64 = 4096 pixels", shape_bytes("PNG", size=64)
        )

    def test_pixel_limit_is_checked_before_decoding(self):
        # A few bytes that claim 6000x6000 pixels must be refused from the header alone.
        huge = png_header_only(6000, 6000)
        self.assertLess(len(huge), 100)
        with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded pixels")):
            self.assertRejected(
                inference.PayloadTooLargeError, 413, "6000x6000 = 36000000 pixels; the limit is 25000000", huge
            )

    def test_decompression_bomb_beyond_pillows_own_limit(self):
        self.assertRejected(inference.PayloadTooLargeError, 413, "too many pixels", png_header_only(30000, 30000))

    def test_default_limits(self):
        self.assertEqual(inference.request_limits(), (6 * 1024 * 1024, 25_000_000))

    def test_errors_carry_the_toolkit_shape(self):
        error = inference.PayloadTooLargeError("too big")
        self.assertEqual(
            (error.status_code, error.message, error.phrase, str(error)), (413, "too big", "too big", "too big")
        )


class ModelLoadTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in (
            inference.ENV_TOP_K,
            inference.ENV_MAX_IMAGE_BYTES,
            inference.ENV_MAX_IMAGE_PIXELS,
            inference.ENV_OPTIMIZE,
        ):
            os.environ.pop(name, None)

    def test_preprocessing_comes_from_the_artifact(self):
        model_dir = write_model_dir()
        config = json.loads((model_dir / "model_config.json").read_text())
        self.assertEqual((config["image_size"], config["resize_size"]), (32, 37))
        config.update(resize_size=40, mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25])
        (model_dir / "model_config.json").write_text(json.dumps(config))
        resize_crop, _, normalize = inference.model_fn(str(model_dir)).transform.transforms
        self.assertEqual((resize_crop.resize_size, resize_crop.crop_size), (40, 32))
        self.assertEqual((list(normalize.mean), list(normalize.std)), ([0.5] * 3, [0.25] * 3))

    def test_missing_labels(self):
        model_dir = write_model_dir()
        os.remove(model_dir / "labels.json")
        with self.assertRaisesRegex(inference.ModelLoadError, "missing labels.json"):
            inference.model_fn(str(model_dir))

    def test_labels_that_do_not_match_the_config(self):
        model_dir = write_model_dir()
        (model_dir / "labels.json").write_text(json.dumps(LABELS[:2]))
        with self.assertRaisesRegex(inference.ModelLoadError, "2 labels but model_config.json says num_classes=3"):
            inference.model_fn(str(model_dir))

    def test_resize_smaller_than_the_crop(self):
        model_dir = write_model_dir()
        config = json.loads((model_dir / "model_config.json").read_text())
        config.update(resize_size=30)
        (model_dir / "model_config.json").write_text(json.dumps(config))
        with self.assertRaisesRegex(inference.ModelLoadError, "resize_size=30 below image_size=32"):
            inference.model_fn(str(model_dir))

    def test_weights_that_do_not_match_the_config(self):
        model_dir = write_model_dir()
        other = write_model_dir(labels=["a", "b", "c", "d"])
        shutil.copy(other / "model.pth", model_dir / "model.pth")
        with self.assertRaisesRegex(RuntimeError, "size mismatch for fc"):
            inference.model_fn(str(model_dir))

    def test_bad_environment_fails_at_load(self):
        model_dir = write_model_dir()
        for name, value in ((inference.ENV_TOP_K, "0"), (inference.ENV_MAX_IMAGE_BYTES, "lots")):
            with self.subTest(name=name), mock.patch.dict(os.environ, {name: value}):
                with self.assertRaisesRegex(ValueError, f"{name} must be a positive integer, got '{value}'"):
                    inference.model_fn(str(model_dir))
        with mock.patch.dict(os.environ, {inference.ENV_OPTIMIZE: "maybe"}):
            with self.assertRaisesRegex(ValueError, "OPTIMIZE_FOR_INFERENCE must be true or false, got 'maybe'"):
                inference.model_fn(str(model_dir))

    def test_weights_are_loaded_without_running_pickled_code(self):
        model_dir = write_model_dir()
        torch.save({"payload": SimpleNamespace(x=1)}, model_dir / "model.pth")
        with self.assertRaisesRegex(inference.ModelLoadError, "cannot load model.pth: Weights only load failed"):
            inference.model_fn(str(model_dir))

    def test_missing_weights(self):
        model_dir = write_model_dir()
        os.remove(model_dir / "model.pth")
        with self.assertRaisesRegex(inference.ModelLoadError, "missing model.pth"):
            inference.model_fn(str(model_dir))


if __name__ == "__main__":
    unittest.main()

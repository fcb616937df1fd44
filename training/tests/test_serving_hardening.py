"""Hostile images against the serving handler: bounded work, faithful colours, clean messages."""

import io
import json
import os
import re
import subprocess
import sys
import unittest
from types import SimpleNamespace
from unittest import mock

import support  # first: it puts training/ on sys.path for the imports below

import inference
import torch
import train
from PIL import Image, ImageFile

LABELS = ["blue_triangle", "green_circle", "red_square"]
PROBE = support.TESTS_DIR / "memory_probe.py"


def write_model_dir(image_size=224, arch="resnet18"):
    torch.manual_seed(0)
    network = inference.build_model(arch, len(LABELS))
    model_dir = support.scratch_dir("served-model")
    config = train.model_config(SimpleNamespace(arch=arch, image_size=image_size), len(LABELS))
    train.save_model_dir(model_dir, network.state_dict(), LABELS, config)
    return model_dir


def encoded(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def sixteen_bit_grey_png(value, size=(16, 16)):
    return encoded(Image.new("I;16", size, value), "PNG")


class BoundedWorkTest(unittest.TestCase):
    """The issue's images: tiny files whose resize to 256 on the short side would need gigabytes."""

    @classmethod
    def setUpClass(cls):
        cls.model_dir = write_model_dir(image_size=224)
        folder = support.scratch_dir("hostile")
        cls.images = {
            "3000x1.png": encoded(Image.new("RGB", (3000, 1), (10, 200, 30)), "PNG"),
            "1x20000.png": encoded(Image.new("RGB", (1, 20000), (200, 10, 30)), "PNG"),
            "65000x1.jpg": encoded(Image.new("RGB", (65000, 1), (30, 10, 200)), "JPEG"),
        }
        cls.paths = []
        for name, body in cls.images.items():
            (folder / name).write_bytes(body)
            cls.paths.append(str(folder / name))

    def test_the_3000x1_png_is_95_bytes(self):
        # The figure: the file passes every size check by a wide margin.
        self.assertEqual(len(self.images["3000x1.png"]), 95)

    def test_extreme_sides_are_served_within_a_small_memory_cap(self):
        # Each image is served in a process whose address space may grow by 300 MB at most;
        # resizing 3000x1 to 256 on its short side alone would allocate ~590 MB of pixels.
        env = support.clean_env()
        probe = subprocess.run(
            [sys.executable, str(PROBE), str(self.model_dir), "300", *self.paths],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(probe.returncode, 0, probe.stderr)
        results = [json.loads(line) for line in probe.stdout.splitlines()]
        self.assertEqual([r["image"] for r in results], [os.path.basename(p) for p in self.paths])
        for result in results:
            with self.subTest(image=result["image"]):
                self.assertTrue(result["ok"], result)
                self.assertEqual(result["predictions"], 3)
                self.assertLess(result["rss_growth_mb"], 100, result)

    def test_planned_resize_is_bounded_by_the_crop(self):
        # Whatever the aspect ratio, preprocessing produces the crop and nothing larger.
        transform = inference.ResizeCenterCrop(256, 224)
        for size in ((3000, 1), (1, 20000), (65000, 1), (5000, 5000), (224, 224), (1, 1)):
            with self.subTest(size=size):
                out = transform(Image.new("RGB", size, (90, 90, 90)))
                self.assertEqual(out.size, (224, 224))
                self.assertEqual(out.getpixel((112, 112)), (90, 90, 90))


class JpegDraftTest(unittest.TestCase):
    """Large JPEGs decode at reduced scale; the crop the model sees stays within 2 grey levels."""

    @classmethod
    def setUpClass(cls):
        cls.body = encoded(support.photo_like(2000, 1500, seed=4), "JPEG", quality=90)
        cls.transform = inference.ResizeCenterCrop(256, 224)

    def crop(self, draft):
        request = inference.open_image(self.body, 10**8, 10**8)
        size = self.transform.draft_size(*request.size) if draft else None
        decoded = inference.decode_rgb(request, size)
        return decoded.size, torch.tensor(list(self.transform(decoded).getdata()), dtype=torch.float32)

    def test_a_large_jpeg_is_decoded_at_the_smallest_scale_that_keeps_twice_the_detail(self):
        # Resize 256 on the short side; twice that is 512 <= 1500/2: a 1/2-scale decode, not 1/4.
        self.assertEqual(self.transform.draft_size(2000, 1500), (682, 512))
        (size, _), (full_size, _) = self.crop(draft=True), self.crop(draft=False)
        self.assertEqual((size, full_size), ((1000, 750), (2000, 1500)))

    def test_reduced_decoding_changes_the_crop_by_at_most_two_grey_levels(self):
        (_, drafted), (_, full) = self.crop(draft=True), self.crop(draft=False)
        difference = (drafted - full).abs()
        self.assertLessEqual(difference.max().item(), 2)
        self.assertLess(difference.mean().item(), 0.5)

    def test_small_images_are_decoded_in_full(self):
        self.assertIsNone(self.transform.draft_size(600, 400))
        self.assertIsNone(self.transform.draft_size(3000, 1))


class ColourConversionTest(unittest.TestCase):
    def test_sixteen_bit_grey_at_half_scale_stays_half_grey(self):
        for value, expected in ((32768, 128), (0, 0), (65535, 255), (16384, 64)):
            with self.subTest(value=value):
                request = inference.input_fn(sixteen_bit_grey_png(value), "image/png")
                rgb = inference.decode_rgb(request)
                self.assertEqual(rgb.mode, "RGB")
                for channel in rgb.getpixel((3, 3)):
                    self.assertAlmostEqual(channel, expected, delta=1)

    def test_sixteen_bit_grey_is_served_like_its_eight_bit_twin(self):
        model = inference.model_fn(str(write_model_dir(image_size=32)))
        sixteen = inference.predict_fn(inference.input_fn(sixteen_bit_grey_png(32768, (40, 40)), "image/png"), model)
        eight = inference.predict_fn(
            inference.input_fn(encoded(Image.new("L", (40, 40), 128), "PNG"), "image/png"), model
        )
        for a, b in zip(sixteen["probabilities"], eight["probabilities"]):
            self.assertAlmostEqual(a, b, places=3)

    def test_palette_transparency_is_flattened_on_white(self):
        image = Image.new("P", (8, 8), 0)
        image.putpalette([0, 0, 0, 200, 20, 20])
        image.paste(1, (0, 0, 4, 8))  # left half opaque red, right half transparent black
        rgb = inference.decode_rgb(inference.input_fn(encoded(image, "PNG", transparency=0), "image/png"))
        self.assertEqual(rgb.getpixel((1, 1)), (200, 20, 20))
        self.assertEqual(rgb.getpixel((6, 6)), (255, 255, 255))

    def test_plain_palette_keeps_its_colours(self):
        image = Image.new("P", (8, 8), 1)
        image.putpalette([0, 0, 0, 20, 120, 220])
        rgb = inference.decode_rgb(inference.input_fn(encoded(image, "PNG"), "image/png"))
        self.assertEqual(rgb.getpixel((4, 4)), (20, 120, 220))

    def test_alpha_is_flattened_on_white(self):
        image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
        image.paste((10, 200, 10, 255), (0, 0, 4, 8))
        rgb = inference.decode_rgb(inference.input_fn(encoded(image, "PNG"), "image/png"))
        self.assertEqual(rgb.getpixel((1, 1)), (10, 200, 10))
        self.assertEqual(rgb.getpixel((6, 6)), (255, 255, 255))
        grey_alpha = Image.new("LA", (4, 4), (0, 0))
        rgb = inference.decode_rgb(inference.input_fn(encoded(grey_alpha, "PNG"), "image/png"))
        self.assertEqual(rgb.getpixel((1, 1)), (255, 255, 255))

    def test_training_reads_images_with_the_same_conversion(self):
        folder = support.scratch_dir("convert")
        (folder / "grey16.png").write_bytes(sixteen_bit_grey_png(32768))
        for channel in train.load_image(folder / "grey16.png").getpixel((0, 0)):
            self.assertAlmostEqual(channel, 128, delta=1)


class MessagesTest(unittest.TestCase):
    def test_refusals_name_the_problem_without_object_reprs(self):
        png = encoded(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")
        jpeg = encoded(Image.effect_noise((256, 256), 60).convert("RGB"), "JPEG")
        gif = encoded(Image.new("RGB", (8, 8), "red"), "GIF")
        bodies = {
            "garbage": os.urandom(512),
            "gif": gif,
            "truncated png": png[: len(png) // 2],
            "truncated jpeg": jpeg[: len(jpeg) // 2],
            "png signature only": png[:8],
            "jpeg markers only": b"\xff\xd8\xff\xd9",
        }
        for name, body in bodies.items():
            with self.subTest(body=name):
                with self.assertRaises(inference.InferenceRequestError) as ctx:
                    request = inference.input_fn(body, "image/png")
                    inference.decode_rgb(request)
                message = str(ctx.exception)
                self.assertEqual(ctx.exception.status_code, 400)
                self.assertIn("not a decodable JPEG or PNG", message)
                self.assertNotRegex(message, re.compile(r"0x[0-9a-f]{6,}|<[^>]*object"))


class ToolkitContractTest(unittest.TestCase):
    def test_decoding_errors_surface_as_400_from_predict_fn_too(self):
        # input_fn reads only the header; the pixels are decoded in predict_fn, which must
        # refuse a broken body with the same 400 as input_fn would.
        model = inference.model_fn(str(write_model_dir(image_size=32)))
        png = encoded(Image.effect_noise((96, 96), 80).convert("RGB"), "PNG")
        request = inference.input_fn(png[: len(png) // 2], "image/png")
        with self.assertRaises(inference.InvalidImageError) as ctx:
            inference.predict_fn(request, model)
        self.assertEqual(ctx.exception.status_code, 400)

    def test_pixels_are_not_decoded_in_input_fn(self):
        png = encoded(Image.new("RGB", (32, 32), (5, 5, 5)), "PNG")
        with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded in input_fn")):
            request = inference.input_fn(png, "image/png")
        self.assertEqual(request.size, (32, 32))
        self.assertEqual(request.format, "PNG")


if __name__ == "__main__":
    unittest.main()

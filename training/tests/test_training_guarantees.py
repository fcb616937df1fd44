"""What train.py promises beyond "it runs": held-out test split, frozen backbone, reproducibility.

These run train.main() in this process so every image read can be observed.
"""

import json
import logging
import unittest
from pathlib import Path
from unittest import mock

import support  # first: it puts training/ on sys.path for the imports below

import torch
import train
from inference import build_model


class _EventLog(logging.Handler):
    def __init__(self, events):
        super().__init__()
        self.events = events

    def emit(self, record):
        self.events.append(("log", record.getMessage()))


def observed_run(data, weights_file, epochs=2):
    """Run train.main() recording, in order, every image it opens and every line it logs."""
    events = []
    original_load = train.load_image

    def recording_load(path):
        events.append(("read", Path(path)))
        return original_load(path)

    model_dir = support.scratch_dir("model")
    handler = _EventLog(events)
    logging.getLogger("train").addHandler(handler)
    try:
        with mock.patch.object(train, "load_image", recording_load):
            code, stdout, stderr = support.run_main(
                [
                    *support.FAST_ARGS,
                    "--weights-file", str(weights_file),
                    "--epochs", str(epochs),
                    "--data-dir", str(data),
                    "--model-dir", str(model_dir),
                ]  # fmt: skip
            )
    finally:
        logging.getLogger("train").removeHandler(handler)
    if code != 0:
        raise AssertionError(f"train.main exited {code}:\n{stdout}\n{stderr}")
    return events, model_dir


class TrainingGuaranteesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = support.shapes_dataset()
        # A random "pretrained" backbone saved as a state dict: --weights-file is
        # how network-isolated jobs start from ImageNet weights without a download.
        torch.manual_seed(1234)
        cls.weights_file = support.scratch_dir("weights") / "backbone.pth"
        torch.save(build_model("resnet18", 1000).state_dict(), cls.weights_file)
        cls.events, cls.model_dir = observed_run(cls.data, cls.weights_file)
        _, cls.repeat_model_dir = observed_run(cls.data, cls.weights_file)

    def reads(self, split):
        root = self.data / split
        return [i for i, (kind, value) in enumerate(self.events) if kind == "read" and root in value.parents]

    def test_test_images_are_read_only_after_training_ends(self):
        test_reads = self.reads("test")
        self.assertTrue(test_reads, "the test split is evaluated at the end")
        last_training_read = max(self.reads("train") + self.reads("valid"))
        self.assertGreater(min(test_reads), last_training_read)
        best_line = next(i for i, (k, v) in enumerate(self.events) if k == "log" and v.startswith("best_epoch="))
        self.assertGreater(min(test_reads), best_line, "test/ is opened only once the model is chosen")

    def test_each_test_image_is_read_exactly_once(self):
        paths = [self.events[i][1] for i in self.reads("test")]
        expected = sorted(p for p in (self.data / "test").rglob("*.png"))
        self.assertEqual(sorted(paths), expected)

    def test_training_reads_train_every_epoch_and_valid_for_selection(self):
        train_images = sorted((self.data / "train").rglob("*.png"))
        valid_images = sorted((self.data / "valid").rglob("*.png"))
        self.assertEqual(len(self.reads("train")), 2 * len(train_images))
        self.assertEqual(len(self.reads("valid")), 2 * len(valid_images))

    def test_frozen_backbone_is_saved_unchanged(self):
        initial = torch.load(self.weights_file, map_location="cpu")
        saved = torch.load(self.model_dir / "model.pth", map_location="cpu")
        backbone = [k for k in saved if not k.startswith("fc.")]
        self.assertTrue(backbone)
        # Weights *and* BatchNorm running statistics: frozen means frozen.
        self.assertIn("bn1.running_mean", backbone)
        for key in backbone:
            self.assertTrue(torch.equal(saved[key], initial[key]), f"{key} changed during training")
        self.assertEqual(tuple(saved["fc.weight"].shape), (3, 512))

    def test_same_seed_gives_identical_weights(self):
        first = torch.load(self.model_dir / "model.pth", map_location="cpu")
        second = torch.load(self.repeat_model_dir / "model.pth", map_location="cpu")
        self.assertEqual(first.keys(), second.keys())
        for key in first:
            self.assertTrue(torch.equal(first[key], second[key]), f"{key} differs between identical runs")
        self.assertEqual(
            json.loads((self.model_dir / "labels.json").read_text()),
            json.loads((self.repeat_model_dir / "labels.json").read_text()),
        )


class UnfrozenBackboneTest(unittest.TestCase):
    def test_fine_tuning_changes_the_backbone(self):
        data = support.shapes_dataset(per_class={"train": 4, "valid": 2, "test": 2})
        weights_file = support.scratch_dir("weights") / "backbone.pth"
        torch.manual_seed(99)
        torch.save(build_model("resnet18", 1000).state_dict(), weights_file)
        model_dir = support.scratch_dir("model")
        code, stdout, stderr = support.run_main(
            [
                *support.FAST_ARGS,
                "--weights-file", str(weights_file),
                "--freeze-backbone", "false",
                "--epochs", "1",
                "--data-dir", str(data),
                "--model-dir", str(model_dir),
            ]  # fmt: skip
        )
        self.assertEqual(code, 0, stdout + stderr)
        self.assertRegex(stdout, r"11178051 trainable / 11178051 parameters")
        initial = torch.load(weights_file, map_location="cpu")
        saved = torch.load(model_dir / "model.pth", map_location="cpu")
        self.assertFalse(torch.equal(saved["conv1.weight"], initial["conv1.weight"]))
        # Unfrozen, the backbone trains in train mode: BatchNorm statistics move too.
        self.assertFalse(torch.equal(saved["bn1.running_mean"], initial["bn1.running_mean"]))


if __name__ == "__main__":
    unittest.main()

"""A real single-process training run on the shapes data, and what it leaves behind."""

import json
import re
import unittest

import support  # first: it puts training/ on sys.path for the imports below

import torch
from PIL import Image

EPOCH_LINE = re.compile(
    r"epoch=(\d+) train_loss=([0-9.]+) valid_loss=([0-9.]+) valid_accuracy=([0-9.]+)$", re.MULTILINE
)


class SingleProcessTrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.training = support.reference_run()
        if cls.training.code != 0:
            raise AssertionError(f"train.py exited {cls.training.code}:\n{cls.training.log}")
        cls.history = json.loads((cls.training.output_dir / "history.json").read_text())

    def test_logs_every_epoch_in_the_fixed_format(self):
        epochs = [int(m.group(1)) for m in EPOCH_LINE.finditer(self.training.log)]
        self.assertEqual(epochs, list(range(1, self.training.epochs + 1)))

    def test_history_matches_the_log(self):
        logged = [tuple(float(x) for x in m.groups()[1:]) for m in EPOCH_LINE.finditer(self.training.log)]
        recorded = [(e["train_loss"], e["valid_loss"], e["valid_accuracy"]) for e in self.history["epochs"]]
        self.assertEqual(len(logged), len(recorded))
        for log_values, history_values in zip(logged, recorded):
            for a, b in zip(log_values, history_values):
                self.assertAlmostEqual(a, b, places=6)

    def test_writes_weights_labels_and_config(self):
        model_dir = self.training.model_dir
        labels = json.loads((model_dir / "labels.json").read_text())
        self.assertEqual(labels, ["blue_triangle", "green_circle", "red_square"])
        config = json.loads((model_dir / "model_config.json").read_text())
        self.assertEqual(config["arch"], "resnet18")
        self.assertEqual(config["num_classes"], 3)
        self.assertEqual(config["image_size"], 32)
        self.assertEqual(config["mean"], [0.485, 0.456, 0.406])
        self.assertEqual(config["std"], [0.229, 0.224, 0.225])
        state = torch.load(model_dir / "model.pth", map_location="cpu")
        self.assertEqual(tuple(state["fc.weight"].shape), (3, 512))
        self.assertFalse(any(key.startswith("module.") for key in state), "weights are saved unwrapped from DDP")
        self.assertEqual(
            sorted(p.name for p in model_dir.iterdir()), ["code", "labels.json", "model.pth", "model_config.json"]
        )

    def test_model_carries_its_inference_handler(self):
        copied = self.training.model_dir / "code" / "inference.py"
        self.assertEqual(copied.read_bytes(), (support.TRAINING_DIR / "inference.py").read_bytes())

    def test_beats_chance_on_the_test_split(self):
        test = self.history["test"]
        self.assertGreaterEqual(test["accuracy"], 0.6, f"chance is 1/3; got {test}")
        logged = re.findall(r"test_accuracy=([0-9.]+)", self.training.log)
        self.assertEqual(len(logged), 1, "the test split is scored exactly once")
        self.assertAlmostEqual(float(logged[0]), test["accuracy"], places=6)

    def test_keeps_the_best_epoch_on_valid(self):
        epochs = self.history["epochs"]
        best = max(epochs, key=lambda e: (e["valid_accuracy"], -e["valid_loss"]))
        self.assertEqual(self.history["best_epoch"], best["epoch"])
        line = re.search(r"best_epoch=(\d+) valid_loss=([0-9.]+) valid_accuracy=([0-9.]+)", self.training.log)
        self.assertIsNotNone(line)
        self.assertEqual(int(line.group(1)), best["epoch"])
        self.assertAlmostEqual(float(line.group(3)), best["valid_accuracy"], places=6)

    def test_test_split_is_scored_after_the_model_is_chosen(self):
        lines = self.training.log.splitlines()
        index = {name: next(i for i, l in enumerate(lines) if name in l) for name in ("best_epoch=", "test_accuracy=")}
        last_epoch = max(i for i, l in enumerate(lines) if EPOCH_LINE.search(l))
        self.assertLess(last_epoch, index["best_epoch="])
        self.assertLess(index["best_epoch="], index["test_accuracy="])

    def _served_scores(self, split):
        """Score a split through the handler copied into the model, as the endpoint would.

        Returns (accuracy from the JSON responses, mean cross-entropy of the served network).
        """
        handler = support.load_module_from(self.training.model_dir / "code" / "inference.py", "served_inference")
        model = handler.model_fn(str(self.training.model_dir))
        correct = total = 0
        loss = 0.0
        for index, label in enumerate(model.labels):
            for path in sorted((self.training.data_dir / split / label).iterdir()):
                with Image.open(path) as image:
                    body = support.encode(image.convert("RGB"), "PNG")
                data = handler.input_fn(body, "image/png")
                response, content_type = handler.output_fn(handler.predict_fn(data, model), "application/json; topk=1")
                self.assertEqual(content_type, "application/json")
                correct += json.loads(response)["predictions"][0]["index"] == index
                total += 1
                with torch.no_grad():
                    logits = model.network(model.preprocess(data))
                loss += torch.nn.functional.cross_entropy(logits, torch.tensor([index])).item()
        return correct / total, loss / total

    def test_served_model_reproduces_the_training_scores(self):
        # Same weights, same preprocessing: the endpoint must score exactly as training
        # reported, for the chosen epoch on valid/ and for the final test/ score.
        best = next(e for e in self.history["epochs"] if e["epoch"] == self.history["best_epoch"])
        valid_accuracy, valid_loss = self._served_scores("valid")
        self.assertAlmostEqual(valid_accuracy, best["valid_accuracy"], places=6)
        self.assertAlmostEqual(valid_loss, best["valid_loss"], places=5)
        test_accuracy, test_loss = self._served_scores("test")
        self.assertAlmostEqual(test_accuracy, self.history["test"]["accuracy"], places=6)
        self.assertAlmostEqual(test_loss, self.history["test"]["loss"], places=5)


if __name__ == "__main__":
    unittest.main()

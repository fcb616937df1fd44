"""training/metrics.json: the regexes SageMaker applies to our logs really extract our numbers."""

import json
import re
import unittest

import support


class MetricDefinitionsFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.metrics = json.loads(support.METRICS_JSON.read_text())

    def test_shape_is_what_the_tuning_job_takes(self):
        self.assertEqual(set(self.metrics), {"MetricDefinitions", "Objective"})
        for definition in self.metrics["MetricDefinitions"]:
            self.assertEqual(set(definition), {"Name", "Regex"})
            # CreateTrainingJob limits: Name 1-255 chars, Regex 1-500 chars.
            self.assertTrue(1 <= len(definition["Name"]) <= 255)
            self.assertTrue(1 <= len(definition["Regex"]) <= 500)
            self.assertEqual(re.compile(definition["Regex"]).groups, 1, "one capture group: the value")
        names = [d["Name"] for d in self.metrics["MetricDefinitions"]]
        self.assertEqual(len(names), len(set(names)))

    def test_objective_is_the_validation_accuracy(self):
        # Tuning on test/ would leak it into model selection; the objective is valid/.
        self.assertEqual(self.metrics["Objective"], {"MetricName": "valid:accuracy", "Type": "Maximize"})
        names = [d["Name"] for d in self.metrics["MetricDefinitions"]]
        self.assertIn(self.metrics["Objective"]["MetricName"], names)


class MetricRegexesOnRealLogTest(unittest.TestCase):
    """Apply each regex line by line, as SageMaker does, to the log of an actual run."""

    @classmethod
    def setUpClass(cls):
        cls.training = support.reference_run()
        if cls.training.code != 0:
            raise AssertionError(f"train.py exited {cls.training.code}:\n{cls.training.log}")
        cls.history = json.loads((cls.training.output_dir / "history.json").read_text())
        definitions = json.loads(support.METRICS_JSON.read_text())["MetricDefinitions"]
        cls.extracted = {}
        for definition in definitions:
            pattern = re.compile(definition["Regex"])
            values = []
            for line in cls.training.log.splitlines():
                match = pattern.search(line)
                if match:
                    values.append(float(match.group(1)))
            cls.extracted[definition["Name"]] = values

    def assertValues(self, name, expected):
        actual = self.extracted[name]
        self.assertEqual(len(actual), len(expected), f"{name}: {actual} vs {expected}")
        for a, e in zip(actual, expected):
            self.assertAlmostEqual(a, e, places=6, msg=name)

    def test_train_loss_once_per_epoch(self):
        self.assertValues("train:loss", [e["train_loss"] for e in self.history["epochs"]])

    def test_valid_metrics_per_epoch_then_the_chosen_epoch_last(self):
        epochs = self.history["epochs"]
        best = next(e for e in epochs if e["epoch"] == self.history["best_epoch"])
        # The tuner reads the latest value, so the last one must be the saved model's.
        self.assertValues("valid:accuracy", [e["valid_accuracy"] for e in epochs] + [best["valid_accuracy"]])
        self.assertValues("valid:loss", [e["valid_loss"] for e in epochs] + [best["valid_loss"]])

    def test_test_metrics_once(self):
        self.assertValues("test:accuracy", [self.history["test"]["accuracy"]])
        self.assertValues("test:loss", [self.history["test"]["loss"]])

    def test_objective_final_value_is_the_best_valid_accuracy(self):
        objective = json.loads(support.METRICS_JSON.read_text())["Objective"]["MetricName"]
        final = self.extracted[objective][-1]
        self.assertAlmostEqual(final, max(e["valid_accuracy"] for e in self.history["epochs"]), places=6)


if __name__ == "__main__":
    unittest.main()

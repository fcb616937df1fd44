"""train.py refuses bad flags, environment and data layouts with one clear line and exit 2."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import support  # first: it puts training/ on sys.path for the imports below

import train


class ArgumentErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})

    def setUp(self):
        self.model_dir = support.scratch_dir("model")

    def assertRefused(self, argv, *fragments, environ=None):
        """main() exits 2 with a single stderr line containing every fragment, and writes nothing."""
        code, stdout, stderr = support.run_main(argv, environ=environ)
        self.assertEqual(code, 2, f"expected exit 2, got {code}; stderr: {stderr!r}")
        lines = stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"expected one line on stderr, got {stderr!r}")
        self.assertTrue(lines[0].startswith("train.py: error: "), lines[0])
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertEqual(stdout, "", "nothing is logged before the arguments are valid")
        self.assertEqual(list(Path(self.model_dir).iterdir()), [], "nothing is written on an argument error")
        return lines[0]

    def argv(self, *extra, data=None):
        # --pretrained false: if a check ever failed to stop the run, nothing is downloaded.
        locations = ["--data-dir", str(data or self.data), "--model-dir", str(self.model_dir)]
        return [*locations, "--pretrained", "false", *extra]

    def test_negative_learning_rate(self):
        self.assertRefused(self.argv("--lr", "-0.1"), "--lr", "greater than 0", "'-0.1'")

    def test_zero_learning_rate(self):
        self.assertRefused(self.argv("--lr", "0"), "--lr", "greater than 0")

    def test_non_numeric_learning_rate(self):
        self.assertRefused(self.argv("--lr", "fast"), "--lr", "expected a number", "'fast'")

    def test_nan_learning_rate(self):
        self.assertRefused(self.argv("--lr", "nan"), "--lr", "finite")

    def test_zero_batch_size(self):
        self.assertRefused(self.argv("--batch-size", "0"), "--batch-size", "at least 1")

    def test_fractional_epochs(self):
        self.assertRefused(self.argv("--epochs", "2.5"), "--epochs", "whole number")

    def test_unknown_boolean(self):
        self.assertRefused(self.argv("--freeze-backbone", "maybe"), "--freeze-backbone", "true or false", "'maybe'")

    def test_unknown_arch(self):
        self.assertRefused(self.argv("--arch", "vgg16"), "--arch", "resnet50", "'vgg16'")

    def test_small_image_size(self):
        self.assertRefused(self.argv("--image-size", "8"), "--image-size", "at least 32")

    def test_unknown_flag(self):
        self.assertRefused(self.argv("--learning-rate-typo", "1"), "unrecognized arguments", "--learning-rate-typo")

    def test_abbreviated_flag_is_not_guessed(self):
        self.assertRefused(self.argv("--batch", "4"), "unrecognized arguments", "--batch")

    def test_missing_data_dir(self):
        self.assertRefused(["--model-dir", str(self.model_dir)], "--data-dir is required", "SM_CHANNEL_TRAINING")

    def test_data_dir_that_does_not_exist(self):
        missing = str(self.model_dir / "nope")
        self.assertRefused(self.argv(data=missing), missing, "--data-dir", "does not exist")

    def test_data_dir_from_environment_is_named_in_the_error(self):
        missing = str(self.model_dir / "nope")
        self.assertRefused(
            ["--model-dir", str(self.model_dir)],
            "SM_CHANNEL_TRAINING",
            missing,
            environ={"SM_CHANNEL_TRAINING": missing},
        )

    def test_missing_model_dir(self):
        self.assertRefused(["--data-dir", str(self.data)], "--model-dir is required", "SM_MODEL_DIR")

    def test_missing_split_folder(self):
        data = support.make_dataset(per_class={"train": 1, "valid": 1, "test": 1})
        shutil.rmtree(data / "valid")
        self.assertRefused(self.argv(data=data), "no valid/ folder", str(data))

    def test_split_with_no_class_folders(self):
        data = support.make_dataset(per_class={"train": 1, "valid": 1, "test": 1})
        shutil.rmtree(data / "test")
        (data / "test").mkdir()
        (data / "test" / "stray.png").write_bytes(b"")
        self.assertRefused(self.argv(data=data), str(data / "test"), "no class folders")

    def test_class_folder_without_images(self):
        data = support.make_dataset(per_class={"train": 1, "valid": 1, "test": 1})
        for image in (data / "train" / "green_circle").iterdir():
            image.unlink()
        (data / "train" / "green_circle" / "notes.txt").write_text("not an image")
        self.assertRefused(self.argv(data=data), str(data / "train" / "green_circle"), "has no images")

    def test_mismatched_class_folders(self):
        data = support.make_dataset(per_class={"train": 1, "valid": 1, "test": 1})
        shutil.rmtree(data / "test" / "red_square")
        (data / "test" / "purple_star").mkdir()
        shutil.copy(data / "test" / "green_circle" / "000.png", data / "test" / "purple_star" / "000.png")
        line = self.assertRefused(self.argv(data=data), str(data / "test"), "differ from train/")
        self.assertIn("missing red_square", line)
        self.assertIn("not in train/: purple_star", line)

    def test_hosts_that_are_not_a_list(self):
        self.assertRefused(self.argv("--hosts", '{"algo-1": 1}'), "--hosts", "is not a host name")

    def test_hosts_json_that_is_not_a_list(self):
        self.assertRefused(self.argv("--hosts", '["algo-1", 2]'), "--hosts", "non-empty list")

    def test_sm_hosts_with_invalid_json(self):
        self.assertRefused(self.argv(), "SM_HOSTS", "not a valid JSON list", environ={"SM_HOSTS": '["algo-1",'})

    def test_current_host_not_in_hosts(self):
        self.assertRefused(
            self.argv("--hosts", "algo-1,algo-2", "--current-host", "algo-3"), "--current-host", "'algo-3'", "algo-1"
        )

    def test_several_hosts_without_current_host(self):
        self.assertRefused(self.argv(), "SM_HOSTS lists 2 hosts", environ={"SM_HOSTS": '["algo-1","algo-2"]'})

    def test_rank_outside_world_size(self):
        self.assertRefused(
            self.argv(), "RANK=2", "WORLD_SIZE=2", environ={"WORLD_SIZE": "2", "RANK": "2", "MASTER_ADDR": "x"}
        )

    @unittest.skipIf(train.torch.cuda.is_available(), "only meaningful without CUDA")
    def test_nccl_without_gpus(self):
        self.assertRefused(self.argv("--backend", "nccl"), "--backend nccl needs GPUs")

    @unittest.skipIf(train.torch.cuda.is_available(), "only meaningful without CUDA")
    def test_gpus_requested_without_cuda(self):
        self.assertRefused(self.argv("--num-gpus", "1"), "--num-gpus is 1", "CUDA is not available")

    def test_weights_file_contradicts_pretrained_false(self):
        weights = self.model_dir.parent / "weights.pth"
        weights.write_bytes(b"x")
        self.assertRefused(self.argv("--weights-file", str(weights)), "--weights-file", "--pretrained false")

    def test_host_name_that_is_not_a_name(self):
        self.assertRefused(self.argv("--hosts", "algo-1,algo 2"), "--hosts", "'algo 2' is not a host name")

    def test_error_becomes_the_sagemaker_failure_reason(self):
        output_dir = tempfile.mkdtemp(dir=self.model_dir.parent)
        with mock.patch.dict(os.environ, {"SM_OUTPUT_DIR": output_dir}):
            self.assertRefused(self.argv("--lr", "-1"), "--lr")
        failure = Path(output_dir, "failure").read_text()
        self.assertIn("argument --lr: must be greater than 0", failure)


class ArgumentErrorProcessTest(unittest.TestCase):
    def test_real_process_exit_status_and_single_stderr_line(self):
        data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        process = subprocess.run(
            [sys.executable, str(support.TRAIN_PY), "--data-dir", str(data), "--model-dir", "/m", "--lr", "-1"],
            env=support.clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(process.returncode, 2)
        self.assertEqual(process.stdout, "")
        self.assertEqual(
            process.stderr, "train.py: error: argument --lr: must be greater than 0, got '-1' (see --help)\n"
        )


class ArgumentParsingTest(unittest.TestCase):
    """Values as SageMaker, the tuner and people on EC2 actually pass them."""

    def parse(self, *argv):
        return train.build_parser().parse_args(train.normalise_flag_names(list(argv)))

    def test_defaults(self):
        args = self.parse()
        self.assertEqual(args.arch, "resnet50")
        self.assertIsNone(args.pretrained)  # resolved to true unless --weights-file decides
        self.assertTrue(args.freeze_backbone)
        self.assertEqual((args.epochs, args.batch_size, args.lr, args.seed), (10, 32, 0.001, 42))

    def test_sagemaker_string_values(self):
        args = self.parse("--pretrained", '"false"', "--lr", '"0.001"', "--batch-size", "64", "--epochs", "2.0")
        self.assertIs(args.pretrained, False)
        self.assertEqual(args.lr, 0.001)
        self.assertEqual(args.batch_size, 64)
        self.assertEqual(args.epochs, 2)
        self.assertIsInstance(args.epochs, int)

    def test_booleans_in_every_spelling(self):
        spellings = [("True", True), ("false", False), ("1", True), ("0", False), ("yes", True), ("No", False)]
        for text, expected in spellings:
            with self.subTest(text=text):
                self.assertIs(self.parse("--freeze-backbone", text).freeze_backbone, expected)

    def test_underscore_names_and_equals_form(self):
        args = self.parse("--batch_size=16", "--num_workers", "3", "--image_size", "64")
        self.assertEqual((args.batch_size, args.num_workers, args.image_size), (16, 3, 64))

    def test_tuner_objective_hyperparameter_is_accepted(self):
        args = self.parse("--_tuning_objective_metric", "valid:accuracy", "--lr", "0.01")
        self.assertEqual(args.lr, 0.01)

    def test_scientific_notation(self):
        self.assertEqual(self.parse("--lr", "1e-4").lr, 0.0001)

    def test_environment_supplies_locations(self):
        data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        environ = {"SM_CHANNEL_TRAINING": str(data), "SM_MODEL_DIR": "/m", "SM_OUTPUT_DATA_DIR": "/o"}
        parser = train.build_parser()
        run = train.resolve_config(parser.parse_args([]), parser, environ)
        self.assertEqual((run.data_dir, run.model_dir, run.output_data_dir), (data, Path("/m"), Path("/o")))

    def test_flags_override_environment(self):
        data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        environ = {"SM_CHANNEL_TRAINING": "/nonexistent", "SM_MODEL_DIR": "/m"}
        parser = train.build_parser()
        run = train.resolve_config(parser.parse_args(["--data-dir", str(data), "--model-dir", "/x"]), parser, environ)
        self.assertEqual((run.data_dir, run.model_dir, run.output_data_dir), (data, Path("/x"), None))

    def test_weights_file_implies_pretrained(self):
        data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        weights = support.scratch_dir("weights") / "w.pth"
        weights.write_bytes(b"x")
        parser = train.build_parser()
        args = parser.parse_args(["--data-dir", str(data), "--model-dir", "/m", "--weights-file", str(weights)])
        self.assertTrue(train.resolve_config(args, parser, {}).pretrained)

    def test_sagemaker_numeric_log_level(self):
        data = support.shapes_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        parser = train.build_parser()
        args = parser.parse_args(["--data-dir", str(data), "--model-dir", "/m"])
        self.assertEqual(train.resolve_config(args, parser, {"SM_LOG_LEVEL": "10"}).log_level, "debug")


class DataLayoutTest(unittest.TestCase):
    def test_hidden_folders_and_non_images_are_ignored(self):
        data = support.make_dataset(per_class={"train": 2, "valid": 1, "test": 1})
        (data / "train" / ".ipynb_checkpoints").mkdir()
        (data / "train" / "red_square" / "README.txt").write_text("notes")
        (data / "train" / "red_square" / ".hidden.png").write_bytes(b"")
        splits = train.scan_data_dir(data)
        self.assertEqual(splits["train"].classes, ["blue_triangle", "green_circle", "red_square"])
        self.assertEqual(len(splits["train"].samples), 6)
        self.assertEqual([index for _, index in splits["train"].samples], [0, 0, 1, 1, 2, 2])

    def test_uppercase_extensions_count_as_images(self):
        data = support.make_dataset(per_class={"train": 1, "valid": 1, "test": 1})
        image = data / "valid" / "red_square" / "000.png"
        image.rename(image.with_name("000.PNG"))
        self.assertEqual(len(train.scan_data_dir(data)["valid"].samples), 3)


if __name__ == "__main__":
    unittest.main()

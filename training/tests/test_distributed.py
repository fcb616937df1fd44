"""Multi-process training: two real processes on 127.0.0.1 with gloo, as two hosts would run."""

import json
import re
import unittest

import support  # first: it puts training/ on sys.path for the imports below

import torch
import train

EPOCHS = 3
METRIC_LINE = re.compile(r"(epoch|best_epoch|test_loss)=")


_runs = {}


def two_rank_run(launch):
    """Train with two processes; `launch` is "torchrun-env" or "hosts". Returns per-rank dicts.

    Cached per launch style: several test classes inspect the same job.
    """
    if launch not in _runs:
        _runs[launch] = _two_rank_run(launch)
    return _runs[launch]


def _two_rank_run(launch):
    data = support.shapes_dataset()
    port = support.free_port()
    ranks = []
    for rank in range(2):
        model_dir, output_dir = support.scratch_dir(f"model-rank{rank}"), support.scratch_dir(f"output-rank{rank}")
        # Each rank gets its own model dir, as each SageMaker host has its own /opt/ml/model.
        args = [
            *support.FAST_TRAINING_ARGS,
            "--epochs", str(EPOCHS),
            "--data-dir", str(data),
            "--model-dir", str(model_dir),
            "--output-data-dir", str(output_dir),
        ]  # fmt: skip
        # Gloo otherwise picks its interface by resolving the machine's hostname, which
        # some CI containers cannot do; the loopback interface always works.
        loopback = {"GLOO_SOCKET_IFNAME": "lo"}
        if launch == "torchrun-env":
            env = support.clean_env(
                RANK=rank, WORLD_SIZE=2, LOCAL_RANK=rank, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, **loopback
            )
        else:
            # Two names for the loopback interface play the part of algo-1 and algo-2.
            hosts = ["127.0.0.1", "localhost"]
            env = support.clean_env(SM_HOSTS=json.dumps(hosts), SM_CURRENT_HOST=hosts[rank], **loopback)
            args += ["--master-port", str(port)]
        ranks.append({"args": args, "env": env, "model_dir": model_dir, "output_dir": output_dir})
    results = support.run_ranks([r["args"] for r in ranks], [r["env"] for r in ranks])
    for rank, (code, log) in zip(ranks, results):
        rank.update(code=code, log=log)
    return ranks


class TorchrunEnvTwoProcessTest(unittest.TestCase):
    launch = "torchrun-env"

    @classmethod
    def setUpClass(cls):
        cls.ranks = two_rank_run(cls.launch)
        for rank, info in enumerate(cls.ranks):
            if info["code"] != 0:
                raise AssertionError(f"rank {rank} exited {info['code']}:\n{info['log']}")

    def test_both_ranks_join_one_process_group(self):
        for rank, info in enumerate(self.ranks):
            self.assertIn(f"distributed {self.launch}: rank {rank} of 2, master 127.0.0.1", info["log"])
            self.assertIn("backend gloo", info["log"])

    def test_only_rank_zero_writes_the_model(self):
        rank0, rank1 = self.ranks
        self.assertEqual(
            sorted(p.name for p in rank0["model_dir"].iterdir()),
            ["code", "labels.json", "model.pth", "model_config.json"],
        )
        self.assertEqual(json.loads((rank0["model_dir"] / "labels.json").read_text()), list(support.shapes.CLASSES))
        self.assertEqual(list(rank1["model_dir"].iterdir()), [])
        self.assertEqual(list(rank1["output_dir"].iterdir()), [])
        self.assertIn("not writing the model: rank 0 does", rank1["log"])

    def test_metrics_are_logged_once_per_job(self):
        # SageMaker scrapes every host's log; a second copy would double the data points.
        rank0, rank1 = self.ranks
        self.assertEqual(len(re.findall(r"^.*epoch=\d+ train_loss=", rank0["log"], re.MULTILINE)), EPOCHS)
        self.assertIsNone(METRIC_LINE.search(rank1["log"]))

    def test_beats_chance_on_the_test_split(self):
        history = json.loads((self.ranks[0]["output_dir"] / "history.json").read_text())
        self.assertGreaterEqual(history["test"]["accuracy"], 0.6, history)
        # The two shards together score the whole test split (3 classes x 6), no padding.
        self.assertEqual(history["test"]["images"], 18)


class HostsListTwoProcessTest(TorchrunEnvTwoProcessTest):
    """The same job, launched the way SageMaker multi-instance training does (SM_HOSTS)."""

    launch = "hosts"

    def test_same_job_as_the_torchrun_launch(self):
        # Same seed, world size and data: the launch style must not change the result.
        torchrun_ranks = two_rank_run("torchrun-env")
        ours = [l for l in self.ranks[0]["log"].splitlines() if METRIC_LINE.search(l)]
        theirs = [l for l in torchrun_ranks[0]["log"].splitlines() if METRIC_LINE.search(l)]
        self.assertEqual(len(ours), EPOCHS + 2)  # each epoch, the chosen epoch, the test score
        strip = lambda lines: [l.split("] ", 1)[1] for l in lines]  # noqa: E731 - drop timestamps
        self.assertEqual(strip(ours), strip(theirs))
        ours_state = torch.load(self.ranks[0]["model_dir"] / "model.pth")
        theirs_state = torch.load(torchrun_ranks[0]["model_dir"] / "model.pth")
        for key in ours_state:
            self.assertTrue(torch.equal(ours_state[key], theirs_state[key]), key)


class ResolveDistributedTest(unittest.TestCase):
    def test_torchrun_environment_wins(self):
        config = train.resolve_distributed(
            ["algo-1", "algo-2"],
            "algo-1",
            29500,
            {"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "MASTER_ADDR": "10.0.0.5", "MASTER_PORT": "7777"},
        )
        self.assertEqual(
            (config.rank, config.world_size, config.local_rank, config.master_addr, config.master_port, config.source),
            (3, 4, 1, "10.0.0.5", 7777, "torchrun-env"),
        )

    def test_rank_is_the_position_in_the_hosts_list(self):
        config = train.resolve_distributed(["algo-1", "algo-2", "algo-3"], "algo-3", 29500, {})
        self.assertEqual(
            (config.rank, config.world_size, config.local_rank, config.master_addr, config.master_port),
            (2, 3, 0, "algo-1", 29500),
        )
        self.assertTrue(config.enabled)

    def test_single_host_is_not_distributed(self):
        config = train.resolve_distributed(["algo-1"], "algo-1", 29500, {})
        self.assertEqual((config.rank, config.world_size), (0, 1))
        self.assertFalse(config.enabled)

    def test_world_size_one_from_torchrun_is_not_distributed(self):
        config = train.resolve_distributed(["x"], None, 29500, {"WORLD_SIZE": "1", "RANK": "0"})
        self.assertFalse(config.enabled)

    def test_bad_torchrun_values_are_named(self):
        with self.assertRaisesRegex(ValueError, "RANK must be an integer, got 'zero'"):
            train.resolve_distributed([], None, 1, {"WORLD_SIZE": "2", "RANK": "zero", "MASTER_ADDR": "a"})
        with self.assertRaisesRegex(ValueError, "MASTER_ADDR is not set"):
            train.resolve_distributed([], None, 1, {"WORLD_SIZE": "2", "RANK": "0"})

    def test_hosts_parsing(self):
        self.assertEqual(train.parse_hosts('["algo-1","algo-2"]'), ["algo-1", "algo-2"])
        self.assertEqual(train.parse_hosts("ip-10-0-0-1, ip-10-0-0-2"), ["ip-10-0-0-1", "ip-10-0-0-2"])
        with self.assertRaisesRegex(ValueError, "unique"):
            train.parse_hosts("a,a")


if __name__ == "__main__":
    unittest.main()

"""Tiny end-to-end training runs: the losses go down; settings are strict; runs resume;
DDP runs."""

import os
import subprocess
import sys

import pytest
import torch

from aligncap.detect import DetectorConfig
from aligncap.model import AlignConfig
from aligncap.train import TrainConfig, apply_overrides, length_batches, schedule, train_alignment


def test_every_stage_learns(tiny_run):
    for name in ("detector", "align", "gen_full", "gen_region"):
        hist = torch.load(tiny_run / f"{name}.pt", weights_only=False)["history"]
        assert hist[-1] < hist[0], (name, hist)
    assert torch.load(tiny_run / "gen_region.pt", weights_only=False)["pairs"] > 0
    for curve in ("detector", "align-brnn", "gen-full", "gen-region"):
        lines = (tiny_run / f"curves_{curve}.csv").read_text().splitlines()
        assert lines[0].startswith("epoch,loss") and len(lines) >= 3, curve


def test_unknown_setting_is_an_error():
    assert apply_overrides(DetectorConfig(), ["channels=8,16", "roi_size=2"]).channels == (8, 16)
    with pytest.raises(ValueError, match="unknown setting 'chanels=8'"):
        apply_overrides(AlignConfig(), ["chanels=8"])
    with pytest.raises(ValueError, match="unknown optimizer"):
        from aligncap.train import make_optimizer

        make_optimizer([torch.nn.Parameter(torch.zeros(1))], TrainConfig(optimizer="lbfgs"))


def test_warmup_is_a_fraction_of_all_steps():
    total = 40  # a small data set: a fixed 100-step warm-up would never end
    lrs = [schedule(s, total, 1.0, 0.1) for s in range(total)]
    assert lrs[0] == pytest.approx(0.25) and lrs[3] > 0.9 and lrs[-1] < 0.01
    assert max(lrs) == lrs[3]


def test_batches_are_bucketed_by_length():
    order = torch.randperm(400, generator=torch.Generator().manual_seed(0))
    lengths = [i % 17 for i in range(400)]
    batches = length_batches(order, lengths, 20, torch.Generator().manual_seed(1))
    assert sorted(torch.cat(batches).tolist()) == sorted(order.tolist())
    spread = sum(
        max(lengths[i] for i in b.tolist()) - min(lengths[i] for i in b.tolist()) for b in batches
    )
    assert spread / len(batches) < 3  # unbucketed batches would span ~16


def test_a_run_resumes_where_it_stopped(corpus, tiny_run, tmp_path):
    (tmp_path / "detector.pt").symlink_to(tiny_run / "detector.pt")
    tc = TrainConfig(epochs=1, batch_size=50, optimizer="adam", lr=3e-3, device="cpu")
    train_alignment(corpus, tmp_path, AlignConfig(embed_size=16, word_size=16), tc)
    first = torch.load(tmp_path / "align-brnn.ckpt", weights_only=False)
    assert first["epoch"] == 1
    tc2 = apply_overrides(tc, ["epochs=2", "resume=true"])
    train_alignment(corpus, tmp_path, AlignConfig(embed_size=16, word_size=16), tc2)
    second = torch.load(tmp_path / "align-brnn.ckpt", weights_only=False)
    assert second["epoch"] == 2 and second["history"][0] == first["history"][0]
    assert second["step"] == 2 * first["step"]
    assert len((tmp_path / "curves_align-brnn.csv").read_text().splitlines()) == 3


def test_ddp_runs_with_two_processes_on_gloo(corpus, tiny_run, tmp_path):
    """torchrun with 2 CPU processes: DDP wraps the model, ranks train on shards, rank 0 saves."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        "2",
        "--master-port",
        "29517",
        "-m",
        "aligncap.cli",
        "train-align",
        "--data",
        str(corpus),
        "--run-dir",
        str(tmp_path),
        "--detector",
        str(tiny_run / "detector.pt"),
        "--set",
        "epochs=1",
        "batch_size=25",
        "embed_size=16",
        "word_size=16",
        "device=cpu",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    ck = torch.load(tmp_path / "align.pt", weights_only=False)
    assert ck["world_size"] == 2

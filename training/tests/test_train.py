"""Tiny end-to-end training runs: the losses go down; settings are strict; DDP runs."""

import os
import subprocess
import sys

import pytest
import torch

from aligncap.model import AlignConfig
from aligncap.train import TrainConfig, apply_overrides


def test_alignment_loss_goes_down(tiny_run):
    hist = torch.load(tiny_run / "align.pt", weights_only=False)["history"]
    assert len(hist) == 3 and hist[-1] < hist[0]


def test_generator_losses_go_down(tiny_run):
    for kind in ("full", "region"):
        ck = torch.load(tiny_run / f"gen_{kind}.pt", weights_only=False)
        assert ck["history"][-1] < ck["history"][0], kind
    assert torch.load(tiny_run / "gen_region.pt", weights_only=False)["pairs"] > 0


def test_unknown_setting_is_an_error():
    assert apply_overrides(AlignConfig(), ["channels=8,16", "dropout=0"]).channels == (8, 16)
    with pytest.raises(ValueError, match="unknown setting 'chanels=8'"):
        apply_overrides(AlignConfig(), ["chanels=8"])
    with pytest.raises(ValueError, match="unknown optimizer"):
        from aligncap.train import make_optimizer

        make_optimizer([torch.nn.Parameter(torch.zeros(1))], TrainConfig(optimizer="lbfgs"))


def test_ddp_runs_with_two_processes_on_gloo(corpus, tmp_path):
    """torchrun with 2 CPU processes: DDP wraps the model, ranks train on shards, rank 0 saves."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", "29517",
           "-m", "aligncap.cli", "train-align", "--data", str(corpus), "--run-dir", str(tmp_path),
           "--set", "epochs=1", "batch_size=25", "image_size=32", "channels=8,16,32", "embed_size=16",
           "word_size=16", "device=cpu"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    ck = torch.load(tmp_path / "align.pt", weights_only=False)
    assert ck["world_size"] == 2

"""Shared fixtures: a small corpus and a tiny trained run, built once per test session."""

from __future__ import annotations

import pytest

from aligncap.corpus import generate_corpus
from aligncap.model import AlignConfig, GenConfig
from aligncap.train import TrainConfig, train_alignment, train_generator

# Small enough for 2 CPU cores: 32-px model input, 8x8 region grid.
TINY_ALIGN = AlignConfig(image_size=32, channels=(8, 16, 32), embed_size=32, word_size=32)
TINY_GEN = GenConfig(hidden_size=48, word_size=24, image_code=4, max_length=12)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return generate_corpus(tmp_path_factory.mktemp("corpus"), seed=7, n_train=200, n_val=20, n_test=30)


@pytest.fixture(scope="session")
def tiny_run(corpus, tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    tc = TrainConfig(epochs=3, batch_size=50, optimizer="adam", lr=3e-3, device="cpu")
    train_alignment(corpus, run, TINY_ALIGN, tc)
    gtc = TrainConfig(epochs=2, batch_size=100, optimizer="adam", lr=3e-3, weight_decay=0.0, device="cpu")
    train_generator(run / "align.pt", corpus, run, "full", TINY_GEN, gtc)
    train_generator(run / "align.pt", corpus, run, "region", TINY_GEN, gtc)
    return run

"""Shared fixtures: a small corpus, a small detection split and a tiny trained run,
built once per test session."""

from __future__ import annotations

import pytest

from aligncap.corpus import generate_corpus
from aligncap.detect import DetectorConfig
from aligncap.model import AlignConfig, GenConfig
from aligncap.train import TrainConfig, train_alignment, train_detector, train_generator

# Small enough for 2 CPU cores: a thin trunk at the corpus's 128 px, small heads.
TINY_DETECT = DetectorConfig(channels=(8, 16, 16, 32, 32, 32), head_channels=16, feature_size=32)
TINY_ALIGN = AlignConfig(embed_size=32, word_size=32)
TINY_GEN = GenConfig(hidden_size=48, word_size=24, max_length=12)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return generate_corpus(
        tmp_path_factory.mktemp("corpus"), seed=7, n_train=200, n_val=20, n_test=30
    )


@pytest.fixture(scope="session")
def detection_split(tmp_path_factory):
    """Scenes of another seed, as the detector's own data set (no captioned image)."""
    return generate_corpus(
        tmp_path_factory.mktemp("detect"), seed=8, n_train=160, n_val=20, n_test=0
    )


@pytest.fixture(scope="session")
def tiny_run(corpus, detection_split, tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    train_detector(
        detection_split,
        run,
        TINY_DETECT,
        TrainConfig(epochs=2, batch_size=16, optimizer="adam", lr=3e-3, device="cpu"),
    )
    tc = TrainConfig(epochs=3, batch_size=50, optimizer="adam", lr=3e-3, device="cpu")
    train_alignment(corpus, run, TINY_ALIGN, tc)
    gtc = TrainConfig(
        epochs=2, batch_size=100, optimizer="adam", lr=3e-3, weight_decay=0.0, device="cpu"
    )
    train_generator(run / "align.pt", corpus, run, "full", TINY_GEN, gtc)
    train_generator(
        run / "align.pt",
        corpus,
        run,
        "region",
        GenConfig(hidden_size=48, word_size=24, max_length=8),
        gtc,
    )
    return run

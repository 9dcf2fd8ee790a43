"""Retrieval metrics on known rankings, the pointing game, the caption scorers."""

import numpy as np
import pytest

from aligncap.evaluate import (
    caption_metrics,
    consensus_caption,
    iou,
    kind_accuracy,
    mentions,
    pointing,
    retrieval_metrics,
    sentence_facts,
)


def test_perfect_and_known_rankings():
    # 3 images, 2 sentences each; sentence l describes image l // 2
    sent_image = np.array([0, 0, 1, 1, 2, 2])
    S = np.array([[9, 8, 1, 1, 1, 1], [1, 1, 9, 8, 1, 1], [1, 1, 1, 1, 9, 8]], dtype=float)
    r = retrieval_metrics(S, sent_image)
    assert r["image_to_sentence"]["R@1"] == 100 and r["sentence_to_image"]["median_rank"] == 1
    # image 2 now prefers sentences of image 0: its best true sentence is at rank 3
    S[2] = [9.5, 9.2, 1, 1, 9, 8]
    r = retrieval_metrics(S, sent_image)
    assert r["image_to_sentence"]["R@1"] == pytest.approx(200 / 3)
    assert r["image_to_sentence"]["R@5"] == 100
    # sentence 0 and 1 now rank image 2 first: their ranks are 2
    assert r["sentence_to_image"]["R@1"] == pytest.approx(400 / 6)
    assert r["sentence_to_image"]["median_rank"] == 1


def test_ties_count_against_the_true_item():
    r = retrieval_metrics(np.ones((2, 2)), np.array([0, 1]))
    assert r["image_to_sentence"]["R@1"] == 0 and r["sentence_to_image"]["R@1"] == 0


def test_pointing_game_uses_head_word_and_detected_boxes():
    dets = np.array([[0, 0, 16, 16], [16, 0, 32, 16]], dtype=float)
    unary = np.array([[5.0, 0.0, 9.0], [0.0, 3.0, 9.0]])  # region 2 = whole image
    out = pointing(
        unary, (0, 2), labels=[0, 2], region_boxes=dets, obj_boxes=[np.array([14, 0, 40, 20.0])]
    )
    assert out["argmax"][0] is True  # head word → box 1, centre (24, 8) inside the object
    assert out["argmax"][1] is False  # but IoU with the object is 256 / 576 < 0.5
    assert out["mrf"][0] is False  # the whole image localises nothing
    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)


def test_mentions_read_kinds_counts_and_sizes():
    said = mentions("two small dogs and a big red apple next to a fruit on the grass".split())
    assert said == [
        {"kind": "dog", "count": 2, "size": "small"},
        {"kind": "apple", "count": 1, "size": "large"},
    ]
    assert mentions("a puppy".split())[0]["kind"] == "dog"  # synonyms count, category words do not


class _DS:
    def __init__(self, anns):
        self.annotations = anns


class _It:
    def __init__(self, imgid):
        self.imgid = imgid


def test_kind_precision_recall_and_counts():
    anns = {
        "1": {
            "background": "grass",
            "objects": [
                {"kind": "dog", "size": "small", "box": [0, 0, 1, 1]},
                {"kind": "dog", "size": "small", "box": [0, 0, 1, 1]},
                {"kind": "cat", "size": "large", "box": [0, 0, 1, 1]},
            ],
        }
    }
    m = kind_accuracy(_DS(anns), [_It(1)], {"1": "three small dogs and a pizza on the grass"})
    assert m["kind_precision"] == 50 and m["kind_recall"] == 50
    assert m["count_accuracy"] == 0 and m["size_accuracy"] == 100
    assert sentence_facts("two dogs on the grass".split()) == {
        "background": "grass",
        "kinds": {"dog": 2},
    }


def test_caption_metrics_agree_with_themselves_and_order_candidates():
    gts = {
        "1": ["a dog on the grass", "a puppy on grass"],
        "2": ["two cats in the snow", "cats in snow"],
    }
    perfect = caption_metrics(gts, {"1": "a dog on the grass", "2": "two cats in the snow"})
    poor = caption_metrics(gts, {"1": "a cat", "2": "a dog on the road"})
    assert perfect["BLEU-1"] > poor["BLEU-1"] and perfect["CIDEr"] > poor["CIDEr"]
    assert perfect["ROUGE-L"] == pytest.approx(100)
    if perfect["METEOR"] is not None:
        assert perfect["METEOR"] > poor["METEOR"]


def test_consensus_caption_picks_the_typical_one():
    assert consensus_caption(["a dog on grass", "a dog on the grass", "zebra"]) in (
        "a dog on grass",
        "a dog on the grass",
    )

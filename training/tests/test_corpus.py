"""Captioned-scene corpus: determinism, Karpathy format, and ground truth that is true."""

import json
import random
import re

import pytest
from PIL import Image

from aligncap.catalog import BY_NOUN, KINDS, cldr_name
from aligncap.corpus import caption_scene, generate_corpus, sample_scene

SPLITS = dict(n_train=20, n_val=5, n_test=5)  # 30 images
NUMBER = {"two": 2, "three": 3}


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate_corpus(tmp_path_factory.mktemp("seed7"), seed=7, **SPLITS)


@pytest.fixture(scope="module")
def data(corpus):
    dataset = json.loads((corpus / "dataset.json").read_text())
    annotations = json.loads((corpus / "annotations.json").read_text())["images"]
    return dataset, annotations


def _sentences(data):
    dataset, annotations = data
    for img in dataset["images"]:
        ann = annotations[str(img["imgid"])]
        for sent in img["sentences"]:
            yield img, ann, sent, ann["phrases"][str(sent["sentid"])]


def test_same_seed_same_bytes_across_workers(corpus, tmp_path):
    again = generate_corpus(tmp_path / "again", seed=7, workers=2, **SPLITS)
    first, second = _files(corpus), _files(again)
    assert len(first) == 30 + 2
    assert first == second


def test_different_seed_different_corpus(corpus, tmp_path):
    other = _files(generate_corpus(tmp_path / "other", seed=8, **SPLITS))
    first = _files(corpus)
    assert other["dataset.json"] != first["dataset.json"]
    assert sum(other[f] != first[f] for f in first if f.startswith("images/")) >= 25


def test_dataset_json_is_karpathy_format(corpus, data):
    dataset, annotations = data
    raw = (corpus / "dataset.json").read_text()
    assert json.loads(json.dumps(dataset)) == dataset == json.loads(raw)
    assert dataset["dataset"] == "scenes"
    images = dataset["images"]
    assert [img["imgid"] for img in images] == list(range(30))
    assert [img["split"] for img in images] == ["train"] * 20 + ["val"] * 5 + ["test"] * 5
    assert sorted(annotations, key=int) == [str(i) for i in range(30)]
    sentids = []
    for img in images:
        assert set(img) == {"filename", "filepath", "imgid", "split", "sentids", "sentences"}
        assert len(img["sentences"]) == 5 and len(set(s["raw"] for s in img["sentences"])) == 5
        assert img["sentids"] == [s["sentid"] for s in img["sentences"]]
        sentids += img["sentids"]
        for s in img["sentences"]:
            assert set(s) == {"tokens", "raw", "imgid", "sentid"} and s["imgid"] == img["imgid"]
            assert s["tokens"] == re.findall(r"[a-z0-9]+", s["raw"].lower())
        with Image.open(corpus / img["filepath"] / img["filename"]) as im:
            assert im.mode == "RGB" and im.size == (128, 128)
    assert sentids == list(range(150))


def test_boxes_inside_image_and_sizes_ordered(data):
    _, annotations = data
    for ann in annotations.values():
        assert 1 <= len(ann["objects"]) <= 4
        for i, obj in enumerate(ann["objects"]):
            x0, y0, x1, y1 = obj["box"]
            assert obj["id"] == i and obj["kind"] in BY_NOUN
            assert 0 <= x0 < x1 <= 128 and 0 <= y0 < y1 <= 128, obj
            side = max(x1 - x0, y1 - y0)
            lo, hi = {"small": (16, 23), "medium": (27, 36), "large": (42, 54)}[obj["size"]]
            assert lo <= side <= hi, obj


def test_phrases_name_their_objects(data):
    mentioned = set()
    for img, ann, sent, phrases in _sentences(data):
        assert phrases, sent["raw"]
        for p in phrases:
            words = sent["tokens"][p["start"] : p["end"]]
            kinds = {ann["objects"][i]["kind"] for i in p["object_ids"]}
            assert len(kinds) == 1, (sent["raw"], p)
            kind = BY_NOUN[kinds.pop()]
            assert set(words) & {kind.noun, kind.plural, *kind.synonyms}, (sent["raw"], p)
            if len(p["object_ids"]) > 1:
                assert NUMBER[words[0]] == len(p["object_ids"]) and words[-1] == kind.plural
            mentioned |= {(img["imgid"], i) for i in p["object_ids"]}
    _, annotations = data
    every = {(int(k), o["id"]) for k, a in annotations.items() for o in a["objects"]}
    assert mentioned == every


def test_counts_mentioned_when_kinds_repeat(data):
    dataset, annotations = data
    repeated = 0
    for img in dataset["images"]:
        kinds = [o["kind"] for o in annotations[str(img["imgid"])]["objects"]]
        for kind in set(kinds):
            n = kinds.count(kind)
            if n > 1:
                repeated += 1
                phrase = f"{['', '', 'two', 'three'][n]} "
                assert any(phrase in s["raw"].lower() for s in img["sentences"]), img
    assert repeated >= 3


RELATIONS = {"left": (0, -1), "right": (0, 1), "above": (1, -1), "over": (1, -1),
             "below": (1, 1), "under": (1, 1), "beneath": (1, 1)}  # fmt: skip


def test_relation_words_agree_with_boxes(data):
    checked = 0
    for _, ann, sent, phrases in _sentences(data):
        for p, q in zip(phrases, phrases[1:]):
            between = sent["tokens"][p["end"] : q["start"]]
            if not between:
                continue
            key = between[-2] if between[-1] == "of" and len(between) > 1 else between[-1]
            if key not in RELATIONS or "and" in between:
                continue
            axis, sign = RELATIONS[key]
            for i in p["object_ids"]:
                for j in q["object_ids"]:
                    a, b = ann["objects"][i]["box"], ann["objects"][j]["box"]
                    ca, cb = (a[axis] + a[axis + 2]) / 2, (b[axis] + b[axis + 2]) / 2
                    assert (ca - cb) * sign > 0, (sent["raw"], a, b)
            checked += 1
    assert checked >= 10


def test_vocabulary_stays_small():
    vocab = set()
    for imgid in range(400):
        rng = random.Random(f"3-{imgid}")
        for c in caption_scene(sample_scene(rng), rng):
            vocab |= set(c.tokens)
    assert 150 < len(vocab) < 300, len(vocab)


def test_catalog_kinds_are_cldr_named_nouns():
    assert len(KINDS) >= 64
    assert len({k.char for k in KINDS}) == len(KINDS)
    for k in KINDS:
        assert cldr_name(k.char) == k.cldr, k
        for w in (k.noun, k.plural, *k.synonyms, *(k.colour or "x").split()):
            assert re.fullmatch(r"[a-z]+", w), k
    # a synonym never names another kind, or phrases would be ambiguous
    nouns = {k.noun for k in KINDS} | {k.plural for k in KINDS}
    for k in KINDS:
        assert not set(k.synonyms) & (nouns - {k.noun, k.plural}), k

"""Karpathy dataset.json round trip, vocabulary and tokenizer."""

import json
import os

import numpy as np

from aligncap.dataset import SPECIALS, Vocabulary, image_store, load_karpathy, pad_batch, tokenize


def test_tokenizer_is_lowercase_alphanumeric_runs():
    assert tokenize("A DOG, left of 2 cats!") == ["a", "dog", "left", "of", "2", "cats"]
    assert tokenize("  ") == []


def test_karpathy_round_trip(corpus, tmp_path):
    ds = load_karpathy(corpus)
    raw = json.loads((corpus / "dataset.json").read_text())
    assert len(ds.items) == len(raw["images"]) == 250
    assert {it.split for it in ds.items} == {"train", "val", "test"}
    first = raw["images"][0]
    assert ds.items[0].sentences == [s["tokens"] for s in first["sentences"]]
    assert ds.items[0].sentids == [s["sentid"] for s in first["sentences"]]
    # a copy in the published layout (flat image folder, as Flickr8k ships) loads the same
    for img in raw["images"]:
        img.pop("filepath")  # Flickr's file has no filepath
    (tmp_path / "dataset_flickr8k.json").write_text(json.dumps(raw))
    (tmp_path / "Flicker8k_Dataset").symlink_to(corpus / "images")
    # the downloaded file itself, and its flat image folder found without being named
    again = load_karpathy(tmp_path / "dataset_flickr8k.json")
    assert [i.sentences for i in again.items] == [i.sentences for i in ds.items]
    assert again.image_path(again.items[3]).exists()
    assert again.annotations is None  # real datasets carry no ground-truth boxes
    named = load_karpathy(tmp_path / "dataset_flickr8k.json", images_dir="Flicker8k_Dataset")
    assert named.image_path(named.items[3]) == again.image_path(again.items[3])


def test_missing_images_are_named_in_the_error(corpus, tmp_path):
    raw = json.loads((corpus / "dataset.json").read_text())
    (tmp_path / "dataset.json").write_text(json.dumps(raw))
    try:
        load_karpathy(tmp_path)
    except FileNotFoundError as e:
        assert "--images-dir" in str(e) and "000000.png" in str(e)
    else:
        raise AssertionError("expected FileNotFoundError")


def test_coco_restval_counts_as_train(corpus, tmp_path):
    raw = json.loads((corpus / "dataset.json").read_text())
    raw["images"][0]["split"] = "restval"
    (tmp_path / "dataset.json").write_text(json.dumps(raw))
    (tmp_path / "images").symlink_to(corpus / "images")
    ds = load_karpathy(tmp_path)
    assert ds.items[0] in ds.split("train")


def test_vocabulary_threshold_and_specials(tmp_path):
    sents = [["a", "dog"]] * 5 + [["a", "cat"]] * 4
    v = Vocabulary.build(sents, min_count=5)
    assert v.tokens == [*SPECIALS, "a", "dog"]
    assert v.encode(["a", "cat"]) == [4, v.unk_id]
    v.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json").tokens == v.tokens


def test_images_load_at_model_size_and_batches_pad(corpus):
    ds = load_karpathy(corpus)
    px = image_store(ds, ds.split("test")[:4], 32)
    assert px.shape == (4, 32, 32, 3) and str(px.dtype) == "uint8"
    toks, lens = pad_batch([[4, 5, 6], [7]])
    assert toks.tolist() == [[4, 5, 6], [7, 0, 0]] and lens.tolist() == [3, 1]


def test_image_cache_follows_the_files(corpus, tmp_path):
    """A replaced image is decoded again: the cache key holds each file's size and mtime."""
    raw = json.loads((corpus / "dataset.json").read_text())
    raw["images"] = raw["images"][:3]
    (tmp_path / "images").mkdir()
    for img in raw["images"]:
        (tmp_path / "images" / img["filename"]).write_bytes(
            (corpus / "images" / img["filename"]).read_bytes()
        )
    (tmp_path / "dataset.json").write_text(json.dumps(raw))
    ds = load_karpathy(tmp_path)
    first = np.array(image_store(ds, ds.items, 32))
    assert len(list((tmp_path / ".aligncap-cache").glob("*.npy"))) == 1
    victim = tmp_path / "images" / raw["images"][0]["filename"]
    victim.write_bytes((corpus / "images" / "000010.png").read_bytes())
    os.utime(victim, ns=(1, 1))
    second = np.array(image_store(ds, ds.items, 32))
    assert not np.array_equal(first[0], second[0]) and np.array_equal(first[1:], second[1:])

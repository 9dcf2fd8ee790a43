"""Karpathy dataset.json round trip, vocabulary and tokenizer."""

import json

from aligncap.dataset import SPECIALS, Vocabulary, load_images, load_karpathy, pad_batch, tokenize


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
    (tmp_path / "dataset.json").write_text(json.dumps(raw))
    (tmp_path / "Flicker8k_Dataset").symlink_to(corpus / "images")
    again = load_karpathy(tmp_path, images_dir="Flicker8k_Dataset")
    assert [i.sentences for i in again.items] == [i.sentences for i in ds.items]
    assert again.image_path(again.items[3]).exists()
    assert again.annotations is None  # real datasets carry no ground-truth boxes


def test_coco_restval_counts_as_train(corpus, tmp_path):
    raw = json.loads((corpus / "dataset.json").read_text())
    raw["images"][0]["split"] = "restval"
    (tmp_path / "dataset.json").write_text(json.dumps(raw))
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
    px = load_images(ds, ds.split("test")[:4], 32)
    assert px.shape == (4, 32, 32, 3) and str(px.dtype) == "torch.uint8"
    toks, lens = pad_batch([[4, 5, 6], [7]])
    assert toks.tolist() == [[4, 5, 6], [7, 0, 0]] and lens.tolist() == [3, 1]

"""Karpathy-format datasets (dataset.json + images folder), the vocabulary and the tokenizer.

The loader accepts the files published with the paper's code for Flickr8k, Flickr30k
and COCO (``dataset.json`` with ``images[].filename/filepath/split/sentences[].tokens``)
as well as the synthetic scenes corpus, which is written in the same format plus an
``annotations.json`` sidecar holding evaluation-only ground truth (boxes, phrases).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from tqdm import tqdm

log = logging.getLogger(__name__)

PAD, START, END, UNK = "<pad>", "<start>", "<end>", "<unk>"
SPECIALS = (PAD, START, END, UNK)
TOKEN_REGEX = "[a-z0-9]+"
_TOKEN_RE = re.compile(TOKEN_REGEX)


def tokenize(sentence: str) -> list[str]:
    """The one tokenizer of the project; the Java service implements the same rule."""
    return _TOKEN_RE.findall(sentence.lower())


class Vocabulary:
    """Word ↔ id map. Ids 0..3 are the special tokens, in the order of ``SPECIALS``."""

    def __init__(self, tokens: list[str]):
        assert tuple(tokens[: len(SPECIALS)]) == SPECIALS, f"vocabulary must start with {SPECIALS}"
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        assert len(self.index) == len(self.tokens), "duplicate token in vocabulary"

    pad_id, start_id, end_id, unk_id = 0, 1, 2, 3

    @classmethod
    def build(cls, sentences, min_count: int = 5) -> Vocabulary:
        """Keep words seen at least ``min_count`` times (paper: 5), sorted by count then word."""
        counts = Counter(t for s in sentences for t in s)
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls(list(SPECIALS) + kept)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.index.get(t, self.unk_id) for t in tokens]

    def decode(self, ids) -> list[str]:
        return [self.tokens[i] for i in ids]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"tokens": self.tokens}, indent=0) + "\n")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        return cls(json.loads(Path(path).read_text())["tokens"])


@dataclass
class Item:
    """One image of a Karpathy split with its reference sentences (token lists)."""

    imgid: int
    filename: str
    split: str
    sentences: list[list[str]]
    sentids: list[int]
    raws: list[str] = field(default_factory=list)


@dataclass
class KarpathyDataset:
    root: Path
    name: str
    items: list[Item]
    annotations: dict | None  # scenes corpus only: {"<imgid>": {...}}

    def split(self, name: str) -> list[Item]:
        # Karpathy's COCO file calls part of val "restval" and trains on it, as the paper did.
        names = {"train": ("train", "restval")}.get(name, (name,))
        return [it for it in self.items if it.split in names]

    def image_path(self, item: Item, filepath: str | None = None) -> Path:
        return self.root / (self._filepaths.get(item.imgid) or "images") / item.filename

    _filepaths: dict = field(default_factory=dict, repr=False)


def load_karpathy(root: str | Path, images_dir: str | None = None) -> KarpathyDataset:
    """Load ``root/dataset.json``; images live in ``root/<filepath>/<filename>``, or in
    ``images_dir`` when given (Flickr8k/30k ship a flat image folder, COCO has
    ``filepath`` set to train2014/val2014)."""
    root = Path(root)
    data = json.loads((root / "dataset.json").read_text())
    items, filepaths = [], {}
    for img in data["images"]:
        imgid = int(img.get("imgid", len(items)))
        sents = img["sentences"]
        items.append(
            Item(
                imgid=imgid,
                filename=img["filename"],
                split=img["split"],
                sentences=[s["tokens"] for s in sents],
                sentids=[int(s.get("sentid", -1)) for s in sents],
                raws=[s.get("raw", " ".join(s["tokens"])) for s in sents],
            )
        )
        filepaths[imgid] = images_dir if images_dir is not None else img.get("filepath", "images")
    ann_path = root / "annotations.json"
    annotations = json.loads(ann_path.read_text())["images"] if ann_path.exists() else None
    ds = KarpathyDataset(root, data.get("dataset", root.name), items, annotations)
    ds._filepaths = filepaths
    log.info("loaded %s: %d images, splits %s", ds.name, len(items), dict(Counter(i.split for i in items)))
    return ds


def resize_uint8(pixels: torch.Tensor, size: int) -> torch.Tensor:
    """(B,H,W,3) uint8 → (B,3,size,size) float in [0,1], bilinear with half-pixel centres
    and no antialias: exactly the resize the exported image encoder performs."""
    x = pixels.permute(0, 3, 1, 2).float() / 255.0
    if x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x


def load_image(path: Path, size: int, max_side: int) -> np.ndarray:
    """Decode one image to (size, size, 3) uint8 as the service would see it: RGB, large
    images first reduced by an integer factor (both sides stay ≥ max_side), then the
    graph's bilinear resize, rounded back to uint8 for caching."""
    with Image.open(path) as im:
        im = im.convert("RGB")
        factor = max(1, min(im.width, im.height) // max_side)
        if factor > 1:
            im = im.reduce(factor)
        arr = np.asarray(im, dtype=np.uint8)
    if arr.shape[:2] == (size, size):
        return arr
    x = resize_uint8(torch.from_numpy(arr.copy())[None], size)[0]
    return (x.permute(1, 2, 0) * 255.0).round().clamp(0, 255).to(torch.uint8).numpy()


def load_images(ds: KarpathyDataset, items: list[Item], size: int, max_side: int = 256) -> torch.Tensor:
    """All images of ``items`` as one (N, size, size, 3) uint8 tensor, cached next to the
    dataset as .npy so that later runs skip decoding."""
    cache = ds.root / f"cache_{size}_{len(items)}_{items[0].imgid}_{items[-1].imgid}.npy"
    if cache.exists():
        return torch.from_numpy(np.load(cache))
    out = np.empty((len(items), size, size, 3), dtype=np.uint8)
    for n, it in enumerate(tqdm(items, desc="decode images", leave=False)):
        out[n] = load_image(ds.image_path(it), size, max_side)
    try:  # atomic: parallel training runs may decode the same split at once
        tmp = cache.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, out)
        os.replace(tmp, cache)
    except OSError as e:  # a read-only dataset folder is fine, just slower next time
        log.warning("could not cache decoded images at %s: %s", cache, e)
    return torch.from_numpy(out)


def pad_batch(seqs: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Token id lists → (B, T) int64 padded with pad_id, and (B,) lengths."""
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    out = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out, lengths

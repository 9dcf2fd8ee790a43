"""Karpathy-format datasets (dataset.json + images folder), the vocabulary and the tokenizer.

The loader accepts the files published with the paper's code for Flickr8k, Flickr30k
and COCO (``dataset.json`` with ``images[].filename/filepath/split/sentences[].tokens``)
as well as the synthetic scenes corpus, which is written in the same format plus an
``annotations.json`` sidecar holding evaluation-only ground truth (boxes, phrases).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .preprocess import PREPROCESS_VERSION, load_model_input

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
        kept = sorted(
            (w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w)
        )
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


IMAGE_FOLDERS = (
    "images",
    "Flicker8k_Dataset",
    "Flickr8k_Dataset",
    "flickr30k-images",
    "flickr30k_images",
)


@dataclass
class KarpathyDataset:
    root: Path
    name: str
    items: list[Item]
    annotations: dict | None  # scenes corpus only: {"<imgid>": {...}}
    scene_size: int | None = None  # scenes corpus only: the images' side in pixels
    folders: dict[int, str] = field(
        default_factory=dict, repr=False
    )  # imgid → image folder under root

    def split(self, name: str) -> list[Item]:
        # Karpathy's COCO file calls part of val "restval" and trains on it, as the paper did.
        names = {"train": ("train", "restval")}.get(name, (name,))
        return [it for it in self.items if it.split in names]

    def image_path(self, item: Item) -> Path:
        return self.root / self.folders.get(item.imgid, "") / item.filename


def load_karpathy(data: str | Path, images_dir: str | None = None) -> KarpathyDataset:
    """Load a Karpathy-format data set. ``data`` is the JSON file itself (Karpathy's
    downloads are named ``dataset_flickr8k.json``, ``dataset_coco.json``...) or a folder
    holding ``dataset.json``. Images live in ``<folder>/<images_dir>/<filename>`` when
    ``images_dir`` is given, else in each image's ``filepath`` (COCO: train2014/val2014),
    else in the first of ``images/``, ``Flicker8k_Dataset/``, ``flickr30k-images/``... or
    the folder itself that holds the first image (Flickr ships a flat folder)."""
    data = Path(data)
    path = data if data.is_file() else data / "dataset.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{data}: expected a Karpathy dataset JSON file or a folder holding dataset.json"
        )
    root = path.parent
    raw = json.loads(path.read_text())
    items = []
    for img in raw["images"]:
        sents = img["sentences"]
        items.append(
            Item(
                imgid=int(img.get("imgid", len(items))),
                filename=img["filename"],
                split=img["split"],
                sentences=[s["tokens"] for s in sents],
                sentids=[int(s.get("sentid", -1)) for s in sents],
                raws=[s.get("raw", " ".join(s["tokens"])) for s in sents],
            )
        )
    folders = _image_folders(root, raw["images"], items, images_dir)
    ann_path = root / "annotations.json"
    ann = json.loads(ann_path.read_text()) if ann_path.exists() else {}
    ds = KarpathyDataset(
        root,
        raw.get("dataset", root.name),
        items,
        ann.get("images"),
        ann.get("config", {}).get("image_size"),
        folders,
    )
    log.info(
        "loaded %s: %d images, splits %s",
        ds.name,
        len(items),
        dict(Counter(i.split for i in items)),
    )
    return ds


def _image_folders(
    root: Path, raw_images: list[dict], items: list[Item], images_dir: str | None
) -> dict[int, str]:
    if images_dir is not None:
        return {it.imgid: images_dir for it in items}
    if items and all("filepath" in img for img in raw_images):
        fp = {it.imgid: img["filepath"] for it, img in zip(items, raw_images, strict=True)}
        if (root / fp[items[0].imgid] / items[0].filename).exists():
            return fp
    tried = []
    for folder in (*IMAGE_FOLDERS, ""):
        probe = root / folder / items[0].filename if items else None
        if probe is not None and probe.exists():
            return {it.imgid: folder for it in items}
        tried.append(str(root / folder))
    if items:
        raise FileNotFoundError(
            f"image {items[0].filename!r} not found in any of {tried}; "
            "pass --images-dir to name the folder that holds the images"
        )
    return {}


def image_store(
    ds: KarpathyDataset, items: list[Item], size: int, max_subsample_side: int | None = None
):
    """All images of ``items`` preprocessed to (N, size, size, 3) uint8 (preprocess.py),
    cached as a .npy file and memory-mapped, so that several training processes (DDP
    ranks) share one copy in the page cache instead of each holding the split.

    The cache key covers each image's path, byte size and modification time and the
    preprocessing settings: a replaced image or another folder is decoded again."""
    max_side = max_subsample_side or 2 * size
    key = hashlib.sha256(f"{PREPROCESS_VERSION}|{size}|{max_side}".encode())
    paths = [ds.image_path(it) for it in items]
    for p in paths:
        st = p.stat()
        key.update(f"|{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    name = f"images_{size}px_{len(items)}_{key.hexdigest()[:16]}.npy"
    for folder in (ds.root / ".aligncap-cache", Path.home() / ".cache" / "aligncap"):
        if (folder / name).exists():
            return np.load(folder / name, mmap_mode="r")
    out = np.empty((len(items), size, size, 3), dtype=np.uint8)
    for n, p in enumerate(tqdm(paths, desc="decode images", leave=False)):
        out[n] = load_model_input(p, size, max_side)
    for folder in (ds.root / ".aligncap-cache", Path.home() / ".cache" / "aligncap"):
        try:  # atomic: parallel runs may decode the same split at once
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"{name}.{os.getpid()}.tmp.npy"
            np.save(tmp, out)
            os.replace(tmp, folder / name)
            return np.load(folder / name, mmap_mode="r")
        except OSError as e:  # a read-only data set folder: cache in the home folder
            log.warning("could not cache decoded images in %s: %s", folder, e)
    return out


def batch_pixels(store, idx) -> torch.Tensor:
    """Rows of an image store as a (B, S, S, 3) uint8 tensor (a copy)."""
    idx = np.asarray(idx.tolist() if isinstance(idx, torch.Tensor) else idx)
    return torch.from_numpy(np.ascontiguousarray(store[idx]))


def pad_batch(seqs: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Token id lists → (B, T) int64 padded with pad_id, and (B,) lengths."""
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    out = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out, lengths

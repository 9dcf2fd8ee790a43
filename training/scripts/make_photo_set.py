"""A small real-photo data set in Karpathy's format, built from the repo's own test images,
for the real-data path test (.ci/steps/35-real-data.sh): the photo-like fixtures of
training/tests/photos (captions from the scenes they were rendered from) and the service's
image fixtures (hand-written captions), in both layouts Karpathy's files come in:

    OUT/flickr/dataset_flickr8k.json + OUT/flickr/Flicker8k_Dataset/<file>   (flat folder)
    OUT/coco/dataset_coco.json + OUT/coco/{train2014,val2014}/<file>         (filepath per image)

    .venv/bin/python training/scripts/make_photo_set.py /tmp/photo-set
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from aligncap.corpus import make_example
from aligncap.dataset import tokenize

REPO = Path(__file__).resolve().parents[2]
PHOTOS = {  # file → the (seed, side) make_photos.py rendered it from
    "photo-exif6.jpg": (11, 960),
    "photo-exif8.jpg": (12, 960),
    "photo-large-progressive.jpg": (13, 1600),
    "photo-gray.jpg": (14, 800),
    "photo-cmyk.jpg": (15, 640),
    "photo-gray16.png": (16, 600),
}
FIXTURE_CAPTIONS = [  # every fixture shows a red square left of a blue square
    "A red square on the left and a blue square on the right.",
    "Two squares side by side, red and blue.",
    "A blue square to the right of a red square.",
    "A red and a blue square.",
    "Two coloured squares next to each other.",
]
FIXTURES = [
    "baseline.jpg",
    "progressive.jpg",
    "cmyk.jpg",
    "exif-orientation-6.jpg",
    "rgb16.png",
    "palette.png",
]


def images() -> list[tuple[Path, list[str]]]:
    out = []
    for name, (seed, side) in PHOTOS.items():
        out.append(
            (
                REPO / "training/tests/photos" / name,
                [c.raw for c in make_example(seed, 0, side).captions],
            )
        )
    for name in FIXTURES:
        out.append((REPO / "src/test/resources/images" / name, FIXTURE_CAPTIONS))
    return out


def write(out: Path) -> None:
    entries = images()
    splits = ["train"] * 8 + ["val"] * 2 + ["test"] * 2
    for layout in ("flickr", "coco"):
        root = out / layout
        shutil.rmtree(root, ignore_errors=True)
        records = []
        for imgid, ((path, captions), split) in enumerate(zip(entries, splits, strict=True)):
            folder = (
                "Flicker8k_Dataset"
                if layout == "flickr"
                else ("train2014" if split == "train" else "val2014")
            )
            (root / folder).mkdir(parents=True, exist_ok=True)
            filename = f"{imgid:04d}-{path.name}"
            shutil.copyfile(path, root / folder / filename)
            rec = {
                "imgid": imgid,
                "filename": filename,
                "split": split
                if layout == "flickr" or split != "val"
                else "restval"
                if imgid % 2
                else "val",
                "sentences": [
                    {"raw": c, "tokens": tokenize(c), "imgid": imgid, "sentid": imgid * 5 + j}
                    for j, c in enumerate(captions)
                ],
            }
            if layout == "coco":
                rec["filepath"] = folder
            records.append(rec)
        name = "dataset_flickr8k.json" if layout == "flickr" else "dataset_coco.json"
        (root / name).write_text(json.dumps({"dataset": layout, "images": records}))
        print(root / name)


if __name__ == "__main__":
    write(Path(sys.argv[1]))

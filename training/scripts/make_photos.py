"""Photo-like fixtures for the preprocessing parity test (issue 16): real photographs
cannot be downloaded here, so these are scenes of the corpus rendered large, blurred and
grain-noised like a camera's output, then stored in the awkward ways photos arrive in:
EXIF-rotated (orientations 6 and 8), large and progressive, grayscale, CMYK, 16-bit.

    .venv/bin/python training/scripts/make_photos.py training/tests/photos

Deterministic; the files are committed, so this runs only when they change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from aligncap.corpus import make_example


def photo(seed: int, side: int, width: int, height: int) -> Image.Image:
    im = make_example(seed, 0, side).image.crop(
        (0, (side - height) // 2, width, (side - height) // 2 + height)
    )
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    rng = np.random.default_rng(seed)
    arr = np.asarray(im, np.float32) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def with_orientation(im: Image.Image, orientation: int) -> tuple[Image.Image, Image.Exif]:
    """The stored pixels that EXIF ``orientation`` turns upright into ``im``."""
    stored = {6: im.transpose(Image.ROTATE_90), 8: im.transpose(Image.ROTATE_270)}[orientation]
    exif = Image.Exif()
    exif[274] = orientation
    return stored, exif


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for orientation, seed in ((6, 11), (8, 12)):
        stored, exif = with_orientation(photo(seed, 960, 960, 720), orientation)
        stored.save(out / f"photo-exif{orientation}.jpg", quality=88, exif=exif)
    photo(13, 1600, 1600, 1200).save(
        out / "photo-large-progressive.jpg", quality=85, progressive=True
    )
    photo(14, 800, 800, 600).convert("L").save(out / "photo-gray.jpg", quality=88)
    photo(15, 640, 640, 480).convert("CMYK").save(out / "photo-cmyk.jpg", quality=90)
    gray16 = (np.asarray(photo(16, 600, 600, 450).convert("L"), np.uint16) * 257).astype(np.uint16)
    Image.fromarray(gray16).save(out / "photo-gray16.png")
    for p in sorted(out.iterdir()):
        print(f"{p.name}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "training/tests/photos"))

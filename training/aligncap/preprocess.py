"""The one preprocessing definition: encoded image → the pixels the model sees.

Training, evaluation, the golden parity file, ``aligncap caption`` and the Java service
all follow these rules (models/FORMAT.md, "Preprocessing"); a difference here is silent
train/serve skew, so the service's parity test compares its model input with this
module's on real photographs (EXIF-rotated, large, grayscale, CMYK, 16-bit).

1. Decode the stored pixels (no colour management: embedded ICC profiles are ignored).
2. Colour: RGB as stored; gray replicated to RGB; 16-bit samples keep their high byte;
   palette images through their palette; alpha dropped (no compositing); CMYK (Adobe
   inverted or not, as the JPEG says) → R = 255 − min(255, C + K)… see ``_cmyk_to_rgb``.
3. Subsample by the integer factor f = max(1, min(w, h) // max_subsample_side) of the
   *stored* image, keeping the pixel at (f·x, f·y) — what a decoder's source subsampling
   does (ImageIO ``setSourceSubsampling(f, f, 0, 0)``), so the service can subsample
   while decoding and bound its memory.
4. Apply the EXIF orientation (JPEG only; TIFF tag 274), after subsampling.
5. Resize to input_size × input_size: bilinear, half-pixel centres, no antialias, then
   round to uint8 (``resize_square``). The model package runs this step as its
   ``preprocess`` graph, exported from the same function.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

EXIF_ORIENTATION = 0x0112
PREPROCESS_VERSION = 2  # models/FORMAT.md version 2; part of every decoded-image cache key


def subsample_factor(width: int, height: int, max_subsample_side: int) -> int:
    """The integer subsampling factor of rule 3 (1 = none)."""
    return max(1, min(width, height) // max_subsample_side)


def decode_image(source: str | Path | bytes, max_subsample_side: int) -> np.ndarray:
    """Rules 1-4: an encoded image (path or bytes) → upright (H, W, 3) uint8 RGB."""
    fp = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    with Image.open(fp) as im:
        orientation = _orientation(im)
        arr = _to_rgb(im)
    f = subsample_factor(arr.shape[1], arr.shape[0], max_subsample_side)
    if f > 1:
        arr = arr[::f, ::f]
    return np.ascontiguousarray(orient(arr, orientation))


def _orientation(im: Image.Image) -> int:
    if im.format != "JPEG":
        return 1
    try:
        value = int(im.getexif().get(EXIF_ORIENTATION, 1))
    except (ValueError, TypeError, SyntaxError):  # a broken EXIF block: shown as stored
        return 1
    return value if 1 <= value <= 8 else 1


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Rule 2 on the first frame."""
    im.seek(0)
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit gray: the high byte (PIL's own convert("L") would clip at 255 instead)
        gray = (np.asarray(im, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if mode == "CMYK":
        return _cmyk_to_rgb(np.asarray(im, dtype=np.uint8))
    if mode in ("L", "LA", "1"):
        gray = np.asarray(im.convert("L"), dtype=np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    # RGB, RGBA, P, PA, YCbCr, ...: PIL's palette lookup / channel copy, alpha dropped.
    # 16-bit RGB PNGs are already read as their high bytes by PIL.
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def _cmyk_to_rgb(cmyk: np.ndarray) -> np.ndarray:
    """R = (255 − C)(255 − K) / 255 rounded half up, likewise G (M) and B (Y).
    PIL has already undone Adobe's inversion, so C, M, Y, K are ink amounts."""
    c = cmyk.astype(np.uint32)
    k = 255 - c[..., 3:4]
    return (((255 - c[..., :3]) * k + 127) // 255).astype(np.uint8)


def orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """EXIF orientation 1-8 as a pixel transform of (H, W, C) (rule 4)."""
    if orientation == 2:
        return arr[:, ::-1]
    if orientation == 3:
        return arr[::-1, ::-1]
    if orientation == 4:
        return arr[::-1]
    if orientation == 5:
        return arr.transpose(1, 0, 2)
    if orientation == 6:
        return arr.transpose(1, 0, 2)[:, ::-1]
    if orientation == 7:
        return arr.transpose(1, 0, 2)[::-1, ::-1]
    if orientation == 8:
        return arr.transpose(1, 0, 2)[::-1]
    return arr


def resize_square(pixels: torch.Tensor, size: int) -> torch.Tensor:
    """Rule 5 on (B, H, W, 3) uint8 → (B, size, size, 3) uint8. Exported as the
    ``preprocess`` graph, so training and serving share one implementation."""
    x = pixels.permute(0, 3, 1, 2).float()
    if x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)


def load_model_input(source: str | Path | bytes, size: int, max_subsample_side: int) -> np.ndarray:
    """Rules 1-5: what the image encoder is fed, (size, size, 3) uint8."""
    arr = decode_image(source, max_subsample_side)
    if arr.shape[:2] == (size, size):
        return arr  # the resize would be the identity
    return resize_square(torch.from_numpy(arr.copy())[None], size)[0].numpy()

"""The fixtures of models/FORMAT.md's preprocessing rules 1-4 and their reference pixels.

Run once by hand from the repository root (the files are checked in; CI never runs this):

    .venv/bin/python src/test/resources/images/make-decoded.py

1. Writes the fixtures that the 40x20 red/blue ones (make-fixtures.sh) cannot tell apart
   from a colour-managed or rounding decoder: a CMYK JPEG with real black (K) ink, an RGB
   JPEG carrying a non-sRGB ICC profile, a 16-bit RGB PNG whose low bytes matter, 2-bit
   gray, 4-bit palette and 16-bit gray+alpha PNGs, and a 513x517 PNG that rule 3
   subsamples by 2.
2. Writes decoded/<fixture>.png for every fixture: the pixels of rules 1-4 as the Python
   reference (training/aligncap/preprocess.py, M = 256) gives them, which the Java decoder
   must reproduce (ImageDecoderTest).
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3] / "training"))
from aligncap.preprocess import decode_image  # noqa: E402

M = 256  # the max_subsample_side the Java test decodes with


def scene(w: int = 40, h: int = 20) -> np.ndarray:
    """A smooth but non-trivial RGB pattern (every channel and value range used)."""
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(1, w - 1))
    g = (y * 255 // max(1, h - 1))
    b = ((x * 7 + y * 13) % 256)
    return np.stack([r, g, b], axis=2).astype(np.uint8)


def linear_rgb_profile() -> bytes:
    """A minimal ICC v2 display profile: sRGB's primaries (D50-adapted) with gamma 1.0."""

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)

    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0100) + bytes(2)  # gamma 1.0, padded
    text = b"desc" + bytes(4) + struct.pack(">I", 11) + b"linear RGB\0" + bytes(4 + 4 + 2 + 1 + 67)
    tags = [(b"desc", text), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
            (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text" + bytes(4) + b"none\0" + bytes(3))]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        body += bytes(-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + bytes(4) + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ " + bytes(12)
              + b"acsp" + bytes(4 + 4 + 4 + 4 + 8 + 4) + s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(4 + 16 + 28))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def png(path: Path, samples: np.ndarray, colour_type: int, bit_depth: int, plte: bytes | None = None) -> None:
    """A PNG written by hand (Pillow cannot write 16-bit RGB, 16-bit gray+alpha or 2-bit gray)."""
    h, w = samples.shape[:2]
    if bit_depth == 16:
        rows = samples.astype(">u2").reshape(h, -1).view(np.uint8)
    elif bit_depth < 8:
        per = 8 // bit_depth
        flat = samples.reshape(h, w)
        padded = np.zeros((h, -(-w // per) * per), np.uint8)
        padded[:, :w] = flat
        packed = np.zeros((h, padded.shape[1] // per), np.uint8)
        for i in range(per):
            packed |= (padded[:, i::per] << (8 - bit_depth * (i + 1))).astype(np.uint8)
        rows = packed
    else:
        rows = samples.reshape(h, -1).astype(np.uint8)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0))
    if plte is not None:
        out += chunk(b"PLTE", plte)
    out += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(out)


def make_fixtures() -> None:
    rgb = scene()
    # CMYK with black ink: K = 255 - max(R, G, B), C = 255 - R - K ... (ink amounts)
    k = 255 - rgb.max(axis=2)
    cmy = 255 - rgb.astype(np.int32) - k[..., None]
    cmyk = np.concatenate([cmy, k[..., None]], axis=2).clip(0, 255).astype(np.uint8)
    Image.fromarray(cmyk, "CMYK").save(HERE / "cmyk-black.jpg", quality=95)
    # an RGB JPEG whose ICC profile says linear light: a colour-managed decoder brightens it
    Image.fromarray(rgb).save(HERE / "icc-profile.jpg", quality=95, icc_profile=linear_rgb_profile())
    # 16-bit RGB whose low bytes are not the high bytes repeated (v*257 would hide rounding)
    rgb16 = rgb.astype(np.uint16) * 256 + (np.arange(rgb.size).reshape(rgb.shape) * 37 % 256).astype(np.uint16)
    png(HERE / "rgb16-lowbytes.png", rgb16, colour_type=2, bit_depth=16)
    gray2 = (rgb[..., 0] // 64).astype(np.uint8)
    png(HERE / "gray2.png", gray2, colour_type=0, bit_depth=2)
    palette = bytes(int(v) for i in range(16) for v in (i * 17, 255 - i * 17, (i * 53) % 256))
    png(HERE / "palette4.png", (rgb[..., 1] // 16).astype(np.uint8), colour_type=3, bit_depth=4, plte=palette)
    la16 = np.stack([rgb16[..., 0], rgb16[..., 2]], axis=2)
    png(HERE / "gray-alpha16.png", la16, colour_type=4, bit_depth=16)
    y, x = np.mgrid[0:517, 0:513]
    big = np.stack([(x % 8) * 32, (y % 8) * 32, ((x + y) % 4) * 64], axis=2).astype(np.uint8)
    big[::2, ::2] = 255 - big[::2, ::2]  # which pixel survives subsampling by 2 is visible
    png(HERE / "subsample-513x517.png", big, colour_type=2, bit_depth=8)


def main() -> None:
    make_fixtures()
    out = HERE / "decoded"
    out.mkdir(exist_ok=True)
    for f in sorted(HERE.iterdir()):
        if f.suffix.lower() in (".jpg", ".png", ".gif", ".bmp", ".webp"):
            Image.fromarray(decode_image(f, M)).save(out / f"{f.name}.png", compress_level=9)
            print(f"{f.name}: {Image.open(f).mode} -> decoded/{f.name}.png")


if __name__ == "__main__":
    main()

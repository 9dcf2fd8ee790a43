"""The one preprocessing definition: orientation, subsampling, colour rules, the resize."""

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

from aligncap.preprocess import (
    decode_image,
    load_model_input,
    orient,
    resize_square,
    subsample_factor,
)


def _jpeg(arr, orientation=1, mode="RGB", **kw) -> bytes:
    im = Image.fromarray(arr)
    if mode != "RGB":
        im = im.convert(mode)
    exif = Image.Exif()
    exif[274] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, exif=exif, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_pils_exif_transpose(orientation):
    rng = np.random.default_rng(orientation)
    arr = rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)
    data = _jpeg(arr, orientation)
    want = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert np.array_equal(decode_image(data, 10_000), want)


def test_subsampling_keeps_every_fth_pixel_of_the_stored_image_then_turns_it():
    assert subsample_factor(1000, 700, 256) == 2 and subsample_factor(300, 200, 256) == 1
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (600, 800, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    assert np.array_equal(decode_image(buf.getvalue(), 256), arr[::2, ::2])
    data = _jpeg(arr, 6)
    stored = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert np.array_equal(decode_image(data, 256), orient(stored[::2, ::2], 6))
    assert decode_image(data, 256).shape == (400, 300, 3)


def test_gray16_keeps_the_high_byte_and_cmyk_uses_the_ink_formula():
    gray = np.arange(16 * 16, dtype=np.uint16).reshape(16, 16) * 257
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "PNG")
    out = decode_image(buf.getvalue(), 10_000)
    assert np.array_equal(out[..., 0], (gray >> 8).astype(np.uint8)) and np.array_equal(
        out[..., 0], out[..., 2]
    )
    cmyk = Image.new("CMYK", (4, 4), (0, 255, 255, 0))  # full magenta and yellow ink: red
    buf = io.BytesIO()
    cmyk.save(buf, "JPEG", quality=100)
    rgb = decode_image(buf.getvalue(), 10_000)
    assert rgb[0, 0, 0] > 240 and rgb[0, 0, 1] < 15 and rgb[0, 0, 2] < 15


def test_resize_is_bilinear_half_pixel_rounded_and_the_identity_at_size():
    rng = np.random.default_rng(1)
    px = torch.from_numpy(rng.integers(0, 256, (2, 37, 51, 3), dtype=np.uint8))
    got = resize_square(px, 16)
    want = F.interpolate(
        px.permute(0, 3, 1, 2).float(), size=(16, 16), mode="bilinear", align_corners=False
    )
    assert torch.equal(got, want.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1))
    same = torch.from_numpy(rng.integers(0, 256, (1, 16, 16, 3), dtype=np.uint8))
    assert torch.equal(resize_square(same, 16), same)
    buf = io.BytesIO()
    Image.fromarray(same[0].numpy()).save(buf, "PNG")
    assert np.array_equal(load_model_input(buf.getvalue(), 16, 32), same[0].numpy())

#!/usr/bin/env bash
# How the image fixtures here were made (run once by hand; the files are checked in and CI
# never runs this). Needs ImageMagick 6, cwebp (Debian package webp) and the repo's .venv
# (Pillow, for the EXIF orientation tag).
# Every fixture shows the same 40x20 scene: left half red, right half blue.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 20x20 xc:'#ff0000' -size 20x20 xc:'#0000ff' +append base.ppm
convert base.ppm -quality 95 baseline.jpg
convert base.ppm -quality 95 -interlace JPEG progressive.jpg
convert base.ppm -quality 95 -colorspace CMYK cmyk.jpg
convert base.ppm png24:rgb8.png
convert base.ppm -depth 16 png48:rgb16.png
convert base.ppm -colorspace Gray -depth 16 gray16.png
convert base.ppm png8:palette.png
convert base.ppm -alpha set -channel A -evaluate set 50% +channel png32:alpha.png
convert base.ppm -interlace PNG png24:interlaced.png
convert base.ppm bmp3:rgb.bmp
convert -delay 10 base.ppm \( -size 40x20 xc:'#00ff00' \) -loop 0 animated.gif
cwebp -quiet -lossless base.ppm -o lossless.webp
cwebp -quiet -q 90 base.ppm -o lossy.webp
# EXIF orientation 6: stored as the scene turned 90° counter-clockwise (20x40, red at the
# bottom), so that applying the tag shows the upright 40x20 scene.
../../../../.venv/bin/python - <<'PY'
from PIL import Image
im = Image.open("base.ppm").rotate(90, expand=True)  # counter-clockwise
exif = Image.Exif()
exif[274] = 6
im.save("exif-orientation-6.jpg", quality=95, exif=exif)
PY
rm base.ppm

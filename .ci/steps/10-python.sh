#!/usr/bin/env bash
# Training package: install (Debian emoji font + pinned pip packages) and test.
set -euo pipefail
if [[ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji
fi
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e 'training[dev]'
.venv/bin/ruff check training
.venv/bin/ruff format --check training
.venv/bin/aligncap validate models/scenes-v2
cd training && OMP_NUM_THREADS=2 ../.venv/bin/pytest -q -p no:cacheprovider

#!/usr/bin/env bash
# What the benchmarks need beyond the build (issue 12), pinned: wrk from Debian, and the
# project's Python venv (.venv, as .ci/steps/10-python.sh makes it) for the reference pipeline,
# numpy and Pillow. Java 17 and Maven as for the build; `jfr` and `jcmd` come with the JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
WRK_VERSION=4.1.0-3+b2
if [ "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || true)" != "${WRK_VERSION}" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "wrk=${WRK_VERSION}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  # a clean checkout: the training package's own pins, as CI installs them (without the tests)
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e training
fi
.venv/bin/python -c 'import onnxruntime, numpy, PIL, aligncap.pipeline'
for tool in jfr jcmd; do
  command -v "${tool}" >/dev/null || { echo "${tool} not found: bench/run.sh needs a full JDK 17" >&2; exit 1; }
done

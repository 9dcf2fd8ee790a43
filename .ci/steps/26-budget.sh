#!/usr/bin/env bash
# The decode memory budget (issue 11): the packaged service (20-java.sh's target/quarkus-app),
# started as the Kubernetes base runs it (2 GiB, heap 25 %), takes 8 concurrent uploads of the
# costliest image the default limits accept, 3 each; every one must get 200 or the bulkhead's 503
# (problem+json, Retry-After), an image over the limits a 413 before it is decoded, and the peak
# RSS (VmHWM from /proc/<pid>/status) must stay under the bound; then 24 JSON bodies at the size
# limit, held open and finished together, must each get 400 (no image) or 503 (the body budget,
# aligncap.api.max-buffered-body-bytes) with the JVM still up: src/test/load/memory_budget.py.
# About 30 s on 2 cores; Pillow (pinned) draws the image, from .ci/lib/http-tools.sh's venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/http-tools.sh
"${http_venv}/bin/python" src/test/load/memory_budget.py --jar "${http_app}/quarkus-run.jar" \
  --clients 8 --rounds 3 --bound-mib 1280

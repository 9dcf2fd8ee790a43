#!/usr/bin/env bash
# Issue 16: the real-data path of training/README.md, end to end, as a user with Flickr8k or
# COCO would run it — on a small photo set built from the repo's own test images (flat
# Flickr layout and COCO's filepath layout), with torchvision weights initialised at random
# and saved to local files (nothing can be downloaded): front end → alignment model →
# generator → evaluation → export → validation; a failed export must leave the previous
# package as it was; then the Java service serves the package, captions an EXIF-rotated
# photo exactly as the Python reference does, and its parity test checks that both sides
# decode the photo to the same pixels and feed the same model input.
# Needs .ci/steps/10-python.sh (the venv) and 20-java.sh (target/quarkus-app).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TQDM_DISABLE=1 OMP_NUM_THREADS=2
AC=.venv/bin/aligncap
PY=.venv/bin/python
work="$(mktemp -d)"
pid=""
cleanup() { [[ -z "${pid}" ]] || kill "${pid}" 2>/dev/null || true; rm -rf "${work}"; }
trap cleanup EXIT
ok() { echo "--- ok: $*"; }

"${PY}" training/scripts/make_photo_set.py "${work}/photos" > /dev/null
"${PY}" training/scripts/random_weights.py "${work}"
FLICKR="${work}/photos/flickr/dataset_flickr8k.json"
COCO="${work}/photos/coco/dataset_coco.json"
PHOTO=training/tests/photos/photo-exif6.jpg

# The documented commands (training/README.md, "Your own photos"), sized for a test.
"${AC}" front-end --run-dir "${work}/run" --backbone resnet18 --backbone-weights "${work}/resnet18.pth" \
  --detector ssdlite320_mobilenet_v3_large --detector-weights "${work}/ssdlite.pth"
"${AC}" train-align --data "${FLICKR}" --run-dir "${work}/run" \
  --set epochs=2 batch_size=4 min_word_count=1 embed_size=32 word_size=32
"${AC}" train-gen --data "${FLICKR}" --run-dir "${work}/run" --kind full \
  --set epochs=2 batch_size=8 hidden_size=32 word_size=16
"${AC}" evaluate --data "${FLICKR}" --run-dir "${work}/run"
"${AC}" export --data "${FLICKR}" --run-dir "${work}/run" --out "${work}/pkg" --golden 2 --golden-photo "${PHOTO}"
"${AC}" validate "${work}/pkg"
ok "flat Flickr layout: front end, alignment, generator, evaluation, export, validation"

# COCO's layout (filepath per image, restval trains) through the same commands.
"${AC}" train-align --data "${COCO}" --run-dir "${work}/run-coco" --detector "${work}/run/detector.pt" \
  --set epochs=1 batch_size=4 min_word_count=1 embed_size=16 word_size=16
ok "COCO layout: images found by filepath, restval in train"

# A failed export must not touch the package already there.
fingerprint() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
before="$(fingerprint "${work}/pkg")"
cp -r "${work}/run" "${work}/broken"
echo "not a checkpoint" > "${work}/broken/gen_full.pt"
if "${AC}" export --data "${FLICKR}" --run-dir "${work}/broken" --out "${work}/pkg" --golden 2 2> "${work}/export.err"; then
  echo "an export from a broken run succeeded"; exit 1
fi
[[ "$(fingerprint "${work}/pkg")" == "${before}" ]] || { echo "the failed export changed the package"; exit 1; }
"${AC}" validate "${work}/pkg" > /dev/null
ok "failed export: the previous package is intact and valid"

# Serve it: the Java service captions the EXIF-rotated photo as the Python reference does.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ALIGNCAP_MODEL_PATH="${work}/pkg" QUARKUS_HTTP_PORT="${port}" QUARKUS_HTTP_HOST=127.0.0.1 \
  java -jar target/quarkus-app/quarkus-run.jar > "${work}/service.log" 2>&1 &
pid=$!
for _ in $(seq 240); do curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null || { tail -50 "${work}/service.log"; exit 1; }
curl -sf -H 'Content-Type: image/jpeg' --data-binary "@${PHOTO}" \
  "http://127.0.0.1:${port}/v1/captions?beam_size=3" > "${work}/java.json"
java_caption="$("${PY}" -c 'import json,sys; print(json.load(open(sys.argv[1]))["captions"][0]["text"])' "${work}/java.json")"
python_caption="$("${AC}" caption "${PHOTO}" --model "${work}/pkg" --beam-size 3 | sed -E 's/^ *-?[0-9.]+ +//')"
[[ "${java_caption}" == "${python_caption}" ]] || { echo "Java: '${java_caption}' Python: '${python_caption}'"; exit 1; }
size="$("${PY}" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["image_width"], d["image_height"])' "${work}/java.json")"
[[ "${size}" == "960 720" ]] || { echo "the service saw the photo as ${size}, not upright 960 720"; exit 1; }
kill "${pid}"; wait "${pid}" 2>/dev/null || true; pid=""
ok "served by Java: '${java_caption}' on the upright 960x720 photo, as the Python reference"

# Same decoded pixels and model input on both sides (the golden photo of this package).
mvn -B -ntp -q test -Dtest=ParityTest -Dsurefire.failIfNoSpecifiedTests=false -Daligncap.model.path="${work}/pkg"
ok "ParityTest on the real-data package: decoded pixels, model input and captions identical"

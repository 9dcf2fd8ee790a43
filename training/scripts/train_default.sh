#!/usr/bin/env bash
# Trains, evaluates and exports the shipped default model (models/scenes-v2) from nothing:
# corpora → detector → cached region features → alignment model (+ bag-of-words ablation,
# two seeds each) → generators (full image, region) → evaluation on the test split →
# model package.
#
#   bash training/scripts/train_default.sh             # as the shipped model was made
#   PARALLEL=1 bash training/scripts/train_default.sh  # independent runs side by side (GPU / many cores)
#
# Other settings: DATA / DETECT (corpus folders), RUN, OUT, TRAIN/VAL/TEST corpus sizes,
# DETECT_EPOCHS, ALIGN_EPOCHS, GEN_EPOCHS (full image), REGION_EPOCHS, ABLATION_EPOCHS, ABLATION_TRAIN, *_SET (extra KEY=VALUE settings),
# METRICS=--no-metrics where Java is missing (score later with `aligncap evaluate --score-only`),
# STAGES: a list of corpus detector align gen ablation eval export (default: all of them, in order).
#
# A real data set (Flickr8k/30k, COCO) needs no corpus: see training/README.md.
set -euo pipefail
DATA=${DATA:-data/scenes}
DETECT=${DETECT:-data/detect}
RUN=${RUN:-runs/scenes-v2}
OUT=${OUT:-models/scenes-v2}
TRAIN=${TRAIN:-20000} VAL=${VAL:-1000} TEST=${TEST:-1000}
DETECT_EPOCHS=${DETECT_EPOCHS:-5} ALIGN_EPOCHS=${ALIGN_EPOCHS:-4} GEN_EPOCHS=${GEN_EPOCHS:-6} REGION_EPOCHS=${REGION_EPOCHS:-1}
ABLATION_EPOCHS=${ABLATION_EPOCHS:-2} ABLATION_TRAIN=${ABLATION_TRAIN:-4000}
DETECT_SET=${DETECT_SET:-} ALIGN_SET=${ALIGN_SET:-} GEN_SET=${GEN_SET:-batch_size=200 hidden_size=256 word_size=128}
STAGES=" ${STAGES:-corpus detector align gen ablation eval export} "
METRICS=${METRICS:-}
AC=${AC:-aligncap}
bg() { if [[ "${PARALLEL:-0}" == 1 ]]; then "$@" & else "$@"; fi; }
log() { echo "=== $(date +%H:%M:%S) $*"; }
start=$(date +%s)
has() { [[ $STAGES == *" $1 "* ]]; }

if has corpus; then
  # the captioned corpus, and the detector's own split: another seed, no captioned image
  [[ -f $DATA/dataset.json ]] || { log corpus; $AC corpus --out "$DATA" --train "$TRAIN" --val "$VAL" --test "$TEST" --workers "$(nproc)"; }
  [[ -f $DETECT/dataset.json ]] || { log detection split; $AC corpus --out "$DETECT" --seed 9001 --train 10000 --val 500 --test 0 --workers "$(nproc)"; }
fi
if has detector; then
  log detector
  $AC train-detector --data "$DETECT" --run-dir "$RUN" --set epochs="$DETECT_EPOCHS" $DETECT_SET
fi
if has align; then
  log "alignment model (BRNN)"
  $AC train-align --data "$DATA" --run-dir "$RUN" --set epochs="$ALIGN_EPOCHS" $ALIGN_SET
fi
if has gen; then
  log generators
  bg $AC train-gen --data "$DATA" --run-dir "$RUN" --kind full --set epochs="$GEN_EPOCHS" $GEN_SET
  bg $AC train-gen --data "$DATA" --run-dir "$RUN" --kind region --set epochs="$REGION_EPOCHS" $GEN_SET
  wait
fi
if has ablation; then
  log "ablation: BRNN vs bag of words at an equal budget, two seeds each, on the first $ABLATION_TRAIN training images"
  python3 - "$DATA/dataset.json" "$DATA/dataset_ablation.json" "$ABLATION_TRAIN" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keep, n = [], int(sys.argv[3])
for im in d["images"]:
    if im["split"] != "train" or n > 0:
        keep.append(im)
        n -= im["split"] == "train"
d["images"] = keep
json.dump(d, open(sys.argv[2], "w"))
PY
  for enc in brnn bow; do for seed in 1 2; do
    bg $AC train-align --data "$DATA/dataset_ablation.json" --run-dir "$RUN/ablation/$enc-$seed" --detector "$RUN/detector.pt" \
      --set epochs="$ABLATION_EPOCHS" sentence_encoder=$enc seed=$seed $ALIGN_SET
  done; done
  wait
fi
if has eval; then
  log evaluation on test
  $AC evaluate --data "$DATA" --run-dir "$RUN" $METRICS
  for enc in brnn bow; do for seed in 1 2; do
    [[ -f $RUN/ablation/$enc-$seed/align.pt ]] && bg $AC evaluate --data "$DATA" --run-dir "$RUN/ablation/$enc-$seed" --no-captions
  done; done
  wait
fi
if has export; then
  log export
  python3 - "$RUN" <<'PY'
import json, os, sys
run = sys.argv[1]
ev = json.load(open(f"{run}/eval_test.json"))
ab = {}
for enc in ("brnn", "bow"):
    for seed in (1, 2):
        p = f"{run}/ablation/{enc}-{seed}/eval_test.json"
        if os.path.exists(p):
            e = json.load(open(p))
            ab[f"{enc}-seed{seed}"] = {"retrieval": e["retrieval"], "alignment": e.get("alignment")}
if ab:
    ev["ablation_sentence_encoder"] = ab
ev["training_seconds"] = {}
for name in ("detector", "align", "gen_full", "gen_region"):
    import torch
    ck = torch.load(f"{run}/{name}.pt", map_location="cpu", weights_only=False)
    ev["training_seconds"][name] = round(ck.get("seconds", 0), 1)
ev.pop("table", None)
json.dump(ev, open(f"{run}/evaluation.json", "w"), indent=2)
PY
  $AC export --data "$DATA" --run-dir "$RUN" --out "$OUT" --model-version 2.0.0 --eval "$RUN/evaluation.json" \
    $(for p in training/tests/photos/*.jpg training/tests/photos/*.png; do [[ -f $p ]] && echo --golden-photo "$p"; done)
  $AC validate "$OUT"
fi
log "done in $(( $(date +%s) - start ))s"

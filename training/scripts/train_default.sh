#!/usr/bin/env bash
# Trains, evaluates and exports the shipped default model (models/scenes-v1) from
# nothing: corpus → alignment model (+ bag-of-words ablation) → generators (full image,
# region, LSTM variant) → evaluation on the test split → model package.
#
#   bash training/scripts/train_default.sh             # sequential, as the shipped model was made
#   PARALLEL=1 bash training/scripts/train_default.sh  # independent runs side by side (GPU / many cores)
#
# OPTIMIZERS lists the alignment optimisers to try (e.g. "sgd adam"); with more than one,
# the run with the better validation R@1 becomes the model (the test split never chooses).
# Other settings: DATA, RUN, OUT, TRAIN/VAL/TEST corpus sizes, ALIGN_EPOCHS, GEN_EPOCHS,
# ALIGN_SET / GEN_SET (extra KEY=VALUE model settings), METRICS=--no-metrics where Java
# is missing (score later with `aligncap evaluate --score-only`), STAGES=train|eval|export|all.
set -euo pipefail
DATA=${DATA:-data/scenes}
RUN=${RUN:-runs/scenes-v1}
OUT=${OUT:-models/scenes-v1}
TRAIN=${TRAIN:-20000} VAL=${VAL:-1000} TEST=${TEST:-1000}
OPTIMIZERS=${OPTIMIZERS:-adam}
ALIGN_EPOCHS=${ALIGN_EPOCHS:-9} GEN_EPOCHS=${GEN_EPOCHS:-6}
ALIGN_SET=${ALIGN_SET:-} GEN_SET=${GEN_SET:-batch_size=200}
STAGES=${STAGES:-all}
METRICS=${METRICS:-}
AC=${AC:-aligncap}
bg() { if [[ "${PARALLEL:-0}" == 1 ]]; then "$@" & else "$@"; fi; }
log() { echo "=== $(date +%H:%M:%S) $*"; }
lr() { case $1 in sgd) echo 0.02 ;; *) echo 1e-3 ;; esac; }

if [[ $STAGES == all || $STAGES == train ]]; then
  [[ -f $DATA/dataset.json ]] || { log corpus; $AC corpus --out "$DATA" --train "$TRAIN" --val "$VAL" --test "$TEST" --workers "$(nproc)"; }
  log "alignment models (${OPTIMIZERS}), BRNN and bag of words"
  for opt in $OPTIMIZERS; do
    for enc in brnn bow; do
      bg $AC train-align --data "$DATA" --run-dir "$RUN/$enc-$opt" \
        --set epochs="$ALIGN_EPOCHS" optimizer="$opt" lr="$(lr "$opt")" sentence_encoder=$enc $ALIGN_SET
    done
  done
  wait
  best=brnn-${OPTIMIZERS%% *} bestbow=bow-${OPTIMIZERS%% *}
  if [[ $OPTIMIZERS == *" "* ]]; then
    log model selection on val
    for opt in $OPTIMIZERS; do for enc in brnn bow; do
      bg $AC evaluate --data "$DATA" --run-dir "$RUN/$enc-$opt" --split val --no-captions
    done; done
    wait
    pick() { python3 - "$RUN" "$@" <<'PY'
import json, sys
run, names = sys.argv[1], sys.argv[2:]
def r1(n):
    r = json.load(open(f"{run}/{n}/eval_val.json"))["retrieval"]
    return (r["image_to_sentence"]["R@1"] + r["sentence_to_image"]["R@1"]) / 2
print(max(names, key=r1))
PY
    }
    best=$(pick $(for o in $OPTIMIZERS; do echo brnn-$o; done))
    bestbow=$(pick $(for o in $OPTIMIZERS; do echo bow-$o; done))
  fi
  log "alignment model: $best; ablation: $bestbow"
  cp "$RUN/$best/align.pt" "$RUN/align.pt"
  mkdir -p "$RUN/bow" "$RUN/lstm" && cp "$RUN/$bestbow/align.pt" "$RUN/bow/align.pt" && cp "$RUN/align.pt" "$RUN/lstm/align.pt"
  echo "{\"alignment\": \"$best\", \"bow\": \"$bestbow\", \"optimizers\": \"$OPTIMIZERS\"}" > "$RUN/selection.json"
  log generators
  bg $AC train-gen --data "$DATA" --run-dir "$RUN" --kind full --set epochs="$GEN_EPOCHS" $GEN_SET
  bg $AC train-gen --data "$DATA" --run-dir "$RUN" --kind region --set epochs="$GEN_EPOCHS" $GEN_SET
  bg $AC train-gen --data "$DATA" --run-dir "$RUN/lstm" --kind full --set epochs="$GEN_EPOCHS" cell=lstm $GEN_SET
  wait
fi
if [[ $STAGES == all || $STAGES == eval ]]; then
  log evaluation on test
  bg $AC evaluate --data "$DATA" --run-dir "$RUN" $METRICS
  bg $AC evaluate --data "$DATA" --run-dir "$RUN/lstm" $METRICS
  bg $AC evaluate --data "$DATA" --run-dir "$RUN/bow" --no-captions
  wait
fi
if [[ $STAGES == all || $STAGES == export ]]; then
  log export
  python3 - "$RUN" <<'PY'
import json, os, sys
run = sys.argv[1]
ev = json.load(open(f"{run}/eval_test.json"))
ev["ablation_bag_of_words"] = json.load(open(f"{run}/bow/eval_test.json"))["retrieval"]
lstm = f"{run}/lstm/eval_test.json"
if os.path.exists(lstm):
    ev["lstm_generator"] = json.load(open(lstm)).get("captions", {}).get("full", {}).get("model")
ev["selection"] = json.load(open(f"{run}/selection.json"))
ev.pop("table", None)
json.dump(ev, open(f"{run}/evaluation.json", "w"), indent=2)
PY
  $AC export --data "$DATA" --run-dir "$RUN" --out "$OUT" --eval "$RUN/evaluation.json"
  $AC validate "$OUT"
fi
log done

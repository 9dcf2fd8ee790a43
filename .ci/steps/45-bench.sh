#!/usr/bin/env bash
# The benchmark harness (issue 12) still runs, cheaply: bench/java (the Java half of the per-stage
# comparison, the JMH benchmarks) compiles against the inference core, and one short round of
# bench/stages.py runs every stage on both sides over the default model and compares their tokens.
# No figure is checked and the full benchmark is not run here: that is `bash bench/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=target-bench-ci
mvn -B -ntp -q -P bench -Dbuild.dir="${build}" test-compile \
  dependency:build-classpath -Dmdep.outputFile="${build}/classpath.txt" -Dmdep.includeScope=test
python3 bench/classpath.py "${build}"
.venv/bin/python bench/stages.py --model models/scenes-v2 --classpath "${build}/classpath.jar" \
  --rounds 1 --per-image 1 --warmup-calls 0 --out "${build}/stages.json"
.venv/bin/python - "${build}/stages.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert not s["token_mismatches"], f"Java and Python decoded different tokens: {s['token_mismatches']}"
PY

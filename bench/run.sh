#!/usr/bin/env bash
# Every benchmark of issue 12, one command, written to docs/benchmarks.md:
#
#   bash bench/run.sh [MODEL_DIR]        # default: models/scenes-v2
#
# 1. per stage, Java against the Python reference pipeline, interleaved (bench/stages.py);
# 2-4. end to end over HTTP with wrk at c=1/4/16/64, batching on and off, RSS, start-up, growth
#    with image size and beam, JFR profiles at c=1 and c=16 (bench/e2e.py, bench/profile.py);
# 3. the Lambda cold start through deploy/sam/coldstart.py, with and without start-up warm-up;
# 5. JMH micro-benchmarks (bench/jmh.sh).
# Figures are reported, never asserted. About 15 minutes on 2 cores (BENCH_SOAK=600 adds a
# 10-minute soak; BENCH_SECONDS sets each wrk run, 15 s). Builds into target-bench*.
set -euo pipefail
cd "$(dirname "$0")/.."
model="$(realpath -s "${1:-models/scenes-v2}")"
[ -f "${model}/manifest.json" ] || { echo "no model package at ${model}" >&2; exit 1; }
out=target-bench/results
seconds="${BENCH_SECONDS:-15}"
soak="${BENCH_SOAK:-0}"
bash bench/setup.sh
rm -rf "${out}" && mkdir -p "${out}/jfr"
uptime > "${out}/load-start.txt"

# the container package and the bench classes (profile bench), then the bench class path as one
# manifest-only jar (bench/classpath.py says why)
mvn -B -ntp -q -P bench -Dbuild.dir=target-bench package -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target-bench/classpath.txt -Dmdep.includeScope=test
python3 bench/classpath.py target-bench
# the Lambda HTTP package, for the cold start
mvn -B -ntp -q -P lambda-http -Dbuild.dir=target-bench-http package -DskipTests

image="$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['images'][0]['file'])" "${model}/golden/golden.json")"
.venv/bin/python bench/stages.py --model "${model}" --classpath target-bench/classpath.jar --out "${out}/stages.json"
.venv/bin/python bench/e2e.py --app target-bench/quarkus-app --model "${model}" --seconds "${seconds}" \
  --soak "${soak}" --jfr "${out}/jfr" --out "${out}/e2e.json"
for c in 1 16; do python3 bench/profile.py "${out}/jfr/c${c}.jfr" --out "${out}/profile-c${c}.json"; done
for warm in true false; do
  { uptime; python3 deploy/sam/coldstart.py target-bench-http/function.zip "${model}/golden/${image}" --runs 3 \
      --env ALIGNCAP_MODEL_PATH="${model}" --env ALIGNCAP_BATCHING_ENABLED=false \
      --env ALIGNCAP_INFERENCE_WARM_UP="${warm}"; } > "${out}/coldstart-warmup-${warm}.txt" 2>&1
done
bash bench/jmh.sh "${model}" "${model}/golden/${image}" "${out}/jmh.json" > "${out}/jmh.log" 2>&1
uptime > "${out}/load-end.txt"
.venv/bin/python bench/report.py --model "${model}" --results "${out}" --out docs/benchmarks.md
echo "wrote docs/benchmarks.md"

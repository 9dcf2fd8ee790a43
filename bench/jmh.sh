#!/usr/bin/env bash
# JMH micro-benchmarks (bench/java/io/aligncap/inference/MicroBench.java): beam search over a toy
# decoder, decoding and the preprocess graph, the tensor copies. Needs bench/run.sh's build
# (target-bench/classpath.jar). Usage: bench/jmh.sh MODEL_DIR IMAGE [RESULT.json] [JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
model="$1"; image="$2"; result="${3:-target-bench/results/jmh.json}"; shift $(( $# < 3 ? $# : 3 ))
cmd=(java -Daligncap.model.path="${model}" -Dbench.image="${image}"
  -Daligncap.inference.providers=cpu -Daligncap.inference.intra-op-threads=1
  -cp target-bench/classpath.jar org.openjdk.jmh.Main -rf json -rff "${result}" "$@" MicroBench)
echo "${cmd[*]}" > "${result%.json}.command"
"${cmd[@]}"

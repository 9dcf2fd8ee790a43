#!/usr/bin/env bash
# Moves ONNX Runtime's native libraries for one platform out of the jar and
# into a plain folder, and strips every platform's copy from the jar:
#   unpack-natives.sh <quarkus-app/lib dir> <linux-x64|linux-aarch64> <dest dir>
# The app then runs with -Donnxruntime.native.path=<dest dir>: ONNX Runtime
# loads the libraries in place instead of extracting ~30 MB (CPU) or several
# hundred MB (CUDA provider) to /tmp at every start. Needs a JDK (jar, java).
set -euo pipefail
lib_dir="$1" platform="$2" dest="$3"
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t jars < <(find "${lib_dir}" -name '*onnxruntime*.jar')
if [[ ${#jars[@]} -ne 1 ]]; then
  echo "expected exactly one ONNX Runtime jar under ${lib_dir}, found ${#jars[@]}: ${jars[*]:-none}" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
(cd "${work}" && jar xf "$(realpath "${jars[0]}")" "ai/onnxruntime/native/${platform}/")
if ! compgen -G "${work}/ai/onnxruntime/native/${platform}/*.so" >/dev/null; then
  echo "${jars[0]} has no native libraries for ${platform}" >&2
  exit 1
fi
mkdir -p "${dest}"
mv "${work}/ai/onnxruntime/native/${platform}/"*.so "${dest}/"
java "${here}/StripNatives.java" "${jars[0]}" none
ls -l "${dest}"

#!/usr/bin/env bash
# Builds the two Lambda packages for one architecture, where the SAM templates
# expect them:
#   deploy/sam/build.sh [x86_64|arm64]            JVM:    target-lambda-http/, target-events/           (template.yaml)
#   deploy/sam/build.sh --native [x86_64|arm64]   native: target-lambda-http-native/, target-events-native/ (template-native.yaml)
# JVM packages keep only the ONNX Runtime library of that architecture (the
# jar ships every OS: ~86 MB -> ~43 MB zipped; done by the profiles in pom.xml). Native packages are built in a
# Mandrel container (Docker or Podman; the container's architecture is the
# executable's) and get ONNX Runtime's libraries in lib/ plus a bootstrap that
# points ONNX Runtime at them.
set -euo pipefail
cd "$(dirname "$0")/../.."

native=false
if [[ "${1:-}" == --native ]]; then native=true; shift; fi
arch="${1:-x86_64}"
case "${arch}" in
  x86_64) platform=linux-x64 ;;
  arm64) platform=linux-aarch64 ;;
  *) echo "usage: $0 [--native] [x86_64|arm64], got '${arch}'" >&2; exit 2 ;;
esac

for pair in lambda-http:target-lambda-http lambda-events:target-events; do
  profile="${pair%%:*}" dir="${pair#*:}"
  if ! ${native}; then
    # The profiles strip the other platforms' ONNX Runtime libraries (StripNatives).
    mvn -B -ntp -P"${profile}" -Dbuild.dir="${dir}" -Dlambda.onnxruntime.platform="${platform}" -DskipTests package
    continue
  fi
  dir="${dir}-native"
  mvn -B -ntp -P"${profile}" -Dbuild.dir="${dir}" -DskipTests package \
    -Dquarkus.native.enabled=true \
    -Dquarkus.package.jar.enabled=false \
    -Dquarkus.native.container-build=true \
    -Dquarkus.native.builder-image=quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21 \
    -Dquarkus.ssl.native=true \
    -Dquarkus.native.resources.includes='models/**' \
    -Dquarkus.native.container-runtime-options="-v,${PWD}/deploy/native:/aligncap-native:ro" \
    -Dquarkus.native.additional-build-args="--initialize-at-run-time=ai.onnxruntime,-H:ConfigurationFileDirectories=/aligncap-native/onnxruntime"
  # The builder container sees only the build output, so the ONNX Runtime JNI
  # metadata is mounted in at /aligncap-native.
  ort_jar="$(find "${HOME}/.m2/repository/com/microsoft/onnxruntime/onnxruntime" -name 'onnxruntime-*.jar' | head -n 1)"
  python3 - "${dir}/function.zip" "${ort_jar}" "${platform}" <<'PY'
import sys, zipfile
zip_path, ort_jar, platform = sys.argv[1:]
with zipfile.ZipFile(zip_path) as z:
    entries = [(i, z.read(i)) for i in z.infolist()]
with zipfile.ZipFile(ort_jar) as j:
    libs = {n.rsplit("/", 1)[1]: j.read(n) for n in j.namelist()
            if n.startswith(f"ai/onnxruntime/native/{platform}/") and n.endswith(".so")}
def add(z, name, data, mode):
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)
with zipfile.ZipFile(zip_path, "w") as z:
    for info, data in entries:
        # Quarkus' bootstrap *is* the executable: keep it as `runner`.
        add(z, "runner" if info.filename == "bootstrap" else info.filename, data,
            0o755 if info.filename == "bootstrap" else (info.external_attr >> 16) & 0o777 or 0o644)
    for name, data in libs.items():
        add(z, f"lib/{name}", data, 0o644)
    add(z, "bootstrap", b'#!/bin/sh\n'
        b'exec "${LAMBDA_TASK_ROOT:-/var/task}/runner" '
        b'-Donnxruntime.native.path="${LAMBDA_TASK_ROOT:-/var/task}/lib" "$@"\n', 0o755)
print(f"{zip_path}: bootstrap wrapper + {sorted(libs)} in lib/")
PY
done
ls -l target-lambda-http*/function.zip target-events*/function.zip 2>/dev/null

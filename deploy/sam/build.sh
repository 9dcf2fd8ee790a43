#!/usr/bin/env bash
# Builds the two Lambda packages for one architecture and puts them where
# deploy/sam/template.yaml expects them, with the template parameters that
# match them:
#   deploy/sam/build.sh [x86_64|arm64]            JVM    (Maven build dirs target-lambda-http/, target-events/)
#   deploy/sam/build.sh --native [x86_64|arm64]   native (target-lambda-http-native/, target-events-native/)
# Either way: target-sam/http.zip, target-sam/events.zip and
# target-sam/parameters ("Build=jvm|native Architecture=x86_64|arm64"), which
# `sam deploy --parameter-overrides $(cat target-sam/parameters) ...` passes on.
# JVM packages keep only the ONNX Runtime library of that architecture (the
# jar ships every OS: ~86 MB -> ~43 MB zipped; done by the profiles in
# pom.xml). Native packages are built in a Mandrel container (Docker or
# Podman), whose architecture is this machine's: building for the other one is
# refused up front, and the executable's ELF header is checked against the
# ONNX Runtime libraries packed beside it.
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
host="$(uname -m)"
case "${host}" in aarch64 | arm64) host=arm64 ;; esac
if ${native} && [[ "${host}" != "${arch}" ]]; then
  echo "refusing: native-image builds for this machine's architecture (${host}), not ${arch};" \
       "run '$0 --native ${arch}' on an ${arch} machine" >&2
  exit 2
fi

out=target-sam
rm -rf "${out}" && mkdir -p "${out}"
for pair in lambda-http:target-lambda-http:http lambda-events:target-events:events; do
  IFS=: read -r profile dir name <<<"${pair}"
  if ! ${native}; then
    # The profiles strip the other platforms' ONNX Runtime libraries (StripNatives).
    mvn -B -ntp -P"${profile}" -Dbuild.dir="${dir}" -Dlambda.onnxruntime.platform="${platform}" -DskipTests package
    cp "${dir}/function.zip" "${out}/${name}.zip"
    continue
  fi
  dir="${dir}-native"
  # The builder container sees only the build output, so the ONNX Runtime JNI
  # metadata is mounted in at /aligncap-native.
  mvn -B -ntp -P"${profile}" -Dbuild.dir="${dir}" -DskipTests package \
    -Dquarkus.native.enabled=true \
    -Dquarkus.package.jar.enabled=false \
    -Dquarkus.native.container-build=true \
    -Dquarkus.native.builder-image=quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21 \
    -Dquarkus.ssl.native=true \
    -Dquarkus.native.resources.includes='models/**' \
    -Dquarkus.native.container-runtime-options="-v,${PWD}/deploy/native:/aligncap-native:ro" \
    -Dquarkus.native.additional-build-args="--initialize-at-run-time=ai.onnxruntime,-H:ConfigurationFileDirectories=/aligncap-native/onnxruntime"
  # The ONNX Runtime jar this build compiled against (not whichever version
  # the Maven cache holds): Quarkus' native-image input holds it, in
  # <name>-native-image-source-jar/lib (native-sources/lib with sources-only).
  mapfile -t ort_jars < <(find "${dir}" \( -path '*-native-image-source-jar/lib/*' -o -path '*/native-sources/lib/*' \) \
    -name '*onnxruntime*.jar')
  if [[ ${#ort_jars[@]} -ne 1 ]]; then
    echo "expected one ONNX Runtime jar in the native-image input under ${dir}, found ${#ort_jars[@]}: ${ort_jars[*]:-none}" >&2
    exit 1
  fi
  unpacked="$(mktemp -d)"
  python3 - "${dir}/function.zip" "${ort_jars[0]}" "${platform}" "${unpacked}" <<'PY'
import pathlib, sys, zipfile
zip_path, ort_jar, platform, unpacked = sys.argv[1:]
with zipfile.ZipFile(zip_path) as z:
    entries = [(i, z.read(i)) for i in z.infolist()]
with zipfile.ZipFile(ort_jar) as j:
    libs = {n.rsplit("/", 1)[1]: j.read(n) for n in j.namelist()
            if n.startswith(f"ai/onnxruntime/native/{platform}/") and n.endswith(".so")}
if not libs:
    sys.exit(f"{ort_jar} has no libraries for {platform}")
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
        if info.filename == "bootstrap":
            pathlib.Path(unpacked, "runner").write_bytes(data)
    for name, data in libs.items():
        add(z, f"lib/{name}", data, 0o644)
        pathlib.Path(unpacked, name).write_bytes(data)
    add(z, "bootstrap", b'#!/bin/sh\n'
        b'exec "${LAMBDA_TASK_ROOT:-/var/task}/runner" '
        b'-Donnxruntime.native.path="${LAMBDA_TASK_ROOT:-/var/task}/lib" "$@"\n', 0o755)
print(f"{zip_path}: bootstrap wrapper + {sorted(libs)} in lib/ (from {ort_jar})")
PY
  deploy/build/check-elf-arch.sh "${platform}" "${unpacked}"/*
  rm -rf "${unpacked}"
  cp "${dir}/function.zip" "${out}/${name}.zip"
done
echo "Build=$(${native} && echo native || echo jvm) Architecture=${arch}" > "${out}/parameters"
ls -l "${out}"
echo "deploy: sam deploy --template-file deploy/sam/template.yaml --parameter-overrides \$(cat ${out}/parameters) InputBucketName=... (see deploy/README.md)"

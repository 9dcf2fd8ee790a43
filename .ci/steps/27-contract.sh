#!/usr/bin/env bash
# The API contract (issue 15), against the packaged service (20-java.sh's target/quarkus-app)
# started here on a free loopback port with an API key:
# 1. Schemathesis (pinned) with every check (one off on some operations: schemathesis.toml says
#    why), positive and negative data, on every operation of /q/openapi: the schema's examples,
#    its coverage cases, then fuzzing that draws new cases until the time bound is spent (without
#    --max-time it stops after the examples per operation: about 800 cases in 15 s); any failure
#    fails the build (src/test/contract/schemathesis.toml, hooks.py);
# 2. a client generated from the same document by openapi-python-client (pinned) captions a golden
#    image, reads the model and gets typed problems (src/test/contract/test_client.py).
# Tools: .ci/lib/http-tools.sh's venv outside the work tree. About 3 minutes on 2 cores.
# CONTRACT_MAX_EXAMPLES / CONTRACT_MAX_TIME bound Schemathesis (default 20 per operation, 150 s:
# 5,000-7,000 cases on 2 shared cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/http-tools.sh

out="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export ALIGNCAP_API_KEY="contract-${RANDOM}${RANDOM}"
java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="${port}" -jar "${http_app}/quarkus-run.jar" \
  > "${out}/service.log" 2>&1 &
service=$!
trap 'kill "${service}" 2>/dev/null || true; wait "${service}" 2>/dev/null || true; rm -rf "${out}"' EXIT
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null && break
  kill -0 "${service}" 2>/dev/null || break
  sleep 0.5
done
curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null || { echo "service not ready"; tail -50 "${out}/service.log"; exit 1; }
base="http://127.0.0.1:${port}"
doc="${base}/q/openapi?format=json"

# A golden image of the model the service runs (ALIGNCAP_MODEL_PATH, else the default package).
model="${ALIGNCAP_MODEL_PATH:-$(sed -n 's:.*<aligncap.bundled.model>\(.*\)</aligncap.bundled.model>.*:models/\1:p' pom.xml)}"
export CONTRACT_IMAGE="$(realpath "$(ls "${model}"/golden/*.png | head -n 1)")"
echo "contract: ${doc}, golden image ${CONTRACT_IMAGE}"

start=$(date +%s)
status=0
contract="$(pwd)/src/test/contract"
# (from ${out}: Schemathesis keeps a cache in the working directory)
(cd "${out}" && SCHEMATHESIS_HOOKS="${contract}/hooks.py" "${http_venv}/bin/schemathesis" \
  --config-file "${contract}/schemathesis.toml" --no-color run "${doc}" \
  --mode all --max-examples "${CONTRACT_MAX_EXAMPLES:-20}" \
  --max-time "${CONTRACT_MAX_TIME:-150}" --seed 1 --workers 2 --request-timeout 60 \
  > "${out}/schemathesis.log" 2>&1) || status=$?
# The summary (the details of a failure are long: they come with a failure only)
if [[ ${status} -ne 0 ]]; then cat "${out}/schemathesis.log"; else sed -n '/SUMMARY/,$p' "${out}/schemathesis.log"; fi
echo "schemathesis ${SCHEMATHESIS}: exit ${status} in $(( $(date +%s) - start )) s"
[[ ${status} -eq 0 ]] || { tail -30 "${out}/service.log"; exit 1; }

"${http_venv}/bin/openapi-python-client" generate --url "${doc}" \
  --config src/test/contract/client-config.yaml --output-path "${out}/client/aligncap_client" \
  --meta none > "${out}/generate.log" 2>&1 || { cat "${out}/generate.log"; exit 1; }
! grep -i "warning" "${out}/generate.log" || { echo "openapi-python-client warned: the document lost something"; exit 1; }
ALIGNCAP_URL="${base}" PYTHONPATH="${out}/client" "${http_venv}/bin/pytest" -q -p no:cacheprovider \
  src/test/contract/test_client.py

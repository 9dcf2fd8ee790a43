#!/usr/bin/env bash
# The web page at / (issue 13), end to end in a real browser: Debian's chromium (apt), driven
# headless by playwright-core (npm ci in src/test/web; no browser download), against the
# container build of 20-java.sh (target/quarkus-app) started here on a free loopback port with
# an API key. Screenshots and the service log go to src/test/web/output/.
# WEB_CHECK_APP points it at another build (default target/quarkus-app).
set -euo pipefail
cd "$(dirname "$0")/../.."

app="${WEB_CHECK_APP:-target/quarkus-app}/quarkus-run.jar"
out="src/test/web/output"

if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi
/usr/bin/chromium --version 2>/dev/null
(cd src/test/web && npm ci --no-audit --no-fund --loglevel=error)
if [[ ! -f "${app}" ]]; then
  echo "no ${app}: building the container package (20-java.sh builds it in a full run)"
  mvn -B -ntp -q package -DskipTests
fi

rm -rf "${out}" && mkdir -p "${out}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# One variable for both sides: the service reads aligncap.api.key from it, the test types it in.
export ALIGNCAP_API_KEY="web-test-${RANDOM}${RANDOM}"
java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="${port}" -jar "${app}" > "${out}/service.log" 2>&1 &
service=$!
trap 'kill "${service}" 2>/dev/null || true; wait "${service}" 2>/dev/null || true' EXIT
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null && break
  kill -0 "${service}" 2>/dev/null || break
  sleep 0.5
done
curl -sf "http://127.0.0.1:${port}/q/health/ready" > /dev/null || { echo "service not ready"; tail -50 "${out}/service.log"; exit 1; }
curl -sf "http://127.0.0.1:${port}/" | grep -q '<title>aligncap' || { echo "GET / does not serve the page"; exit 1; }

(cd src/test/web && ALIGNCAP_URL="http://127.0.0.1:${port}/" WEB_TEST_OUT="$(pwd)/output" npm test) \
  || { tail -30 "${out}/service.log"; exit 1; }
ls "${out}"/*.png

# Sourced by .ci/steps/26-budget.sh and 27-contract.sh: the pinned Python tools that test the
# packaged service over HTTP, in a venv outside the work tree ($ALIGNCAP_TOOLS_DIR, default
# ~/.cache/aligncap-http), rebuilt only when the pins change; and a helper to find the jar.
SCHEMATHESIS=4.32.5
OPENAPI_PYTHON_CLIENT=0.29.1
PILLOW=13.0.0
PYTEST=9.2.0

http_tools="${ALIGNCAP_TOOLS_DIR:-${HOME}/.cache/aligncap-http}"
http_venv="${http_tools}/venv"
http_pins="schemathesis==${SCHEMATHESIS} openapi-python-client==${OPENAPI_PYTHON_CLIENT} pillow==${PILLOW} pytest==${PYTEST}"
if [[ "$(cat "${http_venv}/.pinned" 2>/dev/null)" != "${http_pins}" ]]; then
  rm -rf "${http_venv}"
  python3 -m venv "${http_venv}"
  # shellcheck disable=SC2086
  "${http_venv}/bin/pip" install -q --disable-pip-version-check ${http_pins}
  echo "${http_pins}" > "${http_venv}/.pinned"
fi

# The container build of 20-java.sh (a full run builds it first); HTTP_CHECK_APP points elsewhere.
http_app="${HTTP_CHECK_APP:-target/quarkus-app}"
if [[ ! -f "${http_app}/quarkus-run.jar" ]]; then
  echo "no ${http_app}/quarkus-run.jar: building the container package (20-java.sh builds it in a full run)"
  mvn -B -ntp -q package -DskipTests
fi

#!/usr/bin/env bash
# Container HEALTHCHECK without curl/wget in the runtime image: one HTTP/1.1
# request over bash's /dev/tcp, healthy only on a 200 from the readiness check
# (model loaded, warmed up, and on the execution provider the config demands).
# Usage: healthcheck.sh [path]   (port from QUARKUS_HTTP_PORT, default 8080)
set -euo pipefail
path="${1:-/q/health/ready}"
port="${QUARKUS_HTTP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${path}" >&3
IFS=' ' read -r -t 5 _ status _ <&3
[[ "${status}" == "200" ]]

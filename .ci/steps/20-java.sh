#!/usr/bin/env bash
# The service (issue 4): build the default (container) package and run its tests
# (unit tests, @QuarkusTest over the default model in models/scenes-v2, parity with
# the model's golden file). Needs Java 17 and Maven; dependencies come from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp verify

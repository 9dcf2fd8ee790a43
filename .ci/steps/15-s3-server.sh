#!/usr/bin/env bash
# Events (issue 5): the S3-compatible server the event tests start (moto's server, its own
# process on a free loopback port, see src/test/java/io/aligncap/events/testing/MotoServer.java).
# Runs before 20-java.sh, whose default build includes the container SQS worker tests.
# SQS needs nothing here: ElasticMQ runs inside the test JVM (a Maven test dependency).
set -euo pipefail
cd "$(dirname "$0")/../.."
MOTO=5.2.5
if ! .venv-moto/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '${MOTO}')" 2>/dev/null; then
  python3 -m venv .venv-moto
  .venv-moto/bin/pip install -q --upgrade pip
  .venv-moto/bin/pip install -q "moto[server]==${MOTO}"
fi
.venv-moto/bin/moto_server --help > /dev/null
echo "moto ${MOTO} server ready in .venv-moto"

#!/usr/bin/env bash
# Events (issue 5): the two AWS Lambda packages, each built and tested in its own build
# directory (the container build, with the SQS worker tests, is 20-java.sh's `mvn verify`):
#   lambda-events -> target-events/function.zip       handlers s3, sqs, s3-batch
#   lambda-http   -> target-lambda-http/function.zip  the REST API behind API Gateway / URLs
# Their tests send real-shaped events through Quarkus's mock Lambda event server, against
# moto's S3 server (installed by 15-s3-server.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/steps/15-s3-server.sh > /dev/null
mvn -B -ntp -P lambda-events -Dbuild.dir=target-events verify
mvn -B -ntp -P lambda-http -Dbuild.dir=target-lambda-http verify
ls -l target-events/function.zip target-lambda-http/function.zip

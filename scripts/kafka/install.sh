#!/usr/bin/env bash
# Fetch the pinned Apache Kafka broker and tools jars from Maven Central (once; cached).
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -f "$KAFKA_LIBS/.complete" ]; then exit 0; fi
mkdir -p "$KAFKA_LIBS"
echo "kafka-stage: fetching Apache Kafka $KAFKA_VERSION jars into $KAFKA_LIBS" >&2
mvn -q -B -f "$KAFKA_SCRIPTS/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
  dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" >&2
ls "$KAFKA_LIBS"/kafka_2.13-*.jar "$KAFKA_LIBS"/kafka-tools-*.jar >/dev/null
touch "$KAFKA_LIBS/.complete"

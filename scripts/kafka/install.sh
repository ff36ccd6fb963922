#!/usr/bin/env bash
# Fetch the pinned Apache Kafka broker and tools jars from Maven Central (once; cached).
# The marker file holds a checksum of pom.xml, so editing the pom refetches on the next run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
stamp="$KAFKA_VERSION $(cksum < "$KAFKA_SCRIPTS/pom.xml")"
if [ -f "$KAFKA_LIBS/.complete" ] && [ "$(cat "$KAFKA_LIBS/.complete")" = "$stamp" ]; then exit 0; fi
command -v java >/dev/null || { echo "kafka-stage: java (17+) is needed to run the test broker" >&2; exit 1; }
command -v mvn >/dev/null || { echo "kafka-stage: mvn (Maven) is needed to fetch the broker jars" >&2; exit 1; }
mkdir -p "$KAFKA_LIBS"
# Several tools may start at once on a fresh machine: only one of them fetches.
exec 9>"$KAFKA_CACHE/.install.lock"
flock 9
if [ -f "$KAFKA_LIBS/.complete" ] && [ "$(cat "$KAFKA_LIBS/.complete")" = "$stamp" ]; then exit 0; fi
echo "kafka-stage: fetching Apache Kafka $KAFKA_VERSION jars into $KAFKA_LIBS" >&2
if [ -n "$KAFKA_LOG4J_VERSION" ]; then logging=(-Dlog4j.version="$KAFKA_LOG4J_VERSION"); binding=log4j-slf4j-impl
else logging=(-Dkafka.reload4j=true); binding=slf4j-reload4j
fi
mvn -q -B -f "$KAFKA_SCRIPTS/pom.xml" -Dkafka.version="$KAFKA_VERSION" "${logging[@]}" \
  dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" >&2
ls "$KAFKA_LIBS"/kafka_2.13-*.jar "$KAFKA_LIBS"/kafka-tools-*.jar "$KAFKA_LIBS"/$binding-*.jar >/dev/null
echo "$stamp" > "$KAFKA_LIBS/.complete"

#!/usr/bin/env bash
# Run a Java class from the Kafka jars, e.g. java-tool.sh org.apache.kafka.tools.ProducerPerformance --help
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$KAFKA_SCRIPTS/install.sh"
cls="$1"; shift
exec java -Xmx512m -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2-tools.properties" -cp "$KAFKA_LIBS/*" "$cls" "$@"

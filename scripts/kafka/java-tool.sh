#!/usr/bin/env bash
# Run a Java class from the Kafka jars, e.g. java-tool.sh org.apache.kafka.tools.ProducerPerformance --help
# A path ending in .java is run in source-file mode against the same classpath (no build step).
# KAFKA_TOOL_JVM_OPTS replaces the default JVM flags (-Xmx512m); short-lived tools start faster
# with "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1". KAFKA_TOOL_CLASSPATH, when set, is put
# in front of the Kafka jars (e.g. a directory of classes compiled with javac beforehand).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$KAFKA_SCRIPTS/install.sh"
cls="$1"; shift
read -r -a jvm_opts <<< "${KAFKA_TOOL_JVM_OPTS:--Xmx512m}"
exec java "${jvm_opts[@]}" -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2-tools.properties" -cp "${KAFKA_TOOL_CLASSPATH:+$KAFKA_TOOL_CLASSPATH:}$KAFKA_LIBS/*" "$cls" "$@"

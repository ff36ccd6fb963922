# Shared settings for the broker scripts. Sourced, not run.
# The Kafka release to fetch and run; the default is the newest. Tested: 4.4.0, 4.1.1, 4.0.2, 3.9.1,
# 3.7.2 (older releases differ in logging and quorum set-up: see kafka_version_at_least's callers).
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_CACHE="${KAFKA_CACHE:-$HOME/.cache/kafka-stage/kafka-$KAFKA_VERSION}"
KAFKA_LIBS="$KAFKA_CACHE/libs"
# Runtime state (configs, data, logs, pids) lives in the project's ignored .kafka folder.
KAFKA_STATE="${KAFKA_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.kafka}"
KAFKA_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Node n (1-based) listens on 19092+10(n-1) for clients and 19093+10(n-1) for the controller.
KAFKA_BASE_PORT="${KAFKA_BASE_PORT:-19092}"
kafka_client_port() { echo $((KAFKA_BASE_PORT + 10 * ($1 - 1))); }
kafka_controller_port() { echo $((KAFKA_BASE_PORT + 1 + 10 * ($1 - 1))); }
# True when KAFKA_VERSION is $1 or newer (e.g. kafka_version_at_least 3.9).
kafka_version_at_least() { printf '%s\n%s\n' "$1" "$KAFKA_VERSION" | sort -V -C; }
# Kafka 4.x logs through Log4j 2, whose SLF4J binding the Maven POMs leave to us: it must be the
# Log4j 2 release that kafka-server pulls in (mvn dependency:tree), or the broker loses its log.
# 3.x logs through reload4j (Log4j 1), whose binding its POMs bring themselves.
if kafka_version_at_least 4.4; then KAFKA_LOG4J_VERSION=2.25.5
elif kafka_version_at_least 4.0; then KAFKA_LOG4J_VERSION=2.24.3
else KAFKA_LOG4J_VERSION=""
fi

# Shared settings for the broker scripts. Sourced, not run.
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_CACHE="${KAFKA_CACHE:-$HOME/.cache/kafka-stage/kafka-$KAFKA_VERSION}"
KAFKA_LIBS="$KAFKA_CACHE/libs"
# Runtime state (configs, data, logs, pids) lives in the project's ignored .kafka folder.
KAFKA_STATE="${KAFKA_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.kafka}"
KAFKA_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Node n (1-based) listens on 19092+10(n-1) for clients and 19093+10(n-1) for the controller.
KAFKA_BASE_PORT="${KAFKA_BASE_PORT:-19092}"
kafka_client_port() { echo $((KAFKA_BASE_PORT + 10 * ($1 - 1))); }
kafka_controller_port() { echo $((KAFKA_BASE_PORT + 1 + 10 * ($1 - 1))); }

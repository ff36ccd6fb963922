# Sourced, not run: env.sh for the pinned default Kafka release (KAFKA_VERSION's default there),
# whatever release the caller's KAFKA_VERSION asks for. The schemas in src/protocol are written
# against that release, so the test that checks them against Kafka's message specs reads its
# kafka-clients jar (test/helpers/kafka-message-specs.ts), and scripts/test.mjs installs it first.
# KAFKA_CACHE is kept only when it was meant for that release (it names one release's folder).
kafka_pinned_version="$(unset KAFKA_VERSION; source "$(dirname "${BASH_SOURCE[0]}")/env.sh"; echo "$KAFKA_VERSION")"
if [ -n "${KAFKA_VERSION:-}" ] && [ "$KAFKA_VERSION" != "$kafka_pinned_version" ]; then unset KAFKA_CACHE; fi
export KAFKA_VERSION="$kafka_pinned_version"
unset kafka_pinned_version
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export KAFKA_CACHE

#!/usr/bin/env bash
# Start a local KRaft cluster of N combined broker+controller nodes (default 1) on 127.0.0.1.
# Prints the bootstrap list (e.g. 127.0.0.1:19092) on stdout once every node answers.
# Usage: start.sh [--nodes N] [--fresh]
set -euo pipefail
source "$(dirname "$0")/env.sh"
nodes=1; fresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
bash "$KAFKA_SCRIPTS/install.sh"
if [ -f "$KAFKA_STATE/cluster.nodes" ] && [ "$(cat "$KAFKA_STATE/cluster.nodes")" != "$nodes" ]; then fresh=1; fi
if [ "$fresh" = 1 ]; then bash "$KAFKA_SCRIPTS/stop.sh" >/dev/null 2>&1 || true; rm -rf "$KAFKA_STATE"; fi
mkdir -p "$KAFKA_STATE"
echo "$nodes" > "$KAFKA_STATE/cluster.nodes"

voters=""; bootstrap=""; initial=""
for n in $(seq 1 "$nodes"); do
  voters="${voters:+$voters,}127.0.0.1:$(kafka_controller_port "$n")"
  bootstrap="${bootstrap:+$bootstrap,}127.0.0.1:$(kafka_client_port "$n")"
done
replication=$(( nodes >= 3 ? 3 : 1 ))
min_isr=$(( nodes >= 3 ? 2 : 1 ))

if [ ! -f "$KAFKA_STATE/cluster.id" ]; then
  java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$KAFKA_STATE/cluster.id"
fi
cluster_id=$(cat "$KAFKA_STATE/cluster.id")

for n in $(seq 1 "$nodes"); do
  dir="$KAFKA_STATE/node$n"; mkdir -p "$dir"
  cport=$(kafka_client_port "$n"); qport=$(kafka_controller_port "$n")
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.bootstrap.servers=$voters
listeners=PLAINTEXT://127.0.0.1:$cport,CONTROLLER://127.0.0.1:$qport
advertised.listeners=PLAINTEXT://127.0.0.1:$cport,CONTROLLER://127.0.0.1:$qport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=$replication
offsets.topic.replication.factor=$replication
offsets.topic.num.partitions=${KAFKA_OFFSETS_PARTITIONS:-3}
transaction.state.log.replication.factor=$replication
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$replication
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.segment.bytes=268435456
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    if [ "$nodes" = 1 ]; then
      java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --standalone >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
    else
      # Every node of the quorum is formatted with the same initial controller set.
      initial=""
      for m in $(seq 1 "$nodes"); do
        dir_id_file="$KAFKA_STATE/node$m.dirid"
        [ -f "$dir_id_file" ] || java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$dir_id_file"
        initial="${initial:+$initial,}$m@127.0.0.1:$(kafka_controller_port "$m"):$(cat "$dir_id_file")"
      done
      java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
        --initial-controllers "$initial" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
    fi
  fi
done

for n in $(seq 1 "$nodes"); do
  dir="$KAFKA_STATE/node$n"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then continue; fi
  nohup java -Xms256m -Xmx${KAFKA_HEAP:-1g} -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2.properties" -Dkafka.log.file="$dir/server.log" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  echo $! > "$dir/pid"
done
echo "$bootstrap" > "$KAFKA_STATE/bootstrap"
node "$KAFKA_SCRIPTS/wait-ready.mjs" "$bootstrap" "$nodes" "${KAFKA_START_TIMEOUT_MS:-90000}" || {
  for n in $(seq 1 "$nodes"); do echo "--- tail of node$n log ---" >&2; tail -n 40 "$KAFKA_STATE/node$n/server.log" >&2 2>/dev/null || tail -n 40 "$KAFKA_STATE/node$n/stdout.log" >&2; done
  exit 1
}
echo "$bootstrap"

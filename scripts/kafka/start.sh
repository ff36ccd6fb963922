#!/usr/bin/env bash
# Start a local KRaft cluster of N combined broker+controller nodes (default 1) on 127.0.0.1.
# Prints the bootstrap list (e.g. 127.0.0.1:19092) on stdout once every node answers.
# Usage: start.sh [--nodes N] [--fresh] [--security]
# --security: one node with SASL_PLAINTEXT, SASL_SSL, mTLS listeners and the StandardAuthorizer
# (scripts/kafka/security.sh lists ports, users and ACLs; the facts go to \$KAFKA_STATE/secure.json).
set -euo pipefail
source "$(dirname "$0")/env.sh"
nodes=1; fresh=0; security=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --security) security=1; shift ;;
    *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
bash "$KAFKA_SCRIPTS/install.sh"
if [ -f "$KAFKA_STATE/cluster.nodes" ] && [ "$(cat "$KAFKA_STATE/cluster.nodes")" != "$nodes" ]; then fresh=1; fi
if [ "$security" = 1 ] && [ "$nodes" != 1 ]; then echo "start.sh: --security runs one node only" >&2; exit 2; fi
# A folder made with the other security setting is started afresh.
if [ -f "$KAFKA_STATE/cluster.security" ] && [ "$(cat "$KAFKA_STATE/cluster.security")" != "$security" ]; then fresh=1; fi
if [ "$fresh" = 1 ]; then bash "$KAFKA_SCRIPTS/stop.sh" >/dev/null 2>&1 || true; rm -rf "$KAFKA_STATE"; fi
mkdir -p "$KAFKA_STATE"
echo "$nodes" > "$KAFKA_STATE/cluster.nodes"
echo "$security" > "$KAFKA_STATE/cluster.security"
if [ "$security" = 1 ]; then
  source "$KAFKA_SCRIPTS/security.sh"
  bash "$KAFKA_SCRIPTS/certs.sh" "$KAFKA_STATE/certs"
fi

voters=""; static_voters=""; bootstrap=""; initial=""
# Kafka before 3.9 lacks KIP-853's dynamic quorum: it names its voters by id
# (controller.quorum.voters), keeps the controller listener out of advertised.listeners and formats
# storage without --standalone / --initial-controllers.
if kafka_version_at_least 3.9; then dynamic_quorum=1; else dynamic_quorum=0; fi
for n in $(seq 1 "$nodes"); do
  voters="${voters:+$voters,}127.0.0.1:$(kafka_controller_port "$n")"
  static_voters="${static_voters:+$static_voters,}$n@127.0.0.1:$(kafka_controller_port "$n")"
  bootstrap="${bootstrap:+$bootstrap,}127.0.0.1:$(kafka_client_port "$n")"
done
replication=$(( nodes >= 3 ? 3 : 1 ))
min_isr=$(( nodes >= 3 ? 2 : 1 ))

# A Kafka UUID as StorageTool's random-uuid prints it (16 random bytes, URL-safe base64, never
# starting with '-'), made without starting a JVM.
random_uuid() { node -e 'let s; do s = require("crypto").randomBytes(16).toString("base64url"); while (s.startsWith("-")); console.log(s)'; }

if [ ! -f "$KAFKA_STATE/cluster.id" ]; then random_uuid > "$KAFKA_STATE/cluster.id"; fi
cluster_id=$(cat "$KAFKA_STATE/cluster.id")

for n in $(seq 1 "$nodes"); do
  dir="$KAFKA_STATE/node$n"; mkdir -p "$dir"
  cport=$(kafka_client_port "$n"); qport=$(kafka_controller_port "$n")
  # group.consumer.*: KIP-848 (groupProtocol 'consumer') groups reconcile at the broker's
  # heartbeat cadence and expire after its session timeout (defaults 5 s and 45 s, floors the
  # same); a test broker runs them at 1 s and 10 s so the tests of that protocol take seconds.
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
$(if [ "$dynamic_quorum" = 1 ]; then echo "controller.quorum.bootstrap.servers=$voters"; else echo "controller.quorum.voters=$static_voters"; fi)
listeners=PLAINTEXT://127.0.0.1:$cport,CONTROLLER://127.0.0.1:$qport
advertised.listeners=PLAINTEXT://127.0.0.1:$cport$([ "$dynamic_quorum" = 1 ] && echo ",CONTROLLER://127.0.0.1:$qport")
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
group.consumer.heartbeat.interval.ms=1000
group.consumer.min.heartbeat.interval.ms=500
group.consumer.session.timeout.ms=10000
group.consumer.min.session.timeout.ms=6000
auto.create.topics.enable=false
log.segment.bytes=268435456
PROPS
  if [ "$security" = 1 ]; then kafka_security_properties "$dir/server.properties"; fi
done

# Format every node that has no storage yet, in parallel (one JVM each). A multi-node quorum is
# formatted on every node with the same initial controller set (id@host:port:directory-id).
initial=""
if [ "$nodes" != 1 ]; then
  for m in $(seq 1 "$nodes"); do
    dir_id_file="$KAFKA_STATE/node$m.dirid"
    [ -f "$dir_id_file" ] || random_uuid > "$dir_id_file"
    initial="${initial:+$initial,}$m@127.0.0.1:$(kafka_controller_port "$m"):$(cat "$dir_id_file")"
  done
fi
format_pids=()
for n in $(seq 1 "$nodes"); do
  dir="$KAFKA_STATE/node$n"
  [ -f "$dir/data/meta.properties" ] && continue
  if [ "$nodes" = 1 ]; then quorum=(--standalone); else quorum=(--initial-controllers "$initial"); fi
  if [ "$dynamic_quorum" = 0 ]; then quorum=(); fi
  if [ "$security" = 1 ]; then mapfile -t scram < <(kafka_security_format_args); quorum+=("${scram[@]}"); fi
  java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$dir/server.properties" "${quorum[@]}" >"$dir/format.log" 2>&1 &
  format_pids+=("$n:$!")
done
for entry in "${format_pids[@]}"; do
  wait "${entry#*:}" || { echo "kafka-stage: formatting node${entry%%:*} failed:" >&2; cat "$KAFKA_STATE/node${entry%%:*}/format.log" >&2; exit 1; }
done

# Something else listening on our ports would answer the readiness check in our place.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pids=()
for n in $(seq 1 "$nodes"); do
  dir="$KAFKA_STATE/node$n"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then pids+=("$(cat "$dir/pid")"); continue; fi
  ports=("$(kafka_client_port "$n")" "$(kafka_controller_port "$n")")
  if [ "$security" = 1 ]; then mapfile -t ports < <(kafka_security_ports); fi
  for port in "${ports[@]}"; do
    if port_in_use "$port"; then
      echo "kafka-stage: port $port is already in use (another broker? set KAFKA_BASE_PORT to move this cluster)" >&2
      exit 1
    fi
  done
  nohup java -Xms256m -Xmx${KAFKA_HEAP:-1g} -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2.properties" -Dkafka.log.file="$dir/server.log" \
    -Dlog4j.configuration="file:$KAFKA_SCRIPTS/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  echo $! > "$dir/pid"
  pids+=("$!")
done
echo "$bootstrap" > "$KAFKA_STATE/bootstrap"
# Nodes start in parallel, but on a small machine each one is slower when there are more.
timeout_ms="${KAFKA_START_TIMEOUT_MS:-$((60000 + 30000 * nodes))}"
pid_list=$(IFS=,; echo "${pids[*]}")
node "$KAFKA_SCRIPTS/wait-ready.mjs" "$bootstrap" "$nodes" "$timeout_ms" "$pid_list" || {
  for n in $(seq 1 "$nodes"); do
    for log in server.log stdout.log; do
      echo "--- tail of $KAFKA_STATE/node$n/$log ---" >&2
      tail -n 40 "$KAFKA_STATE/node$n/$log" >&2 2>/dev/null || true
    done
  done
  # Leave no half-started JVMs holding the ports; the logs stay in $KAFKA_STATE.
  bash "$KAFKA_SCRIPTS/stop.sh" >/dev/null 2>&1 || true
  exit 1
}
if [ "$security" = 1 ]; then
  kafka_security_after_ready || { bash "$KAFKA_SCRIPTS/stop.sh" >/dev/null 2>&1 || true; exit 1; }
fi
echo "$bootstrap"

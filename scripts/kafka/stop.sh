#!/usr/bin/env bash
# Stop every node started by start.sh: SIGTERM (controlled shutdown), then SIGKILL after a grace period.
set -uo pipefail
source "$(dirname "$0")/env.sh"
for pidfile in "$KAFKA_STATE"/node*/pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
done
for pidfile in "$KAFKA_STATE"/node*/pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done

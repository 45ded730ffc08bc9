#!/usr/bin/env bash
# The local Kafka-compatible test broker (nisshi 0.8.1, formerly tansu).
#
#   tools/broker.sh install          build nisshi once into $KAFKA_MCP_CACHE/bin (~16 min on 2 cores)
#   tools/broker.sh start [PORT]     start it on 127.0.0.1:PORT (default 19092), wait until ready
#   tools/broker.sh stop [PORT]      stop it (by pid file)
#   tools/broker.sh status [PORT]    exit 0 when it answers
#   tools/broker.sh seed [PORT]      create demo topics, data and consumer groups (uses the seed example)
#
# Real Apache Kafka is the contract; nisshi's known deviations are listed in README.md.
set -euo pipefail

CACHE="${KAFKA_MCP_CACHE:-$HOME/.cache/kafka-mcp}"
BIN="$CACHE/bin/nisshi"
VERSION="0.8.1"
cmd="${1:-}"
PORT="${2:-${KAFKA_MCP_BROKER_PORT:-19092}}"
PIDFILE="$CACHE/nisshi-$PORT.pid"
LOG="$CACHE/nisshi-$PORT.log"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

say() { printf 'broker: %s\n' "$*" >&2; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

install() {
  if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
    return 0
  fi
  mkdir -p "$CACHE"
  say "building nisshi $VERSION once into $CACHE/bin (about 16 minutes on 2 cores; later runs reuse it)"
  # A lighter release profile: the broker only serves tests.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install nisshi --version "$VERSION" --locked --ignore-rust-version \
      --no-default-features --features dynostore --root "$CACHE" >&2
}

start() {
  install
  if listening; then
    say "already listening on 127.0.0.1:$PORT"
    return 0
  fi
  mkdir -p "$CACHE"
  RUST_LOG="${NISSHI_LOG:-warn}" nohup "$BIN" broker \
    --listener-url "tcp://127.0.0.1:$PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PORT" \
    --storage-engine "memory://nisshi-$PORT/" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if listening; then
      say "nisshi listening on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $LOG)"
      return 0
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      say "nisshi exited; its log:"; cat "$LOG" >&2; return 1
    fi
    sleep 0.1
  done
  say "nisshi did not start listening on $PORT within 10 s; log: $LOG"
  return 1
}

stop() {
  if [ -f "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    say "stopped nisshi on $PORT"
  fi
}

seed() {
  start
  (cd "$ROOT" && cargo run --quiet --release --example seed -- "127.0.0.1:$PORT")
}

case "$cmd" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) listening ;;
  seed) seed ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac

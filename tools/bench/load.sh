#!/usr/bin/env bash
# Load: 100 concurrent tool calls over stdio (one session, pipelined) and over streamable HTTP
# (100 sessions at once) against a local broker, in release mode. Prints p50/p90/p99 and the
# server's RSS per round (tests/hardening_load.rs; HARDENING.md records a run).
#
#   tools/bench/load.sh [ROUNDS]      default 10 rounds; broker on 127.0.0.1:${KAFKA_MCP_LOAD_PORT:-19510}
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${KAFKA_MCP_LOAD_PORT:-19510}"
tools/broker.sh start "$PORT"
trap 'tools/broker.sh stop "$PORT"' EXIT
KAFKA_MCP_TEST_BOOTSTRAP="127.0.0.1:$PORT" KAFKA_MCP_REQUIRE_BROKER=1 KAFKA_MCP_LOAD_ROUNDS="${1:-10}" \
  cargo test --release --test hardening_load -- --nocapture --test-threads 1 2>&1 | grep -E '^load |^test result'

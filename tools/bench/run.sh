#!/usr/bin/env bash
# Runs the benchmarks on real Kafka (KAFKA_HOME; a 3-node cluster) or, without a distribution or
# with KAFKA_MCP_BENCH_NISSHI=1, on the stand-in nisshi broker on its own port (default 19600);
# builds the release binary and the bench example, runs them, stops the broker.
# Extra args go to the bench runner, e.g. tools/bench/run.sh --iters 30
# The markdown table goes to stdout; progress to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED="$(cd .. && pwd)/shared/kafka/kafka_2.13-4.1.0"
if [ -z "${KAFKA_HOME:-}" ] && [ -d "$SHARED" ]; then export KAFKA_HOME="$SHARED"; fi
if [ -n "${KAFKA_HOME:-}" ] && [ -z "${KAFKA_MCP_BENCH_NISSHI:-}" ]; then
  # Real Apache Kafka: a 3-node KRaft cluster on 127.0.0.1:19801-19803, kept between runs
  # (the seed is idempotent); `tools/kafka-cluster.sh down bench` wipes it.
  tools/kafka-cluster.sh up bench 3 19800 >&2
  BOOTSTRAP="$(tools/kafka-cluster.sh bootstrap bench)"
  export KAFKA_MCP_BENCH_BROKER="real Apache Kafka from $KAFKA_HOME, 3-node KRaft"
else
  PORT="${KAFKA_MCP_BENCH_PORT:-19600}"
  case "$PORT" in 1960[0-9]|19610) ;; *) echo "bench: use a port in 19600-19610" >&2; exit 2 ;; esac
  tools/broker.sh start "$PORT"
  trap 'tools/broker.sh stop "$PORT"' EXIT
  BOOTSTRAP="127.0.0.1:$PORT"
fi
# Two invocations: built together, the binary would get the dev-dependency features the example
# unifies in (a different binary from `cargo build --release`).
cargo build --release --bin kafka-mcp >&2
cargo build --release --example bench >&2
target/release/examples/bench --bootstrap "$BOOTSTRAP" --bin target/release/kafka-mcp "$@"

#!/usr/bin/env bash
# Runs the benchmarks: installs/starts the local nisshi broker on its own port (default 19600),
# builds the release binary and the bench example, runs them, stops the broker.
# Extra args go to the bench runner, e.g. tools/bench/run.sh --iters 30
# The markdown table goes to stdout; progress to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${KAFKA_MCP_BENCH_PORT:-19600}"
case "$PORT" in 1960[0-9]|19610) ;; *) echo "bench: use a port in 19600-19610" >&2; exit 2 ;; esac
tools/broker.sh start "$PORT"
trap 'tools/broker.sh stop "$PORT"' EXIT
# Two invocations: built together, the binary would get the dev-dependency features the example
# unifies in (a different binary from `cargo build --release`).
cargo build --release --bin kafka-mcp >&2
cargo build --release --example bench >&2
target/release/examples/bench --bootstrap "127.0.0.1:$PORT" --bin target/release/kafka-mcp "$@"

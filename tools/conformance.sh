#!/usr/bin/env bash
# MCP conformance of kafka-mcp, with the official tools:
#   1. @modelcontextprotocol/conformance: the server protocol scenarios that need no fixtures of
#      their own (no test_* tools/prompts/resources), against `kafka-mcp serve --http`;
#   2. @modelcontextprotocol/inspector --cli, over stdio and over HTTP: tools/list with the
#      strict schema lint (every warning counts), resources, templates, prompts, a tool call,
#      logging/setLevel.
# No Kafka needed: the server points at an unreachable bootstrap (127.0.0.1:1).
#
# Usage: tools/conformance.sh [path/to/kafka-mcp]   (default: builds target/debug/kafka-mcp)
# Exits non-zero when any scenario or check fails; results stay in $OUT (printed at the end).
#
# The npm packages (pinned below) are installed on first use into $KAFKA_MCP_NPM_CACHE
# (default ~/.cache/kafka-mcp/npm), with Node 22 from the npm registry's `node` package when
# the machine's Node is older than the Inspector needs (>= 22.19). Later runs reuse them.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${KAFKA_MCP_NPM_CACHE:-$HOME/.cache/kafka-mcp/npm}"
CONFORMANCE_VERSION=0.1.16
INSPECTOR_VERSION=2.12.0
NODE_PACKAGE_VERSION=22 # the `node` npm package: ships a Node 22 binary
NODE_MIN=22.19.0        # @modelcontextprotocol/inspector's engines.node
OUT="${KAFKA_MCP_CONFORMANCE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/kafka-mcp-conformance.XXXXXX")}"

# Server scenarios that test the protocol itself. Left out, because they need fixtures of
# their own (tools, prompts or resources named test_* that only the SDKs' "everything" test
# servers have): tools-call-*, resources-read-*, resources-templates-read, prompts-get-*,
# completion-complete (asks for prompt test_prompt_with_arguments; kafka-mcp answers -32602
# for an unknown prompt, as the completion spec says), json-schema-2020-12,
# elicitation-sep1034-defaults, elicitation-sep1330-enums, server-sse-polling
# (test_reconnection), resources-subscribe/unsubscribe (kafka-mcp does not offer subscriptions).
SCENARIOS=(
  server-initialize
  ping
  logging-set-level
  tools-list
  resources-list
  prompts-list
  server-sse-multiple-streams
  dns-rebinding-protection
)

mkdir -p "$OUT"
started=$(date +%s)
say() { printf '%s\n' "conformance: $*" >&2; }

version_ge() { # version_ge A B: A >= B
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# --- Node and the packages -------------------------------------------------------------------
command -v npm >/dev/null || { say "npm is required (apt-get install npm)"; exit 2; }
NODE="$(command -v node || true)"
if [ -z "$NODE" ] || ! version_ge "$("$NODE" --version | tr -d v)" "$NODE_MIN"; then
  NODE="$CACHE/node/node_modules/node/bin/node"
  if [ ! -x "$NODE" ] || ! version_ge "$("$NODE" --version | tr -d v)" "$NODE_MIN"; then
    say "installing Node $NODE_PACKAGE_VERSION (npm package 'node') into $CACHE/node"
    mkdir -p "$CACHE/node"
    npm install --silent --no-audit --no-fund --prefix "$CACHE/node" "node@$NODE_PACKAGE_VERSION" >&2
  fi
fi
export PATH="$(dirname "$NODE"):$PATH"
say "node $("$NODE" --version) ($NODE)"

TOOLS="$CACHE/tools"
STAMP="$TOOLS/.versions"
WANT="conformance@$CONFORMANCE_VERSION inspector@$INSPECTOR_VERSION"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  say "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION and @modelcontextprotocol/inspector@$INSPECTOR_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" \
    "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" \
    "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2
  echo "$WANT" >"$STAMP"
fi
CONFORMANCE="$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js"
INSPECTOR="$TOOLS/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"

# --- The server ------------------------------------------------------------------------------
BIN="${1:-}"
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build --quiet --bin kafka-mcp)
  BIN="$ROOT/target/debug/kafka-mcp"
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
[ -x "$BIN" ] || { say "no kafka-mcp binary at $BIN"; exit 2; }

SERVER_ENV=(env -u KAFKA_MCP_CONFIG -u KAFKA_MCP_TOKEN KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 KAFKA_MCP_TIMEOUT_MS=1000 RUST_LOG=warn)
"${SERVER_ENV[@]}" "$BIN" serve --http 127.0.0.1:0 2>"$OUT/server.log" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 200); do
  URL="$(sed -n 's/.*listening on \(http:\/\/[^ ]*\/mcp\).*/\1/p' "$OUT/server.log" | head -n1)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; say "server did not start"; exit 2; }
  sleep 0.05
done
[ -n "$URL" ] || { say "server did not report its address"; exit 2; }
say "server at $URL"

failed=()

# --- 1. Conformance scenarios ----------------------------------------------------------------
for s in "${SCENARIOS[@]}"; do
  if "$NODE" "$CONFORMANCE" server --url "$URL" --scenario "$s" -o "$OUT/conformance" \
    >"$OUT/scenario-$s.log" 2>&1; then
    say "PASS scenario $s"
  else
    say "FAIL scenario $s (see $OUT/scenario-$s.log)"
    sed 's/^/    /' "$OUT/scenario-$s.log" | tail -n 30 >&2
    failed+=("scenario $s")
  fi
done

# --- 2. Inspector CLI, over stdio and HTTP ---------------------------------------------------
# inspector NAME TRANSPORT ARGS...: runs the Inspector CLI; passes when it exits 0, its
# stdout is JSON, and (for tools/list) stderr holds no schema portability finding.
inspector() {
  local name="$1" transport="$2"
  shift 2
  local log="$OUT/inspector-$transport-$name.log"
  local target=()
  if [ "$transport" = stdio ]; then
    target=(-e KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 -e KAFKA_MCP_TIMEOUT_MS=1000 -e RUST_LOG=warn -- "$BIN")
  else
    target=(--transport http --server-url "$URL")
  fi
  local ok=1
  if ! (cd "$OUT" && env -u KAFKA_MCP_CONFIG HOME="$OUT/home" \
    "$NODE" "$INSPECTOR" --cli "$@" "${target[@]}" >"$log.out" 2>"$log.err"); then
    ok=0
  fi
  if ! "$NODE" -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$log.out" 2>/dev/null; then
    ok=0
  fi
  # Without --strict a finding prints a one-line count; with it, the findings themselves.
  if grep -q "Schema portability\|Warning: tool\|Error: tool" "$log.err"; then
    ok=0
  fi
  if [ "$ok" = 1 ]; then
    say "PASS inspector $transport $name"
  else
    say "FAIL inspector $transport $name (see $log.out / $log.err)"
    tail -n 30 "$log.err" | sed 's/^/    /' >&2
    failed+=("inspector $transport $name")
  fi
}

mkdir -p "$OUT/home"
for transport in stdio http; do
  inspector tools-list "$transport" --method tools/list --strict
  inspector resources-list "$transport" --method resources/list
  inspector templates-list "$transport" --method resources/templates/list
  inspector prompts-list "$transport" --method prompts/list
  inspector prompts-get "$transport" --method prompts/get --prompt-name diagnose-consumer-lag --prompt-args group=billing
  inspector set-level "$transport" --method logging/setLevel --log-level warning
  inspector call-schema-validate "$transport" --method tools/call --tool-name schema_validate \
    --tool-arg action=validate 'schema="string"'
done

elapsed=$(($(date +%s) - started))
if [ "${#failed[@]}" -gt 0 ]; then
  say "${#failed[@]} failed in ${elapsed}s: ${failed[*]} (results in $OUT)"
  exit 1
fi
say "all ${#SCENARIOS[@]} scenarios and the Inspector checks passed in ${elapsed}s (results in $OUT)"

#!/usr/bin/env bash
# Real Apache Kafka KRaft clusters on loopback, from a Kafka 4.x distribution in $KAFKA_HOME.
# Every node is a combined broker+controller with a static quorum; data and logs live under
# $KAFKA_MCP_CLUSTERS/<name>/ (default /tmp/kafka-mcp-clusters), never in the distribution
# (which may be read-only). Several clusters run at once on distinct port bases.
#
#   tools/kafka-cluster.sh up NAME [NODES] [BASE] [--auth]
#                             format (once) and start NODES nodes (default 3) on BASE (default
#                             19100), wait until every node logged "Kafka Server started" (the
#                             quorum has a leader, the broker is registered and unfenced). --auth adds a SASL_PLAINTEXT (SCRAM-SHA-512) and an SSL
#                             listener per node, with the user admin/admin-secret and a CA made
#                             here (NAME/ca.pem for clients).
#   tools/kafka-cluster.sh wait NAME [BROKERS]  ask the CLI until the quorum has a leader and that
#                             many brokers are registered (default: all)
#   tools/kafka-cluster.sh kill NAME NODE     SIGKILL one node (a crash)
#   tools/kafka-cluster.sh stop NAME [NODE]   graceful stop of one node, or of all
#   tools/kafka-cluster.sh start NAME NODE    start one stopped/killed node again and wait for its port
#   tools/kafka-cluster.sh down NAME          stop every node and wipe the cluster's directory
#   tools/kafka-cluster.sh bootstrap NAME     print bootstrap.servers (PLAINTEXT listeners)
#   tools/kafka-cluster.sh status NAME        one line per node: id, port, running or not
#
# Ports, for node i (1-based): PLAINTEXT BASE+i, CONTROLLER BASE+50+i, SASL_PLAINTEXT BASE+20+i,
# SSL BASE+30+i. Bases in use: the test suite 19100, tests of their own 19200-19519 and 19900
# (tests/common/real.rs), the quick start 19090, the benchmarks 19800. Pick another for your own.
# Environment: KAFKA_HOME (required), KAFKA_MCP_CLUSTERS, KAFKA_MCP_NODE_HEAP (default
# "-Xms256m -Xmx512m"), KAFKA_MCP_CLUSTER_EXTRA (extra server properties, one per line, at
# format time), KAFKA_MCP_ADVERTISED_BASE (advertise BASE'+i instead of BASE+i: a proxy in front).
set -euo pipefail

say() { printf 'kafka-cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

cmd="${1:-}"
NAME="${2:-}"
[ -n "$cmd" ] && [ -n "$NAME" ] || { sed -n '2,31p' "$0" >&2; exit 2; }
[ -n "${KAFKA_HOME:-}" ] || die "KAFKA_HOME is not set: point it at a Kafka 4.x distribution (bin/kafka-server-start.sh)"
[ -x "$KAFKA_HOME/bin/kafka-server-start.sh" ] || die "KAFKA_HOME=$KAFKA_HOME has no bin/kafka-server-start.sh"
command -v java >/dev/null || die "java is not on PATH (Kafka 4.x needs Java 17+)"

ROOT="${KAFKA_MCP_CLUSTERS:-/tmp/kafka-mcp-clusters}"
DIR="$ROOT/$NAME"
# Kafka's scripts read these; a caller's own settings must not leak into the nodes' JVMs.
unset KAFKA_OPTS KAFKA_JMX_OPTS JMX_PORT KAFKA_LOG4J_OPTS KAFKA_DEBUG
export KAFKA_HEAP_OPTS="${KAFKA_MCP_NODE_HEAP:--Xms256m -Xmx512m}"
export KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"

meta() { sed -n "s/^$1=//p" "$DIR/cluster.env" 2>/dev/null; }
nodes() { meta nodes; }
base() { meta base; }
port_of() { echo $(( $(base) + $1 )); }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_of() { cat "$DIR/node-$1/pid" 2>/dev/null || true; }
running() { local p; p="$(pid_of "$1")"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

bootstrap() {
  local n b out=""
  n="$(nodes)"; b="$(base)"
  for i in $(seq 1 "$n"); do out="${out:+$out,}127.0.0.1:$((b + i))"; done
  echo "$out"
}

# A quorum leader and `want` registered brokers, asked of any node that answers.
ready() {
  local want="$1" i port status brokers
  for i in $(seq 1 "$(nodes)"); do
    port="$(port_of "$i")"
    listening "$port" || continue
    status="$("$KAFKA_HOME/bin/kafka-metadata-quorum.sh" --bootstrap-server "127.0.0.1:$port" \
      describe --status 2>/dev/null)" || continue
    echo "$status" | grep -Eq '^LeaderId:[[:space:]]+[0-9]+' || continue
    brokers="$("$KAFKA_HOME/bin/kafka-broker-api-versions.sh" --bootstrap-server "127.0.0.1:$port" \
      2>/dev/null | grep -c '(id: ' || true)"
    [ "$brokers" -ge "$want" ] && return 0
  done
  return 1
}

wait_ready() {
  local want="${1:-$(nodes)}" limit="${KAFKA_MCP_CLUSTER_WAIT_S:-120}" start=$SECONDS
  while ! ready "$want"; do
    for i in $(seq 1 "$(nodes)"); do
      if [ -f "$DIR/node-$i/pid" ] && ! running "$i" && [ ! -f "$DIR/node-$i/stopped" ]; then
        say "node $i of $NAME exited; the end of its log:"; tail -n 40 "$DIR/node-$i/out.log" >&2
        return 1
      fi
    done
    if (( SECONDS - start > limit )); then
      say "$NAME: no quorum leader with $want registered brokers after ${limit}s; logs in $DIR/node-*/out.log"
      return 1
    fi
    sleep 1
  done
  say "$NAME ready: $want broker(s), bootstrap $(bootstrap)"
}

make_tls() {
  # A CA and one key pair for every node (SAN 127.0.0.1 and localhost), made with keytool.
  local t="$DIR/tls" pass="kafka-mcp-test"
  mkdir -p "$t"
  keytool -genkeypair -alias ca -keyalg RSA -keysize 2048 -dname "CN=kafka-mcp-test-ca" -validity 30 \
    -ext bc:c -keystore "$t/ca.p12" -storetype PKCS12 -storepass "$pass" -keypass "$pass" 2>/dev/null
  keytool -exportcert -rfc -alias ca -keystore "$t/ca.p12" -storepass "$pass" >"$DIR/ca.pem" 2>/dev/null
  keytool -genkeypair -alias node -keyalg RSA -keysize 2048 -dname "CN=localhost" -validity 30 \
    -keystore "$t/node.p12" -storetype PKCS12 -storepass "$pass" -keypass "$pass" 2>/dev/null
  keytool -certreq -alias node -keystore "$t/node.p12" -storepass "$pass" 2>/dev/null |
    keytool -gencert -alias ca -keystore "$t/ca.p12" -storepass "$pass" -rfc -validity 30 \
      -ext "SAN=IP:127.0.0.1,DNS:localhost" >"$t/node.pem" 2>/dev/null
  keytool -importcert -noprompt -alias ca -file "$DIR/ca.pem" -keystore "$t/node.p12" -storepass "$pass" >/dev/null 2>&1
  keytool -importcert -noprompt -alias node -file "$t/node.pem" -keystore "$t/node.p12" -storepass "$pass" >/dev/null 2>&1
}

write_props() {
  local i="$1" n="$2" b="$3" auth="$4" voters="" f="$DIR/node-$i/server.properties"
  for j in $(seq 1 "$n"); do voters="${voters:+$voters,}$j@127.0.0.1:$((b + 50 + j))"; done
  local rf=$(( n < 3 ? n : 3 )) listeners adv map
  listeners="PLAINTEXT://127.0.0.1:$((b + i)),CONTROLLER://127.0.0.1:$((b + 50 + i))"
  # KAFKA_MCP_ADVERTISED_BASE: advertise another port (a test proxy in front of the node).
  adv="PLAINTEXT://127.0.0.1:$(( ${KAFKA_MCP_ADVERTISED_BASE:-$b} + i ))"
  map="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [ "$auth" = 1 ]; then
    listeners="$listeners,SASL_PLAINTEXT://127.0.0.1:$((b + 20 + i)),SSL://127.0.0.1:$((b + 30 + i))"
    adv="$adv,SASL_PLAINTEXT://127.0.0.1:$((b + 20 + i)),SSL://127.0.0.1:$((b + 30 + i))"
    map="$map,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL"
  fi
  mkdir -p "$DIR/node-$i/data" "$DIR/node-$i/logs"
  cat >"$f" <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=$listeners
advertised.listeners=$adv
listener.security.protocol.map=$map
log.dirs=$DIR/node-$i/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=16777216
log.retention.check.interval.ms=30000
EOF
  if [ "$auth" = 1 ]; then
    cat >>"$f" <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";
ssl.keystore.type=PKCS12
ssl.keystore.location=$DIR/tls/node.p12
ssl.keystore.password=kafka-mcp-test
ssl.key.password=kafka-mcp-test
ssl.truststore.type=PKCS12
ssl.truststore.location=$DIR/tls/node.p12
ssl.truststore.password=kafka-mcp-test
ssl.client.auth=none
EOF
  fi
  if [ -n "${KAFKA_MCP_CLUSTER_EXTRA:-}" ]; then printf '%s\n' "$KAFKA_MCP_CLUSTER_EXTRA" >>"$f"; fi
}

start_node() {
  local i="$1" port
  port="$(port_of "$i")"
  if running "$i"; then return 0; fi
  if listening "$port"; then die "port $port is taken by another process (not node $i of $NAME)"; fi
  rm -f "$DIR/node-$i/stopped"
  LOG_DIR="$DIR/node-$i/logs" nohup "$KAFKA_HOME/bin/kafka-server-start.sh" \
    "$DIR/node-$i/server.properties" >"$DIR/node-$i/out.log" 2>&1 </dev/null &
  echo $! >"$DIR/node-$i/pid"
}

# A node is up when it logged "Kafka Server started": KRaft brokers get there only once the
# quorum has a leader, the broker is registered, caught up with the metadata log and unfenced.
wait_started() {
  local i="$1" start=$SECONDS limit="${KAFKA_MCP_CLUSTER_WAIT_S:-120}"
  until grep -q 'Kafka Server started' "$DIR/node-$i/out.log" 2>/dev/null; do
    if ! running "$i"; then say "node $i of $NAME exited:"; tail -n 40 "$DIR/node-$i/out.log" >&2; return 1; fi
    (( SECONDS - start < limit )) || { say "node $i of $NAME did not start in ${limit} s; log $DIR/node-$i/out.log"; return 1; }
    sleep 0.2
  done
}

stop_node() {
  local i="$1" sig="${2:-TERM}" p
  p="$(pid_of "$i")"
  touch "$DIR/node-$i/stopped"
  [ -n "$p" ] || return 0
  kill -"$sig" "$p" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$p" 2>/dev/null || true
}

up() {
  local n="${1:-3}" b="${2:-19100}" auth=0
  [ "${3:-}" = "--auth" ] && auth=1
  if [ -f "$DIR/cluster.env" ]; then
    [ "$(nodes)" = "$n" ] && [ "$(base)" = "$b" ] ||
      die "$NAME exists with $(nodes) nodes on base $(base); run: $0 down $NAME"
  else
    mkdir -p "$DIR"
    printf 'nodes=%s\nbase=%s\nauth=%s\n' "$n" "$b" "$auth" >"$DIR/cluster.env"
    [ "$auth" = 1 ] && make_tls
    local id; id="$("$KAFKA_HOME/bin/kafka-storage.sh" random-uuid)"
    local scram=()
    [ "$auth" = 1 ] && scram=(--add-scram 'SCRAM-SHA-512=[name=admin,password=admin-secret]'
                               --add-scram 'SCRAM-SHA-256=[name=admin,password=admin-secret]')
    for i in $(seq 1 "$n"); do
      write_props "$i" "$n" "$b" "$auth"
      "$KAFKA_HOME/bin/kafka-storage.sh" format -t "$id" -c "$DIR/node-$i/server.properties" \
        "${scram[@]}" >"$DIR/node-$i/format.log" 2>&1 ||
        { cat "$DIR/node-$i/format.log" >&2; die "formatting node $i of $NAME failed"; }
    done
  fi
  for i in $(seq 1 "$n"); do start_node "$i"; done
  for i in $(seq 1 "$n"); do wait_started "$i"; done
  say "$NAME ready: $n node(s), bootstrap $(bootstrap)"
}

case "$cmd" in
  up) shift 2; up "$@" ;;
  wait) [ -f "$DIR/cluster.env" ] || die "no cluster $NAME"; wait_ready "${3:-}" ;;
  bootstrap) [ -f "$DIR/cluster.env" ] || die "no cluster $NAME"; bootstrap ;;
  kill) stop_node "${3:?node}" KILL; say "killed node $3 of $NAME" ;;
  stop)
    if [ -n "${3:-}" ]; then stop_node "$3"; else for i in $(seq 1 "$(nodes)"); do stop_node "$i"; done; fi ;;
  start) start_node "${3:?node}"; wait_started "$3"; say "node $3 of $NAME started on $(port_of "$3")" ;;
  status)
    for i in $(seq 1 "$(nodes)"); do
      if running "$i"; then s=running; else s=down; fi
      echo "node $i port $(port_of "$i") $s"
    done ;;
  down)
    if [ -f "$DIR/cluster.env" ]; then for i in $(seq 1 "$(nodes)"); do stop_node "$i" KILL; done; fi
    rm -rf "$DIR"; say "$NAME stopped and wiped" ;;
  *) sed -n '2,31p' "$0" >&2; exit 2 ;;
esac

//! Real Apache Kafka for tests: KRaft clusters of a test's own, started from `$KAFKA_HOME` by
//! `tools/kafka-cluster.sh`, and Kafka's own CLI as the ground truth to assert against.
//!
//! Port bases in use (node i listens on BASE+i, its controller on BASE+50+i, SASL on
//! BASE+20+i, SSL on BASE+30+i): the suite's shared cluster 19100 (tools/test), `real_health`
//! 19200, `real_config` 19300, `real_auth` 19400, the hardening tests' own brokers 19500-19519
//! (one node each, `OwnBroker`), the TLS hardening test 19900; outside tests, the quick start
//! 19090 and the benchmarks 19800.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// `$KAFKA_HOME` when it holds a Kafka distribution; otherwise `None` with the reason on stderr.
/// Under `KAFKA_MCP_REQUIRE_KAFKA=1` (tools/test with KAFKA_HOME) a missing one is a failure.
pub fn kafka_home() -> Option<PathBuf> {
    match std::env::var("KAFKA_HOME") {
        Ok(h) if Path::new(&h).join("bin/kafka-server-start.sh").exists() => Some(PathBuf::from(h)),
        _ => {
            if std::env::var("KAFKA_MCP_REQUIRE_KAFKA").is_ok() {
                panic!("KAFKA_MCP_REQUIRE_KAFKA is set but KAFKA_HOME is not a Kafka distribution");
            }
            eprintln!("skipping real-Kafka test: KAFKA_HOME is not set (see README, Tests)");
            None
        }
    }
}

/// True when the suite's shared broker is real Apache Kafka (not the stand-in).
pub fn suite_is_real() -> bool {
    std::env::var("KAFKA_MCP_TEST_KAFKA").as_deref() == Ok("real")
}

/// The suite's bootstrap when it is real Kafka; otherwise `None` with the reason on stderr
/// (the stand-in lacks what these tests check).
pub fn real_suite() -> Option<String> {
    let b = crate::common::bootstrap()?;
    if !suite_is_real() {
        eprintln!("skipping: the suite's broker is not real Kafka (set KAFKA_HOME, see README)");
        return None;
    }
    Some(b)
}

/// A stdio server on `b` with writes enabled and a 10 s deadline.
pub fn writable_server(b: &str) -> crate::common::Stdio {
    crate::common::Stdio::start(
        &["--allow-writes"],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", b),
            ("KAFKA_MCP_TIMEOUT_MS", "10000"),
        ],
    )
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/kafka-cluster.sh")
}

/// Runs `$KAFKA_HOME/bin/<tool> args…` with a small, quick-starting JVM and returns stdout.
/// Panics with stderr when the tool fails.
pub fn cli(tool: &str, args: &[&str]) -> String {
    let (out, err, ok) = cli_status(tool, args);
    assert!(ok, "{tool} {args:?} failed: {err}\n{out}");
    out
}

/// Same, returning (stdout, stderr, success) without judging.
pub fn cli_status(tool: &str, args: &[&str]) -> (String, String, bool) {
    let home = std::env::var("KAFKA_HOME").expect("KAFKA_HOME");
    let out = Command::new(Path::new(&home).join("bin").join(tool))
        .args(args)
        .env_remove("KAFKA_OPTS")
        .env_remove("KAFKA_LOG4J_OPTS")
        .env("KAFKA_HEAP_OPTS", "-Xms64m -Xmx256m")
        .env(
            "KAFKA_JVM_PERFORMANCE_OPTS",
            "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true",
        )
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

/// A KRaft cluster this test started and alone controls; wiped on drop.
pub struct Cluster {
    /// Its name under the clusters' directory.
    pub name: String,
    /// Number of nodes (each broker+controller).
    pub nodes: u16,
    /// Port base: node i listens on base+i.
    pub base: u16,
}

impl Cluster {
    /// Starts `nodes` nodes on `base` and waits until every one is registered and unfenced.
    pub fn up(name: &str, nodes: u16, base: u16) -> Cluster {
        Cluster::up_with(name, nodes, base, &[], &[])
    }

    /// Same, with a SASL_PLAINTEXT (SCRAM-SHA-512/256, PLAIN; user admin/admin-secret) and an
    /// SSL listener per node; the CA is [`Cluster::ca_pem`].
    pub fn up_auth(name: &str, nodes: u16, base: u16) -> Cluster {
        Cluster::up_with(name, nodes, base, &["--auth"], &[])
    }

    /// Starts with extra script flags and environment (e.g. `KAFKA_MCP_ADVERTISED_BASE`,
    /// `KAFKA_MCP_CLUSTER_EXTRA`).
    pub fn up_with(
        name: &str,
        nodes: u16,
        base: u16,
        flags: &[&str],
        env: &[(&str, &str)],
    ) -> Cluster {
        let c = Cluster {
            name: name.to_string(),
            nodes,
            base,
        };
        c.run(&["down"], &[]);
        let mut args = vec!["up".to_string(), name.to_string()];
        args.push(nodes.to_string());
        args.push(base.to_string());
        args.extend(flags.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, log) = c.script_status(&args, env);
        assert!(ok, "cluster {name} did not come up:\n{log}");
        c
    }

    fn script_status(&self, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = Command::new("bash");
        cmd.arg(script()).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run tools/kafka-cluster.sh");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    fn run(&self, args: &[&str], extra: &[&str]) -> String {
        let mut all = vec![args[0], self.name.as_str()];
        all.extend_from_slice(&args[1..]);
        all.extend_from_slice(extra);
        let out = Command::new("bash")
            .arg(script())
            .args(&all)
            .output()
            .expect("run tools/kafka-cluster.sh");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if args[0] != "down" {
            assert!(out.status.success(), "kafka-cluster.sh {all:?}: {log}");
        }
        log
    }

    /// `bootstrap.servers` over every node's PLAINTEXT listener.
    pub fn bootstrap(&self) -> String {
        (1..=self.nodes)
            .map(|i| format!("127.0.0.1:{}", self.port(i)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// PLAINTEXT port of node `i`.
    pub fn port(&self, i: u16) -> u16 {
        self.base + i
    }

    /// SASL_PLAINTEXT port of node `i` (clusters from [`Cluster::up_auth`]).
    pub fn sasl_port(&self, i: u16) -> u16 {
        self.base + 20 + i
    }

    /// SSL port of node `i` (clusters from [`Cluster::up_auth`]).
    pub fn ssl_port(&self, i: u16) -> u16 {
        self.base + 30 + i
    }

    /// The CA certificate (PEM) that signed the nodes' SSL certificates.
    pub fn ca_pem(&self) -> PathBuf {
        clusters_dir().join(&self.name).join("ca.pem")
    }

    /// The cluster id the nodes were formatted with (node 1's `meta.properties`).
    pub fn cluster_id(&self) -> String {
        let meta = clusters_dir()
            .join(&self.name)
            .join("node-1/data/meta.properties");
        std::fs::read_to_string(&meta)
            .unwrap_or_else(|e| panic!("{}: {e}", meta.display()))
            .lines()
            .find_map(|l| l.strip_prefix("cluster.id="))
            .expect("cluster.id in meta.properties")
            .trim()
            .to_string()
    }

    /// The JVM process id of node `i`, while it runs.
    pub fn pid(&self, i: u16) -> Option<u32> {
        std::fs::read_to_string(
            clusters_dir()
                .join(&self.name)
                .join(format!("node-{i}/pid")),
        )
        .ok()?
        .trim()
        .parse()
        .ok()
    }

    /// SIGKILL node `i` (a crash).
    pub fn kill(&self, i: u16) {
        self.run(&["kill", &i.to_string()], &[]);
    }

    /// Graceful stop of node `i`.
    pub fn stop(&self, i: u16) {
        self.run(&["stop", &i.to_string()], &[]);
    }

    /// Starts node `i` again and waits until it is registered.
    pub fn start(&self, i: u16) {
        self.run(&["start", &i.to_string()], &[]);
    }

    /// Asks the CLI until the quorum has a leader and every broker is registered.
    pub fn wait_all(&self) {
        self.run(&["wait"], &[]);
    }

    /// `bootstrap.servers` over the nodes that are running now.
    pub fn live_bootstrap(&self) -> String {
        let status = self.run(&["status"], &[]);
        status
            .lines()
            .filter(|l| l.ends_with("running"))
            .filter_map(|l| l.split_whitespace().nth(3))
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The quorum leader's id as `kafka-metadata-quorum.sh describe --status` reports it,
    /// asked until it names one (a new election takes a few seconds) or `limit` passes.
    pub fn quorum_leader(&self, limit: Duration) -> Option<i64> {
        let start = Instant::now();
        loop {
            let b = self.live_bootstrap();
            let (out, _, ok) = cli_status(
                "kafka-metadata-quorum.sh",
                &["--bootstrap-server", &b, "describe", "--status"],
            );
            if ok {
                if let Some(id) = out
                    .lines()
                    .find_map(|l| l.strip_prefix("LeaderId:"))
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .filter(|id| *id >= 0)
                {
                    return Some(id);
                }
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.run(&["down"], &[]);
    }
}

/// Where tools/kafka-cluster.sh keeps clusters.
pub fn clusters_dir() -> PathBuf {
    std::env::var("KAFKA_MCP_CLUSTERS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/tmp/kafka-mcp-clusters"))
}

/// `kafka-configs.sh --describe` of a topic: its dynamic overrides, or with `all` every config
/// with its synonyms.
pub fn cli_topic_configs(bootstrap: &str, topic: &str, all: bool) -> String {
    let mut args = vec![
        "--bootstrap-server",
        bootstrap,
        "--entity-type",
        "topics",
        "--entity-name",
        topic,
        "--describe",
    ];
    if all {
        args.push("--all");
    }
    cli("kafka-configs.sh", &args)
}

/// `kafka-topics.sh --describe` with one of its partition filters
/// (`--under-replicated-partitions`, `--under-min-isr-partitions`, `--at-min-isr-partitions`,
/// `--unavailable-partitions`): the `(topic, partition)` pairs it lists.
pub fn cli_partitions(bootstrap: &str, filter: &str) -> Vec<(String, i32)> {
    let out = cli(
        "kafka-topics.sh",
        &["--bootstrap-server", bootstrap, "--describe", filter],
    );
    let mut v: Vec<(String, i32)> = out
        .lines()
        .filter_map(|l| {
            let mut topic = None;
            let mut part = None;
            for f in l.split('\t') {
                let f = f.trim();
                if let Some(t) = f.strip_prefix("Topic: ") {
                    topic = Some(t.to_string());
                }
                if let Some(p) = f.strip_prefix("Partition: ") {
                    part = p.parse().ok();
                }
            }
            Some((topic?, part?))
        })
        .collect();
    v.sort();
    v
}

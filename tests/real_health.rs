//! `cluster_health` on a real 3-node Kafka KRaft cluster of this test's own (base 19200), taken
//! through a whole incident: healthy, the quorum leader killed, a second node killed (quorum
//! lost), both back, preferred leaders elected. Every figure is checked against Kafka's own CLI
//! (`kafka-metadata-quorum.sh`, `kafka-topics.sh --under-replicated-partitions` / `--under-min-isr-partitions` /
//! `--at-min-isr-partitions`), never against kafka-mcp itself.

mod common;

use std::time::{Duration, Instant};

use common::real::{cli, cli_partitions, kafka_home, Cluster};
use common::{kafka, text, Stdio};
use serde_json::{json, Value};

const TIMEOUT_MS: u64 = 4000;

fn health(m: &mut Stdio) -> (Value, Duration) {
    let t = Instant::now();
    let r = m.call("cluster_health", json!({"detail": "full"}));
    let took = t.elapsed();
    assert!(
        r.get("isError") != Some(&Value::Bool(true)),
        "cluster_health failed: {}",
        text(&r)
    );
    (r["structuredContent"].clone(), took)
}

/// The status with the disk findings set aside: they describe the test machine's own disk
/// (`disk-high` past 80 % used), not the cluster's state this test provokes.
fn cluster_status(out: &Value) -> &str {
    let others = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["id"].as_str().unwrap_or_default().starts_with("disk-"))
        .count();
    if others == 0 {
        "OK"
    } else {
        out["status"].as_str().unwrap()
    }
}

fn live_ids(out: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = out["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"].as_str().is_none_or(|s| s == "live"))
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    v.sort();
    v
}

fn finding<'a>(out: &'a Value, id: &str) -> Option<&'a Value> {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
}

/// The CLI's partitions under `filter` and kafka-mcp's count, taken when two CLI answers around
/// the tool call agree (the controller fences a dead broker and shrinks ISRs a few seconds
/// after it dies).
fn settled_counts(c: &Cluster, m: &mut Stdio, key: &str, filter: &str) -> (usize, Value) {
    let start = Instant::now();
    loop {
        let b = c.live_bootstrap();
        let before = cli_partitions(&b, filter);
        let (out, _) = health(m);
        let after = cli_partitions(&b, filter);
        if before == after {
            return (before.len(), out["counts"][key].clone());
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{filter} never settled"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn quorum_leader_and_degraded_counts_match_kafka_through_a_whole_incident() {
    if kafka_home().is_none() {
        return;
    }
    let c = Cluster::up_with(
        "real-health",
        3,
        19200,
        &[],
        &[(
            "KAFKA_MCP_CLUSTER_EXTRA",
            "broker.session.timeout.ms=4000\nbroker.heartbeat.interval.ms=1000\nreplica.lag.time.max.ms=5000",
        )],
    );
    let b = c.bootstrap();
    // RF 3 / min ISR 2: at min ISR with one node down. RF 2 / min ISR 2: under min ISR when one
    // of its two replicas is down. RF 3 everywhere keeps every node a replica holder.
    kafka::create_topic_rf(&b, "rh-orders", 6, 3, &[("min.insync.replicas", "2")]);
    kafka::produce(&b, "rh-orders", 60, 6);

    let timeout = TIMEOUT_MS.to_string();
    let mut m = Stdio::start(
        &["--timeout-ms", &timeout],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b), ("RUST_LOG", "warn")],
    );

    // Healthy: OK, three live brokers, the real quorum leader every time.
    let cli_leader = c
        .quorum_leader(Duration::from_secs(30))
        .expect("the CLI names a quorum leader");
    for _ in 0..3 {
        let (out, _) = health(&mut m);
        assert_eq!(cluster_status(&out), "OK", "{out}");
        assert_eq!(out["quorum"]["leader_id"], cli_leader, "{}", out["quorum"]);
        assert_eq!(live_ids(&out), vec![1, 2, 3]);
        assert_eq!(out["cluster_id"], c.cluster_id().as_str());
    }

    // RF 2 / min ISR 2 (at min ISR by design, so made after the healthy checks): under min
    // ISR when one of its two replicas is down.
    kafka::create_topic_rf(&b, "rh-payments", 6, 2, &[("min.insync.replicas", "2")]);

    // The quorum leader dies: a new leader, agreed with the CLI; the dead broker is missing.
    let dead = u16::try_from(cli_leader).unwrap();
    c.kill(dead);
    let new_leader = c
        .quorum_leader(Duration::from_secs(60))
        .expect("a new quorum leader");
    assert_ne!(new_leader, cli_leader);
    let start = Instant::now();
    let out = loop {
        let (out, took) = health(&mut m);
        assert!(took < Duration::from_millis(TIMEOUT_MS + 3000), "{took:?}");
        if out["quorum"]["leader_id"] == new_leader && !live_ids(&out).contains(&cli_leader) {
            break out;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "kafka-mcp never saw the new leader {new_leader} / broker {cli_leader} gone: {out}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_ne!(cluster_status(&out), "OK", "{out}");
    let missing = finding(&out, "brokers-missing").expect("brokers-missing");
    assert!(
        missing
            .to_string()
            .contains(&format!("broker {cli_leader}")),
        "{missing}"
    );

    for (key, filter) in [
        (
            "under_replicated_partitions",
            "--under-replicated-partitions",
        ),
        ("under_min_isr_partitions", "--under-min-isr-partitions"),
        ("at_min_isr_partitions", "--at-min-isr-partitions"),
    ] {
        let (want, got) = settled_counts(&c, &mut m, key, filter);
        assert_eq!(got, json!(want), "{key} vs kafka-topics.sh {filter}");
    }
    let (want_urp, _) = settled_counts(
        &c,
        &mut m,
        "under_replicated_partitions",
        "--under-replicated-partitions",
    );
    assert!(
        want_urp > 0,
        "one node down leaves partitions under-replicated"
    );
    let (out, _) = health(&mut m);
    let text_urp = out.to_string();
    assert!(text_urp.contains("under-replicated"), "{out}");
    // describe says the same of one topic, naming the partitions kafka-topics.sh names.
    let under = cli_partitions(&c.live_bootstrap(), "--under-min-isr-partitions");
    let r = m.call(
        "topic_manage",
        json!({"action": "describe", "topic": "rh-payments"}),
    );
    let health_line = r["structuredContent"]["described"][0]["health"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let first = under
        .iter()
        .find(|(t, _)| t == "rh-payments")
        .map(|(t, p)| format!("{t}-{p}"))
        .expect("kafka-topics.sh lists rh-payments under min ISR");
    assert!(
        health_line.contains("under min ISR") && health_line.contains(&first),
        "{health_line}"
    );

    // A second node dies: the quorum is lost. CRIT within the deadline, never a hang, and
    // neither dead broker reported live.
    let second = (1..=3u16)
        .find(|i| *i != dead && i64::from(*i) != new_leader)
        .unwrap();
    c.kill(second);
    std::thread::sleep(Duration::from_secs(2));
    for _ in 0..3 {
        let t = Instant::now();
        let r = m.call("cluster_health", json!({"detail": "full"}));
        let took = t.elapsed();
        assert!(
            took < Duration::from_millis(2 * TIMEOUT_MS + 2000),
            "quorum lost: answered in {took:?}"
        );
        let out = &r["structuredContent"];
        assert_eq!(out["status"], "CRIT", "{}", text(&r));
        let live = live_ids(out);
        assert!(
            !live.contains(&i64::from(dead)) && !live.contains(&i64::from(second)),
            "a dead broker is reported live: {live:?} (killed {dead} and {second}): {}",
            out["brokers"]
        );
        let all = out.to_string();
        assert!(
            all.contains(&format!("broker {dead}")) && all.contains(&format!("broker {second}")),
            "both dead brokers named: {}",
            text(&r)
        );
    }

    // Both back, preferred leaders elected: OK again, as the CLI sees it.
    c.start(dead);
    c.start(second);
    c.wait_all();
    // rh-payments is at min ISR by design: gone, so that OK can be reached.
    cli(
        "kafka-topics.sh",
        &[
            "--bootstrap-server",
            &b,
            "--delete",
            "--topic",
            "rh-payments",
        ],
    );
    let start = Instant::now();
    loop {
        let b = c.live_bootstrap();
        let _ = common::real::cli_status(
            "kafka-leader-election.sh",
            &[
                "--bootstrap-server",
                &b,
                "--election-type",
                "preferred",
                "--all-topic-partitions",
            ],
        );
        let urp = cli_partitions(&b, "--under-replicated-partitions");
        let (out, _) = health(&mut m);
        if urp.is_empty() && cluster_status(&out) == "OK" {
            assert_eq!(live_ids(&out), vec![1, 2, 3]);
            let leader = c.quorum_leader(Duration::from_secs(10)).unwrap();
            assert_eq!(out["quorum"]["leader_id"], leader);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "never OK after recovery: CLI under-replicated {urp:?}; kafka-mcp {}",
            out
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    let quorum = cli(
        "kafka-metadata-quorum.sh",
        &["--bootstrap-server", &b, "describe", "--replication"],
    );
    assert!(quorum.contains("Leader"), "{quorum}");
    m.assert_pure_stdout();
}

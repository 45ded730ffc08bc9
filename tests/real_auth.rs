//! Authentication end to end on real Apache Kafka: a node of this test's own (base 19400) with a
//! SASL_PLAINTEXT listener (SCRAM-SHA-512, user made at format time) and an SSL listener (a CA
//! made by tools/kafka-cluster.sh). Every tool answers through each, DescribeQuorum included
//! (the quorum leader matches `kafka-metadata-quorum.sh`); a wrong password is a clear error
//! naming the mechanism, and no secret appears in any answer or log line.

mod common;

use common::real::{kafka_home, Cluster};
use common::*;
use serde_json::json;

const WRONG: &str = "not-the-password-4e1d";

fn every_tool_answers(env: &[(&str, &str)], topic: &str, leader: i64, what: &str) {
    let mut s = Stdio::start(&["--timeout-ms", "10000"], env);
    let r = s.call("cluster_health", json!({}));
    let out = ok(&r);
    assert_eq!(out["quorum"]["known"], true, "{what}: {}", out["quorum"]);
    assert_eq!(out["quorum"]["leader_id"], leader, "{what}");
    let r = s.call(
        "topic_manage",
        json!({"action": "describe", "topic": topic}),
    );
    assert_eq!(ok(&r)["described"][0]["name"], topic, "{what}");
    let r = s.call(
        "topic_manage",
        json!({"action": "peek", "topic": topic, "count": 3}),
    );
    assert_eq!(
        ok(&r)["records"].as_array().map(Vec::len),
        Some(3),
        "{what}: {}",
        text(&r)
    );
    ok(&s.call(
        "consumer_groups",
        json!({"action": "list", "with_lag": true}),
    ));
    ok(&s.call("config_audit", json!({"scope": "cluster"})));
    s.assert_pure_stdout();
}

#[test]
fn scram_and_tls_listeners_serve_every_tool_and_a_wrong_password_is_named() {
    if kafka_home().is_none() {
        return;
    }
    let c = Cluster::up_auth("real-auth", 1, 19400);
    let t = unique("ra-topic");
    kafka::create_topic(&c.bootstrap(), &t, 1, &[]);
    kafka::produce(&c.bootstrap(), &t, 5, 1);
    let leader = c
        .quorum_leader(std::time::Duration::from_secs(30))
        .expect("quorum leader");

    let sasl = format!("127.0.0.1:{}", c.sasl_port(1));
    every_tool_answers(
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", &sasl),
            ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            ("KAFKA_SASL_USERNAME", "admin"),
            ("KAFKA_SASL_PASSWORD", "admin-secret"),
        ],
        &t,
        leader,
        "SASL/SCRAM-SHA-512",
    );

    let ssl = format!("127.0.0.1:{}", c.ssl_port(1));
    let ca = c.ca_pem().display().to_string();
    every_tool_answers(
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", &ssl),
            ("KAFKA_SECURITY_PROTOCOL", "SSL"),
            ("KAFKA_SSL_CA_LOCATION", &ca),
        ],
        &t,
        leader,
        "SSL",
    );

    // A wrong password: an error naming SASL and the mechanism, never the password.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut s = Stdio::spawn_logged(
        &["--timeout-ms", "5000"],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", &sasl),
            ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            ("KAFKA_SASL_USERNAME", "admin"),
            ("KAFKA_SASL_PASSWORD", WRONG),
            ("RUST_LOG", "debug"),
        ],
        &log,
    );
    let r = s.call("cluster_health", json!({}));
    let msg = err(&r);
    assert!(
        msg.contains("SCRAM-SHA-512") && msg.to_lowercase().contains("auth"),
        "the error names the mechanism and authentication: {msg}"
    );
    assert!(!msg.contains(WRONG), "{msg}");
    drop(s);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(!logged.contains(WRONG), "the password was logged");
    assert!(!logged.contains("admin-secret"));
}

//! Kafka's own environment variables (set on any machine where Kafka is installed as usual)
//! never reach librdkafka: with `KAFKA_HOME`, `KAFKA_HEAP_OPTS`, `KAFKA_OPTS`, `KAFKA_JMX_OPTS`
//! and `KAFKA_LOG4J_OPTS` set, every tool still answers (they used to fail with
//! `No such configuration property: "home"`), and a mistyped client property is ignored with a
//! warning that names the variable, never its value.

mod common;

use common::*;
use serde_json::json;

#[test]
fn kafka_script_variables_are_ignored_and_tools_answer() {
    let Some(b) = bootstrap() else { return };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut s = Stdio::spawn_logged(
        &["--timeout-ms", "8000"],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", b.as_str()),
            ("KAFKA_HOME", "/opt/kafka"),
            ("KAFKA_HEAP_OPTS", "-Xmx1G -Xms1G"),
            (
                "KAFKA_OPTS",
                "-Djava.security.auth.login.config=/etc/kafka/jaas.conf",
            ),
            ("KAFKA_JMX_OPTS", "-Dcom.sun.management.jmxremote"),
            (
                "KAFKA_LOG4J_OPTS",
                "-Dlog4j.configuration=file:/etc/kafka/log4j.properties",
            ),
            ("KAFKA_SASL_PASWORD", "typo-value-8b1e"),
            ("RUST_LOG", "warn"),
        ],
        &log,
    );
    for (tool, args) in [
        ("cluster_health", json!({})),
        ("topic_manage", json!({"action": "list"})),
        ("consumer_groups", json!({"action": "list"})),
        ("config_audit", json!({"scope": "cluster"})),
    ] {
        let r = s.call(tool, args);
        assert!(!is_error(&r), "{tool}: {}", text(&r));
    }
    s.assert_pure_stdout();
    drop(s);
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        stderr.contains("KAFKA_SASL_PASWORD") && stderr.contains("sasl.pasword"),
        "the mistyped variable is named: {stderr}"
    );
    assert!(
        !stderr.contains("typo-value-8b1e"),
        "its value is never logged"
    );
    assert!(!stderr.contains("heap.opts") && !stderr.contains("\"home\""));
}

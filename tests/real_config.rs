//! `config_audit` and `topic_manage describe` on a real 2-node Kafka cluster of this test's own
//! (base 19300) whose configs come from every broker source: static (`server.properties`),
//! dynamic cluster default and dynamic per broker, set with `kafka-configs.sh`. Sources are
//! checked against `kafka-configs.sh --describe --all` (the first synonym is the effective one).

mod common;

use std::time::{Duration, Instant};

use common::real::{cli, kafka_home, Cluster};
use common::*;
use serde_json::{json, Value};

/// The effective source of `key` per `kafka-configs.sh --describe --all` of a topic
/// (`retention.ms=… sensitive=false synonyms={STATIC_BROKER_CONFIG:log.retention.hours=72, …}`).
fn cli_source(b: &str, topic: &str, key: &str) -> String {
    let out = cli(
        "kafka-configs.sh",
        &[
            "--bootstrap-server",
            b,
            "--entity-type",
            "topics",
            "--entity-name",
            topic,
            "--describe",
            "--all",
        ],
    );
    let line = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} not in {out}"));
    let syn = line
        .split("synonyms={")
        .nth(1)
        .unwrap_or_else(|| panic!("no synonyms: {line}"));
    syn.split(':').next().unwrap().trim().to_string()
}

fn alter_broker(b: &str, entity: &[&str], config: &str) {
    let mut args = vec!["--bootstrap-server", b, "--entity-type", "brokers"];
    args.extend_from_slice(entity);
    args.extend_from_slice(&["--alter", "--add-config", config]);
    cli("kafka-configs.sh", &args);
}

fn audit_ids(out: &Value) -> Vec<String> {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn audit_finding<'a>(out: &'a Value, id: &str) -> &'a Value {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"]["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", audit_ids(out)))
}

#[test]
fn audit_and_describe_read_static_dynamic_default_and_per_broker_sources() {
    if kafka_home().is_none() {
        return;
    }
    let c = Cluster::up_with(
        "real-config",
        2,
        19300,
        &[],
        &[(
            "KAFKA_MCP_CLUSTER_EXTRA",
            "log.retention.hours=72\nunclean.leader.election.enable=true",
        )],
    );
    let b = c.bootstrap();
    alter_broker(&b, &["--entity-default"], "min.insync.replicas=1");
    alter_broker(&b, &["--entity-name", "2"], "message.max.bytes=2000000");
    let t = unique("rc-topic");
    kafka::create_topic_rf(&b, &t, 2, 2, &[("cleanup.policy", "delete")]);

    let mut s = Stdio::start(
        &["--timeout-ms", "10000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
    );

    // Dynamic configs propagate through the metadata log: wait until both brokers show them.
    let start = Instant::now();
    let out = loop {
        let r = s.call("config_audit", json!({"scope": "cluster", "limit": 50}));
        let out = ok(&r).clone();
        let ids = audit_ids(&out);
        if ids.iter().any(|i| i == "broker-min-isr-below-2")
            && ids.iter().any(|i| i == "broker-config-drift")
        {
            break out;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "dynamic configs never seen: {ids:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(out["coverage"]["brokers_with_configs"], 2, "{}", out["coverage"]);

    // Static: server.properties.
    let unclean = audit_finding(&out, "broker-unclean-leader-election");
    let v = unclean["values"].to_string();
    assert!(v.contains("STATIC_BROKER_CONFIG"), "{v}");
    // Dynamic cluster-wide default.
    let minisr = audit_finding(&out, "broker-min-isr-below-2");
    let v = minisr["values"].to_string();
    assert!(v.contains("DYNAMIC_DEFAULT_BROKER_CONFIG"), "{v}");
    assert!(
        minisr["fix"]["command"]
            .as_str()
            .unwrap()
            .contains("--entity-default"),
        "{minisr}"
    );
    // Dynamic per broker: broker 2 differs from broker 1.
    let drift = audit_finding(&out, "broker-config-drift");
    let d = drift.to_string();
    assert!(d.contains("message.max.bytes") && d.contains("2000000"), "{d}");
    assert!(d.contains("DYNAMIC_BROKER_CONFIG"), "{d}");

    // describe: every config with its source, as kafka-configs.sh --describe --all sees it.
    let r = s.call(
        "topic_manage",
        json!({"action": "describe", "topic": t, "all_configs": true}),
    );
    let desc = ok(&r).clone();
    let configs = desc["described"][0]["configs"]
        .as_array()
        .unwrap_or_else(|| panic!("no configs: {desc}"))
        .clone();
    let source = |k: &str| -> String {
        configs
            .iter()
            .find(|e| e["name"] == k)
            .unwrap_or_else(|| panic!("{k} not described"))["source"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for key in [
        "retention.ms",
        "min.insync.replicas",
        "cleanup.policy",
        "segment.bytes",
        "unclean.leader.election.enable",
    ] {
        assert_eq!(
            source(key),
            cli_source(&b, &t, key),
            "{key}: kafka-mcp vs kafka-configs.sh"
        );
    }
    assert_eq!(source("retention.ms"), "STATIC_BROKER_CONFIG");
    assert_eq!(source("min.insync.replicas"), "DYNAMIC_DEFAULT_BROKER_CONFIG");
    assert_eq!(source("cleanup.policy"), "DYNAMIC_TOPIC_CONFIG");
    let retention = configs.iter().find(|e| e["name"] == "retention.ms").unwrap();
    assert_eq!(retention["value"], "259200000", "72 h in ms");
    s.assert_pure_stdout();
}

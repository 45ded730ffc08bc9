//! `config_audit` and `topic_manage describe` on a real 2-node Kafka cluster of this test's own
//! (base 19300) whose configs come from every broker source: static (`server.properties`),
//! dynamic cluster default and dynamic per broker, set with `kafka-configs.sh`. Sources are
//! checked against `kafka-configs.sh --describe --all` (the first synonym is the effective one).

mod common;

use std::time::{Duration, Instant};

use common::real::{cli, cli_topic_configs, kafka_home, Cluster};
use common::*;
use serde_json::{json, Value};

/// `key`'s value and effective source per `kafka-configs.sh --describe --all` of a topic
/// (`retention.ms=… sensitive=false synonyms={STATIC_BROKER_CONFIG:log.retention.hours=72, …}`):
/// the first synonym is the effective one; Kafka lists none for some keys (then `None`).
fn cli_config(b: &str, topic: &str, key: &str) -> (String, Option<String>) {
    let out = cli_topic_configs(b, topic, true);
    let line = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} not in {out}"));
    let value = line[key.len() + 1..]
        .split(" sensitive=")
        .next()
        .unwrap()
        .to_string();
    let syn = line
        .split("synonyms={")
        .nth(1)
        .unwrap_or_else(|| panic!("no synonyms: {line}"));
    let source = syn
        .split_once(':')
        .map(|(s, _)| s.trim().to_string())
        .filter(|s| !s.is_empty() && !s.starts_with('}'));
    (value, source)
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
    // `kafka-storage.sh format` already sets min.insync.replicas=1 as the dynamic cluster default
    // (Kafka 4.x); add one more dynamic default and one per-broker override.
    alter_broker(
        &b,
        &["--entity-default"],
        "log.cleaner.delete.retention.ms=3600000",
    );
    alter_broker(&b, &["--entity-name", "2"], "message.max.bytes=2000000");
    let t = unique("rc-topic");
    kafka::create_topic_rf(&b, &t, 2, 2, &[("cleanup.policy", "delete")]);

    let mut s = Stdio::start(
        &["--timeout-ms", "10000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
    );

    // A fresh cluster has no __consumer_offsets yet: the first group lookups meet
    // NOT_COORDINATOR, which crashed librdkafka's admin client (NULL consumer-group handle;
    // patched in vendor/rdkafka-sys). Now a clean tool error, and the server stays up.
    for _ in 0..3 {
        let r = s.call(
            "consumer_groups",
            json!({"action": "lag", "group": "rc-no-such-group"}),
        );
        assert!(is_error(&r), "{r}");
    }

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
    assert_eq!(
        out["coverage"]["brokers_with_configs"], 2,
        "{}",
        out["coverage"]
    );

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
    assert!(
        d.contains("message.max.bytes") && d.contains("2000000"),
        "{d}"
    );
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
    let entry = |k: &str| -> (String, String) {
        let e = configs
            .iter()
            .find(|e| e["name"] == k)
            .unwrap_or_else(|| panic!("{k} not described"));
        (
            e["value"].as_str().unwrap_or_default().to_string(),
            e["source"].as_str().unwrap().to_string(),
        )
    };
    for key in [
        "retention.ms",
        "min.insync.replicas",
        "cleanup.policy",
        "segment.bytes",
        "unclean.leader.election.enable",
        "delete.retention.ms",
    ] {
        let (value, source) = entry(key);
        let (cli_value, cli_source) = cli_config(&b, &t, key);
        assert_eq!(value, cli_value, "{key}: kafka-mcp vs kafka-configs.sh");
        if let Some(cli_source) = cli_source {
            assert_eq!(source, cli_source, "{key}: kafka-mcp vs kafka-configs.sh");
        }
    }
    assert_eq!(entry("retention.ms").0, "259200000", "72 h in ms");
    assert_eq!(
        entry("min.insync.replicas").1,
        "DYNAMIC_DEFAULT_BROKER_CONFIG"
    );
    assert_eq!(
        entry("delete.retention.ms"),
        ("3600000".into(), "DYNAMIC_DEFAULT_BROKER_CONFIG".into())
    );
    assert_eq!(
        entry("unclean.leader.election.enable").1,
        "STATIC_BROKER_CONFIG"
    );
    assert_eq!(entry("cleanup.policy").1, "DYNAMIC_TOPIC_CONFIG");
    s.assert_pure_stdout();
}

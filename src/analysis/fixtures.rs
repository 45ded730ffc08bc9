//! Test-only loader: turns the recorded real Kafka 4.0 captures under `fixtures/real-kafka-4.0/`
//! into snapshot types, so the pure core is tested against what real Kafka returned.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::snapshot::*;

/// Root of the recorded captures.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/real-kafka-4.0")
}

/// The `data` object of one capture file, e.g. `load("healthy", "metadata.json")`.
pub fn load(scenario: &str, file: &str) -> Value {
    let path = root().join(scenario).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["data"].clone()
}

fn err_name(v: &Value) -> Option<String> {
    v.get("name").and_then(Value::as_str).map(str::to_string)
}

fn ids(v: &Value) -> Vec<i32> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_i64)
                .map(|i| i as i32)
                .collect()
        })
        .unwrap_or_default()
}

/// Brokers and topics from `metadata.json`.
pub fn metadata(scenario: &str) -> (Vec<BrokerSnapshot>, Vec<TopicSnapshot>) {
    let r = &load(scenario, "metadata.json")["result"];
    let brokers = r["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| BrokerSnapshot {
            id: b["id"].as_i64().unwrap() as i32,
            host: b["host"].as_str().unwrap().to_string(),
            port: b["port"].as_u64().unwrap() as u16,
            rack: b.get("rack").and_then(Value::as_str).map(str::to_string),
        })
        .collect();
    let mut topics: Vec<TopicSnapshot> = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let name = t["topic"].as_str().unwrap().to_string();
            let mut partitions: Vec<PartitionSnapshot> = t["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| PartitionSnapshot {
                    id: p["id"].as_i64().unwrap() as i32,
                    leader: p["leader"].as_i64().unwrap() as i32,
                    replicas: ids(&p["replicas"]),
                    isr: ids(&p["isrs"]),
                    error: err_name(&p["error"]),
                })
                .collect();
            partitions.sort_by_key(|p| p.id);
            TopicSnapshot {
                internal: name.starts_with("__"),
                name,
                partitions,
                error: err_name(&t["error"]),
            }
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    (brokers, topics)
}

/// Config entries of every resource in a `describe_configs.*.json` capture, keyed by the
/// capture's resource key (`orders`, `BROKER:1`, ...).
pub fn configs(scenario: &str, file: &str) -> BTreeMap<String, ConfigSet> {
    let r = &load(scenario, file)["result"];
    let mut out = BTreeMap::new();
    for (key, entry) in r.as_object().unwrap() {
        let Some(list) = entry["result"].as_array() else {
            continue;
        };
        let entries = list
            .iter()
            .map(|e| ConfigEntry {
                name: e["name"].as_str().unwrap().to_string(),
                value: e["value"].as_str().map(str::to_string),
                source: ConfigSource::parse(e["source"].as_str().unwrap_or("")),
                sensitive: e["is_sensitive"].as_bool().unwrap_or(false),
                read_only: e["is_read_only"].as_bool().unwrap_or(false),
                synonyms: e["synonyms"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .map(|y| ConfigSynonym {
                                name: y["name"].as_str().unwrap().to_string(),
                                value: y["value"].as_str().map(str::to_string),
                                source: ConfigSource::parse(y["source"].as_str().unwrap_or("")),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        out.insert(key.clone(), ConfigSet { entries });
    }
    out
}

/// The quorum as `kafka-metadata-quorum.sh describe --status/--replication` recorded it.
pub fn quorum(scenario: &str) -> QuorumView {
    let status = &load(scenario, "quorum_status.json")["result"]["bootstrap-server"];
    let repl = &load(scenario, "quorum_replication.json")["result"]["bootstrap-server"];
    if status["exit_code"].as_i64() != Some(0) || repl["exit_code"].as_i64() != Some(0) {
        let stderr = status["stderr"].as_str().unwrap_or_default();
        let line = stderr
            .lines()
            .find(|l| l.contains("TimeoutException"))
            .unwrap_or("describeMetadataQuorum failed");
        // The CLI reached a live broker and sent describeMetadataQuorum, which no controller
        // answered: what kafka-mcp reports as a DescribeQuorum-step timeout.
        let sent = stderr.contains("describeMetadataQuorum");
        return QuorumView::Unknown {
            reason: format!("DescribeQuorum timed out: {line}"),
            cause: if sent {
                QuorumUnknownCause::NoController
            } else {
                QuorumUnknownCause::Unreachable
            },
        };
    }
    let s = &status["parsed"];
    let rows = repl["parsed"].as_array().unwrap();
    let replica = |r: &Value| QuorumReplica {
        id: r["NodeId"].as_i64().unwrap() as i32,
        log_end_offset: r["LogEndOffset"].as_i64().unwrap(),
        last_caught_up_timestamp_ms: r["LastCaughtUpTimestamp"].as_i64().unwrap(),
        last_fetch_timestamp_ms: r["LastFetchTimestamp"].as_i64().unwrap_or(-1),
    };
    QuorumView::Known(QuorumSnapshot {
        leader_id: s["LeaderId"].as_i64().unwrap() as i32,
        leader_epoch: s["LeaderEpoch"].as_i64().unwrap() as i32,
        high_watermark: s["HighWatermark"].as_i64().unwrap(),
        voters: rows
            .iter()
            .filter(|r| r["Status"] != "Observer")
            .map(replica)
            .collect(),
        observers: rows
            .iter()
            .filter(|r| r["Status"] == "Observer")
            .map(replica)
            .collect(),
    })
}

/// A whole cluster snapshot for one scenario. Topic configs were captured only in `healthy`
/// and did not change afterwards, so other scenarios borrow its `min.insync.replicas`
/// (`ticks`, created later without overrides, gets the broker default).
pub fn cluster(scenario: &str) -> ClusterSnapshot {
    let (brokers, topics) = metadata(scenario);
    let dc = load(scenario, "describe_cluster.json");
    let cluster_id = dc["result"]["cluster_id"].as_str().map(str::to_string);
    let describe_cluster_error = dc["error"]
        .get("str")
        .and_then(Value::as_str)
        .map(|s| format!("{}: {s}", dc["error"]["name"].as_str().unwrap_or("error")));
    let topic_cfg = configs("healthy", "describe_configs.topics.json");
    let broker_cfg = configs("healthy", "describe_configs.broker-1.json");
    let min_isr = topic_cfg
        .iter()
        .filter_map(|(t, c)| c.int("min.insync.replicas").map(|m| (t.clone(), m)))
        .collect();
    ClusterSnapshot {
        cluster_id,
        describe_cluster_error,
        brokers,
        topics,
        quorum: quorum(scenario),
        min_isr,
        default_min_isr: broker_cfg["BROKER:1"].int("min.insync.replicas"),
        min_isr_error: None,
        min_isr_unread: Default::default(),
        unreachable: Vec::new(),
        log_dirs: Vec::new(),
        log_dirs_error: None,
        taken_at_ms: None,
    }
}

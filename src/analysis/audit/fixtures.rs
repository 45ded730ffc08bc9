//! Test-only loader: recorded Kafka 4.0 captures (`fixtures/real-kafka-4.0/`) → [`AuditInput`], and
//! the findings those clusters really deserve.
//!
//! Entries come from the confluent-kafka `describe_configs.*.json` (value, source, sensitive,
//! read-only); their synonym chains are replaced by the complete ones of `kafka-configs.*.json`
//! (the Python client collapses same-name synonyms). Layout comes from `metadata.json`;
//! `dynamic-configs` has none, so it uses `recovered-settled`, taken 15 s earlier with the same
//! topics. `ticks` is missing from the Python capture in `dynamic-configs` and is built from
//! kafka-configs alone (source = first synonym's, else DEFAULT_CONFIG). The healthy
//! `events.compacted` carries the null-key sample of its produce probe (300 keyless records, all
//! rejected with INVALID_RECORD).

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::{broker_topic_default, broker_val};
use super::testkit::run;
use super::*;
use crate::snapshot::{ConfigEntry, ConfigSynonym};

macro_rules! fx {
    ($path:literal) => {
        include_str!(concat!("../../../fixtures/real-kafka-4.0/", $path))
    };
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).expect("fixture is JSON")
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(String::from)
}

/// Entries of one confluent-kafka `describe_configs` result list.
fn python_entries(list: &Value) -> Vec<ConfigEntry> {
    list.as_array()
        .expect("result list")
        .iter()
        .map(|e| ConfigEntry {
            name: text(&e["name"]).expect("name"),
            value: text(&e["value"]),
            source: ConfigSource::parse(e["source"].as_str().unwrap_or("")),
            sensitive: e["is_sensitive"].as_bool().unwrap_or(false),
            read_only: e["is_read_only"].as_bool().unwrap_or(false),
            synonyms: e["synonyms"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|s| synonym(&s["source"], &s["name"], &s["value"]))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn synonym(source: &Value, name: &Value, value: &Value) -> ConfigSynonym {
    ConfigSynonym {
        name: text(name).expect("synonym name"),
        value: text(value),
        source: ConfigSource::parse(source.as_str().unwrap_or("")),
    }
}

/// `{name → (value, sensitive, synonyms)}` from a kafka-configs `parsed` list.
type Chains = BTreeMap<String, (Option<String>, bool, Vec<ConfigSynonym>)>;

fn parsed_chains(list: &Value) -> Chains {
    list.as_array()
        .expect("parsed list")
        .iter()
        .map(|e| {
            let syn = e["synonyms"].as_array().expect("synonyms");
            let syn = syn
                .iter()
                .map(|s| synonym(&s["source"], &s["name"], &s["value"]))
                .collect();
            (
                text(&e["name"]).expect("name"),
                (
                    text(&e["value"]),
                    e["sensitive"].as_bool().unwrap_or(false),
                    syn,
                ),
            )
        })
        .collect()
}

/// The same from `kafka-configs.sh --describe --all` stdout lines:
/// `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`.
fn stdout_chains(stdout: &str) -> Chains {
    let mut out = Chains::new();
    for line in stdout.lines().filter(|l| l.starts_with("  ")) {
        let (head, rest) = line.trim().split_once(" sensitive=").expect("sensitive=");
        let (name, value) = head.split_once('=').expect("name=value");
        let (sensitive, syn) = rest.split_once(" synonyms={").expect("synonyms=");
        let inner = syn.strip_suffix('}').expect("closing brace");
        let mut items: Vec<String> = Vec::new();
        for part in inner.split(", ").filter(|p| !p.is_empty()) {
            let starts_item = part.split_once(':').is_some_and(|(s, _)| {
                s.ends_with("CONFIG") && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            });
            match items.last_mut() {
                Some(last) if !starts_item => {
                    last.push_str(", ");
                    last.push_str(part);
                }
                _ => items.push(part.to_string()),
            }
        }
        let syns = items
            .iter()
            .map(|i| {
                let (src, nv) = i.split_once(':').expect("SOURCE:");
                let (n, v) = nv.split_once('=').expect("name=value");
                ConfigSynonym {
                    name: n.to_string(),
                    value: (v != "null").then(|| v.to_string()),
                    source: ConfigSource::parse(src),
                }
            })
            .collect();
        let value = (value != "null").then(|| value.to_string());
        out.insert(name.to_string(), (value, sensitive == "true", syns));
    }
    out
}

/// Python entries with kafka-configs' complete synonym chains; entries only kafka-configs has are
/// added.
fn merge(mut entries: Vec<ConfigEntry>, chains: &Chains) -> ConfigSet {
    for e in &mut entries {
        if let Some((_, _, syn)) = chains.get(&e.name) {
            if !syn.is_empty() {
                e.synonyms = syn.clone();
            }
        }
    }
    ConfigSet { entries }
}

/// A topic only kafka-configs captured.
fn from_chains(chains: &Chains) -> ConfigSet {
    ConfigSet {
        entries: chains
            .iter()
            .map(|(name, (value, sensitive, syn))| ConfigEntry {
                name: name.clone(),
                value: if *sensitive { None } else { value.clone() },
                source: syn
                    .first()
                    .map_or(ConfigSource::DefaultConfig, |s| s.source),
                sensitive: *sensitive,
                read_only: false,
                synonyms: syn.clone(),
            })
            .collect(),
    }
}

fn broker(id: i32, describe: &str, kafka_configs: Option<&str>) -> BrokerConfigSnapshot {
    let d = json(describe);
    let r = &d["data"]["result"][format!("BROKER:{id}")];
    if let Some(err) = r["error"].as_object() {
        let name = err["name"].as_str().unwrap_or("?");
        let s = err["str"].as_str().unwrap_or("");
        return BrokerConfigSnapshot {
            id,
            configs: ConfigSet::default(),
            error: Some(format!("{name}: {s}")),
        };
    }
    let chains = kafka_configs
        .map(|k| {
            stdout_chains(
                json(k)["data"]["result"]["stdout"]
                    .as_str()
                    .expect("stdout"),
            )
        })
        .unwrap_or_default();
    BrokerConfigSnapshot {
        id,
        configs: merge(python_entries(&r["result"]), &chains),
        error: None,
    }
}

fn cluster(
    metadata: &str,
    describe_topics: Option<&str>,
    kafka_configs_topics: Option<&str>,
) -> AuditInput {
    let m = json(metadata);
    let res = &m["data"]["result"];
    let live = res["brokers"]
        .as_array()
        .expect("brokers")
        .iter()
        .map(|b| b["id"].as_i64().unwrap() as i32)
        .collect();
    let py = describe_topics.map(json);
    let kc = kafka_configs_topics.map(json);
    let mut topics: Vec<TopicConfigSnapshot> = res["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| {
            let name = text(&t["topic"]).expect("topic");
            let mut parts: Vec<&Value> = t["partitions"]
                .as_array()
                .expect("partitions")
                .iter()
                .collect();
            parts.sort_by_key(|p| p["id"].as_i64());
            let assignment: Vec<Vec<i32>> = parts
                .iter()
                .map(|p| {
                    p["replicas"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_i64().unwrap() as i32)
                        .collect()
                })
                .collect();
            let chains = kc
                .as_ref()
                .and_then(|k| k["data"]["result"]["parsed"].get(format!("topic:{name}")))
                .map(parsed_chains)
                .unwrap_or_default();
            let configs = match py.as_ref().map(|p| &p["data"]["result"][&name]["result"]) {
                Some(list) if list.is_array() => merge(python_entries(list), &chains),
                _ if !chains.is_empty() => from_chains(&chains),
                _ => ConfigSet::default(),
            };
            TopicConfigSnapshot {
                internal: name.starts_with("__"),
                partitions: assignment.len() as u32,
                replication_factor: assignment.iter().map(Vec::len).max().unwrap_or(0) as u32,
                name,
                assignment,
                configs,
                null_key_sample: None,
                retained_records: None,
            }
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    AuditInput {
        live_broker_ids: live,
        brokers: vec![],
        topics,
        client: None,
    }
}

/// The audit input of one recorded scenario.
pub fn scenario(name: &str) -> AuditInput {
    match name {
        "healthy" => {
            let mut i = cluster(
                fx!("healthy/metadata.json"),
                Some(fx!("healthy/describe_configs.topics.json")),
                Some(fx!("healthy/kafka-configs.topics.json")),
            );
            i.brokers = vec![broker(
                1,
                fx!("healthy/describe_configs.broker-1.json"),
                Some(fx!("healthy/kafka-configs.broker-1.json")),
            )];
            let probe = json(fx!("healthy/produce_probe.events.compacted-null-keys.json"));
            let d = &probe["data"];
            assert!(d["request"]["key"].is_null());
            let attempted = d["result"]["attempted"].as_u64().unwrap();
            let t = i
                .topics
                .iter_mut()
                .find(|t| t.name == "events.compacted")
                .unwrap();
            t.null_key_sample = Some(NullKeySample {
                sampled: attempted,
                null_keys: attempted,
            });
            i
        }
        "dynamic-configs" => {
            let mut i = cluster(
                fx!("recovered-settled/metadata.json"),
                Some(fx!("dynamic-configs/describe_configs.topics.json")),
                Some(fx!("dynamic-configs/kafka-configs.topics.json")),
            );
            i.brokers = vec![
                broker(
                    1,
                    fx!("dynamic-configs/describe_configs.broker-1.json"),
                    Some(fx!("dynamic-configs/kafka-configs.broker-1.json")),
                ),
                broker(
                    2,
                    fx!("dynamic-configs/describe_configs.broker-2.json"),
                    Some(fx!("dynamic-configs/kafka-configs.broker-2.json")),
                ),
            ];
            i
        }
        "broker-down" => {
            // No topic configs were captured in this state.
            let mut i = cluster(fx!("broker-down/metadata.json"), None, None);
            i.brokers = vec![
                broker(
                    1,
                    fx!("broker-down/describe_configs.broker-1.json"),
                    Some(fx!("broker-down/kafka-configs.broker-1.json")),
                ),
                broker(3, fx!("broker-down/describe_configs.broker-3.json"), None),
            ];
            i
        }
        other => panic!("no fixture scenario {other}"),
    }
}

/// `(rule id, affected items)` per finding, in report order.
fn pairs(r: &AuditReport) -> Vec<(&str, Vec<&str>)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.finding.id.as_str(),
                f.finding
                    .evidence
                    .items
                    .iter()
                    .map(String::as_str)
                    .collect(),
            )
        })
        .collect()
}

fn find<'r>(r: &'r AuditReport, id: &str, item: &str) -> &'r AuditFinding {
    r.findings
        .iter()
        .find(|f| f.finding.id == id && f.finding.evidence.items.iter().any(|i| i == item))
        .unwrap_or_else(|| panic!("no {id} on {item}: {:#?}", pairs(r)))
}

#[test]
fn loader_reads_sources_and_full_synonym_chains() {
    let i = scenario("healthy");
    assert_eq!(i.live_broker_ids, [1, 2, 3]);
    let b = &i.brokers[0];
    assert_eq!(b.configs.entries.len(), 289);
    // Fact 4: min.insync.replicas=2 is STATIC_BROKER_CONFIG; kafka-configs gives the chain the Python file collapses.
    let e = b.configs.get("min.insync.replicas").unwrap();
    assert_eq!(
        (e.value.as_deref(), e.source),
        (Some("2"), ConfigSource::StaticBrokerConfig)
    );
    let chain: Vec<_> = e
        .synonyms
        .iter()
        .map(|s| (s.source, s.value.as_deref()))
        .collect();
    assert_eq!(
        chain,
        [
            (ConfigSource::StaticBrokerConfig, Some("2")),
            (ConfigSource::DefaultConfig, Some("1"))
        ]
    );
    assert_eq!(b.configs.entries.iter().filter(|e| e.sensitive).count(), 8);
    let names: Vec<_> = i
        .topics
        .iter()
        .map(|t| (t.name.as_str(), t.partitions, t.replication_factor))
        .collect();
    assert_eq!(
        names,
        [
            ("__consumer_offsets", 50, 3),
            ("events.compacted", 3, 3),
            ("orders", 6, 3),
            ("payments", 3, 3),
            ("risky", 3, 3),
            ("single.rf1", 2, 1),
            ("tiny.segments", 1, 3),
        ]
    );
    let risky = &i.topics[4]
        .configs
        .get("min.insync.replicas")
        .unwrap()
        .synonyms;
    assert_eq!(risky.len(), 3, "{risky:?}");
    assert_eq!(i.topics[5].assignment, [vec![3], vec![1]]);
    // The broker's retention resolves from log.retention.hours (ms and minutes are null).
    let v = broker_topic_default(b, "retention.ms").unwrap();
    assert_eq!(
        (v.str(), v.ev.set_as.as_str()),
        ("604800000", "log.retention.hours")
    );
}

#[test]
fn healthy_cluster_gets_what_it_deserves() {
    let i = scenario("healthy");
    let r = run(&i);
    assert_eq!(
        pairs(&r),
        [
            ("unclean-leader-election", vec!["risky"]),
            ("compacted-topic-null-keys", vec!["events.compacted"]),
            (
                "max-message-bytes-above-segment-bytes",
                vec!["tiny.segments"]
            ),
            ("min-isr-above-rf", vec!["single.rf1"]),
            ("rf-one", vec!["single.rf1"]),
            ("auto-create-topics-enabled", vec!["broker 1"]),
            ("min-isr-equals-rf", vec!["risky"]),
            ("partitions-not-multiple-of-brokers", vec!["single.rf1"]),
            ("segment-ms-above-retention-ms", vec!["payments"]),
        ]
    );
    assert_eq!(
        r.notes,
        ["broker configs cover broker(s) 1 only; live broker(s) 2, 3 not described: broker rules judged on the \
          described ones"]
    );

    let f = find(&r, "unclean-leader-election", "risky");
    assert_eq!(f.finding.severity, Severity::Critical);
    assert_eq!(
        f.finding.evidence.detail,
        "unclean.leader.election.enable=true [DYNAMIC_TOPIC_CONFIG: topic override on risky]: a failover to an \
         out-of-sync replica loses acknowledged writes"
    );

    let f = find(&r, "min-isr-equals-rf", "risky");
    assert_eq!(f.finding.severity, Severity::Warn);
    assert_eq!(
        f.finding.remediation,
        "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name risky \
         --add-config min.insync.replicas=2"
    );
    assert_eq!(
        f.fix.incremental_alter,
        Some(AlterOp {
            resource_type: AlterResourceType::Topic,
            resource_name: "risky".into(),
            key: "min.insync.replicas".into(),
            op: AlterOpKind::Set,
            value: Some("2".into()),
        })
    );

    // single.rf1: min.insync.replicas=2 comes from server.properties (fact 2).
    let f = find(&r, "min-isr-above-rf", "single.rf1");
    assert_eq!(f.finding.severity, Severity::Error);
    assert!(
        f.finding.evidence.detail.starts_with(
            "min.insync.replicas=2 [STATIC_BROKER_CONFIG: server.properties (static broker config)] > replication \
             factor 1"
        ),
        "{}",
        f.finding.evidence.detail
    );
    assert_eq!(f.values[0].source, Some(ConfigSource::StaticBrokerConfig));
    let f = find(&r, "rf-one", "single.rf1");
    assert!(f
        .finding
        .remediation
        .contains(r#"{"topic":"single.rf1","partition":0,"replicas":[3,"#));
    assert!(f
        .finding
        .remediation
        .contains(r#"{"topic":"single.rf1","partition":1,"replicas":[1,"#));

    // tiny.segments: 1 MiB segments under 2 MiB retention is exactly 50 %: inside the range, not reported;
    // 2 MiB max.message.bytes over 1 MiB segments is.
    let f = find(&r, "max-message-bytes-above-segment-bytes", "tiny.segments");
    assert!(f.finding.evidence.detail.contains(
        "max.message.bytes=2097152 [DYNAMIC_TOPIC_CONFIG: topic override on tiny.segments]"
    ));
    assert_eq!(
        f.fix.incremental_alter.as_ref().unwrap().value.as_deref(),
        Some("1048576")
    );

    // Broker 1: auto.create.topics.enable is Kafka's default and read-only.
    let f = find(&r, "auto-create-topics-enabled", "broker 1");
    assert_eq!(f.values[0].source, Some(ConfigSource::DefaultConfig));
    assert!(f
        .finding
        .evidence
        .detail
        .starts_with("auto.create.topics.enable=true [DEFAULT_CONFIG: Kafka default]"));
    assert!(f.fix.incremental_alter.is_none());

    // orders is fine apart from info-level findings.
    assert!(r
        .findings
        .iter()
        .filter(|f| f.finding.evidence.items.iter().any(|i| i == "orders"))
        .all(|f| f.finding.severity == Severity::Info));
    // Broker 1's min.insync.replicas=2 and offsets.topic.replication.factor=3 (both STATIC) pass.
    let b = &i.brokers[0];
    assert_eq!(
        broker_val(b, "offsets.topic.replication.factor")
            .unwrap()
            .source(),
        ConfigSource::StaticBrokerConfig
    );
    assert!(hits_of(&r, "broker-min-isr-below-2") + hits_of(&r, "offsets-topic-rf-below-3") == 0);
}

fn hits_of(r: &AuditReport, id: &str) -> usize {
    r.findings.iter().filter(|f| f.finding.id == id).count()
}

#[test]
fn every_alter_op_clears_its_finding() {
    for s in ["healthy", "dynamic-configs"] {
        let i = scenario(s);
        let r = run(&i);
        let with_op: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.fix.incremental_alter.is_some())
            .collect();
        assert!(with_op.len() >= 4, "{s}: {}", with_op.len());
        for f in with_op {
            super::testkit::fix_clears(&i, f);
        }
    }
}

#[test]
fn sensitive_entries_never_reach_the_report() {
    let i = scenario("healthy");
    let secret: Vec<&str> = i.brokers[0]
        .configs
        .entries
        .iter()
        .filter(|e| e.sensitive)
        .map(|e| e.name.as_str())
        .collect();
    assert!(secret.contains(&"ssl.keystore.password"));
    let out = serde_json::to_string(&run(&i)).unwrap();
    for name in secret {
        assert!(!out.contains(name), "{name} in report");
    }
}

#[test]
fn dynamic_default_retention_is_reported_with_its_source() {
    let i = scenario("dynamic-configs");
    // Fact 23: log.retention.ms=259200000 is a cluster-wide dynamic default on both brokers.
    for b in &i.brokers {
        let v = broker_topic_default(b, "retention.ms").unwrap();
        assert_eq!(
            (v.str(), v.source()),
            ("259200000", ConfigSource::DynamicDefaultBrokerConfig)
        );
    }
    let r = run(&i);
    let f = find(&r, "segment-ms-above-retention-ms", "orders");
    assert!(
        f.finding.evidence.detail.contains(
            "retention.ms=259200000 [DYNAMIC_DEFAULT_BROKER_CONFIG via log.retention.ms: cluster-wide dynamic \
             broker default]"
        ),
        "{}",
        f.finding.evidence.detail
    );
    assert!(f
        .values
        .iter()
        .any(|v| v.source == Some(ConfigSource::DynamicDefaultBrokerConfig)));
    let f = find(&r, "segment-ms-above-retention-ms", "payments");
    assert!(f
        .finding
        .evidence
        .detail
        .contains("retention.ms=86400000 [DYNAMIC_TOPIC_CONFIG: topic override on payments]"));
    // ticks is only in kafka-configs; it inherits the same default.
    find(&r, "segment-ms-above-retention-ms", "ticks");
    // log.cleaner.threads differs (DYNAMIC_BROKER_CONFIG on broker 1) but is not a cluster-wide key.
    assert_eq!(hits_of(&r, "broker-config-drift"), 0);
    assert_eq!(
        r.notes,
        ["broker configs cover broker(s) 1, 2 only; live broker(s) 3 not described: broker rules judged on the \
          described ones"]
    );
    // The same findings as healthy otherwise, plus ticks' partitions.
    assert_eq!(hits_of(&r, "unclean-leader-election"), 1);
    assert_eq!(hits_of(&r, "auto-create-topics-enabled"), 1);
}

#[test]
fn broker_down_says_what_it_could_not_see() {
    let i = scenario("broker-down");
    assert_eq!(i.live_broker_ids, [1, 2]);
    let r = run(&i);
    assert!(r.notes.iter().any(|n| n
        == "broker 3: configs unavailable (_TIMED_OUT: Failed while waiting for broker: Local: Timed out): broker \
            rules skipped for it"));
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("8 topic(s) returned no configs")),
        "{:#?}",
        r.notes
    );
    // RF 3 with two live brokers, on every RF-3 topic including the internal one.
    let over: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.finding.id == "rf-above-live-brokers")
        .map(|f| f.finding.evidence.items[0].as_str())
        .collect();
    assert_eq!(
        over,
        [
            "__consumer_offsets",
            "events.compacted",
            "orders",
            "payments",
            "risky",
            "ticks",
            "tiny.segments"
        ]
    );
    // Without topic configs, min.insync.replicas is inherited from broker 1 and said so.
    let f = find(&r, "min-isr-above-rf", "single.rf1");
    assert!(f
        .finding
        .evidence
        .detail
        .contains("inherited from broker 1: server.properties of broker 1"));
}

#[test]
fn compatible_broker_without_configs_or_sources() {
    let mut cs = ConfigSet::default();
    cs.entries.push(ConfigEntry {
        name: "cleanup.policy".into(),
        value: Some("delete".into()),
        source: ConfigSource::Unknown,
        sensitive: false,
        read_only: false,
        synonyms: vec![],
    });
    let i = AuditInput {
        live_broker_ids: vec![111],
        brokers: vec![BrokerConfigSnapshot {
            id: 111,
            configs: ConfigSet::default(),
            error: None,
        }],
        topics: vec![TopicConfigSnapshot {
            name: "orders".into(),
            partitions: 1,
            replication_factor: 1,
            configs: cs,
            ..TopicConfigSnapshot::default()
        }],
        client: None,
    };
    let r = run(&i);
    assert_eq!(pairs(&r), [("rf-one", vec!["orders"])]);
    assert_eq!(
        r.notes[..2],
        [
            "broker 111 returned no broker configs (some Kafka-compatible brokers expose none): broker rules skipped \
             for it",
            "1 topic(s) returned configs without sources (shown as UNKNOWN); overrides cannot be told from defaults: \
             orders",
        ]
    );
    assert!(
        r.notes.contains(
            &"min.insync.replicas not returned for these topics nor by any broker: rules reading it skipped: orders"
                .to_string()
        ),
        "{:#?}",
        r.notes
    );
}

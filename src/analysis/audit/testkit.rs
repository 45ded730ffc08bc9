//! Test helpers: a clean cluster to break one setting at a time, and assertions on reports.

use super::*;
use crate::snapshot::{ConfigEntry, ConfigSynonym};

/// Sets (or adds) `name=value` with `source` in a config set, as Kafka would report it.
pub fn put(cs: &mut ConfigSet, name: &str, value: &str, source: ConfigSource) {
    let e = ConfigEntry {
        name: name.into(),
        value: Some(value.into()),
        source,
        sensitive: false,
        read_only: false,
        synonyms: vec![ConfigSynonym {
            name: name.into(),
            value: Some(value.into()),
            source,
        }],
    };
    match cs.entries.iter_mut().find(|x| x.name == name) {
        Some(x) => {
            let ro = x.read_only;
            *x = e;
            x.read_only = ro;
        }
        None => cs.entries.push(e),
    }
}

/// Adds a null, non-sensitive entry (an unset optional key such as `log.retention.ms`).
pub fn put_null(cs: &mut ConfigSet, name: &str) {
    cs.entries.retain(|x| x.name != name);
    cs.entries.push(ConfigEntry {
        name: name.into(),
        value: None,
        source: ConfigSource::DefaultConfig,
        sensitive: false,
        read_only: false,
        synonyms: vec![],
    });
}

pub fn put_topic(i: &mut AuditInput, topic: &str, name: &str, value: &str, source: ConfigSource) {
    let t = i
        .topics
        .iter_mut()
        .find(|t| t.name == topic)
        .expect("topic");
    put(&mut t.configs, name, value, source);
}

/// Sets a key on every broker.
pub fn put_brokers(i: &mut AuditInput, name: &str, value: &str, source: ConfigSource) {
    for b in &mut i.brokers {
        put(&mut b.configs, name, value, source);
    }
}

fn broker_configs() -> ConfigSet {
    use ConfigSource::*;
    let mut cs = ConfigSet::default();
    for (k, v, s, ro) in [
        (
            "auto.create.topics.enable",
            "false",
            StaticBrokerConfig,
            true,
        ),
        ("default.replication.factor", "3", StaticBrokerConfig, true),
        ("min.insync.replicas", "2", StaticBrokerConfig, false),
        ("offsets.topic.replication.factor", "3", DefaultConfig, true),
        (
            "transaction.state.log.replication.factor",
            "3",
            DefaultConfig,
            true,
        ),
        ("transaction.state.log.min.isr", "2", DefaultConfig, true),
        (
            "unclean.leader.election.enable",
            "false",
            DefaultConfig,
            false,
        ),
        ("message.max.bytes", "1048588", DefaultConfig, false),
        ("log.retention.hours", "168", DefaultConfig, true),
        ("log.retention.bytes", "-1", DefaultConfig, false),
        ("log.segment.bytes", "1073741824", DefaultConfig, false),
        ("log.roll.hours", "168", DefaultConfig, true),
        ("log.cleanup.policy", "delete", DefaultConfig, false),
        ("group.min.session.timeout.ms", "6000", DefaultConfig, true),
        (
            "group.max.session.timeout.ms",
            "1800000",
            DefaultConfig,
            true,
        ),
        ("num.partitions", "1", DefaultConfig, true),
    ] {
        put(&mut cs, k, v, s);
        cs.entries.last_mut().unwrap().read_only = ro;
    }
    put_null(&mut cs, "log.retention.ms");
    put_null(&mut cs, "log.retention.minutes");
    put_null(&mut cs, "log.roll.ms");
    cs
}

pub fn topic_configs() -> ConfigSet {
    use ConfigSource::*;
    let mut cs = ConfigSet::default();
    for (k, v, s) in [
        ("cleanup.policy", "delete", DefaultConfig),
        ("min.insync.replicas", "2", StaticBrokerConfig),
        ("unclean.leader.election.enable", "false", DefaultConfig),
        ("retention.ms", "604800000", DefaultConfig),
        ("retention.bytes", "-1", DefaultConfig),
        ("segment.bytes", "1073741824", DefaultConfig),
        ("segment.ms", "604800000", DefaultConfig),
        ("max.message.bytes", "1048588", DefaultConfig),
        ("delete.retention.ms", "86400000", DefaultConfig),
        ("min.cleanable.dirty.ratio", "0.5", DefaultConfig),
        (
            "max.compaction.lag.ms",
            "9223372036854775807",
            DefaultConfig,
        ),
    ] {
        put(&mut cs, k, v, s);
    }
    cs
}

/// A round-robin assignment over brokers 1..=3.
pub fn assignment(partitions: u32, rf: u32) -> Vec<Vec<i32>> {
    (0..partitions)
        .map(|p| (0..rf).map(|r| ((p + r) % 3 + 1) as i32).collect())
        .collect()
}

pub fn topic(name: &str, partitions: u32, rf: u32) -> TopicConfigSnapshot {
    TopicConfigSnapshot {
        name: name.into(),
        internal: false,
        partitions,
        replication_factor: rf,
        assignment: assignment(partitions, rf),
        configs: topic_configs(),
        null_key_sample: None,
        retained_records: None,
    }
}

/// Three live brokers, all described with sane configs, and one sane topic `orders` (6 partitions,
/// RF 3).
pub fn base() -> AuditInput {
    AuditInput {
        live_broker_ids: vec![1, 2, 3],
        brokers: (1..=3)
            .map(|id| BrokerConfigSnapshot {
                id,
                configs: broker_configs(),
                error: None,
            })
            .collect(),
        topics: vec![topic("orders", 6, 3)],
        client: None,
    }
}

/// A Java client of `kind` with safe settings for its kind.
pub fn client(kind: ClientKind, props: &[(&str, &str)]) -> ClientConfig {
    let mut properties: BTreeMap<String, String> = match kind {
        ClientKind::Producer => vec![("compression.type", "lz4")].into_iter(),
        ClientKind::Consumer => vec![
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ]
        .into_iter(),
        ClientKind::Unknown => vec![("client.id", "x")].into_iter(),
    }
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in props {
        properties.insert(k.to_string(), v.to_string());
    }
    ClientConfig {
        kind,
        library: ClientLibrary::Java,
        properties,
        intents: vec![],
        topics: vec![],
    }
}

pub fn with_client(c: ClientConfig) -> AuditInput {
    AuditInput {
        client: Some(c),
        ..base()
    }
}

/// Rule ids of a report's findings, in report order.
pub fn ids(r: &AuditReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.finding.id.as_str()).collect()
}

pub fn run(i: &AuditInput) -> AuditReport {
    evaluate(i, &AuditOptions::default())
}

/// The findings of rule `id`.
pub fn hits<'r>(r: &'r AuditReport, id: &str) -> Vec<&'r AuditFinding> {
    r.findings.iter().filter(|f| f.finding.id == id).collect()
}

/// Exactly one finding of rule `id`, and nothing else.
pub fn only<'r>(r: &'r AuditReport, id: &str) -> &'r AuditFinding {
    assert_eq!(ids(r), [id], "{:#?}", r.findings);
    &r.findings[0]
}

/// Applies the finding's IncrementalAlterConfigs op and checks the finding is gone.
pub fn fix_clears(i: &AuditInput, f: &AuditFinding) {
    let op = f
        .fix
        .incremental_alter
        .as_ref()
        .expect("finding has an alter op");
    let mut fixed = i.clone();
    assert!(apply_alter(&mut fixed, op), "op applies: {op:?}");
    let after = run(&fixed);
    assert!(
        !after.findings.iter().any(|g| g.finding.id == f.finding.id
            && g.finding.evidence.items == f.finding.evidence.items),
        "{} on {:?} still there after {op:?}",
        f.finding.id,
        f.finding.evidence.items
    );
}

/// Applies the finding's client property and checks the finding is gone.
pub fn client_fix_clears(i: &AuditInput, f: &AuditFinding) {
    let p = f
        .fix
        .client_property
        .as_ref()
        .expect("finding has a client property");
    let mut fixed = i.clone();
    let c = fixed.client.as_mut().unwrap();
    // Drop librdkafka aliases of the key so the new value is the one read.
    let same: &[&str] = match p.key.as_str() {
        "acks" => &["request.required.acks"],
        "retries" => &["message.send.max.retries"],
        "linger.ms" => &["queue.buffering.max.ms"],
        "compression.type" => &["compression.codec"],
        "max.in.flight.requests.per.connection" => &["max.in.flight"],
        "max.partition.fetch.bytes" => &["fetch.message.max.bytes"],
        _ => &[],
    };
    for k in same {
        c.properties.remove(*k);
    }
    c.properties.insert(p.key.clone(), p.value.clone());
    let after = run(&fixed);
    assert!(
        !after.findings.iter().any(|g| g.finding.id == f.finding.id),
        "{} still there after {}={}: {:#?}",
        f.finding.id,
        p.key,
        p.value,
        after.findings
    );
}

/// Applies every fix listed for `object` (findings whose items name it) as the cluster would end
/// up, re-audits, and checks that no finding on `object` is left: the fixes add up to one coherent
/// change. Returns the ids that fired before.
pub fn all_fixes_add_up(i: &AuditInput, object: &str) -> Vec<String> {
    let before = run(i);
    let mine: Vec<&AuditFinding> = before
        .findings
        .iter()
        .filter(|f| f.finding.evidence.items.iter().any(|x| x == object))
        .collect();
    let mut fixed = i.clone();
    for f in &mine {
        assert!(
            apply_fix(&mut fixed, &f.fix),
            "{}: fix cannot be applied: {:?}",
            f.finding.id,
            f.fix
        );
    }
    let after = run(&fixed);
    let left: Vec<&str> = after
        .findings
        .iter()
        .filter(|f| f.finding.evidence.items.iter().any(|x| x == object))
        .map(|f| f.finding.id.as_str())
        .collect();
    let was: Vec<String> = mine.iter().map(|f| f.finding.id.clone()).collect();
    assert!(
        left.is_empty(),
        "{object}: after applying the fixes of {was:?}, still {left:?}"
    );
    was
}

//! A local model of IncrementalAlterConfigs over an [`AuditInput`], to preview a fix: re-run the
//! audit on the result and see which findings go away. Synonyms are kept in Kafka's precedence
//! order (topic > per-broker dynamic > cluster-wide dynamic default > static > default) and the
//! first one with a value is the effective value.

use crate::snapshot::{ConfigEntry, ConfigSet, ConfigSource, ConfigSynonym};

use super::context::broker_synonyms;
use super::{AlterOp, AlterOpKind, AlterResourceType, AuditInput, Remediation};

/// Applies a finding's fix to `input` as the cluster would end up: its IncrementalAlterConfigs op
/// (see [`apply_alter`]), or the `kafka-reassign-partitions.sh` plan its command carries inline
/// (each listed partition gets the listed replicas, the topic's RF the longest list). Returns false,
/// changing nothing, for fixes it cannot model (manual steps, client properties) or that Kafka
/// would refuse.
pub fn apply_fix(input: &mut AuditInput, fix: &Remediation) -> bool {
    if let Some(op) = &fix.incremental_alter {
        return apply_alter(input, op);
    }
    let Some(plan) = inline_reassignment(&fix.command) else {
        return false;
    };
    let Some(moves) = plan["partitions"].as_array() else {
        return false;
    };
    for m in moves {
        let (Some(topic), Some(p), Some(replicas)) = (
            m["topic"].as_str(),
            m["partition"].as_u64(),
            m["replicas"].as_array(),
        ) else {
            return false;
        };
        let Some(t) = input.topics.iter_mut().find(|t| t.name == topic) else {
            return false;
        };
        if p >= u64::from(t.partitions) {
            return false;
        }
        let reps: Vec<i32> = replicas
            .iter()
            .filter_map(|r| r.as_i64().map(|r| r as i32))
            .collect();
        let p = p as usize;
        if t.assignment.len() <= p {
            t.assignment.resize(p + 1, Vec::new());
        }
        t.assignment[p] = reps;
        t.replication_factor = t
            .assignment
            .iter()
            .map(|r| r.len() as u32)
            .max()
            .unwrap_or(0);
    }
    true
}

/// The reassignment JSON of an `echo '<json>' > file && kafka-reassign-partitions.sh ...` command.
fn inline_reassignment(command: &str) -> Option<serde_json::Value> {
    if !command.contains("kafka-reassign-partitions.sh") {
        return None;
    }
    let start = command.find("echo '")? + "echo '".len();
    let len = command[start..].find('\'')?;
    serde_json::from_str(&command[start..start + len]).ok()
}

/// Applies `op` to `input` as Kafka would. Returns false, changing nothing, when Kafka would refuse
/// it: unknown topic or broker, or a read-only (not dynamically alterable) broker key.
///
/// A `broker_default` op also reaches topics whose entry inherits from that broker key (e.g.
/// `log.retention.ms` → `retention.ms`); a per-broker op changes only that broker's configs.
pub fn apply_alter(input: &mut AuditInput, op: &AlterOp) -> bool {
    match op.resource_type {
        AlterResourceType::Topic => {
            let Some(t) = input.topics.iter_mut().find(|t| t.name == op.resource_name) else {
                return false;
            };
            set_level(
                &mut t.configs,
                &op.key,
                &op.key,
                ConfigSource::DynamicTopicConfig,
                value(op),
            );
            true
        }
        AlterResourceType::Broker => {
            let Ok(id) = op.resource_name.parse::<i32>() else {
                return false;
            };
            let Some(b) = input.brokers.iter_mut().find(|b| b.id == id) else {
                return false;
            };
            if read_only(&b.configs, &op.key) {
                return false;
            }
            set_level(
                &mut b.configs,
                &op.key,
                &op.key,
                ConfigSource::DynamicBrokerConfig,
                value(op),
            );
            true
        }
        AlterResourceType::BrokerDefault => {
            if input.brokers.iter().any(|b| read_only(&b.configs, &op.key)) {
                return false;
            }
            for b in &mut input.brokers {
                if !b.configs.entries.is_empty() {
                    set_level(
                        &mut b.configs,
                        &op.key,
                        &op.key,
                        ConfigSource::DynamicDefaultBrokerConfig,
                        value(op),
                    );
                }
            }
            for t in &mut input.topics {
                let keys: Vec<(String, i64)> = t
                    .configs
                    .entries
                    .iter()
                    .filter_map(|e| {
                        broker_synonyms(&e.name)
                            .iter()
                            .find(|(n, _)| *n == op.key)
                            .map(|(_, f)| (e.name.clone(), *f))
                    })
                    .collect();
                for (topic_key, factor) in keys {
                    let v = value(op).map(|v| match v.trim().parse::<i64>() {
                        Ok(n) if factor != 1 => n.saturating_mul(factor).to_string(),
                        _ => v,
                    });
                    set_level(
                        &mut t.configs,
                        &topic_key,
                        &op.key,
                        ConfigSource::DynamicDefaultBrokerConfig,
                        v,
                    );
                }
            }
            true
        }
    }
}

fn value(op: &AlterOp) -> Option<String> {
    match op.op {
        AlterOpKind::Set => op.value.clone(),
        AlterOpKind::Delete => None,
    }
}

fn read_only(cs: &ConfigSet, key: &str) -> bool {
    cs.get(key).is_some_and(|e| e.read_only)
}

fn rank(s: ConfigSource) -> u8 {
    match s {
        ConfigSource::DynamicTopicConfig => 0,
        ConfigSource::DynamicBrokerConfig => 1,
        ConfigSource::DynamicDefaultBrokerConfig => 2,
        ConfigSource::StaticBrokerConfig => 3,
        ConfigSource::DefaultConfig => 4,
        _ => 5,
    }
}

/// Sets (`Some`) or removes (`None`) the synonym `synonym` at `source` on entry `name`, then
/// recomputes the entry's effective value and source.
fn set_level(
    cs: &mut ConfigSet,
    name: &str,
    synonym: &str,
    source: ConfigSource,
    value: Option<String>,
) {
    let idx = match cs.entries.iter().position(|e| e.name == name) {
        Some(i) => i,
        None if value.is_some() => {
            cs.entries.push(ConfigEntry {
                name: name.to_string(),
                value: None,
                source: ConfigSource::Unknown,
                sensitive: false,
                read_only: false,
                synonyms: vec![],
            });
            cs.entries.len() - 1
        }
        None => return,
    };
    let e = &mut cs.entries[idx];
    // Keep the current value as a fallback when the broker listed no synonyms for it.
    if e.synonyms.is_empty() && e.value.is_some() && e.source != ConfigSource::Unknown {
        e.synonyms.push(ConfigSynonym {
            name: e.name.clone(),
            value: e.value.clone(),
            source: e.source,
        });
    }
    e.synonyms
        .retain(|s| !(s.source == source && s.name == synonym));
    if let Some(v) = value {
        e.synonyms.push(ConfigSynonym {
            name: synonym.to_string(),
            value: Some(v),
            source,
        });
    }
    e.synonyms.sort_by_key(|s| rank(s.source));
    match e.synonyms.iter().find(|s| s.value.is_some()) {
        Some(s) => {
            e.value = s.value.clone();
            e.source = s.source;
        }
        None => {
            cs.entries.remove(idx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;

    fn op(t: AlterResourceType, name: &str, key: &str, v: Option<&str>) -> AlterOp {
        AlterOp {
            resource_type: t,
            resource_name: name.into(),
            key: key.into(),
            op: if v.is_some() {
                AlterOpKind::Set
            } else {
                AlterOpKind::Delete
            },
            value: v.map(String::from),
        }
    }

    #[test]
    fn topic_set_then_delete_falls_back() {
        let mut i = base();
        assert!(apply_alter(
            &mut i,
            &op(
                AlterResourceType::Topic,
                "orders",
                "min.insync.replicas",
                Some("3")
            )
        ));
        let e = i.topics[0].configs.get("min.insync.replicas").unwrap();
        assert_eq!(
            (e.value.as_deref(), e.source),
            (Some("3"), ConfigSource::DynamicTopicConfig)
        );
        assert!(apply_alter(
            &mut i,
            &op(
                AlterResourceType::Topic,
                "orders",
                "min.insync.replicas",
                None
            )
        ));
        let e = i.topics[0].configs.get("min.insync.replicas").unwrap();
        assert_eq!(
            (e.value.as_deref(), e.source),
            (Some("2"), ConfigSource::StaticBrokerConfig)
        );
        assert!(!apply_alter(
            &mut i,
            &op(AlterResourceType::Topic, "nope", "x", Some("1"))
        ));
    }

    #[test]
    fn broker_default_reaches_inheriting_topics_but_not_overrides() {
        let mut i = base();
        i.topics.push(topic("kept", 3, 3));
        put_topic(
            &mut i,
            "kept",
            "retention.ms",
            "86400000",
            ConfigSource::DynamicTopicConfig,
        );
        assert!(apply_alter(
            &mut i,
            &op(
                AlterResourceType::BrokerDefault,
                "",
                "log.retention.ms",
                Some("259200000")
            )
        ));
        let e = i.topics[0].configs.get("retention.ms").unwrap();
        assert_eq!(
            (e.value.as_deref(), e.source),
            (Some("259200000"), ConfigSource::DynamicDefaultBrokerConfig)
        );
        assert_eq!(i.topics[1].configs.value("retention.ms"), Some("86400000"));
        let b = i.brokers[2].configs.get("log.retention.ms").unwrap();
        assert_eq!(b.source, ConfigSource::DynamicDefaultBrokerConfig);
    }

    #[test]
    fn read_only_broker_keys_are_refused() {
        let mut i = base();
        let before = i.clone();
        assert!(!apply_alter(
            &mut i,
            &op(
                AlterResourceType::BrokerDefault,
                "",
                "auto.create.topics.enable",
                Some("false")
            )
        ));
        assert!(!apply_alter(
            &mut i,
            &op(
                AlterResourceType::Broker,
                "1",
                "default.replication.factor",
                Some("3")
            )
        ));
        assert!(!apply_alter(
            &mut i,
            &op(
                AlterResourceType::Broker,
                "9",
                "min.insync.replicas",
                Some("2")
            )
        ));
        assert_eq!(i, before);
    }
}

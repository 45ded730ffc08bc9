//! The diff and risks of an alter-configs request against a topic's current configs (with their
//! synonyms): lowered retention, unclean election, min.insync.replicas against RF and ISR,
//! compaction changes, and the value a deleted override falls back to. Also the human duration and
//! size formats its messages use.

use schemars::JsonSchema;
use serde::Serialize;

use super::config_spec::{
    topic_config_spec, unknown_key_error, validate_configs, ConfigValueError, TopicConfigSpec,
    BROKER_KEYS,
};
use super::note::{note, PlanNote};
use crate::analysis::finding::Severity;
use crate::snapshot::{ConfigEntry, ConfigSet, ConfigSource};

/// One requested config change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    /// Topic config key.
    pub key: String,
    /// The new value; `None` deletes the topic override, so the broker/cluster default applies
    /// again.
    pub value: Option<String>,
}

/// What else is known about the topic, to judge risk. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicFacts {
    /// Replication factor.
    pub replication_factor: Option<i32>,
    /// Smallest ISR size over the topic's partitions now.
    pub smallest_isr: Option<i32>,
    /// Share (0 to 1) of sampled records with a null key, if a sample was read.
    pub null_key_share: Option<f64>,
}

/// One config before and after the change.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConfigDiff {
    /// Topic config key.
    pub key: String,
    /// Effective value now; `null` when the broker did not return the key.
    pub old_value: Option<String>,
    /// Where the current value comes from.
    pub old_source: ConfigSource,
    /// Effective value after the change. For a deleted override: the next synonym in precedence
    /// order (converted to the topic key's unit), else Kafka 4.0's built-in default.
    pub new_value: Option<String>,
    /// Where the new value will come from.
    pub new_source: ConfigSource,
    /// Whether the effective value changes.
    pub changed: bool,
    /// Risks of this change, worst first.
    pub risks: Vec<PlanNote>,
}

/// The diff and risks of an alter-configs request.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConfigChangeImpact {
    /// One row per requested key, in request order.
    pub changes: Vec<ConfigDiff>,
    /// The worst risk over all rows; `null` when there is none.
    pub worst_severity: Option<Severity>,
}

/// Milliseconds per unit of a synonym that does not count in ms.
fn synonym_unit_ms(name: &str) -> Option<i64> {
    BROKER_KEYS
        .iter()
        .find(|(b, _, _)| *b == name)
        .and_then(|(_, _, u)| *u)
}

/// The value a key falls back to when its topic override is deleted: the first synonym below the
/// topic level, else the built-in default.
fn fallback_value(
    entry: Option<&ConfigEntry>,
    spec: &TopicConfigSpec,
) -> (Option<String>, ConfigSource) {
    if let Some(e) = entry {
        for s in e
            .synonyms
            .iter()
            .filter(|s| s.source != ConfigSource::DynamicTopicConfig)
        {
            let Some(v) = s.value.as_deref() else {
                continue;
            };
            let v = match (synonym_unit_ms(&s.name), v.trim().parse::<i64>()) {
                (Some(unit), Ok(n)) => n.saturating_mul(unit).to_string(),
                _ => v.to_string(),
            };
            return (Some(v), s.source);
        }
    }
    (Some(spec.default.to_string()), ConfigSource::DefaultConfig)
}

fn parse_i64(v: Option<&str>) -> Option<i64> {
    v.and_then(|v| v.trim().parse().ok())
}

fn parse_bool(v: Option<&str>) -> Option<bool> {
    v.map(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn policy_has(v: Option<&str>, what: &str) -> bool {
    v.is_some_and(|v| v.split(',').any(|p| p.trim() == what))
}

/// Human duration for messages: `7d`, `36h`, `15min`, `30s`, `250ms`, or `forever` for negative
/// values.
pub fn format_ms(ms: i64) -> String {
    if ms < 0 {
        return "forever".to_string();
    }
    const UNITS: &[(i64, &str)] = &[
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "min"),
        (1_000, "s"),
        (1, "ms"),
    ];
    // The largest unit that gives a whole number below 1000 (90min, not 1.5h), else one decimal of
    // the largest unit that fits (1.5s, not 1500ms).
    for &(per, unit) in UNITS {
        if ms >= per && ms % per == 0 && ms / per < 1000 {
            return format!("{}{unit}", ms / per);
        }
    }
    for &(per, unit) in UNITS {
        if ms >= per {
            return format!("{:.1}{unit}", ms as f64 / per as f64);
        }
    }
    "0ms".to_string()
}

/// Human size for messages, binary units: `1 GiB`, `2 MiB`, `512 B`, or `unlimited` for negative
/// values.
pub fn format_bytes(bytes: i64) -> String {
    if bytes < 0 {
        return "unlimited".to_string();
    }
    const UNITS: &[(i64, &str)] = &[
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for &(per, unit) in UNITS {
        if bytes >= per {
            let v = bytes as f64 / per as f64;
            return if bytes % per == 0 {
                format!("{} {unit}", bytes / per)
            } else {
                format!("{v:.1} {unit}")
            };
        }
    }
    format!("{bytes} B")
}

/// Diffs the requested changes against the topic's current configs and flags risky ones: lower
/// retention (`retention-lowered`, `retention-bytes-lowered`), `unclean-election-enabled`,
/// `min-isr-lowered` / `min-isr-above-rf` / `min-isr-above-isr` / `min-isr-equals-rf`,
/// `compact-with-null-keys`, `compact-removed`, `max-message-bytes-lowered`,
/// `timestamp-type-changed`, `tiered-storage-disabled`, `delete-retention-lowered`,
/// `no-override-to-delete`.
///
/// Every new value is validated first ([`validate_configs`]); any error refuses the whole request.
pub fn config_change_impact(
    current: &ConfigSet,
    changes: &[ConfigChange],
    facts: &TopicFacts,
) -> Result<ConfigChangeImpact, Vec<ConfigValueError>> {
    let mut errors: Vec<ConfigValueError> = Vec::new();
    let set: Vec<(&str, &str)> = changes
        .iter()
        .filter_map(|c| c.value.as_deref().map(|v| (c.key.as_str(), v)))
        .collect();
    if let Err(e) = validate_configs(set) {
        errors.extend(e);
    }
    for c in changes.iter().filter(|c| c.value.is_none()) {
        if topic_config_spec(&c.key).is_none() {
            errors.push(unknown_key_error(&c.key));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Effective values after the whole batch, for cross-key rules (e.g. cleanup.policy +
    // retention.ms).
    let mut rows: Vec<ConfigDiff> = Vec::with_capacity(changes.len());
    for c in changes {
        let spec = topic_config_spec(&c.key).expect("validated above");
        let entry = current.get(&c.key);
        let old_value = entry.and_then(|e| e.value.clone());
        let old_source = entry.map_or(ConfigSource::Unknown, |e| e.source);
        let mut risks = Vec::new();
        let (new_value, new_source) = match &c.value {
            Some(v) => (Some(v.trim().to_string()), ConfigSource::DynamicTopicConfig),
            None => {
                if entry.is_some() && old_source != ConfigSource::DynamicTopicConfig {
                    risks.push(note(
                        "no-override-to-delete",
                        Severity::Info,
                        format!(
                            "`{}` has no topic-level override (its value comes from {}); deleting it changes \
                             nothing.",
                            c.key,
                            old_source.as_str()
                        ),
                    ));
                    (old_value.clone(), old_source)
                } else {
                    fallback_value(entry, spec)
                }
            }
        };
        let changed = old_value != new_value;
        rows.push(ConfigDiff {
            key: c.key.clone(),
            old_value,
            old_source,
            new_value,
            new_source,
            changed,
            risks,
        });
    }
    let after = |key: &str| -> Option<String> {
        rows.iter()
            .rev()
            .find(|r| r.key == key)
            .map(|r| r.new_value.clone())
            .unwrap_or_else(|| current.value(key).map(str::to_string))
    };
    let policy_after = after("cleanup.policy").or_else(|| Some("delete".to_string()));
    let rf = facts.replication_factor;

    let mut extra: Vec<Vec<PlanNote>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut risks = Vec::new();
        if !r.changed {
            extra.push(risks);
            continue;
        }
        let spec = topic_config_spec(&r.key).expect("validated above");
        // Compare against Kafka's default when the broker did not say what the value is now.
        let old = r
            .old_value
            .clone()
            .or_else(|| Some(spec.default.to_string()));
        let (old, new) = (old.as_deref(), r.new_value.as_deref());
        match r.key.as_str() {
            "retention.ms" => {
                if let (Some(o), Some(n)) = (parse_i64(old), parse_i64(new)) {
                    if n >= 0 && (o < 0 || n < o) {
                        let deletes = policy_has(policy_after.as_deref(), "delete");
                        let sev = if !deletes {
                            Severity::Info
                        } else if n < 3_600_000 {
                            Severity::Error
                        } else {
                            Severity::Warn
                        };
                        let tail = if deletes {
                            "at the next retention check (log.retention.check.interval.ms, 5 min by default). \
                             Consumers that lag more than that lose records unread."
                        } else {
                            "once cleanup.policy includes delete; with compact only it has no effect now."
                        };
                        risks.push(note(
                            "retention-lowered",
                            sev,
                            format!(
                                "retention drops from {} to {}: segments whose newest record is older than {} \
                                 are deleted {tail}",
                                format_ms(o),
                                format_ms(n),
                                format_ms(n)
                            ),
                        ));
                    }
                }
            }
            "retention.bytes" => {
                if let (Some(o), Some(n)) = (parse_i64(old), parse_i64(new)) {
                    if n >= 0 && (o < 0 || n < o) {
                        risks.push(note(
                            "retention-bytes-lowered",
                            Severity::Warn,
                            format!(
                                "each partition is cut to about {} (was {}): older segments beyond that are \
                                 deleted at the next retention check.",
                                format_bytes(n),
                                format_bytes(o)
                            ),
                        ));
                    }
                }
            }
            "unclean.leader.election.enable"
                if parse_bool(new) == Some(true) && parse_bool(old) != Some(true) =>
            {
                risks.push(note(
                    "unclean-election-enabled",
                    Severity::Error,
                    "an out-of-sync replica may become leader when no in-sync one is left: the records it \
                     lacks are lost and consumers can see offsets reused. Keep it false unless \
                     availability matters more than the data.",
                ));
            }
            "min.insync.replicas" => {
                if let (Some(o), Some(n)) = (parse_i64(old), parse_i64(new)) {
                    if let Some(rf) = rf.map(i64::from) {
                        if n > rf {
                            risks.push(note(
                                "min-isr-above-rf",
                                Severity::Error,
                                format!(
                                    "min.insync.replicas {n} is above the replication factor {rf}: every acks=all \
                                     write fails with NOT_ENOUGH_REPLICAS. Send at most {rf} (usually RF − 1)."
                                ),
                            ));
                        } else if n == rf && rf > 1 {
                            risks.push(note(
                                "min-isr-equals-rf",
                                Severity::Warn,
                                format!(
                                    "min.insync.replicas equals the replication factor ({rf}): one broker down \
                                     blocks acks=all writes to its partitions. RF − 1 = {} tolerates one.",
                                    rf - 1
                                ),
                            ));
                        }
                    }
                    if let Some(isr) = facts.smallest_isr.map(i64::from) {
                        if n > isr && rf.is_none_or(|rf| n <= i64::from(rf)) {
                            risks.push(note(
                                "min-isr-above-isr",
                                Severity::Error,
                                format!(
                                    "some partition has only {isr} in-sync replica(s) now, below the new \
                                     min.insync.replicas {n}: acks=all writes to it fail at once."
                                ),
                            ));
                        }
                    }
                    if n < o {
                        let sev = if n <= 1 { Severity::Error } else { Severity::Warn };
                        risks.push(note(
                            "min-isr-lowered",
                            sev,
                            format!(
                                "min.insync.replicas drops from {o} to {n}: acks=all writes are acknowledged \
                                 with only {n} copy(ies), so losing {n} broker(s) can lose acknowledged data."
                            ),
                        ));
                    }
                }
            }
            "cleanup.policy" => {
                let (was_compact, is_compact) = (policy_has(old, "compact"), policy_has(new, "compact"));
                if is_compact && !was_compact {
                    match facts.null_key_share {
                        Some(s) if s > 0.0 => risks.push(note(
                            "compact-with-null-keys",
                            Severity::Error,
                            format!(
                                "{:.1}% of sampled records have a null key. On a compacted topic the broker \
                                 refuses keyless records (INVALID_RECORD) and the cleaner removes the \
                                 existing ones. Give every record a key first.",
                                s * 100.0
                            ),
                        )),
                        Some(_) => risks.push(note(
                            "compact-keeps-latest-per-key",
                            Severity::Info,
                            "compaction keeps only the latest record per key; older values are removed.",
                        )),
                        None => risks.push(note(
                            "compact-with-null-keys",
                            Severity::Warn,
                            "no sample says whether records have keys. On a compacted topic the broker refuses \
                             keyless records (INVALID_RECORD) and the cleaner removes existing ones; sample \
                             the topic first.",
                        )),
                    }
                }
                if was_compact && !is_compact {
                    risks.push(note(
                        "compact-removed",
                        Severity::Warn,
                        "compaction stops: the latest value of each key is no longer kept and expires by \
                         retention.ms like any record. State or changelog topics lose state.",
                    ));
                }
            }
            "max.message.bytes" => {
                if let (Some(o), Some(n)) = (parse_i64(old), parse_i64(new)) {
                    if n < o {
                        risks.push(note(
                            "max-message-bytes-lowered",
                            Severity::Warn,
                            format!(
                                "producers whose batches exceed {} (was {}) get RECORD_TOO_LARGE.",
                                format_bytes(n),
                                format_bytes(o)
                            ),
                        ));
                    }
                }
            }
            "message.timestamp.type" => risks.push(note(
                "timestamp-type-changed",
                Severity::Warn,
                format!(
                    "timestamps switch from {} to {}: time-based retention and offsets-for-times lookups use \
                     the new timestamps from now on.",
                    old.unwrap_or("?"),
                    new.unwrap_or("?")
                ),
            )),
            "remote.storage.enable"
                if parse_bool(new) == Some(false) && parse_bool(old) == Some(true) =>
            {
                risks.push(note(
                    "tiered-storage-disabled",
                    Severity::Warn,
                    "turning tiered storage off: Kafka 4.0 accepts it only together with \
                     remote.log.delete.on.disable=true, which deletes all remote data. To keep remote data \
                     read-only instead, keep remote.storage.enable=true and set remote.log.copy.disable=true.",
                ));
            }
            "delete.retention.ms" => {
                if let (Some(o), Some(n)) = (parse_i64(old), parse_i64(new)) {
                    if n < o {
                        risks.push(note(
                            "delete-retention-lowered",
                            Severity::Info,
                            format!(
                                "tombstones vanish after {} instead of {}: a consumer reading the topic from \
                                 the start slower than that can miss deletes.",
                                format_ms(n),
                                format_ms(o)
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        extra.push(risks);
    }
    for (r, more) in rows.iter_mut().zip(extra) {
        r.risks.extend(more);
        r.risks.sort_by_key(|n| std::cmp::Reverse(n.severity));
    }
    let worst = rows
        .iter()
        .flat_map(|r| r.risks.iter().map(|n| n.severity))
        .max();
    Ok(ConfigChangeImpact {
        changes: rows,
        worst_severity: worst,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::topic::config_spec::{human_bytes, human_ms, validate_config};
    use crate::snapshot::ConfigSynonym;

    /// Loads one topic's configs from a recorded `describe_configs.topics.json`.
    fn fixture_configs(json: &str, topic: &str) -> ConfigSet {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let entries = v["data"]["result"][topic]["result"].as_array().unwrap();
        let entries = entries
            .iter()
            .map(|e| ConfigEntry {
                name: e["name"].as_str().unwrap().to_string(),
                value: e["value"].as_str().map(str::to_string),
                source: ConfigSource::parse(e["source"].as_str().unwrap()),
                sensitive: e["is_sensitive"].as_bool().unwrap(),
                read_only: e["is_read_only"].as_bool().unwrap(),
                synonyms: e["synonyms"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| ConfigSynonym {
                        name: s["name"].as_str().unwrap().to_string(),
                        value: s["value"].as_str().map(str::to_string),
                        source: ConfigSource::parse(s["source"].as_str().unwrap()),
                    })
                    .collect(),
            })
            .collect();
        ConfigSet { entries }
    }

    const HEALTHY: &str =
        include_str!("../../../fixtures/real-kafka-4.0/healthy/describe_configs.topics.json");
    const DYNAMIC: &str = include_str!(
        "../../../fixtures/real-kafka-4.0/dynamic-configs/describe_configs.topics.json"
    );

    fn set(key: &str, value: &str) -> ConfigChange {
        ConfigChange {
            key: key.into(),
            value: Some(value.into()),
        }
    }

    fn unset(key: &str) -> ConfigChange {
        ConfigChange {
            key: key.into(),
            value: None,
        }
    }

    fn risk_ids(d: &ConfigDiff) -> Vec<&str> {
        d.risks.iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn every_fixture_topic_config_validates() {
        for topic in [
            "__consumer_offsets",
            "events.compacted",
            "orders",
            "payments",
            "risky",
            "single.rf1",
            "tiny.segments",
        ] {
            for e in fixture_configs(HEALTHY, topic).entries {
                let v = e.value.unwrap_or_default();
                assert_eq!(
                    validate_config(&e.name, &v),
                    Ok(()),
                    "{topic} {}={v}",
                    e.name
                );
            }
        }
    }

    #[test]
    fn lowering_retention_on_fixture_orders() {
        let cur = fixture_configs(HEALTHY, "orders");
        let i = config_change_impact(
            &cur,
            &[set("retention.ms", "86400000")],
            &TopicFacts::default(),
        )
        .unwrap();
        let d = &i.changes[0];
        assert_eq!(d.old_value.as_deref(), Some("604800000"));
        assert_eq!(d.old_source, ConfigSource::DefaultConfig);
        assert_eq!(d.new_value.as_deref(), Some("86400000"));
        assert_eq!(d.new_source, ConfigSource::DynamicTopicConfig);
        assert!(d.changed);
        assert_eq!(risk_ids(d), ["retention-lowered"]);
        assert_eq!(d.risks[0].severity, Severity::Warn);
        assert!(
            d.risks[0].message.contains("from 7d to 1d"),
            "{}",
            d.risks[0].message
        );
        assert_eq!(i.worst_severity, Some(Severity::Warn));

        // Below an hour it is an error; raising retention is not a risk.
        let i = config_change_impact(
            &cur,
            &[set("retention.ms", "60000")],
            &TopicFacts::default(),
        )
        .unwrap();
        assert_eq!(i.worst_severity, Some(Severity::Error));
        let i = config_change_impact(&cur, &[set("retention.ms", "-1")], &TopicFacts::default())
            .unwrap();
        assert_eq!(i.worst_severity, None);
    }

    #[test]
    fn retention_on_a_compact_only_topic_is_info() {
        let cur = fixture_configs(HEALTHY, "events.compacted");
        let i = config_change_impact(
            &cur,
            &[set("retention.ms", "3600000")],
            &TopicFacts::default(),
        )
        .unwrap();
        assert_eq!(i.changes[0].risks[0].severity, Severity::Info);
        // ...but adding delete in the same request makes it bite.
        let i = config_change_impact(
            &cur,
            &[
                set("cleanup.policy", "compact,delete"),
                set("retention.ms", "3600000"),
            ],
            &TopicFacts::default(),
        )
        .unwrap();
        assert_eq!(i.changes[1].risks[0].severity, Severity::Warn);
    }

    #[test]
    fn deleting_an_override_falls_back_through_synonyms() {
        // healthy: payments retention.ms=86400000 is a topic override and no broker-level synonym
        // is reported, so it falls back to Kafka's default 7 days.
        let cur = fixture_configs(HEALTHY, "payments");
        let i =
            config_change_impact(&cur, &[unset("retention.ms")], &TopicFacts::default()).unwrap();
        let d = &i.changes[0];
        assert_eq!(d.new_value.as_deref(), Some("604800000"));
        assert_eq!(d.new_source, ConfigSource::DefaultConfig);
        assert!(
            d.risks.is_empty(),
            "raising retention is not risky: {:?}",
            d.risks
        );

        // dynamic-configs: chain is [retention.ms topic, log.retention.ms=259200000 cluster
        // default, log.retention.hours=168 default]; the cluster default wins.
        let cur = fixture_configs(DYNAMIC, "payments");
        let i =
            config_change_impact(&cur, &[unset("retention.ms")], &TopicFacts::default()).unwrap();
        assert_eq!(i.changes[0].new_value.as_deref(), Some("259200000"));
        assert_eq!(
            i.changes[0].new_source,
            ConfigSource::DynamicDefaultBrokerConfig
        );

        // Hours synonyms are converted to ms.
        let entry = ConfigEntry {
            name: "retention.ms".into(),
            value: Some("1000".into()),
            source: ConfigSource::DynamicTopicConfig,
            sensitive: false,
            read_only: false,
            synonyms: vec![
                ConfigSynonym {
                    name: "retention.ms".into(),
                    value: Some("1000".into()),
                    source: ConfigSource::DynamicTopicConfig,
                },
                ConfigSynonym {
                    name: "log.retention.hours".into(),
                    value: Some("48".into()),
                    source: ConfigSource::StaticBrokerConfig,
                },
            ],
        };
        let cur = ConfigSet {
            entries: vec![entry],
        };
        let i =
            config_change_impact(&cur, &[unset("retention.ms")], &TopicFacts::default()).unwrap();
        assert_eq!(i.changes[0].new_value.as_deref(), Some("172800000"));
        assert_eq!(i.changes[0].new_source, ConfigSource::StaticBrokerConfig);

        // No override to delete: nothing changes.
        let cur = fixture_configs(HEALTHY, "orders");
        let i = config_change_impact(
            &cur,
            &[unset("min.insync.replicas")],
            &TopicFacts::default(),
        )
        .unwrap();
        assert!(!i.changes[0].changed);
        assert_eq!(risk_ids(&i.changes[0]), ["no-override-to-delete"]);
    }

    #[test]
    fn unclean_election_and_min_isr() {
        let cur = fixture_configs(HEALTHY, "orders");
        let facts = TopicFacts {
            replication_factor: Some(3),
            smallest_isr: Some(3),
            null_key_share: None,
        };
        let i = config_change_impact(
            &cur,
            &[set("unclean.leader.election.enable", "true")],
            &facts,
        )
        .unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["unclean-election-enabled"]);
        assert_eq!(i.worst_severity, Some(Severity::Error));

        // orders min.insync.replicas=2 (STATIC_BROKER_CONFIG) -> 1: lowered to a single copy.
        let i = config_change_impact(&cur, &[set("min.insync.replicas", "1")], &facts).unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["min-isr-lowered"]);
        assert_eq!(i.changes[0].risks[0].severity, Severity::Error);
        // -> 3 = RF: warn; -> 4 > RF: error.
        let i = config_change_impact(&cur, &[set("min.insync.replicas", "3")], &facts).unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["min-isr-equals-rf"]);
        let i = config_change_impact(&cur, &[set("min.insync.replicas", "4")], &facts).unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["min-isr-above-rf"]);
        // ISR already down to 2 (broker-down): 3 blocks writes now.
        let down = TopicFacts {
            smallest_isr: Some(2),
            ..facts
        };
        let i = config_change_impact(&cur, &[set("min.insync.replicas", "3")], &down).unwrap();
        assert_eq!(
            risk_ids(&i.changes[0]),
            ["min-isr-above-isr", "min-isr-equals-rf"]
        );
    }

    #[test]
    fn compaction_with_null_keys() {
        let cur = fixture_configs(HEALTHY, "orders");
        let facts = TopicFacts {
            null_key_share: Some(0.25),
            ..TopicFacts::default()
        };
        let i = config_change_impact(&cur, &[set("cleanup.policy", "compact")], &facts).unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["compact-with-null-keys"]);
        assert!(i.changes[0].risks[0].message.contains("25.0%"));
        assert!(i.changes[0].risks[0].message.contains("INVALID_RECORD"));
        let i = config_change_impact(
            &cur,
            &[set("cleanup.policy", "compact")],
            &TopicFacts::default(),
        )
        .unwrap();
        assert_eq!(i.changes[0].risks[0].severity, Severity::Warn);
        let keyed = TopicFacts {
            null_key_share: Some(0.0),
            ..TopicFacts::default()
        };
        let i = config_change_impact(&cur, &[set("cleanup.policy", "compact")], &keyed).unwrap();
        assert_eq!(i.worst_severity, Some(Severity::Info));
        // compact -> delete on events.compacted.
        let cur = fixture_configs(HEALTHY, "events.compacted");
        let i = config_change_impact(&cur, &[set("cleanup.policy", "delete")], &keyed).unwrap();
        assert_eq!(risk_ids(&i.changes[0]), ["compact-removed"]);
    }

    #[test]
    fn invalid_changes_refuse_the_whole_request() {
        let cur = fixture_configs(HEALTHY, "orders");
        let errs = config_change_impact(
            &cur,
            &[
                set("retention.ms", "7d"),
                unset("retention.hours"),
                set("segment.bytes", "1048576"),
            ],
            &TopicFacts::default(),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn impact_serializes_with_kafka_source_names() {
        let cur = fixture_configs(HEALTHY, "orders");
        let i = config_change_impact(
            &cur,
            &[set("retention.ms", "86400000")],
            &TopicFacts::default(),
        )
        .unwrap();
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["changes"][0]["old_source"], "DEFAULT_CONFIG");
        assert_eq!(json["changes"][0]["risks"][0]["severity"], "warn");
        assert_eq!(json["worst_severity"], "warn");
        let schema = serde_json::to_value(schemars::schema_for!(ConfigChangeImpact)).unwrap();
        assert!(schema.to_string().contains("worst risk"));
    }

    #[test]
    fn human_formats() {
        assert_eq!(format_ms(604_800_000), "7d");
        assert_eq!(format_ms(86_400_000), "1d");
        assert_eq!(format_ms(5_400_000), "90min");
        assert_eq!(format_ms(1_500), "1.5s");
        assert_eq!(format_ms(-1), "forever");
        assert_eq!(format_ms(0), "0ms");
        assert_eq!(format_bytes(1_073_741_824), "1 GiB");
        assert_eq!(format_bytes(2_097_152), "2 MiB");
        assert_eq!(format_bytes(1_048_588), "1.0 MiB");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(-1), "unlimited");
        assert_eq!(human_ms("7d"), Some(604_800_000));
        assert_eq!(human_ms("1.5h"), Some(5_400_000));
        assert_eq!(human_ms("7"), None);
        assert_eq!(human_bytes("1GB"), Some(1 << 30));
        assert_eq!(human_bytes("64k"), Some(65_536));
    }
}

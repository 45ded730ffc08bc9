//! Kafka 4.0 topic config keys and values: the spec table (`LogConfig`, `TopicConfig`,
//! `QuotaConfig`, `ThrottledReplicaListValidator`), removed and broker-wide keys people send by
//! mistake, and the per-key / per-set validation with "send this instead" hints.
//!
//! KIP-1030 raised the `segment.bytes` minimum to 1 MiB in 4.0; KIP-724 and KIP-937 removed
//! `message.format.version`, `message.downconversion.enable` and
//! `message.timestamp.difference.max.ms`. The key list and defaults match the 33 topic entries a
//! real 4.0.0 broker returned in `fixtures/real-kafka-4.0/healthy/describe_configs.topics.json`.

use std::collections::BTreeMap;

use crate::analysis::suggest::{Tie, Typo, Unit};

/// The type and validator of one topic config, as Kafka 4.0's `LogConfig` defines it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConfigKind {
    /// Java `int`: a whole number in `min..=max`, or exactly `also` when set (gzip's `-1`).
    Int {
        /// Smallest accepted value.
        min: i32,
        /// Largest accepted value.
        max: i32,
        /// One extra accepted value outside the range.
        also: Option<i32>,
    },
    /// Java `long`: a whole number `>= min`.
    Long {
        /// Smallest accepted value (`i64::MIN` when Kafka has no bound).
        min: i64,
    },
    /// Java `double` in `min..=max`.
    Double {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// `true` or `false`, any case.
    Boolean,
    /// Exactly one of these strings (case-sensitive).
    OneOf(&'static [&'static str]),
    /// A comma-separated, non-empty list of these strings (case-sensitive).
    ListOf(&'static [&'static str]),
    /// `*`, empty, or comma-separated `partition:broker` pairs.
    ThrottledReplicas,
}

/// One Kafka 4.0 topic config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicConfigSpec {
    /// The topic-level key, e.g. `retention.ms`.
    pub name: &'static str,
    /// Its type and valid values.
    pub kind: ConfigKind,
    /// Kafka's built-in default, as DescribeConfigs shows it with source `DEFAULT_CONFIG`.
    pub default: &'static str,
    /// The broker-wide key that supplies the default when it differs from `name`, e.g.
    /// `log.retention.ms`.
    pub broker_key: Option<&'static str>,
    /// What it does, in one line.
    pub doc: &'static str,
}

const I32_MAX: i32 = i32::MAX;
const COMPRESSION_TYPES: &[&str] = &["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];
const CLEANUP_POLICIES: &[&str] = &["compact", "delete"];
const TIMESTAMP_TYPES: &[&str] = &["CreateTime", "LogAppendTime"];
const LONG_MAX: &str = "9223372036854775807";

const fn spec(
    name: &'static str,
    kind: ConfigKind,
    default: &'static str,
    broker_key: Option<&'static str>,
    doc: &'static str,
) -> TopicConfigSpec {
    TopicConfigSpec {
        name,
        kind,
        default,
        broker_key,
        doc,
    }
}

const fn int(min: i32) -> ConfigKind {
    ConfigKind::Int {
        min,
        max: I32_MAX,
        also: None,
    }
}

const fn long(min: i64) -> ConfigKind {
    ConfigKind::Long { min }
}

/// Every topic-level config of Kafka 4.0, sorted by name (33 keys; `LogConfig` + `QuotaConfig`).
pub const TOPIC_CONFIGS: &[TopicConfigSpec] = &[
    spec("cleanup.policy", ConfigKind::ListOf(CLEANUP_POLICIES), "delete", Some("log.cleanup.policy"),
        "delete: drop old segments by retention.ms/retention.bytes; compact: keep the latest record per key"),
    spec("compression.gzip.level", ConfigKind::Int { min: 1, max: 9, also: Some(-1) }, "-1", None,
        "gzip level when compression.type=gzip; -1 is zlib's default"),
    spec("compression.lz4.level", ConfigKind::Int { min: 1, max: 17, also: None }, "9", None,
        "lz4 level when compression.type=lz4"),
    spec("compression.type", ConfigKind::OneOf(COMPRESSION_TYPES), "producer", None,
        "codec the broker stores batches in; producer keeps what the producer sent"),
    spec("compression.zstd.level", ConfigKind::Int { min: -131072, max: 22, also: None }, "3", None,
        "zstd level when compression.type=zstd"),
    spec("delete.retention.ms", long(0), "86400000", Some("log.cleaner.delete.retention.ms"),
        "how long tombstones stay readable on a compacted topic"),
    spec("file.delete.delay.ms", long(0), "60000", Some("log.segment.delete.delay.ms"),
        "wait before a deleted segment file is removed from disk"),
    spec("flush.messages", long(1), LONG_MAX, Some("log.flush.interval.messages"),
        "fsync after this many messages (default: leave it to the OS)"),
    spec("flush.ms", long(0), LONG_MAX, None,
        "fsync after this many ms (default: leave it to the OS)"),
    spec("follower.replication.throttled.replicas", ConfigKind::ThrottledReplicas, "", None,
        "replicas throttled on the follower side during reassignment"),
    spec("index.interval.bytes", int(0), "4096", Some("log.index.interval.bytes"),
        "bytes between offset-index entries"),
    spec("leader.replication.throttled.replicas", ConfigKind::ThrottledReplicas, "", None,
        "replicas throttled on the leader side during reassignment"),
    spec("local.retention.bytes", long(-2), "-2", Some("log.local.retention.bytes"),
        "tiered storage: bytes kept on local disk per partition; -2 = retention.bytes"),
    spec("local.retention.ms", long(-2), "-2", Some("log.local.retention.ms"),
        "tiered storage: ms kept on local disk; -2 = retention.ms"),
    spec("max.compaction.lag.ms", long(1), LONG_MAX, Some("log.cleaner.max.compaction.lag.ms"),
        "longest a record may stay uncompacted"),
    spec("max.message.bytes", int(0), "1048588", Some("message.max.bytes"),
        "largest record batch the broker accepts for this topic"),
    spec("message.timestamp.after.max.ms", long(0), "3600000", Some("log.message.timestamp.after.max.ms"),
        "how far in the future a CreateTime timestamp may be"),
    spec("message.timestamp.before.max.ms", long(0), LONG_MAX, Some("log.message.timestamp.before.max.ms"),
        "how far in the past a CreateTime timestamp may be"),
    spec("message.timestamp.type", ConfigKind::OneOf(TIMESTAMP_TYPES), "CreateTime", Some("log.message.timestamp.type"),
        "CreateTime keeps the producer's timestamp; LogAppendTime stamps on append"),
    spec("min.cleanable.dirty.ratio", ConfigKind::Double { min: 0.0, max: 1.0 }, "0.5", Some("log.cleaner.min.cleanable.ratio"),
        "dirty share of the log that triggers compaction"),
    spec("min.compaction.lag.ms", long(0), "0", Some("log.cleaner.min.compaction.lag.ms"),
        "shortest time a record stays uncompacted"),
    spec("min.insync.replicas", int(1), "1", None,
        "in-sync replicas an acks=all write needs; fewer gives NOT_ENOUGH_REPLICAS"),
    spec("preallocate", ConfigKind::Boolean, "false", Some("log.preallocate"),
        "preallocate segment files on disk"),
    spec("remote.log.copy.disable", ConfigKind::Boolean, "false", None,
        "tiered storage: stop copying segments to remote storage (reads still work)"),
    spec("remote.log.delete.on.disable", ConfigKind::Boolean, "false", None,
        "tiered storage: delete remote data when remote.storage.enable is turned off"),
    spec("remote.storage.enable", ConfigKind::Boolean, "false", None,
        "tiered storage on for this topic"),
    spec("retention.bytes", long(i64::MIN), "-1", Some("log.retention.bytes"),
        "largest size a partition may grow to before old segments are deleted; -1 = no limit"),
    spec("retention.ms", long(-1), "604800000", Some("log.retention.ms"),
        "age after which segments are deleted; -1 = forever"),
    spec("segment.bytes", int(1_048_576), "1073741824", Some("log.segment.bytes"),
        "segment file size (at least 1 MiB since Kafka 4.0)"),
    spec("segment.index.bytes", int(4), "10485760", Some("log.index.size.max.bytes"),
        "size of each segment's offset index"),
    spec("segment.jitter.ms", long(0), "0", Some("log.roll.jitter.ms"),
        "random jitter subtracted from segment.ms"),
    spec("segment.ms", long(1), "604800000", Some("log.roll.ms"),
        "roll a new segment after this long, even if not full"),
    spec("unclean.leader.election.enable", ConfigKind::Boolean, "false", None,
        "let an out-of-sync replica become leader (loses the records it lacks)"),
];

/// Keys Kafka 4.0 no longer knows, with what to send instead.
pub const REMOVED_TOPIC_CONFIGS: &[(&str, &str)] = &[
    ("message.downconversion.enable",
        "down-conversion no longer exists in Kafka 4.0 (KIP-724); drop this key"),
    ("message.format.version",
        "Kafka 4.0 always writes record format v2 (KIP-724); drop this key"),
    ("message.timestamp.difference.max.ms",
        "it was replaced by message.timestamp.before.max.ms and message.timestamp.after.max.ms (KIP-937); send those"),
];

/// Broker-wide keys people send on a topic by mistake: (broker key, topic key, ms per unit if the
/// broker key counts hours or minutes instead of ms).
pub(super) const BROKER_KEYS: &[(&str, &str, Option<i64>)] = &[
    ("log.retention.hours", "retention.ms", Some(3_600_000)),
    ("log.retention.minutes", "retention.ms", Some(60_000)),
    ("log.roll.hours", "segment.ms", Some(3_600_000)),
    (
        "log.roll.jitter.hours",
        "segment.jitter.ms",
        Some(3_600_000),
    ),
    ("log.flush.interval.ms", "flush.ms", None),
    ("log.flush.scheduler.interval.ms", "flush.ms", None),
];

/// The spec of a topic config key, if Kafka 4.0 knows it.
pub fn topic_config_spec(key: &str) -> Option<&'static TopicConfigSpec> {
    TOPIC_CONFIGS.iter().find(|s| s.name == key)
}

/// The topic key a broker-wide key stands for, and how many ms one unit of the broker key is (for
/// `*.hours` / `*.minutes` keys).
fn broker_key_to_topic(key: &str) -> Option<(&'static str, Option<i64>)> {
    if let Some((_, topic, unit)) = BROKER_KEYS.iter().find(|(b, _, _)| *b == key) {
        return Some((topic, *unit));
    }
    TOPIC_CONFIGS
        .iter()
        .find(|s| s.broker_key == Some(key))
        .map(|s| (s.name, None))
}

impl TopicConfigSpec {
    /// The valid values in words, e.g. "an integer from 1048576 to 2147483647".
    pub fn valid_values(&self) -> String {
        match self.kind {
            ConfigKind::Int { min, max, also } => {
                let range = if max == I32_MAX {
                    format!("an integer from {min} to 2147483647")
                } else {
                    format!("an integer from {min} to {max}")
                };
                match also {
                    Some(a) => format!("{range}, or {a}"),
                    None => range,
                }
            }
            ConfigKind::Long { min } if min == i64::MIN => "any 64-bit integer".to_string(),
            ConfigKind::Long { min } => format!("an integer from {min} to {LONG_MAX}"),
            ConfigKind::Double { min, max } => format!("a decimal number from {min} to {max}"),
            ConfigKind::Boolean => "`true` or `false`".to_string(),
            ConfigKind::OneOf(allowed) => format!("one of {}", quoted_list(allowed)),
            ConfigKind::ListOf(allowed) => format!(
                "a comma-separated list of {} (e.g. `delete`, `compact` or `compact,delete`)",
                quoted_list(allowed)
            ),
            ConfigKind::ThrottledReplicas => {
                "`*`, empty, or partition:broker pairs such as `0:1,0:2,1:3`".to_string()
            }
        }
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a topic config key or value would be refused, with what to send instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigValueError {
    /// Kafka 4.0 has no topic config of that name.
    #[error("`{key}` is not a Kafka 4.0 topic config.{}", suggestion_text(.suggestion))]
    UnknownKey {
        /// The key sent.
        key: String,
        /// The nearest known key by edit distance, if one is close.
        suggestion: Option<String>,
    },
    /// The key existed before Kafka 4.0 and was removed.
    #[error("`{key}` was removed in Kafka 4.0: {instead}.")]
    RemovedKey {
        /// The key sent.
        key: String,
        /// What to do instead.
        instead: String,
    },
    /// A broker-wide key sent as a topic config.
    #[error("`{key}` is a broker-wide setting, not a topic config. On a topic send `{topic_key}`{unit_hint}.")]
    BrokerKey {
        /// The key sent.
        key: String,
        /// The topic-level key to send.
        topic_key: String,
        /// Unit conversion advice, e.g. " in milliseconds (1 hour = 3600000)"; may be empty.
        unit_hint: String,
    },
    /// Not a number of the right type.
    #[error("`{key}` takes {expected}; `{value}` is not one. Send {instead}.")]
    NotANumber {
        /// The key.
        key: String,
        /// The value sent.
        value: String,
        /// What the key takes.
        expected: String,
        /// A value to send instead.
        instead: String,
    },
    /// A number outside the accepted range.
    #[error("`{key}`={value} is out of range: Kafka 4.0 accepts {valid}. Send {instead}.")]
    OutOfRange {
        /// The key.
        key: String,
        /// The value sent.
        value: String,
        /// The accepted values in words.
        valid: String,
        /// A value to send instead.
        instead: String,
    },
    /// Not `true` or `false`.
    #[error("`{key}` takes `true` or `false`; got `{value}`. Send `true` or `false`.")]
    NotBoolean {
        /// The key.
        key: String,
        /// The value sent.
        value: String,
    },
    /// Not one of the allowed strings.
    #[error("`{key}` takes {valid}; got `{value}`. Send {instead}.")]
    NotAllowed {
        /// The key.
        key: String,
        /// The value (or list item) sent.
        value: String,
        /// The accepted values in words.
        valid: String,
        /// A value to send instead.
        instead: String,
    },
    /// An empty `cleanup.policy`.
    #[error("`{key}` is empty. Send `delete`, `compact` or `compact,delete`; an empty policy would keep every record forever and never compact.")]
    EmptyList {
        /// The key.
        key: String,
    },
    /// A malformed throttled-replicas list.
    #[error("`{key}`=`{value}` is not a replica list. Send `*` for all replicas, an empty value for none, or partition:broker pairs such as `0:1,0:2,1:3`.")]
    BadReplicaList {
        /// The key.
        key: String,
        /// The value sent.
        value: String,
    },
    /// Two values that cannot hold together.
    #[error("`{key}`={value} conflicts with `{other_key}`={other_value}: {detail}")]
    Conflict {
        /// The key reported.
        key: String,
        /// Its value.
        value: String,
        /// The key it conflicts with.
        other_key: String,
        /// That key's value.
        other_value: String,
        /// Why, and what to send instead.
        detail: String,
    },
}

fn suggestion_text(s: &Option<String>) -> String {
    match s {
        Some(k) => format!(" Did you mean `{k}`?"),
        None => {
            " Send one of the topic configs listed by a describe of any topic, e.g. `retention.ms`."
                .to_string()
        }
    }
}

/// A typo of a config key or value: within `max(2, len / 3)` edits, counted in bytes (keys and
/// values are ASCII); ties go to the first candidate in table order.
const CONFIG_TYPO: Typo = Typo {
    edits: Unit::Byte,
    length: Unit::Byte,
    floor: 2,
    tie: Tie::First,
};

/// The known topic config key nearest to `key`, for "did you mean" hints.
pub fn suggest_topic_config(key: &str) -> Option<&'static str> {
    CONFIG_TYPO.nearest(key, TOPIC_CONFIGS.iter().map(|s| s.name))
}

pub(super) fn unknown_key_error(key: &str) -> ConfigValueError {
    if let Some((_, instead)) = REMOVED_TOPIC_CONFIGS.iter().find(|(k, _)| *k == key) {
        return ConfigValueError::RemovedKey {
            key: key.to_string(),
            instead: instead.to_string(),
        };
    }
    if let Some((topic_key, unit)) = broker_key_to_topic(key) {
        let unit_hint = match unit {
            Some(3_600_000) => " in milliseconds (1 hour = 3600000)".to_string(),
            Some(ms) => format!(" in milliseconds (1 unit of `{key}` = {ms})"),
            None => String::new(),
        };
        return ConfigValueError::BrokerKey {
            key: key.to_string(),
            topic_key: topic_key.to_string(),
            unit_hint,
        };
    }
    ConfigValueError::UnknownKey {
        key: key.to_string(),
        suggestion: suggest_topic_config(key).map(str::to_string),
    }
}

/// Reads `7d`, `36h`, `15min`, `30s`, `500ms` as milliseconds (for hints on `*.ms` keys).
pub(super) fn human_ms(value: &str) -> Option<i64> {
    let v = value.trim().to_ascii_lowercase();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let per: f64 = match unit.trim() {
        "ms" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        "w" | "week" | "weeks" => 604_800_000.0,
        _ => return None,
    };
    let ms = n * per;
    (ms.is_finite() && ms.fract() == 0.0 && ms <= i64::MAX as f64).then_some(ms as i64)
}

/// Reads `1GB`, `512MiB`, `64k` as bytes, binary multiples (1 GB read as 1 GiB), for `*.bytes`
/// keys.
pub(super) fn human_bytes(value: &str) -> Option<i64> {
    let v = value.trim().to_ascii_lowercase();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let per: f64 = match unit.trim() {
        "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let b = n * per;
    (b.is_finite() && b.fract() == 0.0 && b <= i64::MAX as f64).then_some(b as i64)
}

fn number_instead(spec: &TopicConfigSpec, value: &str) -> String {
    if spec.name.ends_with(".ms") {
        if let Some(ms) = human_ms(value) {
            return format!("`{ms}` ({} in milliseconds)", value.trim());
        }
    }
    if spec.name.ends_with(".bytes") {
        if let Some(b) = human_bytes(value) {
            return format!("`{b}` ({} in bytes, binary units)", value.trim());
        }
    }
    format!(
        "a plain number such as `{}` (the Kafka default)",
        spec.default
    )
}

fn range_instead(bound: impl std::fmt::Display, which: &str) -> String {
    format!("`{bound}` (the {which}) or a value inside the range")
}

/// Checks one topic config as Kafka 4.0 would on CreateTopics / IncrementalAlterConfigs: the key
/// must be a topic config, the value must parse as its type (whitespace around it is trimmed, as
/// Kafka does) and fall in its range. Stricter than Kafka in two places: an empty `cleanup.policy`
/// and a `NaN` `min.cleanable.dirty.ratio` are refused.
pub fn validate_config(key: &str, value: &str) -> Result<(), ConfigValueError> {
    let spec = topic_config_spec(key).ok_or_else(|| unknown_key_error(key))?;
    validate_value(spec, value)
}

fn validate_value(spec: &TopicConfigSpec, value: &str) -> Result<(), ConfigValueError> {
    let key = spec.name.to_string();
    let v = value.trim();
    match spec.kind {
        ConfigKind::Int { min, max, also } => {
            let n: i64 = v.parse().map_err(|_| ConfigValueError::NotANumber {
                key: key.clone(),
                value: value.to_string(),
                expected: "a whole number (32-bit)".to_string(),
                instead: number_instead(spec, value),
            })?;
            if also.is_some_and(|a| i64::from(a) == n) {
                return Ok(());
            }
            if n < i64::from(min) || n > i64::from(max) {
                let instead = if n < i64::from(min) {
                    range_instead(min, "minimum")
                } else {
                    range_instead(max, "maximum")
                };
                return Err(ConfigValueError::OutOfRange {
                    key,
                    value: v.to_string(),
                    valid: spec.valid_values(),
                    instead,
                });
            }
            Ok(())
        }
        ConfigKind::Long { min } => {
            let n: i64 = v.parse().map_err(|_| ConfigValueError::NotANumber {
                key: key.clone(),
                value: value.to_string(),
                expected: "a whole number (64-bit)".to_string(),
                instead: number_instead(spec, value),
            })?;
            if n < min {
                let instead = match (spec.name, min) {
                    ("retention.ms", _) => {
                        "`-1` to keep records forever, or a retention in ms".to_string()
                    }
                    (_, -2) => "`-2` to follow the non-local setting, or a value ≥ -1".to_string(),
                    _ => range_instead(min, "minimum"),
                };
                return Err(ConfigValueError::OutOfRange {
                    key,
                    value: v.to_string(),
                    valid: spec.valid_values(),
                    instead,
                });
            }
            Ok(())
        }
        ConfigKind::Double { min, max } => {
            let n: f64 = v.parse().map_err(|_| ConfigValueError::NotANumber {
                key: key.clone(),
                value: value.to_string(),
                expected: "a decimal number".to_string(),
                instead: format!("e.g. `{}` (the Kafka default)", spec.default),
            })?;
            if n.is_nan() || n < min || n > max {
                return Err(ConfigValueError::OutOfRange {
                    key,
                    value: v.to_string(),
                    valid: spec.valid_values(),
                    instead: format!("e.g. `{}` (the Kafka default)", spec.default),
                });
            }
            Ok(())
        }
        ConfigKind::Boolean => {
            if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
                Ok(())
            } else {
                Err(ConfigValueError::NotBoolean {
                    key,
                    value: value.to_string(),
                })
            }
        }
        ConfigKind::OneOf(allowed) => check_allowed(spec, v, allowed),
        ConfigKind::ListOf(allowed) => {
            if v.is_empty() {
                return Err(ConfigValueError::EmptyList { key });
            }
            for item in v.split(',').map(str::trim) {
                check_allowed(spec, item, allowed)?;
            }
            Ok(())
        }
        ConfigKind::ThrottledReplicas => {
            let ok_pair = |s: &str| {
                let mut it = s.split(':');
                matches!((it.next(), it.next(), it.next()), (Some(p), Some(b), None)
                    if !p.is_empty() && !b.is_empty()
                        && p.bytes().all(|c| c.is_ascii_digit())
                        && b.bytes().all(|c| c.is_ascii_digit()))
            };
            let items: Vec<&str> = if v.is_empty() {
                vec![]
            } else {
                v.split(',').map(str::trim).collect()
            };
            if items == ["*"] || items.iter().all(|s| ok_pair(s)) {
                Ok(())
            } else {
                Err(ConfigValueError::BadReplicaList {
                    key,
                    value: value.to_string(),
                })
            }
        }
    }
}

fn check_allowed(
    spec: &TopicConfigSpec,
    item: &str,
    allowed: &[&str],
) -> Result<(), ConfigValueError> {
    if allowed.contains(&item) {
        return Ok(());
    }
    let instead = if let Some(a) = allowed.iter().find(|a| a.eq_ignore_ascii_case(item)) {
        format!("`{a}` (values are case-sensitive)")
    } else if let Some(a) = CONFIG_TYPO.nearest(item, allowed.iter().copied()) {
        format!("`{a}`")
    } else {
        format!("`{}` (the Kafka default)", spec.default)
    };
    Err(ConfigValueError::NotAllowed {
        key: spec.name.to_string(),
        value: item.to_string(),
        valid: spec.valid_values(),
        instead,
    })
}

/// Checks a set of topic configs: every key and value as [`validate_config`] does, then the pairs
/// Kafka checks together (`min.compaction.lag.ms` ≤ `max.compaction.lag.ms`). Collects every error,
/// in input order; `Ok` when there are none.
pub fn validate_configs<K, V, I>(configs: I) -> Result<(), Vec<ConfigValueError>>
where
    K: AsRef<str>,
    V: AsRef<str>,
    I: IntoIterator<Item = (K, V)>,
{
    let mut errors = Vec::new();
    let mut valid: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in configs {
        let (k, v) = (k.as_ref(), v.as_ref());
        match validate_config(k, v) {
            Ok(()) => {
                valid.insert(k.to_string(), v.trim().to_string());
            }
            Err(e) => errors.push(e),
        }
    }
    if let (Some(min), Some(max)) = (
        valid.get("min.compaction.lag.ms"),
        valid.get("max.compaction.lag.ms"),
    ) {
        if let (Ok(a), Ok(b)) = (min.parse::<i64>(), max.parse::<i64>()) {
            if a > b {
                errors.push(ConfigValueError::Conflict {
                    key: "min.compaction.lag.ms".to_string(),
                    value: min.clone(),
                    other_key: "max.compaction.lag.ms".to_string(),
                    other_value: max.clone(),
                    detail: format!(
                        "the minimum compaction lag is above the maximum, which Kafka refuses. Send \
                         min.compaction.lag.ms ≤ {b}, or raise max.compaction.lag.ms to at least {a}."
                    ),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 33 topic configs a real Kafka 4.0.0 broker returned for `orders`, with their default
    /// values (`fixtures/real-kafka-4.0/healthy/describe_configs.topics.json`; min.insync.replicas
    /// there is 2 from server.properties, Kafka's own default is 1).
    const FIXTURE_DEFAULTS: &[(&str, &str)] = &[
        ("cleanup.policy", "delete"),
        ("compression.gzip.level", "-1"),
        ("compression.lz4.level", "9"),
        ("compression.type", "producer"),
        ("compression.zstd.level", "3"),
        ("delete.retention.ms", "86400000"),
        ("file.delete.delay.ms", "60000"),
        ("flush.messages", "9223372036854775807"),
        ("flush.ms", "9223372036854775807"),
        ("follower.replication.throttled.replicas", ""),
        ("index.interval.bytes", "4096"),
        ("leader.replication.throttled.replicas", ""),
        ("local.retention.bytes", "-2"),
        ("local.retention.ms", "-2"),
        ("max.compaction.lag.ms", "9223372036854775807"),
        ("max.message.bytes", "1048588"),
        ("message.timestamp.after.max.ms", "3600000"),
        ("message.timestamp.before.max.ms", "9223372036854775807"),
        ("message.timestamp.type", "CreateTime"),
        ("min.cleanable.dirty.ratio", "0.5"),
        ("min.compaction.lag.ms", "0"),
        ("min.insync.replicas", "1"),
        ("preallocate", "false"),
        ("remote.log.copy.disable", "false"),
        ("remote.log.delete.on.disable", "false"),
        ("remote.storage.enable", "false"),
        ("retention.bytes", "-1"),
        ("retention.ms", "604800000"),
        ("segment.bytes", "1073741824"),
        ("segment.index.bytes", "10485760"),
        ("segment.jitter.ms", "0"),
        ("segment.ms", "604800000"),
        ("unclean.leader.election.enable", "false"),
    ];

    #[test]
    fn config_table_matches_a_real_kafka_4_broker() {
        let names: Vec<&str> = TOPIC_CONFIGS.iter().map(|s| s.name).collect();
        let want: Vec<&str> = FIXTURE_DEFAULTS.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, want);
        for (k, v) in FIXTURE_DEFAULTS {
            let s = topic_config_spec(k).unwrap();
            assert_eq!(s.default, *v, "{k}");
            assert_eq!(
                validate_config(k, v),
                Ok(()),
                "default of {k} must validate"
            );
        }
    }

    #[test]
    fn fixture_overrides_validate() {
        // Topic-level overrides set on the fixture cluster (README "Topics").
        let set = [
            ("min.insync.replicas", "2"),
            ("retention.ms", "86400000"),
            ("cleanup.policy", "compact"),
            ("min.insync.replicas", "3"),
            ("unclean.leader.election.enable", "true"),
            ("segment.bytes", "1048576"),
            ("retention.bytes", "2097152"),
            ("max.message.bytes", "2097152"),
        ];
        for (k, v) in set {
            assert_eq!(validate_config(k, v), Ok(()), "{k}={v}");
        }
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let e = validate_config("retention.msx", "1").unwrap_err();
        assert_eq!(
            e,
            ConfigValueError::UnknownKey {
                key: "retention.msx".into(),
                suggestion: Some("retention.ms".into())
            }
        );
        assert!(e.to_string().contains("Did you mean `retention.ms`?"));
        let e = validate_config("min_insync_replicas", "2").unwrap_err();
        assert!(e.to_string().contains("`min.insync.replicas`"), "{e}");
        let e = validate_config("totally.unrelated.thing", "1").unwrap_err();
        assert_eq!(
            e,
            ConfigValueError::UnknownKey {
                key: "totally.unrelated.thing".into(),
                suggestion: None
            }
        );
        assert!(e.to_string().contains("e.g. `retention.ms`"));
    }

    #[test]
    fn removed_and_broker_keys_are_explained() {
        let e = validate_config("message.downconversion.enable", "true").unwrap_err();
        assert!(matches!(e, ConfigValueError::RemovedKey { .. }));
        assert!(e.to_string().contains("removed in Kafka 4.0"));
        let e = validate_config("message.timestamp.difference.max.ms", "1000").unwrap_err();
        assert!(e.to_string().contains("message.timestamp.before.max.ms"));
        let e = validate_config("log.retention.hours", "24").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`log.retention.hours` is a broker-wide setting, not a topic config. On a topic send \
             `retention.ms` in milliseconds (1 hour = 3600000)."
        );
        let e = validate_config("log.segment.bytes", "1048576").unwrap_err();
        assert!(
            matches!(e, ConfigValueError::BrokerKey { ref topic_key, .. } if topic_key == "segment.bytes")
        );
        let e = validate_config("message.max.bytes", "1").unwrap_err();
        assert!(e.to_string().contains("`max.message.bytes`"));
    }

    #[test]
    fn type_errors_name_the_type_and_a_value() {
        let e = validate_config("retention.ms", "7d").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`retention.ms` takes a whole number (64-bit); `7d` is not one. Send `604800000` (7d in milliseconds)."
        );
        let e = validate_config("segment.bytes", "512MB").unwrap_err();
        assert!(e.to_string().contains("`536870912`"), "{e}");
        let e = validate_config("segment.bytes", "big").unwrap_err();
        assert!(
            e.to_string().contains("`1073741824` (the Kafka default)"),
            "{e}"
        );
        assert!(matches!(
            validate_config("min.cleanable.dirty.ratio", "half"),
            Err(ConfigValueError::NotANumber { .. })
        ));
        assert_eq!(
            validate_config("preallocate", "yes"),
            Err(ConfigValueError::NotBoolean {
                key: "preallocate".into(),
                value: "yes".into()
            })
        );
        assert_eq!(
            validate_config("preallocate", " TRUE "),
            Ok(()),
            "Kafka trims and ignores case"
        );
        assert_eq!(validate_config("retention.ms", " 1000 "), Ok(()));
    }

    #[test]
    fn ranges_follow_kafka_4_validators() {
        // segment.bytes: at least 1 MiB in 4.0 (KIP-1030); int, so at most 2^31-1.
        let e = validate_config("segment.bytes", "1048575").unwrap_err();
        assert!(matches!(e, ConfigValueError::OutOfRange { .. }));
        assert!(e.to_string().contains("`1048576` (the minimum)"), "{e}");
        assert!(validate_config("segment.bytes", "2147483647").is_ok());
        assert!(validate_config("segment.bytes", "2147483648").is_err());
        // retention.ms >= -1; retention.bytes anything.
        assert!(validate_config("retention.ms", "-1").is_ok());
        let e = validate_config("retention.ms", "-2").unwrap_err();
        assert!(
            e.to_string().contains("`-1` to keep records forever"),
            "{e}"
        );
        assert!(validate_config("retention.bytes", "-5").is_ok());
        assert!(validate_config("min.insync.replicas", "0").is_err());
        assert!(validate_config("segment.ms", "0").is_err());
        assert!(validate_config("local.retention.ms", "-2").is_ok());
        assert!(validate_config("local.retention.ms", "-3").is_err());
        assert!(validate_config("flush.messages", "0").is_err());
        // Compression levels.
        assert!(validate_config("compression.gzip.level", "-1").is_ok());
        assert!(validate_config("compression.gzip.level", "0").is_err());
        assert!(validate_config("compression.gzip.level", "9").is_ok());
        assert!(validate_config("compression.gzip.level", "10").is_err());
        assert!(validate_config("compression.lz4.level", "17").is_ok());
        assert!(validate_config("compression.lz4.level", "18").is_err());
        assert!(validate_config("compression.zstd.level", "-131072").is_ok());
        assert!(validate_config("compression.zstd.level", "23").is_err());
        // Doubles.
        assert!(validate_config("min.cleanable.dirty.ratio", "0").is_ok());
        assert!(validate_config("min.cleanable.dirty.ratio", "1.0").is_ok());
        assert!(validate_config("min.cleanable.dirty.ratio", "1.01").is_err());
        assert!(validate_config("min.cleanable.dirty.ratio", "NaN").is_err());
    }

    #[test]
    fn enums_and_lists() {
        assert!(validate_config("compression.type", "zstd").is_ok());
        let e = validate_config("compression.type", "zsdt").unwrap_err();
        assert!(e.to_string().ends_with("Send `zstd`."), "{e}");
        let e = validate_config("message.timestamp.type", "logappendtime").unwrap_err();
        assert!(
            e.to_string()
                .contains("`LogAppendTime` (values are case-sensitive)"),
            "{e}"
        );
        for ok in ["delete", "compact", "compact,delete", "delete, compact"] {
            assert_eq!(validate_config("cleanup.policy", ok), Ok(()), "{ok}");
        }
        assert!(matches!(
            validate_config("cleanup.policy", "compact,remove"),
            Err(ConfigValueError::NotAllowed { ref value, .. }) if value == "remove"
        ));
        assert_eq!(
            validate_config("cleanup.policy", " "),
            Err(ConfigValueError::EmptyList {
                key: "cleanup.policy".into()
            })
        );
        for ok in ["", "*", "0:1", "0:1,0:2, 1:3"] {
            assert_eq!(
                validate_config("leader.replication.throttled.replicas", ok),
                Ok(()),
                "{ok:?}"
            );
        }
        for bad in ["all", "0-1", "0:1,*", "0:", ":1", "0:1:2"] {
            assert!(
                validate_config("follower.replication.throttled.replicas", bad).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn validate_configs_collects_every_error_and_cross_checks() {
        let mut m = BTreeMap::new();
        m.insert("retention.ms".to_string(), "abc".to_string());
        m.insert("segment.bytes".to_string(), "10".to_string());
        m.insert("min.compaction.lag.ms".to_string(), "5000".to_string());
        m.insert("max.compaction.lag.ms".to_string(), "1000".to_string());
        m.insert("cleanup.policy".to_string(), "compact".to_string());
        let errs = validate_configs(&m).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            matches!(errs[0], ConfigValueError::NotANumber { ref key, .. } if key == "retention.ms")
        );
        assert!(
            matches!(errs[1], ConfigValueError::OutOfRange { ref key, .. } if key == "segment.bytes")
        );
        assert!(matches!(errs[2], ConfigValueError::Conflict { .. }));
        assert!(errs[2].to_string().contains("min.compaction.lag.ms ≤ 1000"));
        assert_eq!(
            validate_configs([("retention.ms", "1000"), ("cleanup.policy", "delete")]),
            Ok(())
        );
    }
}

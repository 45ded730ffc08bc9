//! Local checks for topic changes, run before the broker's `validate_only`: topic names as Kafka's
//! `Topic.validate` sees them, protected names, Kafka 4.0 topic config keys and values, partition
//! and replication-factor rules, and the impact of adding partitions, deleting, purging and
//! altering configs. Pure: plain values in, verdicts out; no Kafka, clock or I/O. Used by
//! `tools::topic_manage` plan actions.
//!
//! Sources: `org.apache.kafka.common.internals.Topic` (name rules, `.`/`_` collisions);
//! `org.apache.kafka.storage.internals.log.LogConfig`, `TopicConfig` and
//! `ThrottledReplicaListValidator` of Kafka 4.0 (keys, types, validators; KIP-1030 raised the
//! `segment.bytes` minimum to 1 MiB in 4.0; KIP-724 and KIP-937 removed `message.format.version`,
//! `message.downconversion.enable` and `message.timestamp.difference.max.ms`). The key list and
//! defaults match the 33 topic entries a real 4.0.0 broker returned in
//! `fixtures/real-kafka-4.0/healthy/describe_configs.topics.json`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::finding::Severity;
use crate::analysis::glob::glob_match;
use crate::analysis::snapshot::{ConfigEntry, ConfigSet, ConfigSource};

// -------------------------------------------------------------------------------------------------
// Notes
// -------------------------------------------------------------------------------------------------

/// One thing a plan tells the caller: a warning, or what the change will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PlanNote {
    /// Stable kebab-case id, e.g. `keys-move-partition`; never reused for another meaning.
    pub id: String,
    /// How much it matters: `info` explains, `warn` needs a deliberate yes, `error` means the
    /// change is very likely wrong as sent, `critical` means data is lost.
    pub severity: Severity,
    /// What will happen, with the numbers, and what to send instead if that is not wanted.
    pub message: String,
}

fn note(id: &str, severity: Severity, message: impl Into<String>) -> PlanNote {
    PlanNote {
        id: id.to_string(),
        severity,
        message: message.into(),
    }
}

/// Offsets go on the wire as strings (house style); counts stay numbers.
fn offset_str<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

// -------------------------------------------------------------------------------------------------
// Topic names
// -------------------------------------------------------------------------------------------------

/// Longest topic name Kafka accepts (`Topic.MAX_NAME_LENGTH`).
pub const MAX_TOPIC_NAME_LEN: usize = 249;

/// Why Kafka (or a name clash) refuses a topic name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicNameError {
    /// The name is empty.
    #[error(
        "the topic name is empty. Send 1 to 249 characters from a-z, A-Z, 0-9, '.', '_' and '-'."
    )]
    Empty,
    /// `.` and `..` are refused (they are directory names on the broker).
    #[error("the topic name cannot be \"{name}\" (\".\" and \"..\" are refused). Send a name with at least one letter or digit.")]
    DotOrDotDot {
        /// The name sent.
        name: String,
    },
    /// More than [`MAX_TOPIC_NAME_LEN`] characters.
    #[error(
        "the topic name is {len} characters long; Kafka allows at most 249. Send a shorter name."
    )]
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// Characters outside `[a-zA-Z0-9._-]`.
    #[error("the topic name {name:?} contains {bad}, which Kafka refuses: only ASCII letters, digits, '.', '_' and '-' are allowed. Send e.g. {suggestion:?}.")]
    IllegalChars {
        /// The name sent.
        name: String,
        /// The offending characters, quoted, e.g. `' ', '/'`.
        bad: String,
        /// The name with each illegal character replaced by `-`.
        suggestion: String,
    },
    /// A topic of that exact name exists.
    #[error("topic {name:?} already exists. Pick another name, or change the existing topic's partitions or configs instead.")]
    AlreadyExists {
        /// The name sent.
        name: String,
    },
    /// Equal to an existing topic once `.` is read as `_` (Kafka's metric names do that).
    #[error("topic name {name:?} collides with existing topic {existing:?}: Kafka's metric names turn '.' into '_', so the broker refuses both. Send a name that differs by more than '.' versus '_'.")]
    Collides {
        /// The name sent.
        name: String,
        /// The existing topic it collides with.
        existing: String,
    },
}

fn is_legal_topic_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Kafka's `Topic.validate`, in its order: non-empty, not `.`/`..`, at most 249 characters, only
/// `[a-zA-Z0-9._-]`.
pub fn validate_topic_name(name: &str) -> Result<(), TopicNameError> {
    if name.is_empty() {
        return Err(TopicNameError::Empty);
    }
    if name == "." || name == ".." {
        return Err(TopicNameError::DotOrDotDot {
            name: name.to_string(),
        });
    }
    // Java's String.length(): UTF-16 code units.
    let len = name.encode_utf16().count();
    if len > MAX_TOPIC_NAME_LEN {
        return Err(TopicNameError::TooLong { len });
    }
    let mut bad: Vec<char> = Vec::new();
    for c in name.chars().filter(|c| !is_legal_topic_char(*c)) {
        if !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let bad_list: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
        let suggestion: String = name
            .chars()
            .map(|c| if is_legal_topic_char(c) { c } else { '-' })
            .collect();
        return Err(TopicNameError::IllegalChars {
            name: name.to_string(),
            bad: bad_list.join(", "),
            suggestion,
        });
    }
    Ok(())
}

/// The name as Kafka's metrics see it: `.` replaced by `_` (`Topic.unifyCollisionChars`).
pub fn collision_key(name: &str) -> String {
    name.replace('.', "_")
}

/// Checks a name for a new topic against Kafka's rules and the existing topic names.
///
/// Errors: [`validate_topic_name`]'s, an exact duplicate, or a `.`/`_` collision with an existing
/// topic. Notes: `name-mixes-dot-underscore` (warn) when the name has both `.` and `_`, which
/// invites future collisions; `internal-prefix` (warn) for a leading `__`, which Kafka uses for its
/// own topics.
pub fn check_new_topic_name<S: AsRef<str>>(
    name: &str,
    existing: &[S],
) -> Result<Vec<PlanNote>, TopicNameError> {
    validate_topic_name(name)?;
    if existing.iter().any(|e| e.as_ref() == name) {
        return Err(TopicNameError::AlreadyExists {
            name: name.to_string(),
        });
    }
    let key = collision_key(name);
    if let Some(e) = existing.iter().find(|e| collision_key(e.as_ref()) == key) {
        return Err(TopicNameError::Collides {
            name: name.to_string(),
            existing: e.as_ref().to_string(),
        });
    }
    let mut notes = Vec::new();
    if name.contains('.') && name.contains('_') {
        notes.push(note(
            "name-mixes-dot-underscore",
            Severity::Warn,
            format!(
                "{name:?} mixes '.' and '_'. Kafka's metric names turn '.' into '_', so a later topic \
                 {key:?} could not be created. Use one separator, e.g. {:?}.",
                name.replace('_', ".")
            ),
        ));
    }
    if name.starts_with("__") {
        notes.push(note(
            "internal-prefix",
            Severity::Warn,
            format!(
                "{name:?} starts with \"__\", the prefix of Kafka's internal topics; tools and people \
                 will treat it as internal. Drop the leading underscores."
            ),
        ));
    }
    Ok(notes)
}

/// Globs that are always protected, whatever the configuration says.
pub const BUILT_IN_PROTECTED_GLOBS: &[&str] = &["__*", "_schemas", "_confluent*"];

/// Why a topic is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionKind {
    /// Kafka-internal (`__*`: `__consumer_offsets`, `__transaction_state`, `__share_group_state`,
    /// ...).
    Internal,
    /// Schema Registry's store (`_schemas`).
    SchemaRegistry,
    /// Confluent Platform component topics (`_confluent*`).
    Confluent,
    /// Matched a protected-topic glob from kafka-mcp's configuration.
    Configured,
}

/// A topic that kafka-mcp refuses to change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Protection {
    /// Which rule protects it.
    pub kind: ProtectionKind,
    /// The glob that matched, e.g. `__*`.
    pub glob: String,
}

impl Protection {
    /// One sentence for the caller: what the topic is and that it will not be changed.
    pub fn reason(&self, topic: &str) -> String {
        let what = match self.kind {
            ProtectionKind::Internal => "a Kafka-internal topic",
            ProtectionKind::SchemaRegistry => "Schema Registry's schema store",
            ProtectionKind::Confluent => "a Confluent Platform component topic",
            ProtectionKind::Configured => "protected by kafka-mcp's configuration",
        };
        format!(
            "topic {topic:?} is {what} (matches `{}`); kafka-mcp will not change or delete it.",
            self.glob
        )
    }
}

/// The protection that applies to `name`: the built-in globs first, then `configured_globs` in
/// order.
pub fn topic_protection<S: AsRef<str>>(name: &str, configured_globs: &[S]) -> Option<Protection> {
    let built_in = [
        ("__*", ProtectionKind::Internal),
        ("_schemas", ProtectionKind::SchemaRegistry),
        ("_confluent*", ProtectionKind::Confluent),
    ];
    for (glob, kind) in built_in {
        if glob_match(glob, name) {
            return Some(Protection {
                kind,
                glob: glob.to_string(),
            });
        }
    }
    configured_globs
        .iter()
        .map(|g| g.as_ref())
        .find(|g| glob_match(g, name))
        .map(|g| Protection {
            kind: ProtectionKind::Configured,
            glob: g.to_string(),
        })
}

/// True when [`topic_protection`] finds a rule for `name`.
pub fn is_protected<S: AsRef<str>>(name: &str, configured_globs: &[S]) -> bool {
    topic_protection(name, configured_globs).is_some()
}

// -------------------------------------------------------------------------------------------------
// Topic config keys and values (Kafka 4.0)
// -------------------------------------------------------------------------------------------------

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
const BROKER_KEYS: &[(&str, &str, Option<i64>)] = &[
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

/// Levenshtein distance over bytes (config keys are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word` by edit distance, if it is within `max(2, len/3)` edits (ties:
/// first).
fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.len() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The known topic config key nearest to `key`, for "did you mean" hints.
pub fn suggest_topic_config(key: &str) -> Option<&'static str> {
    nearest(key, TOPIC_CONFIGS.iter().map(|s| s.name))
}

fn unknown_key_error(key: &str) -> ConfigValueError {
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
fn human_ms(value: &str) -> Option<i64> {
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
fn human_bytes(value: &str) -> Option<i64> {
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
    } else if let Some(a) = nearest(item, allowed.iter().copied()) {
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

// -------------------------------------------------------------------------------------------------
// Partitions and replication factor
// -------------------------------------------------------------------------------------------------

/// Above this many partitions in one topic a plan warns (each partition costs file handles, memory,
/// controller metadata and leader elections).
pub const PARTITIONS_PER_TOPIC_WARN: i32 = 10_000;

/// Why a partition count or replication factor is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartitionPlanError {
    /// Fewer than one partition.
    #[error("a topic needs at least 1 partition; got {got}. Send `partitions` ≥ 1 (e.g. 6).")]
    PartitionsBelowOne {
        /// The count sent.
        got: i64,
    },
    /// Replication factor below one.
    #[error("the replication factor must be at least 1; got {got}. Send 3 for data that matters (1 only for scratch data).")]
    ReplicationFactorBelowOne {
        /// The value sent.
        got: i64,
    },
    /// More replicas than live brokers.
    #[error("replication factor {replication_factor} exceeds the {live_brokers} live broker(s); Kafka would refuse with INVALID_REPLICATION_FACTOR. Send replication_factor ≤ {live_brokers}, or bring the missing brokers back first.")]
    ReplicationFactorAboveBrokers {
        /// The replication factor sent.
        replication_factor: i64,
        /// Live brokers now.
        live_brokers: usize,
    },
    /// The new count equals the current one.
    #[error("the topic already has {current} partitions. Partitions only grow: send a count above {current}.")]
    AlreadyHas {
        /// Partitions now.
        current: i32,
    },
    /// The new count is below the current one.
    #[error("the topic has {current} partitions and Kafka cannot remove partitions, so {requested} is impossible. Send a count above {current}, or create a new topic with {requested} partitions and move producers and consumers to it.")]
    CannotShrink {
        /// Partitions now.
        current: i32,
        /// The count sent.
        requested: i32,
    },
}

/// Checks the partition count and replication factor of a new topic against the live broker count.
/// Notes: `many-partitions` (warn) above [`PARTITIONS_PER_TOPIC_WARN`]; `no-redundancy` (warn) for
/// RF 1.
pub fn check_new_topic_layout(
    partitions: i64,
    replication_factor: i64,
    live_brokers: usize,
) -> Result<Vec<PlanNote>, PartitionPlanError> {
    if partitions < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne { got: partitions });
    }
    if replication_factor < 1 {
        return Err(PartitionPlanError::ReplicationFactorBelowOne {
            got: replication_factor,
        });
    }
    if replication_factor > live_brokers as i64 {
        return Err(PartitionPlanError::ReplicationFactorAboveBrokers {
            replication_factor,
            live_brokers,
        });
    }
    let mut notes = Vec::new();
    if partitions > i64::from(PARTITIONS_PER_TOPIC_WARN) {
        notes.push(many_partitions_note(partitions));
    }
    if replication_factor == 1 {
        notes.push(note(
            "no-redundancy",
            Severity::Warn,
            "replication factor 1 keeps one copy: when its broker is down the partition is offline, and a \
             lost disk loses the data. Send replication_factor 3 unless this is scratch data.",
        ));
    }
    Ok(notes)
}

fn many_partitions_note(partitions: i64) -> PlanNote {
    note(
        "many-partitions",
        Severity::Warn,
        format!(
            "{partitions} partitions in one topic is above {PARTITIONS_PER_TOPIC_WARN}: every partition \
             costs open files, memory, metadata and election time. Check the need with plan_capacity."
        ),
    )
}

/// Checks an add-partitions request: the count only grows.
pub fn check_add_partitions(
    current: i32,
    requested: i32,
) -> Result<Vec<PlanNote>, PartitionPlanError> {
    // `current` comes from Metadata; below 1 means the caller read nothing.
    if current < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne {
            got: i64::from(current),
        });
    }
    if requested < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne {
            got: i64::from(requested),
        });
    }
    if requested == current {
        return Err(PartitionPlanError::AlreadyHas { current });
    }
    if requested < current {
        return Err(PartitionPlanError::CannotShrink { current, requested });
    }
    let mut notes = Vec::new();
    if requested > PARTITIONS_PER_TOPIC_WARN {
        notes.push(many_partitions_note(i64::from(requested)));
    }
    Ok(notes)
}

/// What adding partitions does to keyed data.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AddPartitionsImpact {
    /// Partitions now.
    pub current_partitions: i32,
    /// Partitions after the change.
    pub new_partitions: i32,
    /// Partitions added.
    pub added_partitions: i32,
    /// Share of keys (0 to 1) that keep their partition under `hash(key) mod N` with uniformly
    /// spread hashes: gcd(old, new) / new. Example: 3 → 6 keeps 1/2, 3 → 4 keeps 1/4.
    pub keys_keep_partition_fraction: f64,
    /// Share of keys (0 to 1) whose new records go to a different partition: 1 − the above.
    pub keys_move_fraction: f64,
    /// The kept share as an exact fraction, e.g. `1/2`.
    pub keys_keep_partition_exact: String,
    /// What else happens: ordering, rebalances, compaction.
    pub notes: Vec<PlanNote>,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The share of uniformly hashed keys that keep their partition when the count goes from `old` to
/// `new`, as (numerator, denominator) in lowest terms.
///
/// A hash `h` stays iff `h mod old == h mod new`. Over one period `lcm(old, new)` that common
/// residue `c` must be below `min(old, new)`, and by the Chinese remainder theorem each such `c`
/// has exactly one `h` (namely `h = c`), so the share is `min / lcm = gcd / max`.
pub fn keys_keep_partition_fraction(old: u32, new: u32) -> (u64, u64) {
    let (a, b) = (u64::from(old.max(1)), u64::from(new.max(1)));
    let g = gcd(a, b);
    let (num, den) = (g, a.max(b));
    let r = gcd(num, den);
    (num / r, den / r)
}

/// The impact of growing a topic from `current` to `requested` partitions, after
/// [`check_add_partitions`]'s checks. `compacted` says whether `cleanup.policy` includes `compact`.
pub fn add_partitions_impact(
    current: i32,
    requested: i32,
    compacted: bool,
) -> Result<AddPartitionsImpact, PartitionPlanError> {
    let mut notes = check_add_partitions(current, requested)?;
    let (num, den) = keys_keep_partition_fraction(current as u32, requested as u32);
    let keep = num as f64 / den as f64;
    let moved_pct = (1.0 - keep) * 100.0;
    notes.push(note(
        "keys-move-partition",
        Severity::Warn,
        format!(
            "keyed producers using the default partitioner (murmur2(key) mod partitions; librdkafka clients \
             only with partitioner=murmur2_random) will send {moved_pct:.1}% of keys to a different \
             partition from now on. Per-key ordering breaks across the change: a consumer may read a \
             key's new records before its old ones. Pause keyed producers and drain consumers first if \
             order matters."
        ),
    ));
    notes.push(note(
        "consumer-groups-rebalance",
        Severity::Info,
        format!(
            "consumer groups on the topic rebalance once they see the new partitions (within \
             metadata.max.age.ms, 5 min by default); groups with auto.offset.reset=latest skip records \
             produced to the {} new partition(s) before they are assigned.",
            requested - current
        ),
    ));
    if compacted {
        notes.push(note(
            "compacted-keys-split",
            Severity::Warn,
            "the topic is compacted: a moved key's old value stays in its old partition while new values go \
             to the new one, so compaction never replaces the old value and readers rebuilding state see \
             both. Recreate the topic with the new count and re-produce instead if consumers rebuild state.",
        ));
    }
    Ok(AddPartitionsImpact {
        current_partitions: current,
        new_partitions: requested,
        added_partitions: requested - current,
        keys_keep_partition_fraction: keep,
        keys_move_fraction: 1.0 - keep,
        keys_keep_partition_exact: format!("{num}/{den}"),
        notes,
    })
}

// -------------------------------------------------------------------------------------------------
// Delete and purge impact
// -------------------------------------------------------------------------------------------------

/// One partition's offsets (ListOffsets earliest/latest), built by the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionOffsets {
    /// Partition id.
    pub partition: i32,
    /// Earliest offset still in the log (`log_start_offset`).
    pub log_start_offset: i64,
    /// Latest offset (high watermark): the offset the next record will get.
    pub end_offset: i64,
    /// Size of one replica of the partition on disk (DescribeLogDirs), if known.
    pub size_bytes: Option<u64>,
}

/// One committed offset of a consumer group on the topic, built by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCommit {
    /// Group id.
    pub group: String,
    /// Partition id.
    pub partition: i32,
    /// The committed offset (the next record the group will read).
    pub committed_offset: i64,
}

/// A consumer group with commits on the topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GroupOnTopic {
    /// Group id.
    pub group: String,
    /// Partitions on which it has a committed offset.
    pub partitions_committed: usize,
    /// Records it has not read yet that the change removes (sum over its partitions).
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub unread_messages_lost: i64,
}

/// What deleting a topic destroys.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DeleteTopicImpact {
    /// The topic.
    pub topic: String,
    /// Partitions deleted.
    pub partitions: usize,
    /// Records deleted: Σ(end − log start) over partitions. Counts offsets, so on compacted or
    /// transactional topics it is an upper bound.
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub messages_lost: i64,
    /// Bytes deleted, one replica's worth (Σ size); multiply by the replication factor for disk
    /// freed. `null` when the size of any partition is unknown.
    pub bytes_lost: Option<u64>,
    /// Consumer groups with committed offsets on the topic, by name.
    pub groups_with_commits: Vec<GroupOnTopic>,
    /// Warnings and explanations.
    pub notes: Vec<PlanNote>,
}

fn groups_on(
    commits: &[GroupCommit],
    lost_for: impl Fn(&GroupCommit) -> Option<i64>,
) -> Vec<GroupOnTopic> {
    let mut by_group: BTreeMap<&str, GroupOnTopic> = BTreeMap::new();
    for c in commits {
        let Some(lost) = lost_for(c) else { continue };
        let g = by_group.entry(&c.group).or_insert_with(|| GroupOnTopic {
            group: c.group.clone(),
            partitions_committed: 0,
            unread_messages_lost: 0,
        });
        g.partitions_committed += 1;
        g.unread_messages_lost += lost.max(0);
    }
    by_group.into_values().collect()
}

/// The impact of deleting `topic`: records and bytes lost, and groups that still have commits on
/// it. Commits with a negative offset (`-1001`, nothing committed) are ignored.
pub fn delete_topic_impact(
    topic: &str,
    partitions: &[PartitionOffsets],
    commits: &[GroupCommit],
) -> DeleteTopicImpact {
    let messages_lost: i64 = partitions
        .iter()
        .map(|p| (p.end_offset - p.log_start_offset).max(0))
        .sum();
    let bytes_lost: Option<u64> = partitions.iter().map(|p| p.size_bytes).sum();
    let groups = groups_on(commits, |c| {
        if c.committed_offset < 0 {
            return None;
        }
        let p = partitions.iter().find(|p| p.partition == c.partition);
        Some(p.map_or(0, |p| {
            p.end_offset - c.committed_offset.max(p.log_start_offset)
        }))
    });
    let mut notes = vec![note(
        "delete-is-irreversible",
        Severity::Critical,
        format!(
            "deleting {topic:?} removes {messages_lost} record(s) in {} partition(s) on every replica; \
             nothing can bring them back. Purge records instead if the topic itself should stay.",
            partitions.len()
        ),
    )];
    if !groups.is_empty() {
        let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
        notes.push(note(
            "groups-still-committed",
            Severity::Warn,
            format!(
                "{} consumer group(s) have committed offsets on {topic:?}: {}. Their consumers will get \
                 UNKNOWN_TOPIC_OR_PARTITION, or silently re-create the topic if the broker has \
                 auto.create.topics.enable=true. Stop them first.",
                groups.len(),
                names.join(", ")
            ),
        ));
    }
    DeleteTopicImpact {
        topic: topic.to_string(),
        partitions: partitions.len(),
        messages_lost,
        bytes_lost,
        groups_with_commits: groups,
        notes,
    }
}

/// Delete the records of one partition before an offset (DeleteRecords). Offsets for "before
/// timestamp" are resolved by the shell (ListOffsets by timestamp) and passed in here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeTarget {
    /// Partition id.
    pub partition: i32,
    /// Records with offsets below this are deleted; `-1` means the high watermark (all records), as
    /// in Kafka's DeleteRecords.
    pub before_offset: i64,
}

/// Why a purge plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurgeError {
    /// No targets were given.
    #[error("no partitions to purge. Send at least one {{partition, before_offset}}.")]
    NoTargets,
    /// The partition does not exist.
    #[error("partition {partition} does not exist in {topic:?} (partitions 0 to {max}). Send an existing partition.")]
    UnknownPartition {
        /// The topic.
        topic: String,
        /// The partition sent.
        partition: i32,
        /// Its highest partition id.
        max: i32,
    },
    /// The same partition appears twice.
    #[error("partition {partition} is listed more than once. Send one target per partition.")]
    DuplicatePartition {
        /// The partition sent twice.
        partition: i32,
    },
    /// A negative offset other than `-1`.
    #[error("before_offset {offset} for partition {partition} is negative. Send an offset ≥ 0, or -1 for everything up to the end.")]
    NegativeOffset {
        /// The partition.
        partition: i32,
        /// The offset sent.
        offset: i64,
    },
    /// Beyond the end of the partition.
    #[error("before_offset {offset} for partition {partition} is past its end offset {end}; Kafka would refuse with OFFSET_OUT_OF_RANGE. Send an offset ≤ {end} (or -1 for everything).")]
    BeyondEnd {
        /// The partition.
        partition: i32,
        /// The offset sent.
        offset: i64,
        /// The partition's end offset (high watermark).
        end: i64,
    },
}

/// What a purge does to one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PartitionPurge {
    /// Partition id.
    pub partition: i32,
    /// Earliest offset now.
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub log_start_offset: i64,
    /// End offset (high watermark) now.
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub end_offset: i64,
    /// Records below this offset are deleted (`-1` already resolved to the end offset).
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub before_offset: i64,
    /// Records deleted: max(0, before_offset − log_start_offset).
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub messages_removed: i64,
    /// The earliest offset afterwards.
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub new_log_start_offset: i64,
}

/// What a purge (DeleteRecords) does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PurgeImpact {
    /// The topic.
    pub topic: String,
    /// One row per purged partition, by partition id.
    pub partitions: Vec<PartitionPurge>,
    /// Records deleted over all partitions.
    #[serde(serialize_with = "offset_str")]
    #[schemars(with = "String")]
    pub messages_removed_total: i64,
    /// Groups whose committed offset falls below the new start: they lose the records counted here
    /// unread, and their next fetch resets by `auto.offset.reset`.
    pub groups_losing_unread: Vec<GroupOnTopic>,
    /// Warnings and explanations.
    pub notes: Vec<PlanNote>,
}

/// The impact of deleting records before the given offsets. Refuses unknown or duplicate
/// partitions, negative offsets other than `-1`, and offsets past the end.
pub fn purge_impact(
    topic: &str,
    partitions: &[PartitionOffsets],
    targets: &[PurgeTarget],
    commits: &[GroupCommit],
) -> Result<PurgeImpact, PurgeError> {
    if targets.is_empty() {
        return Err(PurgeError::NoTargets);
    }
    let mut rows: Vec<PartitionPurge> = Vec::with_capacity(targets.len());
    for t in targets {
        if rows.iter().any(|r| r.partition == t.partition) {
            return Err(PurgeError::DuplicatePartition {
                partition: t.partition,
            });
        }
        let p = partitions
            .iter()
            .find(|p| p.partition == t.partition)
            .ok_or_else(|| PurgeError::UnknownPartition {
                topic: topic.to_string(),
                partition: t.partition,
                max: partitions.iter().map(|p| p.partition).max().unwrap_or(-1),
            })?;
        let before = match t.before_offset {
            -1 => p.end_offset,
            o if o < 0 => {
                return Err(PurgeError::NegativeOffset {
                    partition: t.partition,
                    offset: o,
                })
            }
            o if o > p.end_offset => {
                return Err(PurgeError::BeyondEnd {
                    partition: t.partition,
                    offset: o,
                    end: p.end_offset,
                })
            }
            o => o,
        };
        let removed = (before - p.log_start_offset).max(0);
        rows.push(PartitionPurge {
            partition: p.partition,
            log_start_offset: p.log_start_offset,
            end_offset: p.end_offset,
            before_offset: before,
            messages_removed: removed,
            new_log_start_offset: before.max(p.log_start_offset),
        });
    }
    rows.sort_by_key(|r| r.partition);
    let total: i64 = rows.iter().map(|r| r.messages_removed).sum();
    let groups = groups_on(commits, |c| {
        let r = rows.iter().find(|r| r.partition == c.partition)?;
        (c.committed_offset >= 0 && c.committed_offset < r.new_log_start_offset)
            .then(|| r.new_log_start_offset - c.committed_offset.max(r.log_start_offset))
    });
    let mut notes = Vec::new();
    if total > 0 {
        notes.push(note(
            "purge-is-irreversible",
            Severity::Critical,
            format!("{total} record(s) of {topic:?} are deleted for good on every replica."),
        ));
    }
    let noop: Vec<String> = rows
        .iter()
        .filter(|r| r.messages_removed == 0)
        .map(|r| r.partition.to_string())
        .collect();
    if !noop.is_empty() {
        notes.push(note(
            "nothing-to-purge",
            Severity::Info,
            format!(
                "partition(s) {} already start at or after the requested offset; nothing is deleted there.",
                noop.join(", ")
            ),
        ));
    }
    if !groups.is_empty() {
        let names: Vec<String> = groups
            .iter()
            .map(|g| format!("{} ({} unread)", g.group, g.unread_messages_lost))
            .collect();
        notes.push(note(
            "groups-lose-unread",
            Severity::Warn,
            format!(
                "consumer group(s) {} have not read the purged records yet; their next fetch gets \
                 OFFSET_OUT_OF_RANGE and resets by auto.offset.reset (earliest: the new start; latest: skips \
                 to the end).",
                names.join(", ")
            ),
        ));
    }
    Ok(PurgeImpact {
        topic: topic.to_string(),
        partitions: rows,
        messages_removed_total: total,
        groups_losing_unread: groups,
        notes,
    })
}

// -------------------------------------------------------------------------------------------------
// Config change impact
// -------------------------------------------------------------------------------------------------

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
    use crate::analysis::snapshot::{ConfigEntry, ConfigSynonym};

    // ---- names
    // -------------------------------------------------------------------------------------

    #[test]
    fn topic_names_follow_kafka_topic_validate() {
        assert_eq!(validate_topic_name(""), Err(TopicNameError::Empty));
        assert!(matches!(
            validate_topic_name("."),
            Err(TopicNameError::DotOrDotDot { .. })
        ));
        assert!(matches!(
            validate_topic_name(".."),
            Err(TopicNameError::DotOrDotDot { .. })
        ));
        assert!(
            validate_topic_name("...").is_ok(),
            "only . and .. are special"
        );
        assert!(validate_topic_name(&"a".repeat(249)).is_ok());
        assert_eq!(
            validate_topic_name(&"a".repeat(250)),
            Err(TopicNameError::TooLong { len: 250 })
        );
        assert!(validate_topic_name("orders.v2_EU-1").is_ok());
        match validate_topic_name("orders v2/eu") {
            Err(TopicNameError::IllegalChars {
                bad, suggestion, ..
            }) => {
                assert_eq!(bad, "' ', '/'");
                assert_eq!(suggestion, "orders-v2-eu");
            }
            other => panic!("expected IllegalChars, got {other:?}"),
        }
        assert!(matches!(
            validate_topic_name("zamówienia"),
            Err(TopicNameError::IllegalChars { .. })
        ));
    }

    #[test]
    fn name_errors_say_what_to_send() {
        let msg = validate_topic_name("a b").unwrap_err().to_string();
        assert!(msg.contains("\"a-b\""), "{msg}");
        let msg = TopicNameError::TooLong { len: 300 }.to_string();
        assert!(msg.contains("at most 249"), "{msg}");
    }

    #[test]
    fn new_names_checked_against_existing_topics() {
        let existing = ["orders", "payments.eu", "events_compacted"];
        assert!(matches!(
            check_new_topic_name("orders", &existing),
            Err(TopicNameError::AlreadyExists { .. })
        ));
        assert_eq!(
            check_new_topic_name("payments_eu", &existing),
            Err(TopicNameError::Collides {
                name: "payments_eu".into(),
                existing: "payments.eu".into()
            })
        );
        assert!(matches!(
            check_new_topic_name("events.compacted", &existing),
            Err(TopicNameError::Collides { .. })
        ));
        assert_eq!(check_new_topic_name("invoices", &existing), Ok(vec![]));
        let notes = check_new_topic_name("eu.payments_v2", &existing).unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].id, "name-mixes-dot-underscore");
        assert_eq!(notes[0].severity, Severity::Warn);
        let notes = check_new_topic_name("__mine", &existing).unwrap();
        assert_eq!(notes[0].id, "internal-prefix");
        // Only '.' OR '_' (not both) is fine.
        assert_eq!(check_new_topic_name("payments.us", &existing), Ok(vec![]));
    }

    #[test]
    fn protected_topics() {
        let none: [&str; 0] = [];
        let p = topic_protection("__consumer_offsets", &none).unwrap();
        assert_eq!(p.kind, ProtectionKind::Internal);
        assert!(p.reason("__consumer_offsets").contains("Kafka-internal"));
        assert_eq!(
            topic_protection("_schemas", &none).unwrap().kind,
            ProtectionKind::SchemaRegistry
        );
        assert_eq!(
            topic_protection("_confluent-metrics", &none).unwrap().kind,
            ProtectionKind::Confluent
        );
        assert_eq!(topic_protection("orders", &none), None);
        assert_eq!(
            topic_protection("_schemas2", &none),
            None,
            "_schemas is exact, not a prefix"
        );
        let cfg = ["prod.*", "audit"];
        assert_eq!(
            topic_protection("prod.orders", &cfg),
            Some(Protection {
                kind: ProtectionKind::Configured,
                glob: "prod.*".into()
            })
        );
        assert!(is_protected("audit", &cfg));
        assert!(!is_protected("audit2", &cfg));
    }

    // ---- configs
    // -----------------------------------------------------------------------------------

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

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("retention.ms", "retention.ms"), 0);
    }

    // ---- partitions
    // --------------------------------------------------------------------------------

    #[test]
    fn new_topic_layout() {
        assert_eq!(check_new_topic_layout(6, 3, 3), Ok(vec![]));
        assert_eq!(
            check_new_topic_layout(0, 3, 3),
            Err(PartitionPlanError::PartitionsBelowOne { got: 0 })
        );
        assert_eq!(
            check_new_topic_layout(6, 0, 3),
            Err(PartitionPlanError::ReplicationFactorBelowOne { got: 0 })
        );
        let e = check_new_topic_layout(6, 3, 2).unwrap_err();
        assert_eq!(
            e,
            PartitionPlanError::ReplicationFactorAboveBrokers {
                replication_factor: 3,
                live_brokers: 2
            }
        );
        assert!(e.to_string().contains("Send replication_factor ≤ 2"));
        let notes = check_new_topic_layout(20_000, 1, 3).unwrap();
        let ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["many-partitions", "no-redundancy"]);
    }

    #[test]
    fn partitions_only_grow() {
        assert_eq!(
            check_add_partitions(6, 6),
            Err(PartitionPlanError::AlreadyHas { current: 6 })
        );
        assert!(PartitionPlanError::AlreadyHas { current: 6 }
            .to_string()
            .contains("already has 6"));
        assert_eq!(
            check_add_partitions(6, 3),
            Err(PartitionPlanError::CannotShrink {
                current: 6,
                requested: 3
            })
        );
        assert_eq!(check_add_partitions(6, 12), Ok(vec![]));
        assert!(
            check_add_partitions(0, 3).is_err(),
            "a current count below 1 is a bad read"
        );
        assert_eq!(
            check_add_partitions(6, 20_000).unwrap()[0].id,
            "many-partitions"
        );
    }

    /// Brute force: count h in [0, lcm) with h mod a == h mod b.
    fn brute_keep(a: u64, b: u64) -> (u64, u64) {
        let l = a * b / gcd(a, b);
        let same = (0..l).filter(|h| h % a == h % b).count() as u64;
        let g = gcd(same, l);
        (same / g, l / g)
    }

    #[test]
    fn keys_keeping_partition_is_gcd_over_max() {
        // 3 -> 6: residues 0..5 mod 6; h mod 6 == h mod 3 iff h mod 6 < 3, so 3 of 6 = 1/2.
        assert_eq!(keys_keep_partition_fraction(3, 6), (1, 2));
        // 3 -> 4: lcm 12, common residue c < 3 gives h = 0, 1, 2: 3/12 = 1/4.
        assert_eq!(keys_keep_partition_fraction(3, 4), (1, 4));
        // 6 -> 12: 1/2; 5 -> 7: 1/7; 4 -> 6: lcm 12, h in 0..4 -> 4/12 = 1/3.
        assert_eq!(keys_keep_partition_fraction(6, 12), (1, 2));
        assert_eq!(keys_keep_partition_fraction(5, 7), (1, 7));
        assert_eq!(keys_keep_partition_fraction(4, 6), (1, 3));
        for a in 1..=12u32 {
            for b in a + 1..=24u32 {
                assert_eq!(
                    keys_keep_partition_fraction(a, b),
                    brute_keep(u64::from(a), u64::from(b)),
                    "{a} -> {b}"
                );
            }
        }
    }

    #[test]
    fn add_partitions_impact_numbers_and_notes() {
        let i = add_partitions_impact(3, 6, false).unwrap();
        assert_eq!(i.added_partitions, 3);
        assert_eq!(i.keys_keep_partition_exact, "1/2");
        assert!((i.keys_keep_partition_fraction - 0.5).abs() < 1e-12);
        assert!((i.keys_move_fraction - 0.5).abs() < 1e-12);
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["keys-move-partition", "consumer-groups-rebalance"]);
        assert!(i.notes[0].message.contains("50.0% of keys"));
        let i = add_partitions_impact(6, 8, true).unwrap();
        // gcd(6, 8) / 8 = 2/8 = 1/4 keep, 75% move.
        assert_eq!(i.keys_keep_partition_exact, "1/4");
        assert!(i.notes[0].message.contains("75.0% of keys"));
        assert!(i.notes.iter().any(|n| n.id == "compacted-keys-split"));
        assert_eq!(
            add_partitions_impact(6, 6, false),
            Err(PartitionPlanError::AlreadyHas { current: 6 })
        );
    }

    // ---- delete / purge
    // ----------------------------------------------------------------------------

    /// `orders` end offsets in the healthy fixture (`list_offsets.json`), all starting at 0.
    fn orders() -> Vec<PartitionOffsets> {
        [896, 850, 769, 857, 782, 846]
            .iter()
            .enumerate()
            .map(|(i, &end)| PartitionOffsets {
                partition: i as i32,
                log_start_offset: 0,
                end_offset: end,
                size_bytes: None,
            })
            .collect()
    }

    /// Group `analytics` in the healthy fixture: committed orders-0 = 896 and orders-4 = 104 only.
    fn analytics() -> Vec<GroupCommit> {
        vec![
            GroupCommit {
                group: "analytics".into(),
                partition: 0,
                committed_offset: 896,
            },
            GroupCommit {
                group: "analytics".into(),
                partition: 4,
                committed_offset: 104,
            },
            GroupCommit {
                group: "never-committed".into(),
                partition: 1,
                committed_offset: -1001,
            },
        ]
    }

    #[test]
    fn delete_impact_on_fixture_orders() {
        let i = delete_topic_impact("orders", &orders(), &analytics());
        assert_eq!(i.partitions, 6);
        assert_eq!(i.messages_lost, 5000);
        assert_eq!(i.bytes_lost, None);
        // analytics: orders-0 fully read (0 unread), orders-4 782 - 104 = 678 unread (README: lag
        // 678).
        assert_eq!(
            i.groups_with_commits,
            vec![GroupOnTopic {
                group: "analytics".into(),
                partitions_committed: 2,
                unread_messages_lost: 678
            }]
        );
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["delete-is-irreversible", "groups-still-committed"]);
        assert_eq!(i.notes[0].severity, Severity::Critical);

        let mut sized = orders();
        for p in &mut sized {
            p.size_bytes = Some(1000);
        }
        assert_eq!(
            delete_topic_impact("orders", &sized, &[]).bytes_lost,
            Some(6000)
        );
    }

    #[test]
    fn purge_impact_per_partition() {
        let parts = vec![
            PartitionOffsets {
                partition: 0,
                log_start_offset: 100,
                end_offset: 500,
                size_bytes: None,
            },
            PartitionOffsets {
                partition: 1,
                log_start_offset: 0,
                end_offset: 50,
                size_bytes: None,
            },
            PartitionOffsets {
                partition: 2,
                log_start_offset: 300,
                end_offset: 300,
                size_bytes: None,
            },
        ];
        let commits = vec![
            GroupCommit {
                group: "slow".into(),
                partition: 0,
                committed_offset: 150,
            },
            GroupCommit {
                group: "fast".into(),
                partition: 0,
                committed_offset: 450,
            },
            GroupCommit {
                group: "slow".into(),
                partition: 1,
                committed_offset: 10,
            },
        ];
        let targets = [
            PurgeTarget {
                partition: 1,
                before_offset: -1,
            },
            PurgeTarget {
                partition: 0,
                before_offset: 400,
            },
            PurgeTarget {
                partition: 2,
                before_offset: 200,
            },
        ];
        let i = purge_impact("t", &parts, &targets, &commits).unwrap();
        // p0: 400 - 100 = 300; p1: -1 -> end 50, 50 - 0 = 50; p2: 200 < start 300 -> 0.
        let removed: Vec<i64> = i.partitions.iter().map(|r| r.messages_removed).collect();
        assert_eq!(removed, [300, 50, 0]);
        assert_eq!(i.partitions[1].before_offset, 50);
        assert_eq!(i.partitions[2].new_log_start_offset, 300);
        assert_eq!(i.messages_removed_total, 350);
        // slow: p0 committed 150 < 400 -> loses 250 unread; p1 committed 10 < 50 -> 40. fast is
        // past 400.
        assert_eq!(
            i.groups_losing_unread,
            vec![GroupOnTopic {
                group: "slow".into(),
                partitions_committed: 2,
                unread_messages_lost: 290
            }]
        );
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "purge-is-irreversible",
                "nothing-to-purge",
                "groups-lose-unread"
            ]
        );
        // Offsets are strings on the wire.
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["partitions"][0]["before_offset"], "400");
        assert_eq!(json["partitions"][0]["messages_removed"], "300");
    }

    #[test]
    fn purge_refusals() {
        let parts = orders();
        let e = purge_impact(
            "orders",
            &parts,
            &[PurgeTarget {
                partition: 0,
                before_offset: 897,
            }],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e,
            PurgeError::BeyondEnd {
                partition: 0,
                offset: 897,
                end: 896
            }
        );
        assert!(e.to_string().contains("Send an offset ≤ 896"));
        assert_eq!(
            purge_impact(
                "orders",
                &parts,
                &[PurgeTarget {
                    partition: 9,
                    before_offset: 1
                }],
                &[]
            ),
            Err(PurgeError::UnknownPartition {
                topic: "orders".into(),
                partition: 9,
                max: 5
            })
        );
        assert_eq!(
            purge_impact(
                "orders",
                &parts,
                &[PurgeTarget {
                    partition: 0,
                    before_offset: -2
                }],
                &[]
            ),
            Err(PurgeError::NegativeOffset {
                partition: 0,
                offset: -2
            })
        );
        let dup = [
            PurgeTarget {
                partition: 0,
                before_offset: 1,
            },
            PurgeTarget {
                partition: 0,
                before_offset: 2,
            },
        ];
        assert_eq!(
            purge_impact("orders", &parts, &dup, &[]),
            Err(PurgeError::DuplicatePartition { partition: 0 })
        );
        assert_eq!(
            purge_impact("orders", &parts, &[], &[]),
            Err(PurgeError::NoTargets)
        );
        // Exactly the end is allowed: everything goes.
        let i = purge_impact(
            "orders",
            &parts,
            &[PurgeTarget {
                partition: 0,
                before_offset: 896,
            }],
            &[],
        )
        .unwrap();
        assert_eq!(i.messages_removed_total, 896);
    }

    // ---- config change impact
    // ----------------------------------------------------------------------

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
        include_str!("../../fixtures/real-kafka-4.0/healthy/describe_configs.topics.json");
    const DYNAMIC: &str =
        include_str!("../../fixtures/real-kafka-4.0/dynamic-configs/describe_configs.topics.json");

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

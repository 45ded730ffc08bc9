//! Topic names as Kafka's `Topic.validate` sees them (`org.apache.kafka.common.internals.Topic`:
//! legal characters, length, `.`/`_` metric-name collisions), and the topics kafka-mcp refuses to
//! change (built-in and configured protection globs).

use schemars::JsonSchema;
use serde::Serialize;

use super::note::{note, PlanNote};
use crate::analysis::finding::Severity;
use crate::analysis::glob::glob_match;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! What every rule reads through: effective values with their source (topic → broker fallback,
//! units normalised), client values with library defaults, remediation builders, and the notes on
//! what was skipped.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::finding::{Severity, EVIDENCE_ITEMS};
use crate::snapshot::{ConfigEntry, ConfigSource};

use super::{
    AlterOp, AlterOpKind, AlterResourceType, AuditInput, AuditOptions, BrokerConfigSnapshot,
    ClientConfig, ClientIntent, ClientKind, ClientLibrary, ClientProperty, ConfigEvidence,
    Remediation, RuleScope, TopicConfigSnapshot,
};

/// One rule: `{id, severity, scope, title, doc, check}`. The doc has `Why:` and `Fix:` sections.
pub(crate) struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub scope: RuleScope,
    pub title: &'static str,
    pub doc: &'static str,
    pub check: fn(&Ctx<'_>) -> Vec<Hit>,
}

/// What a check reports; the engine adds id and severity.
pub(crate) struct Hit {
    /// One line, specific to the affected items; empty = the rule's title.
    pub title: String,
    pub items: Vec<String>,
    pub detail: String,
    pub values: Vec<ConfigEvidence>,
    pub fix: Remediation,
}

/// Kafka 4.0's default `max.message.bytes` / `message.max.bytes`.
pub(crate) const KAFKA_DEFAULT_MAX_MESSAGE_BYTES: i64 = 1_048_588;
pub(crate) const MIB: i64 = 1024 * 1024;
pub(crate) const GIB: i64 = 1024 * MIB;
pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------------------
// Scratch topics

/// Name prefixes of scratch topics (case-insensitive), exempt from the replication-factor rules.
pub const SCRATCH_PREFIXES: &[&str] = &[
    "tmp.", "tmp-", "tmp_", "test.", "test-", "test_", "scratch.", "scratch-", "scratch_", "it-",
];
/// Name suffixes of scratch topics (case-insensitive), exempt from the replication-factor rules.
pub const SCRATCH_SUFFIXES: &[&str] = &[
    ".tmp", "-tmp", "_tmp", ".test", "-test", "_test", ".scratch", "-scratch", "_scratch",
];

/// True for throw-away topics: names starting with `tmp.`, `test.`, `scratch.`, `it-` (or `-`/`_`
/// instead of `.`), or ending with `.tmp`, `.test`, `.scratch` (or `-`/`_`), in any case. Their RF
/// is not audited.
pub fn is_scratch_topic(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SCRATCH_PREFIXES.iter().any(|p| n.starts_with(p))
        || SCRATCH_SUFFIXES.iter().any(|s| n.ends_with(s))
}

// ---------------------------------------------------------------------------------------------------------
// Effective values

/// An effective value and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Val {
    pub ev: ConfigEvidence,
    /// Not dynamically alterable (DescribeConfigs `read_only`).
    pub read_only: bool,
    /// Came from the broker because the topic did not return the key.
    pub inherited: bool,
}

impl Val {
    pub fn str(&self) -> &str {
        &self.ev.value
    }
    pub fn int(&self) -> Option<i64> {
        self.ev.value.trim().parse().ok()
    }
    pub fn is_true(&self) -> bool {
        self.ev.value.trim().eq_ignore_ascii_case("true")
    }
    pub fn source(&self) -> ConfigSource {
        self.ev.source.unwrap_or(ConfigSource::Unknown)
    }
    /// `key=value [SOURCE via set_as: origin]`, e.g. `retention.ms=259200000
    /// [DYNAMIC_DEFAULT_BROKER_CONFIG via log.retention.ms: cluster-wide dynamic broker default]`.
    pub fn describe(&self) -> String {
        let via = if self.ev.set_as != self.ev.key {
            format!(" via {}", self.ev.set_as)
        } else {
            String::new()
        };
        match self.ev.source {
            Some(s) => format!(
                "{}={} [{}{via}: {}]",
                self.ev.key,
                self.ev.value,
                s.as_str(),
                self.ev.origin
            ),
            None => format!(
                "{}={} [{}{via}]",
                self.ev.key, self.ev.value, self.ev.origin
            ),
        }
    }
}

/// Where a value with `source` was set, in words.
pub(crate) fn origin_text(
    source: ConfigSource,
    topic: Option<&str>,
    broker: Option<i32>,
) -> String {
    match (source, topic, broker) {
        (ConfigSource::DynamicTopicConfig, Some(t), _) => format!("topic override on {t}"),
        (ConfigSource::DynamicTopicConfig, None, _) => "topic override".into(),
        (ConfigSource::DynamicBrokerConfig, _, Some(b)) => format!("dynamic config of broker {b}"),
        (ConfigSource::DynamicBrokerConfig, _, None) => "per-broker dynamic config".into(),
        (ConfigSource::DynamicDefaultBrokerConfig, _, _) => {
            "cluster-wide dynamic broker default".into()
        }
        (ConfigSource::StaticBrokerConfig, _, Some(b)) => {
            format!("server.properties of broker {b}")
        }
        (ConfigSource::StaticBrokerConfig, _, None) => {
            "server.properties (static broker config)".into()
        }
        (ConfigSource::DefaultConfig, _, _) => "Kafka default".into(),
        (ConfigSource::Unknown, _, _) => "source not reported".into(),
        (s, _, _) => s.as_str().to_ascii_lowercase(),
    }
}

/// The value of one entry, unless sensitive or null.
fn entry_val(e: &ConfigEntry, key: &str, topic: Option<&str>, broker: Option<i32>) -> Option<Val> {
    if e.sensitive {
        return None;
    }
    let value = e.value.clone()?;
    let set_as = e
        .synonyms
        .iter()
        .find(|s| s.source == e.source && s.value.as_deref() == Some(value.as_str()))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| e.name.clone());
    Some(Val {
        ev: ConfigEvidence {
            key: key.to_string(),
            value,
            source: Some(e.source),
            set_as,
            origin: origin_text(e.source, topic, broker),
        },
        read_only: e.read_only,
        inherited: false,
    })
}

/// Broker-level synonyms of a topic key, first wins, with the factor to the topic's unit.
pub(crate) fn broker_synonyms(topic_key: &str) -> &'static [(&'static str, i64)] {
    match topic_key {
        "retention.ms" => &[
            ("log.retention.ms", 1),
            ("log.retention.minutes", 60_000),
            ("log.retention.hours", HOUR_MS),
        ],
        "segment.ms" => &[("log.roll.ms", 1), ("log.roll.hours", HOUR_MS)],
        "retention.bytes" => &[("log.retention.bytes", 1)],
        "segment.bytes" => &[("log.segment.bytes", 1)],
        "max.message.bytes" => &[("message.max.bytes", 1)],
        "cleanup.policy" => &[("log.cleanup.policy", 1)],
        "min.insync.replicas" => &[("min.insync.replicas", 1)],
        "unclean.leader.election.enable" => &[("unclean.leader.election.enable", 1)],
        "message.timestamp.type" => &[("log.message.timestamp.type", 1)],
        "min.compaction.lag.ms" => &[("log.cleaner.min.compaction.lag.ms", 1)],
        "max.compaction.lag.ms" => &[("log.cleaner.max.compaction.lag.ms", 1)],
        "delete.retention.ms" => &[("log.cleaner.delete.retention.ms", 1)],
        "min.cleanable.dirty.ratio" => &[("log.cleaner.min.cleanable.ratio", 1)],
        _ => &[],
    }
}

/// The broker's default for a topic key, normalised to the topic's unit: `log.retention.ms` beats
/// `log.retention.minutes` beats `log.retention.hours` (as Kafka resolves them); negative durations
/// are `-1`.
pub(crate) fn broker_topic_default(b: &BrokerConfigSnapshot, topic_key: &str) -> Option<Val> {
    for (name, factor) in broker_synonyms(topic_key) {
        let Some(e) = b.configs.get(name) else {
            continue;
        };
        let Some(mut v) = entry_val(e, topic_key, None, Some(b.id)) else {
            continue;
        };
        if *factor != 1 || name.ends_with(".ms") {
            let n = v.int()?;
            v.ev.value = if n < 0 {
                "-1".into()
            } else {
                n.saturating_mul(*factor).to_string()
            };
        }
        v.ev.set_as = name.to_string();
        return Some(v);
    }
    None
}

/// One broker-level value of a broker key.
pub(crate) fn broker_val(b: &BrokerConfigSnapshot, key: &str) -> Option<Val> {
    b.configs
        .get(key)
        .and_then(|e| entry_val(e, key, None, Some(b.id)))
}

/// `cleanup.policy` contains `delete` / `compact`.
pub(crate) fn policy_has(v: &Val, what: &str) -> bool {
    v.str()
        .split(',')
        .map(|p| p.trim().trim_matches(['[', ']']))
        .any(|p| p.eq_ignore_ascii_case(what))
}

// ---------------------------------------------------------------------------------------------------------
// Context

/// The audit's read-only view, plus a log of what rules had to skip.
pub(crate) struct Ctx<'a> {
    pub input: &'a AuditInput,
    pub opts: &'a AuditOptions,
    /// note text → affected items.
    skipped: RefCell<BTreeMap<String, BTreeSet<String>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(input: &'a AuditInput, opts: &'a AuditOptions) -> Self {
        Ctx {
            input,
            opts,
            skipped: RefCell::new(BTreeMap::new()),
        }
    }

    /// Records that something could not be checked for `item`.
    pub fn skip(&self, what: String, item: &str) {
        self.skipped
            .borrow_mut()
            .entry(what)
            .or_default()
            .insert(item.to_string());
    }

    pub fn into_notes(self) -> Vec<String> {
        self.skipped
            .into_inner()
            .into_iter()
            .map(|(what, items)| format!("{what}: {}", list(items.iter().map(String::as_str))))
            .collect()
    }

    pub fn live(&self) -> usize {
        self.input.live_broker_ids.len()
    }

    /// Brokers of the cluster: the live ones plus any that hold replicas (down brokers included), so a
    /// broker outage does not change what "evenly spread" means. 0 when the live list is unknown.
    pub fn cluster_brokers(&self) -> usize {
        if self.input.live_broker_ids.is_empty() {
            return 0;
        }
        let mut ids: BTreeSet<i32> = self.input.live_broker_ids.iter().copied().collect();
        ids.extend(
            self.input
                .topics
                .iter()
                .flat_map(|t| t.assignment.iter().flatten().copied()),
        );
        ids.len()
    }

    /// Brokers that returned configs, by id.
    pub fn described_brokers(&self) -> Vec<&'a BrokerConfigSnapshot> {
        let mut v: Vec<_> = self
            .input
            .brokers
            .iter()
            .filter(|b| !b.configs.entries.is_empty())
            .collect();
        v.sort_by_key(|b| b.id);
        v
    }

    /// The broker whose defaults fill keys a topic did not return: the lowest described id.
    pub fn reference_broker(&self) -> Option<&'a BrokerConfigSnapshot> {
        self.described_brokers().into_iter().next()
    }

    pub fn topic(&self, name: &str) -> Option<&'a TopicConfigSnapshot> {
        self.input.topics.iter().find(|t| t.name == name)
    }

    /// The effective topic value: the topic's own entry, else the broker default (noted as
    /// inherited), else `None` with a note that rules reading `key` were skipped for this topic.
    pub fn topic_val(&self, t: &TopicConfigSnapshot, key: &str) -> Option<Val> {
        if let Some(v) = t
            .configs
            .get(key)
            .and_then(|e| entry_val(e, key, Some(&t.name), None))
        {
            return Some(v);
        }
        if let Some(b) = self.reference_broker() {
            if let Some(mut v) = broker_topic_default(b, key) {
                v.ev.origin = format!("inherited from broker {}: {}", b.id, v.ev.origin);
                v.inherited = true;
                return Some(v);
            }
        }
        self.skip(
            format!(
                "{key} not returned for these topics nor by any broker: rules reading it skipped"
            ),
            &t.name,
        );
        None
    }

    /// Whether rule `id` runs in this audit: it exists, is at or above `min_severity` and is not
    /// disabled (the config-audit tool disables the rules outside the requested scope).
    pub fn runs(&self, id: &str) -> bool {
        super::explain(id).is_some_and(|r| {
            r.severity >= self.opts.min_severity && !self.opts.disabled.iter().any(|d| d == id)
        })
    }

    /// `broker.rack` of each described broker that has one (DescribeConfigs BROKER returns it,
    /// null when unset).
    pub fn racks(&self) -> BTreeMap<i32, String> {
        self.described_brokers()
            .into_iter()
            .filter_map(|b| {
                broker_val(b, "broker.rack")
                    .map(|v| v.str().trim().to_string())
                    .filter(|r| !r.is_empty())
                    .map(|r| (b.id, r))
            })
            .collect()
    }

    pub fn bootstrap(&self) -> &str {
        self.opts.bootstrap.as_deref().unwrap_or("<bootstrap>")
    }

    // --- remediation builders ---

    /// Sets `key=value` on a topic.
    pub fn topic_fix(&self, topic: &str, key: &str, value: &str) -> Remediation {
        self.alter_fix(AlterOp {
            resource_type: AlterResourceType::Topic,
            resource_name: topic.to_string(),
            key: key.to_string(),
            op: AlterOpKind::Set,
            value: Some(value.to_string()),
        })
    }

    pub fn alter_fix(&self, op: AlterOp) -> Remediation {
        Remediation {
            command: kafka_configs_command(self.bootstrap(), &op),
            incremental_alter: Some(op),
            client_property: None,
        }
    }

    /// Sets a broker key where it was set: per broker for `DYNAMIC_BROKER_CONFIG`, else as the
    /// cluster-wide dynamic default; a read-only key needs server.properties and a rolling restart.
    pub fn broker_fix(&self, v: &Val, broker: i32, value: &str) -> Remediation {
        let key = &v.ev.key;
        if v.read_only {
            return manual(format!(
                "{key} is read-only (not dynamically alterable): set {key}={value} in server.properties on every \
                 broker, then restart the brokers one at a time"
            ));
        }
        let (resource_type, resource_name) = if v.source() == ConfigSource::DynamicBrokerConfig {
            (AlterResourceType::Broker, broker.to_string())
        } else {
            (AlterResourceType::BrokerDefault, String::new())
        };
        self.alter_fix(AlterOp {
            resource_type,
            resource_name,
            key: key.clone(),
            op: AlterOpKind::Set,
            value: Some(value.to_string()),
        })
    }

    // --- client ---

    pub fn client(&self) -> Option<ClientView<'a>> {
        self.input.client.as_ref().map(ClientView::new)
    }
}

/// A remediation with no command to run.
pub(crate) fn manual(text: String) -> Remediation {
    Remediation {
        command: text,
        incremental_alter: None,
        client_property: None,
    }
}

/// The `kafka-configs.sh` command equivalent to `op`.
pub(crate) fn kafka_configs_command(bootstrap: &str, op: &AlterOp) -> String {
    let entity = match op.resource_type {
        AlterResourceType::Topic => {
            format!("--entity-type topics --entity-name {}", op.resource_name)
        }
        AlterResourceType::Broker => {
            format!("--entity-type brokers --entity-name {}", op.resource_name)
        }
        AlterResourceType::BrokerDefault => "--entity-type brokers --entity-default".to_string(),
    };
    let change = match (op.op, &op.value) {
        (AlterOpKind::Set, Some(v)) if v.contains(',') => format!("--add-config {}=[{v}]", op.key),
        (AlterOpKind::Set, Some(v)) => format!("--add-config {}={v}", op.key),
        (AlterOpKind::Set, None) | (AlterOpKind::Delete, _) => {
            format!("--delete-config {}", op.key)
        }
    };
    format!("kafka-configs.sh --bootstrap-server {bootstrap} --alter {entity} {change}")
}

/// `a, b, c and 4 more`.
pub(crate) fn list<'s>(items: impl Iterator<Item = &'s str>) -> String {
    let all: Vec<&str> = items.collect();
    let shown = all
        .iter()
        .take(EVIDENCE_ITEMS)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > EVIDENCE_ITEMS {
        format!("{shown} and {} more", all.len() - EVIDENCE_ITEMS)
    } else {
        shown
    }
}

/// `604800000 ms (7d)`.
pub(crate) fn fmt_ms(ms: i64) -> String {
    if ms < 0 {
        return format!("{ms} (unlimited)");
    }
    let human = if ms % DAY_MS == 0 && ms > 0 {
        format!("{}d", ms / DAY_MS)
    } else if ms % HOUR_MS == 0 && ms > 0 {
        format!("{}h", ms / HOUR_MS)
    } else if ms % 60_000 == 0 && ms > 0 {
        format!("{}min", ms / 60_000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    };
    format!("{ms} ms ({human})")
}

/// `1048576 B (1 MiB)`.
pub(crate) fn fmt_bytes(b: i64) -> String {
    if b >= GIB && b % GIB == 0 {
        format!("{b} B ({} GiB)", b / GIB)
    } else if b >= MIB && b % MIB == 0 {
        format!("{b} B ({} MiB)", b / MIB)
    } else if b >= 1024 && b % 1024 == 0 {
        format!("{b} B ({} KiB)", b / 1024)
    } else {
        format!("{b} B")
    }
}

// ---------------------------------------------------------------------------------------------------------
// Limitations

/// Notes on what the input does not let the audit see, independent of which rules run.
pub(crate) fn limitations(input: &AuditInput) -> Vec<String> {
    let mut notes = Vec::new();
    if input.live_broker_ids.is_empty() && !input.topics.is_empty() {
        notes.push(
            "live broker list unknown: rf-above-live-brokers, partitions-per-broker-high and \
             partitions-not-multiple-of-brokers skipped"
                .to_string(),
        );
    }
    if input.brokers.is_empty() && (!input.topics.is_empty() || !input.live_broker_ids.is_empty()) {
        notes.push(
            "no broker configs given: broker rules skipped, and keys a topic did not return cannot be inherited"
                .to_string(),
        );
    }
    let mut brokers: Vec<_> = input.brokers.iter().collect();
    brokers.sort_by_key(|b| b.id);
    for b in &brokers {
        let entries = &b.configs.entries;
        if let Some(err) = &b.error {
            notes.push(format!(
                "broker {}: configs unavailable ({err}): broker rules skipped for it",
                b.id
            ));
        } else if entries.is_empty() {
            notes.push(format!(
                "broker {} returned no broker configs (some Kafka-compatible brokers expose none): broker rules \
                 skipped for it",
                b.id
            ));
        } else if !b.configs.has_sources() {
            notes.push(format!(
                "broker {}: configs carry no sources: values audited, sources shown as UNKNOWN; unset keys are not \
                 assumed to hold Kafka defaults",
                b.id
            ));
        } else if !entries
            .iter()
            .any(|e| e.source == ConfigSource::DefaultConfig)
        {
            notes.push(format!(
                "broker {}: only non-default configs returned: keys it did not return are not assumed to hold \
                 Kafka defaults; rules reading them are skipped",
                b.id
            ));
        }
    }
    let described: Vec<i32> = brokers
        .iter()
        .filter(|b| !b.configs.entries.is_empty())
        .map(|b| b.id)
        .collect();
    let undescribed: Vec<String> = input
        .live_broker_ids
        .iter()
        .filter(|id| !described.contains(id))
        .map(|id| id.to_string())
        .collect();
    if !described.is_empty() && !undescribed.is_empty() {
        notes.push(format!(
            "broker configs cover broker(s) {} only; live broker(s) {} not described: broker rules judged on the \
             described ones",
            list(described.iter().map(|i| i.to_string()).collect::<Vec<_>>().iter().map(String::as_str)),
            list(undescribed.iter().map(String::as_str)),
        ));
    }
    let no_cfg: Vec<&str> = input
        .topics
        .iter()
        .filter(|t| t.configs.entries.is_empty())
        .map(|t| t.name.as_str())
        .collect();
    if !no_cfg.is_empty() {
        notes.push(format!(
            "{} topic(s) returned no configs; broker defaults used, topic overrides (if any) unknown: {}",
            no_cfg.len(),
            list(no_cfg.into_iter())
        ));
    }
    let no_src: Vec<&str> = input
        .topics
        .iter()
        .filter(|t| !t.configs.entries.is_empty() && !t.configs.has_sources())
        .map(|t| t.name.as_str())
        .collect();
    if !no_src.is_empty() {
        notes.push(format!(
            "{} topic(s) returned configs without sources (shown as UNKNOWN); overrides cannot be told from \
             defaults: {}",
            no_src.len(),
            list(no_src.into_iter())
        ));
    }
    if let Some(c) = &input.client {
        let v = ClientView::new(c);
        if !v.producer && !v.consumer {
            notes.push(
                "client kind unknown and no producer- or consumer-only property set: client rules skipped; pass \
                 kind"
                    .to_string(),
            );
        }
        let missing: Vec<&str> = c
            .topics
            .iter()
            .filter(|n| !input.topics.iter().any(|t| &t.name == *n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "client topic(s) not in the audited topics, size cross-checks skipped for them: {}",
                list(missing.into_iter())
            ));
        }
    }
    notes
}

// ---------------------------------------------------------------------------------------------------------
// Client

const PRODUCER_KEYS: &[&str] = &[
    "acks",
    "request.required.acks",
    "enable.idempotence",
    "retries",
    "message.send.max.retries",
    "linger.ms",
    "queue.buffering.max.ms",
    "batch.size",
    "batch.num.messages",
    "max.in.flight.requests.per.connection",
    "max.in.flight",
    "compression.codec",
    "max.request.size",
    "delivery.timeout.ms",
    "message.timeout.ms",
    "transactional.id",
    "partitioner",
    "partitioner.class",
    "key.serializer",
    "value.serializer",
    "buffer.memory",
];

const CONSUMER_KEYS: &[&str] = &[
    "group.id",
    "group.instance.id",
    "group.protocol",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "enable.auto.offset.store",
    "auto.offset.reset",
    "isolation.level",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "max.poll.records",
    "max.partition.fetch.bytes",
    "fetch.message.max.bytes",
    "fetch.max.bytes",
    "fetch.min.bytes",
    "fetch.max.wait.ms",
    "key.deserializer",
    "value.deserializer",
    "partition.assignment.strategy",
];

/// librdkafka alias names of Java property names.
fn aliases(key: &str) -> &'static [&'static str] {
    match key {
        "acks" => &["acks", "request.required.acks"],
        "retries" => &["retries", "message.send.max.retries"],
        "linger.ms" => &["linger.ms", "queue.buffering.max.ms"],
        "compression.type" => &["compression.type", "compression.codec"],
        "max.in.flight.requests.per.connection" => {
            &["max.in.flight.requests.per.connection", "max.in.flight"]
        }
        "max.partition.fetch.bytes" => &["max.partition.fetch.bytes", "fetch.message.max.bytes"],
        "delivery.timeout.ms" => &["delivery.timeout.ms", "message.timeout.ms"],
        _ => &[],
    }
}

/// Unset-property defaults of the Java client (Kafka 4.0).
fn java_default(key: &str) -> Option<&'static str> {
    Some(match key {
        "acks" => "all",
        "enable.idempotence" => "true",
        "retries" => "2147483647",
        "max.in.flight.requests.per.connection" => "5",
        "linger.ms" => "5",
        "batch.size" => "16384",
        "compression.type" => "none",
        "max.request.size" => "1048576",
        "delivery.timeout.ms" => "120000",
        "request.timeout.ms" => "30000",
        "enable.auto.commit" => "true",
        "isolation.level" => "read_uncommitted",
        "session.timeout.ms" => "45000",
        "heartbeat.interval.ms" => "3000",
        "max.poll.interval.ms" => "300000",
        "auto.offset.reset" => "latest",
        "max.partition.fetch.bytes" => "1048576",
        "fetch.max.bytes" => "52428800",
        "group.protocol" => "classic",
        _ => return None,
    })
}

/// Unset-property defaults of librdkafka 2.x (`max.in.flight` drops to 5 when idempotence is on).
fn librdkafka_default(key: &str) -> Option<&'static str> {
    Some(match key {
        "acks" => "all",
        "enable.idempotence" => "false",
        "retries" => "2147483647",
        "max.in.flight.requests.per.connection" => "1000000",
        "linger.ms" => "5",
        "batch.size" => "1000000",
        "compression.type" => "none",
        // librdkafka's producer request size limit is `message.max.bytes`.
        "message.max.bytes" => "1000000",
        "delivery.timeout.ms" => "300000",
        "request.timeout.ms" => "30000",
        "enable.auto.commit" => "true",
        "isolation.level" => "read_committed",
        "session.timeout.ms" => "45000",
        "heartbeat.interval.ms" => "3000",
        "max.poll.interval.ms" => "300000",
        "auto.offset.reset" => "latest",
        "max.partition.fetch.bytes" => "1048576",
        "fetch.max.bytes" => "52428800",
        "group.protocol" => "classic",
        _ => return None,
    })
}

/// A client config with its kind resolved and defaults at hand.
pub(crate) struct ClientView<'a> {
    pub cfg: &'a ClientConfig,
    pub producer: bool,
    pub consumer: bool,
}

impl<'a> ClientView<'a> {
    fn new(cfg: &'a ClientConfig) -> Self {
        let has = |keys: &[&str]| cfg.properties.keys().any(|k| keys.contains(&k.as_str()));
        let (producer, consumer) = match cfg.kind {
            ClientKind::Producer => (true, false),
            ClientKind::Consumer => (false, true),
            ClientKind::Unknown => (has(PRODUCER_KEYS), has(CONSUMER_KEYS)),
        };
        ClientView {
            cfg,
            producer,
            consumer,
        }
    }

    pub fn librdkafka(&self) -> bool {
        self.cfg.library == ClientLibrary::Librdkafka
    }

    pub fn wants(&self, i: ClientIntent) -> bool {
        self.cfg.intents.contains(&i)
    }

    /// What a producer is called in fix texts.
    pub fn kind_word(&self) -> &'static str {
        match (self.producer, self.consumer) {
            (true, false) => "producer",
            (false, true) => "consumer",
            _ => "client",
        }
    }

    /// The property as written (under its name or a librdkafka alias), if set.
    pub fn explicit(&self, key: &str) -> Option<Val> {
        let names: &[&str] = match aliases(key) {
            [] => &[key][..],
            a => a,
        };
        names.iter().find_map(|n| {
            self.cfg.properties.get(*n).map(|v| Val {
                ev: ConfigEvidence {
                    key: key.to_string(),
                    value: v.trim().to_string(),
                    source: None,
                    set_as: n.to_string(),
                    origin: "client config".into(),
                },
                read_only: false,
                inherited: false,
            })
        })
    }

    /// The property as written, else the library default.
    pub fn val(&self, key: &str) -> Option<Val> {
        if let Some(v) = self.explicit(key) {
            return Some(v);
        }
        let (value, origin) = if self.librdkafka() {
            let v = if key == "max.in.flight.requests.per.connection" && self.idempotence().0 {
                Some("5")
            } else {
                librdkafka_default(key)
            };
            (v?, "librdkafka default")
        } else {
            (java_default(key)?, "Java client default (Kafka 4.0)")
        };
        Some(Val {
            ev: ConfigEvidence {
                key: key.to_string(),
                value: value.to_string(),
                source: None,
                set_as: key.to_string(),
                origin: origin.into(),
            },
            read_only: false,
            inherited: false,
        })
    }

    /// The producer's request size limit: `max.request.size` (Java) or `message.max.bytes`
    /// (librdkafka).
    pub fn max_request_size(&self) -> Option<Val> {
        if self.librdkafka() {
            self.val("message.max.bytes")
        } else {
            self.val("max.request.size")
        }
    }

    /// `acks` normalised: `all` for `all`/`-1`.
    pub fn acks(&self) -> Option<(String, Val)> {
        let v = self.val("acks")?;
        let a = match v.str() {
            "-1" => "all".to_string(),
            s => s.to_ascii_lowercase(),
        };
        Some((a, v))
    }

    /// Effective idempotence, the value it rests on, and why it is off when the Java client turned
    /// it off on its own (unset `enable.idempotence` + conflicting
    /// `acks`/`retries`/`max.in.flight`).
    pub fn idempotence(&self) -> (bool, Option<Val>, Option<String>) {
        if let Some(v) = self.explicit("enable.idempotence") {
            return (v.is_true(), Some(v), None);
        }
        if self.librdkafka() {
            let v = self.val("enable.idempotence");
            return (false, v, None);
        }
        let mut why = Vec::new();
        if let Some(a) = self.explicit("acks") {
            if !matches!(a.str(), "all" | "-1") {
                why.push(format!("acks={}", a.str()));
            }
        }
        if let Some(r) = self.explicit("retries") {
            if r.int() == Some(0) {
                why.push("retries=0".to_string());
            }
        }
        if let Some(m) = self.explicit("max.in.flight.requests.per.connection") {
            if m.int().is_some_and(|n| n > 5) {
                why.push(format!("max.in.flight.requests.per.connection={}", m.str()));
            }
        }
        let v = self.val("enable.idempotence");
        if why.is_empty() {
            (true, v, None)
        } else {
            let reason = format!(
                "enable.idempotence is unset and {} conflicts with it, so the Java client turns it off",
                why.join(", ")
            );
            (false, v, Some(reason))
        }
    }

    /// A fix that sets one client property.
    pub fn fix(&self, key: &str, value: &str) -> Remediation {
        Remediation {
            command: format!("set {key}={value} in the {} config", self.kind_word()),
            incremental_alter: None,
            client_property: Some(ClientProperty {
                key: key.to_string(),
                value: value.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;
    use crate::snapshot::ConfigSet;

    #[test]
    fn scratch_names() {
        for n in [
            "tmp.x",
            "test-orders",
            "orders-test",
            "x.scratch",
            "IT-foo-123",
            "a_tmp",
        ] {
            assert!(is_scratch_topic(n), "{n}");
        }
        for n in ["orders", "testing", "contest", "latest", "payments.tmpl"] {
            assert!(!is_scratch_topic(n), "{n}");
        }
    }

    #[test]
    fn retention_units_resolve_ms_before_minutes_before_hours() {
        let mut b = BrokerConfigSnapshot {
            id: 1,
            configs: ConfigSet::default(),
            error: None,
        };
        put(
            &mut b.configs,
            "log.retention.hours",
            "168",
            ConfigSource::DefaultConfig,
        );
        put_null(&mut b.configs, "log.retention.minutes");
        put_null(&mut b.configs, "log.retention.ms");
        let v = broker_topic_default(&b, "retention.ms").unwrap();
        assert_eq!(
            (v.str(), v.ev.set_as.as_str()),
            ("604800000", "log.retention.hours")
        );
        put(
            &mut b.configs,
            "log.retention.minutes",
            "90",
            ConfigSource::StaticBrokerConfig,
        );
        let v = broker_topic_default(&b, "retention.ms").unwrap();
        assert_eq!(
            (v.str(), v.source()),
            ("5400000", ConfigSource::StaticBrokerConfig)
        );
        put(
            &mut b.configs,
            "log.retention.ms",
            "259200000",
            ConfigSource::DynamicDefaultBrokerConfig,
        );
        let v = broker_topic_default(&b, "retention.ms").unwrap();
        assert_eq!(v.str(), "259200000");
        assert_eq!(
            v.describe(),
            "retention.ms=259200000 [DYNAMIC_DEFAULT_BROKER_CONFIG via log.retention.ms: cluster-wide dynamic \
             broker default]"
        );
        put(
            &mut b.configs,
            "log.retention.ms",
            "-5",
            ConfigSource::DynamicDefaultBrokerConfig,
        );
        assert_eq!(
            broker_topic_default(&b, "retention.ms").unwrap().str(),
            "-1"
        );
        put(
            &mut b.configs,
            "log.roll.hours",
            "24",
            ConfigSource::StaticBrokerConfig,
        );
        assert_eq!(
            broker_topic_default(&b, "segment.ms").unwrap().str(),
            "86400000"
        );
    }

    #[test]
    fn topic_values_fall_back_to_the_broker_then_note() {
        let mut i = base();
        i.topics[0]
            .configs
            .entries
            .retain(|e| e.name != "retention.ms");
        let o = AuditOptions::default();
        let ctx = Ctx::new(&i, &o);
        let v = ctx.topic_val(&i.topics[0], "retention.ms").unwrap();
        assert!(v.inherited);
        assert_eq!(v.str(), "604800000");
        assert!(
            v.ev.origin.starts_with("inherited from broker 1: "),
            "{}",
            v.ev.origin
        );
        assert!(ctx.topic_val(&i.topics[0], "no.such.key").is_none());
        assert_eq!(
            ctx.into_notes(),
            ["no.such.key not returned for these topics nor by any broker: rules reading it skipped: orders"]
        );
    }

    #[test]
    fn sensitive_values_are_never_read() {
        let mut cs = ConfigSet::default();
        put(
            &mut cs,
            "ssl.key.password",
            "hunter2",
            ConfigSource::StaticBrokerConfig,
        );
        cs.entries[0].sensitive = true;
        assert!(entry_val(&cs.entries[0], "ssl.key.password", None, Some(1)).is_none());
    }

    #[test]
    fn commands_quote_lists() {
        let op = AlterOp {
            resource_type: AlterResourceType::Topic,
            resource_name: "t".into(),
            key: "cleanup.policy".into(),
            op: AlterOpKind::Set,
            value: Some("compact,delete".into()),
        };
        assert_eq!(
            kafka_configs_command("<bootstrap>", &op),
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name t \
             --add-config cleanup.policy=[compact,delete]"
        );
        let op = AlterOp {
            resource_type: AlterResourceType::BrokerDefault,
            resource_name: String::new(),
            key: "min.insync.replicas".into(),
            op: AlterOpKind::Delete,
            value: None,
        };
        assert_eq!(
            kafka_configs_command("b:9092", &op),
            "kafka-configs.sh --bootstrap-server b:9092 --alter --entity-type brokers --entity-default \
             --delete-config min.insync.replicas"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_ms(604_800_000), "604800000 ms (7d)");
        assert_eq!(fmt_ms(5_400_000), "5400000 ms (90min)");
        assert_eq!(fmt_ms(-1), "-1 (unlimited)");
        assert_eq!(fmt_bytes(1_048_576), "1048576 B (1 MiB)");
        assert_eq!(fmt_bytes(1_048_588), "1048588 B");
    }
}

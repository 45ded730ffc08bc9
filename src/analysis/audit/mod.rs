//! Config audit: Kafka best practices as a rule registry over broker, topic and client configs.
//! Pure: [`AuditInput`] (configs with their sources, topic layout, optional client properties) in,
//! [`AuditReport`] (findings with exact fixes, plus notes on what could not be audited) out; no
//! Kafka, clock, env or I/O. One `RULES` slice per family (`cluster`, `topic`, `client`);
//! [`explain`] returns a rule's doc, [`apply_alter`] models IncrementalAlterConfigs so a fix can be
//! previewed. Used by the config-audit tool.
//!
//! Values are read as Kafka reports them (effective value + `ConfigSource`). A topic key the broker
//! did not return is inherited from the broker-level synonym (`retention.ms` ← `log.retention.ms` /
//! `.minutes` / `.hours`, normalised to ms, `ms` first, as Kafka does); a key found nowhere is
//! never assumed to hold Kafka's default: the rules reading it are skipped and
//! [`AuditReport::notes`] says so. Unset client properties take the Java client defaults of Kafka
//! 4.0, or librdkafka 2.x defaults when `library: librdkafka`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::finding::{Evidence, Finding, Severity};
use crate::analysis::suggest::{Tie, Typo, Unit};
use crate::snapshot::ConfigSource;
pub use crate::snapshot::{BrokerConfigSnapshot, NullKeySample, TopicConfigSnapshot};
#[cfg(test)]
use crate::snapshot::{ConfigSet, TopicSnapshot};

mod client;
mod cluster;
mod context;
mod simulate;
mod topic;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod testkit;

pub use context::{is_scratch_topic, SCRATCH_PREFIXES, SCRATCH_SUFFIXES};
pub use simulate::{apply_alter, apply_fix};

use context::{Ctx, Hit, Rule};

/// Default of [`AuditOptions::max_partitions_per_broker`]: Kafka's guidance for partition replicas
/// per broker.
pub const DEFAULT_MAX_PARTITIONS_PER_BROKER: u32 = 4000;

// ---------------------------------------------------------------------------------------------------------
// Input

/// Everything the audit reads: one read of a cluster's configs, optionally with one client's
/// properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditInput {
    /// Ids of the live brokers (Metadata). Empty when unknown: rules needing the broker count are
    /// skipped.
    pub live_broker_ids: Vec<i32>,
    /// Broker configs (DescribeConfigs BROKER), one per described broker; need not cover every live
    /// broker.
    pub brokers: Vec<BrokerConfigSnapshot>,
    /// Topics with their layout and configs (Metadata + DescribeConfigs TOPIC).
    pub topics: Vec<TopicConfigSnapshot>,
    /// A client's properties to audit, alone and against the topics it uses.
    pub client: Option<ClientConfig>,
}

/// A client's configuration, as the agent supplies it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClientConfig {
    /// `producer`, `consumer`, or `unknown` (inferred from the property names). Default `unknown`.
    #[serde(default)]
    pub kind: ClientKind,
    /// Whose defaults fill unset properties: `java` (Kafka 4.0 Java client, default) or
    /// `librdkafka` (2.x: confluent-kafka-python/go/dotnet, rdkafka). They differ, e.g. librdkafka
    /// `enable.idempotence=false`.
    #[serde(default)]
    pub library: ClientLibrary,
    /// The properties as written in the client's config, e.g. `{"acks": "1"}`. Secrets are never
    /// echoed.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// What the application needs, which decides some rules: `at_least_once`, `exactly_once`,
    /// `large_batches`, `static_membership`.
    #[serde(default)]
    pub intents: Vec<ClientIntent>,
    /// Topics it produces to or consumes from, for size cross-checks; empty = compare with the
    /// broker default.
    #[serde(default)]
    pub topics: Vec<String>,
}

/// Producer or consumer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// A producer.
    Producer,
    /// A consumer.
    Consumer,
    /// Not said: inferred from producer-only or consumer-only property names.
    #[default]
    Unknown,
}

/// The client library whose defaults apply to unset properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientLibrary {
    /// The Apache Kafka Java client, 4.0 defaults.
    #[default]
    Java,
    /// librdkafka 2.x and its wrappers; its alias names (`request.required.acks`, ...) are read
    /// too.
    Librdkafka,
}

/// A delivery or membership goal of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientIntent {
    /// No record may be lost; duplicates are tolerated.
    AtLeastOnce,
    /// Transactions: read-process-write with no loss and no duplicates.
    ExactlyOnce,
    /// Throughput first: large producer batches.
    LargeBatches,
    /// Static group membership (KIP-345): restarts must not trigger rebalances.
    StaticMembership,
}

/// Filters and knobs of one audit run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AuditOptions {
    /// Run only rules at least this severe: `info` (default, everything), `warn`, `error`,
    /// `critical`.
    pub min_severity: Severity,
    /// Rule ids to skip, e.g. `["partitions-not-multiple-of-brokers"]`. Unknown ids are reported in
    /// `notes`.
    pub disabled: Vec<String>,
    /// Partition replicas per broker above which `partitions-per-broker-high` fires. Default 4000.
    pub max_partitions_per_broker: u32,
    /// Bootstrap servers written into remediation commands. Default: the placeholder `<bootstrap>`.
    pub bootstrap: Option<String>,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            min_severity: Severity::Info,
            disabled: Vec::new(),
            max_partitions_per_broker: DEFAULT_MAX_PARTITIONS_PER_BROKER,
            bootstrap: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Output

/// The result of one audit: findings worst first, and what could not be audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditReport {
    /// Findings, worst first, then by rule id and first affected item.
    pub findings: Vec<AuditFinding>,
    /// What could not be audited and why (configs missing, no sources, unknown rule ids). A rule
    /// that found nothing where a note says it was skipped means "not checked", not "fine".
    pub notes: Vec<String>,
    /// How many rules ran after the `min_severity` and `disabled` filters.
    pub rules_run: usize,
}

/// One finding with its fix in machine-readable form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditFinding {
    /// Rule id, severity, one-line title, evidence (`detail`: the values with their SOURCE and
    /// where they were set; `items`: affected topics or brokers) and `remediation` (the same text
    /// as `fix.command`).
    pub finding: Finding,
    /// The fix: exact command plus the equivalent IncrementalAlterConfigs op or client property.
    pub fix: Remediation,
    /// The config values that triggered the rule, each with its source. Sensitive values never
    /// appear.
    pub values: Vec<ConfigEvidence>,
}

/// How to fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Remediation {
    /// Exact command or config change, runnable as written once `<bootstrap>` is filled in, e.g.
    /// `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name
    /// orders --add-config min.insync.replicas=2`. Manual steps when no command can do it
    /// (read-only broker config).
    pub command: String,
    /// The same change as one IncrementalAlterConfigs operation, when the fix is a dynamic config.
    pub incremental_alter: Option<AlterOp>,
    /// The client property to set, when the fix is in the client's config.
    pub client_property: Option<ClientProperty>,
}

/// One IncrementalAlterConfigs operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AlterOp {
    /// `topic`, `broker` (one broker), or `broker_default` (cluster-wide dynamic broker default).
    pub resource_type: AlterResourceType,
    /// Topic name or broker id; empty for `broker_default`.
    pub resource_name: String,
    /// Config key.
    pub key: String,
    /// `set` or `delete`.
    pub op: AlterOpKind,
    /// New value for `set`; absent for `delete`.
    pub value: Option<String>,
}

/// What an [`AlterOp`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlterResourceType {
    /// One topic (`DYNAMIC_TOPIC_CONFIG`).
    Topic,
    /// One broker (`DYNAMIC_BROKER_CONFIG`).
    Broker,
    /// Every broker (`DYNAMIC_DEFAULT_BROKER_CONFIG`).
    BrokerDefault,
}

/// The kind of an [`AlterOp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlterOpKind {
    /// Set the key to `value`.
    Set,
    /// Remove the override; the next synonym takes effect.
    Delete,
}

/// A client property to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClientProperty {
    /// Property name, e.g. `acks`.
    pub key: String,
    /// Value to set, e.g. `all`.
    pub value: String,
}

/// One config value behind a finding, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigEvidence {
    /// Key as the rule reads it (topic-level name for topic configs, e.g. `retention.ms`).
    pub key: String,
    /// Effective value, normalised where units differ (`log.retention.hours=168` → `604800000` ms).
    pub value: String,
    /// Kafka's source of the value; absent for client properties.
    pub source: Option<ConfigSource>,
    /// Name it was set under: `key` itself, or a synonym such as `log.retention.ms`.
    pub set_as: String,
    /// Where it was set, in words: `topic override on risky`, `server.properties of broker 1`,
    /// `Kafka default`, `client config`, `Java client default (Kafka 4.0)`.
    pub origin: String,
}

/// What a rule checks, for listings and [`explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleInfo {
    /// Stable kebab-case id; never reused.
    pub id: String,
    /// Severity of its findings.
    pub severity: Severity,
    /// What it looks at.
    pub scope: RuleScope,
    /// One line: what it finds.
    pub title: String,
    /// Why it matters and how to fix it.
    pub doc: String,
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleScope {
    /// The cluster as a whole (broker count, partition spread).
    Cluster,
    /// Broker configs.
    Broker,
    /// Topic configs and layout.
    Topic,
    /// Client properties, alone or against topic and broker limits.
    Client,
}

// ---------------------------------------------------------------------------------------------------------
// Engine

fn families() -> [&'static [Rule]; 3] {
    [cluster::RULES, topic::RULES, client::RULES]
}

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    families().into_iter().flatten()
}

fn info(r: &Rule) -> RuleInfo {
    RuleInfo {
        id: r.id.to_string(),
        severity: r.severity,
        scope: r.scope,
        title: r.title.to_string(),
        doc: r.doc.to_string(),
    }
}

/// Every rule, family by family (cluster and broker, topic, client).
pub fn rules() -> Vec<RuleInfo> {
    all_rules().map(info).collect()
}

/// The rule with this id, with its doc (rationale and fix), if there is one.
pub fn explain(id: &str) -> Option<RuleInfo> {
    all_rules().find(|r| r.id == id).map(info)
}

/// Runs every enabled rule at or above `options.min_severity` over `input`.
pub fn evaluate(input: &AuditInput, options: &AuditOptions) -> AuditReport {
    let ctx = Ctx::new(input, options);
    let mut findings = Vec::new();
    let mut rules_run = 0;
    for rule in all_rules() {
        if rule.severity < options.min_severity || options.disabled.iter().any(|d| d == rule.id) {
            continue;
        }
        rules_run += 1;
        for hit in (rule.check)(&ctx) {
            findings.push(to_finding(rule, hit));
        }
    }
    findings.sort_by(|a, b| {
        b.finding
            .severity
            .cmp(&a.finding.severity)
            .then_with(|| a.finding.id.cmp(&b.finding.id))
            .then_with(|| a.finding.evidence.items.cmp(&b.finding.evidence.items))
    });
    let mut notes = context::limitations(input);
    for d in &options.disabled {
        if explain(d).is_none() {
            notes.push(unknown_rule_note(d));
        }
    }
    notes.extend(ctx.into_notes());
    AuditReport {
        findings,
        notes,
        rules_run,
    }
}

fn to_finding(rule: &Rule, hit: Hit) -> AuditFinding {
    let title = if hit.title.is_empty() {
        rule.title.to_string()
    } else {
        hit.title
    };
    let evidence = Evidence::from_items(hit.items, hit.detail);
    // The title an agent reads first names what is affected (topics, brokers) when it does not yet.
    let names_none = !evidence.items.iter().any(|i| title.contains(i.as_str()));
    let title = if rule.scope != RuleScope::Client && names_none {
        crate::analysis::finding::titled(&title, &evidence)
    } else {
        title
    };
    AuditFinding {
        finding: Finding {
            id: rule.id.to_string(),
            severity: rule.severity,
            title,
            evidence,
            remediation: hit.fix.command.clone(),
        },
        fix: hit.fix,
        values: hit.values,
    }
}

fn unknown_rule_note(id: &str) -> String {
    match RULE_ID_TYPO.nearest(id, all_rules().map(|r| r.id)) {
        Some(n) => format!("disabled: unknown rule id `{id}` (did you mean `{n}`?)"),
        None => format!("disabled: unknown rule id `{id}`; `rules()` lists them"),
    }
}

/// A typo of a rule id: within `max(3, bytes / 3)` edits, counted in chars; ties go to the least
/// id.
const RULE_ID_TYPO: Typo = Typo {
    edits: Unit::Char,
    length: Unit::Byte,
    floor: 3,
    tie: Tie::Least,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for r in all_rules() {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
            assert!(
                r.doc.contains("Why:") && r.doc.contains("Fix:"),
                "{} doc lacks Why:/Fix:",
                r.id
            );
            assert!(!r.title.is_empty());
        }
        assert!(seen.len() >= 30, "{} rules", seen.len());
    }

    #[test]
    fn explain_returns_the_doc() {
        let r = explain("min-isr-equals-rf").unwrap();
        assert_eq!(r.severity, Severity::Warn);
        assert_eq!(r.scope, RuleScope::Topic);
        assert!(r.doc.contains("acks=all"));
        assert!(explain("no-such-rule").is_none());
        assert_eq!(rules().len(), all_rules().count());
    }

    #[test]
    fn clean_input_has_no_findings_and_no_notes() {
        let r = evaluate(&base(), &AuditOptions::default());
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert!(r.notes.is_empty(), "{:#?}", r.notes);
        assert_eq!(r.rules_run, all_rules().count());
    }

    #[test]
    fn severity_filter_and_disabled_ids() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "3",
            ConfigSource::DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "unclean.leader.election.enable",
            "true",
            ConfigSource::DynamicTopicConfig,
        );
        let all = evaluate(&i, &AuditOptions::default());
        assert_eq!(ids(&all), ["unclean-leader-election", "min-isr-equals-rf"]);
        let crit = AuditOptions {
            min_severity: Severity::Critical,
            ..AuditOptions::default()
        };
        assert_eq!(ids(&evaluate(&i, &crit)), ["unclean-leader-election"]);
        let off = AuditOptions {
            disabled: vec!["unclean-leader-election".into(), "min-isr-equal-rf".into()],
            ..AuditOptions::default()
        };
        let r = evaluate(&i, &off);
        assert_eq!(ids(&r), ["min-isr-equals-rf"]);
        assert_eq!(
            r.notes,
            ["disabled: unknown rule id `min-isr-equal-rf` (did you mean `min-isr-equals-rf`?)"]
        );
    }

    #[test]
    fn bootstrap_option_fills_commands() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "3",
            ConfigSource::DynamicTopicConfig,
        );
        let o = AuditOptions {
            bootstrap: Some("k1:9092".into()),
            ..AuditOptions::default()
        };
        let r = evaluate(&i, &o);
        assert_eq!(
            r.findings[0].finding.remediation,
            "kafka-configs.sh --bootstrap-server k1:9092 --alter --entity-type topics --entity-name orders \
             --add-config min.insync.replicas=2"
        );
    }

    #[test]
    fn topic_view_from_metadata_snapshot() {
        use crate::snapshot::PartitionSnapshot;
        let part = |id, replicas: Vec<i32>| PartitionSnapshot {
            id,
            leader: replicas[0],
            isr: replicas.clone(),
            replicas,
            error: None,
        };
        let t = TopicSnapshot {
            name: "orders".into(),
            internal: false,
            partitions: vec![part(1, vec![2, 3]), part(0, vec![1, 2])],
            error: None,
        };
        let v = TopicConfigSnapshot::from_snapshot(&t, ConfigSet::default());
        assert_eq!((v.partitions, v.replication_factor), (2, 2));
        assert_eq!(v.assignment, [vec![1, 2], vec![2, 3]]);
    }

    #[test]
    fn output_types_have_schemas() {
        let s = serde_json::to_string(&schemars::schema_for!(AuditReport)).unwrap();
        assert!(s.contains("incremental_alter") && s.contains("broker_default"));
        let s = serde_json::to_string(&schemars::schema_for!(ClientConfig)).unwrap();
        assert!(s.contains("exactly_once") && s.contains("librdkafka"));
        let o: AuditOptions = serde_json::from_str(r#"{"min_severity":"warn"}"#).unwrap();
        assert_eq!(o.max_partitions_per_broker, 4000);
    }
}

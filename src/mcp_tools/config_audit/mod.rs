//! `config_audit`: Kafka best practices over broker, topic and client configs. One read of the
//! cluster (Metadata, DescribeConfigs of brokers and topics, null-key samples of compacted
//! topics; `kafka::audit_snapshot`) or an inline client config → the audit rule registry
//! (`analysis::audit`) → counts by severity, the top findings with their exact fix, paged details.

use std::collections::{BTreeMap, BTreeSet};

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::audit::{
    self, AlterOp, AuditFinding, AuditInput, AuditOptions, ClientConfig, ClientIntent, ClientKind,
    ClientLibrary, RuleInfo, RuleScope,
};
use crate::analysis::finding::Severity;
use crate::analysis::glob::glob_match;
use crate::analysis::suggest::{Tie, Typo, Unit};
use crate::app::KafkaMcp;

mod read;
mod summary;
use crate::error::ToolError;
use crate::kafka::audit_snapshot::{self, SampleLimits};
use crate::kafka::{admin, Cluster};
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::snapshot::TopicSnapshot;

/// Findings listed in `top`.
pub const TOP_N: usize = 5;
/// Findings per page when a call gives no `limit` (a finding with evidence is ~1 KiB).
pub const DEFAULT_LIMIT: usize = 20;
/// The one cluster-scope rule that is about topics, so it also runs with scope=topic.
const TOPIC_LAYOUT_RULE: &str = "partitions-not-multiple-of-brokers";

/// What to audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditScope {
    /// Broker configs (every live broker, or `broker`) and every topic (or those matching `topics`).
    Cluster,
    /// The topics in `topics` (names or globs); each must exist.
    Topic,
    /// The properties in `client`; no cluster needed unless `cluster`/`topics` are given for size checks.
    Client,
}

impl AuditScope {
    fn as_str(self) -> &'static str {
        match self {
            AuditScope::Cluster => "cluster",
            AuditScope::Topic => "topic",
            AuditScope::Client => "client",
        }
    }
}

/// A producer or consumer config to audit (scope=client).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    /// `producer` or `consumer`; omitted: inferred from the property names.
    #[serde(default)]
    pub kind: ClientKind,
    /// Properties as written in the client config, e.g. `{"acks": "1", "linger.ms": 0}` (strings,
    /// numbers or booleans). Unset ones take the library's defaults.
    #[serde(default)]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// `java` (default, Kafka 4.0 defaults) or `librdkafka` (confluent-kafka-python/go/dotnet, rdkafka).
    #[serde(default)]
    pub library: ClientLibrary,
    /// What the application needs: `at_least_once`, `exactly_once`, `large_batches`, `static_membership`.
    #[serde(default)]
    pub intents: Vec<ClientIntent>,
}

/// Input of `config_audit`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigAuditInput {
    /// `cluster`, `topic` or `client`. May be omitted when only `explain` is given.
    pub scope: Option<AuditScope>,
    /// Configured cluster name; omit for the default. scope=client reads a cluster only when this or
    /// `topics` is given.
    pub cluster: Option<String>,
    /// scope=cluster: audit only this broker's configs (node id); default every live broker.
    pub broker: Option<i32>,
    /// Topic names or globs (`*`, `?`). scope=topic: required. scope=cluster: filter (default all).
    /// scope=client: the topics the client uses, to compare sizes with their `max.message.bytes`.
    pub topics: Option<Vec<String>>,
    /// scope=client: the client config.
    pub client: Option<ClientInput>,
    /// Report only findings at least this severe: `info` (default), `warn`, `error`, `critical`.
    pub min_severity: Option<Severity>,
    /// Rule ids to skip for this call, on top of the server's `disabled_rules`.
    #[serde(default)]
    pub disable: Vec<String>,
    /// A rule id: also return its rationale and fix. A glob (`producer-*`, `*`) lists matching rules.
    pub explain: Option<String>,
    /// Sample the newest records (50 per partition, at most 10 topics) of compacted topics for null
    /// keys. Default true; read-only, joins no group.
    pub sample_null_keys: Option<bool>,
    /// Findings per page (default 20, max 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page (same arguments otherwise).
    pub cursor: Option<String>,
}

/// Findings per severity, over all pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SeverityCounts {
    /// Data loss or unavailability now (or on the next failure).
    pub critical: usize,
    /// Broken for some clients, or data at risk.
    pub error: usize,
    /// Risky; act soon.
    pub warn: usize,
    /// Worth knowing.
    pub info: usize,
}

impl SeverityCounts {
    fn of(findings: &[AuditFinding]) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.finding.severity {
                Severity::Critical => c.critical += 1,
                Severity::Error => c.error += 1,
                Severity::Warn => c.warn += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }

    fn total(&self) -> usize {
        self.critical + self.error + self.warn + self.info
    }
}

/// What the audit could read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Coverage {
    /// Live brokers (Metadata).
    pub live_brokers: usize,
    /// Brokers whose configs were returned (0 when the broker exposes none).
    pub brokers_with_configs: usize,
    /// Topics audited.
    pub topics: usize,
    /// Of those, topics whose configs carry sources (DEFAULT_CONFIG, DYNAMIC_TOPIC_CONFIG, ...).
    pub topics_with_sources: usize,
    /// Compacted topics whose recent records were sampled for null keys.
    pub null_key_samples: usize,
}

/// One of the worst findings, with its fix.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TopFinding {
    /// Rule id (pass to `explain` for the rationale).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// What is wrong.
    pub title: String,
    /// Topics, brokers or clients affected.
    pub affected: usize,
    /// The fix, runnable as written: a `kafka-configs.sh` command, a client property, or manual steps.
    pub fix: String,
    /// The same fix as one IncrementalAlterConfigs operation, when it is a dynamic config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alter: Option<AlterOp>,
}

/// A rule, as `explain` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleOut {
    /// Stable id.
    pub id: String,
    /// Severity of its findings.
    pub severity: Severity,
    /// cluster, broker, topic or client.
    pub scope: RuleScope,
    /// What it finds.
    pub title: String,
    /// What it checks, why it matters (`Why:`) and the fix (`Fix:`); only when one rule matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// Output of `config_audit`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfigAuditOutput {
    /// `cluster`, `topic`, `client`, or `explain` (rule docs only).
    pub scope: String,
    /// Cluster read; absent when no cluster was needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Findings by severity, over all pages.
    pub counts: SeverityCounts,
    /// The worst findings (up to 5), with the fix.
    pub top: Vec<TopFinding>,
    /// One page of findings, worst first: rule, severity, title, evidence (values with their Kafka
    /// source and where they were set), fix (command + IncrementalAlterConfigs op or client property).
    pub findings: Vec<AuditFinding>,
    /// Paging of `findings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// What was read from the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Rules evaluated (after scope, `min_severity` and disabled ids).
    pub rules_run: usize,
    /// What could not be audited and why (no broker configs, no sources, partial failures, unknown
    /// rule ids). A rule skipped here means "not checked", not "fine".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The rule(s) named by `explain`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleOut>,
}

fn is_glob(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

/// A typo of `name`: within `max(2, chars / 3)` edits, counted in chars; ties go to the least name.
const NAME_TYPO: Typo = Typo {
    edits: Unit::Char,
    length: Unit::Char,
    floor: 2,
    tie: Tie::Least,
};

fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    NAME_TYPO
        .nearest(name, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// The rules `explain` names: one exact id (with its doc), or every id matching a glob.
pub fn explain_rules(pattern: &str) -> Result<Vec<RuleOut>, ToolError> {
    let all = audit::rules();
    let pick: Vec<&RuleInfo> = if is_glob(pattern) {
        all.iter().filter(|r| glob_match(pattern, &r.id)).collect()
    } else {
        all.iter().filter(|r| r.id == pattern).collect()
    };
    if pick.is_empty() {
        return Err(ToolError::not_found(format!(
            "no audit rule `{pattern}`{}. Pass a rule id, or a glob such as `producer-*`; `explain: \"*\"` lists every rule.",
            suggest(pattern, all.iter().map(|r| r.id.as_str()))
        )));
    }
    let with_doc = pick.len() == 1;
    Ok(pick
        .into_iter()
        .map(|r| RuleOut {
            id: r.id.clone(),
            severity: r.severity,
            scope: r.scope,
            title: r.title.clone(),
            doc: with_doc.then(|| r.doc.clone()),
        })
        .collect())
}

/// Ids of the rules a scope does not run.
fn out_of_scope(scope: AuditScope) -> Vec<String> {
    audit::rules()
        .into_iter()
        .filter(|r| match scope {
            AuditScope::Cluster => r.scope == RuleScope::Client,
            AuditScope::Topic => r.scope != RuleScope::Topic && r.id != TOPIC_LAYOUT_RULE,
            AuditScope::Client => r.scope != RuleScope::Client,
        })
        .map(|r| r.id)
        .collect()
}

/// The ids to disable: known ids from the server config (it also holds health rule ids), this
/// call's ids (unknown ones are reported in notes), and the rules outside the scope.
fn disabled_ids(
    scope: AuditScope,
    configured: &[String],
    call: &[String],
    notes: &mut Vec<String>,
) -> Vec<String> {
    let known: BTreeSet<String> = audit::rules().into_iter().map(|r| r.id).collect();
    let mut out: BTreeSet<String> = configured
        .iter()
        .filter(|id| known.contains(*id))
        .cloned()
        .collect();
    for id in call {
        if known.contains(id) {
            out.insert(id.clone());
        } else {
            notes.push(format!(
                "disable: unknown rule id `{id}`{}, ignored; `explain: \"*\"` lists the rule ids",
                suggest(id, known.iter().map(String::as_str))
            ));
        }
    }
    out.extend(out_of_scope(scope));
    out.into_iter().collect()
}

/// The topics `patterns` select from `all`. With `strict`, a name or glob matching nothing is a
/// not-found error; otherwise it becomes a note.
fn select_topics(
    all: Vec<TopicSnapshot>,
    patterns: Option<&[String]>,
    strict: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<TopicSnapshot>, ToolError> {
    let Some(patterns) = patterns else {
        return Ok(all);
    };
    let mut unmatched = Vec::new();
    for p in patterns {
        if !all.iter().any(|t| glob_match(p, &t.name)) {
            let hint = if is_glob(p) {
                String::new()
            } else {
                suggest(p, all.iter().map(|t| t.name.as_str()))
            };
            unmatched.push(format!("`{p}`{hint}"));
        }
    }
    if !unmatched.is_empty() {
        let what = format!("no topic matches {}", unmatched.join(", "));
        if strict {
            return Err(ToolError::not_found(format!(
                "{what}. Check the names (topic_manage action=list), or use a glob such as `orders.*`; nothing was audited."
            )));
        }
        notes.push(what);
    }
    Ok(all
        .into_iter()
        .filter(|t| patterns.iter().any(|p| glob_match(p, &t.name)))
        .collect())
}

/// The engine's view of an inline client config; non-scalar property values are refused.
fn client_config(c: &ClientInput, topics: Vec<String>) -> Result<ClientConfig, ToolError> {
    let mut properties = BTreeMap::new();
    for (k, v) in &c.properties {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                return Err(ToolError::invalid(format!(
                    "client.properties.{k} must be a string, number or boolean, as in a .properties file"
                )))
            }
        };
        properties.insert(k.clone(), s);
    }
    Ok(ClientConfig {
        kind: c.kind,
        library: c.library,
        properties,
        intents: c.intents.clone(),
        topics,
    })
}

fn top(findings: &[AuditFinding]) -> Vec<TopFinding> {
    findings
        .iter()
        .take(TOP_N)
        .map(|f| TopFinding {
            id: f.finding.id.clone(),
            severity: f.finding.severity,
            title: f.finding.title.clone(),
            affected: f.finding.evidence.count.max(1),
            fix: f.fix.command.clone(),
            alter: f.fix.incremental_alter.clone(),
        })
        .collect()
}

fn coverage(input: &AuditInput, sampled: usize) -> Coverage {
    Coverage {
        live_brokers: input.live_broker_ids.len(),
        brokers_with_configs: input
            .brokers
            .iter()
            .filter(|b| !b.configs.entries.is_empty())
            .count(),
        topics: input.topics.len(),
        topics_with_sources: input
            .topics
            .iter()
            .filter(|t| t.configs.has_sources())
            .count(),
        null_key_samples: sampled,
    }
}

/// Checks the arguments that do not depend on the cluster.
fn validate(input: &ConfigAuditInput) -> Result<Option<AuditScope>, ToolError> {
    let Some(scope) = input.scope else {
        if input.explain.is_some() {
            return Ok(None);
        }
        return Err(ToolError::invalid(
            "pass `scope`: cluster (brokers and all topics), topic (with `topics`) or client (with `client`); or `explain` with a rule id",
        ));
    };
    if input.broker.is_some() && scope != AuditScope::Cluster {
        return Err(ToolError::invalid(
            "`broker` applies to scope=cluster only: remove it, or use scope=cluster",
        ));
    }
    if input.client.is_some() && scope != AuditScope::Client {
        return Err(ToolError::invalid(
            "`client` applies to scope=client only; use scope=client",
        ));
    }
    match scope {
        AuditScope::Topic if input.topics.as_ref().is_none_or(|t| t.iter().all(|s| s.trim().is_empty())) => {
            Err(ToolError::invalid("scope=topic needs `topics`: names or globs, e.g. [\"orders\", \"payments.*\"]"))
        }
        AuditScope::Client if input.client.is_none() => Err(ToolError::invalid(
            "scope=client needs `client`: {\"kind\": \"producer\", \"properties\": {\"acks\": \"1\"}}",
        )),
        _ => Ok(Some(scope)),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tool

#[tool_router(router = config_audit_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Audit configs against Kafka best practices: scope=cluster (brokers + topics), topic, or client
    /// (inline producer/consumer properties). Findings: rule id, severity, effective value + source,
    /// and a fix runnable as written. `explain` gives a rule's rationale. Read-only.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<ConfigAuditOutput>()
    )]
    pub async fn config_audit(
        &self,
        Parameters(input): Parameters<ConfigAuditInput>,
    ) -> Result<Answer<ConfigAuditOutput>, ToolError> {
        let out = self.config_audit_output(&input).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The config_audit answer.
    pub async fn config_audit_output(
        &self,
        input: &ConfigAuditInput,
    ) -> Result<ConfigAuditOutput, ToolError> {
        let scope = validate(input)?;
        let rules = match &input.explain {
            Some(p) => explain_rules(p.trim())?,
            None => Vec::new(),
        };
        let Some(scope) = scope else {
            return Ok(ConfigAuditOutput {
                scope: "explain".into(),
                cluster: None,
                counts: SeverityCounts::default(),
                top: vec![],
                findings: vec![],
                page: None,
                coverage: None,
                rules_run: 0,
                notes: vec![],
                rules,
            });
        };
        let mut notes = Vec::new();
        let disabled = disabled_ids(
            scope,
            &self.config().disabled_rules,
            &input.disable,
            &mut notes,
        );
        let needs_cluster =
            scope != AuditScope::Client || input.cluster.is_some() || input.topics.is_some();
        let (mut audit_input, cluster, cov) = if needs_cluster {
            let cluster = self.cluster(input.cluster.as_deref())?;
            let (read, sampled) = self
                .read_for_audit(&cluster, scope, input, &mut notes)
                .await?;
            let cov = coverage(&read, sampled);
            (read, Some(cluster), Some(cov))
        } else {
            (AuditInput::default(), None, None)
        };
        if let Some(c) = &input.client {
            let topics = match &input.topics {
                Some(_) => audit_input.topics.iter().map(|t| t.name.clone()).collect(),
                None => Vec::new(),
            };
            audit_input.client = Some(client_config(c, topics)?);
        }
        let options = AuditOptions {
            min_severity: input.min_severity.unwrap_or(Severity::Info),
            disabled,
            max_partitions_per_broker: u32::try_from(self.config().max_partitions_per_broker)
                .unwrap_or(u32::MAX),
            bootstrap: cluster
                .as_ref()
                .map(|c| c.bootstrap().to_string())
                .filter(|b| !b.is_empty()),
        };
        let report = audit::evaluate(&audit_input, &options);
        notes.extend(report.notes);
        let counts = SeverityCounts::of(&report.findings);
        let top = top(&report.findings);
        let query = serde_json::json!([
            scope.as_str(),
            input.cluster,
            input.broker,
            input.topics,
            input.client.as_ref().map(|c| format!("{c:?}")),
            input.min_severity,
            input.disable,
        ])
        .to_string();
        let (findings, page) = paginate(
            report.findings,
            Some(input.limit.unwrap_or(DEFAULT_LIMIT)),
            input.cursor.as_deref(),
            &query,
        )
        .map_err(ToolError::invalid)?;
        Ok(ConfigAuditOutput {
            scope: scope.as_str().into(),
            cluster: cluster.map(|c| c.config.name.clone()),
            counts,
            top,
            findings,
            page: Some(page),
            coverage: cov,
            rules_run: report.rules_run,
            notes,
            rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_exact_glob_and_unknown() {
        let r = explain_rules("min-isr-equals-rf").unwrap();
        assert_eq!(r.len(), 1);
        assert!(r[0].doc.as_deref().unwrap().contains("Why:"));
        let r = explain_rules("producer-*").unwrap();
        assert!(
            r.len() > 3
                && r.iter()
                    .all(|x| x.id.starts_with("producer-") && x.doc.is_none())
        );
        let e = explain_rules("min-isr-equal-rf").unwrap_err();
        assert!(
            e.message.contains("did you mean `min-isr-equals-rf`"),
            "{}",
            e.message
        );
        assert!(explain_rules("zzz-*").is_err());
    }

    #[test]
    fn scopes_run_their_own_rules() {
        let all = audit::rules().len();
        let topic_off = out_of_scope(AuditScope::Topic);
        assert!(!topic_off.contains(&"unclean-leader-election".to_string()));
        assert!(!topic_off.contains(&TOPIC_LAYOUT_RULE.to_string()));
        assert!(topic_off.contains(&"broker-unclean-leader-election".to_string()));
        assert!(topic_off.contains(&"producer-acks-not-all".to_string()));
        let client_off = out_of_scope(AuditScope::Client);
        assert!(!client_off.contains(&"producer-acks-not-all".to_string()));
        assert!(client_off.contains(&"rf-one".to_string()));
        assert!(out_of_scope(AuditScope::Cluster).len() < all);
        assert!(audit::explain(TOPIC_LAYOUT_RULE).is_some());
    }

    #[test]
    fn disabled_ids_keep_known_config_ids_and_note_unknown_call_ids() {
        let mut notes = Vec::new();
        let d = disabled_ids(
            AuditScope::Cluster,
            &["under-min-isr".into(), "rf-one".into()],
            &["rf-below-3".into(), "rf-bellow-3".into()],
            &mut notes,
        );
        assert!(d.contains(&"rf-one".to_string()) && d.contains(&"rf-below-3".to_string()));
        assert!(!d.contains(&"under-min-isr".to_string()));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("did you mean `rf-below-3`"), "{notes:?}");
    }

    #[test]
    fn topic_selection() {
        let t = |n: &str| TopicSnapshot {
            name: n.into(),
            internal: false,
            partitions: vec![],
            error: None,
        };
        let all = vec![t("orders"), t("orders.dlq"), t("payments")];
        let mut notes = Vec::new();
        let s = select_topics(all.clone(), Some(&["orders*".into()]), true, &mut notes).unwrap();
        assert_eq!(s.len(), 2);
        let e = select_topics(all.clone(), Some(&["order".into()]), true, &mut notes).unwrap_err();
        assert!(e.message.contains("did you mean `orders`"), "{}", e.message);
        let s = select_topics(
            all,
            Some(&["nope.*".into(), "payments".into()]),
            false,
            &mut notes,
        )
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(notes, ["no topic matches `nope.*`"]);
    }

    #[test]
    fn client_properties_accept_scalars_only() {
        let c: ClientInput =
            serde_json::from_value(serde_json::json!({"kind": "producer", "properties": {"acks": 1, "enable.idempotence": false, "linger.ms": "5"}}))
                .unwrap();
        let cfg = client_config(&c, vec![]).unwrap();
        assert_eq!(cfg.properties["acks"], "1");
        assert_eq!(cfg.properties["enable.idempotence"], "false");
        let c: ClientInput =
            serde_json::from_value(serde_json::json!({"properties": {"acks": ["all"]}})).unwrap();
        assert!(client_config(&c, vec![]).is_err());
    }

    #[test]
    fn validation() {
        assert!(validate(&ConfigAuditInput::default()).is_err());
        let i = ConfigAuditInput {
            explain: Some("rf-one".into()),
            ..Default::default()
        };
        assert_eq!(validate(&i).unwrap(), None);
        let i = ConfigAuditInput {
            scope: Some(AuditScope::Topic),
            ..Default::default()
        };
        assert!(validate(&i).unwrap_err().message.contains("topics"));
        let i = ConfigAuditInput {
            scope: Some(AuditScope::Client),
            ..Default::default()
        };
        assert!(validate(&i).unwrap_err().message.contains("client"));
        let i = ConfigAuditInput {
            scope: Some(AuditScope::Topic),
            broker: Some(1),
            topics: Some(vec!["x".into()]),
            ..Default::default()
        };
        assert!(validate(&i).is_err());
    }
}

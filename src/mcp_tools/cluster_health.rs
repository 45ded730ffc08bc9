//! `cluster_health`: one read of the cluster (Metadata, DescribeCluster, DescribeQuorum,
//! DescribeConfigs, DescribeLogDirs) → the health rules → a budgeted verdict with findings.

use std::collections::{BTreeMap, BTreeSet};

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::finding::Finding;
use crate::analysis::glob::glob_match;
use crate::analysis::health::{self, HealthCounts, HealthSettings, HealthStatus};
use crate::app::KafkaMcp;
use crate::error::ToolError;
use crate::kafka::admin;
use crate::output::{off, Answer, Summary};
use crate::snapshot::{ClusterSnapshot, QuorumView};

/// How much to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Status, counts, quorum and findings (each with up to 10 affected items).
    #[default]
    Summary,
    /// Also per-broker load and the problem partitions (up to 100).
    Full,
}

/// Input of `cluster_health`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterHealthInput {
    /// Configured cluster name; omit for the default cluster.
    pub cluster: Option<String>,
    /// `summary` (default) or `full`.
    #[serde(default)]
    pub detail: Detail,
    /// Only check topics matching this glob (`*`, `?`), e.g. `orders.*`. Brokers and quorum are
    /// always checked.
    pub topics: Option<String>,
}

/// A live broker.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BrokerOut {
    /// node.id.
    pub id: i32,
    /// Advertised `host:port`.
    pub endpoint: String,
    /// broker.rack, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
}

/// A broker Metadata lists that this call could not reach.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnreachableBrokerOut {
    /// node.id.
    pub id: i32,
    /// Advertised `host:port`.
    pub endpoint: String,
    /// How we know.
    pub reason: String,
}

/// One KRaft voter or observer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuorumMemberOut {
    /// Node id.
    pub id: i32,
    /// Metadata log end offset (string); "-1" when it has not fetched.
    pub log_end_offset: String,
    /// Records behind the leader (string).
    pub lag: String,
}

/// The KRaft metadata quorum (DescribeQuorum), or why it is unknown.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuorumOut {
    /// True when DescribeQuorum answered.
    pub known: bool,
    /// The active controller (quorum leader). Never guessed: absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_id: Option<i32>,
    /// Leader epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_epoch: Option<i32>,
    /// Metadata log high watermark (string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_watermark: Option<String>,
    /// Voters (controllers).
    pub voters: Vec<QuorumMemberOut>,
    /// Observers (brokers that are not voters).
    pub observers: Vec<QuorumMemberOut>,
    /// Why the quorum is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Leaders and replicas hosted by one live broker (detail=full).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BrokerLoadOut {
    /// Broker id.
    pub id: i32,
    /// Partitions it leads.
    pub leaders: usize,
    /// Replicas it hosts.
    pub replicas: usize,
}

/// A broker's log dir (detail=full).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogDirOut {
    /// Broker id.
    pub broker: i32,
    /// Path.
    pub dir: String,
    /// Volume bytes (string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_bytes: Option<String>,
    /// Free bytes (string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usable_bytes: Option<String>,
    /// Percent used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_pct: Option<f64>,
    /// Error, e.g. KAFKA_STORAGE_ERROR (offline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A partition with a problem (detail=full).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProblemPartitionOut {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Leader id, -1 when none.
    pub leader: i32,
    /// Replica ids (first = preferred leader).
    pub replicas: Vec<i32>,
    /// In-sync replica ids.
    pub isr: Vec<i32>,
    /// What is wrong: offline, under-replicated, under-min-isr, at-min-isr.
    pub problems: Vec<String>,
}

/// Output of `cluster_health`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClusterHealthOutput {
    /// OK, WARN (warnings/errors) or CRIT (offline data or failing writes now).
    pub status: HealthStatus,
    /// Configured cluster name.
    pub cluster: String,
    /// Kafka cluster id (DescribeCluster); absent when it did not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Live brokers (Metadata's, less `unreachable_brokers`).
    pub brokers: Vec<BrokerOut>,
    /// Brokers Metadata lists that refused a connection: down, whatever Metadata says.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable_brokers: Vec<UnreachableBrokerOut>,
    /// No controller answered: brokers, leaders and ISRs may be stale.
    pub metadata_stale: bool,
    /// KRaft quorum.
    pub quorum: QuorumOut,
    /// Counts over the checked topics.
    pub counts: HealthCounts,
    /// Findings, worst first: `{id, severity, title, evidence, remediation}`.
    pub findings: Vec<Finding>,
    /// Partial answers and skipped checks (e.g. a call that timed out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Per-broker load (detail=full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_load: Option<Vec<BrokerLoadOut>>,
    /// Problem partitions, at most 100 (detail=full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem_partitions: Option<Vec<ProblemPartitionOut>>,
    /// Log dirs and disk use (detail=full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_dirs: Option<Vec<LogDirOut>>,
}

impl Summary for ClusterHealthOutput {
    fn summary(&self) -> String {
        let c = &self.counts;
        let quorum = match (self.quorum.known, self.quorum.leader_id) {
            (true, Some(l)) => format!("quorum leader {l}"),
            _ => format!(
                "quorum unknown ({})",
                self.quorum.reason.as_deref().unwrap_or("no answer")
            ),
        };
        let under_min = match c.under_min_isr_partitions {
            Some(n) => n.to_string(),
            None => "unknown (min.insync.replicas not read)".to_string(),
        };
        let mut brokers = format!("{} broker(s)", c.brokers);
        if !self.unreachable_brokers.is_empty() {
            let ids: Vec<String> = self
                .unreachable_brokers
                .iter()
                .map(|b| b.id.to_string())
                .collect();
            brokers.push_str(&format!(
                " live, {} listed but unreachable ({})",
                ids.len(),
                ids.join(", ")
            ));
        }
        if self.metadata_stale {
            brokers.push_str(" (metadata may be stale: no controller answered)");
        }
        let mut s = format!(
            "{} cluster {}: {brokers}, {} topic(s), {} partition(s); {quorum}; offline {}, under-replicated {}, under-min-ISR {under_min}",
            self.status.as_str(),
            self.cluster,
            c.topics,
            c.partitions,
            c.offline_partitions,
            c.under_replicated_partitions,
        );
        for f in self.findings.iter().take(8) {
            s.push_str(&format!("\n- [{:?}] {}: {}", f.severity, f.id, f.title));
        }
        if self.findings.len() > 8 {
            s.push_str(&format!(
                "\n- … {} more finding(s)",
                self.findings.len() - 8
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}

/// Builds the output from a snapshot (pure; used by the tool and by resources).
pub fn evaluate(
    cluster: &str,
    snap: &ClusterSnapshot,
    notes: Vec<String>,
    settings: &HealthSettings,
    disabled: &[String],
    detail: Detail,
) -> ClusterHealthOutput {
    let mut report = health::evaluate(snap, settings);
    if !disabled.is_empty() {
        report.findings.retain(|f| !disabled.contains(&f.id));
        report.status = health::status_of(&report.findings);
    }
    let quorum = quorum_out(&snap.quorum);
    let unreachable = health::unreachable_brokers(snap);
    let (broker_load, problem_partitions, log_dirs) = match detail {
        Detail::Summary => (None, None, None),
        Detail::Full => (
            Some(broker_load(snap, &unreachable)),
            Some(problem_partitions(snap, &unreachable)),
            Some(
                snap.log_dirs
                    .iter()
                    .map(|d| LogDirOut {
                        broker: d.broker,
                        dir: d.dir.clone(),
                        total_bytes: d.total_bytes.map(|b| b.to_string()),
                        usable_bytes: d.usable_bytes.map(|b| b.to_string()),
                        used_pct: d.used_pct().map(|p| (p * 10.0).round() / 10.0),
                        error: d.error.clone(),
                    })
                    .collect(),
            ),
        ),
    };
    ClusterHealthOutput {
        status: report.status,
        cluster: cluster.to_string(),
        cluster_id: snap.cluster_id.clone(),
        brokers: snap
            .brokers
            .iter()
            .filter(|b| !unreachable.contains_key(&b.id))
            .map(|b| BrokerOut {
                id: b.id,
                endpoint: format!("{}:{}", b.host, b.port),
                rack: b.rack.clone(),
            })
            .collect(),
        unreachable_brokers: snap
            .brokers
            .iter()
            .filter_map(|b| {
                unreachable.get(&b.id).map(|why| UnreachableBrokerOut {
                    id: b.id,
                    endpoint: format!("{}:{}", b.host, b.port),
                    reason: why.clone(),
                })
            })
            .collect(),
        metadata_stale: health::metadata_may_be_stale(snap),
        quorum,
        counts: report.counts,
        findings: report.findings,
        notes,
        broker_load,
        problem_partitions,
        log_dirs,
    }
}

fn quorum_out(q: &QuorumView) -> QuorumOut {
    match q {
        QuorumView::Known(q) => {
            let member = |r: &crate::snapshot::QuorumReplica| QuorumMemberOut {
                id: r.id,
                log_end_offset: off(r.log_end_offset),
                lag: off(q.lag_of(r).unwrap_or(0).max(0)),
            };
            QuorumOut {
                known: true,
                leader_id: Some(q.leader_id),
                leader_epoch: Some(q.leader_epoch),
                high_watermark: Some(off(q.high_watermark)),
                voters: q.voters.iter().map(member).collect(),
                observers: q.observers.iter().map(member).collect(),
                reason: None,
            }
        }
        QuorumView::Unknown { reason, .. } => QuorumOut {
            known: false,
            leader_id: None,
            leader_epoch: None,
            high_watermark: None,
            voters: vec![],
            observers: vec![],
            reason: Some(reason.clone()),
        },
    }
}

fn broker_load(snap: &ClusterSnapshot, unreachable: &BTreeMap<i32, String>) -> Vec<BrokerLoadOut> {
    snap.brokers
        .iter()
        .filter(|b| !unreachable.contains_key(&b.id))
        .map(|b| {
            let parts = snap.topics.iter().flat_map(|t| t.partitions.iter());
            let (mut leaders, mut replicas) = (0, 0);
            for p in parts {
                leaders += (p.leader == b.id) as usize;
                replicas += p.replicas.contains(&b.id) as usize;
            }
            BrokerLoadOut {
                id: b.id,
                leaders,
                replicas,
            }
        })
        .collect()
}

fn problem_partitions(
    snap: &ClusterSnapshot,
    unreachable: &BTreeMap<i32, String>,
) -> Vec<ProblemPartitionOut> {
    let down: BTreeSet<i32> = unreachable.keys().copied().collect();
    let mut out = Vec::new();
    for t in &snap.topics {
        let m = health::min_isr(snap, &t.name);
        for p in &t.partitions {
            let s = health::partition_state_seen(p, m, &down);
            let mut problems = Vec::new();
            for (flag, name) in [
                (s.offline, "offline"),
                (s.under_replicated, "under-replicated"),
                (s.under_min_isr, "under-min-isr"),
                (s.at_min_isr, "at-min-isr"),
            ] {
                if flag {
                    problems.push(name.to_string());
                }
            }
            if !problems.is_empty() && out.len() < 100 {
                out.push(ProblemPartitionOut {
                    topic: t.name.clone(),
                    partition: p.id,
                    leader: p.leader,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    problems,
                });
            }
        }
    }
    out
}

#[tool_router(router = cluster_health_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Is the cluster healthy? Status OK/WARN/CRIT, brokers, the real KRaft quorum leader (never a
    /// guessed controller), counts, and findings with evidence and an exact fix. Read-only.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<ClusterHealthOutput>()
    )]
    pub async fn cluster_health(
        &self,
        Parameters(input): Parameters<ClusterHealthInput>,
    ) -> Result<Answer<ClusterHealthOutput>, ToolError> {
        let out = self.cluster_health_output(&input).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The health answer (shared with the `kafka://{cluster}/health` resource).
    pub async fn cluster_health_output(
        &self,
        input: &ClusterHealthInput,
    ) -> Result<ClusterHealthOutput, ToolError> {
        let cluster = self.cluster(input.cluster.as_deref())?;
        let glob = input.topics.clone();
        let wanted: admin::TopicFilter =
            Box::new(move |name| glob.as_deref().is_none_or(|g| glob_match(g, name)));
        let (snap, notes) = admin::cluster_snapshot(&cluster, wanted).await?;
        let settings = HealthSettings {
            skew_tolerance: self.config().skew_tolerance,
            max_partitions_per_broker: self.config().max_partitions_per_broker,
            expected_brokers: cluster.config.expected_brokers.clone(),
            bootstrap: cluster.bootstrap().to_string(),
            ..HealthSettings::default()
        };
        Ok(evaluate(
            &cluster.config.name,
            &snap,
            notes,
            &settings,
            &self.config().disabled_rules,
            input.detail,
        ))
    }
}

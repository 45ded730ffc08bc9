//! Cluster health rules (offline, under-replicated, under/at-min-ISR, missing brokers, skew,
//! quorum) over one [`ClusterSnapshot`]. Pure: snapshot in, [`HealthReport`] out; no Kafka, clock
//! or I/O. Used by `tools::cluster_health` and by `topic_manage describe` for its health note.
//!
//! Rules live in one registry ([`RULES`]): a stable id, a severity, a title, the doc (why it
//! matters and what to do) and a check. Ids are kebab-case and never reused.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::finding::{sort_findings, titled, Evidence, Finding, Severity};
use crate::snapshot::{
    BrokerSnapshot, ClusterSnapshot, PartitionSnapshot, QuorumReplica, QuorumSnapshot,
    QuorumUnknownCause, QuorumView, TopicSnapshot,
};

/// Tunables of the health rules. Defaults match the documented server settings.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthSettings {
    /// Leader / replica skew tolerance: a broker more than this fraction above or below the
    /// mean is flagged (0.10 = 10 %).
    pub skew_tolerance: f64,
    /// Replicas hosted per broker above which the broker is flagged.
    pub max_partitions_per_broker: usize,
    /// Broker ids the operator says must be present (config `expected_brokers`).
    pub expected_brokers: Vec<i32>,
    /// Metadata-log records a quorum voter or observer may trail the leader before it is flagged.
    pub quorum_lag_records: i64,
    /// A quorum voter or observer whose last fetch from the leader is older than this (ms, by
    /// the leader's clock) is flagged as not fetching.
    pub quorum_fetch_stale_ms: i64,
    /// A log directory whose volume is more than this percentage used is a warning.
    pub disk_warn_pct: f64,
    /// A log directory whose volume is more than this percentage used is critical.
    pub disk_crit_pct: f64,
    /// Placeholder used in remediation commands for the bootstrap servers.
    pub bootstrap: String,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            skew_tolerance: 0.10,
            max_partitions_per_broker: 4000,
            expected_brokers: Vec::new(),
            quorum_lag_records: 1000,
            quorum_fetch_stale_ms: 10_000,
            disk_warn_pct: 80.0,
            disk_crit_pct: 90.0,
            bootstrap: "<bootstrap>".to_string(),
        }
    }
}

/// Overall verdict: CRIT when anything critical, WARN when any error or warning, else OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum HealthStatus {
    /// Nothing above `info`.
    #[serde(rename = "OK")]
    Ok,
    /// Degraded or at risk: some `warn` or `error` finding.
    #[serde(rename = "WARN")]
    Warn,
    /// Data unavailable or writes failing now: some `critical` finding.
    #[serde(rename = "CRIT")]
    Crit,
}

impl HealthStatus {
    /// `OK`, `WARN` or `CRIT`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Ok => "OK",
            HealthStatus::Warn => "WARN",
            HealthStatus::Crit => "CRIT",
        }
    }
}

/// Partition and topic counts of the evaluated snapshot. A count that could not be measured is
/// `null` (never 0) and `unmeasured` says why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct HealthCounts {
    /// Live brokers.
    pub brokers: usize,
    /// Topics evaluated (after the topic filter), internal included.
    pub topics: usize,
    /// Internal topics among them (`__consumer_offsets`, ...).
    pub internal_topics: usize,
    /// Partitions evaluated.
    pub partitions: usize,
    /// Partitions with no leader.
    pub offline_partitions: usize,
    /// Partitions whose ISR is smaller than their replica set.
    pub under_replicated_partitions: usize,
    /// Partitions whose ISR is below the topic's effective `min.insync.replicas`; null: unknown.
    pub under_min_isr_partitions: Option<usize>,
    /// Partitions whose ISR equals `min.insync.replicas`; null: unknown.
    pub at_min_isr_partitions: Option<usize>,
    /// Why each null count was not measured.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unmeasured: BTreeMap<String, String>,
}

/// The answer of the health rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    /// Overall verdict.
    pub status: HealthStatus,
    /// Counts over the evaluated snapshot.
    pub counts: HealthCounts,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
}

/// What a rule sees.
pub struct Ctx<'a> {
    /// The snapshot.
    pub snap: &'a ClusterSnapshot,
    /// The settings.
    pub settings: &'a HealthSettings,
    /// Live broker ids: Metadata's, less the unreachable ones.
    pub live: BTreeSet<i32>,
    /// Brokers Metadata lists that a probe could not reach, with how we know.
    pub unreachable: BTreeMap<i32, String>,
    /// Every partition with its state, computed once for all rules.
    pub states: Vec<(&'a TopicSnapshot, &'a PartitionSnapshot, PartitionState)>,
    /// Every broker id some partition names as a replica.
    pub replica_brokers: BTreeSet<i32>,
}

/// One health rule.
pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Why it matters and what to do (shown by `explain`).
    pub doc: &'static str,
    /// The check: zero or one finding (evidence lists the affected items).
    pub check: fn(&Ctx<'_>, &Rule) -> Option<Finding>,
}

impl Rule {
    /// A finding whose title names the first affected items (see [`titled`]).
    fn finding(&self, title: String, evidence: Evidence, remediation: String) -> Finding {
        Finding {
            id: self.id.to_string(),
            severity: self.severity,
            title: titled(&title, &evidence),
            evidence,
            remediation,
        }
    }
}

/// Every health rule, in evaluation order.
pub const RULES: &[Rule] = &[
    Rule {
        id: "offline-partitions",
        severity: Severity::Critical,
        doc: "Partitions with no leader: nothing can be read from or written to them. \
              Bring back the brokers holding their replicas; do not enable unclean leader \
              election unless losing the unreplicated data is acceptable.",
        check: offline_partitions,
    },
    Rule {
        id: "under-min-isr",
        severity: Severity::Critical,
        doc: "The ISR shrank below the topic's effective min.insync.replicas: producers with \
              acks=all get NOT_ENOUGH_REPLICAS. Bring the missing replicas' brokers back; do \
              not lower min.insync.replicas.",
        check: under_min_isr,
    },
    Rule {
        id: "min-isr-unknown",
        severity: Severity::Warn,
        doc: "min.insync.replicas could not be read (DescribeConfigs timed out or failed), so \
              partitions below or at min ISR were not counted: those counts are unknown, not 0. \
              Retry; if it persists, check the brokers and run kafka-topics.sh \
              --describe --under-min-isr-partitions.",
        check: min_isr_unknown,
    },
    Rule {
        id: "controller-unreachable",
        severity: Severity::Critical,
        doc: "No active KRaft controller answered: the metadata quorum has probably lost its \
              majority, so leadership cannot move and the metadata shown may be stale. \
              Restart the controllers that are down until a majority of voters is back.",
        check: controller_unreachable,
    },
    Rule {
        id: "log-dir-offline",
        severity: Severity::Critical,
        doc: "A broker reports a log directory offline (DescribeLogDirs KAFKA_STORAGE_ERROR): \
              the replicas in it are gone from that broker until it restarts with the disk \
              fixed; with one log dir the broker stops serving entirely. Check the disk and the \
              broker's log for the I/O error, replace or remount it, restart the broker.",
        check: log_dir_offline,
    },
    Rule {
        id: "disk-critical",
        severity: Severity::Critical,
        doc: "A log directory's volume is more than disk_crit_pct (90 %) used: when it fills, \
              the broker marks the dir offline and its replicas go with it. Free space now: \
              lower retention.ms / retention.bytes of the largest topics there, delete unused \
              topics, or move replicas to another dir or broker (kafka-reassign-partitions.sh).",
        check: disk_critical,
    },
    Rule {
        id: "internal-topic-unhealthy",
        severity: Severity::Critical,
        doc: "An internal topic (__consumer_offsets, __transaction_state) is offline or below \
              min.insync.replicas: consumer groups cannot commit or coordinate, transactions \
              stall. Restore its replicas' brokers first.",
        check: internal_topic_unhealthy,
    },
    Rule {
        id: "brokers-missing",
        severity: Severity::Error,
        doc: "Brokers that hold replicas (or are expected by config) are not live: their \
              partitions are under-replicated or offline. Check the broker process and its logs.",
        check: brokers_missing,
    },
    Rule {
        id: "min-isr-above-rf",
        severity: Severity::Error,
        doc: "min.insync.replicas is larger than the replication factor: acks=all producers \
              always fail, even with every broker up. With 3 or more brokers, raise the RF to 3 \
              and keep min.insync.replicas 2 (one change with low-replication-factor); \
              otherwise lower the topic's min.insync.replicas to at most RF - 1.",
        check: min_isr_above_rf,
    },
    Rule {
        id: "rf-above-live-brokers",
        severity: Severity::Error,
        doc: "Replication factor larger than the number of live brokers: the topic can never \
              be fully replicated. Bring brokers back or reassign with a lower RF.",
        check: rf_above_live_brokers,
    },
    Rule {
        id: "quorum-voter-down",
        severity: Severity::Error,
        doc: "A KRaft voter is not replicating the metadata log (log end offset -1, far \
              behind, or no fetch from the leader for quorum_fetch_stale_ms): the quorum \
              tolerates one fewer failure. Restart that controller.",
        check: quorum_voter_down,
    },
    Rule {
        id: "quorum-observer-lagging",
        severity: Severity::Warn,
        doc: "A broker (KRaft observer) is far behind the metadata log or has stopped fetching \
              it: it serves stale metadata (leaders, topics, ACLs, configs) to clients. Check the \
              broker process (a stopped or GC-bound JVM), its controller listener and its logs.",
        check: quorum_observer_lagging,
    },
    Rule {
        id: "disk-high",
        severity: Severity::Warn,
        doc: "A log directory's volume is more than disk_warn_pct (80 %) used. Plan space before \
              it reaches disk_crit_pct: lower retention of the largest topics there, add \
              volumes (log.dirs) or brokers and move replicas (kafka-reassign-partitions.sh).",
        check: disk_high,
    },
    Rule {
        id: "under-replicated",
        severity: Severity::Warn,
        doc: "Partitions with fewer in-sync replicas than replicas: one more failure may make \
              them unavailable or lose acknowledged data. Find the lagging broker (often one \
              broker for all of them) and fix it.",
        check: under_replicated,
    },
    Rule {
        id: "at-min-isr",
        severity: Severity::Warn,
        doc: "ISR exactly at min.insync.replicas: one more replica loss blocks acks=all writes.",
        check: at_min_isr,
    },
    Rule {
        id: "quorum-unknown",
        severity: Severity::Warn,
        doc: "The KRaft quorum could not be described, so the active controller is not \
              reported (Metadata's controller id is an arbitrary broker under KRaft).",
        check: quorum_unknown,
    },
    Rule {
        id: "low-replication-factor",
        severity: Severity::Warn,
        doc: "Topics with replication factor below 3 lose availability (RF 2) or data (RF 1) \
              when one broker fails. Reassign with RF 3 (kafka-reassign-partitions.sh).",
        check: low_replication_factor,
    },
    Rule {
        id: "preferred-leader-not-leading",
        severity: Severity::Warn,
        doc: "Partitions not led by their preferred (first) replica, typically after a broker \
              restart: load concentrates on fewer brokers. Run a preferred leader election.",
        check: preferred_leader_not_leading,
    },
    Rule {
        id: "leader-skew",
        severity: Severity::Warn,
        doc: "Partition leadership is unevenly spread over live brokers (beyond the tolerance): \
              the busiest broker serves most produce and fetch traffic. Run a preferred leader \
              election; if it persists, rebalance replica assignments.",
        check: leader_skew,
    },
    Rule {
        id: "replica-skew",
        severity: Severity::Warn,
        doc: "Replicas are unevenly spread over live brokers (beyond the tolerance): disk and \
              replication load concentrate. Reassign partitions to even them out.",
        check: replica_skew,
    },
    Rule {
        id: "partitions-per-broker",
        severity: Severity::Warn,
        doc: "A broker hosts more replicas than the configured threshold: recovery and \
              controller failover slow down. Add brokers or reduce partitions.",
        check: partitions_per_broker,
    },
];

/// The doc of a health rule, for `explain`.
pub fn explain(id: &str) -> Option<&'static str> {
    RULES.iter().find(|r| r.id == id).map(|r| r.doc)
}

/// Evaluates every rule over the snapshot.
pub fn evaluate(snap: &ClusterSnapshot, settings: &HealthSettings) -> HealthReport {
    let unreachable = unreachable_brokers(snap);
    let down: BTreeSet<i32> = unreachable.keys().copied().collect();
    let states: Vec<_> = snap
        .topics
        .iter()
        .flat_map(|t| {
            let m = min_isr(snap, &t.name);
            let down = &down;
            t.partitions
                .iter()
                .map(move |p| (t, p, partition_state_seen(p, m, down)))
        })
        .collect();
    let replica_brokers = states
        .iter()
        .flat_map(|(_, p, _)| p.replicas.iter().copied())
        .filter(|r| *r >= 0)
        .collect();
    let ctx = Ctx {
        snap,
        settings,
        live: snap
            .brokers
            .iter()
            .map(|b| b.id)
            .filter(|id| !unreachable.contains_key(id))
            .collect(),
        unreachable,
        states,
        replica_brokers,
    };
    let mut findings: Vec<Finding> = RULES.iter().filter_map(|r| (r.check)(&ctx, r)).collect();
    sort_findings(&mut findings);
    HealthReport {
        status: status_of(&findings),
        counts: counts(&ctx),
        findings,
    }
}

/// CRIT when any finding is critical, WARN when any is a warning or error, else OK.
pub fn status_of(findings: &[Finding]) -> HealthStatus {
    if findings.iter().any(|f| f.severity == Severity::Critical) {
        HealthStatus::Crit
    } else if findings.iter().any(|f| f.severity >= Severity::Warn) {
        HealthStatus::Warn
    } else {
        HealthStatus::Ok
    }
}

pub use crate::snapshot::is_internal;

/// The effective `min.insync.replicas` of a topic, if known.
pub fn min_isr(snap: &ClusterSnapshot, topic: &str) -> Option<i64> {
    if snap.min_isr_unread.contains(topic) {
        return None;
    }
    snap.min_isr.get(topic).copied().or(snap.default_min_isr)
}

/// Per-partition facts the rules share. Counts follow Kafka's own definitions (the
/// `kafka-topics.sh --under-min-isr-partitions` / `--at-min-isr-partitions` filters); findings
/// split them by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionState {
    /// No leader.
    pub offline: bool,
    /// ISR smaller than the replica set.
    pub under_replicated: bool,
    /// ISR below min.insync.replicas (Kafka's definition, whatever the cause).
    pub under_min_isr: bool,
    /// ISR equal to min.insync.replicas.
    pub at_min_isr: bool,
    /// RF below min.insync.replicas: acks=all can never succeed, even with every broker up.
    pub min_isr_above_rf: bool,
}

impl PartitionState {
    /// Below min ISR because replicas dropped out (not by configuration, not offline).
    pub fn lost_min_isr(&self) -> bool {
        self.under_min_isr && !self.min_isr_above_rf && !self.offline
    }
}

/// Classifies one partition given the topic's effective min ISR (if known).
pub fn partition_state(p: &PartitionSnapshot, min_isr: Option<i64>) -> PartitionState {
    partition_state_seen(p, min_isr, &BTreeSet::new())
}

/// Like [`partition_state`], with what this read saw of the brokers: a broker in `unreachable`
/// (Metadata lists it, but it refuses connections) counts neither as leader nor as in sync, since
/// Metadata served by a broker cut off from the quorum keeps naming dead brokers.
pub fn partition_state_seen(
    p: &PartitionSnapshot,
    min_isr: Option<i64>,
    unreachable: &BTreeSet<i32>,
) -> PartitionState {
    let isr = p.isr.iter().filter(|b| !unreachable.contains(b)).count() as i64;
    let rf = p.replicas.len() as i64;
    let (under_min, at_min, above_rf) = match min_isr {
        Some(m) => (isr < m, isr == m, rf < m),
        None => (false, false, false),
    };
    PartitionState {
        offline: p.leader < 0 || unreachable.contains(&p.leader),
        under_replicated: isr < rf,
        under_min_isr: under_min,
        at_min_isr: at_min,
        min_isr_above_rf: above_rf,
    }
}

/// The one-line health note of one topic (`topic_manage describe`): offline, under-replicated,
/// under or at min ISR partitions, named; `OK` when none. `min_isr` is the topic's effective
/// `min.insync.replicas`; `configs_answered` says whether its configs came back at all (an
/// unknown min ISR is explained differently when they did not).
pub fn topic_health_note(
    t: &TopicSnapshot,
    min_isr: Option<i64>,
    configs_answered: bool,
) -> String {
    let (mut urp, mut under, mut at, mut offline) = (vec![], vec![], vec![], vec![]);
    for p in &t.partitions {
        let st = partition_state(p, min_isr);
        for (hit, list) in [
            (st.under_replicated, &mut urp),
            (st.under_min_isr, &mut under),
            (st.at_min_isr, &mut at),
            (st.offline, &mut offline),
        ] {
            if hit {
                list.push(label(t, p));
            }
        }
    }
    let few = |names: &[String]| {
        Evidence::from_items(names.iter().cloned(), "")
            .names(super::finding::TITLE_ITEMS)
            .unwrap_or_default()
    };
    let mut health = Vec::new();
    if !offline.is_empty() {
        health.push(format!("{} offline: {}", offline.len(), few(&offline)));
    }
    if !urp.is_empty() {
        health.push(format!("{} under-replicated: {}", urp.len(), few(&urp)));
    }
    match min_isr {
        Some(m) if !under.is_empty() => health.push(format!(
            "{} under min ISR (min.insync.replicas={m}): {}; acks=all producers fail",
            under.len(),
            few(&under)
        )),
        Some(m) if !at.is_empty() => health.push(format!(
            "{} at min ISR (min.insync.replicas={m}): {}",
            at.len(),
            few(&at)
        )),
        None if !configs_answered => health.push(
            "min.insync.replicas unknown (its configs were not returned, see notes): ISR checks skipped"
                .into(),
        ),
        None => health.push("min.insync.replicas unknown: ISR checks skipped".into()),
        _ => {}
    }
    if health.is_empty() {
        "OK".into()
    } else {
        health.join("; ")
    }
}

fn label(t: &TopicSnapshot, p: &PartitionSnapshot) -> String {
    format!("{}-{}", t.name, p.id)
}

/// Brokers Metadata lists at an endpoint this read found unreachable, with the reason.
pub fn unreachable_brokers(snap: &ClusterSnapshot) -> BTreeMap<i32, String> {
    snap.brokers
        .iter()
        .filter_map(|b| {
            snap.unreachable
                .iter()
                .find(|u| endpoint_is(b, &u.endpoint))
                .map(|u| (b.id, format!("{} at {}", u.reason, u.endpoint)))
        })
        .collect()
}

/// True when `endpoint` (`host:port` as dialled) is this broker's advertised endpoint. Loopback
/// spellings (`localhost`, `127.0.0.1`, `::1`) are the same host.
pub fn endpoint_is(b: &BrokerSnapshot, endpoint: &str) -> bool {
    let Some((host, port)) = endpoint.rsplit_once(':') else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback =
        |h: &str| h.eq_ignore_ascii_case("localhost") || h == "::1" || h.starts_with("127.");
    port.parse::<u16>() == Ok(b.port)
        && (host.eq_ignore_ascii_case(&b.host) || (loopback(host) && loopback(&b.host)))
}

/// True when no controller answered DescribeQuorum: Metadata then comes from a broker cut off
/// from the quorum, so its broker list, leaders and ISRs may be stale.
pub fn metadata_may_be_stale(snap: &ClusterSnapshot) -> bool {
    matches!(
        snap.quorum,
        QuorumView::Unknown {
            cause: QuorumUnknownCause::NoController,
            ..
        }
    )
}

/// Every (topic, partition, state) of the snapshot.
fn states<'a>(
    ctx: &'a Ctx<'a>,
) -> impl Iterator<Item = (&'a TopicSnapshot, &'a PartitionSnapshot, PartitionState)> + 'a {
    ctx.states.iter().copied()
}

fn counts(ctx: &Ctx<'_>) -> HealthCounts {
    let mut c = HealthCounts {
        brokers: ctx.live.len(),
        topics: ctx.snap.topics.len(),
        internal_topics: ctx
            .snap
            .topics
            .iter()
            .filter(|t| t.internal || is_internal(&t.name))
            .count(),
        ..HealthCounts::default()
    };
    let (mut under_min, mut at_min) = (0, 0);
    for (_, _, s) in states(ctx) {
        c.partitions += 1;
        c.offline_partitions += s.offline as usize;
        c.under_replicated_partitions += s.under_replicated as usize;
        under_min += s.under_min_isr as usize;
        at_min += s.at_min_isr as usize;
    }
    match min_isr_unknown_topics(ctx) {
        unknown if unknown.is_empty() => {
            c.under_min_isr_partitions = Some(under_min);
            c.at_min_isr_partitions = Some(at_min);
        }
        unknown => {
            let why = min_isr_unknown_reason(ctx, &unknown);
            for name in ["under_min_isr_partitions", "at_min_isr_partitions"] {
                c.unmeasured.insert(name.to_string(), why.clone());
            }
        }
    }
    c
}

/// Checked topics (with partitions) whose effective `min.insync.replicas` is unknown.
fn min_isr_unknown_topics(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.snap
        .topics
        .iter()
        .filter(|t| !t.partitions.is_empty() && min_isr(ctx.snap, &t.name).is_none())
        .map(|t| t.name.clone())
        .collect()
}

fn min_isr_unknown_reason(ctx: &Ctx<'_>, unknown: &[String]) -> String {
    let why = ctx
        .snap
        .min_isr_error
        .as_deref()
        .unwrap_or("the broker returned no min.insync.replicas");
    format!(
        "min.insync.replicas unknown for {} of {} topic(s): {why}",
        unknown.len(),
        ctx.snap.topics.len()
    )
}

fn min_isr_unknown(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let unknown = min_isr_unknown_topics(ctx);
    if unknown.is_empty() {
        return None;
    }
    let detail = min_isr_unknown_reason(ctx, &unknown);
    Some(rule.finding(
        format!(
            "under/at-min-ISR not checked for {} topic(s) (min.insync.replicas unknown; counts are null, not 0)",
            unknown.len()
        ),
        Evidence::from_items(unknown, detail),
        format!(
            "Call cluster_health again; if DescribeConfigs keeps failing, bring back the brokers \
             named in brokers-missing and check directly: kafka-topics.sh --bootstrap-server {} \
             --describe --under-min-isr-partitions",
            ctx.settings.bootstrap
        ),
    ))
}

fn partitions_where(
    ctx: &Ctx<'_>,
    mut pred: impl FnMut(&TopicSnapshot, &PartitionSnapshot, &PartitionState) -> bool,
) -> Vec<String> {
    states(ctx)
        .filter(|(t, p, s)| pred(t, p, s))
        .map(|(t, p, _)| label(t, p))
        .collect()
}

fn offline_partitions(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let mut replicas_down = BTreeSet::new();
    let items = partitions_where(ctx, |_, p, s| {
        if s.offline {
            replicas_down.extend(p.replicas.iter().copied());
        }
        s.offline
    });
    if items.is_empty() {
        return None;
    }
    let n = items.len();
    let brokers = join_ids(&replicas_down);
    let unreachable_leaders = !ctx.unreachable.is_empty();
    Some(rule.finding(
        if unreachable_leaders {
            format!("{n} partition(s) offline (no leader, or led by an unreachable broker)")
        } else {
            format!("{n} partition(s) offline (no leader)")
        },
        Evidence::from_items(
            items,
            if unreachable_leaders {
                format!(
                    "leader=-1 or unreachable broker {}; their replicas live on broker(s) {brokers}",
                    join_ids(ctx.unreachable.keys())
                )
            } else {
                format!("leader=-1; their replicas live on broker(s) {brokers}")
            },
        ),
        format!(
            "Restart broker(s) {brokers} (the only replicas of these partitions). Last resort, \
             accepting data loss: kafka-leader-election.sh --bootstrap-server {} \
             --election-type unclean --topic <topic> --partition <p>",
            ctx.settings.bootstrap
        ),
    ))
}

fn under_min_isr(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let mut detail = Vec::new();
    let items = partitions_where(ctx, |t, p, s| {
        if s.lost_min_isr() && detail.len() < 3 {
            let seen = p
                .isr
                .iter()
                .filter(|b| !ctx.unreachable.contains_key(b))
                .count();
            let note = if seen < p.isr.len() {
                format!(
                    " (Metadata lists {}; the rest are unreachable)",
                    p.isr.len()
                )
            } else {
                String::new()
            };
            detail.push(format!(
                "{}-{}: isr={seen}{note} < min.insync.replicas={}",
                t.name,
                p.id,
                min_isr(ctx.snap, &t.name).unwrap_or_default()
            ));
        }
        s.lost_min_isr()
    });
    if items.is_empty() {
        return None;
    }
    Some(rule.finding(
        format!(
            "{} partition(s) below min.insync.replicas (acks=all producers fail with NOT_ENOUGH_REPLICAS)",
            items.len()
        ),
        Evidence::from_items(items, detail.join("; ")),
        "Bring the missing replicas' brokers back (see brokers-missing / under-replicated). \
         Do not lower min.insync.replicas to get writes through: it trades durability for availability."
            .to_string(),
    ))
}

fn min_isr_above_rf(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let mut topics: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    let items = partitions_where(ctx, |t, _, s| {
        if s.min_isr_above_rf {
            let m = min_isr(ctx.snap, &t.name).unwrap_or_default();
            topics.insert(t.name.clone(), (m, t.replication_factor()));
        }
        s.min_isr_above_rf
    });
    if items.is_empty() {
        return None;
    }
    let detail = topics
        .iter()
        .map(|(t, (m, rf))| format!("{t}: min.insync.replicas={m} > RF={rf}"))
        .collect::<Vec<_>>()
        .join("; ");
    let (first, (m, rf)) = topics.iter().next().map(|(t, v)| (t.clone(), *v))?;
    // One coherent change with low-replication-factor, which fires on the same topics when 3
    // brokers exist and says "raise RF to 3": then raise RF and keep a min ISR of 2 (lowering it
    // too would leave RF 3 with min ISR 1).
    let raise = known_brokers(ctx).len() >= 3 && rf < 3 && (2..3).contains(&m);
    let remediation = if raise {
        format!(
            "Raise the replication factor of {first} to 3 with kafka-reassign-partitions.sh (as \
             low-replication-factor says) and keep min.insync.replicas={m}; do not also lower it."
        )
    } else {
        let fix = (rf as i64 - 1).max(1);
        format!(
            "kafka-configs.sh --bootstrap-server {} --alter --entity-type topics --entity-name {first} \
             --add-config min.insync.replicas={fix}",
            ctx.settings.bootstrap
        )
    };
    Some(rule.finding(
        format!(
            "{} partition(s) can never satisfy min.insync.replicas (RF too small, acks=all producers always fail)",
            items.len()
        ),
        Evidence::from_items(items, detail),
        remediation,
    ))
}

fn under_replicated(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let mut missing: BTreeMap<i32, usize> = BTreeMap::new();
    let items = partitions_where(ctx, |_, p, s| {
        if s.under_replicated {
            for r in p.replicas.iter().filter(|r| !p.isr.contains(r)) {
                *missing.entry(*r).or_default() += 1;
            }
        }
        s.under_replicated
    });
    if items.is_empty() {
        return None;
    }
    let detail = missing
        .iter()
        .map(|(b, n)| format!("broker {b} out of ISR in {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(rule.finding(
        format!("{} partition(s) under-replicated", items.len()),
        Evidence::from_items(items, detail),
        "Check the broker(s) named in the evidence: process up, disk, network, replica fetcher \
         logs. The ISR refills on its own once they catch up."
            .to_string(),
    ))
}

fn at_min_isr(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let items = partitions_where(ctx, |_, _, s| s.at_min_isr);
    if items.is_empty() {
        return None;
    }
    Some(
        rule.finding(
            format!(
            "{} partition(s) at min.insync.replicas (one more replica loss blocks acks=all writes)",
            items.len()
        ),
            Evidence::from_items(items, "isr == min.insync.replicas"),
            "Restore under-replicated partitions first; for topics at min ISR by design \
         (min.insync.replicas = RF), set min.insync.replicas to RF - 1 so one broker can be lost."
                .to_string(),
        ),
    )
}

fn internal_topic_unhealthy(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let items = partitions_where(ctx, |t, _, s| {
        (t.internal || is_internal(&t.name)) && (s.offline || s.lost_min_isr())
    });
    if items.is_empty() {
        return None;
    }
    Some(rule.finding(
        format!(
            "{} partition(s) of internal topics offline or below min ISR (group commits and coordination affected)",
            items.len()
        ),
        Evidence::from_items(items, ""),
        "Restore the brokers holding these replicas first; consumer groups whose coordinator \
         partition is affected cannot commit offsets until then."
            .to_string(),
    ))
}

fn brokers_missing(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let mut expected: BTreeSet<i32> = ctx.settings.expected_brokers.iter().copied().collect();
    expected.extend(ctx.replica_brokers.iter().copied());
    if let QuorumView::Known(q) = &ctx.snap.quorum {
        expected.extend(q.observers.iter().map(|o| o.id));
    }
    expected.extend(ctx.unreachable.keys().copied());
    let missing: Vec<i32> = expected.difference(&ctx.live).copied().collect();
    if missing.is_empty() {
        return None;
    }
    let ids = join_ids(&missing);
    let mut hosting: BTreeMap<i32, usize> = BTreeMap::new();
    for t in &ctx.snap.topics {
        for p in &t.partitions {
            for r in p.replicas.iter().filter(|r| missing.contains(r)) {
                *hosting.entry(*r).or_default() += 1;
            }
        }
    }
    let detail = missing
        .iter()
        .map(|b| {
            let seen = match ctx.unreachable.get(b) {
                Some(why) => format!(" (Metadata still lists it, but {why})"),
                None => String::new(),
            };
            format!(
                "broker {b}: {} replica(s) assigned{seen}",
                hosting.get(b).unwrap_or(&0)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(rule.finding(
        format!("{} broker(s) missing", missing.len()),
        Evidence::from_items(missing.iter().map(|b| format!("broker {b}")), detail),
        format!("Start broker(s) {ids} and check their logs; their replicas rejoin the ISR once caught up."),
    ))
}

fn rf_above_live_brokers(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let live = ctx.live.len();
    if live == 0 {
        return None;
    }
    // Brokers that hold replicas but are down are reported by `brokers-missing`; this rule
    // is about topics the cluster could never hold, even with every known broker up.
    let known = known_brokers(ctx);
    let items: Vec<String> = ctx
        .snap
        .topics
        .iter()
        .filter(|t| t.replication_factor() > known.len())
        .map(|t| format!("{} (RF {})", t.name, t.replication_factor()))
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(
        rule.finding(
            format!(
                "{} topic(s) with replication factor above the {live} live broker(s)",
                items.len()
            ),
            Evidence::from_items(items, format!("live brokers: {live}")),
            "Add brokers, or recreate/reassign these topics with a replication factor the cluster \
         can hold (kafka-reassign-partitions.sh)."
                .to_string(),
        ),
    )
}

fn low_replication_factor(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let items: Vec<String> = ctx
        .snap
        .topics
        .iter()
        .filter(|t| !t.partitions.is_empty() && t.replication_factor() < 3)
        .map(|t| format!("{} (RF {})", t.name, t.replication_factor()))
        .collect();
    if items.is_empty() || known_brokers(ctx).len() < 3 {
        // A cluster with fewer than 3 brokers cannot do better; config_audit says so.
        return None;
    }
    Some(
        rule.finding(
            format!("{} topic(s) with replication factor below 3", items.len()),
            Evidence::from_items(items, ""),
            "Raise RF to 3 with kafka-reassign-partitions.sh (add replicas to each partition's \
         assignment); scratch topics may stay as they are."
                .to_string(),
        ),
    )
}

fn preferred_leader_not_leading(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let items = partitions_where(ctx, |_, p, s| {
        !s.offline
            && p.replicas.first().is_some_and(|pref| {
                *pref != p.leader && ctx.live.contains(pref) && p.isr.contains(pref)
            })
    });
    if items.is_empty() {
        return None;
    }
    Some(rule.finding(
        format!("{} partition(s) not led by their preferred replica", items.len()),
        Evidence::from_items(items, "preferred replica is live and in ISR"),
        format!(
            "kafka-leader-election.sh --bootstrap-server {} --election-type preferred --all-topic-partitions",
            ctx.settings.bootstrap
        ),
    ))
}

/// Per live broker counts, and the brokers outside `mean ± tolerance`.
fn skewed(counts: &BTreeMap<i32, usize>, tol: f64) -> Option<(f64, Vec<(i32, usize)>)> {
    if counts.len() < 2 {
        return None;
    }
    let total: usize = counts.values().sum();
    let mean = total as f64 / counts.len() as f64;
    if total == 0 {
        return None;
    }
    // Integer counts can't split evenly: allow one item of slack beyond the tolerance.
    let slack = (mean * tol).max(1.0);
    let off: Vec<(i32, usize)> = counts
        .iter()
        .filter(|(_, n)| (**n as f64 - mean).abs() > slack)
        .map(|(b, n)| (*b, *n))
        .collect();
    (!off.is_empty()).then_some((mean, off))
}

fn per_live_broker(
    ctx: &Ctx<'_>,
    f: impl Fn(&PartitionSnapshot) -> Vec<i32>,
) -> BTreeMap<i32, usize> {
    let mut m: BTreeMap<i32, usize> = ctx.live.iter().map(|b| (*b, 0)).collect();
    for t in &ctx.snap.topics {
        for p in &t.partitions {
            for b in f(p) {
                if let Some(n) = m.get_mut(&b) {
                    *n += 1;
                }
            }
        }
    }
    m
}

fn skew_finding(
    ctx: &Ctx<'_>,
    rule: &Rule,
    what: &str,
    counts: BTreeMap<i32, usize>,
    fix: String,
) -> Option<Finding> {
    let (mean, off) = skewed(&counts, ctx.settings.skew_tolerance)?;
    let all = counts
        .iter()
        .map(|(b, n)| format!("{b}:{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    Some(rule.finding(
        format!(
            "{what} skew: {} broker(s) more than {:.0} % from the mean of {mean:.1}",
            off.len(),
            ctx.settings.skew_tolerance * 100.0
        ),
        Evidence::from_items(
            off.iter().map(|(b, n)| format!("broker {b}: {n}")),
            format!("{what} per broker {all}"),
        ),
        fix,
    ))
}

fn leader_skew(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let counts = per_live_broker(ctx, |p| vec![p.leader]);
    skew_finding(
        ctx,
        rule,
        "leader",
        counts,
        format!(
            "kafka-leader-election.sh --bootstrap-server {} --election-type preferred --all-topic-partitions",
            ctx.settings.bootstrap
        ),
    )
}

fn replica_skew(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let counts = per_live_broker(ctx, |p| p.replicas.clone());
    skew_finding(
        ctx,
        rule,
        "replica",
        counts,
        "Generate a balanced plan with kafka-reassign-partitions.sh --generate for the heaviest \
         topics and apply it with --execute (throttled)."
            .to_string(),
    )
}

fn partitions_per_broker(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let max = ctx.settings.max_partitions_per_broker;
    let counts = per_live_broker(ctx, |p| p.replicas.clone());
    let over: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > max)
        .map(|(b, n)| format!("broker {b}: {n}"))
        .collect();
    if over.is_empty() {
        return None;
    }
    Some(rule.finding(
        format!(
            "{} broker(s) host more than {max} partition replicas",
            over.len()
        ),
        Evidence::from_items(over, format!("threshold {max}")),
        "Add brokers and reassign, or delete/merge unused topics.".to_string(),
    ))
}

fn quorum_unknown(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let QuorumView::Unknown { reason, cause } = &ctx.snap.quorum else {
        return None;
    };
    let b = &ctx.settings.bootstrap;
    let remediation = match cause {
        QuorumUnknownCause::Unsupported => format!(
            "This broker does not implement DescribeQuorum (KRaft, Kafka 3.3+), so the active \
             controller cannot be named; on KRaft run kafka-metadata-quorum.sh \
             --bootstrap-server {b} describe --status. Do not read Metadata's controller id as \
             the controller."
        ),
        QuorumUnknownCause::Denied => format!(
            "Grant DESCRIBE on CLUSTER to this principal (kafka-acls.sh --bootstrap-server {b} \
             --add --allow-principal User:<principal> --operation Describe --cluster), or fix \
             the SASL credentials the reason names."
        ),
        QuorumUnknownCause::NoController => "Check the controllers: kafka-metadata-quorum.sh \
             --bootstrap-controller <controllers> describe --status; restart the voters that are \
             down until a majority is back."
            .to_string(),
        QuorumUnknownCause::Unreachable => format!(
            "Check that the bootstrap brokers ({b}) are reachable from here with the configured \
             security.protocol, then retry; kafka-metadata-quorum.sh --bootstrap-server {b} \
             describe --status shows the quorum directly."
        ),
        QuorumUnknownCause::Other => format!(
            "Fix what the reason names, then retry; kafka-metadata-quorum.sh --bootstrap-server \
             {b} describe --status shows the quorum directly."
        ),
    };
    Some(rule.finding(
        "KRaft quorum unknown: the active controller is not reported".to_string(),
        Evidence::from_items(std::iter::empty(), reason.clone()),
        remediation,
    ))
}

/// Fires when a live broker took DescribeQuorum and no controller answered it (brokers forward
/// it to the active controller), or the quorum reports no leader; or, as before, when both
/// DescribeQuorum timed out and DescribeCluster failed waiting for a controller.
fn controller_unreachable(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let QuorumView::Unknown { reason, cause } = &ctx.snap.quorum else {
        return None;
    };
    let dc_err = ctx.snap.describe_cluster_error.as_deref();
    let lower = reason.to_ascii_lowercase();
    let timed_out = lower.contains("timed out") || lower.contains("did not answer");
    let corroborated = timed_out && dc_err.is_some();
    if *cause != QuorumUnknownCause::NoController && !corroborated {
        return None;
    }
    let mut detail = match dc_err {
        Some(dc) => format!("DescribeCluster: {dc}; DescribeQuorum: {reason}"),
        None => format!("DescribeQuorum: {reason}"),
    };
    let listed: Vec<i32> = ctx.snap.brokers.iter().map(|b| b.id).collect();
    detail.push_str(&format!(
        "; Metadata (possibly stale: no controller updates it) lists broker(s) {}",
        join_ids(&listed)
    ));
    if !ctx.unreachable.is_empty() {
        detail.push_str(&format!(
            ", of which {} refuse connections",
            join_ids(ctx.unreachable.keys())
        ));
    }
    Some(
        rule.finding(
            "No active controller answered: the KRaft quorum has likely lost its majority"
                .to_string(),
            Evidence::from_items(std::iter::empty(), detail),
            "Restart the controllers (voters) that are down until a majority is back; until then \
         leadership cannot move and broker metadata may be stale."
                .to_string(),
        ),
    )
}

/// The leader's clock now, as near as the snapshot tells: the leader reports its own last fetch
/// as its current time (skew-free against the other timestamps); else the reader's clock.
fn quorum_now(q: &QuorumSnapshot, taken_at_ms: Option<i64>) -> Option<i64> {
    q.voters
        .iter()
        .find(|v| v.id == q.leader_id)
        .map(|v| v.last_fetch_timestamp_ms)
        .filter(|t| *t > 0)
        .or(taken_at_ms)
}

/// Why one quorum replica (voter or observer) is flagged, if it is.
fn quorum_replica_problem(
    q: &QuorumSnapshot,
    r: &QuorumReplica,
    now: Option<i64>,
    settings: &HealthSettings,
) -> Option<String> {
    if r.log_end_offset < 0 {
        return Some("log end offset -1 (not fetching)".to_string());
    }
    let mut why = Vec::new();
    let lag = q.lag_of(r).unwrap_or(0);
    if lag > settings.quorum_lag_records {
        why.push(format!("{lag} records behind"));
    }
    if let Some(now) = now {
        let since = now - r.last_fetch_timestamp_ms;
        if r.last_fetch_timestamp_ms > 0 && since > settings.quorum_fetch_stale_ms {
            why.push(format!(
                "last fetch {:.1} s ago (threshold {:.1} s)",
                since as f64 / 1000.0,
                settings.quorum_fetch_stale_ms as f64 / 1000.0
            ));
        }
    }
    (!why.is_empty()).then(|| why.join(", "))
}

fn quorum_voter_down(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let QuorumView::Known(q) = &ctx.snap.quorum else {
        return None;
    };
    let now = quorum_now(q, ctx.snap.taken_at_ms);
    let mut details = Vec::new();
    let items: Vec<String> = q
        .voters
        .iter()
        .filter(|v| v.id != q.leader_id)
        .filter_map(|v| {
            let why = quorum_replica_problem(q, v, now, ctx.settings)?;
            details.push(format!("voter {}: {why}", v.id));
            Some(format!("voter {}", v.id))
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    let healthy = q.voters.len() - items.len();
    Some(rule.finding(
        format!(
            "{} of {} KRaft voter(s) not replicating: {healthy} of {} left, quorum needs {}",
            items.len(),
            q.voters.len(),
            q.voters.len(),
            q.voters.len() / 2 + 1
        ),
        Evidence::from_items(items, details.join("; ")),
        "Restart the controller(s) named in the evidence; check their controller listener and logs."
            .to_string(),
    ))
}

fn quorum_observer_lagging(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let QuorumView::Known(q) = &ctx.snap.quorum else {
        return None;
    };
    let now = quorum_now(q, ctx.snap.taken_at_ms);
    let mut details = Vec::new();
    let items: Vec<String> = q
        .observers
        .iter()
        .filter_map(|o| {
            let why = quorum_replica_problem(q, o, now, ctx.settings)?;
            details.push(format!("broker {}: {why}", o.id));
            Some(format!("broker {}", o.id))
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(rule.finding(
        format!(
            "{} broker(s) behind on or not fetching the KRaft metadata log",
            items.len()
        ),
        Evidence::from_items(items, details.join("; ")),
        format!(
            "Check the broker process (is it running, or stopped/GC-bound?) and its log; \
             kafka-metadata-quorum.sh --bootstrap-server {} describe --replication shows each \
             observer's lag and last fetch. Restart it if it does not catch up.",
            ctx.settings.bootstrap
        ),
    ))
}

/// Bytes for people: `1.5 GiB`.
fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Log dirs whose volume is used above `lo` and at most `hi` percent, as evidence.
fn disk_finding(ctx: &Ctx<'_>, rule: &Rule, lo: f64, hi: f64) -> Option<Finding> {
    let mut details = Vec::new();
    let items: Vec<String> = ctx
        .snap
        .log_dirs
        .iter()
        .filter(|d| d.error.is_none())
        .filter_map(|d| {
            let pct = d.used_pct().filter(|p| *p > lo && *p <= hi)?;
            let largest = if d.largest_topics.is_empty() {
                "no topic data there".to_string()
            } else {
                format!(
                    "largest topics there: {}",
                    d.largest_topics
                        .iter()
                        .map(|(t, b)| format!("{t} {}", human_bytes(*b)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            details.push(format!(
                "broker {} {}: {pct:.1} % used, {} free of {}; {largest}",
                d.broker,
                d.dir,
                human_bytes(d.usable_bytes.unwrap_or(0)),
                human_bytes(d.total_bytes.unwrap_or(0)),
            ));
            Some(format!("broker {} {} ({pct:.0} % used)", d.broker, d.dir))
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    let first_topic = ctx
        .snap
        .log_dirs
        .iter()
        .filter(|d| d.used_pct().is_some_and(|p| p > lo && p <= hi))
        .find_map(|d| d.largest_topics.first().map(|(t, _)| t.clone()))
        .unwrap_or_else(|| "<topic>".to_string());
    Some(rule.finding(
        format!("{} log dir(s) more than {lo:.0} % full", items.len()),
        Evidence::from_items(
            items,
            format!(
                "{} (topics ranked by size on that dir, a proxy for growth: one read cannot \
                 measure growth)",
                details.join("; ")
            ),
        ),
        format!(
            "Free space on the dir(s) named: shorten retention of the largest topics there, e.g. \
             kafka-configs.sh --bootstrap-server {} --alter --entity-type topics --entity-name \
             {first_topic} --add-config retention.ms=<shorter>; or add log dirs / brokers and \
             move replicas with kafka-reassign-partitions.sh.",
            ctx.settings.bootstrap
        ),
    ))
}

fn disk_critical(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    disk_finding(ctx, rule, ctx.settings.disk_crit_pct, f64::INFINITY)
}

fn disk_high(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    disk_finding(
        ctx,
        rule,
        ctx.settings.disk_warn_pct,
        ctx.settings.disk_crit_pct,
    )
}

fn log_dir_offline(ctx: &Ctx<'_>, rule: &Rule) -> Option<Finding> {
    let offline: Vec<_> = ctx
        .snap
        .log_dirs
        .iter()
        .filter(|d| d.error.is_some())
        .collect();
    if offline.is_empty() {
        return None;
    }
    let detail = offline
        .iter()
        .map(|d| {
            format!(
                "broker {} {}: {}",
                d.broker,
                d.dir,
                d.error.as_deref().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let brokers: BTreeSet<i32> = offline.iter().map(|d| d.broker).collect();
    Some(
        rule.finding(
            format!("{} log dir(s) offline", offline.len()),
            Evidence::from_items(
                offline
                    .iter()
                    .map(|d| format!("broker {} {}", d.broker, d.dir)),
                detail,
            ),
            format!(
            "On broker(s) {}: check the disk and the broker log for the I/O error, fix or replace \
             the volume, then restart the broker; its replicas there re-replicate from the \
             leaders. kafka-log-dirs.sh --bootstrap-server {} --describe shows each dir.",
            join_ids(&brokers),
            ctx.settings.bootstrap
        ),
        ),
    )
}

/// Live brokers plus every broker id that holds a replica (some may be down).
fn known_brokers(ctx: &Ctx<'_>) -> BTreeSet<i32> {
    ctx.live.union(&ctx.replica_brokers).copied().collect()
}

fn join_ids<'a>(ids: impl IntoIterator<Item = &'a i32>) -> String {
    ids.into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;

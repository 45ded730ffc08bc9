//! Consumer lag and Burrow-style lag verdicts (OK, WARN, STOP, STALL, REWIND) over a window of offset samples,
//! the per-cluster sample history that feeds them, offset-reset planning and consumer-group hints.
//! Pure: offsets and samples in, verdicts out; no Kafka, clock or I/O (time comes in as epoch ms).
//!
//! Offsets are `i64` here and strings on the wire ([`i64_string`]). A partition the group never committed
//! has `committed: None` and lag `None`, never lag 0; librdkafka's `-1001` (`OFFSET_INVALID`) becomes `None`
//! through [`offset_from_raw`], for committed offsets and for log offsets alike.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::finding::{Evidence, Finding, Severity};

#[cfg(test)]
#[path = "lag_tests.rs"]
mod tests;

/// Serde helpers that write 64-bit integers as JSON strings (`"1128"`), so no JSON reader rounds them.
/// Use with `#[serde(serialize_with = "…")]` plus `#[schemars(with = "String")]` (or `Option<String>`).
pub mod i64_string {
    use serde::Serializer;

    /// Writes an `i64` as a decimal string.
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Writes an `Option<i64>` as a decimal string, or `null`.
    pub fn serialize_option<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }
}

/// An offset as librdkafka reports it, with its sentinels (`-1001` OFFSET_INVALID, `-1`, ...) turned into `None`.
pub fn offset_from_raw(raw: i64) -> Option<i64> {
    (raw >= 0).then_some(raw)
}

// ---------------------------------------------------------------------------------------------------------
// 1. Lag per partition, topic and group from one snapshot
// ---------------------------------------------------------------------------------------------------------

/// What the shell read for one partition of one group: the input of [`partition_lag`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffsets {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The group's committed offset; `None` when the group never committed this partition.
    pub committed: Option<i64>,
    /// Log start (earliest) offset; `None` when unknown.
    pub log_start: Option<i64>,
    /// Log end (latest) offset; `None` when unknown, e.g. ListOffsets gave `-1001` because the leader is down.
    pub log_end: Option<i64>,
}

impl PartitionOffsets {
    /// This read as a history [`Sample`] taken at `ts_ms`; `None` when the log end is unknown
    /// (a sample without a log end would fake lag).
    pub fn sample(&self, ts_ms: i64) -> Option<Sample> {
        self.log_end.map(|log_end| Sample {
            ts_ms,
            committed: self.committed,
            log_end,
        })
    }
}

/// Whether the lag of a partition could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LagState {
    /// Committed offset and log end are both known; `lag_messages` is set.
    Known,
    /// The group never committed this partition: lag is unknown (not 0). Where the consumer starts is up to
    /// its `auto.offset.reset`.
    NoCommittedOffset,
    /// The log end offset is unknown (its leader did not answer): lag is unknown.
    LogEndUnknown,
}

/// Lag of one group on one partition.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartitionLag {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Whether the lag could be computed, and if not, why.
    pub state: LagState,
    /// The group's committed offset (next message it will read); `null` when it never committed.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub committed_offset: Option<i64>,
    /// Log start (earliest retained) offset; `null` when unknown.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub log_start_offset: Option<i64>,
    /// Log end (latest) offset; `null` when unknown.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub log_end_offset: Option<i64>,
    /// Messages behind the log end (`log_end_offset - committed_offset`, never negative); `null` when `state`
    /// is not `KNOWN`. A `null` lag is unknown, not 0.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub lag_messages: Option<i64>,
    /// Messages the group will never read because retention deleted them (`log_start_offset -
    /// committed_offset` when the commit is below the log start); `"0"` when none; `null` when unknown.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub messages_lost_to_retention: Option<i64>,
    /// Never committed: retained messages unread (log end - log start); else null.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub unread_messages: Option<i64>,
    /// Anything unusual about these offsets, in words (clamped lag, unknown ends, deleted messages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A partition named in a roll-up, with its lag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LagPartitionRef {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Its lag in messages (never committed: retained messages unread).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub lag_messages: i64,
    /// The group never committed it.
    pub never_committed: bool,
}

impl LagPartitionRef {
    /// `orders-3 (656)` or `inc-events-3 (519 unread, never committed)`.
    pub fn label(&self) -> String {
        if self.never_committed {
            format!(
                "{}-{} ({} unread, never committed)",
                self.topic, self.partition, self.lag_messages
            )
        } else {
            format!("{}-{} ({})", self.topic, self.partition, self.lag_messages)
        }
    }
}

/// Lag of one group on one topic: the sum and the worst partition.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TopicLag {
    /// Topic name.
    pub topic: String,
    /// Sum of the known partition lags, in messages. A lower bound when `total_lag_complete` is false.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub total_lag_messages: i64,
    /// True when every partition's lag is known; false when some have no commit or an unknown log end.
    pub total_lag_complete: bool,
    /// Partitions of this topic the group has offsets for or was asked about.
    pub partition_count: usize,
    /// Partitions the group never committed (lag unknown, not 0).
    pub partitions_without_commit: usize,
    /// Partitions whose log end offset is unknown (leader unreachable).
    pub partitions_log_end_unknown: usize,
    /// Unread messages on never-committed partitions (not in the total).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub unread_without_commit_messages: i64,
    /// The partition most behind (lag, or unread if never committed); null when none is known.
    pub worst_partition: Option<LagPartitionRef>,
}

/// Lag of one group: totals, per topic and per partition.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GroupLag {
    /// Group id.
    pub group: String,
    /// Sum of the known partition lags, in messages. A lower bound when `total_lag_complete` is false.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub total_lag_messages: i64,
    /// True when every partition's lag is known.
    pub total_lag_complete: bool,
    /// Number of partitions.
    pub partition_count: usize,
    /// Partitions the group never committed (lag unknown, not 0).
    pub partitions_without_commit: usize,
    /// Partitions whose log end offset is unknown (leader unreachable).
    pub partitions_log_end_unknown: usize,
    /// Sum of `messages_lost_to_retention` over the partitions: messages deleted before the group read them.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub messages_lost_to_retention: i64,
    /// Unread messages on never-committed partitions (not in the total).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub unread_without_commit_messages: i64,
    /// The partition most behind (lag, or unread if never committed); null when none is known.
    pub worst_partition: Option<LagPartitionRef>,
    /// Per topic, sorted by name.
    pub topics: Vec<TopicLag>,
    /// Per partition, sorted by topic then partition.
    pub partitions: Vec<PartitionLag>,
}

/// Lag of one partition: `log_end - committed`, clamped at 0, `None` unless both are known.
pub fn partition_lag(p: &PartitionOffsets) -> PartitionLag {
    let mut notes = Vec::new();
    let mut unread = None;
    let (state, lag) = match (p.committed, p.log_end) {
        (None, end) => {
            if end.is_none() {
                notes
                    .push("log end offset unknown as well (its leader did not answer)".to_string());
            }
            if let (Some(start), Some(end)) = (p.log_start, end) {
                let n = (end - start).max(0);
                unread = Some(n);
                if n > 0 {
                    notes.push(format!(
                        "{NEVER_COMMITTED_MEANING}; {n} retained message(s) unread"
                    ));
                }
            }
            (LagState::NoCommittedOffset, None)
        }
        (Some(_), None) => {
            notes.push(
                "log end offset unknown (its leader did not answer): lag not computed".to_string(),
            );
            (LagState::LogEndUnknown, None)
        }
        (Some(c), Some(e)) if c > e => {
            notes.push(format!(
                "committed offset {c} is past the log end {e} (topic recreated or truncated, or the two \
                 were read at different moments): lag shown as 0"
            ));
            (LagState::Known, Some(0))
        }
        (Some(c), Some(e)) => (LagState::Known, Some(e - c)),
    };
    let lost = match (p.committed, p.log_start) {
        (Some(c), Some(s)) if c < s => {
            notes.push(format!(
                "committed offset {c} is below the log start {s}: {} messages were deleted by retention \
                 before this group read them; on resume the consumer jumps as auto.offset.reset says",
                s - c
            ));
            Some(s - c)
        }
        (Some(_), Some(_)) => Some(0),
        _ => None,
    };
    PartitionLag {
        topic: p.topic.clone(),
        partition: p.partition,
        state,
        committed_offset: p.committed,
        log_start_offset: p.log_start,
        log_end_offset: p.log_end,
        lag_messages: lag,
        messages_lost_to_retention: lost,
        unread_messages: unread,
        notes,
    }
}

/// What a never-committed partition with retained messages likely means.
pub const NEVER_COMMITTED_MEANING: &str = "never committed: the group was never assigned or \
     subscribed to it, or it is a new partition whose retained messages a consumer with \
     auto.offset.reset=latest will skip";

/// Running roll-up over partition lags (shared by topic and group totals).
#[derive(Default)]
struct Rollup {
    total: i64,
    count: usize,
    no_commit: usize,
    end_unknown: usize,
    lost: i64,
    unread: i64,
    worst: Option<LagPartitionRef>,
}

impl Rollup {
    fn add(&mut self, p: &PartitionLag) {
        self.count += 1;
        match p.state {
            LagState::Known => {}
            LagState::NoCommittedOffset => self.no_commit += 1,
            LagState::LogEndUnknown => self.end_unknown += 1,
        }
        self.lost += p.messages_lost_to_retention.unwrap_or(0);
        if let Some(lag) = p.lag_messages {
            self.total = self.total.saturating_add(lag);
        }
        // A never-committed partition ranks by what it has not read, so 519 unread there outranks
        // a caught-up partition's lag 0.
        let behind = p
            .lag_messages
            .map(|l| (l, false))
            .or_else(|| p.unread_messages.filter(|u| *u > 0).map(|u| (u, true)));
        if let Some((n, never_committed)) = behind {
            self.unread = self
                .unread
                .saturating_add(if never_committed { n } else { 0 });
            if self.worst.as_ref().is_none_or(|w| n > w.lag_messages) {
                self.worst = Some(LagPartitionRef {
                    topic: p.topic.clone(),
                    partition: p.partition,
                    lag_messages: n,
                    never_committed,
                });
            }
        }
    }

    fn complete(&self) -> bool {
        self.no_commit == 0 && self.end_unknown == 0
    }
}

/// Never-committed partitions that hold unread messages, with their unread count, most first.
fn unread_without_commit(lag: &GroupLag) -> Vec<(&PartitionLag, i64)> {
    let mut rows: Vec<(&PartitionLag, i64)> = lag
        .partitions
        .iter()
        .filter_map(|p| p.unread_messages.filter(|u| *u > 0).map(|u| (p, u)))
        .collect();
    rows.sort_by_key(|(_, u)| std::cmp::Reverse(*u));
    rows
}

/// One line for an agent on the never-committed partitions that hold unread messages, most unread
/// first: `1 partition(s) never committed with unread messages: inc-events-3 (519) (never committed:
/// ...)`; `None` when there are none.
pub fn never_committed_summary(lag: &GroupLag) -> Option<String> {
    let rows = unread_without_commit(lag);
    if rows.is_empty() {
        return None;
    }
    let names: Vec<String> = rows
        .iter()
        .take(3)
        .map(|(p, u)| format!("{}-{} ({u})", p.topic, p.partition))
        .collect();
    let more = rows.len().saturating_sub(3);
    Some(format!(
        "{} partition(s) with unread messages and no commit: {}{} ({})",
        rows.len(),
        names.join(", "),
        if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        },
        never_committed_meaning(lag)
    ))
}

/// What never-committed partitions likely mean for this group: when it committed none at all,
/// its consumers do not commit; otherwise [`NEVER_COMMITTED_MEANING`].
fn never_committed_meaning(lag: &GroupLag) -> &'static str {
    if lag.partitions_without_commit == lag.partition_count {
        "the group has committed no partition at all: its consumers do not commit offsets \
         (enable.auto.commit=false and no commitSync), or it never ran"
    } else {
        NEVER_COMMITTED_MEANING
    }
}

/// Lag of one group over the partitions given (any order): per partition, per topic and in total.
pub fn group_lag(group: &str, offsets: &[PartitionOffsets]) -> GroupLag {
    let mut partitions: Vec<PartitionLag> = offsets.iter().map(partition_lag).collect();
    partitions.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    let mut all = Rollup::default();
    let mut per_topic: BTreeMap<&str, Rollup> = BTreeMap::new();
    for p in &partitions {
        all.add(p);
        per_topic.entry(p.topic.as_str()).or_default().add(p);
    }
    let topics = per_topic
        .into_iter()
        .map(|(topic, r)| TopicLag {
            topic: topic.to_string(),
            total_lag_messages: r.total,
            total_lag_complete: r.complete(),
            partition_count: r.count,
            partitions_without_commit: r.no_commit,
            partitions_log_end_unknown: r.end_unknown,
            unread_without_commit_messages: r.unread,
            worst_partition: r.worst,
        })
        .collect();
    GroupLag {
        group: group.to_string(),
        total_lag_messages: all.total,
        total_lag_complete: all.complete(),
        partition_count: all.count,
        partitions_without_commit: all.no_commit,
        partitions_log_end_unknown: all.end_unknown,
        messages_lost_to_retention: all.lost,
        unread_without_commit_messages: all.unread,
        worst_partition: all.worst,
        topics,
        partitions,
    }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Burrow evaluation over a window of samples
// ---------------------------------------------------------------------------------------------------------

/// One observation of a partition for a group: what OffsetFetch and ListOffsets(latest) said at `ts_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// When the offsets were read, epoch ms.
    pub ts_ms: i64,
    /// The group's committed offset; `None` when nothing was committed.
    pub committed: Option<i64>,
    /// Log end (latest) offset. Record no sample when it is unknown.
    pub log_end: i64,
}

impl Sample {
    /// Lag at this sample (`log_end - committed`, at least 0); `None` without a commit.
    pub fn lag(&self) -> Option<i64> {
        self.committed.map(|c| (self.log_end - c).max(0))
    }
}

/// Whether a live consumer owns the partition, as DescribeConsumerGroups says.
///
/// OffsetFetch carries no commit timestamp, so polled samples cannot tell Burrow's STALL (commits keep
/// arriving with the same offset) from STOP (commits stopped). An active owner is taken as the sign of a
/// live but stuck consumer (STALL); without one it is STOP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsumerPresence {
    /// A member of the group has this partition assigned.
    Active,
    /// No member has it: the group is empty, or the partition is assigned to nobody.
    Absent,
    /// Not known (describe failed or was not asked).
    #[default]
    Unknown,
}

/// The samples of one partition to evaluate: the input of [`evaluate_partition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionWindow {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Samples, oldest first (re-sorted by `ts_ms` if not).
    pub samples: Vec<Sample>,
    /// Whether a live consumer owns the partition.
    pub presence: ConsumerPresence,
}

/// Tuning of the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalConfig {
    /// How many of the most recent samples form the window (Burrow's `intervals`, default 10).
    /// Completeness is measured against it.
    pub window_samples: usize,
    /// Fewest samples with a commit before a verdict is given (at least 2; default 2).
    pub min_samples: usize,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            window_samples: 10,
            min_samples: 2,
        }
    }
}

/// Verdict on one partition (or, as the worst of them, on a group). Ordered from best to worst:
/// `OK < INSUFFICIENT_SAMPLES < NO_COMMITS < WARN < STOP < STALL < REWIND`
/// (the last three in Burrow's order; Burrow reports all three as ERR at group level).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LagStatus {
    /// Lag was 0 at some sample, or is not growing while offsets move.
    Ok,
    /// Fewer samples with a commit than needed (2): no verdict yet; call again in a few seconds.
    InsufficientSamples,
    /// No committed offset: the group never committed (or its offsets expired); lag unknown, not 0.
    NoCommits,
    /// Offsets move but lag grew at every sample: the consumer is slower than the producers.
    Warn,
    /// Lag > 0 and the committed offset stopped moving, with no live consumer owning the partition
    /// (or it stopped for longer than it had been moving, Burrow's rule).
    Stop,
    /// Lag > 0 and the committed offset does not move although a live member owns the partition: stuck.
    Stall,
    /// The committed offset went backwards between two samples: an offset reset or a replay.
    Rewind,
}

impl LagStatus {
    /// Burrow's group-level status for this partition status; `None` when it carries no verdict.
    fn burrow(self) -> Option<BurrowStatus> {
        match self {
            LagStatus::Ok => Some(BurrowStatus::Ok),
            LagStatus::Warn => Some(BurrowStatus::Warn),
            LagStatus::Stop | LagStatus::Stall | LagStatus::Rewind => Some(BurrowStatus::Err),
            LagStatus::InsufficientSamples | LagStatus::NoCommits => None,
        }
    }

    /// What to do about a partition or group with this status.
    pub fn next_step(self) -> &'static str {
        match self {
            LagStatus::Ok => "Nothing to do.",
            LagStatus::InsufficientSamples => {
                "Call again in a few seconds: a verdict needs at least 2 samples with a committed offset."
            }
            LagStatus::NoCommits => {
                "Lag is unknown, not 0: the group never committed these partitions. If the consumer should \
                 commit, check enable.auto.commit or its commit calls; until then auto.offset.reset decides \
                 where it starts."
            }
            LagStatus::Warn => {
                "The consumer is slower than the producers: add consumers (up to the partition count) or speed \
                 up processing, and watch the trend."
            }
            LagStatus::Stop => {
                "Commits stopped: check that the consumer application is running (no owning member means \
                 nobody consumes) and read its logs for errors."
            }
            LagStatus::Stall => {
                "A live member owns the partition but its offset does not move: it is stuck (a message it \
                 cannot process, a blocked call, or commits disabled). Read that consumer's logs; restart it, \
                 or skip the bad offset with plan_reset_offsets."
            }
            LagStatus::Rewind => {
                "Committed offsets went backwards (an offset reset or a replay): confirm it was intended; \
                 the messages between the old and new offsets are processed again."
            }
        }
    }
}

/// Burrow's group status: OK, WARN or ERR, or UNKNOWN when no partition could be judged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BurrowStatus {
    /// No partition could be judged (all lack samples or commits).
    Unknown,
    /// Every judged partition is OK.
    Ok,
    /// The worst judged partition is WARN.
    Warn,
    /// Some partition is STOP, STALL or REWIND.
    Err,
}

/// Which way lag is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrendDirection {
    /// Lag rose by more than the noise band over the span.
    Growing,
    /// Lag fell by more than the noise band over the span.
    Shrinking,
    /// Lag changed by at most `max(1, 5%)` of its larger end value.
    Stable,
}

/// How lag moved over the window (after the last rewind, if any), from its first and last samples.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LagTrend {
    /// Growing, shrinking or stable.
    pub direction: TrendDirection,
    /// Change of lag in messages per second; positive means falling further behind.
    pub lag_rate_per_s: f64,
    /// Committed-offset advance in messages per second (what the consumer processes).
    pub consumption_rate_per_s: f64,
    /// Log-end advance in messages per second (what producers write).
    pub production_rate_per_s: f64,
    /// Seconds until lag reaches 0 at the current rate; only when shrinking.
    pub time_to_catch_up_s: Option<f64>,
    /// Seconds between the first and last sample the trend is computed from.
    pub span_s: f64,
}

/// Burrow-style verdict on one partition of a group.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartitionVerdict {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The verdict.
    pub status: LagStatus,
    /// One line: why this verdict, with the numbers behind it.
    pub reason: String,
    /// Samples in the evaluated window.
    pub samples: usize,
    /// Of those, samples that had a committed offset (leading samples without one are dropped, as Burrow does).
    pub samples_with_commit: usize,
    /// `samples_with_commit / window size`, 0 to 1; below 1 the window is not full yet.
    pub complete: f64,
    /// First sample of the window, epoch ms; `null` without samples.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub window_start_ms: Option<i64>,
    /// Last sample of the window, epoch ms; `null` without samples.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub window_end_ms: Option<i64>,
    /// Committed offset at the last sample; `null` when none.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub committed_offset: Option<i64>,
    /// Log end offset at the last sample; `null` without samples.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub log_end_offset: Option<i64>,
    /// Lag in messages at the last sample; `null` when there is no commit (unknown, not 0).
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub lag_messages: Option<i64>,
    /// Seconds the committed offset has kept its current value, as far back as the window sees.
    pub commit_unchanged_s: Option<f64>,
    /// Lag trend; `null` with fewer than 2 usable samples or a zero time span.
    pub trend: Option<LagTrend>,
    /// Anything else worth knowing (rewinds under an OK verdict, gaps in commits, log end going backwards).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Burrow-style verdict on a group: the worst partition, completeness, totals and trend.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GroupVerdict {
    /// Group id.
    pub group: String,
    /// Worst partition status (order: OK < INSUFFICIENT_SAMPLES < NO_COMMITS < WARN < STOP < STALL < REWIND).
    pub status: LagStatus,
    /// Burrow's group status over the partitions that could be judged: OK, WARN, ERR, or UNKNOWN.
    pub burrow_status: BurrowStatus,
    /// What to do about `status`.
    pub next_step: String,
    /// Samples with a commit over samples expected (partitions × window size), 0 to 1.
    pub complete: f64,
    /// Number of partitions.
    pub partition_count: usize,
    /// Partitions that got a verdict (not INSUFFICIENT_SAMPLES or NO_COMMITS).
    pub partitions_judged: usize,
    /// Partitions with no committed offset at the last sample (lag unknown, not 0).
    pub partitions_without_commit: usize,
    /// Sum of the partitions' current known lags, in messages.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub total_lag_messages: i64,
    /// The partition with the worst status (ties: the higher lag); `null` without partitions.
    pub worst_partition: Option<WorstPartition>,
    /// Group-wide trend: rates summed over the partitions that have one; `null` when none has.
    pub trend: Option<LagTrend>,
    /// Per partition, sorted by topic then partition.
    pub partitions: Vec<PartitionVerdict>,
}

/// The partition that decides a group's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WorstPartition {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Its status.
    pub status: LagStatus,
    /// Its current lag in messages; `null` when unknown.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub lag_messages: Option<i64>,
}

/// A sample with a commit, and its lag.
#[derive(Debug, Clone, Copy)]
struct Point {
    ts_ms: i64,
    committed: i64,
    log_end: i64,
    lag: i64,
}

/// The raw numbers of a trend, kept so group trends can be summed.
#[derive(Debug, Clone, Copy)]
struct TrendCalc {
    lag_first: i64,
    lag_last: i64,
    lag_rate: f64,
    consumption_rate: f64,
    production_rate: f64,
    span_ms: i64,
}

impl TrendCalc {
    fn from_points(points: &[Point]) -> Option<TrendCalc> {
        let (first, last) = (points.first()?, points.last()?);
        let span_ms = last.ts_ms - first.ts_ms;
        if points.len() < 2 || span_ms <= 0 {
            return None;
        }
        let secs = span_ms as f64 / 1000.0;
        Some(TrendCalc {
            lag_first: first.lag,
            lag_last: last.lag,
            lag_rate: (last.lag - first.lag) as f64 / secs,
            consumption_rate: (last.committed - first.committed) as f64 / secs,
            production_rate: (last.log_end - first.log_end) as f64 / secs,
            span_ms,
        })
    }

    fn to_trend(self) -> LagTrend {
        let delta = self.lag_last - self.lag_first;
        let band = noise_band(self.lag_first, self.lag_last, 0);
        let direction = if (delta as f64).abs() <= band {
            TrendDirection::Stable
        } else if delta > 0 {
            TrendDirection::Growing
        } else {
            TrendDirection::Shrinking
        };
        let time_to_catch_up_s = (direction == TrendDirection::Shrinking && self.lag_rate < 0.0)
            .then(|| round2(self.lag_last as f64 / -self.lag_rate));
        LagTrend {
            direction,
            lag_rate_per_s: round2(self.lag_rate),
            consumption_rate_per_s: round2(self.consumption_rate),
            production_rate_per_s: round2(self.production_rate),
            time_to_catch_up_s,
            span_s: round2(self.span_ms as f64 / 1000.0),
        }
    }
}

/// Lag changes within this fraction of its larger end value (or 1 message) count as stable.
const STABLE_BAND: f64 = 0.05;

/// The noise a lag change from `first` to `last` must exceed to count as growth or shrinkage:
/// `STABLE_BAND` of the larger end, or of the messages `produced` meanwhile (a consumer that
/// commits on a timer shows a lag anywhere between 0 and what is produced between commits), at
/// least 1 message. The trend uses the lag part alone (`produced` 0); the WARN rule all of it.
fn noise_band(first: i64, last: i64, produced: i64) -> f64 {
    ((first.max(last).max(produced.max(0)) as f64) * STABLE_BAND).max(1.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Milliseconds as seconds for a reason line: `58 s`, `2.5 s`.
fn secs(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Evaluates one partition over the last `cfg.window_samples` of its samples, with Burrow's rules in
/// Burrow's order, adapted to polled samples:
///
/// 1. lag 0 at any sample (or now) → OK; nothing else is checked (a rewind is still noted);
/// 2. the committed offset went backwards between two samples → REWIND;
/// 3. the committed offset is not moving: it never changed in the window, or (Burrow's rule) the time
///    since it last changed exceeds the time between the window's first sample and that change →
///    STALL when a live member owns the partition, STOP otherwise;
/// 4. lag never fell from one sample to the next and ended higher than it started, over a full
///    window and by more than the trend's noise band (5 %, at least 1 message) → WARN;
/// 5. otherwise OK.
///
/// Without any commit in the window, or none at the last sample → NO_COMMITS; with fewer than
/// `max(2, min_samples)` samples carrying a commit → INSUFFICIENT_SAMPLES. "Now" is the last sample.
pub fn evaluate_partition(w: &PartitionWindow, cfg: &EvalConfig) -> PartitionVerdict {
    evaluate_partition_calc(w, cfg).0
}

fn evaluate_partition_calc(
    w: &PartitionWindow,
    cfg: &EvalConfig,
) -> (PartitionVerdict, Option<TrendCalc>) {
    let window_size = cfg.window_samples.max(1);
    let mut sorted = w.samples.clone();
    sorted.sort_by_key(|s| s.ts_ms);
    let window = &sorted[sorted.len().saturating_sub(window_size)..];
    let last = window.last();
    let mut v = PartitionVerdict {
        topic: w.topic.clone(),
        partition: w.partition,
        status: LagStatus::InsufficientSamples,
        reason: String::new(),
        samples: window.len(),
        samples_with_commit: 0,
        complete: 0.0,
        window_start_ms: window.first().map(|s| s.ts_ms),
        window_end_ms: last.map(|s| s.ts_ms),
        committed_offset: last.and_then(|s| s.committed),
        log_end_offset: last.map(|s| s.log_end),
        lag_messages: last.and_then(Sample::lag),
        commit_unchanged_s: None,
        trend: None,
        notes: Vec::new(),
    };
    let Some(last) = last else {
        v.reason = "no samples yet: call again in a few seconds".to_string();
        return (v, None);
    };

    // Drop leading samples without a commit (Burrow trims leading nil offsets).
    let Some(first_commit) = window.iter().position(|s| s.committed.is_some()) else {
        v.status = LagStatus::NoCommits;
        v.reason = format!(
            "no committed offset in any of {} samples: the group never committed this partition; lag is \
             unknown, not 0",
            window.len()
        );
        return (v, None);
    };
    let tail = &window[first_commit..];
    let points: Vec<Point> = tail
        .iter()
        .filter_map(|s| {
            s.committed.map(|c| Point {
                ts_ms: s.ts_ms,
                committed: c,
                log_end: s.log_end,
                lag: (s.log_end - c).max(0),
            })
        })
        .collect();
    v.samples_with_commit = points.len();
    v.complete = round2((points.len() as f64 / window_size as f64).min(1.0));
    if last.committed.is_none() {
        v.status = LagStatus::NoCommits;
        v.reason =
            "the committed offset seen earlier in the window is gone now (offsets expired after \
                    offsets.retention.minutes, or were deleted or reset); lag is unknown, not 0"
                .to_string();
        return (v, None);
    }
    let gaps = tail.len() - points.len();
    if gaps > 0 {
        v.notes.push(format!(
            "{gaps} sample(s) in the window had no committed offset between ones that had; they were skipped"
        ));
    }
    for pair in points.windows(2) {
        if pair[1].log_end < pair[0].log_end {
            v.notes.push(format!(
                "log end went backwards {} → {} (topic recreated, or an unclean leader election truncated it)",
                pair[0].log_end, pair[1].log_end
            ));
            break;
        }
    }
    for pair in points.windows(2) {
        if pair[1].committed > pair[1].log_end {
            v.notes.push(format!(
                "committed offset {} is past the log end {}: lag counted as 0 there",
                pair[1].committed, pair[1].log_end
            ));
            break;
        }
    }

    let now = last.ts_ms;
    let current = points[points.len() - 1];
    // Index of the sample where the committed offset last changed (None: never changed in the window).
    let last_change = (1..points.len())
        .rev()
        .find(|&i| points[i].committed != points[i - 1].committed);
    let run_start = last_change.map_or(points[0].ts_ms, |i| points[i].ts_ms);
    v.commit_unchanged_s = Some(round2((now - run_start) as f64 / 1000.0));
    let rewinds: Vec<usize> = (1..points.len())
        .filter(|&i| points[i].committed < points[i - 1].committed)
        .collect();

    // The trend is computed after the last rewind: rates across a reset mean nothing.
    let segment = match rewinds.last() {
        Some(&i) => &points[i..],
        None => &points[..],
    };
    let calc = TrendCalc::from_points(segment);
    v.trend = calc.map(TrendCalc::to_trend);
    if calc.is_none() && !rewinds.is_empty() && points.len() >= 2 {
        v.notes
            .push("too few samples since the last rewind to compute a trend".to_string());
    }

    let min = cfg.min_samples.max(2);
    if points.len() < min {
        v.status = LagStatus::InsufficientSamples;
        v.reason = format!(
            "{} sample(s) with a committed offset, {min} needed for a verdict; current lag {} messages",
            points.len(),
            current.lag
        );
        return (v, calc);
    }

    let span = now - points[0].ts_ms;
    if span <= 0 {
        v.status = LagStatus::InsufficientSamples;
        v.reason = format!(
            "all {} samples share one timestamp: no time has passed to judge; current lag {} messages",
            points.len(),
            current.lag
        );
        return (v, calc);
    }

    let rewind_text = |i: usize| {
        format!(
            "committed offset went backwards {} → {} between {} and {} into the window",
            points[i - 1].committed,
            points[i].committed,
            secs(points[i - 1].ts_ms - points[0].ts_ms),
            secs(points[i].ts_ms - points[0].ts_ms),
        )
    };

    // Rule 1: lag hit zero.
    if let Some(zero) = points.iter().rev().find(|p| p.lag == 0) {
        v.status = LagStatus::Ok;
        v.reason = if current.lag == 0 {
            "lag is 0".to_string()
        } else {
            format!(
                "lag was 0 {} before the last sample; now {} messages",
                secs(now - zero.ts_ms),
                current.lag
            )
        };
        if let Some(&i) = rewinds.first() {
            v.notes.push(rewind_text(i));
        }
        return (v, calc);
    }
    // Rule 2: rewind.
    if let Some(&i) = rewinds.first() {
        v.status = LagStatus::Rewind;
        v.reason = format!(
            "{} (offset reset or replay); lag now {} messages",
            rewind_text(i),
            current.lag
        );
        return (v, calc);
    }
    // Rule 3: not moving → STALL (live owner) or STOP.
    let not_moving = match last_change {
        None => true,
        Some(i) => now - points[i].ts_ms > points[i].ts_ms - points[0].ts_ms,
    };
    if not_moving {
        let held = match last_change {
            None => format!(
                "committed offset {} unchanged for at least {} (the whole window)",
                current.committed,
                secs(span)
            ),
            Some(i) => format!(
                "committed offset {} unchanged for {}, longer than the {} it was moving before",
                current.committed,
                secs(now - points[i].ts_ms),
                secs(points[i].ts_ms - points[0].ts_ms)
            ),
        };
        let lag_move = format!("lag {} → {} messages", points[0].lag, current.lag);
        let (status, who) = match w.presence {
            ConsumerPresence::Active => (
                LagStatus::Stall,
                "a live member owns the partition, so the consumer is alive but stuck",
            ),
            ConsumerPresence::Absent => (
                LagStatus::Stop,
                "no live member owns the partition: nobody consumes it",
            ),
            ConsumerPresence::Unknown => (
                LagStatus::Stop,
                "whether a member owns the partition is unknown",
            ),
        };
        v.status = status;
        v.reason = format!("{held} while {lag_move}; {who}");
        return (v, calc);
    }
    // Rule 4: lag never decreasing and higher at the end, judged as Burrow does: only over a
    // full window, and only by a rise beyond the noise band the trend itself allows
    // (`STABLE_BAND`, at least 1 message), so a consumer that keeps up but commits on a timer is
    // not WARN for a +1 wobble or a half-filled window.
    let never_fell = points.windows(2).all(|p| p[1].lag >= p[0].lag);
    let rise = current.lag - points[0].lag;
    let full = window.len() >= window_size;
    let band = noise_band(
        points[0].lag,
        current.lag,
        current.log_end - points[0].log_end,
    );
    if never_fell && rise > 0 && !(full && rise as f64 > band) {
        v.status = LagStatus::Ok;
        v.reason = if full {
            format!(
                "offsets moving; lag {} → {} messages over {} is within the ±{band:.0} noise band \
                 (5 % of the lag or of the {} messages produced meanwhile), not growth",
                points[0].lag,
                current.lag,
                secs(span),
                current.log_end - points[0].log_end
            )
        } else {
            format!(
                "offsets moving; lag {} → {} messages over {} but the window is {} of {window_size} \
                 samples: growth is judged on a full window (sample longer, e.g. sample_seconds=30)",
                points[0].lag,
                current.lag,
                secs(span),
                window.len()
            )
        };
        return (v, calc);
    }
    if never_fell && rise > 0 {
        v.status = LagStatus::Warn;
        v.reason = format!(
            "offsets moved ({} → {}) but lag grew at every sample: {} → {} messages over {}",
            points[0].committed,
            current.committed,
            points[0].lag,
            current.lag,
            secs(span)
        );
        return (v, calc);
    }
    v.status = LagStatus::Ok;
    let how = if current.lag < points[0].lag {
        "lag falling"
    } else if current.lag == points[0].lag {
        "lag not growing"
    } else {
        "lag fell at some sample, so not a steady climb"
    };
    v.reason = format!(
        "offsets moving and {how}: {} → {} messages over {}",
        points[0].lag,
        current.lag,
        secs(span)
    );
    (v, calc)
}

/// Evaluates every partition of a group and rolls them up: status is the worst partition status,
/// `burrow_status` is Burrow's OK/WARN/ERR over the judged partitions, and the trend sums partition rates.
pub fn evaluate_group(
    group: &str,
    partitions: &[PartitionWindow],
    cfg: &EvalConfig,
) -> GroupVerdict {
    let mut evaluated: Vec<(PartitionVerdict, Option<TrendCalc>)> = partitions
        .iter()
        .map(|w| evaluate_partition_calc(w, cfg))
        .collect();
    evaluated.sort_by(|a, b| (&a.0.topic, a.0.partition).cmp(&(&b.0.topic, b.0.partition)));

    let window_size = cfg.window_samples.max(1);
    let expected = evaluated.len() * window_size;
    let present: usize = evaluated
        .iter()
        .map(|(v, _)| v.samples_with_commit.min(window_size))
        .sum();
    let complete = if expected == 0 {
        0.0
    } else {
        round2(present as f64 / expected as f64)
    };

    let status = evaluated
        .iter()
        .map(|(v, _)| v.status)
        .max()
        .unwrap_or(LagStatus::InsufficientSamples);
    let burrow_status = evaluated
        .iter()
        .filter_map(|(v, _)| v.status.burrow())
        .max()
        .unwrap_or(BurrowStatus::Unknown);
    let partitions_judged = evaluated
        .iter()
        .filter(|(v, _)| v.status.burrow().is_some())
        .count();
    let partitions_without_commit = evaluated
        .iter()
        .filter(|(v, _)| v.committed_offset.is_none())
        .count();
    let total_lag_messages = evaluated
        .iter()
        .filter_map(|(v, _)| v.lag_messages)
        .fold(0i64, i64::saturating_add);
    let mut worst: Option<&PartitionVerdict> = None;
    for (v, _) in &evaluated {
        let better = worst.is_none_or(|w| {
            (v.status, v.lag_messages.unwrap_or(-1)) > (w.status, w.lag_messages.unwrap_or(-1))
        });
        if better {
            worst = Some(v);
        }
    }
    let worst_partition = worst.map(|v| WorstPartition {
        topic: v.topic.clone(),
        partition: v.partition,
        status: v.status,
        lag_messages: v.lag_messages,
    });

    let calcs: Vec<TrendCalc> = evaluated.iter().filter_map(|(_, c)| *c).collect();
    let trend = (!calcs.is_empty()).then(|| {
        TrendCalc {
            lag_first: calcs
                .iter()
                .map(|c| c.lag_first)
                .fold(0, i64::saturating_add),
            lag_last: calcs
                .iter()
                .map(|c| c.lag_last)
                .fold(0, i64::saturating_add),
            lag_rate: calcs.iter().map(|c| c.lag_rate).sum(),
            consumption_rate: calcs.iter().map(|c| c.consumption_rate).sum(),
            production_rate: calcs.iter().map(|c| c.production_rate).sum(),
            span_ms: calcs.iter().map(|c| c.span_ms).max().unwrap_or(0),
        }
        .to_trend()
    });

    GroupVerdict {
        group: group.to_string(),
        status,
        burrow_status,
        next_step: status.next_step().to_string(),
        complete,
        partition_count: evaluated.len(),
        partitions_judged,
        partitions_without_commit,
        total_lag_messages,
        worst_partition,
        trend,
        partitions: evaluated.into_iter().map(|(v, _)| v).collect(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// 3. LagHistory: the sample ring per (group, topic, partition)
// ---------------------------------------------------------------------------------------------------------

/// Bounds of a [`LagHistory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagHistoryConfig {
    /// Samples kept per (group, topic, partition), newest last (default 30).
    pub samples_per_partition: usize,
    /// Most (group, topic, partition) keys kept; past it the least recently sampled are evicted
    /// (default 100 000, about 100 MB when every ring is full).
    pub max_keys: usize,
    /// Keys with no sample for this long are dropped by [`LagHistory::evict_idle`], in ms (default 1 h).
    pub idle_ms: i64,
}

impl Default for LagHistoryConfig {
    fn default() -> Self {
        LagHistoryConfig {
            samples_per_partition: 30,
            max_keys: 100_000,
            idle_ms: 3_600_000,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Ring {
    samples: VecDeque<Sample>,
    last_seen_ms: i64,
}

/// In-memory sample history of one cluster: a bounded ring of [`Sample`]s per (group, topic, partition),
/// fed by every lag read. Pure data: time comes from the samples and from `now_ms` arguments.
#[derive(Debug, Clone, Default)]
pub struct LagHistory {
    config: LagHistoryConfig,
    /// group → topic → partition → ring.
    groups: BTreeMap<String, BTreeMap<String, BTreeMap<i32, Ring>>>,
    keys: usize,
}

impl LagHistory {
    /// An empty history with these bounds.
    pub fn new(config: LagHistoryConfig) -> Self {
        LagHistory {
            config,
            groups: BTreeMap::new(),
            keys: 0,
        }
    }

    /// Its bounds.
    pub fn config(&self) -> &LagHistoryConfig {
        &self.config
    }

    /// Number of (group, topic, partition) keys held.
    pub fn len(&self) -> usize {
        self.keys
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Adds a sample. Samples are kept sorted by `ts_ms`; one with the same `ts_ms` as a kept one replaces
    /// it. The oldest samples beyond `samples_per_partition` are dropped; a new key past `max_keys` first
    /// evicts the least recently sampled keys (1% of the cap at a time).
    pub fn record(&mut self, group: &str, topic: &str, partition: i32, sample: Sample) {
        let exists = self
            .groups
            .get(group)
            .and_then(|t| t.get(topic))
            .is_some_and(|p| p.contains_key(&partition));
        if !exists {
            if self.keys >= self.config.max_keys.max(1) {
                self.evict_oldest((self.config.max_keys / 100).max(1));
            }
            self.keys += 1;
        }
        let ring = self
            .groups
            .entry(group.to_string())
            .or_default()
            .entry(topic.to_string())
            .or_default()
            .entry(partition)
            .or_insert_with(|| Ring {
                samples: VecDeque::new(),
                last_seen_ms: sample.ts_ms,
            });
        let pos = ring.samples.partition_point(|s| s.ts_ms < sample.ts_ms);
        match ring.samples.get_mut(pos) {
            Some(s) if s.ts_ms == sample.ts_ms => *s = sample,
            _ => ring.samples.insert(pos, sample),
        }
        while ring.samples.len() > self.config.samples_per_partition.max(1) {
            ring.samples.pop_front();
        }
        ring.last_seen_ms = ring.last_seen_ms.max(sample.ts_ms);
    }

    /// Records one snapshot read of a group at `ts_ms`; partitions with an unknown log end are skipped.
    pub fn record_offsets(&mut self, group: &str, offsets: &[PartitionOffsets], ts_ms: i64) {
        for p in offsets {
            if let Some(sample) = p.sample(ts_ms) {
                self.record(group, &p.topic, p.partition, sample);
            }
        }
    }

    /// The samples of one key, oldest first; empty when unknown.
    pub fn window(&self, group: &str, topic: &str, partition: i32) -> Vec<Sample> {
        self.groups
            .get(group)
            .and_then(|t| t.get(topic))
            .and_then(|p| p.get(&partition))
            .map(|r| r.samples.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Every partition held for `group` as a window to evaluate, sorted by topic then partition, with
    /// presence `Unknown` (set it from DescribeConsumerGroups before evaluating).
    pub fn group_windows(&self, group: &str) -> Vec<PartitionWindow> {
        let Some(topics) = self.groups.get(group) else {
            return Vec::new();
        };
        topics
            .iter()
            .flat_map(|(topic, parts)| {
                parts.iter().map(move |(&partition, ring)| PartitionWindow {
                    topic: topic.clone(),
                    partition,
                    samples: ring.samples.iter().copied().collect(),
                    presence: ConsumerPresence::Unknown,
                })
            })
            .collect()
    }

    /// Drops keys with no sample newer than `now_ms - idle_ms`; returns how many were dropped.
    pub fn evict_idle(&mut self, now_ms: i64) -> usize {
        let cutoff = now_ms.saturating_sub(self.config.idle_ms);
        let mut removed = 0;
        for topics in self.groups.values_mut() {
            for parts in topics.values_mut() {
                let before = parts.len();
                parts.retain(|_, r| r.last_seen_ms >= cutoff);
                removed += before - parts.len();
            }
        }
        self.prune_empty();
        self.keys -= removed;
        removed
    }

    /// Evicts the `n` least recently sampled keys.
    fn evict_oldest(&mut self, n: usize) {
        let mut all: Vec<(i64, String, String, i32)> = Vec::with_capacity(self.keys);
        for (g, topics) in &self.groups {
            for (t, parts) in topics {
                for (&p, r) in parts {
                    all.push((r.last_seen_ms, g.clone(), t.clone(), p));
                }
            }
        }
        let n = n.min(all.len());
        if n == 0 {
            return;
        }
        if n < all.len() {
            all.select_nth_unstable(n - 1);
        }
        for (_, g, t, p) in all.into_iter().take(n) {
            if let Some(parts) = self
                .groups
                .get_mut(&g)
                .and_then(|topics| topics.get_mut(&t))
            {
                if parts.remove(&p).is_some() {
                    self.keys -= 1;
                }
            }
        }
        self.prune_empty();
    }

    fn prune_empty(&mut self) {
        for topics in self.groups.values_mut() {
            topics.retain(|_, parts| !parts.is_empty());
        }
        self.groups.retain(|_, topics| !topics.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------------------
// 4. Offset reset planning
// ---------------------------------------------------------------------------------------------------------

/// Where to move a group's committed offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetSpec {
    /// The log start: re-read everything retained.
    Earliest,
    /// The log end: skip everything not yet read.
    Latest,
    /// The first offset whose timestamp is at or after `ts_ms` (epoch ms); the log end when there is none.
    Timestamp {
        /// Epoch ms; must not be in the future.
        ts_ms: i64,
    },
    /// This exact offset (clamped to the log).
    Offset {
        /// Offset, 0 or more.
        offset: i64,
    },
    /// The committed offset moved by `delta` (negative: back, re-read; positive: forward, skip).
    ShiftBy {
        /// Messages to move by.
        delta: i64,
    },
}

impl fmt::Display for ResetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResetSpec::Earliest => write!(f, "earliest"),
            ResetSpec::Latest => write!(f, "latest"),
            ResetSpec::Timestamp { ts_ms } => write!(f, "timestamp {ts_ms} (epoch ms)"),
            ResetSpec::Offset { offset } => write!(f, "offset {offset}"),
            ResetSpec::ShiftBy { delta } => write!(f, "shift by {delta:+}"),
        }
    }
}

/// One partition to plan a reset for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetInput {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The group's committed offset; `None` when it never committed.
    pub committed: Option<i64>,
    /// Log start (earliest) offset.
    pub log_start: i64,
    /// Log end (latest) offset.
    pub log_end: i64,
    /// For [`ResetSpec::Timestamp`]: the offset ListOffsets returned for the timestamp; `None` when it
    /// found none (the timestamp is past the last message).
    pub offset_for_timestamp: Option<i64>,
}

/// Which end of the log a planned offset was clamped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClampedTo {
    /// Raised to the log start offset (the target was already deleted or negative).
    LogStart,
    /// Lowered to the log end offset (the target does not exist yet).
    LogEnd,
}

/// The planned reset of one partition and its impact.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartitionReset {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Committed offset now; `null` when the group never committed.
    #[serde(serialize_with = "i64_string::serialize_option")]
    #[schemars(with = "Option<String>")]
    pub committed_offset: Option<i64>,
    /// Offset the group will be set to.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub new_offset: i64,
    /// Log start offset the plan used.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub log_start_offset: i64,
    /// Log end offset the plan used.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub log_end_offset: i64,
    /// Set when the target was outside the log and was clamped; `notes` says from what.
    pub clamped_to: Option<ClampedTo>,
    /// Messages the group will process again (new offset before the committed one).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub messages_reread: i64,
    /// Retained messages the group will never process (new offset after the committed one).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub messages_skipped: i64,
    /// Lag right after the reset, in messages (`log_end_offset - new_offset`).
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub lag_after_messages: i64,
    /// Clamping, missing commits and other things to know before applying the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A reset plan over a set of partitions: what each will be set to, and the total impact.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ResetPlan {
    /// The reset asked for, in words (`earliest`, `shift by -100`, ...).
    pub spec: String,
    /// Per partition, sorted by topic then partition.
    pub partitions: Vec<PartitionReset>,
    /// Sum of `messages_reread`.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub total_messages_reread: i64,
    /// Sum of `messages_skipped`.
    #[serde(serialize_with = "i64_string::serialize")]
    #[schemars(with = "String")]
    pub total_messages_skipped: i64,
    /// Partitions whose target was clamped to the log start or end.
    pub partitions_clamped: usize,
    /// Partitions whose committed offset would not change.
    pub partitions_unchanged: usize,
}

/// Why a reset planned without `topics` found nothing to reset, in the agent's words, from the
/// group's state as DescribeGroups reports it (Kafka answers an unknown group id with `Dead` and no
/// members rather than an error). Says whether the group exists and what to call next.
pub fn no_offsets_to_reset(group: &str, state: &str) -> String {
    let example = "e.g. topics=[\"orders\"] with to=earliest";
    if state.eq_ignore_ascii_case("dead")
        || state.is_empty()
        || state.eq_ignore_ascii_case("unknown")
    {
        format!(
            "consumer group {group:?} does not exist (Kafka reports it as {}, with no members and \
             no committed offsets); nothing was planned. Check the id with consumer_groups \
             action=list. To give a new group a start position before its consumers first run, \
             plan again naming the topics it will read ({example}).",
            if state.is_empty() { "unknown" } else { state }
        )
    } else {
        format!(
            "consumer group {group:?} exists ({state}) but has no committed offsets: it never \
             committed, or its offsets expired after offsets.retention.minutes. There is nothing \
             to reset; its consumers will start where auto.offset.reset says. To set a start \
             position anyway, plan again naming the topics it reads ({example})."
        )
    }
}

/// Why a reset cannot be planned, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    /// No partitions were given.
    #[error(
        "no partitions to reset. Name a topic the group consumes (or its partitions), then plan again."
    )]
    NoPartitions,
    /// An explicit offset below 0.
    #[error(
        "offset {offset} is negative; offsets start at 0. Use `earliest` for the log start, or an offset \
         of 0 or more."
    )]
    NegativeOffset {
        /// The offset asked for.
        offset: i64,
    },
    /// A timestamp below 0.
    #[error(
        "timestamp {ts_ms} is negative; give epoch milliseconds (e.g. 1795346418000), or use `earliest` \
         / `latest`."
    )]
    NegativeTimestamp {
        /// The timestamp asked for.
        ts_ms: i64,
    },
    /// A timestamp after now.
    #[error(
        "timestamp {ts_ms} is {ahead_s} s in the future (now is {now_ms}); no message has it yet. Use \
         `latest` to skip to the end, or a past timestamp in epoch ms."
    )]
    TimestampInFuture {
        /// The timestamp asked for, epoch ms.
        ts_ms: i64,
        /// Now, epoch ms.
        now_ms: i64,
        /// How far ahead, in seconds.
        ahead_s: i64,
    },
    /// A shift on partitions that have no committed offset to shift from.
    #[error(
        "cannot shift {}: no committed offset to shift from. Reset those partitions with `earliest`, \
         `latest`, `timestamp` or `offset` first, or leave them out of this plan.",
        partitions.join(", ")
    )]
    ShiftWithoutCommit {
        /// The partitions without a commit, as `topic-partition`.
        partitions: Vec<String>,
    },
    /// Log start after log end: the offsets were read inconsistently.
    #[error(
        "{partition}: log start {log_start} is after log end {log_end} (or negative); the offsets changed \
         while being read. Read the offsets again and plan again."
    )]
    InconsistentOffsets {
        /// The partition, as `topic-partition`.
        partition: String,
        /// Log start offset read.
        log_start: i64,
        /// Log end offset read.
        log_end: i64,
    },
}

/// Plans a reset: the new offset per partition, clamped to `[log_start, log_end]`, with what will be
/// re-read or skipped. All-or-nothing: any invalid input fails the whole plan. `now_ms` is the caller's
/// clock, used only to reject future timestamps.
pub fn plan_reset_offsets(
    spec: &ResetSpec,
    partitions: &[ResetInput],
    now_ms: i64,
) -> Result<ResetPlan, ResetError> {
    if partitions.is_empty() {
        return Err(ResetError::NoPartitions);
    }
    match *spec {
        ResetSpec::Offset { offset } if offset < 0 => {
            return Err(ResetError::NegativeOffset { offset })
        }
        ResetSpec::Timestamp { ts_ms } if ts_ms < 0 => {
            return Err(ResetError::NegativeTimestamp { ts_ms })
        }
        ResetSpec::Timestamp { ts_ms } if ts_ms > now_ms => {
            let ahead_ms = ts_ms - now_ms;
            return Err(ResetError::TimestampInFuture {
                ts_ms,
                now_ms,
                ahead_s: ahead_ms / 1000 + i64::from(ahead_ms % 1000 != 0),
            });
        }
        _ => {}
    }
    if let Some(p) = partitions
        .iter()
        .find(|p| p.log_start < 0 || p.log_end < p.log_start)
    {
        return Err(ResetError::InconsistentOffsets {
            partition: format!("{}-{}", p.topic, p.partition),
            log_start: p.log_start,
            log_end: p.log_end,
        });
    }
    if let ResetSpec::ShiftBy { .. } = spec {
        let missing: Vec<String> = partitions
            .iter()
            .filter(|p| p.committed.is_none())
            .map(|p| format!("{}-{}", p.topic, p.partition))
            .collect();
        if !missing.is_empty() {
            return Err(ResetError::ShiftWithoutCommit {
                partitions: missing,
            });
        }
    }

    let mut out: Vec<PartitionReset> = partitions.iter().map(|p| plan_one(spec, p)).collect();
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(ResetPlan {
        spec: spec.to_string(),
        total_messages_reread: out
            .iter()
            .map(|p| p.messages_reread)
            .fold(0, i64::saturating_add),
        total_messages_skipped: out
            .iter()
            .map(|p| p.messages_skipped)
            .fold(0, i64::saturating_add),
        partitions_clamped: out.iter().filter(|p| p.clamped_to.is_some()).count(),
        partitions_unchanged: out
            .iter()
            .filter(|p| p.committed_offset == Some(p.new_offset))
            .count(),
        partitions: out,
    })
}

fn plan_one(spec: &ResetSpec, p: &ResetInput) -> PartitionReset {
    let mut notes = Vec::new();
    let target = match *spec {
        ResetSpec::Earliest => p.log_start,
        ResetSpec::Latest => p.log_end,
        ResetSpec::Timestamp { ts_ms } => match p.offset_for_timestamp.filter(|&o| o >= 0) {
            Some(o) => o,
            None => {
                notes.push(format!(
                    "no message at or after {ts_ms}: set to the log end {}, so only new messages are read",
                    p.log_end
                ));
                p.log_end
            }
        },
        ResetSpec::Offset { offset } => offset,
        // Checked by the caller: a shift only reaches here with a commit.
        ResetSpec::ShiftBy { delta } => p.committed.unwrap_or(p.log_end).saturating_add(delta),
    };
    let (new_offset, clamped_to) = if target < p.log_start {
        notes.push(format!(
            "target {target} is before the log start {} (deleted by retention, or below 0): clamped to {}",
            p.log_start, p.log_start
        ));
        (p.log_start, Some(ClampedTo::LogStart))
    } else if target > p.log_end {
        notes.push(format!(
            "target {target} is past the log end {}: clamped to {}",
            p.log_end, p.log_end
        ));
        (p.log_end, Some(ClampedTo::LogEnd))
    } else {
        (target, None)
    };
    let (reread, skipped) = match p.committed {
        None => {
            notes.push(format!(
                "the group has no committed offset here (it would start per auto.offset.reset); after the \
                 reset it starts at {new_offset}"
            ));
            (0, 0)
        }
        Some(c) if new_offset < c => (c.min(p.log_end) - new_offset, 0),
        Some(c) if new_offset > c => {
            if c < p.log_start {
                notes.push(format!(
                    "the committed offset {c} is already below the log start {}: {} messages were deleted \
                     by retention and are not counted as skipped",
                    p.log_start,
                    p.log_start - c
                ));
            }
            (0, new_offset - c.max(p.log_start))
        }
        Some(_) => (0, 0),
    };
    PartitionReset {
        topic: p.topic.clone(),
        partition: p.partition,
        committed_offset: p.committed,
        new_offset,
        log_start_offset: p.log_start,
        log_end_offset: p.log_end,
        clamped_to,
        messages_reread: reread,
        messages_skipped: skipped,
        lag_after_messages: p.log_end - new_offset,
        notes,
    }
}

// ---------------------------------------------------------------------------------------------------------
// 5. Hints about group membership
// ---------------------------------------------------------------------------------------------------------

/// One member of a group, as DescribeConsumerGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAssignment {
    /// Member id.
    pub member_id: String,
    /// `client.id` of the consumer.
    pub client_id: String,
    /// Client host as Kafka reports it (e.g. `/127.0.0.1`).
    pub host: String,
    /// Partitions assigned to it, as (topic, partition).
    pub partitions: Vec<(String, i32)>,
}

/// A group's state and members, as DescribeConsumerGroups reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembers {
    /// Group id.
    pub group: String,
    /// State name (`STABLE`, `EMPTY`, `PREPARING_REBALANCING`, ... or the broker's `Stable`, ...).
    pub state: String,
    /// Members.
    pub members: Vec<MemberAssignment>,
}

/// Everything the hint rules look at for one group.
#[derive(Debug, Clone, Copy)]
pub struct HintInput<'a> {
    /// State and members.
    pub members: &'a GroupMembers,
    /// Lag from the same read, when known.
    pub lag: Option<&'a GroupLag>,
}

/// A consumer-group hint rule: id, severity, title, doc (the remediation) and check.
#[derive(Debug, Clone, Copy)]
pub struct HintRule {
    /// Stable kebab-case id, never reused.
    pub id: &'static str,
    /// How bad a hit is.
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: &'static str,
    /// What to do; becomes the finding's remediation.
    pub doc: &'static str,
    /// Returns evidence when the rule fires.
    pub check: fn(&HintInput<'_>) -> Option<Evidence>,
}

/// Every consumer-group hint rule, in evaluation order.
pub const HINT_RULES: &[HintRule] = &[
    HintRule {
        id: "member-without-assignment",
        severity: Severity::Info,
        title: "Group members with no assigned partitions",
        doc: "These members consume nothing. During a rebalance (PREPARING_REBALANCING, \
              COMPLETING_REBALANCING) this is transient: look again in a few seconds. In a stable group it \
              means more consumers than partitions: run at most as many consumers as partitions, or add \
              partitions.",
        check: member_without_assignment,
    },
    HintRule {
        id: "lag-without-members",
        severity: Severity::Warn,
        title: "Group has lag but no members: nobody is consuming",
        doc: "Start the consumer application for this group. If the group is retired, delete it so its \
              lag stops alerting (its offsets otherwise expire after offsets.retention.minutes, 7 days by \
              default).",
        check: lag_without_members,
    },
    HintRule {
        id: "partition-never-committed",
        severity: Severity::Warn,
        title: "Partitions with unread messages that the group never committed",
        doc: "The group has no committed offset on these partitions although they hold messages: it was \
              never assigned or subscribed to them (check its subscription with consumer_groups \
              action=describe), or they are new partitions and a consumer with auto.offset.reset=latest \
              will skip what they hold when it first gets them. To read them, plan_reset_offsets with \
              `topics` and to=earliest while the group is inactive.",
        check: partition_never_committed,
    },
    HintRule {
        id: "offsets-lost-to-retention",
        severity: Severity::Error,
        title: "Committed offsets point at messages retention already deleted",
        doc: "The group will never read the deleted messages; on resume auto.offset.reset decides where it \
              starts (earliest: the log start; latest: the end, skipping everything). Choose explicitly \
              with plan_reset_offsets, and raise retention.ms on the topic if this consumer must not lose \
              data.",
        check: offsets_lost_to_retention,
    },
];

fn member_without_assignment(input: &HintInput<'_>) -> Option<Evidence> {
    let idle: Vec<String> = input
        .members
        .members
        .iter()
        .filter(|m| m.partitions.is_empty())
        .map(|m| format!("{} ({})", m.client_id, m.member_id))
        .collect();
    if idle.is_empty() {
        return None;
    }
    let total = input.members.members.len();
    let rebalancing = input
        .members
        .state
        .to_ascii_uppercase()
        .contains("REBALANC");
    let detail = format!(
        "{} of {total} members have no partitions; state {}{}",
        idle.len(),
        input.members.state,
        if rebalancing {
            " (rebalancing: likely transient)"
        } else {
            ""
        }
    );
    Some(Evidence::from_items(idle, detail))
}

fn lag_without_members(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    if !input.members.members.is_empty() || lag.total_lag_messages <= 0 {
        return None;
    }
    let mut lagging: Vec<&PartitionLag> = lag
        .partitions
        .iter()
        .filter(|p| p.lag_messages.unwrap_or(0) > 0)
        .collect();
    lagging.sort_by_key(|p| std::cmp::Reverse(p.lag_messages));
    let items = lagging.iter().map(|p| {
        format!(
            "{}-{} lag {}",
            p.topic,
            p.partition,
            p.lag_messages.unwrap_or(0)
        )
    });
    Some(Evidence::from_items(
        items,
        format!(
            "state {}, 0 members, total lag {} messages",
            input.members.state, lag.total_lag_messages
        ),
    ))
}

fn partition_never_committed(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    let rows = unread_without_commit(lag);
    if rows.is_empty() {
        return None;
    }
    let committed = lag.partition_count - lag.partitions_without_commit;
    Some(Evidence::from_items(
        rows.iter()
            .map(|(p, u)| format!("{}-{} ({u} unread)", p.topic, p.partition)),
        format!(
            "{} message(s) unread on never-committed partitions; the group committed {committed} of {} \
             partition(s): {}",
            lag.unread_without_commit_messages,
            lag.partition_count,
            never_committed_meaning(lag)
        ),
    ))
}

fn offsets_lost_to_retention(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    if lag.messages_lost_to_retention <= 0 {
        return None;
    }
    let items = lag.partitions.iter().filter_map(|p| {
        let lost = p.messages_lost_to_retention.filter(|&l| l > 0)?;
        Some(format!("{}-{} lost {lost}", p.topic, p.partition))
    });
    Some(Evidence::from_items(
        items,
        format!(
            "{} messages deleted before the group read them",
            lag.messages_lost_to_retention
        ),
    ))
}

/// Fewest successive reads of a group before [`rebalance_storm`] judges it.
pub const STORM_MIN_READS: usize = 4;

/// True for a state in which a group is rebalancing: anything but `Stable`, `Empty` and `Dead`
/// (librdkafka reports KIP-848's `Assigning` and `Reconciling` as `Unknown`).
pub fn is_rebalancing_state(state: &str) -> bool {
    let s = state.to_ascii_lowercase().replace(['_', ' '], "");
    !(s == "stable" || s == "empty" || s == "dead")
}

/// A rebalance storm over successive reads of one group (oldest first, [`STORM_MIN_READS`] at
/// least): the group entered a rebalance at least twice, or was rebalancing in at least half of
/// the reads. The remediation names the likely causes that apply: members missing
/// `session.timeout.ms` / `max.poll.interval.ms`, no static membership (`group.instance.id`),
/// an eager assignor.
pub fn rebalance_storm(
    group: &str,
    states: &[String],
    assignor: &str,
    static_membership: bool,
) -> Option<Finding> {
    if states.len() < STORM_MIN_READS {
        return None;
    }
    let rebalancing: Vec<bool> = states.iter().map(|s| is_rebalancing_state(s)).collect();
    let entered =
        rebalancing.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(rebalancing[0]);
    let during = rebalancing.iter().filter(|r| **r).count();
    if entered < 2 && during * 2 < states.len() {
        return None;
    }
    let mut causes = vec![
        "members leave when they miss session.timeout.ms (heartbeats) or max.poll.interval.ms \
         (slow processing between polls): raise max.poll.interval.ms or lower max.poll.records, \
         and look for consumers that crash-loop or restart"
            .to_string(),
    ];
    if !static_membership {
        causes.push(
            "no member sets group.instance.id: every restart or deploy rebalances the whole group; \
             static membership lets a member come back within session.timeout.ms without one"
                .to_string(),
        );
    }
    let a = assignor.to_ascii_lowercase();
    if a == "range" || a == "roundrobin" {
        causes.push(format!(
            "the {assignor} assignor is eager: every rebalance revokes every partition; use \
             partition.assignment.strategy=cooperative-sticky, or group.protocol=consumer (KIP-848)"
        ));
    }
    let trail = states.join(" → ");
    let evidence = Evidence::from_items(
        [group.to_string()],
        format!(
            "entered a rebalance {entered} time(s), rebalancing in {during} of {} reads: {trail}",
            states.len()
        ),
    );
    Some(Finding {
        id: "rebalance-storm".to_string(),
        severity: Severity::Warn,
        title: crate::analysis::finding::titled(
            "Rebalance storm: the group keeps leaving Stable",
            &evidence,
        ),
        evidence,
        remediation: format!("Likely causes: {}.", causes.join("; ")),
    })
}

/// Runs every [`HINT_RULES`] rule on one group; findings come back in rule order.
pub fn group_hints(input: &HintInput<'_>) -> Vec<Finding> {
    HINT_RULES
        .iter()
        .filter_map(|rule| {
            (rule.check)(input).map(|evidence| Finding {
                id: rule.id.to_string(),
                severity: rule.severity,
                title: crate::analysis::finding::titled(
                    &format!("{}: {}", input.members.group, rule.title),
                    &evidence,
                ),
                evidence,
                remediation: rule.doc.to_string(),
            })
        })
        .collect()
}

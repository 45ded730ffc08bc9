//! Lag now, from one offsets snapshot: per partition ([`partition_lag`]), rolled up per topic and
//! group ([`group_lag`]), with never-committed partitions kept apart (lag `None`, never 0).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::burrow::Sample;
use crate::analysis::offset::{Offset, OptOffset};
use crate::snapshot::PartitionOffsets;

#[cfg(test)]
#[path = "current_tests.rs"]
mod tests;

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
    #[serde(with = "OptOffset")]
    pub committed_offset: Option<i64>,
    /// Log start (earliest retained) offset; `null` when unknown.
    #[serde(with = "OptOffset")]
    pub log_start_offset: Option<i64>,
    /// Log end (latest) offset; `null` when unknown.
    #[serde(with = "OptOffset")]
    pub log_end_offset: Option<i64>,
    /// Messages behind the log end (`log_end_offset - committed_offset`, never negative); `null` when `state`
    /// is not `KNOWN`. A `null` lag is unknown, not 0.
    #[serde(with = "OptOffset")]
    pub lag_messages: Option<i64>,
    /// Messages the group will never read because retention deleted them (`log_start_offset -
    /// committed_offset` when the commit is below the log start); `"0"` when none; `null` when unknown.
    #[serde(with = "OptOffset")]
    pub messages_lost_to_retention: Option<i64>,
    /// Never committed: retained messages unread (log end - log start); else null.
    #[serde(with = "OptOffset")]
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
    #[serde(with = "Offset")]
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
    #[serde(with = "Offset")]
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
    #[serde(with = "Offset")]
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
    #[serde(with = "Offset")]
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
    #[serde(with = "Offset")]
    pub messages_lost_to_retention: i64,
    /// Unread messages on never-committed partitions (not in the total).
    #[serde(with = "Offset")]
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
pub(super) fn unread_without_commit(lag: &GroupLag) -> Vec<(&PartitionLag, i64)> {
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
pub(super) fn never_committed_meaning(lag: &GroupLag) -> &'static str {
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

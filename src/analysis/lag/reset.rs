//! Offset reset planning: what each partition's committed offset becomes for a [`ResetSpec`],
//! clamped to the log, and why a reset is refused.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::offset::{Offset, OptOffset};

#[cfg(test)]
#[path = "reset_tests.rs"]
mod tests;

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
    #[serde(with = "OptOffset")]
    pub committed_offset: Option<i64>,
    /// Offset the group will be set to.
    #[serde(with = "Offset")]
    pub new_offset: i64,
    /// Log start offset the plan used.
    #[serde(with = "Offset")]
    pub log_start_offset: i64,
    /// Log end offset the plan used.
    #[serde(with = "Offset")]
    pub log_end_offset: i64,
    /// Set when the target was outside the log and was clamped; `notes` says from what.
    pub clamped_to: Option<ClampedTo>,
    /// Messages the group will process again (new offset before the committed one).
    #[serde(with = "Offset")]
    pub messages_reread: i64,
    /// Retained messages the group will never process (new offset after the committed one).
    #[serde(with = "Offset")]
    pub messages_skipped: i64,
    /// Lag right after the reset, in messages (`log_end_offset - new_offset`).
    #[serde(with = "Offset")]
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
    #[serde(with = "Offset")]
    pub total_messages_reread: i64,
    /// Sum of `messages_skipped`.
    #[serde(with = "Offset")]
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

//! Consumer lag and Burrow-style lag verdicts (OK, WARN, STOP, STALL, REWIND) over a window of offset samples,
//! the per-cluster sample history that feeds them, offset-reset planning and consumer-group hints.
//!
//! Contract: pure. Offsets and samples in, verdicts out; no Kafka, clock or I/O (time comes in as epoch ms), and
//! nothing here imports tokio, rdkafka, rmcp or `crate::kafka`. The shell reads offsets and feeds them in.
//!
//! Offsets are `i64` here and strings on the wire ([`i64_string`]). A partition the group never committed
//! has `committed: None` and lag `None`, never lag 0; librdkafka's `-1001` (`OFFSET_INVALID`) becomes `None`
//! through [`offset_from_raw`], for committed offsets and for log offsets alike.
//!
//! One file per job, tests alongside (`<job>_tests.rs`):
//! - [`current`]: lag now, from one offsets snapshot, per partition, topic and group.
//! - [`burrow`]: Burrow verdicts and the lag trend over a window of samples.
//! - [`history`]: the sample ring per (group, topic, partition) that feeds the windows.
//! - [`reset`]: offset reset planning.
//! - [`hints`]: hints about group membership and commits, rebalance storms.

pub mod burrow;
pub mod current;
pub mod hints;
pub mod history;
pub mod reset;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use burrow::{
    evaluate_group, evaluate_partition, BurrowStatus, ConsumerPresence, EvalConfig, GroupVerdict,
    LagStatus, LagTrend, PartitionVerdict, PartitionWindow, Sample, TrendDirection, WorstPartition,
};
pub use current::{
    group_lag, never_committed_summary, partition_lag, GroupLag, LagPartitionRef, LagState,
    PartitionLag, PartitionOffsets, TopicLag, NEVER_COMMITTED_MEANING,
};
pub use hints::{
    group_hints, is_rebalancing_state, rebalance_storm, GroupMembers, HintInput, HintRule,
    MemberAssignment, HINT_RULES, STORM_MIN_READS,
};
pub use history::{LagHistory, LagHistoryConfig};
pub use reset::{
    no_offsets_to_reset, plan_reset_offsets, ClampedTo, PartitionReset, ResetError, ResetInput,
    ResetPlan, ResetSpec,
};

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

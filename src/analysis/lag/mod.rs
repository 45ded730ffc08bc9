//! Consumer lag and Burrow-style lag verdicts (OK, WARN, STOP, STALL, REWIND) over a window of offset samples,
//! the per-cluster sample history that feeds them, offset-reset planning and consumer-group hints.
//!
//! Contract: pure. Offsets and samples in, verdicts out; no Kafka, clock or I/O (time comes in as epoch ms), and
//! nothing here imports tokio, rdkafka, rmcp or `crate::kafka`. The shell reads offsets and feeds them in.
//!
//! Offsets are `i64` here and strings on the wire ([`Offset`](crate::analysis::offset::Offset)). A partition the group never committed
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
pub mod members;
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
    PartitionLag, TopicLag, NEVER_COMMITTED_MEANING,
};
pub use hints::{
    group_hints, is_rebalancing_state, rebalance_storm, HintInput, HintRule, HINT_RULES,
    STORM_MIN_READS,
};
pub use history::{LagHistory, LagHistoryConfig};
pub use reset::{
    no_offsets_to_reset, plan_reset_offsets, ClampedTo, PartitionReset, ResetError, ResetInput,
    ResetPlan, ResetSpec,
};

pub use crate::analysis::offset::offset_from_raw;

//! Plain data read from Kafka: what the shell (`crate::kafka`) produces and the pure core
//! (`crate::analysis`) and the tools read. No I/O, no Kafka client types: every value can be built
//! by hand in a test or loaded from a recorded fixture. The shell converts librdkafka's answers
//! into these once; nothing from `kafka::ffi` travels further.

pub mod cluster;
pub mod configs;
pub mod group;
pub mod log_dirs;

pub use cluster::*;
pub use configs::{BrokerConfigSnapshot, ConfigsSnapshot, NullKeySample, TopicConfigSnapshot};
pub use group::{CommittedOffset, GroupListing, GroupSnapshot, MemberSnapshot, PartitionOffsets};
pub use log_dirs::{DiskSpace, LogDirSizes};

use std::collections::BTreeMap;

/// (earliest, latest) offset per (topic, partition); `None` where unknown.
pub type LogOffsets = BTreeMap<(String, i32), (Option<i64>, Option<i64>)>;

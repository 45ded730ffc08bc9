//! Partition sizes and disk space as DescribeLogDirs reports them, per broker. Built by the
//! shell (`kafka::log_dirs`), read by the health rules, skew and capacity.

use std::collections::BTreeMap;

use super::LogDirState;

/// Disk space of one broker's log dirs together (DescribeLogDirs v4, Kafka 3.3+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiskSpace {
    /// Capacity of the volumes holding the log dirs, bytes.
    pub total_bytes: u64,
    /// Free space on them, bytes.
    pub usable_bytes: u64,
}

/// What the brokers reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogDirSizes {
    /// Bytes of each current replica: (topic, partition) → broker id → bytes. Future replicas
    /// (moves between log dirs in progress) are left out.
    pub replicas: BTreeMap<(String, i32), BTreeMap<i32, u64>>,
    /// Disk space per broker, when the broker reports it.
    pub disks: BTreeMap<i32, DiskSpace>,
    /// Every log dir of every broker that answered, errored dirs included.
    pub dirs: Vec<LogDirState>,
    /// Brokers (or log dirs) that gave no sizes, with why.
    pub failures: Vec<String>,
}

impl LogDirSizes {
    /// One replica's size: the leader's when it reported, else the largest reported replica.
    pub fn partition_bytes(&self, topic: &str, partition: i32, leader: i32) -> Option<u64> {
        let r = self.replicas.get(&(topic.to_string(), partition))?;
        r.get(&leader)
            .copied()
            .or_else(|| r.values().copied().max())
    }

    /// Bytes of every reported replica together.
    pub fn total_bytes(&self) -> u64 {
        self.replicas.values().flat_map(|r| r.values()).sum()
    }
}

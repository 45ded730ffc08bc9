//! The configs of a cluster as the config audit reads them: per broker and per topic (layout
//! from Metadata, entries with sources from DescribeConfigs), with null-key samples of compacted
//! topics. Built by the shell (`kafka::audit_snapshot`), judged by `analysis::audit`.

use serde::{Deserialize, Serialize};

use super::{ConfigSet, TopicSnapshot};

/// One read of a cluster's configs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigsSnapshot {
    /// Ids of the live brokers (Metadata), sorted. Empty when unknown.
    pub live_broker_ids: Vec<i32>,
    /// Broker configs, one per described broker; need not cover every live broker.
    pub brokers: Vec<BrokerConfigSnapshot>,
    /// Topics with their layout and configs.
    pub topics: Vec<TopicConfigSnapshot>,
}

/// The configs of one broker as DescribeConfigs returned them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BrokerConfigSnapshot {
    /// Broker id (`node.id`).
    pub id: i32,
    /// All entries with their sources; empty when the broker returned none (some Kafka-compatible
    /// brokers).
    pub configs: ConfigSet,
    /// Why there are no configs when DescribeConfigs failed for this broker, e.g. `_TIMED_OUT`.
    pub error: Option<String>,
}

/// One topic: its layout from Metadata and its configs from DescribeConfigs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicConfigSnapshot {
    /// Topic name.
    pub name: String,
    /// Internal topics: `__consumer_offsets`, `__transaction_state`, ...
    pub internal: bool,
    /// Number of partitions.
    pub partitions: u32,
    /// Replication factor (longest replica list).
    pub replication_factor: u32,
    /// Replica broker ids per partition, index = partition id; empty when unknown. Used to build
    /// exact reassignment plans and to count replicas per broker.
    pub assignment: Vec<Vec<i32>>,
    /// All entries with their sources and synonyms.
    pub configs: ConfigSet,
    /// Keys seen in a sample of recent records, when one was taken.
    pub null_key_sample: Option<NullKeySample>,
    /// Records the topic retains now, summed over partitions (high watermark − log start offset;
    /// an upper bound on compacted topics, whose offsets have gaps), when the read took offsets.
    /// `None`: not read, so rules needing a traffic signal skip the topic.
    #[serde(default)]
    pub retained_records: Option<u64>,
}

impl TopicConfigSnapshot {
    /// Builds the audit view of a Metadata topic and its DescribeConfigs entries.
    pub fn from_snapshot(t: &TopicSnapshot, configs: ConfigSet) -> Self {
        let mut parts: Vec<_> = t.partitions.iter().collect();
        parts.sort_by_key(|p| p.id);
        TopicConfigSnapshot {
            name: t.name.clone(),
            internal: t.internal,
            partitions: t.partitions.len() as u32,
            replication_factor: t.replication_factor() as u32,
            assignment: parts.iter().map(|p| p.replicas.clone()).collect(),
            configs,
            null_key_sample: None,
            retained_records: None,
        }
    }
}

/// How many of the sampled recent records of a topic (or of what its producers sent) had a null
/// key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NullKeySample {
    /// Records looked at.
    pub sampled: u64,
    /// Of those, records with a null key.
    pub null_keys: u64,
}

//! Plain data read from Kafka: what the shell (`crate::kafka`) produces and the pure core evaluates.
//! No I/O here; every type can be built by hand in a test or loaded from a recorded fixture.

use serde::{Deserialize, Serialize};

/// One live broker as Metadata / DescribeCluster reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerSnapshot {
    /// `node.id` of the broker.
    pub id: i32,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: u16,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
}

/// One partition as Metadata reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionSnapshot {
    /// Partition id.
    pub id: i32,
    /// Leader broker id; `-1` when there is none.
    pub leader: i32,
    /// Replica broker ids in assignment order (the first is the preferred leader).
    pub replicas: Vec<i32>,
    /// In-sync replica broker ids.
    pub isr: Vec<i32>,
    /// Kafka error name for this partition, e.g. `LEADER_NOT_AVAILABLE`, if any.
    pub error: Option<String>,
}

/// One topic as Metadata reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSnapshot {
    /// Topic name.
    pub name: String,
    /// Internal topics: `__consumer_offsets`, `__transaction_state`, ...
    pub internal: bool,
    /// Partitions, sorted by id.
    pub partitions: Vec<PartitionSnapshot>,
    /// Topic-level error name, if the broker returned one.
    pub error: Option<String>,
}

impl TopicSnapshot {
    /// Replication factor: the longest replica list (partitions of one topic normally agree).
    pub fn replication_factor(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| p.replicas.len())
            .max()
            .unwrap_or(0)
    }
}

/// Where a config value came from, in Kafka's words (DescribeConfigs `ConfigSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConfigSource {
    /// Kafka's built-in default.
    DefaultConfig,
    /// `server.properties` of the broker.
    StaticBrokerConfig,
    /// Set dynamically for one broker.
    DynamicBrokerConfig,
    /// Set dynamically as the cluster-wide default.
    DynamicDefaultBrokerConfig,
    /// Set on the topic.
    DynamicTopicConfig,
    /// Broker logger level.
    DynamicBrokerLoggerConfig,
    /// Client-side group config (KIP-848).
    GroupConfig,
    /// Client metrics config.
    ClientMetricsConfig,
    /// The broker did not say.
    Unknown,
}

impl ConfigSource {
    /// Parses Kafka's enum name (`DEFAULT_CONFIG`, ...); anything else is `Unknown`.
    pub fn parse(s: &str) -> ConfigSource {
        match s {
            "DEFAULT_CONFIG" => ConfigSource::DefaultConfig,
            "STATIC_BROKER_CONFIG" => ConfigSource::StaticBrokerConfig,
            "DYNAMIC_BROKER_CONFIG" => ConfigSource::DynamicBrokerConfig,
            "DYNAMIC_DEFAULT_BROKER_CONFIG" => ConfigSource::DynamicDefaultBrokerConfig,
            "DYNAMIC_TOPIC_CONFIG" => ConfigSource::DynamicTopicConfig,
            "DYNAMIC_BROKER_LOGGER_CONFIG" => ConfigSource::DynamicBrokerLoggerConfig,
            "GROUP_CONFIG" => ConfigSource::GroupConfig,
            "CLIENT_METRICS_CONFIG" => ConfigSource::ClientMetricsConfig,
            _ => ConfigSource::Unknown,
        }
    }

    /// Kafka's enum name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigSource::DefaultConfig => "DEFAULT_CONFIG",
            ConfigSource::StaticBrokerConfig => "STATIC_BROKER_CONFIG",
            ConfigSource::DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBrokerLoggerConfig => "DYNAMIC_BROKER_LOGGER_CONFIG",
            ConfigSource::GroupConfig => "GROUP_CONFIG",
            ConfigSource::ClientMetricsConfig => "CLIENT_METRICS_CONFIG",
            ConfigSource::Unknown => "UNKNOWN",
        }
    }
}

/// One synonym of a config entry (where else the value could have come from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSynonym {
    /// Synonym name, e.g. `log.retention.hours` for `retention.ms`.
    pub name: String,
    /// Its value; `None` when sensitive or unset.
    pub value: Option<String>,
    /// Where it was set.
    pub source: ConfigSource,
}

/// One config entry as DescribeConfigs returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigEntry {
    /// Config name.
    pub name: String,
    /// Effective value; `None` when sensitive (never shown) or null.
    pub value: Option<String>,
    /// Where the effective value came from.
    pub source: ConfigSource,
    /// Kafka marks it sensitive (passwords, keys): its value is never shown.
    pub sensitive: bool,
    /// Cannot be changed dynamically.
    pub read_only: bool,
    /// Synonyms in precedence order (first wins), possibly empty.
    pub synonyms: Vec<ConfigSynonym>,
}

/// The configs of one resource (a topic or a broker).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSet {
    /// Entries, in the order the broker returned them.
    pub entries: Vec<ConfigEntry>,
}

impl ConfigSet {
    /// The entry named `name`, if the broker returned it.
    pub fn get(&self, name: &str) -> Option<&ConfigEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The effective value of `name`, if present and not sensitive.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|e| e.value.as_deref())
    }

    /// The effective value of `name` parsed as an integer.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.value(name).and_then(|v| v.trim().parse().ok())
    }

    /// True when the set carries sources (real Kafka does; some compatible brokers return only
    /// overrides with no sources or defaults).
    pub fn has_sources(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.source != ConfigSource::Unknown)
    }
}

/// A voter or observer in the KRaft metadata quorum (DescribeQuorum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumReplica {
    /// Node id.
    pub id: i32,
    /// Its metadata log end offset; `-1` when unknown (e.g. the node is down).
    pub log_end_offset: i64,
    /// Last time the leader heard from it, epoch ms; `-1` when never.
    pub last_caught_up_timestamp_ms: i64,
    /// Last time it fetched from the leader, epoch ms by the leader's clock; `-1` when never or
    /// not reported (DescribeQuorum v0). The leader reports its own as its current time.
    #[serde(default = "minus_one")]
    pub last_fetch_timestamp_ms: i64,
}

fn minus_one() -> i64 {
    -1
}

/// The KRaft metadata quorum as DescribeQuorum reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumSnapshot {
    /// The active controller (quorum leader) node id.
    pub leader_id: i32,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// Highest committed offset of the metadata log.
    pub high_watermark: i64,
    /// Voters (controllers).
    pub voters: Vec<QuorumReplica>,
    /// Observers (brokers that are not voters).
    pub observers: Vec<QuorumReplica>,
}

impl QuorumSnapshot {
    /// The leader's log end offset, if the leader is among the voters.
    pub fn leader_log_end_offset(&self) -> Option<i64> {
        self.voters
            .iter()
            .find(|v| v.id == self.leader_id)
            .map(|v| v.log_end_offset)
    }

    /// Lag of one replica behind the leader in records (`leader LEO - replica LEO`).
    /// A replica with LEO `-1` lags by `leader LEO + 1`, as Kafka reports it.
    pub fn lag_of(&self, r: &QuorumReplica) -> Option<i64> {
        self.leader_log_end_offset().map(|l| l - r.log_end_offset)
    }
}

/// What we know of the quorum: the answer, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuorumView {
    /// DescribeQuorum answered.
    Known(QuorumSnapshot),
    /// It could not be had; the reason says why (never a guessed controller).
    Unknown {
        /// Why, in words a person can act on.
        reason: String,
        /// The kind of failure, which decides the remediation and whether it means the quorum
        /// itself is down.
        #[serde(default)]
        cause: QuorumUnknownCause,
    },
}

/// Why DescribeQuorum gave no answer, as far as it tells about the cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuorumUnknownCause {
    /// The broker does not implement DescribeQuorum (not KRaft, too old, or a Kafka-compatible
    /// broker).
    Unsupported,
    /// Authentication failed or the principal may not DESCRIBE the CLUSTER.
    Denied,
    /// A live broker accepted DescribeQuorum but no controller answered it in time (brokers
    /// forward it to the active controller), or the quorum reports no leader: the quorum has
    /// probably lost its majority.
    NoController,
    /// No bootstrap broker could be reached for it (connect, TLS, ApiVersions).
    Unreachable,
    /// Anything else (bad settings, an undecodable answer).
    #[default]
    Other,
}

/// Everything `cluster_health` evaluates: one consistent read of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSnapshot {
    /// Cluster id, when DescribeCluster answered.
    pub cluster_id: Option<String>,
    /// Why DescribeCluster failed, if it did (e.g. `_TIMED_OUT` waiting for the controller).
    pub describe_cluster_error: Option<String>,
    /// Live brokers (Metadata).
    pub brokers: Vec<BrokerSnapshot>,
    /// Topics with partitions (Metadata), sorted by name.
    pub topics: Vec<TopicSnapshot>,
    /// KRaft quorum, or why it is unknown.
    pub quorum: QuorumView,
    /// Effective `min.insync.replicas` per topic, where known (DescribeConfigs).
    pub min_isr: std::collections::BTreeMap<String, i64>,
    /// Cluster-wide `min.insync.replicas` fallback for topics missing from `min_isr`.
    pub default_min_isr: Option<i64>,
    /// Why `min.insync.replicas` is unknown for some topics (DescribeConfigs timed out or
    /// failed), when it is: the under/at-min-ISR counts of those topics are then unknown, not 0.
    #[serde(default)]
    pub min_isr_error: Option<String>,
    /// Topics whose DescribeConfigs failed: their `min.insync.replicas` is unknown (the broker
    /// default is not assumed, since the topic may override it).
    #[serde(default)]
    pub min_isr_unread: std::collections::BTreeSet<String>,
    /// Broker endpoints this read found unreachable (a connect refused or timed out, by the
    /// DescribeQuorum probe or a connect probe of the brokers Metadata lists): a broker Metadata
    /// still lists at such an endpoint is not live, whatever stale metadata says.
    #[serde(default)]
    pub unreachable: Vec<UnreachableEndpoint>,
    /// Log directories per broker (DescribeLogDirs), empty when not read; `log_dirs_error` then
    /// says why.
    #[serde(default)]
    pub log_dirs: Vec<LogDirState>,
    /// Why the log directories are unknown (for all or some brokers), if they are.
    #[serde(default)]
    pub log_dirs_error: Option<String>,
    /// When this read was taken, epoch ms by the reader's clock (the shell's; the pure core never
    /// reads a clock). `None` when unknown (old fixtures).
    #[serde(default)]
    pub taken_at_ms: Option<i64>,
}

/// One log directory of one broker, as DescribeLogDirs reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogDirState {
    /// Broker id.
    pub broker: i32,
    /// Path of the log directory on the broker.
    pub dir: String,
    /// Kafka error name for the dir (`KAFKA_STORAGE_ERROR`: offline), if any.
    pub error: Option<String>,
    /// Capacity of the volume holding it, bytes; `None` before DescribeLogDirs v4 (Kafka 3.3).
    pub total_bytes: Option<u64>,
    /// Free space on that volume, bytes; `None` as for `total_bytes`.
    pub usable_bytes: Option<u64>,
    /// Largest topics in this dir, bytes of their replicas here, largest first (at most a few).
    #[serde(default)]
    pub largest_topics: Vec<(String, u64)>,
}

impl LogDirState {
    /// Percentage of the volume in use, when its size is known and non-zero.
    pub fn used_pct(&self) -> Option<f64> {
        match (self.total_bytes, self.usable_bytes) {
            (Some(t), Some(u)) if t > 0 => Some((t.saturating_sub(u)) as f64 * 100.0 / t as f64),
            _ => None,
        }
    }
}

/// A broker endpoint that could not be reached, and how we know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreachableEndpoint {
    /// `host:port` as dialled.
    pub endpoint: String,
    /// What happened, e.g. `connection refused`.
    pub reason: String,
}

/// True for Kafka's internal topics (`__consumer_offsets`, `__transaction_state`, ...).
pub fn is_internal(name: &str) -> bool {
    name.starts_with("__")
}

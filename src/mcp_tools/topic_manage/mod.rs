//! `topic_manage`: list, describe and peek (reads); skew (hot partitions), keys (key spread and
//! partitioner) and plan_capacity (sizing, pure unless a cluster is named); and plans for create /
//! alter configs / add partitions / delete / purge. A plan is validated locally (analysis::topic), then
//! by the broker's `validate_only` where Kafka has one, and stored for `apply_change`. Nothing
//! here writes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::capacity::{self, CapacityInput, CapacityPlan, Headroom, ObservedLoad};
use crate::analysis::glob::glob_match;
use crate::analysis::health;
use crate::analysis::payload::{decode, Payload};
use crate::analysis::skew::{self, KeyDistribution, PartitionLoad, PartitionerGuess, SkewReport};
use crate::analysis::topic::{self as rules, PlanNote};
use crate::error::ToolError;
use crate::snapshot::BrokerSnapshot;
use crate::snapshot::{ConfigSet, ConfigSource, TopicSnapshot};

use crate::app::KafkaMcp;
use crate::kafka::groups::LogOffsets;
use crate::kafka::log_dirs::{self, LogDirSizes};
use crate::kafka::records::{self, OwnedRecord, Start};
use crate::kafka::{admin, groups, topics, Cluster};
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::plans::{write_guard, Change, PlanOut, Precondition};

mod framed;
mod load;
mod plans;
mod read;
mod summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
// No doc on the enum or the field: the tool description lists the actions (schema bytes).
pub enum TopicAction {
    /// Topics with partitions, RF, internal flag (`with_counts` adds messages).
    List,
    /// Topics in detail: id, partitions (leader/replicas/ISR/offline, offsets), configs, health.
    Describe,
    /// Read a few records (never joins a group, never commits).
    Peek,
    /// Each partition's share of messages, bytes and produce rate; hot partitions and the cause.
    Skew,
    /// Sampled keys: null share, hot keys, murmur2 / CRC-32 placement match.
    Keys,
    /// Partitions, brokers and storage for a load; with a cluster, its headroom.
    PlanCapacity,
    /// Plan a new topic.
    PlanCreate,
    /// Plan config changes (IncrementalAlterConfigs).
    PlanAlterConfigs,
    /// Plan growing the partition count.
    PlanAddPartitions,
    /// Plan deleting a topic.
    PlanDelete,
    /// Plan deleting records before an offset or timestamp.
    PlanPurge,
}

/// List order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicSort {
    /// By name.
    #[default]
    Name,
    /// Most partitions first.
    Partitions,
}

/// Where a peek starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeekFrom {
    /// Newest records (default).
    #[default]
    Last,
    /// Oldest retained records.
    First,
}

/// Input of `topic_manage`. Field docs stay short: every byte is in every session's tools/list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicManageInput {
    pub action: TopicAction,
    /// Configured cluster; omit for the default.
    pub cluster: Option<String>,
    /// The topic (not for list).
    pub topic: Option<String>,
    /// describe: more topics (max 20).
    pub topics: Option<Vec<String>>,
    /// list: glob, e.g. `orders.*`.
    pub filter: Option<String>,
    /// list: include `__*` topics.
    #[serde(default)]
    pub include_internal: bool,
    /// list: `name` or `partitions`.
    pub sort: Option<TopicSort>,
    /// list: add message counts.
    #[serde(default)]
    pub with_counts: bool,
    /// Page size (list rows, describe partitions; default 50, max 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// describe: all configs, not only overrides.
    #[serde(default)]
    pub all_configs: bool,
    /// peek/plan_purge: one partition.
    pub partition: Option<i32>,
    /// peek: `last` or `first`.
    pub from: Option<PeekFrom>,
    /// peek: start offset (needs `partition`).
    pub offset: Option<i64>,
    /// peek: start at epoch ms.
    pub timestamp_ms: Option<i64>,
    /// peek: records (default 5, max 100).
    pub count: Option<usize>,
    /// peek: bytes kept per key/value (1024).
    pub max_value_bytes: Option<usize>,
    /// plan_create: count; plan_add_partitions: total.
    pub partitions: Option<i64>,
    /// plan_create: RF (default min(3, brokers)).
    pub replication_factor: Option<i64>,
    /// plan_create/plan_alter_configs: to set.
    pub configs: Option<BTreeMap<String, String>>,
    /// plan_alter_configs: configs to remove.
    pub delete_configs: Option<Vec<String>>,
    /// plan_purge: delete before this offset.
    pub before_offset: Option<i64>,
    /// plan_purge: delete older than epoch ms.
    pub before_timestamp_ms: Option<i64>,
    /// skew/plan_capacity: rate window ms (2000).
    pub window_ms: Option<u64>,
    /// skew: hot above mean + this % (10).
    pub tolerance_pct: Option<f64>,
    /// keys/skew: records per partition (200).
    pub sample_per_partition: Option<usize>,
    /// keys: show keys, not hashes.
    #[serde(default)]
    pub show_keys: bool,
    /// plan_capacity/plan_create: the load.
    #[serde(default, deserialize_with = "capacity_strict")]
    #[schemars(schema_with = "capacity_schema")]
    pub capacity: Option<CapacityInput>,
}

/// `CapacityInput` fields shown in the schema; the others are accepted too, and every default
/// the calculator assumed is named in the answer's `assumptions`, so agents find them there.
const CAPACITY_SHOWN: &[&str] = &[
    "avg_throughput_mb_s",
    "peak_throughput_mb_s",
    "avg_messages_per_s",
    "peak_messages_per_s",
    "avg_message_bytes",
    "retention_ms",
    "replication_factor",
    "consumer_groups",
    "consumer_parallelism",
];

/// Every field name of `CapacityInput`, from its derived schema.
fn capacity_fields() -> Vec<String> {
    let schema = schemars::schema_for!(CapacityInput);
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// `CapacityInput`'s schema cut to [`CAPACITY_SHOWN`] (tools/list budget); names carry units.
fn capacity_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = generator.root_schema_for::<CapacityInput>();
    if let Some(props) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        props.retain(|k, _| CAPACITY_SHOWN.contains(&k.as_str()));
    }
    for k in ["$schema", "title", "description"] {
        schema.remove(k);
    }
    schema
}

/// `capacity`, refusing unknown field names (CapacityInput itself would ignore a typo).
fn capacity_strict<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<CapacityInput>, D::Error> {
    use serde::de::Error as _;
    let Some(map) = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? else {
        return Ok(None);
    };
    let known = capacity_fields();
    if let Some(k) = map.keys().find(|k| !known.contains(k)) {
        return Err(D::Error::custom(format!(
            "unknown capacity field {k:?}; use one of: {}",
            known.join(", ")
        )));
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map(Some)
        .map_err(D::Error::custom)
}

/// A topic in a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TopicRow {
    /// Name.
    pub name: String,
    /// Partitions.
    pub partitions: usize,
    /// Replication factor.
    pub replication_factor: usize,
    /// Internal (`__*`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Retained messages (string; with_counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<String>,
}

/// One partition described.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartitionOut {
    /// Partition id.
    pub partition: i32,
    /// Leader id (-1 offline).
    pub leader: i32,
    /// Replicas (first = preferred leader).
    pub replicas: Vec<i32>,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Replicas on brokers that are not live.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offline_replicas: Vec<i32>,
    /// Earliest offset (string; null when unknown).
    pub earliest: Option<String>,
    /// Latest offset (string; null when unknown).
    pub latest: Option<String>,
    /// latest - earliest (string).
    pub messages: Option<String>,
}

/// A config with its source.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfigOut {
    /// Name.
    pub name: String,
    /// Value (null when sensitive).
    pub value: Option<String>,
    /// DEFAULT_CONFIG, STATIC_BROKER_CONFIG, DYNAMIC_TOPIC_CONFIG, …
    pub source: String,
}

/// One topic described.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TopicDetail {
    /// Name.
    pub name: String,
    /// Topic id, when the broker reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Internal (`__*`).
    pub internal: bool,
    /// Replication factor.
    pub replication_factor: usize,
    /// Partition count.
    pub partition_count: usize,
    /// Retained messages over all partitions (string).
    pub messages: Option<String>,
    /// Health: e.g. "OK", or "2 under-replicated; 1 under min ISR (min.insync.replicas=2)".
    pub health: String,
    /// Configs (non-default only unless all_configs).
    pub configs: Vec<ConfigOut>,
    /// Partitions (one page).
    pub partitions: Vec<PartitionOut>,
    /// Paging of partitions.
    pub partitions_page: PageInfo,
}

/// A record read by peek.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordOut {
    /// Partition.
    pub partition: i32,
    /// Offset (string).
    pub offset: String,
    /// Timestamp, epoch ms.
    pub timestamp_ms: Option<i64>,
    /// Key; null = null key.
    pub key: Option<Payload>,
    /// Value; null = tombstone.
    pub value: Option<Payload>,
    /// Headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Option<Payload>>,
}

/// A topic's skew: the report plus how it was measured.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SkewOut {
    /// The topic.
    pub topic: String,
    /// Window the produce rates were measured over, ms; null when no rate was measured.
    pub rate_window_ms: Option<u64>,
    /// True when every partition's size came from DescribeLogDirs (see notes otherwise).
    pub sizes_known: bool,
    /// Shares, hot/cold partitions and likely causes.
    #[serde(flatten)]
    pub report: SkewReport,
}

/// What a cluster carries now, as measured by plan_capacity.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ObservedOut {
    /// Topics measured (one with `topic`, else every non-internal topic).
    pub topics: usize,
    /// Window of the offset deltas, ms.
    pub window_ms: u64,
    /// Records produced per second over the window, all measured partitions.
    pub messages_per_s: f64,
    /// Bytes per record used to turn the rate into MB/s; null when unknown.
    pub avg_message_bytes: Option<f64>,
    /// Where that size came from: `describe_log_dirs` (on disk), `given`, or `sampled` (newest
    /// records, uncompressed: overstates compressed topics).
    pub message_bytes_source: Option<String>,
    /// Where storage_used_gb came from: `describe_log_dirs` or `estimated` (messages × size × RF).
    pub storage_source: Option<String>,
    /// The load handed to the headroom calculation; null when the record size is unknown.
    pub load: Option<ObservedLoad>,
}

/// plan_capacity's answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SizingOut {
    /// Partitions, brokers and storage with numbered reasoning; null when no throughput was
    /// given or observed.
    pub plan: Option<CapacityPlan>,
    /// The cluster's current load (with `cluster` or `topic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<ObservedOut>,
    /// How much more the cluster takes before the target utilisation (with `cluster`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headroom: Option<Headroom>,
}

/// Output of `topic_manage`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TopicManageOutput {
    /// The action answered.
    pub action: String,
    /// Cluster name.
    pub cluster: String,
    /// list: one page of topics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<TopicRow>>,
    /// list paging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// describe: the topics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub described: Option<Vec<TopicDetail>>,
    /// peek: the records, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<RecordOut>>,
    /// plan_*: the plan to apply with apply_change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanOut>,
    /// skew: per-partition shares, hot partitions, causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skew: Option<SkewOut>,
    /// keys (and skew): the key sample's distribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeyDistribution>,
    /// plan_capacity: plan, observed load, headroom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizing: Option<SizingOut>,
    /// Notes and limitations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl TopicManageOutput {
    fn new(action: &str, cluster: &str) -> Self {
        TopicManageOutput {
            action: action.into(),
            cluster: cluster.into(),
            topics: None,
            page: None,
            described: None,
            records: None,
            plan: None,
            skew: None,
            keys: None,
            sizing: None,
            notes: vec![],
        }
    }
}

fn need_topic(input: &TopicManageInput) -> Result<&str, ToolError> {
    input
        .topic
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ToolError::invalid(
                "this action needs `topic`: call topic_manage action=list to see the topic names",
            )
        })
}

#[tool_router(router = topic_manage_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Topics. Reads: list, describe, peek (no group), skew (hot partitions, cause), keys (hot keys,
    /// partitioner), plan_capacity (sizing; pure unless cluster/topic given). plan_* return plan_id
    /// + impact for apply_change.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<TopicManageOutput>()
    )]
    pub async fn topic_manage(
        &self,
        Parameters(input): Parameters<TopicManageInput>,
    ) -> Result<Answer<TopicManageOutput>, ToolError> {
        let out = self.topic_manage_output(&input).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The topic_manage answer (shared with the `kafka://{cluster}/topics/{topic}` resource).
    pub async fn topic_manage_output(
        &self,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        if input.action == TopicAction::PlanCapacity {
            return self.plan_capacity(input).await;
        }
        let cluster = self.cluster(input.cluster.as_deref())?;
        match input.action {
            TopicAction::List => self.topics_list(&cluster, input).await,
            TopicAction::Describe => self.topics_describe(&cluster, input).await,
            TopicAction::Peek => self.topics_peek(&cluster, input).await,
            TopicAction::Skew => self.topics_skew(&cluster, input).await,
            TopicAction::Keys => self.topics_keys(&cluster, input).await,
            TopicAction::PlanCapacity => self.plan_capacity(input).await,
            TopicAction::PlanCreate => self.plan_create(&cluster, input).await,
            TopicAction::PlanAlterConfigs => self.plan_alter(&cluster, input).await,
            TopicAction::PlanAddPartitions => self.plan_add_partitions(&cluster, input).await,
            TopicAction::PlanDelete => self.plan_delete(&cluster, input).await,
            TopicAction::PlanPurge => self.plan_purge(&cluster, input).await,
        }
    }
}

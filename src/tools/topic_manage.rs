//! `topic_manage`: list, describe and peek (reads); skew (hot partitions), keys (key spread and
//! partitioner) and plan_capacity (sizing, pure unless a cluster is named); and plans for create /
//! alter configs / add partitions / delete / purge. A plan is validated locally (topic_rules), then
//! by the broker's `validate_only` where Kafka has one, and stored for `apply_change`. Nothing
//! here writes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::capacity::{
    self, BrokerCapacity, CapacityInput, CapacityPlan, Headroom, ObservedLoad,
};
use crate::analysis::glob::glob_match;
use crate::analysis::health;
use crate::analysis::skew::{
    self, KeyDistribution, KeyOptions, PartitionLoad, PartitionerGuess, SampledRecord, SkewReport,
};
use crate::analysis::snapshot::BrokerSnapshot;
use crate::analysis::snapshot::{ConfigSet, ConfigSource, TopicSnapshot};
use crate::analysis::topic::{self as rules, PlanNote};
use crate::error::ToolError;
use crate::kafka::ffi::{OffsetSpec, ResourceType};
use crate::kafka::groups::LogOffsets;
use crate::kafka::log_dirs::{self, LogDirSizes};
use crate::kafka::records::{self, OwnedRecord, Start};
use crate::kafka::{admin, groups, topics, Cluster};
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::plans::{write_guard, Change, PlanOut, Precondition};
use crate::server::KafkaMcp;

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

/// A decoded key or value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Payload {
    /// json, utf8 or base64.
    pub encoding: String,
    /// The decoded data (JSON value for json).
    pub data: serde_json::Value,
    /// Size in bytes.
    pub bytes: usize,
    /// True when cut to max_value_bytes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
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

impl Summary for TopicManageOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let (Some(t), Some(p)) = (&self.topics, &self.page) {
            s.push_str(&format!(
                "{} topic(s) on {} (showing {})",
                p.total,
                self.cluster,
                t.len()
            ));
            for r in t.iter().take(15) {
                s.push_str(&format!(
                    "\n- {} p={} rf={}",
                    r.name, r.partitions, r.replication_factor
                ));
                if let Some(m) = &r.messages {
                    s.push_str(&format!(" msgs={m}"));
                }
            }
        }
        if let Some(d) = &self.described {
            for t in d {
                s.push_str(&format!(
                    "{}: {} partition(s), RF {}, {} message(s); health: {}\n",
                    t.name,
                    t.partition_count,
                    t.replication_factor,
                    t.messages.as_deref().unwrap_or("?"),
                    t.health
                ));
            }
        }
        if let Some(r) = &self.records {
            s.push_str(&format!("{} record(s)", r.len()));
            for x in r.iter().take(5) {
                let v = x
                    .value
                    .as_ref()
                    .map(|v| v.data.to_string())
                    .unwrap_or_else(|| "null".into());
                s.push_str(&format!(
                    "\n- p{}@{}: {}",
                    x.partition,
                    x.offset,
                    v.chars().take(120).collect::<String>()
                ));
            }
        }
        if let Some(k) = &self.skew {
            summarize_skew(&mut s, k);
        }
        if let Some(k) = &self.keys {
            summarize_keys(&mut s, k);
        }
        if let Some(z) = &self.sizing {
            summarize_sizing(&mut s, z);
        }
        if let Some(p) = &self.plan {
            s.push_str(&format!(
                "plan {}: {}\nnext: {}",
                p.plan_id, p.summary, p.next
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A value's wire name (`storage`, not `Storage`).
fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn summarize_skew(s: &mut String, k: &SkewOut) {
    let r = &k.report;
    let ids = |v: &[i32]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|p| format!("p{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    s.push_str(&format!(
        "{}: {} partition(s) by {}; busiest {:.2}× the mean; hot: {}; cold: {} (tolerance {:.0}%)",
        k.topic,
        r.partitions.len(),
        match r.basis {
            skew::SkewBasis::RateMsgS => format!(
                "produce rate ({:.1} msg/s over {} ms)",
                r.total_rate_msg_s.unwrap_or(0.0),
                k.rate_window_ms.unwrap_or(0)
            ),
            skew::SkewBasis::Messages => format!("messages ({} retained)", r.total_messages),
        },
        r.max_vs_mean,
        ids(&r.hot_partitions),
        ids(&r.cold_partitions),
        r.tolerance * 100.0
    ));
    for p in r.partitions.iter().filter(|p| p.hot || p.cold).take(10) {
        s.push_str(&format!(
            "\n- p{}: {} msgs, share {}{}{}",
            p.partition,
            p.messages,
            pct(p.share),
            p.rate_msg_s
                .map(|r| format!(", {r:.1} msg/s"))
                .unwrap_or_default(),
            p.bytes.map(|b| format!(", {b} B")).unwrap_or_default()
        ));
    }
    for c in &r.causes {
        s.push_str(&format!("\ncause {}: {}", c.id, c.message));
    }
    s.push('\n');
}

fn partitioner_words(k: &KeyDistribution) -> String {
    let (m, c) = (
        pct(k.murmur2_match_ratio.unwrap_or(0.0)),
        pct(k.crc32_match_ratio.unwrap_or(0.0)),
    );
    match k.partitioner_guess {
        PartitionerGuess::Murmur2 => format!("murmur2 (Java default, librdkafka murmur2_random): {m} of keyed records on its partition"),
        PartitionerGuess::LibrdkafkaConsistent => {
            format!("librdkafka's default consistent_random (CRC-32): {c} match, murmur2 only {m}; Java producers would place these keys elsewhere")
        }
        PartitionerGuess::Other => format!(
            "neither murmur2 ({m}) nor CRC-32 ({c}): a custom partitioner, explicit partitions, or partitions added after these records were written"
        ),
        PartitionerGuess::Unknown => "unknown (fewer than 20 keyed records, or one partition)".to_string(),
    }
}

fn summarize_keys(s: &mut String, k: &KeyDistribution) {
    s.push_str(&format!(
        "{} record(s) sampled: {} null key(s) ({}), {} distinct key(s); placement: {}",
        k.sampled_records,
        k.null_key_records,
        pct(k.null_key_share),
        k.distinct_keys,
        partitioner_words(k)
    ));
    // Keys seen once say nothing here; the first is shown whatever its count.
    for t in k
        .top_keys
        .iter()
        .enumerate()
        .filter(|(i, t)| *i == 0 || t.records > 1)
        .map(|(_, t)| t)
        .take(5)
    {
        let share = match t.share_of_topic {
            Some(topic) => format!(
                "~{} of the topic, {} of the sample",
                pct(topic),
                pct(t.share_of_sample)
            ),
            None => format!(
                "{} of the sample, not weighted by partition size",
                pct(t.share_of_sample)
            ),
        };
        s.push_str(&format!(
            "\n- key {}{}: {} record(s) ({share}), partitions {:?}, murmur2 → p{}",
            t.key_hash,
            t.key
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default(),
            t.records,
            t.partitions,
            t.murmur2_partition
        ));
    }
    s.push('\n');
}

fn summarize_sizing(s: &mut String, z: &SizingOut) {
    if let Some(p) = &z.plan {
        s.push_str(&format!(
            "plan: {} partition(s), {} broker(s) (needed {}, limited by {}), storage {:.1} GB ({:.1} GB per broker)",
            p.partitions,
            p.brokers,
            p.brokers_needed,
            wire(&p.limited_by),
            p.storage_gb,
            p.storage_per_broker_gb
        ));
        for step in &p.steps {
            s.push_str(&format!("\n{step}"));
        }
        for w in &p.warnings {
            s.push_str(&format!("\nwarning: {w}"));
        }
        s.push('\n');
    }
    if let Some(o) = &z.observed {
        s.push_str(&format!(
            "observed: {:.1} msg/s over {} ms on {} topic(s)",
            o.messages_per_s, o.window_ms, o.topics
        ));
        if let Some(l) = &o.load {
            s.push_str(&format!(
                ", {:.3} MB/s in, {} broker(s), RF {}, {:.3} GB stored",
                l.ingress_mb_s, l.brokers, l.replication_factor, l.storage_used_gb
            ));
        }
        s.push('\n');
    }
    if let Some(h) = &z.headroom {
        match h.ingress_scale_to_target {
            Some(x) => s.push_str(&format!(
                "headroom: ingress can grow {:.1}× ({:+.2} MB/s) before {} reaches the target",
                x,
                h.ingress_headroom_mb_s.unwrap_or(0.0),
                wire(&h.binding)
            )),
            None => s.push_str(&format!(
                "headroom: no ingress now; {} is the most used resource",
                wire(&h.binding)
            )),
        }
        for w in &h.warnings {
            s.push_str(&format!("\nwarning: {w}"));
        }
        s.push('\n');
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

/// Decodes bytes as JSON, else UTF-8, else base64, keeping at most `max` bytes.
pub fn decode(bytes: &[u8], max: usize) -> Payload {
    let truncated = bytes.len() > max;
    let kept = &bytes[..bytes.len().min(max)];
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !truncated {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
                if v.is_object() || v.is_array() {
                    return Payload {
                        encoding: "json".into(),
                        data: v,
                        bytes: bytes.len(),
                        truncated: false,
                    };
                }
            }
        }
        let mut end = kept.len();
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return Payload {
            encoding: "utf8".into(),
            data: text[..end].into(),
            bytes: bytes.len(),
            truncated,
        };
    }
    Payload {
        encoding: "base64".into(),
        data: base64::engine::general_purpose::STANDARD
            .encode(kept)
            .into(),
        bytes: bytes.len(),
        truncated,
    }
}

fn record_out(r: &OwnedRecord, max: usize) -> RecordOut {
    RecordOut {
        partition: r.partition,
        offset: r.offset.to_string(),
        timestamp_ms: r.timestamp_ms,
        key: r.key.as_deref().map(|k| decode(k, max)),
        value: r.value.as_deref().map(|v| decode(v, max)),
        headers: r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_deref().map(|v| decode(v, max))))
            .collect(),
    }
}

fn notes_text(notes: &[PlanNote]) -> Vec<String> {
    notes
        .iter()
        .map(|n| format!("[{:?}] {}: {}", n.severity, n.id, n.message))
        .collect()
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

    async fn topics_list(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let (_, mut all) = admin::metadata(cluster, None).await?;
        all.retain(|t| {
            (input.include_internal || !t.internal)
                && input
                    .filter
                    .as_deref()
                    .is_none_or(|f| glob_match(f, &t.name))
        });
        let sort = input.sort.unwrap_or_default();
        if sort == TopicSort::Partitions {
            all.sort_by(|a, b| {
                b.partitions
                    .len()
                    .cmp(&a.partitions.len())
                    .then(a.name.cmp(&b.name))
            });
        }
        let scope = format!(
            "topics:{:?}:{}:{:?}",
            input.filter, input.include_internal, sort
        );
        let (page, info) = paginate(all, input.limit, input.cursor.as_deref(), &scope)
            .map_err(ToolError::invalid)?;
        let counts = if input.with_counts {
            let parts: BTreeSet<(String, i32)> = page
                .iter()
                .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
                .collect();
            Some(groups::log_offsets(cluster, &parts).await?)
        } else {
            None
        };
        let rows = page
            .iter()
            .map(|t| TopicRow {
                name: t.name.clone(),
                partitions: t.partitions.len(),
                replication_factor: t.replication_factor(),
                internal: t.internal,
                messages: counts.as_ref().map(|c| {
                    t.partitions
                        .iter()
                        .map(|p| match c.get(&(t.name.clone(), p.id)) {
                            Some((Some(lo), Some(hi))) => (hi - lo).max(0),
                            _ => 0,
                        })
                        .sum::<i64>()
                        .to_string()
                }),
            })
            .collect();
        let mut out = TopicManageOutput::new("list", &cluster.config.name);
        out.topics = Some(rows);
        out.page = Some(info);
        Ok(out)
    }

    async fn topic_meta(
        &self,
        cluster: &Arc<Cluster>,
        topic: &str,
    ) -> Result<(usize, TopicSnapshot), ToolError> {
        let (brokers, t) = self.topic_with_brokers(cluster, topic).await?;
        Ok((brokers.len(), t))
    }

    async fn topic_with_brokers(
        &self,
        cluster: &Arc<Cluster>,
        topic: &str,
    ) -> Result<(Vec<BrokerSnapshot>, TopicSnapshot), ToolError> {
        let (brokers, all) = admin::metadata_of(cluster, &[topic.to_string()]).await?;
        match all.into_iter().find(|t| t.name == topic) {
            Some(t) if !t.partitions.is_empty() => Ok((brokers, t)),
            Some(t) if t.error.as_deref().is_some_and(|e| e.contains("Authorization")) => Err(ToolError::refused(format!(
                "not authorized to describe topic {topic:?} ({}): grant this principal DESCRIBE on the topic",
                t.error.as_deref().unwrap_or_default()
            ))),
            _ => Err(ToolError::not_found(format!(
                "topic {topic:?} does not exist on cluster {}. Call topic_manage action=list (with filter) to find the name.",
                cluster.config.name
            ))),
        }
    }

    async fn topics_describe(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let mut names: Vec<String> = input.topics.clone().unwrap_or_default();
        if let Some(t) = &input.topic {
            names.insert(0, t.clone());
        }
        names.dedup();
        if names.is_empty() {
            return Err(ToolError::invalid("describe needs `topic` or `topics`: call topic_manage action=list to see the names"));
        }
        if names.len() > 20 {
            return Err(ToolError::invalid(
                "describe takes at most 20 topics per call: send them in batches of 20",
            ));
        }
        let (brokers, all) = admin::metadata_of(cluster, &names).await?;
        let live: BTreeSet<i32> = brokers.iter().map(|b| b.id).collect();
        let mut found = Vec::new();
        for n in &names {
            match all.iter().find(|t| &t.name == n && !t.partitions.is_empty()) {
                Some(t) => found.push(t.clone()),
                None => {
                    return Err(ToolError::not_found(format!(
                        "topic {n:?} does not exist. Call topic_manage action=list with a filter to find it."
                    )))
                }
            }
        }
        let parts: BTreeSet<(String, i32)> = found
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect();
        let mut resources: Vec<(ResourceType, String)> = found
            .iter()
            .map(|t| (ResourceType::Topic, t.name.clone()))
            .collect();
        if let Some(b) = brokers.first() {
            resources.push((ResourceType::Broker, b.id.to_string()));
        }
        let (ends, cfgs, ids) = tokio::join!(
            groups::log_offsets(cluster, &parts),
            admin::describe_configs(cluster, resources),
            topics::topic_ids(cluster, names.clone())
        );
        let ends = ends?;
        let mut out = TopicManageOutput::new("describe", &cluster.config.name);
        let mut cfg_by_topic: BTreeMap<String, ConfigSet> = BTreeMap::new();
        let mut broker_min_isr = None;
        match cfgs {
            Ok(rows) => {
                for (kind, name, r) in rows {
                    match (kind, r) {
                        (ResourceType::Topic, Ok(set)) => {
                            cfg_by_topic.insert(name, set);
                        }
                        (ResourceType::Broker, Ok(set)) => {
                            broker_min_isr = set.int("min.insync.replicas")
                        }
                        (_, Err(e)) => out.notes.push(format!("configs of {name}: {e}")),
                        _ => {}
                    }
                }
            }
            Err(e) => out.notes.push(format!("DescribeConfigs failed: {e}")),
        }
        let ids = ids.unwrap_or_else(|e| {
            out.notes.push(format!("topic ids unknown: {e}"));
            BTreeMap::new()
        });
        let mut described = Vec::new();
        for t in &found {
            // A topic whose configs were not returned has an unknown min ISR: the broker default
            // stands in only for a topic whose answer lacked the key (a broker that returns
            // overrides only), never for an answer that did not come.
            let answered = cfg_by_topic.get(&t.name);
            let set = answered.cloned().unwrap_or_default();
            if !set.has_sources() && !set.entries.is_empty() {
                out.notes.push(format!("the broker returned configs of {} without sources or defaults (only overrides): real Kafka returns every effective config with its source", t.name));
            }
            let min_isr = match answered {
                Some(set) => set.int("min.insync.replicas").or(broker_min_isr),
                None => None,
            };
            let mut urp = Vec::new();
            let mut under = Vec::new();
            let mut at = Vec::new();
            let mut offline = Vec::new();
            let mut total: Option<i64> = Some(0);
            let mut rows = Vec::new();
            for p in &t.partitions {
                let st = health::partition_state(p, min_isr);
                let name = format!("{}-{}", t.name, p.id);
                for (hit, list) in [
                    (st.under_replicated, &mut urp),
                    (st.under_min_isr, &mut under),
                    (st.at_min_isr, &mut at),
                    (st.offline, &mut offline),
                ] {
                    if hit {
                        list.push(name.clone());
                    }
                }
                let (lo, hi) = ends
                    .get(&(t.name.clone(), p.id))
                    .copied()
                    .unwrap_or((None, None));
                let msgs = match (lo, hi) {
                    (Some(lo), Some(hi)) => Some((hi - lo).max(0)),
                    _ => None,
                };
                total = total.zip(msgs).map(|(a, b)| a + b);
                rows.push(PartitionOut {
                    partition: p.id,
                    leader: p.leader,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    offline_replicas: p
                        .replicas
                        .iter()
                        .copied()
                        .filter(|r| !live.contains(r))
                        .collect(),
                    earliest: lo.map(|v| v.to_string()),
                    latest: hi.map(|v| v.to_string()),
                    messages: msgs.map(|v| v.to_string()),
                });
            }
            let mut health = Vec::new();
            if !offline.is_empty() {
                health.push(format!(
                    "{} offline: {}",
                    offline.len(),
                    first_few(&offline)
                ));
            }
            if !urp.is_empty() {
                health.push(format!(
                    "{} under-replicated: {}",
                    urp.len(),
                    first_few(&urp)
                ));
            }
            match min_isr {
                Some(m) if !under.is_empty() => health.push(format!(
                    "{} under min ISR (min.insync.replicas={m}): {}; acks=all producers fail",
                    under.len(),
                    first_few(&under)
                )),
                Some(m) if !at.is_empty() => health.push(format!(
                    "{} at min ISR (min.insync.replicas={m}): {}",
                    at.len(),
                    first_few(&at)
                )),
                None if answered.is_none() => health.push(
                    "min.insync.replicas unknown (its configs were not returned, see notes): ISR checks skipped"
                        .into(),
                ),
                None => health.push("min.insync.replicas unknown: ISR checks skipped".into()),
                _ => {}
            }
            let (page, info) = paginate(
                rows,
                input.limit,
                input.cursor.as_deref(),
                &format!("describe:{}", t.name),
            )
            .map_err(ToolError::invalid)?;
            described.push(TopicDetail {
                name: t.name.clone(),
                topic_id: ids.get(&t.name).cloned().flatten(),
                internal: t.internal,
                replication_factor: t.replication_factor(),
                partition_count: t.partitions.len(),
                messages: total.map(|v| v.to_string()),
                health: if health.is_empty() {
                    "OK".into()
                } else {
                    health.join("; ")
                },
                configs: set
                    .entries
                    .iter()
                    .filter(|e| input.all_configs || e.source != ConfigSource::DefaultConfig)
                    .map(|e| ConfigOut {
                        name: e.name.clone(),
                        value: if e.sensitive { None } else { e.value.clone() },
                        source: e.source.as_str().to_string(),
                    })
                    .collect(),
                partitions: page,
                partitions_page: info,
            });
        }
        out.described = Some(described);
        Ok(out)
    }

    async fn topics_peek(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let count = input.count.unwrap_or(5);
        if count == 0 || count > 100 {
            return Err(ToolError::invalid(format!("count must be 1..=100 (got {count}); pass a smaller count, or page with from/offset")));
        }
        let max = input.max_value_bytes.unwrap_or(1024).clamp(16, 65_536);
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let all: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let parts = match input.partition {
            Some(p) if all.contains(&p) => vec![p],
            Some(p) => {
                return Err(ToolError::invalid(format!(
                    "topic {topic:?} has partitions 0..={}; partition {p} does not exist: pass one in that range, or omit `partition`",
                    all.len() - 1
                )))
            }
            None => all,
        };
        let start = match (input.offset, input.timestamp_ms) {
            (Some(_), Some(_)) => {
                return Err(ToolError::invalid(
                    "give `offset` or `timestamp_ms`, not both: remove one of them",
                ))
            }
            (Some(o), None) => {
                if input.partition.is_none() {
                    return Err(ToolError::invalid(
                        "`offset` needs `partition` (offsets are per partition)",
                    ));
                }
                if o < 0 {
                    return Err(ToolError::invalid(
                        "`offset` must be >= 0; use from=last for the newest records",
                    ));
                }
                Start::Offset(o)
            }
            (None, Some(ts)) => Start::Timestamp(ts),
            (None, None) => match input.from.unwrap_or_default() {
                PeekFrom::Last => Start::Last,
                PeekFrom::First => Start::First,
            },
        };
        let (ranges, _) = records::plan_ranges(cluster, topic, &parts, start, count as i64).await?;
        let total_range: i64 = ranges.iter().map(|r| r.to - r.from).sum();
        let (mut recs, incomplete) = records::read_ranges(
            cluster,
            ranges,
            (total_range as usize).min(count * parts.len()),
        )
        .await?;
        // Merge partitions: newest N by timestamp for `last`, oldest N otherwise.
        recs.sort_by_key(|r| (r.timestamp_ms.unwrap_or(0), r.partition, r.offset));
        if start == Start::Last && recs.len() > count {
            recs.drain(..recs.len() - count);
        }
        recs.truncate(count);
        let mut out = TopicManageOutput::new("peek", &cluster.config.name);
        if incomplete {
            out.notes.push(format!(
                "stopped at the {} ms deadline: fewer records than asked",
                cluster.timeout.as_millis()
            ));
        }
        if recs.is_empty() {
            out.notes.push(
                "no records in the requested range (empty topic or partition, or past the end)"
                    .into(),
            );
        }
        out.records = Some(recs.iter().map(|r| record_out(r, max)).collect());
        Ok(out)
    }

    async fn topics_skew(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let tolerance_pct = input
            .tolerance_pct
            .unwrap_or(self.config().skew_tolerance * 100.0);
        if !(tolerance_pct.is_finite() && (0.0..=1000.0).contains(&tolerance_pct)) {
            return Err(ToolError::invalid(format!(
                "tolerance_pct {tolerance_pct} is out of range: pass a percent from 0 to 1000 above the mean that makes a partition hot (default 10)"
            )));
        }
        let window = window(input)?;
        let per = sample_size(input)?;
        let (brokers, t) = self.topic_with_brokers(cluster, topic).await?;
        let parts: BTreeSet<(String, i32)> = t
            .partitions
            .iter()
            .map(|p| (t.name.clone(), p.id))
            .collect();
        let ids: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let (measured, sampled, sizes) = tokio::join!(
            measure(cluster, &parts, window),
            sample(cluster, topic, &ids, per),
            topic_sizes(cluster, &brokers, &t)
        );
        let (offsets, rates) = measured?;
        let mut out = TopicManageOutput::new("skew", &cluster.config.name);
        let sizes = known_sizes(sizes, &mut out.notes);
        let mut unknown = Vec::new();
        let loads: Vec<PartitionLoad> = t
            .partitions
            .iter()
            .map(|p| {
                let k = (t.name.clone(), p.id);
                let messages = match offsets.get(&k).copied() {
                    Some((Some(lo), Some(hi))) => (hi - lo).max(0),
                    _ => {
                        unknown.push(p.id);
                        0
                    }
                };
                PartitionLoad {
                    partition: p.id,
                    messages,
                    bytes: sizes
                        .as_ref()
                        .and_then(|s| s.partition_bytes(topic, p.id, p.leader)),
                    rate_msg_s: rates
                        .as_ref()
                        .and_then(|r| r.per_partition.get(&k).copied()),
                }
            })
            .collect();
        if !unknown.is_empty() {
            out.notes.push(format!("offsets of partition(s) {unknown:?} unknown (leader offline?): counted as 0 messages, no rate"));
        }
        let records: BTreeMap<i32, i64> = loads
            .iter()
            .filter(|l| !unknown.contains(&l.partition))
            .map(|l| (l.partition, l.messages))
            .collect();
        let records = unknown.is_empty().then_some(&records);
        let keys = match sampled {
            Ok(sample) => sample.distribution(&t, input.show_keys, records, &mut out.notes)?,
            Err(e) => {
                out.notes.push(format!(
                    "key sample failed, causes that need keys are not judged: {e}"
                ));
                None
            }
        };
        let report = skew::analyze_skew(&loads, keys.as_ref(), tolerance_pct / 100.0)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        if let Some(r) = &rates {
            if report.basis == skew::SkewBasis::Messages && report.total_messages > 0 {
                out.notes.push(format!(
                    "nothing was produced during the {} ms window: shares are of retained messages (history), not current traffic; raise window_ms to catch a slow producer",
                    r.window_ms
                ));
            }
        }
        out.skew = Some(SkewOut {
            topic: topic.to_string(),
            rate_window_ms: rates.as_ref().map(|r| r.window_ms),
            sizes_known: loads.iter().all(|l| l.bytes.is_some()),
            report,
        });
        out.keys = keys;
        Ok(out)
    }

    async fn topics_keys(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let per = sample_size(input)?;
        if per == 0 {
            return Err(ToolError::invalid(format!(
                "keys needs `sample_per_partition` of 1..={MAX_SAMPLE} (default {DEFAULT_SAMPLE}): pass a positive count"
            )));
        }
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let ids: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let parts: BTreeSet<(String, i32)> = ids.iter().map(|p| (t.name.clone(), *p)).collect();
        // Partition sizes weigh each partition's sample, so a key's share is of the topic.
        let (sampled, offsets) = tokio::join!(
            sample(cluster, topic, &ids, per),
            groups::log_offsets(cluster, &parts)
        );
        let sampled = sampled?;
        let mut out = TopicManageOutput::new("keys", &cluster.config.name);
        let records: Option<BTreeMap<i32, i64>> = match offsets {
            Ok(o) => ids
                .iter()
                .map(|p| match o.get(&(t.name.clone(), *p)) {
                    Some((Some(lo), Some(hi))) => Some((*p, (hi - lo).max(0))),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                out.notes.push(format!(
                    "partition offsets unknown ({e}): key shares are of the sample only"
                ));
                None
            }
        };
        out.keys = sampled.distribution(&t, input.show_keys, records.as_ref(), &mut out.notes)?;
        if let Some(k) = &out.keys {
            if k.partitioner_guess == PartitionerGuess::Other {
                out.notes.push("placement matches no known partitioner: if partitions were added, older records sit where the old count put them; otherwise check the producers' partitioner".into());
            }
        }
        Ok(out)
    }

    async fn plan_capacity(
        &self,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let cap_err = |e: capacity::CapacityError| ToolError::invalid(format!("capacity: {e}"));
        if input.cluster.is_none() && input.topic.is_none() {
            let given = input.capacity.as_ref().ok_or_else(|| {
                ToolError::invalid(
                    "plan_capacity needs `capacity`, e.g. {\"avg_throughput_mb_s\": 20, \"peak_throughput_mb_s\": 50, \"retention_ms\": 604800000}; add `cluster` to also measure a cluster's headroom",
                )
            })?;
            let plan = capacity::plan_capacity(given).map_err(cap_err)?;
            let mut out = TopicManageOutput::new("plan_capacity", "none");
            out.sizing = Some(SizingOut {
                plan: Some(plan),
                observed: None,
                headroom: None,
            });
            out.notes.push("pure calculation, no cluster read: pass `cluster` (or `topic`) to compare with a cluster's observed load".into());
            return Ok(out);
        }
        let cluster = self.cluster(input.cluster.as_deref())?;
        let window = window(input)?;
        if window.as_millis() < 100 {
            return Err(ToolError::invalid("plan_capacity with a cluster measures produce rates over window_ms: pass at least 100 (default 2000)"));
        }
        let mut cap = input.capacity.clone().unwrap_or_default();
        let (brokers, all) = admin::metadata(&cluster, None).await?;
        let scope: Vec<TopicSnapshot> = match input.topic.as_deref() {
            Some(name) => vec![all.into_iter().find(|t| t.name == name && !t.partitions.is_empty()).ok_or_else(|| {
                ToolError::not_found(format!("topic {name:?} does not exist on cluster {}. Call topic_manage action=list to find it.", cluster.config.name))
            })?],
            None => all.into_iter().filter(|t| !t.internal && !t.partitions.is_empty()).collect(),
        };
        let parts: BTreeSet<(String, i32)> = scope
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect();
        let dir_topics: Option<BTreeMap<String, Vec<i32>>> = input.topic.as_ref().map(|_| {
            scope
                .iter()
                .map(|t| (t.name.clone(), t.partitions.iter().map(|p| p.id).collect()))
                .collect()
        });
        let (measured, sizes) = tokio::join!(
            measure(&cluster, &parts, window),
            log_dirs::describe_log_dirs(&cluster, &brokers, dir_topics.as_ref())
        );
        let (offsets, rates) = measured?;
        let rates = rates.unwrap_or_default();
        let mut out = TopicManageOutput::new("plan_capacity", &cluster.config.name);
        let sizes = known_sizes(sizes, &mut out.notes);
        let messages_per_s: f64 = rates.per_partition.values().sum();
        let messages: i64 = offsets
            .values()
            .filter_map(|&(lo, hi)| Some((hi? - lo?).max(0)))
            .sum();

        // Bytes per record: on disk when the brokers report sizes, else given, else sampled.
        let mut on_disk: (u64, i64) = (0, 0);
        if let Some(s) = &sizes {
            for t in &scope {
                for p in &t.partitions {
                    if let (Some(b), Some((Some(lo), Some(hi)))) = (
                        s.partition_bytes(&t.name, p.id, p.leader),
                        offsets.get(&(t.name.clone(), p.id)),
                    ) {
                        on_disk.0 += b;
                        on_disk.1 += (hi - lo).max(0);
                    }
                }
            }
        }
        let (size, size_source) = if on_disk.0 > 0 && on_disk.1 > 0 {
            (
                Some(on_disk.0 as f64 / on_disk.1 as f64),
                Some("describe_log_dirs"),
            )
        } else if let Some(b) = cap.avg_message_bytes {
            (Some(b), Some("given"))
        } else {
            match sample_sizes(&cluster, &rates, &offsets).await {
                Ok(Some(b)) => (Some(b), Some("sampled")),
                Ok(None) => (None, None),
                Err(e) => {
                    out.notes
                        .push(format!("record sizes could not be sampled: {e}"));
                    (None, None)
                }
            }
        };
        let rf = typical_rf(&scope);
        let (storage_gb, storage_source) = match (&sizes, input.topic.is_some()) {
            (Some(s), false) => (
                Some(s.total_bytes() as f64 / 1e9),
                Some("describe_log_dirs"),
            ),
            (Some(s), true) => (
                Some(
                    s.replicas
                        .iter()
                        .filter(|((t, _), _)| scope.iter().any(|x| &x.name == t))
                        .flat_map(|(_, r)| r.values())
                        .sum::<u64>() as f64
                        / 1e9,
                ),
                Some("describe_log_dirs"),
            ),
            (None, _) => (
                size.map(|b| messages as f64 * b * f64::from(rf) / 1e9),
                size.map(|_| "estimated"),
            ),
        };
        let groups_n = cap.consumer_groups.unwrap_or(1);
        let load = match (size, storage_gb) {
            (Some(b), Some(st)) if !brokers.is_empty() => {
                let ingress = messages_per_s * b / 1e6;
                Some(ObservedLoad {
                    ingress_mb_s: ingress,
                    egress_mb_s: ingress * f64::from(groups_n),
                    replication_factor: rf,
                    brokers: brokers.len() as u32,
                    storage_used_gb: st,
                })
            }
            _ => {
                out.notes.push("record size unknown (no sizes from the brokers, no capacity.avg_message_bytes, nothing to sample): headroom not computed".into());
                None
            }
        };
        let headroom = match &load {
            Some(l) => {
                if cap.consumer_groups.is_none() {
                    out.notes.push("egress assumes 1 consumer group reads everything; set capacity.consumer_groups for the real fan-out".into());
                }
                let disk_gb = cap.broker_disk_gb.or_else(|| {
                    let d = sizes
                        .as_ref()?
                        .disks
                        .values()
                        .map(|d| d.total_bytes)
                        .min()?;
                    Some(d as f64 / 1e9)
                });
                if disk_gb.is_none() {
                    out.notes.push(format!(
                        "broker disk size unknown: assumed {} GB (set capacity.broker_disk_gb)",
                        capacity::DEFAULT_BROKER_DISK_GB
                    ));
                }
                let bc = BrokerCapacity {
                    broker_network_mb_s: cap
                        .broker_network_mb_s
                        .unwrap_or(capacity::DEFAULT_BROKER_NETWORK_MB_S),
                    broker_disk_gb: disk_gb.unwrap_or(capacity::DEFAULT_BROKER_DISK_GB),
                    target_utilization: cap
                        .target_utilization
                        .unwrap_or(capacity::DEFAULT_TARGET_UTILIZATION),
                };
                Some(capacity::headroom(l, &bc).map_err(cap_err)?)
            }
            None => None,
        };
        if input.topic.is_some() {
            out.notes.push(format!("observed load and headroom count only topic {:?}; omit `topic` for the whole cluster", input.topic.as_deref().unwrap_or("")));
        }

        // The plan: the given load, or the observed one when none is given.
        cap.broker_count.get_or_insert(brokers.len().max(1) as u32);
        let given = cap.avg_throughput_mb_s.is_some()
            || cap.peak_throughput_mb_s.is_some()
            || cap.avg_messages_per_s.is_some()
            || cap.peak_messages_per_s.is_some();
        let observed_mb = load.as_ref().map(|l| l.ingress_mb_s).filter(|v| *v > 0.0);
        if !given {
            if let Some(mb) = observed_mb {
                cap.avg_throughput_mb_s = Some(mb);
                cap.replication_factor.get_or_insert(rf);
                out.notes.push(format!(
                    "no throughput in `capacity`: planned for the observed {mb:.3} MB/s (a peak is unknown from one window: set capacity.peak_throughput_mb_s)"
                ));
            }
        }
        let plan = if given || observed_mb.is_some() {
            Some(capacity::plan_capacity(&cap).map_err(cap_err)?)
        } else {
            out.notes.push("no throughput given and none observed: no plan; send capacity.avg_throughput_mb_s (and peak) to size a load".into());
            None
        };
        if let (true, Some(p), Some(h)) = (given, &plan, &headroom) {
            if let Some(room) = h.ingress_headroom_mb_s {
                out.notes.push(if p.peak_throughput_mb_s <= room {
                    format!(
                        "the planned peak {:.2} MB/s fits in the cluster's remaining headroom of {room:.2} MB/s (binding: {})",
                        p.peak_throughput_mb_s,
                        wire(&h.binding)
                    )
                } else {
                    format!(
                        "the planned peak {:.2} MB/s exceeds the cluster's remaining headroom of {room:.2} MB/s (binding: {}): add brokers first",
                        p.peak_throughput_mb_s,
                        wire(&h.binding)
                    )
                });
            }
        }
        out.sizing = Some(SizingOut {
            plan,
            observed: Some(ObservedOut {
                topics: scope.len(),
                window_ms: rates.window_ms,
                messages_per_s,
                avg_message_bytes: size,
                message_bytes_source: size_source.map(str::to_string),
                storage_source: storage_source.map(str::to_string),
                load,
            }),
            headroom,
        });
        Ok(out)
    }

    fn guard(&self, cluster: &Cluster, topic: &str) -> Result<(), ToolError> {
        write_guard(topic, self.config()).map_err(ToolError::refused)?;
        if !cluster.config.allow_writes {
            // Plans are still useful to review, but say up front that applying needs writes.
            tracing::debug!(cluster = %cluster.config.name, "planning on a read-only cluster");
        }
        Ok(())
    }

    fn finish_plan(
        &self,
        cluster: &Cluster,
        action: &str,
        (change, pre): (Change, Precondition),
        summary: String,
        impact: serde_json::Value,
        mut warnings: Vec<String>,
    ) -> TopicManageOutput {
        if !cluster.config.allow_writes {
            warnings.push("writes are disabled for this cluster: apply_change will refuse this plan until the server runs with --allow-writes".into());
        }
        let stored = self
            .state()
            .plans
            .insert(&cluster.config.name, change, pre, summary);
        self.audit_plan(
            &cluster.config.name,
            &format!("topic_manage.{action}"),
            &stored,
        );
        let mut out = TopicManageOutput::new(action, &cluster.config.name);
        out.plan = Some(PlanOut::new(&stored, impact, warnings));
        out
    }

    async fn plan_create(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (brokers, all) = admin::metadata(cluster, None).await?;
        let existing: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        let mut notes = rules::check_new_topic_name(topic, &existing)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let rf = input
            .replication_factor
            .or_else(|| {
                input
                    .capacity
                    .as_ref()
                    .and_then(|c| c.replication_factor)
                    .map(i64::from)
            })
            .unwrap_or_else(|| brokers.len().clamp(1, 3) as i64);
        let sizing = match &input.capacity {
            Some(c) => {
                let mut c = c.clone();
                c.broker_count.get_or_insert(brokers.len().max(1) as u32);
                c.replication_factor = Some(u32::try_from(rf).unwrap_or(0));
                Some(
                    capacity::plan_capacity(&c)
                        .map_err(|e| ToolError::invalid(format!("capacity: {e}")))?,
                )
            }
            None => None,
        };
        let partitions = match (input.partitions, &sizing) {
            (Some(p), _) => p,
            (None, Some(plan)) => i64::from(plan.partitions),
            (None, None) => {
                return Err(ToolError::invalid(
                    "plan_create needs `partitions` (e.g. 6), or `capacity` (e.g. {\"peak_throughput_mb_s\": 50}) to size them",
                ))
            }
        };
        notes.extend(
            rules::check_new_topic_layout(partitions, rf, brokers.len())
                .map_err(|e| ToolError::invalid(e.to_string()))?,
        );
        let configs = input.configs.clone().unwrap_or_default();
        rules::validate_configs(configs.iter()).map_err(|errs| {
            ToolError::invalid(
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        topics::create_topic(cluster, topic, partitions as i32, rf as i32, &configs, true).await?;
        let summary = format!(
            "create topic {topic} with {partitions} partition(s), RF {rf}{}",
            if configs.is_empty() {
                String::new()
            } else {
                format!(", configs {configs:?}")
            }
        );
        let mut impact = serde_json::json!({"new_partitions": partitions, "replicas_created": partitions * rf, "broker_validated": true});
        let mut warnings = notes_text(&notes);
        if let Some(plan) = &sizing {
            let recommended = i64::from(plan.partitions);
            if partitions < recommended {
                warnings.push(format!(
                    "partitions {partitions} is below the {recommended} the capacity calculator recommends for this load (see impact.sizing.steps): \
                     adding partitions later moves keys to other partitions"
                ));
            }
            warnings.extend(plan.warnings.iter().map(|w| format!("sizing: {w}")));
            impact["sizing"] = serde_json::json!({
                "recommended_partitions": plan.partitions,
                "brokers_needed": plan.brokers_needed,
                "limited_by": plan.limited_by,
                "storage_per_broker_gb": plan.storage_per_broker_gb,
                "assumptions": plan.assumptions,
                "steps": plan.steps,
            });
        }
        Ok(self.finish_plan(
            cluster,
            "plan_create",
            (
                Change::CreateTopic {
                    topic: topic.into(),
                    partitions: partitions as i32,
                    replication_factor: rf as i32,
                    configs,
                },
                Precondition::TopicAbsent(topic.into()),
            ),
            summary,
            impact,
            warnings,
        ))
    }

    async fn current_configs(
        &self,
        cluster: &Arc<Cluster>,
        topic: &str,
    ) -> Result<ConfigSet, ToolError> {
        let rows = admin::describe_configs(cluster, vec![(ResourceType::Topic, topic.to_string())])
            .await?;
        match rows.into_iter().next() {
            Some((_, _, Ok(set))) => Ok(set),
            Some((_, _, Err(e))) => Err(e.into()),
            None => Ok(ConfigSet::default()),
        }
    }

    async fn plan_alter(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let set = input.configs.clone().unwrap_or_default();
        let delete = input.delete_configs.clone().unwrap_or_default();
        if set.is_empty() && delete.is_empty() {
            return Err(ToolError::invalid(
                "plan_alter_configs needs `configs` to set and/or `delete_configs` to remove",
            ));
        }
        if let Some(k) = delete.iter().find(|k| set.contains_key(*k)) {
            return Err(ToolError::invalid(format!("{k:?} is both set and deleted: pick one (remove it from `configs` or `delete_configs`)")));
        }
        let current = self.current_configs(cluster, topic).await?;
        let mut changes: Vec<rules::ConfigChange> = set
            .iter()
            .map(|(k, v)| rules::ConfigChange {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect();
        for k in &delete {
            if rules::topic_config_spec(k).is_none() {
                return Err(ToolError::invalid(format!(
                    "unknown topic config {k:?}{}",
                    rules::suggest_topic_config(k)
                        .map(|s| format!("; did you mean {s:?}?"))
                        .unwrap_or_default()
                )));
            }
            changes.push(rules::ConfigChange {
                key: k.clone(),
                value: None,
            });
        }
        let facts = rules::TopicFacts {
            replication_factor: Some(t.replication_factor() as i32),
            smallest_isr: t.partitions.iter().map(|p| p.isr.len() as i32).min(),
            null_key_share: None,
        };
        let impact = rules::config_change_impact(&current, &changes, &facts).map_err(|errs| {
            ToolError::invalid(
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        topics::alter_topic_configs(cluster, topic, &set, &delete, true).await?;
        let mut warnings = Vec::new();
        if !current.has_sources() {
            warnings.push("the broker returned no config sources/defaults: old values in the impact may be incomplete".into());
        }
        let touched: BTreeMap<String, Option<String>> = set
            .keys()
            .chain(delete.iter())
            .map(|k| (k.clone(), current.value(k).map(str::to_string)))
            .collect();
        let summary = format!(
            "alter configs of {topic}: set {}{}",
            set.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            if delete.is_empty() {
                String::new()
            } else {
                format!("; delete {}", delete.join(", "))
            }
        );
        Ok(self.finish_plan(
            cluster,
            "plan_alter_configs",
            (
                Change::AlterTopicConfigs {
                    topic: topic.into(),
                    set,
                    delete,
                },
                Precondition::TopicUnchanged {
                    topic: topic.into(),
                    partitions: t.partitions.len(),
                    configs: touched,
                },
            ),
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }

    async fn plan_add_partitions(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let requested = input.partitions.ok_or_else(|| {
            ToolError::invalid("plan_add_partitions needs `partitions`: the new total count")
        })?;
        let current = t.partitions.len() as i32;
        if requested > i32::MAX as i64 || requested < 1 {
            return Err(ToolError::invalid(format!(
                "partitions must be between {} and {}",
                current + 1,
                i32::MAX
            )));
        }
        let cfg = self
            .current_configs(cluster, topic)
            .await
            .unwrap_or_default();
        let compacted = cfg
            .value("cleanup.policy")
            .is_some_and(|v| v.contains("compact"));
        let impact = rules::add_partitions_impact(current, requested as i32, compacted)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        topics::create_partitions(cluster, topic, requested as usize, true).await?;
        let summary = format!(
            "add partitions to {topic}: {current} -> {requested} ({:.0} % of keys move to another partition)",
            impact.keys_move_fraction * 100.0
        );
        let warnings = notes_text(&impact.notes);
        Ok(self.finish_plan(
            cluster,
            "plan_add_partitions",
            (
                Change::AddPartitions {
                    topic: topic.into(),
                    from: current,
                    to: requested as i32,
                },
                Precondition::TopicUnchanged {
                    topic: topic.into(),
                    partitions: t.partitions.len(),
                    configs: BTreeMap::new(),
                },
            ),
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }

    /// Offsets per partition and the committed offsets of every group on `topic`.
    async fn topic_usage(
        &self,
        cluster: &Arc<Cluster>,
        t: &TopicSnapshot,
    ) -> Result<
        (
            Vec<rules::PartitionOffsets>,
            Vec<rules::GroupCommit>,
            Vec<String>,
        ),
        ToolError,
    > {
        let parts: BTreeSet<(String, i32)> = t
            .partitions
            .iter()
            .map(|p| (t.name.clone(), p.id))
            .collect();
        let ends = groups::log_offsets(cluster, &parts).await?;
        let offsets = t
            .partitions
            .iter()
            .map(|p| {
                let (lo, hi) = ends
                    .get(&(t.name.clone(), p.id))
                    .copied()
                    .unwrap_or((None, None));
                rules::PartitionOffsets {
                    partition: p.id,
                    log_start_offset: lo.unwrap_or(0),
                    end_offset: hi.unwrap_or(0),
                    size_bytes: None,
                }
            })
            .collect();
        let mut notes = Vec::new();
        let mut commits = Vec::new();
        match groups::list_groups(cluster).await {
            Ok((listed, errs)) => {
                notes.extend(
                    errs.into_iter()
                        .map(|e| format!("groups partly unknown: {e}")),
                );
                let ids: Vec<String> = listed.into_iter().map(|g| g.group_id).collect();
                for (g, r) in groups::committed_many(cluster, &ids).await {
                    match r {
                        Ok(rows) => commits.extend(
                            rows.into_iter()
                                .filter(|c| c.topic == t.name)
                                .filter_map(|c| {
                                    c.offset.map(|o| rules::GroupCommit {
                                        group: g.clone(),
                                        partition: c.partition,
                                        committed_offset: o,
                                    })
                                }),
                        ),
                        Err(e) => notes.push(format!("offsets of group {g} unknown: {e}")),
                    }
                }
            }
            Err(e) => notes.push(format!("consumer groups unknown: {e}")),
        }
        Ok((offsets, commits, notes))
    }

    async fn plan_delete(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let (offsets, commits, notes) = self.topic_usage(cluster, &t).await?;
        let impact = rules::delete_topic_impact(topic, &offsets, &commits);
        let summary = format!(
            "delete topic {topic}: {} partition(s), {} message(s) lost, {} group(s) still committed on it",
            impact.partitions,
            impact.messages_lost,
            impact.groups_with_commits.len()
        );
        let mut warnings = notes_text(&impact.notes);
        warnings.extend(notes);
        warnings.push("Kafka has no dry run for DeleteTopics: this plan was validated locally (name, existence, protection)".into());
        Ok(self.finish_plan(
            cluster,
            "plan_delete",
            (
                Change::DeleteTopic {
                    topic: topic.into(),
                },
                Precondition::TopicUnchanged {
                    topic: topic.into(),
                    partitions: t.partitions.len(),
                    configs: BTreeMap::new(),
                },
            ),
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }

    async fn plan_purge(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let parts: Vec<i32> = match input.partition {
            Some(p) if t.partitions.iter().any(|x| x.id == p) => vec![p],
            Some(p) => {
                return Err(ToolError::invalid(format!(
                    "partition {p} does not exist in {topic:?} ({} partitions): pass one in range, or omit `partition` for all",
                    t.partitions.len()
                )))
            }
            None => t.partitions.iter().map(|p| p.id).collect(),
        };
        let targets: Vec<rules::PurgeTarget> = match (
            input.before_offset,
            input.before_timestamp_ms,
        ) {
            (Some(o), None) => parts
                .iter()
                .map(|p| rules::PurgeTarget {
                    partition: *p,
                    before_offset: o,
                })
                .collect(),
            (None, Some(ts)) => {
                if ts > crate::plans::now_ms() + 60_000 {
                    return Err(ToolError::invalid("before_timestamp_ms is in the future: that would delete every record; pass a past timestamp or use before_offset"));
                }
                let keys: BTreeSet<(String, i32)> =
                    parts.iter().map(|p| (topic.to_string(), *p)).collect();
                let at = groups::list_offsets(
                    cluster,
                    &keys,
                    crate::kafka::ffi::OffsetSpec::Timestamp(ts),
                )
                .await?;
                let ends = groups::log_offsets(cluster, &keys).await?;
                parts
                    .iter()
                    .map(|p| {
                        let k = (topic.to_string(), *p);
                        // No record at/after ts: everything in the partition is older.
                        let end = ends.get(&k).and_then(|(_, hi)| *hi).unwrap_or(0);
                        rules::PurgeTarget {
                            partition: *p,
                            before_offset: at.get(&k).copied().flatten().unwrap_or(end),
                        }
                    })
                    .collect()
            }
            _ => {
                return Err(ToolError::invalid(
                    "plan_purge needs `before_offset` or `before_timestamp_ms` (exactly one): pass the offset, or the epoch ms, to delete records before",
                ))
            }
        };
        let (offsets, commits, notes) = self.topic_usage(cluster, &t).await?;
        let offsets: Vec<rules::PartitionOffsets> = offsets
            .into_iter()
            .filter(|o| parts.contains(&o.partition))
            .collect();
        let impact = rules::purge_impact(topic, &offsets, &targets, &commits)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let before: Vec<(i32, String)> = targets
            .iter()
            .map(|t| (t.partition, t.before_offset.to_string()))
            .collect();
        let summary = format!(
            "purge {topic}: delete {} record(s) on {} partition(s)",
            impact.messages_removed_total,
            before.len()
        );
        let mut warnings = notes_text(&impact.notes);
        warnings.extend(notes);
        Ok(self.finish_plan(
            cluster,
            "plan_purge",
            (
                Change::PurgeTopic {
                    topic: topic.into(),
                    before,
                },
                Precondition::TopicUnchanged {
                    topic: topic.into(),
                    partitions: t.partitions.len(),
                    configs: BTreeMap::new(),
                },
            ),
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }
}

/// Default window between the two reads of the latest offsets, ms.
const DEFAULT_WINDOW_MS: u64 = 2_000;
/// Longest window a call may ask for, ms (the call blocks that long).
const MAX_WINDOW_MS: u64 = 30_000;
/// Records sampled per partition by default (keys, skew).
const DEFAULT_SAMPLE: usize = 200;
/// Most records a call may sample per partition.
const MAX_SAMPLE: usize = 2_000;
/// Most records one sample holds over all partitions; the per-partition count shrinks to fit.
const MAX_SAMPLE_TOTAL: usize = 50_000;

fn window(input: &TopicManageInput) -> Result<Duration, ToolError> {
    let ms = input.window_ms.unwrap_or(DEFAULT_WINDOW_MS);
    if ms > MAX_WINDOW_MS {
        return Err(ToolError::invalid(format!(
            "window_ms {ms} is too long: pass at most {MAX_WINDOW_MS} (0 skips the rate)"
        )));
    }
    Ok(Duration::from_millis(ms))
}

fn sample_size(input: &TopicManageInput) -> Result<usize, ToolError> {
    let n = input.sample_per_partition.unwrap_or(DEFAULT_SAMPLE);
    if n > MAX_SAMPLE {
        return Err(ToolError::invalid(format!(
            "sample_per_partition {n} is too many: pass at most {MAX_SAMPLE} (0 skips the key sample)"
        )));
    }
    Ok(n)
}

/// Produce rates from two reads of the latest offsets.
#[derive(Debug, Default)]
struct Rates {
    /// Records per second per (topic, partition), where both reads answered.
    per_partition: BTreeMap<(String, i32), f64>,
    /// Time between the two reads, ms.
    window_ms: u64,
}

/// Earliest/latest offsets now, and (unless `window` is zero) the latest again `window` later:
/// records per second from the delta, timed between the midpoints of the two calls.
async fn measure(
    cluster: &Arc<Cluster>,
    parts: &BTreeSet<(String, i32)>,
    window: Duration,
) -> Result<(LogOffsets, Option<Rates>), ToolError> {
    let s0 = Instant::now();
    let first = groups::log_offsets(cluster, parts).await?;
    let e0 = Instant::now();
    if window.is_zero() || parts.is_empty() {
        return Ok((first, None));
    }
    tokio::time::sleep(window).await;
    let s1 = Instant::now();
    let second = groups::list_offsets(cluster, parts, OffsetSpec::Latest).await?;
    let e1 = Instant::now();
    let elapsed = (s1 + (e1 - s1) / 2) - (s0 + (e0 - s0) / 2);
    let secs = elapsed.as_secs_f64().max(1e-3);
    let per_partition = parts
        .iter()
        .filter_map(|k| {
            let a = first.get(k)?.1?;
            let b = (*second.get(k)?)?;
            Some((k.clone(), (b - a).max(0) as f64 / secs))
        })
        .collect();
    Ok((
        first,
        Some(Rates {
            per_partition,
            window_ms: elapsed.as_millis() as u64,
        }),
    ))
}

/// The newest records of some partitions, read without a group.
struct Sample {
    records: Vec<OwnedRecord>,
    /// Records asked per partition (after the total cap).
    per_partition: usize,
    /// What was asked before the cap.
    asked: usize,
    /// The deadline passed before every range was read.
    incomplete: bool,
}

impl Sample {
    /// The key distribution of the sample (None when nothing was sampled), with notes.
    fn distribution(
        &self,
        t: &TopicSnapshot,
        show_keys: bool,
        partition_records: Option<&BTreeMap<i32, i64>>,
        notes: &mut Vec<String>,
    ) -> Result<Option<KeyDistribution>, ToolError> {
        if self.asked == 0 {
            return Ok(None);
        }
        if self.per_partition < self.asked {
            notes.push(format!(
                "sample cut to {} record(s) per partition to hold at most {MAX_SAMPLE_TOTAL}",
                self.per_partition
            ));
        }
        if self.incomplete {
            notes.push("the deadline passed while sampling: key figures come from fewer records than asked".into());
        }
        if self.records.is_empty() {
            notes.push("no records to sample: the topic is empty".into());
            return Ok(None);
        }
        let mut per: BTreeMap<i32, usize> = BTreeMap::new();
        for r in &self.records {
            *per.entry(r.partition).or_default() += 1;
        }
        let full = per.values().filter(|n| **n >= self.per_partition).count();
        if full > 0 && full < t.partitions.len() || partition_records.is_none() {
            notes.push(format!(
                "the sample holds the newest {} record(s) of each partition (fewer where a partition has fewer): share_of_sample weighs partitions equally; share_of_topic weighs them by their record counts{}",
                self.per_partition,
                if partition_records.is_none() { " (unknown here: partition offsets were not read)" } else { "" }
            ));
        }
        let n = t.partitions.iter().map(|p| p.id + 1).max().unwrap_or(0);
        let recs: Vec<SampledRecord> = self
            .records
            .iter()
            .map(|r| SampledRecord {
                partition: r.partition,
                key: r.key.as_deref(),
            })
            .collect();
        let opts = KeyOptions {
            show_keys,
            ..KeyOptions::default()
        };
        skew::analyze_keys_weighted(&recs, n, &opts, partition_records)
            .map(Some)
            .map_err(|e| ToolError::invalid(e.to_string()))
    }
}

async fn sample(
    cluster: &Arc<Cluster>,
    topic: &str,
    parts: &[i32],
    asked: usize,
) -> Result<Sample, ToolError> {
    if asked == 0 || parts.is_empty() {
        return Ok(Sample {
            records: Vec::new(),
            per_partition: 0,
            asked,
            incomplete: false,
        });
    }
    let per = asked.min((MAX_SAMPLE_TOTAL / parts.len()).max(1));
    let (ranges, _) = records::plan_ranges(cluster, topic, parts, Start::Last, per as i64).await?;
    let total: i64 = ranges.iter().map(|r| (r.to - r.from).max(0)).sum();
    let (records, incomplete) = records::read_ranges(cluster, ranges, total as usize).await?;
    Ok(Sample {
        records,
        per_partition: per,
        asked,
        incomplete,
    })
}

/// Average size (key + value + headers) of the newest records of the busiest partitions.
async fn sample_sizes(
    cluster: &Arc<Cluster>,
    rates: &Rates,
    offsets: &LogOffsets,
) -> Result<Option<f64>, ToolError> {
    let mut busiest: Vec<(&(String, i32), f64)> = offsets
        .iter()
        .filter(|(_, (lo, hi))| matches!((lo, hi), (Some(lo), Some(hi)) if hi > lo))
        .map(|(k, _)| (k, rates.per_partition.get(k).copied().unwrap_or(0.0)))
        .collect();
    busiest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for ((t, p), _) in busiest.into_iter().take(8) {
        by_topic.entry(t.as_str()).or_default().push(*p);
    }
    let mut ranges = Vec::new();
    for (t, ps) in by_topic {
        ranges.extend(
            records::plan_ranges(cluster, t, &ps, Start::Last, 25)
                .await?
                .0,
        );
    }
    let max = ranges.iter().map(|r| (r.to - r.from).max(0) as usize).sum();
    let (recs, _) = records::read_ranges(cluster, ranges, max).await?;
    if recs.is_empty() {
        return Ok(None);
    }
    let bytes: usize = recs
        .iter()
        .map(|r| {
            r.key.as_ref().map_or(0, Vec::len)
                + r.value.as_ref().map_or(0, Vec::len)
                + r.headers
                    .iter()
                    .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len))
                    .sum::<usize>()
        })
        .sum();
    Ok(Some(bytes as f64 / recs.len() as f64))
}

/// DescribeLogDirs for the brokers holding `t`'s replicas.
async fn topic_sizes(
    cluster: &Arc<Cluster>,
    brokers: &[BrokerSnapshot],
    t: &TopicSnapshot,
) -> Result<LogDirSizes, String> {
    let hosting: BTreeSet<i32> = t
        .partitions
        .iter()
        .flat_map(|p| p.replicas.iter().copied())
        .collect();
    let asked: Vec<BrokerSnapshot> = brokers
        .iter()
        .filter(|b| hosting.contains(&b.id))
        .cloned()
        .collect();
    let topics = BTreeMap::from([(t.name.clone(), t.partitions.iter().map(|p| p.id).collect())]);
    log_dirs::describe_log_dirs(cluster, &asked, Some(&topics)).await
}

/// Sizes when known; why not (or which brokers failed) goes to `notes`.
fn known_sizes(sizes: Result<LogDirSizes, String>, notes: &mut Vec<String>) -> Option<LogDirSizes> {
    match sizes {
        Ok(s) => {
            notes.extend(
                s.failures
                    .iter()
                    .map(|f| format!("sizes partly unknown: {f}")),
            );
            Some(s)
        }
        Err(reason) => {
            notes.push(format!("partition sizes unknown: {reason}"));
            None
        }
    }
}

/// The replication factor most partitions have (1 when there are none).
fn typical_rf(topics: &[TopicSnapshot]) -> u32 {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for t in topics {
        for p in &t.partitions {
            *counts.entry(p.replicas.len()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(rf, _)| *rf > 0)
        .max_by_key(|(rf, n)| (*n, *rf))
        .map_or(1, |(rf, _)| rf as u32)
}

/// The first names, then how many more: `orders-0, orders-3, orders-5 (+2 more)`.
fn first_few(names: &[String]) -> String {
    use crate::analysis::finding::{Evidence, TITLE_ITEMS};
    Evidence::from_items(names.iter().cloned(), "")
        .names(TITLE_ITEMS)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_prefers_json_then_utf8_then_base64() {
        assert_eq!(decode(br#"{"a":1}"#, 100).encoding, "json");
        let p = decode(b"hello", 100);
        assert_eq!(
            (p.encoding.as_str(), p.data.as_str()),
            ("utf8", Some("hello"))
        );
        let p = decode(&[0xff, 0x00, 0x10], 100);
        assert_eq!(p.encoding, "base64");
        assert_eq!(p.data, "/wAQ");
        let p = decode("héllo wörld".as_bytes(), 2);
        assert!(p.truncated);
        assert_eq!(p.data, "h");
        // A number is valid JSON, but shown as text.
        assert_eq!(decode(b"42", 100).encoding, "utf8");
    }
}

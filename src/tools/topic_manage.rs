//! `topic_manage`: list, describe and peek (reads), and plans for create / alter configs / add
//! partitions / delete / purge. A plan is validated locally (topic_rules), then by the broker's
//! `validate_only` where Kafka has one, and stored for `apply_change`. Nothing here writes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use base64::Engine as _;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::glob::glob_match;
use crate::analysis::health;
use crate::analysis::snapshot::{ConfigSet, ConfigSource, TopicSnapshot};
use crate::analysis::topic_rules::{self as rules, PlanNote};
use crate::error::ToolError;
use crate::kafka::ffi::ResourceType;
use crate::kafka::records::{self, OwnedRecord, Start};
use crate::kafka::{admin, groups, topics, Cluster};
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::plans::{write_guard, Change, PlanOut, Precondition};
use crate::server::KafkaMcp;

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicAction {
    /// Topics with partitions, RF, internal flag (`with_counts` adds messages).
    List,
    /// Topics in detail: id, partitions (leader/replicas/ISR/offline, offsets), configs, health.
    Describe,
    /// Read a few records (never joins a group, never commits).
    Peek,
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

/// Input of `topic_manage`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicManageInput {
    /// list | describe | peek | plan_create | plan_alter_configs | plan_add_partitions | plan_delete | plan_purge.
    pub action: TopicAction,
    /// Configured cluster; omit for the default.
    pub cluster: Option<String>,
    /// The topic (every action but list; describe also takes `topics`).
    pub topic: Option<String>,
    /// describe: several topics (max 20).
    pub topics: Option<Vec<String>>,
    /// list: glob on names, e.g. `orders.*`.
    pub filter: Option<String>,
    /// list: include internal topics (`__*`). Default false.
    #[serde(default)]
    pub include_internal: bool,
    /// list: `name` or `partitions`.
    pub sort: Option<TopicSort>,
    /// list: add message counts for the page's topics.
    #[serde(default)]
    pub with_counts: bool,
    /// Page size (list rows, describe partitions; default 50, max 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// describe: every config, not only non-default ones.
    #[serde(default)]
    pub all_configs: bool,
    /// peek/plan_purge: one partition (default: all).
    pub partition: Option<i32>,
    /// peek: `last` (default) or `first`.
    pub from: Option<PeekFrom>,
    /// peek: start at this offset (needs `partition`).
    pub offset: Option<i64>,
    /// peek: start at this timestamp (epoch ms).
    pub timestamp_ms: Option<i64>,
    /// peek: records to return (default 5, max 100).
    pub count: Option<usize>,
    /// peek: bytes kept per key/value (default 1024, max 65536).
    pub max_value_bytes: Option<usize>,
    /// plan_create: partition count; plan_add_partitions: the new total.
    pub partitions: Option<i64>,
    /// plan_create: replication factor (default min(3, live brokers)).
    pub replication_factor: Option<i64>,
    /// plan_create / plan_alter_configs: configs to set, e.g. {"retention.ms": "604800000"}.
    pub configs: Option<BTreeMap<String, String>>,
    /// plan_alter_configs: configs to remove (revert to the inherited value).
    pub delete_configs: Option<Vec<String>>,
    /// plan_purge: delete records before this offset (with `partition`, or on every partition).
    pub before_offset: Option<i64>,
    /// plan_purge: delete records older than this timestamp (epoch ms).
    pub before_timestamp_ms: Option<i64>,
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
            notes: vec![],
        }
    }
}

impl Summary for TopicManageOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let (Some(t), Some(p)) = (&self.topics, &self.page) {
            s.push_str(&format!("{} topic(s) on {} (showing {})", p.total, self.cluster, t.len()));
            for r in t.iter().take(15) {
                s.push_str(&format!("\n- {} p={} rf={}", r.name, r.partitions, r.replication_factor));
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
                let v = x.value.as_ref().map(|v| v.data.to_string()).unwrap_or_else(|| "null".into());
                s.push_str(&format!("\n- p{}@{}: {}", x.partition, x.offset, v.chars().take(120).collect::<String>()));
            }
        }
        if let Some(p) = &self.plan {
            s.push_str(&format!("plan {}: {}\nnext: {}", p.plan_id, p.summary, p.next));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}

fn need_topic(input: &TopicManageInput) -> Result<&str, ToolError> {
    input
        .topic
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ToolError::invalid("this action needs `topic`: call topic_manage action=list to see the topic names"))
}

/// Decodes bytes as JSON, else UTF-8, else base64, keeping at most `max` bytes.
pub fn decode(bytes: &[u8], max: usize) -> Payload {
    let truncated = bytes.len() > max;
    let kept = &bytes[..bytes.len().min(max)];
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !truncated {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
                if v.is_object() || v.is_array() {
                    return Payload { encoding: "json".into(), data: v, bytes: bytes.len(), truncated: false };
                }
            }
        }
        let mut end = kept.len();
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return Payload { encoding: "utf8".into(), data: text[..end].into(), bytes: bytes.len(), truncated };
    }
    Payload {
        encoding: "base64".into(),
        data: base64::engine::general_purpose::STANDARD.encode(kept).into(),
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
        headers: r.headers.iter().map(|(k, v)| (k.clone(), v.as_deref().map(|v| decode(v, max)))).collect(),
    }
}

fn notes_text(notes: &[PlanNote]) -> Vec<String> {
    notes.iter().map(|n| format!("[{:?}] {}: {}", n.severity, n.id, n.message)).collect()
}

#[tool_router(router = topic_manage_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Topics. Reads: list, describe (partitions, offsets, configs, health), peek (records; never joins
    /// a group). Changes are plans: plan_create, plan_alter_configs, plan_add_partitions, plan_delete,
    /// plan_purge return plan_id + impact for apply_change.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<TopicManageOutput>()
    )]
    pub async fn topic_manage(&self, Parameters(input): Parameters<TopicManageInput>) -> Result<Answer<TopicManageOutput>, ToolError> {
        let out = self.topic_manage_output(&input).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The topic_manage answer (shared with the `kafka://{cluster}/topics/{topic}` resource).
    pub async fn topic_manage_output(&self, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let cluster = self.cluster(input.cluster.as_deref())?;
        match input.action {
            TopicAction::List => self.topics_list(&cluster, input).await,
            TopicAction::Describe => self.topics_describe(&cluster, input).await,
            TopicAction::Peek => self.topics_peek(&cluster, input).await,
            TopicAction::PlanCreate => self.plan_create(&cluster, input).await,
            TopicAction::PlanAlterConfigs => self.plan_alter(&cluster, input).await,
            TopicAction::PlanAddPartitions => self.plan_add_partitions(&cluster, input).await,
            TopicAction::PlanDelete => self.plan_delete(&cluster, input).await,
            TopicAction::PlanPurge => self.plan_purge(&cluster, input).await,
        }
    }

    async fn topics_list(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let (_, mut all) = admin::metadata(cluster, None).await?;
        all.retain(|t| (input.include_internal || !t.internal) && input.filter.as_deref().is_none_or(|f| glob_match(f, &t.name)));
        let sort = input.sort.unwrap_or_default();
        if sort == TopicSort::Partitions {
            all.sort_by(|a, b| b.partitions.len().cmp(&a.partitions.len()).then(a.name.cmp(&b.name)));
        }
        let scope = format!("topics:{:?}:{}:{:?}", input.filter, input.include_internal, sort);
        let (page, info) = paginate(all, input.limit, input.cursor.as_deref(), &scope).map_err(ToolError::invalid)?;
        let counts = if input.with_counts {
            let parts: BTreeSet<(String, i32)> =
                page.iter().flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id))).collect();
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

    async fn topic_meta(&self, cluster: &Arc<Cluster>, topic: &str) -> Result<(usize, TopicSnapshot), ToolError> {
        let (brokers, all) = admin::metadata(cluster, None).await?;
        match all.into_iter().find(|t| t.name == topic) {
            Some(t) if !t.partitions.is_empty() => Ok((brokers.len(), t)),
            _ => Err(ToolError::not_found(format!(
                "topic {topic:?} does not exist on cluster {}. Call topic_manage action=list (with filter) to find the name.",
                cluster.config.name
            ))),
        }
    }

    async fn topics_describe(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let mut names: Vec<String> = input.topics.clone().unwrap_or_default();
        if let Some(t) = &input.topic {
            names.insert(0, t.clone());
        }
        names.dedup();
        if names.is_empty() {
            return Err(ToolError::invalid("describe needs `topic` or `topics`"));
        }
        if names.len() > 20 {
            return Err(ToolError::invalid("describe takes at most 20 topics per call; page through them"));
        }
        let (brokers, all) = admin::metadata(cluster, None).await?;
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
        let parts: BTreeSet<(String, i32)> = found.iter().flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id))).collect();
        let mut resources: Vec<(ResourceType, String)> = found.iter().map(|t| (ResourceType::Topic, t.name.clone())).collect();
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
                        (ResourceType::Broker, Ok(set)) => broker_min_isr = set.int("min.insync.replicas"),
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
            let set = cfg_by_topic.get(&t.name).cloned().unwrap_or_default();
            if !set.has_sources() && !set.entries.is_empty() {
                out.notes.push(format!("the broker returned configs of {} without sources or defaults (only overrides): real Kafka returns every effective config with its source", t.name));
            }
            let min_isr = set.int("min.insync.replicas").or(broker_min_isr);
            let mut urp = 0;
            let mut under = 0;
            let mut at = 0;
            let mut offline = 0;
            let mut total: Option<i64> = Some(0);
            let mut rows = Vec::new();
            for p in &t.partitions {
                let st = health::partition_state(p, min_isr);
                urp += st.under_replicated as usize;
                under += st.under_min_isr as usize;
                at += st.at_min_isr as usize;
                offline += st.offline as usize;
                let (lo, hi) = ends.get(&(t.name.clone(), p.id)).copied().unwrap_or((None, None));
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
                    offline_replicas: p.replicas.iter().copied().filter(|r| !live.contains(r)).collect(),
                    earliest: lo.map(|v| v.to_string()),
                    latest: hi.map(|v| v.to_string()),
                    messages: msgs.map(|v| v.to_string()),
                });
            }
            let mut health = Vec::new();
            if offline > 0 {
                health.push(format!("{offline} offline"));
            }
            if urp > 0 {
                health.push(format!("{urp} under-replicated"));
            }
            match min_isr {
                Some(m) if under > 0 => health.push(format!("{under} under min ISR (min.insync.replicas={m}): acks=all producers fail")),
                Some(m) if at > 0 => health.push(format!("{at} at min ISR (min.insync.replicas={m})")),
                None => health.push("min.insync.replicas unknown: ISR checks skipped".into()),
                _ => {}
            }
            let (page, info) = paginate(rows, input.limit, input.cursor.as_deref(), &format!("describe:{}", t.name)).map_err(ToolError::invalid)?;
            described.push(TopicDetail {
                name: t.name.clone(),
                topic_id: ids.get(&t.name).cloned().flatten(),
                internal: t.internal,
                replication_factor: t.replication_factor(),
                partition_count: t.partitions.len(),
                messages: total.map(|v| v.to_string()),
                health: if health.is_empty() { "OK".into() } else { health.join("; ") },
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

    async fn topics_peek(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let count = input.count.unwrap_or(5);
        if count == 0 || count > 100 {
            return Err(ToolError::invalid(format!("count must be 1..=100 (got {count})")));
        }
        let max = input.max_value_bytes.unwrap_or(1024).clamp(16, 65_536);
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let all: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let parts = match input.partition {
            Some(p) if all.contains(&p) => vec![p],
            Some(p) => {
                return Err(ToolError::invalid(format!("topic {topic:?} has partitions 0..={}; partition {p} does not exist", all.len() - 1)))
            }
            None => all,
        };
        let start = match (input.offset, input.timestamp_ms) {
            (Some(_), Some(_)) => return Err(ToolError::invalid("give `offset` or `timestamp_ms`, not both")),
            (Some(o), None) => {
                if input.partition.is_none() {
                    return Err(ToolError::invalid("`offset` needs `partition` (offsets are per partition)"));
                }
                if o < 0 {
                    return Err(ToolError::invalid("`offset` must be >= 0; use from=last for the newest records"));
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
        let (mut recs, incomplete) = records::read_ranges(cluster, ranges, (total_range as usize).min(count * parts.len())).await?;
        // Merge partitions: newest N by timestamp for `last`, oldest N otherwise.
        recs.sort_by_key(|r| (r.timestamp_ms.unwrap_or(0), r.partition, r.offset));
        if start == Start::Last && recs.len() > count {
            recs.drain(..recs.len() - count);
        }
        recs.truncate(count);
        let mut out = TopicManageOutput::new("peek", &cluster.config.name);
        if incomplete {
            out.notes.push(format!("stopped at the {} ms deadline: fewer records than asked", cluster.timeout.as_millis()));
        }
        if recs.is_empty() {
            out.notes.push("no records in the requested range (empty topic or partition, or past the end)".into());
        }
        out.records = Some(recs.iter().map(|r| record_out(r, max)).collect());
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
        change: Change,
        pre: Precondition,
        summary: String,
        impact: serde_json::Value,
        mut warnings: Vec<String>,
    ) -> TopicManageOutput {
        if !cluster.config.allow_writes {
            warnings.push("writes are disabled for this cluster: apply_change will refuse this plan until the server runs with --allow-writes".into());
        }
        let stored = self.state().plans.insert(&cluster.config.name, change, pre, summary);
        self.audit_plan(&cluster.config.name, &format!("topic_manage.{action}"), &stored);
        let mut out = TopicManageOutput::new(action, &cluster.config.name);
        out.plan = Some(PlanOut::new(&stored, impact, warnings));
        out
    }

    async fn plan_create(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (brokers, all) = admin::metadata(cluster, None).await?;
        let existing: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        let mut notes = rules::check_new_topic_name(topic, &existing).map_err(|e| ToolError::invalid(e.to_string()))?;
        let partitions = input.partitions.ok_or_else(|| ToolError::invalid("plan_create needs `partitions` (e.g. 6)"))?;
        let rf = input.replication_factor.unwrap_or_else(|| brokers.len().clamp(1, 3) as i64);
        notes.extend(rules::check_new_topic_layout(partitions, rf, brokers.len()).map_err(|e| ToolError::invalid(e.to_string()))?);
        let configs = input.configs.clone().unwrap_or_default();
        rules::validate_configs(configs.iter()).map_err(|errs| {
            ToolError::invalid(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        topics::create_topic(cluster, topic, partitions as i32, rf as i32, &configs, true).await?;
        let summary = format!("create topic {topic} with {partitions} partition(s), RF {rf}{}", if configs.is_empty() { String::new() } else { format!(", configs {configs:?}") });
        let impact = serde_json::json!({"new_partitions": partitions, "replicas_created": partitions * rf, "broker_validated": true});
        Ok(self.finish_plan(
            cluster,
            "plan_create",
            Change::CreateTopic { topic: topic.into(), partitions: partitions as i32, replication_factor: rf as i32, configs },
            Precondition::TopicAbsent(topic.into()),
            summary,
            impact,
            notes_text(&notes),
        ))
    }

    async fn current_configs(&self, cluster: &Arc<Cluster>, topic: &str) -> Result<ConfigSet, ToolError> {
        let rows = admin::describe_configs(cluster, vec![(ResourceType::Topic, topic.to_string())]).await?;
        match rows.into_iter().next() {
            Some((_, _, Ok(set))) => Ok(set),
            Some((_, _, Err(e))) => Err(e.into()),
            None => Ok(ConfigSet::default()),
        }
    }

    async fn plan_alter(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let set = input.configs.clone().unwrap_or_default();
        let delete = input.delete_configs.clone().unwrap_or_default();
        if set.is_empty() && delete.is_empty() {
            return Err(ToolError::invalid("plan_alter_configs needs `configs` to set and/or `delete_configs` to remove"));
        }
        if let Some(k) = delete.iter().find(|k| set.contains_key(*k)) {
            return Err(ToolError::invalid(format!("{k:?} is both set and deleted; pick one")));
        }
        let current = self.current_configs(cluster, topic).await?;
        let mut changes: Vec<rules::ConfigChange> = set.iter().map(|(k, v)| rules::ConfigChange { key: k.clone(), value: Some(v.clone()) }).collect();
        for k in &delete {
            if rules::topic_config_spec(k).is_none() {
                return Err(ToolError::invalid(format!(
                    "unknown topic config {k:?}{}",
                    rules::suggest_topic_config(k).map(|s| format!("; did you mean {s:?}?")).unwrap_or_default()
                )));
            }
            changes.push(rules::ConfigChange { key: k.clone(), value: None });
        }
        let facts = rules::TopicFacts {
            replication_factor: Some(t.replication_factor() as i32),
            smallest_isr: t.partitions.iter().map(|p| p.isr.len() as i32).min(),
            null_key_share: None,
        };
        let impact = rules::config_change_impact(&current, &changes, &facts)
            .map_err(|errs| ToolError::invalid(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
        topics::alter_topic_configs(cluster, topic, &set, &delete, true).await?;
        let mut warnings = Vec::new();
        if !current.has_sources() {
            warnings.push("the broker returned no config sources/defaults: old values in the impact may be incomplete".into());
        }
        let touched: BTreeMap<String, Option<String>> =
            set.keys().chain(delete.iter()).map(|k| (k.clone(), current.value(k).map(str::to_string))).collect();
        let summary = format!(
            "alter configs of {topic}: set {}{}",
            set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "),
            if delete.is_empty() { String::new() } else { format!("; delete {}", delete.join(", ")) }
        );
        Ok(self.finish_plan(
            cluster,
            "plan_alter_configs",
            Change::AlterTopicConfigs { topic: topic.into(), set, delete },
            Precondition::TopicUnchanged { topic: topic.into(), partitions: t.partitions.len(), configs: touched },
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }

    async fn plan_add_partitions(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let requested = input.partitions.ok_or_else(|| ToolError::invalid("plan_add_partitions needs `partitions`: the new total count"))?;
        let current = t.partitions.len() as i32;
        if requested > i32::MAX as i64 || requested < 1 {
            return Err(ToolError::invalid(format!("partitions must be between {} and {}", current + 1, i32::MAX)));
        }
        let cfg = self.current_configs(cluster, topic).await.unwrap_or_default();
        let compacted = cfg.value("cleanup.policy").is_some_and(|v| v.contains("compact"));
        let impact = rules::add_partitions_impact(current, requested as i32, compacted).map_err(|e| ToolError::invalid(e.to_string()))?;
        topics::create_partitions(cluster, topic, requested as usize, true).await?;
        let summary = format!(
            "add partitions to {topic}: {current} -> {requested} ({:.0} % of keys move to another partition)",
            impact.keys_move_fraction * 100.0
        );
        let warnings = notes_text(&impact.notes);
        Ok(self.finish_plan(
            cluster,
            "plan_add_partitions",
            Change::AddPartitions { topic: topic.into(), from: current, to: requested as i32 },
            Precondition::TopicUnchanged { topic: topic.into(), partitions: t.partitions.len(), configs: BTreeMap::new() },
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
    ) -> Result<(Vec<rules::PartitionOffsets>, Vec<rules::GroupCommit>, Vec<String>), ToolError> {
        let parts: BTreeSet<(String, i32)> = t.partitions.iter().map(|p| (t.name.clone(), p.id)).collect();
        let ends = groups::log_offsets(cluster, &parts).await?;
        let offsets = t
            .partitions
            .iter()
            .map(|p| {
                let (lo, hi) = ends.get(&(t.name.clone(), p.id)).copied().unwrap_or((None, None));
                rules::PartitionOffsets { partition: p.id, log_start_offset: lo.unwrap_or(0), end_offset: hi.unwrap_or(0), size_bytes: None }
            })
            .collect();
        let mut notes = Vec::new();
        let mut commits = Vec::new();
        match groups::list_groups(cluster).await {
            Ok((listed, errs)) => {
                notes.extend(errs.into_iter().map(|e| format!("groups partly unknown: {e}")));
                let ids: Vec<String> = listed.into_iter().map(|g| g.group_id).collect();
                for (g, r) in groups::committed_many(cluster, &ids).await {
                    match r {
                        Ok(rows) => commits.extend(rows.into_iter().filter(|c| c.topic == t.name).filter_map(|c| {
                            c.offset.map(|o| rules::GroupCommit { group: g.clone(), partition: c.partition, committed_offset: o })
                        })),
                        Err(e) => notes.push(format!("offsets of group {g} unknown: {e}")),
                    }
                }
            }
            Err(e) => notes.push(format!("consumer groups unknown: {e}")),
        }
        Ok((offsets, commits, notes))
    }

    async fn plan_delete(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
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
            Change::DeleteTopic { topic: topic.into() },
            Precondition::TopicUnchanged { topic: topic.into(), partitions: t.partitions.len(), configs: BTreeMap::new() },
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }

    async fn plan_purge(&self, cluster: &Arc<Cluster>, input: &TopicManageInput) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let parts: Vec<i32> = match input.partition {
            Some(p) if t.partitions.iter().any(|x| x.id == p) => vec![p],
            Some(p) => return Err(ToolError::invalid(format!("partition {p} does not exist in {topic:?} ({} partitions)", t.partitions.len()))),
            None => t.partitions.iter().map(|p| p.id).collect(),
        };
        let targets: Vec<rules::PurgeTarget> = match (input.before_offset, input.before_timestamp_ms) {
            (Some(o), None) => parts.iter().map(|p| rules::PurgeTarget { partition: *p, before_offset: o }).collect(),
            (None, Some(ts)) => {
                if ts > crate::plans::now_ms() + 60_000 {
                    return Err(ToolError::invalid("before_timestamp_ms is in the future: that would delete every record; pass a past timestamp or use before_offset"));
                }
                let keys: BTreeSet<(String, i32)> = parts.iter().map(|p| (topic.to_string(), *p)).collect();
                let at = groups::list_offsets(cluster, &keys, crate::kafka::ffi::OffsetSpec::Timestamp(ts)).await?;
                let ends = groups::log_offsets(cluster, &keys).await?;
                parts
                    .iter()
                    .map(|p| {
                        let k = (topic.to_string(), *p);
                        // No record at/after ts: everything in the partition is older.
                        let end = ends.get(&k).and_then(|(_, hi)| *hi).unwrap_or(0);
                        rules::PurgeTarget { partition: *p, before_offset: at.get(&k).copied().flatten().unwrap_or(end) }
                    })
                    .collect()
            }
            _ => return Err(ToolError::invalid("plan_purge needs exactly one of `before_offset` or `before_timestamp_ms`")),
        };
        let (offsets, commits, notes) = self.topic_usage(cluster, &t).await?;
        let offsets: Vec<rules::PartitionOffsets> = offsets.into_iter().filter(|o| parts.contains(&o.partition)).collect();
        let impact = rules::purge_impact(topic, &offsets, &targets, &commits).map_err(|e| ToolError::invalid(e.to_string()))?;
        let before: Vec<(i32, String)> = targets.iter().map(|t| (t.partition, t.before_offset.to_string())).collect();
        let summary = format!("purge {topic}: delete {} record(s) on {} partition(s)", impact.messages_removed_total, before.len());
        let mut warnings = notes_text(&impact.notes);
        warnings.extend(notes);
        Ok(self.finish_plan(
            cluster,
            "plan_purge",
            Change::PurgeTopic { topic: topic.into(), before },
            Precondition::TopicUnchanged { topic: topic.into(), partitions: t.partitions.len(), configs: BTreeMap::new() },
            summary,
            serde_json::to_value(&impact).unwrap_or_default(),
            warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_prefers_json_then_utf8_then_base64() {
        assert_eq!(decode(br#"{"a":1}"#, 100).encoding, "json");
        let p = decode(b"hello", 100);
        assert_eq!((p.encoding.as_str(), p.data.as_str()), ("utf8", Some("hello")));
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

//! One read of a cluster for the config audit: broker configs (DescribeConfigs BROKER, for the
//! brokers asked for) and topic configs (DescribeConfigs TOPIC) in one concurrent call, the
//! topics' layout from the caller's Metadata, then null-key samples of compacted topics (recent
//! records read without joining a group). Returns a `snapshot::ConfigsSnapshot` plus notes:
//! partial failures are recorded per resource or left out, never filled with a guessed value.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::records::{plan_ranges, read_ranges, Start};
use super::{admin, ffi, Cluster, Result};
use crate::snapshot::{
    BrokerConfigSnapshot, ConfigSet, ConfigSource, ConfigsSnapshot, NullKeySample,
    TopicConfigSnapshot, TopicSnapshot,
};

/// How much to read when sampling keys of compacted topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleLimits {
    /// Compacted topics sampled at most (the first ones by name); the rest are noted.
    pub max_topics: usize,
    /// Newest records read per partition.
    pub records_per_partition: i64,
    /// Records read per topic at most.
    pub max_records_per_topic: usize,
}

impl Default for SampleLimits {
    fn default() -> Self {
        SampleLimits {
            max_topics: 10,
            records_per_partition: 50,
            max_records_per_topic: 1000,
        }
    }
}

/// What the audit read, with what it could not read.
#[derive(Debug, Clone, Default)]
pub struct AuditRead {
    /// The configs read (the caller adds a client's properties for the audit).
    pub configs: ConfigsSnapshot,
    /// Partial failures and limits hit, in words.
    pub notes: Vec<String>,
    /// Compacted topics whose recent records were sampled for null keys.
    pub sampled_topics: usize,
}

/// Reads the configs of `broker_ids` and `topics` (from Metadata; `live` = live broker ids) and,
/// with `sample`, null-key samples of the compacted non-internal topics. Fails only when
/// DescribeConfigs as a whole does not answer; a resource it refuses is noted (a topic whose
/// configs are unknown is left out of the audit rather than judged on defaults).
pub async fn read(
    cluster: &Arc<Cluster>,
    live: Vec<i32>,
    broker_ids: &[i32],
    topics: Vec<TopicSnapshot>,
    sample: Option<SampleLimits>,
) -> Result<AuditRead> {
    let mut notes = Vec::new();
    let (topics, broken): (Vec<TopicSnapshot>, Vec<TopicSnapshot>) =
        topics.into_iter().partition(|t| t.error.is_none());
    if !broken.is_empty() {
        notes.push(format!(
            "not audited, Metadata returned an error for {} topic(s): {}",
            broken.len(),
            first(broken.iter().map(|t| format!(
                "{} ({})",
                t.name,
                t.error.as_deref().unwrap_or("?")
            )))
        ));
    }
    let mut resources: Vec<(ffi::ResourceType, String)> = broker_ids
        .iter()
        .map(|id| (ffi::ResourceType::Broker, id.to_string()))
        .collect();
    resources.extend(
        topics
            .iter()
            .map(|t| (ffi::ResourceType::Topic, t.name.clone())),
    );
    let rows = admin::describe_configs(cluster, resources).await?;

    let mut brokers = Vec::new();
    let mut topic_configs: Vec<(String, ConfigSet)> = Vec::new();
    let mut failed_topics = Vec::new();
    for (kind, name, r) in rows {
        match kind {
            ffi::ResourceType::Broker => {
                let id = name.parse().unwrap_or(-1);
                match r {
                    Ok(configs) => brokers.push(BrokerConfigSnapshot {
                        id,
                        configs,
                        error: None,
                    }),
                    Err(e) => brokers.push(BrokerConfigSnapshot {
                        id,
                        configs: ConfigSet::default(),
                        error: Some(e.to_string()),
                    }),
                }
            }
            ffi::ResourceType::Topic => match r {
                Ok(set) => topic_configs.push((name, set)),
                Err(e) => failed_topics.push(format!("{name} ({e})")),
            },
            _ => {}
        }
    }
    if !failed_topics.is_empty() {
        notes.push(format!(
            "not audited, DescribeConfigs failed for {} topic(s): {}",
            failed_topics.len(),
            first(failed_topics.into_iter())
        ));
    }
    let overrides_only: Vec<String> = topic_configs
        .iter()
        .filter(|(_, s)| {
            !s.entries.is_empty()
                && s.entries
                    .iter()
                    .all(|e| e.source == ConfigSource::DynamicTopicConfig)
        })
        .map(|(n, _)| n.clone())
        .collect();
    if !overrides_only.is_empty() {
        notes.push(format!(
            "{} topic(s) returned only their own overrides, no defaults (real Kafka returns every key with its \
             source): keys not returned are not assumed to hold Kafka defaults: {}",
            overrides_only.len(),
            first(overrides_only.into_iter())
        ));
    }
    let mut audited: Vec<TopicConfigSnapshot> = topics
        .iter()
        .filter_map(|t| {
            let set = topic_configs
                .iter()
                .find(|(n, _)| *n == t.name)
                .map(|(_, s)| s.clone())?;
            Some(TopicConfigSnapshot::from_snapshot(t, set))
        })
        .collect();

    // Retained records of the single-partition topics (the only ones the traffic rule asks
    // about), in one batched ListOffsets.
    let singles: BTreeSet<(String, i32)> = audited
        .iter()
        .filter(|t| t.partitions == 1 && !t.internal)
        .map(|t| (t.name.clone(), 0))
        .collect();
    if !singles.is_empty() {
        match super::groups::log_offsets(cluster, &singles).await {
            Ok(ends) => {
                for t in audited.iter_mut() {
                    if let Some((Some(lo), Some(hi))) = ends.get(&(t.name.clone(), 0)) {
                        t.retained_records = Some((hi - lo).max(0) as u64);
                    }
                }
            }
            Err(e) => notes.push(format!(
                "retained record counts unknown ({e}): single-partition-with-traffic not checked"
            )),
        }
    }

    let mut sampled_topics = 0;
    if let Some(limits) = sample {
        let reference = brokers
            .iter()
            .filter(|b| !b.configs.entries.is_empty())
            .min_by_key(|b| b.id);
        let compacted: Vec<usize> = audited
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.internal && t.partitions > 0)
            .filter(|(_, t)| {
                let own = t.configs.value("cleanup.policy");
                let inherited = reference.and_then(|b| b.configs.value("log.cleanup.policy"));
                own.or(inherited)
                    .is_some_and(|p| p.to_ascii_lowercase().contains("compact"))
            })
            .map(|(i, _)| i)
            .collect();
        if compacted.len() > limits.max_topics {
            notes.push(format!(
                "null-key sample taken on the first {} of {} compacted topics (by name); name topics to sample others",
                limits.max_topics,
                compacted.len()
            ));
        }
        let picked: Vec<usize> = compacted.into_iter().take(limits.max_topics).collect();
        let reads = picked.iter().map(|&i| {
            let t = &audited[i];
            let parts: Vec<i32> = (0..t.partitions as i32).collect();
            sample_keys(cluster, t.name.clone(), parts, limits)
        });
        let results = futures::future::join_all(reads).await;
        let mut failed = Vec::new();
        for (&i, r) in picked.iter().zip(results) {
            let name = audited[i].name.clone();
            match r {
                Ok((s, incomplete)) => {
                    if incomplete {
                        notes.push(format!(
                            "null-key sample of {name} incomplete (deadline passed): judged on {} record(s)",
                            s.sampled
                        ));
                    }
                    if s.sampled > 0 {
                        audited[i].null_key_sample = Some(s);
                        sampled_topics += 1;
                    }
                }
                Err(e) => failed.push(format!("{name} ({e})")),
            }
        }
        if !failed.is_empty() {
            notes.push(format!(
                "null-key sample failed for {} compacted topic(s), compacted-topic-null-keys not checked there: {}",
                failed.len(),
                first(failed.into_iter())
            ));
        }
    }
    let mut live = live;
    live.sort_unstable();
    Ok(AuditRead {
        configs: ConfigsSnapshot {
            live_broker_ids: live,
            brokers,
            topics: audited,
        },
        notes,
        sampled_topics,
    })
}

/// Keys of the newest records of `partitions` of `topic`: how many were read, how many had a null
/// key, and whether the deadline cut the read short.
async fn sample_keys(
    cluster: &Arc<Cluster>,
    topic: String,
    partitions: Vec<i32>,
    limits: SampleLimits,
) -> Result<(NullKeySample, bool)> {
    let (ranges, _) = plan_ranges(
        cluster,
        &topic,
        &partitions,
        Start::Last,
        limits.records_per_partition,
    )
    .await?;
    let (records, incomplete) = read_ranges(cluster, ranges, limits.max_records_per_topic).await?;
    let sampled = records.len() as u64;
    let null_keys = records.iter().filter(|r| r.key.is_none()).count() as u64;
    Ok((NullKeySample { sampled, null_keys }, incomplete))
}

/// The first three items, `; `-joined, with a count of the rest.
fn first(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect::<BTreeSet<_>>().into_iter().collect();
    let mut s = all.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if all.len() > 3 {
        s.push_str(&format!("; and {} more", all.len() - 3));
    }
    s
}

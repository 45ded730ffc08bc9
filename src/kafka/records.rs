//! Reading records without a trace: a consumer with no `group.id` that is assigned explicit
//! offset ranges (assign + start offsets), never subscribes, never joins a group and never
//! commits. Used by `topic_manage peek`, key sampling (skew, compaction audit).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::groups::log_offsets;
use super::{Cluster, Error, Result};

/// One partition range to read: `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// First offset to read.
    pub from: i64,
    /// Stop before this offset (the log end at planning time).
    pub to: i64,
}

/// A record, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Timestamp, epoch ms, when the record has one.
    pub timestamp_ms: Option<i64>,
    /// Key bytes (None = null key).
    pub key: Option<Vec<u8>>,
    /// Value bytes (None = tombstone).
    pub value: Option<Vec<u8>>,
    /// Headers (name, value bytes).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// Reads the ranges on a blocking thread until every range is done, `max_records` were read,
/// or the deadline passes (then returns what it has and `true` for "incomplete").
pub async fn read_ranges(
    cluster: &Arc<Cluster>,
    ranges: Vec<Range>,
    max_records: usize,
) -> Result<(Vec<OwnedRecord>, bool)> {
    let ranges: Vec<Range> = ranges.into_iter().filter(|r| r.to > r.from).collect();
    if ranges.is_empty() {
        return Ok((Vec::new(), false));
    }
    let consumer = cluster.reader()?;
    let deadline = cluster.timeout;
    cluster
        .blocking("read records", move || {
            let mut tpl = TopicPartitionList::new();
            for r in &ranges {
                tpl.add_partition_offset(&r.topic, r.partition, Offset::Offset(r.from))
                    .map_err(|e| Error::Internal {
                        what: "assign".into(),
                        message: e.to_string(),
                    })?;
            }
            consumer.assign(&tpl).map_err(|e| Error::Internal {
                what: "assign".into(),
                message: e.to_string(),
            })?;
            let ends: BTreeMap<(String, i32), i64> = ranges
                .iter()
                .map(|r| ((r.topic.clone(), r.partition), r.to))
                .collect();
            let mut open: BTreeSet<(String, i32)> = ends.keys().cloned().collect();
            let mut out = Vec::new();
            let started = Instant::now();
            while !open.is_empty() && out.len() < max_records {
                let left = deadline.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Ok((out, true));
                }
                match consumer.poll(left.min(Duration::from_millis(200))) {
                    None => continue,
                    Some(Err(rdkafka::error::KafkaError::PartitionEOF(p))) => {
                        open.retain(|(_, part)| *part != p);
                    }
                    Some(Err(e)) => {
                        tracing::debug!("read records: {e}");
                        continue;
                    }
                    Some(Ok(m)) => {
                        let key = (m.topic().to_string(), m.partition());
                        let end = ends.get(&key).copied().unwrap_or(i64::MAX);
                        if m.offset() >= end {
                            open.remove(&key);
                            continue;
                        }
                        if m.offset() + 1 >= end {
                            open.remove(&key);
                        }
                        out.push(OwnedRecord {
                            partition: m.partition(),
                            offset: m.offset(),
                            timestamp_ms: m.timestamp().to_millis(),
                            key: m.key().map(<[u8]>::to_vec),
                            value: m.payload().map(<[u8]>::to_vec),
                            headers: m
                                .headers()
                                .map(|h| {
                                    h.iter()
                                        .map(|x| (x.key.to_string(), x.value.map(<[u8]>::to_vec)))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        });
                    }
                }
            }
            Ok((out, false))
        })
        .await
}

/// Where a peek starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The newest `n` records.
    Last,
    /// The oldest retained records.
    First,
    /// From this offset (one partition).
    Offset(i64),
    /// From the first record at or after this timestamp (epoch ms).
    Timestamp(i64),
}

/// The ranges that hold up to `n` records per partition from `start`, and the log offsets seen.
pub async fn plan_ranges(
    cluster: &Arc<Cluster>,
    topic: &str,
    partitions: &[i32],
    start: Start,
    n: i64,
) -> Result<(Vec<Range>, BTreeMap<i32, (Option<i64>, Option<i64>)>)> {
    let keys: BTreeSet<(String, i32)> =
        partitions.iter().map(|p| (topic.to_string(), *p)).collect();
    let ends = log_offsets(cluster, &keys).await?;
    let by_ts = match start {
        Start::Timestamp(ts) => super::groups::offsets_at(cluster, &keys, ts).await?,
        _ => BTreeMap::new(),
    };
    let mut ranges = Vec::new();
    let mut seen = BTreeMap::new();
    for p in partitions {
        let (lo, hi) = ends
            .get(&(topic.to_string(), *p))
            .copied()
            .unwrap_or((None, None));
        seen.insert(*p, (lo, hi));
        let (Some(lo), Some(hi)) = (lo, hi) else {
            continue;
        };
        let from = match start {
            Start::Last => (hi - n).max(lo),
            Start::First => lo,
            Start::Offset(o) => o.clamp(lo, hi),
            Start::Timestamp(_) => match by_ts.get(&(topic.to_string(), *p)).copied().flatten() {
                Some(o) => o.max(lo),
                None => hi,
            },
        };
        let to = (from + n).min(hi);
        ranges.push(Range {
            topic: topic.to_string(),
            partition: *p,
            from,
            to,
        });
    }
    Ok((ranges, seen))
}

/// The newest `per_partition` records of each of `partitions` of `topic` (one read), and whether
/// the deadline cut it short.
pub async fn newest(
    cluster: &Arc<Cluster>,
    topic: &str,
    partitions: &[i32],
    per_partition: usize,
) -> Result<(Vec<OwnedRecord>, bool)> {
    if per_partition == 0 || partitions.is_empty() {
        return Ok((Vec::new(), false));
    }
    let (ranges, _) = plan_ranges(
        cluster,
        topic,
        partitions,
        Start::Last,
        per_partition as i64,
    )
    .await?;
    let total: i64 = ranges.iter().map(|r| (r.to - r.from).max(0)).sum();
    read_ranges(cluster, ranges, total as usize).await
}

/// The newest `per_partition` records of several topics' partitions (one read).
pub async fn newest_of(
    cluster: &Arc<Cluster>,
    by_topic: &BTreeMap<String, Vec<i32>>,
    per_partition: usize,
) -> Result<Vec<OwnedRecord>> {
    let mut ranges = Vec::new();
    for (t, ps) in by_topic {
        ranges.extend(
            plan_ranges(cluster, t, ps, Start::Last, per_partition as i64)
                .await?
                .0,
        );
    }
    let max = ranges.iter().map(|r| (r.to - r.from).max(0) as usize).sum();
    Ok(read_ranges(cluster, ranges, max).await?.0)
}

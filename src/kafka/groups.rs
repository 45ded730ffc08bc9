//! Consumer-group and offset calls, batched: one ListConsumerGroupOffsets per group (run
//! concurrently), one ListOffsets per offset kind for every partition at once (librdkafka splits
//! it per leader broker) — never a per-partition watermark round trip.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;

use super::admin::{from_ffi, metadata};
use super::ffi::{self, IsolationLevel, OffsetSpec};
use super::{Cluster, Error, Result};
use crate::snapshot::{CommittedOffset, GroupListing, GroupSnapshot, PartitionOffsets};

/// Groups fetched concurrently at most.
const CONCURRENCY: usize = 32;

/// Pause before asking a loading coordinator again.
const RETRY_BACKOFF: std::time::Duration = std::time::Duration::from_millis(250);

/// COORDINATOR_LOAD_IN_PROGRESS (14) or COORDINATOR_NOT_AVAILABLE (15): a group coordinator
/// that is starting up, not one that failed.
fn is_coordinator_loading(code: i32) -> bool {
    code == 14 || code == 15
}

/// Every group, plus the errors of coordinators that did not answer (partial answers are kept).
pub async fn list_groups(cluster: &Arc<Cluster>) -> Result<(Vec<GroupListing>, Vec<String>)> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    cluster
        .blocking("ListConsumerGroups", move || {
            // A broker that just started answers COORDINATOR_LOAD_IN_PROGRESS (or
            // COORDINATOR_NOT_AVAILABLE) while it loads __consumer_offsets: ask again within
            // the deadline rather than report a transient state as a failure.
            let deadline = std::time::Instant::now() + timeout;
            let (groups, mut errors) = loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                let (groups, errors) = ffi::list_consumer_groups(&admin, left)
                    .map_err(|e| from_ffi(&c, "ListConsumerGroups", e))?;
                let transient =
                    !errors.is_empty() && errors.iter().all(|e| is_coordinator_loading(e.code));
                if !transient || left < RETRY_BACKOFF * 2 {
                    break (groups, errors);
                }
                std::thread::sleep(RETRY_BACKOFF);
            };
            // No broker answered: an empty list would read as "no groups".
            if groups.is_empty() && !errors.is_empty() {
                return Err(from_ffi(&c, "ListConsumerGroups", errors.swap_remove(0)));
            }
            Ok((
                groups,
                errors
                    .into_iter()
                    .map(|e| from_ffi(&c, "ListConsumerGroups", e).to_string())
                    .collect(),
            ))
        })
        .await
}

/// Describes groups (members, assignments, coordinator, assignor, state), one result each.
pub async fn describe_groups(
    cluster: &Arc<Cluster>,
    groups: Vec<String>,
) -> Result<Vec<(String, Result<GroupSnapshot>)>> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    cluster
        .blocking("DescribeConsumerGroups", move || {
            let rows = ffi::describe_consumer_groups(&admin, &groups, timeout)
                .map_err(|e| from_ffi(&c, "DescribeConsumerGroups", e))?;
            Ok(rows
                .into_iter()
                .map(|(g, r)| {
                    let r = r.map_err(|e| from_ffi(&c, &format!("DescribeConsumerGroups {g}"), e));
                    (g, r)
                })
                .collect())
        })
        .await
}

/// Committed offsets of one group (all committed partitions, or the listed ones).
pub async fn committed(
    cluster: &Arc<Cluster>,
    group: &str,
    partitions: Option<Vec<(String, i32)>>,
) -> Result<Vec<CommittedOffset>> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    let g = group.to_string();
    let what = format!("ListConsumerGroupOffsets {group}");
    cluster
        .blocking(&what.clone(), move || {
            let rows = ffi::list_consumer_group_offsets(&admin, &g, partitions.as_deref(), timeout)
                .map_err(|e| from_ffi(&c, &what, e))?;
            Ok(rows
                .into_iter()
                .map(|r| CommittedOffset {
                    error: r.error.map(|e| from_ffi(&c, &what, e).to_string()),
                    topic: r.topic,
                    partition: r.partition,
                    offset: r.offset,
                })
                .collect())
        })
        .await
}

/// Committed offsets of many groups, concurrently; one result per group, in input order.
pub async fn committed_many(
    cluster: &Arc<Cluster>,
    groups: &[String],
) -> Vec<(String, Result<Vec<CommittedOffset>>)> {
    let mut out: Vec<(usize, String, Result<Vec<CommittedOffset>>)> =
        futures::stream::iter(groups.iter().cloned().enumerate())
            .map(|(i, g)| {
                let c = cluster.clone();
                async move {
                    let r = committed(&c, &g, None).await;
                    (i, g, r)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, g, r)| (g, r)).collect()
}

pub use crate::snapshot::LogOffsets;

/// Earliest and latest offsets for every listed partition: two ListOffsets calls in parallel.
/// A partition whose offset is unknown (leader down: -1001 with no error) maps to `None`.
pub async fn log_offsets(
    cluster: &Arc<Cluster>,
    partitions: &BTreeSet<(String, i32)>,
) -> Result<LogOffsets> {
    if partitions.is_empty() {
        return Ok(BTreeMap::new());
    }
    let earliest = list_offsets(cluster, partitions, OffsetSpec::Earliest);
    let latest = list_offsets(cluster, partitions, OffsetSpec::Latest);
    let (earliest, latest) = tokio::join!(earliest, latest);
    let (earliest, latest) = (earliest?, latest?);
    Ok(partitions
        .iter()
        .map(|k| {
            (
                k.clone(),
                (
                    earliest.get(k).copied().flatten(),
                    latest.get(k).copied().flatten(),
                ),
            )
        })
        .collect())
}

/// Earliest/latest offsets now and, unless `window` is zero, the latest again `window` later
/// with the time between the midpoints of the two reads (what produce rates are computed from).
pub async fn offsets_over(
    cluster: &Arc<Cluster>,
    partitions: &BTreeSet<(String, i32)>,
    window: std::time::Duration,
) -> Result<(
    LogOffsets,
    Option<(PartitionOffsetMap, std::time::Duration)>,
)> {
    use std::time::Instant;
    let s0 = Instant::now();
    let first = log_offsets(cluster, partitions).await?;
    let e0 = Instant::now();
    if window.is_zero() || partitions.is_empty() {
        return Ok((first, None));
    }
    tokio::time::sleep(window).await;
    let s1 = Instant::now();
    let second = latest_offsets(cluster, partitions).await?;
    let e1 = Instant::now();
    let elapsed = (s1 + (e1 - s1) / 2) - (s0 + (e0 - s0) / 2);
    Ok((first, Some((second, elapsed))))
}

/// One offset (or none) per (topic, partition).
pub type PartitionOffsetMap = BTreeMap<(String, i32), Option<i64>>;

/// The log end offset of every listed partition (one ListOffsets call).
pub async fn latest_offsets(
    cluster: &Arc<Cluster>,
    partitions: &BTreeSet<(String, i32)>,
) -> Result<PartitionOffsetMap> {
    list_offsets(cluster, partitions, OffsetSpec::Latest).await
}

/// The first offset at or after `timestamp_ms` per partition (`None`: no record that new).
pub async fn offsets_at(
    cluster: &Arc<Cluster>,
    partitions: &BTreeSet<(String, i32)>,
    timestamp_ms: i64,
) -> Result<PartitionOffsetMap> {
    list_offsets(cluster, partitions, OffsetSpec::Timestamp(timestamp_ms)).await
}

/// One ListOffsets call for every partition; per-partition failures become `None`.
async fn list_offsets(
    cluster: &Arc<Cluster>,
    partitions: &BTreeSet<(String, i32)>,
    spec: OffsetSpec,
) -> Result<BTreeMap<(String, i32), Option<i64>>> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    let req: Vec<(String, i32, OffsetSpec)> = partitions
        .iter()
        .map(|(t, p)| (t.clone(), *p, spec))
        .collect();
    cluster
        .blocking("ListOffsets", move || {
            let rows = ffi::list_offsets(&admin, &req, IsolationLevel::ReadUncommitted, timeout)
                .map_err(|e| from_ffi(&c, "ListOffsets", e))?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        (r.topic, r.partition),
                        if r.error.is_some() { None } else { r.offset },
                    )
                })
                .collect())
        })
        .await
}

/// Partition counts of the named topics (one Metadata call).
pub async fn partition_counts(cluster: &Arc<Cluster>) -> Result<BTreeMap<String, i32>> {
    let (_, topics) = metadata(cluster, None).await?;
    Ok(topics
        .into_iter()
        .filter(|t| t.error.is_none() || !t.partitions.is_empty())
        .map(|t| (t.name, t.partitions.len() as i32))
        .collect())
}

/// The offsets of one group on every partition of every topic it committed on or is assigned
/// (so never-committed partitions show as `committed: None`, not as lag 0).
pub fn offsets_for_group(
    committed: &[CommittedOffset],
    assigned_topics: &BTreeSet<String>,
    partition_counts: &BTreeMap<String, i32>,
    ends: &LogOffsets,
) -> Vec<PartitionOffsets> {
    let by_key: BTreeMap<(String, i32), Option<i64>> = committed
        .iter()
        .map(|c| ((c.topic.clone(), c.partition), c.offset))
        .collect();
    group_partitions(committed, assigned_topics, partition_counts)
        .into_iter()
        .map(|(t, p)| {
            let (log_start, log_end) = ends.get(&(t.clone(), p)).copied().unwrap_or((None, None));
            PartitionOffsets {
                committed: by_key.get(&(t.clone(), p)).copied().flatten(),
                topic: t,
                partition: p,
                log_start,
                log_end,
            }
        })
        .collect()
}

/// Every partition of the topics a group committed on or is assigned.
pub fn group_partitions(
    committed: &[CommittedOffset],
    assigned_topics: &BTreeSet<String>,
    partition_counts: &BTreeMap<String, i32>,
) -> BTreeSet<(String, i32)> {
    let mut topics: BTreeSet<String> = committed.iter().map(|c| c.topic.clone()).collect();
    topics.extend(assigned_topics.iter().cloned());
    let mut out = BTreeSet::new();
    for t in topics {
        match partition_counts.get(&t) {
            Some(n) => out.extend((0..*n).map(|p| (t.clone(), p))),
            // Topic gone from metadata: keep the committed partitions we know of.
            None => out.extend(
                committed
                    .iter()
                    .filter(|c| c.topic == t)
                    .map(|c| (t.clone(), c.partition)),
            ),
        }
    }
    out
}

/// AlterConsumerGroupOffsets; per-partition failures become one error naming them.
pub async fn alter_offsets(
    cluster: &Arc<Cluster>,
    group: &str,
    offsets: Vec<(String, i32, i64)>,
) -> Result<()> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    let g = group.to_string();
    let rows = cluster
        .blocking("AlterConsumerGroupOffsets", move || {
            ffi::alter_consumer_group_offsets(&admin, &g, &offsets, timeout)
                .map_err(|e| from_ffi(&c, "AlterConsumerGroupOffsets", e))
        })
        .await?;
    let failed: Vec<String> = rows
        .into_iter()
        .filter_map(|(t, p, e)| e.map(|e| format!("{t}-{p}: {}", e.name)))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Broker {
            what: format!("AlterConsumerGroupOffsets {group}"),
            name: "PARTIAL_FAILURE".into(),
            message: failed.join(", "),
            hint: ". UNKNOWN_MEMBER_ID means the group became active again: stop its consumers and plan again.".into(),
        })
    }
}

/// DeleteGroups for one group.
pub async fn delete_group(cluster: &Arc<Cluster>, group: &str) -> Result<()> {
    let admin = cluster.admin().await?;
    let opts = rdkafka::admin::AdminOptions::new().request_timeout(Some(cluster.timeout));
    let r = tokio::time::timeout(
        cluster.timeout + std::time::Duration::from_millis(500),
        admin.delete_groups(&[group], &opts),
    )
    .await
    .map_err(|_| cluster.deadline_error("DeleteGroups"))?
    .map_err(|e| super::admin::translate(cluster, "DeleteGroups", e))?;
    for res in r {
        if let Err((g, code)) = res {
            let name = super::admin::ffi_name(code);
            return Err(Error::Broker {
                what: format!("DeleteGroups {g}"),
                hint: super::admin::hint_for(&name),
                message: format!("{code}"),
                name,
            });
        }
    }
    Ok(())
}

/// One group read for the lag tools: its offsets on every partition it committed on or is
/// assigned, its description (when DescribeConsumerGroups answered) and notes on what is missing.
#[derive(Debug, Clone)]
pub struct GroupRead {
    /// Committed and log offsets per partition.
    pub offsets: Vec<PartitionOffsets>,
    /// Members, state, assignor; `None` when the describe call failed (see `notes`).
    pub description: Option<GroupSnapshot>,
    /// What this read could not learn.
    pub notes: Vec<String>,
    /// False when Kafka knows no such group (no commits, and described as missing).
    pub exists: bool,
}

/// Reads one group in batched calls: committed offsets, the description and partition counts
/// at once, then the log offsets of the group's partitions.
pub async fn read_group(cluster: &Arc<Cluster>, group: &str) -> Result<GroupRead> {
    let committed = committed(cluster, group, None);
    let described = describe_groups(cluster, vec![group.to_string()]);
    let counts = partition_counts(cluster);
    let (committed, described, counts) = tokio::join!(committed, described, counts);
    let committed = committed?;
    let counts = counts?;
    let mut notes = Vec::new();
    let description = match described {
        Ok(mut rows) => match rows.pop() {
            Some((_, Ok(d))) => Some(d),
            Some((_, Err(e))) => {
                notes.push(format!(
                    "DescribeConsumerGroups failed ({e}): members unknown"
                ));
                None
            }
            None => None,
        },
        Err(e) => {
            notes.push(format!(
                "DescribeConsumerGroups failed ({e}): members unknown"
            ));
            None
        }
    };
    let known = description.as_ref().is_some_and(|d| !d.looks_missing());
    if committed.is_empty() && !known {
        return Ok(GroupRead {
            offsets: Vec::new(),
            description,
            notes,
            exists: false,
        });
    }
    let assigned: BTreeSet<String> = description
        .iter()
        .flat_map(|d| {
            d.members
                .iter()
                .flat_map(|m| m.assignment.iter().map(|(t, _)| t.clone()))
        })
        .collect();
    let parts = group_partitions(&committed, &assigned, &counts);
    let ends = log_offsets(cluster, &parts).await?;
    let offsets = offsets_for_group(&committed, &assigned, &counts, &ends);
    if let Some(d) = &description {
        if d.members.is_empty() && d.state.eq_ignore_ascii_case("stable") {
            notes.push("the broker reports a Stable group with no member details: this broker does not return members/assignments (real Kafka does)".to_string());
        }
    }
    Ok(GroupRead {
        offsets,
        description,
        notes,
        exists: true,
    })
}

/// One group's description (members, state, assignor), or `None` when Kafka returned nothing.
pub async fn describe_group(cluster: &Arc<Cluster>, group: &str) -> Result<Option<GroupSnapshot>> {
    match describe_groups(cluster, vec![group.to_string()])
        .await?
        .into_iter()
        .next()
    {
        Some((_, r)) => r.map(Some),
        None => Ok(None),
    }
}

/// Every group's committed offsets on `topic`, as (group, partition, offset), and notes on the
/// groups whose offsets could not be read (a partial answer is kept, never an error).
pub async fn commits_on_topic(
    cluster: &Arc<Cluster>,
    topic: &str,
) -> (Vec<(String, i32, i64)>, Vec<String>) {
    let mut notes = Vec::new();
    let mut commits = Vec::new();
    match list_groups(cluster).await {
        Ok((listed, errs)) => {
            notes.extend(
                errs.into_iter()
                    .map(|e| format!("groups partly unknown: {e}")),
            );
            let ids: Vec<String> = listed.into_iter().map(|g| g.group_id).collect();
            for (g, r) in committed_many(cluster, &ids).await {
                match r {
                    Ok(rows) => commits.extend(
                        rows.into_iter()
                            .filter(|c| c.topic == topic)
                            .filter_map(|c| c.offset.map(|o| (g.clone(), c.partition, o))),
                    ),
                    Err(e) => notes.push(format!("offsets of group {g} unknown: {e}")),
                }
            }
        }
        Err(e) => notes.push(format!("consumer groups unknown: {e}")),
    }
    (commits, notes)
}

//! What deleting a topic or purging records (DeleteRecords) destroys: records and bytes per
//! partition, and consumer groups that still have commits on the topic. Offsets come in from the
//! shell (ListOffsets, OffsetFetch); nothing here reads Kafka.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::note::{note, PlanNote};
use crate::analysis::finding::Severity;
use crate::analysis::offset::Offset;

/// One partition's offsets (ListOffsets earliest/latest), built by the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionLog {
    /// Partition id.
    pub partition: i32,
    /// Earliest offset still in the log (`log_start_offset`).
    pub log_start_offset: i64,
    /// Latest offset (high watermark): the offset the next record will get.
    pub end_offset: i64,
    /// Size of one replica of the partition on disk (DescribeLogDirs), if known.
    pub size_bytes: Option<u64>,
}

/// One committed offset of a consumer group on the topic, built by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCommit {
    /// Group id.
    pub group: String,
    /// Partition id.
    pub partition: i32,
    /// The committed offset (the next record the group will read).
    pub committed_offset: i64,
}

/// A consumer group with commits on the topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GroupOnTopic {
    /// Group id.
    pub group: String,
    /// Partitions on which it has a committed offset.
    pub partitions_committed: usize,
    /// Records it has not read yet that the change removes (sum over its partitions).
    #[serde(with = "Offset")]
    pub unread_messages_lost: i64,
}

/// What deleting a topic destroys.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DeleteTopicImpact {
    /// The topic.
    pub topic: String,
    /// Partitions deleted.
    pub partitions: usize,
    /// Records deleted: Σ(end − log start) over partitions. Counts offsets, so on compacted or
    /// transactional topics it is an upper bound.
    #[serde(with = "Offset")]
    pub messages_lost: i64,
    /// Bytes deleted, one replica's worth (Σ size); multiply by the replication factor for disk
    /// freed. `null` when the size of any partition is unknown.
    pub bytes_lost: Option<u64>,
    /// Consumer groups with committed offsets on the topic, by name.
    pub groups_with_commits: Vec<GroupOnTopic>,
    /// Warnings and explanations.
    pub notes: Vec<PlanNote>,
}

fn groups_on(
    commits: &[GroupCommit],
    lost_for: impl Fn(&GroupCommit) -> Option<i64>,
) -> Vec<GroupOnTopic> {
    let mut by_group: BTreeMap<&str, GroupOnTopic> = BTreeMap::new();
    for c in commits {
        let Some(lost) = lost_for(c) else { continue };
        let g = by_group.entry(&c.group).or_insert_with(|| GroupOnTopic {
            group: c.group.clone(),
            partitions_committed: 0,
            unread_messages_lost: 0,
        });
        g.partitions_committed += 1;
        g.unread_messages_lost += lost.max(0);
    }
    by_group.into_values().collect()
}

/// The impact of deleting `topic`: records and bytes lost, and groups that still have commits on
/// it. Commits with a negative offset (`-1001`, nothing committed) are ignored.
pub fn delete_topic_impact(
    topic: &str,
    partitions: &[PartitionLog],
    commits: &[GroupCommit],
) -> DeleteTopicImpact {
    let messages_lost: i64 = partitions
        .iter()
        .map(|p| (p.end_offset - p.log_start_offset).max(0))
        .sum();
    let bytes_lost: Option<u64> = partitions.iter().map(|p| p.size_bytes).sum();
    let groups = groups_on(commits, |c| {
        if c.committed_offset < 0 {
            return None;
        }
        let p = partitions.iter().find(|p| p.partition == c.partition);
        Some(p.map_or(0, |p| {
            p.end_offset - c.committed_offset.max(p.log_start_offset)
        }))
    });
    let mut notes = vec![note(
        "delete-is-irreversible",
        Severity::Critical,
        format!(
            "deleting {topic:?} removes {messages_lost} record(s) in {} partition(s) on every replica; \
             nothing can bring them back. Purge records instead if the topic itself should stay.",
            partitions.len()
        ),
    )];
    if !groups.is_empty() {
        let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
        notes.push(note(
            "groups-still-committed",
            Severity::Warn,
            format!(
                "{} consumer group(s) have committed offsets on {topic:?}: {}. Their consumers will get \
                 UNKNOWN_TOPIC_OR_PARTITION, or silently re-create the topic if the broker has \
                 auto.create.topics.enable=true. Stop them first.",
                groups.len(),
                names.join(", ")
            ),
        ));
    }
    DeleteTopicImpact {
        topic: topic.to_string(),
        partitions: partitions.len(),
        messages_lost,
        bytes_lost,
        groups_with_commits: groups,
        notes,
    }
}

/// Delete the records of one partition before an offset (DeleteRecords). Offsets for "before
/// timestamp" are resolved by the shell (ListOffsets by timestamp) and passed in here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeTarget {
    /// Partition id.
    pub partition: i32,
    /// Records with offsets below this are deleted; `-1` means the high watermark (all records), as
    /// in Kafka's DeleteRecords.
    pub before_offset: i64,
}

/// Why a purge plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurgeError {
    /// No targets were given.
    #[error("no partitions to purge. Send at least one {{partition, before_offset}}.")]
    NoTargets,
    /// The partition does not exist.
    #[error("partition {partition} does not exist in {topic:?} (partitions 0 to {max}). Send an existing partition.")]
    UnknownPartition {
        /// The topic.
        topic: String,
        /// The partition sent.
        partition: i32,
        /// Its highest partition id.
        max: i32,
    },
    /// The same partition appears twice.
    #[error("partition {partition} is listed more than once. Send one target per partition.")]
    DuplicatePartition {
        /// The partition sent twice.
        partition: i32,
    },
    /// A negative offset other than `-1`.
    #[error("before_offset {offset} for partition {partition} is negative. Send an offset ≥ 0, or -1 for everything up to the end.")]
    NegativeOffset {
        /// The partition.
        partition: i32,
        /// The offset sent.
        offset: i64,
    },
    /// Beyond the end of the partition.
    #[error("before_offset {offset} for partition {partition} is past its end offset {end}; Kafka would refuse with OFFSET_OUT_OF_RANGE. Send an offset ≤ {end} (or -1 for everything).")]
    BeyondEnd {
        /// The partition.
        partition: i32,
        /// The offset sent.
        offset: i64,
        /// The partition's end offset (high watermark).
        end: i64,
    },
}

/// What a purge does to one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PartitionPurge {
    /// Partition id.
    pub partition: i32,
    /// Earliest offset now.
    #[serde(with = "Offset")]
    pub log_start_offset: i64,
    /// End offset (high watermark) now.
    #[serde(with = "Offset")]
    pub end_offset: i64,
    /// Records below this offset are deleted (`-1` already resolved to the end offset).
    #[serde(with = "Offset")]
    pub before_offset: i64,
    /// Records deleted: max(0, before_offset − log_start_offset).
    #[serde(with = "Offset")]
    pub messages_removed: i64,
    /// The earliest offset afterwards.
    #[serde(with = "Offset")]
    pub new_log_start_offset: i64,
}

/// What a purge (DeleteRecords) does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PurgeImpact {
    /// The topic.
    pub topic: String,
    /// One row per purged partition, by partition id.
    pub partitions: Vec<PartitionPurge>,
    /// Records deleted over all partitions.
    #[serde(with = "Offset")]
    pub messages_removed_total: i64,
    /// Groups whose committed offset falls below the new start: they lose the records counted here
    /// unread, and their next fetch resets by `auto.offset.reset`.
    pub groups_losing_unread: Vec<GroupOnTopic>,
    /// Warnings and explanations.
    pub notes: Vec<PlanNote>,
}

/// The impact of deleting records before the given offsets. Refuses unknown or duplicate
/// partitions, negative offsets other than `-1`, and offsets past the end.
pub fn purge_impact(
    topic: &str,
    partitions: &[PartitionLog],
    targets: &[PurgeTarget],
    commits: &[GroupCommit],
) -> Result<PurgeImpact, PurgeError> {
    if targets.is_empty() {
        return Err(PurgeError::NoTargets);
    }
    let mut rows: Vec<PartitionPurge> = Vec::with_capacity(targets.len());
    for t in targets {
        if rows.iter().any(|r| r.partition == t.partition) {
            return Err(PurgeError::DuplicatePartition {
                partition: t.partition,
            });
        }
        let p = partitions
            .iter()
            .find(|p| p.partition == t.partition)
            .ok_or_else(|| PurgeError::UnknownPartition {
                topic: topic.to_string(),
                partition: t.partition,
                max: partitions.iter().map(|p| p.partition).max().unwrap_or(-1),
            })?;
        let before = match t.before_offset {
            -1 => p.end_offset,
            o if o < 0 => {
                return Err(PurgeError::NegativeOffset {
                    partition: t.partition,
                    offset: o,
                })
            }
            o if o > p.end_offset => {
                return Err(PurgeError::BeyondEnd {
                    partition: t.partition,
                    offset: o,
                    end: p.end_offset,
                })
            }
            o => o,
        };
        let removed = (before - p.log_start_offset).max(0);
        rows.push(PartitionPurge {
            partition: p.partition,
            log_start_offset: p.log_start_offset,
            end_offset: p.end_offset,
            before_offset: before,
            messages_removed: removed,
            new_log_start_offset: before.max(p.log_start_offset),
        });
    }
    rows.sort_by_key(|r| r.partition);
    let total: i64 = rows.iter().map(|r| r.messages_removed).sum();
    let groups = groups_on(commits, |c| {
        let r = rows.iter().find(|r| r.partition == c.partition)?;
        (c.committed_offset >= 0 && c.committed_offset < r.new_log_start_offset)
            .then(|| r.new_log_start_offset - c.committed_offset.max(r.log_start_offset))
    });
    let mut notes = Vec::new();
    if total > 0 {
        notes.push(note(
            "purge-is-irreversible",
            Severity::Critical,
            format!("{total} record(s) of {topic:?} are deleted for good on every replica."),
        ));
    }
    let noop: Vec<String> = rows
        .iter()
        .filter(|r| r.messages_removed == 0)
        .map(|r| r.partition.to_string())
        .collect();
    if !noop.is_empty() {
        notes.push(note(
            "nothing-to-purge",
            Severity::Info,
            format!(
                "partition(s) {} already start at or after the requested offset; nothing is deleted there.",
                noop.join(", ")
            ),
        ));
    }
    if !groups.is_empty() {
        let names: Vec<String> = groups
            .iter()
            .map(|g| format!("{} ({} unread)", g.group, g.unread_messages_lost))
            .collect();
        notes.push(note(
            "groups-lose-unread",
            Severity::Warn,
            format!(
                "consumer group(s) {} have not read the purged records yet; their next fetch gets \
                 OFFSET_OUT_OF_RANGE and resets by auto.offset.reset (earliest: the new start; latest: skips \
                 to the end).",
                names.join(", ")
            ),
        ));
    }
    Ok(PurgeImpact {
        topic: topic.to_string(),
        partitions: rows,
        messages_removed_total: total,
        groups_losing_unread: groups,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `orders` end offsets in the healthy fixture (`list_offsets.json`), all starting at 0.
    fn orders() -> Vec<PartitionLog> {
        [896, 850, 769, 857, 782, 846]
            .iter()
            .enumerate()
            .map(|(i, &end)| PartitionLog {
                partition: i as i32,
                log_start_offset: 0,
                end_offset: end,
                size_bytes: None,
            })
            .collect()
    }

    /// Group `analytics` in the healthy fixture: committed orders-0 = 896 and orders-4 = 104 only.
    fn analytics() -> Vec<GroupCommit> {
        vec![
            GroupCommit {
                group: "analytics".into(),
                partition: 0,
                committed_offset: 896,
            },
            GroupCommit {
                group: "analytics".into(),
                partition: 4,
                committed_offset: 104,
            },
            GroupCommit {
                group: "never-committed".into(),
                partition: 1,
                committed_offset: -1001,
            },
        ]
    }

    #[test]
    fn delete_impact_on_fixture_orders() {
        let i = delete_topic_impact("orders", &orders(), &analytics());
        assert_eq!(i.partitions, 6);
        assert_eq!(i.messages_lost, 5000);
        assert_eq!(i.bytes_lost, None);
        // analytics: orders-0 fully read (0 unread), orders-4 782 - 104 = 678 unread (README: lag
        // 678).
        assert_eq!(
            i.groups_with_commits,
            vec![GroupOnTopic {
                group: "analytics".into(),
                partitions_committed: 2,
                unread_messages_lost: 678
            }]
        );
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["delete-is-irreversible", "groups-still-committed"]);
        assert_eq!(i.notes[0].severity, Severity::Critical);

        let mut sized = orders();
        for p in &mut sized {
            p.size_bytes = Some(1000);
        }
        assert_eq!(
            delete_topic_impact("orders", &sized, &[]).bytes_lost,
            Some(6000)
        );
    }

    #[test]
    fn purge_impact_per_partition() {
        let parts = vec![
            PartitionLog {
                partition: 0,
                log_start_offset: 100,
                end_offset: 500,
                size_bytes: None,
            },
            PartitionLog {
                partition: 1,
                log_start_offset: 0,
                end_offset: 50,
                size_bytes: None,
            },
            PartitionLog {
                partition: 2,
                log_start_offset: 300,
                end_offset: 300,
                size_bytes: None,
            },
        ];
        let commits = vec![
            GroupCommit {
                group: "slow".into(),
                partition: 0,
                committed_offset: 150,
            },
            GroupCommit {
                group: "fast".into(),
                partition: 0,
                committed_offset: 450,
            },
            GroupCommit {
                group: "slow".into(),
                partition: 1,
                committed_offset: 10,
            },
        ];
        let targets = [
            PurgeTarget {
                partition: 1,
                before_offset: -1,
            },
            PurgeTarget {
                partition: 0,
                before_offset: 400,
            },
            PurgeTarget {
                partition: 2,
                before_offset: 200,
            },
        ];
        let i = purge_impact("t", &parts, &targets, &commits).unwrap();
        // p0: 400 - 100 = 300; p1: -1 -> end 50, 50 - 0 = 50; p2: 200 < start 300 -> 0.
        let removed: Vec<i64> = i.partitions.iter().map(|r| r.messages_removed).collect();
        assert_eq!(removed, [300, 50, 0]);
        assert_eq!(i.partitions[1].before_offset, 50);
        assert_eq!(i.partitions[2].new_log_start_offset, 300);
        assert_eq!(i.messages_removed_total, 350);
        // slow: p0 committed 150 < 400 -> loses 250 unread; p1 committed 10 < 50 -> 40. fast is
        // past 400.
        assert_eq!(
            i.groups_losing_unread,
            vec![GroupOnTopic {
                group: "slow".into(),
                partitions_committed: 2,
                unread_messages_lost: 290
            }]
        );
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "purge-is-irreversible",
                "nothing-to-purge",
                "groups-lose-unread"
            ]
        );
        // Offsets are strings on the wire.
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["partitions"][0]["before_offset"], "400");
        assert_eq!(json["partitions"][0]["messages_removed"], "300");
    }

    #[test]
    fn purge_refusals() {
        let parts = orders();
        let e = purge_impact(
            "orders",
            &parts,
            &[PurgeTarget {
                partition: 0,
                before_offset: 897,
            }],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e,
            PurgeError::BeyondEnd {
                partition: 0,
                offset: 897,
                end: 896
            }
        );
        assert!(e.to_string().contains("Send an offset ≤ 896"));
        assert_eq!(
            purge_impact(
                "orders",
                &parts,
                &[PurgeTarget {
                    partition: 9,
                    before_offset: 1
                }],
                &[]
            ),
            Err(PurgeError::UnknownPartition {
                topic: "orders".into(),
                partition: 9,
                max: 5
            })
        );
        assert_eq!(
            purge_impact(
                "orders",
                &parts,
                &[PurgeTarget {
                    partition: 0,
                    before_offset: -2
                }],
                &[]
            ),
            Err(PurgeError::NegativeOffset {
                partition: 0,
                offset: -2
            })
        );
        let dup = [
            PurgeTarget {
                partition: 0,
                before_offset: 1,
            },
            PurgeTarget {
                partition: 0,
                before_offset: 2,
            },
        ];
        assert_eq!(
            purge_impact("orders", &parts, &dup, &[]),
            Err(PurgeError::DuplicatePartition { partition: 0 })
        );
        assert_eq!(
            purge_impact("orders", &parts, &[], &[]),
            Err(PurgeError::NoTargets)
        );
        // Exactly the end is allowed: everything goes.
        let i = purge_impact(
            "orders",
            &parts,
            &[PurgeTarget {
                partition: 0,
                before_offset: 896,
            }],
            &[],
        )
        .unwrap();
        assert_eq!(i.messages_removed_total, 896);
    }
}

//! Partition count and replication factor of a new topic, add-partitions checks, and what adding
//! partitions does to keyed data (the share of keys that keep their partition).

use schemars::JsonSchema;
use serde::Serialize;

use super::note::{note, PlanNote};
use crate::analysis::finding::Severity;

/// Above this many partitions in one topic a plan warns (each partition costs file handles, memory,
/// controller metadata and leader elections).
pub const PARTITIONS_PER_TOPIC_WARN: i32 = 10_000;

/// Why a partition count or replication factor is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartitionPlanError {
    /// Fewer than one partition.
    #[error("a topic needs at least 1 partition; got {got}. Send `partitions` ≥ 1 (e.g. 6).")]
    PartitionsBelowOne {
        /// The count sent.
        got: i64,
    },
    /// Replication factor below one.
    #[error("the replication factor must be at least 1; got {got}. Send 3 for data that matters (1 only for scratch data).")]
    ReplicationFactorBelowOne {
        /// The value sent.
        got: i64,
    },
    /// More replicas than live brokers.
    #[error("replication factor {replication_factor} exceeds the {live_brokers} live broker(s); Kafka would refuse with INVALID_REPLICATION_FACTOR. Send replication_factor ≤ {live_brokers}, or bring the missing brokers back first.")]
    ReplicationFactorAboveBrokers {
        /// The replication factor sent.
        replication_factor: i64,
        /// Live brokers now.
        live_brokers: usize,
    },
    /// The new count equals the current one.
    #[error("the topic already has {current} partitions. Partitions only grow: send a count above {current}.")]
    AlreadyHas {
        /// Partitions now.
        current: i32,
    },
    /// The new count is below the current one.
    #[error("the topic has {current} partitions and Kafka cannot remove partitions, so {requested} is impossible. Send a count above {current}, or create a new topic with {requested} partitions and move producers and consumers to it.")]
    CannotShrink {
        /// Partitions now.
        current: i32,
        /// The count sent.
        requested: i32,
    },
}

/// Checks the partition count and replication factor of a new topic against the live broker count.
/// Notes: `many-partitions` (warn) above [`PARTITIONS_PER_TOPIC_WARN`]; `no-redundancy` (warn) for
/// RF 1.
pub fn check_new_topic_layout(
    partitions: i64,
    replication_factor: i64,
    live_brokers: usize,
) -> Result<Vec<PlanNote>, PartitionPlanError> {
    if partitions < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne { got: partitions });
    }
    if replication_factor < 1 {
        return Err(PartitionPlanError::ReplicationFactorBelowOne {
            got: replication_factor,
        });
    }
    if replication_factor > live_brokers as i64 {
        return Err(PartitionPlanError::ReplicationFactorAboveBrokers {
            replication_factor,
            live_brokers,
        });
    }
    let mut notes = Vec::new();
    if partitions > i64::from(PARTITIONS_PER_TOPIC_WARN) {
        notes.push(many_partitions_note(partitions));
    }
    if replication_factor == 1 {
        notes.push(note(
            "no-redundancy",
            Severity::Warn,
            "replication factor 1 keeps one copy: when its broker is down the partition is offline, and a \
             lost disk loses the data. Send replication_factor 3 unless this is scratch data.",
        ));
    }
    Ok(notes)
}

fn many_partitions_note(partitions: i64) -> PlanNote {
    note(
        "many-partitions",
        Severity::Warn,
        format!(
            "{partitions} partitions in one topic is above {PARTITIONS_PER_TOPIC_WARN}: every partition \
             costs open files, memory, metadata and election time. Check the need with plan_capacity."
        ),
    )
}

/// Checks an add-partitions request: the count only grows.
pub fn check_add_partitions(
    current: i32,
    requested: i32,
) -> Result<Vec<PlanNote>, PartitionPlanError> {
    // `current` comes from Metadata; below 1 means the caller read nothing.
    if current < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne {
            got: i64::from(current),
        });
    }
    if requested < 1 {
        return Err(PartitionPlanError::PartitionsBelowOne {
            got: i64::from(requested),
        });
    }
    if requested == current {
        return Err(PartitionPlanError::AlreadyHas { current });
    }
    if requested < current {
        return Err(PartitionPlanError::CannotShrink { current, requested });
    }
    let mut notes = Vec::new();
    if requested > PARTITIONS_PER_TOPIC_WARN {
        notes.push(many_partitions_note(i64::from(requested)));
    }
    Ok(notes)
}

/// What adding partitions does to keyed data.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AddPartitionsImpact {
    /// Partitions now.
    pub current_partitions: i32,
    /// Partitions after the change.
    pub new_partitions: i32,
    /// Partitions added.
    pub added_partitions: i32,
    /// Share of keys (0 to 1) that keep their partition under `hash(key) mod N` with uniformly
    /// spread hashes: gcd(old, new) / new. Example: 3 → 6 keeps 1/2, 3 → 4 keeps 1/4.
    pub keys_keep_partition_fraction: f64,
    /// Share of keys (0 to 1) whose new records go to a different partition: 1 − the above.
    pub keys_move_fraction: f64,
    /// The kept share as an exact fraction, e.g. `1/2`.
    pub keys_keep_partition_exact: String,
    /// What else happens: ordering, rebalances, compaction.
    pub notes: Vec<PlanNote>,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The share of uniformly hashed keys that keep their partition when the count goes from `old` to
/// `new`, as (numerator, denominator) in lowest terms.
///
/// A hash `h` stays iff `h mod old == h mod new`. Over one period `lcm(old, new)` that common
/// residue `c` must be below `min(old, new)`, and by the Chinese remainder theorem each such `c`
/// has exactly one `h` (namely `h = c`), so the share is `min / lcm = gcd / max`.
pub fn keys_keep_partition_fraction(old: u32, new: u32) -> (u64, u64) {
    let (a, b) = (u64::from(old.max(1)), u64::from(new.max(1)));
    let g = gcd(a, b);
    let (num, den) = (g, a.max(b));
    let r = gcd(num, den);
    (num / r, den / r)
}

/// The impact of growing a topic from `current` to `requested` partitions, after
/// [`check_add_partitions`]'s checks. `compacted` says whether `cleanup.policy` includes `compact`.
pub fn add_partitions_impact(
    current: i32,
    requested: i32,
    compacted: bool,
) -> Result<AddPartitionsImpact, PartitionPlanError> {
    let mut notes = check_add_partitions(current, requested)?;
    let (num, den) = keys_keep_partition_fraction(current as u32, requested as u32);
    let keep = num as f64 / den as f64;
    let moved_pct = (1.0 - keep) * 100.0;
    notes.push(note(
        "keys-move-partition",
        Severity::Warn,
        format!(
            "keyed producers using the default partitioner (murmur2(key) mod partitions; librdkafka clients \
             only with partitioner=murmur2_random) will send {moved_pct:.1}% of keys to a different \
             partition from now on. Per-key ordering breaks across the change: a consumer may read a \
             key's new records before its old ones. Pause keyed producers and drain consumers first if \
             order matters."
        ),
    ));
    notes.push(note(
        "consumer-groups-rebalance",
        Severity::Info,
        format!(
            "consumer groups on the topic rebalance once they see the new partitions (within \
             metadata.max.age.ms, 5 min by default); groups with auto.offset.reset=latest skip records \
             produced to the {} new partition(s) before they are assigned.",
            requested - current
        ),
    ));
    if compacted {
        notes.push(note(
            "compacted-keys-split",
            Severity::Warn,
            "the topic is compacted: a moved key's old value stays in its old partition while new values go \
             to the new one, so compaction never replaces the old value and readers rebuilding state see \
             both. Recreate the topic with the new count and re-produce instead if consumers rebuild state.",
        ));
    }
    Ok(AddPartitionsImpact {
        current_partitions: current,
        new_partitions: requested,
        added_partitions: requested - current,
        keys_keep_partition_fraction: keep,
        keys_move_fraction: 1.0 - keep,
        keys_keep_partition_exact: format!("{num}/{den}"),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_topic_layout() {
        assert_eq!(check_new_topic_layout(6, 3, 3), Ok(vec![]));
        assert_eq!(
            check_new_topic_layout(0, 3, 3),
            Err(PartitionPlanError::PartitionsBelowOne { got: 0 })
        );
        assert_eq!(
            check_new_topic_layout(6, 0, 3),
            Err(PartitionPlanError::ReplicationFactorBelowOne { got: 0 })
        );
        let e = check_new_topic_layout(6, 3, 2).unwrap_err();
        assert_eq!(
            e,
            PartitionPlanError::ReplicationFactorAboveBrokers {
                replication_factor: 3,
                live_brokers: 2
            }
        );
        assert!(e.to_string().contains("Send replication_factor ≤ 2"));
        let notes = check_new_topic_layout(20_000, 1, 3).unwrap();
        let ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["many-partitions", "no-redundancy"]);
    }

    #[test]
    fn partitions_only_grow() {
        assert_eq!(
            check_add_partitions(6, 6),
            Err(PartitionPlanError::AlreadyHas { current: 6 })
        );
        assert!(PartitionPlanError::AlreadyHas { current: 6 }
            .to_string()
            .contains("already has 6"));
        assert_eq!(
            check_add_partitions(6, 3),
            Err(PartitionPlanError::CannotShrink {
                current: 6,
                requested: 3
            })
        );
        assert_eq!(check_add_partitions(6, 12), Ok(vec![]));
        assert!(
            check_add_partitions(0, 3).is_err(),
            "a current count below 1 is a bad read"
        );
        assert_eq!(
            check_add_partitions(6, 20_000).unwrap()[0].id,
            "many-partitions"
        );
    }

    /// Brute force: count h in [0, lcm) with h mod a == h mod b.
    fn brute_keep(a: u64, b: u64) -> (u64, u64) {
        let l = a * b / gcd(a, b);
        let same = (0..l).filter(|h| h % a == h % b).count() as u64;
        let g = gcd(same, l);
        (same / g, l / g)
    }

    #[test]
    fn keys_keeping_partition_is_gcd_over_max() {
        // 3 -> 6: residues 0..5 mod 6; h mod 6 == h mod 3 iff h mod 6 < 3, so 3 of 6 = 1/2.
        assert_eq!(keys_keep_partition_fraction(3, 6), (1, 2));
        // 3 -> 4: lcm 12, common residue c < 3 gives h = 0, 1, 2: 3/12 = 1/4.
        assert_eq!(keys_keep_partition_fraction(3, 4), (1, 4));
        // 6 -> 12: 1/2; 5 -> 7: 1/7; 4 -> 6: lcm 12, h in 0..4 -> 4/12 = 1/3.
        assert_eq!(keys_keep_partition_fraction(6, 12), (1, 2));
        assert_eq!(keys_keep_partition_fraction(5, 7), (1, 7));
        assert_eq!(keys_keep_partition_fraction(4, 6), (1, 3));
        for a in 1..=12u32 {
            for b in a + 1..=24u32 {
                assert_eq!(
                    keys_keep_partition_fraction(a, b),
                    brute_keep(u64::from(a), u64::from(b)),
                    "{a} -> {b}"
                );
            }
        }
    }

    #[test]
    fn add_partitions_impact_numbers_and_notes() {
        let i = add_partitions_impact(3, 6, false).unwrap();
        assert_eq!(i.added_partitions, 3);
        assert_eq!(i.keys_keep_partition_exact, "1/2");
        assert!((i.keys_keep_partition_fraction - 0.5).abs() < 1e-12);
        assert!((i.keys_move_fraction - 0.5).abs() < 1e-12);
        let ids: Vec<&str> = i.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["keys-move-partition", "consumer-groups-rebalance"]);
        assert!(i.notes[0].message.contains("50.0% of keys"));
        let i = add_partitions_impact(6, 8, true).unwrap();
        // gcd(6, 8) / 8 = 2/8 = 1/4 keep, 75% move.
        assert_eq!(i.keys_keep_partition_exact, "1/4");
        assert!(i.notes[0].message.contains("75.0% of keys"));
        assert!(i.notes.iter().any(|n| n.id == "compacted-keys-split"));
        assert_eq!(
            add_partitions_impact(6, 6, false),
            Err(PartitionPlanError::AlreadyHas { current: 6 })
        );
    }
}

//! Capacity against what a cluster shows: from two offset reads (a produce rate), log-dir sizes
//! and the topics' layout, the observed load, the headroom left on the brokers, and the plan for
//! the given load (or for the observed one when none is given). Pure: `topic_manage
//! plan_capacity` reads the cluster and hands the reads in; every assumption becomes a note.

use std::collections::BTreeMap;

use serde::Serialize;

use super::capacity::{
    self, BrokerCapacity, CapacityError, CapacityInput, CapacityPlan, Headroom, ObservedLoad,
};
use super::rates::Rates;
use crate::snapshot::{LogDirSizes, LogOffsets, TopicSnapshot};

/// What plan_capacity read from the cluster.
#[derive(Debug, Clone, Copy)]
pub struct Reads<'a> {
    /// The topics measured (one topic, or every non-internal topic).
    pub scope: &'a [TopicSnapshot],
    /// True when `scope` is one asked topic, not the whole cluster.
    pub one_topic: bool,
    /// Earliest/latest offsets of every partition in scope.
    pub offsets: &'a LogOffsets,
    /// Produce rates over the window.
    pub rates: &'a Rates,
    /// Log-dir sizes, when the brokers reported them.
    pub sizes: Option<&'a LogDirSizes>,
    /// Live brokers.
    pub brokers: usize,
    /// Bytes per record and where that figure came from, when known.
    pub record_bytes: Option<(f64, &'static str)>,
}

/// The observation, the headroom and the plan, with notes on every assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Records produced per second over the window, all partitions in scope.
    pub messages_per_s: f64,
    /// Where the storage figure came from: `describe_log_dirs` or `estimated`.
    pub storage_source: Option<&'static str>,
    /// The load handed to the headroom calculation; `None` when the record size is unknown.
    pub load: Option<ObservedLoad>,
    /// Headroom left on the brokers.
    pub headroom: Option<Headroom>,
    /// The plan for the given load (or the observed one).
    pub plan: Option<CapacityPlan>,
    /// Assumptions and limits, in words.
    pub notes: Vec<String>,
}

/// Bytes per record on disk: the bytes of the partitions whose size and offsets are both known,
/// over their retained records. `None` when no such partition holds a record.
pub fn bytes_per_record_on_disk(
    scope: &[TopicSnapshot],
    offsets: &LogOffsets,
    sizes: Option<&LogDirSizes>,
) -> Option<f64> {
    let sizes = sizes?;
    let (mut bytes, mut records) = (0u64, 0i64);
    for t in scope {
        for p in &t.partitions {
            if let (Some(b), Some((Some(lo), Some(hi)))) = (
                sizes.partition_bytes(&t.name, p.id, p.leader),
                offsets.get(&(t.name.clone(), p.id)),
            ) {
                bytes += b;
                records += (hi - lo).max(0);
            }
        }
    }
    (bytes > 0 && records > 0).then(|| bytes as f64 / records as f64)
}

/// The replication factor most partitions have (1 when there are none).
pub fn typical_rf(topics: &[TopicSnapshot]) -> u32 {
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

/// The observed load, headroom and plan for `cap` (the caller's capacity input; its broker count
/// and, for an observed plan, throughput and RF are filled from the reads).
pub fn observe(reads: &Reads<'_>, mut cap: CapacityInput) -> Result<Observation, CapacityError> {
    let mut notes = Vec::new();
    let messages_per_s = reads.rates.total();
    let messages: i64 = reads
        .offsets
        .values()
        .filter_map(|&(lo, hi)| Some((hi? - lo?).max(0)))
        .sum();
    let size = reads.record_bytes.map(|(b, _)| b);
    let rf = typical_rf(reads.scope);
    let (storage_gb, storage_source) = match (reads.sizes, reads.one_topic) {
        (Some(s), false) => (
            Some(s.total_bytes() as f64 / 1e9),
            Some("describe_log_dirs"),
        ),
        (Some(s), true) => (
            Some(
                s.replicas
                    .iter()
                    .filter(|((t, _), _)| reads.scope.iter().any(|x| &x.name == t))
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
        (Some(b), Some(st)) if reads.brokers > 0 => {
            let ingress = messages_per_s * b / 1e6;
            Some(ObservedLoad {
                ingress_mb_s: ingress,
                egress_mb_s: ingress * f64::from(groups_n),
                replication_factor: rf,
                brokers: reads.brokers as u32,
                storage_used_gb: st,
            })
        }
        _ => {
            notes.push("record size unknown (no sizes from the brokers, no capacity.avg_message_bytes, nothing to sample): headroom not computed".into());
            None
        }
    };
    let headroom = match &load {
        Some(l) => {
            if cap.consumer_groups.is_none() {
                notes.push("egress assumes 1 consumer group reads everything; set capacity.consumer_groups for the real fan-out".into());
            }
            let disk_gb = cap.broker_disk_gb.or_else(|| {
                let d = reads.sizes?.disks.values().map(|d| d.total_bytes).min()?;
                Some(d as f64 / 1e9)
            });
            if disk_gb.is_none() {
                notes.push(format!(
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
            Some(capacity::headroom(l, &bc)?)
        }
        None => None,
    };
    if reads.one_topic {
        let name = reads.scope.first().map_or("", |t| t.name.as_str());
        notes.push(format!(
            "observed load and headroom count only topic {name:?}; omit `topic` for the whole cluster"
        ));
    }

    // The plan: the given load, or the observed one when none is given.
    cap.broker_count.get_or_insert(reads.brokers.max(1) as u32);
    let given = cap.avg_throughput_mb_s.is_some()
        || cap.peak_throughput_mb_s.is_some()
        || cap.avg_messages_per_s.is_some()
        || cap.peak_messages_per_s.is_some();
    let observed_mb = load.as_ref().map(|l| l.ingress_mb_s).filter(|v| *v > 0.0);
    if !given {
        if let Some(mb) = observed_mb {
            cap.avg_throughput_mb_s = Some(mb);
            cap.replication_factor.get_or_insert(rf);
            notes.push(format!(
                "no throughput in `capacity`: planned for the observed {mb:.3} MB/s (a peak is unknown from one window: set capacity.peak_throughput_mb_s)"
            ));
        }
    }
    let plan = if given || observed_mb.is_some() {
        Some(capacity::plan_capacity(&cap)?)
    } else {
        notes.push("no throughput given and none observed: no plan; send capacity.avg_throughput_mb_s (and peak) to size a load".into());
        None
    };
    if let (true, Some(p), Some(h)) = (given, &plan, &headroom) {
        if let Some(room) = h.ingress_headroom_mb_s {
            let binding = serde_json::to_value(h.binding)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            notes.push(if p.peak_throughput_mb_s <= room {
                format!(
                    "the planned peak {:.2} MB/s fits in the cluster's remaining headroom of {room:.2} MB/s (binding: {binding})",
                    p.peak_throughput_mb_s
                )
            } else {
                format!(
                    "the planned peak {:.2} MB/s exceeds the cluster's remaining headroom of {room:.2} MB/s (binding: {binding}): add brokers first",
                    p.peak_throughput_mb_s
                )
            });
        }
    }
    Ok(Observation {
        messages_per_s,
        storage_source,
        load,
        headroom,
        plan,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DiskSpace, PartitionSnapshot};

    fn topic(name: &str, partitions: i32, rf: usize) -> TopicSnapshot {
        TopicSnapshot {
            name: name.into(),
            internal: false,
            partitions: (0..partitions)
                .map(|id| PartitionSnapshot {
                    id,
                    leader: 1,
                    replicas: (1..=rf as i32).collect(),
                    isr: (1..=rf as i32).collect(),
                    error: None,
                })
                .collect(),
            error: None,
        }
    }

    /// `orders`: 2 partitions × 1,000 records, 1 MB each on its leader (so 1,000 B per record),
    /// on 3 brokers of 100 GB disks; produced at 100 records/s per partition.
    fn cluster() -> (Vec<TopicSnapshot>, LogOffsets, Rates, LogDirSizes) {
        let scope = vec![topic("orders", 2, 3)];
        let k = |p| ("orders".to_string(), p);
        let offsets: LogOffsets =
            [(k(0), (Some(0), Some(1000))), (k(1), (Some(0), Some(1000)))].into();
        let rates = Rates {
            per_partition: [(k(0), 100.0), (k(1), 100.0)].into(),
            window_ms: 2000,
        };
        let mut sizes = LogDirSizes::default();
        for p in 0..2 {
            sizes
                .replicas
                .insert(k(p), (1..=3).map(|b| (b, 1_000_000)).collect());
        }
        for b in 1..=3 {
            sizes.disks.insert(
                b,
                DiskSpace {
                    total_bytes: 100_000_000_000,
                    usable_bytes: 90_000_000_000,
                },
            );
        }
        (scope, offsets, rates, sizes)
    }

    #[test]
    fn bytes_per_record_come_from_disk_sizes_over_retained_records() {
        let (scope, offsets, _, sizes) = cluster();
        assert_eq!(
            bytes_per_record_on_disk(&scope, &offsets, Some(&sizes)),
            Some(1000.0)
        );
        assert_eq!(bytes_per_record_on_disk(&scope, &offsets, None), None);
        let empty: LogOffsets = offsets
            .keys()
            .map(|k| (k.clone(), (Some(5), Some(5))))
            .collect();
        assert_eq!(bytes_per_record_on_disk(&scope, &empty, Some(&sizes)), None);
    }

    #[test]
    fn typical_rf_is_the_most_common_replica_count() {
        assert_eq!(typical_rf(&[topic("a", 3, 3), topic("b", 1, 1)]), 3);
        assert_eq!(typical_rf(&[]), 1);
    }

    #[test]
    fn the_observed_load_gives_headroom_and_a_plan_for_itself() {
        let (scope, offsets, rates, sizes) = cluster();
        let reads = Reads {
            scope: &scope,
            one_topic: false,
            offsets: &offsets,
            rates: &rates,
            sizes: Some(&sizes),
            brokers: 3,
            record_bytes: Some((1000.0, "describe_log_dirs")),
        };
        let o = observe(&reads, CapacityInput::default()).unwrap();
        assert_eq!(o.messages_per_s, 200.0);
        assert_eq!(o.storage_source, Some("describe_log_dirs"));
        let load = o.load.expect("a load");
        assert!((load.ingress_mb_s - 0.2).abs() < 1e-9, "{load:?}");
        assert_eq!((load.replication_factor, load.brokers), (3, 3));
        // 2 partitions × 3 replicas × 1 MB.
        assert!((load.storage_used_gb - 0.006).abs() < 1e-9);
        assert!(o.headroom.is_some());
        assert!(o.plan.is_some(), "planned for the observed load");
        assert!(
            o.notes
                .iter()
                .any(|n| n.contains("planned for the observed 0.200 MB/s")),
            "{:?}",
            o.notes
        );
        assert!(o
            .notes
            .iter()
            .any(|n| n.starts_with("egress assumes 1 consumer group")));
        // The disks' size came from the brokers: no assumed-disk note.
        assert!(!o
            .notes
            .iter()
            .any(|n| n.contains("broker disk size unknown")));
    }

    #[test]
    fn a_given_peak_is_compared_with_the_headroom() {
        let (scope, offsets, rates, sizes) = cluster();
        let reads = Reads {
            scope: &scope,
            one_topic: true,
            offsets: &offsets,
            rates: &rates,
            sizes: Some(&sizes),
            brokers: 3,
            record_bytes: Some((1000.0, "describe_log_dirs")),
        };
        let cap = CapacityInput {
            avg_throughput_mb_s: Some(1.0),
            peak_throughput_mb_s: Some(2.0),
            ..CapacityInput::default()
        };
        let o = observe(&reads, cap).unwrap();
        assert!(
            o.notes
                .iter()
                .any(|n| n.starts_with("the planned peak 2.00 MB/s fits")),
            "{:?}",
            o.notes
        );
        assert!(o
            .notes
            .iter()
            .any(|n| n.contains("count only topic \"orders\"")));
    }

    #[test]
    fn an_unknown_record_size_says_so_and_plans_nothing_unasked() {
        let (scope, offsets, rates, _) = cluster();
        let reads = Reads {
            scope: &scope,
            one_topic: false,
            offsets: &offsets,
            rates: &rates,
            sizes: None,
            brokers: 3,
            record_bytes: None,
        };
        let o = observe(&reads, CapacityInput::default()).unwrap();
        assert_eq!(
            (o.load.is_none(), o.headroom.is_none(), o.plan.is_none()),
            (true, true, true)
        );
        assert!(
            o.notes[0].starts_with("record size unknown"),
            "{:?}",
            o.notes
        );
        assert!(o
            .notes
            .last()
            .unwrap()
            .starts_with("no throughput given and none observed"));
    }
}

//! Capacity planning: how many partitions and brokers a load needs, with every formula and number
//! shown as numbered steps, and how much headroom an existing cluster has. Pure arithmetic over the
//! caller's numbers; no Kafka, clock or I/O. Units: MB = 10^6 bytes, GB = 10^9 bytes (the units NIC
//! and disk vendors quote); rates are per second.
//!
//! The model, and why:
//! - Partitions = ceil(max(peak ÷ per-partition throughput, consumer parallelism) × growth),
//!   rounded up to a multiple of the broker count so leaders spread evenly. Growth applies to
//!   partitions only: adding partitions later moves keys (see
//!   `topic::keys_keep_partition_fraction`), while brokers can be added when load arrives.
//! - Network, cluster-wide at peak: in = peak × RF (producers to leaders, plus followers
//!   fetching), out = peak × (RF − 1 + consumer groups) (replication fetches plus every group
//!   reading everything). NICs are full duplex, so the larger direction decides.
//! - Storage = average × retention seconds × RF × (1 + overhead), or retention.bytes ×
//!   partitions × RF × (1 + overhead) when size-bounded; the smaller when both bound it.
//! - Brokers = max(RF, ceil(network ÷ (NIC × utilisation)), ceil(storage ÷ (disk ×
//!   utilisation))).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Replication factor when none is given.
pub const DEFAULT_REPLICATION_FACTOR: u32 = 3;
/// Throughput one partition sustains when none is given, MB/s (a conservative consumer-side
/// figure).
pub const DEFAULT_PARTITION_THROUGHPUT_MB_S: f64 = 10.0;
/// Broker NIC when none is given: 10 Gbit/s = 1250 MB/s.
pub const DEFAULT_BROKER_NETWORK_MB_S: f64 = 1250.0;
/// Broker data disk when none is given, GB.
pub const DEFAULT_BROKER_DISK_GB: f64 = 2000.0;
/// Share of network and disk a plan may use, leaving room for failover, rebalancing and bursts.
pub const DEFAULT_TARGET_UTILIZATION: f64 = 0.7;
/// Partition growth allowance: 1.5 = room for 50 % more throughput or consumers without adding
/// partitions (2.0 suits a young, fast-growing product).
pub const DEFAULT_GROWTH_FACTOR: f64 = 1.5;
/// Extra disk for indexes, the open segment and cleaner/deletion lag, as a fraction of data.
pub const DEFAULT_STORAGE_OVERHEAD: f64 = 0.10;
/// Kafka 4.0's default `retention.ms` (7 days), used when no retention is given.
pub const DEFAULT_RETENTION_MS: i64 = 604_800_000;

/// Partition replicas per broker above which a plan warns (the long-standing guidance).
pub const MAX_REPLICAS_PER_BROKER: f64 = 4_000.0;
/// Partition replicas per cluster above which a plan warns.
pub const MAX_REPLICAS_PER_CLUSTER: f64 = 200_000.0;
/// Peak ingress above which one cluster is unusual, MB/s (5 GB/s).
pub const UNUSUAL_INGRESS_MB_S: f64 = 5_000.0;
/// Peak ingress refused as impossible, MB/s (1 TB/s).
pub const IMPOSSIBLE_INGRESS_MB_S: f64 = 1_000_000.0;
/// Peak message rate refused as impossible, per second (a billion).
pub const IMPOSSIBLE_MESSAGES_PER_S: f64 = 1e9;

/// What a topic or cluster must carry. Give throughput as messages/s with `avg_message_bytes`, or
/// as MB/s; every other field has a default that the plan lists under `assumptions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapacityInput {
    /// Average produce rate, messages per second.
    pub avg_messages_per_s: Option<f64>,
    /// Peak produce rate, messages per second. Default: the average (a warning says so).
    pub peak_messages_per_s: Option<f64>,
    /// Average produce throughput, MB/s (10^6 bytes/s). Wins over messages × size when both are
    /// given.
    pub avg_throughput_mb_s: Option<f64>,
    /// Peak produce throughput, MB/s.
    pub peak_throughput_mb_s: Option<f64>,
    /// Average record size in bytes as stored (after producer compression). Needed with message
    /// rates.
    pub avg_message_bytes: Option<f64>,
    /// Time retention in ms, as `retention.ms`; -1 keeps records forever (then give
    /// `retention_bytes_per_partition`). Default 604800000 (7 days, Kafka's default).
    pub retention_ms: Option<i64>,
    /// Size retention per partition in bytes, as `retention.bytes`.
    pub retention_bytes_per_partition: Option<i64>,
    /// Replication factor. Default 3.
    pub replication_factor: Option<u32>,
    /// Consumer groups that each read everything (fan-out). Default 1.
    pub consumer_groups: Option<u32>,
    /// Consumers wanted in the largest group; partitions are at least this. Default 1.
    pub consumer_parallelism: Option<u32>,
    /// Throughput one partition sustains, MB/s. Default 10.
    pub partition_throughput_mb_s: Option<f64>,
    /// Network bandwidth of one broker per direction, MB/s. Default 1250 (10 Gbit/s).
    pub broker_network_mb_s: Option<f64>,
    /// Data disk of one broker, GB. Default 2000.
    pub broker_disk_gb: Option<f64>,
    /// Share (0 to 1] of network and disk to plan for. Default 0.7.
    pub target_utilization: Option<f64>,
    /// Partition growth allowance, ≥ 1. Default 1.5.
    pub growth_factor: Option<f64>,
    /// Storage overhead for indexes and segment slack, a fraction ≥ 0. Default 0.10.
    pub storage_overhead: Option<f64>,
    /// Brokers the cluster has, if it exists: partitions are rounded to a multiple of it and the
    /// plan says whether it is enough.
    pub broker_count: Option<u32>,
}

/// Why a plan cannot be made, and what to send instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CapacityError {
    /// No throughput at all.
    #[error("no throughput given. Send avg_throughput_mb_s (and peak_throughput_mb_s), or avg_messages_per_s with avg_message_bytes.")]
    MissingThroughput,
    /// Message rates without a message size.
    #[error("message rates need a size to become MB/s. Send avg_message_bytes (bytes per record after compression), or give throughput in MB/s.")]
    MissingMessageSize,
    /// A value that must be positive is not.
    #[error("{field} must be a positive number; got {value}. Send a value above 0.")]
    NotPositive {
        /// The input field.
        field: &'static str,
        /// The value sent.
        value: f64,
    },
    /// A value outside its range.
    #[error("{field}={value} is out of range; send {expected}.")]
    OutOfRange {
        /// The input field.
        field: &'static str,
        /// The value sent.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// Peak below average.
    #[error("peak throughput {peak_mb_s} MB/s is below the average {avg_mb_s} MB/s. Send a peak ≥ the average (or omit it to use the average).")]
    PeakBelowAverage {
        /// Peak, MB/s.
        peak_mb_s: f64,
        /// Average, MB/s.
        avg_mb_s: f64,
    },
    /// Retention is unbounded.
    #[error("retention_ms is -1 (forever) and no retention_bytes_per_partition is given, so storage grows without end. Send retention_bytes_per_partition, or a retention_ms ≥ 1.")]
    UnboundedRetention,
    /// RF larger than the given cluster.
    #[error("replication factor {replication_factor} needs at least {replication_factor} brokers, but broker_count is {broker_count}. Send replication_factor ≤ {broker_count}, or a larger broker_count.")]
    ReplicationFactorAboveBrokers {
        /// RF sent.
        replication_factor: u32,
        /// Brokers sent.
        broker_count: u32,
    },
    /// Beyond anything one Kafka deployment can do.
    #[error("{what} is beyond any Kafka cluster ({limit}). Check the units (MB/s, not bytes/s; messages per second, not per day) and send the real figure.")]
    Impossible {
        /// What was too large, with the value.
        what: String,
        /// The limit it broke.
        limit: &'static str,
    },
}

/// The resource that sets the broker count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapacityLimit {
    /// Only the replication factor: the load is small.
    ReplicationFactor,
    /// Network bandwidth at peak.
    Network,
    /// Disk for the retained data.
    Storage,
    /// The given broker count, larger than the load needs.
    BrokerCount,
}

/// A capacity plan with its reasoning.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CapacityPlan {
    /// Partitions for the topic (or the workload), a multiple of `brokers`.
    pub partitions: u32,
    /// Brokers to run: the given broker count, or what the load needs if that is more.
    pub brokers: u32,
    /// Brokers the load needs: max(RF, network, storage).
    pub brokers_needed: u32,
    /// Replication factor used.
    pub replication_factor: u32,
    /// What sets `brokers_needed`.
    pub limited_by: CapacityLimit,
    /// Average produce throughput, MB/s.
    pub avg_throughput_mb_s: f64,
    /// Peak produce throughput, MB/s.
    pub peak_throughput_mb_s: f64,
    /// Peak produce rate, messages/s, when a message size is known.
    pub peak_messages_per_s: Option<f64>,
    /// Cluster-wide inbound traffic at peak, MB/s: peak × RF.
    pub network_in_mb_s: f64,
    /// Cluster-wide outbound traffic at peak, MB/s: peak × (RF − 1 + consumer groups).
    pub network_out_mb_s: f64,
    /// Inbound traffic per broker at peak, MB/s.
    pub network_in_per_broker_mb_s: f64,
    /// Outbound traffic per broker at peak, MB/s.
    pub network_out_per_broker_mb_s: f64,
    /// Disk for the retained data over all replicas, with overhead, GB.
    pub storage_gb: f64,
    /// Disk per broker, GB.
    pub storage_per_broker_gb: f64,
    /// Partition replicas per broker: partitions × RF ÷ brokers.
    pub partition_replicas_per_broker: f64,
    /// Defaults used for fields that were not given.
    pub assumptions: Vec<String>,
    /// The reasoning, numbered, with every formula and number.
    pub steps: Vec<String>,
    /// Things to look at before using the plan.
    pub warnings: Vec<String>,
}

/// Formats a number for steps: whole numbers plainly, others with up to 2 decimals.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn positive(field: &'static str, v: f64) -> Result<f64, CapacityError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(CapacityError::NotPositive { field, value: v })
    }
}

struct Steps(Vec<String>);

impl Steps {
    fn push(&mut self, s: String) {
        let n = self.0.len() + 1;
        self.0.push(format!("{n}. {s}"));
    }
}

/// Partitions and brokers for a load, with numbered reasoning. See the module docs for the model.
pub fn plan_capacity(input: &CapacityInput) -> Result<CapacityPlan, CapacityError> {
    let mut assumptions = Vec::new();
    let mut warnings = Vec::new();
    let mut steps = Steps(Vec::new());

    let rf = match input.replication_factor {
        Some(0) => {
            return Err(CapacityError::NotPositive {
                field: "replication_factor",
                value: 0.0,
            })
        }
        Some(r) => r,
        None => {
            assumptions.push(format!(
                "replication_factor = {DEFAULT_REPLICATION_FACTOR} (default)"
            ));
            DEFAULT_REPLICATION_FACTOR
        }
    };
    if let Some(b) = input.broker_count {
        if b == 0 {
            return Err(CapacityError::NotPositive {
                field: "broker_count",
                value: 0.0,
            });
        }
        if rf > b {
            return Err(CapacityError::ReplicationFactorAboveBrokers {
                replication_factor: rf,
                broker_count: b,
            });
        }
    }
    let groups = input.consumer_groups.unwrap_or_else(|| {
        assumptions.push("consumer_groups = 1 (default)".to_string());
        1
    });
    let parallelism = match input.consumer_parallelism {
        Some(0) => {
            return Err(CapacityError::NotPositive {
                field: "consumer_parallelism",
                value: 0.0,
            })
        }
        Some(p) => p,
        None => {
            assumptions.push("consumer_parallelism = 1 (default)".to_string());
            1
        }
    };
    let mut or_default = |v: Option<f64>, field: &'static str, default: f64, what: &str| {
        v.unwrap_or_else(|| {
            assumptions.push(format!("{field} = {} ({what})", num(default)));
            default
        })
    };
    let per_partition = positive(
        "partition_throughput_mb_s",
        or_default(
            input.partition_throughput_mb_s,
            "partition_throughput_mb_s",
            DEFAULT_PARTITION_THROUGHPUT_MB_S,
            "default",
        ),
    )?;
    let nic = positive(
        "broker_network_mb_s",
        or_default(
            input.broker_network_mb_s,
            "broker_network_mb_s",
            DEFAULT_BROKER_NETWORK_MB_S,
            "default: 10 Gbit/s",
        ),
    )?;
    let disk = positive(
        "broker_disk_gb",
        or_default(
            input.broker_disk_gb,
            "broker_disk_gb",
            DEFAULT_BROKER_DISK_GB,
            "default",
        ),
    )?;
    let util = or_default(
        input.target_utilization,
        "target_utilization",
        DEFAULT_TARGET_UTILIZATION,
        "default",
    );
    if !(util > 0.0 && util <= 1.0) {
        return Err(CapacityError::OutOfRange {
            field: "target_utilization",
            value: util,
            expected: "a fraction above 0 and at most 1, e.g. 0.7",
        });
    }
    let growth = or_default(
        input.growth_factor,
        "growth_factor",
        DEFAULT_GROWTH_FACTOR,
        "default",
    );
    if !(growth.is_finite() && growth >= 1.0) {
        return Err(CapacityError::OutOfRange {
            field: "growth_factor",
            value: growth,
            expected: "a factor ≥ 1, e.g. 1.5 for 50 % growth",
        });
    }
    let overhead = or_default(
        input.storage_overhead,
        "storage_overhead",
        DEFAULT_STORAGE_OVERHEAD,
        "default",
    );
    if !(overhead.is_finite() && (0.0..=10.0).contains(&overhead)) {
        return Err(CapacityError::OutOfRange {
            field: "storage_overhead",
            value: overhead,
            expected: "a fraction from 0 to 10, e.g. 0.1 for 10 %",
        });
    }

    // Throughput.
    let size = input
        .avg_message_bytes
        .map(|s| positive("avg_message_bytes", s))
        .transpose()?;
    let mb_from = |msgs: Option<f64>, field: &'static str| -> Result<Option<f64>, CapacityError> {
        match msgs {
            None => Ok(None),
            Some(m) => {
                let m = positive(field, m)?;
                if m > IMPOSSIBLE_MESSAGES_PER_S {
                    return Err(CapacityError::Impossible {
                        what: format!("{field} = {}", num(m)),
                        limit: "a billion messages per second",
                    });
                }
                let s = size.ok_or(CapacityError::MissingMessageSize)?;
                Ok(Some(m * s / 1e6))
            }
        }
    };
    let avg_from_msgs = mb_from(input.avg_messages_per_s, "avg_messages_per_s")?;
    let peak_from_msgs = mb_from(input.peak_messages_per_s, "peak_messages_per_s")?;
    let avg_mb = match input.avg_throughput_mb_s {
        Some(v) => Some(positive("avg_throughput_mb_s", v)?),
        None => avg_from_msgs,
    };
    let peak_mb = match input.peak_throughput_mb_s {
        Some(v) => Some(positive("peak_throughput_mb_s", v)?),
        None => peak_from_msgs,
    };
    let (avg_mb, peak_mb) = match (avg_mb, peak_mb) {
        (Some(a), Some(p)) => (a, p),
        (Some(a), None) => {
            warnings.push(format!(
                "no peak given: planning for the average {} MB/s as the peak. Send peak_throughput_mb_s \
                 or peak_messages_per_s; peaks are often 2-3× the average.",
                num(a)
            ));
            (a, a)
        }
        (None, Some(p)) => {
            warnings.push(format!(
                "no average given: storage assumes the peak {} MB/s all day, which overstates disk.",
                num(p)
            ));
            (p, p)
        }
        (None, None) => return Err(CapacityError::MissingThroughput),
    };
    if peak_mb < avg_mb {
        return Err(CapacityError::PeakBelowAverage {
            peak_mb_s: peak_mb,
            avg_mb_s: avg_mb,
        });
    }
    if peak_mb > IMPOSSIBLE_INGRESS_MB_S {
        return Err(CapacityError::Impossible {
            what: format!("peak throughput {} MB/s", num(peak_mb)),
            limit: "1 TB/s",
        });
    }
    let peak_msgs = size.map(|s| peak_mb * 1e6 / s);
    match (input.avg_throughput_mb_s, input.avg_messages_per_s, size) {
        (None, Some(m), Some(s)) => steps.push(format!(
            "average throughput = {} msg/s × {} B ÷ 10^6 = {} MB/s",
            num(m),
            num(s),
            num(avg_mb)
        )),
        _ => steps.push(format!("average throughput = {} MB/s (given)", num(avg_mb))),
    }
    match (input.peak_throughput_mb_s, input.peak_messages_per_s, size) {
        (None, Some(m), Some(s)) => steps.push(format!(
            "peak throughput = {} msg/s × {} B ÷ 10^6 = {} MB/s",
            num(m),
            num(s),
            num(peak_mb)
        )),
        _ => steps.push(format!("peak throughput = {} MB/s", num(peak_mb))),
    }
    if let Some(s) = size {
        if s > 1_048_588.0 {
            warnings.push(format!(
                "average message of {} bytes is above Kafka's default max.message.bytes (1048588); \
                 raise it on the topic and max.request.size on producers, or store large payloads \
                 elsewhere and send references.",
                num(s)
            ));
        }
    }
    if peak_mb > UNUSUAL_INGRESS_MB_S {
        warnings.push(format!(
            "peak ingress {} MB/s is more than one cluster usually carries ({} MB/s); consider \
             splitting the workload over several clusters.",
            num(peak_mb),
            num(UNUSUAL_INGRESS_MB_S)
        ));
    }

    // Retention.
    let retention_ms = match input.retention_ms {
        Some(-1) => None,
        Some(ms) if ms < 1 => {
            return Err(CapacityError::OutOfRange {
                field: "retention_ms",
                value: ms as f64,
                expected:
                    "a retention ≥ 1 ms, or -1 for forever with retention_bytes_per_partition",
            })
        }
        Some(ms) => Some(ms),
        None if input.retention_bytes_per_partition.is_some() => None,
        None => {
            assumptions.push(format!(
                "retention_ms = {DEFAULT_RETENTION_MS} (7 days, Kafka's default)"
            ));
            Some(DEFAULT_RETENTION_MS)
        }
    };
    let retention_bytes = match input.retention_bytes_per_partition {
        Some(b) if b < 0 => None,
        Some(0) => {
            return Err(CapacityError::NotPositive {
                field: "retention_bytes_per_partition",
                value: 0.0,
            })
        }
        Some(b) => Some(b),
        None => None,
    };
    if retention_ms.is_none() && retention_bytes.is_none() {
        return Err(CapacityError::UnboundedRetention);
    }

    // Partitions before rounding.
    let by_throughput = peak_mb / per_partition;
    let base = by_throughput.max(f64::from(parallelism));
    let raw = (base * growth).ceil();
    if raw > f64::from(u32::MAX) / f64::from(rf.max(1)) {
        return Err(CapacityError::Impossible {
            what: format!("{} partitions", num(raw)),
            limit: "2^32 partition replicas",
        });
    }
    let raw_partitions = raw as u32;
    steps.push(format!(
        "partitions before rounding = ceil(max(peak {} MB/s ÷ {} MB/s per partition = {}, consumer \
         parallelism {}) × growth {}) = ceil({} × {}) = {}",
        num(peak_mb),
        num(per_partition),
        num(by_throughput),
        parallelism,
        num(growth),
        num(base),
        num(growth),
        raw_partitions
    ));

    // Network.
    let rf_f = f64::from(rf);
    let net_in = peak_mb * rf_f;
    let net_out = peak_mb * (rf_f - 1.0 + f64::from(groups));
    let nic_usable = nic * util;
    let brokers_net = (net_in.max(net_out) / nic_usable).ceil().max(1.0);
    steps.push(format!(
        "network in = peak {} MB/s × RF {} = {} MB/s; network out = peak {} × (RF − 1 + {} consumer \
         group(s)) = {} × {} = {} MB/s",
        num(peak_mb),
        rf,
        num(net_in),
        num(peak_mb),
        groups,
        num(peak_mb),
        num(rf_f - 1.0 + f64::from(groups)),
        num(net_out)
    ));
    steps.push(format!(
        "brokers for network = ceil(max(in, out) {} MB/s ÷ ({} MB/s NIC × {} utilisation = {} MB/s)) = {}",
        num(net_in.max(net_out)),
        num(nic),
        num(util),
        num(nic_usable),
        num(brokers_net)
    ));

    // Storage depends on partitions when size-bounded; partitions depend on brokers. Iterate to a
    // fixed point (brokers only grow, so this ends).
    let time_storage_gb =
        retention_ms.map(|ms| avg_mb * (ms as f64 / 1000.0) * rf_f * (1.0 + overhead) / 1000.0);
    let disk_usable = disk * util;
    let given = input.broker_count.unwrap_or(0);
    let mut partitions = raw_partitions;
    let mut brokers;
    let mut brokers_needed;
    let mut storage_gb;
    let mut brokers_disk;
    let mut rounds = 0;
    loop {
        rounds += 1;
        let bytes_storage_gb = retention_bytes
            .map(|b| b as f64 * f64::from(partitions) * rf_f * (1.0 + overhead) / 1e9);
        storage_gb = match (time_storage_gb, bytes_storage_gb) {
            (Some(t), Some(b)) => t.min(b),
            (Some(t), None) => t,
            (None, Some(b)) => b,
            // Refused above as UnboundedRetention.
            (None, None) => 0.0,
        };
        brokers_disk = (storage_gb / disk_usable).ceil().max(1.0);
        let needed = rf_f.max(brokers_net).max(brokers_disk);
        if needed > f64::from(u32::MAX) {
            return Err(CapacityError::Impossible {
                what: format!("{} brokers", num(needed)),
                limit: "2^32 brokers",
            });
        }
        brokers_needed = needed as u32;
        brokers = brokers_needed.max(given);
        let rounded = raw_partitions.div_ceil(brokers) * brokers;
        if rounded == partitions || retention_bytes.is_none() || rounds >= 10 {
            partitions = rounded;
            break;
        }
        partitions = rounded;
    }
    // Final storage with the final partition count.
    if let Some(b) = retention_bytes {
        let bytes_gb = b as f64 * f64::from(partitions) * rf_f * (1.0 + overhead) / 1e9;
        storage_gb = time_storage_gb.map_or(bytes_gb, |t| t.min(bytes_gb));
    }
    match (retention_ms, time_storage_gb) {
        (Some(ms), Some(t)) => steps.push(format!(
            "storage by time = avg {} MB/s × {} s retention × RF {} × (1 + {} overhead) ÷ 1000 = {} GB",
            num(avg_mb),
            num(ms as f64 / 1000.0),
            rf,
            num(overhead),
            num(t)
        )),
        _ => steps.push("storage by time: none (retention_ms = -1, records kept until size-bounded)".into()),
    }
    if let Some(b) = retention_bytes {
        steps.push(format!(
            "storage by size = retention.bytes {} B × {} partitions × RF {} × (1 + {}) ÷ 10^9 = {} GB",
            b,
            partitions,
            rf,
            num(overhead),
            num(b as f64 * f64::from(partitions) * rf_f * (1.0 + overhead) / 1e9)
        ));
        if time_storage_gb.is_some() {
            steps.push(format!(
                "storage = the smaller of the two = {} GB",
                num(storage_gb)
            ));
        }
    }
    steps.push(format!(
        "brokers for storage = ceil({} GB ÷ ({} GB disk × {} utilisation = {} GB)) = {}",
        num(storage_gb),
        num(disk),
        num(util),
        num(disk_usable),
        num(brokers_disk)
    ));
    let limited_by = if given > brokers_needed {
        CapacityLimit::BrokerCount
    } else if f64::from(brokers_needed) == brokers_net && brokers_net >= brokers_disk {
        if brokers_net > rf_f {
            CapacityLimit::Network
        } else {
            CapacityLimit::ReplicationFactor
        }
    } else if f64::from(brokers_needed) == brokers_disk && brokers_disk > rf_f {
        CapacityLimit::Storage
    } else {
        CapacityLimit::ReplicationFactor
    };
    steps.push(format!(
        "brokers needed = max(RF {}, network {}, storage {}) = {}",
        rf,
        num(brokers_net),
        num(brokers_disk),
        brokers_needed
    ));
    if let Some(b) = input.broker_count {
        if b < brokers_needed {
            warnings.push(format!(
                "the cluster has {b} broker(s) but this load needs {brokers_needed}: add {} broker(s) \
                 before moving the load, or lower retention or replication.",
                brokers_needed - b
            ));
            steps.push(format!(
                "brokers = {brokers_needed} (the given {b} are not enough)"
            ));
        } else {
            steps.push(format!("brokers = the given {b} (enough)"));
        }
    }
    steps.push(format!(
        "partitions = {} rounded up to a multiple of {} brokers = {}",
        raw_partitions, brokers, partitions
    ));
    let bf = f64::from(brokers);
    let replicas_per_broker = f64::from(partitions) * rf_f / bf;
    steps.push(format!(
        "per broker: in {} MB/s, out {} MB/s, storage {} GB, {} partition replicas ({} × RF {} ÷ {})",
        num(net_in / bf),
        num(net_out / bf),
        num(storage_gb / bf),
        num(replicas_per_broker),
        partitions,
        rf,
        brokers
    ));
    if replicas_per_broker > MAX_REPLICAS_PER_BROKER {
        warnings.push(format!(
            "{} partition replicas per broker is above {}: recovery and leader elections slow down. \
             Use fewer partitions (lower consumer_parallelism or growth_factor) or more brokers.",
            num(replicas_per_broker),
            num(MAX_REPLICAS_PER_BROKER)
        ));
    }
    let cluster_replicas = f64::from(partitions) * rf_f;
    if cluster_replicas > MAX_REPLICAS_PER_CLUSTER {
        warnings.push(format!(
            "{} partition replicas in one cluster is above {}; split the workload over clusters.",
            num(cluster_replicas),
            num(MAX_REPLICAS_PER_CLUSTER)
        ));
    }
    Ok(CapacityPlan {
        partitions,
        brokers,
        brokers_needed,
        replication_factor: rf,
        limited_by,
        avg_throughput_mb_s: avg_mb,
        peak_throughput_mb_s: peak_mb,
        peak_messages_per_s: peak_msgs,
        network_in_mb_s: net_in,
        network_out_mb_s: net_out,
        network_in_per_broker_mb_s: net_in / bf,
        network_out_per_broker_mb_s: net_out / bf,
        storage_gb,
        storage_per_broker_gb: storage_gb / bf,
        partition_replicas_per_broker: replicas_per_broker,
        assumptions,
        steps: steps.0,
        warnings,
    })
}

// -------------------------------------------------------------------------------------------------
// Headroom of an existing cluster
// -------------------------------------------------------------------------------------------------

/// What a cluster carries now, measured by the caller (broker metrics or offset deltas).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObservedLoad {
    /// Produce throughput into partition leaders, cluster-wide, MB/s (without replication).
    pub ingress_mb_s: f64,
    /// Consumer fetch throughput, cluster-wide, MB/s (without replication).
    pub egress_mb_s: f64,
    /// Typical replication factor of the data.
    pub replication_factor: u32,
    /// Live brokers.
    pub brokers: u32,
    /// Disk used by Kafka data on all brokers together, GB.
    pub storage_used_gb: f64,
}

/// What one broker can take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BrokerCapacity {
    /// Network bandwidth of one broker per direction, MB/s.
    pub broker_network_mb_s: f64,
    /// Data disk of one broker, GB.
    pub broker_disk_gb: f64,
    /// Share (0 to 1] of network and disk to plan up to, e.g. 0.7.
    pub target_utilization: f64,
}

/// A resource of a broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// Inbound network (produce + replication fetches received).
    NetworkIn,
    /// Outbound network (replication + consumer fetches served).
    NetworkOut,
    /// Data disk.
    Storage,
}

/// How far the current load is from the target utilisation.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Headroom {
    /// Inbound traffic per broker, MB/s: ingress × RF ÷ brokers.
    pub network_in_per_broker_mb_s: f64,
    /// Outbound traffic per broker, MB/s: (ingress × (RF − 1) + egress) ÷ brokers.
    pub network_out_per_broker_mb_s: f64,
    /// Disk used per broker, GB.
    pub storage_per_broker_gb: f64,
    /// Inbound network in use, as a fraction of the NIC.
    pub network_in_utilization: f64,
    /// Outbound network in use, as a fraction of the NIC.
    pub network_out_utilization: f64,
    /// Disk in use, as a fraction of the disk.
    pub storage_utilization: f64,
    /// How many times today's ingress the cluster takes before the binding resource reaches the
    /// target utilisation (consumers and retained data assumed to grow with ingress); `null` when
    /// ingress is 0.
    pub ingress_scale_to_target: Option<f64>,
    /// Extra ingress until then, MB/s (negative: already over target); `null` when ingress is 0.
    pub ingress_headroom_mb_s: Option<f64>,
    /// The resource that runs out first.
    pub binding: Resource,
    /// The reasoning, numbered.
    pub steps: Vec<String>,
    /// Resources already above the target utilisation.
    pub warnings: Vec<String>,
}

/// Headroom of an existing cluster: per-broker load, utilisation of network and disk, and how much
/// more ingress fits before the target utilisation.
pub fn headroom(
    observed: &ObservedLoad,
    capacity: &BrokerCapacity,
) -> Result<Headroom, CapacityError> {
    let ingress = observed.ingress_mb_s;
    if !(ingress.is_finite() && ingress >= 0.0) {
        return Err(CapacityError::OutOfRange {
            field: "ingress_mb_s",
            value: ingress,
            expected: "a throughput ≥ 0 in MB/s",
        });
    }
    let egress = observed.egress_mb_s;
    if !(egress.is_finite() && egress >= 0.0) {
        return Err(CapacityError::OutOfRange {
            field: "egress_mb_s",
            value: egress,
            expected: "a throughput ≥ 0 in MB/s",
        });
    }
    let used = observed.storage_used_gb;
    if !(used.is_finite() && used >= 0.0) {
        return Err(CapacityError::OutOfRange {
            field: "storage_used_gb",
            value: used,
            expected: "a size ≥ 0 in GB",
        });
    }
    if observed.replication_factor == 0 {
        return Err(CapacityError::NotPositive {
            field: "replication_factor",
            value: 0.0,
        });
    }
    if observed.brokers == 0 {
        return Err(CapacityError::NotPositive {
            field: "brokers",
            value: 0.0,
        });
    }
    let nic = positive("broker_network_mb_s", capacity.broker_network_mb_s)?;
    let disk = positive("broker_disk_gb", capacity.broker_disk_gb)?;
    let util = capacity.target_utilization;
    if !(util > 0.0 && util <= 1.0) {
        return Err(CapacityError::OutOfRange {
            field: "target_utilization",
            value: util,
            expected: "a fraction above 0 and at most 1, e.g. 0.7",
        });
    }
    let rf = f64::from(observed.replication_factor);
    let b = f64::from(observed.brokers);
    let mut steps = Steps(Vec::new());
    let in_total = ingress * rf;
    let out_total = ingress * (rf - 1.0) + egress;
    let (in_pb, out_pb, disk_pb) = (in_total / b, out_total / b, used / b);
    steps.push(format!(
        "in per broker = ingress {} MB/s × RF {} ÷ {} brokers = {} MB/s ({}% of {} MB/s)",
        num(ingress),
        observed.replication_factor,
        observed.brokers,
        num(in_pb),
        num(in_pb / nic * 100.0),
        num(nic)
    ));
    steps.push(format!(
        "out per broker = (ingress {} × (RF − 1) + egress {}) ÷ {} = {} MB/s ({}% of {} MB/s)",
        num(ingress),
        num(egress),
        observed.brokers,
        num(out_pb),
        num(out_pb / nic * 100.0),
        num(nic)
    ));
    steps.push(format!(
        "storage per broker = {} GB ÷ {} = {} GB ({}% of {} GB)",
        num(used),
        observed.brokers,
        num(disk_pb),
        num(disk_pb / disk * 100.0),
        num(disk)
    ));
    let scale = |load: f64, cap: f64| {
        if load > 0.0 {
            cap * util / load
        } else {
            f64::INFINITY
        }
    };
    let candidates = [
        (Resource::NetworkIn, scale(in_pb, nic)),
        (Resource::NetworkOut, scale(out_pb, nic)),
        (Resource::Storage, scale(disk_pb, disk)),
    ];
    let (binding, s) =
        candidates
            .iter()
            .copied()
            .fold((Resource::NetworkIn, f64::INFINITY), |acc, c| {
                if c.1 < acc.1 {
                    c
                } else {
                    acc
                }
            });
    let (scale_to_target, headroom_mb) = if ingress > 0.0 && s.is_finite() {
        steps.push(format!(
            "scale to {}% target = min(in {}, out {}, storage {}) = {} (binding: {:?}); extra ingress = \
             {} × ({} − 1) = {} MB/s",
            num(util * 100.0),
            num(candidates[0].1),
            num(candidates[1].1),
            num(candidates[2].1),
            num(s),
            binding,
            num(ingress),
            num(s),
            num(ingress * (s - 1.0))
        ));
        (Some(s), Some(ingress * (s - 1.0)))
    } else {
        (None, None)
    };
    let mut warnings = Vec::new();
    for (what, frac) in [
        ("inbound network", in_pb / nic),
        ("outbound network", out_pb / nic),
        ("storage", disk_pb / disk),
    ] {
        if frac > util {
            warnings.push(format!(
                "{what} is at {}% per broker, above the {}% target: add brokers or reduce load.",
                num(frac * 100.0),
                num(util * 100.0)
            ));
        }
    }
    Ok(Headroom {
        network_in_per_broker_mb_s: in_pb,
        network_out_per_broker_mb_s: out_pb,
        storage_per_broker_gb: disk_pb,
        network_in_utilization: in_pb / nic,
        network_out_utilization: out_pb / nic,
        storage_utilization: disk_pb / disk,
        ingress_scale_to_target: scale_to_target,
        ingress_headroom_mb_s: headroom_mb,
        binding,
        steps: steps.0,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    /// Example A. 20k msg/s average, 50k peak, 1000 B, RF 3, 2 groups, 12 consumers, 10 MB/s per
    /// partition, 125 MB/s NIC (1 Gbit), 2000 GB disk, 70 %, growth 1.5, 1 day retention, 10 %.
    fn example_a() -> CapacityInput {
        CapacityInput {
            avg_messages_per_s: Some(20_000.0),
            peak_messages_per_s: Some(50_000.0),
            avg_message_bytes: Some(1_000.0),
            retention_ms: Some(86_400_000),
            replication_factor: Some(3),
            consumer_groups: Some(2),
            consumer_parallelism: Some(12),
            partition_throughput_mb_s: Some(10.0),
            broker_network_mb_s: Some(125.0),
            broker_disk_gb: Some(2_000.0),
            target_utilization: Some(0.7),
            growth_factor: Some(1.5),
            storage_overhead: Some(0.1),
            ..CapacityInput::default()
        }
    }

    #[test]
    fn example_a_storage_bound() {
        let p = plan_capacity(&example_a()).unwrap();
        // avg = 20000 × 1000 / 10^6 = 20 MB/s; peak = 50000 × 1000 / 10^6 = 50 MB/s.
        assert!(close(p.avg_throughput_mb_s, 20.0));
        assert!(close(p.peak_throughput_mb_s, 50.0));
        assert_eq!(p.peak_messages_per_s, Some(50_000.0));
        // network in = 50 × 3 = 150; out = 50 × (3 − 1 + 2) = 200; per-broker usable = 125 × 0.7
        // = 87.5; brokers for network = ceil(200 / 87.5 = 2.29) = 3.
        assert!(close(p.network_in_mb_s, 150.0));
        assert!(close(p.network_out_mb_s, 200.0));
        // storage = 20 × 86400 × 3 × 1.1 / 1000 = 5702.4 GB; usable disk = 2000 × 0.7 = 1400;
        // brokers for storage = ceil(5702.4 / 1400 = 4.07) = 5.
        assert!(close(p.storage_gb, 5_702.4), "{}", p.storage_gb);
        // brokers = max(3, 3, 5) = 5, limited by storage.
        assert_eq!(p.brokers_needed, 5);
        assert_eq!(p.brokers, 5);
        assert_eq!(p.limited_by, CapacityLimit::Storage);
        // partitions = ceil(max(50 / 10 = 5, 12) × 1.5) = 18, rounded up to a multiple of 5 = 20.
        assert_eq!(p.partitions, 20);
        // per broker: 5702.4 / 5 = 1140.48 GB; 150 / 5 = 30 in; 200 / 5 = 40 out; 20 × 3 / 5 = 12.
        assert!(close(p.storage_per_broker_gb, 1_140.48));
        assert!(close(p.network_in_per_broker_mb_s, 30.0));
        assert!(close(p.network_out_per_broker_mb_s, 40.0));
        assert!(close(p.partition_replicas_per_broker, 12.0));
        assert!(p.assumptions.is_empty(), "{:?}", p.assumptions);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        // Steps are numbered and show the formulas.
        assert!(
            p.steps[0].starts_with("1. average throughput = 20000 msg/s × 1000 B"),
            "{}",
            p.steps[0]
        );
        let all = p.steps.join("\n");
        assert!(all.contains("ceil(max(peak 50 MB/s ÷ 10 MB/s per partition = 5, consumer parallelism 12) × growth 1.5) = ceil(12 × 1.5) = 18"), "{all}");
        assert!(all.contains("= 5702.4 GB"), "{all}");
        assert!(
            all.contains("brokers needed = max(RF 3, network 3, storage 5) = 5"),
            "{all}"
        );
        assert!(
            all.contains("partitions = 18 rounded up to a multiple of 5 brokers = 20"),
            "{all}"
        );
    }

    #[test]
    fn example_b_size_bounded_retention() {
        // retention.ms = -1 with retention.bytes = 10 GB per partition: storage = 10^10 B × 18 × 3
        // × 1.1 / 10^9 = 594 GB -> ceil(594 / 1400) = 1 broker; brokers = max(RF 3, network 3,
        // storage 1) = 3: RF alone needs as many, so the limit is the replication factor. 18
        // partitions is already a multiple of 3.
        let mut i = example_a();
        i.retention_ms = Some(-1);
        i.retention_bytes_per_partition = Some(10_000_000_000);
        let p = plan_capacity(&i).unwrap();
        assert_eq!(p.brokers, 3);
        assert_eq!(p.partitions, 18);
        assert!(close(p.storage_gb, 594.0), "{}", p.storage_gb);
        assert!(close(p.storage_per_broker_gb, 198.0));
        assert_eq!(p.limited_by, CapacityLimit::ReplicationFactor);
        // Both bounds: time 5702.4 GB vs size 594 GB -> 594.
        let mut i = example_a();
        i.retention_bytes_per_partition = Some(10_000_000_000);
        let p = plan_capacity(&i).unwrap();
        assert!(close(p.storage_gb, 594.0));
        assert!(p
            .steps
            .iter()
            .any(|s| s.contains("the smaller of the two = 594 GB")));
    }

    #[test]
    fn example_c_network_bound() {
        // 400 MB/s peak, 10 MB/s average, 8 consumer groups, defaults otherwise (RF 3, 1250 MB/s
        // NIC, 2000 GB disk, 70 %, growth 1.5, overhead 0.1).
        // in = 400 × 3 = 1200; out = 400 × (3 − 1 + 8) = 4000; usable NIC = 1250 × 0.7 = 875;
        // brokers for network = ceil(4000 / 875 = 4.57) = 5.
        // storage = 10 × 86400 × 3 × 1.1 / 1000 = 2851.2 GB; usable disk 1400 -> ceil(2.04) = 3.
        // brokers = max(3, 5, 3) = 5, limited by network.
        // partitions = ceil(max(400 / 10 = 40, 1) × 1.5) = 60, already a multiple of 5.
        let i = CapacityInput {
            avg_throughput_mb_s: Some(10.0),
            peak_throughput_mb_s: Some(400.0),
            retention_ms: Some(86_400_000),
            consumer_groups: Some(8),
            ..CapacityInput::default()
        };
        let p = plan_capacity(&i).unwrap();
        assert!(close(p.network_out_mb_s, 4_000.0));
        assert_eq!(p.brokers, 5);
        assert_eq!(p.limited_by, CapacityLimit::Network);
        assert_eq!(p.partitions, 60);
        assert!(close(p.storage_gb, 2_851.2));
        // Defaults are listed.
        let a = p.assumptions.join("; ");
        for want in [
            "replication_factor = 3",
            "consumer_parallelism = 1",
            "partition_throughput_mb_s = 10",
            "broker_network_mb_s = 1250",
            "broker_disk_gb = 2000",
            "target_utilization = 0.7",
            "growth_factor = 1.5",
            "storage_overhead = 0.1",
        ] {
            assert!(a.contains(want), "{want} missing from {a}");
        }
    }

    #[test]
    fn given_broker_count() {
        // Example A needs 5. Given 4: brokers = 5 and a warning to add 1; partitions 20.
        let mut i = example_a();
        i.broker_count = Some(4);
        let p = plan_capacity(&i).unwrap();
        assert_eq!((p.brokers, p.brokers_needed, p.partitions), (5, 5, 20));
        assert!(
            p.warnings.iter().any(|w| w.contains("add 1 broker")),
            "{:?}",
            p.warnings
        );
        // Given 6: brokers = 6, partitions = 18 (a multiple of 6), limited by the given count.
        i.broker_count = Some(6);
        let p = plan_capacity(&i).unwrap();
        assert_eq!((p.brokers, p.brokers_needed, p.partitions), (6, 5, 18));
        assert_eq!(p.limited_by, CapacityLimit::BrokerCount);
        // RF above the given count is refused.
        i.broker_count = Some(2);
        let e = plan_capacity(&i).unwrap_err();
        assert_eq!(
            e,
            CapacityError::ReplicationFactorAboveBrokers {
                replication_factor: 3,
                broker_count: 2
            }
        );
        assert!(e.to_string().contains("Send replication_factor ≤ 2"));
    }

    #[test]
    fn bad_inputs_are_refused() {
        let base = example_a();
        assert_eq!(
            plan_capacity(&CapacityInput::default()),
            Err(CapacityError::MissingThroughput)
        );
        let mut i = base.clone();
        i.avg_message_bytes = None;
        assert_eq!(plan_capacity(&i), Err(CapacityError::MissingMessageSize));
        let mut i = base.clone();
        i.avg_messages_per_s = Some(0.0);
        assert_eq!(
            plan_capacity(&i),
            Err(CapacityError::NotPositive {
                field: "avg_messages_per_s",
                value: 0.0
            })
        );
        let mut i = base.clone();
        i.peak_messages_per_s = Some(10_000.0);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::PeakBelowAverage { .. })
        ));
        let mut i = base.clone();
        i.peak_messages_per_s = Some(5e9);
        let e = plan_capacity(&i).unwrap_err();
        assert!(matches!(e, CapacityError::Impossible { .. }));
        assert!(e.to_string().contains("Check the units"));
        let mut i = base.clone();
        i.retention_ms = Some(0);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::OutOfRange {
                field: "retention_ms",
                ..
            })
        ));
        let mut i = base.clone();
        i.retention_ms = Some(-1);
        assert_eq!(plan_capacity(&i), Err(CapacityError::UnboundedRetention));
        let mut i = base.clone();
        i.target_utilization = Some(1.5);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::OutOfRange {
                field: "target_utilization",
                ..
            })
        ));
        let mut i = base.clone();
        i.growth_factor = Some(0.5);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::OutOfRange {
                field: "growth_factor",
                ..
            })
        ));
        let mut i = base.clone();
        i.replication_factor = Some(0);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::NotPositive { .. })
        ));
        let mut i = base;
        i.broker_network_mb_s = Some(-1.0);
        assert!(matches!(
            plan_capacity(&i),
            Err(CapacityError::NotPositive {
                field: "broker_network_mb_s",
                ..
            })
        ));
    }

    #[test]
    fn warnings_for_huge_plans() {
        // 20 GB/s peak: unusual for one cluster. partitions = ceil(20000 / 10 × 1.5) = 3000.
        let i = CapacityInput {
            avg_throughput_mb_s: Some(10_000.0),
            peak_throughput_mb_s: Some(20_000.0),
            ..CapacityInput::default()
        };
        let p = plan_capacity(&i).unwrap();
        assert!(p
            .warnings
            .iter()
            .any(|w| w.contains("more than one cluster usually carries")));
        // 10000 consumers, growth 1: 10000 partitions × RF 3 on 3 brokers = 10000 replicas each.
        let i = CapacityInput {
            avg_throughput_mb_s: Some(1.0),
            consumer_parallelism: Some(10_000),
            growth_factor: Some(1.0),
            ..CapacityInput::default()
        };
        let p = plan_capacity(&i).unwrap();
        assert_eq!(p.partitions, 10_002, "10000 rounded up to a multiple of 3");
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("partition replicas per broker")),
            "{:?}",
            p.warnings
        );
        assert!(p.warnings.iter().any(|w| w.contains("no peak given")));
        // 100000 partitions × 3 = 300000 replicas in the cluster.
        let i = CapacityInput {
            avg_throughput_mb_s: Some(1.0),
            consumer_parallelism: Some(100_000),
            growth_factor: Some(1.0),
            ..CapacityInput::default()
        };
        let p = plan_capacity(&i).unwrap();
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("in one cluster is above 200000")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn plan_serializes_with_units_in_names() {
        let p = plan_capacity(&example_a()).unwrap();
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["limited_by"], "storage");
        assert_eq!(json["partitions"], 20);
        assert!(json["storage_per_broker_gb"].is_number());
        let schema = serde_json::to_value(schemars::schema_for!(CapacityPlan))
            .unwrap()
            .to_string();
        assert!(schema.contains("partitions × RF ÷ brokers"));
        let input: CapacityInput =
            serde_json::from_str(r#"{"avg_throughput_mb_s": 5, "retention_ms": 3600000}"#).unwrap();
        assert_eq!(input.avg_throughput_mb_s, Some(5.0));
    }

    #[test]
    fn headroom_hand_worked() {
        // ingress 100, egress 200, RF 3, 6 brokers, 30000 GB used; 1250 MB/s NIC, 10000 GB disk,
        // target 70 %.
        // in per broker = 100 × 3 / 6 = 50 (4 %); out = (100 × 2 + 200) / 6 = 66.67 (5.33 %);
        // disk = 30000 / 6 = 5000 GB (50 %).
        // scale: in = 1250 × 0.7 / 50 = 17.5; out = 875 / 66.67 = 13.125; storage = 7000 / 5000
        // = 1.4. Binding: storage; extra ingress = 100 × (1.4 − 1) = 40 MB/s.
        let h = headroom(
            &ObservedLoad {
                ingress_mb_s: 100.0,
                egress_mb_s: 200.0,
                replication_factor: 3,
                brokers: 6,
                storage_used_gb: 30_000.0,
            },
            &BrokerCapacity {
                broker_network_mb_s: 1250.0,
                broker_disk_gb: 10_000.0,
                target_utilization: 0.7,
            },
        )
        .unwrap();
        assert!(close(h.network_in_per_broker_mb_s, 50.0));
        assert!(close(h.network_out_per_broker_mb_s, 400.0 / 6.0));
        assert!(close(h.storage_utilization, 0.5));
        assert!(close(h.network_in_utilization, 0.04));
        assert_eq!(h.binding, Resource::Storage);
        assert!(close(h.ingress_scale_to_target.unwrap(), 1.4));
        assert!(close(h.ingress_headroom_mb_s.unwrap(), 40.0));
        assert!(h.warnings.is_empty());
        assert_eq!(h.steps.len(), 4);
    }

    #[test]
    fn headroom_over_target_and_idle() {
        // Disk 90 % full: over the 70 % target, headroom negative.
        let h = headroom(
            &ObservedLoad {
                ingress_mb_s: 10.0,
                egress_mb_s: 10.0,
                replication_factor: 3,
                brokers: 3,
                storage_used_gb: 2_700.0,
            },
            &BrokerCapacity {
                broker_network_mb_s: 1250.0,
                broker_disk_gb: 1_000.0,
                target_utilization: 0.7,
            },
        )
        .unwrap();
        assert_eq!(h.binding, Resource::Storage);
        // scale = 1000 × 0.7 / 900 = 0.778; headroom = 10 × (0.778 − 1) = −2.22 MB/s.
        assert!(close(h.ingress_scale_to_target.unwrap(), 700.0 / 900.0));
        assert!(h.ingress_headroom_mb_s.unwrap() < 0.0);
        assert!(
            h.warnings
                .iter()
                .any(|w| w.starts_with("storage is at 90%")),
            "{:?}",
            h.warnings
        );
        // Idle cluster: no scale.
        let h = headroom(
            &ObservedLoad {
                ingress_mb_s: 0.0,
                egress_mb_s: 0.0,
                replication_factor: 3,
                brokers: 3,
                storage_used_gb: 0.0,
            },
            &BrokerCapacity {
                broker_network_mb_s: 1250.0,
                broker_disk_gb: 1_000.0,
                target_utilization: 0.7,
            },
        )
        .unwrap();
        assert_eq!(h.ingress_scale_to_target, None);
        assert!(headroom(
            &ObservedLoad {
                ingress_mb_s: -1.0,
                egress_mb_s: 0.0,
                replication_factor: 3,
                brokers: 3,
                storage_used_gb: 0.0
            },
            &BrokerCapacity {
                broker_network_mb_s: 1250.0,
                broker_disk_gb: 1_000.0,
                target_utilization: 0.7
            },
        )
        .is_err());
    }

    #[test]
    fn num_formatting() {
        assert_eq!(num(18.0), "18");
        assert_eq!(num(2.2857), "2.29");
        assert_eq!(num(5702.4), "5702.4");
        assert_eq!(num(0.7), "0.7");
    }
}

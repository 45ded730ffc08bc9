//! Partition skew: which partitions carry more (or less) than their share of a topic, and the
//! likely cause: a hot key, few distinct keys, a partitioner other than murmur2, recently added
//! partitions, or plain hash variance. Pure: per-partition counts and a key sample in, a report
//! out.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::murmur2::{default_partition, key_hash, librdkafka_consistent_partition};

/// Default tolerance: a partition is hot above mean × 1.10 and cold below mean × 0.90.
pub const DEFAULT_TOLERANCE: f64 = 0.10;

/// Default number of keys listed in [`KeyDistribution::top_keys`].
pub const DEFAULT_TOP_KEYS: usize = 10;

/// Fewer keyed records than this and the partitioner is not guessed.
const MIN_KEYED_FOR_GUESS: usize = 20;

/// One partition's load, built by the shell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartitionLoad {
    /// Partition id.
    pub partition: i32,
    /// Records in the log: end offset − log start offset.
    pub messages: i64,
    /// Size of one replica on disk (DescribeLogDirs), if known.
    pub bytes: Option<u64>,
    /// Records per second over a recent window (end-offset delta ÷ window seconds), if sampled.
    pub rate_msg_s: Option<f64>,
}

/// Why a skew or key analysis was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SkewError {
    /// Nothing to analyse.
    #[error("no partitions given. Send the offsets of at least one partition.")]
    NoPartitions,
    /// A partition appears twice.
    #[error("partition {partition} is listed twice. Send each partition once.")]
    DuplicatePartition {
        /// The repeated partition.
        partition: i32,
    },
    /// A negative record count (end offset below log start).
    #[error("partition {partition} has {messages} records (end offset below log start). Re-read its offsets; send end − start ≥ 0.")]
    NegativeMessages {
        /// The partition.
        partition: i32,
        /// The count sent.
        messages: i64,
    },
    /// A negative or non-finite rate.
    #[error("partition {partition} has rate {rate} msg/s. Send a finite rate ≥ 0, or no rate.")]
    BadRate {
        /// The partition.
        partition: i32,
        /// The rate sent.
        rate: f64,
    },
    /// Tolerance outside 0..=10.
    #[error("tolerance {tolerance} is out of range. Send a fraction between 0 and 10, e.g. 0.10 for 10 % above the mean.")]
    BadTolerance {
        /// The tolerance sent.
        tolerance: f64,
    },
    /// A partition count below one for key analysis.
    #[error("the topic's partition count is {num_partitions}. Send the real count (≥ 1) so keys can be placed.")]
    BadPartitionCount {
        /// The count sent.
        num_partitions: i32,
    },
    /// A sampled record from a partition the topic does not have.
    #[error("a sampled record is on partition {partition}, but the topic has {num_partitions} partitions. Send the current partition count.")]
    RecordOutsidePartitions {
        /// The record's partition.
        partition: i32,
        /// The partition count sent.
        num_partitions: i32,
    },
}

// -------------------------------------------------------------------------------------------------
// Key distribution
// -------------------------------------------------------------------------------------------------

/// One sampled record: where it was and its key bytes (`None` for a null key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampledRecord<'a> {
    /// Partition it was read from.
    pub partition: i32,
    /// Its key, `None` when null.
    pub key: Option<&'a [u8]>,
}

/// How to report keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOptions {
    /// How many of the most frequent keys to list.
    pub top_n: usize,
    /// Show key text (cut at 64 characters) next to the hash. Off by default: keys are often
    /// customer ids or other personal data.
    pub show_keys: bool,
}

impl Default for KeyOptions {
    fn default() -> Self {
        KeyOptions {
            top_n: DEFAULT_TOP_KEYS,
            show_keys: false,
        }
    }
}

/// Which partitioner the sample's placement matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartitionerGuess {
    /// Java's default (murmur2), or librdkafka with `partitioner=murmur2_random`.
    Murmur2,
    /// librdkafka's default `consistent_random` (CRC-32): Python, Go, .NET and rust-rdkafka
    /// clients unless configured otherwise.
    LibrdkafkaConsistent,
    /// Neither: a custom partitioner, or producers that pick partitions explicitly.
    Other,
    /// Too few keyed records (fewer than 20) or a single partition: no guess.
    Unknown,
}

/// One frequent key in the sample.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct KeyCount {
    /// The key's murmur2 hash as 8 hex digits: a stable fingerprint that does not reveal the key.
    pub key_hash: String,
    /// The key as text, only when `show_keys` was asked for; cut at 64 characters. Keys that are
    /// not UTF-8 are shown as `0x` + hex of their first 32 bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Sampled records with this key.
    pub records: usize,
    /// Its share (0 to 1) of the sample, which takes every partition equally.
    pub share_of_sample: f64,
    /// Estimated share (0 to 1) of the topic: samples weighted by partition record counts; null if unknown.
    pub share_of_topic: Option<f64>,
    /// Partitions its sampled records were on (normally exactly one).
    pub partitions: Vec<i32>,
    /// Where murmur2 (the Java default partitioner) puts it.
    pub murmur2_partition: i32,
}

/// Keys in a sample of records from one topic.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct KeyDistribution {
    /// The topic's partition count the placement was checked against.
    pub num_partitions: i32,
    /// Records in the sample.
    pub sampled_records: usize,
    /// Records with a null key.
    pub null_key_records: usize,
    /// Share (0 to 1) of records with a null key.
    pub null_key_share: f64,
    /// Distinct non-null keys in the sample.
    pub distinct_keys: usize,
    /// The most frequent keys, most records first.
    pub top_keys: Vec<KeyCount>,
    /// Share (0 to 1) of keyed records found on murmur2's partition; `null` without keyed records.
    pub murmur2_match_ratio: Option<f64>,
    /// Share (0 to 1) of keyed records found on librdkafka `consistent_random`'s (CRC-32)
    /// partition; `null` without keyed records.
    pub crc32_match_ratio: Option<f64>,
    /// Which partitioner the placement matches (95 % or more of keyed records).
    pub partitioner_guess: PartitionerGuess,
}

fn key_text(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(s) if s.chars().count() > 64 => format!("{}…", s.chars().take(64).collect::<String>()),
        Ok(s) => s.to_string(),
        Err(_) => {
            let hex: String = key.iter().take(32).map(|b| format!("{b:02x}")).collect();
            let more = if key.len() > 32 { "…" } else { "" };
            format!("0x{hex}{more}")
        }
    }
}

/// Counts keys in a sample and checks where they were placed against murmur2 and CRC-32.
pub fn analyze_keys(
    records: &[SampledRecord<'_>],
    num_partitions: i32,
    opts: &KeyOptions,
) -> Result<KeyDistribution, SkewError> {
    analyze_keys_weighted(records, num_partitions, opts, None)
}

/// Like [`analyze_keys`], and with `partition_records` (records per partition: end − log start
/// offset) also estimates each top key's share of the whole topic ([`KeyCount::share_of_topic`]):
/// a key that is 90 % of a big partition's sample outweighs one that fills a small partition.
pub fn analyze_keys_weighted(
    records: &[SampledRecord<'_>],
    num_partitions: i32,
    opts: &KeyOptions,
    partition_records: Option<&BTreeMap<i32, i64>>,
) -> Result<KeyDistribution, SkewError> {
    if num_partitions < 1 {
        return Err(SkewError::BadPartitionCount { num_partitions });
    }
    if let Some(r) = records
        .iter()
        .find(|r| r.partition < 0 || r.partition >= num_partitions)
    {
        return Err(SkewError::RecordOutsidePartitions {
            partition: r.partition,
            num_partitions,
        });
    }
    struct Seen {
        records: usize,
        partitions: Vec<i32>,
        per_partition: BTreeMap<i32, usize>,
    }
    let mut keys: HashMap<&[u8], Seen> = HashMap::new();
    let (mut nulls, mut keyed, mut murmur_ok, mut crc_ok) = (0usize, 0usize, 0usize, 0usize);
    for r in records {
        let Some(k) = r.key else {
            nulls += 1;
            continue;
        };
        keyed += 1;
        murmur_ok += usize::from(default_partition(k, num_partitions) == Some(r.partition));
        crc_ok +=
            usize::from(librdkafka_consistent_partition(k, num_partitions) == Some(r.partition));
        let seen = keys.entry(k).or_insert(Seen {
            records: 0,
            partitions: Vec::new(),
            per_partition: BTreeMap::new(),
        });
        seen.records += 1;
        *seen.per_partition.entry(r.partition).or_default() += 1;
        if !seen.partitions.contains(&r.partition) {
            seen.partitions.push(r.partition);
        }
    }
    // Records each sampled record stands for, per partition; `None` when some non-empty
    // partition has no sample (its keys are unknown) or sizes were not given.
    let weights: Option<(BTreeMap<i32, f64>, f64)> = partition_records.and_then(|sizes| {
        let mut sampled_in: BTreeMap<i32, usize> = BTreeMap::new();
        for r in records {
            *sampled_in.entry(r.partition).or_default() += 1;
        }
        let total: i64 = sizes.values().map(|n| (*n).max(0)).sum();
        if total <= 0 {
            return None;
        }
        let mut w = BTreeMap::new();
        for (p, n) in sizes {
            match sampled_in.get(p) {
                Some(k) => {
                    w.insert(*p, (*n).max(0) as f64 / *k as f64);
                }
                None if *n > 0 => return None,
                None => {}
            }
        }
        // A sampled partition missing from the sizes cannot be weighed either.
        if sampled_in.keys().any(|p| !w.contains_key(p)) {
            return None;
        }
        Some((w, total as f64))
    });
    let sampled = records.len();
    let mut ranked: Vec<(&[u8], Seen)> = keys.into_iter().collect();
    let distinct = ranked.len();
    // Most records first; ties by hash then bytes so output is stable.
    ranked.sort_by(|a, b| {
        b.1.records
            .cmp(&a.1.records)
            .then_with(|| key_hash(a.0).cmp(&key_hash(b.0)))
            .then(a.0.cmp(b.0))
    });
    let top_keys = ranked
        .into_iter()
        .take(opts.top_n)
        .map(|(k, mut seen)| {
            seen.partitions.sort_unstable();
            KeyCount {
                key_hash: key_hash(k),
                key: opts.show_keys.then(|| key_text(k)),
                records: seen.records,
                share_of_sample: seen.records as f64 / sampled as f64,
                share_of_topic: weights.as_ref().map(|(w, total)| {
                    let est: f64 = seen
                        .per_partition
                        .iter()
                        .map(|(p, n)| *n as f64 * w.get(p).copied().unwrap_or(0.0))
                        .sum();
                    (est / total).min(1.0)
                }),
                partitions: seen.partitions,
                murmur2_partition: default_partition(k, num_partitions).unwrap_or(0),
            }
        })
        .collect();
    let ratio = |ok: usize| (keyed > 0).then(|| ok as f64 / keyed as f64);
    let (m, c) = (ratio(murmur_ok), ratio(crc_ok));
    let guess = if keyed < MIN_KEYED_FOR_GUESS || num_partitions == 1 {
        PartitionerGuess::Unknown
    } else if m.unwrap_or(0.0) >= 0.95 {
        PartitionerGuess::Murmur2
    } else if c.unwrap_or(0.0) >= 0.95 {
        PartitionerGuess::LibrdkafkaConsistent
    } else {
        PartitionerGuess::Other
    };
    Ok(KeyDistribution {
        num_partitions,
        sampled_records: sampled,
        null_key_records: nulls,
        null_key_share: if sampled == 0 {
            0.0
        } else {
            nulls as f64 / sampled as f64
        },
        distinct_keys: distinct,
        top_keys,
        murmur2_match_ratio: m,
        crc32_match_ratio: c,
        partitioner_guess: guess,
    })
}

// -------------------------------------------------------------------------------------------------
// Skew
// -------------------------------------------------------------------------------------------------

/// What load means in a skew report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkewBasis {
    /// Current produce rate (every partition had a rate): today's traffic.
    RateMsgS,
    /// Records in the log (end − start): history since the log start.
    Messages,
}

/// One partition in a skew report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartitionShare {
    /// Partition id.
    pub partition: i32,
    /// Records in the log (end − log start).
    pub messages: i64,
    /// Size of one replica in bytes, if known.
    pub bytes: Option<u64>,
    /// Current produce rate in records per second, if sampled.
    pub rate_msg_s: Option<f64>,
    /// Share (0 to 1) of the topic's load on the report's basis.
    pub share: f64,
    /// Load ÷ mean load; 1.0 is exactly a fair share.
    pub vs_mean: f64,
    /// Share (0 to 1) of the topic's bytes, when every partition's size is known.
    pub bytes_share: Option<f64>,
    /// Above mean × (1 + tolerance).
    pub hot: bool,
    /// Below mean × (1 − tolerance).
    pub cold: bool,
}

/// A likely cause of skew, or a finding about placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SkewCause {
    /// Stable kebab-case id, e.g. `hot-key`.
    pub id: String,
    /// What was seen, with numbers, and what to do.
    pub message: String,
}

fn cause(id: &str, message: String) -> SkewCause {
    SkewCause {
        id: id.to_string(),
        message,
    }
}

/// Skew of one topic's partitions.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkewReport {
    /// What load means here.
    pub basis: SkewBasis,
    /// Records in the log over all partitions.
    pub total_messages: i64,
    /// Produce rate over all partitions in records per second, when every partition had a rate.
    pub total_rate_msg_s: Option<f64>,
    /// A fair share: 1 ÷ partitions.
    pub mean_share: f64,
    /// The busiest partition's load ÷ mean load (1.0 = perfectly even).
    pub max_vs_mean: f64,
    /// The tolerance used: hot above mean × (1 + tolerance), cold below mean × (1 − tolerance).
    pub tolerance: f64,
    /// Hot partition ids.
    pub hot_partitions: Vec<i32>,
    /// Cold partition ids.
    pub cold_partitions: Vec<i32>,
    /// Every partition, by id.
    pub partitions: Vec<PartitionShare>,
    /// Likely causes of uneven load, most specific first, plus placement findings (a non-murmur2
    /// partitioner) even when the load is even. Empty when there is nothing to say.
    pub causes: Vec<SkewCause>,
}

/// Finds hot and cold partitions and suggests causes. `keys` (from [`analyze_keys`] on a sample of
/// the same topic) enables the key-based causes; `tolerance` is a fraction (0.10 = 10 %).
///
/// The basis is the current rate when every partition has one, else the record count. Causes:
/// `hot-key`, `few-keys`, `librdkafka-consistent-partitioner`, `placement-not-murmur2`,
/// `null-keys-unkeyed-spread`, `recently-added-partitions`, `key-hash-variance`, `no-key-sample`,
/// `no-clear-cause`, `empty-topic`.
pub fn analyze_skew(
    loads: &[PartitionLoad],
    keys: Option<&KeyDistribution>,
    tolerance: f64,
) -> Result<SkewReport, SkewError> {
    if loads.is_empty() {
        return Err(SkewError::NoPartitions);
    }
    if !(0.0..=10.0).contains(&tolerance) {
        return Err(SkewError::BadTolerance { tolerance });
    }
    let mut loads = loads.to_vec();
    loads.sort_by_key(|l| l.partition);
    for w in loads.windows(2) {
        if w[0].partition == w[1].partition {
            return Err(SkewError::DuplicatePartition {
                partition: w[0].partition,
            });
        }
    }
    for l in &loads {
        if l.messages < 0 {
            return Err(SkewError::NegativeMessages {
                partition: l.partition,
                messages: l.messages,
            });
        }
        if let Some(r) = l.rate_msg_s {
            if !r.is_finite() || r < 0.0 {
                return Err(SkewError::BadRate {
                    partition: l.partition,
                    rate: r,
                });
            }
        }
    }
    let n = loads.len();
    let total_messages: i64 = loads.iter().map(|l| l.messages).sum();
    let rates: Option<Vec<f64>> = loads.iter().map(|l| l.rate_msg_s).collect();
    let total_rate = rates.as_ref().map(|r| r.iter().sum::<f64>());
    let (basis, values): (SkewBasis, Vec<f64>) = match (&rates, total_rate) {
        (Some(r), Some(t)) if t > 0.0 => (SkewBasis::RateMsgS, r.clone()),
        _ => (
            SkewBasis::Messages,
            loads.iter().map(|l| l.messages as f64).collect(),
        ),
    };
    let total: f64 = values.iter().sum();
    let mean = total / n as f64;
    let bytes: Option<Vec<u64>> = loads.iter().map(|l| l.bytes).collect();
    let total_bytes: Option<u64> = bytes.as_ref().map(|b| b.iter().sum());
    let flags = |v: f64| -> (f64, bool, bool) {
        if mean <= 0.0 {
            return (1.0, false, false);
        }
        let vs = v / mean;
        (vs, vs > 1.0 + tolerance, vs < 1.0 - tolerance)
    };
    let partitions: Vec<PartitionShare> = loads
        .iter()
        .zip(&values)
        .map(|(l, &v)| {
            let (vs_mean, hot, cold) = flags(v);
            PartitionShare {
                partition: l.partition,
                messages: l.messages,
                bytes: l.bytes,
                rate_msg_s: l.rate_msg_s,
                share: if total > 0.0 { v / total } else { 0.0 },
                vs_mean,
                bytes_share: match (l.bytes, total_bytes) {
                    (Some(b), Some(t)) if t > 0 => Some(b as f64 / t as f64),
                    _ => None,
                },
                hot,
                cold,
            }
        })
        .collect();
    let hot: Vec<i32> = partitions
        .iter()
        .filter(|p| p.hot)
        .map(|p| p.partition)
        .collect();
    let cold: Vec<i32> = partitions
        .iter()
        .filter(|p| p.cold)
        .map(|p| p.partition)
        .collect();
    let max_vs_mean = partitions.iter().map(|p| p.vs_mean).fold(0.0, f64::max);

    let mut causes = Vec::new();
    if total <= 0.0 {
        causes.push(cause(
            "empty-topic",
            "the topic has no records yet; nothing to judge.".into(),
        ));
    } else if n > 1 {
        causes = skew_causes(
            &loads,
            &partitions,
            &hot,
            &cold,
            keys,
            tolerance,
            max_vs_mean,
        );
    }
    Ok(SkewReport {
        basis,
        total_messages,
        total_rate_msg_s: if basis == SkewBasis::RateMsgS {
            total_rate
        } else {
            None
        },
        mean_share: 1.0 / n as f64,
        max_vs_mean,
        tolerance,
        hot_partitions: hot,
        cold_partitions: cold,
        partitions,
        causes,
    })
}

fn list(ids: &[i32]) -> String {
    ids.iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What share of what a key carries, in words: the topic-weighted estimate when there is one,
/// else plainly the share of the (equal-per-partition) sample.
pub fn key_share_words(top: &KeyCount, sampled: usize) -> String {
    match top.share_of_topic {
        Some(t) => format!(
            "carries ~{:.1}% of the topic's records (estimated: each partition's sample weighted by \
             its record count; {:.1}% of the sample, {} of {}, which takes every partition equally)",
            t * 100.0,
            top.share_of_sample * 100.0,
            top.records,
            sampled
        ),
        None => format!(
            "carries {:.1}% of sampled records ({} of {}; the sample takes the same number from \
             every partition, so this is not its share of the topic)",
            top.share_of_sample * 100.0,
            top.records,
            sampled
        ),
    }
}

fn skew_causes(
    loads: &[PartitionLoad],
    partitions: &[PartitionShare],
    hot: &[i32],
    cold: &[i32],
    keys: Option<&KeyDistribution>,
    tolerance: f64,
    max_vs_mean: f64,
) -> Vec<SkewCause> {
    let n = partitions.len();
    let mut causes = Vec::new();
    let skewed = !hot.is_empty() || !cold.is_empty();

    if let Some(k) = keys {
        let keyed = k.sampled_records - k.null_key_records;
        if let Some(top) = k.top_keys.first() {
            let share_of_keyed = top.records as f64 / keyed.max(1) as f64;
            let fair_partition = 1.0 / n as f64;
            if k.distinct_keys > 1
                && share_of_keyed >= 3.0 / k.distinct_keys as f64
                && top.share_of_sample >= 0.5 * fair_partition
            {
                let on_hot = if hot.contains(&top.murmur2_partition) {
                    ", one of the hot ones"
                } else {
                    ""
                };
                causes.push(cause(
                    "hot-key",
                    format!(
                        "key {} {}; murmur2 puts every record of a key on one partition, here \
                         {}{on_hot}. Spread that key (add a suffix to it, or key by a finer id) or \
                         accept the hot partition.",
                        top.key_hash,
                        key_share_words(top, k.sampled_records),
                        top.murmur2_partition
                    ),
                ));
            }
        }
        if k.distinct_keys > 0 && k.distinct_keys < 4 * n && keyed >= 2 * k.distinct_keys {
            causes.push(cause(
                "few-keys",
                format!(
                    "only {} distinct key(s) in {} keyed records for {n} partitions: hashing so few keys \
                     cannot fill partitions evenly (some may get none). Key by something with many more \
                     distinct values than partitions.",
                    k.distinct_keys, keyed
                ),
            ));
        }
        match k.partitioner_guess {
            PartitionerGuess::LibrdkafkaConsistent => causes.push(cause(
                "librdkafka-consistent-partitioner",
                format!(
                    "{:.0}% of keyed records sit where librdkafka's default consistent_random (CRC-32) \
                     puts them, not where Java's murmur2 does ({:.0}%). Java and librdkafka producers \
                     writing the same keys split each key over two partitions; set \
                     partitioner=murmur2_random on librdkafka producers.",
                    k.crc32_match_ratio.unwrap_or(0.0) * 100.0,
                    k.murmur2_match_ratio.unwrap_or(0.0) * 100.0
                ),
            )),
            PartitionerGuess::Other => causes.push(cause(
                "placement-not-murmur2",
                format!(
                    "only {:.0}% of keyed records sit on murmur2's partition (CRC-32: {:.0}%): producers \
                     use a custom partitioner or choose partitions themselves, so key hashing does not \
                     explain the load. Check the producers' partitioner.",
                    k.murmur2_match_ratio.unwrap_or(0.0) * 100.0,
                    k.crc32_match_ratio.unwrap_or(0.0) * 100.0
                ),
            )),
            PartitionerGuess::Murmur2 | PartitionerGuess::Unknown => {}
        }
        if skewed && k.null_key_share >= 0.5 {
            causes.push(cause(
                "null-keys-unkeyed-spread",
                format!(
                    "{:.0}% of sampled records have no key; the producer spreads those itself (Java: \
                     sticky batches; librdkafka: random, or all on one partition with \
                     partitioner=consistent), which evens out only over many batches and producers.",
                    k.null_key_share * 100.0
                ),
            ));
        }
    }

    if let Some(suffix) = cold_suffix(loads, tolerance) {
        let young = if loads.iter().all(|l| l.rate_msg_s.is_some()) {
            let rates: Vec<f64> = loads.iter().filter_map(|l| l.rate_msg_s).collect();
            let mean = rates.iter().sum::<f64>() / rates.len() as f64;
            let busy_now = suffix.iter().all(|p| {
                loads.iter().any(|l| {
                    l.partition == *p && l.rate_msg_s.unwrap_or(0.0) >= mean * (1.0 - tolerance)
                })
            });
            if busy_now {
                " Their current rate is normal, so they are only younger;"
            } else {
                " They are also cold now, so check the producers too;"
            }
        } else {
            ""
        };
        causes.push(cause(
            "recently-added-partitions",
            format!(
                "the highest-numbered partition(s) {} hold far fewer records than the rest: they look \
                 recently added, and the others still carry history from before.{young} the totals \
                 even out once retention has cycled.",
                list(&suffix)
            ),
        ));
    }

    if skewed && causes.is_empty() {
        match keys {
            Some(k) if k.distinct_keys > 0 && k.partitioner_guess == PartitionerGuess::Murmur2 => {
                // Keys land by hash: each partition gets Binomial(K, 1/n) keys, so with K keys the
                // relative spread of per-partition key counts is sqrt((1 - 1/n) / (K / n)).
                let kf = k.distinct_keys as f64;
                let nf = n as f64;
                let sd = ((1.0 - 1.0 / nf) / (kf / nf)).sqrt();
                let dev = max_vs_mean - 1.0;
                if dev <= 3.0 * sd {
                    causes.push(cause(
                        "key-hash-variance",
                        format!(
                            "{} distinct keys hashed onto {n} partitions vary by about ±{:.1}% per \
                             partition (one standard deviation) by chance alone; the busiest partition is \
                             {:.1}% above the mean, within that. More distinct keys even it out.",
                            k.distinct_keys,
                            sd * 100.0,
                            dev * 100.0
                        ),
                    ));
                }
            }
            Some(_) => {}
            None => causes.push(cause(
                "no-key-sample",
                format!(
                    "partitions {} are hot and {} cold, but no key sample was given: sample records to \
                     tell a hot key from a partitioner problem.",
                    if hot.is_empty() { "none".to_string() } else { list(hot) },
                    if cold.is_empty() { "none".to_string() } else { list(cold) }
                ),
            )),
        }
        if causes.is_empty() {
            causes.push(cause(
                "no-clear-cause",
                "keys are placed by murmur2 and no single key dominates the sample, yet the load is \
                 uneven: the keys on the hot partitions carry more records each. List the top keys of \
                 the hot partitions."
                    .into(),
            ));
        }
    }
    causes
}

/// The partitions that are cold by record count and form the top-numbered run (and are the only
/// cold ones), if any: the pattern of partitions added after the topic had data.
fn cold_suffix(loads: &[PartitionLoad], tolerance: f64) -> Option<Vec<i32>> {
    let n = loads.len();
    let total: i64 = loads.iter().map(|l| l.messages).sum();
    if n < 2 || total <= 0 {
        return None;
    }
    let mean = total as f64 / n as f64;
    let is_cold = |l: &PartitionLoad| (l.messages as f64) < mean * (1.0 - tolerance);
    // `loads` is sorted by partition id.
    let k = loads.iter().rev().take_while(|l| is_cold(l)).count();
    if k == 0 || k == n || loads[..n - k].iter().any(is_cold) {
        return None;
    }
    // Added partitions receive records at once; ones that never got any point at the producers.
    if loads[n - k..].iter().any(|l| l.messages == 0) {
        return None;
    }
    // The older partitions should be roughly even among themselves.
    let older = &loads[..n - k];
    let older_mean = older.iter().map(|l| l.messages as f64).sum::<f64>() / older.len() as f64;
    if older
        .iter()
        .any(|l| (l.messages as f64 - older_mean).abs() > older_mean * tolerance.max(0.25))
    {
        return None;
    }
    Some(loads[n - k..].iter().map(|l| l.partition).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::murmur2::crc32;

    fn loads(counts: &[i64]) -> Vec<PartitionLoad> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &m)| PartitionLoad {
                partition: i as i32,
                messages: m,
                bytes: None,
                rate_msg_s: None,
            })
            .collect()
    }

    fn ids(r: &SkewReport) -> Vec<&str> {
        r.causes.iter().map(|c| c.id.as_str()).collect()
    }

    /// The healthy fixture's `orders`: 5000 records keyed `customer-(i mod 997)`, murmur2
    /// placement, end offsets 896 / 850 / 769 / 857 / 782 / 846
    /// (fixtures/real-kafka-4.0/README.md).
    fn orders_keys() -> Vec<String> {
        (0..5000).map(|i| format!("customer-{}", i % 997)).collect()
    }

    #[test]
    fn fixture_orders_is_even_at_ten_percent() {
        // mean = 5000 / 6 = 833.33; hot above 916.67, cold below 750.0: none.
        let r = analyze_skew(
            &loads(&[896, 850, 769, 857, 782, 846]),
            None,
            DEFAULT_TOLERANCE,
        )
        .unwrap();
        assert_eq!(r.basis, SkewBasis::Messages);
        assert_eq!(r.total_messages, 5000);
        assert!(r.hot_partitions.is_empty() && r.cold_partitions.is_empty());
        assert!(r.causes.is_empty());
        // 896 / 833.33 = 1.0752
        assert!((r.max_vs_mean - 1.0752).abs() < 1e-4, "{}", r.max_vs_mean);
        assert!((r.partitions[0].share - 896.0 / 5000.0).abs() < 1e-12);
        assert!((r.mean_share - 1.0 / 6.0).abs() < 1e-12);
    }

    /// Loads read from the recorded captures themselves (not retyped): `orders` end − start from
    /// healthy/list_offsets.json, and `ticks` rates from lag-series/series.json (a producer at
    /// 50 msg/s round-robin over 3 partitions, latest offsets every 2 s).
    #[test]
    fn recorded_offsets_and_rates() {
        use crate::analysis::fixtures::load;
        let rows = load("healthy", "list_offsets.json")["result"]
            .as_array()
            .unwrap()
            .clone();
        let orders: Vec<PartitionLoad> = rows
            .iter()
            .filter(|r| r["topic"] == "orders")
            .map(|r| PartitionLoad {
                partition: r["partition"].as_i64().unwrap() as i32,
                messages: r["latest"]["result"]["offset"].as_i64().unwrap()
                    - r["earliest"]["result"]["offset"].as_i64().unwrap(),
                bytes: None,
                rate_msg_s: None,
            })
            .collect();
        let counts: Vec<i64> = orders.iter().map(|l| l.messages).collect();
        assert_eq!(counts, [896, 850, 769, 857, 782, 846]);
        let r = analyze_skew(&orders, None, DEFAULT_TOLERANCE).unwrap();
        // mean 833.33: hot above 916.67, cold below 750: none.
        assert!(r.hot_partitions.is_empty() && r.cold_partitions.is_empty());

        let series = load("lag-series", "series.json");
        let samples = series["samples"].as_array().unwrap();
        let latest = |i: usize| -> (i64, Vec<i64>) {
            let s = &samples[i];
            let offs = s["latest"]["result"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["offset"].as_i64().unwrap())
                .collect();
            (s["t_ms"].as_i64().unwrap(), offs)
        };
        let rates = |a: usize, b: usize| -> Vec<PartitionLoad> {
            let ((t0, o0), (t1, o1)) = (latest(a), latest(b));
            let secs = (t1 - t0) as f64 / 1000.0;
            (0..3)
                .map(|p| PartitionLoad {
                    partition: p as i32,
                    messages: o1[p],
                    bytes: None,
                    rate_msg_s: Some((o1[p] - o0[p]) as f64 / secs),
                })
                .collect()
        };
        // Whole series: t 2000 -> 62000 ms, offsets 29 -> 1029 on every partition:
        // 1000 / 60 s = 16.67 msg/s each, 50 msg/s in all, exactly even.
        let whole = rates(0, samples.len() - 1);
        let r = analyze_skew(&whole, None, DEFAULT_TOLERANCE).unwrap();
        assert_eq!(r.basis, SkewBasis::RateMsgS);
        assert!(
            (r.total_rate_msg_s.unwrap() - 50.0).abs() < 0.05,
            "{:?}",
            r.total_rate_msg_s
        );
        assert!(r.hot_partitions.is_empty() && r.causes.is_empty());
        // One 2 s window (t 2000 -> 4000): deltas 34, 33, 33 -> 17.0, 16.5, 16.5 msg/s; mean 16.67,
        // p0 = 17 / 16.67 = 1.02 × mean: even at 10 %, hot at 1 %.
        let one = rates(0, 1);
        assert_eq!(one[0].rate_msg_s, Some(17.0));
        let r = analyze_skew(&one, None, DEFAULT_TOLERANCE).unwrap();
        assert!(r.hot_partitions.is_empty());
        assert!((r.max_vs_mean - 1.02).abs() < 1e-9, "{}", r.max_vs_mean);
        let r = analyze_skew(&one, None, 0.01).unwrap();
        assert_eq!(r.hot_partitions, [0]);
        assert_eq!(ids(&r), ["no-key-sample"]);
    }

    #[test]
    fn fixture_orders_at_five_percent_is_hash_variance() {
        let keys = orders_keys();
        let recs: Vec<SampledRecord> = keys
            .iter()
            .map(|k| SampledRecord {
                partition: default_partition(k.as_bytes(), 6).unwrap(),
                key: Some(k.as_bytes()),
            })
            .collect();
        let kd = analyze_keys(&recs, 6, &KeyOptions::default()).unwrap();
        assert_eq!(kd.distinct_keys, 997);
        assert_eq!(kd.null_key_records, 0);
        assert_eq!(kd.murmur2_match_ratio, Some(1.0));
        assert_eq!(kd.partitioner_guess, PartitionerGuess::Murmur2);
        assert_eq!(kd.top_keys.len(), 10);
        // 5000 = 5 × 997 + 15: keys customer-0..14 appear 6 times, the rest 5.
        assert_eq!(kd.top_keys[0].records, 6);
        assert!(kd.top_keys[0].key.is_none(), "keys hidden by default");

        // 5 %: hot above 875 -> p0 (896); cold below 791.67 -> p2 (769), p4 (782).
        let r = analyze_skew(&loads(&[896, 850, 769, 857, 782, 846]), Some(&kd), 0.05).unwrap();
        assert_eq!(r.hot_partitions, [0]);
        assert_eq!(r.cold_partitions, [2, 4]);
        // sd = sqrt((1 - 1/6) / (997 / 6)) = sqrt(0.8333 / 166.17) = 0.0708; 7.5 % <= 3 sd.
        assert_eq!(ids(&r), ["key-hash-variance"]);
        assert!(
            r.causes[0].message.contains("±7.1%"),
            "{}",
            r.causes[0].message
        );
    }

    #[test]
    fn hot_key_is_named_by_hash() {
        // 100 distinct keys once each, plus "whale" 100 times, over 4 partitions.
        let mut keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        keys.extend(std::iter::repeat_n("whale".to_string(), 100));
        let recs: Vec<SampledRecord> = keys
            .iter()
            .map(|k| SampledRecord {
                partition: default_partition(k.as_bytes(), 4).unwrap(),
                key: Some(k.as_bytes()),
            })
            .collect();
        let kd = analyze_keys(
            &recs,
            4,
            &KeyOptions {
                top_n: 3,
                show_keys: true,
            },
        )
        .unwrap();
        assert_eq!(kd.top_keys[0].key.as_deref(), Some("whale"));
        assert_eq!(kd.top_keys[0].key_hash, key_hash(b"whale"));
        assert!((kd.top_keys[0].share_of_sample - 0.5).abs() < 1e-12);
        let whale_p = default_partition(b"whale", 4).unwrap();
        assert_eq!(kd.top_keys[0].partitions, [whale_p]);
        let mut counts = [0i64; 4];
        for r in &recs {
            counts[r.partition as usize] += 1;
        }
        let r = analyze_skew(&loads(&counts), Some(&kd), DEFAULT_TOLERANCE).unwrap();
        assert!(r.hot_partitions.contains(&whale_p));
        assert_eq!(ids(&r)[0], "hot-key");
        assert!(r.causes[0].message.contains("50.0%"));
        assert!(r.causes[0].message.contains("one of the hot ones"));
        // The JSON never carries the key unless asked.
        let hidden = analyze_keys(&recs, 4, &KeyOptions::default()).unwrap();
        let json = serde_json::to_string(&hidden).unwrap();
        assert!(!json.contains("whale"));
        assert!(json.contains(&key_hash(b"whale")));
    }

    /// Issue #13 (17): one key fills a big partition; every partition is sampled equally, so its
    /// share of the sample (31 %) hides that it is 90 % of the topic's records.
    #[test]
    fn key_share_is_weighted_by_partition_size() {
        let whale = b"whale".as_slice();
        let p_whale = default_partition(whale, 3).unwrap();
        let others: Vec<String> = (0..400).map(|i| format!("k{i}")).collect();
        let mut recs = Vec::new();
        // 100 sampled per partition: the whale's partition is all whale (plus a few others).
        let mut per = [0usize; 3];
        for _ in 0..94 {
            recs.push(SampledRecord {
                partition: p_whale,
                key: Some(whale),
            });
            per[p_whale as usize] += 1;
        }
        for k in &others {
            let p = default_partition(k.as_bytes(), 3).unwrap();
            if per[p as usize] < 100 {
                per[p as usize] += 1;
                recs.push(SampledRecord {
                    partition: p,
                    key: Some(k.as_bytes()),
                });
            }
        }
        assert_eq!(per, [100, 100, 100]);
        // The whale's partition holds 9 600 records, the others 500 each.
        let sizes: BTreeMap<i32, i64> = (0..3)
            .map(|p| (p, if p == p_whale { 9_600 } else { 500 }))
            .collect();
        let kd = analyze_keys_weighted(&recs, 3, &KeyOptions::default(), Some(&sizes)).unwrap();
        let top = &kd.top_keys[0];
        assert_eq!(top.key_hash, key_hash(whale));
        assert!((top.share_of_sample - 94.0 / 300.0).abs() < 1e-12);
        let est = top.share_of_topic.unwrap();
        assert!((est - 0.94 * 9_600.0 / 10_600.0).abs() < 1e-9, "{est}");
        let words = key_share_words(top, kd.sampled_records);
        assert!(words.contains("~85.1% of the topic's records"), "{words}");
        assert!(words.contains("31.3% of the sample"), "{words}");
        // Shares of the topic add up to at most 1 and match partition sizes for a lone key.
        let sum: f64 = kd.top_keys.iter().filter_map(|k| k.share_of_topic).sum();
        assert!(sum <= 1.0 + 1e-9);
        // Unweighted: the text says plainly what the share is of.
        let plain = analyze_keys(&recs, 3, &KeyOptions::default()).unwrap();
        assert_eq!(plain.top_keys[0].share_of_topic, None);
        let words = key_share_words(&plain.top_keys[0], plain.sampled_records);
        assert!(words.contains("not its share of the topic"), "{words}");
        // A non-empty partition with no sample: no estimate rather than a wrong one.
        let mut bigger = sizes.clone();
        bigger.insert(3, 10);
        let kd = analyze_keys_weighted(&recs, 4, &KeyOptions::default(), Some(&bigger)).unwrap();
        assert_eq!(kd.top_keys[0].share_of_topic, None);
        // The hot-key cause uses the weighted figure.
        let loads: Vec<PartitionLoad> = (0..3)
            .map(|p| PartitionLoad {
                partition: p,
                messages: sizes[&p],
                bytes: None,
                rate_msg_s: None,
            })
            .collect();
        let kd = analyze_keys_weighted(&recs, 3, &KeyOptions::default(), Some(&sizes)).unwrap();
        let r = analyze_skew(&loads, Some(&kd), DEFAULT_TOLERANCE).unwrap();
        let hot = r
            .causes
            .iter()
            .find(|c| c.id == "hot-key")
            .expect("hot-key");
        assert!(
            hot.message.contains("of the topic's records"),
            "{}",
            hot.message
        );
    }

    #[test]
    fn librdkafka_default_partitioner_is_recognised() {
        let keys: Vec<String> = (0..300).map(|i| format!("user-{i}")).collect();
        let recs: Vec<SampledRecord> = keys
            .iter()
            .map(|k| SampledRecord {
                partition: (crc32(k.as_bytes()) % 6) as i32,
                key: Some(k.as_bytes()),
            })
            .collect();
        let kd = analyze_keys(&recs, 6, &KeyOptions::default()).unwrap();
        assert_eq!(kd.crc32_match_ratio, Some(1.0));
        assert!(kd.murmur2_match_ratio.unwrap() < 0.5);
        assert_eq!(kd.partitioner_guess, PartitionerGuess::LibrdkafkaConsistent);
        let r = analyze_skew(
            &loads(&[50, 50, 50, 50, 50, 50]),
            Some(&kd),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
        assert_eq!(ids(&r), ["librdkafka-consistent-partitioner"]);
        assert!(r.causes[0].message.contains("murmur2_random"));
    }

    #[test]
    fn explicit_partitions_are_not_murmur2() {
        // Everything written to partition 0 regardless of key.
        let keys: Vec<String> = (0..100).map(|i| format!("id-{i}")).collect();
        let recs: Vec<SampledRecord> = keys
            .iter()
            .map(|k| SampledRecord {
                partition: 0,
                key: Some(k.as_bytes()),
            })
            .collect();
        let kd = analyze_keys(&recs, 4, &KeyOptions::default()).unwrap();
        assert_eq!(kd.partitioner_guess, PartitionerGuess::Other);
        let r = analyze_skew(&loads(&[100, 0, 0, 0]), Some(&kd), DEFAULT_TOLERANCE).unwrap();
        assert_eq!(r.hot_partitions, [0]);
        assert_eq!(r.cold_partitions, [1, 2, 3]);
        assert_eq!(ids(&r), ["placement-not-murmur2"]);
    }

    #[test]
    fn few_keys_and_null_keys() {
        // 3 keys, 60 records, plus 140 null-key records, 6 partitions.
        let keys = ["a", "b", "c"];
        let mut recs: Vec<SampledRecord> = (0..60)
            .map(|i| {
                let k = keys[i % 3].as_bytes();
                SampledRecord {
                    partition: default_partition(k, 6).unwrap(),
                    key: Some(k),
                }
            })
            .collect();
        recs.extend((0..140).map(|i| SampledRecord {
            partition: i % 6,
            key: None,
        }));
        let kd = analyze_keys(&recs, 6, &KeyOptions::default()).unwrap();
        assert_eq!(kd.null_key_records, 140);
        assert!((kd.null_key_share - 0.7).abs() < 1e-12);
        assert_eq!(kd.distinct_keys, 3);
        let r = analyze_skew(
            &loads(&[100, 10, 10, 10, 10, 60]),
            Some(&kd),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
        let got = ids(&r);
        assert!(got.contains(&"few-keys"), "{got:?}");
        assert!(got.contains(&"null-keys-unkeyed-spread"), "{got:?}");
    }

    #[test]
    fn recently_added_partitions() {
        // 3 -> 6 partitions a while ago: old ones carry history.
        let mut l = loads(&[1000, 1010, 990, 200, 210, 190]);
        let r = analyze_skew(&l, None, DEFAULT_TOLERANCE).unwrap();
        assert_eq!(r.cold_partitions, [3, 4, 5]);
        assert_eq!(ids(&r)[0], "recently-added-partitions");
        assert!(r.causes[0].message.contains("3, 4, 5"));
        // With even current rates the basis is the rate: nothing is hot now, but the history
        // pattern is still explained.
        for p in &mut l {
            p.rate_msg_s = Some(10.0);
        }
        let r = analyze_skew(&l, None, DEFAULT_TOLERANCE).unwrap();
        assert_eq!(r.basis, SkewBasis::RateMsgS);
        assert_eq!(r.total_rate_msg_s, Some(60.0));
        assert!(r.hot_partitions.is_empty());
        assert_eq!(ids(&r), ["recently-added-partitions"]);
        assert!(r.causes[0].message.contains("only younger"));
        // A cold partition in the middle is not this pattern.
        let r = analyze_skew(&loads(&[1000, 100, 1000, 1000]), None, DEFAULT_TOLERANCE).unwrap();
        assert!(!ids(&r).contains(&"recently-added-partitions"));
        assert_eq!(ids(&r), ["no-key-sample"]);
    }

    #[test]
    fn bytes_share_and_rates() {
        let l = vec![
            PartitionLoad {
                partition: 1,
                messages: 10,
                bytes: Some(300),
                rate_msg_s: Some(3.0),
            },
            PartitionLoad {
                partition: 0,
                messages: 10,
                bytes: Some(100),
                rate_msg_s: Some(1.0),
            },
        ];
        let r = analyze_skew(&l, None, DEFAULT_TOLERANCE).unwrap();
        assert_eq!(r.partitions[0].partition, 0, "sorted by id");
        assert_eq!(r.partitions[1].bytes_share, Some(0.75));
        // Rate basis: mean 2.0; p1 = 1.5 × mean -> hot, p0 = 0.5 -> cold.
        assert_eq!(r.hot_partitions, [1]);
        assert_eq!(r.cold_partitions, [0]);
        assert!((r.partitions[1].share - 0.75).abs() < 1e-12);
    }

    #[test]
    fn empty_single_and_errors() {
        let r = analyze_skew(&loads(&[0, 0, 0]), None, DEFAULT_TOLERANCE).unwrap();
        assert_eq!(ids(&r), ["empty-topic"]);
        assert!(r.hot_partitions.is_empty());
        let r = analyze_skew(&loads(&[42]), None, DEFAULT_TOLERANCE).unwrap();
        assert!(r.causes.is_empty());
        assert_eq!(r.max_vs_mean, 1.0);
        assert_eq!(analyze_skew(&[], None, 0.1), Err(SkewError::NoPartitions));
        assert_eq!(
            analyze_skew(&loads(&[1, -1]), None, 0.1),
            Err(SkewError::NegativeMessages {
                partition: 1,
                messages: -1
            })
        );
        let mut dup = loads(&[1, 2]);
        dup[1].partition = 0;
        assert_eq!(
            analyze_skew(&dup, None, 0.1),
            Err(SkewError::DuplicatePartition { partition: 0 })
        );
        assert_eq!(
            analyze_skew(&loads(&[1]), None, -0.1),
            Err(SkewError::BadTolerance { tolerance: -0.1 })
        );
        let e = analyze_keys(
            &[SampledRecord {
                partition: 6,
                key: None,
            }],
            6,
            &KeyOptions::default(),
        );
        assert_eq!(
            e,
            Err(SkewError::RecordOutsidePartitions {
                partition: 6,
                num_partitions: 6
            })
        );
        assert_eq!(
            analyze_keys(&[], 0, &KeyOptions::default()),
            Err(SkewError::BadPartitionCount { num_partitions: 0 })
        );
        let kd = analyze_keys(&[], 3, &KeyOptions::default()).unwrap();
        assert_eq!(kd.murmur2_match_ratio, None);
        assert_eq!(kd.partitioner_guess, PartitionerGuess::Unknown);
    }

    #[test]
    fn key_text_cuts_and_hexes() {
        assert_eq!(key_text(b"abc"), "abc");
        assert_eq!(key_text(&[0xff, 0x00]), "0xff00");
        let long = "x".repeat(70);
        assert_eq!(key_text(long.as_bytes()).chars().count(), 65);
    }
}

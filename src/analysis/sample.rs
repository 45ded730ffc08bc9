//! Statistics over a sample of records read without a group: how many to read per partition,
//! the key distribution of what was read (with the caveats an agent needs), average record size,
//! and which partitions to sample for sizes. Pure: the shell (`kafka::records`) reads the records.

use std::collections::BTreeMap;

use super::rates::{LogOffsets, Rates};
use super::skew::{self, KeyDistribution, KeyOptions, SampledRecord};

/// Most records one sample holds over all partitions; the per-partition count shrinks to fit.
pub const MAX_SAMPLE_TOTAL: usize = 50_000;

/// Records to read per partition: `asked`, cut so `partitions` of them hold at most
/// [`MAX_SAMPLE_TOTAL`] (never below one).
pub fn per_partition(asked: usize, partitions: usize) -> usize {
    if partitions == 0 {
        return asked;
    }
    asked.min((MAX_SAMPLE_TOTAL / partitions).max(1))
}

/// The newest records of some partitions, as the key statistics need them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySample {
    /// (partition, key) per record read; `None` is a null key.
    pub keys: Vec<(i32, Option<Vec<u8>>)>,
    /// Records asked per partition (after the total cap).
    pub per_partition: usize,
    /// What was asked before the cap.
    pub asked: usize,
    /// The deadline passed before every range was read.
    pub incomplete: bool,
}

impl KeySample {
    /// The key distribution of the sample over a topic with partitions `partition_ids`, or `None`
    /// when nothing was asked or read; caveats go to `notes`. `partition_records` (records per
    /// partition) weighs each partition's share of the topic.
    pub fn distribution(
        &self,
        partition_ids: &[i32],
        show_keys: bool,
        partition_records: Option<&BTreeMap<i32, i64>>,
        notes: &mut Vec<String>,
    ) -> Result<Option<KeyDistribution>, skew::SkewError> {
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
        if self.keys.is_empty() {
            notes.push("no records to sample: the topic is empty".into());
            return Ok(None);
        }
        let mut per: BTreeMap<i32, usize> = BTreeMap::new();
        for (p, _) in &self.keys {
            *per.entry(*p).or_default() += 1;
        }
        let full = per.values().filter(|n| **n >= self.per_partition).count();
        if full > 0 && full < partition_ids.len() || partition_records.is_none() {
            notes.push(format!(
                "the sample holds the newest {} record(s) of each partition (fewer where a partition has fewer): share_of_sample weighs partitions equally; share_of_topic weighs them by their record counts{}",
                self.per_partition,
                if partition_records.is_none() { " (unknown here: partition offsets were not read)" } else { "" }
            ));
        }
        let n = partition_ids.iter().map(|p| p + 1).max().unwrap_or(0);
        let recs: Vec<SampledRecord> = self
            .keys
            .iter()
            .map(|(p, k)| SampledRecord {
                partition: *p,
                key: k.as_deref(),
            })
            .collect();
        let opts = KeyOptions {
            show_keys,
            ..KeyOptions::default()
        };
        skew::analyze_keys_weighted(&recs, n, &opts, partition_records).map(Some)
    }
}

/// Bytes of one record as it counts toward throughput: key + value + header names and values.
pub fn record_bytes(
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[(String, Option<Vec<u8>>)],
) -> usize {
    key.map_or(0, <[u8]>::len)
        + value.map_or(0, <[u8]>::len)
        + headers
            .iter()
            .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len))
            .sum::<usize>()
}

/// Average of `sizes`, `None` for none.
pub fn average(sizes: &[usize]) -> Option<f64> {
    (!sizes.is_empty()).then(|| sizes.iter().sum::<usize>() as f64 / sizes.len() as f64)
}

/// The `n` busiest non-empty partitions (by rate, then by key), grouped by topic: where to read a
/// few records to learn the typical record size.
pub fn busiest(offsets: &LogOffsets, rates: &Rates, n: usize) -> BTreeMap<String, Vec<i32>> {
    let mut busiest: Vec<(&(String, i32), f64)> = offsets
        .iter()
        .filter(|(_, (lo, hi))| matches!((lo, hi), (Some(lo), Some(hi)) if hi > lo))
        .map(|(k, _)| (k, rates.per_partition.get(k).copied().unwrap_or(0.0)))
        .collect();
    busiest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut by_topic: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for ((t, p), _) in busiest.into_iter().take(n) {
        by_topic.entry(t.clone()).or_default().push(*p);
    }
    by_topic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_partition_count_shrinks_to_the_total_cap() {
        assert_eq!(per_partition(200, 10), 200);
        assert_eq!(per_partition(2_000, 100), 500);
        assert_eq!(per_partition(200, 1_000_000), 1);
        assert_eq!(per_partition(7, 0), 7);
    }

    #[test]
    fn nothing_asked_or_nothing_read_has_no_distribution() {
        let mut notes = Vec::new();
        let none = KeySample::default();
        assert!(none
            .distribution(&[0], false, None, &mut notes)
            .unwrap()
            .is_none());
        assert!(notes.is_empty());
        let empty = KeySample {
            asked: 10,
            per_partition: 10,
            ..KeySample::default()
        };
        assert!(empty
            .distribution(&[0], false, None, &mut notes)
            .unwrap()
            .is_none());
        assert_eq!(notes, ["no records to sample: the topic is empty"]);
    }

    #[test]
    fn a_cut_or_partial_sample_says_so() {
        let s = KeySample {
            keys: vec![(0, Some(b"a".to_vec())), (1, None)],
            per_partition: 1,
            asked: 5,
            incomplete: true,
        };
        let mut notes = Vec::new();
        let weights = BTreeMap::from([(0, 10), (1, 10)]);
        let d = s
            .distribution(&[0, 1], false, Some(&weights), &mut notes)
            .unwrap()
            .expect("a distribution");
        assert_eq!(d.sampled_records, 2);
        assert!(
            notes[0].starts_with("sample cut to 1 record(s)"),
            "{notes:?}"
        );
        assert!(notes[1].contains("deadline"), "{notes:?}");
        // Every partition filled its quota and the weights are known: no weighting caveat.
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn record_bytes_count_key_value_and_headers() {
        let h = vec![("h".to_string(), Some(vec![1, 2])), ("n".to_string(), None)];
        assert_eq!(record_bytes(Some(b"k"), Some(b"vv"), &h), 1 + 2 + 3 + 1);
        assert_eq!(record_bytes(None, None, &[]), 0);
        assert_eq!(average(&[]), None);
        assert_eq!(average(&[2, 4]), Some(3.0));
    }

    #[test]
    fn busiest_prefers_the_fastest_non_empty_partitions() {
        let k = |t: &str, p| (t.to_string(), p);
        let offsets: LogOffsets = [
            (k("a", 0), (Some(0), Some(10))),
            (k("a", 1), (Some(5), Some(5))),
            (k("b", 0), (Some(0), Some(3))),
            (k("b", 1), (Some(0), Some(3))),
        ]
        .into();
        let rates = Rates {
            per_partition: [(k("b", 1), 9.0), (k("a", 0), 1.0)].into(),
            window_ms: 1000,
        };
        let top = busiest(&offsets, &rates, 2);
        assert_eq!(
            top,
            BTreeMap::from([("a".into(), vec![0]), ("b".into(), vec![1])])
        );
        // The empty partition a-1 is never picked.
        let all = busiest(&offsets, &rates, 10);
        assert!(!all["a"].contains(&1));
    }
}

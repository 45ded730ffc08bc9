//! Produce rates from two reads of partition end offsets. Pure: the two reads and the time
//! between them in, records per second out. The shell (`kafka::groups::offsets_over`) takes the
//! reads; this module only divides.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub use crate::snapshot::LogOffsets;

/// Records per second per partition over one window.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rates {
    /// Records per second per (topic, partition), where both reads answered.
    pub per_partition: BTreeMap<(String, i32), f64>,
    /// Time between the two reads, ms.
    pub window_ms: u64,
}

impl Rates {
    /// Rates from the latest offsets in `first` and `second`, read `elapsed` apart (midpoint to
    /// midpoint). A partition missing from either read has no rate; a log end that went back
    /// (a truncation) counts as 0, never negative.
    pub fn between(
        parts: &BTreeSet<(String, i32)>,
        first: &LogOffsets,
        second: &BTreeMap<(String, i32), Option<i64>>,
        elapsed: Duration,
    ) -> Rates {
        let secs = elapsed.as_secs_f64().max(1e-3);
        let per_partition = parts
            .iter()
            .filter_map(|k| {
                let a = first.get(k)?.1?;
                let b = (*second.get(k)?)?;
                Some((k.clone(), (b - a).max(0) as f64 / secs))
            })
            .collect();
        Rates {
            per_partition,
            window_ms: elapsed.as_millis() as u64,
        }
    }

    /// Records per second over every partition.
    pub fn total(&self) -> f64 {
        self.per_partition.values().sum()
    }
}

/// Records retained per partition (`latest - earliest`, never negative), where both are known.
pub fn retained(offsets: &LogOffsets, key: &(String, i32)) -> Option<i64> {
    match offsets.get(key) {
        Some((Some(lo), Some(hi))) => Some((hi - lo).max(0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(t: &str, p: i32) -> (String, i32) {
        (t.to_string(), p)
    }

    #[test]
    fn rates_divide_the_delta_by_the_window_and_skip_unknown_partitions() {
        let parts: BTreeSet<_> = [k("a", 0), k("a", 1), k("a", 2)].into();
        let first: LogOffsets = [
            (k("a", 0), (Some(0), Some(100))),
            (k("a", 1), (Some(0), Some(50))),
            (k("a", 2), (None, None)),
        ]
        .into();
        let second = [
            (k("a", 0), Some(300)),
            (k("a", 1), Some(40)),
            (k("a", 2), Some(10)),
        ]
        .into();
        let r = Rates::between(&parts, &first, &second, Duration::from_secs(2));
        assert_eq!(r.window_ms, 2000);
        assert_eq!(r.per_partition.get(&k("a", 0)), Some(&100.0));
        // A log end that went back is 0 records per second, never negative.
        assert_eq!(r.per_partition.get(&k("a", 1)), Some(&0.0));
        // The first read did not know partition 2's end: no rate.
        assert_eq!(r.per_partition.get(&k("a", 2)), None);
        assert_eq!(r.total(), 100.0);
    }

    #[test]
    fn a_zero_window_does_not_divide_by_zero() {
        let parts: BTreeSet<_> = [k("a", 0)].into();
        let first: LogOffsets = [(k("a", 0), (Some(0), Some(0)))].into();
        let second = [(k("a", 0), Some(5))].into();
        let r = Rates::between(&parts, &first, &second, Duration::ZERO);
        assert!(r.per_partition[&k("a", 0)].is_finite());
    }

    #[test]
    fn retained_needs_both_ends() {
        let o: LogOffsets = [
            (k("a", 0), (Some(5), Some(9))),
            (k("a", 1), (Some(9), Some(5))),
            (k("a", 2), (None, Some(5))),
        ]
        .into();
        assert_eq!(retained(&o, &k("a", 0)), Some(4));
        assert_eq!(retained(&o, &k("a", 1)), Some(0));
        assert_eq!(retained(&o, &k("a", 2)), None);
        assert_eq!(retained(&o, &k("b", 0)), None);
    }
}

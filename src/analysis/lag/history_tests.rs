//! Tests of the sample ring.

use super::*;
use crate::analysis::lag::testkit::*;

fn s(t: i64, c: i64, e: i64) -> Sample {
    Sample {
        ts_ms: t,
        committed: Some(c),
        log_end: e,
    }
}

#[test]
fn history_ring_keeps_the_last_n_sorted() {
    let mut h = LagHistory::new(LagHistoryConfig {
        samples_per_partition: 3,
        ..Default::default()
    });
    assert!(h.is_empty());
    for t in [10, 20, 30, 40] {
        h.record("g", "t", 0, s(t, t, t));
    }
    let ts = |h: &LagHistory| {
        h.window("g", "t", 0)
            .iter()
            .map(|x| x.ts_ms)
            .collect::<Vec<_>>()
    };
    assert_eq!(ts(&h), vec![20, 30, 40]);
    // Same timestamp replaces.
    h.record("g", "t", 0, s(40, 99, 99));
    assert_eq!(
        h.window("g", "t", 0).last().map(|x| x.committed),
        Some(Some(99))
    );
    assert_eq!(ts(&h), vec![20, 30, 40]);
    // Out of order goes in its place, then the oldest falls out.
    h.record("g", "t", 0, s(35, 1, 1));
    assert_eq!(ts(&h), vec![30, 35, 40]);
    assert_eq!(h.len(), 1);
    assert!(h.window("g", "t", 1).is_empty());
    assert!(h.window("other", "t", 0).is_empty());
}

#[test]
fn history_evicts_idle_and_oldest_keys() {
    let mut h = LagHistory::new(LagHistoryConfig {
        samples_per_partition: 5,
        max_keys: 3,
        idle_ms: 100,
    });
    h.record("a", "t", 0, s(1000, 1, 1));
    h.record("a", "t", 1, s(1010, 1, 1));
    h.record("b", "u", 0, s(1020, 1, 1));
    // Refresh a/t/0 so a/t/1 becomes the least recently sampled.
    h.record("a", "t", 0, s(1030, 2, 2));
    h.record("c", "v", 0, s(1040, 1, 1));
    assert_eq!(h.len(), 3);
    assert!(
        h.window("a", "t", 1).is_empty(),
        "oldest key evicted at the cap"
    );
    assert_eq!(h.window("a", "t", 0).len(), 2);

    assert_eq!(
        h.evict_idle(1135),
        2,
        "a/t/0 (1030) and b/u/0 (1020) are older than 1135 - 100"
    );
    assert_eq!(h.len(), 1);
    assert!(h.group_windows("a").is_empty());
    assert_eq!(h.group_windows("c").len(), 1);
    assert_eq!(h.evict_idle(i64::MAX), 1);
    assert!(h.is_empty());
}

#[test]
fn history_records_snapshots_and_lists_group_windows() {
    let mut h = LagHistory::new(LagHistoryConfig::default());
    let offsets = offsets("two-down", "frozen").expect("offsets");
    h.record_offsets("frozen", &offsets, 5000);
    // ticks-1 has no log end in two-down: no sample.
    let windows = h.group_windows("frozen");
    assert_eq!(
        windows.iter().map(|w| w.partition).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(
        windows[1].samples,
        vec![Sample {
            ts_ms: 5000,
            committed: Some(46),
            log_end: 1127
        }]
    );
    assert_eq!(windows[0].samples[0].committed, None);
    assert!(windows
        .iter()
        .all(|w| w.presence == ConsumerPresence::Unknown));
}

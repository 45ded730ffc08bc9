//! Tests of the Burrow verdicts: the recorded lag series per group, then hand-made cases for
//! every rule.

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::analysis::lag::testkit::*;
use crate::analysis::lag::*;

#[test]
fn series_group_verdicts() {
    use BurrowStatus as B;
    use LagStatus as S;
    use TrendDirection as T;
    // (group, from s, to s, window samples, status, burrow, trend)
    let rows: &[(&str, i64, i64, usize, S, B, T)] = &[
        // Slow consumer: commits move, lag grows at every sample of the last 10.
        ("slowpoke", 44, 62, 10, S::Warn, B::Warn, T::Growing),
        // Whole series: p1/p2 lag dipped once right after their first commit, so Burrow's strict rule
        // clears them, but p0 still grows at every sample.
        ("slowpoke", 2, 62, 31, S::Warn, B::Warn, T::Growing),
        // Member alive, p1/p2 commits frozen at 54/46 while lag grows; p0 never committed.
        ("frozen", 44, 62, 10, S::Stall, B::Err, T::Growing),
        ("frozen", 2, 62, 31, S::Stall, B::Err, T::Growing),
        // Offsets reset to 0 at t=36 s. The trend runs from the reset on: p0/p2 grow, p1 restarted at
        // t=40 s and shrinks, so the sum stays within 5%.
        ("rewinder", 30, 40, 6, S::Rewind, B::Err, T::Stable),
        // Catching up after the restart.
        ("rewinder", 40, 54, 8, S::Ok, B::Ok, T::Shrinking),
        // Keeping up before the stop and after catching up.
        ("rewinder", 6, 28, 12, S::Ok, B::Ok, T::Shrinking),
        ("rewinder", 54, 62, 5, S::Ok, B::Ok, T::Shrinking),
    ];
    for &(group, from, to, window, status, burrow, trend) in rows {
        let v = evaluate_group(group, &series_windows(group, from, to), &cfg(window));
        let case = format!("{group} {from}..{to}");
        assert_eq!(v.status, status, "{case}: {v:#?}");
        assert_eq!(v.burrow_status, burrow, "{case}");
        assert_eq!(
            v.trend.as_ref().map(|t| t.direction),
            Some(trend),
            "{case}: {:?}",
            v.trend
        );
        assert_eq!(v.next_step, status.next_step(), "{case}");
    }
}

#[test]
fn series_slowpoke_rates_match_the_recording() {
    let v = evaluate_group("slowpoke", &series_windows("slowpoke", 44, 62), &cfg(10));
    assert_eq!(statuses(&v), vec![LagStatus::Warn; 3]);
    let p0 = &v.partitions[0];
    assert_eq!(
        (p0.committed_offset, p0.log_end_offset, p0.lag_messages),
        (Some(373), Some(1029), Some(656))
    );
    assert_eq!(p0.complete, 1.0);
    let t = p0.trend.as_ref().expect("trend");
    // README: commits climb ~6.3/s per partition, ends ~16.7/s.
    assert!((t.consumption_rate_per_s - 6.33).abs() < 0.1, "{t:?}");
    assert!((t.production_rate_per_s - 16.67).abs() < 0.1, "{t:?}");
    assert!(
        t.lag_rate_per_s > 10.0 && t.time_to_catch_up_s.is_none(),
        "{t:?}"
    );
    assert_eq!(v.total_lag_messages, 656 + 657 + 657);
    assert!(
        p0.reason.contains("lag grew at every sample"),
        "{}",
        p0.reason
    );
}

#[test]
fn series_frozen_p0_stays_uncommitted_and_presence_picks_stall_or_stop() {
    let windows = series_windows("frozen", 44, 62);
    assert!(windows
        .iter()
        .all(|w| w.presence == ConsumerPresence::Active));
    let v = evaluate_group("frozen", &windows, &cfg(10));
    assert_eq!(
        statuses(&v),
        vec![LagStatus::NoCommits, LagStatus::Stall, LagStatus::Stall]
    );
    let p0 = &v.partitions[0];
    assert_eq!((p0.committed_offset, p0.lag_messages), (None, None));
    assert_eq!(p0.samples_with_commit, 0);
    assert!(p0.reason.contains("not 0"), "{}", p0.reason);
    let p1 = &v.partitions[1];
    assert_eq!(
        (p1.committed_offset, p1.lag_messages),
        (Some(54), Some(975))
    );
    assert_eq!(p1.commit_unchanged_s, Some(18.0));
    assert!(p1.reason.contains("alive but stuck"), "{}", p1.reason);
    assert_eq!(v.partitions_without_commit, 1);
    assert_eq!(v.partitions_judged, 2);
    assert_eq!(v.total_lag_messages, 975 + 983);
    assert_eq!(
        v.worst_partition,
        Some(WorstPartition {
            topic: "ticks".into(),
            partition: 2,
            status: LagStatus::Stall,
            lag_messages: Some(983)
        })
    );
    // Completeness: p0 contributes no samples.
    assert!((v.complete - 0.67).abs() < 0.01, "{}", v.complete);

    for presence in [ConsumerPresence::Absent, ConsumerPresence::Unknown] {
        let ws: Vec<PartitionWindow> = windows
            .iter()
            .cloned()
            .map(|w| PartitionWindow { presence, ..w })
            .collect();
        let v = evaluate_group("frozen", &ws, &cfg(10));
        assert_eq!(
            statuses(&v),
            vec![LagStatus::NoCommits, LagStatus::Stop, LagStatus::Stop],
            "{presence:?}"
        );
    }
}

#[test]
fn series_rewinder_rewind_then_catch_up() {
    let v = evaluate_group("rewinder", &series_windows("rewinder", 30, 40), &cfg(6));
    assert_eq!(v.status, LagStatus::Rewind);
    // p1 was already committing again at t=40 (153) but the 464 → 0 step is in the window for all three.
    assert_eq!(statuses(&v), vec![LagStatus::Rewind; 3]);
    assert!(
        v.partitions[0].reason.contains("464 → 0"),
        "{}",
        v.partitions[0].reason
    );

    let v = evaluate_group("rewinder", &series_windows("rewinder", 40, 54), &cfg(8));
    assert_eq!(v.status, LagStatus::Ok);
    let t = v.trend.expect("group trend");
    assert_eq!(t.direction, TrendDirection::Shrinking);
    assert!(t.lag_rate_per_s < -100.0, "{t:?}");
    assert!(t.consumption_rate_per_s > t.production_rate_per_s, "{t:?}");
    let eta = t.time_to_catch_up_s.expect("time to catch up");
    assert!(eta > 0.0 && eta < 5.0, "{eta}");
    for p in &v.partitions {
        let t = p.trend.as_ref().expect("trend");
        assert_eq!(t.direction, TrendDirection::Shrinking, "{p:?}");
        assert!(t.time_to_catch_up_s.is_some());
    }
}

#[test]
fn series_fed_through_history_gives_the_same_verdicts() {
    let mut history = LagHistory::new(LagHistoryConfig::default());
    let mut presence = BTreeMap::new();
    for group in ["slowpoke", "frozen", "rewinder"] {
        for point in series(group) {
            for (p, s) in point.samples.iter().enumerate() {
                history.record(group, "ticks", p as i32, *s);
            }
            let now = if point.members > 0 {
                ConsumerPresence::Active
            } else {
                ConsumerPresence::Absent
            };
            presence.insert(group, now);
        }
    }
    assert_eq!(history.len(), 9);
    assert_eq!(history.window("slowpoke", "ticks", 0).len(), 30);
    assert_eq!(history.window("slowpoke", "ticks", 0)[0].ts_ms, 4000);
    let want = [
        ("slowpoke", LagStatus::Warn),
        ("frozen", LagStatus::Stall),
        ("rewinder", LagStatus::Ok),
    ];
    for (group, status) in want {
        let windows: Vec<PartitionWindow> = history
            .group_windows(group)
            .into_iter()
            .map(|w| PartitionWindow {
                presence: presence[group],
                ..w
            })
            .collect();
        let v = evaluate_group(group, &windows, &EvalConfig::default());
        assert_eq!(v.status, status, "{group}: {v:#?}");
        assert_eq!(v.partition_count, 3);
    }
}

/// Samples from `(t seconds, committed, log end)`.
fn win(points: &[(i64, Option<i64>, i64)], presence: ConsumerPresence) -> PartitionWindow {
    PartitionWindow {
        topic: "t".into(),
        partition: 0,
        samples: points
            .iter()
            .map(|&(t, committed, log_end)| Sample {
                ts_ms: t * 1000,
                committed,
                log_end,
            })
            .collect(),
        presence,
    }
}

#[test]
fn burrow_rules() {
    use ConsumerPresence::{Absent, Active, Unknown};
    use LagStatus as S;
    type Row = (
        &'static str,
        &'static [(i64, Option<i64>, i64)],
        ConsumerPresence,
        S,
        &'static str,
    );
    let rows: &[Row] = &[
        (
            "lag zero now",
            &[(0, Some(5), 10), (10, Some(10), 15), (20, Some(20), 20)],
            Unknown,
            S::Ok,
            "lag is 0",
        ),
        // Rule 1 wins over everything: the offset has not moved since, yet lag hit 0 in the window.
        (
            "lag zero earlier",
            &[(0, Some(10), 10), (10, Some(10), 20), (20, Some(10), 30)],
            Active,
            S::Ok,
            "lag was 0",
        ),
        (
            "rewind",
            &[
                (0, Some(100), 150),
                (10, Some(50), 160),
                (20, Some(60), 170),
            ],
            Active,
            S::Rewind,
            "100 → 50",
        ),
        (
            "rewind beats stop",
            &[
                (0, Some(100), 150),
                (10, Some(50), 160),
                (20, Some(50), 170),
                (30, Some(50), 180),
            ],
            Absent,
            S::Rewind,
            "backwards",
        ),
        // Moving 0..20 s, then unchanged 20..60 s: 40 s > 20 s.
        (
            "stop after moving",
            &[
                (0, Some(10), 20),
                (10, Some(20), 30),
                (20, Some(30), 40),
                (40, Some(30), 50),
                (60, Some(30), 60),
            ],
            Unknown,
            S::Stop,
            "longer than the 20 s",
        ),
        (
            "stall after moving",
            &[
                (0, Some(10), 20),
                (10, Some(20), 30),
                (20, Some(30), 40),
                (40, Some(30), 50),
                (60, Some(30), 60),
            ],
            Active,
            S::Stall,
            "alive but stuck",
        ),
        // Paused 10 s after moving 30 s: not stopped; lag grew at every sample → WARN.
        (
            "short pause",
            &[
                (0, Some(10), 20),
                (10, Some(20), 31),
                (20, Some(30), 42),
                (30, Some(40), 53),
                (40, Some(40), 60),
            ],
            Unknown,
            S::Warn,
            "lag grew",
        ),
        (
            "stall whole window",
            &[(0, Some(5), 10), (10, Some(5), 20), (20, Some(5), 30)],
            Active,
            S::Stall,
            "whole window",
        ),
        (
            "stop whole window absent",
            &[(0, Some(5), 10), (10, Some(5), 20), (20, Some(5), 30)],
            Absent,
            S::Stop,
            "nobody consumes",
        ),
        (
            "stop whole window unknown",
            &[(0, Some(5), 10), (10, Some(5), 10), (20, Some(5), 10)],
            Unknown,
            S::Stop,
            "unknown",
        ),
        (
            "warn",
            &[
                (0, Some(10), 20),
                (10, Some(20), 40),
                (20, Some(30), 60),
                (30, Some(40), 80),
            ],
            Active,
            S::Warn,
            "10 → 40",
        ),
        (
            "warn with flat steps",
            &[(0, Some(10), 20), (10, Some(20), 30), (20, Some(30), 50)],
            Active,
            S::Warn,
            "lag grew",
        ),
        // Offsets move and lag stays 100: keeping pace, not WARN (lag must end higher).
        (
            "flat lag",
            &[(0, Some(0), 100), (10, Some(50), 150), (20, Some(100), 200)],
            Active,
            S::Ok,
            "100 → 100",
        ),
        // Lag dips once: Burrow's rule 5 does not fire.
        (
            "lag dips once",
            &[
                (0, Some(0), 100),
                (10, Some(50), 170),
                (20, Some(100), 210),
                (30, Some(110), 240),
            ],
            Active,
            S::Ok,
            "fell at some sample",
        ),
        (
            "no commits",
            &[(0, None, 10), (10, None, 20)],
            Active,
            S::NoCommits,
            "never committed",
        ),
        (
            "commit disappeared",
            &[(0, Some(5), 10), (10, Some(5), 20), (20, None, 30)],
            Unknown,
            S::NoCommits,
            "gone",
        ),
        (
            "one sample",
            &[(0, Some(5), 10)],
            Unknown,
            S::InsufficientSamples,
            "2 needed",
        ),
        (
            "one sample after leading none",
            &[(0, None, 5), (10, None, 8), (20, Some(5), 10)],
            Unknown,
            S::InsufficientSamples,
            "1 sample",
        ),
        (
            "no samples",
            &[],
            Unknown,
            S::InsufficientSamples,
            "no samples",
        ),
        (
            "same instant",
            &[(5, Some(1), 10), (5, Some(1), 10)],
            Unknown,
            S::InsufficientSamples,
            "one timestamp",
        ),
        // Committed past the end counts as lag 0 → OK.
        (
            "committed past end",
            &[(0, Some(30), 20), (10, Some(30), 25)],
            Unknown,
            S::Ok,
            "lag is 0",
        ),
    ];
    for &(name, samples, presence, status, reason) in rows {
        // Each row is a full window (WARN is only judged on one).
        let v = evaluate_partition(&win(samples, presence), &cfg(samples.len().max(2)));
        assert_eq!(v.status, status, "{name}: {v:#?}");
        assert!(
            v.reason.contains(reason),
            "{name}: {:?} lacks {reason:?}",
            v.reason
        );
    }
}

#[test]
fn ok_over_rewind_keeps_a_note() {
    let v = evaluate_partition(
        &win(
            &[(0, Some(10), 10), (10, Some(5), 20)],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    assert_eq!(v.status, LagStatus::Ok);
    assert!(
        v.notes.iter().any(|n| n.contains("backwards 10 → 5")),
        "{:?}",
        v.notes
    );
}

#[test]
fn no_commits_shows_none_never_zero() {
    let v = evaluate_partition(
        &win(&[(0, None, 10), (10, None, 20)], ConsumerPresence::Active),
        &cfg(10),
    );
    assert_eq!(
        (v.committed_offset, v.lag_messages, v.log_end_offset),
        (None, None, Some(20))
    );
    assert_eq!((v.samples, v.samples_with_commit, v.complete), (2, 0, 0.0));
    assert!(v.trend.is_none());
    let json = serde_json::to_value(&v).expect("serializes");
    assert_eq!(json["lag_messages"], Value::Null);
    assert_eq!(json["status"], "NO_COMMITS");
}

#[test]
fn insufficient_samples_still_reports_current_lag() {
    let v = evaluate_partition(
        &win(
            &[(0, None, 5), (10, None, 8), (20, Some(5), 10)],
            ConsumerPresence::Unknown,
        ),
        &cfg(10),
    );
    assert_eq!(
        (v.lag_messages, v.samples, v.samples_with_commit, v.complete),
        (Some(5), 3, 1, 0.1)
    );
    // min_samples is honoured above 2.
    let two = win(
        &[(0, Some(1), 10), (10, Some(2), 20)],
        ConsumerPresence::Unknown,
    );
    let strict = EvalConfig {
        window_samples: 10,
        min_samples: 3,
    };
    assert_eq!(
        evaluate_partition(&two, &strict).status,
        LagStatus::InsufficientSamples
    );
    // ... and never below 2.
    let lax = EvalConfig {
        window_samples: 10,
        min_samples: 0,
    };
    let one = win(&[(0, Some(1), 10)], ConsumerPresence::Unknown);
    assert_eq!(
        evaluate_partition(&one, &lax).status,
        LagStatus::InsufficientSamples
    );
}

/// Issue #13 (3): a live consumer with auto-commit every 500 ms keeping up with ~20 msg/s,
/// sampled every 2 s, reads lag 4, 4, 5, 5, 5, 5: never falling, +1 overall. That is noise, not
/// growth, whether the window is 60 % full or full.
#[test]
fn noisy_healthy_consumer_is_ok_and_real_growth_is_warn() {
    use ConsumerPresence::Active;
    // (t s, committed, log end): ~40 messages every 2 s, consumer 4-5 behind.
    let noisy: Vec<(i64, Option<i64>, i64)> = [4, 4, 5, 5, 5, 5]
        .iter()
        .enumerate()
        .map(|(i, lag)| {
            let end = 1000 + 40 * i as i64;
            (2 * i as i64, Some(end - lag), end)
        })
        .collect();
    let v = evaluate_partition(&win(&noisy, Active), &cfg(10));
    assert_eq!(v.status, LagStatus::Ok, "{v:#?}");
    assert!(v.reason.contains("6 of 10"), "{}", v.reason);
    assert_eq!(v.trend.map(|t| t.direction), Some(TrendDirection::Stable));

    // Same noise over a full window of 10.
    let full: Vec<(i64, Option<i64>, i64)> = [4, 4, 4, 5, 5, 5, 5, 5, 5, 5]
        .iter()
        .enumerate()
        .map(|(i, lag)| {
            let end = 1000 + 40 * i as i64;
            (2 * i as i64, Some(end - lag), end)
        })
        .collect();
    let v = evaluate_partition(&win(&full, Active), &cfg(10));
    assert_eq!(v.status, LagStatus::Ok, "{v:#?}");
    assert!(v.reason.contains("noise band"), "{}", v.reason);

    // Real growth over a full window still WARNs: 4 → 40 and 100 → 120 (band: 5 % of the 360
    // messages produced, 18).
    for lags in [
        [4, 8, 12, 16, 20, 24, 28, 32, 36, 40],
        [100, 101, 103, 105, 108, 110, 113, 115, 118, 120],
    ] {
        let grow: Vec<(i64, Option<i64>, i64)> = lags
            .iter()
            .enumerate()
            .map(|(i, lag)| {
                let end = 1000 + 40 * i as i64;
                (2 * i as i64, Some(end - lag), end)
            })
            .collect();
        let v = evaluate_partition(&win(&grow, Active), &cfg(10));
        assert_eq!(v.status, LagStatus::Warn, "{lags:?}: {v:#?}");
        // The same growth seen over 6 of 10 samples is not judged yet.
        let v = evaluate_partition(&win(&grow[4..], Active), &cfg(10));
        assert_eq!(v.status, LagStatus::Ok, "{lags:?} partial: {v:#?}");
    }
    // A rise of exactly the band is noise; one more message is growth. Here the band is 5 % of
    // the 40 messages produced over the window: 2.
    let edge = |last: i64| -> Vec<(i64, Option<i64>, i64)> {
        [(0, 20), (2, 20), (4, last)]
            .iter()
            .map(|&(t, lag)| (t, Some(1000 + t * 10 - lag), 1000 + t * 10))
            .collect()
    };
    assert_eq!(
        evaluate_partition(&win(&edge(22), Active), &cfg(3)).status,
        LagStatus::Ok
    );
    assert_eq!(
        evaluate_partition(&win(&edge(23), Active), &cfg(3)).status,
        LagStatus::Warn
    );
    // Seen on a 3-node Kafka 4.1 cluster: console consumer, auto-commit every 500 ms, ~20 msg/s,
    // sampled every 2 s over a full window: lag 5 → 8, never falling, while 361 messages were
    // produced. Commit-timer noise, not a consumer falling behind (it was WARN before).
    let real: Vec<(i64, Option<i64>, i64)> = [5, 5, 6, 6, 6, 7, 7, 8, 8, 8]
        .iter()
        .enumerate()
        .map(|(i, lag)| {
            let end = 1334 + 40 * i as i64;
            (2 * i as i64, Some(end - lag), end)
        })
        .collect();
    let v = evaluate_partition(&win(&real, Active), &cfg(10));
    assert_eq!(v.status, LagStatus::Ok, "{v:#?}");
    assert!(
        v.reason.contains("messages produced meanwhile"),
        "{}",
        v.reason
    );
}

#[test]
fn gaps_order_and_window_truncation() {
    // A sample without a commit between ones with: skipped, with a note.
    let v = evaluate_partition(
        &win(
            &[
                (0, Some(10), 20),
                (10, None, 40),
                (20, Some(30), 60),
                (30, Some(40), 80),
            ],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    // 3 commits of a 10-sample window: growth is not judged yet.
    assert_eq!((v.status, v.samples_with_commit), (LagStatus::Ok, 3));
    assert!(v.reason.contains("full window"), "{}", v.reason);
    assert!(
        v.notes.iter().any(|n| n.contains("skipped")),
        "{:?}",
        v.notes
    );

    // Out of order in, same verdict as sorted.
    let sorted = win(
        &[(0, Some(10), 20), (10, Some(20), 40), (20, Some(30), 60)],
        ConsumerPresence::Active,
    );
    let mut shuffled = sorted.clone();
    shuffled.samples.reverse();
    assert_eq!(
        evaluate_partition(&shuffled, &cfg(10)),
        evaluate_partition(&sorted, &cfg(10))
    );

    // Only the last `window_samples` count.
    let long: Vec<(i64, Option<i64>, i64)> =
        (0..15).map(|i| (i, Some(i * 10), i * 20 + 5)).collect();
    let v = evaluate_partition(&win(&long, ConsumerPresence::Active), &cfg(10));
    assert_eq!(
        (v.samples, v.window_start_ms, v.window_end_ms),
        (10, Some(5000), Some(14000))
    );
    assert_eq!(v.complete, 1.0);
}

#[test]
fn log_end_going_backwards_is_noted() {
    let v = evaluate_partition(
        &win(
            &[(0, Some(10), 100), (10, Some(20), 50), (20, Some(30), 60)],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    assert!(
        v.notes
            .iter()
            .any(|n| n.contains("log end went backwards 100 → 50")),
        "{:?}",
        v.notes
    );
}

#[test]
fn trend_math() {
    // Lag 100 → 40 over 30 s: -2/s; consumption 5/s, production 3/s; catch up in 20 s.
    let v = evaluate_partition(
        &win(
            &[
                (0, Some(0), 100),
                (10, Some(50), 130),
                (20, Some(100), 160),
                (30, Some(150), 190),
            ],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    let t = v.trend.expect("trend");
    assert_eq!(t.direction, TrendDirection::Shrinking);
    assert_eq!(
        (
            t.lag_rate_per_s,
            t.consumption_rate_per_s,
            t.production_rate_per_s
        ),
        (-2.0, 5.0, 3.0)
    );
    assert_eq!((t.time_to_catch_up_s, t.span_s), (Some(20.0), 30.0));

    // Within 5% (or 1 message): stable.
    let v = evaluate_partition(
        &win(
            &[(0, Some(0), 100), (10, Some(10), 113), (20, Some(20), 124)],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    let t = v.trend.expect("trend");
    assert_eq!(
        (t.direction, t.time_to_catch_up_s),
        (TrendDirection::Stable, None)
    );

    // After a rewind the trend starts at the rewind.
    let v = evaluate_partition(
        &win(
            &[
                (0, Some(500), 600),
                (10, Some(0), 610),
                (20, Some(100), 620),
                (30, Some(300), 630),
            ],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    assert_eq!(v.status, LagStatus::Rewind);
    let t = v.trend.expect("trend");
    assert_eq!((t.span_s, t.consumption_rate_per_s), (20.0, 15.0));

    // A rewind at the last sample leaves too little to trend on.
    let v = evaluate_partition(
        &win(
            &[
                (0, Some(500), 600),
                (10, Some(510), 610),
                (20, Some(0), 620),
            ],
            ConsumerPresence::Active,
        ),
        &cfg(10),
    );
    assert!(v.trend.is_none());
    assert!(
        v.notes.iter().any(|n| n.contains("since the last rewind")),
        "{:?}",
        v.notes
    );
}

#[test]
fn group_rollup() {
    use ConsumerPresence::Active;
    let ok = win(&[(0, Some(10), 10), (10, Some(20), 20)], Active);
    let warn = win(&[(0, Some(10), 20), (10, Some(20), 40)], Active);
    let none = win(&[(0, None, 20), (10, None, 40)], Active);
    let rewind = win(&[(0, Some(10), 20), (10, Some(5), 40)], Active);
    let stall_small = win(&[(0, Some(10), 12), (10, Some(10), 13)], Active);
    let stall_big = win(&[(0, Some(10), 100), (10, Some(10), 200)], Active);
    let at = |w: &PartitionWindow, p: i32| PartitionWindow {
        partition: p,
        ..w.clone()
    };
    use BurrowStatus as B;
    use LagStatus as S;
    let rows: Vec<(Vec<PartitionWindow>, S, B, usize)> = vec![
        (
            vec![at(&ok, 0), at(&warn, 1), at(&none, 2)],
            S::Warn,
            B::Warn,
            2,
        ),
        (vec![at(&ok, 0), at(&none, 1)], S::NoCommits, B::Ok, 1),
        (
            vec![at(&none, 0), at(&none, 1)],
            S::NoCommits,
            B::Unknown,
            0,
        ),
        (vec![at(&ok, 0), at(&rewind, 1)], S::Rewind, B::Err, 2),
        (vec![], S::InsufficientSamples, B::Unknown, 0),
    ];
    for (windows, status, burrow, judged) in rows {
        let v = evaluate_group("g", &windows, &cfg(2));
        assert_eq!(
            (v.status, v.burrow_status, v.partitions_judged),
            (status, burrow, judged),
            "{windows:?}"
        );
    }
    // Completeness: 2 + 0 samples of 2 × 2 expected.
    let v = evaluate_group("g", &[at(&ok, 0), at(&none, 1)], &cfg(2));
    assert_eq!(v.complete, 0.5);
    assert_eq!(evaluate_group("g", &[], &cfg(2)).complete, 0.0);
    // Worst partition: status first, then the higher lag.
    let v = evaluate_group(
        "g",
        &[at(&stall_small, 0), at(&stall_big, 1), at(&warn, 2)],
        &cfg(2),
    );
    assert_eq!(
        v.worst_partition.map(|w| (w.partition, w.status)),
        Some((1, S::Stall))
    );
}

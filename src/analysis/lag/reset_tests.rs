//! Tests of offset reset planning, over hand-made inputs and the recorded `analytics` group.

use serde_json::Value;

use super::*;
use crate::analysis::lag::testkit::*;

fn ri(committed: Option<i64>, start: i64, end: i64, for_ts: Option<i64>) -> ResetInput {
    ResetInput {
        topic: "orders".into(),
        partition: 0,
        committed,
        log_start: start,
        log_end: end,
        offset_for_timestamp: for_ts,
    }
}

const NOW: i64 = 1_795_346_418_000;

#[test]
fn reset_plans() {
    use ClampedTo::{LogEnd, LogStart};
    use ResetSpec as R;
    // (spec, input, new offset, clamped, reread, skipped, lag after, note contains)
    type Row = (
        R,
        ResetInput,
        i64,
        Option<ClampedTo>,
        i64,
        i64,
        i64,
        &'static str,
    );
    let rows: Vec<Row> = vec![
        (
            R::Earliest,
            ri(Some(500), 100, 1000, None),
            100,
            None,
            400,
            0,
            900,
            "",
        ),
        (
            R::Latest,
            ri(Some(500), 100, 1000, None),
            1000,
            None,
            0,
            500,
            0,
            "",
        ),
        (
            R::Timestamp { ts_ms: NOW - 1000 },
            ri(Some(500), 100, 1000, Some(700)),
            700,
            None,
            0,
            200,
            300,
            "",
        ),
        // No offset for the timestamp: past the last message → the end.
        (
            R::Timestamp { ts_ms: NOW },
            ri(Some(500), 100, 1000, None),
            1000,
            None,
            0,
            500,
            0,
            "no message at or after",
        ),
        (
            R::Offset { offset: 2000 },
            ri(Some(500), 100, 1000, None),
            1000,
            Some(LogEnd),
            0,
            500,
            0,
            "past the log end",
        ),
        (
            R::Offset { offset: 50 },
            ri(Some(500), 100, 1000, None),
            100,
            Some(LogStart),
            400,
            0,
            900,
            "before the log start",
        ),
        (
            R::Offset { offset: 500 },
            ri(Some(500), 100, 1000, None),
            500,
            None,
            0,
            0,
            500,
            "",
        ),
        (
            R::ShiftBy { delta: -100 },
            ri(Some(500), 100, 1000, None),
            400,
            None,
            100,
            0,
            600,
            "",
        ),
        // Shift past the start: clamped.
        (
            R::ShiftBy { delta: -1000 },
            ri(Some(500), 100, 1000, None),
            100,
            Some(LogStart),
            400,
            0,
            900,
            "target -500",
        ),
        (
            R::ShiftBy { delta: 10_000 },
            ri(Some(500), 100, 1000, None),
            1000,
            Some(LogEnd),
            0,
            500,
            0,
            "target 10500",
        ),
        (
            R::ShiftBy { delta: i64::MIN },
            ri(Some(500), 100, 1000, None),
            100,
            Some(LogStart),
            400,
            0,
            900,
            "",
        ),
        // No commit: no re-read/skip to count, a note instead.
        (
            R::Earliest,
            ri(None, 100, 1000, None),
            100,
            None,
            0,
            0,
            900,
            "no committed offset",
        ),
        // Commit already below the log start: deleted messages are not "skipped".
        (
            R::Latest,
            ri(Some(20), 100, 1000, None),
            1000,
            None,
            0,
            900,
            0,
            "deleted by retention",
        ),
        // Commit past the end: re-read counts only existing messages.
        (
            R::Earliest,
            ri(Some(1200), 0, 1000, None),
            0,
            None,
            1000,
            0,
            1000,
            "",
        ),
    ];
    for (spec, input, new, clamped, reread, skipped, lag_after, note) in rows {
        let plan = plan_reset_offsets(&spec, std::slice::from_ref(&input), NOW)
            .unwrap_or_else(|e| panic!("{spec}: {e}"));
        let p = &plan.partitions[0];
        let case = format!("{spec} on {input:?}");
        assert_eq!(
            (
                p.new_offset,
                p.clamped_to,
                p.messages_reread,
                p.messages_skipped,
                p.lag_after_messages
            ),
            (new, clamped, reread, skipped, lag_after),
            "{case}"
        );
        assert_eq!(
            plan.partitions_clamped,
            usize::from(clamped.is_some()),
            "{case}"
        );
        assert_eq!(
            (plan.total_messages_reread, plan.total_messages_skipped),
            (reread, skipped),
            "{case}"
        );
        if note.is_empty() {
            assert!(
                p.notes.is_empty() || clamped.is_some(),
                "{case}: {:?}",
                p.notes
            );
        } else {
            assert!(
                p.notes.iter().any(|n| n.contains(note)),
                "{case}: {:?} lacks {note:?}",
                p.notes
            );
        }
    }
}

#[test]
fn no_offsets_to_reset_says_whether_the_group_exists() {
    let dead = no_offsets_to_reset("ghost", "Dead");
    assert!(
        dead.contains("does not exist") && dead.contains("action=list"),
        "{dead}"
    );
    assert!(dead.contains("topics=["), "{dead}");
    assert!(!dead.contains("pass `topics`"), "{dead}");
    let empty = no_offsets_to_reset("idle", "Empty");
    assert!(
        empty.contains("exists (Empty)") && empty.contains("no committed offsets"),
        "{empty}"
    );
    assert!(
        empty.contains("auto.offset.reset") && empty.contains("retention"),
        "{empty}"
    );
    assert!(no_offsets_to_reset("x", "").contains("does not exist"));
}

#[test]
fn reset_errors_say_what_to_do() {
    use ResetSpec as R;
    let ok = ri(Some(500), 100, 1000, None);
    // (spec, inputs, expected error, text the message must contain)
    let rows: Vec<(R, Vec<ResetInput>, ResetError, &str)> = vec![
        (
            R::Offset { offset: -1 },
            vec![ok.clone()],
            ResetError::NegativeOffset { offset: -1 },
            "earliest",
        ),
        (
            R::Timestamp { ts_ms: -2 },
            vec![ok.clone()],
            ResetError::NegativeTimestamp { ts_ms: -2 },
            "epoch milliseconds",
        ),
        (
            R::Timestamp {
                ts_ms: NOW + 60_500,
            },
            vec![ok.clone()],
            ResetError::TimestampInFuture {
                ts_ms: NOW + 60_500,
                now_ms: NOW,
                ahead_s: 61,
            },
            "Use `latest`",
        ),
        (
            R::ShiftBy { delta: -10 },
            vec![
                ok.clone(),
                ResetInput {
                    partition: 3,
                    ..ri(None, 0, 10, None)
                },
            ],
            ResetError::ShiftWithoutCommit {
                partitions: vec!["orders-3".into()],
            },
            "Reset those partitions with `earliest`",
        ),
        (
            R::Earliest,
            vec![ri(Some(1), 50, 10, None)],
            ResetError::InconsistentOffsets {
                partition: "orders-0".into(),
                log_start: 50,
                log_end: 10,
            },
            "Read the offsets again",
        ),
        (R::Latest, vec![], ResetError::NoPartitions, "plan again"),
    ];
    for (spec, inputs, want, text) in rows {
        let err = plan_reset_offsets(&spec, &inputs, NOW).expect_err("must fail");
        assert_eq!(err, want, "{spec}");
        let msg = err.to_string();
        assert!(msg.contains(text), "{spec}: {msg:?} lacks {text:?}");
    }
}

#[test]
fn reset_plan_over_analytics_and_wire_format() {
    // analytics, healthy: orders-0 at the end, orders-4 at 104, the rest never committed.
    let inputs: Vec<ResetInput> = offsets("healthy", "analytics")
        .expect("offsets")
        .into_iter()
        .map(|p| ResetInput {
            topic: p.topic,
            partition: p.partition,
            committed: p.committed,
            log_start: p.log_start.expect("start"),
            log_end: p.log_end.expect("end"),
            offset_for_timestamp: None,
        })
        .collect();
    let plan = plan_reset_offsets(&ResetSpec::Latest, &inputs, NOW).expect("plan");
    assert_eq!(plan.total_messages_skipped, 678);
    assert_eq!(plan.partitions_unchanged, 1);
    assert_eq!(plan.spec, "latest");
    let err = plan_reset_offsets(&ResetSpec::ShiftBy { delta: -5 }, &inputs, NOW)
        .expect_err("no commits");
    assert!(
        err.to_string()
            .contains("orders-1, orders-2, orders-3, orders-5"),
        "{err}"
    );

    let json = serde_json::to_value(&plan).expect("serializes");
    assert_eq!(json["total_messages_skipped"], "678");
    assert_eq!(json["partitions"][4]["new_offset"], "782");
    assert_eq!(json["partitions"][1]["committed_offset"], Value::Null);
    assert_eq!(ResetSpec::ShiftBy { delta: -5 }.to_string(), "shift by -5");
}

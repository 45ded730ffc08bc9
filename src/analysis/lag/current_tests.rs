//! Tests of lag from one snapshot: the recorded group snapshots, then hand-made edges.

use serde_json::Value;

use super::*;
use crate::analysis::lag::testkit::*;
use crate::analysis::lag::*;

#[test]
fn snapshot_group_lag() {
    // (scenario, group, lag per partition in order, total, without commit, log end unknown)
    type Row = (
        &'static str,
        &'static str,
        &'static [Option<i64>],
        i64,
        usize,
        usize,
    );
    let rows: &[Row] = &[
        ("healthy", "billing", &[Some(0); 6], 0, 0, 0),
        ("healthy", "fraud", &[Some(0); 3], 0, 0, 0),
        // Commits only on orders-0 and orders-4; 4000 (lag from the earliest offset) would be wrong.
        (
            "healthy",
            "analytics",
            &[Some(0), None, None, None, Some(678), None],
            678,
            4,
            0,
        ),
        (
            "healthy",
            "stalled",
            &[Some(47), Some(82), Some(71)],
            200,
            0,
            0,
        ),
        ("healthy", "never-committed", &[None; 6], 0, 6, 0),
        (
            "broker-down",
            "analytics",
            &[Some(0), None, None, None, Some(678), None],
            678,
            4,
            0,
        ),
        (
            "broker-down",
            "stalled",
            &[Some(47), Some(82), Some(71)],
            200,
            0,
            0,
        ),
        ("broker-down", "never-committed", &[None; 6], 0, 6, 0),
        // broker-down/list_offsets has no `ticks` rows (README caveat): ends unknown, never lag.
        ("broker-down", "frozen", &[None, None, None], 0, 1, 2),
        (
            "recovered",
            "slowpoke",
            &[Some(750), Some(750), Some(749)],
            2249,
            0,
            0,
        ),
        (
            "recovered",
            "rewinder",
            &[Some(34), Some(34), Some(34)],
            102,
            0,
            0,
        ),
        // two-down: partitions led by dead node 2 come back as -1001 with no error: end unknown, not lag.
        (
            "two-down",
            "analytics",
            &[Some(0), None, None, None, Some(678), None],
            678,
            4,
            0,
        ),
        ("two-down", "fraud", &[Some(0), Some(0), None], 0, 0, 1),
        ("two-down", "frozen", &[None, None, Some(1081)], 1081, 1, 1),
    ];
    for &(scenario, group, lags, total, no_commit, end_unknown) in rows {
        let offsets = offsets(scenario, group).unwrap_or_else(|| panic!("{scenario} {group}"));
        let g = group_lag(group, &offsets);
        let case = format!("{scenario} {group}");
        let got: Vec<Option<i64>> = g.partitions.iter().map(|p| p.lag_messages).collect();
        assert_eq!(got, lags, "{case}");
        assert_eq!(g.total_lag_messages, total, "{case}");
        assert_eq!(g.partitions_without_commit, no_commit, "{case}");
        assert_eq!(g.partitions_log_end_unknown, end_unknown, "{case}");
        assert_eq!(
            g.total_lag_complete,
            no_commit == 0 && end_unknown == 0,
            "{case}"
        );
        assert_eq!(g.messages_lost_to_retention, 0, "{case}");
        for p in &g.partitions {
            // A partition without a commit never shows a lag.
            if p.committed_offset.is_none() {
                assert_eq!(
                    (p.state, p.lag_messages),
                    (LagState::NoCommittedOffset, None),
                    "{case}"
                );
            }
        }
    }
}

#[test]
fn two_down_offsets_that_timed_out_are_absent_not_zero() {
    for group in [
        "billing",
        "never-committed",
        "rewinder",
        "slowpoke",
        "stalled",
    ] {
        assert!(offsets("two-down", group).is_none(), "{group}");
    }
    let g = group_lag(
        "frozen",
        &offsets("two-down", "frozen").expect("frozen answered"),
    );
    let t1 = &g.partitions[1];
    // ticks-1 is led by dead node 2: latest -1001, no error. 54 - (-1001) = 1055 would be wrong.
    assert_eq!(
        (t1.committed_offset, t1.log_end_offset, t1.lag_messages),
        (Some(54), None, None)
    );
    assert_eq!(t1.state, LagState::LogEndUnknown);
    assert_eq!(t1.log_start_offset, None);
    assert!(!t1.notes.is_empty());
    let raw = offsets("two-down", "frozen").expect("frozen answered");
    assert_eq!(
        raw[1].sample(1),
        None,
        "no history sample without a log end"
    );
    // p0 was never committed and holds 1128 unread messages: it outranks p2's lag 1081.
    assert_eq!(
        g.worst_partition
            .as_ref()
            .map(|w| (w.partition, w.lag_messages, w.never_committed)),
        Some((0, 1128, true))
    );
    assert_eq!(g.partitions[2].lag_messages, Some(1081));
}

#[test]
fn analytics_rollups_and_wire_format() {
    let g = group_lag(
        "analytics",
        &offsets("healthy", "analytics").expect("offsets"),
    );
    assert_eq!(g.topics.len(), 1);
    let t = &g.topics[0];
    assert_eq!(
        (
            t.topic.as_str(),
            t.partition_count,
            t.partitions_without_commit
        ),
        ("orders", 6, 4)
    );
    // orders-3 was never committed and holds 857 messages: worse than orders-4's lag 678.
    assert_eq!(
        t.worst_partition
            .as_ref()
            .map(|w| (w.partition, w.lag_messages, w.never_committed)),
        Some((3, 857, true))
    );
    assert!(!t.total_lag_complete);

    let json = serde_json::to_value(&g).expect("serializes");
    assert_eq!(json["total_lag_messages"], "678");
    assert_eq!(json["worst_partition"]["lag_messages"], "857");
    assert_eq!(json["worst_partition"]["never_committed"], true);
    assert_eq!(
        json["unread_without_commit_messages"],
        g.unread_without_commit_messages.to_string()
    );
    assert_eq!(json["partitions"][4]["committed_offset"], "104");
    assert_eq!(json["partitions"][4]["lag_messages"], "678");
    assert_eq!(json["partitions"][1]["committed_offset"], Value::Null);
    assert_eq!(json["partitions"][1]["lag_messages"], Value::Null);
    assert_eq!(json["partitions"][1]["state"], "NO_COMMITTED_OFFSET");
    assert!(
        json["partitions"][0].get("notes").is_none(),
        "empty notes are omitted"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Lag per partition: hand-made edges
// ---------------------------------------------------------------------------------------------------------

/// Issue #13 (16): caught up on three partitions, never committed on a fourth holding 519
/// messages. The fourth is named with its unread count, ranks as the worst, and a hint says what it
/// likely means.
#[test]
fn never_committed_partition_with_messages_is_named_and_ranked() {
    let at = |p: i32, committed: Option<i64>, start: i64, end: i64| PartitionOffsets {
        topic: "inc-events".into(),
        partition: p,
        committed,
        log_start: Some(start),
        log_end: Some(end),
    };
    let offsets = vec![
        at(0, Some(200), 0, 200),
        at(1, Some(180), 0, 180),
        at(2, Some(90), 10, 90),
        at(3, None, 0, 519),
    ];
    let g = group_lag("inc", &offsets);
    assert_eq!((g.total_lag_messages, g.total_lag_complete), (0, false));
    assert_eq!(g.unread_without_commit_messages, 519);
    let w = g.worst_partition.clone().unwrap();
    assert_eq!(
        (w.partition, w.lag_messages, w.never_committed),
        (3, 519, true)
    );
    assert_eq!(w.label(), "inc-events-3 (519 unread, never committed)");
    assert_eq!(g.topics[0].worst_partition.as_ref().unwrap().partition, 3);
    let p3 = &g.partitions[3];
    assert_eq!((p3.lag_messages, p3.unread_messages), (None, Some(519)));
    assert!(p3
        .notes
        .iter()
        .any(|n| n.contains("auto.offset.reset=latest")));
    let line = never_committed_summary(&g).unwrap();
    assert!(line.contains("inc-events-3 (519)"), "{line}");
    assert!(line.contains("never assigned or subscribed"), "{line}");
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["unread_without_commit_messages"], "519");
    assert_eq!(json["partitions"][3]["unread_messages"], "519");
    assert_eq!(json["partitions"][3]["lag_messages"], Value::Null);

    let members = crate::snapshot::GroupSnapshot {
        group_id: "inc".into(),
        is_simple: false,
        state: "Stable".into(),
        group_type: "classic".into(),
        partition_assignor: "range".into(),
        coordinator: None,
        members: vec![crate::snapshot::MemberSnapshot {
            member_id: "m".into(),
            client_id: "c".into(),
            host: "/127.0.0.1".into(),
            group_instance_id: None,
            assignment: (0..3).map(|p| ("inc-events".to_string(), p)).collect(),
            target_assignment: None,
        }],
    };
    let hints = group_hints(&HintInput {
        group: &members,
        lag: Some(&g),
    });
    let h = hints
        .iter()
        .find(|h| h.id == "partition-never-committed")
        .expect("hint");
    assert_eq!(h.evidence.items, vec!["inc-events-3 (519 unread)"]);
    assert!(
        h.title.ends_with(": inc-events-3 (519 unread)"),
        "{}",
        h.title
    );

    // An empty never-committed partition is no news; a known lag still wins when larger.
    let g = group_lag("inc", &[at(0, Some(0), 0, 700), at(1, None, 5, 5)]);
    assert_eq!(g.unread_without_commit_messages, 0);
    assert!(never_committed_summary(&g).is_none());
    let w = g.worst_partition.unwrap();
    assert_eq!((w.partition, w.never_committed), (0, false));
}

#[test]
fn partition_lag_edges() {
    // (committed, start, end, state, lag, lost, has note)
    type Row = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        LagState,
        Option<i64>,
        Option<i64>,
        bool,
    );
    let rows: &[Row] = &[
        (
            Some(10),
            Some(0),
            Some(25),
            LagState::Known,
            Some(15),
            Some(0),
            false,
        ),
        (
            Some(25),
            Some(0),
            Some(25),
            LagState::Known,
            Some(0),
            Some(0),
            false,
        ),
        // Committed past the end: clamped to 0, with a note.
        (
            Some(30),
            Some(0),
            Some(25),
            LagState::Known,
            Some(0),
            Some(0),
            true,
        ),
        // Below the log start: retention deleted 40 messages before the group read them.
        (
            Some(10),
            Some(50),
            Some(90),
            LagState::Known,
            Some(80),
            Some(40),
            true,
        ),
        // Never committed with 25 retained messages: a note says what that likely means.
        (
            None,
            Some(0),
            Some(25),
            LagState::NoCommittedOffset,
            None,
            None,
            true,
        ),
        // Never committed and empty: nothing to say.
        (
            None,
            Some(25),
            Some(25),
            LagState::NoCommittedOffset,
            None,
            None,
            false,
        ),
        (
            None,
            None,
            None,
            LagState::NoCommittedOffset,
            None,
            None,
            true,
        ),
        (
            Some(10),
            None,
            None,
            LagState::LogEndUnknown,
            None,
            None,
            true,
        ),
        (
            Some(10),
            None,
            Some(25),
            LagState::Known,
            Some(15),
            None,
            false,
        ),
    ];
    for &(c, s, e, state, lag, lost, note) in rows {
        let p = partition_lag(&po(c, s, e));
        let case = format!("{c:?} {s:?} {e:?}");
        assert_eq!(
            (p.state, p.lag_messages, p.messages_lost_to_retention),
            (state, lag, lost),
            "{case}"
        );
        assert_eq!(!p.notes.is_empty(), note, "{case}: {:?}", p.notes);
    }
    assert_eq!(offset_from_raw(-1001), None);
    assert_eq!(offset_from_raw(-1), None);
    assert_eq!(offset_from_raw(0), Some(0));
}

#[test]
fn group_lag_sums_lost_messages_and_sorts() {
    let mut a = po(Some(10), Some(50), Some(90));
    a.partition = 2;
    let mut b = po(Some(95), Some(0), Some(100));
    b.topic = "a".into();
    let g = group_lag("g", &[a, b]);
    assert_eq!(g.messages_lost_to_retention, 40);
    assert_eq!(g.total_lag_messages, 85);
    assert_eq!(
        g.partitions
            .iter()
            .map(|p| (p.topic.as_str(), p.partition))
            .collect::<Vec<_>>(),
        vec![("a", 0), ("t", 2)]
    );
    assert_eq!(
        g.topics
            .iter()
            .map(|t| t.topic.as_str())
            .collect::<Vec<_>>(),
        vec!["a", "t"]
    );
    let empty = group_lag("g", &[]);
    assert_eq!(
        (
            empty.total_lag_messages,
            empty.worst_partition,
            empty.total_lag_complete
        ),
        (0, None, true)
    );
}

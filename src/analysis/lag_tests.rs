//! Tests of `analysis::lag`: tables over the recorded Kafka 4.0 fixtures (lag series, group snapshots),
//! then small hand-made cases for every rule, the history, reset planning and hints.

use super::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------------
// Fixture loaders (test-only)
// ---------------------------------------------------------------------------------------------------------

const SERIES: &str = include_str!("../../fixtures/real-kafka-4.0/lag-series/series.json");

macro_rules! fixture {
    ($scenario:literal, $file:literal) => {
        include_str!(concat!(
            "../../fixtures/real-kafka-4.0/",
            $scenario,
            "/",
            $file,
            ".json"
        ))
    };
}

fn raw(scenario: &str, file: &str) -> &'static str {
    match (scenario, file) {
        ("healthy", "list_offsets") => fixture!("healthy", "list_offsets"),
        ("healthy", "list_consumer_group_offsets") => {
            fixture!("healthy", "list_consumer_group_offsets")
        }
        ("healthy", "describe_consumer_groups") => fixture!("healthy", "describe_consumer_groups"),
        ("broker-down", "list_offsets") => fixture!("broker-down", "list_offsets"),
        ("broker-down", "list_consumer_group_offsets") => {
            fixture!("broker-down", "list_consumer_group_offsets")
        }
        ("broker-down", "describe_consumer_groups") => {
            fixture!("broker-down", "describe_consumer_groups")
        }
        ("two-down", "list_offsets") => fixture!("two-down", "list_offsets"),
        ("two-down", "list_consumer_group_offsets") => {
            fixture!("two-down", "list_consumer_group_offsets")
        }
        ("two-down", "describe_consumer_groups") => {
            fixture!("two-down", "describe_consumer_groups")
        }
        ("recovered", "list_offsets") => fixture!("recovered", "list_offsets"),
        ("recovered", "list_consumer_group_offsets") => {
            fixture!("recovered", "list_consumer_group_offsets")
        }
        ("recovered", "describe_consumer_groups") => {
            fixture!("recovered", "describe_consumer_groups")
        }
        other => panic!("no fixture {other:?}"),
    }
}

fn load(scenario: &str, file: &str) -> Value {
    let v: Value = serde_json::from_str(raw(scenario, file)).expect("fixture is JSON");
    v["data"].clone()
}

/// A list_offsets spec cell (`earliest` / `latest`): the offset, with -1001 and errors as `None`.
fn spec_offset(cell: &Value) -> Option<i64> {
    if !cell["error"].is_null() {
        return None;
    }
    cell["result"]["offset"].as_i64().and_then(offset_from_raw)
}

/// The group's committed offsets (explicit partitions) joined with list_offsets of the same scenario;
/// `None` when the offsets call failed for the group (e.g. `_TIMED_OUT` in two-down).
fn offsets(scenario: &str, group: &str) -> Option<Vec<PartitionOffsets>> {
    let committed =
        &load(scenario, "list_consumer_group_offsets")["result"][group]["explicit_partitions"];
    let tps = committed["result"]["topic_partitions"].as_array()?;
    let log = load(scenario, "list_offsets");
    let rows = log["result"].as_array().expect("list_offsets rows");
    Some(
        tps.iter()
            .map(|tp| {
                let topic = tp["topic"].as_str().expect("topic").to_string();
                let partition = tp["partition"].as_i64().expect("partition") as i32;
                let row = rows.iter().find(|r| {
                    r["topic"].as_str() == Some(topic.as_str())
                        && r["partition"].as_i64() == Some(i64::from(partition))
                });
                PartitionOffsets {
                    committed: tp["offset"].as_i64().and_then(offset_from_raw),
                    log_start: row.and_then(|r| spec_offset(&r["earliest"])),
                    log_end: row.and_then(|r| spec_offset(&r["latest"])),
                    topic,
                    partition,
                }
            })
            .collect(),
    )
}

/// State and members of a group from describe_consumer_groups; `None` when describe failed.
fn members(scenario: &str, group: &str) -> Option<GroupMembers> {
    let d = &load(scenario, "describe_consumer_groups")["result"][group]["result"];
    if d.is_null() {
        return None;
    }
    let members = d["members"]
        .as_array()?
        .iter()
        .map(|m| MemberAssignment {
            member_id: m["member_id"].as_str().unwrap_or_default().to_string(),
            client_id: m["client_id"].as_str().unwrap_or_default().to_string(),
            host: m["host"].as_str().unwrap_or_default().to_string(),
            partitions: m["assignment"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|tp| {
                            (
                                tp["topic"].as_str().unwrap_or_default().to_string(),
                                tp["partition"].as_i64().unwrap_or(-1) as i32,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Some(GroupMembers {
        group: group.to_string(),
        state: d["state"].as_str().unwrap_or_default().to_string(),
        members,
    })
}

/// One recorded series sample of one group: time, per-partition samples and member count.
struct SeriesPoint {
    t_ms: i64,
    samples: Vec<Sample>,
    members: u64,
}

fn series(group: &str) -> Vec<SeriesPoint> {
    let v: Value = serde_json::from_str(SERIES).expect("series is JSON");
    v["data"]["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            let t_ms = s["t_ms"].as_i64().expect("t_ms");
            let latest = s["latest"]["result"].as_array().expect("latest");
            let g = &s["groups"][group];
            let committed = g["committed"]["result"].as_array().expect("committed");
            let samples = latest
                .iter()
                .map(|l| {
                    let p = l["partition"].as_i64();
                    let c = committed
                        .iter()
                        .find(|c| c["partition"].as_i64() == p)
                        .expect("partition");
                    Sample {
                        ts_ms: t_ms,
                        committed: c["offset"].as_i64().and_then(offset_from_raw),
                        log_end: l["offset"].as_i64().expect("latest offset"),
                    }
                })
                .collect();
            SeriesPoint {
                t_ms,
                samples,
                members: g["describe"]["result"]["members"].as_u64().unwrap_or(0),
            }
        })
        .collect()
}

/// The series of `group` between `from_s` and `to_s` (inclusive, whole seconds) as partition windows,
/// with presence from the member count at the last sample (all three groups subscribe to `ticks` only).
fn series_windows(group: &str, from_s: i64, to_s: i64) -> Vec<PartitionWindow> {
    let points: Vec<SeriesPoint> = series(group)
        .into_iter()
        .filter(|p| p.t_ms >= from_s * 1000 && p.t_ms < (to_s + 1) * 1000)
        .collect();
    let presence = match points.last().map(|p| p.members) {
        Some(n) if n > 0 => ConsumerPresence::Active,
        Some(_) => ConsumerPresence::Absent,
        None => ConsumerPresence::Unknown,
    };
    (0..3)
        .map(|p| PartitionWindow {
            topic: "ticks".to_string(),
            partition: p,
            samples: points.iter().map(|pt| pt.samples[p as usize]).collect(),
            presence,
        })
        .collect()
}

fn cfg(window_samples: usize) -> EvalConfig {
    EvalConfig {
        window_samples,
        min_samples: 2,
    }
}

fn statuses(v: &GroupVerdict) -> Vec<LagStatus> {
    v.partitions.iter().map(|p| p.status).collect()
}

// ---------------------------------------------------------------------------------------------------------
// Lag series: Burrow verdicts per group
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Group snapshots: lag per partition
// ---------------------------------------------------------------------------------------------------------

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

fn po(committed: Option<i64>, log_start: Option<i64>, log_end: Option<i64>) -> PartitionOffsets {
    PartitionOffsets {
        topic: "t".into(),
        partition: 0,
        committed,
        log_start,
        log_end,
    }
}

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

    let members = GroupMembers {
        group: "inc".into(),
        state: "Stable".into(),
        members: vec![MemberAssignment {
            member_id: "m".into(),
            client_id: "c".into(),
            host: "/127.0.0.1".into(),
            partitions: (0..3).map(|p| ("inc-events".to_string(), p)).collect(),
        }],
    };
    let hints = group_hints(&HintInput {
        members: &members,
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

// ---------------------------------------------------------------------------------------------------------
// Burrow rules: hand-made edges
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// LagHistory
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Offset reset planning
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Hints
// ---------------------------------------------------------------------------------------------------------

fn hint_ids(scenario: &str, group: &str) -> Vec<String> {
    let m = members(scenario, group).expect("describe answered");
    let lag = offsets(scenario, group).map(|o| group_lag(group, &o));
    group_hints(&HintInput {
        members: &m,
        lag: lag.as_ref(),
    })
    .into_iter()
    .map(|f| f.id)
    .collect()
}

#[test]
fn hints_on_fixtures() {
    let rows: &[(&str, &str, &[&str])] = &[
        ("healthy", "billing", &[]),
        ("healthy", "fraud", &[]),
        // Issue #13 (16): unread messages on partitions the group never committed are named.
        ("healthy", "never-committed", &["partition-never-committed"]),
        (
            "healthy",
            "analytics",
            &["lag-without-members", "partition-never-committed"],
        ),
        ("healthy", "stalled", &["lag-without-members"]),
        // Fact 22: mid-rebalance, old member ids with empty assignments.
        ("recovered", "billing", &["member-without-assignment"]),
        (
            "recovered",
            "never-committed",
            &["member-without-assignment", "partition-never-committed"],
        ),
        (
            "recovered",
            "frozen",
            &["lag-without-members", "partition-never-committed"],
        ),
    ];
    for &(scenario, group, want) in rows {
        assert_eq!(hint_ids(scenario, group), want, "{scenario} {group}");
    }
    let m = members("recovered", "billing").expect("describe");
    let f = group_hints(&HintInput {
        members: &m,
        lag: None,
    });
    assert_eq!(f[0].evidence.count, 2);
    assert!(
        f[0].evidence.detail.contains("rebalancing"),
        "{}",
        f[0].evidence.detail
    );
    assert_eq!(f[0].severity, Severity::Info);

    let m = members("healthy", "stalled").expect("describe");
    let lag = group_lag("stalled", &offsets("healthy", "stalled").expect("offsets"));
    let f = group_hints(&HintInput {
        members: &m,
        lag: Some(&lag),
    });
    assert_eq!(f[0].evidence.items[0], "payments-1 lag 82");
    assert_eq!(f[0].evidence.count, 3);
    assert!(f[0].title.starts_with("stalled: "));
    assert!(f[0].remediation.contains("Start the consumer"));
}

#[test]
fn hint_offsets_lost_to_retention() {
    let m = GroupMembers {
        group: "g".into(),
        state: "STABLE".into(),
        members: vec![],
    };
    let lag = group_lag("g", &[po(Some(10), Some(50), Some(50))]);
    let f = group_hints(&HintInput {
        members: &m,
        lag: Some(&lag),
    });
    let ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
    // Lag is 40 with no members, and 40 messages were deleted before being read.
    assert_eq!(
        ids,
        vec!["lag-without-members", "offsets-lost-to-retention"]
    );
    assert_eq!(f[1].evidence.items, vec!["t-0 lost 40".to_string()]);
    assert_eq!(f[1].severity, Severity::Error);
}

#[test]
fn hint_registry_is_well_formed() {
    let mut ids: Vec<&str> = HINT_RULES.iter().map(|r| r.id).collect();
    for r in HINT_RULES {
        assert!(
            r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            r.id
        );
        assert!(!r.doc.is_empty() && !r.title.is_empty(), "{}", r.id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), HINT_RULES.len());
}

// ---------------------------------------------------------------------------------------------------------
// Output schemas: every field documented, 64-bit numbers as strings
// ---------------------------------------------------------------------------------------------------------

fn undocumented(schema: &Value, path: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, prop) in props {
                    if prop.get("description").is_none() {
                        out.push(format!("{path}.{name}"));
                    }
                }
            }
            for (k, v) in map {
                undocumented(v, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| undocumented(v, path, out)),
        _ => {}
    }
}

#[test]
fn output_schemas_document_every_field() {
    let schemas = [
        (
            "GroupLag",
            serde_json::to_value(schemars::schema_for!(GroupLag)),
        ),
        (
            "GroupVerdict",
            serde_json::to_value(schemars::schema_for!(GroupVerdict)),
        ),
        (
            "ResetPlan",
            serde_json::to_value(schemars::schema_for!(ResetPlan)),
        ),
    ];
    for (name, schema) in schemas {
        let schema = schema.expect("schema serializes");
        let mut missing = Vec::new();
        undocumented(&schema, name, &mut missing);
        assert!(missing.is_empty(), "undocumented fields: {missing:?}");
    }
    let schema = serde_json::to_value(schemars::schema_for!(GroupLag)).expect("schema");
    assert_eq!(schema["properties"]["total_lag_messages"]["type"], "string");
    let lag = &schema["$defs"]["PartitionLag"]["properties"]["lag_messages"]["type"];
    assert_eq!(lag, &serde_json::json!(["string", "null"]));
}

#[test]
fn rebalance_storm_needs_repeated_rebalances_and_names_the_causes_that_apply() {
    let st = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Too few reads, or a single rebalance in a long stable window: quiet.
    assert!(rebalance_storm(
        "g",
        &st(&["Stable", "PreparingRebalance", "Stable"]),
        "range",
        false
    )
    .is_none());
    assert!(rebalance_storm(
        "g",
        &st(&[
            "Stable",
            "Stable",
            "PreparingRebalance",
            "CompletingRebalance",
            "Stable",
            "Stable",
            "Stable"
        ]),
        "range",
        false
    )
    .is_none());
    assert!(rebalance_storm("g", &st(&["Empty"; 6]), "", false).is_none());
    // Two entries into a rebalance: a storm, with every cause that applies.
    let f = rebalance_storm(
        "billing",
        &st(&[
            "Stable",
            "PreparingRebalance",
            "Stable",
            "Stable",
            "CompletingRebalance",
            "Stable",
        ]),
        "range",
        false,
    )
    .expect("storm");
    assert_eq!(f.id, "rebalance-storm");
    assert!(f.title.ends_with(": billing"), "{}", f.title);
    assert!(
        f.evidence.detail.contains("entered a rebalance 2 time(s)"),
        "{}",
        f.evidence.detail
    );
    for cause in [
        "max.poll.interval.ms",
        "group.instance.id",
        "cooperative-sticky",
    ] {
        assert!(f.remediation.contains(cause), "{cause}: {}", f.remediation);
    }
    // Rebalancing most of the time (KIP-848 states read as Unknown), static members, a
    // cooperative assignor: only the timeout cause.
    let f = rebalance_storm(
        "g",
        &st(&["Unknown", "Unknown", "Unknown", "Stable"]),
        "uniform",
        true,
    )
    .expect("storm");
    assert!(f.remediation.contains("max.poll.interval.ms"));
    assert!(!f.remediation.contains("group.instance.id"));
    assert!(!f.remediation.contains("cooperative-sticky"));
}

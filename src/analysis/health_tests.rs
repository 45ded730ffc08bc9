//! Health rules against the recorded real Kafka 4.0 captures, plus hand-made edge cases.

use super::*;
use crate::analysis::fixtures;
use crate::snapshot::*;

fn report(scenario: &str) -> HealthReport {
    evaluate(&fixtures::cluster(scenario), &HealthSettings::default())
}

fn ids(r: &HealthReport) -> Vec<&str> {
    let mut v: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    v.sort();
    v
}

fn finding<'a>(r: &'a HealthReport, id: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id} in {:?}", ids(r)))
}

#[test]
fn healthy_capture() {
    let r = report("healthy");
    assert_eq!(r.status, HealthStatus::Warn);
    assert_eq!(
        ids(&r),
        vec!["at-min-isr", "low-replication-factor", "min-isr-above-rf"]
    );
    assert_eq!(r.counts.brokers, 3);
    assert_eq!(r.counts.topics, 7);
    assert_eq!(r.counts.internal_topics, 1);
    assert_eq!(r.counts.offline_partitions, 0);
    assert_eq!(r.counts.under_replicated_partitions, 0);
    // kafka-topics --under-min-isr-partitions: single.rf1 p0 and p1 (RF 1 < min ISR 2).
    assert_eq!(r.counts.under_min_isr_partitions, Some(2));
    assert_eq!(
        finding(&r, "min-isr-above-rf").evidence.items,
        vec!["single.rf1-0", "single.rf1-1"]
    );
    // kafka-topics --at-min-isr-partitions: risky p0-p2 (ISR 3 = min ISR 3).
    assert_eq!(r.counts.at_min_isr_partitions, Some(3));
    assert_eq!(
        finding(&r, "at-min-isr").evidence.items,
        vec!["risky-0", "risky-1", "risky-2"]
    );
    match &fixtures::cluster("healthy").quorum {
        QuorumView::Known(q) => {
            assert_eq!((q.leader_id, q.leader_epoch), (3, 1));
            assert_eq!(q.voters.len(), 3);
        }
        other => panic!("quorum should be known: {other:?}"),
    }
}

/// Issue #13 (14): single.rf1 (RF 1, min ISR 2 inherited) gets min-isr-above-rf and
/// low-replication-factor; their fixes must be one change (raise RF, keep 2), not "lower min ISR
/// to 1" plus "raise RF to 3".
#[test]
fn min_isr_above_rf_fix_agrees_with_low_replication_factor() {
    let r = report("healthy");
    let fix = &finding(&r, "min-isr-above-rf").remediation;
    assert!(
        fix.contains("Raise the replication factor of single.rf1 to 3"),
        "{fix}"
    );
    assert!(fix.contains("keep min.insync.replicas=2"), "{fix}");
    assert!(!fix.contains("--add-config min.insync.replicas=1"), "{fix}");
    assert!(finding(&r, "low-replication-factor")
        .remediation
        .contains("Raise RF to 3"));
    // Two brokers: RF 3 is out of reach, so lowering min ISR is the fix.
    let t = topic("solo", vec![part(0, 1, &[1], &[1])]);
    let r = evaluate(&snap(&[1, 2], vec![t], 2), &HealthSettings::default());
    assert!(finding(&r, "min-isr-above-rf")
        .remediation
        .contains("--add-config min.insync.replicas=1"));
}

#[test]
fn broker_down_capture() {
    let r = report("broker-down");
    assert_eq!(r.status, HealthStatus::Crit);
    assert_eq!(
        ids(&r),
        vec![
            "at-min-isr",
            "brokers-missing",
            "low-replication-factor",
            "min-isr-above-rf",
            "offline-partitions",
            "quorum-voter-down",
            "under-min-isr",
            "under-replicated",
        ]
    );
    assert_eq!(
        finding(&r, "offline-partitions").evidence.items,
        vec!["single.rf1-0"]
    );
    assert_eq!(
        finding(&r, "offline-partitions").severity,
        Severity::Critical
    );
    // ISR 2 < min ISR 3 on risky: acks=all fails (NOT_ENOUGH_REPLICAS in the produce probe).
    assert_eq!(
        finding(&r, "under-min-isr").evidence.items,
        vec!["risky-0", "risky-1", "risky-2"]
    );
    assert_eq!(
        finding(&r, "brokers-missing").evidence.items,
        vec!["broker 3"]
    );
    assert_eq!(
        finding(&r, "quorum-voter-down").evidence.items,
        vec!["voter 3"]
    );
    // kafka-topics filters: 69 URP (single.rf1 p0 is not: ISR == replicas), 5 under min ISR,
    // 66 at min ISR.
    assert_eq!(r.counts.under_replicated_partitions, 69);
    assert_eq!(finding(&r, "under-replicated").evidence.count, 69);
    assert_eq!(r.counts.under_min_isr_partitions, Some(5));
    assert_eq!(r.counts.at_min_isr_partitions, Some(66));
    assert_eq!(r.counts.offline_partitions, 1);
    assert_eq!(r.counts.partitions, 71);
    // Preferred leader 3 is dead: no preferred-election advice while it is down.
    assert!(!ids(&r).contains(&"preferred-leader-not-leading"));
    match &fixtures::cluster("broker-down").quorum {
        QuorumView::Known(q) => assert_eq!((q.leader_id, q.leader_epoch), (1, 2)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_down_capture_reports_lost_quorum_not_a_controller() {
    let snap = fixtures::cluster("two-down");
    assert!(matches!(
        snap.quorum,
        QuorumView::Unknown {
            cause: QuorumUnknownCause::NoController,
            ..
        }
    ));
    let r = evaluate(&snap, &HealthSettings::default());
    assert_eq!(r.status, HealthStatus::Crit);
    let got = ids(&r);
    for id in [
        "controller-unreachable",
        "quorum-unknown",
        "offline-partitions",
        "brokers-missing",
    ] {
        assert!(got.contains(&id), "{id} missing from {got:?}");
    }
    assert_eq!(
        finding(&r, "offline-partitions").evidence.items,
        vec!["single.rf1-0"]
    );
}

/// Issue #13 (1): with two of three nodes down, broker 1 serves stale Metadata listing broker 2
/// as live, with leaders on 2 and ISRs [1,2]. A connect to 2's endpoint is refused (what the
/// DescribeQuorum probe and the connect probe learn): 2 is reported missing with the reason, not
/// live, and partitions it "leads" are offline, as the recorded produce probe found (risky p1,
/// leader 2: `_MSG_TIMED_OUT`; p0/p2, ISR [1,2]: `NOT_ENOUGH_REPLICAS`).
#[test]
fn two_down_refused_broker_is_missing_not_live() {
    let mut snap = fixtures::cluster("two-down");
    assert_eq!(
        snap.brokers.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![1, 2],
        "the capture's stale Metadata"
    );
    let stale = evaluate(&snap, &HealthSettings::default());
    assert_eq!(stale.counts.brokers, 2);
    snap.unreachable = vec![UnreachableEndpoint {
        endpoint: "localhost:39093".into(),
        reason: "connection refused".into(),
    }];
    assert!(metadata_may_be_stale(&snap));
    let r = evaluate(&snap, &HealthSettings::default());
    assert_eq!(r.counts.brokers, 1);
    assert_eq!(
        unreachable_brokers(&snap).into_iter().collect::<Vec<_>>(),
        vec![(2, "connection refused at localhost:39093".to_string())]
    );
    let missing = finding(&r, "brokers-missing");
    assert_eq!(missing.evidence.items, vec!["broker 2", "broker 3"]);
    assert!(
        missing.title.contains("broker 2, broker 3"),
        "{}",
        missing.title
    );
    assert!(
        missing
            .evidence
            .detail
            .contains("Metadata still lists it, but connection refused"),
        "{}",
        missing.evidence.detail
    );
    // Offline: single.rf1-0 (no leader) plus every partition "led" by 2, risky-1 among them.
    let led_by_2 = snap
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| (t, p)))
        .filter(|(_, p)| p.leader == 2)
        .count();
    assert!(snap
        .topics
        .iter()
        .any(|t| t.name == "risky" && t.partitions[1].leader == 2));
    let offline = finding(&r, "offline-partitions");
    assert_eq!(offline.evidence.count, led_by_2 + 1, "{offline:?}");
    assert!(
        offline.title.contains("led by an unreachable broker"),
        "{}",
        offline.title
    );
    let under = finding(&r, "under-min-isr");
    assert!(
        under.evidence.detail.contains("Metadata lists 2"),
        "{under:?}"
    );
    // risky-0: leader 1, ISR [1, 2] in stale Metadata; with 2 unreachable, 1 < min ISR 3.
    let risky = snap.topics.iter().find(|t| t.name == "risky").unwrap();
    let down: BTreeSet<i32> = [2].into();
    let st = partition_state_seen(&risky.partitions[0], min_isr(&snap, "risky"), &down);
    assert!(st.under_min_isr && !st.offline, "{st:?}");
    // Without the cross-check, orders-0 style partitions (ISR [1, 2], min ISR 2) looked fine.
    let orders = snap.topics.iter().find(|t| t.name == "orders").unwrap();
    let both = orders
        .partitions
        .iter()
        .find(|p| p.leader == 1 && p.isr.len() == 2 && p.isr.contains(&2))
        .expect("an orders partition led by 1 with ISR [1, 2]");
    let m = min_isr(&snap, "orders");
    assert!(!partition_state(both, m).under_min_isr);
    assert!(partition_state_seen(both, m, &down).under_min_isr);
    let ctl = finding(&r, "controller-unreachable");
    assert!(
        ctl.evidence
            .detail
            .contains("of which 2 refuse connections"),
        "{ctl:?}"
    );
    // Without the cross-check, stale metadata claimed broker 2 live and risky-1 online.
    assert!(!finding(&stale, "offline-partitions")
        .evidence
        .items
        .contains(&"risky-1".to_string()));
}

#[test]
fn endpoints_match_brokers_by_port_and_host() {
    let b = BrokerSnapshot {
        id: 2,
        host: "127.0.0.1".into(),
        port: 29093,
        rack: None,
    };
    assert!(endpoint_is(&b, "127.0.0.1:29093"));
    assert!(endpoint_is(&b, "localhost:29093"));
    assert!(!endpoint_is(&b, "127.0.0.1:29094"));
    assert!(!endpoint_is(&b, "10.0.0.2:29093"));
    assert!(!endpoint_is(&b, "garbage"));
    let named = BrokerSnapshot {
        host: "Kafka-2.example".into(),
        ..b
    };
    assert!(endpoint_is(&named, "kafka-2.example:29093"));
    assert!(!endpoint_is(&named, "localhost:29093"));
}

/// Issue #13 (2): DescribeConfigs timed out, so min.insync.replicas is unknown: the counts are
/// null with the reason, never 0, and a finding says the check was skipped.
#[test]
fn unknown_min_isr_reads_as_unknown_not_zero() {
    let mut snap = fixtures::cluster("broker-down");
    snap.min_isr.clear();
    snap.default_min_isr = None;
    snap.min_isr_error = Some("DescribeConfigs failed: _TIMED_OUT waiting for broker 2".into());
    let r = evaluate(&snap, &HealthSettings::default());
    assert_eq!(r.counts.under_min_isr_partitions, None);
    assert_eq!(r.counts.at_min_isr_partitions, None);
    let why = &r.counts.unmeasured["under_min_isr_partitions"];
    let n = snap.topics.len();
    assert!(
        why.contains("_TIMED_OUT") && why.contains(&format!("{n} of {n} topic(s)")),
        "{why}"
    );
    assert!(r.counts.unmeasured.contains_key("at_min_isr_partitions"));
    let f = finding(&r, "min-isr-unknown");
    assert_eq!(f.evidence.count, n);
    assert!(!ids(&r).contains(&"under-min-isr"));
    let json = serde_json::to_value(&r.counts).unwrap();
    assert!(json["under_min_isr_partitions"].is_null(), "{json}");
    // One topic unknown is enough to make the totals unknown.
    let mut snap = fixtures::cluster("broker-down");
    snap.default_min_isr = None;
    snap.min_isr.remove("risky");
    let r = evaluate(&snap, &HealthSettings::default());
    assert_eq!(r.counts.under_min_isr_partitions, None);
    assert!(r.counts.unmeasured["at_min_isr_partitions"].contains("no min.insync.replicas"));
    // ticks has no override: it took the (now unknown) broker default.
    assert_eq!(
        finding(&r, "min-isr-unknown").evidence.items,
        vec!["risky", "ticks"]
    );
    // A topic whose DescribeConfigs failed does not take the broker default (it may override
    // it): unknown, even though the broker resource answered.
    let mut snap = fixtures::cluster("broker-down");
    snap.min_isr_unread.insert("orders".into());
    snap.min_isr_error = Some("DescribeConfigs failed for orders (_TRANSPORT)".into());
    assert!(snap.default_min_isr.is_some());
    let r = evaluate(&snap, &HealthSettings::default());
    assert_eq!(r.counts.under_min_isr_partitions, None);
    assert_eq!(
        finding(&r, "min-isr-unknown").evidence.items,
        vec!["orders"]
    );
    assert!(r.counts.unmeasured["under_min_isr_partitions"].contains("_TRANSPORT"));
    // Known everywhere: numbers, no finding, nothing unmeasured.
    let r = report("broker-down");
    assert!(r.counts.unmeasured.is_empty());
    assert!(!ids(&r).contains(&"min-isr-unknown"));
}

/// Issue #13 (15): the title an agent reads first names the first affected objects.
#[test]
fn titles_name_what_is_affected() {
    let r = report("broker-down");
    let t = &finding(&r, "under-min-isr").title;
    assert!(t.ends_with(": risky-0, risky-1, risky-2"), "{t}");
    let t = &finding(&r, "under-replicated").title;
    assert!(t.contains("(+66 more)"), "{t}");
    assert!(finding(&r, "brokers-missing").title.ends_with(": broker 3"));
    for f in &r.findings {
        if !f.evidence.items.is_empty() {
            assert!(f.title.contains(&f.evidence.items[0]), "{f:?}");
        }
    }
}

#[test]
fn recovered_capture_flags_leadership_on_one_broker() {
    let r = report("recovered");
    assert_eq!(r.status, HealthStatus::Warn);
    let f = finding(&r, "leader-skew");
    assert_eq!(
        f.evidence.items,
        vec!["broker 1: 70", "broker 2: 0", "broker 3: 1"]
    );
    assert_eq!(
        finding(&r, "preferred-leader-not-leading").evidence.count,
        46
    );
    assert!(f.remediation.contains("--election-type preferred"));
    assert_eq!(r.counts.under_replicated_partitions, 0);
    match &fixtures::cluster("recovered").quorum {
        QuorumView::Known(q) => assert_eq!((q.leader_id, q.leader_epoch), (1, 4)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn evidence_keeps_first_ten_and_counts_all() {
    let r = report("broker-down");
    let urp = finding(&r, "under-replicated");
    assert_eq!(urp.evidence.items.len(), 10);
    assert_eq!(urp.evidence.count, 69);
}

fn part(id: i32, leader: i32, replicas: &[i32], isr: &[i32]) -> PartitionSnapshot {
    PartitionSnapshot {
        id,
        leader,
        replicas: replicas.to_vec(),
        isr: isr.to_vec(),
        error: None,
    }
}

fn snap(brokers: &[i32], topics: Vec<TopicSnapshot>, min_isr: i64) -> ClusterSnapshot {
    ClusterSnapshot {
        cluster_id: Some("c".into()),
        describe_cluster_error: None,
        brokers: brokers
            .iter()
            .map(|id| BrokerSnapshot {
                id: *id,
                host: "h".into(),
                port: 9092,
                rack: None,
            })
            .collect(),
        topics,
        quorum: QuorumView::Known(QuorumSnapshot {
            leader_id: brokers[0],
            leader_epoch: 1,
            high_watermark: 10,
            voters: brokers
                .iter()
                .map(|id| QuorumReplica {
                    id: *id,
                    log_end_offset: 10,
                    last_caught_up_timestamp_ms: 1,
                    last_fetch_timestamp_ms: -1,
                })
                .collect(),
            observers: vec![],
        }),
        min_isr: Default::default(),
        default_min_isr: Some(min_isr),
        min_isr_error: None,
        min_isr_unread: Default::default(),
        unreachable: Vec::new(),
        log_dirs: Vec::new(),
        log_dirs_error: None,
        taken_at_ms: None,
    }
}

fn topic(name: &str, parts: Vec<PartitionSnapshot>) -> TopicSnapshot {
    TopicSnapshot {
        name: name.into(),
        internal: name.starts_with("__"),
        partitions: parts,
        error: None,
    }
}

#[test]
fn clean_cluster_is_ok() {
    let t = topic(
        "a",
        (0..3)
            .map(|i| {
                part(
                    i,
                    i + 1,
                    &[i + 1, (i + 1) % 3 + 1, (i + 2) % 3 + 1],
                    &[1, 2, 3],
                )
            })
            .collect(),
    );
    let r = evaluate(&snap(&[1, 2, 3], vec![t], 2), &HealthSettings::default());
    assert_eq!(r.status, HealthStatus::Ok, "{:?}", r.findings);
    assert!(r.findings.is_empty());
}

#[test]
fn internal_topic_below_min_isr_is_critical() {
    let t = topic("__consumer_offsets", vec![part(0, 1, &[1, 2, 3], &[1])]);
    let r = evaluate(&snap(&[1, 2, 3], vec![t], 2), &HealthSettings::default());
    assert_eq!(
        finding(&r, "internal-topic-unhealthy").severity,
        Severity::Critical
    );
    assert_eq!(
        finding(&r, "under-min-isr").evidence.items,
        vec!["__consumer_offsets-0"]
    );
}

#[test]
fn rf_above_live_brokers_only_when_not_explained_by_missing_brokers() {
    // A single-node cluster that accepted RF 3 (e.g. a permissive test broker).
    let t = topic("a", vec![part(0, 1, &[1], &[1])]);
    let mut s = snap(&[1], vec![t], 1);
    s.topics[0].partitions[0].replicas = vec![1];
    let r = evaluate(&s, &HealthSettings::default());
    assert!(!ids(&r).contains(&"rf-above-live-brokers"));
    // Replicas on brokers that never existed in the live set and are not referenced elsewhere.
    let t = topic("b", vec![part(0, 1, &[1, 2, 3], &[1])]);
    let r = evaluate(&snap(&[1], vec![t], 1), &HealthSettings::default());
    assert!(ids(&r).contains(&"brokers-missing"));
}

#[test]
fn partitions_per_broker_threshold() {
    let t = topic("a", (0..5).map(|i| part(i, 1, &[1, 2], &[1, 2])).collect());
    let settings = HealthSettings {
        max_partitions_per_broker: 4,
        ..HealthSettings::default()
    };
    let r = evaluate(&snap(&[1, 2], vec![t], 1), &settings);
    assert_eq!(
        finding(&r, "partitions-per-broker").evidence.items,
        vec!["broker 1: 5", "broker 2: 5"]
    );
}

#[test]
fn replica_skew_and_tolerance() {
    // Broker 3 holds no replicas at all.
    let t = topic(
        "a",
        (0..6)
            .map(|i| part(i, 1 + i % 2, &[1 + i % 2, 2 - i % 2], &[1, 2]))
            .collect(),
    );
    let r = evaluate(&snap(&[1, 2, 3], vec![t], 1), &HealthSettings::default());
    assert!(ids(&r).contains(&"replica-skew"));
    assert!(ids(&r).contains(&"leader-skew"));
    // A 1-item difference on small counts is not skew.
    let t = topic(
        "b",
        vec![
            part(0, 1, &[1], &[1]),
            part(1, 2, &[2], &[2]),
            part(2, 1, &[1], &[1]),
        ],
    );
    let r = evaluate(&snap(&[1, 2], vec![t], 1), &HealthSettings::default());
    assert!(!ids(&r).contains(&"leader-skew"), "{:?}", ids(&r));
}

#[test]
fn quorum_unknown_is_a_warning_with_the_reason() {
    let t = topic("a", vec![part(0, 1, &[1], &[1])]);
    let mut s = snap(&[1], vec![t], 1);
    s.quorum = QuorumView::Unknown {
        reason: "broker does not support DescribeQuorum".into(),
        cause: QuorumUnknownCause::Unsupported,
    };
    let r = evaluate(&s, &HealthSettings::default());
    let f = finding(&r, "quorum-unknown");
    assert_eq!(f.severity, Severity::Warn);
    assert!(f.evidence.detail.contains("DescribeQuorum"));
    // An ACL would not help a broker that lacks the API.
    assert!(!f.remediation.contains("Grant"), "{}", f.remediation);
    assert!(f.remediation.contains("does not implement DescribeQuorum"));
    assert!(!ids(&r).contains(&"controller-unreachable"));
}

#[test]
fn quorum_unknown_remediation_follows_the_cause() {
    let t = topic("a", vec![part(0, 1, &[1], &[1])]);
    let mut s = snap(&[1], vec![t], 1);
    let mut remediation = |cause| {
        s.quorum = QuorumView::Unknown {
            reason: "r".into(),
            cause,
        };
        finding(&evaluate(&s, &HealthSettings::default()), "quorum-unknown")
            .remediation
            .clone()
    };
    assert!(remediation(QuorumUnknownCause::Denied).contains("--operation Describe --cluster"));
    assert!(remediation(QuorumUnknownCause::Unreachable).contains("reachable"));
    assert!(remediation(QuorumUnknownCause::NoController).contains("--bootstrap-controller"));
    assert!(remediation(QuorumUnknownCause::Other).contains("describe --status"));
}

#[test]
fn controller_unreachable_needs_evidence_about_the_quorum() {
    let t = topic("a", vec![part(0, 1, &[1, 2, 3], &[1, 2, 3])]);
    let base = snap(&[1, 2, 3], vec![t], 1);
    let with = |reason: &str, cause, dc_err: Option<&str>| {
        let mut s = base.clone();
        s.quorum = QuorumView::Unknown {
            reason: reason.into(),
            cause,
        };
        s.describe_cluster_error = dc_err.map(str::to_string);
        let r = evaluate(&s, &HealthSettings::default());
        (ids(&r).contains(&"controller-unreachable"), r.status)
    };
    // A live broker took DescribeQuorum and no controller answered: enough on its own.
    let timed_out = "b:1 did not answer DescribeQuorum within 10000 ms";
    assert_eq!(
        with(timed_out, QuorumUnknownCause::NoController, None),
        (true, HealthStatus::Crit)
    );
    // No broker reachable for it: nothing learnt about the quorum.
    let refused = "b:1 did not answer connect within 10000 ms";
    assert_eq!(
        with(refused, QuorumUnknownCause::Unreachable, None),
        (false, HealthStatus::Warn)
    );
    // ... unless DescribeCluster also timed out waiting for a controller.
    assert!(
        with(
            refused,
            QuorumUnknownCause::Unreachable,
            Some("_TIMED_OUT: Failed while waiting for controller")
        )
        .0
    );
    // Unsupported or denied never means the quorum is down.
    assert!(!with("no", QuorumUnknownCause::Unsupported, Some("x")).0);
    assert!(!with("denied", QuorumUnknownCause::Denied, None).0);
}

#[test]
fn quorum_voter_far_behind() {
    let t = topic("a", vec![part(0, 1, &[1, 2, 3], &[1, 2, 3])]);
    let mut s = snap(&[1, 2, 3], vec![t], 2);
    if let QuorumView::Known(q) = &mut s.quorum {
        q.voters[0].log_end_offset = 5000;
        q.voters[1].log_end_offset = 100;
        q.voters[2].log_end_offset = 4990;
    }
    let r = evaluate(&s, &HealthSettings::default());
    assert_eq!(
        finding(&r, "quorum-voter-down").evidence.items,
        vec!["voter 2"]
    );
}

#[test]
fn unknown_min_isr_skips_isr_rules() {
    let t = topic("a", vec![part(0, 1, &[1, 2, 3], &[1])]);
    let mut s = snap(&[1, 2, 3], vec![t], 2);
    s.default_min_isr = None;
    let r = evaluate(&s, &HealthSettings::default());
    assert!(!ids(&r).contains(&"under-min-isr"));
    assert!(ids(&r).contains(&"under-replicated"));
}

#[test]
fn every_rule_is_documented_and_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for r in RULES {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        assert!(r.doc.len() > 40, "{} needs a doc", r.id);
        assert_eq!(explain(r.id), Some(r.doc));
    }
}

fn dir(broker: i32, path: &str, total: u64, usable: u64) -> LogDirState {
    LogDirState {
        broker,
        dir: path.into(),
        error: None,
        total_bytes: Some(total),
        usable_bytes: Some(usable),
        largest_topics: vec![("orders".into(), 3 << 30), ("clicks".into(), 1 << 30)],
    }
}

fn healthy_snap() -> ClusterSnapshot {
    let t = topic("a", vec![part(0, 1, &[1, 2, 3], &[1, 2, 3])]);
    snap(&[1, 2, 3], vec![t], 2)
}

#[test]
fn disk_above_warn_threshold_is_a_warning_naming_broker_dir_and_topics() {
    let mut s = healthy_snap();
    s.log_dirs = vec![
        dir(1, "/data/k1", 1000, 150), // 85 % used
        dir(2, "/data/k2", 1000, 200), // exactly 80 %: not above
        dir(3, "/data/k3", 1000, 900),
    ];
    let r = evaluate(&s, &HealthSettings::default());
    assert_eq!(ids(&r), vec!["disk-high"], "{:?}", r.findings);
    assert_eq!(r.status, HealthStatus::Warn);
    let f = finding(&r, "disk-high");
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.evidence.items, vec!["broker 1 /data/k1 (85 % used)"]);
    assert!(
        f.title.ends_with(": broker 1 /data/k1 (85 % used)"),
        "{}",
        f.title
    );
    assert!(
        f.evidence
            .detail
            .contains("largest topics there: orders 3.0 GiB, clicks 1.0 GiB"),
        "{}",
        f.evidence.detail
    );
    assert!(f.evidence.detail.contains("a proxy for growth"));
    assert!(f.remediation.contains("--entity-name orders"));
}

#[test]
fn disk_above_crit_threshold_is_critical_not_also_a_warning() {
    let mut s = healthy_snap();
    s.log_dirs = vec![dir(2, "/d", 1000, 50), dir(3, "/d", 1000, 120)];
    let r = evaluate(&s, &HealthSettings::default());
    assert_eq!(ids(&r), vec!["disk-critical", "disk-high"]);
    assert_eq!(r.status, HealthStatus::Crit);
    assert_eq!(
        finding(&r, "disk-critical").evidence.items,
        vec!["broker 2 /d (95 % used)"]
    );
    assert_eq!(
        finding(&r, "disk-high").evidence.items,
        vec!["broker 3 /d (88 % used)"]
    );
}

#[test]
fn disk_thresholds_are_settings() {
    let mut s = healthy_snap();
    s.log_dirs = vec![dir(1, "/d", 1000, 350)]; // 65 %
    assert!(evaluate(&s, &HealthSettings::default()).findings.is_empty());
    let settings = HealthSettings {
        disk_warn_pct: 50.0,
        disk_crit_pct: 60.0,
        ..HealthSettings::default()
    };
    assert_eq!(ids(&evaluate(&s, &settings)), vec!["disk-critical"]);
}

#[test]
fn disk_size_unknown_is_not_flagged() {
    let mut s = healthy_snap();
    let mut d = dir(1, "/d", 0, 0);
    d.total_bytes = None; // DescribeLogDirs < v4
    d.usable_bytes = None;
    s.log_dirs = vec![d, dir(2, "/d", 0, 0)];
    assert!(evaluate(&s, &HealthSettings::default()).findings.is_empty());
}

#[test]
fn offline_log_dir_is_critical() {
    let mut s = healthy_snap();
    let mut d = dir(2, "/data/bad", 0, 0);
    d.error = Some("KAFKA_STORAGE_ERROR".into());
    d.total_bytes = None;
    d.usable_bytes = None;
    s.log_dirs = vec![dir(1, "/data/ok", 1000, 900), d];
    let r = evaluate(&s, &HealthSettings::default());
    assert_eq!(ids(&r), vec!["log-dir-offline"]);
    assert_eq!(r.status, HealthStatus::Crit);
    let f = finding(&r, "log-dir-offline");
    assert_eq!(f.title, "1 log dir(s) offline: broker 2 /data/bad");
    assert!(f.evidence.detail.contains("KAFKA_STORAGE_ERROR"));
    assert!(f.remediation.contains("broker(s) 2"));
}

/// A quorum led by voter 1 whose own last fetch (its clock) is `now`.
fn quorum_at(now: i64, voter_fetch: [i64; 2], observers: &[(i32, i64, i64)]) -> ClusterSnapshot {
    let mut s = healthy_snap();
    if let QuorumView::Known(q) = &mut s.quorum {
        q.voters[0].last_fetch_timestamp_ms = now;
        q.voters[1].last_fetch_timestamp_ms = voter_fetch[0];
        q.voters[2].last_fetch_timestamp_ms = voter_fetch[1];
        q.observers = observers
            .iter()
            .map(|(id, leo, fetch)| QuorumReplica {
                id: *id,
                log_end_offset: *leo,
                last_caught_up_timestamp_ms: *fetch,
                last_fetch_timestamp_ms: *fetch,
            })
            .collect();
    }
    s
}

#[test]
fn voter_not_fetching_is_flagged_with_seconds_since_last_fetch() {
    let now = 1_800_000_000_000;
    let s = quorum_at(now, [now - 300, now - 15_000], &[]);
    let r = evaluate(&s, &HealthSettings::default());
    let f = finding(&r, "quorum-voter-down");
    assert_eq!(f.evidence.items, vec!["voter 3"]);
    assert!(
        f.evidence
            .detail
            .contains("voter 3: last fetch 15.0 s ago (threshold 10.0 s)"),
        "{}",
        f.evidence.detail
    );
    // Exactly at the threshold is still fetching.
    let s = quorum_at(now, [now, now - 10_000], &[]);
    assert!(evaluate(&s, &HealthSettings::default()).findings.is_empty());
}

#[test]
fn observers_lagging_or_not_fetching_are_warnings() {
    let now = 1_800_000_000_000;
    // Leader LEO is 10 (see `snap`).
    let s = quorum_at(
        now,
        [now, now],
        &[
            (4, 10, now - 100),    // fine
            (5, 10, now - 60_000), // stopped fetching a minute ago
            (6, -1, -1),           // never fetched
        ],
    );
    let r = evaluate(&s, &HealthSettings::default());
    // (brokers-missing also names them: observers are expected brokers, absent from `snap`.)
    assert!(!ids(&r).contains(&"quorum-voter-down"), "{:?}", r.findings);
    let f = finding(&r, "quorum-observer-lagging");
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.evidence.items, vec!["broker 5", "broker 6"]);
    assert!(f
        .evidence
        .detail
        .contains("broker 5: last fetch 60.0 s ago"));
    assert!(f.evidence.detail.contains("broker 6: log end offset -1"));
}

#[test]
fn observer_lag_beyond_threshold_and_reader_clock_fallback() {
    let now = 1_800_000_000_000;
    let mut s = quorum_at(now, [now, now], &[(4, 10, now - 20_000)]);
    if let QuorumView::Known(q) = &mut s.quorum {
        q.voters[0].log_end_offset = 5000;
        q.voters[1].log_end_offset = 5000;
        q.voters[2].log_end_offset = 5000;
        // The leader reports no timestamp (DescribeQuorum v0): the reader's clock is "now".
        q.voters[0].last_fetch_timestamp_ms = -1;
    }
    s.taken_at_ms = Some(now);
    let settings = HealthSettings {
        quorum_fetch_stale_ms: 30_000,
        ..HealthSettings::default()
    };
    let r = evaluate(&s, &settings);
    let f = finding(&r, "quorum-observer-lagging");
    assert_eq!(f.evidence.detail, "broker 4: 4990 records behind");
    // Without any clock, only the lag is judged.
    s.taken_at_ms = None;
    let r = evaluate(&s, &HealthSettings::default());
    assert_eq!(
        finding(&r, "quorum-observer-lagging").evidence.detail,
        "broker 4: 4990 records behind"
    );
}

#[test]
fn topic_health_note_names_partitions_by_state() {
    let healthy = topic("orders", vec![part(0, 1, &[1, 2, 3], &[1, 2, 3])]);
    assert_eq!(topic_health_note(&healthy, Some(2), true), "OK");
    let t = topic(
        "orders",
        vec![
            part(0, -1, &[1, 2, 3], &[]),
            part(1, 2, &[1, 2, 3], &[2]),
            part(2, 2, &[1, 2, 3], &[2, 3]),
        ],
    );
    let note = topic_health_note(&t, Some(2), true);
    assert!(note.starts_with("1 offline: orders-0; "), "{note}");
    assert!(
        note.contains("3 under-replicated: orders-0, orders-1, orders-2"),
        "{note}"
    );
    // Under min ISR wins over at min ISR; the consequence is spelled out.
    assert!(
        note.ends_with(
            "2 under min ISR (min.insync.replicas=2): orders-0, orders-1; acks=all producers fail"
        ),
        "{note}"
    );
    let at = topic("orders", vec![part(0, 2, &[1, 2, 3], &[2, 3])]);
    assert!(topic_health_note(&at, Some(2), true)
        .ends_with("1 at min ISR (min.insync.replicas=2): orders-0"));
    // An unknown min ISR is said, and why when the configs never came.
    assert!(topic_health_note(&healthy, None, true)
        .contains("min.insync.replicas unknown: ISR checks skipped"));
    assert!(topic_health_note(&healthy, None, false).contains("configs were not returned"));
}

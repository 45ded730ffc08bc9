//! Tests of the group hints and the rebalance-storm finding over the recorded fixtures.

use super::*;
use crate::analysis::lag::testkit::*;
use crate::analysis::lag::*;

fn hint_ids(scenario: &str, group: &str) -> Vec<String> {
    let m = members(scenario, group).expect("describe answered");
    let lag = offsets(scenario, group).map(|o| group_lag(group, &o));
    group_hints(&HintInput {
        group: &m,
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
        group: &m,
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
        group: &m,
        lag: Some(&lag),
    });
    assert_eq!(f[0].evidence.items[0], "payments-1 lag 82");
    assert_eq!(f[0].evidence.count, 3);
    assert!(f[0].title.starts_with("stalled: "));
    assert!(f[0].remediation.contains("Start the consumer"));
}

#[test]
fn hint_offsets_lost_to_retention() {
    let m = crate::snapshot::GroupSnapshot {
        group_id: "g".into(),
        is_simple: false,
        state: "STABLE".into(),
        group_type: "classic".into(),
        partition_assignor: String::new(),
        coordinator: None,
        members: vec![],
    };
    let lag = group_lag("g", &[po(Some(10), Some(50), Some(50))]);
    let f = group_hints(&HintInput {
        group: &m,
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

//! Hints about group membership and commits (members without assignment, lag without members,
//! never-committed partitions, offsets lost to retention) and rebalance storms, as findings.

use super::current::{never_committed_meaning, unread_without_commit, GroupLag, PartitionLag};
use crate::analysis::finding::{Evidence, Finding, Severity};
use crate::snapshot::GroupSnapshot;

#[cfg(test)]
#[path = "hints_tests.rs"]
mod tests;

/// Everything the hint rules look at for one group.
#[derive(Debug, Clone, Copy)]
pub struct HintInput<'a> {
    /// State and members, as DescribeConsumerGroups reported them.
    pub group: &'a GroupSnapshot,
    /// Lag from the same read, when known.
    pub lag: Option<&'a GroupLag>,
}

/// A consumer-group hint rule: id, severity, title, doc (the remediation) and check.
#[derive(Debug, Clone, Copy)]
pub struct HintRule {
    /// Stable kebab-case id, never reused.
    pub id: &'static str,
    /// How bad a hit is.
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: &'static str,
    /// What to do; becomes the finding's remediation.
    pub doc: &'static str,
    /// Returns evidence when the rule fires.
    pub check: fn(&HintInput<'_>) -> Option<Evidence>,
}

/// Every consumer-group hint rule, in evaluation order.
pub const HINT_RULES: &[HintRule] = &[
    HintRule {
        id: "member-without-assignment",
        severity: Severity::Info,
        title: "Group members with no assigned partitions",
        doc: "These members consume nothing. During a rebalance (PREPARING_REBALANCING, \
              COMPLETING_REBALANCING) this is transient: look again in a few seconds. In a stable group it \
              means more consumers than partitions: run at most as many consumers as partitions, or add \
              partitions.",
        check: member_without_assignment,
    },
    HintRule {
        id: "lag-without-members",
        severity: Severity::Warn,
        title: "Group has lag but no members: nobody is consuming",
        doc: "Start the consumer application for this group. If the group is retired, delete it so its \
              lag stops alerting (its offsets otherwise expire after offsets.retention.minutes, 7 days by \
              default).",
        check: lag_without_members,
    },
    HintRule {
        id: "partition-never-committed",
        severity: Severity::Warn,
        title: "Partitions with unread messages that the group never committed",
        doc: "The group has no committed offset on these partitions although they hold messages: it was \
              never assigned or subscribed to them (check its subscription with consumer_groups \
              action=describe), or they are new partitions and a consumer with auto.offset.reset=latest \
              will skip what they hold when it first gets them. To read them, plan_reset_offsets with \
              `topics` and to=earliest while the group is inactive.",
        check: partition_never_committed,
    },
    HintRule {
        id: "offsets-lost-to-retention",
        severity: Severity::Error,
        title: "Committed offsets point at messages retention already deleted",
        doc: "The group will never read the deleted messages; on resume auto.offset.reset decides where it \
              starts (earliest: the log start; latest: the end, skipping everything). Choose explicitly \
              with plan_reset_offsets, and raise retention.ms on the topic if this consumer must not lose \
              data.",
        check: offsets_lost_to_retention,
    },
];

fn member_without_assignment(input: &HintInput<'_>) -> Option<Evidence> {
    let idle: Vec<String> = input
        .group
        .members
        .iter()
        .filter(|m| m.assignment.is_empty())
        .map(|m| format!("{} ({})", m.client_id, m.member_id))
        .collect();
    if idle.is_empty() {
        return None;
    }
    let total = input.group.members.len();
    let rebalancing = input.group.state.to_ascii_uppercase().contains("REBALANC");
    let detail = format!(
        "{} of {total} members have no partitions; state {}{}",
        idle.len(),
        input.group.state,
        if rebalancing {
            " (rebalancing: likely transient)"
        } else {
            ""
        }
    );
    Some(Evidence::from_items(idle, detail))
}

fn lag_without_members(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    if !input.group.members.is_empty() || lag.total_lag_messages <= 0 {
        return None;
    }
    let mut lagging: Vec<&PartitionLag> = lag
        .partitions
        .iter()
        .filter(|p| p.lag_messages.unwrap_or(0) > 0)
        .collect();
    lagging.sort_by_key(|p| std::cmp::Reverse(p.lag_messages));
    let items = lagging.iter().map(|p| {
        format!(
            "{}-{} lag {}",
            p.topic,
            p.partition,
            p.lag_messages.unwrap_or(0)
        )
    });
    Some(Evidence::from_items(
        items,
        format!(
            "state {}, 0 members, total lag {} messages",
            input.group.state, lag.total_lag_messages
        ),
    ))
}

fn partition_never_committed(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    let rows = unread_without_commit(lag);
    if rows.is_empty() {
        return None;
    }
    let committed = lag.partition_count - lag.partitions_without_commit;
    Some(Evidence::from_items(
        rows.iter()
            .map(|(p, u)| format!("{}-{} ({u} unread)", p.topic, p.partition)),
        format!(
            "{} message(s) unread on never-committed partitions; the group committed {committed} of {} \
             partition(s): {}",
            lag.unread_without_commit_messages,
            lag.partition_count,
            never_committed_meaning(lag)
        ),
    ))
}

fn offsets_lost_to_retention(input: &HintInput<'_>) -> Option<Evidence> {
    let lag = input.lag?;
    if lag.messages_lost_to_retention <= 0 {
        return None;
    }
    let items = lag.partitions.iter().filter_map(|p| {
        let lost = p.messages_lost_to_retention.filter(|&l| l > 0)?;
        Some(format!("{}-{} lost {lost}", p.topic, p.partition))
    });
    Some(Evidence::from_items(
        items,
        format!(
            "{} messages deleted before the group read them",
            lag.messages_lost_to_retention
        ),
    ))
}

/// Fewest successive reads of a group before [`rebalance_storm`] judges it.
pub const STORM_MIN_READS: usize = 4;

/// True for a state in which a group is rebalancing: anything but `Stable`, `Empty` and `Dead`
/// (librdkafka reports KIP-848's `Assigning` and `Reconciling` as `Unknown`).
pub fn is_rebalancing_state(state: &str) -> bool {
    let s = state.to_ascii_lowercase().replace(['_', ' '], "");
    !(s == "stable" || s == "empty" || s == "dead")
}

/// A rebalance storm over successive reads of one group (oldest first, [`STORM_MIN_READS`] at
/// least): the group entered a rebalance at least twice, or was rebalancing in at least half of
/// the reads. The remediation names the likely causes that apply: members missing
/// `session.timeout.ms` / `max.poll.interval.ms`, no static membership (`group.instance.id`),
/// an eager assignor.
pub fn rebalance_storm(
    group: &str,
    states: &[String],
    assignor: &str,
    static_membership: bool,
) -> Option<Finding> {
    if states.len() < STORM_MIN_READS {
        return None;
    }
    let rebalancing: Vec<bool> = states.iter().map(|s| is_rebalancing_state(s)).collect();
    let entered =
        rebalancing.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(rebalancing[0]);
    let during = rebalancing.iter().filter(|r| **r).count();
    if entered < 2 && during * 2 < states.len() {
        return None;
    }
    let mut causes = vec![
        "members leave when they miss session.timeout.ms (heartbeats) or max.poll.interval.ms \
         (slow processing between polls): raise max.poll.interval.ms or lower max.poll.records, \
         and look for consumers that crash-loop or restart"
            .to_string(),
    ];
    if !static_membership {
        causes.push(
            "no member sets group.instance.id: every restart or deploy rebalances the whole group; \
             static membership lets a member come back within session.timeout.ms without one"
                .to_string(),
        );
    }
    let a = assignor.to_ascii_lowercase();
    if a == "range" || a == "roundrobin" {
        causes.push(format!(
            "the {assignor} assignor is eager: every rebalance revokes every partition; use \
             partition.assignment.strategy=cooperative-sticky, or group.protocol=consumer (KIP-848)"
        ));
    }
    let trail = states.join(" → ");
    let evidence = Evidence::from_items(
        [group.to_string()],
        format!(
            "entered a rebalance {entered} time(s), rebalancing in {during} of {} reads: {trail}",
            states.len()
        ),
    );
    Some(Finding {
        id: "rebalance-storm".to_string(),
        severity: Severity::Warn,
        title: crate::analysis::finding::titled(
            "Rebalance storm: the group keeps leaving Stable",
            &evidence,
        ),
        evidence,
        remediation: format!("Likely causes: {}.", causes.join("; ")),
    })
}

/// Runs every [`HINT_RULES`] rule on one group; findings come back in rule order.
pub fn group_hints(input: &HintInput<'_>) -> Vec<Finding> {
    HINT_RULES
        .iter()
        .filter_map(|rule| {
            (rule.check)(input).map(|evidence| Finding {
                id: rule.id.to_string(),
                severity: rule.severity,
                title: crate::analysis::finding::titled(
                    &format!("{}: {}", input.group.group_id, rule.title),
                    &evidence,
                ),
                evidence,
                remediation: rule.doc.to_string(),
            })
        })
        .collect()
}

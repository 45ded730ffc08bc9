//! `consumer_groups`: list, describe, lag, Burrow-style evaluate, and offset-reset / delete
//! plans. Reads are batched (one ListConsumerGroupOffsets per group, one ListOffsets per offset
//! kind for all partitions); writes only ever become plans for `apply_change`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::RequestMetaObject;
use rmcp::{tool, tool_router, Peer, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::analysis::finding::Finding;
use crate::analysis::glob::glob_match;
use crate::analysis::lag::members::{hints, is_empty_group, presence_of, refuse_active};
use crate::analysis::lag::{
    self, ConsumerPresence, EvalConfig, GroupLag, GroupVerdict, PartitionLag, ResetInput, ResetSpec,
};
use crate::app::KafkaMcp;

mod plans;
mod reads;
mod summary;
use crate::error::ToolError;
use crate::kafka::groups::GroupRead;
use crate::kafka::{groups, Cluster};
use crate::mcp_tools::Progress;
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::plans::{now_ms, Change, Draft, PlanOut, Precondition};
use crate::snapshot::{GroupSnapshot, PartitionOffsets};

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupAction {
    /// Every group: state, type, members; `with_lag` adds total lag and worst partition.
    List,
    /// One group: members, assignments, coordinator, assignor, state.
    Describe,
    /// One group's lag per partition, rolled up per topic and group.
    Lag,
    /// Burrow verdict (OK/WARN/STALL/STOP/REWIND) and trend over a window of samples.
    Evaluate,
    /// Plan an offset reset (group must be inactive); apply with apply_change.
    PlanResetOffsets,
    /// Plan deleting a group with no members; apply with apply_change.
    PlanDeleteGroup,
}

/// Where a reset moves the committed offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResetTo {
    /// Log start: re-read everything retained.
    Earliest,
    /// Log end: skip everything not yet read.
    Latest,
    /// First offset at or after `timestamp_ms`.
    Timestamp,
    /// Exactly `offset` (clamped to the log).
    Offset,
    /// Current committed offset + `shift_by` (negative re-reads).
    Shift,
}

/// List sort order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupSort {
    /// By group id (default without `with_lag`).
    #[default]
    Name,
    /// Worst total lag first (default with `with_lag`).
    Lag,
}

/// Input of `consumer_groups`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGroupsInput {
    /// What to do (see the tool description).
    pub action: GroupAction,
    /// Configured cluster; omit for the default.
    pub cluster: Option<String>,
    /// Group id (every action but list).
    pub group: Option<String>,
    /// list: glob on group ids, e.g. `billing-*`.
    pub filter: Option<String>,
    /// list: add total lag and worst partition per group.
    #[serde(default)]
    pub with_lag: bool,
    /// list: `name` or `lag`.
    pub sort: Option<GroupSort>,
    /// Page size for list rows / lag partitions (default 50, max 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// evaluate: sample offsets over this many seconds first (max 300), with progress
    /// notifications; without it, uses samples from earlier lag calls.
    pub sample_seconds: Option<u64>,
    /// plan_reset_offsets: the target.
    pub to: Option<ResetTo>,
    /// plan_reset_offsets to=timestamp: epoch ms.
    pub timestamp_ms: Option<i64>,
    /// plan_reset_offsets to=offset: the offset.
    pub offset: Option<i64>,
    /// plan_reset_offsets to=shift: added to the committed offset (negative re-reads).
    pub shift_by: Option<i64>,
    /// plan_reset_offsets: only these topics (default: all with offsets).
    pub topics: Option<Vec<String>>,
    /// plan_reset_offsets: only these partitions (with exactly one topic).
    pub partitions: Option<Vec<i32>>,
}

/// One group in a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GroupRow {
    /// Group id.
    pub group: String,
    /// Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown.
    pub state: String,
    /// classic, consumer (KIP-848) or unknown.
    #[serde(rename = "type")]
    pub group_type: String,
    /// Total lag in messages (string; with_lag); a lower bound when `lag_complete` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_lag: Option<String>,
    /// False when some partitions have no commit or an unknown log end (with_lag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_complete: Option<bool>,
    /// `topic-partition:lag` of the worst partition (with_lag; `N unread, never committed` if so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_partition: Option<String>,
    /// Why lag is missing for this group (with_lag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A group member.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MemberOut {
    /// Member id.
    pub member_id: String,
    /// client.id.
    pub client_id: String,
    /// Host it connected from.
    pub host: String,
    /// group.instance.id (static membership).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_instance_id: Option<String>,
    /// Assigned partitions as `topic-partition`.
    pub assignment: Vec<String>,
    /// KIP-848 target assignment, when it differs from the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_assignment: Option<Vec<String>>,
}

/// One group described.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GroupDetail {
    /// Group id.
    pub group: String,
    /// State.
    pub state: String,
    /// classic or consumer.
    #[serde(rename = "type")]
    pub group_type: String,
    /// Partition assignor (range, cooperative-sticky, uniform, …); empty when none.
    pub assignor: String,
    /// Coordinator broker `id@host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coordinator: Option<String>,
    /// Members.
    pub members: Vec<MemberOut>,
}

/// Output of `consumer_groups`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConsumerGroupsOutput {
    /// The action answered.
    pub action: String,
    /// Cluster name.
    pub cluster: String,
    /// list: groups (one page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupRow>>,
    /// Paging of `groups` or of `lag.partitions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// describe: the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupDetail>,
    /// lag: totals, per topic, and one page of partitions (worst first); offsets are strings,
    /// `committed_offset: null` means never committed (lag unknown, not 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag: Option<GroupLag>,
    /// evaluate: Burrow verdict per partition and for the group, with trend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<GroupVerdict>,
    /// Hints: members without assignments, lag without members, offsets lost to retention.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Finding>,
    /// plan_*: the plan to apply with apply_change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanOut>,
    /// Partial answers and broker limitations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ConsumerGroupsOutput {
    fn new(action: &str, cluster: &str) -> Self {
        ConsumerGroupsOutput {
            action: action.to_string(),
            cluster: cluster.to_string(),
            groups: None,
            page: None,
            group: None,
            lag: None,
            verdict: None,
            hints: vec![],
            plan: None,
            notes: vec![],
        }
    }
}

fn need_group(input: &ConsumerGroupsInput) -> Result<&str, ToolError> {
    input.group.as_deref().filter(|g| !g.trim().is_empty()).ok_or_else(|| {
        ToolError::invalid("this action needs `group`: call consumer_groups with action=list to see the group ids")
    })
}

fn tp(t: &str, p: i32) -> String {
    format!("{t}-{p}")
}

fn detail(d: &GroupSnapshot) -> GroupDetail {
    GroupDetail {
        group: d.group_id.clone(),
        state: d.state.clone(),
        group_type: d.group_type.clone(),
        assignor: d.partition_assignor.clone(),
        coordinator: d
            .coordinator
            .as_ref()
            .map(|n| format!("{}@{}:{}", n.id, n.host, n.port)),
        members: d
            .members
            .iter()
            .map(|m| MemberOut {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                group_instance_id: m.group_instance_id.clone(),
                assignment: m.assignment.iter().map(|(t, p)| tp(t, *p)).collect(),
                target_assignment: m
                    .target_assignment
                    .as_ref()
                    .filter(|t| **t != m.assignment)
                    .map(|t| t.iter().map(|(t, p)| tp(t, *p)).collect()),
            })
            .collect(),
    }
}

/// Reads one group; Kafka knowing no such group is a not-found tool error.
async fn read_group(
    cluster: &std::sync::Arc<Cluster>,
    group: &str,
) -> Result<GroupRead, ToolError> {
    let read = groups::read_group(cluster, group).await?;
    if !read.exists {
        return Err(ToolError::not_found(format!(
            "consumer group {group:?} not found (no committed offsets and no members). Call consumer_groups action=list to see the groups."
        )));
    }
    Ok(read)
}

fn not_found(group: &str) -> ToolError {
    ToolError::not_found(format!("consumer group {group:?} not found"))
}

#[tool_router(router = consumer_groups_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Consumer groups and lag: list (with_lag, sort=lag), describe (members, assignments), lag (per
    /// partition; never committed = null, not 0), evaluate (Burrow verdict + trend; sample_seconds),
    /// plan_reset_offsets / plan_delete_group (inactive groups) for apply_change. Never commits.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<ConsumerGroupsOutput>()
    )]
    pub async fn consumer_groups(
        &self,
        Parameters(input): Parameters<ConsumerGroupsInput>,
        peer: Peer<RoleServer>,
        meta: RequestMetaObject,
        ct: CancellationToken,
    ) -> Result<Answer<ConsumerGroupsOutput>, ToolError> {
        let progress = Progress::new(peer, &meta);
        let out = self.consumer_groups_output(&input, progress, ct).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The consumer_groups answer (shared with the `kafka://{cluster}/groups/{group}` resource).
    pub async fn consumer_groups_output(
        &self,
        input: &ConsumerGroupsInput,
        progress: Progress,
        ct: CancellationToken,
    ) -> Result<ConsumerGroupsOutput, ToolError> {
        let cluster = self.cluster(input.cluster.as_deref())?;
        match input.action {
            GroupAction::List => self.groups_list(&cluster, input, &progress).await,
            GroupAction::Describe => {
                let group = need_group(input)?;
                let mut out = ConsumerGroupsOutput::new("describe", &cluster.config.name);
                let d = groups::describe_group(&cluster, group)
                    .await?
                    .ok_or_else(|| not_found(group))?;
                if d.looks_missing() {
                    let committed = groups::committed(&cluster, group, None).await?;
                    if committed.is_empty() {
                        return Err(ToolError::not_found(format!(
                            "consumer group {group:?} not found. Call consumer_groups action=list to see the groups."
                        )));
                    }
                }
                if d.members.is_empty() && d.state.eq_ignore_ascii_case("stable") {
                    out.notes.push("the broker returned no member details for a Stable group: this broker does not report members/assignments (real Kafka does)".into());
                }
                out.group = Some(detail(&d));
                Ok(out)
            }
            GroupAction::Lag => {
                let group = need_group(input)?;
                let read = read_group(&cluster, group).await?;
                self.feed_history(&cluster.config.name, group, &read.offsets);
                let mut out = ConsumerGroupsOutput::new("lag", &cluster.config.name);
                let mut gl = lag::group_lag(group, &read.offsets);
                out.hints = hints(read.description.as_ref(), &gl);
                // Worst first, then one page.
                let mut parts: Vec<PartitionLag> = std::mem::take(&mut gl.partitions);
                parts.sort_by(|a, b| {
                    b.lag_messages
                        .unwrap_or(-1)
                        .cmp(&a.lag_messages.unwrap_or(-1))
                        .then(a.topic.cmp(&b.topic))
                        .then(a.partition.cmp(&b.partition))
                });
                let (page, info) = paginate(
                    parts,
                    input.limit,
                    input.cursor.as_deref(),
                    &format!("lag:{group}"),
                )
                .map_err(ToolError::invalid)?;
                gl.partitions = page;
                out.page = Some(info);
                out.lag = Some(gl);
                out.notes = read.notes;
                Ok(out)
            }
            GroupAction::Evaluate => self.groups_evaluate(&cluster, input, progress, ct).await,
            GroupAction::PlanResetOffsets => self.plan_reset(&cluster, input).await,
            GroupAction::PlanDeleteGroup => self.plan_delete_group(&cluster, input).await,
        }
    }

    fn feed_history(&self, cluster: &str, group: &str, offsets: &[PartitionOffsets]) {
        self.feed_history_many(cluster, &[(group, offsets)]);
    }

    /// Records one sample per group under one lock, then evicts idle keys once (evicting per
    /// group would walk the whole history once per group).
    fn feed_history_many(&self, cluster: &str, reads: &[(&str, &[PartitionOffsets])]) {
        let mut h = self
            .state()
            .lag_history
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let hist = h
            .entry(cluster.to_string())
            .or_insert_with(|| lag::LagHistory::new(Default::default()));
        let now = now_ms();
        for (group, offsets) in reads {
            hist.record_offsets(group, offsets, now);
        }
        hist.evict_idle(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lag::members::tests::recorded;

    #[test]
    fn describe_renders_classic_and_kip848_groups_as_recorded() {
        let groups = recorded("healthy");
        let billing = detail(&groups["billing"]);
        assert_eq!(
            (
                billing.state.as_str(),
                billing.group_type.as_str(),
                billing.assignor.as_str()
            ),
            ("Stable", "classic", "range")
        );
        assert_eq!(billing.members.len(), 2);
        assert_eq!(billing.members[0].client_id, "billing-1");
        assert_eq!(
            billing.members[0].assignment,
            vec!["orders-0", "orders-1", "orders-2"]
        );
        assert_eq!(
            billing.members[1].assignment,
            vec!["orders-3", "orders-4", "orders-5"]
        );
        assert_eq!(billing.members[0].host, "/127.0.0.1");
        assert_eq!(billing.coordinator.as_deref(), Some("2@127.0.0.1:39093"));
        let fraud = detail(&groups["fraud"]);
        assert_eq!(
            (fraud.group_type.as_str(), fraud.assignor.as_str()),
            ("consumer", "uniform")
        );
        assert_eq!(
            fraud
                .members
                .iter()
                .map(|m| m.assignment.len())
                .sum::<usize>(),
            3
        );
        assert_eq!(
            fraud.members[0].member_id.len(),
            22,
            "KIP-848 member ids are 22-char base64"
        );
        // Target equals current: not repeated.
        assert!(fraud.members.iter().all(|m| m.target_assignment.is_none()));
        let analytics = detail(&groups["analytics"]);
        assert_eq!(
            (
                analytics.state.as_str(),
                analytics.members.len(),
                analytics.assignor.as_str()
            ),
            ("Empty", 0, "")
        );
    }
}

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
use crate::analysis::group_members::{hints, is_empty_group, presence_of, refuse_active};
use crate::analysis::lag::{
    self, ConsumerPresence, EvalConfig, GroupLag, GroupVerdict, PartitionLag, PartitionOffsets,
    ResetInput, ResetSpec,
};
use crate::app::KafkaMcp;
use crate::error::ToolError;
use crate::kafka::groups::GroupRead;
use crate::kafka::{groups, Cluster};
use crate::output::{paginate, Answer, PageInfo, Summary};
use crate::plans::{now_ms, Change, Draft, PlanOut, Precondition};
use crate::snapshot::GroupSnapshot;
use crate::tools::Progress;

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

impl Summary for ConsumerGroupsOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(groups) = &self.groups {
            let total = self.page.as_ref().map(|p| p.total).unwrap_or(groups.len());
            s.push_str(&format!("{total} group(s) on {}", self.cluster));
            for g in groups.iter().take(10) {
                s.push_str(&format!("\n- {} [{} {}]", g.group, g.state, g.group_type));
                if let Some(l) = &g.total_lag {
                    s.push_str(&format!(" lag {l}"));
                    if g.lag_complete == Some(false) {
                        s.push('+');
                    }
                }
                if let Some(w) = &g.worst_partition {
                    s.push_str(&format!(" (worst {w})"));
                }
            }
        }
        if let Some(g) = &self.group {
            s.push_str(&format!(
                "group {} [{} {}] assignor {:?}, {} member(s)",
                g.group,
                g.state,
                g.group_type,
                g.assignor,
                g.members.len()
            ));
            for m in g.members.iter().take(10) {
                s.push_str(&format!(
                    "\n- {} ({}) {}",
                    m.client_id,
                    m.host,
                    m.assignment.join(",")
                ));
            }
        }
        if let Some(l) = &self.lag {
            s.push_str(&format!(
                "group {} lag {}{} over {} partition(s); {} never committed",
                l.group,
                l.total_lag_messages,
                if l.total_lag_complete {
                    ""
                } else {
                    "+ (incomplete)"
                },
                l.partition_count,
                l.partitions_without_commit
            ));
            if let Some(w) = &l.worst_partition {
                s.push_str(&format!("; worst {}", w.label()));
            }
            if let Some(n) = lag::never_committed_summary(l) {
                s.push_str(&format!("\n{n}"));
            }
        }
        if let Some(v) = &self.verdict {
            s.push_str(&format!(
                "group {}: {:?} ({:?}); {}",
                v.group, v.status, v.burrow_status, v.next_step
            ));
        }
        if let Some(p) = &self.plan {
            s.push_str(&format!("plan {}: {}", p.plan_id, p.summary));
        }
        for h in &self.hints {
            s.push_str(&format!("\n- [{:?}] {}", h.severity, h.title));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
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

    async fn groups_list(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        input: &ConsumerGroupsInput,
        progress: &Progress,
    ) -> Result<ConsumerGroupsOutput, ToolError> {
        let mut out = ConsumerGroupsOutput::new("list", &cluster.config.name);
        let (mut listed, errors) = groups::list_groups(cluster).await?;
        for e in errors {
            out.notes.push(format!("partial answer: {e}"));
        }
        if let Some(f) = &input.filter {
            listed.retain(|g| glob_match(f, &g.group_id));
        }
        listed.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        let mut rows: Vec<GroupRow> = listed
            .iter()
            .map(|g| GroupRow {
                group: g.group_id.clone(),
                state: g.state.clone(),
                group_type: g.group_type.clone(),
                total_lag: None,
                lag_complete: None,
                worst_partition: None,
                error: None,
            })
            .collect();
        if input.with_lag && !rows.is_empty() {
            let ids: Vec<String> = rows.iter().map(|r| r.group.clone()).collect();
            progress.step(0.0, 3.0, "fetching committed offsets").await;
            let committed = groups::committed_many(cluster, &ids);
            let counts = groups::partition_counts(cluster);
            let (committed, counts) = tokio::join!(committed, counts);
            let counts = counts?;
            progress.step(1.0, 3.0, "fetching log offsets").await;
            let none = BTreeSet::new();
            let mut all_parts = BTreeSet::new();
            for (_, r) in &committed {
                if let Ok(c) = r {
                    all_parts.extend(groups::group_partitions(c, &none, &counts));
                }
            }
            let ends = groups::log_offsets(cluster, &all_parts).await?;
            progress.step(2.0, 3.0, "computing lag").await;
            let mut reads: Vec<(String, Vec<PartitionOffsets>)> = Vec::new();
            for (row, (_, r)) in rows.iter_mut().zip(committed) {
                match r {
                    Ok(c) => {
                        let offsets = groups::offsets_for_group(&c, &none, &counts, &ends);
                        let gl = lag::group_lag(&row.group, &offsets);
                        reads.push((row.group.clone(), offsets));
                        row.total_lag = Some(gl.total_lag_messages.to_string());
                        row.lag_complete = Some(gl.total_lag_complete);
                        row.worst_partition = gl.worst_partition.map(|w| {
                            let never = if w.never_committed {
                                " unread, never committed"
                            } else {
                                ""
                            };
                            format!("{}-{}:{}{never}", w.topic, w.partition, w.lag_messages)
                        });
                    }
                    Err(e) => row.error = Some(e.to_string()),
                }
            }
            let borrowed: Vec<(&str, &[PartitionOffsets])> = reads
                .iter()
                .map(|(g, o)| (g.as_str(), o.as_slice()))
                .collect();
            self.feed_history_many(&cluster.config.name, &borrowed);
        }
        let sort = input.sort.unwrap_or(if input.with_lag {
            GroupSort::Lag
        } else {
            GroupSort::Name
        });
        if sort == GroupSort::Lag {
            rows.sort_by_key(|r| {
                std::cmp::Reverse(
                    r.total_lag
                        .as_deref()
                        .and_then(|l| l.parse::<i64>().ok())
                        .unwrap_or(-1),
                )
            });
        }
        let scope = format!("list:{:?}:{}:{:?}", input.filter, input.with_lag, sort);
        let (page, info) = paginate(rows, input.limit, input.cursor.as_deref(), &scope)
            .map_err(ToolError::invalid)?;
        out.groups = Some(page);
        out.page = Some(info);
        Ok(out)
    }

    async fn groups_evaluate(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        input: &ConsumerGroupsInput,
        progress: Progress,
        ct: CancellationToken,
    ) -> Result<ConsumerGroupsOutput, ToolError> {
        let group = need_group(input)?;
        let mut out = ConsumerGroupsOutput::new("evaluate", &cluster.config.name);
        let span = input.sample_seconds.unwrap_or(0).min(300);
        let samples = if span == 0 {
            1
        } else {
            (span / 2).clamp(2, 30) + 1
        };
        let interval = if samples > 1 {
            Duration::from_millis(span * 1000 / (samples - 1))
        } else {
            Duration::ZERO
        };
        let mut last = None;
        let mut states = Vec::new();
        for i in 0..samples {
            if ct.is_cancelled() {
                return Err(ToolError::refused("cancelled by the client; no verdict"));
            }
            let read = read_group(cluster, group).await?;
            self.feed_history(&cluster.config.name, group, &read.offsets);
            if let Some(d) = &read.description {
                states.push(d.state.clone());
            }
            progress
                .step(
                    (i + 1) as f64,
                    samples as f64,
                    &format!("sample {} of {samples}", i + 1),
                )
                .await;
            last = Some(read);
            if i + 1 < samples {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = ct.cancelled() => return Err(ToolError::refused("cancelled by the client; no verdict")),
                }
            }
        }
        let read = last.expect("at least one sample");
        let presence = presence_of(read.description.as_ref());
        let group_empty = read.description.as_ref().is_some_and(is_empty_group);
        let windows: Vec<_> = {
            let h = self
                .state()
                .lag_history
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            h.get(&cluster.config.name)
                .map(|h| h.group_windows(group))
                .unwrap_or_default()
        };
        let windows: Vec<_> = windows
            .into_iter()
            .map(|mut w| {
                w.presence = match presence.get(&(w.topic.clone(), w.partition)) {
                    Some(p) => *p,
                    None if group_empty => ConsumerPresence::Absent,
                    None => ConsumerPresence::Unknown,
                };
                w
            })
            .collect();
        let verdict = lag::evaluate_group(group, &windows, &EvalConfig::default());
        if verdict.partitions_judged == 0 {
            out.notes.push("too few samples for a verdict: call again with sample_seconds=30 (or call action=lag a few times first)".into());
        }
        let gl = lag::group_lag(group, &read.offsets);
        out.hints = hints(read.description.as_ref(), &gl);
        if let Some(d) = read.description.as_ref() {
            let static_membership = d.members.iter().any(|m| m.group_instance_id.is_some());
            out.hints.extend(lag::rebalance_storm(
                group,
                &states,
                &d.partition_assignor,
                static_membership,
            ));
        }
        out.verdict = Some(verdict);
        out.notes.extend(read.notes);
        Ok(out)
    }

    async fn inactive_group(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        group: &str,
    ) -> Result<GroupSnapshot, ToolError> {
        let d = groups::describe_group(cluster, group)
            .await?
            .ok_or_else(|| not_found(group))?;
        match refuse_active(&d) {
            Some(why) => Err(ToolError::refused(why)),
            None => Ok(d),
        }
    }

    async fn plan_reset(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        input: &ConsumerGroupsInput,
    ) -> Result<ConsumerGroupsOutput, ToolError> {
        let group = need_group(input)?;
        let to = input.to.ok_or_else(|| {
            ToolError::invalid(
                "plan_reset_offsets needs `to`: earliest, latest, timestamp, offset or shift",
            )
        })?;
        let spec = match to {
            ResetTo::Earliest => ResetSpec::Earliest,
            ResetTo::Latest => ResetSpec::Latest,
            ResetTo::Timestamp => ResetSpec::Timestamp {
                ts_ms: input.timestamp_ms.ok_or_else(|| {
                    ToolError::invalid("to=timestamp needs `timestamp_ms` (epoch ms)")
                })?,
            },
            ResetTo::Offset => ResetSpec::Offset {
                offset: input
                    .offset
                    .ok_or_else(|| ToolError::invalid("to=offset needs `offset`"))?,
            },
            ResetTo::Shift => ResetSpec::ShiftBy {
                delta: input.shift_by.ok_or_else(|| {
                    ToolError::invalid("to=shift needs `shift_by` (negative re-reads)")
                })?,
            },
        };
        if input.partitions.is_some() && input.topics.as_ref().map(|t| t.len()) != Some(1) {
            return Err(ToolError::invalid(
                "`partitions` needs exactly one topic in `topics`",
            ));
        }
        let description = self.inactive_group(cluster, group).await?;
        let committed = groups::committed(cluster, group, None).await?;
        let counts = groups::partition_counts(cluster).await?;
        let mut targets: BTreeSet<(String, i32)> = BTreeSet::new();
        match &input.topics {
            Some(topics) => {
                for t in topics {
                    let n = counts.get(t).ok_or_else(|| {
                        ToolError::not_found(format!("topic {t:?} does not exist: check the name with topic_manage action=list; nothing was planned"))
                    })?;
                    for p in 0..*n {
                        if input.partitions.as_ref().is_none_or(|ps| ps.contains(&p)) {
                            targets.insert((t.clone(), p));
                        }
                    }
                    if let Some(ps) = &input.partitions {
                        if let Some(bad) = ps.iter().find(|p| **p < 0 || **p >= *n) {
                            return Err(ToolError::invalid(format!(
                                "topic {t:?} has partitions 0..={}; partition {bad} does not exist: pass partitions in that range",
                                n - 1
                            )));
                        }
                    }
                }
            }
            None => targets = groups::group_partitions(&committed, &BTreeSet::new(), &counts),
        }
        if targets.is_empty() {
            return Err(match &input.topics {
                None => ToolError::not_found(lag::no_offsets_to_reset(group, &description.state)),
                Some(_) => ToolError::invalid(
                    "the topics and partitions given select no partition; nothing was planned. \
                     Pass a topic with partitions (check it with topic_manage action=describe).",
                ),
            });
        }
        let ends = groups::log_offsets(cluster, &targets).await?;
        let for_ts = match spec {
            ResetSpec::Timestamp { ts_ms } if ts_ms >= 0 && ts_ms <= now_ms() => {
                groups::offsets_at(cluster, &targets, ts_ms).await?
            }
            _ => BTreeMap::new(),
        };
        let by_key: BTreeMap<(String, i32), Option<i64>> = committed
            .iter()
            .map(|c| ((c.topic.clone(), c.partition), c.offset))
            .collect();
        let inputs: Vec<ResetInput> = targets
            .iter()
            .map(|(t, p)| {
                let (start, end) = ends.get(&(t.clone(), *p)).copied().unwrap_or((None, None));
                ResetInput {
                    topic: t.clone(),
                    partition: *p,
                    committed: by_key.get(&(t.clone(), *p)).copied().flatten(),
                    log_start: start.unwrap_or(0),
                    log_end: end.unwrap_or(0),
                    offset_for_timestamp: for_ts.get(&(t.clone(), *p)).copied().flatten(),
                }
            })
            .collect();
        if let Some((t, p)) = targets
            .iter()
            .find(|k| ends.get(*k).is_none_or(|(s, e)| s.is_none() || e.is_none()))
        {
            return Err(ToolError::unavailable(format!(
                "log offsets of {t}-{p} are unknown (its leader did not answer); nothing was planned. Check cluster_health, then retry."
            )));
        }
        let plan = lag::plan_reset_offsets(&spec, &inputs, now_ms())
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let offsets: Vec<(String, i32, i64)> = plan
            .partitions
            .iter()
            .map(|r| (r.topic.clone(), r.partition, r.new_offset))
            .collect();
        let summary = format!(
            "reset group {group} to {spec} on {} partition(s): {} message(s) re-read, {} skipped, {} clamped",
            offsets.len(),
            plan.total_messages_reread,
            plan.total_messages_skipped,
            plan.partitions_clamped
        );
        let warnings: Vec<String> = plan
            .partitions
            .iter()
            .flat_map(|r| {
                r.notes
                    .iter()
                    .map(move |n| format!("{}-{}: {n}", r.topic, r.partition))
            })
            .take(20)
            .collect();
        let draft = Draft::new(
            Change::ResetOffsets {
                group: group.to_string(),
                offsets: offsets
                    .iter()
                    .map(|(t, p, o)| (t.clone(), *p, o.to_string()))
                    .collect(),
            },
            Precondition::GroupInactive {
                group: group.to_string(),
                committed: inputs
                    .iter()
                    .map(|i| ((i.topic.clone(), i.partition), i.committed))
                    .collect(),
            },
            summary,
        )
        .impact(&plan)
        .warnings(warnings);
        let mut out = ConsumerGroupsOutput::new("plan_reset_offsets", &cluster.config.name);
        out.plan =
            Some(self.store_plan(&cluster.config, "consumer_groups.plan_reset_offsets", draft));
        Ok(out)
    }

    async fn plan_delete_group(
        &self,
        cluster: &std::sync::Arc<Cluster>,
        input: &ConsumerGroupsInput,
    ) -> Result<ConsumerGroupsOutput, ToolError> {
        let group = need_group(input)?;
        let d = self.inactive_group(cluster, group).await?;
        let committed = groups::committed(cluster, group, None).await?;
        if d.looks_missing() && committed.is_empty() {
            return Err(ToolError::not_found(format!(
                "consumer group {group:?} not found: nothing to delete. Call consumer_groups action=list to see the groups."
            )));
        }
        let topics: BTreeSet<&str> = committed.iter().map(|c| c.topic.as_str()).collect();
        let impact = serde_json::json!({
            "committed_partitions": committed.len(),
            "topics": topics,
            "effect": "the group's committed offsets are removed; a consumer that later joins with this group id starts from auto.offset.reset",
        });
        let summary = format!(
            "delete group {group} ({} committed partition(s) on {} topic(s))",
            committed.len(),
            topics.len()
        );
        let draft = Draft::new(
            Change::DeleteGroup {
                group: group.to_string(),
            },
            Precondition::GroupInactive {
                group: group.to_string(),
                committed: committed
                    .iter()
                    .map(|c| ((c.topic.clone(), c.partition), c.offset))
                    .collect(),
            },
            summary,
        )
        .impact(&impact);
        let mut out = ConsumerGroupsOutput::new("plan_delete_group", &cluster.config.name);
        out.plan =
            Some(self.store_plan(&cluster.config, "consumer_groups.plan_delete_group", draft));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::group_members::tests::recorded;

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

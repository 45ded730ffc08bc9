//! `apply_change`: the only tool that writes. Registered only when writes are enabled; applies a
//! plan made by this process, by id, when `confirm` names its target, the plan has not expired,
//! the cluster allows writes, the topic passes the write guard, and the plan's preconditions
//! still hold (topic unchanged, group still inactive with the same offsets). Every attempt is
//! audited.

use std::collections::BTreeMap;
use std::sync::Arc;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router, Peer, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::app::KafkaMcp;
use crate::error::ToolError;
use crate::kafka::{admin, groups, topics, Cluster};
use crate::output::{Answer, Summary};
use crate::plans::{now_ms, write_guard, AuditRecord, Change, Plan, Precondition};

/// Input of `apply_change`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyChangeInput {
    /// `plan_id` from a plan_* action of this server process.
    pub plan_id: String,
    /// The plan's target (topic or group name), typed out so the approver sees what changes.
    pub confirm: String,
}

/// Output of `apply_change`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ApplyChangeOutput {
    /// True when Kafka accepted the change.
    pub applied: bool,
    /// The plan applied.
    pub plan_id: String,
    /// Cluster name.
    pub cluster: String,
    /// What was done.
    pub summary: String,
    /// Details Kafka returned (e.g. new log start offsets after a purge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// How to verify.
    pub verify: String,
}

impl Summary for ApplyChangeOutput {
    fn summary(&self) -> String {
        format!(
            "applied {}: {}\nverify: {}",
            self.plan_id, self.summary, self.verify
        )
    }
}

#[tool_router(router = apply_change_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Apply a plan_id from a plan_* action; confirm = the topic or group it changes. Re-checks the
    /// plan (unexpired, target unchanged) before writing.
    #[tool(
        annotations(read_only_hint = false, destructive_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<ApplyChangeOutput>()
    )]
    pub async fn apply_change(
        &self,
        Parameters(input): Parameters<ApplyChangeInput>,
        peer: Peer<RoleServer>,
    ) -> Result<Answer<ApplyChangeOutput>, ToolError> {
        let out = self.apply_change_output(&input, Some(peer)).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    fn audit_apply(&self, plan: &Plan, result: &str) {
        self.state().audit.record(&AuditRecord {
            ts_ms: now_ms(),
            cluster: &plan.cluster,
            event: "apply",
            tool: "apply_change",
            target: plan.change.target(),
            plan_id: &plan.id,
            result,
        });
    }

    /// Applies a plan after every check; `peer` is used to ask the human (elicitation) when the
    /// client supports it.
    pub async fn apply_change_output(
        &self,
        input: &ApplyChangeInput,
        peer: Option<Peer<RoleServer>>,
    ) -> Result<ApplyChangeOutput, ToolError> {
        if !self.config().allow_writes {
            return Err(ToolError::refused("writes are disabled: start kafka-mcp with --allow-writes (or allow_writes = true in [server]) to apply plans"));
        }
        let plan = self
            .state()
            .plans
            .check(&input.plan_id, &input.confirm, now_ms())
            .map_err(|e| ToolError::refused(e.to_string()))?;
        let refuse = |msg: String| {
            self.audit_apply(&plan, &format!("refused: {msg}"));
            ToolError::refused(msg)
        };
        let cluster = self.cluster(Some(&plan.cluster))?;
        if !cluster.config.allow_writes {
            return Err(refuse(format!(
                "cluster {} has allow_writes = false in the config: nothing was changed",
                plan.cluster
            )));
        }
        if let Some(topic) = plan.change.topic() {
            write_guard(topic, self.config()).map_err(&refuse)?;
        }
        if let Some(peer) = peer {
            if !crate::mcp_tools::confirm_with_human(&peer, &plan).await? {
                return Err(refuse(
                    "the human declined the change in the confirmation dialog; nothing was changed"
                        .into(),
                ));
            }
        }
        if let Err(e) = self.check_precondition(&cluster, &plan.precondition).await {
            self.audit_apply(&plan, &format!("refused: {e}"));
            // A stale plan can never become valid again.
            self.state().plans.take(&plan.id);
            return Err(e);
        }
        let result = self.execute(&cluster, &plan.change).await;
        self.state().plans.take(&plan.id);
        match result {
            Ok(details) => {
                self.audit_apply(&plan, "ok");
                Ok(ApplyChangeOutput {
                    applied: true,
                    plan_id: plan.id.clone(),
                    cluster: plan.cluster.clone(),
                    summary: plan.summary.clone(),
                    result: details,
                    verify: verify_hint(&plan.change),
                })
            }
            Err(e) => {
                self.audit_apply(&plan, &format!("failed: {e}"));
                if e.kind == crate::error::ErrorKind::Unavailable {
                    // The request may have reached the broker before the deadline passed.
                    return Err(ToolError::unavailable(format!(
                        "{}. The broker may still apply the change: check with {} before planning again.",
                        e.message,
                        verify_hint(&plan.change)
                    )));
                }
                Err(e)
            }
        }
    }

    async fn check_precondition(
        &self,
        cluster: &Arc<Cluster>,
        pre: &Precondition,
    ) -> Result<(), ToolError> {
        let stale = |what: String| {
            ToolError::refused(format!(
                "the plan is stale: {what}. Nothing was changed; make a new plan."
            ))
        };
        match pre {
            Precondition::TopicAbsent(topic) => {
                let (_, all) = admin::metadata(cluster, None).await?;
                if all
                    .iter()
                    .any(|t| &t.name == topic && !t.partitions.is_empty())
                {
                    return Err(stale(format!("topic {topic:?} was created since planning")));
                }
            }
            Precondition::TopicUnchanged {
                topic,
                partitions,
                configs,
            } => {
                let (_, all) = admin::metadata(cluster, None).await?;
                let t = all
                    .iter()
                    .find(|t| &t.name == topic && !t.partitions.is_empty())
                    .ok_or_else(|| stale(format!("topic {topic:?} no longer exists")))?;
                if t.partitions.len() != *partitions {
                    return Err(stale(format!(
                        "topic {topic:?} now has {} partitions (planned with {partitions})",
                        t.partitions.len()
                    )));
                }
                if !configs.is_empty() {
                    let set = admin::topic_configs(cluster, topic).await?;
                    for (k, old) in configs {
                        let now = set.value(k).map(str::to_string);
                        if &now != old {
                            return Err(stale(format!(
                                "{topic}'s {k} changed from {old:?} to {now:?} since planning"
                            )));
                        }
                    }
                }
            }
            Precondition::GroupInactive { group, committed } => {
                let rows = groups::describe_groups(cluster, vec![group.clone()]).await?;
                if let Some((_, Ok(d))) = rows.into_iter().next() {
                    if !d.members.is_empty() {
                        return Err(ToolError::refused(format!(
                            "group {group:?} became active ({} member(s)) since planning: stop its consumers, then plan again. Nothing was changed.",
                            d.members.len()
                        )));
                    }
                }
                let now: BTreeMap<(String, i32), Option<i64>> =
                    groups::committed(cluster, group, None)
                        .await?
                        .into_iter()
                        .map(|c| ((c.topic, c.partition), c.offset))
                        .collect();
                for (k, old) in committed {
                    let cur = now.get(k).copied().flatten();
                    if cur != *old {
                        return Err(stale(format!("group {group}'s committed offset on {}-{} moved from {old:?} to {cur:?}", k.0, k.1)));
                    }
                }
            }
        }
        Ok(())
    }

    async fn execute(
        &self,
        cluster: &Arc<Cluster>,
        change: &Change,
    ) -> Result<Option<serde_json::Value>, ToolError> {
        match change {
            Change::CreateTopic {
                topic,
                partitions,
                replication_factor,
                configs,
            } => {
                topics::create_topic(
                    cluster,
                    topic,
                    *partitions,
                    *replication_factor,
                    configs,
                    false,
                )
                .await?;
                Ok(None)
            }
            Change::AlterTopicConfigs { topic, set, delete } => {
                topics::alter_topic_configs(cluster, topic, set, delete, false).await?;
                Ok(None)
            }
            Change::AddPartitions { topic, to, .. } => {
                topics::create_partitions(cluster, topic, *to as usize, false).await?;
                Ok(None)
            }
            Change::DeleteTopic { topic } => {
                topics::delete_topic(cluster, topic).await?;
                Ok(None)
            }
            Change::PurgeTopic { topic, before } => {
                let parsed: Vec<(i32, i64)> = before
                    .iter()
                    .map(|(p, o)| (*p, o.parse().unwrap_or(0)))
                    .collect();
                let low = topics::delete_records(cluster, topic, &parsed).await?;
                Ok(Some(serde_json::json!({
                    "new_log_start_offsets": low.iter().map(|(p, o)| serde_json::json!({"partition": p, "log_start_offset": o.to_string()})).collect::<Vec<_>>()
                })))
            }
            Change::ResetOffsets { group, offsets } => {
                let parsed: Vec<(String, i32, i64)> = offsets
                    .iter()
                    .map(|(t, p, o)| (t.clone(), *p, o.parse().unwrap_or(0)))
                    .collect();
                groups::alter_offsets(cluster, group, parsed).await?;
                Ok(None)
            }
            Change::DeleteGroup { group } => {
                groups::delete_group(cluster, group).await?;
                Ok(None)
            }
        }
    }
}

fn verify_hint(change: &Change) -> String {
    match change {
        Change::CreateTopic { topic, .. }
        | Change::AlterTopicConfigs { topic, .. }
        | Change::AddPartitions { topic, .. }
        | Change::PurgeTopic { topic, .. } => {
            format!("topic_manage action=describe topic={topic}")
        }
        Change::DeleteTopic { topic } => {
            format!("topic_manage action=list filter={topic} (deletion completes asynchronously)")
        }
        Change::ResetOffsets { group, .. } => format!("consumer_groups action=lag group={group}"),
        Change::DeleteGroup { .. } => "consumer_groups action=list".to_string(),
    }
}

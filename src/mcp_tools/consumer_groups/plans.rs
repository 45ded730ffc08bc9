//! Plans for inactive groups only: reset offsets, delete the group.

use super::*;

impl KafkaMcp {
    pub(super) async fn inactive_group(
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

    pub(super) async fn plan_reset(
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

    pub(super) async fn plan_delete_group(
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

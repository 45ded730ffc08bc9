//! Write plans: create, alter configs, add partitions, delete, purge. Each is validated (by the
//! broker where Kafka offers validate_only) and stored for apply_change.

use super::*;
use crate::plans::Draft;

impl KafkaMcp {
    pub(super) fn guard(&self, cluster: &Cluster, topic: &str) -> Result<(), ToolError> {
        write_guard(topic, self.config()).map_err(ToolError::refused)?;
        if !cluster.config.allow_writes {
            // Plans are still useful to review, but say up front that applying needs writes.
            tracing::debug!(cluster = %cluster.config.name, "planning on a read-only cluster");
        }
        Ok(())
    }

    /// Stores the draft and answers with it.
    pub(super) fn finish_plan(
        &self,
        cluster: &Cluster,
        action: &str,
        draft: Draft,
    ) -> TopicManageOutput {
        let mut out = TopicManageOutput::new(action, &cluster.config.name);
        out.plan = Some(self.store_plan(&cluster.config, &format!("topic_manage.{action}"), draft));
        out
    }

    pub(super) async fn plan_create(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (brokers, all) = admin::metadata(cluster, None).await?;
        let existing: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        let mut notes = rules::check_new_topic_name(topic, &existing)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let rf = input
            .replication_factor
            .or_else(|| {
                input
                    .capacity
                    .as_ref()
                    .and_then(|c| c.replication_factor)
                    .map(i64::from)
            })
            .unwrap_or_else(|| brokers.len().clamp(1, 3) as i64);
        let sizing = match &input.capacity {
            Some(c) => {
                let mut c = c.clone();
                c.broker_count.get_or_insert(brokers.len().max(1) as u32);
                c.replication_factor = Some(u32::try_from(rf).unwrap_or(0));
                Some(
                    capacity::plan_capacity(&c)
                        .map_err(|e| ToolError::invalid(format!("capacity: {e}")))?,
                )
            }
            None => None,
        };
        let partitions = match (input.partitions, &sizing) {
            (Some(p), _) => p,
            (None, Some(plan)) => i64::from(plan.partitions),
            (None, None) => {
                return Err(ToolError::invalid(
                    "plan_create needs `partitions` (e.g. 6), or `capacity` (e.g. {\"peak_throughput_mb_s\": 50}) to size them",
                ))
            }
        };
        notes.extend(
            rules::check_new_topic_layout(partitions, rf, brokers.len())
                .map_err(|e| ToolError::invalid(e.to_string()))?,
        );
        let configs = input.configs.clone().unwrap_or_default();
        rules::validate_configs(configs.iter()).map_err(|errs| {
            ToolError::invalid(
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        topics::create_topic(cluster, topic, partitions as i32, rf as i32, &configs, true).await?;
        let summary = format!(
            "create topic {topic} with {partitions} partition(s), RF {rf}{}",
            if configs.is_empty() {
                String::new()
            } else {
                format!(", configs {configs:?}")
            }
        );
        let mut impact = serde_json::json!({"new_partitions": partitions, "replicas_created": partitions * rf, "broker_validated": true});
        let mut warnings = notes_text(&notes);
        if let Some(plan) = &sizing {
            let recommended = i64::from(plan.partitions);
            if partitions < recommended {
                warnings.push(format!(
                    "partitions {partitions} is below the {recommended} the capacity calculator recommends for this load (see impact.sizing.steps): \
                     adding partitions later moves keys to other partitions"
                ));
            }
            warnings.extend(plan.warnings.iter().map(|w| format!("sizing: {w}")));
            impact["sizing"] = serde_json::json!({
                "recommended_partitions": plan.partitions,
                "brokers_needed": plan.brokers_needed,
                "limited_by": plan.limited_by,
                "storage_per_broker_gb": plan.storage_per_broker_gb,
                "assumptions": plan.assumptions,
                "steps": plan.steps,
            });
        }
        Ok(self.finish_plan(
            cluster,
            "plan_create",
            Draft::new(
                Change::CreateTopic {
                    topic: topic.into(),
                    partitions: partitions as i32,
                    replication_factor: rf as i32,
                    configs,
                },
                Precondition::TopicAbsent(topic.into()),
                summary,
            )
            .impact(&impact)
            .warnings(warnings),
        ))
    }

    pub(super) async fn plan_alter(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let set = input.configs.clone().unwrap_or_default();
        let delete = input.delete_configs.clone().unwrap_or_default();
        if set.is_empty() && delete.is_empty() {
            return Err(ToolError::invalid(
                "plan_alter_configs needs `configs` to set and/or `delete_configs` to remove",
            ));
        }
        if let Some(k) = delete.iter().find(|k| set.contains_key(*k)) {
            return Err(ToolError::invalid(format!("{k:?} is both set and deleted: pick one (remove it from `configs` or `delete_configs`)")));
        }
        let current = admin::topic_configs(cluster, topic).await?;
        let mut changes: Vec<rules::ConfigChange> = set
            .iter()
            .map(|(k, v)| rules::ConfigChange {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect();
        for k in &delete {
            if rules::topic_config_spec(k).is_none() {
                return Err(ToolError::invalid(format!(
                    "unknown topic config {k:?}{}",
                    rules::suggest_topic_config(k)
                        .map(|s| format!("; did you mean {s:?}?"))
                        .unwrap_or_default()
                )));
            }
            changes.push(rules::ConfigChange {
                key: k.clone(),
                value: None,
            });
        }
        let facts = rules::TopicFacts {
            replication_factor: Some(t.replication_factor() as i32),
            smallest_isr: t.partitions.iter().map(|p| p.isr.len() as i32).min(),
            null_key_share: None,
        };
        let impact = rules::config_change_impact(&current, &changes, &facts).map_err(|errs| {
            ToolError::invalid(
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        topics::alter_topic_configs(cluster, topic, &set, &delete, true).await?;
        let mut warnings = Vec::new();
        if !current.has_sources() {
            warnings.push("the broker returned no config sources/defaults: old values in the impact may be incomplete".into());
        }
        let touched: BTreeMap<String, Option<String>> = set
            .keys()
            .chain(delete.iter())
            .map(|k| (k.clone(), current.value(k).map(str::to_string)))
            .collect();
        let summary = format!(
            "alter configs of {topic}: set {}{}",
            set.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            if delete.is_empty() {
                String::new()
            } else {
                format!("; delete {}", delete.join(", "))
            }
        );
        Ok(self.finish_plan(
            cluster,
            "plan_alter_configs",
            Draft::new(
                Change::AlterTopicConfigs {
                    topic: topic.into(),
                    set,
                    delete,
                },
                Precondition::TopicUnchanged {
                    topic: topic.into(),
                    partitions: t.partitions.len(),
                    configs: touched,
                },
                summary,
            )
            .impact(&impact)
            .warnings(warnings),
        ))
    }

    pub(super) async fn plan_add_partitions(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let requested = input.partitions.ok_or_else(|| {
            ToolError::invalid("plan_add_partitions needs `partitions`: the new total count")
        })?;
        let current = t.partitions.len() as i32;
        if requested > i32::MAX as i64 || requested < 1 {
            return Err(ToolError::invalid(format!(
                "partitions must be between {} and {}",
                current + 1,
                i32::MAX
            )));
        }
        let cfg = admin::topic_configs(cluster, topic)
            .await
            .unwrap_or_default();
        let compacted = cfg
            .value("cleanup.policy")
            .is_some_and(|v| v.contains("compact"));
        let impact = rules::add_partitions_impact(current, requested as i32, compacted)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        topics::create_partitions(cluster, topic, requested as usize, true).await?;
        let summary = format!(
            "add partitions to {topic}: {current} -> {requested} ({:.0} % of keys move to another partition)",
            impact.keys_move_fraction * 100.0
        );
        let warnings = notes_text(&impact.notes);
        Ok(self.finish_plan(
            cluster,
            "plan_add_partitions",
            Draft::new(
                Change::AddPartitions {
                    topic: topic.into(),
                    from: current,
                    to: requested as i32,
                },
                Precondition::topic_unchanged(topic, t.partitions.len()),
                summary,
            )
            .impact(&impact)
            .warnings(warnings),
        ))
    }

    /// Offsets per partition and the committed offsets of every group on `topic`.
    pub(super) async fn topic_usage(
        &self,
        cluster: &Arc<Cluster>,
        t: &TopicSnapshot,
    ) -> Result<
        (
            Vec<rules::PartitionLog>,
            Vec<rules::GroupCommit>,
            Vec<String>,
        ),
        ToolError,
    > {
        let parts: BTreeSet<(String, i32)> = t
            .partitions
            .iter()
            .map(|p| (t.name.clone(), p.id))
            .collect();
        let ends = groups::log_offsets(cluster, &parts).await?;
        let offsets = t
            .partitions
            .iter()
            .map(|p| {
                let (lo, hi) = ends
                    .get(&(t.name.clone(), p.id))
                    .copied()
                    .unwrap_or((None, None));
                rules::PartitionLog {
                    partition: p.id,
                    log_start_offset: lo.unwrap_or(0),
                    end_offset: hi.unwrap_or(0),
                    size_bytes: None,
                }
            })
            .collect();
        let (found, notes) = groups::commits_on_topic(cluster, &t.name).await;
        let commits = found
            .into_iter()
            .map(|(group, partition, committed_offset)| rules::GroupCommit {
                group,
                partition,
                committed_offset,
            })
            .collect();
        Ok((offsets, commits, notes))
    }

    pub(super) async fn plan_delete(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let (offsets, commits, notes) = self.topic_usage(cluster, &t).await?;
        let impact = rules::delete_topic_impact(topic, &offsets, &commits);
        let summary = format!(
            "delete topic {topic}: {} partition(s), {} message(s) lost, {} group(s) still committed on it",
            impact.partitions,
            impact.messages_lost,
            impact.groups_with_commits.len()
        );
        let mut warnings = notes_text(&impact.notes);
        warnings.extend(notes);
        warnings.push("Kafka has no dry run for DeleteTopics: this plan was validated locally (name, existence, protection)".into());
        Ok(self.finish_plan(
            cluster,
            "plan_delete",
            Draft::new(
                Change::DeleteTopic {
                    topic: topic.into(),
                },
                Precondition::topic_unchanged(topic, t.partitions.len()),
                summary,
            )
            .impact(&impact)
            .warnings(warnings),
        ))
    }

    pub(super) async fn plan_purge(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        self.guard(cluster, topic)?;
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let parts: Vec<i32> = match input.partition {
            Some(p) if t.partitions.iter().any(|x| x.id == p) => vec![p],
            Some(p) => {
                return Err(ToolError::invalid(format!(
                    "partition {p} does not exist in {topic:?} ({} partitions): pass one in range, or omit `partition` for all",
                    t.partitions.len()
                )))
            }
            None => t.partitions.iter().map(|p| p.id).collect(),
        };
        let targets: Vec<rules::PurgeTarget> = match (
            input.before_offset,
            input.before_timestamp_ms,
        ) {
            (Some(o), None) => parts
                .iter()
                .map(|p| rules::PurgeTarget {
                    partition: *p,
                    before_offset: o,
                })
                .collect(),
            (None, Some(ts)) => {
                if ts > crate::plans::now_ms() + 60_000 {
                    return Err(ToolError::invalid("before_timestamp_ms is in the future: that would delete every record; pass a past timestamp or use before_offset"));
                }
                let keys: BTreeSet<(String, i32)> =
                    parts.iter().map(|p| (topic.to_string(), *p)).collect();
                let at = groups::offsets_at(cluster, &keys, ts)
                .await?;
                let ends = groups::log_offsets(cluster, &keys).await?;
                parts
                    .iter()
                    .map(|p| {
                        let k = (topic.to_string(), *p);
                        // No record at/after ts: everything in the partition is older.
                        let end = ends.get(&k).and_then(|(_, hi)| *hi).unwrap_or(0);
                        rules::PurgeTarget {
                            partition: *p,
                            before_offset: at.get(&k).copied().flatten().unwrap_or(end),
                        }
                    })
                    .collect()
            }
            _ => {
                return Err(ToolError::invalid(
                    "plan_purge needs `before_offset` or `before_timestamp_ms` (exactly one): pass the offset, or the epoch ms, to delete records before",
                ))
            }
        };
        let (offsets, commits, notes) = self.topic_usage(cluster, &t).await?;
        let offsets: Vec<rules::PartitionLog> = offsets
            .into_iter()
            .filter(|o| parts.contains(&o.partition))
            .collect();
        let impact = rules::purge_impact(topic, &offsets, &targets, &commits)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let before: Vec<(i32, String)> = targets
            .iter()
            .map(|t| (t.partition, t.before_offset.to_string()))
            .collect();
        let summary = format!(
            "purge {topic}: delete {} record(s) on {} partition(s)",
            impact.messages_removed_total,
            before.len()
        );
        let mut warnings = notes_text(&impact.notes);
        warnings.extend(notes);
        Ok(self.finish_plan(
            cluster,
            "plan_purge",
            Draft::new(
                Change::PurgeTopic {
                    topic: topic.into(),
                    before,
                },
                Precondition::topic_unchanged(topic, t.partitions.len()),
                summary,
            )
            .impact(&impact)
            .warnings(warnings),
        ))
    }
}

fn notes_text(notes: &[PlanNote]) -> Vec<String> {
    notes
        .iter()
        .map(|n| format!("[{:?}] {}: {}", n.severity, n.id, n.message))
        .collect()
}

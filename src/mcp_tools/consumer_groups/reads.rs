//! list (with lag) and evaluate (sampled verdicts).

use super::*;

impl KafkaMcp {
    pub(super) async fn groups_list(
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

    pub(super) async fn groups_evaluate(
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
}

//! Reads: list, describe, peek.

use super::framed::FramedDecoder;
use super::*;
use crate::analysis::rates;

impl KafkaMcp {
    pub(super) async fn topics_list(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let (_, mut all) = admin::metadata(cluster, None).await?;
        all.retain(|t| {
            (input.include_internal || !t.internal)
                && input
                    .filter
                    .as_deref()
                    .is_none_or(|f| glob_match(f, &t.name))
        });
        let sort = input.sort.unwrap_or_default();
        if sort == TopicSort::Partitions {
            all.sort_by(|a, b| {
                b.partitions
                    .len()
                    .cmp(&a.partitions.len())
                    .then(a.name.cmp(&b.name))
            });
        }
        let scope = format!(
            "topics:{:?}:{}:{:?}",
            input.filter, input.include_internal, sort
        );
        let (page, info) = paginate(all, input.limit, input.cursor.as_deref(), &scope)
            .map_err(ToolError::invalid)?;
        let counts = if input.with_counts {
            let parts: BTreeSet<(String, i32)> = page
                .iter()
                .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
                .collect();
            Some(groups::log_offsets(cluster, &parts).await?)
        } else {
            None
        };
        let rows = page
            .iter()
            .map(|t| TopicRow {
                name: t.name.clone(),
                partitions: t.partitions.len(),
                replication_factor: t.replication_factor(),
                internal: t.internal,
                messages: counts.as_ref().map(|c| {
                    t.partitions
                        .iter()
                        .map(|p| match c.get(&(t.name.clone(), p.id)) {
                            Some((Some(lo), Some(hi))) => (hi - lo).max(0),
                            _ => 0,
                        })
                        .sum::<i64>()
                        .to_string()
                }),
            })
            .collect();
        let mut out = TopicManageOutput::new("list", &cluster.config.name);
        out.topics = Some(rows);
        out.page = Some(info);
        Ok(out)
    }

    pub(super) async fn topic_meta(
        &self,
        cluster: &Arc<Cluster>,
        topic: &str,
    ) -> Result<(usize, TopicSnapshot), ToolError> {
        let (brokers, t) = self.topic_with_brokers(cluster, topic).await?;
        Ok((brokers.len(), t))
    }

    pub(super) async fn topic_with_brokers(
        &self,
        cluster: &Arc<Cluster>,
        topic: &str,
    ) -> Result<(Vec<BrokerSnapshot>, TopicSnapshot), ToolError> {
        let (brokers, all) = admin::metadata_of(cluster, &[topic.to_string()]).await?;
        match all.into_iter().find(|t| t.name == topic) {
            Some(t) if !t.partitions.is_empty() => Ok((brokers, t)),
            Some(t) if t.error.as_deref().is_some_and(|e| e.contains("Authorization")) => Err(ToolError::refused(format!(
                "not authorized to describe topic {topic:?} ({}): grant this principal DESCRIBE on the topic",
                t.error.as_deref().unwrap_or_default()
            ))),
            _ => Err(ToolError::not_found(format!(
                "topic {topic:?} does not exist on cluster {}. Call topic_manage action=list (with filter) to find the name.",
                cluster.config.name
            ))),
        }
    }

    pub(super) async fn topics_describe(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let mut names: Vec<String> = input.topics.clone().unwrap_or_default();
        if let Some(t) = &input.topic {
            names.insert(0, t.clone());
        }
        names.dedup();
        if names.is_empty() {
            return Err(ToolError::invalid("describe needs `topic` or `topics`: call topic_manage action=list to see the names"));
        }
        if names.len() > 20 {
            return Err(ToolError::invalid(
                "describe takes at most 20 topics per call: send them in batches of 20",
            ));
        }
        let (brokers, all) = admin::metadata_of(cluster, &names).await?;
        let live: BTreeSet<i32> = brokers.iter().map(|b| b.id).collect();
        let mut found = Vec::new();
        for n in &names {
            match all.iter().find(|t| &t.name == n && !t.partitions.is_empty()) {
                Some(t) => found.push(t.clone()),
                None => {
                    return Err(ToolError::not_found(format!(
                        "topic {n:?} does not exist. Call topic_manage action=list with a filter to find it."
                    )))
                }
            }
        }
        let parts: BTreeSet<(String, i32)> = found
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect();
        let (ends, cfgs, ids) = tokio::join!(
            groups::log_offsets(cluster, &parts),
            admin::topics_and_broker_configs(cluster, &names, brokers.first().map(|b| b.id)),
            topics::topic_ids(cluster, names.clone())
        );
        let ends = ends?;
        let mut out = TopicManageOutput::new("describe", &cluster.config.name);
        let mut cfg_by_topic: BTreeMap<String, ConfigSet> = BTreeMap::new();
        let mut broker_min_isr = None;
        match cfgs {
            Ok(c) => {
                for (name, r) in c.topics {
                    match r {
                        Ok(set) => {
                            cfg_by_topic.insert(name, set);
                        }
                        Err(e) => out.notes.push(format!("configs of {name}: {e}")),
                    }
                }
                match c.broker {
                    Some(Ok(set)) => broker_min_isr = set.int("min.insync.replicas"),
                    Some(Err(e)) => out.notes.push(format!(
                        "configs of {}: {e}",
                        brokers.first().map(|b| b.id).unwrap_or_default()
                    )),
                    None => {}
                }
            }
            Err(e) => out.notes.push(format!("DescribeConfigs failed: {e}")),
        }
        let ids = ids.unwrap_or_else(|e| {
            out.notes.push(format!("topic ids unknown: {e}"));
            BTreeMap::new()
        });
        let mut described = Vec::new();
        for t in &found {
            // A topic whose configs were not returned has an unknown min ISR: the broker default
            // stands in only for a topic whose answer lacked the key (a broker that returns
            // overrides only), never for an answer that did not come.
            let answered = cfg_by_topic.get(&t.name);
            let set = answered.cloned().unwrap_or_default();
            if !set.has_sources() && !set.entries.is_empty() {
                out.notes.push(format!("the broker returned configs of {} without sources or defaults (only overrides): real Kafka returns every effective config with its source", t.name));
            }
            let min_isr = match answered {
                Some(set) => set.int("min.insync.replicas").or(broker_min_isr),
                None => None,
            };
            let mut total: Option<i64> = Some(0);
            let mut rows = Vec::new();
            for p in &t.partitions {
                let (lo, hi) = ends
                    .get(&(t.name.clone(), p.id))
                    .copied()
                    .unwrap_or((None, None));
                let msgs = rates::retained(&ends, &(t.name.clone(), p.id));
                total = total.zip(msgs).map(|(a, b)| a + b);
                rows.push(PartitionOut {
                    partition: p.id,
                    leader: p.leader,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    offline_replicas: p
                        .replicas
                        .iter()
                        .copied()
                        .filter(|r| !live.contains(r))
                        .collect(),
                    earliest: lo.map(|v| v.to_string()),
                    latest: hi.map(|v| v.to_string()),
                    messages: msgs.map(|v| v.to_string()),
                });
            }
            let health = health::topic_health_note(t, min_isr, answered.is_some());
            let (page, info) = paginate(
                rows,
                input.limit,
                input.cursor.as_deref(),
                &format!("describe:{}", t.name),
            )
            .map_err(ToolError::invalid)?;
            described.push(TopicDetail {
                name: t.name.clone(),
                topic_id: ids.get(&t.name).cloned().flatten(),
                internal: t.internal,
                replication_factor: t.replication_factor(),
                partition_count: t.partitions.len(),
                messages: total.map(|v| v.to_string()),
                health,
                configs: set
                    .entries
                    .iter()
                    .filter(|e| input.all_configs || e.source != ConfigSource::DefaultConfig)
                    .map(|e| ConfigOut {
                        name: e.name.clone(),
                        value: if e.sensitive { None } else { e.value.clone() },
                        source: e.source.as_str().to_string(),
                    })
                    .collect(),
                partitions: page,
                partitions_page: info,
            });
        }
        out.described = Some(described);
        Ok(out)
    }

    pub(super) async fn topics_peek(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let count = input.count.unwrap_or(5);
        if count == 0 || count > 100 {
            return Err(ToolError::invalid(format!("count must be 1..=100 (got {count}); pass a smaller count, or page with from/offset")));
        }
        let max = input.max_value_bytes.unwrap_or(1024).clamp(16, 65_536);
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let all: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let parts = match input.partition {
            Some(p) if all.contains(&p) => vec![p],
            Some(p) => {
                return Err(ToolError::invalid(format!(
                    "topic {topic:?} has partitions 0..={}; partition {p} does not exist: pass one in that range, or omit `partition`",
                    all.len() - 1
                )))
            }
            None => all,
        };
        let start = match (input.offset, input.timestamp_ms) {
            (Some(_), Some(_)) => {
                return Err(ToolError::invalid(
                    "give `offset` or `timestamp_ms`, not both: remove one of them",
                ))
            }
            (Some(o), None) => {
                if input.partition.is_none() {
                    return Err(ToolError::invalid(
                        "`offset` needs `partition` (offsets are per partition)",
                    ));
                }
                if o < 0 {
                    return Err(ToolError::invalid(
                        "`offset` must be >= 0; use from=last for the newest records",
                    ));
                }
                Start::Offset(o)
            }
            (None, Some(ts)) => Start::Timestamp(ts),
            (None, None) => match input.from.unwrap_or_default() {
                PeekFrom::Last => Start::Last,
                PeekFrom::First => Start::First,
            },
        };
        let (ranges, _) = records::plan_ranges(cluster, topic, &parts, start, count as i64).await?;
        let total_range: i64 = ranges.iter().map(|r| r.to - r.from).sum();
        let (mut recs, incomplete) = records::read_ranges(
            cluster,
            ranges,
            (total_range as usize).min(count * parts.len()),
        )
        .await?;
        // Merge partitions: newest N by timestamp for `last`, oldest N otherwise.
        recs.sort_by_key(|r| (r.timestamp_ms.unwrap_or(0), r.partition, r.offset));
        if start == Start::Last && recs.len() > count {
            recs.drain(..recs.len() - count);
        }
        recs.truncate(count);
        let mut out = TopicManageOutput::new("peek", &cluster.config.name);
        if incomplete {
            out.notes.push(format!(
                "stopped at the {} ms deadline: fewer records than asked",
                cluster.timeout.as_millis()
            ));
        }
        if recs.is_empty() {
            out.notes.push(
                "no records in the requested range (empty topic or partition, or past the end)"
                    .into(),
            );
        }
        let mut framed = FramedDecoder::new(self.config());
        let mut records = Vec::with_capacity(recs.len());
        for r in &recs {
            records.push(record_out(r, max, &mut framed).await);
        }
        out.records = Some(records);
        out.notes.extend(framed.into_notes());
        Ok(out)
    }
}

/// One record as peek shows it: framed keys and values decoded with their writer schema,
/// the rest as JSON, text or base64; headers never framed.
async fn record_out(r: &OwnedRecord, max: usize, framed: &mut FramedDecoder) -> RecordOut {
    let key = match r.key.as_deref() {
        Some(k) => Some(framed.payload(k, max).await),
        None => None,
    };
    let value = match r.value.as_deref() {
        Some(v) => Some(framed.payload(v, max).await),
        None => None,
    };
    RecordOut {
        partition: r.partition,
        offset: r.offset.to_string(),
        timestamp_ms: r.timestamp_ms,
        key,
        value,
        headers: r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_deref().map(|v| decode(v, max))))
            .collect(),
    }
}

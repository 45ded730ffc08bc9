//! Load reads: skew, keys, plan_capacity — offsets twice over a window, a key sample, log-dir sizes.

use super::*;
use crate::analysis::observed;
use crate::analysis::rates::Rates;
use crate::analysis::sample::{self, KeySample};

impl KafkaMcp {
    pub(super) async fn topics_skew(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let tolerance_pct = input
            .tolerance_pct
            .unwrap_or(self.config().skew_tolerance * 100.0);
        if !(tolerance_pct.is_finite() && (0.0..=1000.0).contains(&tolerance_pct)) {
            return Err(ToolError::invalid(format!(
                "tolerance_pct {tolerance_pct} is out of range: pass a percent from 0 to 1000 above the mean that makes a partition hot (default 10)"
            )));
        }
        let window = window(input)?;
        let per = sample_size(input)?;
        let (brokers, t) = self.topic_with_brokers(cluster, topic).await?;
        let parts: BTreeSet<(String, i32)> = t
            .partitions
            .iter()
            .map(|p| (t.name.clone(), p.id))
            .collect();
        let ids: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let (measured, sampled, sizes) = tokio::join!(
            measure(cluster, &parts, window),
            sample(cluster, topic, &ids, per),
            topic_sizes(cluster, &brokers, &t)
        );
        let (offsets, rates) = measured?;
        let mut out = TopicManageOutput::new("skew", &cluster.config.name);
        let sizes = known_sizes(sizes, &mut out.notes);
        let mut unknown = Vec::new();
        let loads: Vec<PartitionLoad> = t
            .partitions
            .iter()
            .map(|p| {
                let k = (t.name.clone(), p.id);
                let messages = match offsets.get(&k).copied() {
                    Some((Some(lo), Some(hi))) => (hi - lo).max(0),
                    _ => {
                        unknown.push(p.id);
                        0
                    }
                };
                PartitionLoad {
                    partition: p.id,
                    messages,
                    bytes: sizes
                        .as_ref()
                        .and_then(|s| s.partition_bytes(topic, p.id, p.leader)),
                    rate_msg_s: rates
                        .as_ref()
                        .and_then(|r| r.per_partition.get(&k).copied()),
                }
            })
            .collect();
        if !unknown.is_empty() {
            out.notes.push(format!("offsets of partition(s) {unknown:?} unknown (leader offline?): counted as 0 messages, no rate"));
        }
        let records: BTreeMap<i32, i64> = loads
            .iter()
            .filter(|l| !unknown.contains(&l.partition))
            .map(|l| (l.partition, l.messages))
            .collect();
        let records = unknown.is_empty().then_some(&records);
        let keys = match sampled {
            Ok(sample) => sample
                .distribution(&ids, input.show_keys, records, &mut out.notes)
                .map_err(|e| ToolError::invalid(e.to_string()))?,
            Err(e) => {
                out.notes.push(format!(
                    "key sample failed, causes that need keys are not judged: {e}"
                ));
                None
            }
        };
        let report = skew::analyze_skew(&loads, keys.as_ref(), tolerance_pct / 100.0)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        if let Some(r) = &rates {
            if report.basis == skew::SkewBasis::Messages && report.total_messages > 0 {
                out.notes.push(format!(
                    "nothing was produced during the {} ms window: shares are of retained messages (history), not current traffic; raise window_ms to catch a slow producer",
                    r.window_ms
                ));
            }
        }
        out.skew = Some(SkewOut {
            topic: topic.to_string(),
            rate_window_ms: rates.as_ref().map(|r| r.window_ms),
            sizes_known: loads.iter().all(|l| l.bytes.is_some()),
            report,
        });
        out.keys = keys;
        Ok(out)
    }

    pub(super) async fn topics_keys(
        &self,
        cluster: &Arc<Cluster>,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let topic = need_topic(input)?;
        let per = sample_size(input)?;
        if per == 0 {
            return Err(ToolError::invalid(format!(
                "keys needs `sample_per_partition` of 1..={MAX_SAMPLE} (default {DEFAULT_SAMPLE}): pass a positive count"
            )));
        }
        let (_, t) = self.topic_meta(cluster, topic).await?;
        let ids: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
        let parts: BTreeSet<(String, i32)> = ids.iter().map(|p| (t.name.clone(), *p)).collect();
        // Partition sizes weigh each partition's sample, so a key's share is of the topic.
        let (sampled, offsets) = tokio::join!(
            sample(cluster, topic, &ids, per),
            groups::log_offsets(cluster, &parts)
        );
        let sampled = sampled?;
        let mut out = TopicManageOutput::new("keys", &cluster.config.name);
        let records: Option<BTreeMap<i32, i64>> = match offsets {
            Ok(o) => ids
                .iter()
                .map(|p| match o.get(&(t.name.clone(), *p)) {
                    Some((Some(lo), Some(hi))) => Some((*p, (hi - lo).max(0))),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                out.notes.push(format!(
                    "partition offsets unknown ({e}): key shares are of the sample only"
                ));
                None
            }
        };
        out.keys = sampled
            .distribution(&ids, input.show_keys, records.as_ref(), &mut out.notes)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        if let Some(k) = &out.keys {
            if k.partitioner_guess == PartitionerGuess::Other {
                out.notes.push("placement matches no known partitioner: if partitions were added, older records sit where the old count put them; otherwise check the producers' partitioner".into());
            }
        }
        Ok(out)
    }

    pub(super) async fn plan_capacity(
        &self,
        input: &TopicManageInput,
    ) -> Result<TopicManageOutput, ToolError> {
        let cap_err = |e: capacity::CapacityError| ToolError::invalid(format!("capacity: {e}"));
        if input.cluster.is_none() && input.topic.is_none() {
            let given = input.capacity.as_ref().ok_or_else(|| {
                ToolError::invalid(
                    "plan_capacity needs `capacity`, e.g. {\"avg_throughput_mb_s\": 20, \"peak_throughput_mb_s\": 50, \"retention_ms\": 604800000}; add `cluster` to also measure a cluster's headroom",
                )
            })?;
            let plan = capacity::plan_capacity(given).map_err(cap_err)?;
            let mut out = TopicManageOutput::new("plan_capacity", "none");
            out.sizing = Some(SizingOut {
                plan: Some(plan),
                observed: None,
                headroom: None,
            });
            out.notes.push("pure calculation, no cluster read: pass `cluster` (or `topic`) to compare with a cluster's observed load".into());
            return Ok(out);
        }
        let cluster = self.cluster(input.cluster.as_deref())?;
        let window = window(input)?;
        if window.as_millis() < 100 {
            return Err(ToolError::invalid("plan_capacity with a cluster measures produce rates over window_ms: pass at least 100 (default 2000)"));
        }
        let cap = input.capacity.clone().unwrap_or_default();
        let (brokers, all) = admin::metadata(&cluster, None).await?;
        let scope: Vec<TopicSnapshot> = match input.topic.as_deref() {
            Some(name) => vec![all.into_iter().find(|t| t.name == name && !t.partitions.is_empty()).ok_or_else(|| {
                ToolError::not_found(format!("topic {name:?} does not exist on cluster {}. Call topic_manage action=list to find it.", cluster.config.name))
            })?],
            None => all.into_iter().filter(|t| !t.internal && !t.partitions.is_empty()).collect(),
        };
        let parts: BTreeSet<(String, i32)> = scope
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect();
        let dir_topics: Option<BTreeMap<String, Vec<i32>>> = input.topic.as_ref().map(|_| {
            scope
                .iter()
                .map(|t| (t.name.clone(), t.partitions.iter().map(|p| p.id).collect()))
                .collect()
        });
        let (measured, sizes) = tokio::join!(
            measure(&cluster, &parts, window),
            log_dirs::describe_log_dirs(&cluster, &brokers, dir_topics.as_ref())
        );
        let (offsets, rates) = measured?;
        let rates = rates.unwrap_or_default();
        let mut out = TopicManageOutput::new("plan_capacity", &cluster.config.name);
        let sizes = known_sizes(sizes, &mut out.notes);
        // Bytes per record: on disk when the brokers report sizes, else given, else sampled.
        let on_disk = observed::bytes_per_record_on_disk(&scope, &offsets, sizes.as_ref());
        let record_bytes = match (on_disk, cap.avg_message_bytes) {
            (Some(b), _) => Some((b, "describe_log_dirs")),
            (None, Some(b)) => Some((b, "given")),
            (None, None) => match sample_sizes(&cluster, &rates, &offsets).await {
                Ok(b) => b.map(|b| (b, "sampled")),
                Err(e) => {
                    out.notes
                        .push(format!("record sizes could not be sampled: {e}"));
                    None
                }
            },
        };
        let reads = observed::Reads {
            scope: &scope,
            one_topic: input.topic.is_some(),
            offsets: &offsets,
            rates: &rates,
            sizes: sizes.as_ref(),
            brokers: brokers.len(),
            record_bytes,
        };
        let obs = observed::observe(&reads, cap).map_err(cap_err)?;
        out.notes.extend(obs.notes);
        out.sizing = Some(SizingOut {
            plan: obs.plan,
            observed: Some(ObservedOut {
                topics: scope.len(),
                window_ms: rates.window_ms,
                messages_per_s: obs.messages_per_s,
                avg_message_bytes: record_bytes.map(|(b, _)| b),
                message_bytes_source: record_bytes.map(|(_, s)| s.to_string()),
                storage_source: obs.storage_source.map(str::to_string),
                load: obs.load,
            }),
            headroom: obs.headroom,
        });
        Ok(out)
    }
}

/// Default window between the two reads of the latest offsets, ms.
const DEFAULT_WINDOW_MS: u64 = 2_000;
/// Longest window a call may ask for, ms (the call blocks that long).
const MAX_WINDOW_MS: u64 = 30_000;
/// Records sampled per partition by default (keys, skew).
const DEFAULT_SAMPLE: usize = 200;
/// Most records a call may sample per partition.
const MAX_SAMPLE: usize = 2_000;

fn window(input: &TopicManageInput) -> Result<Duration, ToolError> {
    let ms = input.window_ms.unwrap_or(DEFAULT_WINDOW_MS);
    if ms > MAX_WINDOW_MS {
        return Err(ToolError::invalid(format!(
            "window_ms {ms} is too long: pass at most {MAX_WINDOW_MS} (0 skips the rate)"
        )));
    }
    Ok(Duration::from_millis(ms))
}

fn sample_size(input: &TopicManageInput) -> Result<usize, ToolError> {
    let n = input.sample_per_partition.unwrap_or(DEFAULT_SAMPLE);
    if n > MAX_SAMPLE {
        return Err(ToolError::invalid(format!(
            "sample_per_partition {n} is too many: pass at most {MAX_SAMPLE} (0 skips the key sample)"
        )));
    }
    Ok(n)
}

/// Offsets now and (unless `window` is zero) produce rates over `window`.
async fn measure(
    cluster: &Arc<Cluster>,
    parts: &BTreeSet<(String, i32)>,
    window: Duration,
) -> Result<(LogOffsets, Option<Rates>), ToolError> {
    let (first, second) = groups::offsets_over(cluster, parts, window).await?;
    let rates = second.map(|(latest, elapsed)| Rates::between(parts, &first, &latest, elapsed));
    Ok((first, rates))
}

/// The newest records of `parts` (at most `asked` each, cut to the sample cap), keys only.
async fn sample(
    cluster: &Arc<Cluster>,
    topic: &str,
    parts: &[i32],
    asked: usize,
) -> Result<KeySample, ToolError> {
    let per = sample::per_partition(asked, parts.len());
    let (records, incomplete) = records::newest(cluster, topic, parts, per).await?;
    Ok(KeySample {
        keys: records.into_iter().map(|r| (r.partition, r.key)).collect(),
        per_partition: per,
        asked,
        incomplete,
    })
}

/// Average record size (key + value + headers) of the newest records of the busiest partitions.
async fn sample_sizes(
    cluster: &Arc<Cluster>,
    rates: &Rates,
    offsets: &LogOffsets,
) -> Result<Option<f64>, ToolError> {
    let recs = records::newest_of(cluster, &sample::busiest(offsets, rates, 8), 25).await?;
    let sizes: Vec<usize> = recs
        .iter()
        .map(|r| sample::record_bytes(r.key.as_deref(), r.value.as_deref(), &r.headers))
        .collect();
    Ok(sample::average(&sizes))
}

/// DescribeLogDirs for the brokers holding `t`'s replicas.
async fn topic_sizes(
    cluster: &Arc<Cluster>,
    brokers: &[BrokerSnapshot],
    t: &TopicSnapshot,
) -> Result<LogDirSizes, String> {
    let hosting: BTreeSet<i32> = t
        .partitions
        .iter()
        .flat_map(|p| p.replicas.iter().copied())
        .collect();
    let asked: Vec<BrokerSnapshot> = brokers
        .iter()
        .filter(|b| hosting.contains(&b.id))
        .cloned()
        .collect();
    let topics = BTreeMap::from([(t.name.clone(), t.partitions.iter().map(|p| p.id).collect())]);
    log_dirs::describe_log_dirs(cluster, &asked, Some(&topics)).await
}

/// Sizes when known; why not (or which brokers failed) goes to `notes`.
fn known_sizes(sizes: Result<LogDirSizes, String>, notes: &mut Vec<String>) -> Option<LogDirSizes> {
    match sizes {
        Ok(s) => {
            notes.extend(
                s.failures
                    .iter()
                    .map(|f| format!("sizes partly unknown: {f}")),
            );
            Some(s)
        }
        Err(reason) => {
            notes.push(format!("partition sizes unknown: {reason}"));
            None
        }
    }
}

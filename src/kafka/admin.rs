//! Admin calls that build snapshots: Metadata, DescribeCluster, DescribeConfigs and
//! DescribeQuorum, each under the cluster's deadline, run concurrently where they are
//! independent. Returns plain `crate::snapshot` types; partial failures become notes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::metadata::Metadata;

pub use super::error::{ffi_name, from_ffi, hint_for, translate};
use super::{ffi, log_dirs, quorum, Cluster, ClusterFacts, Error, Result};
use crate::snapshot::*;

/// Kafka's longest legal topic name.
const MAX_TOPIC_NAME_LEN: usize = 249;

/// Metadata for all topics (or one), as plain snapshot types, topics sorted by name.
pub async fn metadata(
    cluster: &Arc<Cluster>,
    topic: Option<&str>,
) -> Result<(Vec<BrokerSnapshot>, Vec<TopicSnapshot>)> {
    if let Some(t) = topic.filter(|t| t.is_empty() || t.len() > MAX_TOPIC_NAME_LEN) {
        // librdkafka cannot make a topic handle for such a name (rust-rdkafka then panics on the
        // NULL handle); Kafka would refuse it anyway.
        return Err(Error::Broker {
            what: "Metadata".into(),
            name: "INVALID_TOPIC_EXCEPTION".into(),
            message: format!(
                "a topic name of {} characters is not legal (Kafka allows 1 to {MAX_TOPIC_NAME_LEN})",
                t.chars().count()
            ),
            hint: " Check the name with topic_manage action=list.".into(),
        });
    }
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let topic = topic.map(str::to_string);
    let c = cluster.clone();
    cluster
        .blocking("Metadata", move || {
            admin
                .inner()
                .fetch_metadata(topic.as_deref(), timeout)
                .map(|m| from_metadata(&m))
                .map_err(|e| translate(&c, "Metadata", e))
        })
        .await
}

/// Metadata of the named topics only (one request each, concurrently): cheap on clusters with
/// thousands of topics. Brokers come from the first answer. A missing topic is absent from the
/// result (or present with an error and no partitions).
pub async fn metadata_of(
    cluster: &Arc<Cluster>,
    names: &[String],
) -> Result<(Vec<BrokerSnapshot>, Vec<TopicSnapshot>)> {
    let answers = futures::future::join_all(names.iter().map(|n| metadata(cluster, Some(n)))).await;
    let mut brokers = Vec::new();
    let mut topics = Vec::new();
    for a in answers {
        let (b, t) = a?;
        if brokers.is_empty() {
            brokers = b;
        }
        topics.extend(t.into_iter().filter(|t| names.contains(&t.name)));
    }
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((brokers, topics))
}

/// Converts rdkafka's metadata into snapshot types.
pub fn from_metadata(m: &Metadata) -> (Vec<BrokerSnapshot>, Vec<TopicSnapshot>) {
    let mut brokers: Vec<BrokerSnapshot> = m
        .brokers()
        .iter()
        .map(|b| BrokerSnapshot {
            id: b.id(),
            host: b.host().to_string(),
            port: b.port() as u16,
            rack: None,
        })
        .collect();
    brokers.sort_by_key(|b| b.id);
    let mut topics: Vec<TopicSnapshot> = m
        .topics()
        .iter()
        .map(|t| {
            let mut partitions: Vec<PartitionSnapshot> = t
                .partitions()
                .iter()
                .map(|p| PartitionSnapshot {
                    id: p.id(),
                    leader: p.leader(),
                    replicas: p.replicas().to_vec(),
                    isr: p.isr().to_vec(),
                    error: p
                        .error()
                        .map(|e| format!("{:?}", rdkafka::types::RDKafkaErrorCode::from(e))),
                })
                .collect();
            partitions.sort_by_key(|p| p.id);
            TopicSnapshot {
                name: t.name().to_string(),
                internal: is_internal(t.name()),
                partitions,
                error: t
                    .error()
                    .map(|e| format!("{:?}", rdkafka::types::RDKafkaErrorCode::from(e))),
            }
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    (brokers, topics)
}

/// One resource's configs, or why they could not be had.
pub type ConfigRow = (
    ffi::ResourceType,
    String,
    std::result::Result<ConfigSet, Error>,
);

/// Effective configs of several resources in one DescribeConfigs call.
pub async fn describe_configs(
    cluster: &Arc<Cluster>,
    resources: Vec<(ffi::ResourceType, String)>,
) -> Result<Vec<ConfigRow>> {
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    cluster
        .blocking("DescribeConfigs", move || {
            config_rows(&c, ffi::describe_configs(&admin, &resources, timeout))
        })
        .await
}

/// The effective configs of one topic (empty when the broker returned none).
pub async fn topic_configs(cluster: &Arc<Cluster>, topic: &str) -> Result<ConfigSet> {
    let rows =
        describe_configs(cluster, vec![(ffi::ResourceType::Topic, topic.to_string())]).await?;
    match rows.into_iter().next() {
        Some((_, _, r)) => r,
        None => Ok(ConfigSet::default()),
    }
}

/// Configs of several topics and (for broker-level defaults) one broker, in one DescribeConfigs.
#[derive(Debug, Default)]
pub struct TopicConfigs {
    /// Per topic: its configs, or why they were not returned. A topic the broker left out of the
    /// answer is absent.
    pub topics: BTreeMap<String, std::result::Result<ConfigSet, Error>>,
    /// The broker's configs, when one was asked for.
    pub broker: Option<std::result::Result<ConfigSet, Error>>,
}

/// Effective configs of `topics` plus broker `broker`'s (one call).
pub async fn topics_and_broker_configs(
    cluster: &Arc<Cluster>,
    topics: &[String],
    broker: Option<i32>,
) -> Result<TopicConfigs> {
    let mut resources: Vec<(ffi::ResourceType, String)> = topics
        .iter()
        .map(|t| (ffi::ResourceType::Topic, t.clone()))
        .collect();
    if let Some(b) = broker {
        resources.push((ffi::ResourceType::Broker, b.to_string()));
    }
    let mut out = TopicConfigs::default();
    for (kind, name, r) in describe_configs(cluster, resources).await? {
        match kind {
            ffi::ResourceType::Broker => out.broker = Some(r),
            _ => {
                out.topics.insert(name, r);
            }
        }
    }
    Ok(out)
}

/// Converts a DescribeConfigs answer: secrets dropped, errors translated.
fn config_rows(
    cluster: &Cluster,
    answer: std::result::Result<ffi::DescribedConfigs, ffi::FfiError>,
) -> Result<Vec<ConfigRow>> {
    let rows = answer.map_err(|e| from_ffi(cluster, "DescribeConfigs", e))?;
    Ok(rows
        .into_iter()
        .map(|(t, name, r)| {
            let r = r
                .map(|entries| ConfigSet {
                    entries: entries.into_iter().map(config_entry).collect(),
                })
                .map_err(|e| from_ffi(cluster, &format!("DescribeConfigs {name}"), e));
            (t, name, r)
        })
        .collect())
}

/// Converts one FFI config entry; sensitive values never leave here.
pub fn config_entry(e: ffi::RawConfigEntry) -> ConfigEntry {
    ConfigEntry {
        value: if e.is_sensitive { None } else { e.value },
        source: ConfigSource::parse(&e.source),
        sensitive: e.is_sensitive,
        read_only: e.is_read_only,
        synonyms: e
            .synonyms
            .into_iter()
            .map(|s| ConfigSynonym {
                name: s.name,
                value: if e.is_sensitive { None } else { s.value },
                source: ConfigSource::parse(&s.source),
            })
            .collect(),
        name: e.name,
    }
}

/// How long DescribeCluster's cluster id and racks stand in for a new DescribeCluster call in
/// `cluster_snapshot`. Both only change when a broker restarts, and a broker id not seen before
/// forces a fresh call, so a warm health check costs Metadata, DescribeQuorum and DescribeConfigs.
pub const CLUSTER_FACTS_TTL: Duration = Duration::from_secs(60);

/// The configs `cluster_health` reads: the effective `min.insync.replicas` of each topic and of
/// the first broker (the cluster-wide default).
const HEALTH_CONFIG_KEYS: &[&str] = &["min.insync.replicas"];

/// Which topics a cluster read covers (the caller decides, e.g. by glob); the shell only asks.
pub type TopicFilter = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// Every topic.
pub fn all_topics() -> TopicFilter {
    Box::new(|_| true)
}

/// Metadata of every topic, then (on the same blocking thread, no hand-off in between)
/// DescribeConfigs of `min.insync.replicas` for the topics `wanted` accepts and the first
/// broker, within one deadline; the Metadata conversion runs while the broker answers.
/// Returns brokers, matching topics, the cluster id from Metadata and the config rows (`Err` when
/// DescribeConfigs as a whole failed: a partial answer, not a failed read).
async fn read_topics_and_min_isr(
    cluster: &Arc<Cluster>,
    wanted: TopicFilter,
    brokers_seen: tokio::sync::oneshot::Sender<Vec<BrokerSnapshot>>,
) -> Result<(
    Vec<BrokerSnapshot>,
    Vec<TopicSnapshot>,
    Option<String>,
    Result<Vec<ConfigRow>>,
)> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    cluster
        .blocking("Metadata", move || {
            let started = Instant::now();
            let m = admin
                .inner()
                .fetch_metadata(None, timeout)
                .map_err(|e| translate(&c, "Metadata", e))?;
            // The brokers go out at once so DescribeLogDirs runs alongside DescribeConfigs.
            let _ = brokers_seen.send(
                m.brokers()
                    .iter()
                    .map(|b| BrokerSnapshot {
                        id: b.id(),
                        host: b.host().to_string(),
                        port: b.port() as u16,
                        rack: None,
                    })
                    .collect(),
            );
            // Non-blocking: the answer just parsed set it.
            let cluster_id = admin.inner().fetch_cluster_id(Duration::ZERO);
            let mut resources: Vec<(ffi::ResourceType, String)> = m
                .topics()
                .iter()
                .filter(|t| wanted(t.name()))
                .map(|t| (ffi::ResourceType::Topic, t.name().to_string()))
                .collect();
            // Topics and the broker resource both go to the broker that just answered Metadata:
            // librdkafka would send topics to Metadata's controller id and the broker resource
            // to its own broker, either of which stale metadata may list although it is dead
            // (issue #13: DescribeConfigs then timed out on it).
            let answered = m.orig_broker_id();
            let target = m
                .brokers()
                .iter()
                .map(|b| b.id())
                .find(|id| *id == answered)
                .or_else(|| m.brokers().iter().map(|b| b.id()).min());
            if let Some(id) = target {
                resources.push((ffi::ResourceType::Broker, id.to_string()));
            }
            // DescribeConfigs gets what is left of the one deadline, less librdkafka's poll
            // margin, so the pair ends within the deadline `blocking` enforces; when Metadata
            // used nearly all of it, the answer goes out without min ISR (a note says why).
            let left = timeout
                .saturating_sub(started.elapsed())
                .saturating_sub(ffi::POLL_MARGIN);
            let (converted, answer) = std::thread::scope(|s| {
                let convert = s.spawn(|| from_metadata(&m));
                let answer = (left >= Duration::from_millis(100)).then(|| {
                    ffi::describe_config_keys_via(
                        &admin,
                        &resources,
                        HEALTH_CONFIG_KEYS,
                        target,
                        left,
                    )
                });
                (convert.join(), answer)
            });
            let (brokers, mut topics) = converted.map_err(|_| Error::Internal {
                what: "Metadata".into(),
                message: "converting the answer panicked".into(),
            })?;
            topics.retain(|t| wanted(&t.name));
            let cfg = match answer {
                _ if resources.is_empty() => Ok(Vec::new()),
                Some(answer) => config_rows(&c, answer),
                None => Err(Error::Internal {
                    what: "DescribeConfigs".into(),
                    message: format!(
                        "not sent: Metadata took nearly all of the {} ms deadline; raise \
                         --timeout-ms",
                        timeout.as_millis()
                    ),
                }),
            };
            Ok((brokers, topics, cluster_id, cfg))
        })
        .await
}

/// DescribeCluster as [`ClusterFacts`].
async fn describe_cluster_facts(cluster: &Arc<Cluster>) -> Result<ClusterFacts> {
    tracing::debug!(cluster = %cluster.config.name, "DescribeCluster (facts stale or a new broker)");
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    let d = cluster
        .blocking("DescribeCluster", move || {
            ffi::describe_cluster(&admin, timeout).map_err(|e| from_ffi(&c, "DescribeCluster", e))
        })
        .await?;
    Ok(ClusterFacts {
        cluster_id: d.cluster_id,
        racks: d.nodes.into_iter().map(|n| (n.id, n.rack)).collect(),
        at: Instant::now(),
    })
}

/// Everything `cluster_health` needs, read concurrently: Metadata and DescribeQuorum at once,
/// then DescribeConfigs (topics + one broker). DescribeCluster (cluster id and racks) goes out
/// with Metadata when the cluster's facts are older than [`CLUSTER_FACTS_TTL`], after
/// DescribeConfigs when Metadata names a broker they do not know, and not at all otherwise.
/// Failures of the optional calls become `notes` and unknowns, never a wrong value.
pub async fn cluster_snapshot(
    cluster: &Arc<Cluster>,
    wanted: TopicFilter,
) -> Result<(ClusterSnapshot, Vec<String>)> {
    let cached = cluster.facts();
    let stale = !cached
        .as_ref()
        .is_some_and(|f| f.covers([], Instant::now(), CLUSTER_FACTS_TTL));
    let security = quorum::QuorumSecurity::from_properties(cluster.config.properties.iter());
    let bootstrap: Vec<String> = cluster
        .bootstrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let q = quorum::describe_quorum_seen(&bootstrap, &security, cluster.timeout);
    let early_dc = async {
        if stale {
            Some(describe_cluster_facts(cluster).await)
        } else {
            None
        }
    };
    let started = Instant::now();
    let (brokers_seen, seen) = tokio::sync::oneshot::channel::<Vec<BrokerSnapshot>>();
    // DescribeLogDirs (disk use, offline dirs) to every broker Metadata lists, as soon as it
    // lists them, concurrently with DescribeConfigs, within what is left of the deadline.
    let dirs = async {
        let listed = seen
            .await
            .map_err(|_| "not sent: Metadata failed".to_string())?;
        let left = cluster.timeout.saturating_sub(started.elapsed());
        if left < Duration::from_millis(100) {
            return Err(format!(
                "not sent: Metadata took nearly all of the {} ms deadline",
                cluster.timeout.as_millis()
            ));
        }
        log_dirs::describe_log_dirs_within(cluster, &listed, None, left).await
    };
    let (read, early_dc, q, dirs) = tokio::join!(
        read_topics_and_min_isr(cluster, wanted, brokers_seen),
        early_dc,
        q,
        dirs
    );
    let (mut brokers, topics, metadata_cluster_id, cfg) = read?;
    let (q, refused) = q;
    let mut unreachable: Vec<UnreachableEndpoint> = refused
        .into_iter()
        .map(|(endpoint, reason)| UnreachableEndpoint { endpoint, reason })
        .collect();
    // No controller answered: the Metadata just read may come from a broker cut off from the
    // quorum, listing brokers that are gone. A TCP connect to each tells which are there.
    if matches!(
        q,
        QuorumView::Unknown {
            cause: QuorumUnknownCause::NoController | QuorumUnknownCause::Unreachable,
            ..
        }
    ) {
        let unprobed: Vec<String> = brokers
            .iter()
            .map(|b| format!("{}:{}", b.host, b.port))
            .filter(|e| !unreachable.iter().any(|u| &u.endpoint == e))
            .collect();
        let wait = (cluster.timeout / 4).min(CONNECT_PROBE_MAX);
        unreachable.extend(probe_connect(&unprobed, wait).await);
    }
    // A broker the cached facts do not name (rare): its rack is worth one more call.
    let new_broker = early_dc.is_none()
        && !cached.as_ref().is_some_and(|f| {
            f.covers(
                brokers.iter().map(|b| b.id),
                Instant::now(),
                CLUSTER_FACTS_TTL,
            )
        });
    let late_dc = if new_broker {
        Some(describe_cluster_facts(cluster).await)
    } else {
        None
    };

    let mut notes = Vec::new();
    let (facts, describe_cluster_error) = match early_dc.or(late_dc) {
        Some(Ok(f)) => {
            cluster.remember_facts(f.clone());
            (Some(f), None)
        }
        Some(Err(e)) => {
            notes.push(format!(
                "DescribeCluster failed (broker racks unknown): {e}"
            ));
            (None, Some(e.to_string()))
        }
        None => (cached, None),
    };
    if let Some(f) = &facts {
        for b in &mut brokers {
            b.rack = f.racks.get(&b.id).cloned().flatten();
        }
    }
    let cluster_id = metadata_cluster_id.or_else(|| facts.and_then(|f| f.cluster_id));
    let mut min_isr = BTreeMap::new();
    let mut default_min_isr = None;
    let mut min_isr_error = None;
    let mut min_isr_unread = std::collections::BTreeSet::new();
    match cfg {
        Ok(rows) => {
            let mut failed = Vec::new();
            for (kind, name, r) in rows {
                match (kind, r) {
                    (ffi::ResourceType::Topic, Ok(set)) => {
                        if let Some(m) = set.int("min.insync.replicas") {
                            min_isr.insert(name, m);
                        }
                    }
                    (ffi::ResourceType::Broker, Ok(set)) => {
                        default_min_isr = set.int("min.insync.replicas")
                    }
                    (kind, Err(e)) => {
                        if kind == ffi::ResourceType::Topic {
                            min_isr_unread.insert(name.clone());
                        }
                        failed.push(format!("{name} ({e})"))
                    }
                    _ => {}
                }
            }
            if !failed.is_empty() {
                notes.push(format!(
                    "DescribeConfigs failed for {} resource(s), min ISR unknown there: {}",
                    failed.len(),
                    failed
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
                min_isr_error = Some(format!(
                    "DescribeConfigs failed for {}",
                    failed.into_iter().take(3).collect::<Vec<_>>().join("; ")
                ));
            }
        }
        Err(e) => {
            notes.push(format!(
                "DescribeConfigs failed, min.insync.replicas unknown: {e}"
            ));
            min_isr_error = Some(format!("DescribeConfigs failed: {e}"));
        }
    }
    let (log_dirs, log_dirs_error) = match dirs {
        Ok(d) if d.failures.is_empty() => (d.dirs, None),
        Ok(d) => {
            let why = d.failures.join("; ");
            notes.push(format!(
                "DescribeLogDirs incomplete, disk use unknown there: {why}"
            ));
            (d.dirs, Some(why))
        }
        Err(e) => {
            notes.push(format!(
                "DescribeLogDirs failed, disk use and offline log dirs not checked: {e}"
            ));
            (Vec::new(), Some(e))
        }
    };
    let taken_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_millis() as i64);
    if default_min_isr.is_none() && min_isr.is_empty() && !topics.is_empty() {
        notes.push("min.insync.replicas unknown (the broker returned no configs): under/at-min-ISR checks skipped".to_string());
    }
    Ok((
        ClusterSnapshot {
            cluster_id,
            describe_cluster_error,
            brokers,
            topics,
            quorum: q,
            min_isr,
            default_min_isr,
            min_isr_error,
            min_isr_unread,
            unreachable,
            log_dirs,
            log_dirs_error,
            taken_at_ms,
        },
        notes,
    ))
}

/// The longest a connect probe of one broker waits (they run concurrently).
const CONNECT_PROBE_MAX: Duration = Duration::from_secs(1);

/// TCP connect to each `host:port` at once, within `wait`; returns the endpoints that refused or
/// did not accept in time. Only a connect: no Kafka request, nothing to authenticate.
async fn probe_connect(endpoints: &[String], wait: Duration) -> Vec<UnreachableEndpoint> {
    let probes = endpoints.iter().map(|endpoint| async move {
        match tokio::time::timeout(wait, tokio::net::TcpStream::connect(endpoint.as_str())).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(UnreachableEndpoint {
                endpoint: endpoint.clone(),
                reason: if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    "connection refused".to_string()
                } else {
                    format!("connect failed ({e})")
                },
            }),
            Err(_) => Some(UnreachableEndpoint {
                endpoint: endpoint.clone(),
                reason: format!("no TCP connect within {} ms", wait.as_millis()),
            }),
        }
    });
    futures::future::join_all(probes)
        .await
        .into_iter()
        .flatten()
        .collect()
}

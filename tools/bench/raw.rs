//! The baseline: the admin round trips each tool answer needs, made directly from this process
//! with one warm rdkafka admin client (connection up, metadata cached) and the crate's FFI
//! wrappers, each blocking call on tokio's blocking pool, independent calls concurrent, and
//! nothing else (no snapshot types, no evaluation, no JSON, no stdio).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Result};
use futures::StreamExt;
use kafka_mcp::kafka::ffi::{self, CommittedOffset, GroupListing, IsolationLevel};
/// The FFI request kinds the other bench modules pass to the baseline calls (this module is the
/// only one outside `src/kafka/` that names the FFI: it *is* the raw baseline).
pub use kafka_mcp::kafka::ffi::{OffsetSpec, ResourceType};
use kafka_mcp::kafka::quorum::{self, QuorumSecurity};
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};

/// The admin client the baseline (and the seeding) uses.
pub type Admin = AdminClient<DefaultClientContext>;

/// What the baseline keeps of a Metadata answer: broker ids and topic → partition count.
pub struct Meta {
    /// Broker ids, sorted.
    pub brokers: Vec<i32>,
    /// Topic name → partition count.
    pub topics: BTreeMap<String, i32>,
}

impl Meta {
    /// Total partitions.
    pub fn partitions(&self) -> usize {
        self.topics.values().map(|n| *n as usize).sum()
    }
}

/// One warm admin client.
#[derive(Clone)]
pub struct Raw {
    /// The client (shared with the seeding code).
    pub admin: Arc<Admin>,
    /// Deadline of every call.
    pub timeout: Duration,
}

impl Raw {
    /// An admin client configured as kafka-mcp configures its own (`src/kafka/mod.rs`).
    pub fn new(bootstrap: &str, timeout: Duration) -> Result<Raw> {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", bootstrap);
        c.set(
            "socket.connection.setup.timeout.ms",
            timeout.as_millis().max(1000).to_string(),
        );
        c.set_log_level(RDKafkaLogLevel::Warning);
        Ok(Raw {
            admin: Arc::new(c.create()?),
            timeout,
        })
    }

    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Admin, Duration) -> Result<T> + Send + 'static,
    {
        let admin = self.admin.clone();
        let timeout = self.timeout;
        tokio::task::spawn_blocking(move || f(&admin, timeout)).await?
    }

    /// Metadata for every topic (`None`) or one.
    pub async fn metadata(&self, topic: Option<&str>) -> Result<Meta> {
        let topic = topic.map(str::to_string);
        self.run(move |a, t| {
            let m = a.inner().fetch_metadata(topic.as_deref(), t)?;
            let mut brokers: Vec<i32> = m.brokers().iter().map(|b| b.id()).collect();
            brokers.sort_unstable();
            let topics = m
                .topics()
                .iter()
                .map(|t| (t.name().to_string(), t.partitions().len() as i32))
                .collect();
            Ok(Meta { brokers, topics })
        })
        .await
    }

    /// DescribeCluster.
    pub async fn describe_cluster(&self) -> Result<ffi::ClusterDescription> {
        self.run(|a, t| Ok(ffi::describe_cluster(a, t)?)).await
    }

    /// DescribeConfigs of several resources in one call, asking for `keys` only (all when
    /// empty); fails when any resource failed.
    pub async fn describe_configs(
        &self,
        resources: Vec<(ResourceType, String)>,
        keys: &'static [&'static str],
    ) -> Result<usize> {
        self.run(move |a, t| {
            let rows = ffi::describe_config_keys(a, &resources, keys, t)?;
            if let Some((_, name, Err(e))) = rows.iter().find(|r| r.2.is_err()) {
                bail!("DescribeConfigs {name}: {e}");
            }
            Ok(rows.len())
        })
        .await
    }

    /// One ListOffsets call for every listed partition.
    pub async fn list_offsets(
        &self,
        parts: &BTreeSet<(String, i32)>,
        spec: OffsetSpec,
    ) -> Result<BTreeMap<(String, i32), i64>> {
        let req: Vec<(String, i32, OffsetSpec)> =
            parts.iter().map(|(t, p)| (t.clone(), *p, spec)).collect();
        self.run(move |a, t| {
            let rows = ffi::list_offsets(a, &req, IsolationLevel::ReadUncommitted, t)?;
            Ok(rows
                .into_iter()
                .filter_map(|r| r.offset.map(|o| ((r.topic, r.partition), o)))
                .collect())
        })
        .await
    }

    /// DescribeTopics.
    pub async fn describe_topics(&self, topics: Vec<String>) -> Result<usize> {
        self.run(move |a, t| Ok(ffi::describe_topics(a, &topics, t)?.len()))
            .await
    }

    /// ListConsumerGroups (fails on a partial answer).
    pub async fn list_groups(&self) -> Result<Vec<GroupListing>> {
        self.run(|a, t| {
            let (groups, errors) = ffi::list_consumer_groups(a, t)?;
            if let Some(e) = errors.first() {
                bail!("ListConsumerGroups partial answer: {e}");
            }
            Ok(groups)
        })
        .await
    }

    /// ListConsumerGroupOffsets of one group (every committed partition).
    pub async fn committed(&self, group: String) -> Result<Vec<CommittedOffset>> {
        self.run(move |a, t| Ok(ffi::list_consumer_group_offsets(a, &group, None, t)?))
            .await
    }

    /// ListConsumerGroupOffsets of many groups, at most `concurrency` in flight.
    pub async fn committed_many(
        &self,
        groups: Vec<String>,
        concurrency: usize,
    ) -> Result<Vec<Vec<CommittedOffset>>> {
        futures::stream::iter(groups)
            .map(|g| self.committed(g))
            .buffer_unordered(concurrency.max(1))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    /// AlterConsumerGroupOffsets of one group (seeding only). A coordinator that is still
    /// loading or just moved (real Kafka creating `__consumer_offsets`) is asked again.
    pub async fn commit(&self, group: String, offsets: Vec<(String, i32, i64)>) -> Result<()> {
        self.run(move |a, t| {
            let mut attempt = 0;
            loop {
                let rows = ffi::alter_consumer_group_offsets(a, &group, &offsets, t)?;
                let Some((topic, p, Some(e))) = rows.into_iter().find(|r| r.2.is_some()) else {
                    return Ok(());
                };
                let e = e.to_string();
                let transient = [
                    "NOT_COORDINATOR",
                    "COORDINATOR_LOAD",
                    "COORDINATOR_NOT_AVAILABLE",
                ]
                .iter()
                .any(|c| e.contains(c));
                attempt += 1;
                if !transient || attempt >= 20 {
                    bail!("commit {group} {topic}-{p}: {e}");
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        })
        .await
    }

    // ---------------------------------------------------------------------------------------
    // The round trips of each tool answer, with the least waiting their dependencies allow.
    // ---------------------------------------------------------------------------------------

    /// cluster_health, warm (`kafka::admin::cluster_snapshot` with DescribeCluster's facts
    /// cached): Metadata ∥ DescribeQuorum, then DescribeConfigs of `min.insync.replicas` (every
    /// topic + the first broker).
    /// Returns the partitions seen.
    pub async fn health(&self, bootstrap: &[String]) -> Result<usize> {
        self.health_calls(bootstrap, false).await
    }

    /// cluster_health when DescribeCluster's facts are refreshed (the first call, then at most
    /// once a minute): DescribeCluster goes out alongside Metadata and DescribeQuorum.
    pub async fn health_with_describe_cluster(&self, bootstrap: &[String]) -> Result<usize> {
        self.health_calls(bootstrap, true).await
    }

    async fn health_calls(&self, bootstrap: &[String], describe_cluster: bool) -> Result<usize> {
        let security = QuorumSecurity::plaintext();
        let dc = async {
            match describe_cluster {
                true => self.describe_cluster().await.map(|_| ()),
                false => Ok(()),
            }
        };
        let (m, cluster, _quorum) = tokio::join!(
            self.metadata(None),
            dc,
            quorum::describe_quorum(bootstrap, &security, self.timeout)
        );
        let m = m?;
        cluster?;
        let mut res: Vec<(ResourceType, String)> = m
            .topics
            .keys()
            .map(|t| (ResourceType::Topic, t.clone()))
            .collect();
        if let Some(b) = m.brokers.first() {
            res.push((ResourceType::Broker, b.to_string()));
        }
        self.describe_configs(res, &["min.insync.replicas"]).await?;
        Ok(m.partitions())
    }

    /// topic_manage list: Metadata. Returns the topic count.
    pub async fn list(&self) -> Result<usize> {
        Ok(self.metadata(None).await?.topics.len())
    }

    /// topic_manage describe: Metadata (of `topic` only, or of every topic when `all_topics`,
    /// as the tool asks it) → ListOffsets earliest and latest, DescribeConfigs (topic + first
    /// broker) and DescribeTopics, concurrently. Returns the retained messages.
    pub async fn describe(&self, topic: &str, all_topics: bool) -> Result<i64> {
        let m = self
            .metadata(if all_topics { None } else { Some(topic) })
            .await?;
        let Some(n) = m.topics.get(topic).copied() else {
            bail!("topic {topic} not in metadata")
        };
        let parts: BTreeSet<(String, i32)> = (0..n).map(|p| (topic.to_string(), p)).collect();
        let mut res = vec![(ResourceType::Topic, topic.to_string())];
        if let Some(b) = m.brokers.first() {
            res.push((ResourceType::Broker, b.to_string()));
        }
        let (lo, hi, cfg, ids) = tokio::join!(
            self.list_offsets(&parts, OffsetSpec::Earliest),
            self.list_offsets(&parts, OffsetSpec::Latest),
            self.describe_configs(res, &[]),
            self.describe_topics(vec![topic.to_string()])
        );
        let (lo, hi) = (lo?, hi?);
        cfg?;
        ids?;
        Ok(parts
            .iter()
            .map(|k| hi.get(k).copied().unwrap_or(0) - lo.get(k).copied().unwrap_or(0))
            .sum())
    }

    /// consumer_groups list with_lag: (ListConsumerGroups → ListConsumerGroupOffsets per group,
    /// `concurrency` in flight) alongside Metadata → ListOffsets earliest and latest for every
    /// partition of every topic a group committed on. Returns (groups, partitions, total lag).
    pub async fn groups_with_lag(&self, concurrency: usize) -> Result<(usize, usize, i64)> {
        let committed = async {
            let ids: Vec<String> = self
                .list_groups()
                .await?
                .into_iter()
                .map(|g| g.group_id)
                .collect();
            self.committed_many(ids, concurrency).await
        };
        let (committed, meta) = tokio::join!(committed, self.metadata(None));
        let (committed, meta) = (committed?, meta?);
        let mut parts = BTreeSet::new();
        for c in committed.iter().flatten() {
            let n = meta.topics.get(&c.topic).copied().unwrap_or(0);
            parts.extend((0..n).map(|p| (c.topic.clone(), p)));
        }
        let (lo, hi) = tokio::join!(
            self.list_offsets(&parts, OffsetSpec::Earliest),
            self.list_offsets(&parts, OffsetSpec::Latest)
        );
        let (_lo, hi) = (lo?, hi?);
        let lag = committed
            .iter()
            .flatten()
            .filter_map(|c| Some(hi.get(&(c.topic.clone(), c.partition))? - c.offset?))
            .sum();
        Ok((committed.len(), parts.len(), lag))
    }
}

//! The imperative shell: every Kafka admin call, its deadline, and the translation of what
//! librdkafka says into errors a person can act on. One admin handle per cluster, created lazily
//! and reused. Blocking librdkafka calls run on tokio's blocking pool, never on the async workers.
//!
//! May use rdkafka, rdkafka-sys (through `ffi` only) and kafka-protocol (through `wire`, and its
//! users `quorum` and `log_dirs`).
//! Never evaluates anything: it returns snapshots for `crate::analysis`.

pub mod admin;
pub mod audit_snapshot;
pub mod context;
pub mod error;
pub mod ffi;
pub mod groups;
pub mod log_dirs;
pub mod quorum;
pub mod records;
pub mod topics;
pub mod wire;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::admin::AdminClient;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::BaseConsumer;
use tokio::sync::OnceCell;

use crate::config::{ClusterConfig, Config};
use context::KafkaContext;
pub use error::{Error, Result};

/// What DescribeCluster adds to Metadata: facts that only change when a broker restarts
/// (`broker.rack` is a static broker config; the cluster id never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFacts {
    /// Cluster id.
    pub cluster_id: Option<String>,
    /// `broker.rack` of every broker DescribeCluster listed (`None`: no rack set).
    pub racks: BTreeMap<i32, Option<String>>,
    /// When DescribeCluster answered.
    pub at: Instant,
}

impl ClusterFacts {
    /// True when these facts can stand in for a DescribeCluster call now: younger than `ttl`
    /// and naming every live broker (a broker never seen before may have a rack).
    pub fn covers(&self, live: impl IntoIterator<Item = i32>, now: Instant, ttl: Duration) -> bool {
        now.saturating_duration_since(self.at) < ttl
            && live.into_iter().all(|id| self.racks.contains_key(&id))
    }
}

/// One cluster's handles.
pub struct Cluster {
    /// Its configuration.
    pub config: ClusterConfig,
    /// Deadline for each admin call.
    pub timeout: Duration,
    admin: OnceCell<Arc<AdminClient<KafkaContext>>>,
    context: KafkaContext,
    facts: Mutex<Option<ClusterFacts>>,
}

impl Cluster {
    fn new(config: ClusterConfig, timeout: Duration, secrets: Vec<String>) -> Cluster {
        Cluster {
            context: KafkaContext::new(config.name.clone(), secrets),
            config,
            timeout,
            admin: OnceCell::new(),
            facts: Mutex::new(None),
        }
    }

    /// The last DescribeCluster facts, if any (see [`ClusterFacts::covers`] for freshness).
    pub fn facts(&self) -> Option<ClusterFacts> {
        self.facts.lock().map(|f| f.clone()).unwrap_or(None)
    }

    /// Remembers what DescribeCluster answered.
    pub fn remember_facts(&self, facts: ClusterFacts) {
        if let Ok(mut f) = self.facts.lock() {
            *f = Some(facts);
        }
    }

    /// `bootstrap.servers` of the cluster.
    pub fn bootstrap(&self) -> &str {
        self.config.bootstrap()
    }

    /// The librdkafka client config for this cluster (never logged: it holds secrets).
    pub fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        // A broker back from a restart must be reconnected within one call's deadline: cap
        // librdkafka's reconnect backoff (default up to 10 s) at a quarter of it, at most 1 s.
        let backoff = (self.timeout.as_millis() / 4).clamp(100, 1000);
        c.set("reconnect.backoff.max.ms", backoff.to_string());
        for (k, v) in &self.config.properties {
            c.set(k, v);
        }
        // Info, not Warning: librdkafka says why a connection closed (wrong security.protocol)
        // at info level; `KafkaContext` keeps those lines for the tool error.
        c.set_log_level(RDKafkaLogLevel::Info);
        // Never let a Metadata request for a mistyped topic name create it (librdkafka's
        // admin handle is a producer, where this defaults to true).
        c.set("allow.auto.create.topics", "false");
        c
    }

    /// The shared admin client, created on first use.
    pub async fn admin(&self) -> Result<Arc<AdminClient<KafkaContext>>> {
        self.admin
            .get_or_try_init(|| async {
                let mut cfg = self.client_config();
                // Fail connection attempts fast enough to report within one deadline.
                cfg.set(
                    "socket.connection.setup.timeout.ms",
                    self.timeout.as_millis().max(1000).to_string(),
                );
                let ctx = self.context.clone();
                let admin = tokio::task::spawn_blocking(move || {
                    cfg.create_with_context::<_, AdminClient<_>>(ctx)
                })
                .await
                .map_err(|e| Error::Internal {
                    what: "create admin client".into(),
                    message: e.to_string(),
                })?
                .map(Arc::new)
                .map_err(|e| Error::BadClientConfig {
                    cluster: self.config.name.clone(),
                    message: self.context.scrub(&e.to_string()),
                })?;
                self.watch_client_events(&admin);
                Ok(admin)
            })
            .await
            .cloned()
    }

    /// Drains librdkafka's logs and errors from the admin client's main queue into the context
    /// (which records them for error messages and forwards them to tracing), on a thread that
    /// ends when the admin client is dropped.
    fn watch_client_events(&self, admin: &Arc<AdminClient<KafkaContext>>) {
        let weak = Arc::downgrade(admin);
        let ctx = self.context.clone();
        let spawned = std::thread::Builder::new()
            .name("kafka-mcp-client-events".into())
            .spawn(move || {
                while let Some(admin) = weak.upgrade() {
                    for event in ffi::poll_client_events(&admin, Duration::from_millis(200), 64) {
                        ctx.on_event(event);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot watch librdkafka events: {e}");
        }
    }

    /// A fresh consumer that never joins a group and never commits (for peeks and samples): it is
    /// only ever `assign`ed (never `subscribe`d), so no JoinGroup is sent; auto-commit and offset
    /// store are off, so no OffsetCommit is sent. librdkafka refuses `assign` without a
    /// `group.id`, so it gets a unique throwaway id that the broker never records.
    pub fn reader(&self) -> Result<BaseConsumer<KafkaContext>> {
        let mut cfg = self.client_config();
        cfg.set(
            "group.id",
            format!("kafka-mcp-reader-{}", uuid::Uuid::new_v4().simple()),
        );
        cfg.set("enable.auto.commit", "false");
        cfg.set("enable.auto.offset.store", "false");
        cfg.set("enable.partition.eof", "true");
        cfg.set(
            "socket.connection.setup.timeout.ms",
            self.timeout.as_millis().max(1000).to_string(),
        );
        cfg.create_with_context(self.context.clone())
            .map_err(|e| Error::BadClientConfig {
                cluster: self.config.name.clone(),
                message: self.context.scrub(&e.to_string()),
            })
    }

    /// The librdkafka context (recent errors, secret scrubbing).
    pub fn context(&self) -> &KafkaContext {
        &self.context
    }

    /// A deadline error for `what`, explained by what librdkafka reported meanwhile.
    pub fn deadline_error(&self, what: &str) -> Error {
        let (cause, hint) = self.context.explain_failure();
        Error::Deadline {
            what: what.to_string(),
            ms: self.timeout.as_millis() as u64,
            bootstrap: self.bootstrap().to_string(),
            cause: cause.map(|c| format!(": {c}")).unwrap_or_default(),
            hint,
        }
    }

    /// Runs a blocking librdkafka call on the blocking pool under this cluster's deadline
    /// (plus a small margin: the call carries the same deadline itself).
    pub async fn blocking<T, F>(&self, what: &str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T> + Send + 'static,
    {
        let margin = Duration::from_millis(500);
        match tokio::time::timeout(self.timeout + margin, tokio::task::spawn_blocking(f)).await {
            Ok(Ok(r)) => r,
            Ok(Err(join)) => Err(Error::Internal {
                what: what.to_string(),
                message: join.to_string(),
            }),
            Err(_) => Err(self.deadline_error(what)),
        }
    }
}

/// Every configured cluster, by name.
pub struct Kafka {
    clusters: BTreeMap<String, Arc<Cluster>>,
    config: Arc<Config>,
}

impl Kafka {
    /// Builds handles for every configured cluster (nothing connects until first use).
    pub fn new(config: Arc<Config>) -> Kafka {
        let timeout = Duration::from_millis(config.timeout_ms);
        let secrets = config.secret_values();
        let clusters = config
            .clusters
            .iter()
            .map(|(n, c)| {
                (
                    n.clone(),
                    Arc::new(Cluster::new(c.clone(), timeout, secrets.clone())),
                )
            })
            .collect();
        Kafka { clusters, config }
    }

    /// The cluster a call means: the named one or the default.
    pub fn cluster(&self, name: Option<&str>) -> Result<Arc<Cluster>> {
        let cfg = self.config.cluster(name).map_err(Error::UnknownCluster)?;
        Ok(self.clusters[&cfg.name].clone())
    }

    /// All clusters.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Cluster>> {
        self.clusters.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_facts_stand_in_while_young_and_naming_every_live_broker() {
        let at = Instant::now();
        let facts = ClusterFacts {
            cluster_id: Some("c".into()),
            racks: [(1, Some("a".into())), (2, None)].into(),
            at,
        };
        let ttl = Duration::from_secs(60);
        assert!(facts.covers([], at, ttl));
        assert!(facts.covers([1, 2], at + Duration::from_secs(59), ttl));
        assert!(facts.covers([2], at, ttl), "a broker that left is fine");
        assert!(
            !facts.covers([1, 3], at, ttl),
            "broker 3 is new: its rack is unknown"
        );
        assert!(!facts.covers([1], at + ttl, ttl), "expired");
    }
}

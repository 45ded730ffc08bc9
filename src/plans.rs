//! Plans: every write is planned first (validated, impact computed, stored here with an id and
//! an expiry), then applied by `apply_change` with `confirm` = the target's name. Plans live in
//! this process only, so a plan id from another process or an old run is unknown by design.
//! Also the write guard (protected topics, allow/deny globs) and the audit log.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::glob::glob_match;
use crate::config::Config;

/// What a plan will do when applied.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// CreateTopics.
    CreateTopic {
        /// Topic name.
        topic: String,
        /// Partition count.
        partitions: i32,
        /// Replication factor.
        replication_factor: i32,
        /// Topic configs to set.
        configs: BTreeMap<String, String>,
    },
    /// IncrementalAlterConfigs on a topic (never the legacy AlterConfigs).
    AlterTopicConfigs {
        /// Topic name.
        topic: String,
        /// Configs to set.
        set: BTreeMap<String, String>,
        /// Configs to delete (revert to the inherited value).
        delete: Vec<String>,
    },
    /// CreatePartitions.
    AddPartitions {
        /// Topic name.
        topic: String,
        /// Partition count now.
        from: i32,
        /// Partition count after.
        to: i32,
    },
    /// DeleteTopics.
    DeleteTopic {
        /// Topic name.
        topic: String,
    },
    /// DeleteRecords: removes every record before the given offsets.
    PurgeTopic {
        /// Topic name.
        topic: String,
        /// (partition, delete records before this offset), offsets as strings.
        before: Vec<(i32, String)>,
    },
    /// AlterConsumerGroupOffsets.
    ResetOffsets {
        /// Group id.
        group: String,
        /// (topic, partition, new offset as string).
        offsets: Vec<(String, i32, String)>,
    },
    /// DeleteGroups.
    DeleteGroup {
        /// Group id.
        group: String,
    },
}

impl Change {
    /// The name `confirm` must equal: the topic or group the change touches.
    pub fn target(&self) -> &str {
        match self {
            Change::CreateTopic { topic, .. }
            | Change::AlterTopicConfigs { topic, .. }
            | Change::AddPartitions { topic, .. }
            | Change::DeleteTopic { topic }
            | Change::PurgeTopic { topic, .. } => topic,
            Change::ResetOffsets { group, .. } | Change::DeleteGroup { group } => group,
        }
    }

    /// True when applying it loses data (MCP `destructiveHint`).
    pub fn destructive(&self) -> bool {
        matches!(
            self,
            Change::DeleteTopic { .. }
                | Change::PurgeTopic { .. }
                | Change::DeleteGroup { .. }
                | Change::ResetOffsets { .. }
        )
    }

    /// The topic the change touches, if any (for the write guard).
    pub fn topic(&self) -> Option<&str> {
        match self {
            Change::ResetOffsets { .. } | Change::DeleteGroup { .. } => None,
            _ => Some(self.target()),
        }
    }
}

/// What must still hold when the plan is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Precondition {
    /// The topic must not exist.
    TopicAbsent(String),
    /// The topic must exist with this partition count and these config values (None = unset).
    TopicUnchanged {
        /// Topic.
        topic: String,
        /// Partition count at planning time.
        partitions: usize,
        /// Config values at planning time, for the keys the plan touches.
        configs: BTreeMap<String, Option<String>>,
    },
    /// The group must have no members, and these committed offsets must be unchanged.
    GroupInactive {
        /// Group.
        group: String,
        /// Committed offsets at planning time: (topic, partition) → offset (None = none).
        committed: BTreeMap<(String, i32), Option<i64>>,
    },
}

impl Precondition {
    /// The topic must still exist with `partitions` partitions (configs not checked).
    pub fn topic_unchanged(topic: &str, partitions: usize) -> Precondition {
        Precondition::TopicUnchanged {
            topic: topic.to_string(),
            partitions,
            configs: BTreeMap::new(),
        }
    }
}

/// A plan before it is stored: every `plan_*` action of every tool builds one and hands it to
/// `KafkaMcp::store_plan`, which adds the writes-disabled warning, stores it with its expiry,
/// writes the audit line and renders the [`PlanOut`].
#[derive(Debug, Clone)]
pub struct Draft {
    /// The exact change.
    pub change: Change,
    /// What must still hold when it is applied.
    pub precondition: Precondition,
    /// One line: target, change, impact.
    pub summary: String,
    /// What applying it does.
    pub impact: serde_json::Value,
    /// Things to know before applying.
    pub warnings: Vec<String>,
}

impl Draft {
    /// A draft with no impact details and no warnings yet.
    pub fn new(change: Change, precondition: Precondition, summary: impl Into<String>) -> Draft {
        Draft {
            change,
            precondition,
            summary: summary.into(),
            impact: serde_json::Value::Null,
            warnings: Vec::new(),
        }
    }

    /// The impact, as its JSON.
    pub fn impact(mut self, impact: &impl Serialize) -> Draft {
        self.impact = serde_json::to_value(impact).unwrap_or_default();
        self
    }

    /// Warnings to show with the plan.
    pub fn warnings(mut self, warnings: impl IntoIterator<Item = String>) -> Draft {
        self.warnings.extend(warnings);
        self
    }
}

/// A stored plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Opaque id.
    pub id: String,
    /// Cluster it was planned on.
    pub cluster: String,
    /// The change.
    pub change: Change,
    /// What must still hold at apply time.
    pub precondition: Precondition,
    /// One line for humans: target, change, impact.
    pub summary: String,
    /// Expiry, epoch ms.
    pub expires_at_ms: i64,
}

/// Plan store errors, each with the next step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Unknown id (typo, another process, already applied).
    #[error("unknown plan_id {0:?}: plans live only in the server process that made them and are used once. Make a new plan with the plan_* action.")]
    Unknown(String),
    /// Expired.
    #[error("plan {id} expired {ago_s} s ago (plans last {ttl_s} s). Make a new plan; the cluster may have changed since.")]
    Expired {
        /// Id.
        id: String,
        /// Seconds since expiry.
        ago_s: i64,
        /// TTL.
        ttl_s: u64,
    },
    /// confirm does not match.
    #[error("confirm {given:?} does not match the plan's target {target:?}. Pass confirm={target:?} to apply it; nothing was changed.")]
    ConfirmMismatch {
        /// Given.
        given: String,
        /// Expected.
        target: String,
    },
}

/// A plan as tools return it: what `apply_change` needs, and what a human reviews.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanOut {
    /// Pass to apply_change as `plan_id`.
    pub plan_id: String,
    /// Pass to apply_change as `confirm`: the topic or group the change touches.
    pub confirm: String,
    /// Cluster it was planned on.
    pub cluster: String,
    /// The exact change.
    pub change: Change,
    /// One line: target, change, impact.
    pub summary: String,
    /// What applying it does (messages lost, keys remapped, offsets moved, …).
    pub impact: serde_json::Value,
    /// Things to know before applying.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// True when applying it deletes data or offsets.
    pub destructive: bool,
    /// Expiry, epoch ms (plans last `plan_ttl_secs`, default 600).
    pub expires_at_ms: i64,
    /// The next call.
    pub next: String,
}

impl PlanOut {
    /// Renders a stored plan with its impact and warnings.
    pub fn new(plan: &Plan, impact: serde_json::Value, warnings: Vec<String>) -> PlanOut {
        PlanOut {
            plan_id: plan.id.clone(),
            confirm: plan.change.target().to_string(),
            cluster: plan.cluster.clone(),
            change: plan.change.clone(),
            summary: plan.summary.clone(),
            impact,
            warnings,
            destructive: plan.change.destructive(),
            expires_at_ms: plan.expires_at_ms,
            next: format!(
                "review the impact, then call apply_change with plan_id={:?} and confirm={:?} (writes must be enabled)",
                plan.id,
                plan.change.target()
            ),
        }
    }
}

/// Now, epoch ms.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Plans of this process.
pub struct PlanStore {
    plans: Mutex<HashMap<String, Plan>>,
    ttl: Duration,
}

impl PlanStore {
    /// A store whose plans live `ttl`.
    pub fn new(ttl: Duration) -> PlanStore {
        PlanStore {
            plans: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// Stores a plan; returns it with its id and expiry.
    pub fn insert(
        &self,
        cluster: &str,
        change: Change,
        precondition: Precondition,
        summary: String,
    ) -> Plan {
        let plan = Plan {
            id: format!("plan-{}", uuid::Uuid::new_v4().simple()),
            cluster: cluster.to_string(),
            change,
            precondition,
            summary,
            expires_at_ms: now_ms() + self.ttl.as_millis() as i64,
        };
        let mut m = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let now = now_ms();
        m.retain(|_, p| p.expires_at_ms + 3_600_000 > now);
        m.insert(plan.id.clone(), plan.clone());
        plan
    }

    /// Checks id, expiry and confirm without consuming the plan.
    pub fn check(&self, id: &str, confirm: &str, now_ms: i64) -> Result<Plan, PlanError> {
        let m = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let plan = m
            .get(id.trim())
            .ok_or_else(|| PlanError::Unknown(id.to_string()))?;
        if now_ms > plan.expires_at_ms {
            return Err(PlanError::Expired {
                id: plan.id.clone(),
                ago_s: (now_ms - plan.expires_at_ms) / 1000,
                ttl_s: self.ttl.as_secs(),
            });
        }
        if confirm.trim() != plan.change.target() {
            return Err(PlanError::ConfirmMismatch {
                given: confirm.to_string(),
                target: plan.change.target().to_string(),
            });
        }
        Ok(plan.clone())
    }

    /// Removes a plan (after it was applied, or failed in a way that makes it stale).
    pub fn take(&self, id: &str) -> Option<Plan> {
        self.plans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id.trim())
    }
}

/// Why writes may not touch `topic`, or Ok. Checks the protected list (built-ins `__*`,
/// `_schemas`, `_confluent*` + configured), then deny globs, then allow globs (empty = all).
pub fn write_guard(topic: &str, config: &Config) -> Result<(), String> {
    if let Some(p) = config
        .protected_topics
        .iter()
        .find(|p| glob_match(p, topic))
    {
        return Err(format!(
            "topic {topic:?} is protected (matches {p:?}): kafka-mcp never writes to it. Internal and schema topics are managed by Kafka itself; remove the glob from protected_topics only if you own this topic."
        ));
    }
    if let Some(p) = config.write_deny.iter().find(|p| glob_match(p, topic)) {
        return Err(format!("topic {topic:?} matches write_deny glob {p:?}: writes to it are refused by this server's configuration."));
    }
    if !config.write_allow.is_empty() && !config.write_allow.iter().any(|p| glob_match(p, topic)) {
        return Err(format!(
            "topic {topic:?} matches none of the write_allow globs ({}): writes to it are refused by this server's configuration.",
            config.write_allow.join(", ")
        ));
    }
    Ok(())
}

/// One audit record: every plan and every apply, as a JSON line on stderr and in the audit file.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    /// Epoch ms.
    pub ts_ms: i64,
    /// Cluster name.
    pub cluster: &'a str,
    /// `plan` or `apply`.
    pub event: &'a str,
    /// Tool and action, e.g. `topic_manage.plan_delete`.
    pub tool: &'a str,
    /// Topic or group.
    pub target: &'a str,
    /// Plan id.
    pub plan_id: &'a str,
    /// `ok`, `refused: …`, `failed: …`.
    pub result: &'a str,
}

/// Writes audit lines (never secrets: records carry names and results only).
pub struct Audit {
    file: Option<Mutex<std::fs::File>>,
    path: Option<PathBuf>,
}

impl Audit {
    /// Opens the audit file (append) if configured.
    pub fn open(path: Option<PathBuf>) -> anyhow::Result<Audit> {
        let file = match &path {
            Some(p) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| anyhow::anyhow!("cannot open audit log {}: {e}", p.display()))?,
            )),
            None => None,
        };
        Ok(Audit { file, path })
    }

    /// Records one event.
    pub fn record(&self, rec: &AuditRecord<'_>) {
        let line = serde_json::to_string(rec).unwrap_or_default();
        tracing::info!(target: "kafka_mcp::audit", "{line}");
        eprintln!("kafka-mcp audit: {line}");
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = writeln!(f, "{line}") {
                tracing::warn!(path = ?self.path, "audit log write failed: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FileToml, Settings};

    fn config(toml: &str) -> Config {
        Config::from_parts(
            &Settings::default(),
            toml::from_str::<FileToml>(toml).unwrap(),
            &Default::default(),
        )
        .unwrap()
    }

    #[test]
    fn protected_and_globs() {
        let c = config("[server]\nprotected_topics = [\"billing.*\"]\nwrite_deny = [\"prod.*\"]\nwrite_allow = [\"team-a.*\", \"prod.*\"]\n");
        assert!(write_guard("__consumer_offsets", &c)
            .unwrap_err()
            .contains("protected"));
        assert!(write_guard("_schemas", &c).is_err());
        assert!(write_guard("_confluent-metrics", &c).is_err());
        assert!(write_guard("billing.invoices", &c)
            .unwrap_err()
            .contains("billing.*"));
        assert!(write_guard("prod.x", &c)
            .unwrap_err()
            .contains("write_deny"));
        assert!(write_guard("team-b.x", &c)
            .unwrap_err()
            .contains("write_allow"));
        assert!(write_guard("team-a.orders", &c).is_ok());
        let open = config("");
        assert!(write_guard("orders", &open).is_ok());
    }

    #[test]
    fn plan_lifecycle() {
        let s = PlanStore::new(Duration::from_secs(600));
        let p = s.insert(
            "c",
            Change::DeleteTopic { topic: "t".into() },
            Precondition::TopicAbsent("x".into()),
            "delete t".into(),
        );
        assert!(matches!(
            s.check(&p.id, "u", now_ms()),
            Err(PlanError::ConfirmMismatch { .. })
        ));
        assert!(s.check(&p.id, "t", now_ms()).is_ok());
        assert!(matches!(
            s.check(&p.id, "t", p.expires_at_ms + 5000),
            Err(PlanError::Expired { .. })
        ));
        assert!(matches!(
            s.check("plan-nope", "t", now_ms()),
            Err(PlanError::Unknown(_))
        ));
        assert!(s.take(&p.id).is_some());
        assert!(matches!(
            s.check(&p.id, "t", now_ms()),
            Err(PlanError::Unknown(_))
        ));
    }

    #[test]
    fn targets_and_destructiveness() {
        let d = Change::DeleteGroup { group: "g".into() };
        assert_eq!(d.target(), "g");
        assert!(d.destructive());
        assert_eq!(d.topic(), None);
        let a = Change::AddPartitions {
            topic: "t".into(),
            from: 3,
            to: 6,
        };
        assert!(!a.destructive());
        assert_eq!(a.topic(), Some("t"));
    }
}

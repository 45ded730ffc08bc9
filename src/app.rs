//! The MCP handler's state: [`AppState`] (shared by every session of one process: config, Kafka
//! handles, plans, audit, lag history) and [`KafkaMcp`] (one session), with the helpers every
//! tool uses (cluster lookup, answer budget, plan storage). Tools import this module; the router
//! that joins them lives in `crate::server`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;

use crate::analysis::lag::LagHistory;
use crate::config::Config;
use crate::error::ToolError;
use crate::kafka::{Cluster, Kafka};
use crate::output::{Answer, Summary};
use crate::plans::{Audit, PlanStore};

/// State shared by every session of one process.
pub struct AppState {
    /// Effective configuration.
    pub config: Arc<Config>,
    /// Kafka handles, one per cluster.
    pub kafka: Kafka,
    /// Plans made by this process.
    pub plans: PlanStore,
    /// Audit log of plans and applies.
    pub audit: Audit,
    /// Lag samples per cluster, fed by every lag call (Burrow-style evaluation windows).
    pub lag_history: std::sync::Mutex<BTreeMap<String, LagHistory>>,
    /// The tool router, built on first use (see [`KafkaMcp::router`]).
    pub router: std::sync::OnceLock<ToolRouter<KafkaMcp>>,
}

impl AppState {
    /// State for `config`; nothing connects until a tool needs it. Fails only when the audit
    /// log file cannot be opened.
    pub fn new(config: Config) -> anyhow::Result<Arc<AppState>> {
        let config = Arc::new(config);
        Ok(Arc::new(AppState {
            kafka: Kafka::new(config.clone()),
            plans: PlanStore::new(Duration::from_secs(config.plan_ttl_secs)),
            audit: Audit::open(config.audit_log.clone())?,
            lag_history: Default::default(),
            router: std::sync::OnceLock::new(),
            config,
        }))
    }
}

/// One MCP session's handler (cheap to clone: state is shared).
#[derive(Clone)]
pub struct KafkaMcp {
    pub(crate) state: Arc<AppState>,
    /// Lowest level of MCP log notifications this session wants (`logging/setLevel`);
    /// 4 = warning by default (0 debug … 7 emergency).
    pub(crate) log_level: Arc<std::sync::atomic::AtomicU8>,
}

impl KafkaMcp {
    /// A handler over shared state.
    pub fn new(state: Arc<AppState>) -> KafkaMcp {
        KafkaMcp {
            state,
            log_level: Arc::new(std::sync::atomic::AtomicU8::new(3)),
        }
    }

    /// Shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Effective configuration.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// The cluster a call names (or the default), as a tool error when unknown.
    pub fn cluster(&self, name: Option<&str>) -> Result<Arc<Cluster>, ToolError> {
        Ok(self.state.kafka.cluster(name)?)
    }

    /// Wraps a tool output with the configured byte cap.
    pub fn answer<T: serde::Serialize + Summary>(&self, value: T) -> Answer<T> {
        Answer {
            value,
            max_bytes: self.config().max_output_bytes,
        }
    }

    /// Writes the audit line of a new plan.
    pub fn audit_plan(&self, cluster: &str, tool: &str, plan: &crate::plans::Plan) {
        self.state.audit.record(&crate::plans::AuditRecord {
            ts_ms: crate::plans::now_ms(),
            cluster,
            event: "plan",
            tool,
            target: plan.change.target(),
            plan_id: &plan.id,
            result: "planned",
        });
    }

    /// Stores a drafted plan for `apply_change` (with its expiry and audit line) and renders
    /// it; a read-only cluster gets a warning that applying will be refused.
    pub fn store_plan(
        &self,
        cluster: &crate::config::ClusterConfig,
        tool: &str,
        draft: crate::plans::Draft,
    ) -> crate::plans::PlanOut {
        let mut warnings = draft.warnings;
        if !cluster.allow_writes {
            warnings.push("writes are disabled for this cluster: apply_change will refuse this plan until the server runs with --allow-writes".into());
        }
        let stored = self.state.plans.insert(
            &cluster.name,
            draft.change,
            draft.precondition,
            draft.summary,
        );
        self.audit_plan(&cluster.name, tool, &stored);
        crate::plans::PlanOut::new(&stored, draft.impact, warnings)
    }
}

//! The MCP server: shared state, the tool router (one router per tool file, joined with `+`),
//! server info, and the stdio transport. HTTP transports live in `crate::http`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool_handler, ServerHandler, ServiceExt};

use crate::config::Config;
use crate::error::ToolError;
use crate::kafka::{Cluster, Kafka};
use crate::analysis::lag::LagHistory;
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
            config,
        }))
    }
}

/// One MCP session's handler (cheap to clone: state is shared).
#[derive(Clone)]
pub struct KafkaMcp {
    state: Arc<AppState>,
    tool_router: ToolRouter<KafkaMcp>,
}

/// What the server tells the agent at initialize.
pub const INSTRUCTIONS: &str = "kafka-mcp operates Apache Kafka safely. Start with cluster_health. \
Reads are free; writes are two steps: a plan_* action returns a plan_id with its impact, then \
apply_change applies it (only when writes are enabled). Offsets are strings. Lists are paged: \
pass next_cursor back as cursor.";

impl KafkaMcp {
    /// A handler over shared state.
    pub fn new(state: Arc<AppState>) -> KafkaMcp {
        let mut tool_router = Self::cluster_health_router() + Self::topic_manage_router() + Self::consumer_groups_router() + Self::config_audit_router() + Self::schema_validate_router();
        if state.config.allow_writes {
            tool_router = tool_router + Self::apply_change_router();
        }
        for route in tool_router.map.values_mut() {
            let input = crate::schema::lean_input(&serde_json::Value::Object((*route.attr.input_schema).clone()));
            route.attr.input_schema = Arc::new(input.as_object().cloned().unwrap_or_default());
            if let Some(out) = &route.attr.output_schema {
                let lean = crate::schema::lean_output(&serde_json::Value::Object((**out).clone()));
                route.attr.output_schema = Some(Arc::new(lean.as_object().cloned().unwrap_or_default()));
            }
        }
        KafkaMcp { state, tool_router }
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
        Answer { value, max_bytes: self.config().max_output_bytes }
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

    /// Every tool this session serves (for `kafka-mcp tools` and tests).
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        self.tool_router.list_all()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for KafkaMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("kafka-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves MCP over stdio until the client closes stdin. Nothing but JSON-RPC reaches stdout.
pub async fn serve_stdio(state: Arc<AppState>) -> anyhow::Result<()> {
    let service = KafkaMcp::new(state).serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    Ok(())
}

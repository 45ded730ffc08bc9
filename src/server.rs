//! The MCP server: shared state, the tool router (one router per tool file, joined with `+`),
//! server info, and the stdio transport. HTTP transports live in `crate::http`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
#[allow(deprecated)]
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorData, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    LoggingLevel, LoggingMessageNotificationParam, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
    SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{tool_handler, Peer, RoleServer, ServerHandler, ServiceExt};

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
    state: Arc<AppState>,
    /// Lowest level of MCP log notifications this session wants (`logging/setLevel`);
    /// 4 = warning by default (0 debug … 7 emergency).
    log_level: Arc<std::sync::atomic::AtomicU8>,
}

/// What the server tells the agent at initialize.
pub const INSTRUCTIONS: &str =
    "kafka-mcp operates Apache Kafka safely. Start with cluster_health. \
Reads are free; writes are two steps: a plan_* action returns a plan_id with its impact, then \
apply_change applies it (only when writes are enabled). Offsets are strings. Lists are paged: \
pass next_cursor back as cursor.";

impl KafkaMcp {
    /// A handler over shared state.
    pub fn new(state: Arc<AppState>) -> KafkaMcp {
        KafkaMcp {
            state,
            log_level: Arc::new(std::sync::atomic::AtomicU8::new(3)),
        }
    }

    /// The tool router, built once per process on first use (not before `initialize` is
    /// answered, and not again for every HTTP session): one router per tool file, joined, with
    /// `apply_change` only when writes are enabled and every schema made lean.
    pub fn router(&self) -> &ToolRouter<KafkaMcp> {
        self.state.router.get_or_init(|| {
            let mut tool_router = Self::cluster_health_router()
                + Self::topic_manage_router()
                + Self::consumer_groups_router()
                + Self::config_audit_router()
                + Self::schema_validate_router();
            if self.state.config.allow_writes {
                tool_router += Self::apply_change_router();
            }
            for route in tool_router.map.values_mut() {
                let input = crate::schema::lean_input(&serde_json::Value::Object(
                    (*route.attr.input_schema).clone(),
                ));
                route.attr.input_schema = Arc::new(input.as_object().cloned().unwrap_or_default());
                if let Some(out) = &route.attr.output_schema {
                    let lean =
                        crate::schema::lean_output(&serde_json::Value::Object((**out).clone()));
                    route.attr.output_schema =
                        Some(Arc::new(lean.as_object().cloned().unwrap_or_default()));
                }
            }
            tool_router
        })
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

    /// Every tool this session serves (for `kafka-mcp tools` and tests).
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        self.router().list_all()
    }
}

#[allow(deprecated)]
fn level_rank(l: LoggingLevel) -> u8 {
    match l {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

impl KafkaMcp {
    /// Sends `notes` of a tool answer (partial results, broker limitations) as MCP log
    /// notifications at warning level, when the session wants warnings. Notes are built from
    /// scrubbed errors: no secrets.
    #[allow(deprecated)]
    async fn log_notes(
        &self,
        peer: &Peer<RoleServer>,
        tool: &str,
        result: &rmcp::model::CallToolResult,
    ) {
        if self.log_level.load(std::sync::atomic::Ordering::Relaxed)
            > level_rank(LoggingLevel::Warning)
        {
            return;
        }
        let notes = result
            .structured_content
            .as_ref()
            .and_then(|v| v.get("notes"))
            .and_then(|n| n.as_array())
            .cloned()
            .unwrap_or_default();
        for note in notes.into_iter().take(5) {
            let param = LoggingMessageNotificationParam::new(
                LoggingLevel::Warning,
                serde_json::json!({"tool": tool, "note": note}),
            )
            .with_logger("kafka-mcp");
            if let Err(e) = peer.notify_logging_message(param).await {
                tracing::debug!("log notification not sent: {e}");
            }
        }
    }
}

#[allow(deprecated)]
#[tool_handler(router = self.router())]
impl ServerHandler for KafkaMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .enable_logging()
                .build(),
        )
        .with_server_info(Implementation::new("kafka-mcp", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let peer = context.peer.clone();
        let name = request.name.to_string();
        let span = tracing::info_span!("tool", tool = %name);
        let tcc = ToolCallContext::new(self, request, context);
        let started = std::time::Instant::now();
        let response = tracing::Instrument::instrument(self.router().call(tcc), span).await;
        tracing::debug!(tool = %name, elapsed_us = started.elapsed().as_micros() as u64, "tool call done");
        if let Ok(CallToolResponse::Complete(result)) = &response {
            self.log_notes(&peer, &name, result).await;
        }
        response
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.log_level.store(
            level_rank(request.level),
            std::sync::atomic::Ordering::Relaxed,
        );
        Ok(())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(crate::resources::list(
            self,
        )))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            crate::resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match crate::resources::read(self, &request.uri).await {
            Ok(r) => Ok(r.into()),
            Err(e) if e.kind == crate::error::ErrorKind::InvalidInput => {
                Err(ErrorData::resource_not_found(e.message, None))
            }
            Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(
            crate::resources::prompts(),
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        crate::resources::get_prompt(&request.name, request.arguments)
            .map(Into::into)
            .map_err(|m| ErrorData::invalid_params(m, None))
    }
}

/// Serves MCP over stdio until the client closes stdin. Nothing but JSON-RPC reaches stdout.
pub async fn serve_stdio(state: Arc<AppState>) -> anyhow::Result<()> {
    let service = KafkaMcp::new(state).serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    Ok(())
}

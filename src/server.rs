//! The MCP server: the tool router (one router per tool file, joined with `+`), server info,
//! resources and prompts wiring, and request handling. The handler and its shared state live in
//! `crate::app`, which the tools import; this module imports the tools, never the reverse. HTTP transports live in `crate::http`.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
#[allow(deprecated)]
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    CustomRequest, CustomResult, ErrorCode, ErrorData, GetPromptRequestParams, GetPromptResponse,
    Implementation, InitializeRequestParams, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, LoggingLevel, LoggingMessageNotificationParam,
    PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ResultType, ServerCapabilities, ServerConfig, SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{tool_handler, Peer, RoleServer, ServerHandler};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use crate::app::{AppState, KafkaMcp};

/// What the server tells the agent at initialize.
pub const INSTRUCTIONS: &str =
    "kafka-mcp operates Apache Kafka safely. Start with cluster_health. \
Reads are free; writes are two steps: a plan_* action returns a plan_id with its impact, then \
apply_change applies it (only when writes are enabled). Offsets are strings. Lists are paged: \
pass next_cursor back as cursor.";

impl KafkaMcp {
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

/// Races a handler against its request's token, which rmcp cancels on `notifications/cancelled`
/// and when the session ends (the stdio client went away, an HTTP session was deleted): a
/// cancelled call stops waiting on Kafka at once instead of running to its deadline. (A
/// librdkafka call already running on a blocking thread finishes there; nobody waits for it.)
async fn cancellable<T>(
    ct: &CancellationToken,
    call: impl std::future::Future<Output = Result<T, ErrorData>>,
) -> Result<T, ErrorData> {
    tokio::select! {
        r = call => r,
        _ = ct.cancelled() => Err(ErrorData::new(ErrorCode(-32800), "request cancelled", None)),
    }
}

/// Every list this server serves fits one page, so it never hands out a `nextCursor`: any
/// cursor sent back is one it did not issue, `-32602 Invalid params` (MCP pagination).
fn no_cursor(request: &Option<PaginatedRequestParams>) -> Result<(), ErrorData> {
    match request.as_ref().and_then(|r| r.cursor.as_deref()) {
        None => Ok(()),
        Some(c) => Err(ErrorData::invalid_params(
            format!(
                "invalid cursor {c:?}: this list is never paged (no nextCursor was given); call it without a cursor"
            ),
            None,
        )),
    }
}

/// Why `params` do not fit `T`, in serde's words.
fn params_problem<T: serde::de::DeserializeOwned>(params: Option<&Value>) -> String {
    match params {
        None => "params are missing".to_string(),
        Some(p) => match serde_json::from_value::<T>(p.clone()) {
            Err(e) => e.to_string(),
            Ok(_) => "params do not match the method".to_string(),
        },
    }
}

/// The answer to a request rmcp could not read as any method it knows. rmcp 3.9 reads a
/// standard method whose params do not fit its type (`tools/call {}`, `logging/setLevel
/// {"level":"loud"}`) as a custom request, and its default answers those `-32601 Method not
/// found`; JSON-RPC says `-32602 Invalid params` (upstream should try the method's own type and
/// answer Invalid params on a known method, instead of falling through to the custom variant).
#[allow(deprecated)]
pub fn unreadable_request_error(method: &str, params: Option<&Value>) -> ErrorData {
    let problem = match method {
        "initialize" => params_problem::<InitializeRequestParams>(params),
        "ping" => "ping takes no params".to_string(),
        "tools/call" => params_problem::<CallToolRequestParams>(params),
        "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list" => {
            params_problem::<PaginatedRequestParams>(params)
        }
        "resources/read" => params_problem::<ReadResourceRequestParams>(params),
        "prompts/get" => params_problem::<GetPromptRequestParams>(params),
        "completion/complete" => params_problem::<CompleteRequestParams>(params),
        "logging/setLevel" => params_problem::<SetLevelRequestParams>(params),
        _ => {
            return ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("method not found: {method}"),
                None,
            )
        }
    };
    ErrorData::invalid_params(format!("invalid params for {method}: {problem}"), None)
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
                .enable_completions()
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
        let ct = context.ct.clone();
        let tcc = ToolCallContext::new(self, request, context);
        let started = std::time::Instant::now();
        let call = tracing::Instrument::instrument(self.router().call(tcc), span);
        let response = cancellable(&ct, call).await;
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

    /// As `#[tool_handler]` would generate it, plus the cursor check.
    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        no_cursor(&request)?;
        let cache_hints = context
            .protocol_version()
            .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
        Ok(ListToolsResult {
            result_type: Some(ResultType::COMPLETE),
            tools: self.router().list_all(),
            meta: None,
            next_cursor: None,
            ttl_ms: cache_hints.then_some(0),
            cache_scope: cache_hints.then_some(CacheScope::Public),
        })
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        no_cursor(&request)?;
        Ok(ListResourcesResult::with_all_items(crate::resources::list(
            self,
        )))
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        no_cursor(&request)?;
        Ok(ListResourceTemplatesResult::with_all_items(
            crate::resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        cancellable(&context.ct, async {
            match crate::resources::read(self, &request.uri).await {
                Ok(r) => Ok(r.into()),
                Err(e) if e.kind == crate::error::ErrorKind::InvalidInput => {
                    Err(ErrorData::resource_not_found(e.message, None))
                }
                Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
            }
        })
        .await
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        no_cursor(&request)?;
        Ok(ListPromptsResult::with_all_items(
            crate::resources::prompts(),
        ))
    }

    /// Completes resource-template and prompt arguments: cluster names from the config, topic
    /// and group names from the cluster (a short deadline; nothing when it does not answer).
    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let known = request
            .context
            .as_ref()
            .and_then(|c| c.arguments.clone())
            .unwrap_or_default();
        cancellable(&context.ct, async {
            crate::resources::complete(self, &request.r#ref, &request.argument, &known)
                .await
                .map(CompleteResult::new)
                .map_err(|m| ErrorData::invalid_params(m, None))
        })
        .await
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(unreadable_request_error(
            &request.method,
            request.params.as_ref(),
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

//! Commands for humans and scripts: `call`, `tools`, `config check`. `call` and `tools` speak
//! MCP to an in-process server over a pipe, so they exercise exactly what an agent gets.
//! This is the one place that writes to stdout outside the stdio transport. A reader that
//! stops early (`kafka-mcp tools | head`) ends the output quietly, like other CLIs: every
//! write goes through [`out`], and a closed pipe is not an error.

use std::io::Write;
use std::sync::Arc;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::ServiceExt;

use crate::app::{AppState, KafkaMcp};
use crate::config::Config;

/// Runs an in-process MCP client against a fresh server and returns the tool result.
pub async fn call_tool(
    state: Arc<AppState>,
    tool: &str,
    args: serde_json::Value,
) -> anyhow::Result<CallToolResult> {
    let serde_json::Value::Object(arguments) = args else {
        anyhow::bail!("tool arguments must be a JSON object, e.g. '{{\"detail\":\"full\"}}'");
    };
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let server = tokio::spawn(async move {
        if let Ok(running) = KafkaMcp::new(state).serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ().serve(client_io).await?;
    let result = client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
        .await;
    let _ = client.cancel().await;
    server.abort();
    Ok(result?)
}

/// `kafka-mcp call TOOL JSON [--text]`: prints the structured result (or the text); exit code
/// 1 when the tool returned an error.
pub async fn call(state: Arc<AppState>, tool: &str, args: &str, text: bool) -> anyhow::Result<i32> {
    let args: serde_json::Value = serde_json::from_str(args).map_err(|e| {
        anyhow::anyhow!("arguments are not valid JSON ({e}); pass a JSON object like '{{}}'")
    })?;
    let names: Vec<String> = KafkaMcp::new(state.clone())
        .tools()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    if !names.iter().any(|n| n == tool) {
        let hint = if tool == "apply_change" {
            " apply_change exists only with --allow-writes (KAFKA_MCP_ALLOW_WRITES=true)."
        } else {
            ""
        };
        anyhow::bail!(
            "unknown tool {tool:?}; the tools are {}.{hint}",
            names.join(", ")
        );
    }
    let result = call_tool(state, tool, args).await?;
    let is_error = result.is_error == Some(true);
    let texts: Vec<String> = result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect();
    if text || is_error || result.structured_content.is_none() {
        out(&texts.join("\n"))?;
    } else if let Some(v) = &result.structured_content {
        out(&serde_json::to_string_pretty(v)?)?;
    }
    Ok(if is_error { 1 } else { 0 })
}

/// Writes `text` and a newline to stdout. A closed stdout (the reader went away: `| head`)
/// is fine, the output simply ends; Rust ignores SIGPIPE, so this sees `BrokenPipe` where C
/// tools would die of the signal, and `println!` would panic.
pub fn out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// `kafka-mcp tools`: names, descriptions and schemas as JSON.
pub fn tools(state: Arc<AppState>) -> anyhow::Result<()> {
    let tools = KafkaMcp::new(state).tools();
    out(&serde_json::to_string_pretty(&tools)?)
}

/// `kafka-mcp config check`: effective config with secrets masked, then a connectivity test of
/// every cluster with a verdict. Exit code 1 when a cluster is unreachable.
pub async fn config_check(config: &Config, state: Arc<AppState>) -> anyhow::Result<i32> {
    let shown = serde_json::json!({
        "default_cluster": config.default_cluster,
        "timeout_ms": config.timeout_ms,
        "max_output_bytes": config.max_output_bytes,
        "allow_writes": config.allow_writes,
        "protected_topics": config.protected_topics,
        "write_allow": config.write_allow,
        "write_deny": config.write_deny,
        "plan_ttl_secs": config.plan_ttl_secs,
        "disabled_rules": config.disabled_rules,
        "clusters": config.clusters.values().map(|c| serde_json::json!({
            "name": c.name,
            "allow_writes": c.allow_writes,
            "expected_brokers": c.expected_brokers,
            "properties": c.masked_properties(),
        })).collect::<Vec<_>>(),
    });
    out(&serde_json::to_string_pretty(&shown)?)?;
    if config.clusters.is_empty() {
        out("\nverdict: no cluster configured. Set KAFKA_BOOTSTRAP_SERVERS=host:port (and KAFKA_<PROPERTY> for auth), or pass --config with [clusters.NAME].")?;
        return Ok(1);
    }
    let mut failed = 0;
    for cluster in state.kafka.all() {
        let started = std::time::Instant::now();
        match crate::kafka::admin::metadata(cluster, None).await {
            Ok((brokers, topics)) => out(&format!(
                "\ncluster {}: OK — {} broker(s), {} topic(s), answered in {} ms",
                cluster.config.name,
                brokers.len(),
                topics.len(),
                started.elapsed().as_millis()
            ))?,
            Err(e) => {
                failed += 1;
                out(&format!(
                    "\ncluster {}: UNREACHABLE — {e}",
                    cluster.config.name
                ))?;
            }
        }
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

//! kafka-mcp: an MCP server that lets AI agents operate Apache Kafka safely.
//!
//! The shape: a functional core (`analysis`, `avro`: pure functions over plain data) inside an
//! imperative shell (`kafka`: admin calls, deadlines, error translation, FFI) under a thin MCP
//! skin (`tools`: one file per tool). Data flows one way: request → snapshot from Kafka → pure
//! evaluation → budgeted output (`output`).
#![deny(unsafe_code)]

pub mod analysis;
pub mod app;
pub mod avro;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod kafka;
pub mod mcp_tools;
pub mod output;
pub mod plans;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod schema_dir;
pub mod schema_format;
pub mod server;
pub mod snapshot;
pub mod stdio;

use std::collections::BTreeMap;
use std::time::Duration;

use config::{Cli, Command, Config, ConfigAction};
use server::AppState;

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let config = Config::load(&cli.settings, &env)?;
    match cli.command {
        None => {
            stdio::serve(AppState::new(config)?).await?;
            Ok(0)
        }
        Some(Command::Serve(args)) => match &args.http {
            None => {
                stdio::serve(AppState::new(config)?).await?;
                Ok(0)
            }
            Some(addr) => {
                let sock: std::net::SocketAddr = tokio::net::lookup_host(addr)
                    .await?
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("cannot resolve {addr}"))?;
                let token = http::load_token(args.token.clone(), args.token_file.as_deref())?;
                let guard = http::HttpGuard::new(
                    &sock,
                    token,
                    args.allowed_hosts.clone(),
                    args.allowed_origins.clone(),
                )?;
                http::serve_http(
                    AppState::new(config)?,
                    addr,
                    guard,
                    Duration::from_secs(args.session_idle_secs),
                )
                .await?;
                Ok(0)
            }
        },
        Some(Command::Call { tool, args, text }) => {
            cli::call(AppState::new(config)?, &tool, &args, text).await
        }
        Some(Command::Tools) => {
            cli::tools(AppState::new(config)?)?;
            Ok(0)
        }
        Some(Command::Config {
            action: ConfigAction::Check,
        }) => {
            let state = AppState::new(config.clone())?;
            cli::config_check(&config, state).await
        }
    }
}

/// Starts tracing on stderr (`RUST_LOG`, default `warn`). Never stdout: in stdio mode stdout
/// belongs to JSON-RPC.
pub fn init_tracing() {
    let filter =
        tracing_subscriber::EnvFilter::new(log_filter(std::env::var("RUST_LOG").ok().as_deref()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// The tracing filter for a `RUST_LOG` value: the user's filter as written (`warn` when unset
/// or blank), with one exception. rmcp logs whole requests and responses at debug and trace,
/// and tool arguments can carry secrets (a client config pasted into config_audit), so a
/// global `debug`/`trace` does not reach rmcp: it is held at `info` unless the filter names
/// `rmcp` itself. Never raises a level: `RUST_LOG=warn` prints no rmcp INFO lines. Pure.
pub fn log_filter(rust_log: Option<&str>) -> String {
    let Some(user) = rust_log.map(str::trim).filter(|s| !s.is_empty()) else {
        return "warn".to_string();
    };
    let directives: Vec<&str> = user
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let names_rmcp = directives.iter().any(|d| d.starts_with("rmcp"));
    // The last bare level wins in EnvFilter, as here.
    let global = directives
        .iter()
        .rev()
        .find(|d| !d.contains('=') && !d.contains('['))
        .map(|d| d.to_ascii_lowercase());
    let verbose = matches!(global.as_deref(), Some("debug" | "trace"));
    if verbose && !names_rmcp {
        format!("{user},rmcp=info")
    } else {
        user.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::log_filter;

    #[test]
    fn log_filter_honours_rust_log_and_keeps_rmcp_payloads_out() {
        assert_eq!(log_filter(None), "warn");
        assert_eq!(log_filter(Some("  ")), "warn");
        // Never raises rmcp above what the user asked.
        assert_eq!(log_filter(Some("warn")), "warn");
        assert_eq!(log_filter(Some("error")), "error");
        assert_eq!(log_filter(Some("info")), "info");
        assert_eq!(log_filter(Some("kafka_mcp=debug")), "kafka_mcp=debug");
        // A global debug/trace stops at info for rmcp (request dumps carry tool arguments).
        assert_eq!(log_filter(Some("trace")), "trace,rmcp=info");
        assert_eq!(
            log_filter(Some("kafka_mcp=trace,DEBUG")),
            "kafka_mcp=trace,DEBUG,rmcp=info"
        );
        // Unless rmcp is named explicitly.
        assert_eq!(log_filter(Some("trace,rmcp=debug")), "trace,rmcp=debug");
        assert_eq!(
            log_filter(Some("debug,rmcp::service=trace")),
            "debug,rmcp::service=trace"
        );
    }
}

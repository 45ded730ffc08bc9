//! kafka-mcp: an MCP server that lets AI agents operate Apache Kafka safely.
//!
//! The shape: a functional core (`analysis`, `avro`: pure functions over plain data) inside an
//! imperative shell (`kafka`: admin calls, deadlines, error translation, FFI) under a thin MCP
//! skin (`tools`: one file per tool). Data flows one way: request → snapshot from Kafka → pure
//! evaluation → budgeted output (`output`).
#![deny(unsafe_code)]

pub mod analysis;
pub mod avro;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod json_schema;
pub mod kafka;
pub mod output;
pub mod plans;
pub mod proto_schema;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod schema_format;
pub mod server;
pub mod tools;

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
            server::serve_stdio(AppState::new(config)?).await?;
            Ok(0)
        }
        Some(Command::Serve(args)) => match &args.http {
            None => {
                server::serve_stdio(AppState::new(config)?).await?;
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
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let user_set = from_env.is_some();
    let filter = from_env.unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    // rmcp logs whole requests and responses at debug and trace, and tool arguments can carry
    // secrets (a client config pasted into config_audit): rmcp stays at info whatever RUST_LOG says.
    // Only when RUST_LOG asks for more (without it everything is at warn).
    let filter = if user_set {
        [
            "rmcp::service=info",
            "rmcp::transport=info",
            "rmcp::handler=info",
        ]
        .into_iter()
        .fold(filter, |f, d| {
            f.add_directive(d.parse().expect("a valid directive"))
        })
    } else {
        filter
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

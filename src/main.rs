//! `kafka-mcp`: parse the command line, start tracing (stderr), run, map errors to exit code 2.

use clap::Parser;

#[tokio::main]
async fn main() {
    kafka_mcp::init_tracing();
    let cli = kafka_mcp::config::Cli::parse();
    match kafka_mcp::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("kafka-mcp: {err:#}");
            std::process::exit(2);
        }
    }
}

//! The recorded protocol fuzz run: feeds N generated inputs (default 1 000 000) to kafka-mcp in
//! process, through rmcp's newline-delimited JSON-RPC transport, and fails on any panic, hang or
//! reply that is not valid JSON-RPC. See `protocol.rs` for what is generated and checked.
//!
//! ```sh
//! cargo run --release --example fuzz_protocol -- [INPUTS] [SEED] [BOOTSTRAP]
//! ```
//! With BOOTSTRAP (host:port), the default cluster points at that broker (read-only).

#[path = "protocol.rs"]
mod protocol;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inputs = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_250_601);
    let bootstrap = args.get(2).cloned();
    let opts = protocol::Options {
        inputs,
        seed,
        allow_writes: bootstrap.is_none(),
        bootstrap,
        reply_deadline: std::time::Duration::from_secs(30),
        progress_every: 50_000,
    };
    eprintln!("fuzz_protocol: {opts:?}");
    let r = protocol::run(opts).await;
    eprintln!("inputs:        {}", r.inputs);
    eprintln!("bytes sent:    {}", r.bytes);
    eprintln!("by kind:       {:?}", r.by_kind);
    eprintln!(
        "sessions:      {} ({} closed by the server before initialize)",
        r.sessions, r.sessions_closed_before_init
    );
    eprintln!(
        "replies:       {} ({} protocol errors, {} tool errors)",
        r.replies, r.protocol_errors, r.tool_errors
    );
    eprintln!("panics:        {}", r.panics);
    eprintln!("slowest input: {:?}", r.slowest);
    eprintln!(
        "elapsed:       {:?} ({:.0} inputs/s)",
        r.elapsed,
        r.inputs as f64 / r.elapsed.as_secs_f64()
    );
    eprintln!("failures:      {}", r.failure_count);
    for f in &r.failures {
        eprintln!("  - {f}");
    }
    if r.failure_count > 0 {
        std::process::exit(1);
    }
}

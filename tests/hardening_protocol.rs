//! Protocol robustness: fuzzed MCP input in process (the stdio framing over a duplex pipe) and
//! against the real binary's stdio, oversized lines, and stdout purity at trace level.
//!
//! The CI-sized fuzz run here sends 20 000 inputs (`KAFKA_MCP_FUZZ_INPUTS` and
//! `KAFKA_MCP_FUZZ_SEED` override); `cargo run --release --example fuzz_protocol -- 1000000`
//! is the recorded run (HARDENING.md).

mod common;
mod hardening;
#[path = "../tools/fuzz/protocol.rs"]
mod protocol;

use std::time::Duration;

use hardening::*;
use serde_json::{json, Value};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn assert_clean(report: &protocol::Report, inputs: u64) {
    eprintln!(
        "fuzz: {} inputs ({} bytes) in {:?}, {} sessions ({} closed before initialize), {} replies ({} protocol errors, {} tool errors), slowest {:?}, kinds {:?}",
        report.inputs,
        report.bytes,
        report.elapsed,
        report.sessions,
        report.sessions_closed_before_init,
        report.replies,
        report.protocol_errors,
        report.tool_errors,
        report.slowest,
        report.by_kind
    );
    assert!(
        report.failures.is_empty(),
        "{} failure(s): {:#?}",
        report.failure_count,
        report.failures
    );
    assert_eq!(report.panics, 0);
    assert_eq!(report.inputs, inputs);
    assert!(
        report.replies >= inputs,
        "every input is followed by an answered sentinel"
    );
}

#[test]
fn fuzzed_input_in_process_never_panics_hangs_or_answers_invalid_json_rpc() {
    let inputs = env_u64("KAFKA_MCP_FUZZ_INPUTS", 20_000);
    let seed = env_u64("KAFKA_MCP_FUZZ_SEED", 20_250_601);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(protocol::run(protocol::Options {
        inputs,
        seed,
        ..protocol::Options::default()
    }));
    assert_clean(&report, inputs);
    assert!(
        report.by_kind.get("tool_call").copied().unwrap_or(0) > inputs / 4,
        "{:?}",
        report.by_kind
    );
}

#[test]
fn fuzzed_tool_arguments_against_the_broker_never_break_the_server() {
    let Some(b) = common::bootstrap() else { return };
    let inputs = env_u64("KAFKA_MCP_FUZZ_BROKER_INPUTS", 1_500);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let opts = protocol::Options {
        inputs,
        seed: 7,
        bootstrap: Some(b),
        allow_writes: false,
        reply_deadline: Duration::from_secs(30),
        progress_every: 0,
    };
    let report = rt.block_on(protocol::run(opts));
    assert_clean(&report, inputs);
}

#[test]
fn the_checker_rejects_what_is_not_json_rpc() {
    assert!(protocol::check_reply(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n").is_ok());
    assert!(protocol::check_reply(
        b"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"x\"}}\n"
    )
    .is_ok());
    for bad in [
        &b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"[..],
        b"hello\n",
        b"{\"id\":1,\"result\":{}}\n",
        b"{\"jsonrpc\":\"2.0\",\"id\":1}\n",
        b"{\"jsonrpc\":\"2.0\",\"result\":{}}\n",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{}}\n",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"x\",\"message\":\"m\"}}\n",
        b"{\"jsonrpc\":\"2.0\",\"id\":[1],\"result\":{}}\n",
        b"\xff\n",
    ] {
        assert!(
            protocol::check_reply(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(
        protocol::expected_id(br#"{"jsonrpc":"2.0","id":7,"method":"x"}"#),
        Some(json!(7))
    );
    assert_eq!(
        protocol::expected_id(br#"{"jsonrpc":"2.0","method":"x"}"#),
        None
    );
    for ambiguous in [
        &br#"{"jsonrpc":"2.0","id":7,"method":"x","method":"y"}"#[..],
        br#"{"jsonrpc":"2.0","id":7,"method":"notifications/x","params":1}"#,
    ] {
        assert_eq!(protocol::expected_id(ambiguous), None);
    }
}

/// The same generator against the real binary's stdio (blocking pipes, real stdout), with
/// tracing at trace level: every stdout line is JSON-RPC and the process survives.
#[test]
fn fuzzed_input_over_the_real_stdio_keeps_stdout_pure_and_the_server_up() {
    let dir = temp_dir("stdio-fuzz");
    let mut m = Mcp::start(&["--allow-writes"], &[("RUST_LOG", "trace")], &dir);
    let tools: Vec<(String, Value)> = {
        let id = m.send("tools/list", json!({}));
        let r = m.wait(id, Duration::from_secs(30)).expect("tools/list");
        r["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_string(),
                    t["inputSchema"].clone(),
                )
            })
            .collect()
    };
    let mut g = protocol::Gen::new(99, tools, false);
    let n = env_u64("KAFKA_MCP_FUZZ_STDIO_INPUTS", 2_000);
    for i in 0..n {
        let (_, input) = g.input();
        assert!(
            m.send_raw(&input),
            "server stopped reading at input {i}: {}",
            String::from_utf8_lossy(&input)
        );
        let sentinel = format!("zz-sentinel-{i}");
        m.send_raw(
            json!({"jsonrpc": "2.0", "id": sentinel, "method": "ping"})
                .to_string()
                .as_bytes(),
        );
        let r = m.wait_str(&sentinel, Duration::from_secs(10));
        assert!(
            r.is_some(),
            "no answer to the ping after input {i}: {}",
            String::from_utf8_lossy(&input)
                .chars()
                .take(500)
                .collect::<String>()
        );
    }
    m.drain();
    for l in &m.lines {
        if let Err(e) = protocol::check_reply(l.as_bytes()) {
            panic!("invalid stdout line ({e}): {l}");
        }
    }
    assert!(m.child.try_wait().unwrap().is_none(), "the server exited");
    assert!(!m.stderr().contains("panicked"), "a panic was logged");
}

/// A 50 MB request line is dropped by the transport's line limit: memory stays bounded, the
/// server keeps answering. Also a 50 MB run without any newline.
#[test]
fn a_50_mb_line_is_refused_without_unbounded_memory() {
    let dir = temp_dir("oversized");
    let mut m = Mcp::start(&[], &[], &dir);
    assert!(m.ping(Duration::from_secs(10)));
    let (_, base_hwm) = m.memory_kb();
    let chunk = vec![b'x'; 1 << 20];
    // A valid ping request whose params carry 50 MB.
    assert!(m.write_bytes(br#"{"jsonrpc":"2.0","id":"huge","method":"ping","params":{"pad":""#));
    for _ in 0..50 {
        assert!(
            m.write_bytes(&chunk),
            "the server stopped reading inside the long line"
        );
    }
    assert!(m.write_bytes(b"\"}}\n"));
    assert!(
        m.ping(Duration::from_secs(30)),
        "the server answers after the long line"
    );
    assert!(
        m.wait_str("huge", Duration::from_millis(500)).is_none(),
        "the oversized request must not be processed"
    );
    // 50 MB with no newline at all, then a newline and a normal request.
    for _ in 0..50 {
        assert!(m.write_bytes(&chunk));
    }
    assert!(m.write_bytes(b"\n"));
    assert!(m.ping(Duration::from_secs(30)));
    let (rss, hwm) = m.memory_kb();
    eprintln!("oversized: VmHWM before {base_hwm} kB, after {hwm} kB, VmRSS now {rss} kB");
    // Buffering a whole 50 MB line (or two) would add at least 50 MB; the cap is 16 MiB.
    assert!(
        hwm < base_hwm + 45 * 1024,
        "peak memory grew by {} kB for a 50 MB line",
        hwm - base_hwm
    );
    m.assert_pure_stdout();
}

/// Garbage and pings before initialize are survived; initialize then works.
#[test]
fn junk_before_initialize_is_ignored() {
    let dir = temp_dir("preinit");
    let mut m = Mcp::spawn(&[], &[], &dir);
    m.send_raw(b"not json at all");
    m.send_raw(b"\xff\xfe\x00");
    m.send_raw(b"");
    m.send_raw(b"{\"unterminated\": ");
    let id = m.send("ping", json!({}));
    assert!(m
        .wait(id, Duration::from_secs(10))
        .is_some_and(|r| r.get("result").is_some()));
    let id = m.send(
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}),
    );
    let r = m
        .wait(id, Duration::from_secs(10))
        .expect("initialize answered");
    assert_eq!(r["result"]["serverInfo"]["name"], "kafka-mcp");
    m.assert_pure_stdout();
}

/// With tracing at trace level and librdkafka's own debug logging on, against the broker and
/// an unreachable cluster, through every tool and a protocol error: stdout carries only
/// JSON-RPC, and the logs did go to stderr.
#[test]
fn stdout_carries_only_json_rpc_at_trace_level_with_librdkafka_debug() {
    let Some(b) = common::bootstrap() else { return };
    let dir = temp_dir("purity");
    let config = dir.join("kafka-mcp.toml");
    std::fs::write(
        &config,
        format!(
            "default_cluster = \"local\"\n[clusters.local]\n\"bootstrap.servers\" = \"{b}\"\ndebug = \"all\"\n[clusters.down]\n\"bootstrap.servers\" = \"127.0.0.1:1\"\ndebug = \"broker,protocol\"\n"
        ),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let mut m = Mcp::start(
        &["--config", cfg, "--allow-writes", "--timeout-ms", "3000"],
        &[("RUST_LOG", "trace")],
        &dir,
    );
    let topic = common::unique("purity");
    common::kafka::create_topic(&b, &topic, 2, &[]);
    common::kafka::produce(&b, &topic, 10, 2);
    let calls = [
        ("cluster_health", json!({"detail": "full"})),
        ("cluster_health", json!({"cluster": "down"})),
        (
            "topic_manage",
            json!({"action": "list", "with_counts": true}),
        ),
        (
            "topic_manage",
            json!({"action": "describe", "topic": topic}),
        ),
        (
            "topic_manage",
            json!({"action": "peek", "topic": topic, "count": 3}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_add_partitions", "topic": topic, "partitions": 3}),
        ),
        (
            "consumer_groups",
            json!({"action": "list", "with_lag": true}),
        ),
        ("config_audit", json!({"scope": "cluster"})),
        (
            "config_audit",
            json!({"scope": "client", "client": {"properties": {"acks": "1"}}}),
        ),
        (
            "schema_validate",
            json!({"action": "validate", "schema": "{\"type\":\"string\"}"}),
        ),
        (
            "apply_change",
            json!({"plan_id": "plan-nope", "confirm": topic}),
        ),
    ];
    let ids: Vec<u64> = calls
        .iter()
        .map(|(t, a)| m.send_call(t, a.clone()))
        .collect();
    m.send_raw(b"this is not json");
    let bad = m.send(
        "tools/call",
        json!({"name": "no_such_tool", "arguments": {}}),
    );
    for (id, (tool, _)) in ids.iter().zip(&calls) {
        let r = m
            .wait(*id, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("{tool} not answered"));
        assert!(r.get("result").is_some(), "{tool}: {r}");
    }
    assert!(m
        .wait(bad, Duration::from_secs(10))
        .unwrap()
        .get("error")
        .is_some());
    m.drain();
    m.assert_pure_stdout();
    assert!(m.lines.len() >= calls.len() + 2);
    let stderr = m.stderr();
    assert!(
        stderr.contains("TRACE") || stderr.contains("DEBUG"),
        "trace logging reached stderr"
    );
    assert!(
        stderr.lines().count() > 20,
        "librdkafka and tracing logs went to stderr"
    );
}

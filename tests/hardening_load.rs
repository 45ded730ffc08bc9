//! Load: 100 concurrent tool calls against the local broker over stdio (pipelined on one
//! session, as an agent with parallel tool calls does) and over streamable HTTP (100 sessions
//! calling at once, each ended with DELETE afterwards). Every call must be answered without error, no call may stall, and memory
//! must stay bounded across rounds. Latency percentiles and RSS are printed for HARDENING.md
//! (`tools/bench/load.sh` runs this in release mode with more rounds); the test asserts no
//! timing, only completion and a memory ceiling.

mod common;
mod hardening;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use hardening::*;
use serde_json::{json, Value};

const CONCURRENT: usize = 100;

fn rounds() -> usize {
    std::env::var("KAFKA_MCP_LOAD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// The mix of read calls: broker-bound ones and pure ones.
fn call(i: usize, topic: &str, group: &str) -> (&'static str, Value) {
    match i % 8 {
        0 => ("cluster_health", json!({})),
        1 => (
            "topic_manage",
            json!({"action": "list", "with_counts": true}),
        ),
        2 => (
            "topic_manage",
            json!({"action": "describe", "topic": topic}),
        ),
        3 => (
            "topic_manage",
            json!({"action": "peek", "topic": topic, "count": 5}),
        ),
        4 => (
            "consumer_groups",
            json!({"action": "list", "with_lag": true}),
        ),
        5 => ("consumer_groups", json!({"action": "lag", "group": group})),
        6 => ("config_audit", json!({"scope": "topic", "topics": [topic]})),
        _ => (
            "schema_validate",
            json!({"action": "validate", "schema": {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}}),
        ),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(transport: &str, round: usize, mut lat: Vec<Duration>, wall: Duration, pid: u32) {
    lat.sort();
    let (rss, hwm) = memory_kb(pid);
    eprintln!(
        "load {transport} round {round}: {} calls, wall {:?}, p50 {:?}, p90 {:?}, p99 {:?}, max {:?}; server VmRSS {} kB, VmHWM {} kB",
        lat.len(),
        wall,
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        lat[lat.len() - 1],
        rss,
        hwm
    );
}

fn setup(b: &str, name: &str) -> (String, String) {
    let topic = common::unique(name);
    let group = common::unique(&format!("{name}-g"));
    common::kafka::create_topic(b, &topic, 6, &[]);
    common::kafka::produce(b, &topic, 600, 20);
    common::kafka::commit(b, &group, &topic, &[(0, 10), (1, 10), (2, 10)]);
    (topic, group)
}

#[test]
fn hundred_concurrent_tool_calls_over_stdio() {
    let Some(b) = common::bootstrap() else { return };
    let (topic, group) = setup(&b, "load-stdio");
    let dir = temp_dir("load-stdio");
    let mut m = Mcp::start(
        &["--timeout-ms", "10000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
    );
    let pid = m.child.id();
    let mut hwm_first = 0;
    for round in 1..=rounds() {
        let started = Instant::now();
        let ids: Vec<(u64, usize)> = (0..CONCURRENT)
            .map(|i| {
                let (t, a) = call(i, &topic, &group);
                (m.send_call(t, a), i)
            })
            .collect();
        let mut lat = Vec::new();
        for (id, i) in ids {
            let (r, took) = m
                .wait_timed(id, Duration::from_secs(120))
                .unwrap_or_else(|| panic!("call {i} stalled (no answer in 120 s)"));
            let result = &r["result"];
            assert!(
                !is_error(result),
                "call {i} {:?}: {}",
                call(i, &topic, &group),
                text(result)
            );
            lat.push(took);
        }
        report("stdio", round, lat, started.elapsed(), pid);
        let (_, hwm) = memory_kb(pid);
        if round == 1 {
            hwm_first = hwm;
        }
    }
    let (_, hwm) = memory_kb(pid);
    assert!(hwm < 512 * 1024, "server peak memory {hwm} kB");
    assert!(
        hwm < hwm_first * 2 + 64 * 1024,
        "memory keeps growing: {hwm_first} kB after round 1, {hwm} kB at the end"
    );
    m.assert_pure_stdout();
}

#[test]
fn hundred_concurrent_tool_calls_over_http() {
    let Some(b) = common::bootstrap() else { return };
    let (topic, group) = setup(&b, "load-http");
    let dir = temp_dir("load-http");
    let token = "load-token-1";
    let s = HttpProc::start(
        &["--timeout-ms", "10000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b), ("KAFKA_MCP_TOKEN", token)],
        &dir,
    );
    let pid = s.child.id();
    let mut hwm_first = 0;
    for round in 1..=rounds() {
        let barrier = Arc::new(Barrier::new(CONCURRENT + 1));
        let handles: Vec<_> = (0..CONCURRENT)
            .map(|i| {
                let (addr, barrier) = (s.addr.clone(), barrier.clone());
                let (t, a) = call(i, &topic, &group);
                std::thread::spawn(move || {
                    let mut c = common::McpHttp::connect(&addr, Some(token));
                    barrier.wait();
                    let started = Instant::now();
                    let r = c.request("tools/call", json!({"name": t, "arguments": a}));
                    let took = started.elapsed();
                    // A well-behaved client ends its session.
                    let auth = format!("Bearer {token}");
                    let sid = c.session.clone().unwrap_or_default();
                    let end = common::http(
                        &addr,
                        "DELETE",
                        "/mcp",
                        &[
                            ("Authorization", &auth),
                            ("Mcp-Session-Id", &sid),
                            ("MCP-Protocol-Version", "2025-06-18"),
                        ],
                        "",
                    );
                    assert!(end.status < 300, "DELETE session: {end:?}");
                    (i, r, took)
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let mut lat = Vec::new();
        for h in handles {
            let (i, r, took) = h.join().expect("a client thread failed");
            assert!(!is_error(&r["result"]), "call {i}: {r}");
            lat.push(took);
        }
        report("http", round, lat, started.elapsed(), pid);
        let (_, hwm) = memory_kb(pid);
        if round == 1 {
            hwm_first = hwm;
        }
    }
    let (_, hwm) = memory_kb(pid);
    assert!(hwm < 512 * 1024, "server peak memory {hwm} kB");
    assert!(
        hwm < hwm_first * 2 + 64 * 1024,
        "memory keeps growing: {hwm_first} kB after round 1, {hwm} kB at the end"
    );
    assert!(!s.stderr().contains("panicked"));
}

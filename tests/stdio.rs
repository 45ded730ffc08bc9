//! The real binary over stdio, as Claude Code or Cursor launch it.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn broker_env(b: &str) -> Vec<(&'static str, String)> {
    vec![
        ("KAFKA_BOOTSTRAP_SERVERS", b.to_string()),
        ("KAFKA_MCP_TIMEOUT_MS", "5000".to_string()),
    ]
}

fn envs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[test]
fn tools_list_declares_input_and_output_schemas() {
    let mut s = Stdio::start(&[], &[]);
    let r = s.request("tools/list", json!({}));
    let tools = r["result"]["tools"]
        .as_array()
        .expect("tools array")
        .clone();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"cluster_health"), "{names:?}");
    assert!(
        !names.contains(&"apply_change"),
        "apply_change must be hidden in read-only mode: {names:?}"
    );
    for t in &tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{}", t["name"]);
        assert_eq!(
            t["outputSchema"]["type"], "object",
            "{} needs an output schema",
            t["name"]
        );
        assert!(
            t["description"].as_str().unwrap().len() > 40,
            "{} needs a description",
            t["name"]
        );
        assert!(
            t["annotations"].is_object(),
            "{} needs annotations",
            t["name"]
        );
    }
    let health = tools
        .iter()
        .find(|t| t["name"] == "cluster_health")
        .unwrap();
    assert_eq!(health["annotations"]["readOnlyHint"], true);
    s.assert_pure_stdout();
}

#[test]
fn cluster_health_against_the_local_broker() {
    let Some(b) = bootstrap() else { return };
    let env = broker_env(&b);
    let mut s = Stdio::start(&[], &envs(&env));
    let r = s.call("cluster_health", json!({"detail": "full"}));
    assert!(!is_error(&r), "{}", text(&r));
    let out = &r["structuredContent"];
    assert!(
        ["OK", "WARN", "CRIT"].contains(&out["status"].as_str().unwrap()),
        "{out}"
    );
    assert!(!out["brokers"].as_array().unwrap().is_empty());
    assert!(out["counts"]["partitions"].is_u64());
    // The stand-in has no DescribeQuorum: the quorum must be "unknown", never a guessed id.
    // Real Kafka always answers it (tests/real_health.rs compares the leader with the CLI).
    if real::suite_is_real() {
        assert_eq!(out["quorum"]["known"], json!(true), "{out}");
        assert!(out["quorum"]["leader_id"].is_i64(), "{out}");
    }
    if out["quorum"]["known"] == json!(false) {
        assert!(out["quorum"].get("leader_id").is_none(), "{out}");
        assert!(out["quorum"]["reason"].as_str().unwrap().len() > 10);
    }
    assert!(
        text(&r).starts_with(out["status"].as_str().unwrap()),
        "summary first: {}",
        text(&r)
    );
    s.assert_pure_stdout();
}

#[test]
fn unknown_cluster_is_a_tool_error_naming_the_known_ones() {
    let mut s = Stdio::start(&[], &[("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")]);
    let r = s.call("cluster_health", json!({"cluster": "prod-eu"}));
    assert!(is_error(&r));
    let t = text(&r);
    assert!(t.contains("prod-eu") && t.contains("default"), "{t}");
}

#[test]
fn no_cluster_configured_says_how_to_configure_one() {
    let mut s = Stdio::start(&[], &[]);
    let r = s.call("cluster_health", json!({}));
    assert!(is_error(&r));
    assert!(text(&r).contains("KAFKA_BOOTSTRAP_SERVERS"), "{}", text(&r));
}

#[test]
fn bad_arguments_are_tool_errors_not_crashes() {
    let mut s = Stdio::start(&[], &[]);
    let r = s.request(
        "tools/call",
        json!({"name": "cluster_health", "arguments": {"detail": "everything"}}),
    );
    let failed = r.get("error").is_some() || r["result"]["isError"] == json!(true);
    assert!(failed, "{r}");
    let r = s.request(
        "tools/call",
        json!({"name": "no_such_tool", "arguments": {}}),
    );
    assert!(
        r.get("error").is_some(),
        "unknown tool is a protocol error: {r}"
    );
    // Still serving.
    assert!(s.request("tools/list", json!({}))["result"]["tools"].is_array());
    s.assert_pure_stdout();
}

#[test]
fn unreachable_broker_fails_within_the_deadline_and_the_server_stays_up() {
    let mut s = Stdio::start(
        &[],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
            ("KAFKA_MCP_TIMEOUT_MS", "2000"),
        ],
    );
    let started = Instant::now();
    let r = s.call("cluster_health", json!({}));
    let took = started.elapsed();
    assert!(is_error(&r), "{r}");
    assert!(
        took < Duration::from_secs(8),
        "took {took:?} for a 2 s deadline"
    );
    let t = text(&r);
    assert!(t.contains("127.0.0.1:1"), "{t}");
    assert!(
        t.contains("connection refused"),
        "the cause reaches the agent: {t}"
    );
    // The next call is still answered.
    let r = s.call("cluster_health", json!({}));
    assert!(is_error(&r));
    s.assert_pure_stdout();
}

#[test]
fn stdout_stays_json_rpc_with_trace_logging() {
    let mut s = Stdio::start(
        &[],
        &[
            ("RUST_LOG", "trace"),
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
            ("KAFKA_MCP_TIMEOUT_MS", "1000"),
        ],
    );
    let _ = s.request("tools/list", json!({}));
    let _ = s.call("cluster_health", json!({}));
    s.send_raw("this is not json");
    let _ = s.request("ping", json!({}));
    s.assert_pure_stdout();
    assert!(s.seen.len() >= 3);
}

#[test]
fn cli_call_prints_structured_json() {
    let Some(b) = bootstrap() else { return };
    let out = std::process::Command::new(bin())
        .args(["call", "cluster_health", "{}"])
        .env("KAFKA_BOOTSTRAP_SERVERS", &b)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(v["status"].is_string());
    let out = std::process::Command::new(bin())
        .args(["call", "cluster_health", "{}", "--text"])
        .env("KAFKA_BOOTSTRAP_SERVERS", &b)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("cluster default"));
}

#[test]
fn cli_tools_lists_schemas() {
    let out = std::process::Command::new(bin())
        .arg("tools")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "cluster_health"));
}

#[test]
fn config_check_masks_secrets_and_reports_unreachable() {
    let out = std::process::Command::new(bin())
        .args(["config", "check", "--timeout-ms", "1000"])
        .env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
        .env("KAFKA_SASL_PASSWORD", "pa55-w0rd-xyz")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("UNREACHABLE"), "{stdout}");
    assert!(stdout.contains("********"));
    assert!(!stdout.contains("pa55-w0rd-xyz") && !stderr.contains("pa55-w0rd-xyz"));
}

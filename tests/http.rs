//! The real binary over HTTP: streamable HTTP at /mcp and legacy SSE at /sse + /messages.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const TOKEN: &str = "it-secret-token-123";

fn server(extra_env: &[(&str, &str)]) -> HttpServer {
    let mut env = vec![("KAFKA_MCP_TOKEN", TOKEN)];
    env.extend_from_slice(extra_env);
    HttpServer::start(&[], &env)
}

fn init_body() -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "it", "version": "0"}}})
    .to_string()
}

#[test]
fn missing_or_wrong_token_is_401() {
    let s = server(&[]);
    let h = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let r = http(&s.addr, "POST", "/mcp", &h, &init_body());
    assert_eq!(r.status, 401, "{r:?}");
    let wrong = [h[0], h[1], ("Authorization", "Bearer nope")];
    assert_eq!(
        http(&s.addr, "POST", "/mcp", &wrong, &init_body()).status,
        401
    );
    assert_eq!(http(&s.addr, "GET", "/sse", &[], "").status, 401);
}

#[test]
fn foreign_origin_and_host_are_refused() {
    let s = server(&[]);
    let auth = format!("Bearer {TOKEN}");
    let h = [
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
        ("Origin", "https://evil.example"),
    ];
    assert_eq!(http(&s.addr, "POST", "/mcp", &h, &init_body()).status, 403);
    // A DNS-rebinding request carries the attacker's host name.
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: evil.example\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n").unwrap();
    let mut first = String::new();
    BufReader::new(stream).read_line(&mut first).unwrap();
    assert!(first.contains("403"), "{first}");
}

#[test]
fn non_loopback_bind_without_token_is_refused() {
    let out = std::process::Command::new(bin())
        .args(["serve", "--http", "0.0.0.0:0"])
        .env_remove("KAFKA_MCP_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("token"));
}

#[test]
fn streamable_http_session_lists_tools_and_calls_one() {
    let b = bootstrap();
    let env: Vec<(&str, &str)> = match &b {
        Some(b) => vec![("KAFKA_BOOTSTRAP_SERVERS", b.as_str())],
        None => vec![],
    };
    let s = server(&env);
    let mut c = McpHttp::connect(&s.addr, Some(TOKEN));
    assert!(c.session.is_some(), "a session id is issued");
    let tools = c.request("tools/list", json!({}));
    assert!(tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "cluster_health"));
    let r = c.request(
        "tools/call",
        json!({"name": "cluster_health", "arguments": {}}),
    );
    match b {
        Some(_) => {
            assert_eq!(r["result"]["isError"], json!(false), "{r}");
            assert!(r["result"]["structuredContent"]["status"].is_string());
        }
        None => assert_eq!(r["result"]["isError"], json!(true)),
    }
}

#[test]
fn legacy_sse_endpoint_serves_a_session() {
    let s = server(&[]);
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(stream, "GET /sse HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nAccept: text/event-stream\r\n\r\n", s.addr).unwrap();
    let mut reader = BufReader::new(stream);
    let mut endpoint = None;
    let mut line = String::new();
    while endpoint.is_none() {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "SSE stream closed"
        );
        if let Some(d) = line.trim().strip_prefix("data:") {
            endpoint = Some(d.trim().to_string());
        }
    }
    let endpoint = endpoint.unwrap();
    assert!(endpoint.starts_with("/messages?sessionId="), "{endpoint}");
    let auth = format!("Bearer {TOKEN}");
    let h = [
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
    ];
    let r = http(&s.addr, "POST", &endpoint, &h, &init_body());
    assert_eq!(r.status, 202, "{r:?}");
    let mut got: Option<Value> = None;
    while got.is_none() {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "SSE stream closed"
        );
        if let Some(d) = line.trim().strip_prefix("data:") {
            if let Ok(v) = serde_json::from_str::<Value>(d.trim()) {
                got = Some(v);
            }
        }
    }
    let v = got.unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["result"]["serverInfo"]["name"], "kafka-mcp");
    let bad = http(
        &s.addr,
        "POST",
        "/messages?sessionId=nope",
        &h,
        &init_body(),
    );
    assert_eq!(bad.status, 404);
}

//! Transport security of `kafka-mcp serve --http`: bearer token on every route (401), Origin
//! and Host allow-lists (DNS-rebinding protection, 403), loopback unless told otherwise and a
//! token then, request body limits (413, memory bounded), and session expiry for streamable
//! HTTP (`/mcp`) and legacy SSE (`/sse` + `/messages`).

mod common;
mod hardening;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{HttpServer, McpHttp};
use hardening::*;
use serde_json::json;

const TOKEN: &str = "hardening-token-7f3a9c";

fn server(extra: &[&str]) -> HttpServer {
    HttpServer::start(extra, &[("KAFKA_MCP_TOKEN", TOKEN)])
}

fn init_body() -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "sec", "version": "0"}}})
    .to_string()
}

/// One request with explicit Host and headers; returns the status.
fn status(
    addr: &str,
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> u16 {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    raw_http(addr, &head, body.as_bytes()).0
}

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/mcp"),
    ("GET", "/mcp"),
    ("DELETE", "/mcp"),
    ("GET", "/sse"),
    ("POST", "/messages?sessionId=x"),
    ("GET", "/healthz"),
];

#[test]
fn every_route_refuses_a_missing_or_wrong_bearer_token_with_401() {
    let s = server(&[]);
    let json_h = ("Content-Type", "application/json");
    let accept = ("Accept", "application/json, text/event-stream");
    for (method, path) in ROUTES {
        for auth in [
            None,
            Some("Bearer wrong"),
            Some("Bearer "),
            Some(&format!("Bearer {TOKEN}x")[..]),
            Some(&format!("Basic {TOKEN}")[..]),
            Some(TOKEN),
        ] {
            let mut h = vec![json_h, accept];
            if let Some(a) = auth {
                h.push(("Authorization", a));
            }
            let (code, text) = {
                let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n", s.addr, init_body().len());
                for (k, v) in &h {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                raw_http(&s.addr, &head, init_body().as_bytes())
            };
            assert_eq!(code, 401, "{method} {path} with {auth:?}: {text}");
            assert!(
                text.to_ascii_lowercase()
                    .contains("www-authenticate: bearer"),
                "{text}"
            );
        }
    }
    // The right token passes the guard, whatever the scheme's case.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} {TOKEN}");
        assert_eq!(
            status(
                &s.addr,
                "GET",
                "/healthz",
                &s.addr,
                &[("Authorization", &auth)],
                ""
            ),
            200,
            "{scheme}"
        );
    }
}

#[test]
fn foreign_origins_and_rebinding_host_names_are_refused_with_403() {
    let s = server(&[]);
    let auth = format!("Bearer {TOKEN}");
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    for (method, path) in ROUTES {
        for host in [
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "0.0.0.0",
            "attacker.com:80",
        ] {
            let h = format!("{host}:{port}");
            let code = status(
                &s.addr,
                method,
                path,
                &h,
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                &init_body(),
            );
            assert_eq!(code, 403, "{method} {path} Host {h}");
        }
        for origin in [
            "https://evil.example",
            "null",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example:80",
            "file://",
        ] {
            let code = status(
                &s.addr,
                method,
                path,
                &s.addr,
                &[
                    ("Authorization", &auth),
                    ("Origin", origin),
                    ("Content-Type", "application/json"),
                ],
                &init_body(),
            );
            assert_eq!(code, 403, "{method} {path} Origin {origin}");
        }
    }
    // Loopback names and origins pass (local inspectors).
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        assert_eq!(
            status(
                &s.addr,
                "GET",
                "/healthz",
                &host,
                &[("Authorization", &auth)],
                ""
            ),
            200,
            "{host}"
        );
    }
    assert_eq!(
        status(
            &s.addr,
            "GET",
            "/healthz",
            &s.addr,
            &[
                ("Authorization", &auth),
                ("Origin", "http://localhost:6274")
            ],
            ""
        ),
        200
    );
}

#[test]
fn an_allowed_origin_and_host_must_be_listed_explicitly() {
    let s = server(&[
        "--allowed-origin",
        "https://app.example.com",
        "--allowed-host",
        "mcp.example.com",
    ]);
    let auth = format!("Bearer {TOKEN}");
    assert_eq!(
        status(
            &s.addr,
            "GET",
            "/healthz",
            "mcp.example.com",
            &[
                ("Authorization", &auth),
                ("Origin", "https://app.example.com")
            ],
            ""
        ),
        200
    );
    assert_eq!(
        status(
            &s.addr,
            "GET",
            "/healthz",
            "mcp.example.com",
            &[
                ("Authorization", &auth),
                ("Origin", "https://app.example.com.evil")
            ],
            ""
        ),
        403
    );
    assert_eq!(
        status(
            &s.addr,
            "GET",
            "/healthz",
            "other.example.com",
            &[("Authorization", &auth)],
            ""
        ),
        403
    );
}

/// Starts `serve --http ADDR` with env; returns the child and the address it reports, or the
/// exit status and stderr when it refuses to start.
fn serve(
    addr: &str,
    env: &[(&str, &str)],
) -> Result<(std::process::Child, String), (Option<i32>, String)> {
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--http", addr])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.env_remove("KAFKA_MCP_TOKEN")
        .env_remove("KAFKA_MCP_TOKEN_FILE")
        .env_remove("KAFKA_BOOTSTRAP_SERVERS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let start = Instant::now();
    let mut seen = String::new();
    while start.elapsed() < Duration::from_secs(20) {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    return Ok((child, rest.trim_end_matches("/mcp").to_string()));
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => {
                if let Some(st) = child.try_wait().unwrap() {
                    while let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
                        seen.push_str(&l);
                    }
                    return Err((st.code(), seen));
                }
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve --http {addr} neither listened nor exited: {seen}");
}

#[test]
fn binds_loopback_unless_told_otherwise_and_then_requires_a_token() {
    // Names that mean loopback bind loopback.
    for addr in ["localhost:0", "127.0.0.1:0"] {
        let (mut child, bound) = serve(addr, &[]).unwrap_or_else(|e| panic!("{addr}: {e:?}"));
        assert!(
            bound.starts_with("127.0.0.1:") || bound.starts_with("[::1]:"),
            "{addr} bound {bound}"
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    // Anything else needs a token, and an empty token is no token.
    for addr in ["0.0.0.0:0", "[::]:0", "0:0"] {
        for env in [vec![], vec![("KAFKA_MCP_TOKEN", "  ")]] {
            match serve(addr, &env) {
                Ok((mut child, bound)) => {
                    let _ = child.kill();
                    panic!("{addr} with {env:?} served on {bound} without a token");
                }
                Err((code, stderr)) => {
                    assert_eq!(code, Some(2), "{stderr}");
                    assert!(stderr.contains("without a bearer token"), "{stderr}");
                }
            }
        }
    }
    // With a token it serves there, and requires it even from loopback.
    let (mut child, bound) =
        serve("0.0.0.0:0", &[("KAFKA_MCP_TOKEN", TOKEN)]).expect("serves with a token");
    assert!(bound.starts_with("0.0.0.0:"), "{bound}");
    let local = format!("127.0.0.1:{}", bound.rsplit(':').next().unwrap());
    assert_eq!(status(&local, "GET", "/healthz", &local, &[], ""), 401);
    let auth = format!("Bearer {TOKEN}");
    assert_eq!(
        status(
            &local,
            "GET",
            "/healthz",
            &local,
            &[("Authorization", &auth)],
            ""
        ),
        200
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn request_bodies_over_4_mib_are_refused_with_413_and_memory_stays_bounded() {
    let s = server(&[]);
    let auth = format!("Bearer {TOKEN}");
    let pid = s.child.id();
    let (_, hwm_before) = memory_kb(pid);
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"pad\":\"{}\"}}}}",
        "x".repeat(5 << 20)
    );
    for path in ["/mcp", "/messages?sessionId=x"] {
        // With a Content-Length.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            s.addr,
            big.len()
        );
        let (code, text) = raw_http(&s.addr, &head, big.as_bytes());
        assert_eq!(
            code,
            413,
            "{path} (content-length): {}",
            text.chars().take(300).collect::<String>()
        );
        // Chunked, so the size is only known while reading.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
            s.addr
        );
        let mut body = Vec::new();
        for chunk in big.as_bytes().chunks(1 << 16) {
            body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            body.extend_from_slice(chunk);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        let (code, text) = raw_http(&s.addr, &head, &body);
        assert_eq!(
            code,
            413,
            "{path} (chunked): {}",
            text.chars().take(300).collect::<String>()
        );
    }
    // Twenty more oversized bodies do not add up in memory.
    for _ in 0..20 {
        let head = format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            s.addr,
            big.len()
        );
        assert_eq!(raw_http(&s.addr, &head, big.as_bytes()).0, 413);
    }
    let (rss, hwm) = memory_kb(pid);
    eprintln!(
        "body limit: VmHWM {hwm_before} kB -> {hwm} kB, VmRSS {rss} kB after 24 bodies of 5 MiB"
    );
    assert!(
        hwm < hwm_before + 40 * 1024,
        "peak memory grew by {} kB",
        hwm - hwm_before
    );
    // A body under the limit still works.
    let mut c = McpHttp::connect(&s.addr, Some(TOKEN));
    assert!(c.request("ping", json!({}))["result"].is_object());
}

#[test]
fn streamable_http_sessions_expire_when_idle_and_on_delete() {
    let s = server(&["--session-idle-secs", "2"]);
    let mut c = McpHttp::connect(&s.addr, Some(TOKEN));
    let sid = c.session.clone().expect("session id");
    assert!(c.request("tools/list", json!({}))["result"]["tools"].is_array());
    std::thread::sleep(Duration::from_secs(4));
    let r = c.post(&json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {}}));
    assert_eq!(r.status, 404, "idle session {sid} must be gone: {r:?}");
    // A new session works; DELETE ends it at once.
    let c = McpHttp::connect(&s.addr, Some(TOKEN));
    let sid = c.session.clone().unwrap();
    let auth = format!("Bearer {TOKEN}");
    let code = status(
        &s.addr,
        "DELETE",
        "/mcp",
        &s.addr,
        &[
            ("Authorization", &auth),
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        "",
    );
    assert!(code == 200 || code == 202 || code == 204, "DELETE: {code}");
    let r = c.post(&json!({"jsonrpc": "2.0", "id": 10, "method": "tools/list", "params": {}}));
    assert_eq!(r.status, 404, "deleted session: {r:?}");
}

/// Opens GET /sse; returns the stream and the `/messages?sessionId=…` endpoint.
fn open_sse(addr: &str) -> (BufReader<TcpStream>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(stream, "GET /sse HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "SSE stream closed"
        );
        if let Some(d) = line.trim().strip_prefix("data:") {
            return (reader, d.trim().to_string());
        }
    }
}

fn post_message(addr: &str, endpoint: &str) -> u16 {
    let auth = format!("Bearer {TOKEN}");
    status(
        addr,
        "POST",
        endpoint,
        addr,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &init_body(),
    )
}

#[test]
fn legacy_sse_sessions_end_when_the_client_leaves_or_idles() {
    let s = server(&["--session-idle-secs", "2"]);
    // The client goes away: its session id is forgotten.
    let (reader, endpoint) = open_sse(&s.addr);
    assert_eq!(post_message(&s.addr, &endpoint), 202);
    drop(reader);
    let start = Instant::now();
    let mut code = 202;
    while start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(200));
        code = post_message(&s.addr, &endpoint);
        if code == 404 {
            break;
        }
    }
    assert_eq!(
        code, 404,
        "the session of a disconnected SSE client must end"
    );
    // The client stays connected but sends nothing: the session ends after the idle limit and
    // the server closes the stream.
    let (mut reader, endpoint) = open_sse(&s.addr);
    let start = Instant::now();
    let mut line = String::new();
    let closed = loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break true,
            Ok(_) if line.starts_with("0\r") || line.trim() == "0" => break true,
            Ok(_) => {}
            Err(_) => break false,
        }
        if start.elapsed() > Duration::from_secs(15) {
            break false;
        }
    };
    assert!(closed, "the server closes an idle legacy session's stream");
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "not before the idle limit"
    );
    assert_eq!(post_message(&s.addr, &endpoint), 404);
}

/// Each open session holds a handler until it ends: the count is capped, per transport.
#[test]
fn open_sessions_are_capped_and_a_deleted_one_frees_a_slot() {
    let s = server(&[]);
    let auth = format!("Bearer {TOKEN}");
    let mut sids = Vec::new();
    for _ in 0..kafka_mcp::http::MAX_SESSIONS {
        let c = McpHttp::connect(&s.addr, Some(TOKEN));
        sids.push(c.session.clone().expect("session id"));
    }
    let h = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let r = common::http(&s.addr, "POST", "/mcp", &h, &init_body());
    assert_eq!(r.status, 503, "one session too many: {r:?}");
    assert!(r.body.contains("DELETE"), "{}", r.body);
    // Existing sessions keep working.
    let list = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {}}).to_string();
    let mut h0 = h.to_vec();
    h0.push(("Mcp-Session-Id", sids[0].as_str()));
    h0.push(("MCP-Protocol-Version", "2025-06-18"));
    let r = common::http(&s.addr, "POST", "/mcp", &h0, &list);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains("cluster_health"));
    let code = status(
        &s.addr,
        "DELETE",
        "/mcp",
        &s.addr,
        &[
            ("Authorization", &auth),
            ("Mcp-Session-Id", &sids[1]),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        "",
    );
    assert!(code < 300, "DELETE: {code}");
    let c = McpHttp::connect(&s.addr, Some(TOKEN));
    assert!(c.session.is_some(), "a slot was freed");

    // Legacy SSE: the same cap on open streams.
    let streams: Vec<_> = (0..kafka_mcp::http::MAX_SESSIONS)
        .map(|_| open_sse(&s.addr))
        .collect();
    assert_eq!(
        status(
            &s.addr,
            "GET",
            "/sse",
            &s.addr,
            &[("Authorization", &auth)],
            ""
        ),
        503
    );
    drop(streams);
}

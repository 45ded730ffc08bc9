//! Test harness: drives the real `kafka-mcp` binary as an MCP client would, over stdio
//! (newline-delimited JSON-RPC) and HTTP (streamable HTTP and legacy SSE), against the local
//! test broker named by `KAFKA_MCP_TEST_BOOTSTRAP`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod real;

/// Path of the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kafka-mcp")
}

/// The test broker, or `None` with the reason on stderr. When the test command provided a
/// broker (`KAFKA_MCP_REQUIRE_BROKER=1`), a missing one is a failure, never a skip.
pub fn bootstrap() -> Option<String> {
    match std::env::var("KAFKA_MCP_TEST_BOOTSTRAP") {
        Ok(b) if !b.is_empty() => Some(b),
        _ => {
            if std::env::var("KAFKA_MCP_REQUIRE_BROKER").is_ok() {
                panic!("KAFKA_MCP_REQUIRE_BROKER is set but KAFKA_MCP_TEST_BOOTSTRAP is not");
            }
            eprintln!("skipping broker test: KAFKA_MCP_TEST_BOOTSTRAP is not set (run tools/test)");
            None
        }
    }
}

/// A unique name for a test resource: `it-<test>-<random>`.
pub fn unique(test: &str) -> String {
    format!(
        "it-{test}-{}",
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .get(..8)
            .unwrap_or("x")
    )
}

/// A server process spoken to over stdio with raw JSON-RPC lines.
pub struct Stdio {
    pub child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    /// Every stdout line seen so far (to check purity).
    pub seen: Vec<String>,
    next_id: u64,
    /// Notifications received while waiting for responses.
    pub notifications: Vec<Value>,
    /// Answer to send to server→client `elicitation/create` requests (None: answer decline).
    pub elicitation_answer: Option<Value>,
    /// Server→client requests received.
    pub server_requests: Vec<Value>,
}

impl Stdio {
    /// Spawns `kafka-mcp <args>` with `env`, and initializes the session.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Stdio {
        Stdio::start_with_capabilities(args, env, json!({}))
    }

    /// Same, declaring client capabilities (e.g. `{"elicitation": {}}`).
    pub fn start_with_capabilities(
        args: &[&str],
        env: &[(&str, &str)],
        capabilities: Value,
    ) -> Stdio {
        let mut s = Stdio::spawn(args, env);
        let init = s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": capabilities, "clientInfo": {"name": "it", "version": "0"}}),
        );
        assert!(init.get("result").is_some(), "initialize failed: {init}");
        s.notify("notifications/initialized", json!({}));
        s
    }

    /// Spawns with stderr written to `log`, and initializes the session.
    pub fn spawn_logged(args: &[&str], env: &[(&str, &str)], log: &std::path::Path) -> Stdio {
        let file = std::fs::File::create(log).expect("create stderr log");
        let mut s = Stdio::spawn_with(args, env, file.into());
        let init = s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "it", "version": "0"}}),
        );
        assert!(init.get("result").is_some(), "initialize failed: {init}");
        s.notify("notifications/initialized", json!({}));
        s
    }

    /// Spawns without initializing.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Stdio {
        Stdio::spawn_with(args, env, std::process::Stdio::inherit())
    }

    fn spawn_with(args: &[&str], env: &[(&str, &str)], stderr: std::process::Stdio) -> Stdio {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .stdin(Stdio::piped_())
            .stdout(Stdio::piped_())
            .stderr(stderr)
            .env_remove("KAFKA_BOOTSTRAP_SERVERS")
            .env_remove("KAFKA_MCP_CONFIG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn kafka-mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if tx.send(l).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        });
        Stdio {
            child,
            stdin,
            lines: rx,
            seen: Vec::new(),
            next_id: 1,
            notifications: Vec::new(),
            elicitation_answer: None,
            server_requests: Vec::new(),
        }
    }

    fn piped_() -> std::process::Stdio {
        std::process::Stdio::piped()
    }

    /// Sends one raw line.
    pub fn send_raw(&mut self, line: &str) {
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string());
    }

    /// Sends a request and waits (up to 60 s) for its response; notifications are kept.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        self.wait_for(id, Duration::from_secs(60))
    }

    /// Waits for the response with `id`.
    pub fn wait_for(&mut self, id: u64, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no response to request {id} within {limit:?}"));
            self.seen.push(line.clone());
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            if v.get("id") == Some(&json!(id))
                && (v.get("result").is_some() || v.get("error").is_some())
            {
                return v;
            }
            if v.get("method").is_some() && v.get("id").is_none() {
                self.notifications.push(v);
            } else if v.get("method").is_some() {
                // A request from the server (elicitation): answer it so the call can finish.
                let answer = match (&self.elicitation_answer, v["method"].as_str()) {
                    (Some(a), Some("elicitation/create")) => {
                        json!({"jsonrpc": "2.0", "id": v["id"], "result": a})
                    }
                    (None, Some("elicitation/create")) => {
                        json!({"jsonrpc": "2.0", "id": v["id"], "result": {"action": "decline"}})
                    }
                    _ => {
                        json!({"jsonrpc": "2.0", "id": v["id"], "error": {"code": -32601, "message": "not supported by the test client"}})
                    }
                };
                self.server_requests.push(v);
                self.send_raw(&answer.to_string());
            }
        }
    }

    /// Calls a tool; returns the `result` object (with `isError`).
    pub fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        r.get("result")
            .cloned()
            .unwrap_or_else(|| panic!("tools/call {tool} protocol error: {r}"))
    }

    /// Every line seen on stdout is a JSON-RPC 2.0 message.
    pub fn assert_pure_stdout(&self) {
        for l in &self.seen {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|_| panic!("non-JSON on stdout: {l}"));
            assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC: {l}");
        }
    }
}

impl Drop for Stdio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of a tool result's first content block.
pub fn text(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The structured content of a tool result that must have succeeded.
pub fn ok(r: &Value) -> &Value {
    assert!(!is_error(r), "unexpected tool error: {}", text(r));
    &r["structuredContent"]
}

/// The text of a tool result that must be an error.
pub fn err(r: &Value) -> String {
    assert!(
        is_error(r),
        "expected a tool error, got {}",
        r["structuredContent"]
    );
    text(r)
}

/// True when the tool result is an error.
pub fn is_error(result: &Value) -> bool {
    result["isError"] == json!(true)
}

/// An HTTP server process (`kafka-mcp serve --http 127.0.0.1:0`), its address parsed from stderr.
pub struct HttpServer {
    pub child: Child,
    pub addr: String,
}

impl HttpServer {
    /// Starts the server with extra args and env.
    pub fn start(extra: &[&str], env: &[(&str, &str)]) -> HttpServer {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--http", "127.0.0.1:0"]).args(extra);
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd.env_remove("KAFKA_BOOTSTRAP_SERVERS")
            .env_remove("KAFKA_MCP_TOKEN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let _ = tx.send(rest.trim_end_matches("/mcp").to_string());
                        sent = true;
                    }
                }
                eprintln!("[server] {line}");
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("server did not report its address");
        HttpServer { child, addr }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP/1.1 response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// JSON-RPC messages in the body: the body itself, or the `data:` lines of an SSE stream.
    pub fn messages(&self) -> Vec<Value> {
        if let Ok(v) = serde_json::from_str::<Value>(&self.body) {
            return vec![v];
        }
        self.body
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    }
}

/// Sends one HTTP request with `Connection: close` and reads the whole response.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let text = String::from_utf8_lossy(raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            out.push_str(&after[..after.len().min(n)]);
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].strip_prefix("\r\n").unwrap_or(&after[n..]);
    }
    out
}

/// A streamable-HTTP MCP session: initialize, then requests with the session id.
pub struct McpHttp {
    pub addr: String,
    pub token: Option<String>,
    pub session: Option<String>,
    next_id: u64,
}

impl McpHttp {
    /// Initializes a session.
    pub fn connect(addr: &str, token: Option<&str>) -> McpHttp {
        let mut c = McpHttp {
            addr: addr.to_string(),
            token: token.map(str::to_string),
            session: None,
            next_id: 1,
        };
        let r = c.post(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "it", "version": "0"}}}));
        assert_eq!(r.status, 200, "initialize: {r:?}");
        c.session = r.header("mcp-session-id").map(str::to_string);
        let n = c.post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        assert!(n.status == 202 || n.status == 200, "initialized: {n:?}");
        c
    }

    /// POSTs one JSON-RPC message to /mcp.
    pub fn post(&self, msg: &Value) -> HttpResponse {
        let mut h: Vec<(&str, String)> = vec![
            ("Content-Type", "application/json".into()),
            ("Accept", "application/json, text/event-stream".into()),
        ];
        if let Some(t) = &self.token {
            h.push(("Authorization", format!("Bearer {t}")));
        }
        if let Some(s) = &self.session {
            h.push(("Mcp-Session-Id", s.clone()));
            h.push(("MCP-Protocol-Version", "2025-06-18".into()));
        }
        let hr: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        http(&self.addr, "POST", "/mcp", &hr, &msg.to_string())
    }

    /// Sends a request; returns its response message.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let r = self.post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        assert_eq!(r.status, 200, "{method}: {r:?}");
        r.messages()
            .into_iter()
            .find(|m| m.get("id") == Some(&json!(id)))
            .unwrap_or_else(|| panic!("no response for {method} in {:?}", r.body))
    }
}

/// Direct Kafka access for setting up and checking broker tests (never through kafka-mcp).
pub mod kafka {
    use std::time::Duration;

    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    use rdkafka::{ClientConfig, Offset, TopicPartitionList};

    fn cfg(b: &str) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", b);
        c
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Creates a topic (RF 1) with configs.
    pub fn create_topic(b: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
        create_topic_rf(b, name, partitions, 1, configs)
    }

    /// Creates a topic with a replication factor and configs.
    pub fn create_topic_rf(
        b: &str,
        name: &str,
        partitions: i32,
        rf: i32,
        configs: &[(&str, &str)],
    ) {
        let admin: AdminClient<DefaultClientContext> = cfg(b).create().unwrap();
        let mut t = NewTopic::new(name, partitions, TopicReplication::Fixed(rf));
        for (k, v) in configs {
            t = t.set(k, v);
        }
        let r = rt()
            .block_on(admin.create_topics([&t], &AdminOptions::new()))
            .unwrap();
        for x in r {
            x.unwrap_or_else(|(t, e)| panic!("create {t}: {e}"));
        }
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Produces `n` records (keyed `k-<i % keys>` when `keys > 0`, else keyless) with JSON values.
    pub fn produce(b: &str, topic: &str, n: usize, keys: usize) {
        let p: BaseProducer = cfg(b).set("linger.ms", "5").create().unwrap();
        for i in 0..n {
            let key = format!("k-{}", i % keys.max(1));
            let value = format!("{{\"i\":{i}}}");
            let mut rec = BaseRecord::to(topic).payload(value.as_str());
            if keys > 0 {
                rec = rec.key(key.as_str());
            }
            send(&p, rec);
        }
        p.flush(Duration::from_secs(30)).unwrap();
    }

    /// Produces records with raw bytes (key optional), in order, to partition 0 of `topic`.
    pub fn produce_bytes(b: &str, topic: &str, records: &[(Option<&[u8]>, &[u8])]) {
        let p: BaseProducer = cfg(b).set("linger.ms", "0").create().unwrap();
        for (key, value) in records {
            let mut rec = BaseRecord::<[u8], [u8]>::to(topic)
                .payload(*value)
                .partition(0);
            if let Some(k) = key {
                rec = rec.key(*k);
            }
            p.send(rec).map_err(|(e, _)| e).unwrap();
            p.flush(Duration::from_secs(30)).unwrap();
        }
    }

    /// Queues one record, waiting out a full local queue (any other error fails the test).
    pub fn send(p: &BaseProducer, mut rec: BaseRecord<'_, str, str>) {
        while let Err((e, r)) = p.send(rec) {
            assert_eq!(
                e.rdkafka_error_code(),
                Some(rdkafka::types::RDKafkaErrorCode::QueueFull),
                "{e}"
            );
            p.poll(Duration::from_millis(20));
            rec = r;
        }
        p.poll(Duration::ZERO);
    }

    /// Commits explicit offsets for a group (without joining it).
    pub fn commit(b: &str, group: &str, topic: &str, offsets: &[(i32, i64)]) {
        let c: BaseConsumer = cfg(b)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for (p, o) in offsets {
            tpl.add_partition_offset(topic, *p, Offset::Offset(*o))
                .unwrap();
        }
        // A cluster that just started is still creating __consumer_offsets and electing group
        // coordinators: ask again on the transient coordinator errors, fail on anything else.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            match c.commit(&tpl, CommitMode::Sync) {
                Ok(()) => return,
                Err(e)
                    if std::time::Instant::now() < deadline
                        && matches!(
                            e.rdkafka_error_code(),
                            Some(
                                rdkafka::types::RDKafkaErrorCode::NotCoordinator
                                    | rdkafka::types::RDKafkaErrorCode::CoordinatorLoadInProgress
                                    | rdkafka::types::RDKafkaErrorCode::CoordinatorNotAvailable
                            )
                        ) =>
                {
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => panic!("commit {group} on {topic}: {e}"),
            }
        }
    }

    /// A group's committed offsets on `topic` partitions 0..n (None = no commit).
    pub fn committed(b: &str, group: &str, topic: &str, n: i32) -> Vec<Option<i64>> {
        let c: BaseConsumer = cfg(b)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for p in 0..n {
            tpl.add_partition(topic, p);
        }
        let got = c.committed_offsets(tpl, Duration::from_secs(10)).unwrap();
        (0..n)
            .map(|p| match got.find_partition(topic, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => Some(o),
                _ => None,
            })
            .collect()
    }

    /// Topic names on the broker.
    pub fn topics(b: &str) -> Vec<String> {
        let c: BaseConsumer = cfg(b).create().unwrap();
        let m = c.fetch_metadata(None, Duration::from_secs(10)).unwrap();
        m.topics().iter().map(|t| t.name().to_string()).collect()
    }

    /// Partition count of a topic (0 when absent).
    pub fn partitions(b: &str, topic: &str) -> usize {
        let c: BaseConsumer = cfg(b).create().unwrap();
        let m = c
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .unwrap();
        m.topics()
            .first()
            .map(|t| t.partitions().len())
            .unwrap_or(0)
    }

    /// (low, high) watermarks of a partition.
    pub fn watermarks(b: &str, topic: &str, p: i32) -> (i64, i64) {
        let c: BaseConsumer = cfg(b).create().unwrap();
        c.fetch_watermarks(topic, p, Duration::from_secs(10))
            .unwrap()
    }

    /// Live brokers in the cluster's metadata.
    pub fn broker_count(b: &str) -> usize {
        let c: BaseConsumer = cfg(b).create().unwrap();
        c.fetch_metadata(None, Duration::from_secs(10))
            .expect("metadata")
            .brokers()
            .len()
    }

    /// Consumer group ids on the broker.
    pub fn groups(b: &str) -> Vec<String> {
        let c: BaseConsumer = cfg(b).create().unwrap();
        c.fetch_group_list(None, Duration::from_secs(10))
            .map(|l| l.groups().iter().map(|g| g.name().to_string()).collect())
            .unwrap_or_default()
    }
}

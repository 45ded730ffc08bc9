//! Shared pieces of the hardening tests (`tests/hardening_*.rs`): a pipelining MCP client over
//! the real binary's stdio with stderr captured to a file (to grep for secrets), brokers of our
//! own (a nisshi process per test on a fixed port in 19501-19520, which the test may pause,
//! kill and restart), a Kafka protocol proxy that records every request the server sends (and
//! can plant sensitive config values in DescribeConfigs answers), and /proc memory readings.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio as Pipe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common;

/// The kafka-mcp binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kafka-mcp")
}

/// A fresh temp dir for one test's files (kept on failure for inspection).
pub fn temp_dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(common::unique(&format!("hardening-{test}")));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The kafka-mcp server speaking MCP over its stdio; requests may be pipelined. Stderr goes to
/// a file so tests can read everything it logged.
pub struct Mcp {
    pub child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<String>,
    /// Every stdout line so far.
    pub lines: Vec<String>,
    responses: HashMap<String, (Value, Instant)>,
    sent: HashMap<String, Instant>,
    /// Requests the server sent to the client (e.g. elicitation), in order.
    pub server_requests: Vec<Value>,
    next_id: u64,
    /// The file stderr is written to.
    pub stderr_path: PathBuf,
}

impl Mcp {
    /// Spawns `kafka-mcp ARGS` with only the given KAFKA_* variables (inherited ones removed).
    pub fn spawn(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Mcp {
        let stderr_path = dir.join(format!("stderr-{}.log", uuid::Uuid::new_v4().simple()));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .stdin(Pipe::piped())
            .stdout(Pipe::piped())
            .stderr(stderr);
        for (k, _) in std::env::vars() {
            if k.starts_with("KAFKA_") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn kafka-mcp");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Mcp {
            child,
            stdin,
            rx,
            lines: Vec::new(),
            responses: HashMap::new(),
            sent: HashMap::new(),
            server_requests: Vec::new(),
            next_id: 1,
            stderr_path,
        }
    }

    /// Spawns and initializes (declaring no client capabilities).
    pub fn start(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Mcp {
        Mcp::start_with_capabilities(args, env, dir, json!({}))
    }

    /// Spawns and initializes declaring `capabilities` (e.g. `{"elicitation": {}}`).
    pub fn start_with_capabilities(
        args: &[&str],
        env: &[(&str, &str)],
        dir: &Path,
        capabilities: Value,
    ) -> Mcp {
        let mut m = Mcp::spawn(args, env, dir);
        let id = m.send(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": capabilities, "clientInfo": {"name": "hardening", "version": "0"}}),
        );
        let r = m
            .wait(id, Duration::from_secs(30))
            .expect("initialize answered");
        assert!(r.get("result").is_some(), "initialize failed: {r}");
        m.send_raw(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        m
    }

    /// Writes one line (newline added). False when the server no longer reads.
    pub fn send_raw(&mut self, bytes: &[u8]) -> bool {
        let Some(stdin) = self.stdin.as_mut() else {
            return false;
        };
        stdin
            .write_all(bytes)
            .and_then(|_| stdin.write_all(b"\n"))
            .and_then(|_| stdin.flush())
            .is_ok()
    }

    /// Writes bytes as they are (no newline).
    pub fn write_bytes(&mut self, bytes: &[u8]) -> bool {
        let Some(stdin) = self.stdin.as_mut() else {
            return false;
        };
        stdin.write_all(bytes).and_then(|_| stdin.flush()).is_ok()
    }

    /// Closes stdin (the client goes away).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Sends a request without waiting; returns its id.
    pub fn send(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.sent.insert(json!(id).to_string(), Instant::now());
        self.send_raw(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                .to_string()
                .as_bytes(),
        );
        id
    }

    /// Sends a tools/call without waiting; returns its id.
    pub fn send_call(&mut self, tool: &str, args: Value) -> u64 {
        self.send("tools/call", json!({"name": tool, "arguments": args}))
    }

    fn pump(&mut self, limit: Duration) -> bool {
        match self.rx.recv_timeout(limit) {
            Ok(line) => {
                if let Ok(v) = serde_json::from_str::<Value>(line.trim_end()) {
                    if v.get("method").is_some() && v.get("id").is_some() {
                        self.server_requests.push(v.clone());
                    }
                    if v.get("method").is_none() {
                        if let Some(id) = v.get("id") {
                            self.responses
                                .insert(id.to_string(), (v.clone(), Instant::now()));
                        }
                    }
                }
                self.lines.push(line);
                true
            }
            Err(_) => false,
        }
    }

    /// Waits up to `limit` for the response to `id`.
    pub fn wait(&mut self, id: u64, limit: Duration) -> Option<Value> {
        self.wait_key(&json!(id).to_string(), limit).map(|(v, _)| v)
    }

    /// Waits for the response to `id`; also returns how long after sending it arrived.
    pub fn wait_timed(&mut self, id: u64, limit: Duration) -> Option<(Value, Duration)> {
        let key = json!(id).to_string();
        let (v, at) = self.wait_key(&key, limit)?;
        let sent = self.sent.get(&key).copied().unwrap_or(at);
        Some((v, at.saturating_duration_since(sent)))
    }

    /// Waits for a response with a string id.
    pub fn wait_str(&mut self, id: &str, limit: Duration) -> Option<Value> {
        self.wait_key(&json!(id).to_string(), limit).map(|(v, _)| v)
    }

    fn wait_key(&mut self, key: &str, limit: Duration) -> Option<(Value, Instant)> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(v) = self.responses.remove(key) {
                return Some(v);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.pump(left) {
                return self.responses.remove(key);
            }
        }
    }

    /// Waits until the server sends a request with `method` (e.g. `elicitation/create`).
    pub fn wait_server_request(&mut self, method: &str, limit: Duration) -> Option<Value> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(i) = self
                .server_requests
                .iter()
                .position(|r| r["method"] == method)
            {
                return Some(self.server_requests.remove(i));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.pump(left) {
                return None;
            }
        }
    }

    /// Answers a request the server sent.
    pub fn respond(&mut self, id: &Value, result: Value) {
        self.send_raw(
            json!({"jsonrpc": "2.0", "id": id, "result": result})
                .to_string()
                .as_bytes(),
        );
    }

    /// "running", or how the server ended with the last line it wrote on stderr.
    pub fn status_line(&mut self) -> String {
        match self.child.try_wait() {
            Ok(None) => "server running".into(),
            Ok(Some(st)) => format!(
                "server exited ({st}): {}",
                self.stderr().lines().last().unwrap_or("")
            ),
            Err(e) => format!("server state unknown: {e}"),
        }
    }

    /// True while the server process runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    /// Calls a tool and returns its `result` (panics on a protocol error or no answer in 60 s).
    pub fn call(&mut self, tool: &str, args: Value) -> Value {
        let id = self.send_call(tool, args);
        let r = self
            .wait(id, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("no answer to {tool} in 60 s"));
        r.get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{tool}: protocol error {r}"))
    }

    /// Sends a ping and waits for it.
    pub fn ping(&mut self, limit: Duration) -> bool {
        let id = self.send("ping", json!({}));
        self.wait(id, limit)
            .is_some_and(|r| r.get("result").is_some())
    }

    /// Everything the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Reads any stdout lines already waiting.
    pub fn drain(&mut self) {
        while self.pump(Duration::from_millis(50)) {}
    }

    /// Every stdout line is one JSON-RPC 2.0 message.
    pub fn assert_pure_stdout(&self) {
        for l in &self.lines {
            let v: Value = serde_json::from_str(l.trim_end())
                .unwrap_or_else(|e| panic!("non-JSON on stdout ({e}): {l:?}"));
            assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC 2.0: {l}");
        }
    }

    /// Resident memory now and at its peak, kB.
    pub fn memory_kb(&self) -> (u64, u64) {
        memory_kb(self.child.id())
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (VmRSS, VmHWM) of a process, kB.
pub fn memory_kb(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The text of a tool result.
pub fn text(result: &Value) -> String {
    common::text(result)
}

/// True when the tool result is an error.
pub fn is_error(result: &Value) -> bool {
    common::is_error(result)
}

/// What a test's own broker runs on: real Apache Kafka from `$KAFKA_HOME` (a single KRaft
/// node, via tools/kafka-cluster.sh) when it is set, otherwise the stand-in nisshi binary.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A one-node KRaft cluster from this Kafka distribution.
    Real(PathBuf),
    /// The nisshi binary.
    Nisshi(PathBuf),
}

impl Backend {
    /// True for real Apache Kafka.
    pub fn is_real(&self) -> bool {
        matches!(self, Backend::Real(_))
    }
}

/// The broker a test may start for itself, when broker tests run (`KAFKA_MCP_TEST_BOOTSTRAP`
/// set): real Kafka under `KAFKA_HOME`, else nisshi. Under `KAFKA_MCP_REQUIRE_BROKER=1` a
/// missing nisshi binary fails the test instead of skipping it.
pub fn broker_backend() -> Option<Backend> {
    common::bootstrap()?;
    if let Ok(home) = std::env::var("KAFKA_HOME") {
        if Path::new(&home).join("bin/kafka-server-start.sh").exists() {
            return Some(Backend::Real(PathBuf::from(home)));
        }
    }
    let cache = std::env::var("KAFKA_MCP_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/kafka-mcp")
        });
    let bin = cache.join("bin/nisshi");
    if bin.exists() {
        return Some(Backend::Nisshi(bin));
    }
    if std::env::var("KAFKA_MCP_REQUIRE_BROKER").is_ok() {
        panic!(
            "KAFKA_MCP_REQUIRE_BROKER is set but neither KAFKA_HOME nor {} is there \
             (set KAFKA_HOME to a Kafka 4.x distribution, or run tools/broker.sh install)",
            bin.display()
        );
    }
    eprintln!(
        "skipping: no KAFKA_HOME and {} is missing (run tools/broker.sh install)",
        bin.display()
    );
    None
}

/// True when something accepts connections on 127.0.0.1:port.
pub fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

/// A broker this test started and alone controls: one real KRaft node (data kept across a
/// restart) or one nisshi process (in memory, empty after a restart).
pub struct OwnBroker {
    backend: Backend,
    /// Port it listens on.
    pub port: u16,
    /// Port it advertises in metadata (a proxy's, or `port`).
    pub advertised: u16,
    extra: Vec<String>,
    child: Option<Child>,
    cluster: Option<common::real::Cluster>,
    log: PathBuf,
    paused: bool,
}

impl OwnBroker {
    /// Starts a broker on 127.0.0.1:port advertising itself.
    pub fn start(backend: &Backend, port: u16) -> OwnBroker {
        OwnBroker::start_with(backend, port, port, &[])
    }

    /// Starts a broker on `port`, advertising `advertised`, with extra nisshi arguments (TLS).
    pub fn start_with(
        backend: &Backend,
        port: u16,
        advertised: u16,
        extra: &[String],
    ) -> OwnBroker {
        assert!(
            (19501..=19520).contains(&port),
            "hardening brokers use ports 19501-19520"
        );
        let mut b = OwnBroker {
            backend: backend.clone(),
            port,
            advertised,
            extra: extra.to_vec(),
            child: None,
            cluster: None,
            log: std::env::temp_dir().join(format!("kafka-mcp-hardening-broker-{port}.log")),
            paused: false,
        };
        b.spawn();
        b
    }

    fn spawn(&mut self) {
        if let Some(c) = &self.cluster {
            c.start(1);
            return;
        }
        let bin = match &self.backend {
            Backend::Real(_) => {
                assert!(
                    self.extra.is_empty(),
                    "nisshi arguments on a real broker: {:?}",
                    self.extra
                );
                let adv = (self.advertised - 1).to_string();
                self.cluster = Some(common::real::Cluster::up_with(
                    &format!("hardening-{}", self.port),
                    1,
                    self.port - 1,
                    &[],
                    &[("KAFKA_MCP_ADVERTISED_BASE", &adv)],
                ));
                return;
            }
            Backend::Nisshi(bin) => bin.clone(),
        };
        assert!(
            !listening(self.port),
            "port {} is busy: another process listens there",
            self.port
        );
        let log = std::fs::File::create(&self.log).unwrap();
        let child = Command::new(&bin)
            .arg("broker")
            .arg("--listener-url")
            .arg(format!("tcp://127.0.0.1:{}", self.port))
            .arg("--advertised-listener-url")
            .arg(format!("tcp://127.0.0.1:{}", self.advertised))
            .arg("--storage-engine")
            .arg(format!("memory://hardening-{}/", self.port))
            .args(&self.extra)
            .env("RUST_LOG", "warn")
            .stdin(Pipe::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn nisshi");
        self.child = Some(child);
        let start = Instant::now();
        while !listening(self.port) {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!(
                    "nisshi exited ({status}): {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "nisshi did not listen on {} in 20 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `bootstrap.servers` for clients.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.advertised)
    }

    /// The cluster id the broker reports (nisshi: its fixed id).
    pub fn cluster_id(&self) -> String {
        match &self.cluster {
            Some(c) => c.cluster_id(),
            None => "nisshi_cluster".to_string(),
        }
    }

    /// The broker's node id (nisshi: its fixed 111).
    pub fn node_id(&self) -> i64 {
        if self.cluster.is_some() {
            1
        } else {
            111
        }
    }

    fn pid(&self) -> u32 {
        match &self.cluster {
            Some(c) => c.pid(1).expect("node 1 running"),
            None => self.child.as_ref().expect("broker running").id(),
        }
    }

    fn signal(&self, sig: &str) {
        let pid = self.pid();
        let ok = Command::new("kill")
            .arg(sig)
            .arg(pid.to_string())
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig} {pid}");
    }

    /// SIGSTOP: the broker keeps its sockets but answers nothing.
    pub fn pause(&mut self) {
        self.signal("-STOP");
        self.paused = true;
    }

    /// SIGCONT.
    pub fn resume(&mut self) {
        self.signal("-CONT");
        self.paused = false;
    }

    /// SIGKILL, and waits until the port is free.
    pub fn kill(&mut self) {
        if self.paused {
            self.resume();
        }
        if let Some(c) = &self.cluster {
            c.kill(1);
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let start = Instant::now();
        while listening(self.port) && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts it again on the same port (nisshi comes back empty; Kafka keeps its data).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        if self.paused {
            self.resume();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // A real cluster is stopped and wiped by its own Drop.
    }
}

/// Kafka API keys that change cluster or group state. CreateTopics, CreatePartitions,
/// AlterConfigs and IncrementalAlterConfigs count only without `validate_only`.
pub const WRITE_APIS: &[(i16, &str)] = &[
    (0, "Produce"),
    (8, "OffsetCommit"),
    (11, "JoinGroup"),
    (12, "Heartbeat"),
    (13, "LeaveGroup"),
    (14, "SyncGroup"),
    (19, "CreateTopics"),
    (20, "DeleteTopics"),
    (21, "DeleteRecords"),
    (22, "InitProducerId"),
    (24, "AddPartitionsToTxn"),
    (25, "AddOffsetsToTxn"),
    (26, "EndTxn"),
    (28, "TxnOffsetCommit"),
    (30, "CreateAcls"),
    (31, "DeleteAcls"),
    (33, "AlterConfigs"),
    (34, "AlterReplicaLogDirs"),
    (37, "CreatePartitions"),
    (42, "DeleteGroups"),
    (43, "ElectLeaders"),
    (44, "IncrementalAlterConfigs"),
    (45, "AlterPartitionReassignments"),
    (47, "OffsetDelete"),
    (49, "AlterClientQuotas"),
    (51, "AlterUserScramCredentials"),
    (57, "UpdateFeatures"),
    (68, "ConsumerGroupHeartbeat"),
];

/// One DescribeConfigs resource as asked: `(resource type, name, ConfigurationKeys)`.
pub type ConfigAsk = (i8, String, Option<Vec<String>>);

/// One request the proxy saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// Kafka API key.
    pub api_key: i16,
    /// Its version.
    pub version: i16,
    /// `validate_only` for the APIs that have it.
    pub validate_only: Option<bool>,
    /// DescribeConfigs: per resource `(type, name, ConfigurationKeys)`; `None` keys = all.
    pub config_keys: Option<Vec<ConfigAsk>>,
    /// Metadata: the topics asked for; `None` = all topics, `Some(0)` = brokers only (how
    /// librdkafka sends DescribeCluster).
    pub metadata_topics: Option<Option<usize>>,
}

impl ApiCall {
    /// The API's name.
    pub fn name(&self) -> String {
        kafka_protocol::messages::ApiKey::try_from(self.api_key)
            .map(|k| format!("{k:?}"))
            .unwrap_or_else(|_| format!("api-{}", self.api_key))
    }

    /// True when the request changes cluster or group state.
    pub fn is_write(&self) -> bool {
        WRITE_APIS.iter().any(|(k, _)| *k == self.api_key) && self.validate_only != Some(true)
    }
}

/// A TCP proxy in front of a broker that decodes every Kafka request header (and the
/// `validate_only` flag where there is one), and can add sensitive entries with values to every
/// DescribeConfigs answer, as a misbehaving broker would.
pub struct KafkaProxy {
    /// Port it listens on.
    pub port: u16,
    calls: Arc<Mutex<Vec<ApiCall>>>,
    stop: Arc<AtomicBool>,
}

impl KafkaProxy {
    /// Listens on 127.0.0.1:port and forwards to 127.0.0.1:upstream. `plant`: config entries
    /// (name, value) added to each DescribeConfigs resource, flagged sensitive.
    pub fn start(port: u16, upstream: u16, plant: Vec<(String, String)>) -> KafkaProxy {
        assert!((19501..=19520).contains(&port));
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("proxy port");
        let calls: Arc<Mutex<Vec<ApiCall>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (calls.clone(), stop.clone());
        let plant = Arc::new(plant);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let pending: Arc<Mutex<HashMap<i32, (i16, i16)>>> = Arc::default();
                let (c2, p2, plant2) = (c.clone(), pending.clone(), plant.clone());
                let (client2, server2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || forward_requests(client, server, c2, p2));
                std::thread::spawn(move || forward_responses(server2, client2, pending, plant2));
            }
        });
        KafkaProxy { port, calls, stop }
    }

    /// Every request seen so far.
    pub fn calls(&self) -> Vec<ApiCall> {
        self.calls.lock().unwrap().clone()
    }

    /// Forgets what was seen.
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// Requests seen that change state.
    pub fn writes(&self) -> Vec<ApiCall> {
        self.calls().into_iter().filter(ApiCall::is_write).collect()
    }
}

impl Drop for KafkaProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_frame(r: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).ok()?;
    let n = i32::from_be_bytes(len);
    if !(0..=256 * 1024 * 1024).contains(&n) {
        return None;
    }
    let mut body = vec![0u8; n as usize];
    r.read_exact(&mut body).ok()?;
    Some(body)
}

fn forward_requests(
    mut client: TcpStream,
    mut server: TcpStream,
    calls: Arc<Mutex<Vec<ApiCall>>>,
    pending: Arc<Mutex<HashMap<i32, (i16, i16)>>>,
) {
    while let Some(body) = read_frame(&mut client) {
        if body.len() >= 8 {
            let api_key = i16::from_be_bytes([body[0], body[1]]);
            let version = i16::from_be_bytes([body[2], body[3]]);
            let correlation = i32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            pending
                .lock()
                .unwrap()
                .insert(correlation, (api_key, version));
            let validate_only = validate_only(api_key, version, &body);
            let (config_keys, metadata_topics) = read_details(api_key, version, &body);
            calls.lock().unwrap().push(ApiCall {
                api_key,
                version,
                validate_only,
                config_keys,
                metadata_topics,
            });
        }
        let mut out = (body.len() as i32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        if server.write_all(&out).is_err() {
            break;
        }
    }
    let _ = server.shutdown(std::net::Shutdown::Both);
}

type Details = (Option<Vec<ConfigAsk>>, Option<Option<usize>>);

fn read_details(api_key: i16, version: i16, body: &[u8]) -> Details {
    use kafka_protocol::messages::*;
    use kafka_protocol::protocol::Decodable;
    let Ok(key) = ApiKey::try_from(api_key) else {
        return (None, None);
    };
    let mut buf = bytes::Bytes::copy_from_slice(body);
    if RequestHeader::decode(&mut buf, key.request_header_version(version)).is_err() {
        return (None, None);
    }
    match key {
        ApiKey::DescribeConfigs => {
            let keys = DescribeConfigsRequest::decode(&mut buf, version)
                .ok()
                .map(|r| {
                    r.resources
                        .iter()
                        .map(|res| {
                            (
                                res.resource_type,
                                res.resource_name.to_string(),
                                res.configuration_keys
                                    .as_ref()
                                    .map(|k| k.iter().map(|s| s.to_string()).collect()),
                            )
                        })
                        .collect()
                });
            (keys, None)
        }
        ApiKey::Metadata => {
            let topics = MetadataRequest::decode(&mut buf, version)
                .ok()
                .map(|r| r.topics.map(|t| t.len()));
            (None, topics)
        }
        _ => (None, None),
    }
}

fn validate_only(api_key: i16, version: i16, body: &[u8]) -> Option<bool> {
    use kafka_protocol::messages::*;
    use kafka_protocol::protocol::Decodable;
    let key = ApiKey::try_from(api_key).ok()?;
    let mut buf = bytes::Bytes::copy_from_slice(body);
    RequestHeader::decode(&mut buf, key.request_header_version(version)).ok()?;
    match key {
        ApiKey::CreateTopics => CreateTopicsRequest::decode(&mut buf, version)
            .ok()
            .map(|r| r.validate_only),
        ApiKey::CreatePartitions => CreatePartitionsRequest::decode(&mut buf, version)
            .ok()
            .map(|r| r.validate_only),
        ApiKey::AlterConfigs => AlterConfigsRequest::decode(&mut buf, version)
            .ok()
            .map(|r| r.validate_only),
        ApiKey::IncrementalAlterConfigs => {
            IncrementalAlterConfigsRequest::decode(&mut buf, version)
                .ok()
                .map(|r| r.validate_only)
        }
        _ => None,
    }
}

fn forward_responses(
    mut server: TcpStream,
    mut client: TcpStream,
    pending: Arc<Mutex<HashMap<i32, (i16, i16)>>>,
    plant: Arc<Vec<(String, String)>>,
) {
    while let Some(mut body) = read_frame(&mut server) {
        if body.len() >= 4 && !plant.is_empty() {
            let correlation = i32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            let req = pending.lock().unwrap().remove(&correlation);
            if let Some((32, version)) = req {
                if let Some(b) = plant_sensitive(&body, version, &plant) {
                    body = b;
                }
            }
        }
        let mut out = (body.len() as i32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        if client.write_all(&out).is_err() {
            break;
        }
    }
    let _ = client.shutdown(std::net::Shutdown::Both);
}

fn plant_sensitive(body: &[u8], version: i16, plant: &[(String, String)]) -> Option<Vec<u8>> {
    use kafka_protocol::messages::describe_configs_response::*;
    use kafka_protocol::messages::{ApiKey, ResponseHeader};
    use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
    let hv = ApiKey::DescribeConfigs.response_header_version(version);
    let mut buf = bytes::Bytes::copy_from_slice(body);
    let header = ResponseHeader::decode(&mut buf, hv).ok()?;
    let mut resp = DescribeConfigsResponse::decode(&mut buf, version).ok()?;
    for r in &mut resp.results {
        for (name, value) in plant {
            let synonym = DescribeConfigsSynonym::default()
                .with_name(StrBytes::from_string(name.clone()))
                .with_value(Some(StrBytes::from_string(value.clone())))
                .with_source(5);
            r.configs.push(
                DescribeConfigsResourceResult::default()
                    .with_name(StrBytes::from_string(name.clone()))
                    .with_value(Some(StrBytes::from_string(value.clone())))
                    .with_config_source(if r.resource_type == 2 { 1 } else { 4 })
                    .with_is_sensitive(true)
                    .with_synonyms(if version >= 1 { vec![synonym] } else { vec![] }),
            );
        }
    }
    let mut out = Vec::new();
    header.encode(&mut out, hv).ok()?;
    resp.encode(&mut out, version).ok()?;
    Some(out)
}

/// Sends a raw HTTP request (head as given, then `body` in 64 KiB chunks, write errors ignored:
/// the server may answer and close early) and returns the status code and the response text.
pub fn raw_http(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(head.as_bytes());
    for chunk in body.chunks(64 * 1024) {
        if s.write_all(chunk).is_err() {
            break;
        }
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// PEM files of a throwaway CA, a server certificate for 127.0.0.1/localhost signed by it, and
/// a client certificate whose key is encrypted with `client_key_password`.
pub struct Certs {
    /// CA certificate.
    pub ca: PathBuf,
    /// Server certificate chain (leaf, CA).
    pub server_chain: PathBuf,
    /// Server key (PKCS#8).
    pub server_key: PathBuf,
    /// A CA that signed nothing here (for verification failures).
    pub other_ca: PathBuf,
    /// Client certificate.
    pub client_cert: PathBuf,
    /// Client key, PKCS#8 encrypted with the password given.
    pub client_key: PathBuf,
}

/// Generates [`Certs`] into `dir`.
pub fn make_certs(dir: &Path, client_key_password: &str) -> Certs {
    use openssl::asn1::Asn1Time;
    use openssl::bn::{BigNum, MsbOption};
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, Private};
    use openssl::symm::Cipher;
    use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
    use openssl::x509::{X509Builder, X509NameBuilder, X509};

    fn key() -> PKey<Private> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
    }
    fn cert(
        cn: &str,
        key: &PKey<Private>,
        issuer: Option<(&X509, &PKey<Private>)>,
        server: bool,
    ) -> X509 {
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", cn).unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        let mut serial = BigNum::new().unwrap();
        serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
        b.set_serial_number(&serial.to_asn1_integer().unwrap())
            .unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(issuer.map(|(c, _)| c.subject_name()).unwrap_or(&name))
            .unwrap();
        b.set_pubkey(key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(2).unwrap())
            .unwrap();
        match issuer {
            None => {
                b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                    .unwrap();
                b.append_extension(
                    KeyUsage::new()
                        .critical()
                        .key_cert_sign()
                        .crl_sign()
                        .build()
                        .unwrap(),
                )
                .unwrap();
            }
            Some((ca, _)) => {
                let san = {
                    let ctx = b.x509v3_context(Some(ca), None);
                    let mut san = SubjectAlternativeName::new();
                    if server {
                        san.dns("localhost").ip("127.0.0.1");
                    } else {
                        san.dns("client");
                    }
                    san.build(&ctx).unwrap()
                };
                b.append_extension(san).unwrap();
                b.append_extension(
                    KeyUsage::new()
                        .critical()
                        .digital_signature()
                        .key_encipherment()
                        .build()
                        .unwrap(),
                )
                .unwrap();
            }
        }
        b.sign(
            issuer.map(|(_, k)| k).unwrap_or(key),
            MessageDigest::sha256(),
        )
        .unwrap();
        b.build()
    }
    let ca_key = key();
    let ca = cert("hardening CA", &ca_key, None, false);
    let server_key = key();
    let server = cert("localhost", &server_key, Some((&ca, &ca_key)), true);
    let other_key = key();
    let other = cert("other CA", &other_key, None, false);
    let client_key = key();
    let client = cert("client", &client_key, Some((&ca, &ca_key)), false);
    let w = |name: &str, bytes: Vec<u8>| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let mut chain = server.to_pem().unwrap();
    chain.extend(ca.to_pem().unwrap());
    Certs {
        ca: w("ca.pem", ca.to_pem().unwrap()),
        server_chain: w("server-chain.pem", chain),
        server_key: w(
            "server-key.pem",
            server_key.private_key_to_pem_pkcs8().unwrap(),
        ),
        other_ca: w("other-ca.pem", other.to_pem().unwrap()),
        client_cert: w("client.pem", client.to_pem().unwrap()),
        client_key: w(
            "client-key.pem",
            client_key
                .private_key_to_pem_pkcs8_passphrase(
                    Cipher::aes_256_cbc(),
                    client_key_password.as_bytes(),
                )
                .unwrap(),
        ),
    }
}

/// A tiny HTTP endpoint answering every request with `status` and `body`; records the requests
/// (head and body) it received.
pub struct FakeHttp {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Requests received.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FakeHttp {
    /// Starts answering on an ephemeral port.
    pub fn start(status: u16, body: &'static str) -> FakeHttp {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let r = requests.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut c) = conn else { continue };
                let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = vec![0u8; 64 * 1024];
                let n = c.read(&mut buf).unwrap_or(0);
                r.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = c.write_all(resp.as_bytes());
            }
        });
        FakeHttp { url, requests }
    }
}

/// `kafka-mcp serve --http 127.0.0.1:0 ARGS` with only the given KAFKA_*/RUST_LOG variables,
/// stderr captured to a file.
pub struct HttpProc {
    pub child: Child,
    /// host:port it listens on.
    pub addr: String,
    /// Its stderr.
    pub stderr_path: PathBuf,
}

impl HttpProc {
    /// Starts it and waits for the address it reports.
    pub fn start(args: &[&str], env: &[(&str, &str)], dir: &Path) -> HttpProc {
        let stderr_path = dir.join(format!("http-stderr-{}.log", uuid::Uuid::new_v4().simple()));
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--http", "127.0.0.1:0"]).args(args);
        cmd.stdin(Pipe::null())
            .stdout(Pipe::null())
            .stderr(std::fs::File::create(&stderr_path).unwrap());
        for (k, _) in std::env::vars() {
            if k.starts_with("KAFKA_") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        // Owned by the HttpProc at once, so a failed start still kills and reaps it.
        let mut p = HttpProc {
            child: cmd.spawn().unwrap(),
            addr: String::new(),
            stderr_path,
        };
        let start = Instant::now();
        loop {
            let text = p.stderr();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                p.addr = rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches("/mcp")
                    .to_string();
                return p;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no address reported: {text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything it wrote on stderr.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for HttpProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

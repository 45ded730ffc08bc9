//! JSON-RPC and MCP conformance of the real binary, over stdio and HTTP: error codes for
//! invalid params, parse errors and bad cursors, completions, typed tool schemas, the 401
//! challenge, exiting promptly when the client goes away, `RUST_LOG` honoured, and the CLI
//! ending quietly into a closed pipe. (`tools/conformance.sh` runs the official suites.)

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio as Pipe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{bin, http, HttpServer};
use serde_json::{json, Value};

/// A server process over stdio with raw access to its pipes (the shared harness keeps stdin
/// to itself; these tests close it).
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl Raw {
    /// Spawns `kafka-mcp ARGS` with only `env` (plus PATH/HOME) and stderr to `stderr`.
    fn spawn(args: &[&str], env: &[(&str, &str)], stderr: Pipe) -> Raw {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env_clear()
            .envs(
                ["PATH", "HOME"]
                    .iter()
                    .filter_map(|k| Some((k, std::env::var(k).ok()?))),
            )
            .envs(env.iter().copied())
            .stdin(Pipe::piped())
            .stdout(Pipe::piped())
            .stderr(stderr);
        let mut child = cmd.spawn().expect("spawn kafka-mcp");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Raw {
            child,
            stdin,
            lines: rx,
            next_id: 1,
        }
    }

    /// Spawns and initializes.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Raw {
        let mut r = Raw::spawn(args, env, Pipe::inherit());
        r.initialize();
        r
    }

    fn initialize(&mut self) -> Value {
        let init = self.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "conformance-test", "version": "0"}}),
        );
        assert!(init.get("result").is_some(), "initialize: {init}");
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        init
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request without waiting; returns its id.
    fn send_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        id
    }

    /// The next stdout message matching `pick`, within 30 s.
    fn next_where(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} within 30 s"));
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC: {line}");
            if pick(&v) {
                return v;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.next_where(&format!("answer to {method}"), |v| {
            v.get("id") == Some(&json!(id))
        })
    }

    /// The error code of a request that must fail.
    fn error_code(&mut self, method: &str, params: Value) -> (i64, String) {
        let r = self.request(method, params.clone());
        let code = r["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("{method} {params} must be a JSON-RPC error: {r}"));
        (
            code,
            r["error"]["message"].as_str().unwrap_or("").to_string(),
        )
    }

    /// Closes stdin, as a client that goes away does.
    fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits up to `limit` for the process to end.
    fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_config(toml: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(toml.as_bytes()).unwrap();
    f
}

/// Two clusters nobody listens on, answering fast.
const UNREACHABLE: &str = "default_cluster = \"prod\"\n[clusters.prod]\n\"bootstrap.servers\" = \"127.0.0.1:1\"\n[clusters.staging]\n\"bootstrap.servers\" = \"127.0.0.1:1\"\n";

#[test]
fn the_server_exits_within_a_second_and_a_half_when_stdin_closes_during_a_call() {
    for tool in ["cluster_health", "topic_manage"] {
        let mut s = Raw::start(
            &["--timeout-ms", "60000"],
            &[("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")],
        );
        let args = if tool == "topic_manage" {
            json!({"action": "list"})
        } else {
            json!({})
        };
        s.send_request("tools/call", json!({"name": tool, "arguments": args}));
        // The call is waiting on the unreachable broker (for up to 60 s).
        std::thread::sleep(Duration::from_millis(500));
        assert!(s.child.try_wait().unwrap().is_none(), "still serving");
        let closed = Instant::now();
        s.close_stdin();
        let status = s
            .exit_within(Duration::from_millis(1500))
            .unwrap_or_else(|| {
                panic!("{tool}: still running 1.5 s after stdin closed with a call in flight")
            });
        eprintln!("{tool}: exited {:?} after stdin closed", closed.elapsed());
        assert!(status.success(), "{tool}: {status:?}");
    }
}

#[test]
fn the_server_exits_at_once_when_stdin_closes_before_initialize() {
    let mut s = Raw::spawn(&[], &[], Pipe::inherit());
    let t = Instant::now();
    s.close_stdin();
    let status = s
        .exit_within(Duration::from_millis(1500))
        .expect("exits when stdin closes before initialize");
    assert!(status.success(), "{status:?} after {:?}", t.elapsed());
}

#[test]
fn rust_log_warn_prints_no_info_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut s = Raw::spawn(
        &["--timeout-ms", "1000"],
        &[
            ("RUST_LOG", "warn"),
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
        ],
        Pipe::from(std::fs::File::create(&log).unwrap()),
    );
    s.initialize();
    s.request("tools/list", json!({}));
    s.request(
        "tools/call",
        json!({"name": "cluster_health", "arguments": {}}),
    );
    s.request("ping", json!({}));
    s.close_stdin();
    s.exit_within(Duration::from_secs(5)).expect("exits");
    let stderr = std::fs::read_to_string(&log).unwrap();
    for level in [" INFO ", " DEBUG ", " TRACE "] {
        assert!(
            !stderr.lines().any(|l| l.contains(level)),
            "RUST_LOG=warn printed a{level}line:\n{stderr}"
        );
    }
    // The filter is still the user's: RUST_LOG=info does show rmcp's INFO lines.
    let log = dir.path().join("stderr-info.log");
    let mut s = Raw::spawn(
        &[],
        &[("RUST_LOG", "info")],
        Pipe::from(std::fs::File::create(&log).unwrap()),
    );
    s.initialize();
    s.close_stdin();
    s.exit_within(Duration::from_secs(5)).expect("exits");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        stderr.lines().any(|l| l.contains(" INFO ")),
        "RUST_LOG=info shows INFO lines:\n{stderr}"
    );
}

/// `kafka-mcp tools` into a pipe whose reader is gone (`| head`): no panic, a quiet exit.
#[test]
fn cli_output_into_a_closed_pipe_ends_quietly() {
    for read_first in [0usize, 16] {
        let mut child = Command::new(bin())
            .arg("tools")
            .env_remove("KAFKA_BOOTSTRAP_SERVERS")
            .env_remove("KAFKA_MCP_CONFIG")
            .stdout(Pipe::piped())
            .stderr(Pipe::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = vec![0u8; read_first];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "read {read_first} bytes then closed: {stderr}"
        );
        use std::os::unix::process::ExitStatusExt;
        assert!(
            out.status.success() || out.status.signal() == Some(13),
            "read {read_first} bytes then closed: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn invalid_params_are_32602_and_unknown_methods_32601() {
    let mut s = Raw::start(&[], &[]);
    for (method, params, mentions) in [
        ("logging/setLevel", json!({"level": "loud"}), "loud"),
        ("logging/setLevel", json!({}), "level"),
        ("tools/call", json!({}), "name"),
        ("tools/call", json!({"name": 5}), "string"),
        ("resources/read", json!({}), "uri"),
        ("prompts/get", json!({}), "name"),
        ("completion/complete", json!({}), "ref"),
    ] {
        let (code, message) = s.error_code(method, params.clone());
        assert_eq!(code, -32602, "{method} {params}: {message}");
        assert!(message.contains(mentions), "{method} {params}: {message}");
    }
    let (code, _) = s.error_code("no/such/method", json!({}));
    assert_eq!(code, -32601);
    // An unknown tool stays a protocol error, as before.
    let r = s.request("tools/call", json!({"name": "nope", "arguments": {}}));
    assert!(r.get("error").is_some(), "{r}");
    // The session is fine afterwards.
    let level = s.request("logging/setLevel", json!({"level": "error"}));
    assert_eq!(level["result"], json!({}), "{level}");
}

#[test]
fn a_line_that_is_not_json_gets_a_parse_error_with_a_null_id() {
    let mut s = Raw::start(&[], &[]);
    for bad in ["{not json", "{\"jsonrpc\": \"2.0\", \"id\": 1,", "hello"] {
        s.send(bad);
        let e = s.next_where("parse error", |v| v.get("error").is_some());
        assert_eq!(e["error"]["code"], -32700, "{bad}: {e}");
        assert!(
            e.as_object().unwrap().contains_key("id") && e["id"].is_null(),
            "JSON-RPC wants \"id\": null: {e}"
        );
    }
    // Blank lines are not messages and get nothing; the next request is answered normally.
    s.send("");
    s.send("   ");
    let r = s.request("ping", json!({}));
    assert_eq!(r["result"], json!({}), "{r}");
    // JSON of the wrong shape is still an Invalid Request.
    s.send("[1, 2]");
    let e = s.next_where("invalid request", |v| v.get("error").is_some());
    assert_eq!(e["error"]["code"], -32600, "{e}");
    assert!(
        e.as_object().unwrap().contains_key("id") && e["id"].is_null(),
        "JSON-RPC wants \"id\": null: {e}"
    );
}

#[test]
fn list_cursors_this_server_never_issued_are_invalid_params() {
    let mut s = Raw::start(&[], &[]);
    for method in [
        "tools/list",
        "resources/list",
        "resources/templates/list",
        "prompts/list",
    ] {
        let (code, message) = s.error_code(method, json!({"cursor": "bogus"}));
        assert_eq!(code, -32602, "{method}: {message}");
        assert!(message.contains("cursor"), "{message}");
        let ok = s.request(method, json!({}));
        assert!(ok.get("result").is_some(), "{method}: {ok}");
        assert!(ok["result"].get("nextCursor").is_none(), "{ok}");
    }
}

#[test]
fn completions_are_declared_and_complete_clusters_and_arguments() {
    let cfg = temp_config(UNREACHABLE);
    let mut s = Raw::spawn(
        &[
            "--config",
            cfg.path().to_str().unwrap(),
            "--timeout-ms",
            "1000",
        ],
        &[],
        Pipe::inherit(),
    );
    let init = s.initialize();
    assert!(
        init["result"]["capabilities"]["completions"].is_object(),
        "completions declared: {init}"
    );
    let complete = |s: &mut Raw, r#ref: Value, name: &str, value: &str, ctx: Value| {
        s.request(
            "completion/complete",
            json!({"ref": r#ref, "argument": {"name": name, "value": value}, "context": {"arguments": ctx}}),
        )
    };
    let template = json!({"type": "ref/resource", "uri": "kafka://{cluster}/topics/{topic}"});
    let r = complete(&mut s, template.clone(), "cluster", "st", json!({}));
    assert_eq!(
        r["result"]["completion"]["values"],
        json!(["staging"]),
        "{r}"
    );
    let r = complete(&mut s, template.clone(), "cluster", "", json!({}));
    assert_eq!(
        r["result"]["completion"]["values"],
        json!(["prod", "staging"]),
        "{r}"
    );
    assert_eq!(r["result"]["completion"]["total"], 2);
    // Topics of an unreachable cluster: no suggestions, quickly, not an error.
    let t = Instant::now();
    let r = complete(
        &mut s,
        template,
        "topic",
        "or",
        json!({"cluster": "staging"}),
    );
    assert_eq!(r["result"]["completion"]["values"], json!([]), "{r}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let prompt = json!({"type": "ref/prompt", "name": "cluster-health-review"});
    let r = complete(&mut s, prompt, "cluster", "p", json!({}));
    assert_eq!(r["result"]["completion"]["values"], json!(["prod"]), "{r}");
    // Free-text arguments complete to nothing.
    let prompt = json!({"type": "ref/prompt", "name": "safe-topic-change"});
    let r = complete(&mut s, prompt, "change", "re", json!({}));
    assert_eq!(r["result"]["completion"]["values"], json!([]), "{r}");
    // Unknown prompts, templates and arguments are invalid params.
    for (r#ref, arg) in [
        (json!({"type": "ref/prompt", "name": "nope"}), "cluster"),
        (
            json!({"type": "ref/resource", "uri": "kafka://x"}),
            "cluster",
        ),
        (
            json!({"type": "ref/resource", "uri": "kafka://{cluster}/health"}),
            "topic",
        ),
    ] {
        let (code, message) = s.error_code(
            "completion/complete",
            json!({"ref": r#ref, "argument": {"name": arg, "value": ""}}),
        );
        assert_eq!(code, -32602, "{ref}: {message}");
    }
}

#[test]
fn topic_and_group_names_complete_from_the_broker() {
    let Some(b) = common::bootstrap() else { return };
    let topic = common::unique("complete");
    common::kafka::create_topic(&b, &topic, 1, &[]);
    let group = common::unique("complete-group");
    common::kafka::commit(&b, &group, &topic, &[(0, 0)]);
    let mut s = Raw::start(&[], &[("KAFKA_BOOTSTRAP_SERVERS", &b)]);
    let r = s.request(
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "safe-topic-change"},
               "argument": {"name": "topic", "value": &topic[..topic.len() - 2]}}),
    );
    assert_eq!(r["result"]["completion"]["values"], json!([topic]), "{r}");
    let r = s.request(
        "completion/complete",
        json!({"ref": {"type": "ref/resource", "uri": "kafka://{cluster}/groups/{group}"},
               "argument": {"name": "group", "value": &group[..group.len() - 2]},
               "context": {"arguments": {"cluster": "default"}}}),
    );
    assert_eq!(r["result"]["completion"]["values"], json!([group]), "{r}");
}

/// Every subschema has one string `type`, or `anyOf` branches that each have one; no bare
/// boolean schema (what strict clients and the Inspector's `--strict` lint want).
fn assert_plain_and_typed(v: &Value, path: &str) {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("{path}: bare {v} where a schema object belongs"));
    let single = o.get("type").is_some_and(Value::is_string);
    let branches = o.get("anyOf").and_then(Value::as_array);
    assert!(
        single
            || branches.is_some_and(|a| {
                !a.is_empty()
                    && a.iter()
                        .all(|b| b.get("type").is_some_and(Value::is_string))
            }),
        "{path}: not plainly typed: {v}"
    );
    assert!(
        !o.contains_key("oneOf") && !o.contains_key("$ref"),
        "{path}: {v}"
    );
    for (name, p) in o
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert_plain_and_typed(p, &format!("{path}.{name}"));
    }
    if let Some(items) = o.get("items") {
        assert_plain_and_typed(items, &format!("{path}.items"));
    }
    for (i, b) in branches.into_iter().flatten().enumerate() {
        assert_plain_and_typed(b, &format!("{path}.anyOf[{i}]"));
    }
    if let Some(a) = o.get("additionalProperties") {
        if a.is_object() {
            assert_plain_and_typed(a, &format!("{path}.additionalProperties"));
        }
    }
}

#[test]
fn every_tool_input_schema_is_plain_and_typed() {
    let mut s = Raw::start(&["--allow-writes"], &[]);
    let r = s.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().expect("tools").clone();
    assert!(
        tools.len() >= 6,
        "all tools, writes enabled: {}",
        tools.len()
    );
    for t in &tools {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["inputSchema"]["type"], "object", "{name}");
        assert_plain_and_typed(&t["inputSchema"], &format!("{name}.inputSchema"));
        assert_plain_and_typed(&t["outputSchema"], &format!("{name}.outputSchema"));
    }
}

#[test]
fn http_malformed_bodies_get_400_with_a_json_rpc_error() {
    let server = HttpServer::start(&[], &[]);
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    for (body, code) in [
        ("{not json", -32700),
        ("", -32700),
        (r#"{"jsonrpc":"2.0","id":3,"params":{}}"#, -32600),
        ("[]", -32600),
    ] {
        let r = http(&server.addr, "POST", "/mcp", &headers, body);
        assert_eq!(r.status, 400, "{body:?}: {r:?}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{r:?}"
        );
        let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {r:?}"));
        assert_eq!(v["jsonrpc"], "2.0", "{v}");
        assert_eq!(v["error"]["code"], code, "{body:?}: {v}");
        assert!(v.as_object().unwrap().contains_key("id"), "{v}");
    }
    // A wrong media type is still 415 (that one is right).
    let r = http(
        &server.addr,
        "POST",
        "/mcp",
        &[("Content-Type", "text/plain"), headers[1]],
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
    );
    assert_eq!(r.status, 415, "{r:?}");
    // And a good message still passes.
    let mut c = common::McpHttp::connect(&server.addr, None);
    let r = c.request("ping", json!({}));
    assert_eq!(r["result"], json!({}), "{r}");
}

#[test]
fn http_401_says_a_static_bearer_token_is_expected() {
    let server = HttpServer::start(&[], &[("KAFKA_MCP_TOKEN", "s3cret-token")]);
    for auth in [None, Some("Bearer wrong")] {
        let mut h = vec![
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ];
        if let Some(a) = auth {
            h.push(("Authorization", a));
        }
        let r = http(
            &server.addr,
            "POST",
            "/mcp",
            &h,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
        );
        assert_eq!(r.status, 401, "{r:?}");
        let challenge = r.header("www-authenticate").expect("a challenge");
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(challenge.contains("realm=\"kafka-mcp\""), "{challenge}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(
            challenge.contains("error_description=\"static bearer token expected"),
            "{challenge}"
        );
        let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {r:?}"));
        assert_eq!(v["error"], "invalid_token", "{v}");
        assert!(
            v["error_description"]
                .as_str()
                .unwrap()
                .contains("Authorization: Bearer"),
            "{v}"
        );
        assert!(!r.body.contains("s3cret-token"));
    }
    let c = common::McpHttp::connect(&server.addr, Some("s3cret-token"));
    assert!(c.session.is_some());
}

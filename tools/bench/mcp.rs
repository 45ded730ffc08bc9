//! A raw stdio JSON-RPC client for the `kafka-mcp` binary (newline-delimited JSON-RPC, after
//! `tests/common/mod.rs`): cold starts, and a long-lived session whose tool calls are timed from
//! writing the request to reading its response line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

/// How long one request may take before the bench gives up.
const REQUEST_LIMIT: Duration = Duration::from_secs(120);

fn initialize(id: u64) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}})
    .to_string()
}

fn command(bin: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
    // RUST_LOG unset: the server's default filter (warn), as a client would start it.
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .env_remove("KAFKA_MCP_CONFIG")
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// One cold start: spawn the server, write `initialize` at once, time until its response line.
pub fn cold_start(bin: &Path, env: &[(&str, &str)]) -> Result<Duration> {
    let t0 = Instant::now();
    let mut child = command(bin, env)
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("spawn {}", bin.display()))?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    stdin.write_all(initialize(1).as_bytes())?;
    stdin.write_all(b"\n")?;
    stdin.flush()?;
    let mut line = String::new();
    let answered = loop {
        line.clear();
        if stdout.read_line(&mut line)? == 0 {
            break None;
        }
        let v: Value = serde_json::from_str(&line)
            .with_context(|| format!("stdout line is not JSON: {line}"))?;
        if v.get("id") == Some(&json!(1)) {
            break Some(v);
        }
    };
    let took = t0.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    match answered {
        Some(v) if v.get("result").is_some() => Ok(took),
        Some(v) => bail!("initialize failed: {v}"),
        None => bail!("kafka-mcp exited before answering initialize"),
    }
}

/// Spawn and reap `program args` (output discarded): the floors under a cold start.
pub fn spawn_exit(program: &Path, args: &[&str]) -> Result<Duration> {
    let t0 = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("spawn {}", program.display()))?;
    let took = t0.elapsed();
    if !status.success() {
        bail!("{} {args:?} exited with {status}", program.display());
    }
    Ok(took)
}

/// A long-lived, initialized stdio session.
pub struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl Session {
    /// Spawns `bin` (stderr inherited, so its warnings show) and initializes the session.
    pub fn start(bin: &Path, env: &[(&str, &str)]) -> Result<Session> {
        let mut child = command(bin, env)
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("spawn {}", bin.display()))?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Session {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"}}),
        )?;
        if init.get("result").is_none() {
            bail!("initialize failed: {init}");
        }
        s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized", "params": {}}))?;
        Ok(s)
    }

    fn send(&mut self, v: &Value) -> Result<()> {
        self.stdin.write_all(v.to_string().as_bytes())?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()?;
        Ok(())
    }

    /// Sends a request and waits for its response (notifications in between are skipped).
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + REQUEST_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .map_err(|_| anyhow!("no answer to {method} within {REQUEST_LIMIT:?}"))?;
            let v: Value = serde_json::from_str(&line)
                .with_context(|| format!("stdout line is not JSON: {line}"))?;
            if v.get("id") == Some(&json!(id))
                && (v.get("result").is_some() || v.get("error").is_some())
            {
                return Ok(v);
            }
        }
    }

    /// One `ping` round trip: the floor of any tool call over this transport.
    pub fn ping(&mut self) -> Result<Duration> {
        let t0 = Instant::now();
        self.request("ping", json!({}))?;
        Ok(t0.elapsed())
    }

    /// Calls a tool; returns the wall time of the round trip and the `structuredContent`.
    /// A protocol error or a tool error (`isError`) is an error: a failed answer is no timing.
    pub fn call(&mut self, tool: &str, args: &Value) -> Result<(Duration, Value)> {
        let t0 = Instant::now();
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}))?;
        let took = t0.elapsed();
        let result = r
            .get("result")
            .ok_or_else(|| anyhow!("tools/call {tool} protocol error: {r}"))?;
        if result["isError"] == json!(true) {
            bail!(
                "tool {tool} {args} failed: {}",
                result["content"][0]["text"]
            );
        }
        Ok((
            took,
            result
                .get("structuredContent")
                .cloned()
                .unwrap_or(Value::Null),
        ))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

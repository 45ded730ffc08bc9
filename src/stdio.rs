//! The stdio transport: newline-delimited JSON-RPC on stdin/stdout, framed around rmcp's own
//! line transport so that two things rmcp 3.9 gets wrong for us are right:
//!
//! - **A line that is not JSON gets `-32700 Parse error` with `"id": null`** (JSON-RPC 2.0 §5.1).
//!   rmcp's `AsyncRwTransport::receive` drops unparsable lines silently (rust-sdk issue #938,
//!   for fear of an error storm with a peer that echoes errors back; our answer is valid JSON,
//!   so an echo parses as a response and is not answered again). Upstream should answer syntax
//!   errors with a null-id Parse error, as it already answers shape errors with Invalid Request.
//! - **When the client goes away (stdin EOF or stdout closed), in-flight calls are cancelled
//!   and the process ends within a second.** On EOF rmcp waits up to 5 s for running handlers
//!   to answer (`serve_inner`'s drain) before it cancels them, though nobody is left to read
//!   the answers. Here EOF cancels the service's token first, so every handler sees its
//!   request token cancelled at once (`KafkaMcp` races each call against it) and rmcp's drain
//!   finds nothing left to wait for. Upstream should cancel handlers on `QuitReason::Closed`
//!   before draining, or make the drain timeout configurable.
//!
//! Also, rmcp's id-less Invalid Request errors get `"id": null` on their way out ([`with_null_id`]).
//!
//! The framing: a reader task takes stdin lines, answers the ones that are not JSON itself and
//! forwards the others unchanged into an in-memory pipe that rmcp's transport reads (so rmcp
//! still does all message parsing, size limits and Invalid Request answers); a writer task is
//! the only writer of stdout, copying rmcp's answers and ours a whole line at a time.

use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::{AppState, KafkaMcp};

/// Longest line read from stdin, as rmcp's own limit (`DEFAULT_MAX_LINE_LENGTH`).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Once the client is gone, how long requests it sent just before may still finish and be
/// answered (`printf '…' | kafka-mcp` gets its quick answers); then in-flight calls are cancelled.
const GRACE: Duration = Duration::from_millis(300);

/// After cancelling, how long the service may take to wind down.
const WIND_DOWN: Duration = Duration::from_millis(500);

/// How long the answers already written may take to reach stdout at the end.
const FLUSH: Duration = Duration::from_millis(200);

/// The answer to a line that is not JSON.
pub fn parse_error(detail: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": -32700, "message": format!("Parse error: {detail}")},
    })
    .to_string()
}

/// rmcp writes its Invalid Request errors (about a message whose id it could not read)
/// without an `id`; JSON-RPC 2.0 §5 wants `"id": null` there (MCP's schema allows leaving it
/// out, strict JSON-RPC clients do not). Adds it; every other line passes unchanged. Pure.
pub fn with_null_id(line: Vec<u8>) -> Vec<u8> {
    let has = |needle: &[u8]| line.windows(needle.len()).any(|w| w == needle);
    if has(b"\"id\"") || !has(b"\"error\"") {
        return line;
    }
    match serde_json::from_slice::<serde_json::Value>(&line) {
        Ok(serde_json::Value::Object(mut o))
            if o.contains_key("error") && !o.contains_key("method") && !o.contains_key("id") =>
        {
            o.insert("id".into(), serde_json::Value::Null);
            match serde_json::to_vec(&o) {
                Ok(mut out) => {
                    out.push(b'\n');
                    out
                }
                Err(_) => line,
            }
        }
        _ => line,
    }
}

/// What to do with one stdin line (without its `\n`).
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// Blank: ignore.
    Blank,
    /// JSON: hand to rmcp as is.
    Forward,
    /// Not JSON: answer this line.
    Answer(String),
}

/// Classifies one stdin line. Pure.
pub fn classify(line: &[u8]) -> Line {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // RFC 8259 §8.1 lets a parser ignore a leading byte order mark; rmcp does.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Blank;
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
        Ok(_) => Line::Forward,
        // Well-formed JSON of the wrong shape is rmcp's to answer (Invalid Request).
        Err(e) if matches!(e.classify(), serde_json::error::Category::Data) => Line::Forward,
        Err(e) => Line::Answer(parse_error(&e.to_string())),
    }
}

/// Serves MCP over stdio until the client closes stdin (or stdout). Nothing but JSON-RPC
/// reaches stdout.
pub async fn serve(state: Arc<AppState>) -> anyhow::Result<()> {
    serve_on(state, tokio::io::stdin(), tokio::io::stdout()).await
}

/// [`serve`] over any byte streams (tests use pipes).
pub async fn serve_on<R, W>(state: Arc<AppState>, input: R, output: W) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (ours, rmcp_side) = tokio::io::duplex(1 << 20);
    let (from_rmcp, to_rmcp) = tokio::io::split(ours);
    let (answers_tx, answers_rx) = mpsc::channel::<String>(64);
    let client_gone = CancellationToken::new();
    tokio::spawn(read_input(input, to_rmcp, answers_tx, client_gone.clone()));
    let writer = tokio::spawn(write_output(
        from_rmcp,
        answers_rx,
        output,
        client_gone.clone(),
    ));

    let served = serve_until_gone(state, rmcp_side, &client_gone).await;
    // Let the writer copy what rmcp already answered; a client that stopped reading must not
    // hold the process.
    let _ = tokio::time::timeout(FLUSH, writer).await;
    served
}

/// Runs the MCP service until it ends or the client goes away; then gives requests already
/// read [`GRACE`] to finish, cancels the rest (every handler races its request token) and
/// waits at most [`WIND_DOWN`] for rmcp to close.
async fn serve_until_gone(
    state: Arc<AppState>,
    transport: tokio::io::DuplexStream,
    gone: &CancellationToken,
) -> anyhow::Result<()> {
    let service_ct = CancellationToken::new();
    let init = KafkaMcp::new(state).serve_with_ct(transport, service_ct.clone());
    tokio::pin!(init);
    let initialized = tokio::select! {
        r = &mut init => r,
        _ = gone.cancelled() => match tokio::time::timeout(GRACE, &mut init).await {
            Ok(r) => r,
            Err(_) => {
                service_ct.cancel();
                return Ok(());
            }
        },
    };
    let running = match initialized {
        Ok(running) => running,
        Err(e) if gone.is_cancelled() => {
            tracing::debug!("stdio client went away before the session started: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let waiting = running.waiting();
    tokio::pin!(waiting);
    tokio::select! {
        r = &mut waiting => { r?; }
        _ = gone.cancelled() => {
            if tokio::time::timeout(GRACE, &mut waiting).await.is_err() {
                tracing::debug!("stdio client went away: cancelling in-flight calls");
                service_ct.cancel();
                if tokio::time::timeout(WIND_DOWN, &mut waiting).await.is_err() {
                    tracing::warn!("MCP service still winding down after {WIND_DOWN:?}; exiting anyway");
                }
            }
        }
    }
    Ok(())
}

/// Reads stdin lines: answers non-JSON ones, forwards the rest to rmcp; cancels `gone` at EOF.
async fn read_input<R, W>(
    input: R,
    mut to_rmcp: W,
    answers: mpsc::Sender<String>,
    gone: CancellationToken,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    let mut discarding = false;
    loop {
        let (consumed, complete) = {
            let available = match input.fill_buf().await {
                Ok(a) => a,
                Err(e) => {
                    tracing::debug!("stdin read failed: {e}");
                    break;
                }
            };
            if available.is_empty() {
                break;
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            if !discarding {
                if line.len() + take > MAX_LINE_BYTES {
                    tracing::error!(
                        max_bytes = MAX_LINE_BYTES,
                        "incoming message longer than the line limit, discarded"
                    );
                    line.clear();
                    discarding = true;
                } else {
                    line.extend_from_slice(&available[..take]);
                }
            }
            (take, newline.is_some())
        };
        input.consume(consumed);
        if !complete {
            continue;
        }
        if std::mem::take(&mut discarding) {
            continue;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        match classify(text) {
            Line::Blank => {}
            Line::Forward => {
                if to_rmcp.write_all(&line).await.is_err() {
                    break;
                }
            }
            Line::Answer(a) => {
                tracing::debug!("answered a line that is not JSON with Parse error");
                if answers.send(a).await.is_err() {
                    break;
                }
            }
        }
        line.clear();
    }
    gone.cancel();
    let _ = to_rmcp.shutdown().await;
}

/// The only writer of stdout: rmcp's lines and ours, each whole; cancels `gone` when stdout
/// is closed.
async fn write_output<R, W>(
    from_rmcp: R,
    mut answers: mpsc::Receiver<String>,
    mut output: W,
    gone: CancellationToken,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut from_rmcp = BufReader::new(from_rmcp);
    // rmcp's line so far: `read_until` is not cancel-safe, but what it has read stays here
    // and the next call goes on from there.
    let mut pending = Vec::new();
    let (mut rmcp_open, mut answers_open) = (true, true);
    loop {
        let line = tokio::select! {
            n = from_rmcp.read_until(b'\n', &mut pending), if rmcp_open => match n {
                Ok(0) | Err(_) => {
                    rmcp_open = false;
                    continue;
                }
                Ok(_) => {
                    if !pending.ends_with(b"\n") {
                        pending.push(b'\n');
                    }
                    with_null_id(std::mem::take(&mut pending))
                }
            },
            a = answers.recv(), if answers_open => match a {
                Some(a) => format!("{a}\n").into_bytes(),
                None => {
                    answers_open = false;
                    continue;
                }
            },
            else => break,
        };
        if output.write_all(&line).await.is_err() || output.flush().await.is_err() {
            tracing::debug!("stdout closed: the client went away");
            gone.cancel();
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_less_errors_get_a_null_id_and_nothing_else_changes() {
        let fixed = with_null_id(
            b"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"}}\n"
                .to_vec(),
        );
        assert!(fixed.ends_with(b"}\n"));
        let v: serde_json::Value = serde_json::from_slice(&fixed).unwrap();
        assert!(v.as_object().unwrap().contains_key("id") && v["id"].is_null());
        assert_eq!(v["error"]["code"], -32600);
        for unchanged in [
            &b"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"m\"}}\n"[..],
            b"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"error\":1}}\n",
            b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"error\":1}}\n",
        ] {
            assert_eq!(with_null_id(unchanged.to_vec()), unchanged);
        }
    }

    #[test]
    fn classifies_lines() {
        assert_eq!(classify(b""), Line::Blank);
        assert_eq!(classify(b"  \r"), Line::Blank);
        assert_eq!(
            classify(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            Line::Forward
        );
        assert_eq!(
            classify(b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\"}\r"),
            Line::Forward
        );
        // Valid JSON of the wrong shape is rmcp's to answer.
        assert_eq!(classify(b"[1,2]"), Line::Forward);
        assert_eq!(classify(b"42"), Line::Forward);
        for bad in [&b"{not json"[..], b"{\"a\":", b"hello", b"\xff\xfe"] {
            let Line::Answer(a) = classify(bad) else {
                panic!("{bad:?} must be answered")
            };
            let v: serde_json::Value = serde_json::from_str(&a).unwrap();
            assert_eq!(v["id"], serde_json::Value::Null);
            assert!(v.as_object().unwrap().contains_key("id"));
            assert_eq!(v["error"]["code"], -32700);
            assert_eq!(v["jsonrpc"], "2.0");
        }
    }
}

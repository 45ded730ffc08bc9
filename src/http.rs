//! HTTP transports: streamable HTTP at `/mcp` (rmcp, SSE streaming) and the legacy HTTP+SSE
//! endpoints (`GET /sse` announces `/messages?sessionId=…`, `POST /messages` carries requests)
//! for older clients. Every route sits behind the same guard: bearer token (required off
//! loopback), Host allow-list (DNS-rebinding protection), Origin allow-list, body-size limit.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::StreamExt;
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::{AppState, KafkaMcp};

/// Largest request body accepted, bytes.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Most sessions open at once, per transport (streamable `/mcp`, legacy `/sse`). Each holds its
/// own handler (about 250 KB) until it is deleted or idle past `--session-idle-secs`, so without
/// a cap a client opening sessions in a loop grows memory without bound.
pub const MAX_SESSIONS: usize = 256;

const TOO_MANY_SESSIONS: &str = "too many open MCP sessions: end unused ones (DELETE /mcp with their Mcp-Session-Id) or wait for idle ones to expire (--session-idle-secs)";

/// How the HTTP listener is guarded.
#[derive(Debug, Clone)]
pub struct HttpGuard {
    /// Required bearer token; `None` only on loopback binds.
    pub token: Option<String>,
    /// Accepted Host header names (without port).
    pub allowed_hosts: Vec<String>,
    /// Accepted Origin values (scheme://host[:port]); empty: only loopback origins.
    pub allowed_origins: Vec<String>,
}

impl HttpGuard {
    /// Builds the guard for `addr`. Off loopback, a token is mandatory.
    pub fn new(
        addr: &SocketAddr,
        token: Option<String>,
        hosts: Vec<String>,
        origins: Vec<String>,
    ) -> anyhow::Result<HttpGuard> {
        if !addr.ip().is_loopback() && token.is_none() {
            anyhow::bail!(
                "refusing to serve on {addr} without a bearer token: set KAFKA_MCP_TOKEN, --token-file, or bind 127.0.0.1"
            );
        }
        let mut allowed_hosts = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
            "[::1]".to_string(),
        ];
        if !addr.ip().is_unspecified() {
            allowed_hosts.push(addr.ip().to_string());
        }
        allowed_hosts.extend(hosts);
        Ok(HttpGuard {
            token,
            allowed_hosts,
            allowed_origins: origins,
        })
    }

    /// Why a request is refused, or `None` when it may pass.
    pub fn check(&self, headers: &HeaderMap) -> Option<(StatusCode, &'static str)> {
        if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            if !self.host_allowed(host) {
                return Some((StatusCode::FORBIDDEN, "Host header not allowed (DNS-rebinding protection); add it with --allowed-host"));
            }
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) {
            if !self.origin_allowed(origin) {
                return Some((
                    StatusCode::FORBIDDEN,
                    "Origin not allowed; add it with --allowed-origin",
                ));
            }
        }
        if let Some(token) = &self.token {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok())
                // The auth scheme is case-insensitive (RFC 9110 §11.1).
                .and_then(|h| {
                    h.get(..7)
                        .filter(|s| s.eq_ignore_ascii_case("bearer "))
                        .map(|_| &h[7..])
                })
                .map(str::trim);
            if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
                return Some((
                    StatusCode::UNAUTHORIZED,
                    "missing or wrong bearer token: send Authorization: Bearer <token>",
                ));
            }
        }
        None
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = strip_port(host);
        self.allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name) || h.eq_ignore_ascii_case(host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        if self
            .allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
        {
            return true;
        }
        // Loopback origins are local tools (inspectors) on this machine.
        let rest = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        rest.is_some_and(|r| matches!(strip_port(r), "localhost" | "127.0.0.1" | "[::1]"))
    }
}

fn strip_port(host: &str) -> &str {
    if let Some(end) = host.strip_prefix('[').and_then(|h| h.find(']')) {
        return &host[..end + 2];
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a 401 says: a static token is expected. A bare `WWW-Authenticate: Bearer` sends MCP
/// clients into OAuth discovery (`/.well-known/oauth-protected-resource`), which this server
/// does not offer; the `error_description` (RFC 6750 §3) and the JSON body say what to send.
pub const TOKEN_EXPECTED: &str =
    "static bearer token expected: set Authorization: Bearer <KAFKA_MCP_TOKEN>";

/// The `WWW-Authenticate` value of a 401.
pub fn www_authenticate() -> String {
    format!(
        r#"Bearer realm="kafka-mcp", error="invalid_token", error_description="{TOKEN_EXPECTED}""#
    )
}

/// The 401 answer: JSON body and the challenge header.
fn unauthorized(msg: &str) -> Response {
    let body = serde_json::json!({
        "error": "invalid_token",
        "error_description": TOKEN_EXPECTED,
        "message": msg,
    });
    let mut r = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&www_authenticate()) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

async fn guard(State(g): State<Arc<HttpGuard>>, req: Request, next: Next) -> Response {
    if let Some((status, msg)) = g.check(req.headers()) {
        tracing::warn!(status = status.as_u16(), path = %req.uri().path(), "http request refused: {msg}");
        if status == StatusCode::UNAUTHORIZED {
            return unauthorized(msg);
        }
        return (status, msg).into_response();
    }
    next.run(req).await
}

/// A JSON-RPC error for a body that is no JSON-RPC message: `-32700 Parse error` when it is
/// not JSON, `-32600 Invalid Request` when it is JSON of another shape (with the request's id
/// when one can be read, else `null`). `None` when the body is a message. Pure.
pub fn body_error(body: &[u8]) -> Option<serde_json::Value> {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(serde_json::json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("Parse error: {e}")}}))
        }
    };
    let e = serde_json::from_value::<ClientJsonRpcMessage>(value.clone()).err()?;
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_i64())
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    Some(serde_json::json!({"jsonrpc": "2.0", "id": id,
        "error": {"code": -32600, "message": format!("Invalid Request: {e}")}}))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// POSTs to `/mcp` whose JSON body is not a JSON-RPC message get `400` with a JSON-RPC error
/// body. rmcp 3.9's `expect_json` answers them `415 Unsupported Media Type` with a text body
/// (the media type was fine; upstream should answer 400 with a Parse error / Invalid Request
/// body). Other content types are left to rmcp (its 415 is right for those).
async fn malformed_body(req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::POST
        || req.uri().path() != "/mcp"
        || !is_json(req.headers())
    {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body larger than {MAX_BODY_BYTES} bytes"),
            )
                .into_response()
        }
    };
    if let Some(error) = body_error(&bytes) {
        tracing::debug!("malformed JSON-RPC body refused");
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// One legacy SSE session: the sender into its server and when the client last posted.
struct LegacySession {
    tx: mpsc::Sender<ClientJsonRpcMessage>,
    last_seen: Arc<Mutex<Instant>>,
}

/// Legacy SSE sessions by id.
type LegacySessions = Arc<Mutex<HashMap<String, LegacySession>>>;

#[derive(Clone)]
struct LegacyState {
    app: Arc<AppState>,
    sessions: LegacySessions,
    shutdown: CancellationToken,
    /// Sessions idle this long end (the same `--session-idle-secs` as `/mcp`).
    idle: Duration,
}

/// Resolves once nothing was posted to the session for `idle`.
async fn idle_expired(last_seen: &Mutex<Instant>, idle: Duration) {
    loop {
        let since = last_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed();
        if since >= idle {
            return;
        }
        tokio::time::sleep(idle - since).await;
    }
}

/// A legacy session lives while its SSE stream is open and it is not idle past the limit; then
/// its server ends and its id is forgotten (a later POST gets 404).
async fn legacy_sse(State(s): State<LegacyState>) -> Response {
    if s.sessions.lock().unwrap_or_else(|p| p.into_inner()).len() >= MAX_SESSIONS {
        tracing::warn!(
            max = MAX_SESSIONS,
            "new legacy SSE session refused: too many open"
        );
        return (StatusCode::SERVICE_UNAVAILABLE, TOO_MANY_SESSIONS).into_response();
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (to_server, from_client) = mpsc::channel::<ClientJsonRpcMessage>(64);
    let (to_client, from_server) = mpsc::channel(64);
    let last_seen = Arc::new(Mutex::new(Instant::now()));
    s.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(
        id.clone(),
        LegacySession {
            tx: to_server,
            last_seen: last_seen.clone(),
        },
    );
    let sink = tokio_util::sync::PollSender::new(to_client);
    let stream = tokio_stream::wrappers::ReceiverStream::new(from_client);
    let handler = KafkaMcp::new(s.app.clone());
    let sessions = s.sessions.clone();
    let sid = id.clone();
    let shutdown = s.shutdown.clone();
    // Cancelled when the client's SSE stream is dropped (the client went away).
    let closed = CancellationToken::new();
    let stream_alive = closed.clone().drop_guard();
    let idle = s.idle;
    tokio::spawn(async move {
        let session = async {
            match handler.serve((sink, stream)).await {
                Ok(running) => {
                    let _ = running.waiting().await;
                }
                Err(e) => {
                    tracing::debug!(session = %sid, "legacy SSE session ended before initialize: {e}")
                }
            }
        };
        tokio::select! {
            _ = session => {}
            _ = shutdown.cancelled() => {}
            _ = closed.cancelled() => tracing::debug!(session = %sid, "legacy SSE client disconnected"),
            _ = idle_expired(&last_seen, idle) => tracing::debug!(session = %sid, "legacy SSE session idle, closed"),
        }
        sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&sid);
    });
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/messages?sessionId={id}"));
    let messages = tokio_stream::wrappers::ReceiverStream::new(from_server).map(
        move |m: rmcp::model::ServerJsonRpcMessage| {
            let _keep_session = &stream_alive;
            Ok::<_, Infallible>(
                Event::default()
                    .event("message")
                    .data(serde_json::to_string(&m).unwrap_or_default()),
            )
        },
    );
    let shutdown = s.shutdown.clone();
    let stream = futures::stream::once(async move { Ok::<_, Infallible>(endpoint) })
        .chain(messages)
        .take_until(async move { shutdown.cancelled().await });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

#[derive(serde::Deserialize)]
struct SessionQuery {
    #[serde(rename = "sessionId")]
    session_id: String,
}

async fn legacy_post(
    State(s): State<LegacyState>,
    Query(q): Query<SessionQuery>,
    body: axum::body::Bytes,
) -> Response {
    let tx = s
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&q.session_id)
        .map(|session| {
            *session.last_seen.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
            session.tx.clone()
        });
    let Some(tx) = tx else {
        return (
            StatusCode::NOT_FOUND,
            "unknown or expired sessionId: open GET /sse again",
        )
            .into_response();
    };
    if let Some(error) = body_error(&body) {
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    let msg: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a JSON-RPC message: {e}"),
            )
                .into_response()
        }
    };
    match tx.send(msg).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(_) => (StatusCode::GONE, "session closed: open GET /sse again").into_response(),
    }
}

/// Refuses a new streamable-HTTP session (a POST to `/mcp` without `Mcp-Session-Id`) while
/// [`MAX_SESSIONS`] are open.
async fn session_cap(
    State(sessions): State<Arc<LocalSessionManager>>,
    req: Request,
    next: Next,
) -> Response {
    let opens_session = req.method() == axum::http::Method::POST
        && req.uri().path() == "/mcp"
        && !req.headers().contains_key("mcp-session-id");
    if opens_session && sessions.sessions.read().await.len() >= MAX_SESSIONS {
        tracing::warn!(max = MAX_SESSIONS, "new MCP session refused: too many open");
        return (StatusCode::SERVICE_UNAVAILABLE, TOO_MANY_SESSIONS).into_response();
    }
    next.run(req).await
}

/// The axum app: `/mcp`, `/sse`, `/messages`, `/healthz`, all behind the guard.
pub fn app(
    state: Arc<AppState>,
    guard_cfg: HttpGuard,
    session_idle: Duration,
    shutdown: CancellationToken,
) -> Router {
    let mut session_manager = LocalSessionManager::default();
    session_manager.session_config.keep_alive = Some(session_idle);
    let mut cfg = StreamableHttpServerConfig::default()
        .with_cancellation_token(shutdown.child_token())
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_allowed_hosts(guard_cfg.allowed_hosts.clone());
    if !guard_cfg.allowed_origins.is_empty() {
        cfg = cfg.with_allowed_origins(guard_cfg.allowed_origins.clone());
    }
    let st = state.clone();
    let session_manager = Arc::new(session_manager);
    let mcp = StreamableHttpService::new(
        move || Ok(KafkaMcp::new(st.clone())),
        session_manager.clone(),
        cfg,
    );
    let legacy = LegacyState {
        app: state,
        sessions: Arc::default(),
        shutdown,
        idle: session_idle,
    };
    Router::new()
        .nest_service("/mcp", mcp)
        .route("/sse", get(legacy_sse))
        .route("/messages", post(legacy_post))
        .with_state(legacy)
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(malformed_body))
        .layer(middleware::from_fn_with_state(session_manager, session_cap))
        .layer(middleware::from_fn_with_state(Arc::new(guard_cfg), guard))
}

/// Serves HTTP on `addr` until SIGINT/SIGTERM, then drains gracefully.
pub async fn serve_http(
    state: Arc<AppState>,
    addr: &str,
    guard_cfg: HttpGuard,
    session_idle: Duration,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    // The guard was built for the address the name resolved to first; the listener may have
    // bound another one. Off loopback, a token stays mandatory whatever was bound.
    if !local.ip().is_loopback() && guard_cfg.token.is_none() {
        anyhow::bail!("refusing to serve on {local} without a bearer token: set KAFKA_MCP_TOKEN, --token-file, or bind 127.0.0.1");
    }
    let shutdown = CancellationToken::new();
    let app = app(state, guard_cfg, session_idle, shutdown.clone());
    tracing::info!(%local, "serving MCP over HTTP: /mcp (streamable), /sse + /messages (legacy)");
    // The bound address on stderr, so scripts using port 0 can find it.
    eprintln!("kafka-mcp: listening on http://{local}/mcp");
    let token = shutdown.clone();
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            token.cancel();
        })
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Reads a token from the option or the first line of the file.
pub fn load_token(
    token: Option<String>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<String>> {
    if let Some(t) = token.filter(|t| !t.trim().is_empty()) {
        return Ok(Some(t.trim().to_string()));
    }
    match file {
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read token file {}: {e}", f.display()))?;
            let t = text.lines().next().unwrap_or("").trim().to_string();
            if t.is_empty() {
                anyhow::bail!("token file {} is empty", f.display());
            }
            Ok(Some(t))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn token_required_off_loopback() {
        let addr: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(HttpGuard::new(&addr, None, vec![], vec![]).is_err());
        assert!(HttpGuard::new(&"127.0.0.1:0".parse().unwrap(), None, vec![], vec![]).is_ok());
    }

    #[test]
    fn guard_checks_token_host_origin() {
        let g = HttpGuard::new(
            &"127.0.0.1:0".parse().unwrap(),
            Some("t0k".into()),
            vec!["mcp.example.com".into()],
            vec![],
        )
        .unwrap();
        let ok = [("host", "127.0.0.1:8080"), ("authorization", "Bearer t0k")];
        assert_eq!(g.check(&headers(&ok)), None);
        assert_eq!(
            g.check(&headers(&[("host", "localhost")])).unwrap().0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            g.check(&headers(&[
                ("host", "localhost"),
                ("authorization", "Bearer nope")
            ]))
            .unwrap()
            .0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            g.check(&headers(&[
                ("host", "evil.com"),
                ("authorization", "Bearer t0k")
            ]))
            .unwrap()
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            g.check(&headers(&[
                ("host", "mcp.example.com:443"),
                ("authorization", "Bearer t0k")
            ])),
            None
        );
        let foreign = [
            ("host", "localhost"),
            ("origin", "https://evil.com"),
            ("authorization", "Bearer t0k"),
        ];
        assert_eq!(
            g.check(&headers(&foreign)).unwrap().0,
            StatusCode::FORBIDDEN
        );
        let local = [
            ("host", "localhost"),
            ("origin", "http://localhost:6274"),
            ("authorization", "Bearer t0k"),
        ];
        assert_eq!(g.check(&headers(&local)), None);
    }

    #[test]
    fn malformed_bodies_get_json_rpc_errors() {
        let e = body_error(b"{not json").unwrap();
        assert_eq!(e["error"]["code"], -32700);
        assert!(e.as_object().unwrap().contains_key("id") && e["id"].is_null());
        let e = body_error(br#"{"jsonrpc":"2.0","id":7,"params":{}}"#).unwrap();
        assert_eq!(
            (e["error"]["code"].as_i64(), &e["id"]),
            (Some(-32600), &7.into())
        );
        let e = body_error(b"[]").unwrap();
        assert_eq!(e["error"]["code"], -32600);
        assert!(body_error(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).is_none());
        assert!(body_error(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).is_none());
    }

    #[test]
    fn the_401_challenge_names_the_static_token() {
        let w = www_authenticate();
        assert!(w.starts_with("Bearer realm=\"kafka-mcp\""), "{w}");
        assert!(w.contains("error=\"invalid_token\""), "{w}");
        assert!(
            w.contains("error_description=\"static bearer token expected"),
            "{w}"
        );
        assert!(header::HeaderValue::from_str(&w).is_ok());
    }

    #[test]
    fn strip_port_handles_ipv6() {
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert_eq!(strip_port("a.b:1"), "a.b");
        assert_eq!(strip_port("a.b"), "a.b");
    }
}

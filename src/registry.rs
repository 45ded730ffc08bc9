//! A small Confluent Schema Registry REST client: the subset `schema_validate` needs (list a
//! subject's versions, fetch one, ask the compatibility endpoint, read the compatibility level).
//! HTTP/1.1 through `reqwest` (TLS by native-tls, i.e. the same OpenSSL librdkafka links, trusting
//! OpenSSL's default store, which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`); no proxy, no
//! redirects; one deadline per request over connect, TLS, send and the whole body. Credentials
//! from `[server.schema_registry]` are sent as a sensitive `Authorization` header and never
//! logged, displayed or echoed; the URL handed to `reqwest` carries none.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::RegistryToml;

/// Largest response body read (a subject with many big schemas still fits).
const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Where the registry is: scheme, authority and an optional path prefix. `Debug` shows no
/// credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` when true.
    pub tls: bool,
    /// Host name or IP (IPv6 without brackets).
    pub host: String,
    /// TCP port (default 80 / 443).
    pub port: u16,
    /// Path prefix without a trailing `/`, e.g. `/registry`; empty for none.
    pub prefix: String,
    /// `user:password` found in the URL itself, if any (used as basic auth, never shown).
    userinfo: Option<String>,
}

impl Endpoint {
    /// Parses `http(s)://[user:pass@]host[:port][/prefix]`.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let url = url.trim();
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err("the URL must start with http:// or https://".into());
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(authority[..i].to_string()), &authority[i + 1..]),
            None => (None, authority),
        };
        let (host, port) = if let Some(r) = hostport.strip_prefix('[') {
            let end = r.find(']').ok_or("unclosed `[` in the IPv6 host")?;
            let port = r[end + 1..].strip_prefix(':');
            (r[..end].to_string(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        let port = match port {
            None | Some("") => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => p.parse().map_err(|_| format!("bad port `{p}`"))?,
        };
        let prefix = path
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        Ok(Endpoint {
            tls,
            host,
            port,
            prefix,
            userinfo,
        })
    }

    /// `scheme://host:port/prefix`, without credentials: safe to show.
    pub fn display(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}{}", self.port, self.prefix)
    }

    fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.tls { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Which registered version: a number or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRef {
    /// The newest version.
    Latest,
    /// A registered version number.
    Number(i32),
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRef::Latest => f.write_str("latest"),
            VersionRef::Number(n) => write!(f, "{n}"),
        }
    }
}

/// `/subjects/{subject}/versions`.
pub fn versions_path(subject: &str) -> String {
    format!("/subjects/{}/versions", encode_segment(subject))
}

/// `/subjects/{subject}/versions/{version}`.
pub fn version_path(subject: &str, version: VersionRef) -> String {
    format!("/subjects/{}/versions/{version}", encode_segment(subject))
}

/// `/compatibility/subjects/{subject}/versions/{version}?verbose=true`.
pub fn compatibility_path(subject: &str, version: VersionRef) -> String {
    format!(
        "/compatibility/subjects/{}/versions/{version}?verbose=true",
        encode_segment(subject)
    )
}

/// `/config/{subject}`, or `/config` for the global level.
pub fn config_path(subject: Option<&str>) -> String {
    match subject {
        Some(s) => format!("/config/{}", encode_segment(s)),
        None => "/config".to_string(),
    }
}

/// How requests authenticate.
#[derive(Clone, PartialEq, Eq)]
enum Auth {
    None,
    /// The full `Authorization` header value.
    Header(String),
}

/// A schema reference: the name the schema imports it under (a Protobuf import path, a JSON
/// Schema `$ref`, an Avro type name) and the registered subject version it names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SchemaRef {
    /// Name as imported.
    pub name: String,
    /// Subject holding it.
    pub subject: String,
    /// Version within that subject.
    pub version: i32,
}

/// One registered schema version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredSchema {
    /// Version number within the subject.
    pub version: i32,
    /// Global schema id.
    pub id: i64,
    /// The schema text.
    pub schema: String,
    /// AVRO (also when the registry omits it), PROTOBUF or JSON.
    pub schema_type: String,
    /// Its schema references, as registered.
    pub references: Vec<SchemaRef>,
}

/// The registry's compatibility answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatAnswer {
    /// `is_compatible`.
    pub is_compatible: bool,
    /// `messages` (verbose mode), empty when compatible.
    pub messages: Vec<String>,
}

/// Where a compatibility level came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSource {
    /// `GET /config/{subject}`.
    Subject,
    /// `GET /config` (the subject has no level of its own).
    Global,
}

/// Why a registry call failed; each message names the registry and the next move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// `[server.schema_registry] url` is unusable.
    #[error("the Schema Registry url in [server.schema_registry] is invalid ({0}). Set url = \"http://host:8081\".")]
    BadUrl(String),
    /// Connection, TLS or I/O failure.
    #[error("cannot reach the Schema Registry at {url}: {detail}. Check [server.schema_registry] url and that the registry is up, or send the previous versions inline with `previous`.")]
    Unreachable {
        /// Registry URL (no credentials).
        url: String,
        /// What failed.
        detail: String,
    },
    /// The deadline passed.
    #[error("the Schema Registry at {url} did not answer {what} within {ms} ms. Retry, raise --timeout-ms, or send the previous versions inline with `previous`.")]
    Deadline {
        /// Registry URL.
        url: String,
        /// The request.
        what: String,
        /// Deadline.
        ms: u64,
    },
    /// 404 with error_code 40401.
    #[error("subject {subject:?} does not exist in the Schema Registry at {url} (error 40401). Check the name (usually <topic>-value or <topic>-key), or send the previous versions inline with `previous`.")]
    SubjectNotFound {
        /// Registry URL.
        url: String,
        /// Subject.
        subject: String,
    },
    /// 404 with error_code 40402.
    #[error("subject {subject:?} has no version {version} (error 40402). Omit `versions` to use the registered ones, or pick from the subject's list.")]
    VersionNotFound {
        /// Subject.
        subject: String,
        /// Version asked for.
        version: String,
    },
    /// 401 / 403.
    #[error("the Schema Registry at {url} refused the credentials (HTTP {status}{code}). Check username/password or bearer_token in [server.schema_registry].")]
    Auth {
        /// Registry URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// `, error_code N` when the registry sent one.
        code: String,
    },
    /// Any other non-2xx.
    #[error("the Schema Registry at {url} answered {what} with HTTP {status}{code}: {message}")]
    Http {
        /// Registry URL.
        url: String,
        /// The request.
        what: String,
        /// HTTP status.
        status: u16,
        /// `, error_code N` when present.
        code: String,
        /// The registry's message.
        message: String,
    },
    /// A 2xx body we could not read.
    #[error("the Schema Registry at {url} sent an unexpected answer to {what}: {detail}. Check that url points at a Confluent-compatible Schema Registry.")]
    BadResponse {
        /// Registry URL.
        url: String,
        /// The request.
        what: String,
        /// What was wrong.
        detail: String,
    },
}

/// A Schema Registry client for one call.
#[derive(Clone)]
pub struct Registry {
    endpoint: Endpoint,
    auth: Auth,
    timeout: Duration,
    /// Secret values to scrub from any text that leaves this module.
    secrets: Vec<String>,
    /// The HTTP client, or why it could not be set up (reported by every request).
    client: Result<reqwest::Client, String>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("url", &self.endpoint.display())
            .field(
                "auth",
                &if self.auth == Auth::None {
                    "none"
                } else {
                    "********"
                },
            )
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A raw HTTP response.
#[derive(Debug)]
struct Response {
    status: u16,
    body: Vec<u8>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error_code: Option<i64>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SchemaBody {
    version: i32,
    #[serde(default)]
    id: i64,
    schema: String,
    #[serde(default, rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<SchemaRef>,
}

#[derive(Deserialize)]
struct IdBody {
    schema: String,
    #[serde(default, rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<SchemaRef>,
}

#[derive(Deserialize)]
struct CompatBody {
    is_compatible: bool,
    #[serde(default)]
    messages: Vec<Value>,
}

impl Registry {
    /// A client for the configured registry; `timeout` bounds every request.
    pub fn new(config: &RegistryToml, timeout: Duration) -> Result<Registry, RegistryError> {
        let endpoint = Endpoint::parse(&config.url).map_err(RegistryError::BadUrl)?;
        let mut secrets = Vec::new();
        let auth = if let Some(token) = config.bearer_token.as_deref().filter(|t| !t.is_empty()) {
            secrets.push(token.to_string());
            Auth::Header(format!("Bearer {token}"))
        } else if let Some(user) = config.username.as_deref().filter(|u| !u.is_empty()) {
            let pw = config.password.clone().unwrap_or_default();
            secrets.push(pw.clone());
            Auth::Header(basic(&format!("{user}:{pw}")))
        } else if let Some(info) = endpoint.userinfo.clone() {
            if let Some((_, pw)) = info.split_once(':') {
                secrets.push(pw.to_string());
            }
            Auth::Header(basic(&info))
        } else {
            Auth::None
        };
        if let Some(info) = &endpoint.userinfo {
            secrets.push(info.clone());
        }
        secrets.retain(|s| !s.is_empty());
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kafka-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client setup failed: {}", describe(&e)));
        Ok(Registry {
            endpoint,
            auth,
            timeout,
            secrets,
            client,
        })
    }

    /// The registry URL without credentials.
    pub fn url(&self) -> String {
        self.endpoint.display()
    }

    /// Registered version numbers of `subject`, ascending.
    pub async fn versions(&self, subject: &str) -> Result<Vec<i32>, RegistryError> {
        let what = format!("GET versions of {subject:?}");
        let r = self
            .send("GET", &versions_path(subject), None, &what)
            .await?;
        let mut v: Vec<i32> = self.ok_json(r, &what, Some(subject), None)?;
        v.sort_unstable();
        Ok(v)
    }

    /// One version of `subject`.
    pub async fn schema(
        &self,
        subject: &str,
        version: VersionRef,
    ) -> Result<RegisteredSchema, RegistryError> {
        let what = format!("GET version {version} of {subject:?}");
        let r = self
            .send("GET", &version_path(subject, version), None, &what)
            .await?;
        let b: SchemaBody = self.ok_json(r, &what, Some(subject), Some(version))?;
        Ok(RegisteredSchema {
            version: b.version,
            id: b.id,
            schema: b.schema,
            schema_type: b
                .schema_type
                .unwrap_or_else(|| "AVRO".to_string())
                .to_ascii_uppercase(),
            references: b.references,
        })
    }

    /// The schema registered under global id `id` (what a framed record names), or `None` when
    /// the registry knows no such id. `version` is 0: an id belongs to no one subject.
    pub async fn schema_by_id(&self, id: u32) -> Result<Option<RegisteredSchema>, RegistryError> {
        let what = format!("GET schema id {id}");
        let r = self
            .send("GET", &format!("/schemas/ids/{id}"), None, &what)
            .await?;
        if r.status == 404 {
            return Ok(None);
        }
        let b: IdBody = self.ok_json(r, &what, None, None)?;
        Ok(Some(RegisteredSchema {
            version: 0,
            id: i64::from(id),
            schema: b.schema,
            schema_type: b
                .schema_type
                .unwrap_or_else(|| "AVRO".to_string())
                .to_ascii_uppercase(),
            references: b.references,
        }))
    }

    /// Asks the registry whether `schema` (of `schema_type`: AVRO, PROTOBUF or JSON, with its
    /// `references`) may follow `version` of `subject` under the subject's configured level.
    pub async fn compatibility(
        &self,
        subject: &str,
        version: VersionRef,
        schema: &str,
        schema_type: &str,
        references: &[SchemaRef],
    ) -> Result<CompatAnswer, RegistryError> {
        let what = format!("POST compatibility of {subject:?} version {version}");
        let mut body = serde_json::json!({ "schema": schema });
        if schema_type != "AVRO" {
            body["schemaType"] = Value::String(schema_type.to_string());
        }
        if !references.is_empty() {
            body["references"] = serde_json::to_value(references).unwrap_or(Value::Null);
        }
        let body = body.to_string();
        let r = self
            .send(
                "POST",
                &compatibility_path(subject, version),
                Some(&body),
                &what,
            )
            .await?;
        let b: CompatBody = self.ok_json(r, &what, Some(subject), Some(version))?;
        Ok(CompatAnswer {
            is_compatible: b.is_compatible,
            messages: b
                .messages
                .into_iter()
                .map(|m| match m {
                    Value::String(s) => self.scrub(&s),
                    other => self.scrub(&other.to_string()),
                })
                .collect(),
        })
    }

    /// The compatibility level that applies to `subject`: its own, else the global one.
    /// Returns the level name as the registry spells it (e.g. `BACKWARD`).
    pub async fn level(&self, subject: &str) -> Result<(String, LevelSource), RegistryError> {
        let what = format!("GET config of {subject:?}");
        let r = self
            .send("GET", &config_path(Some(subject)), None, &what)
            .await?;
        if r.status != 404 {
            let v: Value = self.ok_json(r, &what, None, None)?;
            if let Some(level) = level_of(&v) {
                return Ok((level, LevelSource::Subject));
            }
        }
        let what = "GET global config".to_string();
        let r = self.send("GET", &config_path(None), None, &what).await?;
        let v: Value = self.ok_json(r, &what, None, None)?;
        let level = level_of(&v).ok_or_else(|| RegistryError::BadResponse {
            url: self.url(),
            what,
            detail: "no compatibilityLevel in the body".into(),
        })?;
        Ok((level, LevelSource::Global))
    }

    fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for s in &self.secrets {
            t = t.replace(s.as_str(), "********");
        }
        t
    }

    /// Checks the status and decodes a 2xx JSON body; maps registry errors.
    fn ok_json<T: serde::de::DeserializeOwned>(
        &self,
        r: Response,
        what: &str,
        subject: Option<&str>,
        version: Option<VersionRef>,
    ) -> Result<T, RegistryError> {
        if (200..300).contains(&r.status) {
            return serde_json::from_slice(&r.body).map_err(|e| RegistryError::BadResponse {
                url: self.url(),
                what: what.to_string(),
                detail: format!("body is not the expected JSON ({e})"),
            });
        }
        let err: Option<ErrorBody> = serde_json::from_slice(&r.body).ok();
        let code_num = err.as_ref().and_then(|e| e.error_code);
        let code = code_num
            .map(|c| format!(", error_code {c}"))
            .unwrap_or_default();
        let message = err
            .and_then(|e| e.message)
            .unwrap_or_else(|| String::from_utf8_lossy(&r.body).chars().take(300).collect());
        match (r.status, code_num, subject) {
            (404, Some(40401), Some(s)) => Err(RegistryError::SubjectNotFound {
                url: self.url(),
                subject: s.to_string(),
            }),
            (404, Some(40402), Some(s)) => Err(RegistryError::VersionNotFound {
                subject: s.to_string(),
                version: version.map(|v| v.to_string()).unwrap_or_default(),
            }),
            (401 | 403, _, _) => Err(RegistryError::Auth {
                url: self.url(),
                status: r.status,
                code,
            }),
            _ => Err(RegistryError::Http {
                url: self.url(),
                what: what.to_string(),
                status: r.status,
                code,
                message: self.scrub(&message),
            }),
        }
    }

    /// One request with the deadline over connect, TLS, write and read.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        what: &str,
    ) -> Result<Response, RegistryError> {
        let ms = self.timeout.as_millis() as u64;
        let unreachable = |detail: String| RegistryError::Unreachable {
            url: self.url(),
            detail: self.scrub(&detail),
        };
        let request = self.request(method, path, body).map_err(unreachable)?;
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(detail)) => Err(unreachable(detail)),
            Err(_) => Err(RegistryError::Deadline {
                url: self.url(),
                what: what.to_string(),
                ms,
            }),
        }
    }

    /// The request for `method` `path` (below the URL's prefix), with auth, accept and, for a
    /// body, content type and length.
    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<reqwest::Request, String> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let scheme = if self.endpoint.tls { "https" } else { "http" };
        let url = format!(
            "{scheme}://{}{}{path}",
            self.endpoint.host_header(),
            self.endpoint.prefix
        );
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("bad HTTP method {method:?}"))?;
        let is_get = method == reqwest::Method::GET;
        let mut rb = client.request(method, url).header(
            ACCEPT,
            "application/vnd.schemaregistry.v1+json, application/json",
        );
        if let Auth::Header(h) = &self.auth {
            let mut value = HeaderValue::from_str(h)
                .map_err(|_| "the credentials contain characters HTTP headers cannot carry")?;
            value.set_sensitive(true);
            rb = rb.header(AUTHORIZATION, value);
        }
        if !is_get {
            rb = rb
                .header(CONTENT_TYPE, "application/vnd.schemaregistry.v1+json")
                .body(body.unwrap_or("").to_string());
        }
        rb.build().map_err(|e| describe(&e))
    }

    /// Sends `request` and reads the whole body (at most [`MAX_RESPONSE_BYTES`]).
    async fn exchange(&self, request: reqwest::Request) -> Result<Response, String> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let mut resp = client.execute(request).await.map_err(|e| describe(&e))?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_RESPONSE_BYTES {
                return Err(format!(
                    "the answer exceeds {} MiB",
                    MAX_RESPONSE_BYTES >> 20
                ));
            }
        }
        Ok(Response { status, body })
    }
}

fn basic(userinfo: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(userinfo)
    )
}

fn level_of(v: &Value) -> Option<String> {
    ["compatibilityLevel", "compatibility"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

/// What went wrong, in a person's words: the I/O error (refused, reset, closed early) or the TLS
/// failure (openssl's reason and the certificate verify result) underneath reqwest's error,
/// never the URL.
fn describe(e: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<native_tls::Error>() {
            return format!("TLS handshake failed: {tls}");
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(tls) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<native_tls::Error>())
            {
                return format!("TLS handshake failed: {tls}");
            }
            return describe_io(io);
        }
        last = Some(s);
        source = s.source();
    }
    if e.is_body() || e.is_decode() {
        return match last {
            Some(s) => format!("the connection closed before a full answer ({s})"),
            None => "the connection closed before a full answer".to_string(),
        };
    }
    match last {
        Some(s) => s.to_string(),
        None => e.to_string(),
    }
}

fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused (nothing listens on that port)".into(),
        K::ConnectionReset | K::ConnectionAborted => "the connection was reset".into(),
        K::UnexpectedEof => "the connection closed before a full answer".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ToolError;

    fn reg(url: &str, user: Option<&str>, pw: Option<&str>, token: Option<&str>) -> Registry {
        let c = RegistryToml {
            url: url.into(),
            username: user.map(Into::into),
            password: pw.map(Into::into),
            bearer_token: token.map(Into::into),
        };
        Registry::new(&c, Duration::from_millis(500)).unwrap()
    }

    #[test]
    fn parses_urls() {
        let e = Endpoint::parse("http://localhost:8081").unwrap();
        assert_eq!(
            (e.tls, e.host.as_str(), e.port, e.prefix.as_str()),
            (false, "localhost", 8081, "")
        );
        let e = Endpoint::parse("https://sr.example.com/registry/").unwrap();
        assert_eq!((e.tls, e.port, e.prefix.as_str()), (true, 443, "/registry"));
        assert_eq!(e.display(), "https://sr.example.com:443/registry");
        let e = Endpoint::parse("http://[::1]:9000").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 9000));
        assert_eq!(e.host_header(), "[::1]:9000");
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("http://:80").is_err());
        assert!(Endpoint::parse("http://h:port").is_err());
    }

    #[test]
    fn url_credentials_are_used_but_never_shown() {
        let r = reg("http://alice:s3cr3t@h:8081", None, None, None);
        assert_eq!(r.url(), "http://h:8081");
        assert!(!format!("{r:?}").contains("s3cr3t"));
        let req = r.request("GET", "/config", None).unwrap();
        assert_eq!(req.headers()["authorization"], "Basic YWxpY2U6czNjcjN0");
        assert!(req.headers()["authorization"].is_sensitive());
        assert_eq!(req.url().as_str(), "http://h:8081/config");
        assert_eq!(r.scrub("echo s3cr3t"), "echo ********");
    }

    #[test]
    fn encodes_subjects_in_paths() {
        assert_eq!(encode_segment("orders-value"), "orders-value");
        assert_eq!(encode_segment("team a/orders"), "team%20a%2Forders");
        assert_eq!(encode_segment(":.ctx:s?x#é"), "%3A.ctx%3As%3Fx%23%C3%A9");
        assert_eq!(versions_path("a/b"), "/subjects/a%2Fb/versions");
        assert_eq!(
            version_path("a", VersionRef::Number(3)),
            "/subjects/a/versions/3"
        );
        assert_eq!(
            compatibility_path("a b", VersionRef::Latest),
            "/compatibility/subjects/a%20b/versions/latest?verbose=true"
        );
        assert_eq!(config_path(Some("x.y")), "/config/x.y");
        assert_eq!(config_path(None), "/config");
    }

    #[test]
    fn builds_requests_with_auth_and_prefix() {
        let r = reg("http://h:8081/sr", Some("u"), Some("p"), None);
        let req = r
            .request(
                "POST",
                "/compatibility/subjects/s/versions/1?verbose=true",
                Some("{}"),
            )
            .unwrap();
        assert_eq!(req.method(), reqwest::Method::POST);
        assert_eq!(
            req.url().as_str(),
            "http://h:8081/sr/compatibility/subjects/s/versions/1?verbose=true"
        );
        assert_eq!(req.headers()["authorization"], "Basic dTpw");
        assert_eq!(
            req.headers()["content-type"],
            "application/vnd.schemaregistry.v1+json"
        );
        assert_eq!(req.body().and_then(|b| b.as_bytes()), Some(&b"{}"[..]));
        let r = reg("https://h", None, None, Some("tok"));
        let req = r.request("GET", "/config", None).unwrap();
        assert_eq!(req.url().as_str(), "https://h/config");
        assert_eq!(req.url().authority(), "h");
        assert_eq!(req.headers()["authorization"], "Bearer tok");
        assert!(req.body().is_none());
        assert!(!format!("{r:?}").contains("tok\""));
        let r = reg("http://h", None, None, None);
        assert!(!r
            .request("GET", "/x", None)
            .unwrap()
            .headers()
            .contains_key("authorization"));
    }

    /// Serves `answer` to one request on a fresh port, then closes; returns the registry URL.
    async fn answer_once(answer: &'static [u8]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut s, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = s.write_all(answer).await;
            let _ = s.shutdown().await;
        });
        format!("http://{addr}")
    }

    async fn get(answer: &'static [u8]) -> Result<Response, RegistryError> {
        let r = reg(&answer_once(answer).await, None, None, None);
        r.send("GET", "/x", None, "GET x").await
    }

    #[tokio::test]
    async fn parses_responses() {
        let r = get(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n[1]")
            .await
            .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"[1]"[..]));
        let e = get(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[1]")
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
        let c = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n";
        let r = get(c).await.unwrap();
        assert_eq!((r.status, r.body.as_slice()), (404, &b"{\"a\":1}"[..]));
        let e = get(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n")
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
        let r = get(b"HTTP/1.0 200 OK\r\n\r\nabc").await.unwrap();
        assert_eq!(r.body, b"abc");
        let e = get(b"SSH-2.0-OpenSSH\r\n\r\n").await.unwrap_err();
        assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    }

    #[tokio::test]
    async fn schemas_are_found_by_their_global_id() {
        let body: &'static [u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 84\r\n\r\n{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\"; message A { int32 x = 1; }\"}";
        let r = reg(&answer_once(body).await, None, None, None);
        let s = r.schema_by_id(7).await.unwrap().expect("id 7 is known");
        assert_eq!((s.id, s.schema_type.as_str()), (7, "PROTOBUF"));
        assert!(s.schema.contains("message A"), "{}", s.schema);
        let avro: &'static [u8] =
            b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"schema\":\"\\\"int\\\"\"}";
        let r = reg(&answer_once(avro).await, None, None, None);
        assert_eq!(
            r.schema_by_id(1).await.unwrap().unwrap().schema_type,
            "AVRO"
        );
        let missing: &'static [u8] = b"HTTP/1.1 404 Not Found\r\nContent-Length: 49\r\n\r\n{\"error_code\":40403,\"message\":\"Schema not found\"}";
        let r = reg(&answer_once(missing).await, None, None, None);
        assert_eq!(r.schema_by_id(99).await.unwrap(), None);
    }

    #[test]
    fn maps_registry_errors() {
        let r = reg("http://h:1", Some("u"), Some("pw-123"), None);
        let resp = |status, body: &str| Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        let e = r
            .ok_json::<Value>(
                resp(
                    404,
                    r#"{"error_code":40401,"message":"Subject 'x' not found."}"#,
                ),
                "w",
                Some("x"),
                None,
            )
            .unwrap_err();
        assert!(matches!(e, RegistryError::SubjectNotFound { .. }), "{e}");
        assert_eq!(ToolError::from(e).kind, crate::error::ErrorKind::NotFound);
        let e = r
            .ok_json::<Value>(
                resp(404, r#"{"error_code":40402,"message":"no"}"#),
                "w",
                Some("x"),
                Some(VersionRef::Number(9)),
            )
            .unwrap_err();
        assert!(e.to_string().contains("no version 9"), "{e}");
        let e = r
            .ok_json::<Value>(resp(401, ""), "w", None, None)
            .unwrap_err();
        assert_eq!(ToolError::from(e).kind, crate::error::ErrorKind::Refused);
        let e = r
            .ok_json::<Value>(
                resp(500, r#"{"error_code":50001,"message":"boom pw-123"}"#),
                "w",
                None,
                None,
            )
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("HTTP 500, error_code 50001: boom ********"),
            "{text}"
        );
        let e = r
            .ok_json::<Vec<i32>>(resp(200, "{}"), "w", None, None)
            .unwrap_err();
        assert!(matches!(e, RegistryError::BadResponse { .. }));
    }

    #[tokio::test]
    async fn untrusted_tls_is_unreachable_naming_the_certificate() {
        use openssl::asn1::Asn1Time;
        use openssl::ec::{EcGroup, EcKey};
        use openssl::hash::MessageDigest;
        use openssl::nid::Nid;
        use openssl::pkey::PKey;
        use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
        use openssl::x509::{X509Builder, X509NameBuilder};

        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "127.0.0.1").unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        let cert = b.build();
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).unwrap();
        acceptor.set_private_key(&key).unwrap();
        acceptor.set_certificate(&cert).unwrap();
        let acceptor = acceptor.build();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let ssl = Ssl::new(acceptor.context()).unwrap();
            let mut s = tokio_openssl::SslStream::new(ssl, tcp).unwrap();
            let _ = std::pin::Pin::new(&mut s).accept().await;
        });
        let e = reg(&format!("https://u:pw-777@{addr}"), None, None, None)
            .versions("s")
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("TLS handshake failed") && text.contains("certificate verify"),
            "{text}"
        );
        assert!(!text.contains("pw-777"), "{text}");
    }

    #[tokio::test]
    async fn closed_port_is_unreachable_and_silent_port_hits_the_deadline() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let e = reg(&format!("http://127.0.0.1:{port}"), None, None, None)
            .versions("s")
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains("connection refused"), "{e}");

        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let hold = tokio::spawn(async move {
            let (_s, _) = silent.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let t = std::time::Instant::now();
        let e = reg(&format!("http://{addr}"), None, None, None)
            .versions("s")
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Deadline { ms: 500, .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
        hold.abort();
    }
}

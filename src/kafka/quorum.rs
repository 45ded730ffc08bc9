//! The real KRaft quorum: DescribeQuorum (API key 55) spoken directly to a bootstrap broker, which
//! forwards it to the active controller, as `kafka-metadata-quorum.sh --bootstrap-server` does.
//!
//! Under KRaft, the "controller" that Metadata and DescribeCluster name is an arbitrary live broker
//! (fixture fact 1), and librdkafka has no DescribeQuorum. So this module frames the requests itself
//! with `kafka-protocol` over TCP (optionally TLS via openssl, optionally SASL PLAIN or SCRAM) and
//! returns `QuorumView::Known` or `QuorumView::Unknown { reason }`: never a guessed leader id.
//! Owns: framing, deadlines, version negotiation, error translation. Produces only
//! `crate::analysis::snapshot` types; no verdicts. Secrets never reach logs, errors or `Debug`.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{
    describe_quorum_request, describe_quorum_response, ApiKey, ApiVersionsRequest,
    ApiVersionsResponse, DescribeQuorumRequest, DescribeQuorumResponse, RequestHeader,
    ResponseHeader, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
    SaslHandshakeResponse, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use crate::analysis::snapshot::{QuorumReplica, QuorumSnapshot, QuorumUnknownCause, QuorumView};

/// The KRaft metadata log's topic; DescribeQuorum asks for its partition 0.
pub const CLUSTER_METADATA_TOPIC: &str = "__cluster_metadata";

/// Largest response frame we accept, in bytes; a bigger size prefix is refused unread.
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// DescribeQuorum versions this module can decode (v1 adds last fetch / caught-up timestamps).
const DESCRIBE_QUORUM_VERSIONS: (i16, i16) = (0, 2);

/// SaslAuthenticate versions this module speaks.
const SASL_AUTHENTICATE_VERSIONS: (i16, i16) = (0, 2);

/// Client id sent in every request header unless `client.id` is set.
const DEFAULT_CLIENT_ID: &str = "kafka-mcp";

/// Reason text when ApiVersions does not list DescribeQuorum.
const NOT_SUPPORTED: &str =
    "broker does not support DescribeQuorum (not a KRaft cluster, or a Kafka-compatible broker)";

/// SCRAM iteration counts outside this range are refused (Kafka allows 4096..=16384).
const SCRAM_MAX_ITERATIONS: u32 = 100_000;

// ---------------------------------------------------------------------------------------------
// Security settings
// ---------------------------------------------------------------------------------------------

/// `security.protocol`, in librdkafka's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityProtocol {
    /// No TLS, no SASL.
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL over plain TCP.
    SaslPlaintext,
    /// SASL over TLS.
    SaslSsl,
}

impl SecurityProtocol {
    fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    fn uses_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

/// A SASL mechanism this module can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// `PLAIN`: user name and password sent as is (use it over SASL_SSL).
    Plain,
    /// `SCRAM-SHA-256` (RFC 5802 / 7677).
    ScramSha256,
    /// `SCRAM-SHA-512`.
    ScramSha512,
}

impl SaslMechanism {
    /// Kafka's name for the mechanism.
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    fn digest(self) -> MessageDigest {
        match self {
            SaslMechanism::ScramSha512 => MessageDigest::sha512(),
            _ => MessageDigest::sha256(),
        }
    }
}

/// A password or key passphrase: kept out of `Debug`, logs and error text.
#[derive(Clone, Default)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone)]
struct SaslSettings {
    mechanism: SaslMechanism,
    username: String,
    password: Secret,
}

#[derive(Debug, Clone)]
struct TlsSettings {
    ca_location: Option<String>,
    ca_pem: Option<String>,
    certificate_location: Option<String>,
    certificate_pem: Option<String>,
    key_location: Option<String>,
    key_pem: Option<Secret>,
    key_password: Option<Secret>,
    keystore_location: Option<String>,
    keystore_password: Option<Secret>,
    verify_certificate: bool,
    verify_hostname: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            ca_location: None,
            ca_pem: None,
            certificate_location: None,
            certificate_pem: None,
            key_location: None,
            key_pem: None,
            key_password: None,
            keystore_location: None,
            keystore_password: None,
            verify_certificate: true,
            verify_hostname: true,
        }
    }
}

/// How to reach the brokers for DescribeQuorum: built from the same librdkafka-style properties
/// as the admin client (`security.protocol`, `sasl.*`, `ssl.*`). `Debug` never shows secrets.
#[derive(Debug, Clone)]
pub struct QuorumSecurity {
    protocol: SecurityProtocol,
    sasl: Option<SaslSettings>,
    tls: TlsSettings,
    client_id: String,
    problem: Option<String>,
}

impl Default for QuorumSecurity {
    fn default() -> Self {
        QuorumSecurity::plaintext()
    }
}

impl QuorumSecurity {
    /// PLAINTEXT: no TLS, no SASL.
    pub fn plaintext() -> Self {
        QuorumSecurity {
            protocol: SecurityProtocol::Plaintext,
            sasl: None,
            tls: TlsSettings::default(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            problem: None,
        }
    }

    /// Reads librdkafka-style properties. Understood: `security.protocol`, `sasl.mechanism`
    /// (or `sasl.mechanisms`), `sasl.username`, `sasl.password`, `ssl.ca.location`
    /// (file, directory or `probe`), `ssl.ca.pem`, `ssl.certificate.location`,
    /// `ssl.certificate.pem`, `ssl.key.location`, `ssl.key.pem`, `ssl.key.password`,
    /// `ssl.keystore.location` (PKCS#12), `ssl.keystore.password`,
    /// `enable.ssl.certificate.verification`, `ssl.endpoint.identification.algorithm`,
    /// `client.id`; others are ignored. Never fails: a setting this module cannot honour is kept
    /// as [`QuorumSecurity::problem`], and `describe_quorum` then answers `Unknown` with it.
    pub fn from_properties<I, K, V>(props: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let props: BTreeMap<String, String> = props
            .into_iter()
            .map(|(k, v)| (k.as_ref().trim().to_owned(), v.as_ref().to_owned()))
            .collect();
        let get = |key: &str| {
            props
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        // Secrets are taken verbatim (no trimming): they are compared byte for byte.
        let secret = |key: &str| {
            props
                .get(key)
                .filter(|v| !v.is_empty())
                .cloned()
                .map(Secret)
        };
        let mut problems: Vec<String> = Vec::new();

        let protocol = match get("security.protocol")
            .map(|p| p.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("PLAINTEXT") => SecurityProtocol::Plaintext,
            Some("SSL") => SecurityProtocol::Ssl,
            Some("SASL_PLAINTEXT") => SecurityProtocol::SaslPlaintext,
            Some("SASL_SSL") => SecurityProtocol::SaslSsl,
            Some(other) => {
                problems.push(format!(
                    "security.protocol '{other}' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"
                ));
                SecurityProtocol::Plaintext
            }
        };

        let mut sasl = None;
        if protocol.uses_sasl() {
            let mechanism = get("sasl.mechanism").or_else(|| get("sasl.mechanisms"));
            let mechanism = match mechanism.map(|m| m.to_ascii_uppercase()).as_deref() {
                Some("PLAIN") => Some(SaslMechanism::Plain),
                Some("SCRAM-SHA-256") => Some(SaslMechanism::ScramSha256),
                Some("SCRAM-SHA-512") => Some(SaslMechanism::ScramSha512),
                None => {
                    problems.push(
                        "sasl.mechanism is not set (librdkafka then uses GSSAPI), and DescribeQuorum \
                         over SASL/GSSAPI is not supported yet: set sasl.mechanism to PLAIN, \
                         SCRAM-SHA-256 or SCRAM-SHA-512"
                            .to_owned(),
                    );
                    None
                }
                Some(other) => {
                    problems.push(format!(
                        "DescribeQuorum over SASL/{other} is not supported yet (PLAIN, \
                         SCRAM-SHA-256 and SCRAM-SHA-512 are)"
                    ));
                    None
                }
            };
            if let Some(mechanism) = mechanism {
                match (get("sasl.username"), secret("sasl.password")) {
                    (Some(username), Some(password)) => {
                        sasl = Some(SaslSettings {
                            mechanism,
                            username,
                            password,
                        })
                    }
                    _ => problems.push(format!(
                        "sasl.username and sasl.password must both be set for SASL/{}",
                        mechanism.as_str()
                    )),
                }
            }
        }

        let mut tls = TlsSettings {
            ca_location: get("ssl.ca.location"),
            ca_pem: get("ssl.ca.pem"),
            certificate_location: get("ssl.certificate.location"),
            certificate_pem: get("ssl.certificate.pem"),
            key_location: get("ssl.key.location"),
            key_pem: secret("ssl.key.pem"),
            key_password: secret("ssl.key.password"),
            keystore_location: get("ssl.keystore.location"),
            keystore_password: secret("ssl.keystore.password"),
            ..TlsSettings::default()
        };
        match get("enable.ssl.certificate.verification")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("true") => {}
            Some("false") => tls.verify_certificate = false,
            Some(other) => problems.push(format!(
                "enable.ssl.certificate.verification '{other}' is not true or false"
            )),
        }
        match props
            .get("ssl.endpoint.identification.algorithm")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("https") => {}
            Some("none") | Some("") => tls.verify_hostname = false,
            Some(other) => problems.push(format!(
                "ssl.endpoint.identification.algorithm '{other}' is not https or none"
            )),
        }

        QuorumSecurity {
            protocol,
            sasl,
            tls,
            client_id: get("client.id").unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned()),
            problem: (!problems.is_empty()).then(|| problems.join("; ")),
        }
    }

    /// The `security.protocol` in force.
    pub fn protocol(&self) -> SecurityProtocol {
        self.protocol
    }

    /// The SASL mechanism, when the protocol is SASL_* and the settings are complete.
    pub fn sasl_mechanism(&self) -> Option<SaslMechanism> {
        self.sasl.as_ref().map(|s| s.mechanism)
    }

    /// Why these settings cannot be used for DescribeQuorum, if they cannot.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Replaces every secret in `text` (a broker's free-text message) with `<redacted>`.
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let secrets = [
            self.sasl.as_ref().map(|s| &s.password),
            self.tls.key_password.as_ref(),
            self.tls.keystore_password.as_ref(),
        ];
        for secret in secrets.into_iter().flatten() {
            if !secret.0.is_empty() {
                out = out.replace(&secret.0, "<redacted>");
            }
        }
        out
    }

    /// The TLS connector for SSL / SASL_SSL, `None` otherwise.
    fn tls_connector(&self) -> Result<Option<SslConnector>, QuorumError> {
        if !self.protocol.uses_tls() {
            return Ok(None);
        }
        let t = &self.tls;
        let config = |what: String| QuorumError::Config { reason: what };
        let ssl_err = |what: &str, e: openssl::error::ErrorStack| {
            config(format!("{what}: {}", first_ssl_reason(&e)))
        };
        let mut b = SslConnector::builder(SslMethod::tls_client())
            .map_err(|e| ssl_err("could not set up TLS", e))?;

        match t.ca_location.as_deref() {
            None | Some("probe") => {}
            Some(path) => {
                let is_dir = std::fs::metadata(path)
                    .map_err(|e| config(format!("cannot read ssl.ca.location '{path}': {e}")))?
                    .is_dir();
                let res = if is_dir {
                    b.load_verify_locations(None, Some(std::path::Path::new(path)))
                } else {
                    b.set_ca_file(path)
                };
                res.map_err(|e| ssl_err(&format!("ssl.ca.location '{path}' is not usable"), e))?;
            }
        }
        if let Some(pem) = &t.ca_pem {
            let certs = X509::stack_from_pem(pem.as_bytes())
                .map_err(|e| ssl_err("ssl.ca.pem is not PEM certificates", e))?;
            for cert in certs {
                b.cert_store_mut()
                    .add_cert(cert)
                    .map_err(|e| ssl_err("ssl.ca.pem could not be trusted", e))?;
            }
        }

        if let Some(path) = &t.keystore_location {
            let der = std::fs::read(path)
                .map_err(|e| config(format!("cannot read ssl.keystore.location '{path}': {e}")))?;
            let pass = t.keystore_password.as_ref().map_or("", |s| s.0.as_str());
            let parsed = Pkcs12::from_der(&der)
                .and_then(|p| p.parse2(pass))
                .map_err(|e| {
                    ssl_err(
                        &format!(
                            "ssl.keystore.location '{path}' could not be opened with \
                             ssl.keystore.password"
                        ),
                        e,
                    )
                })?;
            if let Some(cert) = parsed.cert {
                b.set_certificate(&cert)
                    .map_err(|e| ssl_err("keystore certificate rejected", e))?;
            }
            if let Some(key) = parsed.pkey {
                b.set_private_key(&key)
                    .map_err(|e| ssl_err("keystore key rejected", e))?;
            }
            for ca in parsed.ca.into_iter().flatten() {
                b.add_extra_chain_cert(ca)
                    .map_err(|e| ssl_err("keystore chain rejected", e))?;
            }
        }

        if let Some(path) = &t.certificate_location {
            b.set_certificate_chain_file(path).map_err(|e| {
                ssl_err(
                    &format!("ssl.certificate.location '{path}' is not usable"),
                    e,
                )
            })?;
        } else if let Some(pem) = &t.certificate_pem {
            let mut certs = X509::stack_from_pem(pem.as_bytes())
                .map_err(|e| ssl_err("ssl.certificate.pem is not PEM certificates", e))?
                .into_iter();
            if let Some(leaf) = certs.next() {
                b.set_certificate(&leaf)
                    .map_err(|e| ssl_err("ssl.certificate.pem rejected", e))?;
            }
            for extra in certs {
                b.add_extra_chain_cert(extra)
                    .map_err(|e| ssl_err("ssl.certificate.pem chain rejected", e))?;
            }
        }

        let key_pem: Option<(Vec<u8>, &str)> = if let Some(path) = &t.key_location {
            let bytes = std::fs::read(path)
                .map_err(|e| config(format!("cannot read ssl.key.location '{path}': {e}")))?;
            Some((bytes, "ssl.key.location"))
        } else {
            t.key_pem
                .as_ref()
                .map(|s| (s.0.as_bytes().to_vec(), "ssl.key.pem"))
        };
        if let Some((pem, what)) = key_pem {
            let key = match &t.key_password {
                Some(pass) => PKey::private_key_from_pem_passphrase(&pem, pass.0.as_bytes()),
                None => PKey::private_key_from_pem(&pem),
            }
            .map_err(|e| {
                ssl_err(
                    &format!(
                        "{what} is not a PEM private key, or ssl.key.password does not open it"
                    ),
                    e,
                )
            })?;
            b.set_private_key(&key)
                .map_err(|e| ssl_err(&format!("{what} rejected"), e))?;
            b.check_private_key().map_err(|e| {
                ssl_err(&format!("{what} does not match the client certificate"), e)
            })?;
        }
        if !t.verify_certificate {
            b.set_verify(SslVerifyMode::NONE);
        }
        Ok(Some(b.build()))
    }
}

/// The first reason in an openssl error stack, without file/line noise.
fn first_ssl_reason(e: &openssl::error::ErrorStack) -> String {
    e.errors()
        .iter()
        .find_map(|x| x.reason().map(str::to_owned))
        .unwrap_or_else(|| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why DescribeQuorum gave no answer. Each message names the broker and the next move.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuorumError {
    /// The security settings cannot be used (unsupported mechanism, unreadable CA file, ...).
    #[error("{reason}")]
    Config {
        /// What is wrong and which property to change.
        reason: String,
    },
    /// The bootstrap list was empty.
    #[error("no bootstrap servers given: set bootstrap.servers to host:port[,host:port...]")]
    NoBootstrap,
    /// A bootstrap entry is not `host:port`.
    #[error("bootstrap server '{broker}' is not host:port; fix bootstrap.servers")]
    BadAddress {
        /// The entry as given.
        broker: String,
    },
    /// Host name resolution failed.
    #[error("could not resolve {broker}: {detail}; check bootstrap.servers")]
    Resolve {
        /// `host:port`.
        broker: String,
        /// The resolver's error.
        detail: String,
    },
    /// TCP connect failed (refused, unreachable, ...).
    #[error("could not connect to {broker}: {detail}; check that the broker is up and bootstrap.servers is right")]
    Connect {
        /// `host:port`.
        broker: String,
        /// `connection refused`, ...
        detail: String,
    },
    /// The deadline passed while waiting on `broker`.
    #[error("{broker} did not answer {step} within {waited_ms} ms{}", timeout_hint(.step))]
    Timeout {
        /// `host:port`.
        broker: String,
        /// What we were waiting for: `connect`, `TLS handshake`, `ApiVersions`, ...
        step: &'static str,
        /// How long we waited on this broker, in ms.
        waited_ms: u64,
    },
    /// The connection broke mid-exchange.
    #[error("connection to {broker} failed during {step}: {detail}{}", io_hint(.step))]
    Io {
        /// `host:port`.
        broker: String,
        /// The exchange in progress.
        step: &'static str,
        /// The I/O error.
        detail: String,
    },
    /// The TLS handshake failed.
    #[error(
        "TLS handshake with {broker} failed: {detail}; check ssl.ca.location (or \
             enable.ssl.certificate.verification, ssl.endpoint.identification.algorithm) and that \
             this listener speaks SSL"
    )]
    Tls {
        /// `host:port`.
        broker: String,
        /// openssl's reason and the certificate verify result.
        detail: String,
    },
    /// A response frame claimed more than [`MAX_FRAME_BYTES`].
    #[error("{broker} sent a {size}-byte frame during {step}, over the {limit}-byte limit; is this \
             a Kafka listener with the configured security.protocol? (an SSL listener answers \
             plaintext with a TLS alert)", limit = MAX_FRAME_BYTES)]
    FrameTooLarge {
        /// `host:port`.
        broker: String,
        /// The exchange in progress.
        step: &'static str,
        /// The size prefix received (negative sizes show as huge).
        size: u64,
    },
    /// A response could not be decoded.
    #[error("{broker} sent a {step} response we could not decode: {detail}")]
    Protocol {
        /// `host:port`.
        broker: String,
        /// The exchange in progress.
        step: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// ApiVersions does not list DescribeQuorum.
    #[error("{NOT_SUPPORTED}; asked {broker}")]
    NotSupported {
        /// `host:port`.
        broker: String,
    },
    /// The broker's DescribeQuorum versions do not overlap ours (v0..v2).
    #[error("{broker} supports DescribeQuorum v{min}..v{max} only, kafka-mcp speaks v0..v2")]
    VersionMismatch {
        /// `host:port`.
        broker: String,
        /// Broker's lowest version.
        min: i16,
        /// Broker's highest version.
        max: i16,
    },
    /// SASL authentication failed.
    #[error("SASL authentication to {broker} failed: {detail}")]
    Sasl {
        /// `host:port`.
        broker: String,
        /// The broker's reason (secrets scrubbed) and what to check.
        detail: String,
    },
    /// Kafka answered with an error code.
    #[error("{broker} answered {step} with {name} (code {code}){}: {}",
            message_suffix(.message), advice(.code))]
    Kafka {
        /// `host:port`.
        broker: String,
        /// The request answered.
        step: &'static str,
        /// Kafka error code.
        code: i16,
        /// Kafka error name, e.g. `CLUSTER_AUTHORIZATION_FAILED`.
        name: String,
        /// The broker's message, secrets scrubbed.
        message: Option<String>,
    },
    /// The quorum answered but has no leader.
    #[error(
        "{broker} reports no KRaft quorum leader (leader id {leader_id}): an election is in \
             progress or a majority of controllers is down; retry in a few seconds and check the \
             controllers"
    )]
    NoLeader {
        /// `host:port`.
        broker: String,
        /// The leader id reported (negative).
        leader_id: i32,
    },
    /// The answer lacks `__cluster_metadata` partition 0.
    #[error(
        "{broker} answered DescribeQuorum without {CLUSTER_METADATA_TOPIC} partition 0 ({detail})"
    )]
    Malformed {
        /// `host:port`.
        broker: String,
        /// What was missing.
        detail: String,
    },
    /// Every bootstrap server failed; one error each, in order.
    #[error("no bootstrap server answered DescribeQuorum: {}", join_errors(.errors))]
    AllFailed {
        /// One error per broker tried.
        errors: Vec<QuorumError>,
    },
}

impl QuorumError {
    /// True for answers that another broker of the same cluster would repeat (Kafka error codes,
    /// missing API, failed authentication): no point asking the next bootstrap server.
    fn is_authoritative(&self) -> bool {
        matches!(
            self,
            QuorumError::NotSupported { .. }
                | QuorumError::VersionMismatch { .. }
                | QuorumError::Sasl { .. }
                | QuorumError::Kafka { .. }
                | QuorumError::NoLeader { .. }
                | QuorumError::Malformed { .. }
                | QuorumError::Config { .. }
        )
    }
}

impl QuorumError {
    /// What this failure says about the cluster. `NoController` only when a broker took the
    /// request and then no controller answered (or the quorum has no leader): a broker that
    /// cannot be reached says nothing about the quorum.
    pub fn cause(&self) -> QuorumUnknownCause {
        match self {
            QuorumError::NotSupported { .. } | QuorumError::VersionMismatch { .. } => {
                QuorumUnknownCause::Unsupported
            }
            QuorumError::Sasl { .. } => QuorumUnknownCause::Denied,
            QuorumError::Kafka { name, .. } => match name.as_str() {
                n if n.contains("AUTHORIZATION") || n.contains("SASL") => {
                    QuorumUnknownCause::Denied
                }
                "UNSUPPORTED_VERSION" => QuorumUnknownCause::Unsupported,
                // The broker forwarded it and the controller never answered.
                "REQUEST_TIMED_OUT" => QuorumUnknownCause::NoController,
                _ => QuorumUnknownCause::Other,
            },
            QuorumError::NoLeader { .. } => QuorumUnknownCause::NoController,
            QuorumError::Timeout { step, .. } if *step == "DescribeQuorum" => {
                QuorumUnknownCause::NoController
            }
            QuorumError::Timeout { .. }
            | QuorumError::Connect { .. }
            | QuorumError::Resolve { .. }
            | QuorumError::Io { .. }
            | QuorumError::Tls { .. }
            | QuorumError::FrameTooLarge { .. } => QuorumUnknownCause::Unreachable,
            // One broker's answer about the quorum outweighs others being unreachable.
            QuorumError::AllFailed { errors } => errors
                .iter()
                .map(QuorumError::cause)
                .min_by_key(|c| match c {
                    QuorumUnknownCause::NoController => 0,
                    QuorumUnknownCause::Denied => 1,
                    QuorumUnknownCause::Unsupported => 2,
                    QuorumUnknownCause::Other => 3,
                    QuorumUnknownCause::Unreachable => 4,
                })
                .unwrap_or(QuorumUnknownCause::Unreachable),
            QuorumError::Config { .. }
            | QuorumError::NoBootstrap
            | QuorumError::BadAddress { .. }
            | QuorumError::Protocol { .. }
            | QuorumError::Malformed { .. } => QuorumUnknownCause::Other,
        }
    }
}

impl From<QuorumError> for QuorumView {
    fn from(e: QuorumError) -> Self {
        QuorumView::Unknown {
            cause: e.cause(),
            reason: e.to_string(),
        }
    }
}

fn timeout_hint(step: &str) -> &'static str {
    if step == "DescribeQuorum" {
        " (brokers forward DescribeQuorum to the active controller, so the KRaft quorum may have no \
         leader: check that a majority of controllers is up); retry, or raise --timeout-ms"
    } else {
        "; check that the broker is up and reachable, or raise --timeout-ms"
    }
}

fn io_hint(step: &str) -> &'static str {
    match step {
        "ApiVersions" => {
            " (a broker closes the connection on a request it cannot read: if this listener uses \
             SSL or SASL, set security.protocol)"
        }
        "DescribeQuorum" => {
            " (a SASL listener closes unauthenticated connections: if it uses SASL, set \
             security.protocol and sasl.*)"
        }
        _ => "",
    }
}

fn message_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(" \"{m}\""),
        _ => String::new(),
    }
}

fn advice(code: &i16) -> &'static str {
    match ResponseError::try_from_code(*code) {
        Some(ResponseError::ClusterAuthorizationFailed) => {
            "the principal kafka-mcp connects as needs the ACL DESCRIBE on CLUSTER (kafka-acls.sh \
             --add --allow-principal User:<name> --operation Describe --cluster)"
        }
        Some(ResponseError::NotLeaderOrFollower)
        | Some(ResponseError::NotController)
        | Some(ResponseError::BrokerNotAvailable)
        | Some(ResponseError::LeaderNotAvailable) => {
            "the KRaft quorum has no active leader right now (an election is in progress, or a \
             majority of controllers is down); retry in a few seconds and check the controllers"
        }
        Some(ResponseError::RequestTimedOut) => {
            "the broker could not reach the active controller in time; check that a majority of \
             controllers is up"
        }
        Some(ResponseError::UnknownTopicOrPartition) => {
            "the broker has no __cluster_metadata partition: this is not a KRaft cluster"
        }
        Some(ResponseError::UnsupportedVersion) | Some(ResponseError::InvalidRequest) => {
            "the broker rejected kafka-mcp's request version; report this with the broker's version"
        }
        Some(ResponseError::SaslAuthenticationFailed) => "check sasl.username and sasl.password",
        _ => "see the broker's log for details",
    }
}

fn join_errors(errors: &[QuorumError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Kafka's name for an error code (`CLUSTER_AUTHORIZATION_FAILED`), or `error code N`.
pub(crate) fn error_name(code: i16) -> String {
    match ResponseError::try_from_code(code) {
        None => "NONE".to_owned(),
        Some(ResponseError::Unknown(c)) => format!("UNKNOWN_ERROR_CODE_{c}"),
        Some(e) => {
            // `Display` gives the variant name, e.g. `ClusterAuthorizationFailed`.
            let camel = e.to_string();
            let mut out = String::with_capacity(camel.len() + 8);
            for (i, ch) in camel.chars().enumerate() {
                if ch.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(ch.to_ascii_uppercase());
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/// The KRaft quorum as DescribeQuorum reports it, or `Unknown` with an actionable reason.
/// `bootstrap` entries are `host:port` (comma-separated lists are split); they are tried in
/// order until one answers, all within `timeout` in total.
pub async fn describe_quorum(
    bootstrap: &[String],
    security: &QuorumSecurity,
    timeout: Duration,
) -> QuorumView {
    match describe_quorum_snapshot(bootstrap, security, timeout).await {
        Ok(snapshot) => QuorumView::Known(snapshot),
        Err(e) => {
            tracing::debug!(reason = %e, "KRaft quorum unknown");
            QuorumView::from(e)
        }
    }
}

/// Like [`describe_quorum`], plus the bootstrap endpoints that refused a connection on the way
/// (`(host:port, reason)`): a refused connect means nothing listens there, which outweighs what a
/// stale Metadata answer says about that broker.
pub async fn describe_quorum_seen(
    bootstrap: &[String],
    security: &QuorumSecurity,
    timeout: Duration,
) -> (QuorumView, Vec<(String, String)>) {
    match describe_quorum_snapshot(bootstrap, security, timeout).await {
        Ok(snapshot) => (QuorumView::Known(snapshot), Vec::new()),
        Err(e) => {
            tracing::debug!(reason = %e, "KRaft quorum unknown");
            let refused = e.refused_endpoints();
            (QuorumView::from(e), refused)
        }
    }
}

impl QuorumError {
    /// `(host:port, detail)` of every connect this error records as refused.
    pub fn refused_endpoints(&self) -> Vec<(String, String)> {
        match self {
            QuorumError::Connect { broker, detail } if detail.contains("refused") => {
                vec![(broker.clone(), detail.clone())]
            }
            QuorumError::AllFailed { errors } => errors
                .iter()
                .flat_map(QuorumError::refused_endpoints)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Like [`describe_quorum`], with the error kept typed.
pub async fn describe_quorum_snapshot(
    bootstrap: &[String],
    security: &QuorumSecurity,
    timeout: Duration,
) -> Result<QuorumSnapshot, QuorumError> {
    if let Some(problem) = &security.problem {
        return Err(QuorumError::Config {
            reason: problem.clone(),
        });
    }
    let brokers: Vec<&str> = bootstrap
        .iter()
        .flat_map(|b| b.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect();
    if brokers.is_empty() {
        return Err(QuorumError::NoBootstrap);
    }
    let connector = security.tls_connector()?;
    let deadline = Instant::now() + timeout;
    let mut errors = Vec::new();
    for (i, broker) in brokers.iter().enumerate() {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // Setting up a connection gets an even share of what is left, so one black-holed broker
        // cannot starve the rest; the DescribeQuorum exchange itself may use all of it.
        let left = u32::try_from(brokers.len() - i).unwrap_or(u32::MAX);
        let setup_deadline = now + (deadline - now) / left;
        let attempt = Attempt {
            broker,
            security,
            connector: connector.as_ref(),
            started: now,
            setup_deadline,
            deadline,
        };
        match attempt.run().await {
            Ok(snapshot) => {
                tracing::debug!(
                    broker = %broker,
                    leader_id = snapshot.leader_id,
                    leader_epoch = snapshot.leader_epoch,
                    "DescribeQuorum answered"
                );
                return Ok(snapshot);
            }
            Err(e) if e.is_authoritative() => return Err(e),
            Err(e) => {
                tracing::debug!(broker = %broker, error = %e, "DescribeQuorum attempt failed");
                errors.push(e);
            }
        }
    }
    match errors.len() {
        0 => Err(QuorumError::Timeout {
            broker: brokers[0].to_owned(),
            step: "connect",
            waited_ms: 0,
        }),
        1 => Err(errors.remove(0)),
        _ => Err(QuorumError::AllFailed { errors }),
    }
}

/// Decodes a DescribeQuorum response body (the bytes after the response header) of `version`
/// and maps it to a [`QuorumSnapshot`]; `broker` only names the source in errors.
pub fn decode_describe_quorum_response(
    mut body: &[u8],
    version: i16,
    broker: &str,
) -> Result<QuorumSnapshot, QuorumError> {
    let resp =
        DescribeQuorumResponse::decode(&mut body, version).map_err(|e| QuorumError::Protocol {
            broker: broker.to_owned(),
            step: "DescribeQuorum",
            detail: e.to_string(),
        })?;
    snapshot_from_response(&resp, broker, &QuorumSecurity::plaintext())
}

/// Maps a decoded DescribeQuorum response to a snapshot, turning error codes and a missing
/// leader into errors. Broker messages are scrubbed of `security`'s secrets.
fn snapshot_from_response(
    resp: &DescribeQuorumResponse,
    broker: &str,
    security: &QuorumSecurity,
) -> Result<QuorumSnapshot, QuorumError> {
    let kafka_err = |code: i16, message: &Option<StrBytes>| QuorumError::Kafka {
        broker: broker.to_owned(),
        step: "DescribeQuorum",
        code,
        name: error_name(code),
        message: message
            .as_ref()
            .map(|m| security.scrub(m.as_str()))
            .filter(|m| !m.is_empty()),
    };
    if resp.error_code != 0 {
        return Err(kafka_err(resp.error_code, &resp.error_message));
    }
    let malformed = |detail: String| QuorumError::Malformed {
        broker: broker.to_owned(),
        detail,
    };
    let topic = resp
        .topics
        .iter()
        .find(|t| t.topic_name.0.as_str() == CLUSTER_METADATA_TOPIC)
        .ok_or_else(|| malformed(format!("{} topic(s) in the answer", resp.topics.len())))?;
    let partition = topic
        .partitions
        .iter()
        .find(|p| p.partition_index == 0)
        .ok_or_else(|| {
            malformed(format!(
                "{} partition(s) in the answer",
                topic.partitions.len()
            ))
        })?;
    if partition.error_code != 0 {
        return Err(kafka_err(partition.error_code, &partition.error_message));
    }
    if partition.leader_id.0 < 0 {
        return Err(QuorumError::NoLeader {
            broker: broker.to_owned(),
            leader_id: partition.leader_id.0,
        });
    }
    let replica = |r: &describe_quorum_response::ReplicaState| QuorumReplica {
        id: r.replica_id.0,
        log_end_offset: r.log_end_offset,
        last_caught_up_timestamp_ms: r.last_caught_up_timestamp,
        last_fetch_timestamp_ms: r.last_fetch_timestamp,
    };
    Ok(QuorumSnapshot {
        leader_id: partition.leader_id.0,
        leader_epoch: partition.leader_epoch,
        high_watermark: partition.high_watermark,
        voters: partition.current_voters.iter().map(replica).collect(),
        observers: partition.observers.iter().map(replica).collect(),
    })
}

/// Sends one request to one broker (`host:port`) over a fresh connection set up as for
/// DescribeQuorum (TCP, TLS, ApiVersions, SASL), at the highest version in `ours` that the broker
/// lists, all within `timeout`. `Ok(Err(None))`: the broker does not list `key`;
/// `Ok(Err(Some((min, max))))`: its versions do not overlap `ours`. Used by `kafka::log_dirs`.
pub(crate) async fn request_one<Req, Resp>(
    broker: &str,
    security: &QuorumSecurity,
    timeout: Duration,
    key: ApiKey,
    ours: (i16, i16),
    make: impl FnOnce(i16) -> Req,
) -> Result<Result<Resp, Option<(i16, i16)>>, QuorumError>
where
    Req: Encodable + HeaderVersion,
    Resp: Decodable + HeaderVersion,
{
    if let Some(problem) = &security.problem {
        return Err(QuorumError::Config {
            reason: problem.clone(),
        });
    }
    let connector = security.tls_connector()?;
    let now = Instant::now();
    let attempt = Attempt {
        broker,
        security,
        connector: connector.as_ref(),
        started: now,
        setup_deadline: now + timeout,
        deadline: now + timeout,
    };
    let step = step_name(key);
    let (mut conn, api_keys) = attempt.open().await?;
    let version = match pick_version(&api_keys, key, ours) {
        Ok(v) => v,
        Err(found) => return Ok(Err(found)),
    };
    if let Some(sasl) = &security.sasl {
        attempt
            .within(
                attempt.setup_deadline,
                "SASL authentication",
                authenticate(&mut conn, sasl, &api_keys, security),
            )
            .await?;
    }
    let req = make(version);
    let resp = attempt
        .within(attempt.deadline, step, conn.call(key, &req, version))
        .await?;
    Ok(Ok(resp))
}

// ---------------------------------------------------------------------------------------------
// One broker
// ---------------------------------------------------------------------------------------------

/// One try against one bootstrap server.
struct Attempt<'a> {
    broker: &'a str,
    security: &'a QuorumSecurity,
    connector: Option<&'a SslConnector>,
    started: Instant,
    setup_deadline: Instant,
    deadline: Instant,
}

impl Attempt<'_> {
    fn waited_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs `fut` until `deadline`, naming `step` if it passes.
    async fn within<T>(
        &self,
        deadline: Instant,
        step: &'static str,
        fut: impl std::future::Future<Output = Result<T, QuorumError>>,
    ) -> Result<T, QuorumError> {
        match timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(QuorumError::Timeout {
                broker: self.broker.to_owned(),
                step,
                waited_ms: self.waited_ms(),
            }),
        }
    }

    /// Connects (TCP, then TLS when configured) and asks ApiVersions; SASL is left to the
    /// caller, which first checks that the API it wants is listed.
    async fn open(&self) -> Result<(Conn<'_>, Vec<ApiVersion>), QuorumError> {
        let broker = self.broker;
        let host = split_host(broker).ok_or_else(|| QuorumError::BadAddress {
            broker: broker.to_owned(),
        })?;
        let tcp = self
            .within(self.setup_deadline, "connect", self.connect_tcp())
            .await?;
        let io: Box<dyn Stream> = match self.connector {
            None => Box::new(tcp),
            Some(connector) => Box::new(
                self.within(
                    self.setup_deadline,
                    "TLS handshake",
                    self.tls_handshake(connector, host, tcp),
                )
                .await?,
            ),
        };
        let mut conn = Conn {
            io,
            broker,
            correlation_id: 0,
            client_id: StrBytes::from_string(self.security.client_id.clone()),
        };

        let versions: ApiVersionsResponse = self
            .within(
                self.setup_deadline,
                "ApiVersions",
                conn.call(ApiKey::ApiVersions, &ApiVersionsRequest::default(), 0),
            )
            .await?;
        if versions.error_code != 0 {
            return Err(QuorumError::Kafka {
                broker: broker.to_owned(),
                step: "ApiVersions",
                code: versions.error_code,
                name: error_name(versions.error_code),
                message: None,
            });
        }
        Ok((conn, versions.api_keys))
    }

    async fn run(&self) -> Result<QuorumSnapshot, QuorumError> {
        let broker = self.broker;
        let (mut conn, api_keys) = self.open().await?;
        let version = pick_version(&api_keys, ApiKey::DescribeQuorum, DESCRIBE_QUORUM_VERSIONS)
            .map_err(|found| match found {
                None => QuorumError::NotSupported {
                    broker: broker.to_owned(),
                },
                Some((min, max)) => QuorumError::VersionMismatch {
                    broker: broker.to_owned(),
                    min,
                    max,
                },
            })?;

        if let Some(sasl) = &self.security.sasl {
            self.within(
                self.setup_deadline,
                "SASL authentication",
                authenticate(&mut conn, sasl, &api_keys, self.security),
            )
            .await?;
        }

        tracing::debug!(broker = %broker, version, "sending DescribeQuorum");
        let request = DescribeQuorumRequest::default().with_topics(vec![
            describe_quorum_request::TopicData::default()
                .with_topic_name(TopicName(StrBytes::from_static_str(CLUSTER_METADATA_TOPIC)))
                .with_partitions(vec![
                    describe_quorum_request::PartitionData::default().with_partition_index(0)
                ]),
        ]);
        let resp: DescribeQuorumResponse = self
            .within(
                self.deadline,
                "DescribeQuorum",
                conn.call(ApiKey::DescribeQuorum, &request, version),
            )
            .await?;
        snapshot_from_response(&resp, broker, self.security)
    }

    async fn connect_tcp(&self) -> Result<TcpStream, QuorumError> {
        let broker = self.broker;
        let addrs: Vec<_> = tokio::net::lookup_host(broker)
            .await
            .map_err(|e| QuorumError::Resolve {
                broker: broker.to_owned(),
                detail: e.to_string(),
            })?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    // Nagle only delays our small request frames.
                    let _ = s.set_nodelay(true);
                    tracing::debug!(broker = %broker, %addr, "connected");
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(QuorumError::Connect {
            broker: broker.to_owned(),
            detail: match last {
                Some(e) => describe_io(&e),
                None => "the name resolved to no address".to_owned(),
            },
        })
    }

    async fn tls_handshake(
        &self,
        connector: &SslConnector,
        host: &str,
        tcp: TcpStream,
    ) -> Result<tokio_openssl::SslStream<TcpStream>, QuorumError> {
        let tls_err = |detail: String| QuorumError::Tls {
            broker: self.broker.to_owned(),
            detail,
        };
        let ssl = connector
            .configure()
            .and_then(|c| {
                c.verify_hostname(self.security.tls.verify_hostname)
                    .into_ssl(host)
            })
            .map_err(|e| tls_err(first_ssl_reason(&e)))?;
        let mut stream =
            tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| tls_err(first_ssl_reason(&e)))?;
        if let Err(e) = Pin::new(&mut stream).connect().await {
            let verify = stream.ssl().verify_result();
            let mut detail = match e.ssl_error() {
                Some(stack) => first_ssl_reason(stack),
                None => match e.io_error() {
                    Some(io) => describe_io(io),
                    None => e.to_string(),
                },
            };
            if verify.as_raw() != 0 {
                detail.push_str(&format!(" (certificate verify: {})", verify.error_string()));
            }
            return Err(tls_err(detail));
        }
        Ok(stream)
    }
}

/// The host part of `host:port` / `[v6]:port`, if it has a numeric port.
fn split_host(broker: &str) -> Option<&str> {
    let (host, port) = broker.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then_some(host)
}

fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => match e.raw_os_error() {
            Some(code) => format!("connection refused (os error {code})"),
            None => "connection refused".to_owned(),
        },
        io::ErrorKind::UnexpectedEof => "the broker closed the connection".to_owned(),
        _ => e.to_string(),
    }
}

/// The highest version of `key` both sides speak; `Err(None)` when the broker does not list
/// the API, `Err(Some(range))` when the ranges do not overlap.
fn pick_version(
    api_keys: &[ApiVersion],
    key: ApiKey,
    ours: (i16, i16),
) -> Result<i16, Option<(i16, i16)>> {
    let theirs = api_keys
        .iter()
        .find(|a| a.api_key == key as i16)
        .ok_or(None)?;
    let lo = theirs.min_version.max(ours.0);
    let hi = theirs.max_version.min(ours.1);
    if lo > hi {
        Err(Some((theirs.min_version, theirs.max_version)))
    } else {
        Ok(hi)
    }
}

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// One connection: size-prefixed request/response frames with correlation ids.
struct Conn<'a> {
    io: Box<dyn Stream>,
    broker: &'a str,
    correlation_id: i32,
    client_id: StrBytes,
}

fn step_name(key: ApiKey) -> &'static str {
    match key {
        ApiKey::ApiVersions => "ApiVersions",
        ApiKey::SaslHandshake => "SaslHandshake",
        ApiKey::SaslAuthenticate => "SaslAuthenticate",
        ApiKey::DescribeQuorum => "DescribeQuorum",
        ApiKey::DescribeLogDirs => "DescribeLogDirs",
        _ => "request",
    }
}

impl Conn<'_> {
    fn protocol_err(&self, step: &'static str, detail: impl fmt::Display) -> QuorumError {
        QuorumError::Protocol {
            broker: self.broker.to_owned(),
            step,
            detail: detail.to_string(),
        }
    }

    fn io_err(&self, step: &'static str, e: &io::Error) -> QuorumError {
        QuorumError::Io {
            broker: self.broker.to_owned(),
            step,
            detail: describe_io(e),
        }
    }

    /// Sends `req` as `key` v`version` and decodes the matching response.
    async fn call<Req, Resp>(
        &mut self,
        key: ApiKey,
        req: &Req,
        version: i16,
    ) -> Result<Resp, QuorumError>
    where
        Req: Encodable + HeaderVersion,
        Resp: Decodable + HeaderVersion,
    {
        let step = step_name(key);
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let id = self.correlation_id;
        let header = RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_correlation_id(id)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::with_capacity(128);
        buf.put_i32(0);
        header
            .encode(&mut buf, Req::header_version(version))
            .map_err(|e| self.protocol_err(step, e))?;
        req.encode(&mut buf, version)
            .map_err(|e| self.protocol_err(step, e))?;
        let size = i32::try_from(buf.len() - 4).map_err(|e| self.protocol_err(step, e))?;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        self.io
            .write_all(&buf)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        self.io.flush().await.map_err(|e| self.io_err(step, &e))?;

        let mut frame = self.read_frame(step).await?;
        let rh = ResponseHeader::decode(&mut frame, Resp::header_version(version))
            .map_err(|e| self.protocol_err(step, e))?;
        if rh.correlation_id != id {
            return Err(self.protocol_err(
                step,
                format!(
                    "correlation id {} does not match request {id}",
                    rh.correlation_id
                ),
            ));
        }
        Resp::decode(&mut frame, version).map_err(|e| self.protocol_err(step, e))
    }

    /// One SaslAuthenticate exchange.
    async fn sasl_round(
        &mut self,
        token: Vec<u8>,
        version: i16,
    ) -> Result<SaslAuthenticateResponse, QuorumError> {
        let req = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token));
        self.call(ApiKey::SaslAuthenticate, &req, version).await
    }

    /// Reads one size-prefixed frame, refusing sizes over [`MAX_FRAME_BYTES`].
    async fn read_frame(&mut self, step: &'static str) -> Result<Bytes, QuorumError> {
        let mut prefix = [0u8; 4];
        self.io
            .read_exact(&mut prefix)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        let size = i32::from_be_bytes(prefix);
        let len = usize::try_from(size)
            .ok()
            .filter(|n| *n <= MAX_FRAME_BYTES)
            .ok_or_else(|| QuorumError::FrameTooLarge {
                broker: self.broker.to_owned(),
                step,
                size: u64::from(u32::from_be_bytes(prefix)),
            })?;
        // Grow as bytes arrive rather than trusting the prefix with one big allocation.
        let mut body = Vec::with_capacity(len.min(64 * 1024));
        (&mut self.io)
            .take(len as u64)
            .read_to_end(&mut body)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        if body.len() != len {
            return Err(self.io_err(
                step,
                &io::Error::new(io::ErrorKind::UnexpectedEof, "short frame"),
            ));
        }
        Ok(Bytes::from(body))
    }
}

// ---------------------------------------------------------------------------------------------
// SASL
// ---------------------------------------------------------------------------------------------

async fn authenticate(
    conn: &mut Conn<'_>,
    sasl: &SaslSettings,
    api_keys: &[ApiVersion],
    security: &QuorumSecurity,
) -> Result<(), QuorumError> {
    let broker = conn.broker;
    let fail = |detail: String| QuorumError::Sasl {
        broker: broker.to_owned(),
        detail,
    };
    let mech = sasl.mechanism.as_str();
    pick_version(api_keys, ApiKey::SaslHandshake, (1, 1)).map_err(|_| {
        fail("the broker does not offer SaslHandshake v1; is this a SASL listener?".to_owned())
    })?;
    let auth_version = pick_version(
        api_keys,
        ApiKey::SaslAuthenticate,
        SASL_AUTHENTICATE_VERSIONS,
    )
    .map_err(|_| {
        fail(
            "the broker does not offer SaslAuthenticate v0..v2; is this a SASL listener?"
                .to_owned(),
        )
    })?;
    let hs: SaslHandshakeResponse = conn
        .call(
            ApiKey::SaslHandshake,
            &SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mech)),
            1,
        )
        .await?;
    if hs.error_code != 0 {
        let offered: Vec<&str> = hs.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(fail(format!(
            "{} for SASL/{mech}; the listener offers [{}]: set sasl.mechanism to one of them, or \
             check security.protocol",
            error_name(hs.error_code),
            offered.join(", ")
        )));
    }
    tracing::debug!(broker = %broker, mechanism = mech, auth_version, "SASL handshake done");

    let check = |resp: &SaslAuthenticateResponse| -> Result<(), QuorumError> {
        if resp.error_code == 0 {
            return Ok(());
        }
        let message = resp
            .error_message
            .as_ref()
            .map(|m| security.scrub(m.as_str()))
            .filter(|m| !m.is_empty());
        Err(fail(format!(
            "{}{}; check sasl.mechanism, sasl.username and sasl.password",
            error_name(resp.error_code),
            message_suffix(&message)
        )))
    };

    match sasl.mechanism {
        SaslMechanism::Plain => {
            let mut token = Vec::with_capacity(sasl.username.len() + sasl.password.0.len() + 2);
            token.push(0);
            token.extend_from_slice(sasl.username.as_bytes());
            token.push(0);
            token.extend_from_slice(sasl.password.0.as_bytes());
            let resp = conn.sasl_round(token, auth_version).await?;
            check(&resp)
        }
        SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 => {
            let nonce = scram_nonce().map_err(fail)?;
            let first = ScramClientFirst::new(&sasl.username, &nonce);
            let resp = conn
                .sasl_round(first.message().into_bytes(), auth_version)
                .await?;
            check(&resp)?;
            let server_first = String::from_utf8_lossy(&resp.auth_bytes).into_owned();
            let fin = first
                .finish(sasl.mechanism, &sasl.password.0, &server_first)
                .map_err(|e| fail(security.scrub(&e)))?;
            let resp = conn
                .sasl_round(fin.message.clone().into_bytes(), auth_version)
                .await?;
            check(&resp)?;
            let server_final = String::from_utf8_lossy(&resp.auth_bytes).into_owned();
            fin.verify_server(&server_final)
                .map_err(|e| fail(security.scrub(&e)))
        }
    }
}

fn scram_nonce() -> Result<String, String> {
    let mut raw = [0u8; 24];
    openssl::rand::rand_bytes(&mut raw).map_err(|e| first_ssl_reason(&e))?;
    Ok(BASE64.encode(raw))
}

/// SCRAM `saslname`: `=` and `,` escaped (RFC 5802 §5.1).
fn scram_escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn hmac(md: MessageDigest, key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    let key = PKey::hmac(key).map_err(|e| first_ssl_reason(&e))?;
    let mut signer = openssl::sign::Signer::new(md, &key).map_err(|e| first_ssl_reason(&e))?;
    signer.update(data).map_err(|e| first_ssl_reason(&e))?;
    signer.sign_to_vec().map_err(|e| first_ssl_reason(&e))
}

/// The client-first message of a SCRAM exchange.
struct ScramClientFirst {
    nonce: String,
    bare: String,
}

/// The client-final message and the server signature it must be answered with.
struct ScramClientFinal {
    message: String,
    server_signature: Vec<u8>,
}

impl ScramClientFirst {
    fn new(username: &str, nonce: &str) -> Self {
        ScramClientFirst {
            nonce: nonce.to_owned(),
            bare: format!("n={},r={nonce}", scram_escape(username)),
        }
    }

    fn message(&self) -> String {
        format!("n,,{}", self.bare)
    }

    /// Builds the client-final message from the server-first one (RFC 5802 §3).
    fn finish(
        &self,
        mechanism: SaslMechanism,
        password: &str,
        server_first: &str,
    ) -> Result<ScramClientFinal, String> {
        let (mut nonce, mut salt, mut iterations) = (None, None, None);
        for attr in server_first.split(',') {
            match attr.split_once('=') {
                Some(("r", v)) => nonce = Some(v),
                Some(("s", v)) => salt = Some(v),
                Some(("i", v)) => iterations = Some(v),
                Some(("e", v)) => return Err(format!("the broker refused SCRAM: {v}")),
                Some(("m", _)) => {
                    return Err(
                        "the broker asks for a SCRAM extension kafka-mcp does not know".into(),
                    )
                }
                _ => {}
            }
        }
        let bad = |what: &str| format!("malformed SCRAM server-first message ({what})");
        let nonce = nonce.ok_or_else(|| bad("no nonce"))?;
        if !nonce.starts_with(&self.nonce) || nonce.len() <= self.nonce.len() {
            return Err(bad("nonce does not extend ours"));
        }
        let salt = BASE64
            .decode(salt.ok_or_else(|| bad("no salt"))?)
            .map_err(|_| bad("salt is not base64"))?;
        let iterations: u32 = iterations
            .ok_or_else(|| bad("no iteration count"))?
            .parse()
            .map_err(|_| bad("iteration count is not a number"))?;
        if iterations == 0 || iterations > SCRAM_MAX_ITERATIONS {
            return Err(bad("iteration count out of range"));
        }
        let md = mechanism.digest();
        let mut salted = vec![0u8; md.size()];
        openssl::pkcs5::pbkdf2_hmac(
            password.as_bytes(),
            &salt,
            iterations as usize,
            md,
            &mut salted,
        )
        .map_err(|e| first_ssl_reason(&e))?;
        let client_key = hmac(md, &salted, b"Client Key")?;
        let stored_key = openssl::hash::hash(md, &client_key).map_err(|e| first_ssl_reason(&e))?;
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.bare);
        let client_signature = hmac(md, &stored_key, auth_message.as_bytes())?;
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = hmac(md, &salted, b"Server Key")?;
        let server_signature = hmac(md, &server_key, auth_message.as_bytes())?;
        Ok(ScramClientFinal {
            message: format!("{without_proof},p={}", BASE64.encode(proof)),
            server_signature,
        })
    }
}

impl ScramClientFinal {
    /// Checks the server-final message proves the server knows the password too.
    fn verify_server(&self, server_final: &str) -> Result<(), String> {
        for attr in server_final.split(',') {
            match attr.split_once('=') {
                Some(("e", v)) => return Err(format!("the broker refused SCRAM: {v}")),
                Some(("v", v)) => {
                    let got = BASE64
                        .decode(v)
                        .map_err(|_| "SCRAM server signature is not base64".to_owned())?;
                    let same = got.len() == self.server_signature.len()
                        && openssl::memcmp::eq(&got, &self.server_signature);
                    return if same {
                        Ok(())
                    } else {
                        Err(
                            "the broker's SCRAM signature is wrong: it does not know this \
                             user's credentials (wrong cluster, or a man in the middle)"
                                .to_owned(),
                        )
                    };
                }
                _ => {}
            }
        }
        Err("malformed SCRAM server-final message".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Instant as StdInstant;

    use kafka_protocol::messages::api_versions_response::ApiVersion;
    use kafka_protocol::messages::describe_quorum_response::{
        PartitionData, ReplicaState, TopicData,
    };
    use kafka_protocol::messages::BrokerId;
    use kafka_protocol::protocol::decode_request_header_from_buffer;
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::Private;
    use openssl::ssl::{Ssl, SslAcceptor};
    use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
    use openssl::x509::{X509Builder, X509NameBuilder};
    use serde_json::Value;
    use tokio::net::TcpListener;

    use super::*;

    // ---- recorded facts -----------------------------------------------------------------------

    const HEALTHY_STATUS: &str =
        include_str!("../../fixtures/real-kafka-4.0/healthy/quorum_status.json");
    const HEALTHY_REPLICATION: &str =
        include_str!("../../fixtures/real-kafka-4.0/healthy/quorum_replication.json");
    const DOWN_STATUS: &str =
        include_str!("../../fixtures/real-kafka-4.0/broker-down/quorum_status.json");
    const DOWN_REPLICATION: &str =
        include_str!("../../fixtures/real-kafka-4.0/broker-down/quorum_replication.json");

    /// One `kafka-metadata-quorum.sh --replication` row (the `--bootstrap-server` run).
    struct Row {
        node_id: i32,
        log_end_offset: i64,
        lag: i64,
        last_fetch: i64,
        last_caught_up: i64,
        status: String,
    }

    fn parsed(json: &str) -> Value {
        let v: Value = serde_json::from_str(json).expect("fixture is JSON");
        v["data"]["result"]["bootstrap-server"]["parsed"].clone()
    }

    fn recorded(status: &str, replication: &str) -> (i32, i32, i64, Vec<Row>) {
        let s = parsed(status);
        let int = |v: &Value| v.as_i64().expect("integer");
        let rows = parsed(replication)
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| Row {
                node_id: int(&r["NodeId"]) as i32,
                log_end_offset: int(&r["LogEndOffset"]),
                lag: int(&r["Lag"]),
                last_fetch: int(&r["LastFetchTimestamp"]),
                last_caught_up: int(&r["LastCaughtUpTimestamp"]),
                status: r["Status"].as_str().expect("status").to_owned(),
            })
            .collect();
        (
            int(&s["LeaderId"]) as i32,
            int(&s["LeaderEpoch"]) as i32,
            int(&s["HighWatermark"]),
            rows,
        )
    }

    fn replica_state(id: i32, leo: i64, fetch: i64, caught_up: i64, version: i16) -> ReplicaState {
        let mut r = ReplicaState::default()
            .with_replica_id(BrokerId(id))
            .with_log_end_offset(leo);
        if version >= 1 {
            r = r
                .with_last_fetch_timestamp(fetch)
                .with_last_caught_up_timestamp(caught_up);
        }
        r
    }

    fn quorum_response(
        leader: i32,
        epoch: i32,
        hw: i64,
        voters: Vec<ReplicaState>,
        observers: Vec<ReplicaState>,
    ) -> DescribeQuorumResponse {
        DescribeQuorumResponse::default().with_topics(vec![TopicData::default()
            .with_topic_name(TopicName(StrBytes::from_static_str(CLUSTER_METADATA_TOPIC)))
            .with_partitions(vec![PartitionData::default()
                .with_partition_index(0)
                .with_leader_id(BrokerId(leader))
                .with_leader_epoch(epoch)
                .with_high_watermark(hw)
                .with_current_voters(voters)
                .with_observers(observers)])])
    }

    /// The recorded scenario as the broker would have encoded it at `version`.
    fn recorded_response(status: &str, replication: &str, version: i16) -> DescribeQuorumResponse {
        let (leader, epoch, hw, rows) = recorded(status, replication);
        let state = |r: &Row| {
            replica_state(
                r.node_id,
                r.log_end_offset,
                r.last_fetch,
                r.last_caught_up,
                version,
            )
        };
        let voters = rows
            .iter()
            .filter(|r| r.status != "Observer")
            .map(state)
            .collect();
        let observers = rows
            .iter()
            .filter(|r| r.status == "Observer")
            .map(state)
            .collect();
        quorum_response(leader, epoch, hw, voters, observers)
    }

    fn encode_body<T: Encodable>(msg: &T, version: i16) -> Vec<u8> {
        let mut buf = BytesMut::new();
        msg.encode(&mut buf, version).expect("encodes");
        buf.to_vec()
    }

    fn round_trip(status: &str, replication: &str, version: i16) -> (QuorumSnapshot, Vec<Row>) {
        let body = encode_body(&recorded_response(status, replication, version), version);
        let snap = decode_describe_quorum_response(&body, version, "test:9092").expect("decodes");
        (snap, recorded(status, replication).3)
    }

    #[test]
    fn healthy_round_trip_matches_recorded_facts() {
        for version in [1, 2] {
            let (snap, rows) = round_trip(HEALTHY_STATUS, HEALTHY_REPLICATION, version);
            // Fact 1: the quorum leader is 3, epoch 1, all three voters caught up.
            assert_eq!((snap.leader_id, snap.leader_epoch), (3, 1), "v{version}");
            assert_eq!(snap.high_watermark, 808);
            let mut ids: Vec<i32> = snap.voters.iter().map(|v| v.id).collect();
            ids.sort_unstable();
            assert_eq!(ids, [1, 2, 3]);
            assert!(snap.observers.is_empty());
            for v in &snap.voters {
                assert_eq!(snap.lag_of(v), Some(0), "v{version} node {}", v.id);
                assert!(v.last_caught_up_timestamp_ms > 1_795_346_000_000);
            }
            for r in &rows {
                let v = snap
                    .voters
                    .iter()
                    .find(|v| v.id == r.node_id)
                    .expect("voter");
                assert_eq!(v.log_end_offset, r.log_end_offset);
                assert_eq!(v.last_caught_up_timestamp_ms, r.last_caught_up);
                assert_eq!(snap.lag_of(v), Some(r.lag));
            }
        }
    }

    #[test]
    fn broker_down_round_trip_matches_recorded_facts() {
        for version in [1, 2] {
            let (snap, rows) = round_trip(DOWN_STATUS, DOWN_REPLICATION, version);
            // Fact 8: leader 1, epoch 2; node 3 has LEO -1, lag = leader LEO + 1, caught-up -1.
            assert_eq!((snap.leader_id, snap.leader_epoch), (1, 2), "v{version}");
            let leader_leo = snap.leader_log_end_offset().expect("leader is a voter");
            assert_eq!(leader_leo, 1487);
            let dead = snap.voters.iter().find(|v| v.id == 3).expect("node 3");
            assert_eq!(dead.log_end_offset, -1);
            assert_eq!(dead.last_caught_up_timestamp_ms, -1);
            assert_eq!(snap.lag_of(dead), Some(leader_leo + 1));
            assert_eq!(snap.lag_of(dead), Some(1488));
            for r in &rows {
                let v = snap
                    .voters
                    .iter()
                    .find(|v| v.id == r.node_id)
                    .expect("voter");
                assert_eq!(snap.lag_of(v), Some(r.lag), "node {}", r.node_id);
            }
        }
    }

    #[test]
    fn v0_has_no_timestamps() {
        let (snap, _) = round_trip(HEALTHY_STATUS, HEALTHY_REPLICATION, 0);
        assert_eq!(snap.leader_id, 3);
        assert!(snap
            .voters
            .iter()
            .all(|v| v.last_caught_up_timestamp_ms == -1));
    }

    #[test]
    fn error_codes_and_missing_leader_become_reasons() {
        let mut top = quorum_response(3, 1, 10, vec![], vec![]);
        top.error_code = ResponseError::ClusterAuthorizationFailed.code();
        let e = decode_describe_quorum_response(&encode_body(&top, 2), 2, "b:1").unwrap_err();
        let reason = e.to_string();
        assert!(reason.contains("CLUSTER_AUTHORIZATION_FAILED"), "{reason}");
        assert!(reason.contains("DESCRIBE on CLUSTER"), "{reason}");

        let mut part = quorum_response(3, 1, 10, vec![], vec![]);
        part.topics[0].partitions[0].error_code = ResponseError::NotLeaderOrFollower.code();
        let reason = decode_describe_quorum_response(&encode_body(&part, 1), 1, "b:1")
            .unwrap_err()
            .to_string();
        assert!(reason.contains("NOT_LEADER_OR_FOLLOWER"), "{reason}");
        assert!(reason.contains("no active leader"), "{reason}");

        let leaderless = quorum_response(-1, 5, 10, vec![], vec![]);
        let e =
            decode_describe_quorum_response(&encode_body(&leaderless, 2), 2, "b:1").unwrap_err();
        assert!(
            matches!(e, QuorumError::NoLeader { leader_id: -1, .. }),
            "{e}"
        );

        let empty = DescribeQuorumResponse::default();
        let e = decode_describe_quorum_response(&encode_body(&empty, 2), 2, "b:1").unwrap_err();
        assert!(matches!(e, QuorumError::Malformed { .. }), "{e}");

        let e = decode_describe_quorum_response(&[0, 0, 9], 2, "b:1").unwrap_err();
        assert!(matches!(e, QuorumError::Protocol { .. }), "{e}");
    }

    #[test]
    fn refused_endpoints_are_collected_from_every_attempt() {
        let refused = |b: &str| QuorumError::Connect {
            broker: b.to_owned(),
            detail: "connection refused (os error 111)".into(),
        };
        let e = QuorumError::AllFailed {
            errors: vec![
                refused("127.0.0.1:29093"),
                QuorumError::Timeout {
                    broker: "127.0.0.1:29092".into(),
                    step: "DescribeQuorum",
                    waited_ms: 10,
                },
                QuorumError::Connect {
                    broker: "10.0.0.9:9092".into(),
                    detail: "no route to host".into(),
                },
                refused("127.0.0.1:29094"),
            ],
        };
        let got: Vec<String> = e.refused_endpoints().into_iter().map(|(b, _)| b).collect();
        assert_eq!(got, vec!["127.0.0.1:29093", "127.0.0.1:29094"]);
        assert_eq!(refused("h:1").refused_endpoints().len(), 1);
        assert!(QuorumError::NoBootstrap.refused_endpoints().is_empty());
    }

    #[test]
    fn causes_say_what_the_failure_tells_about_the_quorum() {
        use QuorumUnknownCause::*;
        let b = || "b:1".to_owned();
        let timeout = |step| QuorumError::Timeout {
            broker: b(),
            step,
            waited_ms: 10,
        };
        let kafka = |name: &str| QuorumError::Kafka {
            broker: b(),
            step: "DescribeQuorum",
            code: 0,
            name: name.to_owned(),
            message: None,
        };
        let refused = || QuorumError::Connect {
            broker: b(),
            detail: "connection refused".into(),
        };
        let cases = [
            (QuorumError::NotSupported { broker: b() }, Unsupported),
            (
                QuorumError::VersionMismatch {
                    broker: b(),
                    min: 5,
                    max: 6,
                },
                Unsupported,
            ),
            (kafka("CLUSTER_AUTHORIZATION_FAILED"), Denied),
            (
                QuorumError::Sasl {
                    broker: b(),
                    detail: "bad".into(),
                },
                Denied,
            ),
            (kafka("REQUEST_TIMED_OUT"), NoController),
            (kafka("NOT_LEADER_OR_FOLLOWER"), Other),
            (timeout("DescribeQuorum"), NoController),
            (
                QuorumError::NoLeader {
                    broker: b(),
                    leader_id: -1,
                },
                NoController,
            ),
            (timeout("connect"), Unreachable),
            (timeout("ApiVersions"), Unreachable),
            (refused(), Unreachable),
            (
                QuorumError::Config {
                    reason: "GSSAPI".into(),
                },
                Other,
            ),
            (
                QuorumError::AllFailed {
                    errors: vec![refused(), timeout("DescribeQuorum")],
                },
                NoController,
            ),
            (
                QuorumError::AllFailed {
                    errors: vec![refused(), timeout("connect")],
                },
                Unreachable,
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.cause(), want, "{e}");
            assert!(
                matches!(QuorumView::from(e), QuorumView::Unknown { cause, .. } if cause == want)
            );
        }
    }

    #[test]
    fn error_names_are_kafkas() {
        assert_eq!(error_name(31), "CLUSTER_AUTHORIZATION_FAILED");
        assert_eq!(error_name(6), "NOT_LEADER_OR_FOLLOWER");
        assert_eq!(error_name(-1), "UNKNOWN_SERVER_ERROR");
        assert_eq!(error_name(9999), "UNKNOWN_ERROR_CODE_9999");
    }

    #[test]
    fn versions_are_negotiated() {
        let keys = |min, max| {
            vec![ApiVersion::default()
                .with_api_key(55)
                .with_min_version(min)
                .with_max_version(max)]
        };
        assert_eq!(
            pick_version(&keys(0, 2), ApiKey::DescribeQuorum, (0, 2)),
            Ok(2)
        );
        assert_eq!(
            pick_version(&keys(0, 7), ApiKey::DescribeQuorum, (0, 2)),
            Ok(2)
        );
        assert_eq!(
            pick_version(&keys(0, 1), ApiKey::DescribeQuorum, (0, 2)),
            Ok(1)
        );
        assert_eq!(
            pick_version(&keys(3, 4), ApiKey::DescribeQuorum, (0, 2)),
            Err(Some((3, 4)))
        );
        assert_eq!(pick_version(&[], ApiKey::DescribeQuorum, (0, 2)), Err(None));
    }

    #[test]
    fn host_is_split_from_port() {
        assert_eq!(split_host("127.0.0.1:9092"), Some("127.0.0.1"));
        assert_eq!(split_host("kafka-1.example:9093"), Some("kafka-1.example"));
        assert_eq!(split_host("[::1]:9092"), Some("::1"));
        assert_eq!(split_host("kafka-1"), None);
        assert_eq!(split_host("kafka-1:http"), None);
    }

    // ---- security settings --------------------------------------------------------------------

    const PASSWORD: &str = "hunter2-Sup3rSecret";

    #[test]
    fn properties_are_read_and_secrets_redacted() {
        let sec = QuorumSecurity::from_properties([
            ("security.protocol", "sasl_ssl"),
            ("sasl.mechanisms", "SCRAM-SHA-512"),
            ("sasl.username", "alice"),
            ("sasl.password", PASSWORD),
            ("ssl.key.password", PASSWORD),
            ("ssl.endpoint.identification.algorithm", "none"),
        ]);
        assert_eq!(sec.protocol(), SecurityProtocol::SaslSsl);
        assert_eq!(sec.sasl_mechanism(), Some(SaslMechanism::ScramSha512));
        assert_eq!(sec.problem(), None);
        assert!(!sec.tls.verify_hostname);
        let debug = format!("{sec:?}");
        assert!(!debug.contains(PASSWORD), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert_eq!(
            sec.scrub(&format!("bad password {PASSWORD}!")),
            "bad password <redacted>!"
        );
    }

    #[test]
    fn unsupported_settings_are_reasons() {
        let gssapi = QuorumSecurity::from_properties([("security.protocol", "SASL_PLAINTEXT")]);
        assert!(gssapi
            .problem()
            .unwrap()
            .contains("GSSAPI is not supported yet"));
        let oauth = QuorumSecurity::from_properties([
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "OAUTHBEARER"),
        ]);
        assert!(oauth
            .problem()
            .unwrap()
            .contains("SASL/OAUTHBEARER is not supported yet"));
        let no_password = QuorumSecurity::from_properties([
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.username", "alice"),
        ]);
        assert!(no_password.problem().unwrap().contains("sasl.password"));
        let bogus = QuorumSecurity::from_properties([("security.protocol", "TLS")]);
        assert!(bogus.problem().unwrap().contains("security.protocol 'TLS'"));
    }

    #[tokio::test]
    async fn config_problem_is_unknown_without_network() {
        let sec = QuorumSecurity::from_properties([("security.protocol", "SASL_SSL")]);
        let view = describe_quorum(&["192.0.2.1:9".to_owned()], &sec, Duration::from_secs(5)).await;
        assert!(
            matches!(&view, QuorumView::Unknown { reason, .. } if reason.contains("GSSAPI")),
            "{view:?}"
        );
        let missing_ca = QuorumSecurity::from_properties([
            ("security.protocol", "SSL"),
            ("ssl.ca.location", "/nonexistent/kafka-mcp/ca.pem"),
        ]);
        let view = describe_quorum(
            &["192.0.2.1:9".to_owned()],
            &missing_ca,
            Duration::from_secs(5),
        )
        .await;
        assert!(
            matches!(&view, QuorumView::Unknown { reason, .. } if reason.contains("ssl.ca.location '/nonexistent/kafka-mcp/ca.pem'")),
            "{view:?}"
        );
        let view = describe_quorum(&[], &QuorumSecurity::plaintext(), Duration::from_secs(1)).await;
        assert!(
            matches!(&view, QuorumView::Unknown { reason, .. } if reason.contains("bootstrap.servers"))
        );
    }

    // ---- SCRAM --------------------------------------------------------------------------------

    #[test]
    fn scram_sha256_matches_rfc7677() {
        let first = ScramClientFirst::new("user", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(first.message(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let fin = first
            .finish(SaslMechanism::ScramSha256, "pencil", server_first)
            .expect("finishes");
        assert_eq!(
            fin.message,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        fin.verify_server("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .expect("server proves itself");
        assert!(fin.verify_server("v=AAAA").is_err());
        assert!(fin
            .verify_server("e=invalid-proof")
            .unwrap_err()
            .contains("invalid-proof"));
    }

    #[test]
    fn scram_refuses_bad_server_first() {
        let first = ScramClientFirst::new("us=er,x", "abc");
        assert_eq!(first.message(), "n,,n=us=3Der=2Cx,r=abc");
        let mech = SaslMechanism::ScramSha512;
        assert!(first.finish(mech, "p", "r=zzz,s=AAAA,i=4096").is_err());
        assert!(first
            .finish(mech, "p", "r=abcd,s=AAAA,i=999999999")
            .is_err());
        assert!(first.finish(mech, "p", "r=abcd,i=4096").is_err());
    }

    // ---- fake broker ----------------------------------------------------------------------------

    #[derive(Clone)]
    struct FakeSasl {
        mechanisms: Vec<&'static str>,
        username: &'static str,
        password: &'static str,
        /// Error message sent on failed auth; may (badly) echo what the client sent.
        echo_attempt: bool,
    }

    #[derive(Clone)]
    struct Fake {
        api_keys: Vec<(i16, i16, i16)>,
        quorum: DescribeQuorumResponse,
        sasl: Option<FakeSasl>,
        mute: bool,
        /// Answers ApiVersions but never DescribeQuorum (a broker with no controller to ask).
        quorum_hangs: bool,
        oversized: bool,
        seen: Arc<Mutex<Vec<i16>>>,
    }

    impl Fake {
        fn kraft() -> Fake {
            let voters = |v| {
                vec![
                    replica_state(3, 818, 1_795_346_330_746, 1_795_346_330_746, v),
                    replica_state(1, 818, 1_795_346_330_286, 1_795_346_330_286, v),
                    replica_state(2, 818, 1_795_346_330_289, 1_795_346_330_289, v),
                ]
            };
            Fake {
                api_keys: vec![(18, 0, 4), (17, 0, 1), (36, 0, 2), (55, 0, 2)],
                quorum: quorum_response(3, 1, 808, voters(1), vec![]),
                sasl: None,
                mute: false,
                quorum_hangs: false,
                oversized: false,
                seen: Arc::new(Mutex::new(Vec::new())),
            }
        }
    }

    fn self_signed() -> (PKey<Private>, X509) {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "kafka-mcp-test").unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        let serial = BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap();
        b.set_serial_number(&serial).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        let san = SubjectAlternativeName::new()
            .ip("127.0.0.1")
            .dns("localhost")
            .build(&b.x509v3_context(None, None))
            .unwrap();
        b.append_extension(san).unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        (key, b.build())
    }

    fn acceptor(key: &PKey<Private>, cert: &X509) -> Arc<SslAcceptor> {
        let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).unwrap();
        b.set_private_key(key).unwrap();
        b.set_certificate(cert).unwrap();
        Arc::new(b.build())
    }

    async fn spawn_fake(fake: Fake, tls: Option<Arc<SslAcceptor>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let fake = fake.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve(tcp, fake).await,
                        Some(acceptor) => {
                            let ssl = Ssl::new(acceptor.context()).unwrap();
                            let mut s = tokio_openssl::SslStream::new(ssl, tcp).unwrap();
                            if Pin::new(&mut s).accept().await.is_ok() {
                                serve(s, fake).await;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    fn frame<R: Encodable>(
        correlation_id: i32,
        header_version: i16,
        body: &R,
        version: i16,
    ) -> Vec<u8> {
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        ResponseHeader::default()
            .with_correlation_id(correlation_id)
            .encode(&mut buf, header_version)
            .unwrap();
        body.encode(&mut buf, version).unwrap();
        let n = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&n.to_be_bytes());
        buf.to_vec()
    }

    /// Server side of SCRAM for the fake broker.
    struct ScramServer {
        client_first_bare: String,
        server_first: String,
        nonce: String,
    }

    const FAKE_SALT: &[u8] = b"kafka-mcp-fake-salt";

    fn scram_salted(mech: SaslMechanism, password: &str) -> Vec<u8> {
        let md = mech.digest();
        let mut salted = vec![0u8; md.size()];
        openssl::pkcs5::pbkdf2_hmac(password.as_bytes(), FAKE_SALT, 4096, md, &mut salted).unwrap();
        salted
    }

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, fake: Fake) {
        let mut authed = fake.sasl.is_none();
        let mut mechanism: Option<SaslMechanism> = None;
        let mut scram: Option<ScramServer> = None;
        loop {
            let mut prefix = [0u8; 4];
            if s.read_exact(&mut prefix).await.is_err() {
                return;
            }
            let mut body = vec![0u8; i32::from_be_bytes(prefix) as usize];
            if s.read_exact(&mut body).await.is_err() {
                return;
            }
            if fake.mute {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return;
            }
            if fake.oversized {
                let _ = s
                    .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])
                    .await;
                return;
            }
            let mut buf = Bytes::from(body);
            let header = decode_request_header_from_buffer(&mut buf).unwrap();
            let v = header.request_api_version;
            let id = header.correlation_id;
            let out = match ApiKey::try_from(header.request_api_key).unwrap() {
                ApiKey::ApiVersions => {
                    let resp = ApiVersionsResponse::default().with_api_keys(
                        fake.api_keys
                            .iter()
                            .map(|&(k, lo, hi)| {
                                ApiVersion::default()
                                    .with_api_key(k)
                                    .with_min_version(lo)
                                    .with_max_version(hi)
                            })
                            .collect(),
                    );
                    frame(id, ApiVersionsResponse::header_version(v), &resp, v)
                }
                ApiKey::SaslHandshake => {
                    let req = SaslHandshakeRequest::decode(&mut buf, v).unwrap();
                    let sasl = fake.sasl.as_ref().expect("SASL listener");
                    let offered = sasl.mechanisms.contains(&req.mechanism.as_str());
                    mechanism = match req.mechanism.as_str() {
                        "PLAIN" => Some(SaslMechanism::Plain),
                        "SCRAM-SHA-256" => Some(SaslMechanism::ScramSha256),
                        "SCRAM-SHA-512" => Some(SaslMechanism::ScramSha512),
                        _ => None,
                    };
                    let resp = SaslHandshakeResponse::default()
                        .with_error_code(if offered {
                            0
                        } else {
                            ResponseError::UnsupportedSaslMechanism.code()
                        })
                        .with_mechanisms(
                            sasl.mechanisms
                                .iter()
                                .map(|m| StrBytes::from_static_str(m))
                                .collect(),
                        );
                    frame(id, SaslHandshakeResponse::header_version(v), &resp, v)
                }
                ApiKey::SaslAuthenticate => {
                    let req = SaslAuthenticateRequest::decode(&mut buf, v).unwrap();
                    let sasl = fake.sasl.as_ref().expect("SASL listener");
                    let token = String::from_utf8_lossy(&req.auth_bytes).into_owned();
                    let mut resp = SaslAuthenticateResponse::default();
                    let fail = |resp: &mut SaslAuthenticateResponse, what: &str| {
                        resp.error_code = ResponseError::SaslAuthenticationFailed.code();
                        let msg = if sasl.echo_attempt {
                            format!("Authentication failed: invalid credentials ({what})")
                        } else {
                            "Authentication failed: Invalid username or password".to_owned()
                        };
                        resp.error_message = Some(StrBytes::from_string(msg));
                    };
                    match (mechanism.expect("handshake first"), scram.take()) {
                        (SaslMechanism::Plain, _) => {
                            let want = format!("\0{}\0{}", sasl.username, sasl.password);
                            if token == want {
                                authed = true;
                            } else {
                                fail(&mut resp, &token.replace('\0', " "));
                            }
                        }
                        (_, None) => {
                            let bare = token.strip_prefix("n,,").expect("gs2 header").to_owned();
                            let cnonce = bare.split_once(",r=").expect("nonce").1.to_owned();
                            let nonce = format!("{cnonce}fake");
                            let server_first =
                                format!("r={nonce},s={},i=4096", BASE64.encode(FAKE_SALT));
                            resp.auth_bytes = Bytes::from(server_first.clone());
                            scram = Some(ScramServer {
                                client_first_bare: bare,
                                server_first,
                                nonce,
                            });
                        }
                        (mech, Some(st)) => {
                            let md = mech.digest();
                            let (without_proof, proof) = token.rsplit_once(",p=").expect("proof");
                            assert_eq!(without_proof, format!("c=biws,r={}", st.nonce));
                            let salted = scram_salted(mech, sasl.password);
                            let client_key = hmac(md, &salted, b"Client Key").unwrap();
                            let stored = openssl::hash::hash(md, &client_key).unwrap();
                            let am = format!(
                                "{},{},{without_proof}",
                                st.client_first_bare, st.server_first
                            );
                            let sig = hmac(md, &stored, am.as_bytes()).unwrap();
                            let proof = BASE64.decode(proof).unwrap();
                            let recovered: Vec<u8> =
                                proof.iter().zip(&sig).map(|(a, b)| a ^ b).collect();
                            if *openssl::hash::hash(md, &recovered).unwrap() == *stored {
                                authed = true;
                                let server_key = hmac(md, &salted, b"Server Key").unwrap();
                                let ss = hmac(md, &server_key, am.as_bytes()).unwrap();
                                resp.auth_bytes = Bytes::from(format!("v={}", BASE64.encode(ss)));
                            } else {
                                fail(&mut resp, "bad proof");
                            }
                        }
                    }
                    frame(id, SaslAuthenticateResponse::header_version(v), &resp, v)
                }
                ApiKey::DescribeQuorum => {
                    if !authed {
                        return; // Kafka closes unauthenticated connections.
                    }
                    if fake.quorum_hangs {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    }
                    let req = DescribeQuorumRequest::decode(&mut buf, v).unwrap();
                    assert_eq!(req.topics[0].topic_name.0.as_str(), CLUSTER_METADATA_TOPIC);
                    assert_eq!(req.topics[0].partitions[0].partition_index, 0);
                    fake.seen.lock().unwrap().push(v);
                    let mut resp = fake.quorum.clone();
                    if v == 0 {
                        for t in &mut resp.topics {
                            for p in &mut t.partitions {
                                for r in p.current_voters.iter_mut().chain(p.observers.iter_mut()) {
                                    r.last_fetch_timestamp = -1;
                                    r.last_caught_up_timestamp = -1;
                                }
                            }
                        }
                    }
                    frame(id, DescribeQuorumResponse::header_version(v), &resp, v)
                }
                other => panic!("unexpected request {other:?}"),
            };
            if s.write_all(&out).await.is_err() {
                return;
            }
        }
    }

    async fn ask(bootstrap: &[&str], sec: &QuorumSecurity, timeout: Duration) -> QuorumView {
        let list: Vec<String> = bootstrap.iter().map(|s| (*s).to_owned()).collect();
        describe_quorum(&list, sec, timeout).await
    }

    fn reason(view: &QuorumView) -> &str {
        match view {
            QuorumView::Unknown { reason, .. } => reason,
            QuorumView::Known(s) => panic!("expected Unknown, got {s:?}"),
        }
    }

    fn cause(view: &QuorumView) -> QuorumUnknownCause {
        match view {
            QuorumView::Unknown { cause, .. } => *cause,
            QuorumView::Known(s) => panic!("expected Unknown, got {s:?}"),
        }
    }

    fn known(view: &QuorumView) -> &QuorumSnapshot {
        match view {
            QuorumView::Known(s) => s,
            QuorumView::Unknown { reason, .. } => panic!("expected Known, got: {reason}"),
        }
    }

    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn fake_broker_gives_the_real_leader() {
        let fake = Fake::kraft();
        let seen = fake.seen.clone();
        let addr = spawn_fake(fake, None).await;
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        let snap = known(&view);
        assert_eq!(
            (snap.leader_id, snap.leader_epoch, snap.high_watermark),
            (3, 1, 808)
        );
        assert_eq!(snap.voters.len(), 3);
        assert_eq!(
            snap.voters[1].last_caught_up_timestamp_ms,
            1_795_346_330_286
        );
        assert_eq!(*seen.lock().unwrap(), [2]);
    }

    #[tokio::test]
    async fn highest_common_version_is_used() {
        for (max, want) in [(1, 1), (0, 0), (9, 2)] {
            let mut fake = Fake::kraft();
            fake.api_keys = vec![(18, 0, 4), (55, 0, max)];
            let seen = fake.seen.clone();
            let addr = spawn_fake(fake, None).await;
            let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
            assert_eq!(known(&view).leader_id, 3);
            assert_eq!(*seen.lock().unwrap(), [want]);
        }
    }

    #[tokio::test]
    async fn broker_without_describe_quorum_is_unknown() {
        let mut fake = Fake::kraft();
        fake.api_keys = vec![(18, 0, 4), (3, 0, 12)];
        let addr = spawn_fake(fake, None).await;
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        let r = reason(&view);
        assert!(r.starts_with(NOT_SUPPORTED), "{r}");
        assert!(r.contains(&addr), "{r}");
    }

    #[tokio::test]
    async fn silent_broker_is_unknown_within_the_timeout() {
        let mut fake = Fake::kraft();
        fake.mute = true;
        let addr = spawn_fake(fake, None).await;
        let timeout = Duration::from_millis(600);
        let t0 = StdInstant::now();
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), timeout).await;
        let elapsed = t0.elapsed();
        assert!(elapsed < timeout + Duration::from_secs(1), "{elapsed:?}");
        let r = reason(&view);
        assert!(
            r.contains(&addr) && r.contains("ApiVersions") && r.contains(" ms"),
            "{r}"
        );
        // A broker that never answers ApiVersions says nothing about the quorum.
        assert_eq!(cause(&view), QuorumUnknownCause::Unreachable);
    }

    #[tokio::test]
    async fn leaderless_quorum_times_out_naming_describe_quorum() {
        // two-down (fact 16): the surviving broker accepts DescribeQuorum and never answers.
        let mut fake = Fake::kraft();
        fake.quorum_hangs = true;
        let addr = spawn_fake(fake, None).await;
        let timeout = Duration::from_millis(600);
        let t0 = StdInstant::now();
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), timeout).await;
        assert!(t0.elapsed() < timeout + Duration::from_secs(1));
        let r = reason(&view);
        assert!(
            r.starts_with(&format!("{addr} did not answer DescribeQuorum within")),
            "{r}"
        );
        assert!(r.contains("majority of controllers"), "{r}");
        assert_eq!(cause(&view), QuorumUnknownCause::NoController);
    }

    #[tokio::test]
    async fn silent_first_broker_leaves_time_for_the_next() {
        let mut silent = Fake::kraft();
        silent.mute = true;
        let silent = spawn_fake(silent, None).await;
        let good = spawn_fake(Fake::kraft(), None).await;
        let t0 = StdInstant::now();
        let view = ask(
            &[&silent, &good],
            &QuorumSecurity::plaintext(),
            Duration::from_secs(2),
        )
        .await;
        assert_eq!(known(&view).leader_id, 3);
        assert!(
            t0.elapsed() < Duration::from_millis(1900),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test]
    async fn nothing_listening_is_connection_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        drop(listener);
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        let r = reason(&view);
        assert!(r.contains("connection refused") && r.contains(&addr), "{r}");
        assert_eq!(cause(&view), QuorumUnknownCause::Unreachable);
    }

    #[tokio::test]
    async fn next_bootstrap_server_is_tried() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead = listener.local_addr().unwrap().to_string();
        drop(listener);
        let addr = spawn_fake(Fake::kraft(), None).await;
        let view = ask(
            &[&format!("{dead}, {addr}")],
            &QuorumSecurity::plaintext(),
            T,
        )
        .await;
        assert_eq!(known(&view).leader_id, 3);

        let view = ask(&[&dead, "not-a-port"], &QuorumSecurity::plaintext(), T).await;
        let r = reason(&view);
        assert!(r.starts_with("no bootstrap server answered"), "{r}");
        assert!(
            r.contains("connection refused") && r.contains("'not-a-port' is not host:port"),
            "{r}"
        );
    }

    #[tokio::test]
    async fn kafka_error_codes_are_actionable() {
        let mut fake = Fake::kraft();
        fake.quorum.error_code = ResponseError::ClusterAuthorizationFailed.code();
        fake.quorum.error_message =
            Some(StrBytes::from_static_str("Cluster authorization failed."));
        let addr = spawn_fake(fake, None).await;
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        assert_eq!(cause(&view), QuorumUnknownCause::Denied);
        let r = reason(&view).to_owned();
        assert!(r.contains("CLUSTER_AUTHORIZATION_FAILED"), "{r}");
        assert!(r.contains("ACL DESCRIBE on CLUSTER"), "{r}");
        assert!(r.contains(&addr), "{r}");

        let mut fake = Fake::kraft();
        fake.quorum.topics[0].partitions[0].error_code = ResponseError::NotLeaderOrFollower.code();
        let addr = spawn_fake(fake, None).await;
        let view = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        // A transient election answer is not evidence that the quorum is down.
        assert_eq!(cause(&view), QuorumUnknownCause::Other);
        let r = reason(&view).to_owned();
        assert!(
            r.contains("NOT_LEADER_OR_FOLLOWER") && r.contains("retry"),
            "{r}"
        );
    }

    #[tokio::test]
    async fn oversized_frame_is_refused() {
        let mut fake = Fake::kraft();
        fake.oversized = true;
        let addr = spawn_fake(fake, None).await;
        let r = reason(&ask(&[&addr], &QuorumSecurity::plaintext(), T).await).to_owned();
        assert!(r.contains("over the 16777216-byte limit"), "{r}");
        assert!(r.contains("security.protocol"), "{r}");
    }

    fn sasl_fake(mechanisms: Vec<&'static str>, echo_attempt: bool) -> Fake {
        let mut fake = Fake::kraft();
        fake.sasl = Some(FakeSasl {
            mechanisms,
            username: "alice",
            password: PASSWORD,
            echo_attempt,
        });
        fake
    }

    fn sasl_security(protocol: &str, mechanism: &str, password: &str) -> QuorumSecurity {
        QuorumSecurity::from_properties([
            ("security.protocol", protocol),
            ("sasl.mechanism", mechanism),
            ("sasl.username", "alice"),
            ("sasl.password", password),
        ])
    }

    #[tokio::test]
    async fn sasl_plain_authenticates() {
        let addr = spawn_fake(sasl_fake(vec!["PLAIN"], false), None).await;
        let sec = sasl_security("SASL_PLAINTEXT", "PLAIN", PASSWORD);
        assert_eq!(known(&ask(&[&addr], &sec, T).await).leader_id, 3);

        // Without SASL the fake closes the connection at DescribeQuorum.
        let r = reason(&ask(&[&addr], &QuorumSecurity::plaintext(), T).await).to_owned();
        assert!(r.contains("closed the connection"), "{r}");
    }

    #[tokio::test]
    async fn sasl_failure_never_shows_the_password() {
        let addr = spawn_fake(sasl_fake(vec!["PLAIN"], true), None).await;
        let wrong = "Wr0ng-Passw0rd-xyz";
        let sec = sasl_security("SASL_PLAINTEXT", "PLAIN", wrong);
        let view = ask(&[&addr], &sec, T).await;
        let r = reason(&view).to_owned();
        assert!(
            r.contains("SASL_AUTHENTICATION_FAILED") && r.contains("sasl.password"),
            "{r}"
        );
        assert!(r.contains("<redacted>"), "the fake echoed the attempt: {r}");
        for text in [r, format!("{view:?}"), format!("{sec:?}")] {
            assert!(!text.contains(wrong) && !text.contains(PASSWORD), "{text}");
        }

        let sec = sasl_security("SASL_PLAINTEXT", "PLAIN", PASSWORD);
        let e = describe_quorum_snapshot(
            std::slice::from_ref(&addr),
            &sasl_security("SASL_PLAINTEXT", "PLAIN", wrong),
            T,
        )
        .await
        .unwrap_err();
        assert!(!format!("{e:?}").contains(wrong));
        assert!(known(&ask(&[&addr], &sec, T).await).leader_id == 3);
    }

    #[tokio::test]
    async fn sasl_mechanism_not_enabled_lists_the_offered_ones() {
        let addr = spawn_fake(sasl_fake(vec!["SCRAM-SHA-512"], false), None).await;
        let sec = sasl_security("SASL_PLAINTEXT", "PLAIN", PASSWORD);
        let r = reason(&ask(&[&addr], &sec, T).await).to_owned();
        assert!(
            r.contains("UNSUPPORTED_SASL_MECHANISM") && r.contains("[SCRAM-SHA-512]"),
            "{r}"
        );
    }

    #[tokio::test]
    async fn sasl_scram_authenticates() {
        for mech in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
            let addr = spawn_fake(sasl_fake(vec![mech], false), None).await;
            let sec = sasl_security("SASL_PLAINTEXT", mech, PASSWORD);
            assert_eq!(known(&ask(&[&addr], &sec, T).await).leader_id, 3, "{mech}");

            let bad = sasl_security("SASL_PLAINTEXT", mech, "not-the-password");
            let r = reason(&ask(&[&addr], &bad, T).await).to_owned();
            assert!(r.contains("SASL_AUTHENTICATION_FAILED"), "{mech}: {r}");
            assert!(!r.contains("not-the-password"));
        }
    }

    #[tokio::test]
    async fn tls_verifies_the_broker() {
        let (key, cert) = self_signed();
        let addr = spawn_fake(Fake::kraft(), Some(acceptor(&key, &cert))).await;
        let ca = String::from_utf8(cert.to_pem().unwrap()).unwrap();

        let trusted = QuorumSecurity::from_properties([
            ("security.protocol", "SSL"),
            ("ssl.ca.pem", ca.as_str()),
        ]);
        assert_eq!(known(&ask(&[&addr], &trusted, T).await).leader_id, 3);

        let untrusted = QuorumSecurity::from_properties([("security.protocol", "SSL")]);
        let r = reason(&ask(&[&addr], &untrusted, T).await).to_owned();
        assert!(
            r.starts_with(&format!("TLS handshake with {addr} failed")),
            "{r}"
        );
        assert!(
            r.contains("certificate verify") && r.contains("ssl.ca.location"),
            "{r}"
        );

        let unverified = QuorumSecurity::from_properties([
            ("security.protocol", "SSL"),
            ("enable.ssl.certificate.verification", "false"),
        ]);
        assert_eq!(known(&ask(&[&addr], &unverified, T).await).leader_id, 3);

        let plain = ask(&[&addr], &QuorumSecurity::plaintext(), T).await;
        assert!(matches!(plain, QuorumView::Unknown { .. }));
    }

    #[tokio::test]
    async fn sasl_ssl_scram_authenticates() {
        let (key, cert) = self_signed();
        let addr = spawn_fake(
            sasl_fake(vec!["SCRAM-SHA-512"], false),
            Some(acceptor(&key, &cert)),
        )
        .await;
        let ca = String::from_utf8(cert.to_pem().unwrap()).unwrap();
        let sec = QuorumSecurity::from_properties([
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", "alice"),
            ("sasl.password", PASSWORD),
            ("ssl.ca.pem", ca.as_str()),
        ]);
        assert_eq!(known(&ask(&[&addr], &sec, T).await).leader_id, 3);
    }
}

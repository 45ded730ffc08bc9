//! Errors of the wire client and their hints. They live here, not in `kafka::error`, because
//! they speak the wire's language (a broker address, a protocol step, a TLS or SASL failure, a
//! frame size) and never reach a tool as they are: `kafka::quorum` turns them into a
//! `QuorumView::Unknown` reason and `kafka::log_dirs` into per-broker failure text.
//! `NotSupported`, `VersionMismatch`, `NoLeader`, `Malformed` and `AllFailed` describe
//! DescribeQuorum, the request this client was first built for.
//!
//! Never shows a secret: broker messages are scrubbed before they become a variant.

use std::io;

use kafka_protocol::error::ResponseError;

/// The KRaft metadata log's topic; DescribeQuorum asks for its partition 0.
pub const CLUSTER_METADATA_TOPIC: &str = "__cluster_metadata";

/// Reason text when ApiVersions does not list DescribeQuorum.
pub(crate) const NOT_SUPPORTED: &str =
    "broker does not support DescribeQuorum (not a KRaft cluster, or a Kafka-compatible broker)";

/// Why a wire request gave no answer. Each message names the broker and the next move.
/// `kafka::quorum` re-exports it as `QuorumError`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
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
        errors: Vec<WireError>,
    },
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

pub(super) fn message_suffix(message: &Option<String>) -> String {
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

fn join_errors(errors: &[WireError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Kafka's name for an error code (`CLUSTER_AUTHORIZATION_FAILED`), or `error code N`.
pub fn error_name(code: i16) -> String {
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

/// Largest response frame we accept, in bytes; a bigger size prefix is refused unread.
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

pub(crate) fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => match e.raw_os_error() {
            Some(code) => format!("connection refused (os error {code})"),
            None => "connection refused".to_owned(),
        },
        io::ErrorKind::UnexpectedEof => "the broker closed the connection".to_owned(),
        _ => e.to_string(),
    }
}

/// The first reason in an openssl error stack, without file/line noise.
pub(crate) fn first_ssl_reason(e: &openssl::error::ErrorStack) -> String {
    e.errors()
        .iter()
        .find_map(|x| x.reason().map(str::to_owned))
        .unwrap_or_else(|| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_are_kafkas() {
        assert_eq!(error_name(31), "CLUSTER_AUTHORIZATION_FAILED");
        assert_eq!(error_name(6), "NOT_LEADER_OR_FOLLOWER");
        assert_eq!(error_name(-1), "UNKNOWN_SERVER_ERROR");
        assert_eq!(error_name(9999), "UNKNOWN_ERROR_CODE_9999");
    }
}

//! A raw Kafka wire-protocol client, for the few requests librdkafka does not offer
//! (DescribeQuorum, DescribeLogDirs): requests framed with `kafka-protocol` over TCP, optionally
//! TLS through openssl, optionally SASL PLAIN or SCRAM, configured from the same librdkafka-style
//! properties as the admin client.
//!
//! - `settings`: reads `security.protocol`, `sasl.*`, `ssl.*`, `client.id` into [`Security`].
//! - `conn`: TCP, framing, ApiVersions, version negotiation, deadlines; [`request_one`].
//! - `tls`: the openssl connector and handshake.
//! - `sasl`: SaslHandshake / SaslAuthenticate, PLAIN and SCRAM.
//! - `error`: [`WireError`], its hints, Kafka's error names.
//!
//! Contract: one request per fresh connection, everything within the caller's deadline; answers
//! are decoded `kafka-protocol` messages or a [`WireError`] naming the broker, the step and the
//! next move. Never retries on its own, never interprets an answer (that is `kafka::quorum`'s and
//! `kafka::log_dirs`'s job), never evaluates anything, never logs or shows a secret. Depends on
//! nothing else in `kafka`.

pub mod conn;
pub mod error;
pub mod sasl;
pub mod settings;
pub mod tls;

pub use conn::{request_one, MAX_FRAME_BYTES};
pub use error::{error_name, WireError, CLUSTER_METADATA_TOPIC};
pub use sasl::SaslMechanism;
pub use settings::{Security, SecurityProtocol};

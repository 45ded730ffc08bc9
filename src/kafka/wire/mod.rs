//! A raw Kafka wire-protocol client, for the few requests librdkafka does not offer
//! (DescribeQuorum, DescribeLogDirs): requests framed with `kafka-protocol` over TCP, optionally
//! TLS through openssl, optionally SASL PLAIN or SCRAM, configured from the same librdkafka-style
//! properties as the admin client.
//!
//! - `settings`: reads `security.protocol`, `sasl.*`, `ssl.*`, `client.id` into [`Security`]
//!   (with the SASL mechanism and the TLS settings that build the openssl connector).
//! - `conn`: TCP, framing, ApiVersions, version negotiation, deadlines.
//! - `tls`: the handshake.
//! - `sasl`: SaslHandshake / SaslAuthenticate, PLAIN and SCRAM.
//! - `request`: [`request_one`], composing the above for one request.
//! - `error`: [`WireError`], its hints, Kafka's error names, the frame limit.
//!
//! Arrows run one way: `request` → `conn`, `sasl`, `tls` → `settings` → `error`.
//!
//! Contract: one request per fresh connection, everything within the caller's deadline; answers
//! are decoded `kafka-protocol` messages or a [`WireError`] naming the broker, the step and the
//! next move. Never retries on its own, never interprets an answer (that is `kafka::quorum`'s and
//! `kafka::log_dirs`'s job), never evaluates anything, never logs or shows a secret. Depends on
//! nothing else in `kafka`.

pub mod conn;
pub mod error;
pub mod request;
pub mod sasl;
pub mod settings;
pub mod tls;

pub use error::{error_name, WireError, CLUSTER_METADATA_TOPIC, MAX_FRAME_BYTES};
pub use request::request_one;
pub use settings::{SaslMechanism, Security, SecurityProtocol};

//! The shell's error: what a Kafka call failed at, in words a person can act on. Every shell
//! module returns [`Result`]; Display says what failed and what to do next, and never shows a
//! secret (callers scrub librdkafka's text before it lands here).
//!
//! Never names the MCP layer: turning an [`Error`] into a tool error is `crate::error`'s job.
//! The raw wire client (`kafka::wire`) has its own error, `wire::WireError`, because its failures
//! name a broker address and a protocol step and never reach a tool as they are.

/// Shell errors. Display says what failed and what to do next; secrets never appear.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// No cluster configured / unknown cluster name.
    #[error("{0}")]
    UnknownCluster(String),
    /// librdkafka refused the client configuration.
    #[error("the client configuration of cluster {cluster:?} is invalid: {message}. Fix that property in the config file or KAFKA_* env vars.")]
    BadClientConfig {
        /// Cluster.
        cluster: String,
        /// librdkafka's message.
        message: String,
    },
    /// The deadline passed with no answer.
    #[error("{what}: no answer within {ms} ms from {bootstrap}{cause}. {hint}")]
    Deadline {
        /// The call.
        what: String,
        /// Deadline.
        ms: u64,
        /// bootstrap.servers.
        bootstrap: String,
        /// `: <cause>` from librdkafka's error/log callbacks, or empty.
        cause: String,
        /// Next step.
        hint: String,
    },
    /// Kafka answered with an error.
    #[error("{what}: Kafka returned {name}: {message}{hint}")]
    Broker {
        /// The call.
        what: String,
        /// Kafka error name, e.g. `UNKNOWN_TOPIC_OR_PART`.
        name: String,
        /// Message.
        message: String,
        /// ` ` + next step, or empty.
        hint: String,
    },
    /// The broker does not implement the API (e.g. a Kafka-compatible test broker).
    #[error("{what}: this broker does not support it ({detail}). Real Apache Kafka does; nothing was changed.")]
    Unsupported {
        /// The call.
        what: String,
        /// What the broker said.
        detail: String,
    },
    /// Something else went wrong in the shell (a task panicked, a bad answer).
    #[error("{what}: {message}")]
    Internal {
        /// The call.
        what: String,
        /// Message.
        message: String,
    },
}

impl Error {
    /// Kafka error name, when Kafka answered with one.
    pub fn kafka_name(&self) -> Option<&str> {
        match self {
            Error::Broker { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Result of a shell call.
pub type Result<T> = std::result::Result<T, Error>;

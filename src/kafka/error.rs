//! The shell's error: what a Kafka call failed at, in words a person can act on. Every shell
//! module returns [`Result`]; Display says what failed and what to do next, and never shows a
//! secret (callers scrub librdkafka's text before it lands here).
//!
//! Never names the MCP layer: turning an [`Error`] into a tool error is `crate::error`'s job.
//! The raw wire client (`kafka::wire`) has its own error, `wire::WireError`, because its failures
//! name a broker address and a protocol step and never reach a tool as they are.

use super::{ffi, Cluster};

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

/// Translates an rdkafka error into a shell error for `what`.
pub fn translate(cluster: &Cluster, what: &str, e: rdkafka::error::KafkaError) -> Error {
    use rdkafka::types::RDKafkaErrorCode as C;
    let code = match &e {
        rdkafka::error::KafkaError::AdminOp(code) => Some(*code),
        other => other.rdkafka_error_code(),
    };
    if let Some(c @ (C::UnsupportedFeature | C::UnsupportedVersion)) = code {
        return Error::Unsupported {
            what: what.to_string(),
            detail: format!("{}: {c}", ffi_name(c)),
        };
    }
    match code {
        Some(C::OperationTimedOut)
        | Some(C::AllBrokersDown)
        | Some(C::BrokerTransportFailure)
        | Some(C::RequestTimedOut) => cluster.deadline_error(what),
        Some(code) => Error::Broker {
            what: what.to_string(),
            name: ffi_name(code),
            message: cluster.context().scrub(&e.to_string()),
            hint: hint_for(&ffi_name(code)),
        },
        None => Error::Internal {
            what: what.to_string(),
            message: cluster.context().scrub(&e.to_string()),
        },
    }
}

/// Kafka's/librdkafka's error name for a code (e.g. `UNKNOWN_TOPIC_OR_PART`, `_TIMED_OUT`).
pub fn ffi_name(code: rdkafka::types::RDKafkaErrorCode) -> String {
    ffi::FfiError::new(code as i32, None).name
}

/// The next step for a Kafka error name.
pub fn hint_for(name: &str) -> String {
    let h = match name {
        "UNKNOWN_TOPIC_OR_PART" | "_UNKNOWN_TOPIC" => "Check the topic name with topic_manage action=list.",
        "GROUP_ID_NOT_FOUND" => "Check the group id with consumer_groups action=list.",
        "TOPIC_AUTHORIZATION_FAILED" => "Grant the principal DESCRIBE (reads) or ALTER/CREATE/DELETE (writes) on the topic.",
        "GROUP_AUTHORIZATION_FAILED" => "Grant the principal DESCRIBE (reads) or READ/DELETE (writes) on the group.",
        "CLUSTER_AUTHORIZATION_FAILED" => "Grant the principal DESCRIBE (reads) or ALTER/ALTER_CONFIGS (writes) on the CLUSTER resource.",
        "POLICY_VIOLATION" => "A broker-side create/alter policy refused it; ask the cluster operators which values are allowed.",
        "INVALID_REPLICATION_FACTOR" => "Use a replication factor at most the number of live brokers.",
        "TOPIC_ALREADY_EXISTS" => "Pick another name, or describe the existing topic.",
        "NOT_CONTROLLER" | "NOT_COORDINATOR" | "COORDINATOR_NOT_AVAILABLE" | "LEADER_NOT_AVAILABLE" => {
            "Leadership is moving (a broker restarted?); retry in a few seconds."
        }
        _ => "",
    };
    if h.is_empty() {
        String::new()
    } else {
        format!(". {h}")
    }
}

/// Translates an FFI error.
pub fn from_ffi(cluster: &Cluster, what: &str, e: ffi::FfiError) -> Error {
    match e.name.as_str() {
        "_TIMED_OUT" | "REQUEST_TIMED_OUT" | "_TRANSPORT" | "_ALL_BROKERS_DOWN" => {
            cluster.deadline_error(what)
        }
        "UNSUPPORTED_VERSION" | "_UNSUPPORTED_FEATURE" | "INVALID_REQUEST" => Error::Unsupported {
            what: what.to_string(),
            detail: format!("{}: {}", e.name, cluster.context().scrub(&e.message)),
        },
        name => Error::Broker {
            what: what.to_string(),
            name: name.to_string(),
            message: cluster.context().scrub(&e.message),
            hint: hint_for(name),
        },
    }
}

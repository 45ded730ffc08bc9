//! Tool errors: what failed, in the caller's words, and the next move. One `From` per shell
//! error type turns it into a [`ToolError`] (all of them live here, so the shell never names the
//! MCP layer); rmcp renders it as a result with `isError: true` (the agent can act on it), never
//! as a JSON-RPC protocol error.

use rmcp::model::{ContentBlock, IntoContents};

use crate::kafka::Error as KafkaError;
use crate::registry::RegistryError;

/// Why a tool call failed, coarse enough for an agent to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments: fix the call.
    InvalidInput,
    /// A named thing (cluster, topic, group, plan) does not exist.
    NotFound,
    /// The broker or a deadline failed: retry later or fix connectivity.
    Unavailable,
    /// Kafka or our safety model refused (ACLs, protected topic, read-only, active group).
    Refused,
    /// The broker does not implement what was asked (e.g. a Kafka-compatible test broker).
    Unsupported,
}

impl ErrorKind {
    fn label(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::NotFound => "not found",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Refused => "refused",
            ErrorKind::Unsupported => "unsupported",
        }
    }
}

/// An error the agent sees as tool output. `message` says what happened and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.label())]
pub struct ToolError {
    /// Category.
    pub kind: ErrorKind,
    /// What happened, why, and the next call to make.
    pub message: String,
}

impl ToolError {
    /// Bad arguments.
    pub fn invalid(message: impl Into<String>) -> Self {
        ToolError {
            kind: ErrorKind::InvalidInput,
            message: message.into(),
        }
    }
    /// Unknown cluster/topic/group/plan.
    pub fn not_found(message: impl Into<String>) -> Self {
        ToolError {
            kind: ErrorKind::NotFound,
            message: message.into(),
        }
    }
    /// Broker down, deadline passed.
    pub fn unavailable(message: impl Into<String>) -> Self {
        ToolError {
            kind: ErrorKind::Unavailable,
            message: message.into(),
        }
    }
    /// Refused by Kafka or by the safety model.
    pub fn refused(message: impl Into<String>) -> Self {
        ToolError {
            kind: ErrorKind::Refused,
            message: message.into(),
        }
    }
    /// The broker lacks the API.
    pub fn unsupported(message: impl Into<String>) -> Self {
        ToolError {
            kind: ErrorKind::Unsupported,
            message: message.into(),
        }
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.to_string())]
    }
}

/// Kafka's error name decides the kind: missing things, bad requests, refusals, missing APIs.
impl From<KafkaError> for ToolError {
    fn from(e: KafkaError) -> Self {
        let msg = e.to_string();
        match &e {
            KafkaError::UnknownCluster(_) => ToolError::not_found(msg),
            KafkaError::BadClientConfig { .. } => ToolError::invalid(msg),
            KafkaError::Deadline { .. } => ToolError::unavailable(msg),
            KafkaError::Unsupported { .. } => ToolError::unsupported(msg),
            KafkaError::Internal { .. } => ToolError::unavailable(msg),
            KafkaError::Broker { name, .. } => match name.as_str() {
                n if n.contains("AUTHORIZATION") => ToolError::refused(msg),
                "UNKNOWN_TOPIC_OR_PART"
                | "UNKNOWN_TOPIC_ID"
                | "GROUP_ID_NOT_FOUND"
                | "_UNKNOWN_TOPIC"
                | "_UNKNOWN_PARTITION"
                | "_NOENT" => ToolError::not_found(msg),
                "INVALID_REQUEST"
                | "INVALID_CONFIG"
                | "INVALID_PARTITIONS"
                | "INVALID_REPLICATION_FACTOR"
                | "INVALID_TOPIC_EXCEPTION"
                | "TOPIC_ALREADY_EXISTS"
                | "_INVALID_ARG" => ToolError::invalid(msg),
                "NON_EMPTY_GROUP"
                | "POLICY_VIOLATION"
                | "TOPIC_DELETION_DISABLED"
                | "CLUSTER_AUTHORIZATION_FAILED" => ToolError::refused(msg),
                "UNSUPPORTED_VERSION" | "_UNSUPPORTED_FEATURE" | "INVALID_REQUEST_UNSUPPORTED" => {
                    ToolError::unsupported(msg)
                }
                _ => ToolError::unavailable(msg),
            },
        }
    }
}

/// Registry failures: a bad url is the caller's to fix, missing subjects/versions are not found,
/// refused credentials are refusals, everything else is the registry being unavailable.
impl From<RegistryError> for ToolError {
    fn from(e: RegistryError) -> ToolError {
        let msg = e.to_string();
        match e {
            RegistryError::BadUrl(_) => ToolError::invalid(msg),
            RegistryError::SubjectNotFound { .. } | RegistryError::VersionNotFound { .. } => {
                ToolError::not_found(msg)
            }
            RegistryError::Auth { .. } => ToolError::refused(msg),
            RegistryError::Unreachable { .. }
            | RegistryError::Deadline { .. }
            | RegistryError::Http { .. }
            | RegistryError::BadResponse { .. } => ToolError::unavailable(msg),
        }
    }
}

impl From<crate::schema_dir::SchemaFileError> for ToolError {
    fn from(e: crate::schema_dir::SchemaFileError) -> Self {
        use crate::schema_dir::SchemaFileErrorKind as K;
        match e.kind {
            K::Invalid => ToolError::invalid(e.message),
            K::Refused => ToolError::refused(e.message),
            K::NotFound => ToolError::not_found(e.message),
            K::Unavailable => ToolError::unavailable(e.message),
        }
    }
}

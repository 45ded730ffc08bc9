//! The one error type of the Avro room: each variant says what was wrong and what to send instead.

use super::mode::Mode;
use super::validate::{Level, Problem};

/// Why a compatibility check could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvroError {
    /// One of the inputs is not a valid Avro schema.
    #[error(
        "the {input} schema is not valid Avro ({count} error(s); first: {first}). Fix it and \
         send it again; validating it lists every problem with its path."
    )]
    InvalidSchema {
        /// Which input: `new`, `reader`, `writer`, or the label of a previous version.
        input: String,
        /// How many error-level problems it has.
        count: usize,
        /// The first few problems, as `path: message`.
        first: String,
        /// Every problem found, errors and warnings.
        problems: Vec<Problem>,
    },
    /// A mode that compares with earlier versions got none.
    #[error(
        "mode {mode} compares the new schema with earlier versions, but none were sent. Send \
         the registered versions oldest first (latest last), or use mode NONE."
    )]
    NoPreviousVersions {
        /// The mode asked for.
        mode: Mode,
    },
    /// A mode name that is not one of the seven.
    #[error(
        "unknown compatibility mode `{0}`. Use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, \
         FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE."
    )]
    UnknownMode(String),
}

impl AvroError {
    pub(crate) fn invalid(input: &str, problems: Vec<Problem>) -> AvroError {
        let errors: Vec<&Problem> = problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .collect();
        let first = errors
            .iter()
            .take(3)
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect::<Vec<_>>()
            .join("; ");
        AvroError::InvalidSchema {
            input: input.to_string(),
            count: errors.len(),
            first,
            problems,
        }
    }
}

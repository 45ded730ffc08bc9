//! The one output row every topic plan check shares: a [`PlanNote`] (warning, or what the change
//! will do).

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::finding::Severity;

/// One thing a plan tells the caller: a warning, or what the change will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PlanNote {
    /// Stable kebab-case id, e.g. `keys-move-partition`; never reused for another meaning.
    pub id: String,
    /// How much it matters: `info` explains, `warn` needs a deliberate yes, `error` means the
    /// change is very likely wrong as sent, `critical` means data is lost.
    pub severity: Severity,
    /// What will happen, with the numbers, and what to send instead if that is not wanted.
    pub message: String,
}

pub(super) fn note(id: &str, severity: Severity, message: impl Into<String>) -> PlanNote {
    PlanNote {
        id: id.to_string(),
        severity,
        message: message.into(),
    }
}

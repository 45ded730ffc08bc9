//! The seven Schema Registry compatibility modes and what each asks for (backward, forward,
//! transitive). A leaf: [`AvroError`](super::AvroError) names a [`Mode`], so parsing a mode
//! (`FromStr`, whose error is an `AvroError`) lives in `check`, which uses both.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Schema Registry compatibility mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// The new schema can read data written with the latest previous version.
    #[serde(alias = "backward")]
    Backward,
    /// The new schema can read data written with every previous version.
    #[serde(alias = "backward_transitive")]
    BackwardTransitive,
    /// The latest previous version can read data written with the new schema.
    #[serde(alias = "forward")]
    Forward,
    /// Every previous version can read data written with the new schema.
    #[serde(alias = "forward_transitive")]
    ForwardTransitive,
    /// BACKWARD and FORWARD against the latest previous version.
    #[serde(alias = "full")]
    Full,
    /// BACKWARD and FORWARD against every previous version.
    #[serde(alias = "full_transitive")]
    FullTransitive,
    /// No check: always compatible.
    #[serde(alias = "none")]
    None,
}

impl Mode {
    /// All seven modes, in the registry's usual order.
    pub const ALL: [Mode; 7] = [
        Mode::Backward,
        Mode::BackwardTransitive,
        Mode::Forward,
        Mode::ForwardTransitive,
        Mode::Full,
        Mode::FullTransitive,
        Mode::None,
    ];

    /// The registry's name, e.g. `BACKWARD_TRANSITIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Backward => "BACKWARD",
            Mode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Mode::Forward => "FORWARD",
            Mode::ForwardTransitive => "FORWARD_TRANSITIVE",
            Mode::Full => "FULL",
            Mode::FullTransitive => "FULL_TRANSITIVE",
            Mode::None => "NONE",
        }
    }

    /// Whether the new schema must read the old data.
    pub fn backward(self) -> bool {
        matches!(
            self,
            Mode::Backward | Mode::BackwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    /// Whether old schemas must read the new data.
    pub fn forward(self) -> bool {
        matches!(
            self,
            Mode::Forward | Mode::ForwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    /// Whether every previous version counts, not only the latest.
    pub fn transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

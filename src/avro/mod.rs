//! Avro schema checks without a Schema Registry: validation with every problem located,
//! Parsing Canonical Form and its Rabin fingerprint, and reader/writer compatibility under the
//! registry's seven modes. Pure: schema JSON in, reports out; no files, network, env or clock.
//! The Avro tools fetch schemas (from a file or a Schema Registry) and pass their text here.
//!
//! - `validate`: one walk over the JSON collecting every problem (apache-avro stops at the first).
//! - `model`: the resolved form of a valid schema (named types in a table, logical types dropped).
//! - `canonical`: the spec's Parsing Canonical Form and CRC-64-AVRO, our own (see its docs why).
//! - `compat`: the spec's schema-resolution rules, every mismatch with a path and a fix.
//! - `mode`: the seven compatibility modes (a leaf that `error` and `check` both name).
//! - `check`: Confluent compatibility modes over a new schema and its previous versions.

mod canonical;
mod check;
mod compat;
mod error;
mod mode;
mod model;
mod validate;

#[cfg(test)]
mod tests;

pub(crate) use canonical::rabin;
pub use check::{check, modes, CheckReport, Incompatibility, ModeVerdict};
pub use compat::{reader_writer, IncompatibilityKind, Mismatch};
pub use error::AvroError;
pub use mode::Mode;
pub use validate::{validate, validate_value, Level, Problem, ProblemKind, ValidationReport};

//! Schema Registry compatibility modes (Confluent semantics) over a new schema and the previous
//! versions, oldest first. BACKWARD: the new schema reads data written with the latest version;
//! FORWARD: the latest version reads data written with the new one; FULL: both; `_TRANSITIVE`:
//! against every previous version instead of the latest only; NONE: no check.

use std::collections::HashMap;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::Serialize;

use super::compat::{self, IncompatibilityKind, Roles, Side};
use super::error::AvroError;
use super::mode::Mode;
use super::model::Schema;
use super::validate::validate;

impl FromStr for Mode {
    type Err = AvroError;

    /// Case-insensitive; `-` and spaces count as `_` (`backward-transitive` works).
    fn from_str(s: &str) -> Result<Mode, AvroError> {
        let norm = s.trim().to_ascii_uppercase().replace(['-', ' '], "_");
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == norm)
            .ok_or_else(|| AvroError::UnknownMode(s.to_string()))
    }
}

/// One reason the change breaks the mode, for one pair of schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Incompatibility {
    /// The previous version this comes from, e.g. `version 3` or the label sent.
    pub compared_with: String,
    /// Which schema reads: `new`, or the previous version's label.
    pub reader: String,
    /// Which schema wrote the data: the previous version's label, or `new`.
    pub writer: String,
    /// Where, in the reader's schema, by field name: `/fields/address/fields/zip/type`; `/` is
    /// the top-level type. Union branches appear as their type name (`/fields/pay/com.acme.Card`).
    pub path: String,
    /// Stable snake_case id of the rule broken (e.g. `missing_default`, `type_mismatch`).
    pub kind: IncompatibilityKind,
    /// What differs, naming both sides.
    pub message: String,
    /// One line on how to make the change compatible.
    pub fix: String,
}

/// Verdict of one mode for a new schema against its previous versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The mode checked.
    pub mode: Mode,
    /// True when the registry would accept the new schema under `mode`.
    pub compatible: bool,
    /// The previous versions compared with (the latest only, unless the mode is transitive;
    /// none for NONE).
    pub compared_with: Vec<String>,
    /// Every incompatibility found, per version compared, backward (new reads old) first.
    pub incompatibilities: Vec<Incompatibility>,
}

/// Whether the change satisfies one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ModeVerdict {
    /// The mode.
    pub mode: Mode,
    /// True when the registry would accept the new schema under this mode.
    pub compatible: bool,
    /// How many incompatibilities break it (0 when compatible).
    pub incompatibilities: usize,
}

impl ModeVerdict {
    /// Every mode satisfied: the verdicts for a subject's first schema (empty history), as the
    /// registry treats it, whatever the format.
    pub fn all_compatible() -> Vec<ModeVerdict> {
        Mode::ALL
            .into_iter()
            .map(|mode| ModeVerdict {
                mode,
                compatible: true,
                incompatibilities: 0,
            })
            .collect()
    }
}

/// Check `new` against `previous` (`(label, schema JSON)`, oldest first, latest last) under
/// `mode`. An empty label becomes `version N` (its 1-based position), a numeric one `version <n>`.
/// An empty history is compatible under every mode (the registry accepts a subject's first
/// schema). Earlier versions are read leniently (a union default may match any branch, as
/// Avro 1.12 allows); only the new schema is held to the strict rules.
pub fn check(
    new: &str,
    previous: &[(String, String)],
    mode: Mode,
) -> Result<CheckReport, AvroError> {
    let new_schema = parse_text(new, "new")?;
    if mode == Mode::None || previous.is_empty() {
        return Ok(CheckReport {
            mode,
            compatible: true,
            compared_with: Vec::new(),
            incompatibilities: Vec::new(),
        });
    }
    let olds = parse_previous(previous)?;
    let first = if mode.transitive() {
        0
    } else {
        olds.labels.len() - 1
    };
    // Messages name the version, so each version is compared (parses are shared).
    let mut incompatibilities = Vec::new();
    for (label, &k) in olds.labels.iter().zip(&olds.of).skip(first) {
        let old = &olds.parsed[k];
        if mode.backward() {
            incompatibilities.extend(backward(&new_schema, label, old));
        }
        if mode.forward() {
            incompatibilities.extend(forward(&new_schema, label, old));
        }
    }
    Ok(CheckReport {
        mode,
        compatible: incompatibilities.is_empty(),
        compared_with: olds.labels[first..].to_vec(),
        incompatibilities,
    })
}

/// Which of the seven modes the change from `previous` (oldest first) to `new` satisfies; all
/// seven for an empty history.
pub fn modes(new: &str, previous: &[(String, String)]) -> Result<Vec<ModeVerdict>, AvroError> {
    let new_schema = parse_text(new, "new")?;
    if previous.is_empty() {
        return Ok(ModeVerdict::all_compatible());
    }
    let olds = parse_previous(previous)?;
    let counts: Vec<(usize, usize)> = olds
        .parsed
        .iter()
        .enumerate()
        .map(|(k, o)| {
            // Counts do not depend on the label; the first version with this text names it.
            let label = &olds.labels[olds.of.iter().position(|&x| x == k).unwrap_or(0)];
            (
                backward(&new_schema, label, o).len(),
                forward(&new_schema, label, o).len(),
            )
        })
        .collect();
    let back: Vec<usize> = olds.of.iter().map(|&k| counts[k].0).collect();
    let fwd: Vec<usize> = olds.of.iter().map(|&k| counts[k].1).collect();
    let last = olds.labels.len() - 1;
    Ok(Mode::ALL
        .into_iter()
        .map(|mode| {
            let range = if mode.transitive() {
                0..=last
            } else {
                last..=last
            };
            let n: usize = range
                .map(|i| {
                    usize::from(mode.backward()) * back[i] + usize::from(mode.forward()) * fwd[i]
                })
                .sum();
            ModeVerdict {
                mode,
                compatible: n == 0,
                incompatibilities: n,
            }
        })
        .collect())
}

fn parse_text(text: &str, input: &str) -> Result<Schema, AvroError> {
    parse_text_with(text, input, false)
}

fn parse_text_with(text: &str, input: &str, lenient: bool) -> Result<Schema, AvroError> {
    match serde_json::from_str(text) {
        Ok(v) => compat::parse_with(&v, input, lenient),
        Err(_) => Err(AvroError::invalid(input, validate(text).problems)),
    }
}

/// Earlier versions, each distinct text parsed once (a history may repeat a schema).
struct Previous {
    /// Display label per version.
    labels: Vec<String>,
    /// Per version: index into `parsed`.
    of: Vec<usize>,
    /// One parse per distinct text, in order of first appearance.
    parsed: Vec<Schema>,
}

fn parse_previous(previous: &[(String, String)]) -> Result<Previous, AvroError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Previous {
        labels: Vec::with_capacity(previous.len()),
        of: Vec::with_capacity(previous.len()),
        parsed: Vec::new(),
    };
    for (i, (label, text)) in previous.iter().enumerate() {
        let label = display_label(label, i);
        let k = match seen.get(text.as_str()) {
            Some(&k) => k,
            None => {
                let schema = parse_text_with(text, &format!("previous ({label})"), true)?;
                out.parsed.push(schema);
                seen.insert(text.as_str(), out.parsed.len() - 1);
                out.parsed.len() - 1
            }
        };
        out.labels.push(label);
        out.of.push(k);
    }
    Ok(out)
}

fn display_label(label: &str, i: usize) -> String {
    let label = label.trim();
    if label.is_empty() {
        format!("version {}", i + 1)
    } else if label.chars().all(|c| c.is_ascii_digit()) {
        format!("version {label}")
    } else {
        label.to_string()
    }
}

/// The new schema reading data written with `old`.
fn backward(new: &Schema, label: &str, old: &Schema) -> Vec<Incompatibility> {
    let roles = Roles {
        reader: "the new schema",
        writer: label,
        change: Side::Reader,
    };
    tag(compat::resolve(new, old, roles), label, "new", label)
}

/// `old` reading data written with the new schema.
fn forward(new: &Schema, label: &str, old: &Schema) -> Vec<Incompatibility> {
    let roles = Roles {
        reader: label,
        writer: "the new schema",
        change: Side::Writer,
    };
    tag(compat::resolve(old, new, roles), label, label, "new")
}

fn tag(
    found: Vec<compat::Mismatch>,
    compared_with: &str,
    reader: &str,
    writer: &str,
) -> Vec<Incompatibility> {
    found
        .into_iter()
        .map(|m| Incompatibility {
            compared_with: compared_with.to_string(),
            reader: reader.to_string(),
            writer: writer.to_string(),
            path: m.path,
            kind: m.kind,
            message: m.message,
            fix: m.fix,
        })
        .collect()
}

//! One interface over the three Schema Registry formats (Avro, Protobuf, JSON Schema): validate
//! a schema (every problem located, a canonical form and its fingerprint) and check a new schema
//! against earlier versions under the registry's seven modes, with every incompatibility.
//! Pure: schema texts in (plus the files or registry references they import, by name), reports
//! out; no files, network, env or clock. The rules live per format in `crate::avro`,
//! `crate::proto_schema` and `crate::json_schema`; this room only drives the modes and shapes
//! the answer alike for all three.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::avro::{self, AvroError, Level, Mode, ModeVerdict};
use crate::{json_schema, proto_schema};

/// Imported files or registry references: name as imported (`common.proto`, `address.json`)
/// → schema text.
pub type Refs = BTreeMap<String, String>;

/// A Schema Registry schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Format {
    /// Avro (`.avsc`); the registry's default.
    #[default]
    #[serde(alias = "avro")]
    Avro,
    /// Protocol Buffers (`.proto`): proto2, proto3, editions.
    #[serde(alias = "protobuf", alias = "PROTO", alias = "proto")]
    Protobuf,
    /// JSON Schema (`.json`), drafts 4, 6, 7 (default), 2019-09, 2020-12.
    #[serde(alias = "json", alias = "JSON_SCHEMA", alias = "json_schema")]
    Json,
}

impl Format {
    /// The registry's `schemaType` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Avro => "AVRO",
            Format::Protobuf => "PROTOBUF",
            Format::Json => "JSON",
        }
    }

    /// The name people use, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Format::Avro => "Avro",
            Format::Protobuf => "Protobuf",
            Format::Json => "JSON Schema",
        }
    }

    /// The format a file name implies: `.avsc`, `.proto`, `.json`; None for anything else.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".avsc") {
            Some(Format::Avro)
        } else if lower.ends_with(".proto") {
            Some(Format::Protobuf)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Case-insensitive `AVRO`, `PROTOBUF` (or `PROTO`), `JSON` (or `JSON_SCHEMA`).
    fn from_str(s: &str) -> Result<Format, String> {
        match s
            .trim()
            .to_ascii_uppercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "AVRO" => Ok(Format::Avro),
            "PROTOBUF" | "PROTO" => Ok(Format::Protobuf),
            "JSON" | "JSON_SCHEMA" | "JSONSCHEMA" => Ok(Format::Json),
            _ => Err(format!(
                "unknown schema format `{s}`. Use AVRO, PROTOBUF or JSON."
            )),
        }
    }
}

/// One problem found in a schema, any format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SchemaProblem {
    /// Where: a JSON Pointer for Avro and JSON Schema (`/fields/2/type`, `/properties/age`);
    /// `file:line:column` for Protobuf (`order.proto:7:3`); `/` is the whole document.
    pub path: String,
    /// Stable snake_case rule id (e.g. `unknown_type`, `duplicate_field_number`,
    /// `minimum_above_maximum`).
    pub kind: String,
    /// `error` makes the schema invalid; `warning` is accepted but probably not what was meant.
    pub level: Level,
    /// What is wrong here, naming the field or type.
    pub message: String,
    /// One line on how to fix it.
    pub fix: String,
    /// Protobuf: the file the problem is in (the schema or one of its imports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Protobuf: 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Protobuf: 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl SchemaProblem {
    /// An error-level problem at a path.
    pub fn error(path: impl Into<String>, kind: &str, message: String, fix: String) -> Self {
        SchemaProblem {
            path: path.into(),
            kind: kind.to_string(),
            level: Level::Error,
            message,
            fix,
            file: None,
            line: None,
            column: None,
        }
    }

    /// A warning-level problem at a path.
    pub fn warning(path: impl Into<String>, kind: &str, message: String, fix: String) -> Self {
        SchemaProblem {
            level: Level::Warning,
            ..SchemaProblem::error(path, kind, message, fix)
        }
    }
}

/// Result of validating one schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SchemaValidation {
    /// The format the schema was read as.
    pub format: Format,
    /// True when no problem has level `error` (warnings allowed).
    pub valid: bool,
    /// Every problem found, errors and warnings, in document order.
    pub problems: Vec<SchemaProblem>,
    /// Canonical form: Avro's Parsing Canonical Form; for Protobuf the resolved descriptor
    /// written compactly (fully qualified type names, declaration order, no comments or
    /// options); for JSON Schema the document with object keys sorted and no whitespace.
    /// Absent when the schema is invalid.
    pub canonical_form: Option<String>,
    /// CRC-64-AVRO (Rabin) fingerprint of `canonical_form`: 16 lowercase hex digits, most
    /// significant first. Equal canonical forms have equal fingerprints. Absent when invalid.
    pub fingerprint_rabin: Option<String>,
    /// JSON Schema: the draft read (`$schema`, else draft-07 as the Confluent registry does).
    /// Protobuf: the syntax (`proto2`, `proto3`, `editions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
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
    /// Where, in the reader's schema. Avro: by field name (`/fields/address/fields/zip/type`);
    /// Protobuf: message and field number as the registry prints it (`#/Order/3`); JSON
    /// Schema: a JSON Pointer (`#/properties/age/maximum`).
    pub path: String,
    /// Stable snake_case rule id (e.g. `missing_default`, `field_kind_changed`,
    /// `property_added_to_open_content_model`). Protobuf and JSON Schema ids are the Confluent
    /// checker's difference types in lower case.
    pub kind: String,
    /// What differs, naming both sides.
    pub message: String,
    /// The value in the earlier version (a type, a number, a keyword value), when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// The value in the new schema, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    /// One line on how to make the change compatible.
    pub fix: String,
}

/// Verdict of one mode for a new schema against its previous versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The format checked.
    pub format: Format,
    /// The mode checked.
    pub mode: Mode,
    /// True when the registry would accept the new schema under `mode`.
    pub compatible: bool,
    /// The previous versions compared with (the latest only, unless the mode is transitive;
    /// none for NONE or an empty history).
    pub compared_with: Vec<String>,
    /// Every incompatibility found, per version compared, backward (new reads old) first
    /// (the first 10 in a tool answer; `omitted` counts the rest).
    pub incompatibilities: Vec<Incompatibility>,
    /// Incompatibilities found but not listed, to keep the answer small (their rules are
    /// counted in `notes`).
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: usize,
    /// JSON Schema: the content model the verdict assumed for the new schema's top-level
    /// object (open, closed or partially open) and what that means for added properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_model: Option<String>,
    /// Changes the registry accepts but that still deserve a look (e.g. a Protobuf field
    /// rename: wire-compatible, but it breaks JSON-encoded data, Buf's WIRE_JSON). Never change
    /// the verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Why a compatibility check could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// One of the inputs is not a valid schema of its format.
    #[error(
        "the {input} schema is not valid {format} ({count} error(s); first: {first}). Fix it \
         and send it again; validating it lists every problem with its location."
    )]
    InvalidSchema {
        /// The format.
        format: &'static str,
        /// Which input: `new` or the label of a previous version.
        input: String,
        /// How many error-level problems it has.
        count: usize,
        /// The first few problems, as `path: message`.
        first: String,
    },
}

impl FormatError {
    /// The error for `input` with these problems.
    pub fn invalid(format: Format, input: &str, problems: &[SchemaProblem]) -> FormatError {
        let errors: Vec<&SchemaProblem> = problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .collect();
        FormatError::InvalidSchema {
            format: format.display_name(),
            input: input.to_string(),
            count: errors.len(),
            first: errors
                .iter()
                .take(3)
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// One difference that breaks reading: `update` cannot read (all) data written with
/// `original`. Values are as written in the original and the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where, in the schemas' shared structure.
    pub path: String,
    /// Rule id.
    pub kind: &'static str,
    /// What differs, with both values.
    pub message: String,
    /// The value in the writer's (original) schema.
    pub original: Option<String>,
    /// The value in the reader's (update) schema.
    pub update: Option<String>,
    /// How to make the change compatible, whichever side is new.
    pub fix: String,
}

/// What one comparison found: the breaking differences, and notes on accepted ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Breaking differences.
    pub breaking: Vec<Finding>,
    /// Differences the registry accepts but that deserve a look.
    pub notes: Vec<String>,
}

/// A format's compatibility rules over its parsed form.
pub trait Rules {
    /// The parsed, resolved schema.
    type Parsed;
    /// Which format.
    const FORMAT: Format;
    /// Parse strictly (the new schema); the problems when invalid.
    fn parse(&self, text: &str, refs: &Refs) -> Result<Self::Parsed, Vec<SchemaProblem>>;
    /// Parse an earlier version; formats whose parsers grew more lenient read old versions
    /// leniently (Avro: a union default matching a non-first branch).
    fn parse_previous(&self, text: &str, refs: &Refs) -> Result<Self::Parsed, Vec<SchemaProblem>> {
        self.parse(text, refs)
    }
    /// What breaks when `update` reads data written with `original`.
    fn diff(&self, original: &Self::Parsed, update: &Self::Parsed) -> Diff;
    /// JSON Schema: the content model a verdict assumed.
    fn content_model(&self, _new: &Self::Parsed) -> Option<String> {
        None
    }
}

/// Validate `text` as `format`; `refs` holds the files or references it imports.
pub fn validate(format: Format, text: &str, refs: &Refs) -> SchemaValidation {
    match format {
        Format::Avro => {
            let r = avro::validate(text);
            SchemaValidation {
                format,
                valid: r.valid,
                problems: r
                    .problems
                    .into_iter()
                    .map(|p| SchemaProblem {
                        path: p.path,
                        kind: p.kind.as_str().to_string(),
                        level: p.level,
                        message: p.message,
                        fix: p.fix,
                        file: None,
                        line: None,
                        column: None,
                    })
                    .collect(),
                canonical_form: r.canonical_form,
                fingerprint_rabin: r.fingerprint_rabin,
                dialect: None,
            }
        }
        Format::Protobuf => proto_schema::validate(text, refs),
        Format::Json => json_schema::validate(text, refs),
    }
}

/// CRC-64-AVRO of a canonical form, as 16 hex digits.
pub fn fingerprint(canonical: &str) -> String {
    format!("{:016x}", avro::rabin(canonical.as_bytes()))
}

/// Check `new` against `previous` (`(label, text)`, oldest first) under `mode`. An empty
/// history is compatible under every mode (the registry accepts a subject's first schema).
pub fn check(
    format: Format,
    new: &str,
    previous: &[(String, String)],
    refs: &Refs,
    mode: Mode,
) -> Result<CheckReport, FormatError> {
    match format {
        Format::Avro => avro_check(new, previous, mode),
        Format::Protobuf => drive(
            &proto_schema::CachedProtoRules::default(),
            new,
            previous,
            refs,
            mode,
        ),
        Format::Json => drive(
            &json_schema::CachedJsonRules::default(),
            new,
            previous,
            refs,
            mode,
        ),
    }
}

/// Which of the seven modes the change satisfies.
pub fn modes(
    format: Format,
    new: &str,
    previous: &[(String, String)],
    refs: &Refs,
) -> Result<Vec<ModeVerdict>, FormatError> {
    if previous.is_empty() {
        return Ok(ModeVerdict::all_compatible());
    }
    match format {
        Format::Avro => avro::modes(new, previous).map_err(|e| avro_error(e, previous)),
        Format::Protobuf => drive_modes(
            &proto_schema::CachedProtoRules::default(),
            new,
            previous,
            refs,
        ),
        Format::Json => drive_modes(
            &json_schema::CachedJsonRules::default(),
            new,
            previous,
            refs,
        ),
    }
}

/// The seven modes from one parse of each distinct schema text and one comparison each way
/// per distinct earlier version.
fn drive_modes<R: Rules>(
    rules: &R,
    new: &str,
    previous: &[(String, String)],
    refs: &Refs,
) -> Result<Vec<ModeVerdict>, FormatError> {
    let new_parsed = rules
        .parse(new, refs)
        .map_err(|p| FormatError::invalid(R::FORMAT, "new", &p))?;
    let history = History::parse(rules, previous, 0, refs)?;
    // Breaking counts per distinct text: backward (new reads old) and forward.
    let counts: Vec<(usize, usize)> = history
        .parsed
        .iter()
        .map(|old| {
            (
                rules.diff(old, &new_parsed).breaking.len(),
                rules.diff(&new_parsed, old).breaking.len(),
            )
        })
        .collect();
    let back: Vec<usize> = history.of.iter().map(|&k| counts[k].0).collect();
    let fwd: Vec<usize> = history.of.iter().map(|&k| counts[k].1).collect();
    let last = previous.len() - 1;
    Ok(Mode::ALL
        .into_iter()
        .map(|mode| {
            let first = if mode.transitive() { 0 } else { last };
            // NONE is neither backward nor forward: it counts nothing.
            let n: usize = (first..=last)
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

/// Earlier versions parsed once per distinct text (a history often repeats a schema: a
/// re-registration, a revert), in order from `first`.
struct History<P> {
    /// One parse per distinct text, in order of first appearance.
    parsed: Vec<P>,
    /// For each version from `first`: its index into `parsed`.
    of: Vec<usize>,
    /// For each version from `first`: its display label.
    labels: Vec<String>,
}

impl<P> History<P> {
    /// Parse `previous[first..]`; the first invalid version (in order) is the error.
    fn parse<R: Rules<Parsed = P>>(
        rules: &R,
        previous: &[(String, String)],
        first: usize,
        refs: &Refs,
    ) -> Result<History<P>, FormatError> {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut h = History {
            parsed: Vec::new(),
            of: Vec::new(),
            labels: Vec::new(),
        };
        for (i, (label, text)) in previous.iter().enumerate().skip(first) {
            let label = display_label(label, i);
            let k = match seen.get(text.as_str()) {
                Some(&k) => k,
                None => {
                    let old = rules.parse_previous(text, refs).map_err(|p| {
                        FormatError::invalid(R::FORMAT, &format!("previous ({label})"), &p)
                    })?;
                    h.parsed.push(old);
                    seen.insert(text.as_str(), h.parsed.len() - 1);
                    h.parsed.len() - 1
                }
            };
            h.of.push(k);
            h.labels.push(label);
        }
        Ok(h)
    }
}

fn avro_error(e: AvroError, _previous: &[(String, String)]) -> FormatError {
    match e {
        AvroError::InvalidSchema {
            input, problems, ..
        } => {
            let problems: Vec<SchemaProblem> = problems
                .into_iter()
                .map(|p| SchemaProblem {
                    path: p.path,
                    kind: p.kind.as_str().to_string(),
                    level: p.level,
                    message: p.message,
                    fix: p.fix,
                    file: None,
                    line: None,
                    column: None,
                })
                .collect();
            FormatError::invalid(Format::Avro, &input, &problems)
        }
        // Neither can happen: the history is not empty and the mode is parsed already.
        other => FormatError::InvalidSchema {
            format: "Avro",
            input: "request".into(),
            count: 0,
            first: other.to_string(),
        },
    }
}

fn avro_check(
    new: &str,
    previous: &[(String, String)],
    mode: Mode,
) -> Result<CheckReport, FormatError> {
    if previous.is_empty() || mode == Mode::None {
        // Still refuse an invalid new schema: the registry would.
        let v = avro::validate(new);
        if !v.valid {
            return Err(avro_error(AvroError::invalid("new", v.problems), previous));
        }
        return Ok(empty_report(Format::Avro, mode));
    }
    let r = avro::check(new, previous, mode).map_err(|e| avro_error(e, previous))?;
    Ok(CheckReport {
        format: Format::Avro,
        mode: r.mode,
        compatible: r.compatible,
        compared_with: r.compared_with,
        incompatibilities: r
            .incompatibilities
            .into_iter()
            .map(|i| Incompatibility {
                compared_with: i.compared_with,
                reader: i.reader,
                writer: i.writer,
                path: i.path,
                kind: i.kind.as_str().to_string(),
                message: i.message,
                old_value: None,
                new_value: None,
                fix: i.fix,
            })
            .collect(),
        omitted: 0,
        content_model: None,
        notes: Vec::new(),
    })
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn empty_report(format: Format, mode: Mode) -> CheckReport {
    CheckReport {
        format,
        mode,
        compatible: true,
        compared_with: Vec::new(),
        incompatibilities: Vec::new(),
        omitted: 0,
        content_model: None,
        notes: Vec::new(),
    }
}

/// An empty label becomes `version N` (its 1-based position), a numeric one `version <n>`.
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

/// The seven modes over any format's rules (Confluent semantics): BACKWARD has the new schema
/// read the latest version's data (`diff(old, new)`), FORWARD the latest version read the new
/// schema's data (`diff(new, old)`), FULL both; `_TRANSITIVE` every version; NONE nothing.
pub fn drive<R: Rules>(
    rules: &R,
    new: &str,
    previous: &[(String, String)],
    refs: &Refs,
    mode: Mode,
) -> Result<CheckReport, FormatError> {
    let new_parsed = rules
        .parse(new, refs)
        .map_err(|p| FormatError::invalid(R::FORMAT, "new", &p))?;
    let mut report = empty_report(R::FORMAT, mode);
    report.content_model = rules.content_model(&new_parsed);
    if mode == Mode::None || previous.is_empty() {
        return Ok(report);
    }
    let first = if mode.transitive() {
        0
    } else {
        previous.len() - 1
    };
    let history = History::parse(rules, previous, first, refs)?;
    // The comparisons per distinct text, each made once: old → new (always: its notes
    // describe the change), new → old when the mode reads forward.
    let mut back: Vec<Option<Diff>> = vec![None; history.parsed.len()];
    let mut fwd: Vec<Option<Diff>> = vec![None; history.parsed.len()];
    let mut uses = vec![0usize; history.parsed.len()];
    for &k in &history.of {
        uses[k] += 1;
    }
    for (&k, label) in history.of.iter().zip(history.labels) {
        let old = &history.parsed[k];
        uses[k] -= 1;
        // The cached comparison: moved out at its text's last use, cloned before.
        let reuse = |slot: &mut Option<Diff>, make: &dyn Fn() -> Diff, last: bool| -> Diff {
            let d = slot.get_or_insert_with(make);
            if last {
                std::mem::take(d)
            } else {
                d.clone()
            }
        };
        // Notes come from the old → new comparison whatever the mode: they describe the change.
        let d = reuse(&mut back[k], &|| rules.diff(old, &new_parsed), uses[k] == 0);
        push_notes(&mut report.notes, d.notes, &label);
        if mode.backward() {
            report
                .incompatibilities
                .extend(d.breaking.into_iter().map(|f| Incompatibility {
                    compared_with: label.clone(),
                    reader: "new".into(),
                    writer: label.clone(),
                    path: f.path,
                    kind: f.kind.to_string(),
                    message: f.message,
                    old_value: f.original,
                    new_value: f.update,
                    fix: f.fix,
                }));
        }
        if mode.forward() {
            let d = reuse(&mut fwd[k], &|| rules.diff(&new_parsed, old), uses[k] == 0);
            report
                .incompatibilities
                .extend(d.breaking.into_iter().map(|f| Incompatibility {
                    compared_with: label.clone(),
                    reader: label.clone(),
                    writer: "new".into(),
                    path: f.path,
                    kind: f.kind.to_string(),
                    message: f.message,
                    old_value: f.update,
                    new_value: f.original,
                    fix: f.fix,
                }));
        }
        report.compared_with.push(label);
    }
    report.compatible = report.incompatibilities.is_empty();
    Ok(report)
}

/// Each note once, naming the version.
fn push_notes(out: &mut Vec<String>, notes: Vec<String>, label: &str) {
    for n in notes {
        let n = format!("{n} (vs {label})");
        if !out.contains(&n) {
            out.push(n);
        }
    }
}

pub mod framing;
pub mod inputs;
#[cfg(test)]
mod tests;

/// A synthetic history for benchmarks and budget tests: `versions` earlier versions and a new
/// schema of one record/message/object with `fields` fields each. Compatible: every version
/// renames or re-documents its last field (a Protobuf rename, an Avro field with a default, a
/// JSON Schema description). Breaking: the new schema changes every field's type.
pub fn synthetic_history(
    format: Format,
    versions: usize,
    fields: usize,
    breaking: bool,
) -> (String, Vec<(String, String)>) {
    let make = |k: usize, ty_break: bool| -> String {
        match format {
            Format::Avro => {
                let mut fs: Vec<String> = (1..fields)
                    .map(|j| {
                        let ty = if ty_break { "\"string\"" } else { "\"int\"" };
                        format!("{{\"name\":\"f{j}\",\"type\":{ty}}}")
                    })
                    .collect();
                fs.push(format!(
                    "{{\"name\":\"extra{k}\",\"type\":[\"null\",\"string\"],\"default\":null}}"
                ));
                format!(
                    "{{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"bench\",\"fields\":[{}]}}",
                    fs.join(",")
                )
            }
            Format::Protobuf => {
                let mut s = String::from("syntax = \"proto3\";\npackage bench;\nmessage R {\n");
                for j in 1..fields {
                    let ty = if ty_break { "string" } else { "int32" };
                    s.push_str(&format!("  {ty} f{j} = {j};\n"));
                }
                s.push_str(&format!("  string extra{k} = {fields};\n}}\n"));
                s
            }
            Format::Json => {
                let mut props: Vec<String> = (1..fields)
                    .map(|j| {
                        let ty = if ty_break { "string" } else { "integer" };
                        format!("\"f{j}\":{{\"type\":\"{ty}\"}}")
                    })
                    .collect();
                props.push(format!(
                    "\"extra\":{{\"type\":\"string\",\"description\":\"version {k}\"}}"
                ));
                format!(
                    "{{\"type\":\"object\",\"properties\":{{{}}}}}",
                    props.join(",")
                )
            }
        }
    };
    let previous = (1..=versions)
        .map(|k| (k.to_string(), make(k, false)))
        .collect();
    (make(versions + 1, breaking), previous)
}

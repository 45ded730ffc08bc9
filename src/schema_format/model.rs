//! The vocabulary the three formats share, and nothing else: formats, imported texts, located
//! problems, incompatibilities, reports, and the [`Rules`] each format implements. A leaf: it
//! imports no format, so `crate::schema_format::proto` and `crate::schema_format::json` depend on it while
//! `crate::schema_format` (the driver) depends on them — arrows one way.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::avro::{self, Level, Mode};

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

/// CRC-64-AVRO of a canonical form, as 16 hex digits.
pub fn fingerprint(canonical: &str) -> String {
    format!("{:016x}", avro::rabin(canonical.as_bytes()))
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

//! `schema_validate`: validate an Avro, Protobuf or JSON Schema schema, check a new schema
//! against previous versions under the Schema Registry's seven modes, and list the modes a
//! change satisfies. Schemas (and the files or registry references they import) come inline,
//! from files under `[server] schema_dir`, or from a registry subject (`crate::registry`);
//! every verdict comes from the pure `crate::schema_format`.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::KafkaMcp;
use crate::avro::{self, AvroError, Level, Mode, ModeVerdict, ProblemKind};
use crate::error::ToolError;
use crate::output::{Answer, Summary};
use crate::registry::{LevelSource, Registry, SchemaRef, VersionRef};
use crate::schema_dir;
use crate::schema_dir::relative_inside;
use crate::schema_format::inputs::{imports_of, inline_text_for, pairwise};
use crate::schema_format::{self, CheckReport, Format, FormatError, Refs, SchemaValidation};

mod check;
mod sources;
mod summary;

pub use crate::schema_format::inputs::budget;

/// Most registered versions fetched for one call (the newest ones).
const MAX_VERSIONS: usize = 100;
/// Most imported files or registry references loaded for one call.
const MAX_REFERENCES: usize = 64;

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SchemaAction {
    /// Every problem with its path, plus canonical form and fingerprint.
    Validate,
    /// Compatible under `mode` with the previous versions? Every incompatibility.
    Check,
    /// Which of the seven modes the change satisfies.
    Modes,
}

/// Input of `schema_validate`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaValidateInput {
    /// validate | check | modes.
    pub action: SchemaAction,
    /// Default: the registry's schemaType, else the file extension, else AVRO.
    pub format: Option<Format>,
    /// The (new) schema. Avro: JSON text, a JSON object/array, or a type name like `string`.
    /// Protobuf: the .proto text. JSON Schema: JSON text or a JSON object.
    pub schema: Option<Value>,
    /// Imported files, import name → text (Protobuf `import "a.proto"`, JSON Schema
    /// `"$ref": "a.json"`); schema_dir files and registry references are read by themselves.
    pub references: Option<BTreeMap<String, String>>,
    /// Instead of `schema`: a file path relative to `[server] schema_dir`.
    pub schema_file: Option<String>,
    /// check/modes: previous versions, oldest first (same forms as `schema`).
    pub previous: Option<Vec<Value>>,
    /// Like `previous`, as schema_dir files.
    pub previous_files: Option<Vec<String>>,
    /// check/modes: registry subject with the previous versions, e.g. `orders-value`.
    pub subject: Option<String>,
    /// With `subject`: version numbers to compare with (default: all for transitive modes and
    /// `modes`, else the latest).
    pub versions: Option<Vec<i32>>,
    /// check: BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
    /// FULL_TRANSITIVE or NONE. Default: the subject's registry level, else BACKWARD.
    pub mode: Option<String>,
    /// check with `subject`: also ask the registry's compatibility endpoint and report whether
    /// it agrees.
    #[serde(default)]
    pub ask_registry: bool,
}

/// The registry's own compatibility answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegistryVerdictOut {
    /// The registry's `is_compatible` (every compared version must pass).
    pub is_compatible: bool,
    /// The registry's messages.
    pub messages: Vec<String>,
    /// The local verdict under the registry's level on the same versions.
    pub local_compatible: bool,
    /// False when the registry and the local checker disagree.
    pub agrees_with_local: bool,
}

/// What came from the Schema Registry.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegistryOut {
    /// Subject.
    pub subject: String,
    /// Registered versions used, oldest first.
    pub versions: Vec<i32>,
    /// The subject's compatibility level in the registry, when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The registry's answer (ask_registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<RegistryVerdictOut>,
}

/// Output of `schema_validate`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SchemaValidateOutput {
    /// The action run.
    pub action: SchemaAction,
    /// The schema format used.
    pub format: Format,
    /// validate: problems, canonical form, fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<SchemaValidation>,
    /// check: the verdict and every incompatibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
    /// check: where the mode came from: input, registry subject level, registry global level,
    /// default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_source: Option<String>,
    /// modes: one verdict per mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<ModeVerdict>>,
    /// check/modes: the previous versions received, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub previous_versions: Vec<String>,
    /// Imported files and registry references used, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Schema Registry details, when a subject was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryOut>,
    /// Defaults applied, ignored fields, disagreements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One schema text with the label it is reported under, and its schema_dir file if any.
struct Labeled {
    label: String,
    text: String,
    file: Option<String>,
}

/// A schema as received: inline (rendered once the format is known) or file text.
enum Raw {
    Inline(Value),
    Text(String),
}

impl Raw {
    fn text(&self, format: Format) -> String {
        match self {
            Raw::Inline(v) => inline_text_for(format, v),
            Raw::Text(t) => t.clone(),
        }
    }
}

/// A schema before its format is known.
struct NewSchema {
    label: String,
    raw: Raw,
    file: Option<String>,
}

impl NewSchema {
    fn text(&self, format: Format) -> String {
        self.raw.text(format)
    }
}

/// The previous versions as fetched, before their format is known.
struct Fetched {
    previous: Vec<NewSchema>,
    versions: Vec<i32>,
    registry_format: Option<Format>,
    latest_refs: Vec<SchemaRef>,
}

/// The format: sent, else the registry's schemaType, else the first file extension that says,
/// else AVRO. A sent format the registry contradicts is an error.
fn pick_format(
    sent: Option<Format>,
    registry: Option<Format>,
    files: &[Option<&str>],
    out: &mut SchemaValidateOutput,
) -> Result<Format, ToolError> {
    let format = match (sent, registry) {
        (Some(s), Some(r)) if s != r => {
            return Err(ToolError::invalid(format!(
                "format {s} was sent, but the subject's versions are {r} schemas: send format {r}, or omit format."
            )))
        }
        (Some(s), _) => s,
        (None, Some(r)) => {
            out.notes
                .push(format!("format {r} from the subject's schemaType"));
            r
        }
        (None, None) => match files.iter().flatten().find_map(|f| Format::from_file_name(f)) {
            Some(f) => {
                if f != Format::Avro {
                    out.notes.push(format!("format {f} from the file extension"));
                }
                f
            }
            None => Format::Avro,
        },
    };
    out.format = format;
    Ok(format)
}

fn avro_error(e: AvroError) -> ToolError {
    ToolError::invalid(e.to_string())
}

fn format_error(e: FormatError) -> ToolError {
    ToolError::invalid(e.to_string())
}

#[tool_router(router = schema_validate_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Avro, Protobuf, JSON Schema. validate: every problem with location, canonical form,
    /// fingerprint. check: compatible with earlier versions under a mode? (every incompatibility
    /// with path and fix). modes: which modes a change satisfies.
    #[tool(
        annotations(read_only_hint = true),
        output_schema = rmcp::handler::server::common::schema_for_output::<SchemaValidateOutput>()
    )]
    pub async fn schema_validate(
        &self,
        Parameters(input): Parameters<SchemaValidateInput>,
    ) -> Result<Answer<SchemaValidateOutput>, ToolError> {
        let out = self.schema_validate_output(input).await?;
        Ok(self.answer(out))
    }
}

impl KafkaMcp {
    /// The `schema_validate` answer.
    pub async fn schema_validate_output(
        &self,
        input: SchemaValidateInput,
    ) -> Result<SchemaValidateOutput, ToolError> {
        let mut out = SchemaValidateOutput {
            action: input.action,
            format: Format::Avro,
            validation: None,
            check: None,
            mode_source: None,
            modes: None,
            previous_versions: Vec::new(),
            references: Vec::new(),
            registry: None,
            notes: Vec::new(),
        };
        if input.action != SchemaAction::Validate {
            check_sources(&input)?;
        }
        let new = self.new_schema(&input).await?;
        let mut refs: Refs = input.references.clone().unwrap_or_default();
        match input.action {
            SchemaAction::Validate => {
                let ignored: Vec<&str> = [
                    ("previous", input.previous.is_some()),
                    ("previous_files", input.previous_files.is_some()),
                    ("subject", input.subject.is_some()),
                    ("versions", input.versions.is_some()),
                    ("mode", input.mode.is_some()),
                    ("ask_registry", input.ask_registry),
                ]
                .into_iter()
                .filter_map(|(k, set)| set.then_some(k))
                .collect();
                if !ignored.is_empty() {
                    out.notes.push(format!(
                        "validate ignores {}; use action check or modes",
                        ignored.join(", ")
                    ));
                }
                let format = pick_format(input.format, None, &[new.file.as_deref()], &mut out)?;
                let text = new.text(format);
                if format == Format::Avro {
                    require_json(&new.label, &text)?;
                }
                self.load_imports(format, &[(text.as_str(), new.file.is_some())], &mut refs)
                    .await?;
                out.validation = Some(schema_format::validate(format, &text, &refs));
            }
            SchemaAction::Check => self.run_check(&input, &new, &mut refs, &mut out).await?,
            SchemaAction::Modes => {
                for (k, set) in [
                    ("mode", input.mode.is_some()),
                    ("ask_registry", input.ask_registry),
                ] {
                    if set {
                        out.notes.push(format!(
                            "modes ignores {k}; it checks all seven modes locally"
                        ));
                    }
                }
                let (format, new_text, previous, _, _) = self
                    .history(&input, &new, None, true, &mut refs, &mut out)
                    .await?;
                let verdicts = schema_format::modes(format, &new_text, &pairs(&previous), &refs)
                    .map_err(format_error)?;
                out.previous_versions = previous.into_iter().map(|p| p.label).collect();
                out.modes = Some(verdicts);
            }
        }
        out.references = refs.keys().cloned().collect();
        Ok(out)
    }
}

/// The previous versions come from one source; `versions` only with `subject`. Checked before
/// any I/O.
fn check_sources(input: &SchemaValidateInput) -> Result<(), ToolError> {
    let sources = [
        input.previous.is_some(),
        input.previous_files.is_some(),
        input.subject.is_some(),
    ];
    if sources.iter().filter(|s| **s).count() > 1 {
        return Err(ToolError::invalid(
            "send previous versions from one source only: `previous` (inline), `previous_files`, or `subject`.",
        ));
    }
    if input.versions.is_some() && input.subject.is_none() {
        return Err(ToolError::invalid(
            "`versions` picks registered versions of `subject`; send `subject` too, or list inline versions in `previous`.",
        ));
    }
    Ok(())
}

fn pairs(previous: &[Labeled]) -> Vec<(String, String)> {
    previous
        .iter()
        .map(|p| (p.label.clone(), p.text.clone()))
        .collect()
}

/// Avro: malformed JSON is a tool error (there is no schema to report on); JSON that is not
/// Avro is left to the checker, which locates each problem.
fn require_json(label: &str, text: &str) -> Result<(), ToolError> {
    let report = match serde_json::from_str::<Value>(text) {
        Ok(_) => return Ok(()),
        Err(_) => avro::validate(text),
    };
    let detail = report
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::MalformedJson)
        .map(|p| p.message.clone())
        .unwrap_or_default();
    let hint = if text.contains("syntax") || text.contains("message ") {
        " It looks like Protobuf: send format PROTOBUF."
    } else {
        ""
    };
    Err(ToolError::invalid(format!(
        "{label} is not JSON ({detail}). Send an Avro schema as JSON text or a JSON object, e.g. {{\"type\": \"record\", \"name\": \"Order\", \"fields\": [{{\"name\": \"id\", \"type\": \"string\"}}]}}, or a type name like \"string\".{hint}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_format::inputs::{MAX_LISTED, MAX_NOTES};

    #[test]
    fn malformed_json_names_the_input_and_what_to_send() {
        let e = require_json("version 2", "{\"type\": ").unwrap_err();
        assert!(
            e.message.starts_with("version 2 is not JSON ("),
            "{}",
            e.message
        );
        assert!(e.message.contains("Send an Avro schema"), "{}", e.message);
        assert!(require_json("x", "42").is_ok());
    }

    fn output_for(format: Format, breaking: bool, action: SchemaAction) -> SchemaValidateOutput {
        let (new, previous) = schema_format::synthetic_history(format, 50, 200, breaking);
        let refs = Refs::new();
        let mut out = SchemaValidateOutput {
            action,
            format,
            validation: None,
            check: None,
            mode_source: Some("input".into()),
            modes: None,
            previous_versions: previous
                .iter()
                .map(|(l, _)| format!("version {l}"))
                .collect(),
            references: Vec::new(),
            registry: None,
            notes: Vec::new(),
        };
        match action {
            SchemaAction::Check => {
                let mut r =
                    schema_format::check(format, &new, &previous, &refs, Mode::FullTransitive)
                        .unwrap();
                budget(&mut r);
                out.check = Some(r);
            }
            SchemaAction::Modes => {
                out.modes = Some(schema_format::modes(format, &new, &previous, &refs).unwrap());
            }
            SchemaAction::Validate => {
                out.validation = Some(schema_format::validate(format, &new, &refs));
            }
        }
        out
    }

    #[test]
    fn fifty_versions_of_two_hundred_fields_answer_in_under_8_kb() {
        for format in [Format::Avro, Format::Protobuf, Format::Json] {
            for breaking in [false, true] {
                for action in [SchemaAction::Check, SchemaAction::Modes] {
                    let out = output_for(format, breaking, action);
                    let json = serde_json::to_string(&out).unwrap();
                    let total = json.len() + out.summary().len();
                    assert!(
                        total < 8 * 1024,
                        "{format} breaking={breaking} {action:?}: {total} bytes"
                    );
                    if let Some(c) = &out.check {
                        assert_eq!(c.compatible, !breaking, "{format}");
                        if breaking {
                            // 199 changed fields × 2 directions × 50 versions, 10 listed.
                            assert_eq!(c.incompatibilities.len(), MAX_LISTED);
                            assert_eq!(c.incompatibilities.len() + c.omitted, 199 * 2 * 50);
                            assert!(c.notes[0].contains("not listed"), "{:?}", c.notes);
                        }
                        assert!(c.notes.len() <= MAX_NOTES + 1);
                    }
                }
            }
        }
    }

    #[test]
    fn the_format_comes_from_input_registry_or_extension() {
        let mut out = output_for(Format::Avro, false, SchemaAction::Validate);
        assert_eq!(
            pick_format(None, None, &[Some("x.proto")], &mut out).unwrap(),
            Format::Protobuf
        );
        assert_eq!(out.format, Format::Protobuf);
        assert_eq!(
            pick_format(None, Some(Format::Json), &[Some("x.proto")], &mut out).unwrap(),
            Format::Json
        );
        assert_eq!(
            pick_format(Some(Format::Json), None, &[Some("x.proto")], &mut out).unwrap(),
            Format::Json
        );
        assert_eq!(
            pick_format(None, None, &[None, Some("v1.json")], &mut out).unwrap(),
            Format::Json
        );
        assert_eq!(
            pick_format(None, None, &[None], &mut out).unwrap(),
            Format::Avro
        );
        let e = pick_format(Some(Format::Avro), Some(Format::Protobuf), &[], &mut out).unwrap_err();
        assert!(e.message.contains("PROTOBUF"), "{}", e.message);
    }
}

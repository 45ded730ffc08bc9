//! `schema_validate`: validate an Avro, Protobuf or JSON Schema schema, check a new schema
//! against previous versions under the Schema Registry's seven modes, and list the modes a
//! change satisfies. Schemas (and the files or registry references they import) come inline,
//! from files under `[server] schema_dir`, or from a registry subject (`crate::registry`);
//! every verdict comes from the pure `crate::schema_format`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::avro::{self, AvroError, Level, Mode, ModeVerdict, ProblemKind};
use crate::error::ToolError;
use crate::output::{Answer, Summary};
use crate::registry::{LevelSource, Registry, SchemaRef, VersionRef};
use crate::schema_format::{self, CheckReport, Format, FormatError, Refs, SchemaValidation};
use crate::server::KafkaMcp;

/// Largest schema file read from `schema_dir`.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most registered versions fetched for one call (the newest ones).
const MAX_VERSIONS: usize = 100;
/// Most imported files or registry references loaded for one call.
const MAX_REFERENCES: usize = 64;
/// Most incompatibilities listed in one answer (the count of the rest is given).
const MAX_LISTED: usize = 10;
/// Most notes listed in one check report.
const MAX_NOTES: usize = 3;

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

impl Summary for SchemaValidateOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(v) = &self.validation {
            let (errors, warnings) = count_levels(v);
            let dialect = v
                .dialect
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            if v.valid {
                s.push_str(&format!(
                    "VALID {} schema{dialect}; fingerprint {} ({} warning(s))",
                    v.format.display_name(),
                    v.fingerprint_rabin.as_deref().unwrap_or("-"),
                    warnings
                ));
            } else {
                s.push_str(&format!(
                    "INVALID {} schema{dialect}: {errors} error(s), {warnings} warning(s)",
                    v.format.display_name()
                ));
            }
            for p in v.problems.iter().take(10) {
                s.push_str(&format!(
                    "\n- [{}] {} {}: {} Fix: {}",
                    level_str(p.level),
                    p.path,
                    p.kind,
                    p.message,
                    p.fix
                ));
            }
            more(&mut s, v.problems.len(), 10, "problem");
        }
        if let Some(c) = &self.check {
            let verdict = if c.compatible {
                "COMPATIBLE"
            } else {
                "INCOMPATIBLE"
            };
            let with = if c.compared_with.is_empty() {
                "nothing (NONE checks nothing)".to_string()
            } else {
                c.compared_with.join(", ")
            };
            let total = c.incompatibilities.len() + c.omitted;
            s.push_str(&format!(
                "{verdict} ({}) under {} (mode from {}) with {with}: {total} incompatibilit{}",
                c.format,
                c.mode,
                self.mode_source.as_deref().unwrap_or("input"),
                if total == 1 { "y" } else { "ies" }
            ));
            for i in c.incompatibilities.iter().take(3) {
                s.push_str(&format!(
                    "\n- {} reads {}: {} {}: {} Fix: {}",
                    i.reader, i.writer, i.path, i.kind, i.message, i.fix
                ));
            }
            more(&mut s, total, 3, "incompatibility");
            if let Some(m) = &c.content_model {
                s.push_str(&format!("\ncontent model assumed: {m}"));
            }
        }
        if let Some(m) = &self.modes {
            let ok: Vec<&str> = m
                .iter()
                .filter(|v| v.compatible)
                .map(|v| v.mode.as_str())
                .collect();
            let bad: Vec<String> = m
                .iter()
                .filter(|v| !v.compatible)
                .map(|v| format!("{} ({})", v.mode, v.incompatibilities))
                .collect();
            s.push_str(&format!(
                "Satisfies: {}; breaks: {} (against {} previous version(s))",
                ok.join(", "),
                if bad.is_empty() {
                    "none".to_string()
                } else {
                    bad.join(", ")
                },
                self.previous_versions.len()
            ));
        }
        if let Some(r) = &self.registry {
            s.push_str(&format!(
                "\nregistry subject {} versions {:?}",
                r.subject, r.versions
            ));
            if let Some(l) = &r.level {
                s.push_str(&format!(", level {l}"));
            }
            if let Some(v) = &r.verdict {
                s.push_str(&format!(
                    "; registry says {}, {}",
                    if v.is_compatible {
                        "compatible"
                    } else {
                        "incompatible"
                    },
                    if v.agrees_with_local {
                        "agrees with local"
                    } else {
                        "DISAGREES with local"
                    }
                ));
            }
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        if let Some(c) = &self.check {
            for n in c.notes.iter().take(1) {
                s.push_str(&format!("\nnote: {n}"));
            }
        }
        s
    }
}

fn count_levels(v: &SchemaValidation) -> (usize, usize) {
    let errors = v
        .problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .count();
    (errors, v.problems.len() - errors)
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn more(s: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        s.push_str(&format!(
            "\n- … {} more {what}(s) in the structured answer",
            total - shown
        ));
    }
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

/// Names a schema imports: Protobuf `import "x.proto";`, JSON Schema `$ref`s to other files
/// (the part before `#`; a URL's last path segment).
pub fn imports_of(format: Format, text: &str) -> Vec<String> {
    match format {
        Format::Avro => Vec::new(),
        Format::Protobuf => text
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("import ") || l.starts_with("import\""))
            .filter_map(|l| {
                let start = l.find('"')? + 1;
                let len = l[start..].find('"')?;
                Some(l[start..start + len].to_string())
            })
            .collect(),
        Format::Json => {
            let mut out = Vec::new();
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                collect_refs(&v, &mut out);
            }
            out
        }
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let target = r.split('#').next().unwrap_or("");
                let name = if target.contains("://") {
                    target.rsplit('/').next().unwrap_or("")
                } else {
                    target
                };
                if !name.is_empty() && !out.iter().any(|x| x == name) {
                    out.push(name.to_string());
                }
            }
            m.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// Text of a schema sent inline in `format`: Avro's bare names become JSON strings; a
/// Protobuf or JSON Schema string is the schema text itself.
pub fn inline_text_for(format: Format, v: &Value) -> String {
    match (format, v) {
        (Format::Avro, _) => inline_text(v),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// JSON text of a schema sent inline. A bare name (`string`, `com.acme.Order`) is the type of
/// that name; objects and arrays are the schema itself.
pub fn inline_text(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let t = s.trim();
            let bare = !t.is_empty()
                && t.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if bare {
                format!("\"{t}\"")
            } else {
                s.clone()
            }
        }
        other => other.to_string(),
    }
}

/// Refuses anything but a plain relative path (no root, no `..`), before touching the disk.
pub fn relative_inside(rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel.trim());
    if rel.trim().is_empty() {
        return Err("the path is empty".into());
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(x) => out.push(x),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("it contains `..`, which could leave schema_dir".into())
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("it is absolute; only paths relative to schema_dir are read".into())
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err("the path names no file".into());
    }
    Ok(out)
}

/// The mode the registry's level means when each version is asked about on its own.
fn pairwise(level: Mode) -> Mode {
    match level {
        Mode::Backward | Mode::BackwardTransitive => Mode::BackwardTransitive,
        Mode::Forward | Mode::ForwardTransitive => Mode::ForwardTransitive,
        Mode::Full | Mode::FullTransitive => Mode::FullTransitive,
        Mode::None => Mode::None,
    }
}

fn avro_error(e: AvroError) -> ToolError {
    ToolError::invalid(e.to_string())
}

fn format_error(e: FormatError) -> ToolError {
    ToolError::invalid(e.to_string())
}

/// Keeps the first `MAX_LISTED` incompatibilities and `MAX_NOTES` notes; the answer says how
/// many more there were, by rule.
pub fn budget(report: &mut CheckReport) {
    if report.incompatibilities.len() > MAX_LISTED {
        let rest = report.incompatibilities.split_off(MAX_LISTED);
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &rest {
            *by_kind.entry(i.kind.as_str()).or_default() += 1;
        }
        report.omitted += rest.len();
        report.notes.insert(
            0,
            format!(
                "{} more incompatibilit{} not listed ({}); fix the listed ones and check again, or compare with fewer versions (`versions`)",
                rest.len(),
                if rest.len() == 1 { "y" } else { "ies" },
                by_kind
                    .iter()
                    .map(|(k, n)| format!("{k} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if report.notes.len() > MAX_NOTES {
        let n = report.notes.len() - MAX_NOTES;
        report.notes.truncate(MAX_NOTES);
        report.notes.push(format!("… {n} more note(s)"));
    }
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

    /// The format, the new schema's text, the previous versions (texts in that format), their
    /// registry version numbers, and the references of the latest registered version.
    #[allow(clippy::type_complexity)]
    async fn history(
        &self,
        input: &SchemaValidateInput,
        new: &NewSchema,
        mode: Option<Mode>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(Format, String, Vec<Labeled>, Vec<i32>, Vec<SchemaRef>), ToolError> {
        let fetched = self.previous(input, mode, all, refs, out).await?;
        let mut files: Vec<Option<&str>> = vec![new.file.as_deref()];
        files.extend(fetched.previous.iter().map(|p| p.file.as_deref()));
        let format = pick_format(input.format, fetched.registry_format, &files, out)?;
        let new_text = new.text(format);
        let previous: Vec<Labeled> = fetched
            .previous
            .into_iter()
            .map(|p| Labeled {
                label: p.label,
                text: p.raw.text(format),
                file: p.file,
            })
            .collect();
        if format == Format::Avro {
            require_json(&new.label, &new_text)?;
            for p in &previous {
                require_json(&p.label, &p.text)?;
            }
        }
        let mut texts: Vec<(&str, bool)> = vec![(new_text.as_str(), new.file.is_some())];
        texts.extend(previous.iter().map(|p| (p.text.as_str(), p.file.is_some())));
        self.load_imports(format, &texts, refs).await?;
        Ok((
            format,
            new_text,
            previous,
            fetched.versions,
            fetched.latest_refs,
        ))
    }

    async fn run_check(
        &self,
        input: &SchemaValidateInput,
        new: &NewSchema,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(), ToolError> {
        if input.ask_registry && input.subject.is_none() {
            return Err(ToolError::invalid(
                "ask_registry needs `subject`: name the registry subject to ask (e.g. orders-value), or drop ask_registry.",
            ));
        }
        // The subject's level: needed for the default mode and for comparing with the registry.
        let mut level: Option<(String, LevelSource)> = None;
        if let Some(subject) = &input.subject {
            if input.mode.is_none() || input.ask_registry {
                level = Some(self.registry()?.level(subject).await?);
            }
        }
        let (mode, source) = match (&input.mode, &level) {
            (Some(m), _) => (Mode::from_str(m).map_err(avro_error)?, "input"),
            (None, Some((l, src))) => match Mode::from_str(l) {
                Ok(m) => (
                    m,
                    if *src == LevelSource::Subject {
                        "registry subject level"
                    } else {
                        "registry global level"
                    },
                ),
                Err(_) => {
                    out.notes.push(format!(
                        "the registry's level {l:?} is not one of the seven modes; used BACKWARD"
                    ));
                    (Mode::Backward, "default")
                }
            },
            (None, None) => (Mode::Backward, "default"),
        };
        out.mode_source = Some(source.to_string());
        if input.mode.is_none() {
            out.notes
                .push(format!("no mode sent: used {mode} ({source})"));
        }
        let (format, new_text, previous, versions, latest_refs) = self
            .history(input, new, Some(mode), false, refs, out)
            .await?;
        let mut report = schema_format::check(format, &new_text, &pairs(&previous), refs, mode)
            .map_err(format_error)?;
        if previous.is_empty() {
            out.notes.push(
                "no earlier versions: a subject's first schema is compatible under every mode"
                    .into(),
            );
        }
        if !mode.transitive() && mode != Mode::None && previous.len() > 1 {
            out.notes.push(format!(
                "{mode} compares with the latest version only ({}); use {mode}_TRANSITIVE to compare with all {}",
                report.compared_with.join(", "),
                previous.len()
            ));
        }
        out.previous_versions = previous.iter().map(|p| p.label.clone()).collect();
        if input.ask_registry && !previous.is_empty() {
            let subject = input.subject.as_deref().unwrap_or_default();
            // The versions the local verdict compared with (NONE: the latest, so the registry
            // still gets a question).
            let asked: Vec<usize> = if mode.transitive() {
                (0..previous.len()).collect()
            } else {
                previous.len().checked_sub(1).into_iter().collect()
            };
            let registry = self.registry()?;
            let mut is_compatible = true;
            let mut messages = Vec::new();
            for &i in &asked {
                let v = versions[i];
                let a = registry
                    .compatibility(
                        subject,
                        VersionRef::Number(v),
                        &new_text,
                        format.as_str(),
                        &latest_refs,
                    )
                    .await?;
                is_compatible &= a.is_compatible;
                let prefix = if asked.len() > 1 {
                    format!("version {v}: ")
                } else {
                    String::new()
                };
                messages.extend(a.messages.into_iter().map(|m| format!("{prefix}{m}")));
            }
            let level_name = level.as_ref().map(|(l, _)| l.clone()).unwrap_or_default();
            let local_compatible = match Mode::from_str(&level_name) {
                Ok(l) => {
                    if l != mode {
                        out.notes.push(format!(
                            "the registry judges under its level {l}, not {mode}; agrees_with_local compares the local verdict under {l} on the same versions"
                        ));
                    }
                    let same: Vec<(String, String)> = asked
                        .iter()
                        .map(|&i| (previous[i].label.clone(), previous[i].text.clone()))
                        .collect();
                    schema_format::check(format, &new_text, &same, refs, pairwise(l))
                        .map_err(format_error)?
                        .compatible
                }
                Err(_) => report.compatible,
            };
            let agrees = local_compatible == is_compatible;
            if !agrees {
                out.notes.push(format!(
                    "the registry says {}, the local check says {}: registering follows the registry; compare its messages with the incompatibilities listed",
                    if is_compatible { "compatible" } else { "incompatible" },
                    if local_compatible { "compatible" } else { "incompatible" }
                ));
            }
            if let Some(r) = out.registry.as_mut() {
                r.verdict = Some(RegistryVerdictOut {
                    is_compatible,
                    messages,
                    local_compatible,
                    agrees_with_local: agrees,
                });
            }
        }
        if let (Some(r), Some((l, _))) = (out.registry.as_mut(), level) {
            r.level = Some(l);
        }
        budget(&mut report);
        out.check = Some(report);
        Ok(())
    }

    fn registry(&self) -> Result<Registry, ToolError> {
        let Some(cfg) = &self.config().schema_registry else {
            return Err(ToolError::invalid(
                "no Schema Registry is configured: add [server.schema_registry] url = \"http://host:8081\" to the config file, or send the previous versions inline with `previous`.",
            ));
        };
        Ok(Registry::new(
            cfg,
            Duration::from_millis(self.config().timeout_ms),
        )?)
    }

    async fn new_schema(&self, input: &SchemaValidateInput) -> Result<NewSchema, ToolError> {
        match (&input.schema, &input.schema_file) {
            (Some(_), Some(_)) => Err(ToolError::invalid(
                "send either `schema` or `schema_file`, not both.",
            )),
            (Some(v), None) => Ok(NewSchema {
                label: "schema".into(),
                raw: Raw::Inline(v.clone()),
                file: None,
            }),
            (None, Some(f)) => Ok(NewSchema {
                label: format!("schema_file {f}"),
                raw: Raw::Text(self.read_schema_file(f).await?),
                file: Some(f.clone()),
            }),
            (None, None) => Err(ToolError::invalid(
                "no schema: send `schema` (Avro JSON text or object, e.g. {\"type\": \"record\", \"name\": \"Order\", \"fields\": []}; a .proto text with format PROTOBUF; a JSON Schema with format JSON) or `schema_file` (a path under schema_dir).",
            )),
        }
    }

    /// The previous versions, oldest first, from the one source sent, with their registry
    /// version numbers and schema type when they came from a subject.
    async fn previous(
        &self,
        input: &SchemaValidateInput,
        mode: Option<Mode>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<Fetched, ToolError> {
        let previous = if let Some(list) = &input.previous {
            list.iter()
                .enumerate()
                .map(|(i, v)| NewSchema {
                    label: format!("version {}", i + 1),
                    raw: Raw::Inline(v.clone()),
                    file: None,
                })
                .collect()
        } else if let Some(files) = &input.previous_files {
            let mut v = Vec::with_capacity(files.len());
            for f in files {
                v.push(NewSchema {
                    label: f.clone(),
                    raw: Raw::Text(self.read_schema_file(f).await?),
                    file: Some(f.clone()),
                });
            }
            v
        } else if let Some(subject) = &input.subject {
            let want_all = all || mode.is_some_and(Mode::transitive);
            return self
                .subject_versions(subject, input.versions.as_deref(), want_all, refs, out)
                .await;
        } else if mode == Some(Mode::None) {
            // NONE checks nothing: no history needed.
            Vec::new()
        } else {
            return Err(ToolError::invalid(format!(
                "{} compares the new schema with earlier versions, but none were sent. Send the registered versions oldest first (latest last) as `previous` (inline), `previous_files`, or `subject` (Schema Registry); `previous: []` checks a subject's first schema.",
                mode.map_or("modes".to_string(), |m| format!("mode {m}"))
            )));
        };
        Ok(Fetched {
            previous,
            versions: Vec::new(),
            registry_format: None,
            latest_refs: Vec::new(),
        })
    }

    async fn subject_versions(
        &self,
        subject: &str,
        versions: Option<&[i32]>,
        all: bool,
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<Fetched, ToolError> {
        let registry = self.registry()?;
        let registered = registry.versions(subject).await?;
        let Some(&latest) = registered.last() else {
            return Err(ToolError::not_found(format!(
                "subject {subject:?} has no registered versions. Check the name, or send the previous versions inline with `previous`."
            )));
        };
        let mut chosen: Vec<i32> = match versions {
            Some([]) => {
                return Err(ToolError::invalid(format!(
                    "`versions` is empty: omit it, or pick from the registered versions of {subject:?}: {registered:?}."
                )))
            }
            Some(list) => {
                let mut v: Vec<i32> = list.iter().map(|&n| if n == -1 { latest } else { n }).collect();
                v.sort_unstable();
                v.dedup();
                if let Some(missing) = v.iter().find(|n| !registered.contains(n)) {
                    return Err(ToolError::not_found(format!(
                        "subject {subject:?} has no version {missing}; registered versions: {registered:?}. Pick from those, or omit `versions`."
                    )));
                }
                v
            }
            None if all => registered.clone(),
            None => vec![latest],
        };
        if chosen.len() > MAX_VERSIONS {
            out.notes.push(format!(
                "{subject:?} has {} versions to compare; used the newest {MAX_VERSIONS}. Pass `versions` to pick others",
                chosen.len()
            ));
            chosen.drain(..chosen.len() - MAX_VERSIONS);
        }
        let mut fetched = Vec::with_capacity(chosen.len());
        for batch in chosen.chunks(4) {
            let calls: Vec<_> = batch
                .iter()
                .map(|&v| registry.schema(subject, VersionRef::Number(v)))
                .collect();
            fetched.extend(futures::future::try_join_all(calls).await?);
        }
        let mut previous = Vec::with_capacity(fetched.len());
        let mut format: Option<Format> = None;
        let mut latest_refs = Vec::new();
        for s in fetched {
            let f = Format::from_str(&s.schema_type).map_err(|_| {
                ToolError::unsupported(format!(
                    "version {} of {subject:?} has schemaType {}; schema_validate checks AVRO, PROTOBUF and JSON.",
                    s.version, s.schema_type
                ))
            })?;
            match format {
                Some(prev) if prev != f => {
                    return Err(ToolError::invalid(format!(
                        "the versions of {subject:?} mix schema types ({prev} and {f} at version {}); compare versions of one type with `versions`.",
                        s.version
                    )))
                }
                _ => format = Some(f),
            }
            self.fetch_references(&registry, &s.references, refs, out)
                .await?;
            latest_refs = s.references.clone();
            previous.push(NewSchema {
                label: format!("version {}", s.version),
                raw: Raw::Text(s.schema),
                file: None,
            });
        }
        out.registry = Some(RegistryOut {
            subject: subject.to_string(),
            versions: chosen.clone(),
            level: None,
            verdict: None,
        });
        Ok(Fetched {
            previous,
            versions: chosen,
            registry_format: format,
            latest_refs,
        })
    }

    /// Registry references, and theirs, by name (bounded by `MAX_REFERENCES`). A name sent in
    /// `references` wins over the registry's.
    async fn fetch_references(
        &self,
        registry: &Registry,
        wanted: &[SchemaRef],
        refs: &mut Refs,
        out: &mut SchemaValidateOutput,
    ) -> Result<(), ToolError> {
        let mut queue: Vec<SchemaRef> = wanted.to_vec();
        let mut seen: Vec<(String, i32)> = Vec::new();
        while let Some(r) = queue.pop() {
            if refs.contains_key(&r.name) || seen.contains(&(r.subject.clone(), r.version)) {
                continue;
            }
            if seen.len() >= MAX_REFERENCES {
                out.notes.push(format!(
                    "more than {MAX_REFERENCES} schema references; the rest were not fetched"
                ));
                break;
            }
            seen.push((r.subject.clone(), r.version));
            let s = registry
                .schema(&r.subject, VersionRef::Number(r.version))
                .await?;
            queue.extend(s.references.iter().cloned());
            refs.insert(r.name.clone(), s.schema);
        }
        Ok(())
    }

    /// Files imported by schemas read from schema_dir (Protobuf `import`s, JSON Schema `$ref`s
    /// to other files), read from schema_dir too, transitively. A missing one is left to the
    /// validator, which reports it where it is imported.
    async fn load_imports(
        &self,
        format: Format,
        texts: &[(&str, bool)],
        refs: &mut Refs,
    ) -> Result<(), ToolError> {
        if format == Format::Avro || self.config().schema_dir.is_none() {
            return Ok(());
        }
        let mut queue: Vec<String> = texts
            .iter()
            .filter(|(_, from_file)| *from_file)
            .flat_map(|(t, _)| imports_of(format, t))
            .collect();
        let mut loaded = 0;
        while let Some(name) = queue.pop() {
            if refs.contains_key(&name) || loaded >= MAX_REFERENCES {
                continue;
            }
            if name.starts_with("google/protobuf/") || relative_inside(&name).is_err() {
                continue;
            }
            match self.read_schema_file(&name).await {
                Ok(text) => {
                    queue.extend(imports_of(format, &text));
                    refs.insert(name, text);
                    loaded += 1;
                }
                Err(_) => continue,
            }
        }
        Ok(())
    }

    async fn read_schema_file(&self, rel: &str) -> Result<String, ToolError> {
        let Some(dir) = &self.config().schema_dir else {
            return Err(ToolError::invalid(format!(
                "cannot read schema file {rel:?}: no schema directory is configured. Set [server] schema_dir = \"/path/to/schemas\" in the config file, or send the schema inline."
            )));
        };
        let inside = relative_inside(rel).map_err(|why| {
            ToolError::refused(format!(
                "schema file {rel:?} refused: {why}. Send a path relative to schema_dir, e.g. `orders/order-v2.avsc`."
            ))
        })?;
        let root = tokio::fs::canonicalize(dir).await.map_err(|e| {
            ToolError::unavailable(format!(
                "schema_dir {} cannot be opened ({e}). Fix [server] schema_dir in the config file.",
                dir.display()
            ))
        })?;
        let real = match tokio::fs::canonicalize(root.join(&inside)).await {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ToolError::not_found(format!(
                    "no schema file {rel:?} under schema_dir {}. Check the name (paths are relative to schema_dir).",
                    root.display()
                )));
            }
            Err(e) => {
                return Err(ToolError::unavailable(format!(
                    "cannot open schema file {rel:?}: {e}."
                )))
            }
        };
        if !real.starts_with(&root) {
            return Err(ToolError::refused(format!(
                "schema file {rel:?} refused: it is a symlink that leads outside schema_dir {}. Copy the schema into schema_dir, or send it inline.",
                root.display()
            )));
        }
        let meta = tokio::fs::metadata(&real).await.map_err(|e| {
            ToolError::unavailable(format!("cannot open schema file {rel:?}: {e}."))
        })?;
        if !meta.is_file() {
            return Err(ToolError::invalid(format!(
                "{rel:?} is not a file under schema_dir; name a schema file (.avsc)."
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(ToolError::invalid(format!(
                "schema file {rel:?} is {} bytes; the limit is {MAX_FILE_BYTES}. Is it really one Avro schema?",
                meta.len()
            )));
        }
        let bytes = tokio::fs::read(&real).await.map_err(|e| {
            ToolError::unavailable(format!("cannot read schema file {rel:?}: {e}."))
        })?;
        String::from_utf8(bytes).map_err(|_| {
            ToolError::invalid(format!(
                "schema file {rel:?} is not UTF-8 text; an .avsc file holds JSON."
            ))
        })
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

    #[test]
    fn inline_forms() {
        assert_eq!(inline_text(&Value::String("null".into())), "\"null\"");
        assert_eq!(
            inline_text(&Value::String(" com.acme.Order ".into())),
            "\"com.acme.Order\""
        );
        assert_eq!(inline_text(&Value::String("\"int\"".into())), "\"int\"");
        assert_eq!(
            inline_text(&Value::String("{\"type\":\"int\"}".into())),
            "{\"type\":\"int\"}"
        );
        assert_eq!(inline_text(&Value::String("42".into())), "42");
        assert_eq!(
            inline_text(&serde_json::json!({"type": "long"})),
            "{\"type\":\"long\"}"
        );
        assert_eq!(
            inline_text(&serde_json::json!(["null", "int"])),
            "[\"null\",\"int\"]"
        );
    }

    #[test]
    fn paths_must_stay_inside() {
        assert_eq!(
            relative_inside("a/b.avsc").unwrap(),
            PathBuf::from("a/b.avsc")
        );
        assert_eq!(
            relative_inside("./a.avsc").unwrap(),
            PathBuf::from("a.avsc")
        );
        assert!(relative_inside("../etc/passwd").unwrap_err().contains(".."));
        assert!(relative_inside("a/../../b").unwrap_err().contains(".."));
        assert!(
            relative_inside("a/../b").is_err(),
            "any `..` is refused, even one that stays inside"
        );
        assert!(relative_inside("/etc/passwd")
            .unwrap_err()
            .contains("absolute"));
        assert!(relative_inside("").is_err());
        assert!(relative_inside(".").is_err());
    }

    #[test]
    fn registry_levels_become_pairwise_modes() {
        assert_eq!(pairwise(Mode::Backward), Mode::BackwardTransitive);
        assert_eq!(pairwise(Mode::ForwardTransitive), Mode::ForwardTransitive);
        assert_eq!(pairwise(Mode::Full), Mode::FullTransitive);
        assert_eq!(pairwise(Mode::None), Mode::None);
    }

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
    fn imports_are_found_in_proto_and_json_texts() {
        let proto = "syntax = \"proto3\";\nimport \"a/b.proto\";\n  import public \"c.proto\";\nmessage M {}\n";
        assert_eq!(
            imports_of(Format::Protobuf, proto),
            vec!["a/b.proto", "c.proto"]
        );
        let json = r##"{"properties": {"a": {"$ref": "address.json#/x"}, "b": {"$ref": "#/defs/y"},
            "c": {"$ref": "https://acme.com/s/phone.json"}, "d": {"$ref": "address.json"}}}"##;
        assert_eq!(
            imports_of(Format::Json, json),
            vec!["address.json", "phone.json"]
        );
        assert!(imports_of(Format::Avro, json).is_empty());
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

//! `schema_validate`: validate an Avro schema, check a new schema against previous versions
//! under the Schema Registry's seven modes, and list the modes a change satisfies. Schemas come
//! inline, from files under `[server] schema_dir`, or from a registry subject
//! (`crate::registry`); every verdict comes from the pure `crate::avro`.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::avro::{
    self, AvroError, CheckReport, Level, Mode, ModeVerdict, ProblemKind, ValidationReport,
};
use crate::error::ToolError;
use crate::output::{Answer, Summary};
use crate::registry::{LevelSource, Registry, VersionRef};
use crate::server::KafkaMcp;

/// Largest schema file read from `schema_dir`.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most registered versions fetched for one call (the newest ones).
const MAX_VERSIONS: usize = 100;

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
    /// The (new) Avro schema: JSON text, a JSON object/array, or a type name like `string`.
    pub schema: Option<Value>,
    /// Instead of `schema`: a file path relative to `[server] schema_dir`.
    pub schema_file: Option<String>,
    /// check/modes: previous versions, oldest first (same forms as `schema`).
    pub previous: Option<Vec<Value>>,
    /// check/modes: previous versions as files under schema_dir, oldest first.
    pub previous_files: Option<Vec<String>>,
    /// check/modes: Schema Registry subject holding the previous versions, e.g. `orders-value`.
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
    /// validate: problems, canonical form, fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<ValidationReport>,
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
            if v.valid {
                s.push_str(&format!(
                    "VALID Avro schema; fingerprint {} ({} warning(s))",
                    v.fingerprint_rabin.as_deref().unwrap_or("-"),
                    warnings
                ));
            } else {
                s.push_str(&format!(
                    "INVALID Avro schema: {errors} error(s), {warnings} warning(s)"
                ));
            }
            for p in v.problems.iter().take(10) {
                s.push_str(&format!(
                    "\n- [{}] {} {}: {}",
                    level_str(p.level),
                    p.path,
                    p.kind.as_str(),
                    p.message
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
            s.push_str(&format!(
                "{verdict} under {} (mode from {}) with {with}: {} incompatibilit{}",
                c.mode,
                self.mode_source.as_deref().unwrap_or("input"),
                c.incompatibilities.len(),
                if c.incompatibilities.len() == 1 {
                    "y"
                } else {
                    "ies"
                }
            ));
            for i in c.incompatibilities.iter().take(10) {
                s.push_str(&format!(
                    "\n- {} reads {}: {} {}: {} Fix: {}",
                    i.reader,
                    i.writer,
                    i.path,
                    i.kind.as_str(),
                    i.message,
                    i.fix
                ));
            }
            more(&mut s, c.incompatibilities.len(), 10, "incompatibility");
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
        s
    }
}

fn count_levels(v: &ValidationReport) -> (usize, usize) {
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

/// One schema text with the label it is reported under.
struct Labeled {
    label: String,
    text: String,
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
    match e {
        AvroError::NoPreviousVersions { .. } => ToolError::invalid(format!(
            "{e} Send them as `previous` (inline), `previous_files`, or `subject` (Schema Registry)."
        )),
        _ => ToolError::invalid(e.to_string()),
    }
}

#[tool_router(router = schema_validate_router, vis = "pub(crate)")]
impl KafkaMcp {
    /// Avro schemas. validate: every problem with its path + canonical form + fingerprint. check: is
    /// a new schema compatible with earlier versions under a mode (every incompatibility with path and
    /// fix)? modes: which modes a change satisfies. Versions inline, from files or a registry subject.
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
            validation: None,
            check: None,
            mode_source: None,
            modes: None,
            previous_versions: Vec::new(),
            registry: None,
            notes: Vec::new(),
        };
        if input.action != SchemaAction::Validate {
            check_sources(&input)?;
        }
        let new = self.new_schema(&input).await?;
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
                out.validation = Some(avro::validate(&new.text));
            }
            SchemaAction::Check => self.run_check(&input, &new, &mut out).await?,
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
                let (previous, _) = self.previous(&input, None, true, &mut out).await?;
                let verdicts = avro::modes(&new.text, &pairs(&previous)).map_err(avro_error)?;
                out.previous_versions = previous.into_iter().map(|p| p.label).collect();
                out.modes = Some(verdicts);
            }
        }
        Ok(out)
    }

    async fn run_check(
        &self,
        input: &SchemaValidateInput,
        new: &Labeled,
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
            (None, Some((l, src))) => {
                match Mode::from_str(l) {
                    Ok(m) => (
                        m,
                        if *src == LevelSource::Subject {
                            "registry subject level"
                        } else {
                            "registry global level"
                        },
                    ),
                    Err(_) => {
                        out.notes.push(format!("the registry's level {l:?} is not one of the seven modes; used BACKWARD"));
                        (Mode::Backward, "default")
                    }
                }
            }
            (None, None) => (Mode::Backward, "default"),
        };
        out.mode_source = Some(source.to_string());
        if input.mode.is_none() {
            out.notes
                .push(format!("no mode sent: used {mode} ({source})"));
        }
        let (previous, versions) = self.previous(input, Some(mode), false, out).await?;
        let report = avro::check(&new.text, &pairs(&previous), mode).map_err(avro_error)?;
        if !mode.transitive() && mode != Mode::None && previous.len() > 1 {
            out.notes.push(format!(
                "{mode} compares with the latest version only ({}); use {mode}_TRANSITIVE to compare with all {}",
                report.compared_with.join(", "),
                previous.len()
            ));
        }
        out.previous_versions = previous.iter().map(|p| p.label.clone()).collect();
        if input.ask_registry {
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
                    .compatibility(subject, VersionRef::Number(v), &new.text)
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
                    avro::check(&new.text, &same, pairwise(l))
                        .map_err(avro_error)?
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

    async fn new_schema(&self, input: &SchemaValidateInput) -> Result<Labeled, ToolError> {
        let new = match (&input.schema, &input.schema_file) {
            (Some(_), Some(_)) => {
                return Err(ToolError::invalid(
                    "send either `schema` or `schema_file`, not both.",
                ));
            }
            (Some(v), None) => Labeled {
                label: "schema".into(),
                text: inline_text(v),
            },
            (None, Some(f)) => Labeled {
                label: format!("schema_file {f}"),
                text: self.read_schema_file(f).await?,
            },
            (None, None) => {
                return Err(ToolError::invalid(
                    "no schema: send `schema` (Avro JSON text or object, e.g. {\"type\": \"record\", \"name\": \"Order\", \"fields\": []}) or `schema_file` (a path under schema_dir).",
                ));
            }
        };
        require_json(&new)?;
        Ok(new)
    }

    /// The previous versions, oldest first, from the one source sent, and their registry
    /// version numbers when they came from a subject.
    async fn previous(
        &self,
        input: &SchemaValidateInput,
        mode: Option<Mode>,
        all: bool,
        out: &mut SchemaValidateOutput,
    ) -> Result<(Vec<Labeled>, Vec<i32>), ToolError> {
        let previous = if let Some(list) = &input.previous {
            list.iter()
                .enumerate()
                .map(|(i, v)| Labeled {
                    label: format!("version {}", i + 1),
                    text: inline_text(v),
                })
                .collect()
        } else if let Some(files) = &input.previous_files {
            let mut v = Vec::with_capacity(files.len());
            for f in files {
                v.push(Labeled {
                    label: f.clone(),
                    text: self.read_schema_file(f).await?,
                });
            }
            v
        } else if let Some(subject) = &input.subject {
            let want_all = all || mode.is_some_and(Mode::transitive);
            return self
                .subject_versions(subject, input.versions.as_deref(), want_all, out)
                .await;
        } else {
            Vec::new()
        };
        for p in &previous {
            require_json(p)?;
        }
        Ok((previous, Vec::new()))
    }

    async fn subject_versions(
        &self,
        subject: &str,
        versions: Option<&[i32]>,
        all: bool,
        out: &mut SchemaValidateOutput,
    ) -> Result<(Vec<Labeled>, Vec<i32>), ToolError> {
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
        for s in fetched {
            if s.schema_type != "AVRO" {
                return Err(ToolError::unsupported(format!(
                    "version {} of {subject:?} is a {} schema; schema_validate checks Avro only.",
                    s.version, s.schema_type
                )));
            }
            if s.references > 0 {
                out.notes.push(format!(
                    "version {} has {} schema reference(s), which are not resolved here: types they define read as unknown",
                    s.version, s.references
                ));
            }
            previous.push(Labeled {
                label: format!("version {}", s.version),
                text: s.schema,
            });
        }
        out.registry = Some(RegistryOut {
            subject: subject.to_string(),
            versions: chosen.clone(),
            level: None,
            verdict: None,
        });
        Ok((previous, chosen))
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

/// Malformed JSON is a tool error (there is no schema to report on); JSON that is not Avro is
/// left to the checker, which locates each problem.
fn require_json(s: &Labeled) -> Result<(), ToolError> {
    let report = match serde_json::from_str::<Value>(&s.text) {
        Ok(_) => return Ok(()),
        Err(_) => avro::validate(&s.text),
    };
    let detail = report
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::MalformedJson)
        .map(|p| p.message.clone())
        .unwrap_or_default();
    Err(ToolError::invalid(format!(
        "{} is not JSON ({detail}). Send an Avro schema as JSON text or a JSON object, e.g. {{\"type\": \"record\", \"name\": \"Order\", \"fields\": [{{\"name\": \"id\", \"type\": \"string\"}}]}}, or a type name like \"string\".",
        s.label
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
        let e = require_json(&Labeled {
            label: "version 2".into(),
            text: "{\"type\": ".into(),
        })
        .unwrap_err();
        assert!(
            e.message.starts_with("version 2 is not JSON ("),
            "{}",
            e.message
        );
        assert!(e.message.contains("Send an Avro schema"), "{}", e.message);
        assert!(require_json(&Labeled {
            label: "x".into(),
            text: "42".into()
        })
        .is_ok());
    }
}

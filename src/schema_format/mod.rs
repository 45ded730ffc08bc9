//! One interface over the three Schema Registry formats (Avro, Protobuf, JSON Schema): validate
//! a schema (every problem located, a canonical form and its fingerprint) and check a new schema
//! against earlier versions under the registry's seven modes, with every incompatibility.
//! Pure: schema texts in (plus the files or registry references they import, by name), reports
//! out; no files, network, env or clock. The rules live per format in `crate::avro` and in
//! this room's `proto` and `json`, which import only the shared vocabulary in `model`; this
//! module drives the modes and shapes the answer alike for all three.

use crate::avro::{self, AvroError, Mode, ModeVerdict};

pub use model::*;

/// Validate `text` as `format`; `refs` holds the files or references it imports.
pub fn validate(format: Format, text: &str, refs: &Refs) -> SchemaValidation {
    match format {
        Format::Avro => {
            let r = avro::validate(text);
            SchemaValidation {
                format,
                valid: r.valid,
                problems: r.problems.into_iter().map(avro_problem).collect(),
                canonical_form: r.canonical_form,
                fingerprint_rabin: r.fingerprint_rabin,
                dialect: None,
            }
        }
        Format::Protobuf => proto::validate(text, refs),
        Format::Json => json::validate(text, refs),
    }
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
            &proto::CachedProtoRules::default(),
            new,
            previous,
            refs,
            mode,
        ),
        Format::Json => drive(&json::CachedJsonRules::default(), new, previous, refs, mode),
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
        Format::Protobuf => drive_modes(&proto::CachedProtoRules::default(), new, previous, refs),
        Format::Json => drive_modes(&json::CachedJsonRules::default(), new, previous, refs),
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

/// An Avro checker problem in the shared shape (Avro problems carry no file, line or column).
fn avro_problem(p: avro::Problem) -> SchemaProblem {
    SchemaProblem {
        path: p.path,
        kind: p.kind.as_str().to_string(),
        level: p.level,
        message: p.message,
        fix: p.fix,
        file: None,
        line: None,
        column: None,
    }
}

fn avro_error(e: AvroError, _previous: &[(String, String)]) -> FormatError {
    match e {
        AvroError::InvalidSchema {
            input, problems, ..
        } => {
            let problems: Vec<SchemaProblem> = problems.into_iter().map(avro_problem).collect();
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
pub mod json;
pub mod model;
pub mod proto;
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

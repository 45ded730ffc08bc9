//! Validating a JSON Schema: the draft's metaschema (every violation, via `jsonschema`), every
//! `$ref` resolved, and keywords that contradict each other.

use serde_json::{Map, Value};

use super::doc::{canonical, draft_of, esc, Draft, JsonDoc};
use crate::schema_format::model::{fingerprint, Format, Refs, SchemaProblem, SchemaValidation};

/// Every problem in a JSON Schema (and in the references it uses), its canonical form and
/// fingerprint. The draft comes from `$schema`, draft-07 when absent (as Confluent's registry).
pub fn validate(text: &str, refs: &Refs) -> SchemaValidation {
    let doc = match JsonDoc::parse(text, refs) {
        Ok(d) => d,
        Err(p) => {
            return SchemaValidation {
                format: Format::Json,
                valid: false,
                problems: vec![*p],
                canonical_form: None,
                fingerprint_rabin: None,
                dialect: None,
            }
        }
    };
    let (problems, draft) = problems(&doc, &mut |draft, doc| ref_problems(doc, draft));
    let valid = !has_error(&problems);
    let canonical_form = valid.then(|| canonical(&doc.root));
    SchemaValidation {
        format: Format::Json,
        valid,
        problems,
        fingerprint_rabin: canonical_form.as_deref().map(fingerprint),
        canonical_form,
        dialect: Some(draft.name().to_string()),
    }
}

/// True when one of `problems` is an error.
pub(crate) fn has_error(problems: &[SchemaProblem]) -> bool {
    problems
        .iter()
        .any(|p| p.level == crate::avro::Level::Error)
}

/// Every problem in a parsed document, in document order, and the draft it was read as. The
/// problems of its references come from `refs_problems(root draft, doc)`, so a caller checking
/// many versions against the same references can compute them once.
pub(crate) fn problems(
    doc: &JsonDoc,
    refs_problems: &mut dyn FnMut(Draft, &JsonDoc) -> Vec<SchemaProblem>,
) -> (Vec<SchemaProblem>, Draft) {
    let mut problems = Vec::new();
    let (draft, unknown) = draft_of(&doc.root);
    if let Some(u) = unknown {
        problems.push(SchemaProblem::warning(
            "/$schema",
            "unknown_draft",
            format!("`$schema` {u:?} is not a draft this checker knows; read as draft-07"),
            "Use one of http://json-schema.org/draft-04/schema#, draft-06, draft-07, https://json-schema.org/draft/2019-09/schema or https://json-schema.org/draft/2020-12/schema.".into(),
        ));
    }
    if !doc.root.is_object() && !doc.root.is_boolean() {
        problems.push(SchemaProblem::error(
            "/",
            "not_a_schema",
            format!(
                "a JSON Schema is an object or a boolean, not {}",
                kind_of(&doc.root)
            ),
            "Send an object such as {\"type\": \"object\", \"properties\": {...}}.".into(),
        ));
    } else {
        metaschema(&doc.root, draft, "", &mut problems);
        let mut w = Walk {
            doc,
            draft,
            out: &mut problems,
        };
        w.walk(&doc.root, None, "");
        problems.extend(refs_problems(draft, doc));
    }
    (problems, draft)
}

/// The problems of `doc`'s references, read with the root's `draft` (each reference is checked
/// against its own draft's metaschema). They depend on the references, the root's draft and,
/// through `$ref`s naming it, the root's `$id`.
pub(crate) fn ref_problems(doc: &JsonDoc, draft: Draft) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    let mut w = Walk {
        doc,
        draft,
        out: &mut out,
    };
    for (name, v) in &doc.refs {
        let (d, _) = draft_of(v);
        let before = w.out.len();
        metaschema(v, d, name, w.out);
        w.walk(v, Some(name), "");
        for p in &mut w.out[before..] {
            p.file = Some(name.clone());
        }
    }
    out
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn metaschema(v: &Value, draft: Draft, file: &str, out: &mut Vec<SchemaProblem>) {
    let validator = match draft {
        Draft::Draft4 => jsonschema::draft4::meta::validator(),
        Draft::Draft6 => jsonschema::draft6::meta::validator(),
        Draft::Draft7 => jsonschema::draft7::meta::validator(),
        Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
        Draft::Draft202012 => jsonschema::draft202012::meta::validator(),
    };
    for e in validator.iter_errors(v) {
        let at = e.instance_path().as_str().to_string();
        if let Some(pattern) = regex_error(&e) {
            out.push(invalid_pattern(&at, &pattern, file));
            continue;
        }
        let path = if at.is_empty() { "/".to_string() } else { at };
        let keyword = path.rsplit('/').next().unwrap_or("").to_string();
        let mut p = SchemaProblem::error(
            path.clone(),
            "metaschema_violation",
            format!(
                "{}: {e}",
                if file.is_empty() {
                    "the schema".to_string()
                } else {
                    format!("reference {file:?}")
                }
            ),
            format!(
                "Make `{}` what {} allows (see the keyword's definition in that draft).",
                if keyword.is_empty() {
                    "the schema"
                } else {
                    &keyword
                },
                draft.name()
            ),
        );
        if !file.is_empty() {
            p.file = Some(file.to_string());
        }
        out.push(p);
    }
}

/// The pattern a metaschema error rejects as a regular expression (`format: regex`), directly
/// (`pattern`) or through `propertyNames` (a `patternProperties` key).
fn regex_error(e: &jsonschema::ValidationError<'_>) -> Option<String> {
    use jsonschema::error::ValidationErrorKind as K;
    match (e.kind(), e.instance().as_ref()) {
        (K::Format { format }, Value::String(p)) if format == "regex" => Some(p.clone()),
        (K::PropertyNames { error }, _) => regex_error(error),
        _ => None,
    }
}

/// A `pattern` or `patternProperties` key that is not a regular expression (the metaschema's
/// `format: regex`), located at the pattern itself: `/properties/code/pattern`, or
/// `/patternProperties/<the key>` (the metaschema points at `patternProperties`).
fn invalid_pattern(at: &str, pattern: &str, file: &str) -> SchemaProblem {
    let (path, keyword) = if at.ends_with("/patternProperties") || at == "/patternProperties" {
        (format!("{at}/{}", esc(pattern)), "patternProperties key")
    } else {
        (
            if at.is_empty() {
                "/".to_string()
            } else {
                at.to_string()
            },
            "pattern",
        )
    };
    // The compiler's reason, when it gives one.
    let reason = match jsonschema::validator_for(&serde_json::json!({ "pattern": pattern })) {
        Err(e) => format!(": {e}"),
        Ok(_) => String::new(),
    };
    let mut p = SchemaProblem::error(
        path,
        "invalid_pattern",
        format!(
            "{}{keyword} {pattern:?} is not a valid regular expression{reason}",
            if file.is_empty() {
                String::new()
            } else {
                format!("reference {file:?}: ")
            }
        ),
        "Fix the regular expression (ECMA-262 syntax): balance brackets and parentheses, escape literal `[`, `(`, `{`, `\\`, `.`, `*`, `+`, `?` with `\\`.".into(),
    );
    if !file.is_empty() {
        p.file = Some(file.to_string());
    }
    p
}

struct Walk<'a> {
    doc: &'a JsonDoc,
    draft: Draft,
    out: &'a mut Vec<SchemaProblem>,
}

fn num(m: &Map<String, Value>, k: &str) -> Option<f64> {
    m.get(k).and_then(Value::as_f64)
}

/// Keywords whose values are subschemas, maps of subschemas, or arrays of subschemas.
const SUB_ONE: &[&str] = &[
    "additionalProperties",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
];
const SUB_MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
];
const SUB_ARRAY: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

impl Walk<'_> {
    fn push(&mut self, p: SchemaProblem) {
        self.out.push(p);
    }

    fn walk(&mut self, v: &Value, file: Option<&String>, at: &str) {
        let Value::Object(m) = v else { return };
        let here = |k: &str| format!("{at}/{}", esc(k));
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            if self.doc.resolve(file.map(String::as_str), r).is_none() {
                let fix = if r.starts_with('#') {
                    "Point `$ref` at an existing location (e.g. #/$defs/Address or #/definitions/Address), or add the definition there.".to_string()
                } else {
                    format!(
                        "Send the referenced schema too: in `references` named {:?} (or by its `$id`), or as a registry reference with that name.",
                        r.split('#').next().unwrap_or(r)
                    )
                };
                self.push(SchemaProblem::error(
                    here("$ref"),
                    "unresolved_ref",
                    format!("`$ref` {r:?} does not resolve"),
                    fix,
                ));
            }
        }
        self.bounds(m, at);
        self.closed_required(m, at);
        // Recurse.
        for k in SUB_ONE {
            if let Some(s) = m.get(*k) {
                self.walk(s, file, &here(k));
            }
        }
        for k in SUB_MAP {
            if let Some(Value::Object(subs)) = m.get(*k) {
                for (name, s) in subs {
                    self.walk(s, file, &format!("{}/{}", here(k), esc(name)));
                }
            }
        }
        for k in SUB_ARRAY {
            if let Some(Value::Array(subs)) = m.get(*k) {
                for (i, s) in subs.iter().enumerate() {
                    self.walk(s, file, &format!("{}/{i}", here(k)));
                }
            }
        }
        match m.get("items") {
            Some(Value::Array(subs)) => {
                if self.draft == Draft::Draft202012 {
                    self.push(SchemaProblem::error(
                        here("items"),
                        "items_array_in_2020_12",
                        "in 2020-12 `items` is one schema; an array of schemas is `prefixItems`".into(),
                        "Rename `items` to `prefixItems` (and use `items` for the rest), or declare an earlier draft in `$schema`.".into(),
                    ));
                }
                for (i, s) in subs.iter().enumerate() {
                    self.walk(s, file, &format!("{}/{i}", here("items")));
                }
            }
            Some(s) => self.walk(s, file, &here("items")),
            None => {}
        }
        if let Some(Value::Object(deps)) = m.get("dependencies") {
            for (name, s) in deps {
                if s.is_object() {
                    self.walk(s, file, &format!("{}/{}", here("dependencies"), esc(name)));
                }
            }
        }
    }

    fn bounds(&mut self, m: &Map<String, Value>, at: &str) {
        let pairs = [
            ("minimum", "maximum", "minimum_above_maximum", "no number"),
            (
                "minLength",
                "maxLength",
                "min_length_above_max_length",
                "no string",
            ),
            (
                "minItems",
                "maxItems",
                "min_items_above_max_items",
                "no array",
            ),
            (
                "minProperties",
                "maxProperties",
                "min_properties_above_max_properties",
                "no object",
            ),
            (
                "minContains",
                "maxContains",
                "min_contains_above_max_contains",
                "no array",
            ),
        ];
        for (lo, hi, kind, what) in pairs {
            if let (Some(a), Some(b)) = (num(m, lo), num(m, hi)) {
                if a > b {
                    self.push(SchemaProblem::error(
                        format!("{at}/{lo}"),
                        kind,
                        format!("`{lo}` {a} is above `{hi}` {b}: {what} can be valid here"),
                        format!("Lower `{lo}` to at most {b}, or raise `{hi}` to at least {a}."),
                    ));
                }
            }
        }
        if self.draft != Draft::Draft4 {
            let lo = num(m, "exclusiveMinimum").or_else(|| num(m, "minimum"));
            let hi = num(m, "exclusiveMaximum").or_else(|| num(m, "maximum"));
            let strict = m.get("exclusiveMinimum").is_some_and(Value::is_number)
                || m.get("exclusiveMaximum").is_some_and(Value::is_number);
            if let (Some(a), Some(b), true) = (lo, hi, strict) {
                if a >= b {
                    self.push(SchemaProblem::error(
                        format!("{at}/exclusiveMinimum"),
                        "empty_numeric_range",
                        format!("the lower bound {a} is not below the upper bound {b} and one is exclusive: no number can be valid here"),
                        "Widen the range: make the lower bound smaller than the upper one.".into(),
                    ));
                }
            }
        } else {
            for k in ["exclusiveMinimum", "exclusiveMaximum"] {
                if m.get(k).is_some_and(Value::is_number) {
                    self.push(SchemaProblem::error(
                        format!("{at}/{k}"),
                        "draft4_exclusive_bound",
                        format!("in draft-04 `{k}` is a boolean modifying `{}`", if k == "exclusiveMinimum" { "minimum" } else { "maximum" }),
                        "Write `\"minimum\": n, \"exclusiveMinimum\": true` in draft-04, or declare draft-07 in `$schema` to use numeric bounds.".into(),
                    ));
                }
            }
        }
        if let Some(mo) = num(m, "multipleOf") {
            if mo <= 0.0 {
                self.push(SchemaProblem::error(
                    format!("{at}/multipleOf"),
                    "invalid_multiple_of",
                    format!("`multipleOf` {mo} must be greater than 0"),
                    "Use a positive `multipleOf`.".into(),
                ));
            }
        }
        if let Some(Value::Array(e)) = m.get("enum") {
            if e.is_empty() {
                self.push(SchemaProblem::error(
                    format!("{at}/enum"),
                    "empty_enum",
                    "`enum` is empty: no value can be valid".into(),
                    "List at least one allowed value, or remove `enum`.".into(),
                ));
            }
        }
        // Type-specific keywords beside a `type` that never uses them.
        if let Some(Value::String(t)) = m.get("type") {
            let groups: &[(&str, &[&str])] = &[
                ("string", &["minLength", "maxLength", "pattern"]),
                ("number", &["minimum", "maximum", "multipleOf"]),
                (
                    "object",
                    &["properties", "required", "additionalProperties"],
                ),
                ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
            ];
            for (owner, kws) in groups {
                let applies = t == owner || (*owner == "number" && t == "integer");
                if applies {
                    continue;
                }
                for k in kws.iter() {
                    if m.contains_key(*k) {
                        self.push(SchemaProblem::warning(
                            format!("{at}/{k}"),
                            "keyword_ignored",
                            format!(
                                "`{k}` applies to {owner}s, but `type` is {t:?}: it is ignored"
                            ),
                            format!("Remove `{k}`, or fix `type`."),
                        ));
                    }
                }
            }
        }
    }

    /// `required` naming a property that `additionalProperties: false` (or
    /// `unevaluatedProperties: false`) forbids: no object can be valid.
    fn closed_required(&mut self, m: &Map<String, Value>, at: &str) {
        let closed = m.get("additionalProperties") == Some(&Value::Bool(false))
            || (m.get("unevaluatedProperties") == Some(&Value::Bool(false))
                && !["allOf", "anyOf", "oneOf", "$ref", "if", "dependentSchemas"]
                    .iter()
                    .any(|k| m.contains_key(*k)));
        if !closed || m.contains_key("patternProperties") {
            return;
        }
        let props = m.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(req)) = m.get("required") {
            for (i, r) in req.iter().enumerate() {
                let Some(name) = r.as_str() else { continue };
                if !props.is_some_and(|p| p.contains_key(name)) {
                    self.push(SchemaProblem::error(
                        format!("{at}/required/{i}"),
                        "required_property_forbidden",
                        format!("`required` names {name:?}, but the object is closed (additionalProperties: false) and does not declare it: no object can be valid"),
                        format!("Declare {name:?} under `properties`, or drop it from `required`."),
                    ));
                }
            }
        }
    }
}

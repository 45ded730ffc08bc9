//! Confluent's JSON Schema compatibility rules over two documents: does `update` accept every
//! document `original` accepts? Differences are named as the registry names them (lower
//! case); only the types outside its compatible set are returned. The content model decides
//! property changes: an open object (no `additionalProperties`) already allowed any extra
//! property, so adding a typed one narrows it; a closed one (`additionalProperties: false`)
//! allowed none, so adding an optional one is safe but removing one is not.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::doc::{esc, JsonDoc};
use crate::schema_format::model::{Diff, Finding};

/// A node: which document (None: the schema itself), and the value.
type Node<'a> = (Option<&'a str>, &'a Value);

#[derive(Debug)]
enum Class<'a> {
    False,
    Empty,
    Combined(&'static str, Vec<Cow<'a, Value>>),
    Enum(Vec<Value>),
    Not(&'a Value),
    Typed(&'static str),
}

impl Class<'_> {
    fn tag(&self) -> &'static str {
        match self {
            Class::False => "false",
            Class::Empty => "empty",
            Class::Combined(..) => "combined",
            Class::Enum(_) => "enum",
            Class::Not(_) => "not",
            Class::Typed(t) => t,
        }
    }
}

fn type_name(t: &str) -> Option<&'static str> {
    Some(match t {
        "object" => "object",
        "array" => "array",
        "string" => "string",
        "number" | "integer" => "number",
        "boolean" => "boolean",
        "null" => "null",
        _ => return None,
    })
}

fn classify(v: &Value) -> Class<'_> {
    let m = match v {
        Value::Bool(false) => return Class::False,
        Value::Object(m) => m,
        _ => return Class::Empty,
    };
    for crit in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = m.get(crit) {
            let name = match crit {
                "allOf" => "allOf",
                "anyOf" => "anyOf",
                _ => "oneOf",
            };
            return Class::Combined(name, subs.iter().map(Cow::Borrowed).collect());
        }
    }
    if let Some(Value::Array(e)) = m.get("enum") {
        return Class::Enum(e.clone());
    }
    if let Some(c) = m.get("const") {
        return Class::Enum(vec![c.clone()]);
    }
    if let Some(n) = m.get("not") {
        return Class::Not(n);
    }
    match m.get("type") {
        Some(Value::String(t)) => type_name(t).map_or(Class::Empty, Class::Typed),
        Some(Value::Array(ts)) if ts.len() == 1 => ts[0]
            .as_str()
            .and_then(type_name)
            .map_or(Class::Empty, Class::Typed),
        Some(Value::Array(ts)) => Class::Combined(
            "anyOf",
            ts.iter()
                .map(|t| {
                    let mut one = m.clone();
                    one.insert("type".into(), t.clone());
                    Cow::Owned(Value::Object(one))
                })
                .collect(),
        ),
        _ => {
            let has = |ks: &[&str]| ks.iter().any(|k| m.contains_key(*k));
            if has(&[
                "properties",
                "required",
                "additionalProperties",
                "patternProperties",
            ]) {
                Class::Typed("object")
            } else if has(&["items", "prefixItems", "minItems", "maxItems"]) {
                Class::Typed("array")
            } else if has(&["minLength", "maxLength", "pattern"]) {
                Class::Typed("string")
            } else if has(&[
                "minimum",
                "maximum",
                "multipleOf",
                "exclusiveMinimum",
                "exclusiveMaximum",
            ]) {
                Class::Typed("number")
            } else {
                Class::Empty
            }
        }
    }
}

/// Whether a `$ref` appears anywhere in `v` (whose meaning then depends on its document).
fn has_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("$ref") || m.values().any(has_ref),
        Value::Array(a) => a.iter().any(has_ref),
        _ => false,
    }
}

fn is_integer(v: &Value) -> bool {
    match v.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "integer",
        _ => false,
    }
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}…", &s[..s.floor_char_boundary_compat(117)])
    } else {
        s
    }
}

trait Floor {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}
impl Floor for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// How to make each breaking difference compatible (whichever side is new).
fn fix(kind: &str) -> &'static str {
    match kind {
        "type_changed" => "Keep the type of the earlier version; add a new property for the new type.",
        "type_narrowed" => "Keep `type: number` (integers are numbers); narrowing to integer rejects old decimals.",
        "max_length_added" | "max_length_decreased" => "Drop the new `maxLength` or keep it at least the earlier value: old strings may be longer.",
        "min_length_added" | "min_length_increased" => "Drop the new `minLength` or keep it at most the earlier value: old strings may be shorter.",
        "pattern_added" | "pattern_changed" => "Keep the earlier `pattern` (or none): old strings may not match the new one.",
        "maximum_added" | "maximum_decreased" | "exclusive_maximum_added" | "exclusive_maximum_decreased" => "Keep the upper bound at least the earlier value (or drop it): old values may be larger.",
        "minimum_added" | "minimum_increased" | "exclusive_minimum_added" | "exclusive_minimum_increased" => "Keep the lower bound at most the earlier value (or drop it): old values may be smaller.",
        "multiple_of_added" | "multiple_of_expanded" | "multiple_of_changed" => "Keep `multipleOf` a divisor of the earlier value (or drop it).",
        "required_attribute_added" => "Give the newly required property a `default`, or leave it optional.",
        "property_added_to_open_content_model" => "The earlier version was open (any extra property allowed), so old data may hold anything under this name: close it first with `additionalProperties: false` in a version of its own, give the property an empty schema ({}), or pick a name old data cannot have used.",
        "required_property_added_to_unopen_content_model" => "Make the new property optional, or give it a `default`.",
        "property_added_not_covered_by_partially_open_content_model" => "Give the new property a schema at least as wide as the earlier `additionalProperties`/`patternProperties` schema that covered its name.",
        "property_removed_from_closed_content_model" => "Keep the property (closed objects reject unknown ones, so old data carrying it would be rejected), or open the object with `additionalProperties: true`.",
        "property_removed_not_covered_by_partially_open_content_model" => "Keep the property, or widen `additionalProperties`/`patternProperties` to accept its old values.",
        "additional_properties_removed" => "Keep additional properties allowed: old data may carry extra properties.",
        "additional_properties_narrowed" => "Drop the new `additionalProperties` schema (or make it accept anything): old extra properties may not match it.",
        "max_properties_added" | "max_properties_decreased" => "Keep `maxProperties` at least the earlier value (or drop it).",
        "min_properties_added" | "min_properties_increased" => "Keep `minProperties` at most the earlier value (or drop it).",
        "max_items_added" | "max_items_decreased" => "Keep `maxItems` at least the earlier value (or drop it).",
        "min_items_added" | "min_items_increased" => "Keep `minItems` at most the earlier value (or drop it).",
        "unique_items_added" => "Drop `uniqueItems: true`: old arrays may hold duplicates.",
        "additional_items_removed" | "additional_items_narrowed" => "Keep extra array items allowed as before.",
        "item_added_to_open_content_model" => "The earlier tuple allowed any extra item: give the new position an empty schema, or close the tuple first in a version of its own.",
        "item_removed_from_closed_content_model" | "item_removed_not_covered_by_partially_open_content_model" => "Keep the tuple position; old arrays carry it.",
        "enum_array_narrowed" | "enum_array_changed" => "Keep every earlier enum value (adding values is fine).",
        "combined_type_changed" => "Keep the same combiner (allOf/anyOf/oneOf) as the earlier version.",
        "product_type_extended" => "Do not add subschemas to `allOf`: each one narrows what is accepted.",
        "sum_type_narrowed" => "Keep every `anyOf`/`oneOf` alternative of the earlier version.",
        "combined_type_subschemas_changed" => "Keep each earlier subschema (or a wider one) among the alternatives.",
        "not_type_extended" => "Do not widen what `not` excludes.",
        "dependency_array_added" | "dependency_array_extended" | "dependency_array_changed" | "dependency_schema_added" => "Do not add or extend `dependencies`: old objects may not satisfy them.",
        _ => "Undo this change, or make it in a way that accepts every document the earlier version accepted.",
    }
}

struct Cx<'a> {
    o: &'a JsonDoc,
    u: &'a JsonDoc,
    out: Vec<Finding>,
    visiting: HashSet<(String, String)>,
}

/// Every breaking difference when `update` must accept the documents `original` accepted.
pub fn diff(original: &JsonDoc, update: &JsonDoc) -> Diff {
    let mut cx = Cx {
        o: original,
        u: update,
        out: Vec::new(),
        visiting: HashSet::new(),
    };
    cx.compare((None, &original.root), (None, &update.root), "#");
    Diff {
        breaking: cx.out,
        notes: Vec::new(),
    }
}

/// The content model of the new schema's top-level object, as a sentence.
pub fn content_model(doc: &JsonDoc) -> String {
    let mut v = &doc.root;
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => match doc.resolve(None, r) {
                Some((_, _, t)) => v = t,
                None => break,
            },
            None => break,
        }
    }
    let Value::Object(m) = v else {
        return "not an object schema: the content model does not apply".into();
    };
    if !matches!(classify(v), Class::Typed("object")) {
        return "the top level is not an object schema: the content model does not apply".into();
    }
    match model(m) {
        Model::Open => "open: the top-level object has no additionalProperties (or true), so it accepted any extra property; adding a typed property breaks BACKWARD, removing one is compatible (Confluent's rule)".into(),
        Model::Closed => "closed: additionalProperties (or unevaluatedProperties) is false; adding an optional property is compatible, removing one breaks BACKWARD".into(),
        Model::Partial => "partially open: additionalProperties or patternProperties has a schema; an added or removed property must fit that schema".into(),
    }
}

#[derive(PartialEq)]
enum Model {
    Open,
    Closed,
    Partial,
}

fn model(m: &Map<String, Value>) -> Model {
    let ap = m.get("additionalProperties");
    if ap == Some(&Value::Bool(false))
        || m.get("unevaluatedProperties") == Some(&Value::Bool(false))
    {
        return Model::Closed;
    }
    let has_pattern = m
        .get("patternProperties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    if has_pattern || ap.is_some_and(Value::is_object) {
        return Model::Partial;
    }
    Model::Open
}

fn permits_additional(m: &Map<String, Value>) -> bool {
    m.get("additionalProperties") != Some(&Value::Bool(false))
        && m.get("unevaluatedProperties") != Some(&Value::Bool(false))
}

/// The schema that covered `key` in a partially open object: a matching patternProperties
/// schema (plain substring or simple anchors), else the additionalProperties schema.
fn partial_schema<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(Value::Object(pp)) = m.get("patternProperties") {
        for (pat, s) in pp {
            if pattern_matches(pat, key) {
                return Some(s);
            }
        }
    }
    m.get("additionalProperties").filter(|v| v.is_object())
}

/// ECMA-262 regexes are close enough to the `regex` crate's syntax for property names.
fn pattern_matches(pat: &str, key: &str) -> bool {
    regex_lite_match(pat, key)
}

fn regex_lite_match(pat: &str, key: &str) -> bool {
    // Property-name patterns are usually prefixes (`^x-`), suffixes or literals.
    let (start, rest) = match pat.strip_prefix('^') {
        Some(r) => (true, r),
        None => (false, pat),
    };
    let (end, body) = match rest.strip_suffix('$') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if body.chars().any(|c| "\\.*+?()[]{}|".contains(c)) {
        // Not a literal: assume it may cover the name (the registry's regex decides).
        return body == ".*" || body.is_empty() || body.starts_with(".*");
    }
    match (start, end) {
        (true, true) => key == body,
        (true, false) => key.starts_with(body),
        (false, true) => key.ends_with(body),
        (false, false) => key.contains(body),
    }
}

impl<'a> Cx<'a> {
    fn push(
        &mut self,
        path: &str,
        kind: &'static str,
        message: String,
        o: Option<String>,
        u: Option<String>,
    ) {
        self.out.push(Finding {
            path: path.to_string(),
            kind,
            message,
            original: o,
            update: u,
            fix: fix(kind).to_string(),
        });
    }

    /// Follow `$ref`s; None on a cycle already being compared.
    fn deref<'n>(&self, doc: &'n JsonDoc, mut n: Node<'n>) -> (Node<'n>, String) {
        let mut key = String::new();
        for _ in 0..32 {
            let Some(r) = n.1.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match doc.resolve(n.0, r) {
                Some((d, ptr, v)) => {
                    key = format!("{}#{ptr}", d.as_deref().unwrap_or(""));
                    let d: Option<&'n str> = match d {
                        None => None,
                        Some(k) => doc.refs.get_key_value(&k).map(|(k, _)| k.as_str()),
                    };
                    n = (d, v);
                }
                None => break,
            }
        }
        (n, key)
    }

    fn compatible<'n>(&mut self, o: Node<'n>, u: Node<'n>, path: &str) -> bool
    where
        'a: 'n,
    {
        let saved = std::mem::take(&mut self.out);
        self.compare(o, u, path);
        let ok = self.out.is_empty();
        self.out = saved;
        ok
    }

    fn compare<'n>(&mut self, o: Node<'n>, u: Node<'n>, path: &str)
    where
        'a: 'n,
    {
        // Equal schemas without `$ref`s accept the same documents: nothing to report (most
        // properties of most versions).
        if o.1 == u.1 && !has_ref(o.1) {
            return;
        }
        let (o, ok) = self.deref(self.o, o);
        let (u, uk) = self.deref(self.u, u);
        if !ok.is_empty() || !uk.is_empty() {
            let pair = (ok, uk);
            if !self.visiting.insert(pair.clone()) {
                return;
            }
            self.compare_resolved(o, u, path);
            self.visiting.remove(&pair);
        } else {
            self.compare_resolved(o, u, path);
        }
    }

    fn compare_resolved<'n>(&mut self, o: Node<'n>, u: Node<'n>, path: &str)
    where
        'a: 'n,
    {
        let co = classify(o.1);
        let cu = classify(u.1);
        match (&co, &cu) {
            (c, Class::Combined(crit, subs)) if !matches!(c, Class::Combined(..)) => {
                if subs.len() == 1 {
                    if self.compatible(o, (u.0, subs[0].as_ref()), path) {
                        return;
                    }
                } else if *crit != "allOf" {
                    for s in subs {
                        if self.compatible(o, (u.0, s.as_ref()), path) {
                            return; // sum_type_extended: compatible
                        }
                    }
                }
            }
            (Class::Combined(_, subs), c)
                if !matches!(c, Class::Combined(..))
                    && subs.len() == 1
                    && self.compatible((o.0, subs[0].as_ref()), u, path) =>
            {
                return;
            }
            _ => {}
        }
        if co.tag() != cu.tag() {
            if matches!(co, Class::False) || matches!(cu, Class::Empty) {
                return;
            }
            self.push(
                path,
                "type_changed",
                format!(
                    "the schema changed from {} to {}",
                    describe(&co, o.1),
                    describe(&cu, u.1)
                ),
                Some(compact(o.1)),
                Some(compact(u.1)),
            );
            return;
        }
        match (co, cu) {
            (Class::Typed(t), Class::Typed(_)) => {
                let (om, um) = match (o.1.as_object(), u.1.as_object()) {
                    (Some(a), Some(b)) => (a, b),
                    _ => return,
                };
                match t {
                    "string" => self.string(om, um, path),
                    "number" => self.number(o.1, u.1, om, um, path),
                    "object" => self.object(o, u, om, um, path),
                    "array" => self.array(o, u, om, um, path),
                    _ => {}
                }
            }
            (Class::Enum(a), Class::Enum(b)) => {
                let missing: Vec<&Value> = a.iter().filter(|x| !b.contains(x)).collect();
                if !missing.is_empty() {
                    let kind = if b.iter().all(|x| a.contains(x)) {
                        "enum_array_narrowed"
                    } else {
                        "enum_array_changed"
                    };
                    self.push(
                        &format!("{path}/enum"),
                        kind,
                        format!(
                            "allowed values dropped: {}",
                            missing
                                .iter()
                                .map(|v| compact(v))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        Some(compact(&Value::Array(a.clone()))),
                        Some(compact(&Value::Array(b.clone()))),
                    );
                }
            }
            (Class::Combined(ca, sa), Class::Combined(cb, sb)) => {
                let p = format!("{path}/{ca}");
                if ca != cb {
                    self.push(
                        &p,
                        "combined_type_changed",
                        format!("the combiner changed from {ca} to {cb}"),
                        Some(ca.into()),
                        Some(cb.into()),
                    );
                    return;
                }
                if ca == "allOf" && sb.len() > sa.len() {
                    self.push(
                        &p,
                        "product_type_extended",
                        format!(
                            "allOf grew from {} to {} subschemas: each one is another constraint",
                            sa.len(),
                            sb.len()
                        ),
                        Some(sa.len().to_string()),
                        Some(sb.len().to_string()),
                    );
                    return;
                }
                if ca != "allOf" && sb.len() < sa.len() {
                    self.push(
                        &p,
                        "sum_type_narrowed",
                        format!("{ca} shrank from {} to {} alternatives", sa.len(), sb.len()),
                        Some(sa.len().to_string()),
                        Some(sb.len().to_string()),
                    );
                    return;
                }
                // Match each earlier subschema with a compatible new one.
                let mut used = vec![false; sb.len()];
                let mut matched = 0;
                for (i, a) in sa.iter().enumerate() {
                    for (j, b) in sb.iter().enumerate() {
                        if !used[j]
                            && self.compatible(
                                (o.0, a.as_ref()),
                                (u.0, b.as_ref()),
                                &format!("{p}/{i}"),
                            )
                        {
                            used[j] = true;
                            matched += 1;
                            break;
                        }
                    }
                }
                if matched < sa.len().min(sb.len()) {
                    self.push(
                        &p,
                        "combined_type_subschemas_changed",
                        format!(
                            "{} of the earlier {ca} subschemas have no compatible counterpart",
                            sa.len().min(sb.len()) - matched
                        ),
                        Some(compact(o.1.get(ca).unwrap_or(&Value::Null))),
                        Some(compact(u.1.get(ca).unwrap_or(&Value::Null))),
                    );
                }
            }
            (Class::Not(a), Class::Not(b))
                if !self.compatible((u.0, b), (o.0, a), &format!("{path}/not")) =>
            {
                self.push(
                    &format!("{path}/not"),
                    "not_type_extended",
                    "`not` excludes more than before".into(),
                    Some(compact(a)),
                    Some(compact(b)),
                );
            }
            _ => {}
        }
    }

    /// An added/removed/raised/lowered bound. `narrow_up`: raising it narrows (a minimum).
    #[allow(clippy::too_many_arguments)]
    fn bound(
        &mut self,
        om: &Map<String, Value>,
        um: &Map<String, Value>,
        key: &str,
        path: &str,
        added: &'static str,
        narrowed: &'static str,
        narrow_up: bool,
    ) {
        let a = om.get(key).and_then(Value::as_f64);
        let b = um.get(key).and_then(Value::as_f64);
        let p = || format!("{path}/{key}");
        match (a, b) {
            (None, Some(y)) => self.push(&p(), added, format!("`{key}` {y} was added: earlier data is not bound by it"), None, Some(y.to_string())),
            (Some(x), Some(y)) if (narrow_up && y > x) || (!narrow_up && y < x) => self.push(
                &p(),
                narrowed,
                format!("`{key}` changed from {x} to {y}, which rejects values the earlier version accepted"),
                Some(x.to_string()),
                Some(y.to_string()),
            ),
            _ => {}
        }
    }

    fn string(&mut self, om: &Map<String, Value>, um: &Map<String, Value>, path: &str) {
        self.bound(
            om,
            um,
            "maxLength",
            path,
            "max_length_added",
            "max_length_decreased",
            false,
        );
        self.bound(
            om,
            um,
            "minLength",
            path,
            "min_length_added",
            "min_length_increased",
            true,
        );
        match (om.get("pattern"), um.get("pattern")) {
            (None, Some(p)) => self.push(
                &format!("{path}/pattern"),
                "pattern_added",
                format!("`pattern` {p} was added"),
                None,
                Some(compact(p)),
            ),
            (Some(a), Some(b)) if a != b => self.push(
                &format!("{path}/pattern"),
                "pattern_changed",
                format!("`pattern` changed from {a} to {b}"),
                Some(compact(a)),
                Some(compact(b)),
            ),
            _ => {}
        }
    }

    fn number(
        &mut self,
        o: &Value,
        u: &Value,
        om: &Map<String, Value>,
        um: &Map<String, Value>,
        path: &str,
    ) {
        if !is_integer(o) && is_integer(u) {
            self.push(
                &format!("{path}/type"),
                "type_narrowed",
                "the type narrowed from number to integer: earlier decimals are rejected".into(),
                Some("number".into()),
                Some("integer".into()),
            );
        }
        self.bound(
            om,
            um,
            "maximum",
            path,
            "maximum_added",
            "maximum_decreased",
            false,
        );
        self.bound(
            om,
            um,
            "minimum",
            path,
            "minimum_added",
            "minimum_increased",
            true,
        );
        self.bound(
            om,
            um,
            "exclusiveMaximum",
            path,
            "exclusive_maximum_added",
            "exclusive_maximum_decreased",
            false,
        );
        self.bound(
            om,
            um,
            "exclusiveMinimum",
            path,
            "exclusive_minimum_added",
            "exclusive_minimum_increased",
            true,
        );
        let a = om.get("multipleOf").and_then(Value::as_f64);
        let b = um.get("multipleOf").and_then(Value::as_f64);
        let p = || format!("{path}/multipleOf");
        match (a, b) {
            (None, Some(y)) => self.push(
                &p(),
                "multiple_of_added",
                format!("`multipleOf` {y} was added"),
                None,
                Some(y.to_string()),
            ),
            (Some(x), Some(y)) if x != y => {
                let divides = y > 0.0 && ((x / y) - (x / y).round()).abs() < 1e-9;
                if !divides {
                    let kind = if y > x && ((y / x) - (y / x).round()).abs() < 1e-9 {
                        "multiple_of_expanded"
                    } else {
                        "multiple_of_changed"
                    };
                    self.push(
                        &p(),
                        kind,
                        format!("`multipleOf` changed from {x} to {y}, which does not divide it"),
                        Some(x.to_string()),
                        Some(y.to_string()),
                    );
                }
            }
            _ => {}
        }
    }

    fn object<'n>(
        &mut self,
        o: Node<'n>,
        u: Node<'n>,
        om: &'n Map<String, Value>,
        um: &'n Map<String, Value>,
        path: &str,
    ) where
        'a: 'n,
    {
        let empty = Map::new();
        let op = om
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let up = um
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let req = |m: &Map<String, Value>, k: &str| {
            m.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(k)))
        };
        let has_default = |v: &Value| v.get("default").is_some();
        // required changes on properties in both.
        for k in op.keys() {
            if let Some(us) = up.get(k) {
                if !req(om, k) && req(um, k) && !has_default(us) {
                    self.push(
                        &format!("{path}/required/{}", esc(k)),
                        "required_attribute_added",
                        format!("property {k:?} became required without a default: earlier documents may lack it"),
                        Some("optional".into()),
                        Some("required".into()),
                    );
                }
            }
        }
        let mut keys: Vec<&String> = op.keys().chain(up.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let p = format!("{path}/properties/{}", esc(k));
            match (op.get(k), up.get(k)) {
                (Some(os), None) => match model(um) {
                    Model::Open => {}
                    _ => match partial_schema(um, k) {
                        Some(s) => {
                            if !self.compatible((o.0, os), (u.0, s), &p) {
                                self.push(&p, "property_removed_not_covered_by_partially_open_content_model", format!("property {k:?} was removed and the schema for other properties does not accept its earlier values"), Some(compact(os)), Some(compact(s)));
                            }
                        }
                        None => {
                            if *os != Value::Bool(false) {
                                self.push(&p, "property_removed_from_closed_content_model", format!("property {k:?} was removed from a closed object (additionalProperties: false): earlier documents carrying it are rejected"), Some(compact(os)), None);
                            }
                        }
                    },
                },
                (None, Some(us)) => match model(om) {
                    Model::Open => {
                        if !matches!(classify(us), Class::Empty) {
                            self.push(&p, "property_added_to_open_content_model", format!("property {k:?} was added with a schema, but the earlier object was open: earlier documents may hold any value under {k:?}"), None, Some(compact(us)));
                        }
                    }
                    _ => {
                        if let Some(s) = partial_schema(om, k) {
                            if !self.compatible((o.0, s), (u.0, us), &p) {
                                self.push(&p, "property_added_not_covered_by_partially_open_content_model", format!("property {k:?} was added with a schema narrower than the earlier schema for other properties"), Some(compact(s)), Some(compact(us)));
                            }
                        }
                        if req(um, k) && !has_default(us) {
                            self.push(&p, "required_property_added_to_unopen_content_model", format!("required property {k:?} was added without a default: earlier documents lack it"), None, Some(compact(us)));
                        }
                    }
                },
                (Some(os), Some(us)) => self.compare((o.0, os), (u.0, us), &p),
                (None, None) => {}
            }
        }
        // additionalProperties
        let p = format!("{path}/additionalProperties");
        let (pa, pb) = (permits_additional(om), permits_additional(um));
        let sa = om.get("additionalProperties").filter(|v| v.is_object());
        let sb = um.get("additionalProperties").filter(|v| v.is_object());
        if pa != pb {
            if !pb {
                self.push(&p, "additional_properties_removed", "additional properties are no longer allowed: earlier documents with extra properties are rejected".into(), Some("allowed".into()), Some("false".into()));
            }
        } else if let (None, Some(b)) = (sa, sb) {
            self.push(
                &p,
                "additional_properties_narrowed",
                "additional properties now need to match a schema".into(),
                Some("any".into()),
                Some(compact(b)),
            );
        } else if let (Some(a), Some(b)) = (sa, sb) {
            self.compare((o.0, a), (u.0, b), &p);
        }
        self.bound(
            om,
            um,
            "maxProperties",
            path,
            "max_properties_added",
            "max_properties_decreased",
            false,
        );
        self.bound(
            om,
            um,
            "minProperties",
            path,
            "min_properties_added",
            "min_properties_increased",
            true,
        );
        // dependencies / dependentRequired added
        for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
            let a = om.get(key).and_then(Value::as_object);
            let b = um.get(key).and_then(Value::as_object);
            if let Some(b) = b {
                for (k, v) in b {
                    let before = a.and_then(|a| a.get(k));
                    let kind = match (before, v) {
                        (None, Value::Array(_)) => "dependency_array_added",
                        (None, _) => "dependency_schema_added",
                        (Some(Value::Array(x)), Value::Array(y))
                            if y.iter().any(|e| !x.contains(e)) =>
                        {
                            if x.iter().all(|e| y.contains(e)) {
                                "dependency_array_extended"
                            } else {
                                "dependency_array_changed"
                            }
                        }
                        _ => continue,
                    };
                    self.push(
                        &format!("{path}/{key}/{}", esc(k)),
                        kind,
                        format!("`{key}` for {k:?} was added or extended"),
                        before.map(compact),
                        Some(compact(v)),
                    );
                }
            }
        }
    }

    fn array<'n>(
        &mut self,
        o: Node<'n>,
        u: Node<'n>,
        om: &'n Map<String, Value>,
        um: &'n Map<String, Value>,
        path: &str,
    ) where
        'a: 'n,
    {
        let tuple = |m: &'n Map<String, Value>| -> Option<&'n Vec<Value>> {
            m.get("prefixItems")
                .and_then(Value::as_array)
                .or_else(|| m.get("items").and_then(Value::as_array))
        };
        let rest = |m: &'n Map<String, Value>| -> Option<&'n Value> {
            if m.contains_key("prefixItems") {
                m.get("items")
            } else {
                m.get("additionalItems")
            }
        };
        match (tuple(om), tuple(um)) {
            (None, None) => {
                if let (Some(a), Some(b)) = (om.get("items"), um.get("items")) {
                    self.compare((o.0, a), (u.0, b), &format!("{path}/items"));
                } else if let (None, Some(b)) = (om.get("items"), um.get("items")) {
                    if !matches!(classify(b), Class::Empty) {
                        self.push(
                            &format!("{path}/items"),
                            "type_changed",
                            "array items now need to match a schema".into(),
                            None,
                            Some(compact(b)),
                        );
                    }
                }
            }
            (Some(ta), Some(tb)) => {
                let (ra, rb) = (rest(om), rest(um));
                let open =
                    |r: Option<&Value>| r.is_none_or(|v| matches!(classify(v), Class::Empty));
                for i in 0..ta.len().max(tb.len()) {
                    let p = format!("{path}/items/{i}");
                    match (ta.get(i), tb.get(i)) {
                        (Some(a), Some(b)) => self.compare((o.0, a), (u.0, b), &p),
                        (Some(a), None) => {
                            if open(rb) {
                                continue;
                            }
                            match rb.filter(|v| v.is_object()) {
                                Some(s) if self.compatible((o.0, a), (u.0, s), &p) => {}
                                Some(s) => self.push(&p, "item_removed_not_covered_by_partially_open_content_model", format!("tuple position {i} was removed and the schema for extra items does not accept its earlier values"), Some(compact(a)), Some(compact(s))),
                                None => self.push(&p, "item_removed_from_closed_content_model", format!("tuple position {i} was removed from a closed tuple: earlier arrays carrying it are rejected"), Some(compact(a)), None),
                            }
                        }
                        (None, Some(b)) => {
                            if open(ra) {
                                if !matches!(classify(b), Class::Empty) {
                                    self.push(&p, "item_added_to_open_content_model", format!("tuple position {i} was added with a schema, but the earlier tuple allowed any extra item"), None, Some(compact(b)));
                                }
                            } else if let Some(s) = ra.filter(|v| v.is_object()) {
                                if !self.compatible((o.0, s), (u.0, b), &p) {
                                    self.push(&p, "item_added_not_covered_by_partially_open_content_model", format!("tuple position {i} was added with a schema narrower than the earlier schema for extra items"), Some(compact(s)), Some(compact(b)));
                                }
                            }
                        }
                        (None, None) => {}
                    }
                }
                let (pa, pb) = (
                    ra != Some(&Value::Bool(false)),
                    rb != Some(&Value::Bool(false)),
                );
                if pa && !pb {
                    self.push(
                        &format!("{path}/additionalItems"),
                        "additional_items_removed",
                        "extra array items are no longer allowed".into(),
                        Some("allowed".into()),
                        Some("false".into()),
                    );
                }
            }
            _ => {
                self.push(
                    &format!("{path}/items"),
                    "type_changed",
                    "array items changed between a tuple and a single schema".into(),
                    om.get("items").map(compact),
                    um.get("items").map(compact),
                );
            }
        }
        self.bound(
            om,
            um,
            "maxItems",
            path,
            "max_items_added",
            "max_items_decreased",
            false,
        );
        self.bound(
            om,
            um,
            "minItems",
            path,
            "min_items_added",
            "min_items_increased",
            true,
        );
        if om.get("uniqueItems") != Some(&Value::Bool(true))
            && um.get("uniqueItems") == Some(&Value::Bool(true))
        {
            self.push(
                &format!("{path}/uniqueItems"),
                "unique_items_added",
                "`uniqueItems: true` was added: earlier arrays may hold duplicates".into(),
                None,
                Some("true".into()),
            );
        }
    }
}

fn describe(c: &Class<'_>, v: &Value) -> String {
    match c {
        Class::False => "false (nothing valid)".into(),
        Class::Empty => "an empty schema (anything valid)".into(),
        Class::Combined(k, _) => format!("a {k}"),
        Class::Enum(_) => format!(
            "an enum {}",
            compact(
                v.get("enum")
                    .or_else(|| v.get("const"))
                    .unwrap_or(&Value::Null)
            )
        ),
        Class::Not(_) => "a `not`".into(),
        Class::Typed(t) => format!("type {}", if is_integer(v) { "integer" } else { t }),
    }
}

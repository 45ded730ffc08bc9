//! Lean tool schemas: the whole `tools/list` answer must fit an agent's context cheaply
//! (budget ~12 KB). schemars emits `$defs`, `oneOf` of documented constants for enums, formats
//! and titles; this module inlines references, turns documented enums into plain `enum` lists
//! (the field's own doc lists the choices), drops noise, keeps descriptions on top-level input
//! fields only (a nested object's field names must speak for themselves), and makes output
//! schemas shallow: the top-level fields with their types — structured content still validates
//! against them. Then [`typed`] makes every subschema plain and typed for strict clients (the
//! Inspector's `--strict` schema lint, single-`type` dialects such as Gemini's): no bare `true`,
//! no schema without a type, no `type` arrays. Pure: JSON in, JSON out.

use serde_json::{Map, Value};

/// Input schemas: inline `$ref`s, plain enums, no formats/titles, short descriptions on
/// top-level fields only.
pub fn lean_input(schema: &Value) -> Value {
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut v = typed(&inline(schema, &defs, 0));
    if let Value::Object(o) = &mut v {
        o.remove("$defs");
        o.remove("$schema");
        o.remove("title");
        if let Some(Value::Object(props)) = o.get_mut("properties") {
            for field in props.values_mut() {
                strip_nested_descriptions(field);
            }
        }
    }
    v
}

/// Removes the descriptions of every property below `field` (its own stays).
fn strip_nested_descriptions(field: &mut Value) {
    match field {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "properties" {
                    if let Value::Object(props) = x {
                        for p in props.values_mut() {
                            if let Value::Object(m) = p {
                                m.remove("description");
                            }
                            strip_nested_descriptions(p);
                        }
                    }
                } else {
                    strip_nested_descriptions(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nested_descriptions),
        _ => {}
    }
}

/// A description that only lists the enum's values says nothing the enum doesn't: drop it.
/// Values count as whole words only (`offset` does not eat `plan_reset_offsets`).
fn drop_enum_only_description(out: &mut Map<String, Value>) {
    if let (Some(Value::Array(values)), Some(Value::String(d))) =
        (out.get("enum"), out.get("description"))
    {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let words: Vec<&str> = d
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let listed = values.iter().all(|v| words.contains(v));
        let rest: usize = words
            .iter()
            .filter(|w| !values.contains(w))
            .map(|w| w.chars().count())
            .sum();
        if listed && rest < 12 {
            out.remove("description");
        }
    }
}

/// Output schemas: top-level properties only, each with its JSON type (and enum values);
/// nested structure is left open (`object` / `array`). The tool description says what the
/// answer holds; field names are self-explanatory.
pub fn lean_output(schema: &Value) -> Value {
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let full = inline(schema, &defs, 0);
    let mut props = Map::new();
    if let Some(p) = full.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            let mut out = Map::new();
            if let Some(t) = v.get("type") {
                out.insert("type".into(), t.clone());
            } else if v.get("enum").is_some() {
                out.insert("type".into(), "string".into());
            }
            if let Some(e) = v.get("enum") {
                out.insert("enum".into(), e.clone());
            }
            props.insert(k.clone(), Value::Object(out));
        }
    }
    let mut o = Map::new();
    o.insert("type".into(), "object".into());
    o.insert("properties".into(), Value::Object(props));
    if let Some(r) = full.get("required") {
        o.insert("required".into(), r.clone());
    }
    typed(&Value::Object(o))
}

/// Keywords that make a schema constrain its value (a schema with none of them accepts
/// anything, like a bare `true`).
const CONSTRAINING: &[&str] = &[
    "type",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "properties",
    "items",
    "$ref",
    "required",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "additionalProperties",
    "prefixItems",
    "format",
];

/// "Any JSON value" spelled with single-typed branches (what a `serde_json::Value` field
/// takes; `null` is spelled by leaving the field out).
fn any_value() -> Value {
    let branches = ["string", "number", "boolean", "object", "array"]
        .iter()
        .map(|t| serde_json::json!({"type": t}))
        .collect();
    Value::Array(branches)
}

/// The JSON type all of `values` share, if any (for an `enum`/`const` without a `type`).
fn type_of_values<'a>(values: impl IntoIterator<Item = &'a Value>) -> Option<&'static str> {
    let mut ty = None;
    for v in values {
        let t = match v {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            _ => return None,
        };
        match ty {
            None => ty = Some(t),
            Some(prev) if prev == t => {}
            Some("integer") if t == "number" => ty = Some("number"),
            Some("number") if t == "integer" => {}
            Some(_) => return None,
        }
    }
    ty
}

/// Every subschema plain and typed: a bare `true` (or a schema with no constraining keyword,
/// e.g. only a description) becomes "any value" as `anyOf` single-typed branches; a `type`
/// array becomes `anyOf` of single types (`null` dropped: optional means absent); an `enum` or
/// `const` without `type` gets the type of its values. Pure.
pub fn typed(schema: &Value) -> Value {
    let mut v = schema.clone();
    type_node(&mut v);
    v
}

fn type_node(node: &mut Value) {
    if let Value::Bool(true) = node {
        *node = Value::Object(Map::new());
    }
    let Value::Object(o) = node else { return };
    for (k, x) in o.iter_mut() {
        match k.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" => {
                if let Value::Object(m) = x {
                    m.values_mut().for_each(type_node);
                }
            }
            "anyOf" | "oneOf" | "allOf" | "prefixItems" => {
                if let Value::Array(a) = x {
                    a.iter_mut().for_each(type_node);
                }
            }
            "items" => match x {
                Value::Array(a) => a.iter_mut().for_each(type_node),
                _ => type_node(x),
            },
            // `additionalProperties: true/false` is a plain keyword value, not a schema.
            "additionalProperties" | "not" if x.is_object() => type_node(x),
            _ => {}
        }
    }
    if let Some(Value::Array(types)) = o.get("type").cloned() {
        let non_null: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        o.remove("type");
        match non_null.as_slice() {
            [] => {}
            [one] => {
                o.insert("type".into(), one.clone());
            }
            many => {
                let branches = many
                    .iter()
                    .map(|t| serde_json::json!({"type": t}))
                    .collect();
                o.insert("anyOf".into(), Value::Array(branches));
            }
        }
    }
    if !o.contains_key("type") {
        let inferred = match (o.get("enum"), o.get("const")) {
            (Some(Value::Array(values)), _) => type_of_values(values),
            (None, Some(c)) => type_of_values([c]),
            _ => None,
        };
        if let Some(t) = inferred {
            o.insert("type".into(), t.into());
        }
    }
    if !CONSTRAINING.iter().any(|k| o.contains_key(*k)) {
        o.insert("anyOf".into(), any_value());
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// The same words for the fields every tool shares, so they cost little.
fn shared_description(name: &str) -> Option<&'static str> {
    match name {
        "cluster" => Some("Configured cluster; omit for the default."),
        "limit" => Some("Page size (max 500)."),
        "cursor" => Some("next_cursor from the previous page."),
        _ => None,
    }
}

fn first_sentence(d: &str) -> String {
    let d = d.trim();
    // The first ". " that ends a sentence (not "e.g. " / "i.e. ").
    let mut cut = d.len();
    let mut from = 0;
    while let Some(i) = d[from..].find(". ") {
        let at = from + i;
        let before = &d[..at];
        if before.ends_with("e.g") || before.ends_with("i.e") || before.ends_with("etc") {
            from = at + 2;
            continue;
        }
        cut = at + 1;
        break;
    }
    let s = &d[..cut];
    if s.len() > 90 {
        let mut end = 87;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s.to_string()
    }
}

fn inline(v: &Value, defs: &Value, depth: usize) -> Value {
    if depth > 12 {
        return Value::Object(Map::new());
    }
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or("");
                let mut target = defs
                    .get(name)
                    .map(|d| inline(d, defs, depth + 1))
                    .unwrap_or(Value::Object(Map::new()));
                // Keep a description given next to the $ref.
                if let (Some(d), Value::Object(t)) = (o.get("description"), &mut target) {
                    t.insert("description".into(), d.clone());
                }
                return target;
            }
            // `oneOf` of documented constants → a plain enum.
            if let Some(one) = o.get("oneOf").and_then(Value::as_array) {
                let consts: Option<Vec<Value>> =
                    one.iter().map(|x| x.get("const").cloned()).collect();
                if let Some(c) = consts {
                    let mut out = Map::new();
                    out.insert("type".into(), "string".into());
                    out.insert("enum".into(), Value::Array(c));
                    if let Some(d) = o.get("description") {
                        out.insert("description".into(), d.clone());
                    }
                    return Value::Object(out);
                }
            }
            // `anyOf [X, null]` → X with null allowed.
            if let Some(any) = o.get("anyOf").and_then(Value::as_array) {
                if any.len() == 2
                    && any
                        .iter()
                        .any(|x| x.get("type") == Some(&Value::String("null".into())))
                {
                    if let Some(other) = any
                        .iter()
                        .find(|x| x.get("type") != Some(&Value::String("null".into())))
                    {
                        let mut t = inline(other, defs, depth + 1);
                        if let (Some(d), Value::Object(m)) = (o.get("description"), &mut t) {
                            m.insert("description".into(), d.clone());
                            drop_enum_only_description(m);
                        }
                        return t;
                    }
                }
            }
            let mut out = Map::new();
            for (k, x) in o {
                match k.as_str() {
                    "$defs" | "$schema" | "title" | "format" | "additionalProperties" => {}
                    "minimum" if x == &Value::from(0) => {}
                    "default" if is_empty(x) => {}
                    "description" => {
                        out.insert(
                            k.clone(),
                            x.as_str()
                                .map(|s| Value::String(first_sentence(&s.replace('\n', " "))))
                                .unwrap_or(x.clone()),
                        );
                    }
                    "properties" => {
                        let props = x
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(n, s)| {
                                        let mut v = inline(s, defs, depth + 1);
                                        if let (Some(d), Value::Object(m)) =
                                            (shared_description(n), &mut v)
                                        {
                                            m.insert("description".into(), d.into());
                                        }
                                        (n.clone(), v)
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(k.clone(), inline(x, defs, depth + 1));
                    }
                }
            }
            // `type: [T, "null"]` → T: optional fields are simply not required.
            if let Some(Value::Array(types)) = out.get("type").cloned() {
                let non_null: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
                if non_null.len() == 1 {
                    out.insert("type".into(), non_null[0].clone());
                }
            }
            if out.get("default") == Some(&Value::Null) {
                out.remove("default");
            }
            drop_enum_only_description(&mut out);
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| inline(x, defs, depth + 1)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inlines_refs_and_flattens_documented_enums() {
        let s = json!({
            "$schema": "x", "title": "In", "type": "object",
            "properties": {
                "action": {"$ref": "#/$defs/A", "description": "what to do"},
                "limit": {"type": ["integer", "null"], "format": "uint", "minimum": 0},
                "cluster": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "c"}
            },
            "$defs": {"A": {"oneOf": [{"const": "list", "description": "l"}, {"const": "describe", "description": "d"}]}}
        });
        let l = lean_input(&s);
        assert_eq!(
            l["properties"]["action"],
            json!({"type": "string", "enum": ["list", "describe"], "description": "what to do"})
        );
        assert_eq!(
            l["properties"]["limit"],
            json!({"type": "integer", "description": "Page size (max 500)."})
        );
        assert_eq!(
            l["properties"]["cluster"],
            json!({"type": "string", "description": "Configured cluster; omit for the default."})
        );
        assert!(l.get("$defs").is_none() && l.get("title").is_none());
    }

    #[test]
    fn enum_descriptions_that_only_list_values_are_dropped() {
        let s = json!({"type": "object", "properties": {
            "action": {"type": "string", "enum": ["list", "describe"], "description": "list | describe."},
            "from": {"type": "string", "enum": ["last", "first"], "description": "peek: where to start reading, `last` or `first`."}
        }});
        let l = lean_input(&s);
        assert!(l["properties"]["action"].get("description").is_none());
        assert!(l["properties"]["from"].get("description").is_some());
        // Also for optional enums (`anyOf [$ref, null]`).
        let s = json!({"type": "object", "properties": {
            "sort": {"anyOf": [{"$ref": "#/$defs/S"}, {"type": "null"}], "description": "list: `name` or `partitions`."}
        }, "$defs": {"S": {"type": "string", "enum": ["name", "partitions"]}}});
        assert_eq!(
            lean_input(&s)["properties"]["sort"],
            json!({"type": "string", "enum": ["name", "partitions"]})
        );
    }

    #[test]
    fn nested_fields_lose_descriptions_top_level_keeps_them() {
        let s = json!({"type": "object", "properties": {
            "client": {"description": "The client.", "anyOf": [{"$ref": "#/$defs/C"}, {"type": "null"}]},
            "rows": {"type": "array", "description": "Rows.", "items": {"type": "object", "properties": {"id": {"type": "string", "description": "Id."}}}}
        }, "$defs": {"C": {"type": "object", "description": "A client.", "properties": {
            "kind": {"type": "string", "description": "Producer or consumer."},
            "inner": {"type": "object", "properties": {"x": {"type": "integer", "description": "X."}}}
        }}}});
        let l = lean_input(&s);
        assert_eq!(l["properties"]["client"]["description"], "The client.");
        assert_eq!(
            l["properties"]["client"]["properties"]["kind"],
            json!({"type": "string"})
        );
        assert_eq!(
            l["properties"]["client"]["properties"]["inner"]["properties"]["x"],
            json!({"type": "integer"})
        );
        assert_eq!(l["properties"]["rows"]["description"], "Rows.");
        assert_eq!(
            l["properties"]["rows"]["items"]["properties"]["id"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn output_keeps_top_level_types() {
        let s = json!({
            "type": "object", "required": ["status"],
            "properties": {
                "status": {"$ref": "#/$defs/S", "description": "Verdict. Long explanation."},
                "findings": {"type": "array", "items": {"$ref": "#/$defs/F"}, "description": "All of them"}
            },
            "$defs": {"S": {"type": "string", "enum": ["OK", "WARN"]}, "F": {"type": "object", "properties": {"id": {"type": "string"}}}}
        });
        let l = lean_output(&s);
        assert_eq!(
            l["properties"]["status"],
            json!({"type": "string", "enum": ["OK", "WARN"]})
        );
        assert_eq!(l["properties"]["findings"], json!({"type": "array"}));
        assert_eq!(l["required"], json!(["status"]));
    }

    /// Every subschema of `v` has a single string `type`, or `anyOf` branches that all do;
    /// no bare boolean schema anywhere.
    fn assert_typed(v: &Value, path: &str) {
        let o = v
            .as_object()
            .unwrap_or_else(|| panic!("{path}: bare {v} where a schema belongs"));
        let typed = o.get("type").is_some_and(Value::is_string)
            || o.get("anyOf").and_then(Value::as_array).is_some_and(|a| {
                !a.is_empty()
                    && a.iter()
                        .all(|b| b.get("type").is_some_and(Value::is_string))
            });
        assert!(typed, "{path}: no single type: {v}");
        for (name, p) in o
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            assert_typed(p, &format!("{path}.{name}"));
        }
        if let Some(items) = o.get("items") {
            assert_typed(items, &format!("{path}[]"));
        }
        for b in o
            .get("anyOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert_typed(b, &format!("{path}|"));
        }
    }

    #[test]
    fn every_subschema_ends_up_typed() {
        let s = json!({"type": "object", "properties": {
            "schema": {"description": "Any JSON."},
            "previous": {"type": ["array", "null"], "items": true},
            "either": {"type": ["string", "integer"]},
            "mode": {"enum": ["A", "B"]},
            "n": {"const": 3},
            "free": {"type": "object", "additionalProperties": true}
        }});
        let l = lean_input(&s);
        assert_typed(&l, "input");
        let p = &l["properties"];
        assert_eq!(p["schema"]["description"], "Any JSON.");
        assert_eq!(p["schema"]["anyOf"].as_array().unwrap().len(), 5);
        assert_eq!(p["previous"]["type"], "array");
        assert_eq!(p["previous"]["items"]["anyOf"].as_array().unwrap().len(), 5);
        assert_eq!(
            p["either"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(p["mode"]["type"], "string");
        assert_eq!(p["n"]["type"], "integer");
        assert_eq!(p["free"]["type"], "object");
        // Output schemas too.
        let out = lean_output(&json!({"type": "object", "properties": {"raw": true, "x": {}}}));
        assert_typed(&out, "output");
        // Typed schemas pass unchanged.
        let plain = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        assert_eq!(typed(&plain), plain);
    }
}

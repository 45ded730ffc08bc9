//! JSON Schema rules, one case per rule and per invalid-schema class.

use serde_json::{json, Value};

use super::*;
use crate::avro::Mode;
use crate::schema_format::model::{Format, Refs};
use crate::schema_format::{check, modes};

fn no_refs() -> Refs {
    Refs::new()
}

fn kinds(v: &crate::schema_format::model::SchemaValidation) -> Vec<String> {
    v.problems.iter().map(|p| p.kind.clone()).collect()
}

fn breaking(new: &Value, old: &Value, refs: &Refs) -> Vec<String> {
    let r = check(
        Format::Json,
        &new.to_string(),
        &[(String::new(), old.to_string())],
        refs,
        Mode::Backward,
    )
    .expect("both valid");
    let mut k: Vec<String> = r.incompatibilities.iter().map(|i| i.kind.clone()).collect();
    k.sort();
    k
}

fn open(props: Value) -> Value {
    json!({"type": "object", "properties": props})
}

fn closed(props: Value) -> Value {
    json!({"type": "object", "properties": props, "additionalProperties": false})
}

#[test]
fn valid_schema_canonical_form_and_draft() {
    let s = json!({"properties": {"b": {"type": "string"}, "a": {"type": "integer"}}, "type": "object"});
    let v = validate(&s.to_string(), &no_refs());
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.dialect.as_deref(), Some("draft-07"));
    assert_eq!(
        v.canonical_form.as_deref(),
        Some(r#"{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}"#)
    );
    let pretty = serde_json::to_string_pretty(&s).unwrap();
    assert_eq!(
        validate(&pretty, &no_refs()).fingerprint_rabin,
        v.fingerprint_rabin
    );
    for (uri, name) in [
        ("http://json-schema.org/draft-04/schema#", "draft-04"),
        ("http://json-schema.org/draft-06/schema#", "draft-06"),
        ("https://json-schema.org/draft/2019-09/schema", "2019-09"),
        ("https://json-schema.org/draft/2020-12/schema", "2020-12"),
    ] {
        let v = validate(
            &json!({"$schema": uri, "type": "string"}).to_string(),
            &no_refs(),
        );
        assert!(v.valid, "{uri}: {:?}", v.problems);
        assert_eq!(v.dialect.as_deref(), Some(name));
    }
}

#[test]
fn every_invalid_class_is_reported_with_its_pointer() {
    let rows: Vec<(&str, Value, &str, &str)> = vec![
        (
            "metaschema: type not a type",
            json!({"type": "strng"}),
            "metaschema_violation",
            "/type",
        ),
        (
            "metaschema: minLength negative",
            json!({"type": "string", "minLength": -1}),
            "metaschema_violation",
            "/minLength",
        ),
        (
            "minimum > maximum",
            json!({"type": "number", "minimum": 10, "maximum": 1}),
            "minimum_above_maximum",
            "/minimum",
        ),
        (
            "minLength > maxLength",
            json!({"properties": {"s": {"type": "string", "minLength": 5, "maxLength": 2}}}),
            "min_length_above_max_length",
            "/properties/s/minLength",
        ),
        (
            "minItems > maxItems",
            json!({"type": "array", "minItems": 3, "maxItems": 1}),
            "min_items_above_max_items",
            "/minItems",
        ),
        (
            "empty exclusive range",
            json!({"type": "number", "exclusiveMinimum": 5, "maximum": 5}),
            "empty_numeric_range",
            "/exclusiveMinimum",
        ),
        (
            "required forbidden by closed object",
            json!({"type": "object", "properties": {"a": {}}, "required": ["a", "b"], "additionalProperties": false}),
            "required_property_forbidden",
            "/required/1",
        ),
        (
            "unresolved local $ref",
            json!({"properties": {"a": {"$ref": "#/definitions/Nope"}}}),
            "unresolved_ref",
            "/properties/a/$ref",
        ),
        (
            "unresolved external $ref",
            json!({"properties": {"a": {"$ref": "address.json"}}}),
            "unresolved_ref",
            "/properties/a/$ref",
        ),
        (
            "draft-04 numeric exclusiveMinimum",
            json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "exclusiveMinimum": 3}),
            "draft4_exclusive_bound",
            "/exclusiveMinimum",
        ),
        (
            "2020-12 items array",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array", "items": [{"type": "string"}]}),
            "items_array_in_2020_12",
            "/items",
        ),
        ("not an object", json!(42), "not_a_schema", "/"),
    ];
    let mut failures = Vec::new();
    for (name, schema, kind, path) in rows {
        let v = validate(&schema.to_string(), &no_refs());
        if v.valid {
            failures.push(format!("{name}: accepted"));
            continue;
        }
        if !v.problems.iter().any(|p| p.kind == kind && p.path == path) {
            failures.push(format!(
                "{name}: want {kind} at {path}, got {:?}",
                v.problems
            ));
        }
        assert!(v.problems.iter().all(|p| !p.fix.is_empty()), "{name}");
    }
    let v = validate("{\"type\": ", &no_refs());
    assert_eq!(kinds(&v), vec!["malformed_json"]);
    assert!(v.problems[0].line.is_some());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_problem_not_only_the_first() {
    let s = json!({"type": "object", "properties": {
        "a": {"type": "number", "minimum": 3, "maximum": 1},
        "b": {"$ref": "#/$defs/missing"},
        "c": {"type": "strng"}
    }});
    let v = validate(&s.to_string(), &no_refs());
    let k = kinds(&v);
    for want in [
        "minimum_above_maximum",
        "unresolved_ref",
        "metaschema_violation",
    ] {
        assert!(k.iter().any(|x| x == want), "{want} in {k:?}");
    }
}

#[test]
fn keyword_on_the_wrong_type_is_a_warning() {
    let v = validate(
        &json!({"type": "integer", "maxLength": 3}).to_string(),
        &no_refs(),
    );
    assert!(v.valid);
    assert_eq!(kinds(&v), vec!["keyword_ignored"]);
}

#[test]
fn references_resolve_by_name_and_id() {
    let mut refs = Refs::new();
    refs.insert(
        "address.json".into(),
        json!({"$id": "https://acme.com/address.json", "type": "object", "properties": {"zip": {"type": "string"}}}).to_string(),
    );
    for r in [
        "address.json",
        "https://acme.com/address.json",
        "address.json#/properties/zip",
    ] {
        let s = json!({"type": "object", "properties": {"a": {"$ref": r}}});
        let v = validate(&s.to_string(), &refs);
        assert!(v.valid, "{r}: {:?}", v.problems);
    }
    let s =
        json!({"type": "object", "properties": {"a": {"$ref": "address.json#/properties/nope"}}});
    assert!(!validate(&s.to_string(), &refs).valid);
}

/// (name, old, new, breaking kinds under BACKWARD).
fn rule_rows() -> Vec<(&'static str, Value, Value, Vec<&'static str>)> {
    vec![
        (
            "identical",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": "string"}})),
            vec![],
        ),
        (
            "type changed",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": "integer"}})),
            vec!["type_changed"],
        ),
        (
            "integer widened to number",
            open(json!({"a": {"type": "integer"}})),
            open(json!({"a": {"type": "number"}})),
            vec![],
        ),
        (
            "number narrowed to integer",
            open(json!({"a": {"type": "number"}})),
            open(json!({"a": {"type": "integer"}})),
            vec!["type_narrowed"],
        ),
        (
            "type widened to a union",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": ["string", "null"]}})),
            vec![],
        ),
        (
            "union narrowed",
            open(json!({"a": {"type": ["string", "null"]}})),
            open(json!({"a": {"type": "string"}})),
            vec!["type_changed"],
        ),
        (
            "open: property added",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": "string"}, "b": {"type": "string"}})),
            vec!["property_added_to_open_content_model"],
        ),
        (
            "open: property with empty schema added",
            open(json!({"a": {}})),
            open(json!({"a": {}, "b": {}})),
            vec![],
        ),
        (
            "open: property removed",
            open(json!({"a": {"type": "string"}, "b": {"type": "string"}})),
            open(json!({"a": {"type": "string"}})),
            vec![],
        ),
        (
            "closed: optional property added",
            closed(json!({"a": {"type": "string"}})),
            closed(json!({"a": {"type": "string"}, "b": {"type": "string"}})),
            vec![],
        ),
        (
            "closed: property removed",
            closed(json!({"a": {"type": "string"}, "b": {"type": "string"}})),
            closed(json!({"a": {"type": "string"}})),
            vec!["property_removed_from_closed_content_model"],
        ),
        (
            "closed: required property added",
            closed(json!({"a": {"type": "string"}})),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["b"], "additionalProperties": false}),
            vec!["required_property_added_to_unopen_content_model"],
        ),
        (
            "closed: required property with default added",
            closed(json!({"a": {"type": "string"}})),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string", "default": "x"}}, "required": ["b"], "additionalProperties": false}),
            vec![],
        ),
        (
            "required added",
            open(json!({"a": {"type": "string"}})),
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
            vec!["required_attribute_added"],
        ),
        (
            "required removed",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
            open(json!({"a": {"type": "string"}})),
            vec![],
        ),
        (
            "additionalProperties closed",
            open(json!({"a": {}})),
            closed(json!({"a": {}})),
            vec!["additional_properties_removed"],
        ),
        (
            "additionalProperties opened",
            closed(json!({"a": {}})),
            open(json!({"a": {}})),
            vec![],
        ),
        (
            "partially open: property added within its schema",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
            vec![],
        ),
        (
            "partially open: property added outside its schema",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "additionalProperties": {"type": "string"}}),
            vec!["property_added_not_covered_by_partially_open_content_model"],
        ),
        (
            "maxLength added",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": "string", "maxLength": 5}})),
            vec!["max_length_added"],
        ),
        (
            "maxLength increased",
            open(json!({"a": {"type": "string", "maxLength": 5}})),
            open(json!({"a": {"type": "string", "maxLength": 9}})),
            vec![],
        ),
        (
            "maxLength decreased",
            open(json!({"a": {"type": "string", "maxLength": 9}})),
            open(json!({"a": {"type": "string", "maxLength": 5}})),
            vec!["max_length_decreased"],
        ),
        (
            "minLength increased",
            open(json!({"a": {"type": "string", "minLength": 1}})),
            open(json!({"a": {"type": "string", "minLength": 2}})),
            vec!["min_length_increased"],
        ),
        (
            "pattern added",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"type": "string", "pattern": "^x"}})),
            vec!["pattern_added"],
        ),
        (
            "pattern removed",
            open(json!({"a": {"type": "string", "pattern": "^x"}})),
            open(json!({"a": {"type": "string"}})),
            vec![],
        ),
        (
            "maximum decreased",
            open(json!({"a": {"type": "number", "maximum": 10}})),
            open(json!({"a": {"type": "number", "maximum": 5}})),
            vec!["maximum_decreased"],
        ),
        (
            "minimum added",
            open(json!({"a": {"type": "number"}})),
            open(json!({"a": {"type": "number", "minimum": 0}})),
            vec!["minimum_added"],
        ),
        (
            "minimum decreased",
            open(json!({"a": {"type": "number", "minimum": 5}})),
            open(json!({"a": {"type": "number", "minimum": 0}})),
            vec![],
        ),
        (
            "multipleOf reduced",
            open(json!({"a": {"type": "number", "multipleOf": 4}})),
            open(json!({"a": {"type": "number", "multipleOf": 2}})),
            vec![],
        ),
        (
            "multipleOf expanded",
            open(json!({"a": {"type": "number", "multipleOf": 2}})),
            open(json!({"a": {"type": "number", "multipleOf": 4}})),
            vec!["multiple_of_expanded"],
        ),
        (
            "enum extended",
            open(json!({"a": {"enum": ["x", "y"]}})),
            open(json!({"a": {"enum": ["x", "y", "z"]}})),
            vec![],
        ),
        (
            "enum narrowed",
            open(json!({"a": {"enum": ["x", "y"]}})),
            open(json!({"a": {"enum": ["x"]}})),
            vec!["enum_array_narrowed"],
        ),
        (
            "enum changed",
            open(json!({"a": {"enum": ["x", "y"]}})),
            open(json!({"a": {"enum": ["x", "z"]}})),
            vec!["enum_array_changed"],
        ),
        (
            "const changed",
            open(json!({"a": {"const": 1}})),
            open(json!({"a": {"const": 2}})),
            vec!["enum_array_changed"],
        ),
        (
            "maxItems added",
            open(json!({"a": {"type": "array"}})),
            open(json!({"a": {"type": "array", "maxItems": 3}})),
            vec!["max_items_added"],
        ),
        (
            "uniqueItems added",
            open(json!({"a": {"type": "array"}})),
            open(json!({"a": {"type": "array", "uniqueItems": true}})),
            vec!["unique_items_added"],
        ),
        (
            "items type changed",
            open(json!({"a": {"type": "array", "items": {"type": "string"}}})),
            open(json!({"a": {"type": "array", "items": {"type": "integer"}}})),
            vec!["type_changed"],
        ),
        (
            "anyOf extended",
            open(json!({"a": {"anyOf": [{"type": "string"}]}})),
            open(json!({"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})),
            vec![],
        ),
        (
            "anyOf narrowed",
            open(json!({"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})),
            open(json!({"a": {"anyOf": [{"type": "string"}]}})),
            vec!["sum_type_narrowed"],
        ),
        (
            "oneOf became anyOf",
            open(json!({"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}})),
            open(json!({"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})),
            vec!["combined_type_changed"],
        ),
        (
            "allOf extended",
            open(json!({"a": {"allOf": [{"type": "string"}]}})),
            open(json!({"a": {"allOf": [{"type": "string"}, {"minLength": 2}]}})),
            vec!["product_type_extended"],
        ),
        (
            "allOf narrowed",
            open(json!({"a": {"allOf": [{"type": "string"}, {"minLength": 2}]}})),
            open(json!({"a": {"allOf": [{"type": "string"}]}})),
            vec![],
        ),
        (
            "a type became one alternative of a oneOf",
            open(json!({"a": {"type": "string"}})),
            open(json!({"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}})),
            vec![],
        ),
        (
            "dependentRequired added",
            open(json!({"a": {}, "b": {}})),
            json!({"type": "object", "properties": {"a": {}, "b": {}}, "dependentRequired": {"a": ["b"]}}),
            vec!["dependency_array_added"],
        ),
    ]
}

#[test]
fn each_confluent_rule_under_backward() {
    let mut failures = Vec::new();
    for (name, old, new, want) in rule_rows() {
        for s in [&old, &new] {
            let v = validate(&s.to_string(), &no_refs());
            assert!(v.valid, "{name}: {:?}", v.problems);
        }
        let got = breaking(&new, &old, &no_refs());
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refs_are_followed_local_and_external() {
    let old = json!({"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"type": "string", "maxLength": 9}}});
    let new = json!({"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"type": "string", "maxLength": 3}}});
    assert_eq!(
        breaking(&new, &old, &no_refs()),
        vec!["max_length_decreased"]
    );
    // The same reference name with a different text per side is not expressible in one refs
    // map, so the external case compares an inline schema with a reference.
    let mut refs = Refs::new();
    refs.insert(
        "address.json".into(),
        json!({"type": "object", "properties": {"zip": {"type": "integer"}}}).to_string(),
    );
    let old = json!({"type": "object", "properties": {"addr": {"type": "object", "properties": {"zip": {"type": "string"}}}}});
    let new = json!({"type": "object", "properties": {"addr": {"$ref": "address.json"}}});
    let r = check(
        Format::Json,
        &new.to_string(),
        &[(String::new(), old.to_string())],
        &refs,
        Mode::Backward,
    )
    .unwrap();
    assert_eq!(r.incompatibilities.len(), 1, "{:?}", r.incompatibilities);
    assert_eq!(r.incompatibilities[0].kind, "type_changed");
    assert_eq!(
        r.incompatibilities[0].path,
        "#/properties/addr/properties/zip"
    );
    // Recursive schemas terminate.
    let tree = json!({"$ref": "#/definitions/Node", "definitions": {"Node": {"type": "object",
        "properties": {"kids": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}}}});
    assert!(breaking(&tree, &tree, &no_refs()).is_empty());
}

#[test]
fn incompatibilities_name_values_and_fix_and_the_content_model_is_said() {
    let old = open(json!({"a": {"type": "string", "maxLength": 9}}));
    let new = open(json!({"a": {"type": "string", "maxLength": 3}}));
    let r = check(
        Format::Json,
        &new.to_string(),
        &[("2".into(), old.to_string())],
        &no_refs(),
        Mode::Full,
    )
    .unwrap();
    assert!(!r.compatible);
    let i = &r.incompatibilities[0];
    assert_eq!(i.path, "#/properties/a/maxLength");
    assert_eq!(
        (i.old_value.as_deref(), i.new_value.as_deref()),
        (Some("9"), Some("3"))
    );
    assert!(!i.fix.is_empty());
    assert!(
        r.content_model.as_deref().unwrap().starts_with("open"),
        "{:?}",
        r.content_model
    );
    let r = check(
        Format::Json,
        &closed(json!({})).to_string(),
        &[],
        &no_refs(),
        Mode::Backward,
    )
    .unwrap();
    assert!(r.compatible);
    assert!(r.content_model.as_deref().unwrap().starts_with("closed"));
}

#[test]
fn open_and_closed_models_flip_the_directions() {
    // Adding a typed property: open breaks BACKWARD (old data may hold anything under the
    // name) and passes FORWARD; closed is the mirror image.
    let ok = |old: &Value, new: &Value| -> Vec<Mode> {
        modes(
            Format::Json,
            &new.to_string(),
            &[(String::new(), old.to_string())],
            &no_refs(),
        )
        .unwrap()
        .into_iter()
        .filter(|v| v.compatible)
        .map(|v| v.mode)
        .collect()
    };
    let o1 = open(json!({"a": {"type": "string"}}));
    let o2 = open(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
    assert_eq!(
        ok(&o1, &o2),
        vec![Mode::Forward, Mode::ForwardTransitive, Mode::None]
    );
    let c1 = closed(json!({"a": {"type": "string"}}));
    let c2 = closed(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
    assert_eq!(
        ok(&c1, &c2),
        vec![Mode::Backward, Mode::BackwardTransitive, Mode::None]
    );
}

#[test]
fn unevaluated_properties_false_closes_the_model() {
    let s = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
        "properties": {"a": {"type": "string"}}, "unevaluatedProperties": false});
    let mut bigger = s.clone();
    bigger["properties"]["b"] = json!({"type": "string"});
    assert!(breaking(&bigger, &s, &no_refs()).is_empty());
    assert_eq!(
        breaking(&s, &bigger, &no_refs()),
        vec!["property_removed_from_closed_content_model"]
    );
}

#[test]
fn patterns_that_do_not_compile_are_located_problems() {
    let v = validate(
        r#"{"type":"object","properties":{"code":{"type":"string","pattern":"(["}}}"#,
        &no_refs(),
    );
    assert!(!v.valid);
    assert_eq!(kinds(&v), vec!["invalid_pattern"]);
    assert_eq!(v.problems[0].path, "/properties/code/pattern");
    assert!(
        v.problems[0].message.contains("\"([\""),
        "{}",
        v.problems[0].message
    );
    // A patternProperties key is located at the key itself (`/` escaped).
    let v = validate(
        r#"{"type":"object","patternProperties":{"a/[b-":{"type":"string"},"^ok$":{}}}"#,
        &no_refs(),
    );
    assert_eq!(kinds(&v), vec!["invalid_pattern"]);
    assert_eq!(v.problems[0].path, "/patternProperties/a~1[b-");
    // In a reference, the problem names the file.
    let refs: Refs = [(
        "code.json".to_string(),
        r#"{"type":"string","pattern":"a{2"}"#.to_string(),
    )]
    .into();
    let v = validate(r#"{"$ref":"code.json"}"#, &refs);
    let p = v
        .problems
        .iter()
        .find(|p| p.kind == "invalid_pattern")
        .unwrap();
    assert_eq!(
        (p.path.as_str(), p.file.as_deref()),
        ("/pattern", Some("code.json"))
    );
    assert!(
        p.message.starts_with("reference \"code.json\": pattern"),
        "{}",
        p.message
    );
    // Valid ECMA-262 patterns stay valid: classes, lookbehind, Unicode properties.
    for pat in [r"^[a-z]+$", r"(?<=a)b", r"^\\p{L}+$", r"^\\d{3}-\\d{4}$"] {
        let v = validate(
            &format!(r#"{{"type":"string","pattern":"{pat}"}}"#),
            &no_refs(),
        );
        assert!(v.valid, "{pat}: {:?}", v.problems);
    }
}

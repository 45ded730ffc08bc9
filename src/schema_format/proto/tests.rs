//! Protobuf rules, one case per rule and per invalid-schema class.

use super::*;
use crate::avro::Mode;
use crate::schema_format::model::{Format, Refs};
use crate::schema_format::{check, modes};

fn no_refs() -> Refs {
    Refs::new()
}

fn kinds_of(v: &crate::schema_format::model::SchemaValidation) -> Vec<String> {
    v.problems.iter().map(|p| p.kind.clone()).collect()
}

const V1: &str = r#"syntax = "proto3";
package acme.orders;

message Order {
  string id = 1;
  int32 amount = 2;
  Status status = 3;
  repeated Item items = 4;
  map<string, string> tags = 5;
  oneof payment {
    string card = 6;
    string iban = 7;
  }
  message Item {
    string sku = 1;
    int64 qty = 2;
  }
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  NEW = 1;
  PAID = 2;
}
"#;

fn v1_with(from: &str, to: &str) -> String {
    assert!(V1.contains(from), "fixture lacks {from}");
    V1.replacen(from, to, 1)
}

fn breaking(new: &str, old: &str) -> Vec<String> {
    let r = check(
        Format::Protobuf,
        new,
        &[(String::new(), old.to_string())],
        &no_refs(),
        Mode::Backward,
    )
    .expect("both compile");
    let mut k: Vec<String> = r.incompatibilities.iter().map(|i| i.kind.clone()).collect();
    k.sort();
    k
}

#[test]
fn a_valid_schema_has_a_canonical_form_and_a_stable_fingerprint() {
    let v = validate(V1, &no_refs());
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.dialect.as_deref(), Some("proto3"));
    let c = v.canonical_form.clone().unwrap();
    assert!(
        c.starts_with("syntax=\"proto3\";package acme.orders;message Order{"),
        "{c}"
    );
    assert!(c.contains(".acme.orders.Status status=3;"), "{c}");
    assert!(c.contains("map<string,string> tags=5;"), "{c}");
    assert!(
        c.contains("oneof payment{string card=6;string iban=7;}"),
        "{c}"
    );
    // Comments and whitespace do not change the canonical form or the fingerprint.
    let spaced = V1.replace("string id = 1;", "string   id=1;   // the id");
    let w = validate(&spaced, &no_refs());
    assert_eq!(w.canonical_form, v.canonical_form);
    assert_eq!(w.fingerprint_rabin, v.fingerprint_rabin);
    assert_eq!(v.fingerprint_rabin.as_ref().unwrap().len(), 16);
    // A real change changes it.
    let other = validate(
        &v1_with("int32 amount = 2;", "int64 amount = 2;"),
        &no_refs(),
    );
    assert_ne!(other.fingerprint_rabin, v.fingerprint_rabin);
}

#[test]
fn syntax_errors_have_line_and_column() {
    let bad = "syntax = \"proto3\";\nmessage A {\n  string id = 1\n  int32 n = 2;\n}\n";
    let v = validate(bad, &no_refs());
    assert!(!v.valid);
    let p = &v.problems[0];
    assert_eq!(p.kind, "syntax_error", "{p:?}");
    assert_eq!(p.file.as_deref(), Some(MAIN_FILE));
    assert!(p.line == Some(3) || p.line == Some(4), "{p:?}");
    assert!(p.column.is_some(), "{p:?}");
    assert!(p.path.starts_with("schema.proto:"), "{}", p.path);
    assert!(!p.fix.is_empty());
}

/// Each invalid-schema class: (name, schema, expected rule id).
const INVALID: &[(&str, &str, &str)] = &[
    (
        "unknown type",
        "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
        "unresolved_type",
    ),
    (
        "duplicate field number",
        "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n  string b = 1;\n}\n",
        "duplicate_field_number",
    ),
    (
        "duplicate field name",
        "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n  int32 a = 2;\n}\n",
        "duplicate_name",
    ),
    (
        "field number 0",
        "syntax = \"proto3\";\nmessage A {\n  string a = 0;\n}\n",
        "invalid_field_number",
    ),
    (
        "field number in 19000-19999",
        "syntax = \"proto3\";\nmessage A {\n  string a = 19001;\n}\n",
        "invalid_field_number",
    ),
    (
        "negative field number",
        "syntax = \"proto3\";\nmessage A {\n  string a = -3;\n}\n",
        "",
    ),
    (
        "reserved number reused",
        "syntax = \"proto3\";\nmessage A {\n  reserved 2;\n  string a = 2;\n}\n",
        "reserved_reused",
    ),
    (
        "reserved name reused",
        "syntax = \"proto3\";\nmessage A {\n  reserved \"a\";\n  string a = 2;\n}\n",
        "reserved_reused",
    ),
    (
        "proto3 enum first value not 0",
        "syntax = \"proto3\";\nenum E {\n  ONE = 1;\n}\n",
        "enum_first_value_not_zero",
    ),
    (
        "repeated map",
        "syntax = \"proto3\";\nmessage A {\n  repeated map<string, string> m = 1;\n}\n",
        "",
    ),
    (
        "map with a float key",
        "syntax = \"proto3\";\nmessage A {\n  map<float, string> m = 1;\n}\n",
        "",
    ),
    (
        "repeated field in a oneof",
        "syntax = \"proto3\";\nmessage A {\n  oneof o {\n    repeated string s = 1;\n  }\n}\n",
        "",
    ),
    (
        "missing import",
        "syntax = \"proto3\";\nimport \"common.proto\";\nmessage A {\n  string a = 1;\n}\n",
        "missing_import",
    ),
    (
        "required in proto3",
        "syntax = \"proto3\";\nmessage A {\n  required string a = 1;\n}\n",
        "",
    ),
];

#[test]
fn every_invalid_class_is_reported_with_a_location_and_a_fix() {
    let mut failures = Vec::new();
    for (name, schema, want) in INVALID {
        let v = validate(schema, &no_refs());
        if v.valid {
            failures.push(format!("{name}: accepted"));
            continue;
        }
        let kinds = kinds_of(&v);
        if !want.is_empty() && !kinds.iter().any(|k| k == want) {
            failures.push(format!(
                "{name}: got {kinds:?} ({:?}), want {want}",
                v.problems
            ));
        }
        for p in &v.problems {
            if p.fix.is_empty() || p.message.is_empty() || p.file.is_none() {
                failures.push(format!("{name}: incomplete problem {p:?}"));
            }
        }
        if !v.problems.iter().any(|p| p.line.is_some()) && *name != "missing import" {
            failures.push(format!("{name}: no line in {:?}", v.problems));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn several_problems_are_all_reported() {
    let bad = "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n  string b = 1;\n  Missing m = 2;\n  int32 c = 19500;\n}\n";
    let v = validate(bad, &no_refs());
    assert!(!v.valid);
    assert!(v.problems.len() >= 2, "{:?}", v.problems);
}

#[test]
fn imports_resolve_from_references_and_each_other() {
    let mut refs = Refs::new();
    refs.insert(
        "common/money.proto".into(),
        "syntax = \"proto3\";\npackage acme.common;\nimport \"common/currency.proto\";\nmessage Money { int64 units = 1; Currency currency = 2; }\n".into(),
    );
    refs.insert(
        "common/currency.proto".into(),
        "syntax = \"proto3\";\npackage acme.common;\nenum Currency { CURRENCY_UNSPECIFIED = 0; EUR = 1; }\n".into(),
    );
    let schema = "syntax = \"proto3\";\npackage acme.orders;\nimport \"common/money.proto\";\nmessage Order { string id = 1; acme.common.Money total = 2; }\n";
    let v = validate(schema, &refs);
    assert!(v.valid, "{:?}", v.problems);
    assert!(v
        .canonical_form
        .unwrap()
        .contains("import \"common/money.proto\";"));
    // A broken import is located in its own file.
    refs.insert(
        "common/currency.proto".into(),
        "syntax = \"proto3\";\npackage acme.common;\nenum Currency { EUR = 1 }\n".into(),
    );
    let v = validate(schema, &refs);
    assert!(!v.valid);
    assert_eq!(
        v.problems[0].file.as_deref(),
        Some("common/currency.proto"),
        "{:?}",
        v.problems
    );
    // Changing an imported message's field type breaks the importing schema's compatibility.
    let old_refs = {
        let mut r = Refs::new();
        r.insert(
            "m.proto".into(),
            "syntax = \"proto3\";\npackage acme.common;\nmessage Money { int64 units = 1; }\n"
                .into(),
        );
        r
    };
    let mut new_refs = old_refs.clone();
    new_refs.insert(
        "m.proto".into(),
        "syntax = \"proto3\";\npackage acme.common;\nmessage Money { string units = 1; }\n".into(),
    );
    let s = "syntax = \"proto3\";\npackage acme.orders;\nimport \"m.proto\";\nmessage Order { acme.common.Money total = 1; }\n";
    let old = ProtoRules.parse(s, &old_refs).unwrap();
    let new = ProtoRules.parse(s, &new_refs).unwrap();
    let d = diff(&old, &new);
    assert_eq!(d.breaking.len(), 1, "{:?}", d.breaking);
    assert_eq!(d.breaking[0].kind, "field_scalar_kind_changed");
    assert_eq!(
        d.breaking[0].path,
        "#/acme.common.Money/1".replace("acme.common.", "")
    );
}

use crate::schema_format::model::Rules;

/// One row per Confluent difference type: (name, new schema, breaking kinds under BACKWARD).
fn rule_rows() -> Vec<(&'static str, String, Vec<&'static str>)> {
    vec![
        ("identical", V1.to_string(), vec![]),
        (
            "field added",
            v1_with("string id = 1;", "string id = 1;\n  string note = 9;"),
            vec![],
        ),
        ("field removed", v1_with("int32 amount = 2;", ""), vec![]),
        (
            "field renamed",
            v1_with("int32 amount = 2;", "int32 total = 2;"),
            vec![],
        ),
        (
            "message added",
            format!("{V1}\nmessage Extra {{ string x = 1; }}\n"),
            vec![],
        ),
        (
            "enum value added",
            v1_with("PAID = 2;", "PAID = 2;\n  SHIPPED = 3;"),
            vec![],
        ),
        ("enum value removed", v1_with("PAID = 2;", ""), vec![]),
        (
            "scalar in group int32→int64",
            v1_with("int32 amount = 2;", "int64 amount = 2;"),
            vec![],
        ),
        (
            "scalar in group string→bytes",
            v1_with("string id = 1;", "bytes id = 1;"),
            vec![],
        ),
        (
            "enum→int32 (same group)",
            v1_with("Status status = 3;", "int32 status = 3;"),
            vec![],
        ),
        (
            "scalar out of group int32→string",
            v1_with("int32 amount = 2;", "string amount = 2;"),
            vec!["field_scalar_kind_changed"],
        ),
        (
            "scalar out of group int32→sint32",
            v1_with("int32 amount = 2;", "sint32 amount = 2;"),
            vec!["field_scalar_kind_changed"],
        ),
        (
            "scalar→message",
            v1_with("int32 amount = 2;", "Item amount = 2;"),
            vec!["field_kind_changed"],
        ),
        (
            "map→scalar",
            v1_with("map<string, string> tags = 5;", "string tags = 5;"),
            vec!["field_kind_changed"],
        ),
        (
            "map value type out of group",
            v1_with(
                "map<string, string> tags = 5;",
                "map<string, int32> tags = 5;",
            ),
            vec!["field_scalar_kind_changed"],
        ),
        (
            "message type changed",
            format!(
                "{}\nmessage Other {{ string sku = 1; }}\n",
                v1_with("repeated Item items = 4;", "repeated Other items = 4;")
            ),
            vec!["field_named_type_changed"],
        ),
        (
            "message removed",
            v1_with(
                "  message Item {\n    string sku = 1;\n    int64 qty = 2;\n  }\n",
                "",
            )
            .replace("repeated Item items = 4;", ""),
            vec!["message_removed"],
        ),
        (
            "package changed",
            v1_with("package acme.orders;", "package acme.sales;"),
            vec!["package_changed"],
        ),
        (
            "oneof field removed",
            v1_with("    string iban = 7;\n", ""),
            vec!["oneof_field_removed"],
        ),
        (
            "oneof field added",
            v1_with(
                "string iban = 7;",
                "string iban = 7;\n    string paypal = 8;",
            ),
            vec![],
        ),
        (
            "one field moved into a new oneof",
            v1_with(
                "  string id = 1;\n",
                "  oneof ident {\n    string id = 1;\n  }\n",
            ),
            vec![],
        ),
        (
            "two fields moved into a new oneof",
            v1_with(
                "  string id = 1;\n  int32 amount = 2;\n",
                "  oneof both {\n    string id = 1;\n    int32 amount = 2;\n  }\n",
            ),
            vec!["multiple_fields_moved_to_oneof"],
        ),
        (
            "field moved into an existing oneof",
            v1_with("  string id = 1;\n", "")
                .replace("string iban = 7;", "string iban = 7;\n    string id = 1;"),
            vec!["field_moved_to_existing_oneof"],
        ),
        (
            "numeric label changed optional→repeated",
            v1_with("int32 amount = 2;", "optional int32 amount = 2;"),
            vec![],
        ),
        (
            "nested message field kind changed",
            v1_with("int64 qty = 2;", "Item qty = 2;"),
            vec!["field_kind_changed"],
        ),
    ]
}

#[test]
fn each_confluent_rule_under_backward() {
    let mut failures = Vec::new();
    for (name, new, want) in rule_rows() {
        let v = validate(&new, &no_refs());
        assert!(v.valid, "{name}: {:?}", v.problems);
        let got = breaking(&new, V1);
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn incompatibilities_carry_path_old_and_new_values_and_a_fix() {
    let new = v1_with("int32 amount = 2;", "string amount = 2;");
    let r = check(
        Format::Protobuf,
        &new,
        &[("3".into(), V1.into())],
        &no_refs(),
        Mode::Full,
    )
    .unwrap();
    assert!(!r.compatible);
    assert_eq!(
        r.incompatibilities.len(),
        2,
        "both directions: {:?}",
        r.incompatibilities
    );
    let back = &r.incompatibilities[0];
    assert_eq!(back.path, "#/Order/2");
    assert_eq!(
        (back.reader.as_str(), back.writer.as_str()),
        ("new", "version 3")
    );
    assert_eq!(back.old_value.as_deref(), Some("int32"));
    assert_eq!(back.new_value.as_deref(), Some("string"));
    assert!(back.fix.contains("new field"), "{}", back.fix);
    let fwd = &r.incompatibilities[1];
    assert_eq!(
        (fwd.reader.as_str(), fwd.writer.as_str()),
        ("version 3", "new")
    );
    assert_eq!(fwd.old_value.as_deref(), Some("int32"));
    assert_eq!(fwd.new_value.as_deref(), Some("string"));
}

#[test]
fn required_fields_added_or_removed_break_per_direction() {
    let old = "syntax = \"proto2\";\npackage p;\nmessage A { optional string a = 1; }\n";
    let new = "syntax = \"proto2\";\npackage p;\nmessage A { optional string a = 1; required int32 b = 2; }\n";
    let ms = modes(
        Format::Protobuf,
        new,
        &[(String::new(), old.into())],
        &no_refs(),
    )
    .unwrap();
    let ok: Vec<Mode> = ms.iter().filter(|m| m.compatible).map(|m| m.mode).collect();
    // BACKWARD: required_field_added; FORWARD: the old reader sees a removed required field?
    // No: forward compares new→old, where b is absent from the old (a removal of a required
    // field in that direction).
    assert_eq!(ok, vec![Mode::None], "{ms:?}");
    assert_eq!(breaking(new, old), vec!["required_field_added".to_string()]);
    assert_eq!(
        breaking(old, new),
        vec!["required_field_removed".to_string()]
    );
}

#[test]
fn numeric_label_changes_break_string_label_changes_do_not() {
    let old = "syntax = \"proto2\";\npackage p;\nmessage A { optional int32 n = 1; optional string s = 2; }\n";
    let new = "syntax = \"proto2\";\npackage p;\nmessage A { repeated int32 n = 1; repeated string s = 2; }\n";
    assert_eq!(
        breaking(new, old),
        vec!["field_numeric_label_changed".to_string()]
    );
}

#[test]
fn renames_are_accepted_with_a_json_note() {
    let new = v1_with("int32 amount = 2;", "int32 total = 2;");
    let r = check(
        Format::Protobuf,
        &new,
        &[(String::new(), V1.into())],
        &no_refs(),
        Mode::FullTransitive,
    )
    .unwrap();
    assert!(r.compatible);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("renamed") && n.contains("WIRE_JSON")),
        "{:?}",
        r.notes
    );
    let removed = v1_with("int32 amount = 2;", "");
    let r = check(
        Format::Protobuf,
        &removed,
        &[(String::new(), V1.into())],
        &no_refs(),
        Mode::Backward,
    )
    .unwrap();
    assert!(r.compatible);
    assert!(
        r.notes.iter().any(|n| n.contains("reserved 2")),
        "{:?}",
        r.notes
    );
}

#[test]
fn modes_and_transitivity() {
    // v1 {id}, v2 {id, amount:int32}, new {id, amount:string}: v1 has no field 2, so only the
    // latest breaks.
    let v1 = "syntax = \"proto3\";\npackage p;\nmessage A { string id = 1; }\n";
    let v2 = "syntax = \"proto3\";\npackage p;\nmessage A { string id = 1; int32 amount = 2; }\n";
    let v3 = "syntax = \"proto3\";\npackage p;\nmessage A { string id = 1; string amount = 2; }\n";
    let hist = vec![
        (String::new(), v1.to_string()),
        (String::new(), v2.to_string()),
    ];
    for mode in Mode::ALL {
        let r = check(Format::Protobuf, v3, &hist, &no_refs(), mode).unwrap();
        assert_eq!(r.compatible, mode == Mode::None, "{mode}");
        let want = match mode {
            Mode::None => 0,
            m if m.transitive() => 2,
            _ => 1,
        };
        assert_eq!(r.compared_with.len(), want, "{mode}");
    }
    // v1 {id}, v2 {id} (field 2 removed earlier as int32), new {id, amount:string}: only the
    // transitive modes see v1's int32.
    let hist = vec![
        (String::new(), v2.to_string()),
        (String::new(), v1.to_string()),
    ];
    let ms = modes(Format::Protobuf, v3, &hist, &no_refs()).unwrap();
    let ok: Vec<Mode> = ms.iter().filter(|m| m.compatible).map(|m| m.mode).collect();
    assert_eq!(
        ok,
        vec![Mode::Backward, Mode::Forward, Mode::Full, Mode::None]
    );
}

#[test]
fn an_empty_history_is_compatible_and_an_invalid_version_is_named() {
    let r = check(Format::Protobuf, V1, &[], &no_refs(), Mode::FullTransitive).unwrap();
    assert!(r.compatible && r.compared_with.is_empty());
    let e = check(
        Format::Protobuf,
        V1,
        &[("4".into(), "syntax = \"proto3\"; message {".into())],
        &no_refs(),
        Mode::Backward,
    )
    .unwrap_err();
    assert!(e.to_string().contains("previous (version 4)"), "{e}");
    assert!(e.to_string().contains("not valid Protobuf"), "{e}");
}

#[test]
fn editions_compile_as_far_as_the_parser_supports() {
    let s = "edition = \"2023\";\npackage p;\nmessage A { string a = 1; }\n";
    let v = validate(s, &no_refs());
    if v.valid {
        assert_eq!(v.dialect.as_deref(), Some("editions"));
    } else {
        assert!(
            !v.problems.is_empty() && v.problems[0].line.is_some(),
            "{:?}",
            v.problems
        );
    }
}

#[test]
fn each_invalid_class_has_its_own_kind() {
    let cases = [
        ("message A { string a = 0; }", "invalid_field_number"),
        ("message A { string a = 19001; }", "invalid_field_number"),
        (
            "message A { string a = 1; string b = 1; }",
            "duplicate_field_number",
        ),
        (
            "message A { string a = 1; string a = 2; }",
            "duplicate_name",
        ),
        ("message A { reserved 3; string a = 3; }", "reserved_reused"),
        (
            "message A { reserved \"a\"; string a = 3; }",
            "reserved_reused",
        ),
        ("message A { map<float, string> m = 1; }", "map_misuse"),
        (
            "message A { repeated map<string, string> m = 1; }",
            "map_misuse",
        ),
        (
            "message A { oneof o { repeated string a = 1; } }",
            "oneof_misuse",
        ),
        ("message A { oneof o { } }", "oneof_misuse"),
        ("enum E { A = 1; }", "enum_first_value_not_zero"),
        (
            "import \"x.proto\"; message A { string a = 1; }",
            "missing_import",
        ),
        ("enum E { A = 0; B = 0; }", "duplicate_enum_number"),
    ];
    for (body, kind) in cases {
        let v = validate(&format!("syntax = \"proto3\"; {body}"), &no_refs());
        assert!(!v.valid, "{body}");
        let kinds = kinds_of(&v);
        assert!(kinds.iter().any(|k| k == kind), "{body}: {kinds:?}");
        assert!(
            !kinds.iter().any(|k| k == "invalid_proto"),
            "{body}: {kinds:?}"
        );
        assert!(
            v.problems.iter().all(|p| p.line.is_some()),
            "{body}: {:?}",
            v.problems
        );
    }
    let v = validate(
        "syntax = \"proto2\"; message A { extensions 1 to 5; optional string a = 3; }",
        &no_refs(),
    );
    assert_eq!(kinds_of(&v), vec!["extension_range_conflict"]);
    // An alias is fine when the enum allows it.
    let v = validate(
        "syntax = \"proto3\"; enum E { option allow_alias = true; A = 0; B = 0; }",
        &no_refs(),
    );
    assert!(v.valid, "{:?}", v.problems);
}

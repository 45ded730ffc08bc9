//! Table tests over the corpus in `fixtures/avro/`: canonical-form vectors (the Avro project's
//! own plus ours), invalid schemas with every expected problem, reader/writer pairs with every
//! expected incompatibility, and registry-mode cases over up to three versions.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use super::*;

const CANONICAL: &str = include_str!("../../fixtures/avro/canonical.json");
const INVALID: &str = include_str!("../../fixtures/avro/invalid_schemas.json");
const PAIRS: &str = include_str!("../../fixtures/avro/compat_pairs.json");
const MODES: &str = include_str!("../../fixtures/avro/modes.json");

#[derive(Deserialize)]
struct CanonicalRow {
    name: String,
    schema_text: String,
    canonical: String,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct SchemaRow {
    name: String,
    schema: Option<Value>,
    schema_text: Option<String>,
    valid: bool,
    problems: Vec<(String, String)>,
}

impl SchemaRow {
    fn text(&self) -> String {
        match (&self.schema_text, &self.schema) {
            (Some(t), _) => t.clone(),
            (None, Some(v)) => v.to_string(),
            (None, None) => panic!("{}: needs schema or schema_text", self.name),
        }
    }
}

#[derive(Deserialize)]
struct PairRow {
    name: String,
    reader: Value,
    writer: Value,
    compatible: bool,
    kinds: Vec<String>,
    paths: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ModesRow {
    name: String,
    new: Value,
    previous: Vec<Value>,
    compatible: Vec<Mode>,
}

fn load<T: for<'de> Deserialize<'de>>(text: &str) -> Vec<T> {
    serde_json::from_str(text).expect("fixture is valid JSON of the expected shape")
}

fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v
}

fn serialized<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .expect("serializes")
        .as_str()
        .expect("a string")
        .to_string()
}

#[test]
fn corpus_sizes() {
    assert!(load::<PairRow>(PAIRS).len() >= 100);
    assert!(
        load::<SchemaRow>(INVALID)
            .iter()
            .filter(|r| !r.valid)
            .count()
            >= 30
    );
    assert!(load::<ModesRow>(MODES).len() >= 20);
}

#[test]
fn canonical_form_and_fingerprint_match_vectors() {
    let mut failures = Vec::new();
    for row in load::<CanonicalRow>(CANONICAL) {
        let report = validate(&row.schema_text);
        if !report.valid {
            failures.push(format!("{}: invalid: {:?}", row.name, report.problems));
            continue;
        }
        if report.canonical_form.as_deref() != Some(row.canonical.as_str()) {
            failures.push(format!(
                "{}: canonical {:?}, want {}",
                row.name, report.canonical_form, row.canonical
            ));
        }
        let fp = report.fingerprint_rabin.clone().unwrap_or_default();
        assert_eq!(fp.len(), 16, "{}", row.name);
        if let Some(want) = &row.fingerprint {
            let want: i64 = want.parse().expect("fingerprint is an i64");
            if fp != format!("{:016x}", want as u64) {
                failures.push(format!("{}: fingerprint {fp}, want {want}", row.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every schema in the corpus that apache-avro parses: same Parsing Canonical Form and Rabin
/// fingerprint, except with logical types or field `order`, where apache-avro 0.22 breaks the
/// spec's [PRIMITIVES]/[STRIP] rules (it writes `{"type":"long"}`, keeps `precision`, `scale`
/// and `order`; the spec's own vector 026 strips `order`).
#[test]
fn agrees_with_apache_avro_without_logical_types() {
    let mut texts: Vec<String> = load::<CanonicalRow>(CANONICAL)
        .into_iter()
        .map(|r| r.schema_text)
        .collect();
    texts.extend(
        load::<SchemaRow>(INVALID)
            .iter()
            .filter(|r| r.valid)
            .map(SchemaRow::text),
    );
    for p in load::<PairRow>(PAIRS) {
        texts.push(p.reader.to_string());
        texts.push(p.writer.to_string());
    }
    let mut compared = 0;
    let mut failures = Vec::new();
    for text in texts
        .iter()
        .filter(|t| !t.contains("logicalType") && !t.contains("\"order\""))
    {
        let Ok(theirs) = apache_avro::Schema::parse_str(text) else {
            continue;
        };
        let ours = validate(text);
        compared += 1;
        if ours.canonical_form.as_deref() != Some(theirs.canonical_form().as_str()) {
            failures.push(format!(
                "{text}\n  ours   {:?}\n  theirs {}",
                ours.canonical_form,
                theirs.canonical_form()
            ));
            continue;
        }
        let mut le = theirs
            .fingerprint::<apache_avro::rabin::Rabin>()
            .bytes
            .clone();
        le.reverse();
        let theirs_hex: String = le.iter().map(|b| format!("{b:02x}")).collect();
        if ours.fingerprint_rabin.as_deref() != Some(theirs_hex.as_str()) {
            failures.push(format!(
                "{text}: fingerprint {:?} vs {theirs_hex}",
                ours.fingerprint_rabin
            ));
        }
    }
    assert!(compared >= 100, "only {compared} schemas compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_schemas_report_every_problem_with_its_path() {
    let mut failures = Vec::new();
    for row in load::<SchemaRow>(INVALID) {
        let report = validate(&row.text());
        let got: Vec<(String, String)> = report
            .problems
            .iter()
            .map(|p| (p.kind.as_str().to_string(), p.path.clone()))
            .collect();
        if sorted(&got) != sorted(&row.problems) || report.valid != row.valid {
            failures.push(format!(
                "{}: valid {} (want {}), got {:#?}",
                row.name, report.valid, row.valid, report.problems
            ));
        }
        for p in &report.problems {
            assert_eq!(p.level, p.kind.level(), "{}", row.name);
            assert_eq!(serialized(p.kind), p.kind.as_str());
            assert!(p.path.starts_with('/'), "{}: {}", row.name, p.path);
            assert!(!p.message.is_empty() && !p.fix.is_empty(), "{}", row.name);
        }
        assert_eq!(
            report.canonical_form.is_some(),
            row.valid,
            "{}: canonical form only for valid schemas",
            row.name
        );
        assert_eq!(
            report.fingerprint_rabin.is_some(),
            row.valid,
            "{}",
            row.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn compat_pairs_report_every_incompatibility() {
    let mut failures = Vec::new();
    for row in load::<PairRow>(PAIRS) {
        let found = match reader_writer(&row.reader, &row.writer) {
            Ok(found) => found,
            Err(e) => {
                failures.push(format!("{}: {e}", row.name));
                continue;
            }
        };
        let kinds: Vec<String> = found.iter().map(|m| m.kind.as_str().to_string()).collect();
        let paths: Vec<String> = found.iter().map(|m| m.path.clone()).collect();
        let paths_ok = row
            .paths
            .as_ref()
            .is_none_or(|want| sorted(want) == sorted(&paths));
        if found.is_empty() != row.compatible || sorted(&kinds) != sorted(&row.kinds) || !paths_ok {
            failures.push(format!("{}: got {found:#?}", row.name));
        }
        for m in &found {
            assert_eq!(serialized(m.kind), m.kind.as_str());
            assert!(m.path.starts_with('/'), "{}: {}", row.name, m.path);
            assert!(!m.message.is_empty() && !m.fix.is_empty(), "{}", row.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn compat_corpus_covers_every_kind() {
    let seen: BTreeSet<String> = load::<PairRow>(PAIRS)
        .into_iter()
        .flat_map(|r| r.kinds)
        .collect();
    for kind in [
        IncompatibilityKind::TypeMismatch,
        IncompatibilityKind::MissingDefault,
        IncompatibilityKind::MissingEnumSymbol,
        IncompatibilityKind::NameMismatch,
        IncompatibilityKind::FixedSizeMismatch,
        IncompatibilityKind::UnionBranchMissing,
        IncompatibilityKind::ReaderUnionNoMatch,
    ] {
        assert!(seen.contains(kind.as_str()), "{}", kind.as_str());
    }
}

fn versions(previous: &[Value]) -> Vec<(String, String)> {
    previous
        .iter()
        .map(|v| (String::new(), v.to_string()))
        .collect()
}

#[test]
fn modes_corpus() {
    let mut failures = Vec::new();
    for row in load::<ModesRow>(MODES) {
        let new = row.new.to_string();
        let previous = versions(&row.previous);
        let verdicts = modes(&new, &previous).expect("corpus schemas are valid");
        let got: Vec<Mode> = verdicts
            .iter()
            .filter(|v| v.compatible)
            .map(|v| v.mode)
            .collect();
        if got != row.compatible {
            failures.push(format!(
                "{}: got {got:?}, want {:?}",
                row.name, row.compatible
            ));
        }
        for v in &verdicts {
            let report = check(&new, &previous, v.mode).expect("check runs");
            assert_eq!(report.compatible, v.compatible, "{} {}", row.name, v.mode);
            assert_eq!(
                report.incompatibilities.len(),
                v.incompatibilities,
                "{} {}",
                row.name,
                v.mode
            );
            let want_compared = match v.mode {
                Mode::None => 0,
                m if m.transitive() => previous.len(),
                _ => 1,
            };
            assert_eq!(
                report.compared_with.len(),
                want_compared,
                "{} {}",
                row.name,
                v.mode
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn modes_corpus_has_transitive_twins_that_differ() {
    for (plain, transitive) in [
        (Mode::Backward, Mode::BackwardTransitive),
        (Mode::Forward, Mode::ForwardTransitive),
        (Mode::Full, Mode::FullTransitive),
    ] {
        let differs = load::<ModesRow>(MODES).iter().any(|r| {
            r.previous.len() >= 2
                && r.compatible.contains(&plain)
                && !r.compatible.contains(&transitive)
        });
        assert!(
            differs,
            "no case where {plain} passes and {transitive} fails"
        );
    }
}

const V1: &str = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string","default":""}]}"#;
const NEW: &str = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"int"},{"name":"email","type":"string"}]}"#;

fn history() -> Vec<(String, String)> {
    vec![("1".into(), V1.into()), ("v2-prod".into(), V2.into())]
}

#[test]
fn check_names_versions_and_directions() {
    let report = check(NEW, &history(), Mode::FullTransitive).expect("runs");
    assert!(!report.compatible);
    assert_eq!(report.compared_with, ["version 1", "v2-prod"]);
    let rows: Vec<(&str, &str, &str, &str, &str)> = report
        .incompatibilities
        .iter()
        .map(|i| {
            (
                i.compared_with.as_str(),
                i.reader.as_str(),
                i.writer.as_str(),
                i.kind.as_str(),
                i.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "version 1",
                "new",
                "version 1",
                "type_mismatch",
                "/fields/id/type"
            ),
            (
                "version 1",
                "new",
                "version 1",
                "missing_default",
                "/fields/email"
            ),
            (
                "v2-prod",
                "new",
                "v2-prod",
                "type_mismatch",
                "/fields/id/type"
            ),
        ]
    );
    assert!(report.incompatibilities[0]
        .message
        .contains("the new schema"));
    assert!(report.incompatibilities[0].message.contains("version 1"));

    let forward = check(V2, &[("3".into(), NEW.into())], Mode::Forward).expect("runs");
    let i = &forward.incompatibilities[0];
    assert_eq!((i.reader.as_str(), i.writer.as_str()), ("version 3", "new"));
    assert_eq!(i.kind, IncompatibilityKind::TypeMismatch);
}

/// Fixes always change the new schema: the reader in BACKWARD, the writer in FORWARD.
#[test]
fn fixes_address_the_new_schema_in_both_directions() {
    let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"s","type":{"type":"enum","name":"S","symbols":["A"]}},{"name":"h","type":{"type":"fixed","name":"H","size":4}}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"s","type":{"type":"enum","name":"S","symbols":["A","B"]}},{"name":"h","type":{"type":"fixed","name":"H","size":8}}]}"#;
    let report = check(new, &[("1".into(), old.into())], Mode::Full).expect("runs");
    let forward: Vec<&Incompatibility> = report
        .incompatibilities
        .iter()
        .filter(|i| i.writer == "new")
        .collect();
    let kinds: Vec<&str> = forward.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "type_mismatch",
            "missing_default",
            "missing_enum_symbol",
            "fixed_size_mismatch"
        ]
    );
    for i in &report.incompatibilities {
        assert!(
            i.fix.contains("in the new schema"),
            "{} fix should change the new schema: {}",
            i.kind.as_str(),
            i.fix
        );
    }
    assert!(
        forward[1].fix.starts_with("Keep field `b`"),
        "{}",
        forward[1].fix
    );
    assert!(
        forward[2].fix.starts_with("Remove `B`"),
        "{}",
        forward[2].fix
    );
}

#[test]
fn problems_come_in_document_order() {
    let report = validate(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"},{"name":"a","type":"Nope"},{"name":"c","type":"long","default":1.5}]}"#,
    );
    let paths: Vec<&str> = report.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/fields/0/default",
            "/fields/1/name",
            "/fields/1/type",
            "/fields/2/default"
        ]
    );
}

#[test]
fn non_transitive_modes_compare_with_the_latest_only() {
    let report = check(NEW, &history(), Mode::Backward).expect("runs");
    assert_eq!(report.compared_with, ["v2-prod"]);
    assert_eq!(report.incompatibilities.len(), 1);
}

#[test]
fn none_is_always_compatible_and_needs_no_history() {
    for previous in [vec![], history()] {
        let report = check(NEW, &previous, Mode::None).expect("runs");
        assert!(report.compatible);
        assert!(report.compared_with.is_empty() && report.incompatibilities.is_empty());
    }
}

#[test]
fn empty_history_is_compatible_under_every_mode() {
    for mode in Mode::ALL {
        let report = check(NEW, &[], mode).expect("a first version needs no history");
        assert!(report.compatible, "{mode}");
        assert!(report.compared_with.is_empty() && report.incompatibilities.is_empty());
    }
    let verdicts = modes(NEW, &[]).expect("runs");
    assert_eq!(verdicts.len(), 7);
    assert!(verdicts
        .iter()
        .all(|v| v.compatible && v.incompatibilities == 0));
    // The new schema is still held to the rules.
    assert!(check("{\"type\":\"lng\"}", &[], Mode::Backward).is_err());
}

#[test]
fn earlier_versions_may_default_a_union_to_a_non_first_branch_the_new_one_may_not() {
    // Avro 1.12 reads a union default matching any branch; older Avro and our strict
    // validation require the first branch.
    let lenient = r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},
        {"name":"n","type":["null","string"],"default":"x"}]}"#;
    let strict_new = r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},
        {"name":"n","type":["string","null"],"default":"x"}]}"#;
    let previous = vec![("1".to_string(), lenient.to_string())];
    let r = check(strict_new, &previous, Mode::FullTransitive).expect("old version read leniently");
    assert!(r.compatible, "{:?}", r.incompatibilities);
    assert!(modes(strict_new, &previous).is_ok());
    // As the new schema, the same text is refused.
    match check(
        lenient,
        &[("1".to_string(), strict_new.to_string())],
        Mode::Backward,
    ) {
        Err(AvroError::InvalidSchema { input, first, .. }) => {
            assert_eq!(input, "new");
            assert!(first.contains("first branch"), "{first}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_inputs_are_errors_naming_the_input() {
    let bad = r#"{"type":"record","name":"User","fields":[{"name":"id","type":"lng"}]}"#;
    match check(bad, &history(), Mode::Backward) {
        Err(AvroError::InvalidSchema { input, first, .. }) => {
            assert_eq!(input, "new");
            assert!(first.contains("/fields/0/type"), "{first}");
        }
        other => panic!("{other:?}"),
    }
    let previous = vec![("7".to_string(), "{\"type\":".to_string())];
    match check(V1, &previous, Mode::Backward) {
        Err(e @ AvroError::InvalidSchema { .. }) => {
            assert!(e.to_string().contains("previous (version 7)"), "{e}");
            assert!(e.to_string().contains("not JSON"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let err = reader_writer(&serde_json::json!(5), &serde_json::json!("int")).expect_err("invalid");
    assert!(err.to_string().starts_with("the reader schema"), "{err}");
}

#[test]
fn mode_parsing_and_serialization() {
    for (text, want) in [
        ("BACKWARD", Mode::Backward),
        ("backward_transitive", Mode::BackwardTransitive),
        ("Full-Transitive", Mode::FullTransitive),
        (" forward ", Mode::Forward),
        ("none", Mode::None),
    ] {
        assert_eq!(text.parse::<Mode>().expect(text), want);
    }
    let err = "sideways".parse::<Mode>().expect_err("unknown");
    assert!(err.to_string().contains("FULL_TRANSITIVE"), "{err}");
    for m in Mode::ALL {
        assert_eq!(serialized(m), m.as_str());
        assert_eq!(m.to_string(), m.as_str());
        let back: Mode =
            serde_json::from_value(Value::String(m.as_str().into())).expect("round trip");
        assert_eq!(back, m);
    }
    let lower: Mode = serde_json::from_str("\"full\"").expect("lowercase alias");
    assert_eq!(lower, Mode::Full);
}

#[test]
fn hints_name_the_likely_fix() {
    let report =
        validate(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"String"}]}"#);
    assert!(
        report.problems[0].fix.contains("`string`"),
        "{:?}",
        report.problems
    );

    let report = validate(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Adress"},{"name":"b","type":{"type":"record","name":"Address","fields":[]}}]}"#,
    );
    assert_eq!(report.problems.len(), 1);
    assert!(
        report.problems[0].fix.contains("`Address`"),
        "{:?}",
        report.problems
    );

    let report = validate(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Address"},{"name":"b","type":{"type":"record","name":"Address","fields":[]}}]}"#,
    );
    assert!(
        report.problems[0]
            .message
            .contains("defined later, at /fields/1/type"),
        "{:?}",
        report.problems
    );

    let report = validate(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["string","null"],"default":null}]}"#,
    );
    assert!(
        report.problems[0].fix.contains("Move `null` to the front"),
        "{:?}",
        report.problems
    );

    let found = reader_writer(
        &serde_json::json!({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"]}]}),
        &serde_json::json!({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}),
    )
    .expect("valid");
    assert!(found[0].fix.contains("\"default\": null"), "{found:?}");
}

#[test]
fn truncated_schemas_never_panic() {
    let text = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[{"name":"id","type":"long"},{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}}},{"name":"next","type":["null","Order"],"default":null},{"name":"status","type":{"type":"enum","name":"S","symbols":["A","B"],"default":"A"}}]}"#;
    for end in 0..=text.len() {
        let report = validate(&text[..end]);
        assert_eq!(report.valid, end == text.len(), "prefix of {end} bytes");
    }
}

#[test]
fn output_types_serialize_for_the_agent() {
    let report = validate(r#"{"type":"int","logicalType":"timestamp-millis"}"#);
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(json["valid"], true);
    assert_eq!(json["problems"][0]["level"], "warning");
    assert_eq!(json["problems"][0]["kind"], "invalid_logical_type");
    assert_eq!(json["canonical_form"], "\"int\"");

    let schema = serde_json::to_value(schemars::schema_for!(CheckReport)).expect("schema");
    let text = schema.to_string();
    assert!(text.contains("BACKWARD_TRANSITIVE") && text.contains("missing_default"));
    assert!(
        text.contains("by field name"),
        "field docs become descriptions"
    );
    let schema = serde_json::to_value(schemars::schema_for!(ValidationReport)).expect("schema");
    assert!(schema.to_string().contains("most significant first"));
}

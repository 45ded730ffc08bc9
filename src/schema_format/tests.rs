//! The mode driver and the common interface, over all three formats.

use super::*;

#[test]
fn formats_parse_and_come_from_file_names() {
    assert_eq!("protobuf".parse::<Format>(), Ok(Format::Protobuf));
    assert_eq!("Proto".parse::<Format>(), Ok(Format::Protobuf));
    assert_eq!("json".parse::<Format>(), Ok(Format::Json));
    assert_eq!("AVRO".parse::<Format>(), Ok(Format::Avro));
    assert!("xml".parse::<Format>().unwrap_err().contains("PROTOBUF"));
    assert_eq!(Format::from_file_name("a/b.PROTO"), Some(Format::Protobuf));
    assert_eq!(Format::from_file_name("a.avsc"), Some(Format::Avro));
    assert_eq!(Format::from_file_name("a.json"), Some(Format::Json));
    assert_eq!(Format::from_file_name("a.txt"), None);
    assert_eq!(Format::default(), Format::Avro);
    let f: Format = serde_json::from_value(serde_json::json!("PROTOBUF")).unwrap();
    assert_eq!(f, Format::Protobuf);
}

#[test]
fn every_format_validates_through_one_entry_point() {
    let refs = Refs::new();
    let avro = validate(
        Format::Avro,
        r#"{"type":"record","name":"R","fields":[]}"#,
        &refs,
    );
    assert!(avro.valid && avro.canonical_form.is_some() && avro.fingerprint_rabin.is_some());
    let bad = validate(
        Format::Avro,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"lng"}]}"#,
        &refs,
    );
    assert_eq!(bad.problems[0].kind, "unknown_type");
    let proto = validate(
        Format::Protobuf,
        "syntax = \"proto3\"; package p; message A { string a = 1; }",
        &refs,
    );
    assert!(proto.valid, "{:?}", proto.problems);
    let json = validate(Format::Json, r#"{"type":"object"}"#, &refs);
    assert!(json.valid);
    for v in [&avro, &proto, &json] {
        assert_eq!(
            v.fingerprint_rabin.as_deref(),
            v.canonical_form.as_deref().map(fingerprint).as_deref()
        );
    }
}

#[test]
fn empty_history_and_none_are_compatible_for_every_format() {
    let refs = Refs::new();
    for format in [Format::Avro, Format::Protobuf, Format::Json] {
        let (new, previous) = synthetic_history(format, 3, 5, true);
        for mode in Mode::ALL {
            let r = check(format, &new, &[], &refs, mode).unwrap();
            assert!(
                r.compatible && r.compared_with.is_empty(),
                "{format} {mode}"
            );
        }
        let r = check(format, &new, &previous, &refs, Mode::None).unwrap();
        assert!(r.compatible, "{format}");
        let all = modes(format, &new, &[], &refs).unwrap();
        assert!(all.iter().all(|m| m.compatible), "{format}");
    }
}

#[test]
fn the_synthetic_histories_are_valid_and_break_only_when_asked() {
    let refs = Refs::new();
    for format in [Format::Avro, Format::Protobuf, Format::Json] {
        let (new, previous) = synthetic_history(format, 4, 10, false);
        for (_, t) in previous.iter().chain([(String::new(), new.clone())].iter()) {
            let v = validate(format, t, &refs);
            assert!(v.valid, "{format}: {:?}", v.problems);
        }
        let ok = check(format, &new, &previous, &refs, Mode::BackwardTransitive).unwrap();
        assert!(ok.compatible, "{format}: {:?}", ok.incompatibilities);
        assert_eq!(ok.compared_with.len(), 4);
        let (bad, previous) = synthetic_history(format, 4, 10, true);
        let r = check(format, &bad, &previous, &refs, Mode::FullTransitive).unwrap();
        assert!(!r.compatible, "{format}");
        // 9 changed fields, both directions, 4 versions.
        assert_eq!(r.incompatibilities.len(), 9 * 2 * 4, "{format}");
        assert!(r
            .incompatibilities
            .iter()
            .all(|i| !i.fix.is_empty() && !i.path.is_empty()));
    }
}

#[test]
fn transitive_labels_and_directions() {
    let refs = Refs::new();
    let (bad, previous) = synthetic_history(Format::Protobuf, 2, 2, true);
    let r = check(
        Format::Protobuf,
        &bad,
        &previous,
        &refs,
        Mode::FullTransitive,
    )
    .unwrap();
    assert_eq!(r.compared_with, vec!["version 1", "version 2"]);
    let dirs: Vec<(&str, &str)> = r
        .incompatibilities
        .iter()
        .map(|i| (i.reader.as_str(), i.writer.as_str()))
        .collect();
    assert_eq!(
        dirs,
        vec![
            ("new", "version 1"),
            ("version 1", "new"),
            ("new", "version 2"),
            ("version 2", "new")
        ]
    );
    let r = check(Format::Protobuf, &bad, &previous, &refs, Mode::Forward).unwrap();
    assert_eq!(r.compared_with, vec!["version 2"]);
    assert!(r.incompatibilities.iter().all(|i| i.writer == "new"));
}

#[test]
fn modes_agree_with_check_mode_by_mode() {
    let refs = Refs::new();
    for format in [Format::Avro, Format::Protobuf, Format::Json] {
        for breaking in [false, true] {
            let (new, previous) = synthetic_history(format, 3, 4, breaking);
            for v in modes(format, &new, &previous, &refs).unwrap() {
                let r = check(format, &new, &previous, &refs, v.mode).unwrap();
                assert_eq!(r.compatible, v.compatible, "{format} {}", v.mode);
                assert_eq!(
                    r.incompatibilities.len(),
                    v.incompatibilities,
                    "{format} {}",
                    v.mode
                );
            }
        }
    }
}

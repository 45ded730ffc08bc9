//! What the schema tools need around the checkers, pure: the text of a schema sent inline, the
//! files a schema imports, the pairwise mode a registry level means, and the budget of a check
//! report.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{CheckReport, Format};
use crate::avro::Mode;

/// Most incompatibilities listed in one answer (the count of the rest is given).
pub const MAX_LISTED: usize = 10;
/// Most notes listed in one check report.
pub const MAX_NOTES: usize = 3;

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

/// The mode the registry's level means when each version is asked about on its own.
pub fn pairwise(level: Mode) -> Mode {
    match level {
        Mode::Backward | Mode::BackwardTransitive => Mode::BackwardTransitive,
        Mode::Forward | Mode::ForwardTransitive => Mode::ForwardTransitive,
        Mode::Full | Mode::FullTransitive => Mode::FullTransitive,
        Mode::None => Mode::None,
    }
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
    fn registry_levels_become_pairwise_modes() {
        assert_eq!(pairwise(Mode::Backward), Mode::BackwardTransitive);
        assert_eq!(pairwise(Mode::ForwardTransitive), Mode::ForwardTransitive);
        assert_eq!(pairwise(Mode::Full), Mode::FullTransitive);
        assert_eq!(pairwise(Mode::None), Mode::None);
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
}

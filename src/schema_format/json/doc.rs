//! A parsed JSON Schema document with the documents it references, its draft, and `$ref`
//! resolution (local JSON Pointers, `$defs`/`definitions`, `$id`s, references by name).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::schema_format::model::{Refs, SchemaProblem};

/// A JSON Schema draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Draft {
    /// draft-04.
    Draft4,
    /// draft-06.
    Draft6,
    /// draft-07 (the Confluent registry's default).
    Draft7,
    /// 2019-09.
    Draft201909,
    /// 2020-12.
    Draft202012,
}

impl Draft {
    /// The draft `$schema` names; None for an unknown URI.
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let u = uri.trim_end_matches('#').trim_end_matches('/');
        let u = u
            .strip_prefix("http://")
            .or_else(|| u.strip_prefix("https://"))
            .unwrap_or(u);
        match u {
            "json-schema.org/draft-04/schema" => Some(Draft::Draft4),
            "json-schema.org/draft-06/schema" => Some(Draft::Draft6),
            "json-schema.org/draft-07/schema" => Some(Draft::Draft7),
            "json-schema.org/draft/2019-09/schema" => Some(Draft::Draft201909),
            "json-schema.org/draft/2020-12/schema" => Some(Draft::Draft202012),
            _ => None,
        }
    }

    /// E.g. `draft-07`.
    pub fn name(self) -> &'static str {
        match self {
            Draft::Draft4 => "draft-04",
            Draft::Draft6 => "draft-06",
            Draft::Draft7 => "draft-07",
            Draft::Draft201909 => "2019-09",
            Draft::Draft202012 => "2020-12",
        }
    }
}

/// A schema document ready to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    /// The schema.
    pub root: Value,
    /// Referenced documents by name (as sent, e.g. `address.json`).
    pub refs: BTreeMap<String, Value>,
    /// The draft read.
    pub draft: Draft,
}

/// `$schema`'s draft, draft-07 when absent or unknown.
pub fn draft_of(v: &Value) -> (Draft, Option<String>) {
    match v.get("$schema").and_then(Value::as_str) {
        None => (Draft::Draft7, None),
        Some(s) => match Draft::from_uri(s) {
            Some(d) => (d, None),
            None => (Draft::Draft7, Some(s.to_string())),
        },
    }
}

impl JsonDoc {
    /// Parse `text` and its references; the first problem when one does not parse.
    pub fn parse(text: &str, refs: &Refs) -> Result<JsonDoc, Box<SchemaProblem>> {
        let root = parse_root(text)?;
        let refs = parse_refs(refs)?;
        Ok(JsonDoc::new(root, refs))
    }

    /// A document from its parsed root and references.
    pub(crate) fn new(root: Value, refs: BTreeMap<String, Value>) -> JsonDoc {
        let draft = draft_of(&root).0;
        JsonDoc { root, refs, draft }
    }

    /// The schema a `$ref` names, from a document (`None`: the root): its document key and
    /// pointer, and the schema. None when it does not resolve.
    pub fn resolve<'a>(
        &'a self,
        doc: Option<&str>,
        reference: &str,
    ) -> Option<(Option<String>, String, &'a Value)> {
        let (target, fragment) = match reference.split_once('#') {
            Some((t, f)) => (t, f),
            None => (reference, ""),
        };
        let doc_key: Option<String> = if target.is_empty() {
            doc.map(str::to_string)
        } else {
            Some(self.find_doc(target)?)
        };
        let base = match &doc_key {
            None => &self.root,
            Some(k) if k.is_empty() => &self.root,
            Some(k) => self.refs.get(k)?,
        };
        let (ptr, v) = if fragment.is_empty() || fragment == "/" {
            (String::new(), base)
        } else if fragment.starts_with('/') {
            (fragment.to_string(), pointer(base, fragment)?)
        } else {
            // A plain-name fragment: an `$anchor` (or draft-04/06/07 `$id: "#name"`).
            let p = find_anchor(base, fragment, "")?;
            let v = pointer(base, &p)?;
            (p, v)
        };
        Some((doc_key.filter(|k| !k.is_empty()), ptr, v))
    }

    /// A referenced document by the name used in a `$ref`: the exact name, its `$id`, or the
    /// last path segment of a URL (`https://acme.com/schemas/address.json` → `address.json`).
    fn find_doc(&self, target: &str) -> Option<String> {
        if self.refs.contains_key(target) {
            return Some(target.to_string());
        }
        for (k, v) in &self.refs {
            if v.get("$id")
                .and_then(Value::as_str)
                .map(|s| s.trim_end_matches('#'))
                == Some(target)
            {
                return Some(k.clone());
            }
        }
        if self
            .root
            .get("$id")
            .and_then(Value::as_str)
            .map(|s| s.trim_end_matches('#'))
            == Some(target)
        {
            return Some(String::new());
        }
        let last = target.rsplit('/').next().unwrap_or(target);
        if self.refs.contains_key(last) {
            return Some(last.to_string());
        }
        None
    }
}

/// The schema text parsed; the problem when it is not JSON.
pub(crate) fn parse_root(text: &str) -> Result<Value, Box<SchemaProblem>> {
    serde_json::from_str(text).map_err(|e| Box::new(malformed("/", &e)))
}

/// The references parsed, by name; the first that is not JSON is the problem.
pub(crate) fn parse_refs(refs: &Refs) -> Result<BTreeMap<String, Value>, Box<SchemaProblem>> {
    let mut parsed = BTreeMap::new();
    for (name, t) in refs {
        let v: Value = serde_json::from_str(t).map_err(|e| {
            let mut p = malformed("/", &e);
            p.message = format!("reference {name:?}: {}", p.message);
            p.file = Some(name.clone());
            Box::new(p)
        })?;
        parsed.insert(name.clone(), v);
    }
    Ok(parsed)
}

/// JSON Pointer lookup with `~0`/`~1` and percent-encoded segments.
pub fn pointer<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    if ptr.is_empty() || ptr == "/" {
        return Some(v);
    }
    let decoded = percent_decode(ptr);
    v.pointer(&decoded)
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_anchor(v: &Value, name: &str, at: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            let anchored = m.get("$anchor").and_then(Value::as_str) == Some(name)
                || m.get("$id").and_then(Value::as_str) == Some(&format!("#{name}"))
                || m.get("id").and_then(Value::as_str) == Some(&format!("#{name}"));
            if anchored {
                return Some(at.to_string());
            }
            for (k, c) in m {
                if let Some(p) = find_anchor(c, name, &format!("{at}/{}", esc(k))) {
                    return Some(p);
                }
            }
            None
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, c)| find_anchor(c, name, &format!("{at}/{i}"))),
        _ => None,
    }
}

/// A JSON Pointer segment.
pub fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A malformed-JSON problem with serde's line and column.
pub fn malformed(path: &str, e: &serde_json::Error) -> SchemaProblem {
    let mut p = SchemaProblem::error(
        path,
        "malformed_json",
        format!("the schema is not JSON: {e}"),
        "Send the schema as JSON text: an object such as {\"type\": \"object\", \"properties\": {...}}.".into(),
    );
    p.line = Some(e.line());
    p.column = Some(e.column());
    p
}

/// Object keys sorted, no whitespace: the canonical form.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_sorted(v, &mut out);
    out
}

fn write_sorted(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_sorted(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

//! Schema validation: one walk over the JSON that collects every problem with its JSON Pointer
//! (apache-avro stops at the first), then builds the resolved [`Schema`] when nothing is an error.
//! Names are read in document order, as Java (and so the Schema Registry) does: a name must be
//! defined before it is used, except inside its own definition.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::canonical;
use super::model::{
    prim_name, qualify, short_name, valid_name, Body, Field, Named, Schema, Ty, PRIMITIVES,
};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The schema is invalid: Avro parsers and the Schema Registry reject it.
    Error,
    /// The schema parses, but part of it is ignored or likely a mistake (e.g. an invalid logical
    /// type, which readers ignore and read as its underlying type).
    Warning,
}

/// What kind of problem `validate` found. Each kind has a fixed [`Level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The text is not JSON.
    MalformedJson,
    /// A JSON number, boolean or null where a schema is expected.
    NotASchema,
    /// An object without `"type"`.
    MissingType,
    /// `"type"` is neither a string, an object nor an array.
    InvalidType,
    /// A type name that is neither primitive nor a named type defined before this point.
    UnknownType,
    /// A record, enum or fixed (or a field) without `"name"`.
    MissingName,
    /// A name that breaks `[A-Za-z_][A-Za-z0-9_]*` (dotted fullnames: every part).
    InvalidName,
    /// A `"namespace"` that is not a string of dot-separated valid names.
    InvalidNamespace,
    /// A named type called like a primitive type (`int`, `string`, ...).
    ReservedName,
    /// A second definition of the same fullname.
    RedefinedName,
    /// A record without `"fields"`.
    MissingFields,
    /// `"fields"` is not an array of objects.
    InvalidFields,
    /// Two fields of one record with the same name.
    DuplicateFieldName,
    /// A default value that does not match its type (a union's default must match its first branch).
    InvalidDefault,
    /// A field `"order"` other than ascending, descending or ignore.
    InvalidOrder,
    /// `"aliases"` that is not an array of valid names.
    InvalidAlias,
    /// An enum without a `"symbols"` array.
    MissingSymbols,
    /// An enum symbol that is not a string matching the name grammar.
    InvalidSymbol,
    /// The same enum symbol twice.
    DuplicateSymbol,
    /// An enum `"default"` that is not one of its symbols.
    InvalidEnumDefault,
    /// A fixed whose `"size"` is missing, negative or not an integer.
    InvalidFixedSize,
    /// An array without `"items"`.
    MissingItems,
    /// A map without `"values"`.
    MissingValues,
    /// A union directly inside a union.
    NestedUnion,
    /// A union with two branches of the same unnamed type, or the same named type twice.
    DuplicateUnionBranch,
    /// A union with no branches: valid, but no value can be written to it.
    EmptyUnion,
    /// A known logical type on the wrong underlying type or with bad attributes; readers ignore it.
    InvalidLogicalType,
    /// A `logicalType` this validator does not know; readers ignore it.
    UnknownLogicalType,
    /// A `logicalType` on a field instead of inside its type; it is ignored there.
    MisplacedLogicalType,
}

impl ProblemKind {
    /// Errors make the schema invalid; warnings do not.
    pub fn level(self) -> Level {
        match self {
            ProblemKind::EmptyUnion
            | ProblemKind::InvalidLogicalType
            | ProblemKind::UnknownLogicalType
            | ProblemKind::MisplacedLogicalType => Level::Warning,
            _ => Level::Error,
        }
    }

    /// The snake_case id, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::MalformedJson => "malformed_json",
            ProblemKind::NotASchema => "not_a_schema",
            ProblemKind::MissingType => "missing_type",
            ProblemKind::InvalidType => "invalid_type",
            ProblemKind::UnknownType => "unknown_type",
            ProblemKind::MissingName => "missing_name",
            ProblemKind::InvalidName => "invalid_name",
            ProblemKind::InvalidNamespace => "invalid_namespace",
            ProblemKind::ReservedName => "reserved_name",
            ProblemKind::RedefinedName => "redefined_name",
            ProblemKind::MissingFields => "missing_fields",
            ProblemKind::InvalidFields => "invalid_fields",
            ProblemKind::DuplicateFieldName => "duplicate_field_name",
            ProblemKind::InvalidDefault => "invalid_default",
            ProblemKind::InvalidOrder => "invalid_order",
            ProblemKind::InvalidAlias => "invalid_alias",
            ProblemKind::MissingSymbols => "missing_symbols",
            ProblemKind::InvalidSymbol => "invalid_symbol",
            ProblemKind::DuplicateSymbol => "duplicate_symbol",
            ProblemKind::InvalidEnumDefault => "invalid_enum_default",
            ProblemKind::InvalidFixedSize => "invalid_fixed_size",
            ProblemKind::MissingItems => "missing_items",
            ProblemKind::MissingValues => "missing_values",
            ProblemKind::NestedUnion => "nested_union",
            ProblemKind::DuplicateUnionBranch => "duplicate_union_branch",
            ProblemKind::EmptyUnion => "empty_union",
            ProblemKind::InvalidLogicalType => "invalid_logical_type",
            ProblemKind::UnknownLogicalType => "unknown_logical_type",
            ProblemKind::MisplacedLogicalType => "misplaced_logical_type",
        }
    }
}

/// One problem found in a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    /// JSON Pointer into the schema document, array positions by index
    /// (e.g. `/fields/2/type/fields/0/default`); `/` is the whole document.
    pub path: String,
    /// What is wrong, as a stable snake_case id (e.g. `invalid_default`, `unknown_type`).
    pub kind: ProblemKind,
    /// `error` makes the schema invalid; `warning` is accepted but probably not what was meant.
    pub level: Level,
    /// What is wrong here, naming the field or type.
    pub message: String,
    /// One line on how to fix it.
    pub fix: String,
}

/// Result of validating one schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ValidationReport {
    /// True when no problem has level `error` (warnings allowed).
    pub valid: bool,
    /// Every problem found, errors and warnings, in document order.
    pub problems: Vec<Problem>,
    /// Parsing Canonical Form (Avro spec): the schema reduced to what affects the binary
    /// encoding. Absent when the schema is invalid.
    pub canonical_form: Option<String>,
    /// CRC-64-AVRO (Rabin) fingerprint of `canonical_form`: 16 lowercase hex digits of the
    /// 64-bit value, most significant first (as Java's `Long.toHexString`). Avro single-object
    /// encoding writes these 8 bytes in reverse (little-endian). Absent when invalid.
    pub fingerprint_rabin: Option<String>,
}

/// Validate an Avro schema given as JSON text; reports every problem, never stops at the first.
pub fn validate(schema_json: &str) -> ValidationReport {
    match serde_json::from_str::<Value>(schema_json) {
        Ok(value) => validate_value(&value),
        Err(e) => ValidationReport {
            valid: false,
            problems: vec![Problem {
                path: "/".into(),
                kind: ProblemKind::MalformedJson,
                level: Level::Error,
                message: format!("the schema is not JSON: {e}"),
                fix: "Send the schema as JSON text: a type name in quotes (\"string\"), an object \
                      ({\"type\": \"record\", ...}) or an array (a union)."
                    .into(),
            }],
            canonical_form: None,
            fingerprint_rabin: None,
        },
    }
}

/// Validate an Avro schema already parsed as JSON.
pub fn validate_value(schema: &Value) -> ValidationReport {
    let (problems, parsed) = analyze(schema);
    let canonical_form = parsed.as_ref().map(canonical::canonical_form);
    let fingerprint_rabin = canonical_form
        .as_ref()
        .map(|c| format!("{:016x}", canonical::rabin(c.as_bytes())));
    ValidationReport {
        valid: parsed.is_some(),
        problems,
        canonical_form,
        fingerprint_rabin,
    }
}

/// Every problem in `schema`, plus its resolved form when none of them is an error.
pub(crate) fn analyze(schema: &Value) -> (Vec<Problem>, Option<Schema>) {
    analyze_with(schema, false)
}

/// As [`analyze`]; `lenient` accepts a union default that matches any branch, not only the
/// first (Avro 1.12 readers do; older ones and the strict rule refuse it). Used for earlier
/// versions, which a registry may hold from before the stricter check.
pub(crate) fn analyze_with(schema: &Value, lenient: bool) -> (Vec<Problem>, Option<Schema>) {
    let mut w = Walker {
        lenient_union_defaults: lenient,
        ..Walker::default()
    };
    let root = w.walk(schema, "", "/");
    w.explain_unresolved();
    w.check_defaults();
    let ok = !w.problems.iter().any(|p| p.level == Level::Error);
    let parsed = match (ok, root) {
        (true, Some(root)) => Some(Schema {
            root,
            named: w.named,
        }),
        _ => None,
    };
    (w.problems, parsed)
}

/// A field default to check once every named type is complete.
struct PendingDefault<'v> {
    /// How many problems came before it in document order.
    at: usize,
    ty: Ty,
    value: &'v Value,
    path: String,
    field: String,
}

/// A reference that did not resolve where it was used: the names tried and its problem.
struct Unresolved {
    name: String,
    tried: Vec<String>,
    problem: usize,
}

#[derive(Default)]
struct Walker<'v> {
    problems: Vec<Problem>,
    named: Vec<Named>,
    /// Fullname → index into `named`.
    index: HashMap<String, usize>,
    /// Per named type: where it is defined, and whether its definition had errors.
    def_path: Vec<String>,
    broken: Vec<bool>,
    unresolved: Vec<Unresolved>,
    defaults: Vec<PendingDefault<'v>>,
    /// Accept a union default matching any branch (earlier versions only).
    lenient_union_defaults: bool,
}

/// JSON Pointer child; the root is `/`.
fn ptr(base: &str, seg: impl std::fmt::Display) -> String {
    let seg = seg.to_string().replace('~', "~0").replace('/', "~1");
    if base == "/" {
        format!("/{seg}")
    } else {
        format!("{base}/{seg}")
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The underlying type a `logicalType` annotates.
enum Base<'a> {
    Prim(&'a str),
    Fixed(Option<u64>),
    Other(&'a str),
}

/// Named-type header: fullname (None when it cannot be registered), namespace for children, aliases.
struct Header {
    fullname: Option<String>,
    namespace: String,
    aliases: Vec<String>,
}

impl<'v> Walker<'v> {
    fn push(&mut self, kind: ProblemKind, path: &str, message: String, fix: impl Into<String>) {
        self.problems.push(problem(kind, path, message, fix));
    }

    fn walk(&mut self, v: &'v Value, ns: &str, path: &str) -> Option<Ty> {
        match v {
            Value::String(s) => self.reference(s, ns, path),
            Value::Array(branches) => self.union(branches, ns, path),
            Value::Object(map) => self.object(map, ns, path),
            other => {
                self.push(
                    ProblemKind::NotASchema,
                    path,
                    format!(
                        "{} is not a schema; a schema is a type name in quotes, an object with \
                         \"type\", or an array (a union)",
                        json_kind(other)
                    ),
                    "Replace it with a type such as \"string\" or {\"type\": \"record\", \"name\": \
                     ..., \"fields\": [...]}.",
                );
                None
            }
        }
    }

    /// A type given by name: primitive or a named type defined earlier.
    fn reference(&mut self, name: &str, ns: &str, path: &str) -> Option<Ty> {
        if let Some(ty) = super::model::primitive(name) {
            return Some(ty);
        }
        if let Some(example) = complex_example(name) {
            self.push(
                ProblemKind::UnknownType,
                path,
                format!("`{name}` is a complex type and cannot be used by name alone"),
                format!("Write it as an object, e.g. {example}."),
            );
            return None;
        }
        let trimmed = name.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            self.push(
                ProblemKind::UnknownType,
                path,
                "a string holding JSON is not a type name; the schema looks JSON-encoded twice"
                    .into(),
                "Decode the string once and send the object or array itself.",
            );
            return None;
        }
        let mut tried = vec![qualify(name, ns)];
        if !name.contains('.') && !ns.is_empty() {
            tried.push(name.to_string());
        }
        if let Some(i) = tried.iter().find_map(|t| self.index.get(t)) {
            return Some(Ty::Named(*i));
        }
        let looked = if tried.len() > 1 {
            format!(" (looked up as `{}` and `{name}`)", tried[0])
        } else {
            String::new()
        };
        let fix = "Use a primitive type (null, boolean, int, long, float, double, bytes, \
                   string) or define the record, enum or fixed before this point.";
        self.unresolved.push(Unresolved {
            name: name.to_string(),
            tried,
            problem: self.problems.len(),
        });
        self.push(
            ProblemKind::UnknownType,
            path,
            format!("unknown type `{name}`{looked}"),
            fix,
        );
        None
    }

    fn suggest(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let candidates = PRIMITIVES
            .iter()
            .map(|p| p.to_string())
            .chain(self.index.keys().cloned())
            .chain(self.index.keys().map(|k| short_name(k).to_string()));
        candidates
            .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
            .filter(|(d, c)| *d <= 2 && *d * 3 <= c.len())
            .min()
            .map(|(_, c)| c)
    }

    fn object(&mut self, map: &'v Map<String, Value>, ns: &str, path: &str) -> Option<Ty> {
        let Some(t) = map.get("type") else {
            let fix = if map.contains_key("schema") {
                "This looks like a Schema Registry response; send the value of its \"schema\" \
                 field."
            } else {
                "Add \"type\", e.g. \"type\": \"record\" with \"name\" and \"fields\", or \
                 \"type\": \"string\"."
            };
            self.push(
                ProblemKind::MissingType,
                path,
                "object has no \"type\"".into(),
                fix,
            );
            return None;
        };
        let tpath = ptr(path, "type");
        match t {
            Value::String(s) => match s.as_str() {
                "record" | "error" => self.record(map, ns, path),
                "enum" => self.enumeration(map, ns, path),
                "fixed" => self.fixed(map, ns, path),
                "array" | "map" => {
                    let (key, missing) = if s == "array" {
                        ("items", ProblemKind::MissingItems)
                    } else {
                        ("values", ProblemKind::MissingValues)
                    };
                    let inner = match map.get(key) {
                        Some(v) => self.walk(v, ns, &ptr(path, key)),
                        None => {
                            self.push(
                                missing,
                                path,
                                format!("{s} has no \"{key}\""),
                                format!("Add \"{key}\", e.g. {{\"type\": \"{s}\", \"{key}\": \"string\"}}."),
                            );
                            None
                        }
                    };
                    self.logical(map, Base::Other(s), path);
                    let inner = Box::new(inner?);
                    Some(if s == "array" {
                        Ty::Array(inner)
                    } else {
                        Ty::Map(inner)
                    })
                }
                other => {
                    let ty = self.reference(other, ns, &tpath);
                    match &ty {
                        Some(Ty::Named(_)) => {
                            self.logical(map, Base::Other("named type reference"), path)
                        }
                        Some(_) => self.logical(map, Base::Prim(other), path),
                        None => {}
                    }
                    ty
                }
            },
            Value::Object(_) | Value::Array(_) => {
                let ty = self.walk(t, ns, &tpath);
                self.logical(map, Base::Other("nested type object"), path);
                ty
            }
            other => {
                self.push(
                    ProblemKind::InvalidType,
                    &tpath,
                    format!("\"type\" is {}, not a type", json_kind(other)),
                    "Set \"type\" to a type name such as \"string\" or \"record\", an object, or \
                     an array (a union).",
                );
                None
            }
        }
    }

    /// Name, namespace and aliases of a record, enum or fixed.
    fn header(&mut self, map: &Map<String, Value>, ns: &str, path: &str, what: &str) -> Header {
        let npath = ptr(path, "name");
        let mut namespace = ns.to_string();
        let mut short: Option<String> = None;
        match map.get("name") {
            None => self.push(
                ProblemKind::MissingName,
                path,
                format!("{what} has no \"name\""),
                format!("Add \"name\", e.g. \"name\": \"My{}\".", capitalize(what)),
            ),
            Some(Value::String(name)) => {
                let (space, s) = match name.rsplit_once('.') {
                    Some((space, s)) => (Some(space), s),
                    None => (None, name.as_str()),
                };
                let bad: Vec<&str> = name.split('.').filter(|p| !valid_name(p)).collect();
                if let Some(part) = bad.first() {
                    self.push(
                        ProblemKind::InvalidName,
                        &npath,
                        format!("{what} name `{name}` is not a valid Avro name (`{part}`)"),
                        "Use letters, digits and _ only, not starting with a digit; dots only \
                         between namespace parts.",
                    );
                } else {
                    short = Some(s.to_string());
                }
                match space {
                    Some(space) => namespace = space.to_string(),
                    None => {
                        if let Some(n) = self.namespace_attr(map, path) {
                            namespace = n;
                        }
                    }
                }
            }
            Some(other) => self.push(
                ProblemKind::InvalidName,
                &npath,
                format!("{what} \"name\" is {}, not a string", json_kind(other)),
                format!("Set \"name\" to a string, e.g. \"My{}\".", capitalize(what)),
            ),
        }
        let mut fullname = None;
        if let Some(short) = short {
            let full = qualify(&short, &namespace);
            if PRIMITIVES.contains(&short.as_str()) {
                self.push(
                    ProblemKind::ReservedName,
                    &npath,
                    format!("`{short}` is a primitive type name and cannot name a {what}"),
                    format!("Rename it, e.g. `{}Value`.", capitalize(&short)),
                );
            } else if let Some(&i) = self.index.get(&full) {
                let first = self.def_path[i].clone();
                self.push(
                    ProblemKind::RedefinedName,
                    &npath,
                    format!("`{full}` is already defined at {first}"),
                    format!(
                        "Refer to it by name (\"type\": \"{full}\") instead of defining it again, \
                         or give this {what} another name or namespace."
                    ),
                );
            } else {
                fullname = Some(full);
            }
        }
        let aliases = self.aliases(map, path, Some(&namespace));
        Header {
            fullname,
            namespace,
            aliases,
        }
    }

    fn namespace_attr(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let nspath = ptr(path, "namespace");
        match map.get("namespace") {
            None | Some(Value::Null) => None,
            Some(Value::String(ns)) => {
                if ns.is_empty() || ns.split('.').all(valid_name) {
                    Some(ns.clone())
                } else {
                    self.push(
                        ProblemKind::InvalidNamespace,
                        &nspath,
                        format!("namespace `{ns}` is not dot-separated valid names"),
                        "Use names like `com.example.orders`: letters, digits and _, parts \
                         separated by single dots.",
                    );
                    None
                }
            }
            Some(other) => {
                self.push(
                    ProblemKind::InvalidNamespace,
                    &nspath,
                    format!("\"namespace\" is {}, not a string", json_kind(other)),
                    "Set \"namespace\" to a string such as \"com.example\", or remove it.",
                );
                None
            }
        }
    }

    /// `aliases` of a named type (qualified with `namespace`) or of a field (`namespace` None:
    /// simple names only).
    fn aliases(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        namespace: Option<&str>,
    ) -> Vec<String> {
        let apath = ptr(path, "aliases");
        let Some(v) = map.get("aliases") else {
            return Vec::new();
        };
        let Value::Array(items) = v else {
            self.push(
                ProblemKind::InvalidAlias,
                &apath,
                format!("\"aliases\" is {}, not an array of names", json_kind(v)),
                "Write \"aliases\": [\"OldName\"], or remove it.",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, a) in items.iter().enumerate() {
            let ok = match (a, namespace) {
                (Value::String(s), Some(_)) => s.split('.').all(valid_name),
                (Value::String(s), None) => valid_name(s),
                _ => false,
            };
            match (a, ok) {
                (Value::String(s), true) => {
                    out.push(qualify(s, namespace.unwrap_or("")));
                }
                _ => self.push(
                    ProblemKind::InvalidAlias,
                    &ptr(&apath, i),
                    format!("alias {} is not a valid Avro name", compact(a)),
                    if namespace.is_some() {
                        "Aliases are names like \"OldName\" or \"com.example.OldName\"."
                    } else {
                        "Field aliases are simple names like \"old_name\" (no dots)."
                    },
                ),
            }
        }
        out
    }

    fn define(&mut self, fullname: String, aliases: Vec<String>, body: Body, path: &str) -> usize {
        let i = self.named.len();
        self.index.insert(fullname.clone(), i);
        self.named.push(Named {
            fullname,
            aliases,
            body,
        });
        self.def_path.push(path.to_string());
        self.broken.push(false);
        i
    }

    fn record(&mut self, map: &'v Map<String, Value>, ns: &str, path: &str) -> Option<Ty> {
        let h = self.header(map, ns, path, "record");
        let idx = h
            .fullname
            .map(|f| self.define(f, h.aliases, Body::Record { fields: vec![] }, path));
        let before = self.error_count();
        let mut fields = Vec::new();
        match map.get("fields") {
            None => self.push(
                ProblemKind::MissingFields,
                path,
                "record has no \"fields\"".into(),
                "Add \"fields\": [{\"name\": \"id\", \"type\": \"string\"}] (an empty array is \
                 allowed).",
            ),
            Some(Value::Array(list)) => {
                let fpath = ptr(path, "fields");
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (i, f) in list.iter().enumerate() {
                    if let Some(field) = self.field(f, &h.namespace, &ptr(&fpath, i), i, &mut seen)
                    {
                        fields.push(field);
                    }
                }
            }
            Some(other) => self.push(
                ProblemKind::InvalidFields,
                &ptr(path, "fields"),
                format!("\"fields\" is {}, not an array", json_kind(other)),
                "Make \"fields\" an array of {\"name\": ..., \"type\": ...} objects.",
            ),
        }
        self.logical(map, Base::Other("record"), path);
        let idx = idx?;
        self.named[idx].body = Body::Record { fields };
        if self.error_count() > before {
            self.broken[idx] = true;
        }
        Some(Ty::Named(idx))
    }

    fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .count()
    }

    fn field(
        &mut self,
        f: &'v Value,
        ns: &str,
        path: &str,
        i: usize,
        seen: &mut HashMap<&'v str, usize>,
    ) -> Option<Field> {
        let Value::Object(fm) = f else {
            self.push(
                ProblemKind::InvalidFields,
                path,
                format!("field {i} is {}, not an object", json_kind(f)),
                "Write each field as {\"name\": \"id\", \"type\": \"string\"}.",
            );
            return None;
        };
        let npath = ptr(path, "name");
        let name: Option<&'v str> = match fm.get("name") {
            None => {
                self.push(
                    ProblemKind::MissingName,
                    path,
                    format!("field {i} has no \"name\""),
                    "Add \"name\", e.g. \"name\": \"id\".",
                );
                None
            }
            Some(Value::String(n)) if valid_name(n) => {
                if let Some(first) = seen.get(n.as_str()) {
                    self.push(
                        ProblemKind::DuplicateFieldName,
                        &npath,
                        format!("field `{n}` is defined twice (first as field {first})"),
                        "Rename or remove one of them; field names must be unique in a record.",
                    );
                } else {
                    seen.insert(n, i);
                }
                Some(n)
            }
            Some(other) => {
                self.push(
                    ProblemKind::InvalidName,
                    &npath,
                    format!("field name {} is not a valid Avro name", compact(other)),
                    "Field names are letters, digits and _, not starting with a digit, no dots.",
                );
                None
            }
        };
        let label = name.unwrap_or("?");
        let ty = match fm.get("type") {
            None => {
                self.push(
                    ProblemKind::MissingType,
                    path,
                    format!("field `{label}` has no \"type\""),
                    "Add \"type\", e.g. \"type\": \"string\".",
                );
                None
            }
            Some(t) => self.walk(t, ns, &ptr(path, "type")),
        };
        if let (Some(d), Some(ty)) = (fm.get("default"), &ty) {
            self.defaults.push(PendingDefault {
                at: self.problems.len(),
                ty: ty.clone(),
                value: d,
                path: ptr(path, "default"),
                field: label.to_string(),
            });
        }
        if let Some(order) = fm.get("order") {
            if !matches!(order.as_str(), Some("ascending" | "descending" | "ignore")) {
                self.push(
                    ProblemKind::InvalidOrder,
                    &ptr(path, "order"),
                    format!("field `{label}` has order {}", compact(order)),
                    "Use \"ascending\", \"descending\" or \"ignore\", or remove \"order\".",
                );
            }
        }
        let aliases = self.aliases(fm, path, None);
        if let Some(lt) = fm.get("logicalType") {
            let inner = match fm.get("type") {
                Some(Value::String(t)) => format!("{{\"type\": \"{t}\", \"logicalType\": {lt}}}"),
                _ => format!("{{\"type\": ..., \"logicalType\": {lt}}}"),
            };
            self.push(
                ProblemKind::MisplacedLogicalType,
                &ptr(path, "logicalType"),
                format!(
                    "\"logicalType\" on field `{label}` is ignored: it belongs inside the \
                     field's type"
                ),
                format!("Move it into the type: \"type\": {inner}."),
            );
        }
        Some(Field {
            name: name?.to_string(),
            aliases,
            ty: ty?,
            default: fm.get("default").cloned(),
        })
    }

    fn enumeration(&mut self, map: &'v Map<String, Value>, ns: &str, path: &str) -> Option<Ty> {
        let h = self.header(map, ns, path, "enum");
        let spath = ptr(path, "symbols");
        let mut symbols: Vec<String> = Vec::new();
        let before = self.error_count();
        match map.get("symbols") {
            Some(Value::Array(list)) => {
                for (i, s) in list.iter().enumerate() {
                    match s {
                        Value::String(s) if valid_name(s) => {
                            if let Some(first) = symbols.iter().position(|x| x == s) {
                                self.push(
                                    ProblemKind::DuplicateSymbol,
                                    &ptr(&spath, i),
                                    format!("symbol `{s}` appears twice (first at index {first})"),
                                    "Remove the repeated symbol.",
                                );
                            } else {
                                symbols.push(s.clone());
                            }
                        }
                        other => self.push(
                            ProblemKind::InvalidSymbol,
                            &ptr(&spath, i),
                            format!("symbol {} is not a valid Avro name", compact(other)),
                            "Symbols are letters, digits and _, not starting with a digit \
                             (e.g. \"IN_STOCK\").",
                        ),
                    }
                }
            }
            None => self.push(
                ProblemKind::MissingSymbols,
                path,
                "enum has no \"symbols\"".into(),
                "Add \"symbols\": [\"A\", \"B\"].",
            ),
            Some(other) => self.push(
                ProblemKind::MissingSymbols,
                &spath,
                format!(
                    "\"symbols\" is {}, not an array of strings",
                    json_kind(other)
                ),
                "Write \"symbols\": [\"A\", \"B\"].",
            ),
        }
        let mut default = None;
        if let Some(d) = map.get("default") {
            match d {
                Value::String(s) if symbols.contains(s) => default = Some(s.clone()),
                _ => self.push(
                    ProblemKind::InvalidEnumDefault,
                    &ptr(path, "default"),
                    format!("enum default {} is not one of its symbols", compact(d)),
                    format!(
                        "Set \"default\" to one of {}, or remove it.",
                        symbols
                            .iter()
                            .map(|s| format!("\"{s}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
        self.logical(map, Base::Other("enum"), path);
        let full = h.fullname?;
        let i = self.define(full, h.aliases, Body::Enum { symbols, default }, path);
        self.broken[i] = self.error_count() > before;
        Some(Ty::Named(i))
    }

    fn fixed(&mut self, map: &'v Map<String, Value>, ns: &str, path: &str) -> Option<Ty> {
        let h = self.header(map, ns, path, "fixed");
        let size = match map.get("size") {
            Some(v) => match v.as_u64() {
                Some(n) if n <= i32::MAX as u64 => Some(n),
                _ => {
                    self.push(
                        ProblemKind::InvalidFixedSize,
                        &ptr(path, "size"),
                        format!("fixed size {} is not a non-negative integer", compact(v)),
                        "Set \"size\" to the number of bytes, e.g. \"size\": 16.",
                    );
                    None
                }
            },
            None => {
                self.push(
                    ProblemKind::InvalidFixedSize,
                    path,
                    "fixed has no \"size\"".into(),
                    "Add \"size\": the number of bytes, e.g. \"size\": 16.",
                );
                None
            }
        };
        self.logical(map, Base::Fixed(size), path);
        let i = self.define(
            h.fullname?,
            h.aliases,
            Body::Fixed {
                size: size.unwrap_or(0),
            },
            path,
        );
        self.broken[i] = size.is_none();
        Some(Ty::Named(i))
    }

    fn union(&mut self, branches: &'v [Value], ns: &str, path: &str) -> Option<Ty> {
        if branches.is_empty() {
            self.push(
                ProblemKind::EmptyUnion,
                path,
                "union has no branches, so no value can be written".into(),
                "Add the branch types, e.g. [\"null\", \"string\"].",
            );
        }
        let mut tys = Vec::new();
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut ok = true;
        for (i, b) in branches.iter().enumerate() {
            let bpath = ptr(path, i);
            if b.is_array() {
                self.push_nested(&bpath, i);
                ok = false;
                continue;
            }
            match self.walk(b, ns, &bpath) {
                None => ok = false,
                Some(Ty::Union(_)) => {
                    self.push_nested(&bpath, i);
                    ok = false;
                }
                Some(t) => {
                    let key = match &t {
                        Ty::Named(n) => self.named[*n].fullname.clone(),
                        other => prim_name(other).to_string(),
                    };
                    if let Some(first) = keys.get(&key) {
                        self.push(
                            ProblemKind::DuplicateUnionBranch,
                            &bpath,
                            format!(
                                "`{key}` appears twice in the union (branches {first} and {i})"
                            ),
                            "Keep one: a union holds each unnamed type once, and each named type \
                             once (logical types count as their underlying type).",
                        );
                        ok = false;
                    } else {
                        keys.insert(key, i);
                    }
                    tys.push(t);
                }
            }
        }
        ok.then_some(Ty::Union(tys))
    }

    fn push_nested(&mut self, path: &str, i: usize) {
        self.push(
            ProblemKind::NestedUnion,
            path,
            format!("branch {i} is itself a union; unions cannot contain unions directly"),
            "Flatten it: list its branches directly in the outer union.",
        );
    }

    /// Warn about a `logicalType` that readers will ignore.
    fn logical(&mut self, map: &Map<String, Value>, base: Base<'_>, path: &str) {
        let Some(lt) = map.get("logicalType") else {
            return;
        };
        let lpath = ptr(path, "logicalType");
        let Value::String(lt) = lt else {
            self.push(
                ProblemKind::InvalidLogicalType,
                &lpath,
                format!(
                    "\"logicalType\" is {}, not a string; it is ignored",
                    json_kind(lt)
                ),
                "Use a logical type name such as \"timestamp-millis\", or remove it.",
            );
            return;
        };
        let (want, fits): (&str, bool) = match lt.as_str() {
            "decimal" => (
                "bytes or fixed",
                matches!(base, Base::Prim("bytes") | Base::Fixed(_)),
            ),
            "big-decimal" => ("bytes", matches!(base, Base::Prim("bytes"))),
            "uuid" => (
                "string or fixed of size 16",
                matches!(base, Base::Prim("string") | Base::Fixed(Some(16) | None)),
            ),
            "date" | "time-millis" => ("int", matches!(base, Base::Prim("int"))),
            "time-micros"
            | "timestamp-millis"
            | "timestamp-micros"
            | "timestamp-nanos"
            | "local-timestamp-millis"
            | "local-timestamp-micros"
            | "local-timestamp-nanos" => ("long", matches!(base, Base::Prim("long"))),
            "duration" => (
                "fixed of size 12",
                matches!(base, Base::Fixed(Some(12) | None)),
            ),
            other => {
                self.push(
                    ProblemKind::UnknownLogicalType,
                    &lpath,
                    format!("unknown logical type `{other}`; readers ignore it"),
                    "Fine if it is your own annotation; otherwise use a spec name such as \
                     decimal, uuid, date, time-millis, timestamp-millis, timestamp-micros, \
                     local-timestamp-millis or duration.",
                );
                return;
            }
        };
        if !fits {
            let got = match base {
                Base::Prim(p) => p.to_string(),
                Base::Fixed(Some(n)) => format!("fixed of size {n}"),
                Base::Fixed(None) => "fixed".into(),
                Base::Other(o) => o.to_string(),
            };
            self.push(
                ProblemKind::InvalidLogicalType,
                &lpath,
                format!(
                    "logical type `{lt}` needs {want}, not {got}; readers ignore it and use the \
                     plain {got}"
                ),
                format!("Put `{lt}` on {want}, or remove \"logicalType\"."),
            );
            return;
        }
        if lt == "decimal" {
            self.decimal(map, base, path);
        }
    }

    fn decimal(&mut self, map: &Map<String, Value>, base: Base<'_>, path: &str) {
        let ppath = ptr(path, "precision");
        let precision = match map.get("precision") {
            Some(p) => match p.as_u64() {
                Some(n) if n > 0 => Some(n),
                _ => {
                    self.push(
                        ProblemKind::InvalidLogicalType,
                        &ppath,
                        format!(
                            "decimal precision {} is not a positive integer; readers ignore \
                             the logical type",
                            compact(p)
                        ),
                        "Set \"precision\" to the total number of digits, e.g. 10.",
                    );
                    return;
                }
            },
            None => {
                self.push(
                    ProblemKind::InvalidLogicalType,
                    path,
                    "decimal has no \"precision\"; readers ignore the logical type".into(),
                    "Add \"precision\" (total digits) and optionally \"scale\" (digits after \
                     the point), e.g. \"precision\": 10, \"scale\": 2.",
                );
                return;
            }
        };
        let Some(precision) = precision else { return };
        if let Some(s) = map.get("scale") {
            match s.as_u64() {
                Some(n) if n <= precision => {}
                _ => self.push(
                    ProblemKind::InvalidLogicalType,
                    &ptr(path, "scale"),
                    format!(
                        "decimal scale {} is not an integer from 0 to the precision \
                         {precision}; readers ignore the logical type",
                        compact(s)
                    ),
                    format!("Set \"scale\" between 0 and {precision}, or raise \"precision\"."),
                ),
            }
        }
        if let Base::Fixed(Some(size)) = base {
            let max = max_decimal_precision(size);
            if precision > max {
                self.push(
                    ProblemKind::InvalidLogicalType,
                    &ppath,
                    format!(
                        "decimal precision {precision} does not fit in fixed size {size} (at \
                         most {max} digits); readers ignore the logical type"
                    ),
                    format!(
                        "Lower \"precision\" to {max} or less, or raise \"size\" to {}.",
                        min_fixed_size(precision)
                    ),
                );
            }
        }
    }

    /// Check the queued field defaults, now that every named type is complete, and slot each
    /// failure in at its place in document order.
    fn check_defaults(&mut self) {
        let view = self.view();
        let mut inserted = 0;
        for d in std::mem::take(&mut self.defaults) {
            let Err(reason) = self.default_ok(&d.ty, d.value) else {
                continue;
            };
            let example = view.example_default(&d.ty);
            let fix = match &d.ty {
                Ty::Union(bs) => match bs.iter().find(|b| self.default_ok(b, d.value).is_ok()) {
                    Some(b) => {
                        let name = view.branch_name(b);
                        format!(
                            "Move `{name}` to the front of the union (e.g. [\"{name}\", ...]), or \
                             use a default of the first branch such as {example}."
                        )
                    }
                    None => format!(
                        "Use a default of the union's first branch, such as {example}, or remove \
                         \"default\"."
                    ),
                },
                ty => format!(
                    "Use a default of type {}, such as {example}, or remove \"default\".",
                    view.describe(ty)
                ),
            };
            let p = problem(
                ProblemKind::InvalidDefault,
                &d.path,
                format!("default of field `{}`: {reason}", d.field),
                fix,
            );
            self.problems.insert(d.at + inserted, p);
            inserted += 1;
        }
    }

    /// Whether `v` is a valid default for `ty`; the error says why not.
    fn default_ok(&self, ty: &Ty, v: &Value) -> Result<(), String> {
        let bad = |want: &str| Err(format!("{} is not {want}", compact(v)));
        match ty {
            Ty::Null => {
                if v.is_null() {
                    Ok(())
                } else {
                    bad("null")
                }
            }
            Ty::Boolean => {
                if v.is_boolean() {
                    Ok(())
                } else {
                    bad("a boolean (true or false)")
                }
            }
            Ty::Int => match v.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => Ok(()),
                _ => bad("an int (an integer from -2147483648 to 2147483647)"),
            },
            Ty::Long => {
                if v.is_i64() {
                    Ok(())
                } else {
                    bad("a long (a 64-bit integer)")
                }
            }
            Ty::Float | Ty::Double => {
                if v.is_number() || matches!(v.as_str(), Some("NaN" | "Infinity" | "-Infinity")) {
                    Ok(())
                } else {
                    bad("a number")
                }
            }
            Ty::String => {
                if v.is_string() {
                    Ok(())
                } else {
                    bad("a string")
                }
            }
            Ty::Bytes => match v.as_str() {
                Some(s) if s.chars().all(|c| u32::from(c) <= 0xff) => Ok(()),
                _ => bad("bytes (a string of code points 0-255, one per byte)"),
            },
            Ty::Array(items) => match v {
                Value::Array(xs) => xs.iter().enumerate().try_for_each(|(i, x)| {
                    self.default_ok(items, x)
                        .map_err(|e| format!("item {i}: {e}"))
                }),
                _ => bad("an array"),
            },
            Ty::Map(values) => match v {
                Value::Object(m) => m.iter().try_for_each(|(k, x)| {
                    self.default_ok(values, x)
                        .map_err(|e| format!("key `{k}`: {e}"))
                }),
                _ => bad("an object (a map)"),
            },
            Ty::Union(branches) if self.lenient_union_defaults && !branches.is_empty() => {
                if branches.iter().any(|b| self.default_ok(b, v).is_ok()) {
                    Ok(())
                } else {
                    Err(format!("{} matches no branch of the union", compact(v)))
                }
            }
            Ty::Union(branches) => match branches.first() {
                None => Err("an empty union has no values".into()),
                Some(first) => self.default_ok(first, v).map_err(|e| {
                    let view = self.view();
                    format!(
                        "a union default must match the first branch `{}`: {e}",
                        view.branch_name(first)
                    )
                }),
            },
            Ty::Named(i) => {
                if self.broken[*i] {
                    return Ok(());
                }
                match &self.named[*i].body {
                    Body::Enum { symbols, .. } => match v.as_str() {
                        Some(s) if symbols.iter().any(|x| x == s) => Ok(()),
                        _ => bad(&format!(
                            "one of the symbols of enum {}",
                            self.named[*i].fullname
                        )),
                    },
                    Body::Fixed { size } => match v.as_str() {
                        Some(s)
                            if s.chars().count() as u64 == *size
                                && s.chars().all(|c| u32::from(c) <= 0xff) =>
                        {
                            Ok(())
                        }
                        _ => bad(&format!("a string of exactly {size} code points 0-255")),
                    },
                    Body::Record { fields } => match v {
                        Value::Object(m) => fields.iter().try_for_each(|f| match m.get(&f.name) {
                            Some(x) => self
                                .default_ok(&f.ty, x)
                                .map_err(|e| format!("field `{}`: {e}", f.name)),
                            None if f.default.is_some() => Ok(()),
                            None => Err(format!(
                                "it has no field `{}`, which has no default of its own",
                                f.name
                            )),
                        }),
                        _ => bad(&format!("an object (record {})", self.named[*i].fullname)),
                    },
                }
            }
        }
    }

    fn view(&self) -> Schema {
        Schema {
            root: Ty::Null,
            named: self.named.clone(),
        }
    }

    /// Unknown names get a hint: defined later (Avro needs it earlier), or a near name from the
    /// whole document.
    fn explain_unresolved(&mut self) {
        for u in std::mem::take(&mut self.unresolved) {
            let Some(i) = u.tried.iter().find_map(|t| self.index.get(t)) else {
                if let Some(near) = self.suggest(&u.name) {
                    self.problems[u.problem].fix = format!("Did you mean `{near}`?");
                }
                continue;
            };
            let (full, at) = (self.named[*i].fullname.clone(), self.def_path[*i].clone());
            let p = &mut self.problems[u.problem];
            p.message = format!("{} — `{full}` is defined later, at {at}", p.message);
            p.fix = format!(
                "Avro reads names in document order: move the definition of `{full}` to this \
                 first use, and refer to it by name after."
            );
        }
    }
}

fn problem(kind: ProblemKind, path: &str, message: String, fix: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        kind,
        level: kind.level(),
        message,
        fix: fix.into(),
    }
}

fn complex_example(name: &str) -> Option<&'static str> {
    Some(match name {
        "record" | "error" => {
            "{\"type\": \"record\", \"name\": \"MyRecord\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}"
        }
        "enum" => "{\"type\": \"enum\", \"name\": \"MyEnum\", \"symbols\": [\"A\", \"B\"]}",
        "fixed" => "{\"type\": \"fixed\", \"name\": \"MyFixed\", \"size\": 16}",
        "array" => "{\"type\": \"array\", \"items\": \"string\"}",
        "map" => "{\"type\": \"map\", \"values\": \"string\"}",
        _ => return None,
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Most decimal digits a two's-complement fixed of `size` bytes holds:
/// floor(log10(2^(8·size−1) − 1)), per the spec.
pub(crate) fn max_decimal_precision(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let bits = size.saturating_mul(8).saturating_sub(1) as f64;
    (bits * std::f64::consts::LOG10_2).floor() as u64
}

/// Smallest fixed size holding `precision` digits: the closed form (8·s − 1 ≥ precision /
/// log10 2), corrected for float rounding in a few steps. A linear search from 1 never ends for
/// a precision like 2^63 − 1, which the input allows.
fn min_fixed_size(precision: u64) -> u64 {
    let guess = ((precision as f64 / std::f64::consts::LOG10_2 + 1.0) / 8.0).ceil() as u64;
    let mut s = guess.saturating_sub(2).max(1);
    while max_decimal_precision(s) < precision && s < guess.saturating_add(2) {
        s += 1;
    }
    s
}

#[cfg(test)]
mod fixed_size_tests {
    use super::*;

    #[test]
    fn min_fixed_size_matches_the_search_and_is_instant_for_huge_precisions() {
        for p in 0..5_000u64 {
            let slow = (1..).find(|&s| max_decimal_precision(s) >= p).unwrap();
            assert_eq!(min_fixed_size(p), slow, "precision {p}");
        }
        assert!(max_decimal_precision(min_fixed_size(i64::MAX as u64)) >= i64::MAX as u64 / 2);
        assert!(min_fixed_size(u64::MAX) > 0);
        assert!(max_decimal_precision(u64::MAX) > 0);
    }
}

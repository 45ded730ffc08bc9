//! The plain form of a compiled `.proto` that the rules compare: messages and enums keyed by
//! name relative to their package (`Order`, `Order.Item`), fields by number. Built once from
//! `prost-reflect` descriptors; map entry messages are folded into their map fields.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor,
};

use crate::schema_format::model::SchemaProblem;

/// A field's type as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A scalar: `int32`, `string`, ...
    Scalar(&'static str),
    /// An enum, by name relative to its package.
    Enum(String),
    /// A message, by name relative to its package, and the package.
    Message(String, String),
    /// `map<key, value>`.
    Map(Box<FieldType>, Box<FieldType>),
}

impl FieldType {
    /// As written in a `.proto` (relative names).
    pub fn describe(&self) -> String {
        match self {
            FieldType::Scalar(s) => (*s).to_string(),
            FieldType::Enum(n) | FieldType::Message(n, _) => n.clone(),
            FieldType::Map(k, v) => format!("map<{}, {}>", k.describe(), v.describe()),
        }
    }
}

/// A field's label as written (the registry's parser keeps none for proto3 fields without
/// one, oneof members and maps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// No label: proto3 implicit presence, a oneof member, a map.
    Implicit,
    /// `optional` (proto2, or proto3 explicit presence).
    Optional,
    /// proto2 `required`.
    Required,
    /// `repeated` (not maps).
    Repeated,
}

/// One field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Name as declared.
    pub name: String,
    /// JSON name (lowerCamelCase unless `json_name` is set).
    pub json_name: String,
    /// Type.
    pub ty: FieldType,
    /// Label.
    pub label: Label,
    /// The (non-synthetic) oneof it belongs to.
    pub oneof: Option<String>,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Fields by number.
    pub fields: BTreeMap<u32, Field>,
    /// Non-synthetic oneofs: name → member field numbers.
    pub oneofs: BTreeMap<String, Vec<u32>>,
    /// Defined in the schema itself (not in an imported file).
    pub own: bool,
    /// Position among the top-level messages of its file (Confluent's message index).
    pub index: Option<usize>,
}

/// One enum.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Enum {
    /// Values: number → name.
    pub values: BTreeMap<i32, String>,
    /// Defined in the schema itself.
    pub own: bool,
}

/// A compiled schema, ready to compare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProtoModel {
    /// `package`, empty when none.
    pub package: String,
    /// Messages (own and reachable through fields) by name relative to their package.
    pub messages: BTreeMap<String, Message>,
    /// Enums likewise.
    pub enums: BTreeMap<String, Enum>,
    /// The canonical form.
    pub canonical: String,
}

fn relative(full: &str, package: &str) -> String {
    if package.is_empty() {
        full.to_string()
    } else {
        full.strip_prefix(package)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(full)
            .to_string()
    }
}

fn scalar(kind: &Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(_) | Kind::Enum(_) => return None,
    })
}

fn field_type(f: &FieldDescriptor) -> FieldType {
    if f.is_map() {
        if let Kind::Message(entry) = f.kind() {
            return FieldType::Map(
                Box::new(kind_type(&entry.map_entry_key_field().kind())),
                Box::new(kind_type(&entry.map_entry_value_field().kind())),
            );
        }
    }
    kind_type(&f.kind())
}

fn kind_type(kind: &Kind) -> FieldType {
    match kind {
        Kind::Message(m) => FieldType::Message(
            relative(m.full_name(), m.package_name()),
            m.package_name().to_string(),
        ),
        Kind::Enum(e) => FieldType::Enum(relative(e.full_name(), e.package_name())),
        k => FieldType::Scalar(scalar(k).unwrap_or("bytes")),
    }
}

impl ProtoModel {
    /// The model of `file`: its own types, plus types of imported files its fields use
    /// (Google's well-known types aside).
    pub fn from_file(file: &FileDescriptor) -> ProtoModel {
        let mut m = ProtoModel {
            package: file.package_name().to_string(),
            ..ProtoModel::default()
        };
        for (i, msg) in file.messages().enumerate() {
            m.add_message(&msg, true, Some(i));
        }
        for e in file.enums() {
            m.add_enum(&e, true);
        }
        let mut canonical = String::new();
        write_canonical(file, &mut canonical);
        m.canonical = canonical;
        m
    }

    fn add_message(&mut self, msg: &MessageDescriptor, own: bool, index: Option<usize>) {
        if msg.is_map_entry() {
            return;
        }
        let name = relative(msg.full_name(), msg.package_name());
        if self.messages.contains_key(&name) {
            return;
        }
        let mut out = Message {
            own,
            index,
            ..Message::default()
        };
        for o in msg.oneofs().filter(|o| !o.is_synthetic()) {
            out.oneofs.insert(
                o.name().to_string(),
                o.fields().map(|f| f.number()).collect(),
            );
        }
        let mut reachable = Vec::new();
        let proto2 = matches!(
            msg.parent_file().file_descriptor_proto().syntax(),
            "" | "proto2"
        );
        for f in msg.fields() {
            let in_oneof = f.containing_oneof().is_some_and(|o| !o.is_synthetic());
            let label = match f.cardinality() {
                _ if f.is_map() || in_oneof => Label::Implicit,
                Cardinality::Required => Label::Required,
                Cardinality::Repeated => Label::Repeated,
                _ if proto2 || f.field_descriptor_proto().proto3_optional() => Label::Optional,
                _ => Label::Implicit,
            };
            out.fields.insert(
                f.number(),
                Field {
                    name: f.name().to_string(),
                    json_name: f.json_name().to_string(),
                    ty: field_type(&f),
                    label,
                    oneof: f
                        .containing_oneof()
                        .filter(|o| !o.is_synthetic())
                        .map(|o| o.name().to_string()),
                },
            );
            let kinds = if f.is_map() {
                match f.kind() {
                    Kind::Message(e) => vec![e.map_entry_value_field().kind()],
                    _ => vec![],
                }
            } else {
                vec![f.kind()]
            };
            reachable.extend(kinds);
        }
        self.messages.insert(name, out);
        for child in msg.child_messages() {
            self.add_message(&child, own, None);
        }
        for e in msg.child_enums() {
            self.add_enum(&e, own);
        }
        for k in reachable {
            match k {
                Kind::Message(m) if !m.package_name().starts_with("google.protobuf") => {
                    let own_file = m.parent_file().name() == msg.parent_file().name();
                    self.add_message(&m, own && own_file, None);
                }
                Kind::Enum(e) if !e.package_name().starts_with("google.protobuf") => {
                    let own_file = e.parent_file().name() == msg.parent_file().name();
                    self.add_enum(&e, own && own_file);
                }
                _ => {}
            }
        }
    }

    fn add_enum(&mut self, e: &EnumDescriptor, own: bool) {
        let name = relative(e.full_name(), e.package_name());
        self.enums.entry(name).or_insert_with(|| Enum {
            values: e
                .values()
                .map(|v| (v.number(), v.name().to_string()))
                .collect(),
            own,
        });
    }

    /// Accepted, but likely a mistake.
    pub fn warnings(&self) -> Vec<SchemaProblem> {
        let mut out = Vec::new();
        if self.package.is_empty() {
            out.push(SchemaProblem::warning(
                "/",
                "no_package",
                "the schema declares no `package`: its types share one global namespace with every other schema".into(),
                "Add `package com.example.orders;` (a package is part of each type's full name, so add it before the first registration).".into(),
            ));
        }
        out
    }
}

/// The canonical form: the main file as compact `.proto` text, declaration order, fully
/// qualified type names, no comments or options.
fn write_canonical(file: &FileDescriptor, out: &mut String) {
    let fdp = file.file_descriptor_proto();
    let syntax = if fdp.syntax().is_empty() {
        "proto2"
    } else {
        fdp.syntax()
    };
    let _ = write!(out, "syntax=\"{syntax}\";");
    if !file.package_name().is_empty() {
        let _ = write!(out, "package {};", file.package_name());
    }
    for d in file.dependencies() {
        let _ = write!(out, "import \"{}\";", d.name());
    }
    for m in file.messages() {
        write_message(&m, out);
    }
    for e in file.enums() {
        write_enum(&e, out);
    }
}

fn type_name(f: &FieldDescriptor) -> String {
    if f.is_map() {
        if let Kind::Message(e) = f.kind() {
            return format!(
                "map<{},{}>",
                kind_name(&e.map_entry_key_field().kind()),
                kind_name(&e.map_entry_value_field().kind())
            );
        }
    }
    kind_name(&f.kind())
}

fn kind_name(k: &Kind) -> String {
    match k {
        Kind::Message(m) => format!(".{}", m.full_name()),
        Kind::Enum(e) => format!(".{}", e.full_name()),
        k => scalar(k).unwrap_or("bytes").to_string(),
    }
}

fn write_field(f: &FieldDescriptor, out: &mut String) {
    let label = match f.cardinality() {
        Cardinality::Required => "required ",
        Cardinality::Repeated if !f.is_map() => "repeated ",
        _ if f.field_descriptor_proto().proto3_optional() => "optional ",
        _ => "",
    };
    let _ = write!(out, "{label}{} {}={};", type_name(f), f.name(), f.number());
}

fn write_message(m: &MessageDescriptor, out: &mut String) {
    let _ = write!(out, "message {}{{", m.name());
    let real_oneofs: Vec<_> = m.oneofs().filter(|o| !o.is_synthetic()).collect();
    for f in m.fields() {
        if f.containing_oneof().is_some_and(|o| !o.is_synthetic()) {
            continue;
        }
        write_field(&f, out);
    }
    for o in real_oneofs {
        let _ = write!(out, "oneof {}{{", o.name());
        for f in o.fields() {
            write_field(&f, out);
        }
        out.push('}');
    }
    for c in m.child_messages().filter(|c| !c.is_map_entry()) {
        write_message(&c, out);
    }
    for e in m.child_enums() {
        write_enum(&e, out);
    }
    for r in m.reserved_ranges() {
        if r.end == r.start + 1 {
            let _ = write!(out, "reserved {};", r.start);
        } else {
            let _ = write!(out, "reserved {} to {};", r.start, r.end - 1);
        }
    }
    for n in m.reserved_names() {
        let _ = write!(out, "reserved \"{n}\";");
    }
    out.push('}');
}

fn write_enum(e: &EnumDescriptor, out: &mut String) {
    let _ = write!(out, "enum {}{{", e.name());
    for v in e.values() {
        let _ = write!(out, "{}={};", v.name(), v.number());
    }
    out.push('}');
}

//! Confluent's Protobuf compatibility rules over two models: can `update` read every message
//! written with `original`? The registry lists differences (package changed, message removed,
//! field kind changed, ...) and accepts a change when all of them are of its compatible types
//! (message/enum/field/oneof added, field removed or renamed, enum values changed, scalar
//! changes inside a wire-compatible group). Only the others are returned as breaking; where
//! Buf's WIRE/WIRE_JSON categories say more about an accepted change, a note says so.

use std::collections::BTreeSet;

use super::model::{Field, FieldType, Label, Message, ProtoModel};
use crate::schema_format::model::{Diff, Finding};

/// Confluent's scalar groups: a change inside a group is wire-compatible.
fn scalar_group(t: &FieldType) -> &'static str {
    match t {
        FieldType::Enum(_) => "int32/int64/uint32/uint64/bool/enum",
        FieldType::Scalar(s) => match *s {
            "int32" | "int64" | "uint32" | "uint64" | "bool" => {
                "int32/int64/uint32/uint64/bool/enum"
            }
            "sint32" | "sint64" => "sint32/sint64",
            "string" | "bytes" => "string/bytes",
            "fixed32" | "sfixed32" => "fixed32/sfixed32",
            "fixed64" | "sfixed64" => "fixed64/sfixed64",
            "float" => "float",
            _ => "double",
        },
        _ => "",
    }
}

/// scalar (enums included), message or map.
fn kind(t: &FieldType) -> &'static str {
    match t {
        FieldType::Scalar(_) | FieldType::Enum(_) => "scalar",
        FieldType::Message(..) => "message",
        FieldType::Map(..) => "map",
    }
}

struct Cx {
    out: Diff,
}

impl Cx {
    fn breaking(
        &mut self,
        path: String,
        kind: &'static str,
        message: String,
        values: (Option<String>, Option<String>),
        fix: &str,
    ) {
        self.out.breaking.push(Finding {
            path,
            kind,
            message,
            original: values.0,
            update: values.1,
            fix: fix.to_string(),
        });
    }
}

fn field_path(msg: &str, n: u32) -> String {
    format!("#/{}/{n}", msg.replace('.', "/"))
}

/// Every breaking difference (and notes) when `update` reads data written with `original`.
pub fn diff(original: &ProtoModel, update: &ProtoModel) -> Diff {
    let mut cx = Cx {
        out: Diff::default(),
    };
    if original.package != update.package {
        cx.breaking(
            "#/".into(),
            "package_changed",
            format!(
                "the package changed from `{}` to `{}`: every type's full name changes, so readers resolve none of them",
                original.package, update.package
            ),
            (Some(original.package.clone()), Some(update.package.clone())),
            "Keep the package of the earlier versions; to move types, register them under a new subject.",
        );
    }
    // Own messages must stay; imported ones the fields use are compared when both sides have
    // them (a changed reference changes what the fields hold).
    for (name, om) in &original.messages {
        match update.messages.get(name) {
            None if !om.own => {}
            None => cx.breaking(
                format!("#/{}", name.replace('.', "/")),
                "message_removed",
                format!("message `{name}` was removed; data of that type can no longer be read"),
                (Some(name.clone()), None),
                "Put the message back (it may be empty of use, but keep it); deprecate it with `option deprecated = true;` instead.",
            ),
            Some(um) => compare_message(&mut cx, name, om, um),
        }
    }
    for (name, oe) in original.enums.iter().filter(|(_, e)| e.own) {
        if let Some(ue) = update.enums.get(name) {
            for (n, v) in &oe.values {
                match ue.values.get(n) {
                    None => cx.out.notes.push(format!(
                        "enum {name}: value {v} = {n} removed; the registry accepts it, but readers see the number as unknown, and JSON data naming {v} no longer parses (Buf WIRE_JSON). Prefer `reserved {n}; reserved \"{v}\";`"
                    )),
                    Some(u) if u != v => cx.out.notes.push(format!(
                        "enum {name}: value {n} renamed from {v} to {u}; wire-compatible, but JSON data spelling {v} no longer parses (Buf WIRE_JSON)"
                    )),
                    _ => {}
                }
            }
        }
    }
    cx.out
}

fn compare_message(cx: &mut Cx, name: &str, om: &Message, um: &Message) {
    let top = |m: &Message| -> BTreeSet<u32> {
        m.fields
            .iter()
            .filter(|(_, f)| f.oneof.is_none())
            .map(|(n, _)| *n)
            .collect()
    };
    let mut o_top = top(om);
    let u_top = top(um);
    // Fields moved into a oneof of the update.
    for (oneof, tags) in &um.oneofs {
        let moved: Vec<u32> = tags.iter().copied().filter(|t| o_top.contains(t)).collect();
        let existing = tags
            .iter()
            .filter(|t| om.fields.get(t).is_some_and(|f| f.oneof.is_some()))
            .count();
        o_top.retain(|t| !moved.contains(t));
        let path = format!("#/{}/{oneof}", name.replace('.', "/"));
        if moved.len() > 1 {
            cx.breaking(
                path,
                "multiple_fields_moved_to_oneof",
                format!(
                    "fields {moved:?} of `{name}` moved together into oneof `{oneof}`: data that set more than one of them cannot be read as a oneof"
                ),
                (Some(format!("{moved:?} outside a oneof")), Some(format!("oneof {oneof}"))),
                "Move at most one existing field into a new oneof; add the others as new fields with new numbers.",
            );
        } else if moved.len() == 1 && existing > 0 {
            cx.breaking(
                path,
                "field_moved_to_existing_oneof",
                format!(
                    "field {} of `{name}` moved into oneof `{oneof}`, which already held fields: data setting both cannot be read",
                    moved[0]
                ),
                (Some(format!("field {} outside a oneof", moved[0])), Some(format!("oneof {oneof}"))),
                "Only a new oneof may take in one existing field; keep this field outside the oneof.",
            );
        }
    }
    // Oneofs by name.
    for (oneof, tags) in &om.oneofs {
        if let Some(utags) = um.oneofs.get(oneof) {
            for t in tags {
                if !utags.contains(t) && !um.fields.contains_key(t) {
                    let f = &om.fields[t];
                    cx.breaking(
                        field_path(name, *t),
                        "oneof_field_removed",
                        format!(
                            "field {t} `{}` was removed from oneof `{oneof}` of `{name}`: data where it was the set member reads as no member set",
                            f.name
                        ),
                        (Some(format!("{} {} = {t}", f.ty.describe(), f.name)), None),
                        "Keep the field in the oneof (mark it `[deprecated = true]`) instead of removing it.",
                    );
                }
            }
        }
    }
    // Top-level fields by number.
    let mut tags: Vec<u32> = o_top.iter().chain(u_top.iter()).copied().collect();
    tags.sort_unstable();
    tags.dedup();
    for t in tags {
        let path = field_path(name, t);
        match (
            om.fields.get(&t).filter(|_| o_top.contains(&t)),
            um.fields.get(&t).filter(|_| u_top.contains(&t)),
        ) {
            (Some(of), None) if !um.fields.contains_key(&t) => {
                if of.label == Label::Required {
                    cx.breaking(
                        path,
                        "required_field_removed",
                        format!(
                            "required field {t} `{}` of `{name}` was removed: readers that still require it reject data without it",
                            of.name
                        ),
                        (Some(format!("required {} {} = {t}", of.ty.describe(), of.name)), None),
                        "Keep the required field; proto2 `required` can never be removed safely.",
                    );
                } else {
                    cx.out.notes.push(format!(
                        "`{name}` field {t} `{}` removed: accepted, but reserve it (`reserved {t}; reserved \"{}\";`) so the number is never reused with another type (Buf WIRE)",
                        of.name, of.name
                    ));
                }
            }
            (None, Some(uf)) if !om.fields.contains_key(&t) && uf.label == Label::Required => {
                cx.breaking(
                    path,
                    "required_field_added",
                    format!(
                        "required field {t} `{}` was added to `{name}`: data written without it is rejected",
                        uf.name
                    ),
                    (None, Some(format!("required {} {} = {t}", uf.ty.describe(), uf.name))),
                    "Add the field as `optional`, not `required`.",
                );
            }
            (Some(of), Some(uf)) => compare_field(cx, name, t, of, uf),
            _ => {}
        }
    }
    // Fields whose oneof membership changed: compare contents by number as well.
    for (t, of) in &om.fields {
        if let Some(uf) = um.fields.get(t) {
            // Top-level in both: compared above. Otherwise (in a oneof on either side, the
            // same or another): compared here, once.
            if of.oneof.is_some() || uf.oneof.is_some() {
                compare_field(cx, name, *t, of, uf);
            }
        }
    }
}

fn compare_field(cx: &mut Cx, msg: &str, t: u32, of: &Field, uf: &Field) {
    if of == uf {
        // Same name, type, label and oneof: nothing to report (the common case).
        return;
    }
    let path = field_path(msg, t);
    if of.name != uf.name {
        cx.out.notes.push(format!(
            "`{msg}` field {t} renamed from `{}` to `{}`: the registry accepts it and the binary wire format is unaffected, but JSON-encoded data (field `{}`) no longer maps (Buf WIRE_JSON)",
            of.name, uf.name, of.json_name
        ));
    }
    compare_types(cx, &path, msg, t, &of.ty, &uf.ty);
    if of.label != uf.label
        && of.label != Label::Implicit
        && uf.label != Label::Implicit
        && kind(&of.ty) == "scalar"
        && kind(&uf.ty) == "scalar"
        && scalar_group(&of.ty) == scalar_group(&uf.ty)
    {
        if scalar_group(&of.ty) == "string/bytes" {
            return;
        }
        cx.breaking(
            path,
            "field_numeric_label_changed",
            format!(
                "field {t} `{}` of `{msg}` changed label from {} to {}: numeric fields encode repeated values packed, so the two sides misread each other",
                uf.name,
                label_name(of.label),
                label_name(uf.label)
            ),
            (Some(label_name(of.label).into()), Some(label_name(uf.label).into())),
            "Keep the field's label; add a new field with a new number for the repeated (or singular) form.",
        );
    } else if (of.label == Label::Repeated) != (uf.label == Label::Repeated)
        && kind(&of.ty) == "scalar"
        && scalar_group(&of.ty) != "string/bytes"
    {
        cx.out.notes.push(format!(
            "`{msg}` field {t} `{}` changed between repeated and singular: accepted here, but packed numeric data does not read as a single value (Buf WIRE)",
            uf.name
        ));
    }
}

fn label_name(l: Label) -> &'static str {
    match l {
        Label::Implicit => "(none)",
        Label::Optional => "optional",
        Label::Required => "required",
        Label::Repeated => "repeated",
    }
}

fn compare_types(cx: &mut Cx, path: &str, msg: &str, t: u32, o: &FieldType, u: &FieldType) {
    if o == u {
        return;
    }
    let values = (Some(o.describe()), Some(u.describe()));
    if kind(o) != kind(u) {
        cx.breaking(
            path.to_string(),
            "field_kind_changed",
            format!(
                "field {t} of `{msg}` changed from a {} ({}) to a {} ({}): the wire encodings differ",
                kind(o),
                o.describe(),
                kind(u),
                u.describe()
            ),
            values,
            "Keep the field's type; add a new field with a new number for the new type and `reserved` the old number once unused.",
        );
        return;
    }
    match (o, u) {
        (FieldType::Map(ok, ov), FieldType::Map(uk, uv)) => {
            compare_types(cx, path, msg, t, ok, uk);
            compare_types(cx, path, msg, t, ov, uv);
        }
        (FieldType::Message(on, _), FieldType::Message(un, _)) => {
            if on != un {
                cx.breaking(
                    path.to_string(),
                    "field_named_type_changed",
                    format!("field {t} of `{msg}` changed message type from `{on}` to `{un}`"),
                    values,
                    "Keep the field's message type (evolve that message instead); add a new field for the other type.",
                );
            }
        }
        _ => {
            let (go, gu) = (scalar_group(o), scalar_group(u));
            if go != gu {
                cx.breaking(
                    path.to_string(),
                    "field_scalar_kind_changed",
                    format!(
                        "field {t} of `{msg}` changed from {} to {}, outside its wire-compatible group ({go})",
                        o.describe(),
                        u.describe()
                    ),
                    values,
                    &format!(
                        "Keep a type of the group {go}; for another type add a new field with a new number."
                    ),
                );
            } else if o != u && matches!((o, u), (FieldType::Scalar(_), FieldType::Scalar(_))) {
                let (a, b) = (o.describe(), u.describe());
                if a != b && go != "string/bytes" {
                    cx.out.notes.push(format!(
                        "`{msg}` field {t} changed from {a} to {b}: same wire group, accepted, but values outside the narrower type are truncated or change sign"
                    ));
                }
            }
        }
    }
}

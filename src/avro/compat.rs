//! Reader/writer resolution per the Avro specification ("Schema Resolution"), reporting every
//! mismatch rather than the first, and treating a partial match (an enum losing symbols) as a
//! mismatch. Paths follow the reader's schema in field-name form, e.g.
//! `/fields/address/fields/zip/type`; a union branch is a segment named after its type.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::error::AvroError;
use super::model::{prim_name, short_name, Body, Field, Named, Schema, Ty};
use super::validate::analyze_with;

/// Why data written with one schema cannot be read with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncompatibilityKind {
    /// Types differ and the writer's type does not promote to the reader's
    /// (int→long→float→double, string↔bytes are the only promotions).
    TypeMismatch,
    /// A reader field without a default is absent from the writer.
    MissingDefault,
    /// The writer has an enum symbol the reader lacks, and the reader enum has no `default`.
    MissingEnumSymbol,
    /// Named types (record, enum, fixed) differ in name and no reader alias matches.
    NameMismatch,
    /// Fixed types of different sizes.
    FixedSizeMismatch,
    /// A branch of the writer's union that the reader cannot read.
    UnionBranchMissing,
    /// The writer's (non-union) type matches no branch of the reader's union.
    ReaderUnionNoMatch,
}

impl IncompatibilityKind {
    /// The snake_case id, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            IncompatibilityKind::TypeMismatch => "type_mismatch",
            IncompatibilityKind::MissingDefault => "missing_default",
            IncompatibilityKind::MissingEnumSymbol => "missing_enum_symbol",
            IncompatibilityKind::NameMismatch => "name_mismatch",
            IncompatibilityKind::FixedSizeMismatch => "fixed_size_mismatch",
            IncompatibilityKind::UnionBranchMissing => "union_branch_missing",
            IncompatibilityKind::ReaderUnionNoMatch => "reader_union_no_match",
        }
    }
}

/// One reason a reader cannot read a writer's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Mismatch {
    /// Where, in the reader's schema, by field name: `/fields/address/fields/zip/type`; `/` is
    /// the top-level type. Union branches appear as their type name (`/fields/pay/com.acme.Card`).
    pub path: String,
    /// Stable snake_case id of the rule broken.
    pub kind: IncompatibilityKind,
    /// What differs, naming both sides.
    pub message: String,
    /// One line on how to make the change compatible.
    pub fix: String,
}

/// Can `reader` read data written with `writer`? Every mismatch, empty when it can.
/// Both are Avro schemas as JSON; an invalid one is an error naming it.
pub fn reader_writer(reader: &Value, writer: &Value) -> Result<Vec<Mismatch>, AvroError> {
    let r = parse(reader, "reader")?;
    let w = parse(writer, "writer")?;
    Ok(resolve(
        &r,
        &w,
        Roles {
            reader: "the reader",
            writer: "the writer",
            change: Side::Reader,
        },
    ))
}

pub(crate) fn parse(schema: &Value, input: &str) -> Result<Schema, AvroError> {
    parse_with(schema, input, false)
}

/// As [`parse`]; `lenient` reads a union default matching a non-first branch (earlier versions).
pub(crate) fn parse_with(schema: &Value, input: &str, lenient: bool) -> Result<Schema, AvroError> {
    match analyze_with(schema, lenient) {
        (_, Some(s)) => Ok(s),
        (problems, None) => Err(AvroError::invalid(input, problems)),
    }
}

/// How the two sides are named in messages (e.g. "the new schema" and "version 3"), and which
/// one fixes should change: the new schema, whichever side it is on.
#[derive(Clone, Copy)]
pub(crate) struct Roles<'a> {
    pub reader: &'a str,
    pub writer: &'a str,
    pub change: Side,
}

/// The side of a reader/writer pair that fixes address.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Reader,
    Writer,
}

/// All mismatches when `reader` reads data written with `writer`.
pub(crate) fn resolve(reader: &Schema, writer: &Schema, roles: Roles<'_>) -> Vec<Mismatch> {
    let mut r = Resolver {
        r: reader,
        w: writer,
        roles,
        in_progress: HashSet::new(),
        done: HashMap::new(),
        out: Vec::new(),
    };
    r.resolve(&reader.root, &writer.root, &Loc::root());
    r.out
}

/// A position in the reader's schema. `field` marks a record field, whose type is reported at
/// `<base>/type` while descending into it continues from `<base>`.
#[derive(Clone)]
struct Loc {
    base: String,
    field: bool,
}

impl Loc {
    fn root() -> Loc {
        Loc {
            base: String::new(),
            field: false,
        }
    }
    fn ty(&self) -> String {
        if self.field {
            format!("{}/type", self.base)
        } else if self.base.is_empty() {
            "/".into()
        } else {
            self.base.clone()
        }
    }
    fn at(&self, seg: &str) -> String {
        format!("{}/{seg}", self.base)
    }
    fn child(&self, seg: &str) -> Loc {
        Loc {
            base: self.at(seg),
            field: false,
        }
    }
    fn field(&self, name: &str) -> Loc {
        Loc {
            base: format!("{}/fields/{name}", self.base),
            field: true,
        }
    }
}

struct Resolver<'a> {
    r: &'a Schema,
    w: &'a Schema,
    roles: Roles<'a>,
    /// Named pairs being resolved now: met again (recursion), they are assumed to match.
    in_progress: HashSet<(usize, usize)>,
    /// Named pairs already resolved, and whether they matched; problems are reported once,
    /// at the first path where the pair meets.
    done: HashMap<(usize, usize), bool>,
    out: Vec<Mismatch>,
}

/// Writer types each type promotes to (spec: "the writer's schema may be promoted to the reader's").
fn promotes_to(writer: &Ty) -> &'static [&'static str] {
    match writer {
        Ty::Int => &["long", "float", "double"],
        Ty::Long => &["float", "double"],
        Ty::Float => &["double"],
        Ty::String => &["bytes"],
        Ty::Bytes => &["string"],
        _ => &[],
    }
}

/// Types that promote to `reader`.
fn promoted_from(reader: &Ty) -> &'static [&'static str] {
    match reader {
        Ty::Long => &["int"],
        Ty::Float => &["int", "long"],
        Ty::Double => &["int", "long", "float"],
        Ty::String => &["bytes"],
        Ty::Bytes => &["string"],
        _ => &[],
    }
}

fn is_primitive(t: &Ty) -> bool {
    !matches!(t, Ty::Array(_) | Ty::Map(_) | Ty::Union(_) | Ty::Named(_))
}

/// Reader names match writer names by unqualified name, or when a reader alias is the
/// writer's fullname.
fn names_match(r: &Named, w: &Named) -> bool {
    short_name(&r.fullname) == short_name(&w.fullname) || r.aliases.contains(&w.fullname)
}

impl Resolver<'_> {
    /// The fix for the side being changed.
    fn fix(&self, reader_side: String, writer_side: String) -> String {
        match self.roles.change {
            Side::Reader => reader_side,
            Side::Writer => writer_side,
        }
    }

    fn push(&mut self, kind: IncompatibilityKind, path: String, message: String, fix: String) {
        self.out.push(Mismatch {
            path,
            kind,
            message,
            fix,
        });
    }

    /// How well reader type `r` matches writer type `w` for union branch selection:
    /// 0 exact, 1 by promotion, alias or unqualified name, None not at all.
    fn rank(&self, r: &Ty, w: &Ty) -> Option<u8> {
        match (r, w) {
            (Ty::Array(_), Ty::Array(_)) | (Ty::Map(_), Ty::Map(_)) => Some(0),
            (Ty::Named(ri), Ty::Named(wi)) => {
                let (rn, wn) = (&self.r.named[*ri], &self.w.named[*wi]);
                if rn.body.kind() != wn.body.kind() {
                    None
                } else if rn.fullname == wn.fullname {
                    Some(0)
                } else if names_match(rn, wn) {
                    Some(1)
                } else {
                    None
                }
            }
            (r, w) if is_primitive(r) && is_primitive(w) => {
                if r == w {
                    Some(0)
                } else if promotes_to(w).contains(&prim_name(r)) {
                    Some(1)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn resolve(&mut self, rt: &Ty, wt: &Ty, loc: &Loc) -> bool {
        match (rt, wt) {
            (Ty::Union(rb), Ty::Union(wb)) => {
                let mut ok = true;
                for w in wb {
                    ok &= self.via_union(rt, rb, w, loc, true);
                }
                ok
            }
            (Ty::Union(rb), w) => self.via_union(rt, rb, w, loc, false),
            (r, Ty::Union(wb)) => {
                let mut ok = true;
                for w in wb {
                    if self.rank(r, w).is_some() {
                        ok &= self.resolve(r, w, loc);
                    } else {
                        let (wn, rd) = (self.w.branch_name(w), self.r.describe(r));
                        let Roles { reader, writer, .. } = self.roles;
                        let fix = self.fix(
                            format!(
                                "Make the type in {reader} a union that includes `{wn}`, as in \
                                 {writer}."
                            ),
                            format!(
                                "Drop branch `{wn}` in {writer}: {reader} reads only {rd} here."
                            ),
                        );
                        self.push(
                            IncompatibilityKind::UnionBranchMissing,
                            loc.ty(),
                            format!(
                                "{writer} has a union here whose branch `{wn}` cannot be read as \
                                 {rd} in {reader}"
                            ),
                            fix,
                        );
                        ok = false;
                    }
                }
                ok
            }
            (Ty::Array(ri), Ty::Array(wi)) => self.resolve(ri, wi, &loc.child("items")),
            (Ty::Map(rv), Ty::Map(wv)) => self.resolve(rv, wv, &loc.child("values")),
            (Ty::Named(ri), Ty::Named(wi)) => self.named(*ri, *wi, loc),
            (r, w) if is_primitive(r) && is_primitive(w) && self.rank(r, w).is_some() => true,
            (r, w) => {
                self.type_mismatch(r, w, loc);
                false
            }
        }
    }

    fn type_mismatch(&mut self, r: &Ty, w: &Ty, loc: &Loc) {
        let (rd, wd) = (self.r.describe(r), self.w.describe(w));
        let Roles { reader, writer, .. } = self.roles;
        let (wider, narrower) = (promotes_to(w), promoted_from(r));
        let reader_fix = if wider.is_empty() {
            format!(
                "Keep {wd} here in {reader}; to change a type, add a new field (with a default) \
                 and stop writing the old one."
            )
        } else {
            format!(
                "Keep {wd} here in {reader}, or widen to a type {wd} promotes to ({}).",
                wider.join(", ")
            )
        };
        let writer_fix = if narrower.is_empty() {
            format!(
                "Keep {rd} here in {writer}; to change a type, add a new field (with a default) \
                 and stop writing the old one."
            )
        } else {
            format!(
                "Keep {rd} here in {writer}, or a type that promotes to it ({}).",
                narrower.join(", ")
            )
        };
        let fix = self.fix(reader_fix, writer_fix);
        self.push(
            IncompatibilityKind::TypeMismatch,
            loc.ty(),
            format!("{reader} expects {rd} where {writer} has {wd}, which cannot be read as {rd}"),
            fix,
        );
    }

    /// Writer type `w` (one branch of a writer union, or a whole non-union type) read through the
    /// reader union `rb`: the best matching branch is resolved; any clean match will do.
    fn via_union(&mut self, rt: &Ty, rb: &[Ty], w: &Ty, loc: &Loc, writer_union: bool) -> bool {
        let mut cands: Vec<(u8, usize)> = rb
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.rank(r, w).map(|k| (k, i)))
            .collect();
        cands.sort_unstable();
        let Roles { reader, writer, .. } = self.roles;
        if cands.is_empty() {
            let (wn, rd) = (self.w.branch_name(w), self.r.describe(rt));
            let renamed = match w {
                Ty::Named(wi) => rb.iter().find_map(|r| match r {
                    Ty::Named(ri)
                        if self.r.named[*ri].body.kind() == self.w.named[*wi].body.kind() =>
                    {
                        Some(self.r.named[*ri].fullname.clone())
                    }
                    _ => None,
                }),
                _ => None,
            };
            let alias = renamed.map_or(String::new(), |rn| {
                format!(" If `{rn}` is the same type renamed, add \"aliases\": [\"{wn}\"] to it.")
            });
            let (kind, message) = if writer_union {
                (
                    IncompatibilityKind::UnionBranchMissing,
                    format!("{writer}'s union branch `{wn}` matches no branch of {rd} in {reader}"),
                )
            } else {
                (
                    IncompatibilityKind::ReaderUnionNoMatch,
                    format!(
                        "{writer} has {}, which matches no branch of {rd} in {reader}",
                        self.w.describe(w)
                    ),
                )
            };
            let fix = self.fix(
                format!("Add `{wn}` (or a type it promotes to) to the union in {reader}.{alias}"),
                format!(
                    "In {writer}, use only types {reader} reads here ({rd}); `{wn}` is not one."
                ),
            );
            self.push(kind, loc.ty(), message, fix);
            return false;
        }
        if let [(_, i)] = cands[..] {
            let seg = self.r.branch_name(&rb[i]);
            return self.resolve(&rb[i], w, &loc.child(&seg));
        }
        for &(_, i) in &cands {
            let saved = (self.in_progress.clone(), self.done.clone(), self.out.len());
            let seg = self.r.branch_name(&rb[i]);
            if self.resolve(&rb[i], w, &loc.child(&seg)) {
                return true;
            }
            self.in_progress = saved.0;
            self.done = saved.1;
            self.out.truncate(saved.2);
        }
        let i = cands[0].1;
        let seg = self.r.branch_name(&rb[i]);
        self.resolve(&rb[i], w, &loc.child(&seg));
        false
    }

    fn named(&mut self, ri: usize, wi: usize, loc: &Loc) -> bool {
        let key = (ri, wi);
        if self.in_progress.contains(&key) {
            return true;
        }
        if let Some(ok) = self.done.get(&key) {
            return *ok;
        }
        self.in_progress.insert(key);
        let (r_all, w_all) = (self.r, self.w);
        let (rn, wn) = (&r_all.named[ri], &w_all.named[wi]);
        let Roles { reader, writer, .. } = self.roles;
        let mut ok = true;
        if rn.body.kind() != wn.body.kind() {
            self.type_mismatch(&Ty::Named(ri), &Ty::Named(wi), loc);
            ok = false;
        } else {
            let kind = rn.body.kind();
            if !names_match(rn, wn) {
                let fix = self.fix(
                    format!(
                        "Keep the name `{}` in {reader}, or add \"aliases\": [\"{}\"] to the {kind}.",
                        short_name(&wn.fullname),
                        wn.fullname
                    ),
                    format!(
                        "Keep the name `{}` in {writer}; aliases help only the reading side.",
                        rn.fullname
                    ),
                );
                self.push(
                    IncompatibilityKind::NameMismatch,
                    loc.at("name"),
                    format!(
                        "{reader} names this {kind} `{}` but {writer} names it `{}`",
                        rn.fullname, wn.fullname
                    ),
                    fix,
                );
                ok = false;
            }
            match (&rn.body, &wn.body) {
                (Body::Record { fields: rf }, Body::Record { fields: wf }) => {
                    // The writer's fields by name (the first of a name, as a scan would find).
                    let mut by_name: HashMap<&str, &Field> = HashMap::with_capacity(wf.len());
                    for w in wf {
                        by_name.entry(w.name.as_str()).or_insert(w);
                    }
                    for f in rf {
                        let found = by_name.get(f.name.as_str()).copied().or_else(|| {
                            f.aliases
                                .iter()
                                .find_map(|a| by_name.get(a.as_str()).copied())
                        });
                        match found {
                            Some(w) => ok &= self.resolve(&f.ty, &w.ty, &loc.field(&f.name)),
                            None if f.default.is_some() => {}
                            None => {
                                self.missing_default(r_all, &f.name, &f.ty, loc);
                                ok = false;
                            }
                        }
                    }
                }
                (
                    Body::Enum {
                        symbols: rs,
                        default: rd,
                    },
                    Body::Enum { symbols: ws, .. },
                ) if rd.is_none() => {
                    for s in ws.iter().filter(|s| !rs.contains(s)) {
                        let fix = self.fix(
                            format!(
                                "Add `{s}` to the symbols in {reader}, or give its enum a \
                                 \"default\" symbol for unknown values."
                            ),
                            format!(
                                "Remove `{s}` from the symbols in {writer}: the enum in {reader} \
                                 has no \"default\" to fall back on."
                            ),
                        );
                        self.push(
                            IncompatibilityKind::MissingEnumSymbol,
                            loc.at("symbols"),
                            format!(
                                "{writer} can write symbol `{s}` of enum `{}`, which {reader} \
                                 lacks, and the enum in {reader} has no \"default\"",
                                wn.fullname
                            ),
                            fix,
                        );
                        ok = false;
                    }
                }
                (Body::Fixed { size: rs }, Body::Fixed { size: ws }) if rs != ws => {
                    let fix = self.fix(
                        format!(
                            "A fixed size cannot change: keep size {ws} in {reader}, or add a new \
                             field with a new fixed type."
                        ),
                        format!(
                            "A fixed size cannot change: keep size {rs} in {writer}, or add a new \
                             field with a new fixed type."
                        ),
                    );
                    self.push(
                        IncompatibilityKind::FixedSizeMismatch,
                        loc.at("size"),
                        format!(
                            "fixed `{}` is {rs} bytes in {reader} but {ws} bytes in {writer}",
                            rn.fullname
                        ),
                        fix,
                    );
                    ok = false;
                }
                _ => {}
            }
        }
        self.in_progress.remove(&key);
        self.done.insert(key, ok);
        ok
    }

    fn missing_default(&mut self, r_all: &Schema, name: &str, ty: &Ty, loc: &Loc) {
        let Roles { reader, writer, .. } = self.roles;
        let reader_fix = match ty {
            Ty::Union(bs) if bs.first() == Some(&Ty::Null) => {
                format!("Add \"default\": null to field `{name}` in {reader}.")
            }
            Ty::Union(_) => format!(
                "Add a default of the union's first branch to field `{name}` in {reader}, e.g. \
                 \"default\": {}; if it was renamed, add \"aliases\": [\"<old name>\"].",
                r_all.example_default(ty)
            ),
            ty => format!(
                "Add \"default\": {} to field `{name}` in {reader}, or make it [\"null\", {}] \
                 with \"default\": null; if it was renamed, add \"aliases\": [\"<old name>\"].",
                r_all.example_default(ty),
                branch_json(r_all, ty)
            ),
        };
        let fix = self.fix(
            reader_fix,
            format!("Keep field `{name}` in {writer}: {reader} has no default for it."),
        );
        self.push(
            IncompatibilityKind::MissingDefault,
            loc.field(name).base,
            format!(
                "field `{name}` ({}) of {reader} is absent from {writer} and has no default",
                r_all.describe(ty)
            ),
            fix,
        );
    }
}

/// A type as it would be written inside a union in a fix hint.
fn branch_json(s: &Schema, ty: &Ty) -> String {
    match ty {
        Ty::Array(_) | Ty::Map(_) => "{...}".into(),
        other => format!("\"{}\"", s.branch_name(other)),
    }
}

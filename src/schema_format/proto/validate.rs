//! Compiling a `.proto` with `protox` (parser and descriptor checks: syntax, unresolved types,
//! duplicate numbers and names, invalid or reserved numbers, map and oneof misuse, proto3 enum
//! defaults, missing imports) and turning each of its errors into a located problem.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use miette::Diagnostic;
use protox::file::{File, FileResolver, GoogleFileResolver};

use super::model::ProtoModel;
use crate::schema_format::model::{fingerprint, Format, Refs, SchemaProblem, SchemaValidation};

/// The name the schema under check is compiled as; imports name the others.
pub const MAIN_FILE: &str = "schema.proto";

/// Imported files already parsed in this call, by import name: every version of a history
/// imports the same references, so each is parsed once.
pub(crate) type Imports = Rc<RefCell<HashMap<String, File>>>;

/// Files by import name: the schema, its references, then Google's well-known types. Owns
/// its texts: protox keeps the resolver for the compiler's lifetime.
struct MapResolver {
    main: String,
    refs: Refs,
    google: GoogleFileResolver,
    imports: Imports,
    /// Keep the schema's source locations (for located errors).
    locations: bool,
}

impl FileResolver for MapResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if name == MAIN_FILE {
            let file = File::from_source(name, &self.main)?;
            if self.locations {
                return Ok(file);
            }
            let mut proto = prost_reflect::prost_types::FileDescriptorProto::from(file);
            proto.source_code_info = None;
            return Ok(File::from_file_descriptor_proto(proto));
        }
        if let Some(f) = self.imports.borrow().get(name) {
            return Ok(f.clone());
        }
        let file = match self.refs.get(name) {
            Some(text) => File::from_source(name, text),
            None => self.google.open_file(name),
        }?;
        self.imports
            .borrow_mut()
            .insert(name.to_string(), file.clone());
        Ok(file)
    }
}

/// Compile `text` (importing from `refs`) into the model the rules compare, plus the syntax
/// (`proto2`, `proto3`, `editions`); every problem when it does not compile.
pub fn compile(text: &str, refs: &Refs) -> Result<(ProtoModel, String), Vec<SchemaProblem>> {
    compile_with(text, refs, &Imports::default())
}

/// As [`compile`], reusing (and adding to) the imports parsed by earlier compiles of the call.
pub(crate) fn compile_with(
    text: &str,
    refs: &Refs,
    imports: &Imports,
) -> Result<(ProtoModel, String), Vec<SchemaProblem>> {
    let file = file_descriptor_with(text, refs, imports)?;
    let syntax = match file.file_descriptor_proto().syntax() {
        "" => "proto2".to_string(),
        s => s.to_string(),
    };
    let reused = reserved_names_reused(&file, text);
    if !reused.is_empty() {
        return Err(reused);
    }
    Ok((ProtoModel::from_file(&file), syntax))
}

/// The compiled descriptor of `text` (importing from `refs`), in a pool holding its imports:
/// what decoding a message needs. Every problem when it does not compile.
pub fn file_descriptor(
    text: &str,
    refs: &Refs,
) -> Result<prost_reflect::FileDescriptor, Vec<SchemaProblem>> {
    file_descriptor_with(text, refs, &Imports::default())
}

fn file_descriptor_with(
    text: &str,
    refs: &Refs,
    imports: &Imports,
) -> Result<prost_reflect::FileDescriptor, Vec<SchemaProblem>> {
    // First without the schema's source locations (the descriptor pool then indexes no spans
    // for it: a third less work); only errors need them, so a schema that does not compile is
    // compiled again with them, and its problems come from that second run.
    match compile_file(text, refs, imports, false) {
        Ok(file) => Ok(file),
        Err(_) => compile_file(text, refs, imports, true),
    }
}

fn compile_file(
    text: &str,
    refs: &Refs,
    imports: &Imports,
    locations: bool,
) -> Result<prost_reflect::FileDescriptor, Vec<SchemaProblem>> {
    let mut compiler = protox::Compiler::with_file_resolver(MapResolver {
        main: text.to_string(),
        refs: refs.clone(),
        google: GoogleFileResolver::new(),
        imports: Rc::clone(imports),
        locations,
    });
    compiler.include_imports(true).include_source_info(true);
    if let Err(e) = compiler.open_file(MAIN_FILE) {
        let mut sources: HashMap<&str, &str> =
            refs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        sources.insert(MAIN_FILE, text);
        return Err(problems_of(&e, &sources));
    }
    let pool = compiler.descriptor_pool();
    pool.get_file_by_name(MAIN_FILE).ok_or_else(|| {
        vec![SchemaProblem::error(
            "/",
            "not_compiled",
            "the schema compiled to no file descriptor".into(),
            "Send the .proto text itself as `schema`.".into(),
        )]
    })
}

/// Fields named like a name their message reserves (the descriptor builder checks reserved
/// numbers, not names).
fn reserved_names_reused(file: &prost_reflect::FileDescriptor, text: &str) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    let mut stack: Vec<prost_reflect::MessageDescriptor> = file.messages().collect();
    while let Some(m) = stack.pop() {
        stack.extend(m.child_messages());
        let reserved: Vec<&str> = m.reserved_names().collect();
        for f in m.fields() {
            if reserved.contains(&f.name()) {
                let at = [
                    format!("{} = {}", f.name(), f.number()),
                    format!("{}={}", f.name(), f.number()),
                ]
                .iter()
                .find_map(|needle| text.find(needle.as_str()));
                let (line, column) = match at {
                    Some(o) => {
                        let (l, c) = line_col(text, o);
                        (Some(l), Some(c))
                    }
                    None => (None, None),
                };
                out.push(SchemaProblem {
                    path: match (line, column) {
                        (Some(l), Some(c)) => format!("{MAIN_FILE}:{l}:{c}"),
                        _ => MAIN_FILE.to_string(),
                    },
                    kind: "reserved_reused".into(),
                    level: crate::avro::Level::Error,
                    message: format!(
                        "field {} `{}` of `{}` uses a reserved name",
                        f.number(),
                        f.name(),
                        m.full_name()
                    ),
                    fix: "Use a number or name outside the message's `reserved` list: reserved ones belonged to removed fields.".into(),
                    file: Some(MAIN_FILE.into()),
                    line,
                    column,
                });
            }
        }
    }
    out
}

/// Every problem in a `.proto`, its canonical form and fingerprint.
pub fn validate(text: &str, refs: &Refs) -> SchemaValidation {
    match compile(text, refs) {
        Ok((model, syntax)) => {
            let problems = model.warnings();
            let canonical = model.canonical.clone();
            SchemaValidation {
                format: Format::Protobuf,
                valid: true,
                problems,
                fingerprint_rabin: Some(fingerprint(&canonical)),
                canonical_form: Some(canonical),
                dialect: Some(syntax),
            }
        }
        Err(problems) => SchemaValidation {
            format: Format::Protobuf,
            valid: false,
            problems,
            canonical_form: None,
            fingerprint_rabin: None,
            dialect: None,
        },
    }
}

/// The compiler's error and every related one, each located when it has a span.
fn problems_of(e: &protox::Error, sources: &HashMap<&str, &str>) -> Vec<SchemaProblem> {
    let file = e.file().unwrap_or(MAIN_FILE).to_string();
    let mut out = vec![problem(e, &file, sources)];
    if let Some(related) = e.related() {
        for d in related {
            out.push(problem(d, &file, sources));
        }
    }
    out.dedup();
    out
}

fn problem(d: &dyn Diagnostic, file: &str, sources: &HashMap<&str, &str>) -> SchemaProblem {
    let message = d.to_string();
    let offset = d.labels().and_then(|mut l| l.next()).map(|l| l.offset());
    let (line, column) = match (offset, sources.get(file)) {
        (Some(o), Some(src)) => {
            let (l, c) = line_col(src, o);
            (Some(l), Some(c))
        }
        _ => (None, None),
    };
    let (kind, fix) = classify(&message);
    let path = match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        _ => file.to_string(),
    };
    let help = d.help().map(|h| h.to_string());
    SchemaProblem {
        path,
        kind: kind.to_string(),
        level: crate::avro::Level::Error,
        message: match help {
            Some(h) if !h.is_empty() => format!("{message} ({h})"),
            _ => message,
        },
        fix: fix.to_string(),
        file: Some(file.to_string()),
        line,
        column,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..src.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// A stable rule id and a fix for a compiler message. The messages are protox's and
/// prost-reflect's; unknown ones keep their text under `invalid_proto`.
fn classify(message: &str) -> (&'static str, &'static str) {
    let m = message.to_ascii_lowercase();
    let table: &[(&[&str], &str, &str)] = &[
        (
            &["enum number", "already been used"],
            "duplicate_enum_number",
            "Give each enum value its own number, or add `option allow_alias = true;` to the enum if the values are meant as aliases.",
        ),
        (
            &["conflicts with extension range"],
            "extension_range_conflict",
            "Use a field number outside the message's `extensions` ranges (or narrow the range).",
        ),
        (
            &["is not defined"],
            "unresolved_type",
            "Define the type, fix its name (check the package prefix), or import the file that defines it.",
        ),
        (
            &["defined twice"],
            "duplicate_name",
            "Rename one of the two: names are unique within their message, enum or package.",
        ),
        (
            &["numbers must be between"],
            "invalid_field_number",
            "Use a field number from 1 to 536870911, outside 19000-19999 (reserved by protobuf).",
        ),
        (
            &["first value", "must be 0"],
            "enum_first_value_not_zero",
            "In proto3 the first enum value must be 0 (e.g. `STATUS_UNSPECIFIED = 0;`): add one first.",
        ),
        (
            &["import", "not found"],
            "missing_import",
            "Send the imported file too: inline in `references` (file name → text), from schema_dir, or as a registry reference named exactly as imported.",
        ),
        (
            &["import cycle"],
            "import_cycle",
            "Break the cycle: move the shared types into a third file both import.",
        ),
        (
            &["is already defined", "field number"],
            "duplicate_field_number",
            "Give each field of a message its own number; keep the old number on the old field.",
        ),
        (
            &["field number", "already used"],
            "duplicate_field_number",
            "Give each field of a message its own number; keep the old number on the old field.",
        ),
        (
            &["reserved"],
            "reserved_reused",
            "Use a number or name outside the message's `reserved` list: reserved ones belonged to removed fields.",
        ),
        (
            &["invalid field number", ""],
            "invalid_field_number",
            "Use a field number from 1 to 536870911, outside 19000-19999 (reserved by protobuf).",
        ),
        (
            &["field numbers must be positive"],
            "invalid_field_number",
            "Use a field number from 1 to 536870911, outside 19000-19999 (reserved by protobuf).",
        ),
        (
            &["19000"],
            "invalid_field_number",
            "Use a field number from 1 to 536870911, outside 19000-19999 (reserved by protobuf).",
        ),
        (
            &["already defined"],
            "duplicate_name",
            "Rename one of the two: names are unique within their message, enum or package.",
        ),
        (
            &["json name"],
            "duplicate_json_name",
            "Rename one field: two fields map to the same JSON name (camelCase), which breaks JSON encoding.",
        ),
        (
            &["camel"],
            "duplicate_json_name",
            "Rename one field: two fields map to the same JSON name (camelCase), which breaks JSON encoding.",
        ),
        (
            &["first enum value", ""],
            "enum_first_value_not_zero",
            "In proto3 the first enum value must be 0 (e.g. `STATUS_UNSPECIFIED = 0;`): add one first.",
        ),
        (
            &["enum", "zero"],
            "enum_first_value_not_zero",
            "In proto3 the first enum value must be 0 (e.g. `STATUS_UNSPECIFIED = 0;`): add one first.",
        ),
        (
            &["not found"],
            "unresolved_type",
            "Define the type, fix its name (check the package prefix), or import the file that defines it.",
        ),
        (
            &["map"],
            "map_misuse",
            "A map field is `map<KeyType, ValueType> name = N;`: keys are integral or string types, never float, bytes, enum or message; maps cannot be repeated, in a oneof, or have a label.",
        ),
        (
            &["oneof"],
            "oneof_misuse",
            "A oneof holds plain fields: no `repeated`, `optional`, `required` or map fields inside; give it at least one field.",
        ),
        (
            &["required"],
            "label_misuse",
            "proto3 has no `required`; use a plain field (or `optional` for presence).",
        ),
        (
            &["label"],
            "label_misuse",
            "Check the field's label for this syntax: proto3 allows `optional` and `repeated` only.",
        ),
        (
            &["syntax"],
            "syntax_error",
            "Start the file with `syntax = \"proto3\";` (or \"proto2\", or `edition = \"2023\";`) and fix the statement at this line and column.",
        ),
        (
            &["expected", ""],
            "syntax_error",
            "Fix the statement at this line and column (a missing `;`, `=`, brace or field number is the usual cause).",
        ),
        (
            &["invalid", "type"],
            "invalid_type",
            "Use a scalar type, a message or an enum here.",
        ),
        (
            &["default"],
            "invalid_default",
            "Make the default a value of the field's type (proto2 only; proto3 has no explicit defaults).",
        ),
    ];
    for (words, kind, fix) in table {
        if words
            .iter()
            .filter(|w| !w.is_empty())
            .all(|w| m.contains(w))
        {
            return (kind, fix);
        }
    }
    (
        "invalid_proto",
        "Fix the statement at this location; the message says what the compiler expected.",
    )
}

//! Protobuf schema checks without a Schema Registry: compile a `.proto` (and the files it
//! imports, by name) with `protox` into `prost-reflect` descriptors, report every problem with
//! file, line and column, write a canonical form, and compare two versions with the Confluent
//! registry's Protobuf rules (its difference types; Buf's WIRE/WIRE_JSON categories add notes,
//! never a different verdict). Pure: texts in, reports out; no files, network, env or clock.
//!
//! - `validate`: the parser's and descriptor builder's errors, each located.
//! - `model`: the plain form the rules compare (messages and enums by name relative to the
//!   package, fields by number).
//! - `diff`: Confluent's `SchemaDiff` semantics over two models.

mod diff;
mod model;
mod validate;

#[cfg(test)]
mod tests;

pub use diff::diff;
pub use model::ProtoModel;
pub use validate::{compile, file_descriptor, validate, MAIN_FILE};

use crate::schema_format::model::{Diff, Format, Refs, Rules, SchemaProblem};

/// The Protobuf rules behind [`crate::schema_format::check`], each schema compiled on its own.
pub struct ProtoRules;

impl Rules for ProtoRules {
    type Parsed = ProtoModel;
    const FORMAT: Format = Format::Protobuf;

    fn parse(&self, text: &str, refs: &Refs) -> Result<ProtoModel, Vec<SchemaProblem>> {
        compile(text, refs).map(|(m, _)| m)
    }

    fn diff(&self, original: &ProtoModel, update: &ProtoModel) -> Diff {
        diff(original, update)
    }
}

/// [`ProtoRules`] for one call over many versions: the imported files are parsed once and
/// shared by every version compiled. Make one per call (the references are the call's).
#[derive(Default)]
pub(crate) struct CachedProtoRules {
    imports: validate::Imports,
}

impl Rules for CachedProtoRules {
    type Parsed = ProtoModel;
    const FORMAT: Format = Format::Protobuf;

    fn parse(&self, text: &str, refs: &Refs) -> Result<ProtoModel, Vec<SchemaProblem>> {
        validate::compile_with(text, refs, &self.imports).map(|(m, _)| m)
    }

    fn diff(&self, original: &ProtoModel, update: &ProtoModel) -> Diff {
        diff(original, update)
    }
}

//! JSON Schema checks without a Schema Registry: validation against the draft's metaschema
//! (the `jsonschema` crate), `$ref`s resolved (local pointers and references by name), keyword
//! sanity (minimum above maximum, `required` naming a property a closed object forbids, ...),
//! a canonical form; and compatibility with the Confluent registry's JSON Schema rules
//! (its difference types, open/closed content model). Pure: texts in, reports out.
//!
//! - `validate`: every problem with its JSON Pointer.
//! - `diff`: Confluent's `SchemaDiff` semantics over two documents, `$ref`s followed.

mod diff;
mod doc;
mod validate;

#[cfg(test)]
mod tests;

pub use diff::{content_model, diff};
pub use doc::{Draft, JsonDoc};
pub use validate::validate;

use crate::schema_format::{Diff, Format, Refs, Rules, SchemaProblem};

/// The JSON Schema rules behind [`crate::schema_format::check`].
pub struct JsonRules;

impl Rules for JsonRules {
    type Parsed = JsonDoc;
    const FORMAT: Format = Format::Json;

    fn parse(&self, text: &str, refs: &Refs) -> Result<JsonDoc, Vec<SchemaProblem>> {
        let v = validate::validate(text, refs);
        if !v.valid {
            return Err(v.problems);
        }
        JsonDoc::parse(text, refs).map_err(|p| vec![*p])
    }

    fn diff(&self, original: &JsonDoc, update: &JsonDoc) -> Diff {
        diff(original, update)
    }

    fn content_model(&self, new: &JsonDoc) -> Option<String> {
        Some(content_model(new))
    }
}

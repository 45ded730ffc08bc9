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

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::schema_format::model::{Diff, Format, Refs, Rules, SchemaProblem};

/// The JSON Schema rules behind [`crate::schema_format::check`], each schema read on its own.
pub struct JsonRules;

impl Rules for JsonRules {
    type Parsed = JsonDoc;
    const FORMAT: Format = Format::Json;

    fn parse(&self, text: &str, refs: &Refs) -> Result<JsonDoc, Vec<SchemaProblem>> {
        CachedJsonRules::default().parse(text, refs)
    }

    fn diff(&self, original: &JsonDoc, update: &JsonDoc) -> Diff {
        diff(original, update)
    }

    fn content_model(&self, new: &JsonDoc) -> Option<String> {
        Some(content_model(new))
    }
}

/// [`JsonRules`] for one call over many versions: holds what the versions share, the
/// references (the same for every version) parsed once, and their problems, checked once per
/// root draft and `$id`. Make one per call.
#[derive(Default)]
pub(crate) struct CachedJsonRules {
    /// The references as parsed (or the problem of the first that is not JSON), once.
    refs: OnceCell<Result<BTreeMap<String, Value>, Box<SchemaProblem>>>,
    /// The references' problems by (root draft, root `$id`).
    ref_problems: RefCell<HashMap<RefKey, Vec<SchemaProblem>>>,
}

/// What the references' problems depend on besides the references: the root's draft and `$id`.
type RefKey = (Draft, Option<String>);

impl Rules for CachedJsonRules {
    type Parsed = JsonDoc;
    const FORMAT: Format = Format::Json;

    fn parse(&self, text: &str, refs: &Refs) -> Result<JsonDoc, Vec<SchemaProblem>> {
        let root = doc::parse_root(text).map_err(|p| vec![*p])?;
        let parsed = self
            .refs
            .get_or_init(|| doc::parse_refs(refs))
            .clone()
            .map_err(|p| vec![*p])?;
        let doc = JsonDoc::new(root, parsed);
        let (problems, _) = validate::problems(&doc, &mut |draft, doc| {
            let id = doc
                .root
                .get("$id")
                .and_then(Value::as_str)
                .map(str::to_string);
            self.ref_problems
                .borrow_mut()
                .entry((draft, id))
                .or_insert_with(|| validate::ref_problems(doc, draft))
                .clone()
        });
        if validate::has_error(&problems) {
            return Err(problems);
        }
        Ok(doc)
    }

    fn diff(&self, original: &JsonDoc, update: &JsonDoc) -> Diff {
        diff(original, update)
    }

    fn content_model(&self, new: &JsonDoc) -> Option<String> {
        Some(content_model(new))
    }
}

//! 64-bit offsets (and offset-sized counts and epoch-ms) on the wire: decimal strings (`"1128"`),
//! so no JSON reader rounds them past 2^53. Counts that cannot get that big (partitions, groups)
//! stay numbers.
//!
//! One serde attribute per field gives both the JSON and the JSON Schema, because schemars reads
//! serde's `with` as the type to describe:
//!
//! ```ignore
//! #[serde(with = "Offset")]
//! pub end_offset: i64,            // "896",   schema {"type":"string"}
//! #[serde(with = "OptOffset")]
//! pub committed_offset: Option<i64>, // "896" or null, schema {"type":["string","null"]}
//! ```
//!
//! [`Offset`] and [`OptOffset`] are never values (no variants): the fields stay plain `i64` /
//! `Option<i64>` for the code that computes with them. Pure: serde and schemars only.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serializer;

/// `#[serde(with = "Offset")]` on an `i64` field: written as a decimal string, described as
/// `{"type":"string"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {}

impl Offset {
    /// Writes `v` as a decimal string (serde's `with` calls this).
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

impl JsonSchema for Offset {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        <String as JsonSchema>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <String as JsonSchema>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <String as JsonSchema>::json_schema(generator)
    }
}

/// `#[serde(with = "OptOffset")]` on an `Option<i64>` field: a decimal string, or `null`;
/// described as `Option<String>` is (`{"type":["string","null"]}`, and not required where an
/// `Option` is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOffset {}

impl OptOffset {
    /// Writes `v` as a decimal string, or `null` (serde's `with` calls this).
    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }
}

/// Everything forwards to `Option<String>`, the type the fields used to name in
/// `#[schemars(with = "Option<String>")]`, including the two hidden hooks schemars' own forwarding
/// impls forward: they make the field optional in a deserialize-contract schema, as an `Option`
/// is. `tests::same_schema_as_the_attribute_pairs` pins the result.
impl JsonSchema for OptOffset {
    fn inline_schema() -> bool {
        <Option<String> as JsonSchema>::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        <Option<String> as JsonSchema>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <Option<String> as JsonSchema>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Option<String> as JsonSchema>::json_schema(generator)
    }

    fn _schemars_private_non_optional_json_schema(generator: &mut SchemaGenerator) -> Schema {
        #[allow(clippy::used_underscore_items)]
        <Option<String> as JsonSchema>::_schemars_private_non_optional_json_schema(generator)
    }

    fn _schemars_private_is_option() -> bool {
        #[allow(clippy::used_underscore_items)]
        <Option<String> as JsonSchema>::_schemars_private_is_option()
    }
}

/// An offset as librdkafka reports it, with its sentinels (`-1001` OFFSET_INVALID, `-1`, ...) turned into `None`.
pub fn offset_from_raw(raw: i64) -> Option<i64> {
    (raw >= 0).then_some(raw)
}

#[cfg(test)]
mod tests {
    use schemars::generate::SchemaSettings;
    use serde::Serialize;

    use super::*;

    /// The attribute pairs this module replaced, kept here as the reference.
    mod pairs {
        pub fn serialize<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(v)
        }
        pub fn serialize_option<S: serde::Serializer>(
            v: &Option<i64>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }
    }

    /// A documented row, as the analysis outputs are.
    #[derive(Serialize, JsonSchema)]
    struct Before {
        /// An offset.
        #[serde(serialize_with = "pairs::serialize")]
        #[schemars(with = "String")]
        offset: i64,
        /// Maybe an offset.
        #[serde(serialize_with = "pairs::serialize_option")]
        #[schemars(with = "Option<String>")]
        maybe: Option<i64>,
        /// A count that stays a number.
        count: u32,
    }

    // The same row with this module's types; same name and doc, so the schemas can be compared.
    /// A documented row, as the analysis outputs are.
    #[derive(Serialize, JsonSchema)]
    #[schemars(rename = "Before")]
    struct After {
        /// An offset.
        #[serde(with = "Offset")]
        offset: i64,
        /// Maybe an offset.
        #[serde(with = "OptOffset")]
        maybe: Option<i64>,
        /// A count that stays a number.
        count: u32,
    }

    #[test]
    fn same_json_as_the_attribute_pairs() {
        for (offset, maybe) in [
            (0, None),
            (896, Some(104)),
            (i64::MAX, Some(i64::MIN)),
            (-1, Some(-1001)),
        ] {
            let before = serde_json::to_string(&Before {
                offset,
                maybe,
                count: 3,
            })
            .unwrap();
            let after = serde_json::to_string(&After {
                offset,
                maybe,
                count: 3,
            })
            .unwrap();
            assert_eq!(before, after);
        }
        let json = serde_json::to_value(After {
            offset: 9_007_199_254_740_993,
            maybe: None,
            count: 3,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"offset": "9007199254740993", "maybe": null, "count": 3})
        );
    }

    #[test]
    fn same_schema_as_the_attribute_pairs() {
        for settings in [
            SchemaSettings::draft2020_12(),
            SchemaSettings::draft2020_12().for_serialize(),
            SchemaSettings::draft07(),
        ] {
            let before = settings
                .clone()
                .into_generator()
                .into_root_schema_for::<Before>();
            let after = settings.into_generator().into_root_schema_for::<After>();
            assert_eq!(
                serde_json::to_string(&before).unwrap(),
                serde_json::to_string(&after).unwrap()
            );
        }
        let schema = schemars::schema_for!(After);
        assert_eq!(schema.as_value()["properties"]["offset"]["type"], "string");
        assert_eq!(
            schema.as_value()["properties"]["maybe"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert_eq!(
            schema.as_value()["required"],
            serde_json::json!(["offset", "count"]),
            "an Option is optional to a reader, as before"
        );
    }
}

//! Tests across `analysis::lag`: every output schema documents every field, 64-bit numbers as
//! strings.

use super::*;
use serde_json::Value;

fn undocumented(schema: &Value, path: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, prop) in props {
                    if prop.get("description").is_none() {
                        out.push(format!("{path}.{name}"));
                    }
                }
            }
            for (k, v) in map {
                undocumented(v, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| undocumented(v, path, out)),
        _ => {}
    }
}

#[test]
fn output_schemas_document_every_field() {
    let schemas = [
        (
            "GroupLag",
            serde_json::to_value(schemars::schema_for!(GroupLag)),
        ),
        (
            "GroupVerdict",
            serde_json::to_value(schemars::schema_for!(GroupVerdict)),
        ),
        (
            "ResetPlan",
            serde_json::to_value(schemars::schema_for!(ResetPlan)),
        ),
    ];
    for (name, schema) in schemas {
        let schema = schema.expect("schema serializes");
        let mut missing = Vec::new();
        undocumented(&schema, name, &mut missing);
        assert!(missing.is_empty(), "undocumented fields: {missing:?}");
    }
    let schema = serde_json::to_value(schemars::schema_for!(GroupLag)).expect("schema");
    assert_eq!(schema["properties"]["total_lag_messages"]["type"], "string");
    let lag = &schema["$defs"]["PartitionLag"]["properties"]["lag_messages"]["type"];
    assert_eq!(lag, &serde_json::json!(["string", "null"]));
}

//! The whole tools/list answer stays lean (an agent pays for it on every session) and every tool
//! declares input and output schemas. Fails when it grows past the budget.

mod common;

use common::*;
use serde_json::json;

/// Bytes of compact JSON for the whole tools/list result, writes enabled (all tools). The last
/// 512 pay for typed schemas (`crate::schema::typed`): strict clients want "any JSON value"
/// spelled as single-typed `anyOf` branches (~110 bytes each) instead of a bare `true`.
const BUDGET_BYTES: usize = 12 * 1024 + 512;

#[test]
fn tools_list_fits_the_budget() {
    let mut s = Stdio::start(&["--allow-writes"], &[]);
    let r = s.request("tools/list", json!({}));
    let tools = &r["result"]["tools"];
    let size = serde_json::to_vec(tools).unwrap().len();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for want in [
        "cluster_health",
        "topic_manage",
        "consumer_groups",
        "config_audit",
        "schema_validate",
        "apply_change",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for t in tools.as_array().unwrap() {
        assert!(
            t["outputSchema"]["properties"].is_object(),
            "{} declares its output",
            t["name"]
        );
        assert!(
            t["inputSchema"]["properties"].is_object(),
            "{} declares its input",
            t["name"]
        );
    }
    assert!(
        size <= BUDGET_BYTES,
        "tools/list is {size} bytes, budget {BUDGET_BYTES}: trim descriptions or schemas"
    );
    eprintln!("tools/list: {size} bytes for {} tools", names.len());
}

#[test]
fn structured_content_matches_the_declared_output_schema() {
    // cluster_health without a broker errors; consumer of the schema check: schema_validate works offline.
    let mut s = Stdio::start(&[], &[]);
    let tools = s.request("tools/list", json!({}));
    let schema = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "schema_validate")
        .unwrap()["outputSchema"]
        .clone();
    let r = s.call("schema_validate", json!({"action": "validate", "schema": "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}"}));
    let out = &r["structuredContent"];
    for (k, v) in out.as_object().unwrap() {
        let decl = &schema["properties"][k];
        assert!(
            decl.is_object(),
            "field {k} is not declared in the output schema"
        );
        let ty = decl["type"].as_str().unwrap_or("");
        let ok = match ty {
            "string" => v.is_string(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            _ => true,
        };
        assert!(ok, "field {k} = {v} does not match declared type {ty}");
    }
    for req in schema["required"].as_array().into_iter().flatten() {
        assert!(
            out.get(req.as_str().unwrap()).is_some(),
            "required {req} missing"
        );
    }
}

//! The README's tool reference stays in sync with the published schemas: every tool, every
//! action/scope/mode value and every input field an agent can send is named in README.md.

mod common;

use common::*;
use serde_json::json;

#[test]
fn readme_names_every_tool_action_and_field() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut s = Stdio::start(&["--allow-writes"], &[]);
    let r = s.request("tools/list", json!({}));
    let mut missing = Vec::new();
    for t in r["result"]["tools"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if !readme.contains(&format!("`{name}`")) {
            missing.push(format!("tool {name}"));
        }
        for (field, schema) in t["inputSchema"]["properties"].as_object().unwrap() {
            if matches!(field.as_str(), "cluster" | "limit" | "cursor") {
                continue;
            }
            if ["action", "scope"].contains(&field.as_str()) {
                for v in schema["enum"].as_array().into_iter().flatten() {
                    let v = v.as_str().unwrap();
                    if !readme.contains(v) {
                        missing.push(format!("{name} {field}={v}"));
                    }
                }
            }
            if !readme.contains(field.as_str()) {
                missing.push(format!("{name} field {field}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README.md does not mention: {missing:?}"
    );
}

//! `schema_validate` over MCP: the real binary over stdio, schema files under a temp
//! `schema_dir`, and a small Confluent Schema Registry (the REST subset the tool uses, with basic
//! auth) served by the test itself on 127.0.0.1.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

const USER: &str = "it-user";
const PASSWORD: &str = "pw-Zq81-never-shown";

// --- schemas -----------------------------------------------------------------------------------

fn order_v1() -> Value {
    json!({"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "int"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}
    ]})
}

/// Breaks BACKWARD against `order_v1` three ways: int→string, a lost enum symbol, and a new
/// field without a default.
fn order_broken() -> Value {
    json!({"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "string"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW"]}},
        {"name": "currency", "type": "string"}
    ]})
}

/// `order_v1` plus an optional field: compatible every way.
fn order_v2() -> Value {
    json!({"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "int"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "note", "type": ["null", "string"], "default": null}
    ]})
}

fn rec(fields: Value) -> Value {
    json!({"type": "record", "name": "R", "fields": fields})
}

/// v1 {a}; v2 {a, b = "x"}; new {a, b without default}: BACKWARD passes (v2 has b), but
/// BACKWARD_TRANSITIVE fails against v1 (no b, no default).
fn history() -> (Value, Value, Value) {
    (
        rec(json!([{"name": "a", "type": "int"}])),
        rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}])),
        rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string"}])),
    )
}

// --- helpers -----------------------------------------------------------------------------------

fn call_ok(s: &mut Stdio, args: Value) -> Value {
    let r = s.call("schema_validate", args.clone());
    assert!(
        !is_error(&r),
        "unexpected tool error for {args}: {}",
        text(&r)
    );
    r
}

fn call_err(s: &mut Stdio, args: Value) -> String {
    let r = s.call("schema_validate", args.clone());
    assert!(is_error(&r), "expected a tool error for {args}, got {r}");
    text(&r)
}

/// Writes a TOML config into `dir` and returns its path.
fn config(dir: &Path, server_lines: &str, registry: Option<&str>) -> PathBuf {
    let mut t = format!("[server]\n{server_lines}\n");
    if let Some(url) = registry {
        t.push_str(&format!(
            "[server.schema_registry]\nurl = \"{url}\"\nusername = \"{USER}\"\npassword = \"${{IT_REGISTRY_PW}}\"\n"
        ));
    }
    let p = dir.join("kafka-mcp.toml");
    std::fs::write(&p, t).unwrap();
    p
}

fn start(cfg: &Path) -> Stdio {
    Stdio::start(
        &["--config", cfg.to_str().unwrap()],
        &[("IT_REGISTRY_PW", PASSWORD)],
    )
}

fn kinds(check: &Value) -> Vec<String> {
    let mut k: Vec<String> = check["incompatibilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

// --- a fake Confluent Schema Registry ----------------------------------------------------------

#[derive(Default)]
struct RegistryState {
    /// Subject → schema texts; version n is index n-1.
    subjects: BTreeMap<String, Vec<String>>,
    /// Subject → schemaType (absent: AVRO, and the field is left out as old registries do).
    types: BTreeMap<String, String>,
    /// Subject → the `references` of every version.
    references: BTreeMap<String, Value>,
    /// Subject-level compatibility; absent → 404 40408 and the global level applies.
    subject_level: BTreeMap<String, String>,
    global_level: String,
    /// The answer of every compatibility request.
    compatible: bool,
    /// Every request seen, as `METHOD path`, plus POST bodies.
    log: Vec<String>,
    bodies: Vec<String>,
}

struct FakeRegistry {
    url: String,
    state: Arc<Mutex<RegistryState>>,
}

impl FakeRegistry {
    fn start(state: RegistryState) -> FakeRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let st = shared.clone();
                std::thread::spawn(move || serve(conn, &st));
            }
        });
        FakeRegistry { url, state }
    }

    fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn serve(conn: TcpStream, st: &Mutex<RegistryState>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segs: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();

    let mut st = st.lock().unwrap();
    st.log.push(format!("{method} {target}"));
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let (status, body, chunked) = if headers.get("authorization") != Some(&want) {
        (
            401,
            json!({"error_code": 40101, "message": "Unauthorized"}),
            false,
        )
    } else {
        let missing = || {
            (
                404,
                json!({"error_code": 40401, "message": "Subject not found."}),
                false,
            )
        };
        match (method, segs.as_slice()) {
            ("GET", ["subjects", s, "versions"]) => match st.subjects.get(*s) {
                Some(v) => (200, json!((1..=v.len()).collect::<Vec<_>>()), false),
                None => missing(),
            },
            ("GET", ["subjects", s, "versions", v]) => match st.subjects.get(*s) {
                None => missing(),
                Some(list) => match v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1 && *n <= list.len())
                {
                    // Chunked, as Jetty often answers.
                    Some(n) => {
                        let mut b = json!({"subject": s, "version": n, "id": 100 + n, "schema": list[n - 1]});
                        if let Some(t) = st.types.get(*s) {
                            b["schemaType"] = json!(t);
                        }
                        if let Some(r) = st.references.get(*s) {
                            b["references"] = r.clone();
                        }
                        (200, b, true)
                    }
                    None => (
                        404,
                        json!({"error_code": 40402, "message": "Version not found."}),
                        false,
                    ),
                },
            },
            ("POST", ["compatibility", "subjects", s, "versions", _]) => {
                st.bodies.push(String::from_utf8_lossy(&body).to_string());
                if !st.subjects.contains_key(*s) {
                    missing()
                } else if query != "verbose=true" {
                    (
                        400,
                        json!({"error_code": 400, "message": "test registry expects verbose=true"}),
                        false,
                    )
                } else if st.compatible {
                    (200, json!({"is_compatible": true, "messages": []}), false)
                } else {
                    let msg = "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'fake registry says no'}";
                    (
                        200,
                        json!({"is_compatible": false, "messages": [msg]}),
                        false,
                    )
                }
            }
            ("GET", ["config", s]) => match st.subject_level.get(*s) {
                Some(l) => (200, json!({"compatibilityLevel": l}), false),
                None => (
                    404,
                    json!({"error_code": 40408, "message": "Subject does not have subject-level compatibility configured"}),
                    false,
                ),
            },
            ("GET", ["config"]) => (200, json!({"compatibilityLevel": st.global_level}), false),
            _ => (
                404,
                json!({"error_code": 404, "message": "HTTP 404 Not Found"}),
                false,
            ),
        }
    };
    drop(st);
    let text = body.to_string();
    let mut out = conn;
    let head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nConnection: close\r\n");
    let resp = if chunked {
        let (a, b) = text.split_at(text.len() / 2);
        format!(
            "{head}Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        )
    } else {
        format!("{head}Content-Length: {}\r\n\r\n{text}", text.len())
    };
    let _ = out.write_all(resp.as_bytes());
}

fn registry_with(subjects: &[(&str, Vec<Value>)]) -> FakeRegistry {
    let mut st = RegistryState {
        global_level: "BACKWARD".into(),
        ..Default::default()
    };
    for (s, versions) in subjects {
        st.subjects.insert(
            s.to_string(),
            versions.iter().map(|v| v.to_string()).collect(),
        );
    }
    FakeRegistry::start(st)
}

// --- validate ----------------------------------------------------------------------------------

#[test]
fn validate_reports_canonical_form_and_fingerprint() {
    let mut s = Stdio::start(&[], &[]);
    for schema in [json!("null"), json!("\"null\"")] {
        let r = call_ok(&mut s, json!({"action": "validate", "schema": schema}));
        let v = &r["structuredContent"]["validation"];
        assert_eq!(v["valid"], true, "{r}");
        assert_eq!(v["canonical_form"], "\"null\"");
        assert_eq!(v["fingerprint_rabin"], "63dd24e7cc258f8a");
        assert!(
            text(&r).starts_with("VALID Avro schema; fingerprint 63dd24e7cc258f8a"),
            "{}",
            text(&r)
        );
    }
    // An object: canonical form drops doc, orders attributes, and qualifies names.
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema": {
        "doc": "x", "fields": [{"type": "int", "name": "a", "doc": "y"}], "name": "R", "namespace": "n", "type": "record"}}),
    );
    assert_eq!(
        r["structuredContent"]["validation"]["canonical_form"],
        r#"{"name":"n.R","type":"record","fields":[{"name":"a","type":"int"}]}"#
    );
    assert_eq!(r["structuredContent"]["action"], "validate");
    s.assert_pure_stdout();
}

#[test]
fn validate_lists_every_problem_with_its_path() {
    let mut s = Stdio::start(&[], &[]);
    let bad = json!({"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "int", "default": "nope"},
        {"name": "a", "type": "string"},
        {"name": "c", "type": "Missing"},
        {"name": "d", "type": {"type": "enum", "name": "E", "symbols": ["X", "X"]}}
    ]});
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema": bad.to_string()}),
    );
    let v = &r["structuredContent"]["validation"];
    assert_eq!(v["valid"], false);
    assert!(
        v["canonical_form"].is_null() && v["fingerprint_rabin"].is_null(),
        "{v}"
    );
    let found: Vec<(String, String)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, kind) in [
        ("/fields/0/default", "invalid_default"),
        ("/fields/1/name", "duplicate_field_name"),
        ("/fields/2/type", "unknown_type"),
        ("/fields/3/type/symbols/1", "duplicate_symbol"),
    ] {
        assert!(
            found.iter().any(|(p, k)| p == path && k == kind),
            "missing {kind} at {path}: {found:?}"
        );
    }
    assert!(v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["fix"].as_str().unwrap().is_empty()));
    assert!(
        text(&r).starts_with("INVALID Avro schema: 4 error(s)"),
        "{}",
        text(&r)
    );
    // JSON that is not a schema is reported, located at the root.
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema": {"name": "x"}}),
    );
    assert_eq!(
        r["structuredContent"]["validation"]["problems"][0]["path"],
        "/"
    );
    assert_eq!(
        r["structuredContent"]["validation"]["problems"][0]["kind"],
        "missing_type"
    );
    s.assert_pure_stdout();
}

// --- check and modes -----------------------------------------------------------------------------

#[test]
fn check_lists_every_incompatibility_with_direction_path_kind_and_fix() {
    let mut s = Stdio::start(&[], &[]);
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_broken(), "previous": [order_v1()], "mode": "BACKWARD"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["compatible"], false, "{r}");
    assert_eq!(c["mode"], "BACKWARD");
    assert_eq!(c["compared_with"], json!(["version 1"]));
    assert_eq!(
        kinds(c),
        ["missing_default", "missing_enum_symbol", "type_mismatch"]
    );
    for i in c["incompatibilities"].as_array().unwrap() {
        assert_eq!(i["reader"], "new", "{i}");
        assert_eq!(i["writer"], "version 1", "{i}");
        assert!(i["path"].as_str().unwrap().starts_with("/fields/"), "{i}");
        assert!(
            !i["fix"].as_str().unwrap().is_empty() && !i["message"].as_str().unwrap().is_empty()
        );
    }
    let paths: Vec<&str> = c["incompatibilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("amount")) && paths.iter().any(|p| p.contains("currency")),
        "{paths:?}"
    );
    assert_eq!(r["structuredContent"]["mode_source"], "input");
    assert!(
        text(&r).starts_with("INCOMPATIBLE (AVRO) under BACKWARD"),
        "{}",
        text(&r)
    );

    // FORWARD: the old schema reads new data: other direction, other findings.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_broken(), "previous": [order_v1()], "mode": "forward"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["compatible"], false);
    assert!(c["incompatibilities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["reader"] == "version 1" && i["writer"] == "new"));

    // Compatible every way; no mode sent → BACKWARD by default, and the answer says so.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "previous": [order_v1().to_string()]}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["check"]["compatible"], true, "{r}");
    assert_eq!(out["check"]["incompatibilities"], json!([]));
    assert_eq!(out["mode_source"], "default");
    assert!(
        out["notes"].to_string().contains("used BACKWARD (default)"),
        "{out}"
    );
    assert!(
        text(&r).starts_with("COMPATIBLE (AVRO) under BACKWARD"),
        "{}",
        text(&r)
    );
    s.assert_pure_stdout();
}

#[test]
fn transitive_modes_compare_with_every_version_non_transitive_with_the_latest() {
    let mut s = Stdio::start(&[], &[]);
    let (v1, v2, new) = history();
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": new, "previous": [v1, v2], "mode": "BACKWARD"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(
        (c["compatible"].clone(), c["compared_with"].clone()),
        (json!(true), json!(["version 2"])),
        "{r}"
    );
    assert!(r["structuredContent"]["notes"]
        .to_string()
        .contains("latest version only"));

    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": new, "previous": [v1, v2], "mode": "BACKWARD_TRANSITIVE"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["compatible"], false, "{r}");
    assert_eq!(c["compared_with"], json!(["version 1", "version 2"]));
    assert_eq!(kinds(c), ["missing_default"]);
    assert_eq!(c["incompatibilities"][0]["compared_with"], "version 1");
    assert_eq!(c["incompatibilities"][0]["path"], "/fields/b");

    let r = call_ok(
        &mut s,
        json!({"action": "modes", "schema": new, "previous": [v1, v2]}),
    );
    let out = &r["structuredContent"];
    let got: BTreeMap<String, bool> = out["modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["mode"].as_str().unwrap().to_string(),
                m["compatible"].as_bool().unwrap(),
            )
        })
        .collect();
    let want: BTreeMap<String, bool> = [
        ("BACKWARD", true),
        ("BACKWARD_TRANSITIVE", false),
        ("FORWARD", true),
        ("FORWARD_TRANSITIVE", true),
        ("FULL", true),
        ("FULL_TRANSITIVE", false),
        ("NONE", true),
    ]
    .into_iter()
    .map(|(m, c)| (m.to_string(), c))
    .collect();
    assert_eq!(got, want);
    assert_eq!(out["previous_versions"], json!(["version 1", "version 2"]));
    assert!(text(&r).starts_with("Satisfies: BACKWARD, FORWARD, FORWARD_TRANSITIVE, FULL, NONE; breaks: BACKWARD_TRANSITIVE (1)"), "{}", text(&r));
    s.assert_pure_stdout();
}

#[test]
fn bad_inputs_are_tool_errors_that_say_what_to_send() {
    let mut s = Stdio::start(&[], &[]);
    let t = call_err(
        &mut s,
        json!({"action": "validate", "schema": "{\"type\": \"record\", "}),
    );
    assert!(
        t.contains("schema is not JSON") && t.contains("Send an Avro schema"),
        "{t}"
    );
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "previous": ["[\"int\", "], "mode": "BACKWARD"}),
    );
    assert!(t.contains("version 1 is not JSON"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": {"foo": 1}, "previous": [order_v1()]}),
    );
    assert!(t.contains("not valid Avro") && t.contains("Fix it"), "{t}");
    // An empty history: a subject's first schema is compatible under every mode.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "previous": [], "mode": "FULL_TRANSITIVE"}),
    );
    assert_eq!(r["structuredContent"]["check"]["compatible"], json!(true));
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "mode": "BACKWARD"}),
    );
    assert!(t.contains("none were sent"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "previous": [order_v1()], "mode": "SIDEWAYS"}),
    );
    assert!(t.contains("FULL_TRANSITIVE"), "{t}");
    let t = call_err(&mut s, json!({"action": "check"}));
    assert!(t.contains("`schema`") && t.contains("`schema_file`"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "previous": [order_v1()], "subject": "x"}),
    );
    assert!(t.contains("one source"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "subject": "orders-value"}),
    );
    assert!(t.contains("[server.schema_registry]"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "validate", "schema_file": "a.avsc"}),
    );
    assert!(t.contains("schema_dir"), "{t}");
    // NONE needs no history.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_v1(), "mode": "NONE"}),
    );
    assert_eq!(r["structuredContent"]["check"]["compatible"], true);
    // Unknown fields are refused by the schema, not ignored.
    let r = s.request("tools/call", json!({"name": "schema_validate", "arguments": {"action": "validate", "schema": "int", "shema": 1}}));
    assert!(
        r.get("error").is_some() || r["result"]["isError"] == json!(true),
        "{r}"
    );
    s.assert_pure_stdout();
}

// --- schema files --------------------------------------------------------------------------------

#[test]
fn schema_files_are_read_under_schema_dir_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schemas");
    std::fs::create_dir_all(dir.join("orders")).unwrap();
    std::fs::write(dir.join("orders/v1.avsc"), order_v1().to_string()).unwrap();
    std::fs::write(
        dir.join("orders/v2.avsc"),
        serde_json::to_string_pretty(&order_v2()).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("orders/broken.avsc"), "{\"type\": ").unwrap();
    std::fs::write(tmp.path().join("secret.avsc"), "\"string\"").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("secret.avsc"), dir.join("escape.avsc")).unwrap();
    let cfg = config(
        tmp.path(),
        &format!("schema_dir = '{}'", dir.display()),
        None,
    );
    let mut s = start(&cfg);

    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema_file": "orders/v1.avsc"}),
    );
    assert_eq!(r["structuredContent"]["validation"]["valid"], true);
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema_file": "orders/v2.avsc", "previous_files": ["orders/v1.avsc"], "mode": "FULL"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["compatible"], true, "{r}");
    assert_eq!(c["compared_with"], json!(["orders/v1.avsc"]));

    let t = call_err(
        &mut s,
        json!({"action": "validate", "schema_file": "../secret.avsc"}),
    );
    assert!(
        t.starts_with("refused") && t.contains("`..`") && t.contains("relative to schema_dir"),
        "{t}"
    );
    let t = call_err(
        &mut s,
        json!({"action": "validate", "schema_file": tmp.path().join("secret.avsc").to_str().unwrap()}),
    );
    assert!(t.starts_with("refused") && t.contains("absolute"), "{t}");
    #[cfg(unix)]
    {
        let t = call_err(
            &mut s,
            json!({"action": "validate", "schema_file": "escape.avsc"}),
        );
        assert!(t.starts_with("refused") && t.contains("symlink"), "{t}");
    }
    let t = call_err(
        &mut s,
        json!({"action": "validate", "schema_file": "orders/v9.avsc"}),
    );
    assert!(
        t.starts_with("not found") && t.contains("orders/v9.avsc"),
        "{t}"
    );
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema_file": "orders/broken.avsc", "previous_files": ["orders/v1.avsc"]}),
    );
    assert!(
        t.contains("schema_file orders/broken.avsc is not JSON"),
        "{t}"
    );
    s.assert_pure_stdout();
}

// --- Schema Registry -----------------------------------------------------------------------------

#[test]
fn registry_subject_versions_levels_and_the_registry_verdict() {
    let (v1, v2, new) = history();
    let subject = "team a/orders-value";
    let reg = registry_with(&[
        (subject, vec![v1.clone(), v2.clone()]),
        ("plain", vec![order_v1()]),
    ]);
    reg.state
        .lock()
        .unwrap()
        .subject_level
        .insert(subject.to_string(), "BACKWARD_TRANSITIVE".into());
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "timeout_ms = 3000", Some(&reg.url));
    let mut s = start(&cfg);

    // No mode: the subject's level (transitive) → every version compared.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": new, "subject": subject}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["mode_source"], "registry subject level", "{out}");
    assert_eq!(out["check"]["mode"], "BACKWARD_TRANSITIVE");
    assert_eq!(out["check"]["compatible"], false);
    assert_eq!(
        out["check"]["compared_with"],
        json!(["version 1", "version 2"])
    );
    assert_eq!(out["registry"]["subject"], subject);
    assert_eq!(out["registry"]["versions"], json!([1, 2]));
    assert_eq!(out["registry"]["level"], "BACKWARD_TRANSITIVE");
    let log = reg.log();
    assert!(
        log.contains(&"GET /config/team%20a%2Forders-value".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"GET /subjects/team%20a%2Forders-value/versions".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"GET /subjects/team%20a%2Forders-value/versions/1".to_string()),
        "{log:?}"
    );

    // An explicit non-transitive mode → only the latest is fetched.
    reg.state.lock().unwrap().log.clear();
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": new, "subject": subject, "mode": "BACKWARD"}),
    );
    assert_eq!(r["structuredContent"]["check"]["compatible"], true, "{r}");
    assert_eq!(r["structuredContent"]["registry"]["versions"], json!([2]));
    assert!(
        !reg.log().iter().any(|l| l.ends_with("/versions/1")),
        "{:?}",
        reg.log()
    );

    // `versions` picks; a subject without its own level falls back to the global one.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "subject": "plain", "versions": [1]}),
    );
    assert_eq!(
        r["structuredContent"]["mode_source"], "registry global level",
        "{r}"
    );
    assert_eq!(r["structuredContent"]["check"]["compatible"], true);

    // modes over the subject: every version.
    let r = call_ok(
        &mut s,
        json!({"action": "modes", "schema": new, "subject": subject}),
    );
    assert_eq!(
        r["structuredContent"]["registry"]["versions"],
        json!([1, 2])
    );
    assert_eq!(r["structuredContent"]["modes"][1]["compatible"], false);

    // ask_registry, agreeing: the fake says incompatible, and so does the local check.
    reg.state.lock().unwrap().compatible = false;
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": new, "subject": subject, "ask_registry": true}),
    );
    let v = &r["structuredContent"]["registry"]["verdict"];
    assert_eq!(v["is_compatible"], false, "{r}");
    assert_eq!(v["agrees_with_local"], true);
    assert!(
        v["messages"][0]
            .as_str()
            .unwrap()
            .contains("fake registry says no"),
        "{v}"
    );
    let bodies = reg.state.lock().unwrap().bodies.clone();
    let sent: Value = serde_json::from_str(bodies.last().unwrap()).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(sent["schema"].as_str().unwrap()).unwrap(),
        new,
        "the new schema is sent as text"
    );
    assert!(reg.log().iter().any(
        |l| l == "POST /compatibility/subjects/team%20a%2Forders-value/versions/1?verbose=true"
    ));

    // Forced disagreement: locally compatible, the fake registry says no → reported.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "subject": "plain", "ask_registry": true}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["check"]["compatible"], true, "{out}");
    assert_eq!(out["registry"]["verdict"]["is_compatible"], false);
    assert_eq!(out["registry"]["verdict"]["local_compatible"], true);
    assert_eq!(out["registry"]["verdict"]["agrees_with_local"], false);
    assert!(
        out["notes"]
            .to_string()
            .contains("the registry says incompatible, the local check says compatible"),
        "{out}"
    );
    assert!(text(&r).contains("DISAGREES with local"), "{}", text(&r));

    // Unknown subject, unknown version, ask_registry without subject.
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": new, "subject": "nope-value", "mode": "BACKWARD"}),
    );
    assert!(
        t.starts_with("not found") && t.contains("40401") && t.contains("`previous`"),
        "{t}"
    );
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": new, "subject": subject, "versions": [7], "mode": "BACKWARD"}),
    );
    assert!(t.contains("no version 7") && t.contains("[1, 2]"), "{t}");
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": new, "previous": [v1], "ask_registry": true}),
    );
    assert!(t.contains("ask_registry needs `subject`"), "{t}");

    s.assert_pure_stdout();
    let all = s.seen.join("\n");
    assert!(
        !all.contains(PASSWORD),
        "the registry password reached stdout"
    );
}

#[test]
fn wrong_credentials_unreachable_and_silent_registries_are_tool_errors_within_the_deadline() {
    let reg = registry_with(&[("orders-value", vec![order_v1()])]);
    let tmp = tempfile::tempdir().unwrap();
    // Wrong password: refused, and the password sent is not echoed.
    let wrong = tmp.path().join("wrong");
    std::fs::create_dir_all(&wrong).unwrap();
    let cfg = config(&wrong, "timeout_ms = 2000", Some(&reg.url));
    let mut s = Stdio::start(
        &["--config", cfg.to_str().unwrap()],
        &[("IT_REGISTRY_PW", "wrong-pw-Qx7")],
    );
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "subject": "orders-value", "mode": "BACKWARD"}),
    );
    assert!(
        t.starts_with("refused")
            && t.contains("HTTP 401")
            && t.contains("[server.schema_registry]"),
        "{t}"
    );
    assert!(!t.contains("wrong-pw-Qx7"), "{t}");
    drop(s);

    // A closed port: connection refused, fast.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let d = tmp.path().join("closed");
    std::fs::create_dir_all(&d).unwrap();
    let mut s = start(&config(&d, "timeout_ms = 2000", Some(&closed_url)));
    let t0 = Instant::now();
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "subject": "orders-value"}),
    );
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "took {:?}",
        t0.elapsed()
    );
    assert!(
        t.starts_with("unavailable") && t.contains("cannot reach") && t.contains(&closed_url),
        "{t}"
    );
    drop(s);

    // Accepts and never answers: the deadline.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for c in silent.incoming().flatten() {
            keep.lock().unwrap().push(c);
        }
    });
    let d = tmp.path().join("silent");
    std::fs::create_dir_all(&d).unwrap();
    let mut s = start(&config(&d, "timeout_ms = 1500", Some(&silent_url)));
    let t0 = Instant::now();
    let t = call_err(
        &mut s,
        json!({"action": "check", "schema": order_v2(), "subject": "orders-value", "mode": "BACKWARD"}),
    );
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(8),
        "took {took:?} for a 1.5 s deadline"
    );
    assert!(
        t.contains("did not answer") && t.contains("1500 ms") && t.contains("--timeout-ms"),
        "{t}"
    );
    s.assert_pure_stdout();
}

#[test]
fn the_registry_password_never_reaches_stdout_or_stderr() {
    let reg = registry_with(&[("orders-value", vec![order_v1()])]);
    reg.state.lock().unwrap().compatible = true;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "timeout_ms = 3000", Some(&reg.url));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let cases = [
        json!({"action": "check", "schema": order_v2(), "subject": "orders-value", "ask_registry": true}),
        json!({"action": "check", "schema": order_v2(), "subject": "missing-value", "mode": "BACKWARD"}),
    ];
    for (i, args) in cases.iter().enumerate() {
        let out = std::process::Command::new(bin())
            .args([
                "--config",
                cfg.to_str().unwrap(),
                "call",
                "schema_validate",
                &args.to_string(),
            ])
            .env("IT_REGISTRY_PW", PASSWORD)
            .env("RUST_LOG", "trace")
            .env_remove("KAFKA_BOOTSTRAP_SERVERS")
            .env_remove("KAFKA_MCP_CONFIG")
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(
            out.status.code(),
            Some(i as i32),
            "case {i}: stdout {stdout}\nstderr tail {}",
            tail(&stderr)
        );
        for secret in [PASSWORD, basic.as_str()] {
            assert!(!stdout.contains(secret), "case {i}: secret on stdout");
            assert!(!stderr.contains(secret), "case {i}: secret on stderr");
        }
        if i == 0 {
            let v: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(v["registry"]["verdict"]["agrees_with_local"], true, "{v}");
        } else {
            assert!(stdout.contains("40401"), "{stdout}");
        }
    }
    // The requests did authenticate (so the secret was in use, just never shown).
    assert!(reg.log().iter().filter(|l| l.starts_with("POST ")).count() >= 1);
}

// --- Protobuf and JSON Schema ----------------------------------------------------------------

const MONEY: &str = "syntax = \"proto3\";\npackage acme.common;\nmessage Money {\n  int64 units = 1;\n  string currency = 2;\n}\n";

fn order_proto(amount: &str, extra: &str) -> String {
    format!(
        "syntax = \"proto3\";\npackage acme.orders;\nimport \"common/money.proto\";\n\nmessage Order {{\n  string id = 1;\n  {amount} amount = 2;\n  acme.common.Money total = 3;\n{extra}}}\n"
    )
}

#[test]
fn protobuf_history_end_to_end_with_imports_files_and_a_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schemas");
    std::fs::create_dir_all(dir.join("orders")).unwrap();
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::write(dir.join("common/money.proto"), MONEY).unwrap();
    std::fs::write(dir.join("orders/v1.proto"), order_proto("int32", "")).unwrap();
    std::fs::write(
        dir.join("orders/v2.proto"),
        order_proto("int64", "  string note = 4;\n"),
    )
    .unwrap();
    std::fs::write(dir.join("orders/v3.proto"), order_proto("string", "")).unwrap();
    std::fs::write(
        dir.join("orders/bad.proto"),
        "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n  int32 b = 1;\n  Nope c = 2;\n}\n",
    )
    .unwrap();

    let mut st = RegistryState {
        global_level: "BACKWARD".into(),
        compatible: true,
        ..Default::default()
    };
    st.subjects.insert(
        "orders-proto".into(),
        vec![
            order_proto("int32", ""),
            order_proto("int64", "  string note = 4;\n"),
        ],
    );
    st.types.insert("orders-proto".into(), "PROTOBUF".into());
    st.references.insert(
        "orders-proto".into(),
        json!([{"name": "common/money.proto", "subject": "money", "version": 1}]),
    );
    st.subjects.insert("money".into(), vec![MONEY.to_string()]);
    st.types.insert("money".into(), "PROTOBUF".into());
    let reg = FakeRegistry::start(st);
    let cfg = config(
        tmp.path(),
        &format!("schema_dir = '{}'\ntimeout_ms = 3000", dir.display()),
        Some(&reg.url),
    );
    let mut s = start(&cfg);

    // validate from schema_dir: format from the extension, the import read from schema_dir.
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema_file": "orders/v2.proto"}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["format"], "PROTOBUF", "{out}");
    assert_eq!(out["validation"]["valid"], true, "{out}");
    assert_eq!(out["validation"]["dialect"], "proto3");
    assert_eq!(out["references"], json!(["common/money.proto"]));
    assert_eq!(
        out["validation"]["fingerprint_rabin"]
            .as_str()
            .unwrap()
            .len(),
        16
    );

    // Every problem, with line and column.
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema_file": "orders/bad.proto"}),
    );
    let v = &r["structuredContent"]["validation"];
    assert_eq!(v["valid"], false);
    let problems = v["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{v}");
    assert!(
        problems.iter().all(|p| p["line"].is_u64()
            && p["column"].is_u64()
            && !p["fix"].as_str().unwrap().is_empty()),
        "{v}"
    );
    let kinds: Vec<&str> = problems
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"duplicate_field_number") && kinds.contains(&"unresolved_type"),
        "{kinds:?}"
    );
    assert!(
        text(&r).starts_with("INVALID Protobuf schema"),
        "{}",
        text(&r)
    );

    // check from files: v3 changes amount to string, outside int64's group.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema_file": "orders/v3.proto",
               "previous_files": ["orders/v1.proto", "orders/v2.proto"], "mode": "FULL_TRANSITIVE"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["format"], "PROTOBUF");
    assert_eq!(c["compatible"], false, "{c}");
    let incs = c["incompatibilities"].as_array().unwrap();
    assert_eq!(incs.len(), 4, "{c}");
    let first = &incs[0];
    assert_eq!(first["kind"], "field_scalar_kind_changed");
    assert_eq!(first["path"], "#/Order/2");
    assert_eq!(first["old_value"], "int32");
    assert_eq!(first["new_value"], "string");
    assert_eq!(first["reader"], "new");
    assert_eq!(first["writer"], "orders/v1.proto");
    // v2 → v3 also drops field 4 (accepted, noted).
    assert!(
        c["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("reserved 4")),
        "{c}"
    );

    // modes inline, with the import inline as a reference.
    let r = call_ok(
        &mut s,
        json!({"action": "modes", "format": "PROTOBUF",
               "schema": order_proto("int64", ""),
               "previous": [order_proto("int32", "")],
               "references": {"common/money.proto": MONEY}}),
    );
    let ok: Vec<&str> = r["structuredContent"]["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["compatible"] == true)
        .map(|m| m["mode"].as_str().unwrap())
        .collect();
    assert_eq!(ok.len(), 7, "int32 → int64 is in one group: {r}");

    // From the registry: schemaType gives the format, references are fetched, and the
    // registry is asked with the schema type and references.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": order_proto("string", ""), "subject": "orders-proto",
               "mode": "BACKWARD", "ask_registry": true}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["format"], "PROTOBUF", "{out}");
    assert_eq!(out["check"]["compatible"], false, "{out}");
    assert_eq!(out["references"], json!(["common/money.proto"]));
    assert_eq!(out["registry"]["verdict"]["agrees_with_local"], false);
    let log = reg.log();
    assert!(
        log.contains(&"GET /subjects/money/versions/1".to_string()),
        "{log:?}"
    );
    let bodies = reg.state.lock().unwrap().bodies.clone();
    let body: Value = serde_json::from_str(bodies.last().unwrap()).unwrap();
    assert_eq!(body["schemaType"], "PROTOBUF");
    assert_eq!(body["references"][0]["name"], "common/money.proto");

    // A format that contradicts the registry is refused.
    let t = call_err(
        &mut s,
        json!({"action": "check", "format": "JSON", "schema": "{}", "subject": "orders-proto"}),
    );
    assert!(t.contains("PROTOBUF"), "{t}");
}

fn customer_json(extra: Value, closed: bool) -> Value {
    let mut props = json!({
        "id": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "address": {"$ref": "address.json"}
    });
    for (k, v) in extra.as_object().unwrap() {
        props[k] = v.clone();
    }
    let mut s = json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "properties": props, "required": ["id"]});
    if closed {
        s["additionalProperties"] = json!(false);
    }
    s
}

#[test]
fn json_schema_history_end_to_end_with_references() {
    let address = json!({"type": "object", "properties": {"zip": {"type": "string"}}});
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schemas");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("address.json"), address.to_string()).unwrap();
    std::fs::write(
        dir.join("customer-v1.json"),
        customer_json(json!({}), true).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("customer-v2.json"),
        customer_json(json!({"email": {"type": "string"}}), true).to_string(),
    )
    .unwrap();
    let mut st = RegistryState {
        global_level: "FULL".into(),
        compatible: true,
        ..Default::default()
    };
    st.subjects.insert(
        "customers-value".into(),
        vec![customer_json(json!({}), false).to_string()],
    );
    st.types.insert("customers-value".into(), "JSON".into());
    st.references.insert(
        "customers-value".into(),
        json!([{"name": "address.json", "subject": "address", "version": 1}]),
    );
    st.subjects
        .insert("address".into(), vec![address.to_string()]);
    st.types.insert("address".into(), "JSON".into());
    let reg = FakeRegistry::start(st);
    let cfg = config(
        tmp.path(),
        &format!("schema_dir = '{}'\ntimeout_ms = 3000", dir.display()),
        Some(&reg.url),
    );
    let mut s = start(&cfg);

    let r = call_ok(
        &mut s,
        json!({"action": "validate", "schema_file": "customer-v1.json"}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["format"], "JSON", "{out}");
    assert_eq!(out["validation"]["valid"], true, "{out}");
    assert_eq!(out["validation"]["dialect"], "draft-07");
    assert_eq!(out["references"], json!(["address.json"]));

    // Every problem with its pointer: contradictory bounds, a dangling $ref, a bad type.
    let bad = json!({"type": "object", "properties": {
        "n": {"type": "number", "minimum": 5, "maximum": 1},
        "a": {"$ref": "phone.json"},
        "t": {"type": "strng"}}});
    let r = call_ok(
        &mut s,
        json!({"action": "validate", "format": "JSON", "schema": bad}),
    );
    let v = &r["structuredContent"]["validation"];
    assert_eq!(v["valid"], false);
    let kinds: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    for k in [
        "minimum_above_maximum",
        "unresolved_ref",
        "metaschema_violation",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    // Closed content model: adding an optional property is backward compatible, not forward.
    let r = call_ok(
        &mut s,
        json!({"action": "modes", "schema_file": "customer-v2.json", "previous_files": ["customer-v1.json"]}),
    );
    let ok: Vec<&str> = r["structuredContent"]["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["compatible"] == true)
        .map(|m| m["mode"].as_str().unwrap())
        .collect();
    assert_eq!(ok, vec!["BACKWARD", "BACKWARD_TRANSITIVE", "NONE"], "{r}");
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema_file": "customer-v2.json", "previous_files": ["customer-v1.json"], "mode": "FORWARD"}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(
        c["incompatibilities"][0]["kind"], "property_removed_from_closed_content_model",
        "{c}"
    );
    assert_eq!(c["incompatibilities"][0]["path"], "#/properties/email");
    assert!(
        c["content_model"].as_str().unwrap().starts_with("closed"),
        "{c}"
    );

    // From the registry (open model, FULL level, the reference fetched): the same schema
    // passes, a raised minimum breaks BACKWARD.
    let r = call_ok(
        &mut s,
        json!({"action": "check", "schema": customer_json(json!({}), false), "subject": "customers-value"}),
    );
    let out = &r["structuredContent"];
    assert_eq!(out["format"], "JSON", "{out}");
    assert_eq!(out["check"]["mode"], "FULL");
    assert_eq!(out["check"]["compatible"], true, "{out}");
    assert!(
        out["check"]["content_model"]
            .as_str()
            .unwrap()
            .starts_with("open"),
        "{out}"
    );
    let r = call_ok(
        &mut s,
        json!({"action": "check", "subject": "customers-value", "mode": "BACKWARD",
               "schema": customer_json(json!({"age": {"type": "integer", "minimum": 18}}), false)}),
    );
    let c = &r["structuredContent"]["check"];
    assert_eq!(c["compatible"], false, "{c}");
    assert_eq!(c["incompatibilities"][0]["kind"], "minimum_increased");
    assert_eq!(
        c["incompatibilities"][0]["path"],
        "#/properties/age/minimum"
    );
    assert_eq!(c["incompatibilities"][0]["old_value"], "0");
    assert_eq!(c["incompatibilities"][0]["new_value"], "18");
    assert!(reg
        .log()
        .contains(&"GET /subjects/address/versions/1".to_string()));
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

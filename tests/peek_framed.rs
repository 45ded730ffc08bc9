//! `topic_manage peek` decodes records framed in Confluent's wire format (magic byte 0, schema
//! id, Protobuf message indexes) with the writer schema it fetches by id from the Schema
//! Registry: Avro, Protobuf (with a referenced file) and JSON Schema, produced here as raw bytes
//! to a real topic. An id the registry does not know is said, and the record shown undecoded.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::{json, Value};

/// A Schema Registry that knows some ids and subject versions; logs every path asked.
fn fake_registry(answers: BTreeMap<String, Value>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            seen.lock().unwrap().push(path.clone());
            let (status, body) = match answers.get(&path) {
                Some(v) => ("200 OK", v.to_string()),
                None => (
                    "404 Not Found",
                    json!({"error_code": 40403, "message": "Schema not found"}).to_string(),
                ),
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, log)
}

fn framed(id: u32, rest: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend(id.to_be_bytes());
    v.extend(rest);
    v
}

#[test]
fn peek_decodes_avro_protobuf_and_json_schema_records_through_the_registry() {
    let Some(b) = bootstrap() else { return };
    let t = unique("peek-framed");
    kafka::create_topic(&b, &t, 1, &[]);

    let avro_schema = json!({"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "string"}, {"name": "amount", "type": "long"}]});
    let proto = "syntax = \"proto3\";\nimport \"money.proto\";\nmessage Other { int32 a = 1; }\nmessage Order { string id = 1; Money total = 2; }\n";
    let money = "syntax = \"proto3\";\nmessage Money { int64 cents = 1; }\n";
    let json_schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    let answers: BTreeMap<String, Value> = [
        ("/schemas/ids/1".to_string(), json!({"schema": avro_schema.to_string()})),
        (
            "/schemas/ids/2".to_string(),
            json!({"schemaType": "PROTOBUF", "schema": proto,
                   "references": [{"name": "money.proto", "subject": "money", "version": 1}]}),
        ),
        (
            "/subjects/money/versions/1".to_string(),
            json!({"subject": "money", "version": 1, "id": 5, "schemaType": "PROTOBUF", "schema": money}),
        ),
        (
            "/schemas/ids/3".to_string(),
            json!({"schemaType": "JSON", "schema": json_schema.to_string()}),
        ),
    ]
    .into();
    let (url, log) = fake_registry(answers);

    // Avro: "o1" (zigzag length 2), 5 (zigzag 10).
    let avro = framed(1, &[0x04, b'o', b'1', 0x0a]);
    // Protobuf: message indexes [1] (count 1, index 1: zigzag 2, 2), then Order{id:"o2",
    // total:{cents:250}}.
    let protobuf = framed(
        2,
        &[
            0x02, 0x02, 0x0a, 0x02, b'o', b'2', 0x12, 0x03, 0x08, 0xfa, 0x01,
        ],
    );
    let json_rec = framed(3, br#"{"n":7}"#);
    let unknown = framed(99, &[0xff, 0x01]);
    kafka::produce_bytes(
        &b,
        &t,
        &[
            (Some(b"k1"), &avro),
            (None, &protobuf),
            (None, &json_rec),
            (None, &unknown),
        ],
    );

    let dir = std::env::temp_dir().join(format!("kafka-mcp-peek-framed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("kafka-mcp.toml");
    std::fs::write(
        &cfg,
        format!("[server]\n[server.schema_registry]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let mut s = Stdio::start(
        &["--config", cfg.to_str().unwrap()],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", &b),
            ("KAFKA_MCP_TIMEOUT_MS", "8000"),
        ],
    );
    let r = s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "partition": 0, "from": "first", "count": 10}),
    );
    let out = ok(&r);
    let recs = out["records"].as_array().unwrap();
    assert_eq!(recs.len(), 4, "{out}");

    let v = &recs[0]["value"];
    assert_eq!(
        (v["encoding"].as_str(), v["schema_id"].as_u64()),
        (Some("avro"), Some(1)),
        "{v}"
    );
    assert_eq!(v["data"], json!({"id": "o1", "amount": 5}), "{v}");
    assert_eq!(recs[0]["key"]["data"], "k1");

    let v = &recs[1]["value"];
    assert_eq!(
        (v["encoding"].as_str(), v["schema_id"].as_u64()),
        (Some("protobuf"), Some(2)),
        "{v}"
    );
    assert_eq!(v["data"]["id"], "o2", "{v}");
    let cents = &v["data"]["total"]["cents"];
    assert!(cents == "250" || cents == 250, "int64 cents: {v}");

    let v = &recs[2]["value"];
    assert_eq!(
        (v["encoding"].as_str(), v["data"].clone()),
        (Some("json-schema"), json!({"n": 7})),
        "{v}"
    );

    let v = &recs[3]["value"];
    assert!(v["schema_id"].is_null(), "{v}");
    assert_eq!(v["encoding"], "base64", "{v}");
    let notes: Vec<&str> = out["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("schema id 99") && n.contains("no such id")),
        "{notes:?}"
    );
    // Each id was asked once, the reference once.
    let asked = log.lock().unwrap().clone();
    for path in [
        "/schemas/ids/1",
        "/schemas/ids/2",
        "/schemas/ids/3",
        "/schemas/ids/99",
        "/subjects/money/versions/1",
    ] {
        assert_eq!(
            asked.iter().filter(|p| *p == path).count(),
            1,
            "{path} in {asked:?}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

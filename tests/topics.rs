//! topic_manage and apply_change over MCP (stdio) against the local broker: every action,
//! every refusal, and the cluster checked afterwards.

mod common;

use std::io::Write;

use common::*;
use serde_json::{json, Value};

fn server(b: &str, writes: bool) -> Stdio {
    let mut args = vec![];
    if writes {
        args.push("--allow-writes");
    }
    Stdio::start(
        &args,
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", b),
            ("KAFKA_MCP_TIMEOUT_MS", "8000"),
        ],
    )
}

fn plan_id(r: &Value) -> String {
    ok(r)["plan"]["plan_id"]
        .as_str()
        .expect("plan_id")
        .to_string()
}

#[test]
fn list_pages_with_a_cursor_and_counts_messages() {
    let Some(b) = bootstrap() else { return };
    let base = unique("list");
    for s in ["a", "b", "c"] {
        kafka::create_topic(&b, &format!("{base}-{s}"), 2, &[]);
    }
    kafka::produce(&b, &format!("{base}-a"), 10, 3);
    let mut s = server(&b, false);
    let filter = format!("{base}-*");
    let r = s.call(
        "topic_manage",
        json!({"action": "list", "filter": filter, "limit": 2, "with_counts": true}),
    );
    let out = ok(&r);
    assert_eq!(out["page"]["total"], 3);
    let rows = out["topics"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], format!("{base}-a"));
    assert_eq!(rows[0]["messages"], "10", "counts are strings");
    assert_eq!(rows[0]["partitions"], 2);
    let cursor = out["page"]["next_cursor"].as_str().unwrap().to_string();
    let r = s.call(
        "topic_manage",
        json!({"action": "list", "filter": filter, "limit": 2, "cursor": cursor}),
    );
    let rows = ok(&r)["topics"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], format!("{base}-c"));
    assert!(ok(&r)["page"].get("next_cursor").is_none());
    // A cursor from another query is refused.
    let r = s.call(
        "topic_manage",
        json!({"action": "list", "filter": "other*", "cursor": cursor}),
    );
    assert!(err(&r).contains("different query"));
    s.assert_pure_stdout();
}

#[test]
fn describe_reports_partitions_offsets_and_configs() {
    let Some(b) = bootstrap() else { return };
    let t = unique("describe");
    kafka::create_topic(&b, &t, 3, &[("retention.ms", "3600000")]);
    kafka::produce(&b, &t, 30, 5);
    let mut s = server(&b, false);
    let r = s.call("topic_manage", json!({"action": "describe", "topic": t}));
    let d = &ok(&r)["described"][0];
    assert_eq!(d["name"], t);
    assert_eq!(d["partition_count"], 3);
    assert_eq!(d["messages"], "30");
    let parts = d["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    for p in parts {
        assert!(
            p["latest"].is_string() && p["earliest"].is_string(),
            "offsets are strings: {p}"
        );
        assert!(p["leader"].as_i64().unwrap() >= 0);
    }
    let cfg = d["configs"].as_array().unwrap();
    assert!(
        cfg.iter()
            .any(|c| c["name"] == "retention.ms" && c["value"] == "3600000"),
        "{cfg:?}"
    );
    let r = s.call(
        "topic_manage",
        json!({"action": "describe", "topic": "no-such-topic-xyz"}),
    );
    assert!(err(&r).contains("does not exist"));
}

#[test]
fn peek_reads_without_creating_a_group() {
    let Some(b) = bootstrap() else { return };
    let t = unique("peek");
    kafka::create_topic(&b, &t, 2, &[]);
    kafka::produce(&b, &t, 20, 4);
    let before = kafka::groups(&b);
    let mut s = server(&b, false);
    let r = s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "count": 5}),
    );
    let recs = ok(&r)["records"].as_array().unwrap().clone();
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0]["value"]["encoding"], "json");
    assert!(recs[0]["key"]["data"].as_str().unwrap().starts_with("k-"));
    let first = if kafka::watermarks(&b, &t, 0).1 >= 2 {
        0
    } else {
        1
    };
    let r = s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "partition": first, "from": "first", "count": 2}),
    );
    let recs = ok(&r)["records"].as_array().unwrap().clone();
    assert_eq!(recs[0]["offset"], "0");
    assert_eq!(recs[1]["offset"], "1");
    let p = if kafka::watermarks(&b, &t, 1).1 >= 4 {
        1
    } else {
        0
    };
    let r = s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "partition": p, "offset": 3, "count": 1}),
    );
    assert_eq!(ok(&r)["records"][0]["offset"], "3");
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "count": 1000})
    ))
    .contains("1..=100"));
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "peek", "topic": t, "offset": 1})
    ))
    .contains("partition"));
    // Other tests may add their own groups meanwhile: any new one must not be ours.
    let after = kafka::groups(&b);
    let new: Vec<&String> = after.iter().filter(|g| !before.contains(g)).collect();
    assert!(
        !new.iter().any(|g| g.contains("kafka-mcp")),
        "peek must not create a group: {new:?}"
    );
}

#[test]
fn create_plan_then_apply() {
    let Some(b) = bootstrap() else { return };
    let t = unique("create");
    let mut s = server(&b, true);
    let r = s.call("topic_manage", json!({"action": "plan_create", "topic": t, "partitions": 3, "replication_factor": 1, "configs": {"retention.ms": "86400000"}}));
    let plan = &ok(&r)["plan"];
    assert_eq!(plan["confirm"], t);
    assert!(!kafka::topics(&b).contains(&t), "planning never writes");
    let id = plan_id(&r);
    // confirm must name the target.
    let r = s.call(
        "apply_change",
        json!({"plan_id": id, "confirm": "something-else"}),
    );
    assert!(err(&r).contains("does not match"));
    assert!(!kafka::topics(&b).contains(&t));
    let r = s.call("apply_change", json!({"plan_id": id, "confirm": t}));
    assert_eq!(ok(&r)["applied"], true);
    assert_eq!(kafka::partitions(&b, &t), 3);
    // A plan is used once.
    let r = s.call("apply_change", json!({"plan_id": id, "confirm": t}));
    assert!(err(&r).contains("unknown plan_id"));
    // Planning the same name again is refused: it exists now.
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_create", "topic": t, "partitions": 1}),
    );
    assert!(err(&r).contains("exists"));
}

#[test]
fn bad_create_inputs_are_refused_and_nothing_is_created() {
    let Some(b) = bootstrap() else { return };
    let mut s = server(&b, true);
    let long = "x".repeat(250);
    let mut attempted = Vec::new();
    for (args, needle) in [
        (json!({"topic": "bad name!", "partitions": 1}), "allowed"),
        (json!({"topic": "..", "partitions": 1}), ".."),
        (json!({"topic": long, "partitions": 1}), "249"),
        (
            json!({"topic": unique("zero"), "partitions": 0}),
            "partition",
        ),
        (
            json!({"topic": unique("neg"), "partitions": -3}),
            "partition",
        ),
        (
            json!({"topic": unique("rf"), "partitions": 1, "replication_factor": 7}),
            "broker",
        ),
        (
            json!({"topic": unique("cfg"), "partitions": 1, "configs": {"retention.mss": "1"}}),
            "retention.ms",
        ),
        (
            json!({"topic": unique("cfg"), "partitions": 1, "configs": {"retention.ms": "a week"}}),
            "retention.ms",
        ),
        (
            json!({"topic": "__consumer_offsets_2", "partitions": 1}),
            "protected",
        ),
    ] {
        let mut a = args.clone();
        a["action"] = json!("plan_create");
        let r = s.call("topic_manage", a);
        let msg = err(&r);
        assert!(
            msg.to_lowercase().contains(&needle.to_lowercase()),
            "{args}: {msg}"
        );
        attempted.push(args["topic"].as_str().unwrap().to_string());
    }
    // Other tests create topics on the shared broker meanwhile: look for ours only.
    let after = kafka::topics(&b);
    let created: Vec<&String> = attempted.iter().filter(|t| after.contains(t)).collect();
    assert!(created.is_empty(), "nothing created: {created:?}");
}

#[test]
fn alter_configs_plan_apply_and_stale_plan() {
    let Some(b) = bootstrap() else { return };
    let t = unique("alter");
    kafka::create_topic(&b, &t, 1, &[("retention.ms", "3600000")]);
    let mut s = server(&b, true);
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "configs": {"retention.ms": "7200000"}}),
    );
    let id = plan_id(&r);
    let r = s.call("apply_change", json!({"plan_id": id, "confirm": t}));
    ok(&r);
    let r = s.call("topic_manage", json!({"action": "describe", "topic": t}));
    let cfg = ok(&r)["described"][0]["configs"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        cfg.iter()
            .any(|c| c["name"] == "retention.ms" && c["value"] == "7200000"),
        "{cfg:?}"
    );
    // Plan, then the config changes behind our back: the plan is stale and refused.
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "configs": {"retention.ms": "1000"}}),
    );
    let stale = plan_id(&r);
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "configs": {"retention.ms": "5000"}}),
    );
    let first = plan_id(&r);
    ok(&s.call("apply_change", json!({"plan_id": first, "confirm": t})));
    let r = s.call("apply_change", json!({"plan_id": stale, "confirm": t}));
    assert!(err(&r).contains("stale"));
    let r = s.call("topic_manage", json!({"action": "describe", "topic": t}));
    let cfg = ok(&r)["described"][0]["configs"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        cfg.iter()
            .any(|c| c["name"] == "retention.ms" && c["value"] == "5000"),
        "the stale plan changed nothing: {cfg:?}"
    );
    // Unknown and mistyped keys.
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "configs": {"cleanup.polcy": "compact"}})
    ))
    .contains("cleanup.policy"));
    assert!(err(&s.call("topic_manage", json!({"action": "plan_alter_configs", "topic": t, "configs": {"min.insync.replicas": "two"}}))).contains("min.insync.replicas"));
}

#[test]
fn add_partitions_refuses_shrinking_and_reports_broker_support() {
    let Some(b) = bootstrap() else { return };
    let t = unique("grow");
    kafka::create_topic(&b, &t, 3, &[]);
    let mut s = server(&b, true);
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "plan_add_partitions", "topic": t, "partitions": 2})
    ))
    .contains("3"));
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "plan_add_partitions", "topic": t, "partitions": 3})
    ))
    .contains("3"));
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_add_partitions", "topic": t, "partitions": 6}),
    );
    if is_error(&r) {
        // The stand-in broker has no CreatePartitions: the error must say so plainly. Real
        // Kafka has it (tests/real_writes.rs checks the result with kafka-topics.sh).
        assert!(!real::suite_is_real(), "real Kafka: {}", text(&r));
        assert!(text(&r).contains("does not support"), "{}", text(&r));
    } else {
        let plan = &ok(&r)["plan"];
        assert!(plan["impact"]["keys_move_fraction"].as_f64().unwrap() > 0.4);
        ok(&s.call(
            "apply_change",
            json!({"plan_id": plan["plan_id"], "confirm": t}),
        ));
        assert_eq!(kafka::partitions(&b, &t), 6);
    }
    assert!(kafka::partitions(&b, &t) >= 3);
}

#[test]
fn delete_needs_confirm_and_a_fresh_plan() {
    let Some(b) = bootstrap() else { return };
    let t = unique("delete");
    kafka::create_topic(&b, &t, 2, &[]);
    kafka::produce(&b, &t, 8, 2);
    kafka::commit(&b, &unique("grp"), &t, &[(0, 1)]);
    let mut s = server(&b, true);
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let plan = ok(&r)["plan"].clone();
    assert_eq!(plan["destructive"], true);
    assert_eq!(plan["impact"]["messages_lost"], "8");
    assert_eq!(
        plan["impact"]["groups_with_commits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let id = plan["plan_id"].as_str().unwrap();
    assert!(err(&s.call(
        "apply_change",
        json!({"plan_id": "plan-from-elsewhere", "confirm": t})
    ))
    .contains("unknown plan_id"));
    assert!(
        err(&s.call("apply_change", json!({"plan_id": id, "confirm": "orders"})))
            .contains("does not match")
    );
    assert!(kafka::topics(&b).contains(&t), "nothing deleted yet");
    ok(&s.call("apply_change", json!({"plan_id": id, "confirm": t})));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!kafka::topics(&b).contains(&t));
    // Protected topics are refused at planning time.
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "plan_delete", "topic": "__consumer_offsets"})
    ))
    .contains("protected"));
}

#[test]
fn expired_plans_are_refused() {
    let Some(b) = bootstrap() else { return };
    let t = unique("expire");
    kafka::create_topic(&b, &t, 1, &[]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kafka-mcp.toml");
    let mut f = std::fs::File::create(&cfg).unwrap();
    writeln!(f, "[server]\nallow_writes = true\nplan_ttl_secs = 1\n[clusters.local]\n\"bootstrap.servers\" = \"{b}\"").unwrap();
    let mut s = Stdio::start(&["--config", cfg.to_str().unwrap()], &[]);
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let id = plan_id(&r);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert!(err(&s.call("apply_change", json!({"plan_id": id, "confirm": t}))).contains("expired"));
    assert!(kafka::topics(&b).contains(&t));
}

#[test]
fn read_only_mode_hides_apply_change() {
    let Some(b) = bootstrap() else { return };
    let t = unique("ro");
    kafka::create_topic(&b, &t, 1, &[]);
    let mut s = server(&b, false);
    let tools = s.request("tools/list", json!({}));
    let names: Vec<String> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!names.contains(&"apply_change".to_string()), "{names:?}");
    // Plans can still be made (and reviewed), with a warning that applying needs writes.
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let plan = &ok(&r)["plan"];
    let id = plan["plan_id"].as_str().unwrap();
    let r = s.request(
        "tools/call",
        json!({"name": "apply_change", "arguments": {"plan_id": id, "confirm": t}}),
    );
    let refused = r.get("error").is_some() || r["result"]["isError"] == json!(true);
    assert!(refused, "{r}");
    assert!(kafka::topics(&b).contains(&t));
    // The CLI path is the same server: also refused.
    let out = std::process::Command::new(bin())
        .args([
            "call",
            "apply_change",
            &json!({"plan_id": id, "confirm": t}).to_string(),
        ])
        .env("KAFKA_BOOTSTRAP_SERVERS", &b)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(kafka::topics(&b).contains(&t));
}

#[test]
fn purge_deletes_records_before_an_offset() {
    let Some(b) = bootstrap() else { return };
    let t = unique("purge");
    kafka::create_topic(&b, &t, 1, &[]);
    kafka::produce(&b, &t, 10, 1);
    let mut s = server(&b, true);
    assert!(err(&s.call(
        "topic_manage",
        json!({"action": "plan_purge", "topic": t, "before_offset": 99})
    ))
    .contains("99"));
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_purge", "topic": t, "partition": 0, "before_offset": 4}),
    );
    let plan = ok(&r)["plan"].clone();
    assert_eq!(plan["impact"]["messages_removed_total"], "4");
    let r = s.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": t}),
    );
    if is_error(&r) {
        assert!(!real::suite_is_real(), "real Kafka: {}", text(&r));
        assert!(text(&r).contains("does not support"), "{}", text(&r));
    } else {
        assert_eq!(kafka::watermarks(&b, &t, 0).0, 4);
    }
}

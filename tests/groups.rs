//! consumer_groups over MCP (stdio) against the local broker: list with lag, lag with
//! never-committed partitions, evaluate with progress, reset plans applied and verified, and
//! refusals that leave offsets untouched.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

fn server(b: &str) -> Stdio {
    Stdio::start(
        &["--allow-writes"],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", b),
            ("KAFKA_MCP_TIMEOUT_MS", "8000"),
        ],
    )
}

/// A topic with 4 partitions × 25 records, a caught-up group, and a group committed on two
/// partitions only (half way).
struct Setup {
    b: String,
    topic: String,
    done: String,
    behind: String,
    ends: Vec<i64>,
}

fn setup(name: &str) -> Option<Setup> {
    let b = bootstrap()?;
    let topic = unique(name);
    kafka::create_topic(&b, &topic, 4, &[]);
    kafka::produce(&b, &topic, 100, 0);
    let ends: Vec<i64> = (0..4).map(|p| kafka::watermarks(&b, &topic, p).1).collect();
    let done = unique("done");
    let behind = unique("behind");
    kafka::commit(
        &b,
        &done,
        &topic,
        &ends
            .iter()
            .enumerate()
            .map(|(p, e)| (p as i32, *e))
            .collect::<Vec<_>>(),
    );
    kafka::commit(&b, &behind, &topic, &[(0, ends[0] / 2), (1, ends[1] / 2)]);
    Some(Setup {
        b,
        topic,
        done,
        behind,
        ends,
    })
}

#[test]
fn list_with_lag_sorts_worst_first() {
    let Some(s) = setup("list") else { return };
    let mut m = server(&s.b);
    let filter = "it-*";
    let r = m.call(
        "consumer_groups",
        json!({"action": "list", "with_lag": true, "filter": filter, "limit": 500}),
    );
    let rows = ok(&r)["groups"].as_array().unwrap().clone();
    let pos = |g: &str| {
        rows.iter()
            .position(|r| r["group"] == g)
            .unwrap_or_else(|| panic!("{g} not listed"))
    };
    let behind = &rows[pos(&s.behind)];
    let expected = (s.ends[0] - s.ends[0] / 2) + (s.ends[1] - s.ends[1] / 2);
    assert_eq!(behind["total_lag"], expected.to_string(), "{behind}");
    assert_eq!(
        behind["lag_complete"], false,
        "partitions 2 and 3 were never committed"
    );
    assert_eq!(rows[pos(&s.done)]["total_lag"], "0");
    assert!(pos(&s.behind) < pos(&s.done), "worst lag first");
    m.assert_pure_stdout();
}

#[test]
fn lag_shows_never_committed_partitions_as_null_not_zero() {
    let Some(s) = setup("lag") else { return };
    let mut m = server(&s.b);
    let r = m.call(
        "consumer_groups",
        json!({"action": "lag", "group": s.behind}),
    );
    let lag = &ok(&r)["lag"];
    assert_eq!(lag["partition_count"], 4);
    assert_eq!(lag["partitions_without_commit"], 2);
    assert_eq!(lag["total_lag_complete"], false);
    let parts = lag["partitions"].as_array().unwrap();
    for p in parts {
        let id = p["partition"].as_i64().unwrap();
        if id >= 2 {
            assert!(p["committed_offset"].is_null(), "{p}");
            assert!(
                p["lag_messages"].is_null(),
                "never committed is not lag 0: {p}"
            );
            assert_eq!(p["state"], "NO_COMMITTED_OFFSET");
        } else {
            assert_eq!(p["committed_offset"], (s.ends[id as usize] / 2).to_string());
            assert_eq!(p["log_end_offset"], s.ends[id as usize].to_string());
        }
    }
    assert!(err(&m.call(
        "consumer_groups",
        json!({"action": "lag", "group": "no-such-group-xyz"})
    ))
    .contains("not found"));
    assert!(err(&m.call("consumer_groups", json!({"action": "lag"}))).contains("group"));
}

#[test]
fn evaluate_samples_with_progress_notifications() {
    let Some(s) = setup("eval") else { return };
    let mut m = server(&s.b);
    let r = m.request(
        "tools/call",
        json!({"name": "consumer_groups", "arguments": {"action": "evaluate", "group": s.behind, "sample_seconds": 2},
               "_meta": {"progressToken": "tok-1"}}),
    );
    let out = &r["result"]["structuredContent"];
    assert!(out["verdict"]["status"].is_string(), "{r}");
    assert!(out["verdict"]["partitions"].as_array().unwrap().len() == 4);
    let progress: Vec<&Value> = m
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .collect();
    assert!(
        progress.len() >= 2,
        "progress notifications: {:?}",
        m.notifications
    );
    assert_eq!(progress[0]["params"]["progressToken"], "tok-1");
}

#[test]
fn reset_plan_applies_and_offsets_are_verified() {
    let Some(s) = setup("reset") else { return };
    let mut m = server(&s.b);
    let r = m.call(
        "consumer_groups",
        json!({"action": "plan_reset_offsets", "group": s.done, "to": "earliest"}),
    );
    let plan = ok(&r)["plan"].clone();
    assert_eq!(plan["confirm"], s.done);
    assert_eq!(
        plan["impact"]["total_messages_reread"],
        s.ends.iter().sum::<i64>().to_string()
    );
    assert_eq!(
        kafka::committed(&s.b, &s.done, &s.topic, 4),
        s.ends.iter().map(|e| Some(*e)).collect::<Vec<_>>(),
        "planning changed nothing"
    );
    ok(&m.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": s.done}),
    ));
    assert_eq!(
        kafka::committed(&s.b, &s.done, &s.topic, 4),
        vec![Some(0); 4]
    );
    // Shift forward, clamped at the log end.
    let r = m.call("consumer_groups", json!({"action": "plan_reset_offsets", "group": s.done, "to": "shift", "shift_by": 1_000_000}));
    let plan = ok(&r)["plan"].clone();
    assert_eq!(plan["impact"]["partitions_clamped"], 4);
    ok(&m.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": s.done}),
    ));
    assert_eq!(
        kafka::committed(&s.b, &s.done, &s.topic, 4),
        s.ends.iter().map(|e| Some(*e)).collect::<Vec<_>>()
    );
}

#[test]
fn bad_reset_inputs_change_nothing() {
    let Some(s) = setup("badreset") else { return };
    let mut m = server(&s.b);
    let before = kafka::committed(&s.b, &s.behind, &s.topic, 4);
    let future = 4_102_444_800_000i64; // 2100-01-01
    for (args, needle) in [
        (json!({"to": "timestamp", "timestamp_ms": future}), "future"),
        (json!({"to": "offset", "offset": -5}), "negative"),
        (json!({"to": "shift"}), "shift_by"),
        (
            json!({"to": "earliest", "topics": ["no-such-topic-xyz"]}),
            "does not exist",
        ),
        (json!({}), "to"),
    ] {
        let mut a = args.clone();
        a["action"] = json!("plan_reset_offsets");
        a["group"] = json!(s.behind);
        let msg = err(&m.call("consumer_groups", a));
        assert!(msg.to_lowercase().contains(needle), "{args}: {msg}");
    }
    let msg = err(&m.call(
        "consumer_groups",
        json!({"action": "plan_reset_offsets", "group": "no-such-group-xyz", "to": "earliest"}),
    ));
    assert!(
        msg.contains("not found") || msg.contains("no committed"),
        "{msg}"
    );
    assert_eq!(kafka::committed(&s.b, &s.behind, &s.topic, 4), before);
}

#[test]
fn active_groups_are_refused() {
    let Some(s) = setup("active") else { return };
    let group = unique("live");
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let (b, topic, g) = (s.b.clone(), s.topic.clone(), group.clone());
    let consumer = std::thread::spawn(move || {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &b)
            .set("group.id", &g)
            .set("auto.offset.reset", "earliest")
            .create()
            .unwrap();
        c.subscribe(&[&topic]).unwrap();
        while !stop2.load(Ordering::Relaxed) {
            let _ = c.poll(Duration::from_millis(100));
        }
    });
    // Wait until the group exists and has committed something (auto-commit).
    let mut m = server(&s.b);
    let mut refused = None;
    for _ in 0..60 {
        std::thread::sleep(Duration::from_millis(500));
        let r = m.call(
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": group, "to": "earliest"}),
        );
        if is_error(&r)
            && (text(&r).contains("active")
                || text(&r).contains("Stable")
                || text(&r).contains("rebalanc"))
        {
            refused = Some(text(&r));
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    consumer.join().unwrap();
    let msg = refused.expect("an active group must be refused");
    assert!(
        msg.contains("Stop") || msg.contains("wait"),
        "says what to do: {msg}"
    );
}

#[test]
fn delete_group_plan() {
    let Some(s) = setup("delgroup") else { return };
    let mut m = server(&s.b);
    let r = m.call(
        "consumer_groups",
        json!({"action": "plan_delete_group", "group": s.behind}),
    );
    let plan = ok(&r)["plan"].clone();
    assert_eq!(plan["destructive"], true);
    assert!(err(&m.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": "x"})
    ))
    .contains("does not match"));
    assert!(kafka::groups(&s.b).contains(&s.behind));
    ok(&m.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": s.behind}),
    ));
    std::thread::sleep(Duration::from_millis(300));
    assert!(!kafka::groups(&s.b).contains(&s.behind));
    assert_eq!(
        kafka::committed(&s.b, &s.behind, &s.topic, 4),
        vec![None; 4]
    );
}

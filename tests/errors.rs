//! A catalogue of error cases: every tool error says what happened and the next move (a call,
//! an argument, a config key or a command), never a bare failure.

mod common;

use common::*;
use serde_json::{json, Value};

/// Words that introduce a next step in our messages.
const NEXT_STEP: &[&str] = &[
    "call ",
    "pass ",
    "send ",
    "set ",
    "check ",
    "use ",
    "retry",
    "stop ",
    "make a new plan",
    "make ",
    "omit ",
    "give ",
    "grant ",
    "start ",
    "needs `",
    "needs a",
    "instead",
    "did you mean",
    "restart",
    "add ",
    "wait",
    "export ",
    "remove ",
    "pick ",
    "raise ",
    "repeat ",
    "lower ",
    "fix ",
];

fn assert_actionable(case: &str, r: &Value) {
    assert!(
        is_error(r),
        "{case}: expected a tool error, got {}",
        r["structuredContent"]
    );
    let t = text(r);
    let lower = t.to_lowercase();
    assert!(t.len() > 25, "{case}: too terse: {t}");
    assert!(
        NEXT_STEP.iter().any(|w| lower.contains(w)),
        "{case}: no next step in: {t}"
    );
    assert!(
        !lower.contains("panicked") && !lower.contains("rd_kafka_"),
        "{case}: internals leaked: {t}"
    );
}

#[test]
fn offline_error_catalogue() {
    let mut none = Stdio::start(&["--allow-writes"], &[]);
    assert_actionable(
        "no cluster configured",
        &none.call("cluster_health", json!({})),
    );
    let mut s = Stdio::start(
        &["--allow-writes"],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
            ("KAFKA_MCP_TIMEOUT_MS", "1500"),
        ],
    );
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "unknown cluster",
            "cluster_health",
            json!({"cluster": "nope"}),
        ),
        ("unreachable broker", "cluster_health", json!({})),
        (
            "describe without topic",
            "topic_manage",
            json!({"action": "describe"}),
        ),
        (
            "peek without topic",
            "topic_manage",
            json!({"action": "peek"}),
        ),
        (
            "lag without group",
            "consumer_groups",
            json!({"action": "lag"}),
        ),
        (
            "reset without to",
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": "g"}),
        ),
        (
            "unknown plan",
            "apply_change",
            json!({"plan_id": "plan-123", "confirm": "orders"}),
        ),
        (
            "schema malformed",
            "schema_validate",
            json!({"action": "check", "schema": "{not json", "previous": []}),
        ),
        // An empty history is no error: a subject's first schema is compatible under every
        // mode, as the registry treats it (tests/schema_validate.rs).
        (
            "schema file without dir",
            "schema_validate",
            json!({"action": "validate", "schema_file": "a.avsc"}),
        ),
        (
            "client audit without client",
            "config_audit",
            json!({"scope": "client"}),
        ),
        (
            "bad cursor",
            "topic_manage",
            json!({"action": "list", "cursor": "garbage"}),
        ),
    ];
    for (case, tool, args) in cases {
        let r = s.call(tool, args);
        assert_actionable(case, &r);
    }
    s.assert_pure_stdout();
}

#[test]
fn broker_error_catalogue() {
    let Some(b) = bootstrap() else { return };
    let t = unique("errs");
    kafka::create_topic(&b, &t, 2, &[]);
    kafka::produce(&b, &t, 4, 2);
    let mut s = Stdio::start(
        &["--allow-writes"],
        &[("KAFKA_BOOTSTRAP_SERVERS", b.as_str())],
    );
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "unknown topic",
            "topic_manage",
            json!({"action": "describe", "topic": "no-such-topic-q"}),
        ),
        (
            "unknown group",
            "consumer_groups",
            json!({"action": "lag", "group": "no-such-group-q"}),
        ),
        (
            "peek too many",
            "topic_manage",
            json!({"action": "peek", "topic": t, "count": 1000}),
        ),
        (
            "peek bad partition",
            "topic_manage",
            json!({"action": "peek", "topic": t, "partition": 9}),
        ),
        (
            "bad topic name",
            "topic_manage",
            json!({"action": "plan_create", "topic": "a b", "partitions": 1}),
        ),
        (
            "existing topic",
            "topic_manage",
            json!({"action": "plan_create", "topic": t, "partitions": 1}),
        ),
        (
            "shrink partitions",
            "topic_manage",
            json!({"action": "plan_add_partitions", "topic": t, "partitions": 1}),
        ),
        (
            "unknown config",
            "topic_manage",
            json!({"action": "plan_alter_configs", "topic": t, "configs": {"retention.mss": "1"}}),
        ),
        (
            "protected topic",
            "topic_manage",
            json!({"action": "plan_delete", "topic": "__consumer_offsets"}),
        ),
        (
            "purge past end",
            "topic_manage",
            json!({"action": "plan_purge", "topic": t, "before_offset": 1000}),
        ),
        (
            "purge without target",
            "topic_manage",
            json!({"action": "plan_purge", "topic": t}),
        ),
        (
            "reset future timestamp",
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": "no-such-group-q", "to": "timestamp", "timestamp_ms": 4_102_444_800_000i64}),
        ),
        (
            "unknown topic audit",
            "config_audit",
            json!({"scope": "topic", "topics": ["no-such-topic-q"]}),
        ),
    ];
    for (case, tool, args) in cases {
        let r = s.call(tool, args);
        assert_actionable(case, &r);
    }
    // confirm mismatch on a real plan.
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let id = r["structuredContent"]["plan"]["plan_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_actionable(
        "confirm mismatch",
        &s.call("apply_change", json!({"plan_id": id, "confirm": "other"})),
    );
}

//! The agent-facing MCP surface beyond tools: resources, prompts, progress and cancellation,
//! elicitation before writes, and log notifications — over stdio and HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

#[test]
fn resources_list_templates_and_clusters() {
    let mut s = Stdio::start(
        &[],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
            ("KAFKA_SASL_PASSWORD", "sup3r-s3cret-pw"),
        ],
    );
    let r = s.request("resources/list", json!({}));
    let uris: Vec<&str> = r["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["uri"].as_str().unwrap())
        .collect();
    assert!(
        uris.contains(&"kafka://clusters") && uris.contains(&"kafka://default/health"),
        "{uris:?}"
    );
    let r = s.request("resources/templates/list", json!({}));
    let t: Vec<&str> = r["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        t,
        vec![
            "kafka://{cluster}/health",
            "kafka://{cluster}/topics/{topic}",
            "kafka://{cluster}/groups/{group}"
        ]
    );
    let r = s.request("resources/read", json!({"uri": "kafka://clusters"}));
    let text = r["result"]["contents"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["clusters"][0]["name"], "default");
    assert_eq!(v["clusters"][0]["read_only"], true);
    assert_eq!(v["clusters"][0]["default"], true);
    assert!(!text.contains("sup3r-s3cret-pw"), "secrets masked: {text}");
    let r = s.request("resources/read", json!({"uri": "kafka://default/nothing"}));
    assert!(r.get("error").is_some(), "{r}");
    s.assert_pure_stdout();
}

#[test]
fn resources_read_the_same_summaries_as_the_tools() {
    let Some(b) = bootstrap() else { return };
    let t = unique("res");
    kafka::create_topic(&b, &t, 2, &[]);
    kafka::produce(&b, &t, 10, 2);
    let g = unique("resgrp");
    kafka::commit(&b, &g, &t, &[(0, 1)]);
    let mut s = Stdio::start(&[], &[("KAFKA_BOOTSTRAP_SERVERS", b.as_str())]);
    let read = |s: &mut Stdio, uri: &str| -> Value {
        let r = s.request("resources/read", json!({"uri": uri}));
        serde_json::from_str(
            r["result"]["contents"][0]["text"]
                .as_str()
                .unwrap_or_else(|| panic!("{r}")),
        )
        .unwrap()
    };
    let h = read(&mut s, "kafka://default/health");
    assert!(h["status"].is_string());
    let topic = read(&mut s, &format!("kafka://default/topics/{t}"));
    assert_eq!(topic["described"][0]["name"], t);
    assert_eq!(topic["described"][0]["messages"], "10");
    let group = read(&mut s, &format!("kafka://default/groups/{g}"));
    assert_eq!(group["lag"]["group"], g);
    assert_eq!(group["lag"]["partitions_without_commit"], 1);
}

#[test]
fn prompts_list_and_get() {
    let mut s = Stdio::start(&[], &[]);
    let r = s.request("prompts/list", json!({}));
    let names: Vec<&str> = r["result"]["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "diagnose-consumer-lag",
            "cluster-health-review",
            "pre-deploy-schema-check",
            "safe-topic-change"
        ]
    );
    let r = s.request(
        "prompts/get",
        json!({"name": "diagnose-consumer-lag", "arguments": {"group": "billing"}}),
    );
    let text = r["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("\"group\": \"billing\"")
            && text.contains("evaluate")
            && text.contains("describe"),
        "{text}"
    );
    let r = s.request("prompts/get", json!({"name": "safe-topic-change", "arguments": {"topic": "orders", "change": "retention 14d"}}));
    let text = r["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("apply_change") && text.contains("\"confirm\": \"orders\""),
        "{text}"
    );
    let r = s.request(
        "prompts/get",
        json!({"name": "diagnose-consumer-lag", "arguments": {}}),
    );
    assert!(
        r["error"]["message"].as_str().unwrap().contains("group"),
        "{r}"
    );
    let r = s.request("prompts/get", json!({"name": "no-such-prompt"}));
    assert!(r.get("error").is_some());
}

#[test]
fn cancellation_stops_a_long_sampling_call() {
    let Some(b) = bootstrap() else { return };
    let t = unique("cancel");
    kafka::create_topic(&b, &t, 1, &[]);
    kafka::produce(&b, &t, 5, 1);
    let g = unique("cancelgrp");
    kafka::commit(&b, &g, &t, &[(0, 2)]);
    let mut s = Stdio::start(&[], &[("KAFKA_BOOTSTRAP_SERVERS", b.as_str())]);
    let started = Instant::now();
    s.send_raw(
        &json!({"jsonrpc": "2.0", "id": 900, "method": "tools/call", "params": {"name": "consumer_groups",
            "arguments": {"action": "evaluate", "group": g, "sample_seconds": 60}, "_meta": {"progressToken": 7}}})
        .to_string(),
    );
    // Wait for the first progress notification, then cancel.
    let first = s.request("ping", json!({}));
    assert!(first.get("result").is_some());
    std::thread::sleep(Duration::from_millis(1500));
    s.notify(
        "notifications/cancelled",
        json!({"requestId": 900, "reason": "test"}),
    );
    // The server stays responsive and the sampling loop ends long before its 60 s.
    let pong = s.request("ping", json!({}));
    assert!(pong.get("result").is_some());
    std::thread::sleep(Duration::from_millis(500));
    let progress_before = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .count();
    std::thread::sleep(Duration::from_secs(5));
    let _ = s.request("ping", json!({}));
    let progress_after = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .count();
    assert!(
        progress_before >= 1,
        "progress was reported before the cancel"
    );
    assert_eq!(
        progress_before, progress_after,
        "no progress after cancellation: the call stopped"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    s.assert_pure_stdout();
}

#[test]
fn elicitation_asks_the_human_before_writing() {
    let Some(b) = bootstrap() else { return };
    let t = unique("elicit");
    kafka::create_topic(&b, &t, 1, &[]);
    let mut s = Stdio::start_with_capabilities(
        &["--allow-writes"],
        &[("KAFKA_BOOTSTRAP_SERVERS", b.as_str())],
        json!({"elicitation": {}}),
    );
    // The human declines: nothing is deleted.
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let id = r["structuredContent"]["plan"]["plan_id"]
        .as_str()
        .unwrap()
        .to_string();
    s.elicitation_answer = Some(json!({"action": "decline"}));
    let r = s.call("apply_change", json!({"plan_id": id, "confirm": t}));
    assert!(
        is_error(&r) && text(&r).contains("declined"),
        "{}",
        text(&r)
    );
    assert_eq!(s.server_requests.len(), 1);
    let asked = s.server_requests[0]["params"]["message"].as_str().unwrap();
    assert!(
        asked.contains(&t) && asked.contains("cannot be undone"),
        "{asked}"
    );
    assert!(kafka::topics(&b).contains(&t));
    // The human approves: applied.
    let r = s.call("topic_manage", json!({"action": "plan_delete", "topic": t}));
    let id = r["structuredContent"]["plan"]["plan_id"]
        .as_str()
        .unwrap()
        .to_string();
    s.elicitation_answer = Some(json!({"action": "accept", "content": {"approve": true}}));
    let r = s.call("apply_change", json!({"plan_id": id, "confirm": t}));
    assert!(!is_error(&r), "{}", text(&r));
    std::thread::sleep(Duration::from_millis(500));
    assert!(!kafka::topics(&b).contains(&t));
}

#[test]
fn partial_answers_become_log_notifications_at_the_chosen_level() {
    let Some(b) = bootstrap() else { return };
    let mut s = Stdio::start(&[], &[("KAFKA_BOOTSTRAP_SERVERS", b.as_str())]);
    // The local broker has no DescribeQuorum/defaults: cluster_health answers with notes.
    let r = s.call("cluster_health", json!({}));
    assert!(!is_error(&r));
    let has_notes = r["structuredContent"]["notes"]
        .as_array()
        .is_some_and(|n| !n.is_empty());
    let logs = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/message")
        .count();
    if has_notes {
        assert!(
            logs >= 1,
            "notes are sent as warnings: {:?}",
            s.notifications
        );
        let n = s
            .notifications
            .iter()
            .find(|n| n["method"] == "notifications/message")
            .unwrap();
        assert_eq!(n["params"]["level"], "warning");
    }
    let r = s.request("logging/setLevel", json!({"level": "error"}));
    assert!(r.get("result").is_some(), "{r}");
    s.notifications.clear();
    let _ = s.call("cluster_health", json!({}));
    assert_eq!(
        s.notifications
            .iter()
            .filter(|n| n["method"] == "notifications/message")
            .count(),
        0
    );
}

#[test]
fn resources_and_prompts_over_http() {
    let srv = HttpServer::start(&[], &[("KAFKA_MCP_TOKEN", "tok-agent-1")]);
    let mut c = McpHttp::connect(&srv.addr, Some("tok-agent-1"));
    let r = c.request("resources/list", json!({}));
    assert!(r["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["uri"] == "kafka://clusters"));
    let r = c.request("resources/templates/list", json!({}));
    assert_eq!(
        r["result"]["resourceTemplates"].as_array().unwrap().len(),
        3
    );
    let r = c.request("resources/read", json!({"uri": "kafka://clusters"}));
    assert!(r["result"]["contents"][0]["text"]
        .as_str()
        .unwrap()
        .contains("clusters"));
    let r = c.request("prompts/list", json!({}));
    assert_eq!(r["result"]["prompts"].as_array().unwrap().len(), 4);
    let r = c.request(
        "prompts/get",
        json!({"name": "cluster-health-review", "arguments": {}}),
    );
    assert!(r["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("cluster_health"));
}

//! No path reaches the cluster's write APIs without a valid plan id + matching confirm + writes
//! enabled. A proxy between kafka-mcp and the broker decodes every Kafka request, so "no write"
//! means no Produce, OffsetCommit, group membership, Create/Delete/Alter request (other than
//! `validate_only`) was sent at all, not just that the cluster looks unchanged.

mod common;
mod hardening;

use std::time::Duration;

use hardening::*;
use serde_json::{json, Value};

/// A broker on `port` advertising `proxy`, the recording proxy on `proxy`, a topic with records
/// and a group with commits. The setup's own requests are forgotten.
fn cluster(
    broker_port: u16,
    proxy_port: u16,
    name: &str,
) -> Option<(OwnBroker, KafkaProxy, String, String, String)> {
    let bin = broker_backend()?;
    let broker = OwnBroker::start_with(&bin, broker_port, proxy_port, &[]);
    let proxy = KafkaProxy::start(proxy_port, broker_port, vec![]);
    let b = broker.bootstrap();
    let topic = common::unique(name);
    let group = common::unique(&format!("{name}-g"));
    common::kafka::create_topic(&b, &topic, 3, &[]);
    common::kafka::produce(&b, &topic, 30, 3);
    common::kafka::commit(&b, &group, &topic, &[(0, 2), (1, 2), (2, 2)]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        proxy.writes().iter().any(|c| c.api_key == 0),
        "the proxy sees the setup's Produce: {:?}",
        proxy.calls()
    );
    proxy.clear();
    Some((broker, proxy, b, topic, group))
}

fn assert_no_writes(proxy: &KafkaProxy, what: &str) {
    std::thread::sleep(Duration::from_millis(200));
    let w = proxy.writes();
    assert!(
        w.is_empty(),
        "{what}: write requests reached the broker: {:?}",
        w.iter().map(ApiCall::name).collect::<Vec<_>>()
    );
}

fn plan(m: &mut Mcp, tool: &str, args: Value) -> (String, String) {
    let r = m.call(tool, args.clone());
    assert!(!is_error(&r), "{tool} {args}: {}", text(&r));
    let p = &r["structuredContent"]["plan"];
    (
        p["plan_id"].as_str().expect("plan_id").to_string(),
        p["confirm"].as_str().expect("confirm").to_string(),
    )
}

/// Every plan kind the broker can validate, on `topic`/`group`.
fn plans(m: &mut Mcp, topic: &str, group: &str) -> Vec<(String, String)> {
    vec![
        plan(
            m,
            "topic_manage",
            json!({"action": "plan_create", "topic": format!("{topic}-new"), "partitions": 1, "replication_factor": 1}),
        ),
        plan(
            m,
            "topic_manage",
            json!({"action": "plan_alter_configs", "topic": topic, "configs": {"retention.ms": "3600000"}}),
        ),
        plan(
            m,
            "topic_manage",
            json!({"action": "plan_delete", "topic": topic}),
        ),
        plan(
            m,
            "topic_manage",
            json!({"action": "plan_purge", "topic": topic, "before_offset": -1}),
        ),
        plan(
            m,
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": group, "to": "earliest"}),
        ),
        plan(
            m,
            "consumer_groups",
            json!({"action": "plan_delete_group", "group": group}),
        ),
    ]
}

fn apply(m: &mut Mcp, plan_id: &str, confirm: &str) -> Value {
    let id = m.send_call(
        "apply_change",
        json!({"plan_id": plan_id, "confirm": confirm}),
    );
    m.wait(id, Duration::from_secs(60))
        .expect("apply_change answered")
}

fn refused(r: &Value, needle: &str) {
    let result = r
        .get("result")
        .unwrap_or_else(|| panic!("expected a tool error, got {r}"));
    assert!(is_error(result), "expected a refusal, got {result}");
    assert!(
        text(result).contains(needle),
        "refusal does not say {needle:?}: {}",
        text(result)
    );
}

#[test]
fn reads_and_plans_never_write_and_apply_needs_writes_enabled_a_valid_plan_and_its_confirm() {
    let Some((_broker, proxy, b, topic, group)) = cluster(19503, 19504, "writes") else {
        return;
    };
    let dir = temp_dir("writes");

    // Read-only server: every read, then every plan kind: only validate_only requests.
    let mut ro = Mcp::start(
        &["--timeout-ms", "5000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
    );
    for (t, a) in [
        ("cluster_health", json!({"detail": "full"})),
        (
            "topic_manage",
            json!({"action": "list", "with_counts": true}),
        ),
        (
            "topic_manage",
            json!({"action": "describe", "topic": topic, "all_configs": true}),
        ),
        (
            "topic_manage",
            json!({"action": "peek", "topic": topic, "count": 10}),
        ),
        (
            "topic_manage",
            json!({"action": "peek", "topic": topic, "from": "first", "partition": 1}),
        ),
        (
            "consumer_groups",
            json!({"action": "list", "with_lag": true}),
        ),
        (
            "consumer_groups",
            json!({"action": "describe", "group": group}),
        ),
        ("consumer_groups", json!({"action": "lag", "group": group})),
        (
            "consumer_groups",
            json!({"action": "evaluate", "group": group, "sample_seconds": 1}),
        ),
        ("config_audit", json!({"scope": "cluster"})),
        (
            "config_audit",
            json!({"scope": "topic", "topics": [topic], "sample_null_keys": true}),
        ),
    ] {
        let r = ro.call(t, a.clone());
        assert!(!is_error(&r), "{t} {a}: {}", text(&r));
    }
    assert_no_writes(&proxy, "reads");
    assert!(
        proxy.calls().len() > 10,
        "the proxy saw the reads: {:?}",
        proxy.calls()
    );
    let ro_plans = plans(&mut ro, &topic, &group);
    assert_no_writes(&proxy, "plans");
    assert!(
        proxy.calls().iter().any(|c| c.validate_only == Some(true)),
        "plans are validated by the broker with validate_only"
    );

    // Read-only: apply_change is not even a tool.
    let id = ro.send("tools/list", json!({}));
    let tools = ro.wait(id, Duration::from_secs(10)).unwrap();
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"topic_manage") && !names.contains(&"apply_change"),
        "read-only tools: {names:?}"
    );
    for (p, confirm) in &ro_plans {
        let r = apply(&mut ro, p, confirm);
        assert!(
            r.get("error").is_some(),
            "read-only apply_change must be an unknown tool: {r}"
        );
    }
    assert_no_writes(&proxy, "read-only apply_change");

    // Writes enabled, but not a valid plan + confirm.
    let mut rw = Mcp::start(
        &["--allow-writes", "--timeout-ms", "5000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
    );
    let rw_plans = plans(&mut rw, &topic, &group);
    proxy.clear();
    let id = rw.send_call("apply_change", json!({}));
    let r = rw.wait(id, Duration::from_secs(10)).unwrap();
    assert!(
        r.get("error").is_some() || is_error(&r["result"]),
        "missing plan_id and confirm: {r}"
    );
    let id = rw.send_call("apply_change", json!({"plan_id": rw_plans[0].0}));
    let r = rw.wait(id, Duration::from_secs(10)).unwrap();
    assert!(
        r.get("error").is_some() || is_error(&r["result"]),
        "missing confirm: {r}"
    );
    refused(
        &apply(&mut rw, "plan-00000000000000000000000000000000", &topic),
        "unknown plan_id",
    );
    refused(&apply(&mut rw, "", &topic), "unknown plan_id");
    for (p, confirm) in &ro_plans {
        refused(&apply(&mut rw, p, confirm), "unknown plan_id");
    }
    for (p, confirm) in &rw_plans {
        for wrong in [
            "",
            "*",
            &confirm.to_uppercase(),
            &format!("{confirm}x"),
            "__consumer_offsets",
        ] {
            if wrong != confirm {
                refused(&apply(&mut rw, p, wrong), "does not match");
            }
        }
    }
    assert_no_writes(&proxy, "apply_change without a valid plan and confirm");

    // A human who declines the confirmation dialog (elicitation) stops it.
    let mut asks = Mcp::start_with_capabilities(
        &["--allow-writes", "--timeout-ms", "5000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
        json!({"elicitation": {}}),
    );
    for answer in [
        json!({"action": "decline"}),
        json!({"action": "cancel"}),
        json!({"action": "accept", "content": {"approve": false}}),
    ] {
        let (p, confirm) = plan(
            &mut asks,
            "topic_manage",
            json!({"action": "plan_delete", "topic": topic}),
        );
        proxy.clear();
        let id = asks.send_call("apply_change", json!({"plan_id": p, "confirm": confirm}));
        let req = asks
            .wait_server_request("elicitation/create", Duration::from_secs(30))
            .expect("the server asks the human");
        assert!(
            req["params"]["message"].as_str().unwrap().contains(&topic),
            "{req}"
        );
        asks.respond(&req["id"], answer.clone());
        let r = asks.wait(id, Duration::from_secs(30)).unwrap();
        refused(&r, "declined");
        assert_no_writes(&proxy, &format!("elicitation answered {answer}"));
    }

    // An expired plan.
    let short = dir.join("short.toml");
    std::fs::write(&short, "[server]\nplan_ttl_secs = 1\n").unwrap();
    let mut ttl = Mcp::start(
        &["--allow-writes", "--config", short.to_str().unwrap()],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
    );
    let (p, confirm) = plan(
        &mut ttl,
        "topic_manage",
        json!({"action": "plan_delete", "topic": topic}),
    );
    std::thread::sleep(Duration::from_millis(2200));
    proxy.clear();
    refused(&apply(&mut ttl, &p, &confirm), "expired");
    assert_no_writes(&proxy, "expired plan");

    // Writes on for the server, off for the cluster.
    let narrowed = dir.join("narrowed.toml");
    std::fs::write(&narrowed, format!("[server]\nallow_writes = true\n[clusters.default]\n\"bootstrap.servers\" = \"{b}\"\nallow_writes = false\n")).unwrap();
    let mut cl = Mcp::start(&["--config", narrowed.to_str().unwrap()], &[], &dir);
    let (p, confirm) = plan(
        &mut cl,
        "topic_manage",
        json!({"action": "plan_delete", "topic": topic}),
    );
    proxy.clear();
    refused(&apply(&mut cl, &p, &confirm), "allow_writes = false");
    assert_no_writes(&proxy, "cluster with allow_writes = false");

    // Protected topics cannot even be planned.
    for (t, a) in [
        (
            "topic_manage",
            json!({"action": "plan_delete", "topic": "__consumer_offsets"}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_create", "topic": "_schemas", "partitions": 1, "replication_factor": 1}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_alter_configs", "topic": "__transaction_state", "configs": {"retention.ms": "1"}}),
        ),
    ] {
        let r = rw.call(t, a.clone());
        assert!(
            is_error(&r) && text(&r).contains("protected"),
            "{a}: {}",
            text(&r)
        );
    }
    assert_no_writes(&proxy, "protected topics");

    // A plan whose precondition no longer holds (the topic appeared meanwhile).
    let (p, confirm) = plan(
        &mut rw,
        "topic_manage",
        json!({"action": "plan_create", "topic": format!("{topic}-race"), "partitions": 1, "replication_factor": 1}),
    );
    common::kafka::create_topic(&b, &format!("{topic}-race"), 1, &[]);
    proxy.clear();
    refused(&apply(&mut rw, &p, &confirm), "stale");
    assert_no_writes(&proxy, "stale plan");

    // The one path that writes: writes on, a plan of this process, its confirm. The proxy sees it.
    let (p, confirm) = plan(
        &mut rw,
        "topic_manage",
        json!({"action": "plan_create", "topic": format!("{topic}-made"), "partitions": 1, "replication_factor": 1}),
    );
    proxy.clear();
    let r = apply(&mut rw, &p, &confirm);
    assert!(!is_error(&r["result"]), "{r}");
    std::thread::sleep(Duration::from_millis(200));
    let w: Vec<String> = proxy.writes().iter().map(ApiCall::name).collect();
    assert_eq!(w, vec!["CreateTopics"], "exactly the planned write");
    // Used once.
    proxy.clear();
    refused(&apply(&mut rw, &p, &confirm), "unknown plan_id");
    assert_no_writes(&proxy, "a plan applied twice");
    let (p, confirm) = plan(
        &mut rw,
        "consumer_groups",
        json!({"action": "plan_reset_offsets", "group": group, "to": "latest"}),
    );
    proxy.clear();
    let r = apply(&mut rw, &p, &confirm);
    assert!(!is_error(&r["result"]), "{r}");
    std::thread::sleep(Duration::from_millis(200));
    let w: Vec<String> = proxy.writes().iter().map(ApiCall::name).collect();
    assert_eq!(w, vec!["OffsetCommit"], "exactly the planned offset reset");
    for m in [&ro, &rw, &asks, &ttl, &cl] {
        m.assert_pure_stdout();
    }
}

/// `kafka-mcp call` runs a fresh server per invocation: a plan printed by one call can never be
/// applied by another, and without --allow-writes apply_change does not exist.
#[test]
fn the_cli_call_path_never_writes_without_a_plan_of_its_own_process() {
    let Some((_broker, proxy, b, topic, group)) = cluster(19505, 19506, "cli-writes") else {
        return;
    };
    let call = |args: &[&str]| {
        let out = std::process::Command::new(bin())
            .arg("call")
            .args(args)
            .env("KAFKA_BOOTSTRAP_SERVERS", &b)
            .env_remove("KAFKA_MCP_CONFIG")
            .env_remove("KAFKA_MCP_ALLOW_WRITES")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut made = Vec::new();
    for args in [
        json!({"action": "plan_delete", "topic": topic}),
        json!({"action": "plan_create", "topic": format!("{topic}-new"), "partitions": 1, "replication_factor": 1}),
    ] {
        let (code, out, err) = call(&["topic_manage", &args.to_string(), "--allow-writes"]);
        assert_eq!(code, Some(0), "{out} {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        made.push((
            v["plan"]["plan_id"].as_str().unwrap().to_string(),
            v["plan"]["confirm"].as_str().unwrap().to_string(),
        ));
    }
    let (code, out, _) = call(&[
        "consumer_groups",
        &json!({"action": "plan_reset_offsets", "group": group, "to": "latest"}).to_string(),
    ]);
    assert_eq!(code, Some(0), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    made.push((
        v["plan"]["plan_id"].as_str().unwrap().to_string(),
        v["plan"]["confirm"].as_str().unwrap().to_string(),
    ));
    assert_no_writes(&proxy, "plans made through `call`");
    for (p, confirm) in &made {
        let args = json!({"plan_id": p, "confirm": confirm}).to_string();
        let (code, out, err) = call(&["apply_change", &args]);
        assert_ne!(
            code,
            Some(0),
            "read-only `call apply_change` succeeded: {out}"
        );
        assert!(
            err.contains("apply_change") && err.contains("--allow-writes"),
            "says the tool needs --allow-writes: {out} {err}"
        );
        let (code, out, _) = call(&["apply_change", &args, "--allow-writes"]);
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("unknown plan_id"), "{out}");
    }
    assert_no_writes(&proxy, "`call apply_change` with plans of other processes");
    assert!(
        common::kafka::topics(&b).contains(&topic),
        "the topic is still there"
    );
}

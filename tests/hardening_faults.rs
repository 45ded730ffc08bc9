//! Broker faults: librdkafka's mock cluster with injected request errors, latency and outages,
//! and a real broker (nisshi, started by the test) paused with SIGSTOP mid-call or killed and
//! restarted. Every tool must answer with a tool error naming the cause (deadline with its
//! length, connection refused, not authorized) within its deadline, the server must stay up,
//! and the next call after the broker is back must succeed.

mod common;
mod hardening;

use std::time::Duration;

use hardening::*;
use rdkafka::mocking::MockCluster;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use serde_json::{json, Value};

/// The admin deadline the servers here run with.
const TIMEOUT_MS: u64 = 2_000;

/// A tool error must arrive within the deadline plus this.
const MARGIN: Duration = Duration::from_secs(2);

fn deadline() -> Duration {
    Duration::from_millis(TIMEOUT_MS) + MARGIN
}

fn server(bootstrap: &str, dir: &std::path::Path) -> Mcp {
    let t = TIMEOUT_MS.to_string();
    Mcp::start(
        &["--allow-writes", "--timeout-ms", &t],
        &[("KAFKA_BOOTSTRAP_SERVERS", bootstrap)],
        dir,
    )
}

/// Every tool and every action that talks to Kafka.
fn every_call(topic: &str, group: &str, plan: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("cluster_health", json!({"detail": "full"})),
        (
            "topic_manage",
            json!({"action": "list", "with_counts": true}),
        ),
        (
            "topic_manage",
            json!({"action": "describe", "topic": topic}),
        ),
        ("topic_manage", json!({"action": "peek", "topic": topic})),
        (
            "topic_manage",
            json!({"action": "plan_create", "topic": format!("{topic}-new"), "partitions": 1, "replication_factor": 1}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_alter_configs", "topic": topic, "configs": {"retention.ms": "3600000"}}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_add_partitions", "topic": topic, "partitions": 4}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_delete", "topic": topic}),
        ),
        (
            "topic_manage",
            json!({"action": "plan_purge", "topic": topic, "before_offset": 0}),
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
            json!({"action": "evaluate", "group": group}),
        ),
        (
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": group, "to": "earliest"}),
        ),
        (
            "consumer_groups",
            json!({"action": "plan_delete_group", "group": group}),
        ),
        ("config_audit", json!({"scope": "cluster"})),
        ("config_audit", json!({"scope": "topic", "topics": [topic]})),
        (
            "apply_change",
            json!({"plan_id": plan, "confirm": format!("{topic}-applied")}),
        ),
    ]
}

/// Sends every call at once; returns each result with how long it took to arrive.
fn fire(m: &mut Mcp, calls: &[(&'static str, Value)]) -> Vec<(Value, Duration)> {
    let ids: Vec<u64> = calls
        .iter()
        .map(|(t, a)| m.send_call(t, a.clone()))
        .collect();
    ids.iter()
        .zip(calls)
        .map(|(id, (t, a))| {
            let (r, took) = m
                .wait_timed(*id, Duration::from_secs(60))
                .unwrap_or_else(|| panic!("{t} {a}: no answer in 60 s ({})", m.status_line()));
            let result = r
                .get("result")
                .cloned()
                .unwrap_or_else(|| panic!("{t} {a}: protocol error {r}"));
            (result, took)
        })
        .collect()
}

/// Each call is a tool error within the deadline whose text contains every one of `needles`.
fn assert_all_fail_naming(
    results: &[(Value, Duration)],
    calls: &[(&'static str, Value)],
    needles: &[&str],
    limit: Duration,
) {
    for ((r, took), (t, a)) in results.iter().zip(calls) {
        let msg = text(r);
        assert!(is_error(r), "{t} {a}: expected a tool error, got {msg}");
        assert!(
            *took <= limit,
            "{t} {a}: answered after {took:?}, deadline {limit:?}: {msg}"
        );
        for n in needles {
            assert!(
                msg.contains(n),
                "{t} {a}: the error does not name {n:?}: {msg}"
            );
        }
    }
}

#[test]
fn mock_cluster_latency_outage_and_authorization_errors_are_named_and_survived() {
    let mock = MockCluster::new(3).expect("mock cluster");
    mock.create_topic("orders", 3, 1).expect("topic");
    let b = mock.bootstrap_servers();
    let dir = temp_dir("mock-faults");
    let mut m = server(&b, &dir);
    let list = || ("topic_manage", json!({"action": "list"}));
    let ok = |m: &mut Mcp| {
        let (t, a) = list();
        let r = m.call(t, a);
        assert!(!is_error(&r), "{}", text(&r));
        assert!(text(&r).contains("1 topic(s)"), "{}", text(&r));
    };
    ok(&mut m);

    // Latency: every broker answers 5 s late, past the 2 s deadline.
    for id in 1..=3 {
        mock.broker_round_trip_time(id, Duration::from_secs(5))
            .unwrap();
    }
    let calls = vec![
        list(),
        ("cluster_health", json!({})),
        (
            "topic_manage",
            json!({"action": "describe", "topic": "orders"}),
        ),
    ];
    let results = fire(&mut m, &calls);
    assert_all_fail_naming(
        &results,
        &calls,
        &["no answer within 2000 ms", &b],
        deadline(),
    );
    for id in 1..=3 {
        mock.broker_round_trip_time(id, Duration::ZERO).unwrap();
    }
    ok(&mut m);

    // Outage: every broker down (connections refused).
    for id in 1..=3 {
        mock.broker_down(id).unwrap();
    }
    let results = fire(&mut m, &calls);
    assert_all_fail_naming(
        &results,
        &calls,
        &["no answer within 2000 ms", "connection refused"],
        deadline(),
    );
    for id in 1..=3 {
        mock.broker_up(id).unwrap();
    }
    ok(&mut m);

    // Not authorized: the group coordinator refuses OffsetFetch.
    mock.request_errors(
        RDKafkaApiKey::OffsetFetch,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED; 16],
    );
    let calls = vec![(
        "consumer_groups",
        json!({"action": "lag", "group": "billing"}),
    )];
    let results = fire(&mut m, &calls);
    assert_all_fail_naming(
        &results,
        &calls,
        &["refused", "GROUP_AUTHORIZATION_FAILED", "Grant"],
        deadline(),
    );
    mock.clear_request_errors(RDKafkaApiKey::OffsetFetch);

    // Still serving.
    ok(&mut m);
    assert!(m.alive());
    m.assert_pure_stdout();
}

/// Topic, group with commits, and a valid plan on a fresh broker; the baseline answers.
fn setup(b: &str, m: &mut Mcp, name: &str) -> (String, String, String, Vec<bool>) {
    let topic = common::unique(name);
    let group = common::unique(&format!("{name}-g"));
    common::kafka::create_topic(b, &topic, 3, &[]);
    common::kafka::produce(b, &topic, 30, 3);
    common::kafka::commit(b, &group, &topic, &[(0, 2), (1, 2), (2, 2)]);
    let r = m.call("topic_manage", json!({"action": "plan_create", "topic": format!("{topic}-applied"), "partitions": 1, "replication_factor": 1}));
    assert!(!is_error(&r), "{}", text(&r));
    let plan = r["structuredContent"]["plan"]["plan_id"]
        .as_str()
        .expect("plan id")
        .to_string();
    let calls = every_call(&topic, &group, "plan-not-made");
    let baseline: Vec<bool> = fire(m, &calls).iter().map(|(r, _)| is_error(r)).collect();
    assert!(
        baseline.iter().filter(|e| !**e).count() >= 12,
        "most calls work on a healthy broker: {baseline:?}"
    );
    (topic, group, plan, baseline)
}

#[test]
fn broker_paused_mid_call_every_tool_fails_within_its_deadline_then_recovers() {
    let Some(bin) = broker_backend() else { return };
    let mut broker = OwnBroker::start(&bin, 19501);
    let b = broker.bootstrap();
    let dir = temp_dir("paused");
    let mut m = server(&b, &dir);
    let (topic, group, plan, baseline) = setup(&b, &mut m, "paused");

    // A call that is talking to the broker when it stops: offsets sampled over 3 s.
    let sampling = m.send_call(
        "consumer_groups",
        json!({"action": "evaluate", "group": group, "sample_seconds": 3}),
    );
    std::thread::sleep(Duration::from_millis(1200));
    broker.pause();
    let calls = every_call(&topic, &group, &plan);
    let results = fire(&mut m, &calls);
    assert_all_fail_naming(
        &results,
        &calls,
        &["no answer within 2000 ms", &b],
        deadline(),
    );
    let (r, took) = m
        .wait_timed(sampling, Duration::from_secs(60))
        .expect("the sampling call is answered");
    let r = &r["result"];
    assert!(
        is_error(r) && text(r).contains("no answer within 2000 ms"),
        "{r}"
    );
    assert!(
        took <= Duration::from_secs(3) + deadline(),
        "sampling call took {took:?}"
    );

    broker.resume();
    assert!(m.alive(), "the server survived");
    let after: Vec<bool> = fire(&mut m, &every_call(&topic, &group, "plan-not-made"))
        .iter()
        .map(|(r, _)| is_error(r))
        .collect();
    assert_eq!(
        after, baseline,
        "after SIGCONT every call answers as before the pause"
    );
    m.assert_pure_stdout();
}

#[test]
fn broker_killed_every_tool_names_the_refused_connection_and_the_next_call_after_restart_works() {
    let Some(bin) = broker_backend() else { return };
    let mut broker = OwnBroker::start(&bin, 19502);
    let b = broker.bootstrap();
    let dir = temp_dir("killed");
    let mut m = server(&b, &dir);
    let (topic, group, plan, _) = setup(&b, &mut m, "killed");

    broker.kill();
    let calls = every_call(&topic, &group, &plan);
    let results = fire(&mut m, &calls);
    assert_all_fail_naming(
        &results,
        &calls,
        &["no answer within 2000 ms", "connection refused", &b],
        deadline(),
    );

    broker.restart();
    // The next call after the broker is back (an empty one: its storage is in memory).
    let id = m.send_call("cluster_health", json!({}));
    let r = m.wait(id, Duration::from_secs(30)).unwrap_or_else(|| {
        panic!(
            "first call after the restart: no answer ({})",
            m.status_line()
        )
    });
    let r = &r["result"];
    assert!(!is_error(r), "first call after the restart: {}", text(r));
    for (t, a) in [
        ("topic_manage", json!({"action": "list"})),
        ("consumer_groups", json!({"action": "list"})),
        (
            "consumer_groups",
            json!({"action": "describe", "group": group}),
        ),
        ("consumer_groups", json!({"action": "lag", "group": group})),
    ] {
        let id = m.send_call(t, a.clone());
        let r = m.wait(id, Duration::from_secs(30)).unwrap_or_else(|| {
            panic!("{t} {a}: no answer after the restart ({})", m.status_line())
        });
        assert!(r.get("result").is_some(), "{t}: {r}");
    }
    assert!(
        m.alive(),
        "the server survived the broker restart: {}",
        m.stderr().lines().last().unwrap_or("")
    );
    m.assert_pure_stdout();
}

/// A registry that accepts connections and never answers, and one that is not there.
#[test]
fn schema_registry_silent_or_down_is_a_named_deadline() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let down_url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let dir = temp_dir("registry");
    for (url, needle) in [
        (&silent_url, "did not answer"),
        (&down_url, "connection refused"),
    ] {
        let cfg = dir.join("r.toml");
        std::fs::write(&cfg, format!("[server.schema_registry]\nurl = \"{url}\"\n")).unwrap();
        let t = TIMEOUT_MS.to_string();
        let mut m = Mcp::start(
            &["--config", cfg.to_str().unwrap(), "--timeout-ms", &t],
            &[],
            &dir,
        );
        let calls = vec![(
            "schema_validate",
            json!({"action": "check", "schema": "\"string\"", "subject": "orders-value"}),
        )];
        let results = fire(&mut m, &calls);
        assert_all_fail_naming(&results, &calls, &[needle, url.as_str()], deadline());
        assert!(m.ping(Duration::from_secs(5)));
    }
    drop(silent);
}

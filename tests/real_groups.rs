//! Consumer groups with live members on real Apache Kafka (the suite's cluster): a classic group
//! and a KIP-848 group (`group.protocol=consumer`) polling in this process; `describe` agrees
//! with `kafka-consumer-groups.sh --describe --members --verbose`, a reset plan is refused while
//! members are active, and `evaluate` on a healthy live consumer keeping up is OK.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::real::cli;
use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

use common::real::{real_suite as real, writable_server as server};

/// A consumer polling in a thread until dropped, committing automatically every 500 ms.
struct Live {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Live {
    fn start(b: &str, group: &str, topic: &str, protocol: &str, client_id: &str) -> Live {
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", b)
            .set("group.id", group)
            .set("client.id", client_id)
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "500");
        if protocol == "consumer" {
            cfg.set("group.protocol", "consumer");
        } else {
            cfg.set("session.timeout.ms", "10000")
                .set("heartbeat.interval.ms", "1000");
        }
        let c: BaseConsumer = cfg.create().unwrap();
        c.subscribe(&[topic]).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let _ = c.poll(Duration::from_millis(100));
            }
            c.unsubscribe();
        });
        Live {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Client ids of the group's members per `kafka-consumer-groups.sh --describe --members`.
fn cli_members(b: &str, group: &str) -> Vec<String> {
    let out = cli(
        "kafka-consumer-groups.sh",
        &[
            "--bootstrap-server",
            b,
            "--describe",
            "--group",
            group,
            "--members",
        ],
    );
    let mut v: Vec<String> = out
        .lines()
        .skip_while(|l| !l.contains("CONSUMER-ID"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(3).map(str::to_string))
        .collect();
    v.sort();
    v
}

/// Waits until `describe` shows `n` members with assignments, and returns it.
fn described_with_members(s: &mut Stdio, group: &str, n: usize) -> Value {
    let start = Instant::now();
    loop {
        let r = s.call(
            "consumer_groups",
            json!({"action": "describe", "group": group}),
        );
        if is_error(&r) {
            // A fresh cluster creates __consumer_offsets on the first group: its coordinator
            // may not answer yet.
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{group}: {}",
                text(&r)
            );
            std::thread::sleep(Duration::from_millis(500));
            continue;
        }
        let out = r["structuredContent"].clone();
        let members = out["group"]["members"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let assigned: usize = members
            .iter()
            .map(|m| m["assignment"].as_array().map_or(0, Vec::len))
            .sum();
        if members.len() == n && assigned > 0 && out["group"]["state"] == "Stable" {
            return out;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{group} never had {n} assigned members: {out}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn classic_and_kip848_groups_members_match_the_cli_and_resets_are_refused_while_active() {
    let Some(b) = real() else { return };
    let t = unique("rg-topic");
    kafka::create_topic_rf(&b, &t, 4, 3, &[]);
    kafka::produce(&b, &t, 40, 4);
    let mut s = server(&b);
    for (protocol, kind) in [("classic", "classic"), ("consumer", "consumer")] {
        let g = unique(&format!("rg-{protocol}"));
        let _a = Live::start(&b, &g, &t, protocol, &format!("{protocol}-a"));
        let _b = Live::start(&b, &g, &t, protocol, &format!("{protocol}-b"));
        let out = described_with_members(&mut s, &g, 2);
        let detail = &out["group"];
        assert_eq!(detail["type"], kind, "{detail}");
        let mut ids: Vec<String> = detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["client_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            vec![format!("{protocol}-a"), format!("{protocol}-b")],
            "{detail}"
        );
        assert_eq!(
            ids,
            cli_members(&b, &g),
            "kafka-mcp vs kafka-consumer-groups.sh"
        );
        // Every partition assigned exactly once across the members.
        let mut assigned: Vec<String> = detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["assignment"].as_array().unwrap().clone())
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assigned.sort();
        let want: Vec<String> = (0..4).map(|p| format!("{t}-{p}")).collect();
        assert_eq!(assigned, want, "{detail}");

        // A reset while members are active is refused and changes nothing.
        let before = kafka::committed(&b, &g, &t, 4);
        let r = s.call(
            "consumer_groups",
            json!({"action": "plan_reset_offsets", "group": g, "to": "earliest"}),
        );
        let msg = err(&r).to_lowercase();
        assert!(
            msg.contains("active") || msg.contains("member"),
            "refusal names the live members: {msg}"
        );
        let after = kafka::committed(&b, &g, &t, 4);
        assert_eq!(before, after, "a refused reset changed offsets");
    }
    s.assert_pure_stdout();
}

#[test]
fn evaluate_calls_a_live_consumer_that_keeps_up_ok() {
    let Some(b) = real() else { return };
    let t = unique("rg-live");
    let g = unique("rg-live-g");
    kafka::create_topic_rf(&b, &t, 2, 3, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let producer = {
        let b = b.clone();
        let t = t.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let p: BaseProducer = ClientConfig::new()
                .set("bootstrap.servers", &b)
                .set("linger.ms", "0")
                .create()
                .unwrap();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let k = format!("k{}", i % 7);
                let v = format!("v{i}");
                let _ = p.send(BaseRecord::to(&t).key(&k).payload(&v));
                p.poll(Duration::ZERO);
                i += 1;
                std::thread::sleep(Duration::from_millis(50)); // ~20 msg/s
            }
            let _ = p.flush(Duration::from_secs(5));
        })
    };
    let consumer = Live::start(&b, &g, &t, "classic", "live-consumer");
    let mut s = server(&b);
    described_with_members(&mut s, &g, 1);
    let r = s.call(
        "consumer_groups",
        json!({"action": "evaluate", "group": g, "sample_seconds": 24}),
    );
    let out = ok(&r).clone();
    stop.store(true, Ordering::Relaxed);
    producer.join().unwrap();
    drop(consumer);
    let verdict = &out["verdict"];
    assert_eq!(
        verdict["status"],
        "OK",
        "a consumer keeping up with ~20 msg/s: {}",
        text(&r)
    );
}

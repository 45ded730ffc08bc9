//! Capacity and partitioning over MCP (stdio): `topic_manage` skew, keys and plan_capacity, and
//! plan_create sized from a load. Broker tests build a topic with one hot key, a uniform one, and
//! one fed while skew measures rates; plan_capacity's arithmetic and bad input need no broker.
//! Run: `tools/broker.sh start 19400`, then
//! `KAFKA_MCP_TEST_BOOTSTRAP=127.0.0.1:19400 cargo test --test capacity`.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use kafka_mcp::analysis::murmur2::{default_partition, key_hash};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

fn server(b: &str) -> Stdio {
    Stdio::start(
        &[],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", b),
            ("KAFKA_MCP_TIMEOUT_MS", "8000"),
        ],
    )
}

fn producer(b: &str, partitioner: Option<&str>) -> BaseProducer {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", b).set("linger.ms", "5");
    if let Some(p) = partitioner {
        c.set("partitioner", p);
    }
    c.create().unwrap()
}

/// Produces one record per key, placed by librdkafka's `partitioner` (default: librdkafka's
/// own default, consistent_random).
fn produce_keys(b: &str, topic: &str, keys: &[String], partitioner: Option<&str>) {
    let p = producer(b, partitioner);
    for (i, k) in keys.iter().enumerate() {
        let v = format!("{{\"i\":{i}}}");
        kafka::send(
            &p,
            BaseRecord::to(topic).key(k.as_str()).payload(v.as_str()),
        );
    }
    p.flush(Duration::from_secs(30)).unwrap();
}

/// Produces `n` keyless records to one partition.
fn produce_to(b: &str, topic: &str, partition: i32, n: usize) {
    let p = producer(b, None);
    for i in 0..n {
        let v = format!("{{\"i\":{i}}}");
        kafka::send(
            &p,
            BaseRecord::to(topic)
                .partition(partition)
                .payload(v.as_str()),
        );
    }
    p.flush(Duration::from_secs(30)).unwrap();
}

/// Keeps producing keyless records to `partition` (about 500/s) until the flag is cleared.
fn feed(b: &str, topic: &str, partition: i32) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let run = Arc::new(AtomicBool::new(true));
    let (r, b, t) = (run.clone(), b.to_string(), topic.to_string());
    let h = std::thread::spawn(move || {
        let p = producer(&b, None);
        while r.load(Ordering::Relaxed) {
            for _ in 0..10 {
                kafka::send(
                    &p,
                    BaseRecord::to(&t)
                        .partition(partition)
                        .payload("{\"feed\":true}"),
                );
            }
            p.flush(Duration::from_secs(5)).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    (run, h)
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// The tool names what it could not measure on a broker without DescribeLogDirs (the stand-in);
/// on real Kafka the sizes must be known.
fn sizes_known_or_explained(out: &Value) {
    if out["skew"]["sizes_known"] == json!(true) {
        return;
    }
    assert!(
        !common::real::suite_is_real(),
        "real Kafka has DescribeLogDirs: {}",
        out["notes"]
    );
    let notes = out["notes"].to_string();
    assert!(
        notes.contains("partition sizes unknown") && notes.contains("DescribeLogDirs"),
        "{notes}"
    );
}

/// 400 distinct keys once each plus "whale" 600 times, murmur2 placement, 4 partitions:
/// whale's partition holds 600 + its share of the 400, the others about 100 each.
#[test]
fn skew_flags_the_hot_key_partition_and_keys_name_it_hashed() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("skew-hot");
    kafka::create_topic(&b, &topic, 4, &[]);
    let keys: Vec<String> = (0..1000)
        .map(|i| {
            if i % 5 < 3 {
                "whale".to_string()
            } else {
                format!("user-{i}")
            }
        })
        .collect();
    produce_keys(&b, &topic, &keys, Some("murmur2_random"));
    let whale_p = default_partition(b"whale", 4).unwrap() as i64;
    let mut s = server(&b);

    let r = s.call(
        "topic_manage",
        json!({"action": "skew", "topic": topic, "window_ms": 300}),
    );
    let out = ok(&r);
    let skew = &out["skew"];
    assert_eq!(ids(&skew["hot_partitions"]), [whale_p], "{skew}");
    assert_eq!(
        skew["basis"], "messages",
        "nothing produced in the window: history"
    );
    assert_eq!(skew["causes"][0]["id"], "hot-key", "{}", skew["causes"]);
    let msg = skew["causes"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains(&key_hash(b"whale")) && msg.contains("one of the hot ones"),
        "{msg}"
    );
    let total: i64 = skew["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["messages"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 1000);
    assert!(skew["rate_window_ms"].as_u64().unwrap() >= 300);
    sizes_known_or_explained(out);
    // The key sample came along, hashed, and matches murmur2.
    assert_eq!(out["keys"]["top_keys"][0]["key_hash"], key_hash(b"whale"));
    assert_eq!(out["keys"]["partitioner_guess"], "murmur2");
    assert!(
        !r.to_string().contains("whale"),
        "keys are hashed unless show_keys"
    );
    assert!(text(&r).contains("hot: p"), "{}", text(&r));

    // Up to 2000 per partition: every record.
    let r = s.call(
        "topic_manage",
        json!({"action": "keys", "topic": topic, "sample_per_partition": 2000}),
    );
    let k = &ok(&r)["keys"];
    assert_eq!(k["sampled_records"], 1000);
    assert_eq!(k["null_key_records"], 0);
    assert_eq!(k["distinct_keys"], 401);
    assert_eq!(k["top_keys"][0]["key_hash"], key_hash(b"whale"));
    assert_eq!(k["top_keys"][0]["records"], 600);
    assert_eq!(ids(&k["top_keys"][0]["partitions"]), [whale_p]);
    assert_eq!(k["murmur2_match_ratio"], 1.0);
    assert_eq!(k["partitioner_guess"], "murmur2");
    assert!(k["top_keys"][0].get("key").is_none());
    assert!(!r.to_string().contains("whale"));
    assert!(text(&r).contains("placement: murmur2"), "{}", text(&r));

    // Asked for, the key is shown; a smaller sample reads the newest records only.
    let r = s.call(
        "topic_manage",
        json!({"action": "keys", "topic": topic, "show_keys": true, "sample_per_partition": 50}),
    );
    let k = &ok(&r)["keys"];
    assert_eq!(k["top_keys"][0]["key"], "whale");
    assert!(k["sampled_records"].as_u64().unwrap() <= 200);
    s.assert_pure_stdout();
}

/// 4000 distinct keys with murmur2: every partition within 10 % of the mean (checked here
/// first, from the same hash), so nothing is hot or cold.
#[test]
fn uniform_topic_is_even() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("skew-even");
    kafka::create_topic(&b, &topic, 4, &[]);
    let keys: Vec<String> = (0..4000).map(|i| format!("order-{i}")).collect();
    let mut want = [0i64; 4];
    for k in &keys {
        want[default_partition(k.as_bytes(), 4).unwrap() as usize] += 1;
    }
    assert!(
        want.iter().all(|c| (*c as f64 - 1000.0).abs() < 100.0),
        "premise: {want:?}"
    );
    produce_keys(&b, &topic, &keys, Some("murmur2_random"));
    let mut s = server(&b);
    let r = s.call(
        "topic_manage",
        json!({"action": "skew", "topic": topic, "window_ms": 200, "sample_per_partition": 100}),
    );
    let skew = &ok(&r)["skew"];
    let got: Vec<i64> = skew["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["messages"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want);
    assert!(
        ids(&skew["hot_partitions"]).is_empty() && ids(&skew["cold_partitions"]).is_empty(),
        "{skew}"
    );
    assert!(
        skew["causes"].as_array().unwrap().is_empty(),
        "{}",
        skew["causes"]
    );
    assert!(skew["max_vs_mean"].as_f64().unwrap() < 1.1);
    let keys = &ok(&r)["keys"];
    assert_eq!(keys["sampled_records"], 400);
    assert_eq!(keys["partitioner_guess"], "murmur2");
    assert_eq!(keys["top_keys"][0]["records"], 1);
    // A stricter tolerance flags the busiest partition and explains it as hash variance.
    let r = s.call(
        "topic_manage",
        json!({"action": "skew", "topic": topic, "window_ms": 0, "tolerance_pct": 0.5}),
    );
    let skew = &ok(&r)["skew"];
    assert!(!ids(&skew["hot_partitions"]).is_empty());
    assert_eq!(skew["rate_window_ms"], Value::Null, "window 0: no rate");
    assert_eq!(
        skew["causes"][0]["id"], "key-hash-variance",
        "{}",
        skew["causes"]
    );
}

/// librdkafka's default partitioner (consistent_random, CRC-32) and explicit partitions are told
/// apart from murmur2.
#[test]
fn keys_tell_the_partitioner() {
    let Some(b) = bootstrap() else { return };
    let crc = unique("keys-crc");
    let explicit = unique("keys-explicit");
    kafka::create_topic(&b, &crc, 6, &[]);
    kafka::create_topic(&b, &explicit, 4, &[]);
    let keys: Vec<String> = (0..300).map(|i| format!("device-{i}")).collect();
    produce_keys(&b, &crc, &keys, None);
    let p = producer(&b, None);
    for k in &keys {
        kafka::send(
            &p,
            BaseRecord::to(&explicit)
                .partition(0)
                .key(k.as_str())
                .payload("{}"),
        );
    }
    p.flush(Duration::from_secs(30)).unwrap();
    let mut s = server(&b);
    let r = s.call("topic_manage", json!({"action": "keys", "topic": crc}));
    let k = &ok(&r)["keys"];
    assert_eq!(k["partitioner_guess"], "librdkafka_consistent", "{k}");
    assert_eq!(k["crc32_match_ratio"], 1.0);
    assert!(text(&r).contains("consistent_random"), "{}", text(&r));
    let r = s.call(
        "topic_manage",
        json!({"action": "skew", "topic": explicit, "window_ms": 0}),
    );
    let out = ok(&r);
    assert_eq!(out["keys"]["partitioner_guess"], "other");
    assert_eq!(ids(&out["skew"]["hot_partitions"]), [0]);
    assert_eq!(ids(&out["skew"]["cold_partitions"]), [1, 2, 3]);
    assert_eq!(
        out["skew"]["causes"][0]["id"], "placement-not-murmur2",
        "{}",
        out["skew"]["causes"]
    );
}

/// Even history, then a producer on partition 2 only: over the window, partition 2 is hot by
/// produce rate and the others produce nothing.
#[test]
fn skew_measures_produce_rates_over_the_window() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("skew-rate");
    kafka::create_topic(&b, &topic, 3, &[]);
    for p in 0..3 {
        produce_to(&b, &topic, p, 50);
    }
    let mut s = server(&b);
    let (run, h) = feed(&b, &topic, 2);
    std::thread::sleep(Duration::from_millis(500));
    let r = s.call(
        "topic_manage",
        json!({"action": "skew", "topic": topic, "window_ms": 2000, "sample_per_partition": 0}),
    );
    run.store(false, Ordering::Relaxed);
    h.join().unwrap();
    let out = ok(&r);
    let skew = &out["skew"];
    assert_eq!(skew["basis"], "rate_msg_s", "{skew}");
    assert_eq!(ids(&skew["hot_partitions"]), [2]);
    let parts = skew["partitions"].as_array().unwrap();
    assert_eq!(parts[0]["rate_msg_s"], 0.0);
    assert!(
        parts[2]["rate_msg_s"].as_f64().unwrap() > 10.0,
        "{}",
        parts[2]
    );
    assert!(skew["rate_window_ms"].as_u64().unwrap() >= 2000);
    assert!(
        out.get("keys").is_none(),
        "sample_per_partition 0: no key sample"
    );
    assert!(text(&r).contains("produce rate"), "{}", text(&r));
}

/// The calculator over MCP with no cluster at all: the worked example, then bad input.
#[test]
fn plan_capacity_without_a_cluster() {
    let mut s = Stdio::start(&[], &[]);
    let plan = |s: &mut Stdio, capacity: Value| {
        s.call(
            "topic_manage",
            json!({"action": "plan_capacity", "capacity": capacity}),
        )
    };

    // partitions = ceil(max(peak 20 / 10 MB/s = 2, parallelism 6) × growth 1.5) = 9
    // network: in 20 × RF 3 = 60; out 20 × (3 − 1 + 2 groups) = 80 MB/s -> ceil(80 / (1250 × 0.7)) = 1
    // storage = avg 5 MB/s × 86400 s × RF 3 × 1.1 ÷ 1000 = 1425.6 GB -> ceil(1425.6 / (2000 × 0.7)) = 2
    // brokers = max(RF 3, 1, 2) = 3 (the replication factor decides); partitions 9 is a multiple of 3
    // storage per broker = 1425.6 / 3 = 475.2 GB
    let r = plan(
        &mut s,
        json!({"avg_throughput_mb_s": 5, "peak_throughput_mb_s": 20, "retention_ms": 86_400_000,
               "replication_factor": 3, "consumer_groups": 2, "consumer_parallelism": 6}),
    );
    let out = ok(&r);
    assert_eq!(out["cluster"], "none");
    let p = &out["sizing"]["plan"];
    assert_eq!(p["partitions"], 9);
    assert_eq!(p["brokers"], 3);
    assert_eq!(p["limited_by"], "replication_factor");
    assert_eq!(p["network_out_mb_s"], 80.0);
    assert!((p["storage_gb"].as_f64().unwrap() - 1425.6).abs() < 1e-6);
    assert!((p["storage_per_broker_gb"].as_f64().unwrap() - 475.2).abs() < 1e-6);
    assert!(p["steps"][0].as_str().unwrap().starts_with("1. "));
    assert!(
        p["assumptions"]
            .to_string()
            .contains("partition_throughput_mb_s = 10"),
        "defaults are named: {}",
        p["assumptions"]
    );
    assert!(
        text(&r).contains("9 partition(s), 3 broker(s)"),
        "{}",
        text(&r)
    );
    assert!(out["sizing"].get("headroom").is_none());

    // Messages per second × size: 10 000 msg/s × 1000 B = 10 MB/s average, 50 MB/s peak.
    let r = plan(
        &mut s,
        json!({"avg_messages_per_s": 10_000, "peak_messages_per_s": 50_000, "avg_message_bytes": 1000}),
    );
    let p = &ok(&r)["sizing"]["plan"];
    assert_eq!(p["avg_throughput_mb_s"], 10.0);
    assert_eq!(p["peak_throughput_mb_s"], 50.0);

    // One broker for 4 GB/s: allowed, with a warning naming what the load needs.
    // storage = 2000 MB/s × 604800 s × 1 × 1.1 ÷ 1000 = 1 330 560 GB -> ceil(/ 1400) = 951 brokers
    let r = plan(
        &mut s,
        json!({"avg_throughput_mb_s": 2000, "peak_throughput_mb_s": 4000, "replication_factor": 1, "broker_count": 1}),
    );
    let w = ok(&r)["sizing"]["plan"]["warnings"].to_string();
    assert!(w.contains("1 broker(s) but this load needs 951"), "{w}");

    // Bad input: each error names the field or limit it hit.
    for (capacity, want) in [
        (
            json!({"avg_throughput_mb_s": 0}),
            "avg_throughput_mb_s must be a positive number",
        ),
        (
            json!({"avg_throughput_mb_s": -5}),
            "avg_throughput_mb_s must be a positive number",
        ),
        (json!({"avg_messages_per_s": 100}), "avg_message_bytes"),
        (
            json!({"avg_throughput_mb_s": 5, "retention_ms": 0}),
            "retention_ms=0 is out of range",
        ),
        (
            json!({"avg_throughput_mb_s": 5, "avg_message_bytes": 0}),
            "avg_message_bytes must be a positive number",
        ),
        (
            json!({"avg_throughput_mb_s": 5, "replication_factor": 3, "broker_count": 1}),
            "needs at least 3 brokers, but broker_count is 1",
        ),
        (
            json!({"peak_messages_per_s": 5e9, "avg_message_bytes": 100}),
            "a billion messages per second",
        ),
        (json!({"avg_throughput_mb_s": 2e6}), "1 TB/s"),
        (
            json!({"avg_throughput_mb_s": 10, "peak_throughput_mb_s": 5}),
            "below the average",
        ),
    ] {
        let e = err(&plan(&mut s, capacity.clone()));
        assert!(e.contains(want), "{capacity}: {e}");
    }
    let e = err(&s.call("topic_manage", json!({"action": "plan_capacity"})));
    assert!(e.contains("needs `capacity`"), "{e}");
    // A misspelt field is refused, not ignored.
    let r = s.request("tools/call", json!({"name": "topic_manage", "arguments": {"action": "plan_capacity", "capacity": {"avg_througput_mb_s": 5}}}));
    let shown = r.to_string();
    assert!(
        shown.contains("unknown capacity field") && shown.contains("avg_throughput_mb_s"),
        "{shown}"
    );
    s.assert_pure_stdout();
}

/// With the cluster: observed rate while a producer runs, record size as given, storage estimated
/// where the broker reports no sizes, headroom, and RF above the live brokers refused.
#[test]
fn plan_capacity_with_the_cluster_reports_headroom() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("cap-observed");
    kafka::create_topic(&b, &topic, 2, &[]);
    produce_to(&b, &topic, 0, 100);
    let mut s = server(&b);
    let (run, h) = feed(&b, &topic, 1);
    std::thread::sleep(Duration::from_millis(500));
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_capacity", "topic": topic, "window_ms": 1500,
               "capacity": {"avg_throughput_mb_s": 5, "peak_throughput_mb_s": 10, "avg_message_bytes": 100, "replication_factor": 1}}),
    );
    run.store(false, Ordering::Relaxed);
    h.join().unwrap();
    let out = ok(&r);
    assert_eq!(out["cluster"], "default");
    let z = &out["sizing"];
    let o = &z["observed"];
    assert_eq!(o["topics"], 1);
    assert!(o["messages_per_s"].as_f64().unwrap() > 10.0, "{o}");
    let notes = out["notes"].to_string();
    if o["message_bytes_source"] == "given" {
        // No sizes from the brokers: the tool says why and estimates storage.
        assert!(notes.contains("DescribeLogDirs"), "{notes}");
        assert_eq!(o["storage_source"], "estimated");
        assert_eq!(o["avg_message_bytes"], 100.0);
    }
    let load = &o["load"];
    assert!(load["brokers"].as_u64().unwrap() >= 1);
    assert!(load["ingress_mb_s"].as_f64().unwrap() > 0.0);
    let hr = &z["headroom"];
    assert!(
        hr["ingress_scale_to_target"].as_f64().unwrap() > 1.0,
        "{hr}"
    );
    assert!(hr["steps"][0].as_str().unwrap().contains("in per broker"));
    assert!(notes.contains("egress assumes 1 consumer group"), "{notes}");
    assert!(
        notes.contains("fits in the cluster's remaining headroom"),
        "{notes}"
    );
    assert!(z["plan"]["partitions"].as_u64().unwrap() >= 2);
    assert!(
        text(&r).contains("headroom: ingress can grow"),
        "{}",
        text(&r)
    );

    // Without throughput, the observed load is planned; the notes say so.
    let r = s.call("topic_manage", json!({"action": "plan_capacity", "cluster": "default", "window_ms": 300, "capacity": {"avg_message_bytes": 100}}));
    let out = ok(&r);
    assert!(out["sizing"]["observed"]["topics"].as_u64().unwrap() >= 1);

    // RF above the live brokers: the calculator names the limit.
    let rf = kafka::broker_count(&b) + 1;
    let e = err(&s.call(
        "topic_manage",
        json!({"action": "plan_capacity", "cluster": "default", "window_ms": 200, "capacity": {"avg_throughput_mb_s": 5, "replication_factor": rf}}),
    ));
    assert!(
        e.contains(&format!(
            "replication factor {rf} needs at least {rf} brokers"
        )),
        "{e}"
    );
}

/// plan_create sized by the calculator: without `partitions` it takes the recommendation; with
/// fewer partitions it warns.
#[test]
fn plan_create_takes_a_throughput_target() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("cap-create");
    let mut s = server(&b);
    // One broker, RF 1: partitions = ceil(max(peak 50 / 10 = 5, 1) × 1.5) = ceil(7.5) = 8;
    // network 50 MB/s in and out -> 1 broker; storage 20 × 3600 × 1 × 1.1 ÷ 1000 = 79.2 GB -> 1.
    let capacity = json!({"avg_throughput_mb_s": 20, "peak_throughput_mb_s": 50, "retention_ms": 3_600_000, "replication_factor": 1});
    let r = s.call(
        "topic_manage",
        json!({"action": "plan_create", "topic": topic, "capacity": capacity}),
    );
    let plan = &ok(&r)["plan"];
    // Rounded up to a multiple of the live brokers so leaders spread evenly (1 broker: 8;
    // 3 brokers: 9).
    let brokers = kafka::broker_count(&b);
    let want = 8usize.div_ceil(brokers) * brokers;
    assert_eq!(
        plan["impact"]["sizing"]["recommended_partitions"], want,
        "{plan}"
    );
    assert_eq!(plan["impact"]["new_partitions"], want);
    assert!(plan["summary"]
        .as_str()
        .unwrap()
        .contains(&format!("{want} partition(s), RF 1")));
    let step = plan["impact"]["sizing"]["steps"][2].as_str().unwrap();
    assert!(
        step.contains("÷ 10 MB/s per partition = 5") && step.contains("ceil(5 × 1.5) = 8"),
        "{step}"
    );

    let r = s.call(
        "topic_manage",
        json!({"action": "plan_create", "topic": topic, "partitions": 2, "capacity": capacity}),
    );
    let plan = &ok(&r)["plan"];
    assert_eq!(plan["impact"]["new_partitions"], 2);
    let w = plan["warnings"].to_string();
    assert!(
        w.contains(&format!("partitions 2 is below the {want}")),
        "{w}"
    );

    let e = err(&s.call(
        "topic_manage",
        json!({"action": "plan_create", "topic": topic, "capacity": {"avg_throughput_mb_s": -1}}),
    ));
    assert!(
        e.contains("capacity: avg_throughput_mb_s must be a positive number"),
        "{e}"
    );
    let e = err(&s.call(
        "topic_manage",
        json!({"action": "plan_create", "topic": topic}),
    ));
    assert!(
        e.contains("`partitions`") && e.contains("`capacity`"),
        "{e}"
    );
}

/// skew and keys refuse bad arguments before touching the cluster, naming the limit.
#[test]
fn skew_and_keys_refuse_bad_input() {
    let mut s = Stdio::start(
        &[],
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"),
            ("KAFKA_MCP_TIMEOUT_MS", "1500"),
        ],
    );
    for (args, want) in [
        (json!({"action": "skew"}), "needs `topic`"),
        (
            json!({"action": "skew", "topic": "t", "tolerance_pct": -5}),
            "pass a percent from 0 to 1000",
        ),
        (
            json!({"action": "skew", "topic": "t", "window_ms": 600_000}),
            "pass at most 30000",
        ),
        (
            json!({"action": "keys", "topic": "t", "sample_per_partition": 5000}),
            "pass at most 2000",
        ),
        (
            json!({"action": "keys", "topic": "t", "sample_per_partition": 0}),
            "keys needs `sample_per_partition`",
        ),
        (
            json!({"action": "plan_capacity", "cluster": "default", "window_ms": 0}),
            "pass at least 100",
        ),
    ] {
        let e = err(&s.call("topic_manage", args.clone()));
        assert!(e.contains(want), "{args}: {e}");
    }
    s.assert_pure_stdout();
}

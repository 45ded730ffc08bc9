//! Writes on real Apache Kafka (the suite's 3-node cluster), each planned and applied over MCP
//! and verified with Kafka's own CLI: add partitions, alter configs (other overrides untouched),
//! purge, delete, reset offsets; and DescribeLogDirs-based skew on real replicas.
//! Skipped (with the reason) when the suite's broker is the stand-in.

mod common;

use common::real::{cli, cli_topic_configs};
use common::*;
use serde_json::{json, Value};

use common::real::{real_suite as real, writable_server as server};

/// Plans with `tool`/`args`, applies the plan, and returns the plan.
fn plan_apply(s: &mut Stdio, tool: &str, args: Value) -> Value {
    let r = s.call(tool, args.clone());
    let plan = ok(&r)["plan"].clone();
    assert!(plan["plan_id"].is_string(), "{tool} {args}: {r}");
    let applied = s.call(
        "apply_change",
        json!({"plan_id": plan["plan_id"], "confirm": plan["confirm"]}),
    );
    ok(&applied);
    plan
}

/// `kafka-configs.sh --describe` of a topic's dynamic overrides: `key=value` pairs.
fn topic_overrides(b: &str, topic: &str) -> Vec<String> {
    let out = cli_topic_configs(b, topic, false);
    let mut v: Vec<String> = out
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let kv = l.split_whitespace().next()?;
            (kv.contains('=') && !l.starts_with("Dynamic configs")).then(|| kv.to_string())
        })
        .collect();
    v.sort();
    v
}

/// Partition count as `kafka-topics.sh --describe` reports it.
fn cli_partition_count(b: &str, topic: &str) -> usize {
    let out = cli(
        "kafka-topics.sh",
        &["--bootstrap-server", b, "--describe", "--topic", topic],
    );
    out.lines()
        .find_map(|l| {
            l.split('\t')
                .find_map(|f| f.trim().strip_prefix("PartitionCount: "))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no PartitionCount in {out}"))
}

/// `kafka-get-offsets.sh --time` (-2 earliest, -1 latest) for one partition.
fn cli_offset(b: &str, topic: &str, partition: i32, time: &str) -> i64 {
    let out = cli(
        "kafka-get-offsets.sh",
        &[
            "--bootstrap-server",
            b,
            "--topic",
            topic,
            "--partitions",
            &partition.to_string(),
            "--time",
            time,
        ],
    );
    out.lines()
        .find_map(|l| l.rsplit(':').next()?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no offset in {out}"))
}

#[test]
fn add_partitions_alter_configs_purge_and_delete_as_the_cli_sees_them() {
    let Some(b) = real() else { return };
    let t = unique("rw-topic");
    kafka::create_topic_rf(
        &b,
        &t,
        3,
        3,
        &[("retention.ms", "86400000"), ("cleanup.policy", "delete")],
    );
    kafka::produce(&b, &t, 90, 9);
    let mut s = server(&b);

    // Add partitions: 3 → 5.
    plan_apply(
        &mut s,
        "topic_manage",
        json!({"action": "plan_add_partitions", "topic": t, "partitions": 5}),
    );
    assert_eq!(cli_partition_count(&b, &t), 5);

    // Alter one config: the other override stays as it was.
    let before = topic_overrides(&b, &t);
    assert!(
        before.contains(&"retention.ms=86400000".to_string()),
        "{before:?}"
    );
    plan_apply(
        &mut s,
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "configs": {"max.message.bytes": "2097152"}}),
    );
    let after = topic_overrides(&b, &t);
    assert!(
        after.contains(&"max.message.bytes=2097152".to_string()),
        "{after:?}"
    );
    for kv in &before {
        assert!(after.contains(kv), "{kv} was lost: {after:?}");
    }
    // Delete one override: it reverts to inherited, the rest untouched.
    plan_apply(
        &mut s,
        "topic_manage",
        json!({"action": "plan_alter_configs", "topic": t, "delete_configs": ["retention.ms"]}),
    );
    let reverted = topic_overrides(&b, &t);
    assert!(
        !reverted.iter().any(|kv| kv.starts_with("retention.ms=")),
        "{reverted:?}"
    );
    assert!(reverted.contains(&"max.message.bytes=2097152".to_string()));

    // Purge partition 0 before offset 4: the CLI's earliest offset moves to 4.
    let end = cli_offset(&b, &t, 0, "-1");
    assert!(end >= 5, "partition 0 has records: {end}");
    let plan = plan_apply(
        &mut s,
        "topic_manage",
        json!({"action": "plan_purge", "topic": t, "partition": 0, "before_offset": 4}),
    );
    assert_eq!(plan["impact"]["messages_removed_total"], "4");
    assert_eq!(cli_offset(&b, &t, 0, "-2"), 4);
    assert_eq!(cli_offset(&b, &t, 0, "-1"), end, "purge keeps the log end");

    // Delete: gone from kafka-topics.sh --list.
    plan_apply(
        &mut s,
        "topic_manage",
        json!({"action": "plan_delete", "topic": t}),
    );
    let listed = cli("kafka-topics.sh", &["--bootstrap-server", &b, "--list"]);
    assert!(!listed.lines().any(|l| l.trim() == t), "{t} still listed");
    s.assert_pure_stdout();
}

#[test]
fn reset_offsets_as_kafka_consumer_groups_sees_them() {
    let Some(b) = real() else { return };
    let t = unique("rw-reset");
    let g = unique("rw-reset-g");
    kafka::create_topic_rf(&b, &t, 2, 3, &[]);
    kafka::produce(&b, &t, 40, 16);
    let ends: Vec<i64> = (0..2).map(|p| kafka::watermarks(&b, &t, p).1).collect();
    kafka::commit(&b, &g, &t, &[(0, ends[0]), (1, ends[1])]);
    let mut s = server(&b);
    plan_apply(
        &mut s,
        "consumer_groups",
        json!({"action": "plan_reset_offsets", "group": g, "to": "offset", "offset": 1}),
    );
    let out = cli(
        "kafka-consumer-groups.sh",
        &[
            "--bootstrap-server",
            &b,
            "--describe",
            "--group",
            &g,
            "--offsets",
        ],
    );
    let mut current: Vec<(i32, i64)> = out
        .lines()
        .filter(|l| l.contains(&t))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let i = f.iter().position(|x| *x == t).unwrap();
            (f[i + 1].parse().unwrap(), f[i + 2].parse().unwrap())
        })
        .collect();
    current.sort();
    // Offset 1, clamped to the log end of a partition that got no record.
    let want: Vec<(i32, i64)> = (0..2).map(|p| (p, ends[p as usize].min(1))).collect();
    assert_eq!(current, want, "{out}");
}

#[test]
fn skew_reads_real_replica_sizes_from_describe_log_dirs() {
    let Some(b) = real() else { return };
    let t = unique("rw-skew");
    kafka::create_topic_rf(&b, &t, 3, 3, &[]);
    // All records with one key: one partition holds them all.
    let p = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &b)
        .create::<rdkafka::producer::BaseProducer>()
        .unwrap();
    for i in 0..300 {
        let v = format!("value-{i:0>200}");
        kafka::send(
            &p,
            rdkafka::producer::BaseRecord::to(&t).key("hot").payload(&v),
        );
    }
    rdkafka::producer::Producer::flush(&p, std::time::Duration::from_secs(10)).unwrap();
    // kafka-log-dirs.sh: the hot partition's size on every replica.
    let dirs = cli(
        "kafka-log-dirs.sh",
        &["--bootstrap-server", &b, "--describe", "--topic-list", &t],
    );
    let json_line = dirs
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON in kafka-log-dirs.sh output: {dirs}"));
    let v: Value = serde_json::from_str(json_line).unwrap();
    let mut sizes: std::collections::BTreeMap<String, i64> = Default::default();
    for broker in v["brokers"].as_array().unwrap() {
        for d in broker["logDirs"].as_array().unwrap() {
            for p in d["partitions"].as_array().unwrap() {
                let size = p["size"].as_i64().unwrap();
                let e = sizes
                    .entry(p["partition"].as_str().unwrap().to_string())
                    .or_default();
                *e = (*e).max(size);
            }
        }
    }
    let (hot, hot_size) = sizes.iter().max_by_key(|(_, s)| **s).unwrap();
    assert!(*hot_size > 50_000, "{sizes:?}");
    let mut s = server(&b);
    let r = s.call("topic_manage", json!({"action": "skew", "topic": t}));
    let out = ok(&r).clone();
    let skew = &out["skew"];
    assert_eq!(skew["sizes_known"], true, "{skew}");
    let hot_p: i64 = hot.rsplit('-').next().unwrap().parse().unwrap();
    assert_eq!(skew["hot_partitions"], json!([hot_p]), "{skew}");
    for p in skew["partitions"].as_array().unwrap() {
        let name = format!("{t}-{}", p["partition"]);
        assert_eq!(
            p["bytes"].as_i64().unwrap(),
            sizes.get(&name).copied().unwrap_or(0),
            "{name}: kafka-mcp's bytes vs kafka-log-dirs.sh"
        );
    }
}

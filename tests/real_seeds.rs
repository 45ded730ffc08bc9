//! Issue #13's health checks on a real 3-node Kafka KRaft cluster of this test's own (base 29200):
//! the log dirs `cluster_health` reports (DescribeLogDirs) are the ones Kafka's
//! `kafka-log-dirs.sh` names, with the volume size `df` gives; a SIGSTOPped voter stops fetching
//! the metadata log and is named by `quorum-voter-down` with the seconds since its last fetch,
//! agreeing with `kafka-metadata-quorum.sh describe --replication`.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::real::{cli, kafka_home, Cluster};
use common::{kafka, text, Stdio};
use serde_json::{json, Value};

fn health(m: &mut Stdio) -> Value {
    let r = m.call("cluster_health", json!({"detail": "full"}));
    assert!(
        r.get("isError") != Some(&Value::Bool(true)),
        "cluster_health failed: {}",
        text(&r)
    );
    r["structuredContent"].clone()
}

fn finding<'a>(out: &'a Value, id: &str) -> Option<&'a Value> {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
}

/// `df`'s size of the volume holding `path`, bytes.
fn df_size(path: &str) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=size", path])
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("df {path}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn log_dirs_match_kafka_and_a_stopped_voter_is_not_fetching() {
    if kafka_home().is_none() {
        return;
    }
    let c = Cluster::up_with("real-seeds", 3, 29200, &[], &[]);
    let b = c.bootstrap();
    kafka::create_topic_rf(&b, "seeds-orders", 3, 3, &[]);
    kafka::produce(&b, "seeds-orders", 300, 3);
    let mut m = Stdio::start(
        &["--timeout-ms", "4000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b), ("RUST_LOG", "warn")],
    );

    // Disk: one log dir per broker, the path kafka-log-dirs.sh names, the size df gives, and no
    // disk finding on this (far from full) test machine unless df says it is that full.
    let out = health(&mut m);
    let dirs = out["log_dirs"]
        .as_array()
        .expect("log_dirs with detail=full");
    let cli_out = cli(
        "kafka-log-dirs.sh",
        &["--bootstrap-server", &b, "--describe"],
    );
    let json_line = cli_out
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from kafka-log-dirs.sh: {cli_out}"));
    let cli_json: Value = serde_json::from_str(json_line).unwrap();
    let mut cli_dirs: Vec<(i64, String)> = cli_json["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|br| {
            let id = br["broker"].as_i64().unwrap();
            br["logDirs"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |d| (id, d["logDir"].as_str().unwrap().to_string()))
        })
        .collect();
    cli_dirs.sort();
    let mut ours: Vec<(i64, String)> = dirs
        .iter()
        .map(|d| {
            (
                d["broker"].as_i64().unwrap(),
                d["dir"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours, cli_dirs, "{out}");
    for d in dirs {
        let path = d["dir"].as_str().unwrap();
        let total: u64 = d["total_bytes"].as_str().unwrap().parse().unwrap();
        let usable: u64 = d["usable_bytes"].as_str().unwrap().parse().unwrap();
        assert_eq!(total, df_size(path), "{d}");
        assert!(usable <= total, "{d}");
        let pct = d["used_pct"].as_f64().unwrap();
        let expect = if pct > 90.0 {
            Some("disk-critical")
        } else if pct > 80.0 {
            Some("disk-high")
        } else {
            None
        };
        if let Some(id) = expect {
            let f = finding(&out, id).unwrap_or_else(|| panic!("{id} expected: {out}"));
            assert!(f["title"].as_str().unwrap().contains(path), "{f}");
        }
    }
    assert!(finding(&out, "log-dir-offline").is_none(), "{out}");

    // Quorum: SIGSTOP a voter that is not the leader; after the threshold (10 s) it is named as
    // not fetching, with the seconds since its last fetch; the CLI shows the same stale fetch.
    let leader = c
        .quorum_leader(Duration::from_secs(30))
        .expect("a quorum leader");
    let victim: u16 = (1..=3u16).find(|i| i64::from(*i) != leader).unwrap();
    let pid = c.pid(victim).expect("victim pid");
    let signal = |sig: &str| {
        let ok = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    };
    signal("-STOP");
    let start = Instant::now();
    let found = loop {
        std::thread::sleep(Duration::from_secs(2));
        // librdkafka may send Metadata to the stopped node (its connection still looks up):
        // that call ends in a deadline error; the next one goes elsewhere.
        let r = m.call("cluster_health", json!({"detail": "full"}));
        if r.get("isError") == Some(&Value::Bool(true)) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "cluster_health kept failing: {}",
                text(&r)
            );
            continue;
        }
        let out = r["structuredContent"].clone();
        if let Some(f) = finding(&out, "quorum-voter-down") {
            break f.clone();
        }
        if start.elapsed() > Duration::from_secs(60) {
            signal("-CONT");
            panic!("a stopped voter was never flagged: {out}");
        }
    };
    let waited = start.elapsed();
    let live: Vec<String> = (1..=3u16)
        .filter(|i| *i != victim)
        .map(|i| format!("127.0.0.1:{}", c.port(i)))
        .collect();
    let replication = cli(
        "kafka-metadata-quorum.sh",
        &[
            "--bootstrap-server",
            &live.join(","),
            "describe",
            "--replication",
        ],
    );
    signal("-CONT");
    assert_eq!(
        found["evidence"]["items"],
        json!([format!("voter {victim}")]),
        "{found}"
    );
    let detail = found["evidence"]["detail"].as_str().unwrap();
    assert!(detail.contains("last fetch"), "{detail}");
    assert!(
        waited >= Duration::from_secs(8),
        "flagged after {waited:?}: before the 10 s threshold could pass"
    );
    // The CLI's LastFetchTimestamp for the victim is more than 10 s behind the leader's.
    let ts = |id: i64| -> i64 {
        replication
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.first().and_then(|s| s.parse::<i64>().ok()) == Some(id))
            .and_then(|f| f.get(4).and_then(|s| s.parse().ok()))
            .unwrap_or_else(|| panic!("no row for {id}: {replication}"))
    };
    let behind = ts(leader) - ts(i64::from(victim));
    assert!(behind > 10_000, "CLI: {behind} ms\n{replication}");

    // Back: fetching again, no longer flagged.
    let start = Instant::now();
    loop {
        let out = health(&mut m);
        if finding(&out, "quorum-voter-down").is_none() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the resumed voter stays flagged: {out}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    m.assert_pure_stdout();
}

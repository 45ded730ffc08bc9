//! `config_audit` through the real binary over stdio: client audits and bad input need no broker;
//! topic, cluster and client-vs-topic audits run against the local test broker
//! (`KAFKA_MCP_TEST_BOOTSTRAP`) on topics made to break chosen rules.
//!
//! Real Kafka is the contract: a planted violation must be found, unless the broker did not return
//! the keys the rule reads, and then the notes must say so; a broker without broker configs or
//! config sources must be named in the notes.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

fn broker_env(b: &str) -> Vec<(&'static str, String)> {
    vec![
        ("KAFKA_BOOTSTRAP_SERVERS", b.to_string()),
        ("KAFKA_MCP_TIMEOUT_MS", "5000".to_string()),
    ]
}

fn envs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// `(rule id, first affected item)` of every finding.
fn pairs(out: &Value) -> BTreeSet<(String, String)> {
    out["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {out}"))
        .iter()
        .map(|f| {
            let item = f["finding"]["evidence"]["items"][0]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (f["finding"]["id"].as_str().unwrap().to_string(), item)
        })
        .collect()
}

fn ids(out: &Value) -> BTreeSet<String> {
    pairs(out).into_iter().map(|(id, _)| id).collect()
}

fn notes(out: &Value) -> Vec<String> {
    out["notes"]
        .as_array()
        .map(|a| a.iter().map(|n| n.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn finding<'a>(out: &'a Value, id: &str, item: &str) -> Option<&'a Value> {
    out["findings"]
        .as_array()?
        .iter()
        .find(|f| f["finding"]["id"] == id && f["finding"]["evidence"]["items"][0] == item)
}

fn call_ok(s: &mut Stdio, args: Value) -> Value {
    let r = s.call("config_audit", args.clone());
    assert!(!is_error(&r), "config_audit {args} failed: {}", text(&r));
    r["structuredContent"].clone()
}

// ---------------------------------------------------------------------------------------------------------
// No broker

#[test]
fn client_scope_flags_a_risky_producer_and_passes_a_safe_one() {
    let mut s = Stdio::start(&[], &[]);
    let bad = json!({"scope": "client", "client": {"kind": "producer",
        "properties": {"acks": "1", "enable.idempotence": false, "linger.ms": 0}}});
    let r = s.call("config_audit", bad.clone());
    assert!(!is_error(&r), "{}", text(&r));
    let out = &r["structuredContent"];
    assert_eq!(
        ids(out),
        [
            "producer-acks-not-all",
            "producer-idempotence-disabled",
            "producer-compression-none"
        ]
        .map(String::from)
        .into(),
        "{out}"
    );
    assert_eq!(
        out["counts"],
        json!({"critical": 0, "error": 1, "warn": 1, "info": 1})
    );
    assert!(out.get("cluster").is_none(), "no cluster needed: {out}");
    assert_eq!(out["top"][0]["id"], "producer-acks-not-all");
    assert_eq!(out["top"][0]["fix"], "set acks=all in the producer config");
    let acks = finding(out, "producer-acks-not-all", "producer").unwrap();
    assert_eq!(
        acks["fix"]["client_property"],
        json!({"key": "acks", "value": "all"})
    );
    assert_eq!(acks["values"][0]["value"], "1");
    assert_eq!(acks["values"][0]["origin"], "client config");
    assert!(
        text(&r).starts_with("ERROR client audit"),
        "verdict first: {}",
        text(&r)
    );

    let only_errors = call_ok(
        &mut s,
        json!({"scope": "client", "client": bad["client"], "min_severity": "error"}),
    );
    assert_eq!(
        ids(&only_errors),
        ["producer-acks-not-all".to_string()].into()
    );
    let disabled = call_ok(
        &mut s,
        json!({"scope": "client", "client": bad["client"], "disable": ["producer-acks-not-all"]}),
    );
    assert!(
        !ids(&disabled).contains("producer-acks-not-all"),
        "{disabled}"
    );
    assert!(disabled["rules_run"].as_u64() < out["rules_run"].as_u64());

    let good = json!({"scope": "client", "client": {"kind": "producer",
        "properties": {"acks": "all", "enable.idempotence": "true", "compression.type": "lz4", "linger.ms": "10"}}});
    let r = s.call("config_audit", good);
    assert!(!is_error(&r), "{}", text(&r));
    let out = &r["structuredContent"];
    assert_eq!(out["findings"], json!([]), "{out}");
    assert_eq!(
        out["counts"],
        json!({"critical": 0, "error": 0, "warn": 0, "info": 0})
    );
    assert!(text(&r).starts_with("OK client audit"), "{}", text(&r));

    // librdkafka defaults differ: idempotence is off unless set.
    let rdk = call_ok(
        &mut s,
        json!({"scope": "client", "client": {"kind": "producer", "library": "librdkafka",
        "properties": {"compression.codec": "lz4"}}}),
    );
    assert_eq!(
        ids(&rdk),
        ["producer-idempotence-disabled".to_string()].into(),
        "{rdk}"
    );
    s.assert_pure_stdout();
}

#[test]
fn client_scope_consumer_intents_decide_rules() {
    let mut s = Stdio::start(&[], &[]);
    let out = call_ok(
        &mut s,
        json!({"scope": "client", "client": {"kind": "consumer", "intents": ["at_least_once"],
        "properties": {"group.id": "billing", "auto.offset.reset": "earliest"}}}),
    );
    assert_eq!(
        ids(&out),
        ["consumer-auto-commit-at-least-once".to_string()].into(),
        "{out}"
    );
    let f = finding(&out, "consumer-auto-commit-at-least-once", "group billing").unwrap();
    assert_eq!(
        f["fix"]["client_property"],
        json!({"key": "enable.auto.commit", "value": "false"})
    );
    let out = call_ok(
        &mut s,
        json!({"scope": "client", "client": {"kind": "consumer", "intents": ["at_least_once"],
        "properties": {"group.id": "billing", "auto.offset.reset": "earliest", "enable.auto.commit": false}}}),
    );
    assert_eq!(out["findings"], json!([]), "{out}");
    s.assert_pure_stdout();
}

#[test]
fn explain_returns_the_rule_doc_and_suggests_near_ids() {
    let mut s = Stdio::start(&[], &[]);
    let out = call_ok(&mut s, json!({"explain": "min-isr-equals-rf"}));
    assert_eq!(out["scope"], "explain");
    assert_eq!(out["rules"][0]["id"], "min-isr-equals-rf");
    assert_eq!(out["rules"][0]["severity"], "warn");
    let doc = out["rules"][0]["doc"].as_str().unwrap();
    assert!(doc.contains("Why:") && doc.contains("Fix:"), "{doc}");

    let all = call_ok(&mut s, json!({"explain": "*"}));
    let n = all["rules"].as_array().unwrap().len();
    assert!(n >= 30, "{n} rules");
    assert!(
        all["rules"][0].get("doc").is_none(),
        "a listing carries no docs: {all}"
    );

    let r = s.call("config_audit", json!({"explain": "min-isr-equal-rf"}));
    assert!(is_error(&r));
    assert!(
        text(&r).contains("did you mean `min-isr-equals-rf`"),
        "{}",
        text(&r)
    );

    // Unknown ids in `disable` are reported, not silently ignored.
    let out = call_ok(
        &mut s,
        json!({"scope": "client", "disable": ["producer-acks-not-al"],
        "client": {"kind": "producer", "properties": {"acks": "1"}}}),
    );
    assert!(ids(&out).contains("producer-acks-not-all"), "{out}");
    assert!(
        notes(&out)
            .iter()
            .any(|n| n.contains("producer-acks-not-al")
                && n.contains("did you mean `producer-acks-not-all`")),
        "{out}"
    );
    s.assert_pure_stdout();
}

#[test]
fn bad_input_is_refused_with_the_next_step() {
    let mut s = Stdio::start(&[], &[]);
    let r = s.request(
        "tools/call",
        json!({"name": "config_audit", "arguments": {"scope": "everything"}}),
    );
    assert!(
        r.get("error").is_some() || r["result"]["isError"] == json!(true),
        "{r}"
    );
    let r = s.request(
        "tools/call",
        json!({"name": "config_audit", "arguments": {"scope": "client", "clinet": {}}}),
    );
    assert!(
        r.get("error").is_some() || r["result"]["isError"] == json!(true),
        "{r}"
    );
    for (args, says) in [
        (json!({}), "scope"),
        (json!({"scope": "topic"}), "topics"),
        (json!({"scope": "client"}), "client"),
        (
            json!({"scope": "topic", "topics": ["t"], "client": {"kind": "producer"}}),
            "scope=client",
        ),
        (
            json!({"scope": "client", "client": {"properties": {"acks": ["all"]}}}),
            "string, number or boolean",
        ),
        (json!({"scope": "cluster"}), "KAFKA_BOOTSTRAP_SERVERS"),
    ] {
        let r = s.call("config_audit", args.clone());
        assert!(is_error(&r), "{args} should fail: {r}");
        assert!(text(&r).contains(says), "{args}: {}", text(&r));
    }
    s.assert_pure_stdout();
}

// ---------------------------------------------------------------------------------------------------------
// Against the local broker

struct Planted {
    /// Topic name.
    topic: String,
    /// Configs it is created with.
    configs: Vec<(&'static str, &'static str)>,
    /// The rule it breaks (None: a clean control topic), and the keys that rule reads.
    breaks: Option<(&'static str, &'static [&'static str])>,
}

fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A topic to create: name, partitions, configs.
type TopicSpec = (String, i32, Vec<(&'static str, &'static str)>);

fn create(bootstrap: &str, topics: &[TopicSpec]) {
    let a = admin(bootstrap);
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(name, parts, cfg)| {
            let mut t = NewTopic::new(name, *parts, TopicReplication::Fixed(1));
            for (k, v) in cfg {
                t = t.set(k, v);
            }
            t
        })
        .collect();
    let res = rt()
        .block_on(a.create_topics(&new, &AdminOptions::new()))
        .expect("create topics");
    for r in res {
        r.unwrap_or_else(|(t, e)| panic!("create {t}: {e}"));
    }
    std::thread::sleep(Duration::from_millis(500));
}

fn delete(bootstrap: &str, topics: &[String]) {
    let a = admin(bootstrap);
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    let _ = rt().block_on(a.delete_topics(&names, &AdminOptions::new()));
}

/// Produces `n` records without a key; true when the broker accepted them all (real Kafka refuses
/// keyless records on compacted topics).
fn produce_keyless(bootstrap: &str, topic: &str, n: usize) -> bool {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("message.timeout.ms", "10000")
        .create()
        .expect("producer");
    rt().block_on(async {
        let mut ok = true;
        for i in 0..n {
            let v = format!("v{i}");
            let r = p
                .send(
                    FutureRecord::<(), _>::to(topic).payload(&v),
                    Duration::from_secs(10),
                )
                .await;
            if let Err((e, _)) = r {
                eprintln!("keyless record to {topic} refused: {e}");
                ok = false;
            }
        }
        ok
    })
}

/// Each planted violation is found on its topic, or a note names the topic and a key the rule
/// reads that the broker did not return; nothing else is found on these topics.
fn assert_planted(out: &Value, planted: &[Planted], null_keys_accepted: bool) {
    let found = pairs(out);
    let notes = notes(out);
    let mut expected = BTreeSet::new();
    for p in planted {
        let Some((rule, keys)) = p.breaks else {
            continue;
        };
        if rule == "compacted-topic-null-keys" && !null_keys_accepted {
            continue;
        }
        let pair = (rule.to_string(), p.topic.clone());
        if found.contains(&pair) {
            expected.insert(pair);
            continue;
        }
        let said = notes.iter().any(|n| {
            n.contains(&p.topic) && keys.iter().any(|k| n.contains(k)) && n.contains("not returned")
        });
        assert!(
            said,
            "{rule} not found on {} and no note says why; findings {found:?}; notes {notes:#?}",
            p.topic
        );
        eprintln!(
            "observed: {rule} on {} not checked: the broker did not return its keys",
            p.topic
        );
    }
    let ours: BTreeSet<(String, String)> = found
        .into_iter()
        .filter(|(_, item)| planted.iter().any(|p| &p.topic == item))
        .collect();
    assert_eq!(
        ours, expected,
        "exactly the planted violations; notes {notes:#?}"
    );
}

/// The tool names what the broker did not return: broker configs, sources.
fn assert_limits_said(out: &Value) {
    let cov = &out["coverage"];
    let notes = notes(out);
    eprintln!("observed coverage: {cov}; notes: {notes:#?}");
    if common::real::suite_is_real() {
        // Real Kafka returns broker configs and every topic config with its source.
        assert!(cov["brokers_with_configs"].as_u64() > Some(0), "{cov}");
        assert_eq!(cov["topics_with_sources"], cov["topics"], "{cov}");
    }
    if cov["brokers_with_configs"] == json!(0) {
        assert!(
            notes
                .iter()
                .any(|n| n.contains("returned no broker configs")),
            "{notes:#?}"
        );
    }
    if notes
        .iter()
        .any(|n| n.contains("not returned for these topics"))
    {
        assert!(
            notes.iter().any(
                |n| n.contains("only their own overrides") || n.contains("returned no configs")
            ),
            "{notes:#?}"
        );
    }
    if cov["topics_with_sources"].as_u64() < cov["topics"].as_u64() {
        assert!(
            notes.iter().any(|n| n.contains("without sources")),
            "{notes:#?}"
        );
    }
}

fn plant(test: &str) -> Vec<Planted> {
    let name = |what: &str| unique(&format!("{test}-{what}"));
    vec![
        Planted {
            topic: name("clean"),
            configs: vec![("cleanup.policy", "delete"), ("retention.ms", "604800000")],
            breaks: None,
        },
        Planted {
            topic: name("unclean"),
            configs: vec![("unclean.leader.election.enable", "true")],
            breaks: Some((
                "unclean-leader-election",
                &["unclean.leader.election.enable"],
            )),
        },
        Planted {
            topic: name("minisr"),
            configs: vec![("min.insync.replicas", "3")],
            breaks: Some(("min-isr-above-rf", &["min.insync.replicas"])),
        },
        Planted {
            topic: name("segment"),
            configs: vec![
                ("cleanup.policy", "delete"),
                // 8 MiB segments are 80 % of 10 MiB retention; still larger than
                // max.message.bytes (1 MiB segments would also break that rule on real Kafka).
                ("retention.bytes", "10485760"),
                ("segment.bytes", "8388608"),
            ],
            breaks: Some((
                "segment-bytes-vs-retention-bytes",
                &["cleanup.policy", "retention.bytes", "segment.bytes"],
            )),
        },
        Planted {
            topic: name("compact"),
            configs: vec![("cleanup.policy", "compact")],
            breaks: Some(("compacted-topic-null-keys", &["cleanup.policy"])),
        },
    ]
}

fn create_planted(b: &str, planted: &[Planted]) -> bool {
    let specs: Vec<TopicSpec> = planted
        .iter()
        .map(|p| (p.topic.clone(), 1, p.configs.clone()))
        .collect();
    create(b, &specs);
    let compact = planted
        .iter()
        .find(|p| p.topic.contains("-compact-"))
        .unwrap();
    let accepted = produce_keyless(b, &compact.topic, 5);
    eprintln!(
        "observed: keyless records on a compacted topic {}",
        if accepted { "accepted" } else { "refused" }
    );
    accepted
}

#[test]
fn topic_scope_finds_exactly_the_planted_violations() {
    let Some(b) = bootstrap() else { return };
    let planted = plant("audit");
    let accepted = create_planted(&b, &planted);
    let topics: Vec<String> = planted.iter().map(|p| p.topic.clone()).collect();
    let env = broker_env(&b);
    let mut s = Stdio::start(&[], &envs(&env));

    let r = s.call(
        "config_audit",
        json!({"scope": "topic", "topics": topics, "limit": 100}),
    );
    assert!(!is_error(&r), "{}", text(&r));
    let out = &r["structuredContent"];
    eprintln!("observed summary:\n{}", text(&r));
    assert_eq!(out["scope"], "topic");
    assert_eq!(out["coverage"]["topics"], json!(planted.len()));
    assert_planted(out, &planted, accepted);
    assert_limits_said(out);

    // The unclean finding carries its evidence and an executable fix.
    let unclean = &planted[1].topic;
    let f = finding(out, "unclean-leader-election", unclean)
        .expect("the broker returns topic overrides");
    assert_eq!(f["finding"]["severity"], "critical");
    assert_eq!(f["values"][0]["key"], "unclean.leader.election.enable");
    assert_eq!(f["values"][0]["value"], "true");
    let src = f["values"][0]["source"].as_str().unwrap();
    assert!(src == "DYNAMIC_TOPIC_CONFIG" || src == "UNKNOWN", "{src}");
    assert_eq!(
        f["fix"]["incremental_alter"],
        json!({"resource_type": "topic", "resource_name": unclean, "key": "unclean.leader.election.enable", "op": "set", "value": "false"})
    );
    assert_eq!(
        f["fix"]["command"],
        format!("kafka-configs.sh --bootstrap-server {b} --alter --entity-type topics --entity-name {unclean} --add-config unclean.leader.election.enable=false")
    );
    assert_eq!(
        out["top"][0]["id"], "unclean-leader-election",
        "worst first: {out}"
    );
    assert_eq!(out["top"][0]["alter"], f["fix"]["incremental_alter"]);
    if accepted {
        assert_eq!(out["coverage"]["null_key_samples"], 1, "{out}");
    }

    // Globs select; min_severity filters; disabled ids drop their rule.
    let g = call_ok(
        &mut s,
        json!({"scope": "topic", "topics": ["it-audit-unclean-*"]}),
    );
    assert!(g["coverage"]["topics"].as_u64().unwrap() >= 1, "{g}");
    assert!(
        pairs(&g).contains(&("unclean-leader-election".to_string(), unclean.clone())),
        "{g}"
    );
    let crit = call_ok(
        &mut s,
        json!({"scope": "topic", "topics": topics, "min_severity": "critical"}),
    );
    assert_eq!(
        ids(&crit).into_iter().collect::<Vec<_>>(),
        ["unclean-leader-election"],
        "{crit}"
    );
    let off = call_ok(
        &mut s,
        json!({"scope": "topic", "topics": topics, "disable": ["unclean-leader-election"]}),
    );
    assert!(!ids(&off).contains("unclean-leader-election"), "{off}");

    // Paging: one finding per page, cursors bound to the query.
    let total = out["page"]["total"].as_u64().unwrap();
    if total > 1 {
        let p1 = call_ok(
            &mut s,
            json!({"scope": "topic", "topics": topics, "limit": 1}),
        );
        let cursor = p1["page"]["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_string();
        let p2 = call_ok(
            &mut s,
            json!({"scope": "topic", "topics": topics, "limit": 1, "cursor": cursor}),
        );
        assert_ne!(p1["findings"][0], p2["findings"][0]);
        assert_eq!(p2["top"], p1["top"], "top is the same on every page");
        let r = s.call(
            "config_audit",
            json!({"scope": "topic", "topics": [unclean], "limit": 1, "cursor": cursor}),
        );
        assert!(
            is_error(&r) && text(&r).contains("different query"),
            "{}",
            text(&r)
        );
    }

    // Unknown topics are an error with a near name.
    let typo = unclean.replace("unclean", "uncleen");
    let r = s.call("config_audit", json!({"scope": "topic", "topics": [typo]}));
    assert!(is_error(&r), "{r}");
    assert!(
        text(&r).contains("no topic matches") && text(&r).contains(unclean.as_str()),
        "{}",
        text(&r)
    );
    s.assert_pure_stdout();
    drop(s);
    delete(&b, &topics);
}

#[test]
fn cluster_scope_audits_brokers_and_topics_and_says_what_is_missing() {
    let Some(b) = bootstrap() else { return };
    let planted = plant("auditc");
    let accepted = create_planted(&b, &planted);
    let topics: Vec<String> = planted.iter().map(|p| p.topic.clone()).collect();
    let env = broker_env(&b);
    let mut s = Stdio::start(&[], &envs(&env));

    let r = s.call(
        "config_audit",
        json!({"scope": "cluster", "topics": ["it-auditc-*"], "limit": 100}),
    );
    assert!(!is_error(&r), "{}", text(&r));
    let out = &r["structuredContent"];
    eprintln!("observed summary:\n{}", text(&r));
    let live = out["coverage"]["live_brokers"].as_u64().unwrap();
    assert!(live >= 1, "{out}");
    assert!(out["coverage"]["topics"].as_u64().unwrap() >= planted.len() as u64);
    assert_planted(out, &planted, accepted);
    assert_limits_said(out);
    // Every broker's configs were asked for; whatever is missing is named.
    let brokers_with = out["coverage"]["brokers_with_configs"].as_u64().unwrap();
    if brokers_with < live {
        assert!(notes(out).iter().any(|n| n.contains("broker")), "{out}");
    }
    // Client rules never run in cluster scope.
    assert!(ids(out)
        .iter()
        .all(|id| !id.starts_with("producer-") && !id.starts_with("consumer-")));

    // One broker, by id; an unknown id is refused with the live ones.
    let h = call_ok(
        &mut s,
        json!({"scope": "cluster", "topics": ["it-none-*"], "sample_null_keys": false}),
    );
    assert!(
        notes(&h)
            .iter()
            .any(|n| n.contains("no topic matches `it-none-*`")),
        "{h}"
    );
    assert_eq!(h["coverage"]["topics"], 0);
    let r = s.call(
        "config_audit",
        json!({"scope": "cluster", "broker": 987654, "topics": ["it-none-*"]}),
    );
    assert!(
        is_error(&r) && text(&r).contains("not a live broker"),
        "{}",
        text(&r)
    );
    s.assert_pure_stdout();
    drop(s);
    delete(&b, &topics);
}

#[test]
fn client_scope_compares_sizes_with_the_named_topics() {
    let Some(b) = bootstrap() else { return };
    let topic = unique("audit-big");
    create(
        &b,
        &[(topic.clone(), 1, vec![("max.message.bytes", "5242880")])],
    );
    let env = broker_env(&b);
    let mut s = Stdio::start(&[], &envs(&env));

    let small = call_ok(
        &mut s,
        json!({"scope": "client", "topics": [topic],
        "client": {"kind": "producer", "properties": {"compression.type": "lz4"}}}),
    );
    eprintln!("observed: {small}");
    assert_eq!(small["cluster"], "default");
    assert_eq!(
        ids(&small),
        ["producer-max-request-size-below-max-message-bytes".to_string()].into(),
        "{small}"
    );
    let f = &small["findings"][0];
    assert_eq!(
        f["fix"]["client_property"],
        json!({"key": "max.request.size", "value": "5242880"})
    );
    assert_eq!(f["finding"]["evidence"]["items"][0], topic.as_str());

    let big = call_ok(
        &mut s,
        json!({"scope": "client", "topics": [topic],
        "client": {"kind": "producer", "properties": {"compression.type": "lz4", "max.request.size": "10485760"}}}),
    );
    assert_eq!(
        ids(&big),
        ["producer-max-request-size-above-max-message-bytes".to_string()].into(),
        "{big}"
    );

    let consumer = call_ok(
        &mut s,
        json!({"scope": "client", "topics": [topic],
        "client": {"kind": "consumer", "properties": {"group.id": "g", "auto.offset.reset": "earliest", "enable.auto.commit": "false"}}}),
    );
    assert_eq!(
        ids(&consumer),
        ["consumer-fetch-below-max-message-bytes".to_string()].into(),
        "{consumer}"
    );

    // Topic rules never run in client scope; unknown topics are refused.
    assert!(small["rules_run"].as_u64().unwrap() <= 22);
    let r = s.call(
        "config_audit",
        json!({"scope": "client", "topics": [format!("{topic}-nope")],
        "client": {"kind": "producer", "properties": {}}}),
    );
    assert!(
        is_error(&r) && text(&r).contains("no topic matches"),
        "{}",
        text(&r)
    );
    s.assert_pure_stdout();
    drop(s);
    delete(&b, &[topic]);
}

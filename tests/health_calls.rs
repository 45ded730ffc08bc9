//! The requests one `cluster_health` answer costs, seen by a decoding proxy between kafka-mcp
//! and the broker: DescribeConfigs asks for `min.insync.replicas` only (not every config of
//! every topic), and DescribeCluster (a brokers-only Metadata request in librdkafka) goes out
//! on the first call but not on the next one, whose cluster id and racks come from the facts
//! cached for a minute.

mod common;
mod hardening;

use std::time::Duration;

use hardening::*;
use serde_json::json;

fn brokers_only_metadata(proxy: &KafkaProxy) -> usize {
    proxy
        .calls()
        .iter()
        .filter(|c| c.api_key == 3 && c.metadata_topics == Some(Some(0)))
        .count()
}

#[test]
fn cluster_health_asks_only_for_min_isr_and_reuses_describe_cluster() {
    let Some(bin) = broker_backend() else {
        return;
    };
    let broker = OwnBroker::start_with(&bin, 19511, 19512, &[]);
    let proxy = KafkaProxy::start(19512, 19511, vec![]);
    let b = broker.bootstrap();
    let topic = common::unique("health-calls");
    common::kafka::create_topic(&b, &topic, 3, &[("min.insync.replicas", "1")]);
    let dir = temp_dir("health-calls");
    let mut m = Mcp::start(
        &["--timeout-ms", "5000"],
        &[("KAFKA_BOOTSTRAP_SERVERS", &b)],
        &dir,
    );
    std::thread::sleep(Duration::from_millis(200));
    proxy.clear();

    let first = m.call("cluster_health", json!({}));
    assert!(!is_error(&first), "{}", text(&first));
    let out = &first["structuredContent"];
    assert_eq!(out["cluster_id"], broker.cluster_id().as_str(), "{out}");
    assert_eq!(out["brokers"][0]["id"], broker.node_id(), "{out}");
    // RF 1 with min.insync.replicas=1 from the keyed answer: every partition sits at min ISR.
    assert_eq!(out["counts"]["at_min_isr_partitions"], 3, "{out}");
    let notes = out["notes"].to_string();
    assert!(!notes.contains("DescribeCluster"), "{notes}");
    std::thread::sleep(Duration::from_millis(200));

    let described: Vec<_> = proxy
        .calls()
        .into_iter()
        .filter(|c| c.api_key == 32)
        .collect();
    assert!(
        !described.is_empty(),
        "no DescribeConfigs: {:?}",
        proxy.calls()
    );
    for call in &described {
        let resources = call.config_keys.as_ref().expect("decoded DescribeConfigs");
        assert!(!resources.is_empty());
        for (kind, name, keys) in resources {
            assert_eq!(
                keys.as_deref(),
                Some(&["min.insync.replicas".to_string()][..]),
                "resource {kind}/{name} asked for more than min.insync.replicas"
            );
        }
    }
    assert!(
        described
            .iter()
            .flat_map(|c| c.config_keys.iter().flatten())
            .any(|(kind, name, _)| *kind == 2 && name == &topic),
        "{described:?}"
    );
    assert!(
        brokers_only_metadata(&proxy) >= 1,
        "the first call describes the cluster: {:?}",
        proxy.calls()
    );

    proxy.clear();
    let second = m.call("cluster_health", json!({}));
    assert!(!is_error(&second), "{}", text(&second));
    assert_eq!(
        second["structuredContent"]["cluster_id"],
        broker.cluster_id().as_str()
    );
    assert_eq!(
        second["structuredContent"]["counts"],
        first["structuredContent"]["counts"]
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        brokers_only_metadata(&proxy),
        0,
        "the second call within a minute reuses DescribeCluster's facts: {:?}",
        proxy.calls()
    );
    assert!(
        proxy
            .calls()
            .iter()
            .any(|c| c.api_key == 3 && c.metadata_topics == Some(None)),
        "the second call still reads Metadata of every topic: {:?}",
        proxy.calls()
    );
}

//! Seeds a Kafka cluster with demo data for the quick start:
//! `cargo run --release --example seed -- 127.0.0.1:19092`
//!
//! Topics `orders` (6 partitions, keyed), `payments` (3), `events.compacted` (compact, keyed);
//! groups `billing` (caught up), `analytics` (committed on two partitions only, lagging) and
//! `stalled` (committed, then more data arrived). Idempotent enough to run twice.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

fn config(bootstrap: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap);
    c
}

fn produce(p: &BaseProducer, topic: &str, n: usize, keyed: bool) {
    for i in 0..n {
        let key = format!("customer-{}", i % 997);
        let value = format!("{{\"id\":{i},\"amount\":{}}}", (i * 37) % 1000);
        let mut rec = BaseRecord::to(topic).payload(&value);
        if keyed {
            rec = rec.key(&key);
        }
        while let Err((e, r)) = p.send(rec) {
            if e.rdkafka_error_code() != Some(rdkafka::types::RDKafkaErrorCode::QueueFull) {
                panic!("produce to {topic}: {e}");
            }
            p.poll(Duration::from_millis(50));
            rec = r;
        }
        p.poll(Duration::ZERO);
    }
    p.flush(Duration::from_secs(30)).expect("flush");
}

fn commit(bootstrap: &str, group: &str, topic: &str, offsets: &[(i32, i64)]) {
    let consumer: BaseConsumer = config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for (p, o) in offsets {
        tpl.add_partition_offset(topic, *p, Offset::Offset(*o))
            .unwrap();
    }
    consumer
        .commit(&tpl, CommitMode::Sync)
        .unwrap_or_else(|e| panic!("commit {group}: {e}"));
}

fn ends(bootstrap: &str, topic: &str, partitions: i32) -> Vec<i64> {
    let c: BaseConsumer = config(bootstrap).create().unwrap();
    (0..partitions)
        .map(|p| {
            c.fetch_watermarks(topic, p, Duration::from_secs(10))
                .unwrap()
                .1
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let bootstrap = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:19092".to_string());
    let admin: AdminClient<DefaultClientContext> = config(&bootstrap).create().expect("admin");
    let topics = [
        NewTopic::new("orders", 6, TopicReplication::Fixed(1)),
        NewTopic::new("payments", 3, TopicReplication::Fixed(1)).set("retention.ms", "86400000"),
        NewTopic::new("events.compacted", 3, TopicReplication::Fixed(1))
            .set("cleanup.policy", "compact"),
    ];
    for r in admin
        .create_topics(&topics, &AdminOptions::new())
        .await
        .expect("create topics")
    {
        match r {
            Ok(t) => println!("created topic {t}"),
            Err((t, e)) => println!("topic {t}: {e}"),
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let p: BaseProducer = config(&bootstrap)
        .set("linger.ms", "5")
        .create()
        .expect("producer");
    produce(&p, "orders", 3000, true);
    produce(&p, "payments", 500, true);
    produce(&p, "events.compacted", 300, true);
    let orders = ends(&bootstrap, "orders", 6);
    let payments = ends(&bootstrap, "payments", 3);
    commit(
        &bootstrap,
        "billing",
        "orders",
        &orders
            .iter()
            .enumerate()
            .map(|(i, e)| (i as i32, *e))
            .collect::<Vec<_>>(),
    );
    commit(
        &bootstrap,
        "analytics",
        "orders",
        &[(0, orders[0]), (4, orders[4] / 4)],
    );
    commit(
        &bootstrap,
        "stalled",
        "payments",
        &payments
            .iter()
            .enumerate()
            .map(|(i, e)| (i as i32, *e))
            .collect::<Vec<_>>(),
    );
    produce(&p, "payments", 200, true);
    println!("seeded {bootstrap}: orders ends {orders:?}; groups billing (caught up), analytics (lagging), stalled (200 behind)");
}

//! Test support for the FFI tests: librdkafka's built-in mock cluster (`rdkafka::mocking`) and
//! an admin client on it, a producer and a committer. The mock implements Metadata, ListOffsets,
//! OffsetFetch and OffsetCommit, but not ListGroups, DescribeGroups, ConsumerGroupDescribe,
//! DescribeConfigs or IncrementalAlterConfigs: for those the tests check that the error comes
//! back cleanly and within the deadline. It also answers -1 to timestamp lookups and nothing to
//! an "all partitions" OffsetFetch.

use std::time::{Duration, Instant};

use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

use super::*;

pub(super) const DEADLINE: Duration = Duration::from_secs(10);

/// A mock cluster and an admin client on it (fields drop in order: client first).
pub(super) struct Mock {
    pub(super) admin: AdminClient<DefaultClientContext>,
    pub(super) bootstrap: String,
    /// Owns the mock cluster (`test.mock.num.brokers`).
    host: AdminClient<DefaultClientContext>,
}

impl Mock {
    pub(super) fn cluster(&self) -> MockCluster<'_, DefaultClientContext> {
        self.host.inner().mock_cluster().expect("mock cluster")
    }
}

/// A mock cluster of `brokers` (>= 2) brokers with ids `0..brokers`, and an admin client.
///
/// librdkafka 2.12's mock numbers its brokers from 1 but reports controller id 0, so
/// broker 0 is added by hand: without it every controller-bound call (DescribeCluster,
/// DescribeTopics, DescribeConfigs) waits for a controller that never appears. The admin
/// client under test is created afterwards, so its first Metadata already lists broker 0.
pub(super) fn mock(brokers: i32) -> Mock {
    assert!(brokers >= 2);
    let host: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("test.mock.num.brokers", (brokers - 1).to_string())
        .create()
        .expect("mock host client");
    // SAFETY: `host` is a live client created with `test.mock.num.brokers`, so it hosts a
    // mock cluster whose handle lives as long as the client.
    let handle = unsafe { rdsys::rd_kafka_handle_mock_cluster(host.inner().native_ptr()) };
    assert!(!handle.is_null(), "client hosts no mock cluster");
    // SAFETY: live mock cluster handle (see above); returns once the mock thread added it.
    let err = unsafe { rdsys::rd_kafka_mock_broker_add(handle, 0) };
    assert_eq!(err, RespErr::RD_KAFKA_RESP_ERR_NO_ERROR);
    let bootstrap = host
        .inner()
        .mock_cluster()
        .expect("mock cluster")
        .bootstrap_servers();
    let admin = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .expect("admin client");
    Mock {
        admin,
        bootstrap,
        host,
    }
}

/// Produces `count` records to each `(partition, count)`, timestamps 1000, 2000, ... ms.
pub(super) fn produce(bootstrap: &str, topic: &str, per_partition: &[(i32, i64)]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("producer");
    for &(partition, count) in per_partition {
        for i in 0..count {
            let payload = format!("record-{i}");
            let record = BaseRecord::to(topic)
                .partition(partition)
                .key("k")
                .payload(&payload)
                .timestamp(1000 * (i + 1));
            producer.send(record).map_err(|(e, _)| e).expect("send");
        }
    }
    producer.flush(DEADLINE).expect("flush");
}

/// Commits `(topic, partition, offset)` for `group` through a consumer that never joins.
pub(super) fn commit(bootstrap: &str, group: &str, offsets: &[(&str, i32, i64)]) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut list = TopicPartitionList::new();
    for &(topic, partition, offset) in offsets {
        list.add_partition_offset(topic, partition, Offset::Offset(offset))
            .expect("offset");
    }
    consumer.commit(&list, CommitMode::Sync).expect("commit");
}

pub(super) fn assert_clean_failure(err: &FfiError, started: Instant, timeout: Duration) {
    assert!(err.code != ERR_NO_ERROR, "{err:?}");
    assert!(!err.name.is_empty() && !err.message.is_empty(), "{err:?}");
    assert!(
        started.elapsed() <= timeout + POLL_MARGIN + Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

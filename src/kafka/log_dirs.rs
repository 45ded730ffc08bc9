//! Partition sizes on disk: DescribeLogDirs (API key 35), which librdkafka lacks, framed with
//! `kafka-protocol` over `wire`'s connection setup (TCP, TLS, SASL). Each broker reports only
//! its own replicas, so every broker asked is asked directly and concurrently, within the cluster
//! deadline. Returns sizes, or why they are unknown; never a guess. No verdicts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::{
    describe_log_dirs_request::DescribableLogDirTopic, ApiKey, DescribeLogDirsRequest,
    DescribeLogDirsResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::wire::{self, Security};
use super::Cluster;
use crate::snapshot::{BrokerSnapshot, LogDirState};
pub use crate::snapshot::{DiskSpace, LogDirSizes};

/// Largest topics kept per log dir.
const LARGEST_PER_DIR: usize = 3;

/// DescribeLogDirs versions spoken (v4 adds each log dir's total and usable bytes).
const VERSIONS: (i16, i16) = (1, 4);

impl LogDirSizes {
    /// Adds one broker's answer; log dirs with an error code become failures.
    pub fn add_response(&mut self, broker_id: i32, resp: &DescribeLogDirsResponse) {
        if resp.error_code != 0 {
            self.failures.push(format!(
                "broker {broker_id} answered DescribeLogDirs with {}{}",
                wire::error_name(resp.error_code),
                advice(resp.error_code)
            ));
            return;
        }
        let mut disk: Option<DiskSpace> = None;
        for dir in &resp.results {
            let mut per_topic: BTreeMap<&str, u64> = BTreeMap::new();
            for t in &dir.topics {
                let bytes: u64 = t
                    .partitions
                    .iter()
                    .filter(|p| !p.is_future_key && p.partition_size >= 0)
                    .map(|p| p.partition_size as u64)
                    .sum();
                *per_topic.entry(t.name.0.as_str()).or_default() += bytes;
            }
            let mut largest: Vec<(String, u64)> = per_topic
                .into_iter()
                .filter(|(_, b)| *b > 0)
                .map(|(t, b)| (t.to_string(), b))
                .collect();
            largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            largest.truncate(LARGEST_PER_DIR);
            let known = |v: i64| (v >= 0).then_some(v as u64);
            self.dirs.push(LogDirState {
                broker: broker_id,
                dir: dir.log_dir.as_str().to_string(),
                error: (dir.error_code != 0).then(|| wire::error_name(dir.error_code)),
                total_bytes: known(dir.total_bytes),
                usable_bytes: known(dir.usable_bytes),
                largest_topics: largest,
            });
            if dir.error_code != 0 {
                self.failures.push(format!(
                    "broker {broker_id} log dir {} is unreadable: {}",
                    dir.log_dir.as_str(),
                    wire::error_name(dir.error_code)
                ));
                continue;
            }
            if dir.total_bytes >= 0 && dir.usable_bytes >= 0 {
                let d = disk.get_or_insert_with(DiskSpace::default);
                d.total_bytes += dir.total_bytes as u64;
                d.usable_bytes += dir.usable_bytes as u64;
            }
            for t in &dir.topics {
                for p in t
                    .partitions
                    .iter()
                    .filter(|p| !p.is_future_key && p.partition_size >= 0)
                {
                    *self
                        .replicas
                        .entry((t.name.0.to_string(), p.partition_index))
                        .or_default()
                        .entry(broker_id)
                        .or_default() += p.partition_size as u64;
                }
            }
        }
        if let Some(d) = disk {
            self.disks.insert(broker_id, d);
        }
    }
}

fn advice(code: i16) -> &'static str {
    match wire::error_name(code).as_str() {
        "CLUSTER_AUTHORIZATION_FAILED" => {
            ": the principal needs DESCRIBE on the CLUSTER resource (kafka-acls.sh --operation Describe --cluster)"
        }
        _ => "",
    }
}

fn request(topics: Option<&BTreeMap<String, Vec<i32>>>) -> DescribeLogDirsRequest {
    DescribeLogDirsRequest::default().with_topics(topics.map(|t| {
        t.iter()
            .map(|(name, parts)| {
                DescribableLogDirTopic::default()
                    .with_topic(TopicName(StrBytes::from_string(name.clone())))
                    .with_partitions(parts.clone())
            })
            .collect()
    }))
}

fn address(b: &BrokerSnapshot) -> String {
    if b.host.contains(':') {
        format!("[{}]:{}", b.host, b.port)
    } else {
        format!("{}:{}", b.host, b.port)
    }
}

/// Asks each broker in `brokers` for the sizes of `topics`' partitions (all topics when `None`).
/// `Err` says why no size is known at all (e.g. the broker lacks DescribeLogDirs); brokers that
/// failed while others answered are listed in [`LogDirSizes::failures`].
pub async fn describe_log_dirs(
    cluster: &Arc<Cluster>,
    brokers: &[BrokerSnapshot],
    topics: Option<&BTreeMap<String, Vec<i32>>>,
) -> Result<LogDirSizes, String> {
    describe_log_dirs_within(cluster, brokers, topics, cluster.timeout).await
}

/// [`describe_log_dirs`] within `timeout` (what is left of a deadline) instead of the cluster's.
pub async fn describe_log_dirs_within(
    cluster: &Arc<Cluster>,
    brokers: &[BrokerSnapshot],
    topics: Option<&BTreeMap<String, Vec<i32>>>,
    timeout: Duration,
) -> Result<LogDirSizes, String> {
    let security = Security::from_properties(cluster.config.properties.iter());
    ask(&security, timeout, brokers, topics).await
}

async fn ask(
    security: &Security,
    timeout: Duration,
    brokers: &[BrokerSnapshot],
    topics: Option<&BTreeMap<String, Vec<i32>>>,
) -> Result<LogDirSizes, String> {
    if brokers.is_empty() {
        return Err("no broker to ask for DescribeLogDirs".into());
    }
    let calls = brokers.iter().map(|b| async move {
        let addr = address(b);
        let r = wire::request_one::<_, DescribeLogDirsResponse>(
            &addr,
            security,
            timeout,
            ApiKey::DescribeLogDirs,
            VERSIONS,
            |_| request(topics),
        )
        .await;
        (b.id, addr, r)
    });
    let answers = futures::future::join_all(calls).await;
    let mut out = LogDirSizes::default();
    let mut answered = 0;
    let mut unsupported = Vec::new();
    for (id, addr, r) in answers {
        match r {
            Ok(Ok(resp)) => {
                answered += 1;
                out.add_response(id, &resp);
            }
            Ok(Err(None)) => unsupported.push(format!(
                "broker {id} ({addr}) does not support DescribeLogDirs (API key 35; Apache Kafka has it since 1.0)"
            )),
            Ok(Err(Some((lo, hi)))) => unsupported.push(format!(
                "broker {id} ({addr}) speaks DescribeLogDirs v{lo}..v{hi} only; kafka-mcp speaks v{}..v{}",
                VERSIONS.0, VERSIONS.1
            )),
            Err(e) => out.failures.push(format!("broker {id}: {e}")),
        }
    }
    out.failures.extend(unsupported);
    if answered == 0 {
        return Err(out.failures.join("; "));
    }
    tracing::debug!(
        brokers = answered,
        replicas = out.replicas.len(),
        "DescribeLogDirs answered"
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::{BufMut, Bytes, BytesMut};
    use kafka_protocol::messages::api_versions_response::ApiVersion;
    use kafka_protocol::messages::describe_log_dirs_response::{
        DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic,
    };
    use kafka_protocol::messages::{ApiVersionsResponse, RequestHeader, ResponseHeader};
    use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn part(i: i32, size: i64, future: bool) -> DescribeLogDirsPartition {
        DescribeLogDirsPartition::default()
            .with_partition_index(i)
            .with_partition_size(size)
            .with_is_future_key(future)
    }

    fn dir(
        name: &str,
        error: i16,
        total: i64,
        parts: Vec<DescribeLogDirsPartition>,
    ) -> DescribeLogDirsResult {
        DescribeLogDirsResult::default()
            .with_error_code(error)
            .with_log_dir(StrBytes::from_string(name.into()))
            .with_total_bytes(total)
            .with_usable_bytes(if total >= 0 { total / 2 } else { -1 })
            .with_topics(vec![DescribeLogDirsTopic::default()
                .with_name(TopicName(StrBytes::from_static_str("orders")))
                .with_partitions(parts)])
    }

    #[test]
    fn sizes_per_replica_leader_first_and_disks_summed() {
        let mut s = LogDirSizes::default();
        // Broker 1: two dirs; partition 0 is moving between them (future replica left out).
        s.add_response(
            1,
            &DescribeLogDirsResponse::default().with_results(vec![
                dir(
                    "/d1",
                    0,
                    1000,
                    vec![part(0, 300, false), part(1, 50, false)],
                ),
                dir("/d2", 0, 3000, vec![part(0, 280, true)]),
                dir("/d3", 56, -1, vec![]),
            ]),
        );
        s.add_response(
            2,
            &DescribeLogDirsResponse::default().with_results(vec![dir(
                "/d",
                0,
                -1,
                vec![part(0, 310, false)],
            )]),
        );
        s.add_response(3, &DescribeLogDirsResponse::default().with_error_code(31));
        assert_eq!(
            s.partition_bytes("orders", 0, 1),
            Some(300),
            "the leader's replica"
        );
        assert_eq!(
            s.partition_bytes("orders", 0, 9),
            Some(310),
            "else the largest"
        );
        assert_eq!(s.partition_bytes("orders", 2, 1), None);
        assert_eq!(s.total_bytes(), 300 + 50 + 310);
        assert_eq!(
            s.disks[&1],
            DiskSpace {
                total_bytes: 4000,
                usable_bytes: 2000
            }
        );
        assert!(!s.disks.contains_key(&2), "v<4 reports -1: unknown, not 0");
        assert_eq!(s.failures.len(), 2);
        assert!(
            s.failures[0].contains("/d3") && s.failures[0].contains("KAFKA_STORAGE_ERROR"),
            "{:?}",
            s.failures
        );
        assert!(
            s.failures[1].contains("CLUSTER_AUTHORIZATION_FAILED")
                && s.failures[1].contains("DESCRIBE")
        );
        // Every dir of every answering broker, the offline one with its error name.
        let d: Vec<_> = s
            .dirs
            .iter()
            .map(|d| (d.broker, d.dir.as_str(), d.error.as_deref(), d.total_bytes))
            .collect();
        assert_eq!(
            d,
            vec![
                (1, "/d1", None, Some(1000)),
                (1, "/d2", None, Some(3000)),
                (1, "/d3", Some("KAFKA_STORAGE_ERROR"), None),
                (2, "/d", None, None),
            ]
        );
        assert_eq!(s.dirs[0].usable_bytes, Some(500));
        assert_eq!(s.dirs[0].used_pct(), Some(50.0));
        assert_eq!(
            s.dirs[0].largest_topics,
            vec![("orders".to_string(), 350)],
            "current replicas only"
        );
        assert!(
            s.dirs[1].largest_topics.is_empty(),
            "a future replica is not counted"
        );
    }

    fn frame<R: Encodable + HeaderVersion>(id: i32, body: &R, version: i16) -> Vec<u8> {
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        ResponseHeader::default()
            .with_correlation_id(id)
            .encode(&mut buf, R::header_version(version))
            .unwrap();
        body.encode(&mut buf, version).unwrap();
        let n = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&n.to_be_bytes());
        buf.to_vec()
    }

    /// A fake broker: ApiVersions lists DescribeLogDirs v1..=`max` (none when `max` < 1), and
    /// DescribeLogDirs answers one dir with `orders` partitions of the requested ids, 100 bytes
    /// × (id + 1) each.
    async fn fake(max: i16) -> BrokerSnapshot {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    loop {
                        let mut prefix = [0u8; 4];
                        if s.read_exact(&mut prefix).await.is_err() {
                            return;
                        }
                        let mut body = vec![0u8; i32::from_be_bytes(prefix) as usize];
                        if s.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let mut buf = Bytes::from(body);
                        let key = i16::from_be_bytes([buf[0], buf[1]]);
                        let v = i16::from_be_bytes([buf[2], buf[3]]);
                        let api = ApiKey::try_from(key).unwrap();
                        let header =
                            RequestHeader::decode(&mut buf, api.request_header_version(v)).unwrap();
                        let out = match api {
                            ApiKey::ApiVersions => {
                                let mut keys = vec![ApiVersion::default()
                                    .with_api_key(18)
                                    .with_max_version(3)];
                                if max >= 1 {
                                    keys.push(
                                        ApiVersion::default()
                                            .with_api_key(35)
                                            .with_min_version(1)
                                            .with_max_version(max),
                                    );
                                }
                                frame(
                                    header.correlation_id,
                                    &ApiVersionsResponse::default().with_api_keys(keys),
                                    v,
                                )
                            }
                            ApiKey::DescribeLogDirs => {
                                assert_eq!(v, max.min(4), "highest common version");
                                let req = DescribeLogDirsRequest::decode(&mut buf, v).unwrap();
                                let parts: Vec<i32> = req
                                    .topics
                                    .unwrap_or_default()
                                    .into_iter()
                                    .flat_map(|t| t.partitions)
                                    .collect();
                                let resp =
                                    DescribeLogDirsResponse::default().with_results(vec![dir(
                                        "/data",
                                        0,
                                        10_000,
                                        parts
                                            .iter()
                                            .map(|p| part(*p, 100 * i64::from(p + 1), false))
                                            .collect(),
                                    )]);
                                frame(header.correlation_id, &resp, v)
                            }
                            other => panic!("unexpected {other:?}"),
                        };
                        s.write_all(&out).await.unwrap();
                    }
                });
            }
        });
        BrokerSnapshot {
            id: 7,
            host: "127.0.0.1".into(),
            port,
            rack: None,
        }
    }

    async fn sizes(
        b: BrokerSnapshot,
        topics: Option<&BTreeMap<String, Vec<i32>>>,
    ) -> Result<LogDirSizes, String> {
        ask(&Security::plaintext(), Duration::from_secs(3), &[b], topics).await
    }

    #[tokio::test]
    async fn fake_broker_reports_sizes() {
        let b = fake(4).await;
        let topics: BTreeMap<String, Vec<i32>> = [("orders".to_string(), vec![0, 1, 2])].into();
        let s = sizes(b, Some(&topics)).await.unwrap();
        assert_eq!(s.partition_bytes("orders", 2, 7), Some(300));
        assert_eq!(s.total_bytes(), 600);
        assert_eq!(s.disks[&7].total_bytes, 10_000);
        assert!(s.failures.is_empty());
    }

    #[tokio::test]
    async fn broker_without_describe_log_dirs_says_so() {
        let b = fake(0).await;
        let e = sizes(b, None).await.unwrap_err();
        assert!(e.contains("does not support DescribeLogDirs"), "{e}");
        assert!(e.contains("broker 7"), "{e}");
    }

    #[tokio::test]
    async fn unreachable_broker_is_a_reason() {
        let b = BrokerSnapshot {
            id: 3,
            host: "127.0.0.1".into(),
            port: 1,
            rack: None,
        };
        let e = sizes(b, None).await.unwrap_err();
        assert!(e.contains("broker 3") && e.contains("connect"), "{e}");
    }
}

//! Idempotent seeding of the bench broker: creates only the topics that are missing, produces
//! only into empty topics, commits only for groups the broker does not list yet.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::raw::OffsetSpec;
use anyhow::{bail, Context, Result};
use futures::StreamExt;
use rdkafka::admin::{AdminOptions, NewTopic, TopicReplication};
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;

use crate::raw::Raw;

/// `cluster_health`: topics × partitions.
pub const HEALTH_TOPICS: usize = 200;
/// Partitions of each health topic.
pub const HEALTH_PARTITIONS: i32 = 10;
/// The topic `topic_manage describe` reads.
pub const DESCRIBE_TOPIC: &str = "bench.describe.p100";
/// Its partitions.
pub const DESCRIBE_PARTITIONS: i32 = 100;
/// The topic the consumer groups committed on.
pub const GROUP_TOPIC: &str = "bench.groups.p12";
/// Its partitions.
pub const GROUP_PARTITIONS: i32 = 12;
/// Consumer groups.
pub const GROUPS: usize = 500;
/// Non-internal topics on the broker for `topic_manage list`.
pub const LIST_TOPICS: usize = 5_000;

/// Name of health topic `i`.
pub fn health_topic(i: usize) -> String {
    format!("bench.health.{i:03}")
}

/// Name of group `i`.
pub fn group(i: usize) -> String {
    format!("bench-group-{i:03}")
}

fn filler_topic(i: usize) -> String {
    format!("bench.list.{i:04}")
}

/// Creates the missing topics of `want` (name, partitions), 100 per CreateTopics request, and
/// waits until Metadata shows them all.
pub async fn ensure_topics(raw: &Raw, want: &[(String, i32)]) -> Result<usize> {
    let have = raw.metadata(None).await?;
    let missing: Vec<&(String, i32)> = want
        .iter()
        .filter(|(t, _)| !have.topics.contains_key(t))
        .collect();
    let opts = AdminOptions::new()
        .operation_timeout(Some(raw.timeout))
        .request_timeout(Some(raw.timeout));
    for chunk in missing.chunks(100) {
        let topics: Vec<NewTopic> = chunk
            .iter()
            .map(|(t, p)| NewTopic::new(t, *p, TopicReplication::Fixed(1)))
            .collect();
        for r in raw
            .admin
            .create_topics(&topics, &opts)
            .await
            .context("CreateTopics")?
        {
            match r {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((t, e)) => bail!("create topic {t}: {e}"),
            }
        }
    }
    let names: BTreeSet<&str> = want.iter().map(|(t, _)| t.as_str()).collect();
    let t0 = Instant::now();
    loop {
        let m = raw.metadata(None).await?;
        let ready = m
            .topics
            .iter()
            .filter(|(t, n)| names.contains(t.as_str()) && **n > 0)
            .count();
        if ready == names.len() {
            return Ok(missing.len());
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!(
                "only {ready} of {} topics visible in Metadata after 60 s",
                names.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Log end offsets of every partition of `topic` (0..partitions).
async fn ends(raw: &Raw, topic: &str, partitions: i32) -> Result<Vec<i64>> {
    let parts: BTreeSet<(String, i32)> = (0..partitions).map(|p| (topic.to_string(), p)).collect();
    let hi = raw.list_offsets(&parts, OffsetSpec::Latest).await?;
    Ok((0..partitions)
        .map(|p| hi.get(&(topic.to_string(), p)).copied().unwrap_or(0))
        .collect())
}

/// Produces `n` small keyed JSON records into `topic` when it is empty; returns the log ends.
pub async fn ensure_data(
    raw: &Raw,
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    n: usize,
) -> Result<Vec<i64>> {
    let now = ends(raw, topic, partitions).await?;
    if now.iter().sum::<i64>() > 0 {
        return Ok(now);
    }
    let (bootstrap, topic_s) = (bootstrap.to_string(), topic.to_string());
    tokio::task::spawn_blocking(move || -> Result<()> {
        let p: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("linger.ms", "5")
            .create()?;
        for i in 0..n {
            let key = format!("key-{}", i % 997);
            let value = format!("{{\"id\":{i},\"amount\":{}}}", (i * 37) % 1000);
            let mut rec = BaseRecord::to(&topic_s).key(&key).payload(&value);
            while let Err((e, r)) = p.send(rec) {
                if e.rdkafka_error_code() != Some(RDKafkaErrorCode::QueueFull) {
                    bail!("produce to {topic_s}: {e}");
                }
                p.poll(Duration::from_millis(20));
                rec = r;
            }
            p.poll(Duration::ZERO);
        }
        p.flush(Duration::from_secs(60))?;
        Ok(())
    })
    .await??;
    ends(raw, topic, partitions).await
}

/// The health phase: `HEALTH_TOPICS` × `HEALTH_PARTITIONS` (no data needed).
pub async fn health(raw: &Raw) -> Result<usize> {
    let want: Vec<(String, i32)> = (0..HEALTH_TOPICS)
        .map(|i| (health_topic(i), HEALTH_PARTITIONS))
        .collect();
    ensure_topics(raw, &want).await
}

/// The groups phase: `GROUP_TOPIC` with 12,000 records, and `GROUPS` groups each committed on
/// all its partitions at a different point (lag 0–90 % of each partition). Returns the groups
/// committed now.
pub async fn groups(raw: &Raw, bootstrap: &str) -> Result<usize> {
    ensure_topics(raw, &[(GROUP_TOPIC.to_string(), GROUP_PARTITIONS)]).await?;
    let ends = ensure_data(raw, bootstrap, GROUP_TOPIC, GROUP_PARTITIONS, 12_000).await?;
    let listed: BTreeSet<String> = raw
        .list_groups()
        .await?
        .into_iter()
        .map(|g| g.group_id)
        .collect();
    let missing: Vec<usize> = (0..GROUPS)
        .filter(|i| !listed.contains(&group(*i)))
        .collect();
    let n = missing.len();
    let results: Vec<Result<()>> = futures::stream::iter(missing)
        .map(|i| {
            let offsets = (0..GROUP_PARTITIONS)
                .map(|p| {
                    let end = ends[p as usize];
                    let behind = end * ((i + p as usize) % 10) as i64 / 10;
                    (GROUP_TOPIC.to_string(), p, end - behind)
                })
                .collect();
            raw.commit(group(i), offsets)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<()>>>()?;
    let listed = raw
        .list_groups()
        .await?
        .into_iter()
        .filter(|g| g.group_id.starts_with("bench-group-"))
        .count();
    if listed < GROUPS {
        bail!("the broker lists {listed} of {GROUPS} bench groups after committing their offsets");
    }
    Ok(n)
}

/// The topics phase: `DESCRIBE_TOPIC` with 20,000 records, then filler topics (1 partition)
/// until the broker holds `LIST_TOPICS` non-internal topics.
pub async fn topics(raw: &Raw, bootstrap: &str) -> Result<usize> {
    let mut created =
        ensure_topics(raw, &[(DESCRIBE_TOPIC.to_string(), DESCRIBE_PARTITIONS)]).await?;
    ensure_data(raw, bootstrap, DESCRIBE_TOPIC, DESCRIBE_PARTITIONS, 20_000).await?;
    let m = raw.metadata(None).await?;
    let others = m
        .topics
        .keys()
        .filter(|t| !t.starts_with("__") && !t.starts_with("bench.list."))
        .count();
    let want: Vec<(String, i32)> = (0..LIST_TOPICS.saturating_sub(others))
        .map(|i| (filler_topic(i), 1))
        .collect();
    created += ensure_topics(raw, &want).await?;
    Ok(created)
}

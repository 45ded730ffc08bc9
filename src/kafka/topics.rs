//! Topic write calls, each usable as a dry run (`validate_only`) where Kafka offers one:
//! CreateTopics, CreatePartitions and IncrementalAlterConfigs validate on the broker; DeleteTopics
//! and DeleteRecords have no dry run in Kafka, so their plans are validated locally only.
//! Config edits go through IncrementalAlterConfigs only — never the legacy AlterConfigs, which
//! resets every config it is not given.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminOptions, NewPartitions, NewTopic, TopicReplication};
use rdkafka::{Offset, TopicPartitionList};

use super::admin::{from_ffi, hint_for, translate};
use super::ffi::{self, AlterOp, AlterOpType, ResourceType};
use super::{Cluster, Error, Result};

fn opts(cluster: &Cluster, validate_only: bool) -> AdminOptions {
    AdminOptions::new()
        .request_timeout(Some(cluster.timeout))
        .operation_timeout(Some(cluster.timeout))
        .validate_only(validate_only)
}

fn margin(cluster: &Cluster) -> Duration {
    cluster.timeout + Duration::from_millis(500)
}

/// Kafka's per-topic error for `what`, translated (unsupported APIs named as such).
fn topic_error(what: &str, topic: &str, code: rdkafka::types::RDKafkaErrorCode) -> Error {
    let name = super::admin::ffi_name(code);
    match name.as_str() {
        "_UNSUPPORTED_FEATURE" | "UNSUPPORTED_VERSION" | "INVALID_REQUEST" => Error::Unsupported {
            what: format!("{what} {topic}"),
            detail: format!("{name}: {code}"),
        },
        _ => Error::Broker {
            what: format!("{what} {topic}"),
            hint: hint_for(&name),
            message: code.to_string(),
            name,
        },
    }
}

/// CreateTopics (or its dry run).
pub async fn create_topic(
    cluster: &Arc<Cluster>,
    name: &str,
    partitions: i32,
    rf: i32,
    configs: &BTreeMap<String, String>,
    validate_only: bool,
) -> Result<()> {
    let admin = cluster.admin().await?;
    let mut t = NewTopic::new(name, partitions, TopicReplication::Fixed(rf));
    for (k, v) in configs {
        t = t.set(k, v);
    }
    let r = tokio::time::timeout(
        margin(cluster),
        admin.create_topics([&t], &opts(cluster, validate_only)),
    )
    .await
    .map_err(|_| cluster.deadline_error("CreateTopics"))?
    .map_err(|e| translate(cluster, "CreateTopics", e))?;
    match r.into_iter().next() {
        Some(Err((t, code))) => Err(topic_error("CreateTopics", &t, code)),
        _ => Ok(()),
    }
}

/// DeleteTopics (no dry run exists in Kafka).
pub async fn delete_topic(cluster: &Arc<Cluster>, name: &str) -> Result<()> {
    let admin = cluster.admin().await?;
    let r = tokio::time::timeout(
        margin(cluster),
        admin.delete_topics(&[name], &opts(cluster, false)),
    )
    .await
    .map_err(|_| cluster.deadline_error("DeleteTopics"))?
    .map_err(|e| translate(cluster, "DeleteTopics", e))?;
    match r.into_iter().next() {
        Some(Err((t, code))) => Err(topic_error("DeleteTopics", &t, code)),
        _ => Ok(()),
    }
}

/// CreatePartitions up to `total` (or its dry run).
pub async fn create_partitions(
    cluster: &Arc<Cluster>,
    name: &str,
    total: usize,
    validate_only: bool,
) -> Result<()> {
    let admin = cluster.admin().await?;
    let np = NewPartitions::new(name, total);
    let r = tokio::time::timeout(
        margin(cluster),
        admin.create_partitions([&np], &opts(cluster, validate_only)),
    )
    .await
    .map_err(|_| cluster.deadline_error("CreatePartitions"))?
    .map_err(|e| match translate(cluster, "CreatePartitions", e) {
        Error::Broker { name, message, .. }
            if name.contains("UNSUPPORTED") || name == "INVALID_REQUEST" =>
        {
            Error::Unsupported {
                what: "adding partitions (CreatePartitions)".into(),
                detail: format!("{name}: {message}"),
            }
        }
        Error::Unsupported { detail, .. } => Error::Unsupported {
            what: "adding partitions (CreatePartitions)".into(),
            detail,
        },
        other => other,
    })?;
    match r.into_iter().next() {
        Some(Err((t, code))) => Err(match topic_error("CreatePartitions", &t, code) {
            Error::Unsupported { detail, .. } => Error::Unsupported {
                what: "adding partitions (CreatePartitions)".into(),
                detail,
            },
            e => e,
        }),
        _ => Ok(()),
    }
}

/// IncrementalAlterConfigs on one topic: set and delete keys (or its dry run).
pub async fn alter_topic_configs(
    cluster: &Arc<Cluster>,
    topic: &str,
    set: &BTreeMap<String, String>,
    delete: &[String],
    validate_only: bool,
) -> Result<()> {
    let admin = cluster.admin().await?;
    let mut ops: Vec<AlterOp> = set
        .iter()
        .map(|(k, v)| AlterOp {
            key: k.clone(),
            op: AlterOpType::Set,
            value: Some(v.clone()),
        })
        .collect();
    ops.extend(delete.iter().map(|k| AlterOp {
        key: k.clone(),
        op: AlterOpType::Delete,
        value: None,
    }));
    let resources = vec![(ResourceType::Topic, topic.to_string(), ops)];
    let timeout = cluster.timeout;
    let c = cluster.clone();
    let rows = cluster
        .blocking("IncrementalAlterConfigs", move || {
            ffi::incremental_alter_configs(&admin, &resources, validate_only, timeout)
                .map_err(|e| from_ffi(&c, "IncrementalAlterConfigs", e))
        })
        .await?;
    for (_, name, err) in rows {
        if let Some(e) = err {
            return Err(from_ffi(
                cluster,
                &format!("IncrementalAlterConfigs {name}"),
                e,
            ));
        }
    }
    Ok(())
}

/// DeleteRecords before the given offsets (no dry run exists in Kafka). Returns the new log
/// start offsets.
pub async fn delete_records(
    cluster: &Arc<Cluster>,
    topic: &str,
    before: &[(i32, i64)],
) -> Result<Vec<(i32, i64)>> {
    let admin = cluster.admin().await?;
    let mut tpl = TopicPartitionList::new();
    for (p, o) in before {
        tpl.add_partition_offset(topic, *p, Offset::Offset(*o))
            .map_err(|e| Error::Internal {
                what: "DeleteRecords".into(),
                message: e.to_string(),
            })?;
    }
    let r = tokio::time::timeout(
        margin(cluster),
        admin.delete_records(&tpl, &opts(cluster, false)),
    )
    .await
    .map_err(|_| cluster.deadline_error("DeleteRecords"))?
    .map_err(|e| translate(cluster, "DeleteRecords", e))?;
    let mut out = Vec::new();
    for e in r.elements() {
        if let Err(err) = e.error() {
            return Err(translate(
                cluster,
                &format!("DeleteRecords {topic}-{}", e.partition()),
                err,
            ));
        }
        out.push((e.partition(), e.offset().to_raw().unwrap_or(-1)));
    }
    Ok(out)
}

/// Topic ids (DescribeTopics); `None` per topic when the broker does not say.
pub async fn topic_ids(
    cluster: &Arc<Cluster>,
    topics: Vec<String>,
) -> Result<BTreeMap<String, Option<String>>> {
    let admin = cluster.admin().await?;
    let timeout = cluster.timeout;
    let c = cluster.clone();
    cluster
        .blocking("DescribeTopics", move || {
            let rows = ffi::describe_topics(&admin, &topics, timeout)
                .map_err(|e| from_ffi(&c, "DescribeTopics", e))?;
            Ok(rows
                .into_iter()
                .map(|(t, r)| (t, r.ok().and_then(|d| d.topic_id)))
                .collect())
        })
        .await
}

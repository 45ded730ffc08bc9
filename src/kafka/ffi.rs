//! Safe, blocking wrappers over the librdkafka 2.12 admin calls that rust-rdkafka 0.39 lacks:
//! DescribeCluster, ListOffsets, ListConsumerGroups, DescribeConsumerGroups,
//! ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DescribeConfigs (with synonyms),
//! IncrementalAlterConfigs and DescribeTopics. Plain Rust types in, plain Rust types out.
//!
//! Owns the crate's only `unsafe`. Every C object this module creates (result queue, admin
//! options, request objects, polled events) lives in an `Owned` wrapper whose `Drop` calls the
//! matching `_destroy`, so early returns never leak. Everything an event owns (results, nodes,
//! config entries, strings, partition lists) is copied into owned Rust values before the event
//! is dropped, and is never freed here. May touch rdkafka (for the `AdminClient` handle) and
//! rdkafka-sys; never rmcp, never verdicts.
//!
//! Every pub fn **blocks** the calling thread for at most `timeout` + [`POLL_MARGIN`]: call it
//! from `tokio::task::spawn_blocking`. `timeout` becomes librdkafka's request timeout (broker
//! lookup, send, broker time and answer); when librdkafka has not answered by the extra margin
//! either, the call gives up with [`FfiError`] `_TIMED_OUT` ("no answer within N ms") and
//! librdkafka discards the late answer itself.
//!
//! librdkafka passes through numbers newer than its headers (Kafka 4 error codes such as 120,
//! config source 6 `DYNAMIC_BROKER_LOGGER_CONFIG`), and rdkafka-sys binds those C enums as Rust
//! enums, where an unlisted value is undefined behaviour. So every C function returning such an
//! enum is re-declared in module `c` with a plain `c_int`, and `rd_kafka_topic_partition_t::err` is
//! read as an `i32`.

#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::{self, NonNull};
use std::time::{Duration, Instant};

use rdkafka::admin::AdminClient;
use rdkafka::client::ClientContext;
use rdkafka_sys as rdsys;
use rdsys::rd_kafka_admin_op_t as AdminOp;
use rdsys::rd_kafka_resp_err_t as RespErr;
use serde::{Deserialize, Serialize};

/// Extra time, past the request timeout handed to librdkafka, that a call waits for librdkafka's
/// own answer (usually its `_TIMED_OUT` error, which names what it waited on).
pub const POLL_MARGIN: Duration = Duration::from_millis(500);

/// Largest request timeout librdkafka accepts (1 hour); longer timeouts are clamped to it.
const MAX_REQUEST_TIMEOUT_MS: c_int = 3_600_000;

/// librdkafka's "no offset" (`RD_KAFKA_OFFSET_INVALID`).
const OFFSET_INVALID: i64 = rdsys::RD_KAFKA_OFFSET_INVALID as i64;

const ERR_NO_ERROR: i32 = RespErr::RD_KAFKA_RESP_ERR_NO_ERROR as i32;
const ERR_TIMED_OUT: i32 = RespErr::RD_KAFKA_RESP_ERR__TIMED_OUT as i32;
const ERR_INVALID_ARG: i32 = RespErr::RD_KAFKA_RESP_ERR__INVALID_ARG as i32;
const ERR_FAIL: i32 = RespErr::RD_KAFKA_RESP_ERR__FAIL as i32;
const ERR_NOENT: i32 = RespErr::RD_KAFKA_RESP_ERR__NOENT as i32;
const ERR_UNSUPPORTED_FEATURE: i32 = RespErr::RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE as i32;

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// A librdkafka or broker error, as librdkafka reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{name}: {message}")]
pub struct FfiError {
    /// `rd_kafka_resp_err_t`: negative for client-side errors (`-185` = `_TIMED_OUT`),
    /// positive for Kafka protocol errors (`16` = `NOT_COORDINATOR`).
    pub code: i32,
    /// `rd_kafka_err2name`, e.g. `NOT_COORDINATOR`, `_TIMED_OUT`.
    pub name: String,
    /// librdkafka's error string for this failure, else `rd_kafka_err2str(code)`.
    pub message: String,
}

impl FfiError {
    /// An error for `code`, with `message` or else librdkafka's text for the code.
    pub fn new(code: i32, message: Option<String>) -> Self {
        let name = err_name(code);
        let message = match message {
            Some(m) if !m.is_empty() => m,
            _ => err_text(code),
        };
        FfiError {
            code,
            name,
            message,
        }
    }

    /// True for the client-side deadline error (`_TIMED_OUT`).
    pub fn is_timeout(&self) -> bool {
        self.code == ERR_TIMED_OUT
    }

    fn invalid_arg(message: String) -> Self {
        FfiError::new(ERR_INVALID_ARG, Some(message))
    }

    fn no_answer(op: &str, waited: Duration) -> Self {
        FfiError::new(
            ERR_TIMED_OUT,
            Some(format!("{op}: no answer within {} ms", waited.as_millis())),
        )
    }
}

/// A broker as librdkafka reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Broker id (`node.id`).
    pub id: i32,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: u16,
    /// `broker.rack`, when set.
    pub rack: Option<String>,
}

/// Answer to DescribeCluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterDescription {
    /// Cluster id; `None` when the broker did not send one.
    pub cluster_id: Option<String>,
    /// Controller id from the Metadata answer. Under KRaft brokers report an arbitrary live
    /// broker here, not the active controller, hence the name.
    pub reported_controller_id: Option<i32>,
    /// Live brokers.
    pub nodes: Vec<Node>,
}

/// Which offset ListOffsets looks up for a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OffsetSpec {
    /// First offset still in the log (`log_start_offset`).
    Earliest,
    /// Next offset to be written (log end offset, or last stable offset under read_committed).
    Latest,
    /// Offset of the record with the largest timestamp (needs ListOffsets v7, Kafka 3.0+).
    MaxTimestamp,
    /// First offset whose timestamp is at or after this many ms since the Unix epoch.
    Timestamp(i64),
}

impl OffsetSpec {
    fn raw(self) -> Result<i64, FfiError> {
        match self {
            OffsetSpec::Earliest => {
                Ok(rdsys::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_EARLIEST as i64)
            }
            OffsetSpec::Latest => {
                Ok(rdsys::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_LATEST as i64)
            }
            OffsetSpec::MaxTimestamp => {
                Ok(rdsys::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP as i64)
            }
            OffsetSpec::Timestamp(ms) if ms >= 0 => Ok(ms),
            OffsetSpec::Timestamp(ms) => Err(FfiError::invalid_arg(format!(
                "timestamp {ms} is negative; pass ms since the Unix epoch"
            ))),
        }
    }
}

/// Isolation level for ListOffsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IsolationLevel {
    /// `Latest` is the high watermark.
    #[default]
    ReadUncommitted,
    /// `Latest` is the last stable offset (open transactions excluded).
    ReadCommitted,
}

/// One partition's answer to ListOffsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOffsetsRow {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The offset; `None` when librdkafka reports none (-1 or -1001). A partition whose leader
    /// is down can come back as -1001 **with no error**: that is `offset: None, error: None`.
    pub offset: Option<i64>,
    /// Timestamp of the record at `offset` (ms), when the broker reports one.
    pub timestamp: Option<i64>,
    /// Leader epoch of the record at `offset`, when known.
    pub leader_epoch: Option<i32>,
    /// Per-partition failure (e.g. `UNKNOWN_TOPIC_OR_PART`, `NOT_LEADER_OR_FOLLOWER`).
    pub error: Option<FfiError>,
}

/// One group from ListConsumerGroups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupListing {
    /// Group id.
    pub group_id: String,
    /// True for groups that only commit offsets (no members, no protocol).
    pub is_simple: bool,
    /// Kafka's state word: `Stable`, `Empty`, `PreparingRebalance`, `CompletingRebalance`,
    /// `Dead` or `Unknown`. librdkafka 2.12 maps the KIP-848 states `Assigning` and
    /// `Reconciling` to `Unknown`.
    pub state: String,
    /// `classic`, `consumer` (KIP-848) or `unknown` (broker too old to say).
    pub group_type: String,
}

/// A member of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Member id assigned by the coordinator.
    pub member_id: String,
    /// The member's `client.id`.
    pub client_id: String,
    /// Host the member connected from.
    pub host: String,
    /// Static membership id (`group.instance.id`), when set.
    pub group_instance_id: Option<String>,
    /// Partitions currently assigned to the member.
    pub assignment: Vec<(String, i32)>,
    /// KIP-848 target assignment (`consumer` groups only); `None` for classic groups.
    pub target_assignment: Option<Vec<(String, i32)>>,
}

/// Answer to DescribeConsumerGroups for one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDescription {
    /// Group id.
    pub group_id: String,
    /// True for groups that only commit offsets.
    pub is_simple: bool,
    /// Kafka's state word, as in [`GroupListing::state`].
    pub state: String,
    /// `classic`, `consumer` or `unknown`.
    pub group_type: String,
    /// Partition assignor (e.g. `range`, `cooperative-sticky`, `uniform`); empty when none.
    pub partition_assignor: String,
    /// The group coordinator broker.
    pub coordinator: Option<Node>,
    /// Current members.
    pub members: Vec<Member>,
}

/// One partition's committed offset for a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedOffset {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Committed offset; `None` when the group has no commit for this partition (-1001).
    pub offset: Option<i64>,
    /// Leader epoch stored with the commit, when known.
    pub leader_epoch: Option<i32>,
    /// Commit metadata string, when non-empty.
    pub metadata: Option<String>,
    /// Per-partition failure.
    pub error: Option<FfiError>,
}

/// Kind of config resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceType {
    /// Topic configs; name is the topic.
    Topic,
    /// Broker configs; name is the broker id (`"1"`).
    Broker,
    /// Broker log levels; name is the broker id. librdkafka 2.12 cannot address this Kafka
    /// resource type, so calls report it as `_UNSUPPORTED_FEATURE`.
    BrokerLogger,
    /// Group configs (KIP-848); name is the group id.
    Group,
}

impl ResourceType {
    fn to_c(self) -> Option<rdsys::rd_kafka_ResourceType_t> {
        match self {
            ResourceType::Topic => Some(rdsys::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_TOPIC),
            ResourceType::Broker => Some(rdsys::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_BROKER),
            ResourceType::Group => Some(rdsys::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_GROUP),
            ResourceType::BrokerLogger => None,
        }
    }

    fn from_c(raw: c_int) -> Option<Self> {
        use rdsys::rd_kafka_ResourceType_t as T;
        if raw == T::RD_KAFKA_RESOURCE_TOPIC as c_int {
            Some(ResourceType::Topic)
        } else if raw == T::RD_KAFKA_RESOURCE_BROKER as c_int {
            Some(ResourceType::Broker)
        } else if raw == T::RD_KAFKA_RESOURCE_GROUP as c_int {
            Some(ResourceType::Group)
        } else {
            None
        }
    }
}

/// A config entry from DescribeConfigs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawConfigEntry {
    /// Config key.
    pub name: String,
    /// Value; always `None` for sensitive entries, whatever librdkafka returned.
    pub value: Option<String>,
    /// Kafka's source name: `DEFAULT_CONFIG`, `STATIC_BROKER_CONFIG`, `DYNAMIC_TOPIC_CONFIG`,
    /// `DYNAMIC_BROKER_CONFIG`, `DYNAMIC_DEFAULT_BROKER_CONFIG`, `DYNAMIC_BROKER_LOGGER_CONFIG`,
    /// `DYNAMIC_CLIENT_METRICS_CONFIG`, `DYNAMIC_GROUP_CONFIG` or `UNKNOWN`.
    pub source: String,
    /// Password-like entry; its value is withheld.
    pub is_sensitive: bool,
    /// Cannot be changed with IncrementalAlterConfigs.
    pub is_read_only: bool,
    /// Set to its default value.
    pub is_default: bool,
    /// Where the value could come from, most specific first (empty on brokers < 1.1).
    pub synonyms: Vec<RawSynonym>,
}

/// One synonym of a config entry (the same setting at another level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawSynonym {
    /// Config key at that level (e.g. `log.retention.ms` for `retention.ms`).
    pub name: String,
    /// Value at that level; `None` when sensitive.
    pub value: Option<String>,
    /// Kafka's source name, as in [`RawConfigEntry::source`].
    pub source: String,
}

/// IncrementalAlterConfigs operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlterOpType {
    /// Set the value.
    Set,
    /// Remove the override (back to the next level's value); `value` is ignored.
    Delete,
    /// Add to a list-type config.
    Append,
    /// Remove from a list-type config.
    Subtract,
}

/// One incremental change to a config key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlterOp {
    /// Config key.
    pub key: String,
    /// Operation.
    pub op: AlterOpType,
    /// Value; required for every op except `Delete`.
    pub value: Option<String>,
}

/// One partition of a topic, from DescribeTopics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicPartitionDescription {
    /// Partition id.
    pub partition: i32,
    /// Leader broker id; `None` when leaderless.
    pub leader: Option<i32>,
    /// Replica broker ids.
    pub replicas: Vec<i32>,
    /// In-sync replica broker ids.
    pub isr: Vec<i32>,
}

/// Answer to DescribeTopics for one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDescription {
    /// Topic name.
    pub name: String,
    /// Topic id as Kafka prints it (URL-safe base64, no padding); `None` when the broker has
    /// none (Metadata < v10) or reports the zero id.
    pub topic_id: Option<String>,
    /// Internal topic (`__consumer_offsets`, `__transaction_state`).
    pub is_internal: bool,
    /// Partitions, in partition order.
    pub partitions: Vec<TopicPartitionDescription>,
}

/// Per-group answers of [`describe_consumer_groups`], in request order.
pub type DescribedGroups = Vec<(String, Result<GroupDescription, FfiError>)>;

/// Per-resource answers of [`describe_configs`], in request order.
pub type DescribedConfigs = Vec<(ResourceType, String, Result<Vec<RawConfigEntry>, FfiError>)>;

/// Per-topic answers of [`describe_topics`], in request order.
pub type DescribedTopics = Vec<(String, Result<TopicDescription, FfiError>)>;

/// One config resource's entries, or why there are none.
type ConfigOutcome = Result<Vec<RawConfigEntry>, FfiError>;

// ---------------------------------------------------------------------------------------------
// Public calls
// ---------------------------------------------------------------------------------------------

/// Cluster id, reported controller id and live brokers (DescribeCluster, via Metadata).
///
/// Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn describe_cluster<C: ClientContext>(
    admin: &AdminClient<C>,
    timeout: Duration,
) -> Result<ClusterDescription, FfiError> {
    let rk = admin.inner().native_ptr();
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        timeout,
        "DescribeCluster",
    )?;
    // SAFETY: `rk` stays alive while `admin` is borrowed; options and queue are live `Owned`
    // handles; librdkafka copies the options and keeps its own reference to the queue.
    unsafe { rdsys::rd_kafka_DescribeCluster(rk, call.options.ptr(), call.queue.ptr()) };
    let event = call.wait()?;
    // SAFETY: `event` is a live event we own; the accessor returns NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_DescribeCluster_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: `result` is owned by `event`, which outlives this block. `call.wait` checked the
    // event carries no error, so it holds exactly one description (librdkafka asserts on that).
    // Node arrays and strings live as long as `result` and are copied out at once.
    let description = unsafe {
        let mut cnt = 0usize;
        let nodes = rdsys::rd_kafka_DescribeCluster_result_nodes(result, &mut cnt);
        let nodes = array(nodes.cast_const(), cnt)
            .iter()
            .filter_map(|&n| read_node(n))
            .collect();
        let controller = read_node(rdsys::rd_kafka_DescribeCluster_result_controller(result));
        ClusterDescription {
            cluster_id: opt_string(rdsys::rd_kafka_DescribeCluster_result_cluster_id(result)),
            reported_controller_id: controller.map(|n| n.id).filter(|id| *id >= 0),
            nodes,
        }
    };
    Ok(description)
}

/// Offsets for many partitions in ONE call (librdkafka batches the requests per leader).
///
/// Rows come back in request order, one per request. Duplicate (topic, partition) pairs are
/// rejected by librdkafka with `_INVALID_ARG`. A partition whose leader is down can come back
/// with `offset: None` and no error (librdkafka's -1001); treat it as "unknown", not as zero.
/// Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn list_offsets<C: ClientContext>(
    admin: &AdminClient<C>,
    requests: &[(String, i32, OffsetSpec)],
    isolation: IsolationLevel,
    timeout: Duration,
) -> Result<Vec<ListOffsetsRow>, FfiError> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let rk = admin.inner().native_ptr();
    let list = PartitionList::new(requests.len())?;
    for (topic, partition, spec) in requests {
        list.add(topic, *partition, spec.raw()?)?;
    }
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
        timeout,
        "ListOffsets",
    )?;
    let level = match isolation {
        IsolationLevel::ReadUncommitted => {
            rdsys::rd_kafka_IsolationLevel_t::RD_KAFKA_ISOLATION_LEVEL_READ_UNCOMMITTED
        }
        IsolationLevel::ReadCommitted => {
            rdsys::rd_kafka_IsolationLevel_t::RD_KAFKA_ISOLATION_LEVEL_READ_COMMITTED
        }
    };
    // SAFETY: options are live; a non-NULL return is a new error object we own (and free).
    let err =
        unsafe { rdsys::rd_kafka_AdminOptions_set_isolation_level(call.options.ptr(), level) };
    take_error(err)?;
    // SAFETY: all handles are live; librdkafka copies the partition list and the options.
    unsafe { rdsys::rd_kafka_ListOffsets(rk, list.ptr(), call.options.ptr(), call.queue.ptr()) };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_ListOffsets_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: `result` and everything reachable from it are owned by `event`, which outlives
    // this block; each info and its partition are copied into owned values at once.
    let mut rows: Vec<ListOffsetsRow> = unsafe {
        let mut cnt = 0usize;
        let infos = rdsys::rd_kafka_ListOffsets_result_infos(result, &mut cnt);
        array(infos.cast_const(), cnt)
            .iter()
            .filter(|info| !info.is_null())
            .filter_map(|&info| {
                let tp = rdsys::rd_kafka_ListOffsetsResultInfo_topic_partition(info);
                let timestamp = rdsys::rd_kafka_ListOffsetsResultInfo_timestamp(info);
                read_partition(tp).map(|p| ListOffsetsRow {
                    topic: p.topic,
                    partition: p.partition,
                    offset: known_offset(p.offset),
                    timestamp: (timestamp >= 0).then_some(timestamp),
                    leader_epoch: p.leader_epoch,
                    error: p.error,
                })
            })
            .collect()
    };
    let wanted: Vec<(&str, i32)> = requests.iter().map(|(t, p, _)| (t.as_str(), *p)).collect();
    rows = in_request_order(
        rows,
        &wanted,
        |r| (r.topic.as_str(), r.partition),
        |t, p| ListOffsetsRow {
            topic: t.to_owned(),
            partition: p,
            offset: None,
            timestamp: None,
            leader_epoch: None,
            error: Some(missing("ListOffsets")),
        },
    );
    Ok(rows)
}

/// All consumer groups of all brokers, plus the errors of brokers that did not answer.
///
/// Partial answers are kept: one coordinator down gives the other brokers' groups and one
/// error per failed broker. `Err` only when the request failed as a whole.
/// Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn list_consumer_groups<C: ClientContext>(
    admin: &AdminClient<C>,
    timeout: Duration,
) -> Result<(Vec<GroupListing>, Vec<FfiError>), FfiError> {
    let rk = admin.inner().native_ptr();
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
        timeout,
        "ListConsumerGroups",
    )?;
    // SAFETY: live handles; librdkafka copies the options and references the queue.
    unsafe { rdsys::rd_kafka_ListConsumerGroups(rk, call.options.ptr(), call.queue.ptr()) };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_ListConsumerGroups_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: the event carries no error (checked by `call.wait`), so it holds exactly the one
    // merged result librdkafka asserts on. Listings, errors and strings are owned by `event`
    // and copied out at once; `c::` accessors return plain ints.
    let answer = unsafe {
        let mut cnt = 0usize;
        let valid = rdsys::rd_kafka_ListConsumerGroups_result_valid(result, &mut cnt);
        let groups = array(valid.cast_const(), cnt)
            .iter()
            .filter(|g| !g.is_null())
            .map(|&g| GroupListing {
                group_id: opt_string(rdsys::rd_kafka_ConsumerGroupListing_group_id(g))
                    .unwrap_or_default(),
                is_simple: rdsys::rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g) == 1,
                state: group_state_name(c::rd_kafka_ConsumerGroupListing_state(g)).to_owned(),
                group_type: group_type_name(c::rd_kafka_ConsumerGroupListing_type(g)).to_owned(),
            })
            .collect();
        let mut cnt = 0usize;
        let errors = rdsys::rd_kafka_ListConsumerGroups_result_errors(result, &mut cnt);
        let errors = array(errors.cast_const(), cnt)
            .iter()
            .filter_map(|&e| read_error(e))
            .collect();
        (groups, errors)
    };
    Ok(answer)
}

/// Describe consumer groups (classic and KIP-848 `consumer` groups), one result per group.
///
/// Duplicate ids are asked once; results follow the order of first appearance.
/// Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn describe_consumer_groups<C: ClientContext>(
    admin: &AdminClient<C>,
    groups: &[String],
    timeout: Duration,
) -> Result<DescribedGroups, FfiError> {
    let groups = dedup(groups.iter().cloned());
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let rk = admin.inner().native_ptr();
    let names = groups
        .iter()
        .map(|g| cstring(g, "group id"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
        timeout,
        "DescribeConsumerGroups",
    )?;
    // SAFETY: `ptrs` holds `ptrs.len()` valid C strings (kept alive by `names`); librdkafka
    // duplicates them and copies the options; handles are live.
    unsafe {
        rdsys::rd_kafka_DescribeConsumerGroups(
            rk,
            ptrs.as_mut_ptr(),
            ptrs.len(),
            call.options.ptr(),
            call.queue.ptr(),
        )
    };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_DescribeConsumerGroups_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: descriptions are owned by `event`, which outlives this block, and copied out.
    let found: Vec<(String, Result<GroupDescription, FfiError>)> = unsafe {
        let mut cnt = 0usize;
        let descs = rdsys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut cnt);
        array(descs.cast_const(), cnt)
            .iter()
            .filter(|d| !d.is_null())
            .map(|&d| read_group_description(d))
            .collect()
    };
    let mut by_id: HashMap<String, Result<GroupDescription, FfiError>> =
        found.into_iter().collect();
    Ok(groups
        .into_iter()
        .map(|g| {
            let answer = by_id
                .remove(&g)
                .unwrap_or_else(|| Err(missing("DescribeConsumerGroups")));
            (g, answer)
        })
        .collect())
}

/// Committed offsets of ONE group (librdkafka allows one group per call; run several calls
/// concurrently for several groups). `partitions: None` lists every partition the group has
/// committed; `Some(&[])` asks nothing and returns an empty list.
///
/// A group-level failure (e.g. `GROUP_AUTHORIZATION_FAILED`, `COORDINATOR_NOT_AVAILABLE`) is
/// `Err`. Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn list_consumer_group_offsets<C: ClientContext>(
    admin: &AdminClient<C>,
    group: &str,
    partitions: Option<&[(String, i32)]>,
    timeout: Duration,
) -> Result<Vec<CommittedOffset>, FfiError> {
    if partitions.is_some_and(|p| p.is_empty()) {
        return Ok(Vec::new());
    }
    let rk = admin.inner().native_ptr();
    let group_c = cstring(group, "group id")?;
    let list = match partitions {
        Some(parts) => {
            let list = PartitionList::new(parts.len())?;
            for (topic, partition) in parts {
                list.add(topic, *partition, OFFSET_INVALID)?;
            }
            Some(list)
        }
        None => None,
    };
    let list_ptr = list.as_ref().map_or(ptr::null(), |l| l.ptr().cast_const());
    // SAFETY: `group_c` is a valid C string; `list_ptr` is NULL (all partitions) or a live list.
    // librdkafka copies both into the new object, which we own.
    let request = unsafe {
        Owned::new(rdsys::rd_kafka_ListConsumerGroupOffsets_new(
            group_c.as_ptr(),
            list_ptr,
        ))
    }
    .ok_or_else(|| alloc_failed("ListConsumerGroupOffsets"))?;
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        timeout,
        "ListConsumerGroupOffsets",
    )?;
    let mut requests = [request.ptr()];
    // SAFETY: an array of exactly one live request object (librdkafka's requirement), live
    // options and queue; librdkafka copies the request.
    unsafe {
        rdsys::rd_kafka_ListConsumerGroupOffsets(
            rk,
            requests.as_mut_ptr(),
            1,
            call.options.ptr(),
            call.queue.ptr(),
        )
    };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_ListConsumerGroupOffsets_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: group results are owned by `event`, which outlives this block, and copied out.
    let partitions = unsafe {
        let mut cnt = 0usize;
        let groups = rdsys::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut cnt);
        single_group_partitions(array(groups.cast_const(), cnt), "ListConsumerGroupOffsets")?
    };
    Ok(partitions
        .into_iter()
        .map(|p| CommittedOffset {
            topic: p.topic,
            partition: p.partition,
            offset: known_offset(p.offset),
            leader_epoch: p.leader_epoch,
            metadata: p.metadata,
            error: p.error,
        })
        .collect())
}

/// Set committed offsets of ONE group: `(topic, partition, offset)`, offsets >= 0.
///
/// Kafka refuses (per partition, `UNKNOWN_MEMBER_ID`) while the group has active members
/// consuming those partitions. Returns one `(topic, partition, error)` per partition; a
/// group-level failure is `Err`. Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn alter_consumer_group_offsets<C: ClientContext>(
    admin: &AdminClient<C>,
    group: &str,
    offsets: &[(String, i32, i64)],
    timeout: Duration,
) -> Result<Vec<(String, i32, Option<FfiError>)>, FfiError> {
    if offsets.is_empty() {
        return Ok(Vec::new());
    }
    if let Some((topic, partition, offset)) = offsets.iter().find(|(_, _, o)| *o < 0) {
        return Err(FfiError::invalid_arg(format!(
            "offset {offset} for {topic}-{partition} is negative; pass an absolute offset \
             (look it up with list_offsets)"
        )));
    }
    let rk = admin.inner().native_ptr();
    let group_c = cstring(group, "group id")?;
    let list = PartitionList::new(offsets.len())?;
    for (topic, partition, offset) in offsets {
        list.add(topic, *partition, *offset)?;
    }
    // SAFETY: valid C string and live list; librdkafka copies both into the new object.
    let request = unsafe {
        Owned::new(rdsys::rd_kafka_AlterConsumerGroupOffsets_new(
            group_c.as_ptr(),
            list.ptr().cast_const(),
        ))
    }
    .ok_or_else(|| alloc_failed("AlterConsumerGroupOffsets"))?;
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        timeout,
        "AlterConsumerGroupOffsets",
    )?;
    let mut requests = [request.ptr()];
    // SAFETY: an array of exactly one live request object, live options and queue.
    unsafe {
        rdsys::rd_kafka_AlterConsumerGroupOffsets(
            rk,
            requests.as_mut_ptr(),
            1,
            call.options.ptr(),
            call.queue.ptr(),
        )
    };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_AlterConsumerGroupOffsets_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: group results are owned by `event`, which outlives this block, and copied out.
    let partitions = unsafe {
        let mut cnt = 0usize;
        let groups = rdsys::rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &mut cnt);
        single_group_partitions(array(groups.cast_const(), cnt), "AlterConsumerGroupOffsets")?
    };
    Ok(partitions
        .into_iter()
        .map(|p| (p.topic, p.partition, p.error))
        .collect())
}

/// Configs of topics, brokers and groups, with synonyms; one result per resource.
///
/// Duplicates are asked once; results follow the order of first appearance. librdkafka sends
/// a broker resource to that broker and allows one per request, so each broker resource goes
/// out as its own request (topics and groups share one), all on one queue under one deadline:
/// an unknown or down broker fails only its own resource. A request that fails as a whole fails
/// its resources; `Err` only when every request failed (the first failure is returned).
/// `BrokerLogger` resources come back as `_UNSUPPORTED_FEATURE` (librdkafka 2.12 cannot ask).
/// Sensitive values are always `None`. Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn describe_configs<C: ClientContext>(
    admin: &AdminClient<C>,
    resources: &[(ResourceType, String)],
    timeout: Duration,
) -> Result<DescribedConfigs, FfiError> {
    describe_config_keys(admin, resources, &[], timeout)
}

/// Like [`describe_configs`], asking only for the configs named in `keys` (DescribeConfigs'
/// `ConfigurationKeys`; empty asks for all). The broker then answers those entries only, with
/// their synonyms: a fraction of the bytes of a full answer (dozens of entries per topic).
pub fn describe_config_keys<C: ClientContext>(
    admin: &AdminClient<C>,
    resources: &[(ResourceType, String)],
    keys: &[&str],
    timeout: Duration,
) -> Result<DescribedConfigs, FfiError> {
    describe_config_keys_via(admin, resources, keys, None, timeout)
}

/// Like [`describe_config_keys`], sending the request for topics and groups to broker `via`
/// when given. Without it librdkafka sends it to Metadata's controller id, which under KRaft is
/// an arbitrary broker that stale metadata may still list although it is dead (issue #13);
/// broker resources always go to their own broker.
pub fn describe_config_keys_via<C: ClientContext>(
    admin: &AdminClient<C>,
    resources: &[(ResourceType, String)],
    keys: &[&str],
    via: Option<i32>,
    timeout: Duration,
) -> Result<DescribedConfigs, FfiError> {
    let resources = dedup(resources.iter().cloned());
    let requests: Vec<ConfigRequest> = resources
        .iter()
        .map(|(kind, name)| ConfigRequest {
            kind: *kind,
            name: name.clone(),
            ops: Vec::new(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
        })
        .collect();
    let outcomes = config_calls(admin, &requests, ConfigCall::Describe, via, timeout)?;
    Ok(resources
        .into_iter()
        .zip(outcomes)
        .map(|((kind, name), outcome)| (kind, name, outcome))
        .collect())
}

/// Incrementally change configs (IncrementalAlterConfigs; never the legacy AlterConfigs, which
/// resets every config it is not given). One `(type, name, error)` per resource.
///
/// Input is checked before anything is sent: `BrokerLogger`, an empty or NUL-carrying name, a
/// broker name that is not a node id, a repeated resource, a repeated key within a resource, a
/// missing value for `Set`/`Append`/`Subtract`, or a NUL byte in a key or value make the whole
/// call `Err(_INVALID_ARG / _UNSUPPORTED_FEATURE)` with nothing changed. Kafka applies each
/// resource on its own (atomically per resource, not across resources). With `validate_only` the
/// broker checks the change without applying it. Each broker resource goes out as its own
/// request (librdkafka's rule), all under one deadline; `Err` only when every request failed.
/// Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn incremental_alter_configs<C: ClientContext>(
    admin: &AdminClient<C>,
    resources: &[(ResourceType, String, Vec<AlterOp>)],
    validate_only: bool,
    timeout: Duration,
) -> Result<Vec<(ResourceType, String, Option<FfiError>)>, FfiError> {
    let mut seen = HashSet::new();
    for (kind, name, ops) in resources {
        if *kind == ResourceType::BrokerLogger {
            return Err(broker_logger_unsupported(name));
        }
        if let Some(problem) = resource_name_problem(*kind, name) {
            return Err(problem);
        }
        if !seen.insert((*kind, name.as_str())) {
            return Err(FfiError::invalid_arg(format!(
                "{kind:?} {name:?} appears twice; merge its changes into one entry"
            )));
        }
        let mut keys = HashSet::new();
        for op in ops {
            if !keys.insert(op.key.as_str()) {
                return Err(FfiError::invalid_arg(format!(
                    "config {:?} of {kind:?} {name:?} appears twice; give one change per key",
                    op.key
                )));
            }
            if op.op != AlterOpType::Delete && op.value.is_none() {
                return Err(FfiError::invalid_arg(format!(
                    "config {:?} of {kind:?} {name:?}: {:?} needs a value",
                    op.key, op.op
                )));
            }
        }
    }
    let requests: Vec<ConfigRequest> = resources
        .iter()
        .map(|(kind, name, ops)| ConfigRequest {
            keys: Vec::new(),
            kind: *kind,
            name: name.clone(),
            ops: ops.clone(),
        })
        .collect();
    let outcomes = config_calls(
        admin,
        &requests,
        ConfigCall::Alter { validate_only },
        None,
        timeout,
    )?;
    Ok(resources
        .iter()
        .zip(outcomes)
        .map(|((kind, name, _), outcome)| (*kind, name.clone(), outcome.err()))
        .collect())
}

/// Topic ids, partitions, leaders, replicas and ISR (DescribeTopics, via Metadata v10+).
///
/// Duplicates are asked once; results follow the order of first appearance; an unknown topic
/// is that topic's `Err(UNKNOWN_TOPIC_OR_PART)`. Blocks for up to `timeout` + [`POLL_MARGIN`].
pub fn describe_topics<C: ClientContext>(
    admin: &AdminClient<C>,
    topics: &[String],
    timeout: Duration,
) -> Result<DescribedTopics, FfiError> {
    let topics = dedup(topics.iter().cloned());
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let rk = admin.inner().native_ptr();
    let names = topics
        .iter()
        .map(|t| cstring(t, "topic name"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    // SAFETY: `ptrs` holds `ptrs.len()` valid C strings; librdkafka copies them into a new
    // collection, which we own.
    let collection = unsafe {
        Owned::new(rdsys::rd_kafka_TopicCollection_of_topic_names(
            ptrs.as_mut_ptr(),
            ptrs.len(),
        ))
    }
    .ok_or_else(|| alloc_failed("TopicCollection"))?;
    let call = Call::new(
        rk,
        AdminOp::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS,
        timeout,
        "DescribeTopics",
    )?;
    // SAFETY: live collection, options and queue; librdkafka copies the collection and options.
    unsafe {
        rdsys::rd_kafka_DescribeTopics(rk, collection.ptr(), call.options.ptr(), call.queue.ptr())
    };
    let event = call.wait()?;
    // SAFETY: live event we own; NULL for other event types.
    let result = unsafe { rdsys::rd_kafka_event_DescribeTopics_result(event.ptr()) };
    if result.is_null() {
        return Err(call.unexpected(&event));
    }
    // SAFETY: descriptions are owned by `event`, which outlives this block, and copied out.
    let found: Vec<(String, Result<TopicDescription, FfiError>)> = unsafe {
        let mut cnt = 0usize;
        let descs = rdsys::rd_kafka_DescribeTopics_result_topics(result, &mut cnt);
        array(descs.cast_const(), cnt)
            .iter()
            .filter(|d| !d.is_null())
            .map(|&d| read_topic_description(d))
            .collect()
    };
    let mut by_name: HashMap<String, Result<TopicDescription, FfiError>> =
        found.into_iter().collect();
    Ok(topics
        .into_iter()
        .map(|t| {
            let answer = by_name
                .remove(&t)
                .unwrap_or_else(|| Err(missing("DescribeTopics")));
            (t, answer)
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// C declarations with plain-int enums
// ---------------------------------------------------------------------------------------------

/// librdkafka functions whose rdkafka-sys bindings take or return a Rust `enum`, re-declared
/// with `c_int` (same symbols; a C enum is passed as an `int`-sized integer). librdkafka hands
/// broker-sent values through unchanged, and a value missing from the Rust enum would be
/// undefined behaviour.
mod c {
    use std::ffi::{c_char, c_int};

    use rdkafka_sys as rdsys;

    extern "C" {
        pub fn rd_kafka_err2name(err: c_int) -> *const c_char;
        pub fn rd_kafka_err2str(err: c_int) -> *const c_char;
        pub fn rd_kafka_error_code(error: *const rdsys::rd_kafka_error_t) -> c_int;
        pub fn rd_kafka_event_error(rkev: *mut rdsys::rd_kafka_event_t) -> c_int;
        pub fn rd_kafka_AdminOptions_set_request_timeout(
            options: *mut rdsys::rd_kafka_AdminOptions_t,
            timeout_ms: c_int,
            errstr: *mut c_char,
            errstr_size: usize,
        ) -> c_int;
        pub fn rd_kafka_AdminOptions_set_validate_only(
            options: *mut rdsys::rd_kafka_AdminOptions_t,
            true_or_false: c_int,
            errstr: *mut c_char,
            errstr_size: usize,
        ) -> c_int;
        pub fn rd_kafka_AdminOptions_set_broker(
            options: *mut rdsys::rd_kafka_AdminOptions_t,
            broker_id: i32,
            errstr: *mut c_char,
            errstr_size: usize,
        ) -> c_int;
        pub fn rd_kafka_ConfigResource_error(
            config: *const rdsys::rd_kafka_ConfigResource_t,
        ) -> c_int;
        pub fn rd_kafka_ConfigResource_type(
            config: *const rdsys::rd_kafka_ConfigResource_t,
        ) -> c_int;
        pub fn rd_kafka_ConfigEntry_source(entry: *const rdsys::rd_kafka_ConfigEntry_t) -> c_int;
        pub fn rd_kafka_ConsumerGroupListing_state(
            grplist: *const rdsys::rd_kafka_ConsumerGroupListing_t,
        ) -> c_int;
        pub fn rd_kafka_ConsumerGroupListing_type(
            grplist: *const rdsys::rd_kafka_ConsumerGroupListing_t,
        ) -> c_int;
        pub fn rd_kafka_ConsumerGroupDescription_state(
            grpdesc: *const rdsys::rd_kafka_ConsumerGroupDescription_t,
        ) -> c_int;
        pub fn rd_kafka_ConsumerGroupDescription_type(
            grpdesc: *const rdsys::rd_kafka_ConsumerGroupDescription_t,
        ) -> c_int;
    }
}

// ---------------------------------------------------------------------------------------------
// Owned handles
// ---------------------------------------------------------------------------------------------

/// A librdkafka type with a destroy function.
///
/// # Safety
///
/// `DESTROY` must free exactly one `Self` created by librdkafka and owned by the caller.
unsafe trait Destroy {
    const DESTROY: unsafe extern "C" fn(*mut Self);
}

// SAFETY: `rd_kafka_queue_destroy` releases a queue handle from `rd_kafka_queue_new`.
unsafe impl Destroy for rdsys::rd_kafka_queue_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_queue_destroy;
}
// SAFETY: `rd_kafka_AdminOptions_destroy` frees options from `rd_kafka_AdminOptions_new`.
unsafe impl Destroy for rdsys::rd_kafka_AdminOptions_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_AdminOptions_destroy;
}
// SAFETY: `rd_kafka_event_destroy` frees an event returned by `rd_kafka_queue_poll`.
unsafe impl Destroy for rdsys::rd_kafka_event_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_event_destroy;
}
// SAFETY: `rd_kafka_error_destroy` frees an error object handed to the caller.
unsafe impl Destroy for rdsys::rd_kafka_error_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_error_destroy;
}
// SAFETY: `rd_kafka_topic_partition_list_destroy` frees a list from `_list_new`.
unsafe impl Destroy for rdsys::rd_kafka_topic_partition_list_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_topic_partition_list_destroy;
}
// SAFETY: `rd_kafka_ConfigResource_destroy` frees a resource from `rd_kafka_ConfigResource_new`.
unsafe impl Destroy for rdsys::rd_kafka_ConfigResource_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_ConfigResource_destroy;
}
// SAFETY: frees an object from `rd_kafka_ListConsumerGroupOffsets_new`.
unsafe impl Destroy for rdsys::rd_kafka_ListConsumerGroupOffsets_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) =
        rdsys::rd_kafka_ListConsumerGroupOffsets_destroy;
}
// SAFETY: frees an object from `rd_kafka_AlterConsumerGroupOffsets_new`.
unsafe impl Destroy for rdsys::rd_kafka_AlterConsumerGroupOffsets_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) =
        rdsys::rd_kafka_AlterConsumerGroupOffsets_destroy;
}
// SAFETY: frees a collection from `rd_kafka_TopicCollection_of_topic_names`.
unsafe impl Destroy for rdsys::rd_kafka_TopicCollection_t {
    const DESTROY: unsafe extern "C" fn(*mut Self) = rdsys::rd_kafka_TopicCollection_destroy;
}

/// Sole owner of one librdkafka object; `Drop` destroys it.
struct Owned<T: Destroy>(NonNull<T>);

impl<T: Destroy> Owned<T> {
    /// Takes ownership of `ptr`; `None` when it is NULL.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or a live `T` that the caller owns and that nothing else will free.
    unsafe fn new(ptr: *mut T) -> Option<Self> {
        NonNull::new(ptr).map(Owned)
    }

    fn ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

impl<T: Destroy> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: `Owned::new`'s contract: we are the sole owner, and drop runs once.
        unsafe { (T::DESTROY)(self.0.as_ptr()) }
    }
}

/// An owned `rd_kafka_topic_partition_list_t` being filled for a request.
struct PartitionList(Owned<rdsys::rd_kafka_topic_partition_list_t>);

impl PartitionList {
    fn new(capacity: usize) -> Result<Self, FfiError> {
        let capacity = c_int::try_from(capacity)
            .map_err(|_| FfiError::invalid_arg(format!("{capacity} partitions is too many")))?;
        // SAFETY: allocates a new list that we own.
        let list = unsafe { Owned::new(rdsys::rd_kafka_topic_partition_list_new(capacity)) };
        list.map(PartitionList)
            .ok_or_else(|| alloc_failed("topic partition list"))
    }

    fn add(&self, topic: &str, partition: i32, offset: i64) -> Result<(), FfiError> {
        let topic_c = cstring(topic, "topic name")?;
        // SAFETY: live list and valid C string (librdkafka copies it); the returned element
        // belongs to the list and is written before the list is touched again.
        unsafe {
            let tp =
                rdsys::rd_kafka_topic_partition_list_add(self.0.ptr(), topic_c.as_ptr(), partition);
            if tp.is_null() {
                return Err(alloc_failed("topic partition"));
            }
            (*tp).offset = offset;
        }
        Ok(())
    }

    fn ptr(&self) -> *mut rdsys::rd_kafka_topic_partition_list_t {
        self.0.ptr()
    }
}

// ---------------------------------------------------------------------------------------------
// One admin request: queue + options + wait
// ---------------------------------------------------------------------------------------------

type Queue = Owned<rdsys::rd_kafka_queue_t>;
type Options = Owned<rdsys::rd_kafka_AdminOptions_t>;
type Event = Owned<rdsys::rd_kafka_event_t>;

/// A private result queue and the options of one admin request.
struct Call {
    queue: Queue,
    options: Options,
    op: &'static str,
    wait_for: Duration,
}

impl Call {
    fn new(
        rk: *mut rdsys::rd_kafka_t,
        api: AdminOp,
        timeout: Duration,
        op: &'static str,
    ) -> Result<Self, FfiError> {
        let queue = new_queue(rk, op)?;
        let (options, request_ms) = new_options(rk, api, timeout, op)?;
        Ok(Call {
            queue,
            options,
            op,
            wait_for: Duration::from_millis(request_ms.unsigned_abs().into()) + POLL_MARGIN,
        })
    }

    /// Waits for the single answer and turns a request-level error into `Err`.
    fn wait(&self) -> Result<Event, FfiError> {
        let event = poll(&self.queue, self.wait_for)
            .ok_or_else(|| FfiError::no_answer(self.op, self.wait_for))?;
        match event_error(&event) {
            Some(err) => Err(err),
            None => Ok(event),
        }
    }

    fn unexpected(&self, event: &Event) -> FfiError {
        unexpected_event(self.op, event)
    }
}

fn new_queue(rk: *mut rdsys::rd_kafka_t, op: &str) -> Result<Queue, FfiError> {
    // SAFETY: `rk` is the live client of a borrowed `AdminClient`; the new queue is ours.
    unsafe { Owned::new(rdsys::rd_kafka_queue_new(rk)) }.ok_or_else(|| alloc_failed(op))
}

/// Admin options for `api` with librdkafka's request timeout set; returns the timeout used.
fn new_options(
    rk: *mut rdsys::rd_kafka_t,
    api: AdminOp,
    timeout: Duration,
    op: &str,
) -> Result<(Options, c_int), FfiError> {
    // SAFETY: live client; the new options object is ours.
    let options = unsafe { Owned::new(rdsys::rd_kafka_AdminOptions_new(rk, api)) }
        .ok_or_else(|| alloc_failed(op))?;
    let ms = request_timeout_ms(timeout);
    let mut errstr = [0 as c_char; 512];
    // SAFETY: live options; `errstr` is writable for its whole length and NUL-terminated by
    // librdkafka when written.
    let code = unsafe {
        c::rd_kafka_AdminOptions_set_request_timeout(
            options.ptr(),
            ms,
            errstr.as_mut_ptr(),
            errstr.len(),
        )
    };
    errstr_result(code, &errstr)?;
    Ok((options, ms))
}

fn request_timeout_ms(timeout: Duration) -> c_int {
    let ms = timeout.as_millis().clamp(1, MAX_REQUEST_TIMEOUT_MS as u128);
    c_int::try_from(ms).unwrap_or(MAX_REQUEST_TIMEOUT_MS)
}

/// Polls `queue` for up to `wait`; `None` when nothing arrived.
fn poll(queue: &Queue, wait: Duration) -> Option<Event> {
    let ms = c_int::try_from(wait.as_millis()).unwrap_or(c_int::MAX);
    // SAFETY: live queue; a non-NULL event is handed to us and freed by `Owned`.
    unsafe { Owned::new(rdsys::rd_kafka_queue_poll(queue.ptr(), ms)) }
}

/// The request-level error an event carries, if any.
fn event_error(event: &Event) -> Option<FfiError> {
    // SAFETY: live event we own.
    let code = unsafe { c::rd_kafka_event_error(event.ptr()) };
    if code == ERR_NO_ERROR {
        return None;
    }
    // SAFETY: live event; the string (possibly NULL) lives as long as the event and is copied.
    let message = unsafe { opt_string(rdsys::rd_kafka_event_error_string(event.ptr())) };
    Some(FfiError::new(code, message))
}

fn unexpected_event(op: &str, event: &Event) -> FfiError {
    // SAFETY: live event; the name is a static string or NULL.
    let name = unsafe { opt_string(rdsys::rd_kafka_event_name(event.ptr())) };
    FfiError::new(
        ERR_FAIL,
        Some(format!(
            "{op}: unexpected event {} on the private result queue",
            name.as_deref().unwrap_or("(unnamed)")
        )),
    )
}

fn errstr_result(code: c_int, errstr: &[c_char]) -> Result<(), FfiError> {
    if code == ERR_NO_ERROR {
        return Ok(());
    }
    let bytes: Vec<u8> = errstr
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as u8)
        .collect();
    Err(FfiError::new(
        code,
        Some(String::from_utf8_lossy(&bytes).into_owned()),
    ))
}

/// Frees an error object the caller owns, returning it as `Err`.
fn take_error(err: *mut rdsys::rd_kafka_error_t) -> Result<(), FfiError> {
    // SAFETY: `err` is NULL or a new error object handed to us; `Owned` frees it after reading.
    match unsafe { Owned::new(err) } {
        None => Ok(()),
        // SAFETY: live error object we own.
        Some(owned) => Err(unsafe { read_error(owned.ptr().cast_const()) }
            .unwrap_or_else(|| FfiError::new(ERR_FAIL, None))),
    }
}

// ---------------------------------------------------------------------------------------------
// Configs: DescribeConfigs and IncrementalAlterConfigs, batched by broker resource
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfigCall {
    Describe,
    Alter { validate_only: bool },
}

impl ConfigCall {
    fn op(self) -> &'static str {
        match self {
            ConfigCall::Describe => "DescribeConfigs",
            ConfigCall::Alter { .. } => "IncrementalAlterConfigs",
        }
    }
}

struct ConfigRequest {
    kind: ResourceType,
    name: String,
    ops: Vec<AlterOp>,
    /// Describe only: the config names asked for (empty: all).
    keys: Vec<String>,
}

/// Groups request indices into batches: all non-broker resources together, each `Broker`
/// resource alone. librdkafka sends a batch holding a broker resource to that broker (and
/// allows only one per request), so a missing broker then fails only its own resource.
fn config_batches(kinds: &[ResourceType]) -> Vec<Vec<usize>> {
    let mut shared: Vec<usize> = Vec::new();
    let mut brokers: Vec<Vec<usize>> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        match kind {
            ResourceType::Broker => brokers.push(vec![i]),
            _ => shared.push(i),
        }
    }
    let mut batches = Vec::new();
    if !shared.is_empty() {
        batches.push(shared);
    }
    batches.extend(brokers);
    batches
}

/// Runs DescribeConfigs or IncrementalAlterConfigs for `requests`; one outcome per request, in
/// order (`Ok(vec![])` for alters). Local problems with one resource fail that resource only.
fn config_calls<C: ClientContext>(
    admin: &AdminClient<C>,
    requests: &[ConfigRequest],
    call: ConfigCall,
    via: Option<i32>,
    timeout: Duration,
) -> Result<Vec<ConfigOutcome>, FfiError> {
    let op = call.op();
    let mut outcomes: Vec<Option<ConfigOutcome>> = requests.iter().map(|_| None).collect();
    // Resources librdkafka cannot take are answered locally.
    let mut sendable = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        if req.kind == ResourceType::BrokerLogger {
            outcomes[i] = Some(Err(broker_logger_unsupported(&req.name)));
        } else if let Some(problem) = resource_name_problem(req.kind, &req.name) {
            outcomes[i] = Some(Err(problem));
        } else {
            sendable.push(i);
        }
    }
    let kinds: Vec<ResourceType> = sendable.iter().map(|&i| requests[i].kind).collect();
    let batches: Vec<Vec<usize>> = config_batches(&kinds)
        .into_iter()
        .map(|b| b.into_iter().map(|j| sendable[j]).collect())
        .collect();

    if !batches.is_empty() {
        let rk = admin.inner().native_ptr();
        let queue = new_queue(rk, op)?;
        let api = match call {
            ConfigCall::Describe => AdminOp::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
            ConfigCall::Alter { .. } => AdminOp::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS,
        };
        // Build everything first, so a local error sends nothing.
        let mut prepared = Vec::with_capacity(batches.len());
        let mut wait_for = POLL_MARGIN;
        for (b, batch) in batches.iter().enumerate() {
            let (options, ms) = new_options(rk, api, timeout, op)?;
            wait_for = Duration::from_millis(ms.unsigned_abs().into()) + POLL_MARGIN;
            if let ConfigCall::Alter { validate_only } = call {
                let mut errstr = [0 as c_char; 512];
                // SAFETY: live options; `errstr` writable for its whole length.
                let code = unsafe {
                    c::rd_kafka_AdminOptions_set_validate_only(
                        options.ptr(),
                        c_int::from(validate_only),
                        errstr.as_mut_ptr(),
                        errstr.len(),
                    )
                };
                errstr_result(code, &errstr)?;
            }
            let has_broker = batch
                .iter()
                .any(|&i| requests[i].kind == ResourceType::Broker);
            if let (Some(id), false) = (via, has_broker) {
                let mut errstr = [0 as c_char; 512];
                // SAFETY: live options; `errstr` writable for its whole length.
                let code = unsafe {
                    c::rd_kafka_AdminOptions_set_broker(
                        options.ptr(),
                        id,
                        errstr.as_mut_ptr(),
                        errstr.len(),
                    )
                };
                errstr_result(code, &errstr)?;
            }
            // The batch index comes back as the event's opaque; librdkafka never dereferences it.
            // SAFETY: live options; the opaque is an integer smuggled in a pointer.
            unsafe {
                rdsys::rd_kafka_AdminOptions_set_opaque(
                    options.ptr(),
                    ptr::without_provenance_mut::<c_void>(b),
                )
            };
            let mut resources = Vec::with_capacity(batch.len());
            for &i in batch {
                resources.push(new_config_resource(&requests[i], call)?);
            }
            prepared.push((options, resources));
        }
        for (options, resources) in &prepared {
            let mut ptrs: Vec<*mut rdsys::rd_kafka_ConfigResource_t> =
                resources.iter().map(Owned::ptr).collect();
            // SAFETY: `ptrs` holds live resources (owned by `resources`), options and queue are
            // live; librdkafka copies the resources and options and references the queue.
            unsafe {
                match call {
                    ConfigCall::Describe => rdsys::rd_kafka_DescribeConfigs(
                        rk,
                        ptrs.as_mut_ptr(),
                        ptrs.len(),
                        options.ptr(),
                        queue.ptr(),
                    ),
                    ConfigCall::Alter { .. } => rdsys::rd_kafka_IncrementalAlterConfigs(
                        rk,
                        ptrs.as_mut_ptr(),
                        ptrs.len(),
                        options.ptr(),
                        queue.ptr(),
                    ),
                }
            }
        }

        let deadline = Instant::now() + wait_for;
        let mut answered = vec![false; batches.len()];
        let mut batch_failures: Vec<FfiError> = Vec::new();
        while answered.iter().any(|a| !a) {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = poll(&queue, left) else {
                break;
            };
            // SAFETY: live event we own; the opaque is the integer stored above.
            let b = unsafe { rdsys::rd_kafka_event_opaque(event.ptr()) }.addr();
            if b >= batches.len() || answered[b] {
                continue;
            }
            answered[b] = true;
            let batch = &batches[b];
            match read_config_event(&event, call, requests, batch) {
                Ok(per_resource) => {
                    for (i, outcome) in per_resource {
                        outcomes[i] = Some(outcome);
                    }
                }
                Err(err) => {
                    for &i in batch {
                        outcomes[i] = Some(Err(err.clone()));
                    }
                    batch_failures.push(err);
                }
            }
        }
        for (b, batch) in batches.iter().enumerate() {
            if !answered[b] {
                let err = FfiError::no_answer(op, wait_for);
                for &i in batch {
                    outcomes[i] = Some(Err(err.clone()));
                }
                batch_failures.push(err);
            }
        }
        if batch_failures.len() == batches.len() && sendable.len() == requests.len() {
            return Err(batch_failures.swap_remove(0));
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(missing(op))))
        .collect())
}

/// Why librdkafka would refuse this resource name, if it would.
fn resource_name_problem(kind: ResourceType, name: &str) -> Option<FfiError> {
    if name.is_empty() {
        Some(FfiError::invalid_arg(format!("{kind:?} name is empty")))
    } else if name.contains('\0') {
        Some(FfiError::invalid_arg(format!(
            "{kind:?} name {name:?} contains a NUL byte"
        )))
    } else if kind == ResourceType::Broker && name.parse::<u32>().is_err() {
        Some(FfiError::invalid_arg(format!(
            "broker resource name {name:?} is not a broker id; pass the numeric node id"
        )))
    } else {
        None
    }
}

fn new_config_resource(
    req: &ConfigRequest,
    call: ConfigCall,
) -> Result<Owned<rdsys::rd_kafka_ConfigResource_t>, FfiError> {
    let kind = req
        .kind
        .to_c()
        .ok_or_else(|| broker_logger_unsupported(&req.name))?;
    let name = cstring(&req.name, "resource name")?;
    // SAFETY: valid C string (librdkafka copies it); the new resource is ours.
    let resource = unsafe { Owned::new(rdsys::rd_kafka_ConfigResource_new(kind, name.as_ptr())) }
        .ok_or_else(|| {
        FfiError::invalid_arg(format!("{:?} {:?} was refused", req.kind, req.name))
    })?;
    if let ConfigCall::Describe = call {
        for key in &req.keys {
            let key = cstring(key, "config key")?;
            // SAFETY: live resource; `key` and the empty value are valid C strings, copied by
            // librdkafka (which refuses NULL). DescribeConfigs sends the names, never values.
            let code = unsafe {
                rdsys::rd_kafka_ConfigResource_set_config(
                    resource.ptr(),
                    key.as_ptr(),
                    c"".as_ptr(),
                )
            };
            if code != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(FfiError::invalid_arg(format!(
                    "config key {key:?} was refused ({code:?})"
                )));
            }
        }
    }
    if let ConfigCall::Alter { .. } = call {
        for op in &req.ops {
            let key = cstring(&op.key, "config key")?;
            let value = op
                .value
                .as_deref()
                .map(|v| cstring(v, "config value"))
                .transpose()?;
            let op_type = match op.op {
                AlterOpType::Set => {
                    rdsys::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET
                }
                AlterOpType::Delete => {
                    rdsys::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE
                }
                AlterOpType::Append => {
                    rdsys::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_APPEND
                }
                AlterOpType::Subtract => {
                    rdsys::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SUBTRACT
                }
            };
            let value_ptr = match (op.op, &value) {
                (AlterOpType::Delete, _) | (_, None) => ptr::null(),
                (_, Some(v)) => v.as_ptr(),
            };
            // SAFETY: live resource; key and value are valid C strings or NULL (copied by
            // librdkafka); a non-NULL return is an error object we own.
            let err = unsafe {
                rdsys::rd_kafka_ConfigResource_add_incremental_config(
                    resource.ptr(),
                    key.as_ptr(),
                    op_type,
                    value_ptr,
                )
            };
            take_error(err)?;
        }
    }
    Ok(resource)
}

/// Per-resource outcomes of one config event, or `Err` when the whole request failed.
fn read_config_event(
    event: &Event,
    call: ConfigCall,
    requests: &[ConfigRequest],
    batch: &[usize],
) -> Result<Vec<(usize, ConfigOutcome)>, FfiError> {
    if let Some(err) = event_error(event) {
        return Err(err);
    }
    let op = call.op();
    let mut cnt = 0usize;
    // SAFETY: live event we own; the accessors return NULL for other event types, and the
    // resource arrays are owned by the event and only read while it lives.
    let resources = unsafe {
        match call {
            ConfigCall::Describe => {
                let result = rdsys::rd_kafka_event_DescribeConfigs_result(event.ptr());
                if result.is_null() {
                    return Err(unexpected_event(op, event));
                }
                rdsys::rd_kafka_DescribeConfigs_result_resources(result, &mut cnt)
            }
            ConfigCall::Alter { .. } => {
                let result = rdsys::rd_kafka_event_IncrementalAlterConfigs_result(event.ptr());
                if result.is_null() {
                    return Err(unexpected_event(op, event));
                }
                rdsys::rd_kafka_IncrementalAlterConfigs_result_resources(result, &mut cnt)
            }
        }
    };
    // SAFETY: `resources` holds `cnt` resource pointers owned by `event`, alive for this block.
    let answered: Vec<(Option<ResourceType>, String, ConfigOutcome)> = unsafe {
        array(resources.cast_const(), cnt)
            .iter()
            .filter(|r| !r.is_null())
            .map(|&r| {
                let kind = ResourceType::from_c(c::rd_kafka_ConfigResource_type(r));
                let name = opt_string(rdsys::rd_kafka_ConfigResource_name(r)).unwrap_or_default();
                let code = c::rd_kafka_ConfigResource_error(r);
                let outcome = if code != ERR_NO_ERROR {
                    Err(FfiError::new(
                        code,
                        opt_string(rdsys::rd_kafka_ConfigResource_error_string(r)),
                    ))
                } else if call == ConfigCall::Describe {
                    Ok(read_config_entries(r))
                } else {
                    Ok(Vec::new())
                };
                (kind, name, outcome)
            })
            .collect()
    };
    let mut by_key: HashMap<(Option<ResourceType>, String), ConfigOutcome> =
        answered.into_iter().map(|(k, n, o)| ((k, n), o)).collect();
    Ok(batch
        .iter()
        .map(|&i| {
            let req = &requests[i];
            let outcome = by_key
                .remove(&(Some(req.kind), req.name.clone()))
                .unwrap_or_else(|| Err(missing(op)));
            (i, outcome)
        })
        .collect())
}

/// # Safety
///
/// `resource` is a live DescribeConfigs result resource whose owner outlives this call.
unsafe fn read_config_entries(
    resource: *const rdsys::rd_kafka_ConfigResource_t,
) -> Vec<RawConfigEntry> {
    let mut cnt = 0usize;
    // SAFETY: per the contract; entries and their synonyms are owned by the resource and copied.
    unsafe {
        let entries = rdsys::rd_kafka_ConfigResource_configs(resource, &mut cnt);
        array(entries.cast_const(), cnt)
            .iter()
            .filter(|e| !e.is_null())
            .map(|&e| {
                let is_sensitive = rdsys::rd_kafka_ConfigEntry_is_sensitive(e) == 1;
                let mut syn_cnt = 0usize;
                let synonyms = rdsys::rd_kafka_ConfigEntry_synonyms(e, &mut syn_cnt);
                let synonyms = array(synonyms.cast_const(), syn_cnt)
                    .iter()
                    .filter(|s| !s.is_null())
                    .map(|&s| {
                        let hidden =
                            is_sensitive || rdsys::rd_kafka_ConfigEntry_is_sensitive(s) == 1;
                        RawSynonym {
                            name: opt_string(rdsys::rd_kafka_ConfigEntry_name(s))
                                .unwrap_or_default(),
                            value: if hidden {
                                None
                            } else {
                                opt_string(rdsys::rd_kafka_ConfigEntry_value(s))
                            },
                            source: config_source_name(c::rd_kafka_ConfigEntry_source(s))
                                .to_owned(),
                        }
                    })
                    .collect();
                RawConfigEntry {
                    name: opt_string(rdsys::rd_kafka_ConfigEntry_name(e)).unwrap_or_default(),
                    value: if is_sensitive {
                        None
                    } else {
                        opt_string(rdsys::rd_kafka_ConfigEntry_value(e))
                    },
                    source: config_source_name(c::rd_kafka_ConfigEntry_source(e)).to_owned(),
                    is_sensitive,
                    is_read_only: rdsys::rd_kafka_ConfigEntry_is_read_only(e) == 1,
                    is_default: rdsys::rd_kafka_ConfigEntry_is_default(e) == 1,
                    synonyms,
                }
            })
            .collect()
    }
}

fn broker_logger_unsupported(name: &str) -> FfiError {
    FfiError::new(
        ERR_UNSUPPORTED_FEATURE,
        Some(format!(
            "BROKER_LOGGER {name:?}: librdkafka 2.12 cannot address broker logger configs; \
             use kafka-configs.sh --entity-type broker-loggers instead"
        )),
    )
}

// ---------------------------------------------------------------------------------------------
// Readers: copy C data into owned Rust values
// ---------------------------------------------------------------------------------------------

/// Fields of one `rd_kafka_topic_partition_t`, copied.
struct RawPartition {
    topic: String,
    partition: i32,
    offset: i64,
    leader_epoch: Option<i32>,
    metadata: Option<String>,
    error: Option<FfiError>,
}

/// # Safety
///
/// `tp` is NULL or a live topic partition whose owner outlives this call.
unsafe fn read_partition(tp: *const rdsys::rd_kafka_topic_partition_t) -> Option<RawPartition> {
    if tp.is_null() {
        return None;
    }
    // SAFETY: per the contract. Fields are read through raw pointers; `err` is read as the i32
    // it is in C (`rd_kafka_resp_err_t` is `repr(i32)`), never as the Rust enum, so codes newer
    // than the bindings stay sound. The metadata buffer has `metadata_size` bytes.
    unsafe {
        let topic = opt_string(ptr::addr_of!((*tp).topic).read()).unwrap_or_default();
        let partition = ptr::addr_of!((*tp).partition).read();
        let offset = ptr::addr_of!((*tp).offset).read();
        let code = ptr::addr_of!((*tp).err).cast::<i32>().read();
        let metadata_ptr = ptr::addr_of!((*tp).metadata).read();
        let metadata_size = ptr::addr_of!((*tp).metadata_size).read();
        let metadata = if metadata_ptr.is_null() || metadata_size == 0 {
            None
        } else {
            let bytes = std::slice::from_raw_parts(metadata_ptr.cast::<u8>(), metadata_size);
            Some(String::from_utf8_lossy(bytes).into_owned())
        };
        let epoch = rdsys::rd_kafka_topic_partition_get_leader_epoch(tp);
        Some(RawPartition {
            topic,
            partition,
            offset,
            leader_epoch: (epoch >= 0).then_some(epoch),
            metadata,
            error: (code != ERR_NO_ERROR).then(|| FfiError::new(code, None)),
        })
    }
}

/// # Safety
///
/// `list` is NULL or a live partition list whose owner outlives this call.
unsafe fn read_partitions(
    list: *const rdsys::rd_kafka_topic_partition_list_t,
) -> Vec<RawPartition> {
    if list.is_null() {
        return Vec::new();
    }
    // SAFETY: per the contract; `elems` holds `cnt` elements.
    unsafe {
        let cnt = usize::try_from(ptr::addr_of!((*list).cnt).read()).unwrap_or(0);
        let elems = ptr::addr_of!((*list).elems).read();
        if elems.is_null() {
            return Vec::new();
        }
        (0..cnt)
            .filter_map(|i| read_partition(elems.add(i).cast_const()))
            .collect()
    }
}

/// # Safety
///
/// `node` is NULL or a live node whose owner outlives this call.
unsafe fn read_node(node: *const rdsys::rd_kafka_Node_t) -> Option<Node> {
    if node.is_null() {
        return None;
    }
    // SAFETY: per the contract; the strings live as long as the node and are copied.
    unsafe {
        Some(Node {
            id: rdsys::rd_kafka_Node_id(node),
            host: opt_string(rdsys::rd_kafka_Node_host(node)).unwrap_or_default(),
            port: rdsys::rd_kafka_Node_port(node),
            rack: opt_string(rdsys::rd_kafka_Node_rack(node)).filter(|r| !r.is_empty()),
        })
    }
}

/// # Safety
///
/// `err` is NULL or a live error object.
unsafe fn read_error(err: *const rdsys::rd_kafka_error_t) -> Option<FfiError> {
    if err.is_null() {
        return None;
    }
    // SAFETY: per the contract; the string lives as long as the error and is copied.
    let (code, message) = unsafe {
        (
            c::rd_kafka_error_code(err),
            opt_string(rdsys::rd_kafka_error_string(err)),
        )
    };
    if code == ERR_NO_ERROR {
        return None;
    }
    Some(FfiError::new(code, message))
}

/// Partitions of the single group result of a ListConsumerGroupOffsets or
/// AlterConsumerGroupOffsets answer; a group-level error is `Err`.
///
/// # Safety
///
/// `groups` holds live group results owned by an event that outlives this call.
unsafe fn single_group_partitions(
    groups: &[*const rdsys::rd_kafka_group_result_t],
    op: &str,
) -> Result<Vec<RawPartition>, FfiError> {
    let Some(&group) = groups.iter().find(|g| !g.is_null()) else {
        return Err(missing(op));
    };
    // SAFETY: per the contract; error and partition list are owned by the group result.
    unsafe {
        if let Some(err) = read_error(rdsys::rd_kafka_group_result_error(group)) {
            return Err(err);
        }
        Ok(read_partitions(rdsys::rd_kafka_group_result_partitions(
            group,
        )))
    }
}

/// # Safety
///
/// `desc` is a live group description owned by an event that outlives this call.
unsafe fn read_group_description(
    desc: *const rdsys::rd_kafka_ConsumerGroupDescription_t,
) -> (String, Result<GroupDescription, FfiError>) {
    // SAFETY: per the contract; members, assignments, nodes and strings are owned by the
    // description and copied; `member(i)` is NULL-checked for `i < member_count`.
    unsafe {
        let group_id =
            opt_string(rdsys::rd_kafka_ConsumerGroupDescription_group_id(desc)).unwrap_or_default();
        if let Some(err) = read_error(rdsys::rd_kafka_ConsumerGroupDescription_error(desc)) {
            return (group_id, Err(err));
        }
        let count = rdsys::rd_kafka_ConsumerGroupDescription_member_count(desc);
        let members = (0..count)
            .map(|i| rdsys::rd_kafka_ConsumerGroupDescription_member(desc, i))
            .filter(|m| !m.is_null())
            .map(|m| {
                let assignment = rdsys::rd_kafka_MemberDescription_assignment(m);
                let target = rdsys::rd_kafka_MemberDescription_target_assignment(m);
                Member {
                    member_id: opt_string(rdsys::rd_kafka_MemberDescription_consumer_id(m))
                        .unwrap_or_default(),
                    client_id: opt_string(rdsys::rd_kafka_MemberDescription_client_id(m))
                        .unwrap_or_default(),
                    host: opt_string(rdsys::rd_kafka_MemberDescription_host(m)).unwrap_or_default(),
                    group_instance_id: opt_string(
                        rdsys::rd_kafka_MemberDescription_group_instance_id(m),
                    ),
                    assignment: read_assignment(assignment).unwrap_or_default(),
                    target_assignment: read_assignment(target),
                }
            })
            .collect();
        let description = GroupDescription {
            group_id: group_id.clone(),
            is_simple: rdsys::rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(desc) == 1,
            state: group_state_name(c::rd_kafka_ConsumerGroupDescription_state(desc)).to_owned(),
            group_type: group_type_name(c::rd_kafka_ConsumerGroupDescription_type(desc)).to_owned(),
            partition_assignor: opt_string(
                rdsys::rd_kafka_ConsumerGroupDescription_partition_assignor(desc),
            )
            .unwrap_or_default(),
            coordinator: read_node(rdsys::rd_kafka_ConsumerGroupDescription_coordinator(desc)),
            members,
        };
        (group_id, Ok(description))
    }
}

/// # Safety
///
/// `assignment` is NULL or a live member assignment whose owner outlives this call.
unsafe fn read_assignment(
    assignment: *const rdsys::rd_kafka_MemberAssignment_t,
) -> Option<Vec<(String, i32)>> {
    if assignment.is_null() {
        return None;
    }
    // SAFETY: per the contract; the list is owned by the assignment and copied.
    let partitions =
        unsafe { read_partitions(rdsys::rd_kafka_MemberAssignment_partitions(assignment)) };
    Some(
        partitions
            .into_iter()
            .map(|p| (p.topic, p.partition))
            .collect(),
    )
}

/// # Safety
///
/// `desc` is a live topic description owned by an event that outlives this call.
unsafe fn read_topic_description(
    desc: *const rdsys::rd_kafka_TopicDescription_t,
) -> (String, Result<TopicDescription, FfiError>) {
    // SAFETY: per the contract; partitions, node arrays, the id and strings are owned by the
    // description and copied.
    unsafe {
        let name = opt_string(rdsys::rd_kafka_TopicDescription_name(desc)).unwrap_or_default();
        if let Some(err) = read_error(rdsys::rd_kafka_TopicDescription_error(desc)) {
            return (name, Err(err));
        }
        let uuid = rdsys::rd_kafka_TopicDescription_topic_id(desc);
        let topic_id = if uuid.is_null() {
            None
        } else {
            kafka_uuid(
                rdsys::rd_kafka_Uuid_most_significant_bits(uuid),
                rdsys::rd_kafka_Uuid_least_significant_bits(uuid),
            )
        };
        let mut cnt = 0usize;
        let parts = rdsys::rd_kafka_TopicDescription_partitions(desc, &mut cnt);
        let mut partitions: Vec<TopicPartitionDescription> = array(parts.cast_const(), cnt)
            .iter()
            .filter(|p| !p.is_null())
            .map(|&p| {
                let mut n = 0usize;
                let replicas = rdsys::rd_kafka_TopicPartitionInfo_replicas(p, &mut n);
                let replicas = node_ids(array(replicas.cast_const(), n));
                let mut n = 0usize;
                let isr = rdsys::rd_kafka_TopicPartitionInfo_isr(p, &mut n);
                let isr = node_ids(array(isr.cast_const(), n));
                TopicPartitionDescription {
                    partition: rdsys::rd_kafka_TopicPartitionInfo_partition(p),
                    leader: read_node(rdsys::rd_kafka_TopicPartitionInfo_leader(p))
                        .map(|n| n.id)
                        .filter(|id| *id >= 0),
                    replicas,
                    isr,
                }
            })
            .collect();
        partitions.sort_by_key(|p| p.partition);
        let description = TopicDescription {
            name: name.clone(),
            topic_id,
            is_internal: rdsys::rd_kafka_TopicDescription_is_internal(desc) == 1,
            partitions,
        };
        (name, Ok(description))
    }
}

/// # Safety
///
/// Every non-NULL pointer in `nodes` is a live node whose owner outlives this call.
unsafe fn node_ids(nodes: &[*const rdsys::rd_kafka_Node_t]) -> Vec<i32> {
    nodes
        .iter()
        .filter(|n| !n.is_null())
        // SAFETY: per the contract.
        .map(|&n| unsafe { rdsys::rd_kafka_Node_id(n) })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// A C array as a slice; empty for NULL or zero length.
///
/// # Safety
///
/// `ptr` is NULL or points to `cnt` initialised elements that stay alive and unchanged for `'a`.
unsafe fn array<'a, T>(ptr: *const T, cnt: usize) -> &'a [T] {
    if ptr.is_null() || cnt == 0 {
        &[]
    } else {
        // SAFETY: per the contract.
        unsafe { std::slice::from_raw_parts(ptr, cnt) }
    }
}

/// Copies a possibly-NULL C string (lossy UTF-8).
///
/// # Safety
///
/// `s` is NULL or a NUL-terminated string alive for the duration of the call.
unsafe fn opt_string(s: *const c_char) -> Option<String> {
    if s.is_null() {
        None
    } else {
        // SAFETY: per the contract.
        Some(unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned())
    }
}

fn cstring(value: &str, what: &str) -> Result<CString, FfiError> {
    CString::new(value)
        .map_err(|_| FfiError::invalid_arg(format!("{what} {value:?} contains a NUL byte")))
}

fn err_name(code: i32) -> String {
    // SAFETY: accepts any int; returns a static string or a thread-local buffer, copied at once.
    unsafe { opt_string(c::rd_kafka_err2name(code)) }.unwrap_or_else(|| format!("ERR_{code}"))
}

fn err_text(code: i32) -> String {
    // SAFETY: accepts any int; returns a static string or a thread-local buffer, copied at once.
    unsafe { opt_string(c::rd_kafka_err2str(code)) }.unwrap_or_else(|| format!("error {code}"))
}

fn alloc_failed(what: &str) -> FfiError {
    FfiError::new(
        ERR_FAIL,
        Some(format!("librdkafka could not create {what}")),
    )
}

fn missing(op: &str) -> FfiError {
    FfiError::new(
        ERR_NOENT,
        Some(format!(
            "{op}: librdkafka's answer has no entry for this item"
        )),
    )
}

/// `None` for librdkafka's "no offset" values (-1 unknown, -1001 invalid, any negative).
fn known_offset(offset: i64) -> Option<i64> {
    (offset >= 0).then_some(offset)
}

/// Order-preserving de-duplication.
fn dedup<T: Clone + Eq + std::hash::Hash>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|i| seen.insert(i.clone()))
        .collect()
}

/// Reorders `rows` to follow `wanted`; wanted keys with no row get `fill(topic, partition)`;
/// rows for keys nobody asked for go last.
fn in_request_order<R>(
    rows: Vec<R>,
    wanted: &[(&str, i32)],
    key: impl Fn(&R) -> (&str, i32),
    fill: impl Fn(&str, i32) -> R,
) -> Vec<R> {
    let mut by_key: HashMap<(String, i32), R> = HashMap::new();
    let mut extra = Vec::new();
    for row in rows {
        let (t, p) = key(&row);
        let k = (t.to_owned(), p);
        match by_key.entry(k) {
            Entry::Occupied(_) => extra.push(row),
            Entry::Vacant(slot) => {
                slot.insert(row);
            }
        }
    }
    let mut out: Vec<R> = wanted
        .iter()
        .map(|&(t, p)| {
            by_key
                .remove(&(t.to_owned(), p))
                .unwrap_or_else(|| fill(t, p))
        })
        .collect();
    out.extend(by_key.into_values());
    out.extend(extra);
    out
}

/// Kafka's group state words for librdkafka's `rd_kafka_consumer_group_state_t`.
fn group_state_name(raw: c_int) -> &'static str {
    match raw {
        1 => "PreparingRebalance",
        2 => "CompletingRebalance",
        3 => "Stable",
        4 => "Dead",
        5 => "Empty",
        _ => "Unknown",
    }
}

/// Kafka's group type words for librdkafka's `rd_kafka_consumer_group_type_t`.
fn group_type_name(raw: c_int) -> &'static str {
    match raw {
        1 => "consumer",
        2 => "classic",
        _ => "unknown",
    }
}

/// Kafka's `ConfigEntry.ConfigSource` names for the wire values librdkafka passes through.
fn config_source_name(raw: c_int) -> &'static str {
    match raw {
        1 => "DYNAMIC_TOPIC_CONFIG",
        2 => "DYNAMIC_BROKER_CONFIG",
        3 => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        4 => "STATIC_BROKER_CONFIG",
        5 => "DEFAULT_CONFIG",
        6 => "DYNAMIC_BROKER_LOGGER_CONFIG",
        7 => "DYNAMIC_CLIENT_METRICS_CONFIG",
        8 => "DYNAMIC_GROUP_CONFIG",
        _ => "UNKNOWN",
    }
}

/// A Kafka `Uuid` as Kafka prints it (URL-safe base64 of the 16 big-endian bytes, no padding);
/// `None` for the zero id.
fn kafka_uuid(most: i64, least: i64) -> Option<String> {
    if most == 0 && least == 0 {
        return None;
    }
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&most.to_be_bytes());
    bytes[8..].copy_from_slice(&least.to_be_bytes());
    let mut out = String::with_capacity(22);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Client events of the main queue (logs and errors)
// ---------------------------------------------------------------------------------------------

/// A log line or client error librdkafka queued on the client's main queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A log line (`log.queue` routes librdkafka's logs to the main queue).
    Log {
        /// syslog level (3 = error, 4 = warning, 7 = debug).
        level: i32,
        /// Facility, e.g. `FAIL`, `BROKERFAIL`.
        fac: String,
        /// The line.
        message: String,
    },
    /// A client-level error (connection refused, all brokers down, authentication, ...).
    Error(FfiError),
}

/// Takes the log and error events queued on the client's main queue, waiting up to `wait` for
/// the first. rust-rdkafka's `AdminClient` polls only its admin result queue, so without this
/// the context's `log`/`error` callbacks never see the real cause of a failure (connection
/// refused, SASL, TLS). Other event types are dropped. Blocks for up to `wait`.
pub fn poll_client_events<C: ClientContext>(
    admin: &AdminClient<C>,
    wait: Duration,
    max: usize,
) -> Vec<ClientEvent> {
    let rk = admin.inner().native_ptr();
    // SAFETY: `rk` is live while `admin` is borrowed; `rd_kafka_queue_get_main` returns a new
    // reference to the main queue that we own and `Owned` releases with `rd_kafka_queue_destroy`.
    let Some(queue) = (unsafe { Queue::new(rdsys::rd_kafka_queue_get_main(rk)) }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut timeout_ms = c_int::try_from(wait.as_millis()).unwrap_or(c_int::MAX);
    while out.len() < max {
        // SAFETY: live queue we hold a reference to; a returned event is ours to destroy.
        let Some(event) =
            (unsafe { Event::new(rdsys::rd_kafka_queue_poll(queue.ptr(), timeout_ms)) })
        else {
            break;
        };
        timeout_ms = 0;
        // SAFETY: live event we own.
        let kind = unsafe { rdsys::rd_kafka_event_type(event.ptr()) };
        if kind == rdsys::RD_KAFKA_EVENT_LOG {
            let mut fac: *const c_char = ptr::null();
            let mut msg: *const c_char = ptr::null();
            let mut level: c_int = 0;
            // SAFETY: LOG event we own; the out-pointers receive strings owned by the event,
            // copied before the event is dropped at the end of this iteration.
            let ok =
                unsafe { rdsys::rd_kafka_event_log(event.ptr(), &mut fac, &mut msg, &mut level) }
                    == 0;
            if ok {
                // SAFETY: NULL or NUL-terminated strings owned by the live event.
                let (fac, message) = unsafe {
                    (
                        opt_string(fac).unwrap_or_default(),
                        opt_string(msg).unwrap_or_default(),
                    )
                };
                out.push(ClientEvent::Log {
                    level,
                    fac,
                    message,
                });
            }
        } else if kind == rdsys::RD_KAFKA_EVENT_ERROR {
            // SAFETY: ERROR event we own; the string is owned by the event and copied at once.
            let (code, text) = unsafe {
                (
                    c::rd_kafka_event_error(event.ptr()),
                    opt_string(rdsys::rd_kafka_event_error_string(event.ptr())),
                )
            };
            out.push(ClientEvent::Error(FfiError::new(code, text)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Pure helpers, then every call against librdkafka's built-in mock cluster
    //! (`rdkafka::mocking`). The mock implements Metadata, ListOffsets, OffsetFetch and
    //! OffsetCommit, but not ListGroups, DescribeGroups, ConsumerGroupDescribe,
    //! DescribeConfigs or IncrementalAlterConfigs: for those the tests check that the error
    //! comes back cleanly and within the deadline. It also answers -1 to timestamp lookups and
    //! nothing to an "all partitions" OffsetFetch.

    use std::time::{Duration, Instant};

    use rdkafka::admin::AdminClient;
    use rdkafka::client::DefaultClientContext;
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    use rdkafka::{Offset, TopicPartitionList};

    use super::*;

    const DEADLINE: Duration = Duration::from_secs(10);

    /// A mock cluster and an admin client on it (fields drop in order: client first).
    struct Mock {
        admin: AdminClient<DefaultClientContext>,
        bootstrap: String,
        /// Owns the mock cluster (`test.mock.num.brokers`).
        host: AdminClient<DefaultClientContext>,
    }

    impl Mock {
        fn cluster(&self) -> MockCluster<'_, DefaultClientContext> {
            self.host.inner().mock_cluster().expect("mock cluster")
        }
    }

    /// A mock cluster of `brokers` (>= 2) brokers with ids `0..brokers`, and an admin client.
    ///
    /// librdkafka 2.12's mock numbers its brokers from 1 but reports controller id 0, so
    /// broker 0 is added by hand: without it every controller-bound call (DescribeCluster,
    /// DescribeTopics, DescribeConfigs) waits for a controller that never appears. The admin
    /// client under test is created afterwards, so its first Metadata already lists broker 0.
    fn mock(brokers: i32) -> Mock {
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
    fn produce(bootstrap: &str, topic: &str, per_partition: &[(i32, i64)]) {
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
    fn commit(bootstrap: &str, group: &str, offsets: &[(&str, i32, i64)]) {
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

    fn assert_clean_failure(err: &FfiError, started: Instant, timeout: Duration) {
        assert!(err.code != ERR_NO_ERROR, "{err:?}");
        assert!(!err.name.is_empty() && !err.message.is_empty(), "{err:?}");
        assert!(
            started.elapsed() <= timeout + POLL_MARGIN + Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }

    // ---- pure helpers ----------------------------------------------------------------------

    #[test]
    fn error_names_come_from_librdkafka() {
        let timed_out = FfiError::new(ERR_TIMED_OUT, None);
        assert_eq!(timed_out.name, "_TIMED_OUT");
        assert!(timed_out.is_timeout());
        assert_eq!(FfiError::new(16, None).name, "NOT_COORDINATOR");
        // A Kafka 4 code librdkafka 2.12 has no name for still yields a usable error.
        let newer = FfiError::new(120, Some("abortable".into()));
        assert!(!newer.name.is_empty());
        assert_eq!(newer.message, "abortable");
        assert_eq!(newer.to_string(), format!("{}: abortable", newer.name));
    }

    #[test]
    fn offsets_below_zero_are_unknown() {
        assert_eq!(known_offset(OFFSET_INVALID), None);
        assert_eq!(known_offset(-1), None);
        assert_eq!(known_offset(0), Some(0));
        assert_eq!(known_offset(42), Some(42));
    }

    #[test]
    fn offset_specs_map_to_librdkafka_values() {
        assert_eq!(OffsetSpec::Earliest.raw(), Ok(-2));
        assert_eq!(OffsetSpec::Latest.raw(), Ok(-1));
        assert_eq!(OffsetSpec::MaxTimestamp.raw(), Ok(-3));
        assert_eq!(
            OffsetSpec::Timestamp(1_700_000_000_000).raw(),
            Ok(1_700_000_000_000)
        );
        assert_eq!(
            OffsetSpec::Timestamp(-5).raw().unwrap_err().name,
            "_INVALID_ARG"
        );
    }

    #[test]
    fn kafka_words_for_librdkafka_enums() {
        assert_eq!(group_state_name(3), "Stable");
        assert_eq!(group_state_name(5), "Empty");
        assert_eq!(group_state_name(1), "PreparingRebalance");
        assert_eq!(group_state_name(99), "Unknown");
        assert_eq!(group_type_name(1), "consumer");
        assert_eq!(group_type_name(2), "classic");
        assert_eq!(group_type_name(0), "unknown");
        assert_eq!(config_source_name(5), "DEFAULT_CONFIG");
        assert_eq!(config_source_name(1), "DYNAMIC_TOPIC_CONFIG");
        assert_eq!(config_source_name(6), "DYNAMIC_BROKER_LOGGER_CONFIG");
        assert_eq!(config_source_name(42), "UNKNOWN");
    }

    #[test]
    fn topic_ids_print_like_kafka() {
        // Kafka: Uuid(0x0123456789abcdef, 0xfedcba9876543210).toString()
        assert_eq!(
            kafka_uuid(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210_u64 as i64).as_deref(),
            Some("ASNFZ4mrze_-3LqYdlQyEA")
        );
        assert_eq!(kafka_uuid(0, 0), None);
    }

    #[test]
    fn config_batches_give_each_broker_its_own_request() {
        use ResourceType::*;
        assert_eq!(config_batches(&[]), Vec::<Vec<usize>>::new());
        assert_eq!(config_batches(&[Topic, Topic, Group]), vec![vec![0, 1, 2]]);
        assert_eq!(
            config_batches(&[Broker, Topic, Broker, Broker, Topic]),
            vec![vec![1, 4], vec![0], vec![2], vec![3]]
        );
    }

    #[test]
    fn request_order_is_kept_and_gaps_filled() {
        let rows = vec![("b", 1), ("a", 0), ("z", 9)];
        let out = in_request_order(
            rows,
            &[("a", 0), ("b", 1), ("c", 2)],
            |r| *r,
            |_, _| ("missing", -1),
        );
        assert_eq!(out, vec![("a", 0), ("b", 1), ("missing", -1), ("z", 9)]);
        assert_eq!(dedup(["x", "y", "x"]), vec!["x", "y"]);
    }

    // ---- mock cluster ----------------------------------------------------------------------

    #[test]
    fn describe_cluster_lists_the_three_mock_brokers() {
        let m = mock(3);
        m.cluster().broker_rack(2, "rack-b").expect("rack");
        let cluster = describe_cluster(&m.admin, DEADLINE).expect("describe_cluster");
        let mut ids: Vec<i32> = cluster.nodes.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, [0, 1, 2]);
        assert!(cluster
            .nodes
            .iter()
            .all(|n| !n.host.is_empty() && n.port > 0));
        let rack = cluster
            .nodes
            .iter()
            .find(|n| n.id == 2)
            .and_then(|n| n.rack.clone());
        assert_eq!(rack.as_deref(), Some("rack-b"));
        assert!(cluster.cluster_id.is_some_and(|id| !id.is_empty()));
        assert!(cluster
            .reported_controller_id
            .is_some_and(|id| ids.contains(&id)));
    }

    #[test]
    fn describe_topics_reports_partitions_and_unknown_topics() {
        let m = mock(3);
        m.cluster().create_topic("payments", 3, 2).expect("topic");
        let topics = vec![
            "payments".to_owned(),
            "nope".to_owned(),
            "payments".to_owned(),
        ];
        let answers = describe_topics(&m.admin, &topics, DEADLINE).expect("describe_topics");
        assert_eq!(answers.len(), 2, "duplicates asked once: {answers:?}");
        let (name, payments) = &answers[0];
        assert_eq!(name, "payments");
        let payments = payments.as_ref().expect("payments described");
        assert_eq!(payments.partitions.len(), 3);
        assert!(payments
            .partitions
            .iter()
            .all(|p| p.replicas.len() == 2 && p.leader.is_some()));
        assert!(!payments.is_internal);
        let (name, nope) = &answers[1];
        assert_eq!(name, "nope");
        assert_eq!(nope.as_ref().unwrap_err().name, "UNKNOWN_TOPIC_OR_PART");
    }

    #[test]
    fn list_offsets_earliest_and_latest_follow_produced_records() {
        let m = mock(3);
        m.cluster().create_topic("orders", 2, 3).expect("topic");
        produce(&m.bootstrap, "orders", &[(0, 5), (1, 3)]);

        let latest = list_offsets(
            &m.admin,
            &[
                ("orders".to_owned(), 1, OffsetSpec::Latest),
                ("orders".to_owned(), 0, OffsetSpec::Latest),
                ("ghost".to_owned(), 0, OffsetSpec::Latest),
            ],
            IsolationLevel::ReadUncommitted,
            DEADLINE,
        )
        .expect("latest");
        let got: Vec<(&str, i32, Option<i64>)> = latest
            .iter()
            .map(|r| (r.topic.as_str(), r.partition, r.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("orders", 1, Some(3)),
                ("orders", 0, Some(5)),
                ("ghost", 0, None)
            ]
        );
        assert!(latest[0].error.is_none() && latest[1].error.is_none());
        assert!(latest[2].error.is_some(), "{:?}", latest[2]);

        let earliest = list_offsets(
            &m.admin,
            &[
                ("orders".to_owned(), 0, OffsetSpec::Earliest),
                ("orders".to_owned(), 1, OffsetSpec::Earliest),
            ],
            IsolationLevel::ReadCommitted,
            DEADLINE,
        )
        .expect("earliest");
        assert!(
            earliest
                .iter()
                .all(|r| r.offset == Some(0) && r.error.is_none()),
            "{earliest:?}"
        );

        // The mock does not implement timestamp lookups: it answers -1, which is `None`.
        let by_time = list_offsets(
            &m.admin,
            &[("orders".to_owned(), 0, OffsetSpec::Timestamp(2500))],
            IsolationLevel::ReadUncommitted,
            DEADLINE,
        )
        .expect("by timestamp");
        assert_eq!(by_time.len(), 1);
        assert!(by_time[0].error.is_none(), "{by_time:?}");

        // librdkafka refuses the same partition twice in one call.
        let dup = list_offsets(
            &m.admin,
            &[
                ("orders".to_owned(), 0, OffsetSpec::Earliest),
                ("orders".to_owned(), 0, OffsetSpec::Latest),
            ],
            IsolationLevel::ReadUncommitted,
            DEADLINE,
        )
        .unwrap_err();
        assert_eq!(dup.name, "_INVALID_ARG");
        assert!(
            list_offsets(&m.admin, &[], IsolationLevel::ReadUncommitted, DEADLINE)
                .expect("empty")
                .is_empty()
        );
    }

    #[test]
    fn committed_offsets_can_be_listed_altered_and_read_back() {
        let m = mock(3);
        m.cluster().create_topic("events", 3, 1).expect("topic");
        produce(&m.bootstrap, "events", &[(0, 10), (1, 10)]);
        commit(
            &m.bootstrap,
            "billing",
            &[("events", 0, 7), ("events", 1, 4)],
        );

        // "All partitions" works against Kafka; the mock answers it with nothing.
        list_consumer_group_offsets(&m.admin, "billing", None, DEADLINE).expect("all");

        let asked = [
            ("events".to_owned(), 0),
            ("events".to_owned(), 1),
            ("events".to_owned(), 2),
        ];
        let committed = || -> Vec<(i32, Option<i64>)> {
            let rows = list_consumer_group_offsets(&m.admin, "billing", Some(&asked), DEADLINE)
                .expect("committed offsets");
            assert!(
                rows.iter()
                    .all(|c| c.topic == "events" && c.error.is_none()),
                "{rows:?}"
            );
            let mut got: Vec<(i32, Option<i64>)> =
                rows.iter().map(|c| (c.partition, c.offset)).collect();
            got.sort_unstable();
            got
        };
        // Partition 2 never had a commit: `None`, not 0.
        assert_eq!(committed(), [(0, Some(7)), (1, Some(4)), (2, None)]);
        assert!(
            list_consumer_group_offsets(&m.admin, "billing", Some(&[]), DEADLINE)
                .expect("nothing asked")
                .is_empty()
        );

        let altered = alter_consumer_group_offsets(
            &m.admin,
            "billing",
            &[("events".to_owned(), 0, 2), ("events".to_owned(), 2, 1)],
            DEADLINE,
        )
        .expect("alter");
        assert_eq!(altered.len(), 2);
        assert!(altered.iter().all(|(_, _, e)| e.is_none()), "{altered:?}");
        assert_eq!(committed(), [(0, Some(2)), (1, Some(4)), (2, Some(1))]);

        let negative = alter_consumer_group_offsets(
            &m.admin,
            "billing",
            &[("events".to_owned(), 0, -1)],
            DEADLINE,
        )
        .unwrap_err();
        assert_eq!(negative.name, "_INVALID_ARG");
    }

    #[test]
    fn group_listing_apis_missing_from_the_mock_fail_cleanly() {
        let m = mock(3);
        let timeout = Duration::from_secs(3);

        let started = Instant::now();
        match list_consumer_groups(&m.admin, timeout) {
            // Per-broker failures are kept as partial errors.
            Ok((groups, errors)) => {
                assert!(
                    groups.is_empty() && !errors.is_empty(),
                    "{groups:?} {errors:?}"
                );
                for err in &errors {
                    assert_clean_failure(err, started, timeout);
                }
            }
            Err(err) => assert_clean_failure(&err, started, timeout),
        }

        let started = Instant::now();
        let groups = vec!["audit".to_owned(), "audit".to_owned()];
        match describe_consumer_groups(&m.admin, &groups, timeout) {
            Ok(answers) => {
                assert_eq!(answers.len(), 1, "{answers:?}");
                assert_eq!(answers[0].0, "audit");
                assert_clean_failure(answers[0].1.as_ref().unwrap_err(), started, timeout);
            }
            Err(err) => assert_clean_failure(&err, started, timeout),
        }
        assert!(describe_consumer_groups(&m.admin, &[], timeout)
            .expect("empty")
            .is_empty());
    }

    #[test]
    fn config_apis_missing_from_the_mock_fail_cleanly() {
        let m = mock(3);
        m.cluster().create_topic("audit-log", 1, 1).expect("topic");
        let timeout = Duration::from_secs(3);

        let started = Instant::now();
        let resources = [
            (ResourceType::Topic, "audit-log".to_owned()),
            (ResourceType::Broker, "1".to_owned()),
            (ResourceType::Broker, "2".to_owned()),
            (ResourceType::BrokerLogger, "1".to_owned()),
            (ResourceType::Broker, "not-a-number".to_owned()),
        ];
        let answers = describe_configs(&m.admin, &resources, timeout).expect("per-resource errors");
        assert_eq!(answers.len(), resources.len());
        for ((kind, name, outcome), (want_kind, want_name)) in answers.iter().zip(&resources) {
            assert_eq!((kind, name), (want_kind, want_name));
            assert_clean_failure(outcome.as_ref().unwrap_err(), started, timeout);
        }
        assert_eq!(
            answers[3].2.as_ref().unwrap_err().name,
            "_UNSUPPORTED_FEATURE"
        );
        assert_eq!(answers[4].2.as_ref().unwrap_err().name, "_INVALID_ARG");

        let started = Instant::now();
        let only_topic = [(ResourceType::Topic, "audit-log".to_owned())];
        let err = describe_configs(&m.admin, &only_topic, timeout).unwrap_err();
        assert_clean_failure(&err, started, timeout);

        let started = Instant::now();
        let change = [(
            ResourceType::Topic,
            "audit-log".to_owned(),
            vec![AlterOp {
                key: "retention.ms".to_owned(),
                op: AlterOpType::Set,
                value: Some("3600000".to_owned()),
            }],
        )];
        let err = incremental_alter_configs(&m.admin, &change, true, timeout).unwrap_err();
        assert_clean_failure(&err, started, timeout);
    }

    #[test]
    fn incremental_alter_configs_checks_input_before_sending() {
        let m = mock(2);
        let set = |key: &str, value: Option<&str>, op| AlterOp {
            key: key.to_owned(),
            op,
            value: value.map(str::to_owned),
        };
        let cases = [
            vec![(ResourceType::BrokerLogger, "1".to_owned(), vec![])],
            vec![(ResourceType::Broker, "abc".to_owned(), vec![])],
            vec![(ResourceType::Topic, String::new(), vec![])],
            vec![
                (ResourceType::Topic, "t".to_owned(), vec![]),
                (ResourceType::Topic, "t".to_owned(), vec![]),
            ],
            vec![(
                ResourceType::Topic,
                "t".to_owned(),
                vec![
                    set("retention.ms", Some("1"), AlterOpType::Set),
                    set("retention.ms", None, AlterOpType::Delete),
                ],
            )],
            vec![(
                ResourceType::Topic,
                "t".to_owned(),
                vec![set("cleanup.policy", None, AlterOpType::Append)],
            )],
            vec![(
                ResourceType::Topic,
                "t".to_owned(),
                vec![set("bad\0key", Some("1"), AlterOpType::Set)],
            )],
        ];
        for resources in cases {
            let err = incremental_alter_configs(&m.admin, &resources, false, DEADLINE).unwrap_err();
            assert!(
                err.name == "_INVALID_ARG" || err.name == "_UNSUPPORTED_FEATURE",
                "{resources:?}: {err:?}"
            );
        }
        assert!(incremental_alter_configs(&m.admin, &[], false, DEADLINE)
            .expect("empty")
            .is_empty());
    }

    #[test]
    fn slow_brokers_give_a_timeout_within_the_deadline() {
        let m = mock(3);
        m.cluster().create_topic("slow", 1, 3).expect("topic");
        // Warm up so the client knows the cluster, then make every broker answer late.
        describe_cluster(&m.admin, DEADLINE).expect("warm-up");
        m.cluster()
            .broker_round_trip_time(-1, Duration::from_secs(5))
            .expect("rtt");
        let timeout = Duration::from_millis(800);

        let started = Instant::now();
        let err = describe_cluster(&m.admin, timeout).unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_clean_failure(&err, started, timeout);

        let started = Instant::now();
        let err = list_offsets(
            &m.admin,
            &[("slow".to_owned(), 0, OffsetSpec::Latest)],
            IsolationLevel::ReadUncommitted,
            timeout,
        );
        match err {
            Err(err) => {
                assert!(err.is_timeout(), "{err:?}");
                assert_clean_failure(&err, started, timeout);
            }
            Ok(rows) => {
                let err = rows[0].error.as_ref().expect("per-partition timeout");
                assert!(err.is_timeout(), "{err:?}");
                assert_clean_failure(err, started, timeout);
            }
        }

        let started = Instant::now();
        let err = list_consumer_group_offsets(&m.admin, "late", None, timeout).unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_clean_failure(&err, started, timeout);
    }

    #[test]
    fn down_brokers_give_an_error_within_the_deadline() {
        let m = mock(2);
        m.cluster().broker_down(-1).expect("down");
        let timeout = Duration::from_millis(800);
        let started = Instant::now();
        let err = describe_cluster(&m.admin, timeout).unwrap_err();
        assert_clean_failure(&err, started, timeout);
    }
}

//! Consumer groups as Kafka reports them: the listing, one group's description with its members,
//! and committed offsets. Built by the shell (`kafka::groups`) from the admin answers; read by
//! the lag core and the `consumer_groups` tool.

use serde::{Deserialize, Serialize};

use crate::snapshot::BrokerSnapshot;

/// One group from ListConsumerGroups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupListing {
    /// Group id.
    pub group_id: String,
    /// True for groups that only commit offsets (no members, no protocol).
    pub is_simple: bool,
    /// Kafka's state word: `Stable`, `Empty`, `PreparingRebalance`, `CompletingRebalance`,
    /// `Dead` or `Unknown` (librdkafka 2.12 reports the KIP-848 states `Assigning` and
    /// `Reconciling` as `Unknown`).
    pub state: String,
    /// `classic`, `consumer` (KIP-848) or `unknown` (broker too old to say).
    pub group_type: String,
}

/// A member of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSnapshot {
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

/// One group as DescribeConsumerGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSnapshot {
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
    pub coordinator: Option<BrokerSnapshot>,
    /// Current members.
    pub members: Vec<MemberSnapshot>,
}

impl GroupSnapshot {
    /// Kafka's answer for a group that does not exist: state Dead and nothing else.
    pub fn looks_missing(&self) -> bool {
        self.state.eq_ignore_ascii_case("dead")
            && self.members.is_empty()
            && self.partition_assignor.is_empty()
    }
}

/// One partition's committed offset for a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedOffset {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Committed offset; `None` when the group has no commit for this partition.
    pub offset: Option<i64>,
    /// Why this partition's commit could not be read, when it could not.
    pub error: Option<String>,
}

/// What the shell read for one partition of one group: the input of `analysis::lag::partition_lag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffsets {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The group's committed offset; `None` when the group never committed this partition.
    pub committed: Option<i64>,
    /// Log start (earliest) offset; `None` when unknown.
    pub log_start: Option<i64>,
    /// Log end (latest) offset; `None` when unknown, e.g. ListOffsets gave `-1001` because the leader is down.
    pub log_end: Option<i64>,
}

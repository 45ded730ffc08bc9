//! Local checks for topic changes, run before the broker's `validate_only`. Used by
//! `tools::topic_manage` plan actions.
//!
//! Contract: pure. Plain values in (names, configs, offsets and commits the shell already read),
//! verdicts out ([`PlanNote`]s, typed errors, impact rows); no Kafka, clock or I/O, and nothing
//! here imports tokio, rdkafka, rmcp or `crate::kafka`. Arrows point inward only: the shell and
//! the tools call in, this module calls only `analysis` siblings (`finding`, `glob`, `snapshot`,
//! `suggest`).
//!
//! One file per job:
//! - [`names`]: topic names as Kafka's `Topic.validate` sees them, `.`/`_` collisions, protected
//!   topics.
//! - [`config_spec`]: the Kafka 4.0 topic config table and key/value validation.
//! - [`partitions`]: partition count and replication factor, the impact of adding partitions.
//! - [`delete_purge`]: what deleting a topic or purging records destroys.
//! - [`config_change`]: the diff and risks of an alter-configs request.
//! - [`note`]: the [`PlanNote`] row they all return.
//!
//! Sources: `org.apache.kafka.common.internals.Topic` (name rules, `.`/`_` collisions);
//! `org.apache.kafka.storage.internals.log.LogConfig`, `TopicConfig` and
//! `ThrottledReplicaListValidator` of Kafka 4.0 (keys, types, validators).

pub mod config_change;
pub mod config_spec;
pub mod delete_purge;
pub mod names;
pub mod note;
pub mod partitions;

pub use config_change::{
    config_change_impact, format_bytes, format_ms, ConfigChange, ConfigChangeImpact, ConfigDiff,
    TopicFacts,
};
pub use config_spec::{
    suggest_topic_config, topic_config_spec, validate_config, validate_configs, ConfigKind,
    ConfigValueError, TopicConfigSpec, REMOVED_TOPIC_CONFIGS, TOPIC_CONFIGS,
};
pub use delete_purge::{
    delete_topic_impact, purge_impact, DeleteTopicImpact, GroupCommit, GroupOnTopic, PartitionLog,
    PartitionPurge, PurgeError, PurgeImpact, PurgeTarget,
};
pub use names::{
    check_new_topic_name, collision_key, is_protected, topic_protection, validate_topic_name,
    Protection, ProtectionKind, TopicNameError, BUILT_IN_PROTECTED_GLOBS, MAX_TOPIC_NAME_LEN,
};
pub use note::PlanNote;
pub use partitions::{
    add_partitions_impact, check_add_partitions, check_new_topic_layout,
    keys_keep_partition_fraction, AddPartitionsImpact, PartitionPlanError,
    PARTITIONS_PER_TOPIC_WARN,
};

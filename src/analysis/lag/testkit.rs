//! Test-only fixture loaders for `analysis::lag`: the recorded Kafka 4.0 lag series and group
//! snapshots, and small builders shared by the job tests.

use crate::snapshot::{GroupSnapshot, MemberSnapshot, PartitionOffsets};
use serde_json::Value;

use super::*;

pub(super) const SERIES: &str =
    include_str!("../../../fixtures/real-kafka-4.0/lag-series/series.json");

macro_rules! fixture {
    ($scenario:literal, $file:literal) => {
        include_str!(concat!(
            "../../../fixtures/real-kafka-4.0/",
            $scenario,
            "/",
            $file,
            ".json"
        ))
    };
}

pub(super) fn raw(scenario: &str, file: &str) -> &'static str {
    match (scenario, file) {
        ("healthy", "list_offsets") => fixture!("healthy", "list_offsets"),
        ("healthy", "list_consumer_group_offsets") => {
            fixture!("healthy", "list_consumer_group_offsets")
        }
        ("healthy", "describe_consumer_groups") => fixture!("healthy", "describe_consumer_groups"),
        ("broker-down", "list_offsets") => fixture!("broker-down", "list_offsets"),
        ("broker-down", "list_consumer_group_offsets") => {
            fixture!("broker-down", "list_consumer_group_offsets")
        }
        ("broker-down", "describe_consumer_groups") => {
            fixture!("broker-down", "describe_consumer_groups")
        }
        ("two-down", "list_offsets") => fixture!("two-down", "list_offsets"),
        ("two-down", "list_consumer_group_offsets") => {
            fixture!("two-down", "list_consumer_group_offsets")
        }
        ("two-down", "describe_consumer_groups") => {
            fixture!("two-down", "describe_consumer_groups")
        }
        ("recovered", "list_offsets") => fixture!("recovered", "list_offsets"),
        ("recovered", "list_consumer_group_offsets") => {
            fixture!("recovered", "list_consumer_group_offsets")
        }
        ("recovered", "describe_consumer_groups") => {
            fixture!("recovered", "describe_consumer_groups")
        }
        other => panic!("no fixture {other:?}"),
    }
}

pub(super) fn load(scenario: &str, file: &str) -> Value {
    let v: Value = serde_json::from_str(raw(scenario, file)).expect("fixture is JSON");
    v["data"].clone()
}

/// A list_offsets spec cell (`earliest` / `latest`): the offset, with -1001 and errors as `None`.
pub(super) fn spec_offset(cell: &Value) -> Option<i64> {
    if !cell["error"].is_null() {
        return None;
    }
    cell["result"]["offset"].as_i64().and_then(offset_from_raw)
}

/// The group's committed offsets (explicit partitions) joined with list_offsets of the same scenario;
/// `None` when the offsets call failed for the group (e.g. `_TIMED_OUT` in two-down).
pub(super) fn offsets(scenario: &str, group: &str) -> Option<Vec<PartitionOffsets>> {
    let committed =
        &load(scenario, "list_consumer_group_offsets")["result"][group]["explicit_partitions"];
    let tps = committed["result"]["topic_partitions"].as_array()?;
    let log = load(scenario, "list_offsets");
    let rows = log["result"].as_array().expect("list_offsets rows");
    Some(
        tps.iter()
            .map(|tp| {
                let topic = tp["topic"].as_str().expect("topic").to_string();
                let partition = tp["partition"].as_i64().expect("partition") as i32;
                let row = rows.iter().find(|r| {
                    r["topic"].as_str() == Some(topic.as_str())
                        && r["partition"].as_i64() == Some(i64::from(partition))
                });
                PartitionOffsets {
                    committed: tp["offset"].as_i64().and_then(offset_from_raw),
                    log_start: row.and_then(|r| spec_offset(&r["earliest"])),
                    log_end: row.and_then(|r| spec_offset(&r["latest"])),
                    topic,
                    partition,
                }
            })
            .collect(),
    )
}

/// State and members of a group from describe_consumer_groups; `None` when describe failed.
pub(super) fn members(scenario: &str, group: &str) -> Option<GroupSnapshot> {
    let d = &load(scenario, "describe_consumer_groups")["result"][group]["result"];
    if d.is_null() {
        return None;
    }
    let members = d["members"]
        .as_array()?
        .iter()
        .map(|m| MemberSnapshot {
            member_id: m["member_id"].as_str().unwrap_or_default().to_string(),
            client_id: m["client_id"].as_str().unwrap_or_default().to_string(),
            host: m["host"].as_str().unwrap_or_default().to_string(),
            group_instance_id: None,
            target_assignment: None,
            assignment: m["assignment"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|tp| {
                            (
                                tp["topic"].as_str().unwrap_or_default().to_string(),
                                tp["partition"].as_i64().unwrap_or(-1) as i32,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Some(GroupSnapshot {
        group_id: group.to_string(),
        is_simple: false,
        state: d["state"].as_str().unwrap_or_default().to_string(),
        group_type: String::new(),
        partition_assignor: String::new(),
        coordinator: None,
        members,
    })
}

/// One recorded series sample of one group: time, per-partition samples and member count.
pub(super) struct SeriesPoint {
    pub(super) t_ms: i64,
    pub(super) samples: Vec<Sample>,
    pub(super) members: u64,
}

pub(super) fn series(group: &str) -> Vec<SeriesPoint> {
    let v: Value = serde_json::from_str(SERIES).expect("series is JSON");
    v["data"]["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            let t_ms = s["t_ms"].as_i64().expect("t_ms");
            let latest = s["latest"]["result"].as_array().expect("latest");
            let g = &s["groups"][group];
            let committed = g["committed"]["result"].as_array().expect("committed");
            let samples = latest
                .iter()
                .map(|l| {
                    let p = l["partition"].as_i64();
                    let c = committed
                        .iter()
                        .find(|c| c["partition"].as_i64() == p)
                        .expect("partition");
                    Sample {
                        ts_ms: t_ms,
                        committed: c["offset"].as_i64().and_then(offset_from_raw),
                        log_end: l["offset"].as_i64().expect("latest offset"),
                    }
                })
                .collect();
            SeriesPoint {
                t_ms,
                samples,
                members: g["describe"]["result"]["members"].as_u64().unwrap_or(0),
            }
        })
        .collect()
}

/// The series of `group` between `from_s` and `to_s` (inclusive, whole seconds) as partition windows,
/// with presence from the member count at the last sample (all three groups subscribe to `ticks` only).
pub(super) fn series_windows(group: &str, from_s: i64, to_s: i64) -> Vec<PartitionWindow> {
    let points: Vec<SeriesPoint> = series(group)
        .into_iter()
        .filter(|p| p.t_ms >= from_s * 1000 && p.t_ms < (to_s + 1) * 1000)
        .collect();
    let presence = match points.last().map(|p| p.members) {
        Some(n) if n > 0 => ConsumerPresence::Active,
        Some(_) => ConsumerPresence::Absent,
        None => ConsumerPresence::Unknown,
    };
    (0..3)
        .map(|p| PartitionWindow {
            topic: "ticks".to_string(),
            partition: p,
            samples: points.iter().map(|pt| pt.samples[p as usize]).collect(),
            presence,
        })
        .collect()
}

pub(super) fn cfg(window_samples: usize) -> EvalConfig {
    EvalConfig {
        window_samples,
        min_samples: 2,
    }
}

pub(super) fn statuses(v: &GroupVerdict) -> Vec<LagStatus> {
    v.partitions.iter().map(|p| p.status).collect()
}

pub(super) fn po(
    committed: Option<i64>,
    log_start: Option<i64>,
    log_end: Option<i64>,
) -> PartitionOffsets {
    PartitionOffsets {
        topic: "t".into(),
        partition: 0,
        committed,
        log_start,
        log_end,
    }
}

//! Decisions about a group's members, pure over a [`GroupSnapshot`]: whether its offsets may be
//! changed now ([`refuse_active`]), which partitions a live member holds ([`presence_of`], for
//! the lag verdicts), and the member hints. The shell reads the group (`kafka::groups::read_group`).

use std::collections::BTreeMap;

use super::{ConsumerPresence, GroupLag, HintInput};
use crate::analysis::finding::Finding;
use crate::snapshot::GroupSnapshot;

/// True when the group has no members and says it is empty: its partitions have no consumer.
pub fn is_empty_group(d: &GroupSnapshot) -> bool {
    d.members.is_empty() && d.state.eq_ignore_ascii_case("empty")
}

/// Which partitions a member of the group holds now (the rest are unknown to this read).
pub fn presence_of(d: Option<&GroupSnapshot>) -> BTreeMap<(String, i32), ConsumerPresence> {
    let mut m = BTreeMap::new();
    if let Some(d) = d {
        for member in &d.members {
            for (t, p) in &member.assignment {
                m.insert((t.clone(), *p), ConsumerPresence::Active);
            }
        }
    }
    m
}

/// Why offsets of this group must not be changed now (members, or a rebalance), or `None`.
pub fn refuse_active(d: &GroupSnapshot) -> Option<String> {
    let group = &d.group_id;
    if !d.members.is_empty() {
        let who: Vec<String> = d
            .members
            .iter()
            .take(5)
            .map(|m| format!("{} ({})", m.client_id, m.host))
            .collect();
        return Some(format!(
            "group {group:?} is active with {} member(s): {}. Stop those consumers first (offsets of an active group cannot be changed), then plan again.",
            d.members.len(),
            who.join(", ")
        ));
    }
    let st = d.state.to_ascii_lowercase();
    if st.contains("rebalanc") || st == "stable" || st == "assigning" || st == "reconciling" {
        return Some(format!(
            "group {group:?} is {} (a rebalance or live members): wait until it is Empty, then plan again.",
            d.state
        ));
    }
    None
}

/// The consumer-group hints (members without assignments, …) for one read.
pub fn hints(d: Option<&GroupSnapshot>, gl: &GroupLag) -> Vec<Finding> {
    match d {
        Some(group) => super::group_hints(&HintInput {
            group,
            lag: Some(gl),
        }),
        None => Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::snapshot::BrokerSnapshot;
    use crate::snapshot::MemberSnapshot;
    use serde_json::Value;

    /// The recorded DescribeConsumerGroups answers of a real Kafka 4.0 cluster, as the FFI layer
    /// returns them (librdkafka's state words instead of confluent-kafka's enum names).
    pub(crate) fn recorded(scenario: &str) -> BTreeMap<String, GroupSnapshot> {
        let path = format!(
            "{}/fixtures/real-kafka-4.0/{scenario}/describe_consumer_groups.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let state = |s: &str| match s {
            "STABLE" => "Stable",
            "EMPTY" => "Empty",
            "PREPARING_REBALANCING" => "PreparingRebalance",
            "COMPLETING_REBALANCING" => "CompletingRebalance",
            "DEAD" => "Dead",
            _ => "Unknown",
        };
        let tps = |a: &Value| -> Vec<(String, i32)> {
            a.as_array()
                .map(|x| {
                    x.iter()
                        .map(|t| {
                            (
                                t["topic"].as_str().unwrap().to_string(),
                                t["partition"].as_i64().unwrap() as i32,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        v["data"]["result"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(g, e)| {
                let r = e.get("result").filter(|r| !r.is_null())?;
                Some((
                    g.clone(),
                    GroupSnapshot {
                        group_id: g.clone(),
                        is_simple: false,
                        state: state(r["state"].as_str().unwrap()).to_string(),
                        group_type: r["type"].as_str().unwrap().to_ascii_lowercase(),
                        partition_assignor: r["partition_assignor"]
                            .as_str()
                            .unwrap_or("")
                            .to_string(),
                        coordinator: Some(BrokerSnapshot {
                            id: r["coordinator"]["id"].as_i64().unwrap() as i32,
                            host: r["coordinator"]["host"].as_str().unwrap().to_string(),
                            port: r["coordinator"]["port"].as_u64().unwrap() as u16,
                            rack: None,
                        }),
                        members: r["members"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|m| MemberSnapshot {
                                member_id: m["member_id"].as_str().unwrap().to_string(),
                                client_id: m["client_id"].as_str().unwrap().to_string(),
                                host: m["host"].as_str().unwrap().to_string(),
                                group_instance_id: m["group_instance_id"]
                                    .as_str()
                                    .map(str::to_string),
                                assignment: tps(&m["assignment"]),
                                target_assignment: m["target_assignment"]
                                    .as_array()
                                    .map(|_| tps(&m["target_assignment"])),
                            })
                            .collect(),
                    },
                ))
            })
            .collect()
    }

    #[test]
    fn resets_are_refused_for_active_or_rebalancing_groups_as_recorded() {
        let healthy = recorded("healthy");
        let why = refuse_active(&healthy["billing"]).expect("billing has members");
        assert!(
            why.contains("2 member(s)")
                && why.contains("billing-1 (/127.0.0.1)")
                && why.contains("Stop"),
            "{why}"
        );
        assert!(refuse_active(&healthy["fraud"]).is_some());
        assert_eq!(refuse_active(&healthy["analytics"]), None);
        assert_eq!(refuse_active(&healthy["stalled"]), None);
        // Recovered: classic groups rebalancing with old and new members, some unassigned.
        let recovered = recorded("recovered");
        let billing = &recovered["billing"];
        assert_eq!(billing.state, "PreparingRebalance");
        assert_eq!(billing.members.len(), 4);
        assert!(refuse_active(billing).is_some());
    }

    #[test]
    fn hints_flag_members_without_assignments_while_rebalancing() {
        let recovered = recorded("recovered");
        let gl = super::super::group_lag("billing", &[]);
        let h = hints(Some(&recovered["billing"]), &gl);
        assert!(
            h.iter().any(|f| f.id == "member-without-assignment"),
            "{h:?}"
        );
        let healthy = recorded("healthy");
        assert!(hints(Some(&healthy["billing"]), &gl)
            .iter()
            .all(|f| f.id != "member-without-assignment"));
    }
}

//! Consumer groups: ListConsumerGroups, DescribeConsumerGroups, ListConsumerGroupOffsets and
//! AlterConsumerGroupOffsets, with group states and types in Kafka's words.
//!
//! Never joins a group; the only write is AlterConsumerGroupOffsets, on offsets the caller
//! names. Blocks for at most `timeout` + `POLL_MARGIN`.

#![allow(unsafe_code)]

use super::*;

// The group answers are built straight into the snapshot types: nothing converts them again.
pub use crate::snapshot::{
    GroupListing, GroupSnapshot as GroupDescription, MemberSnapshot as Member,
};

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

/// Per-group answers of [`describe_consumer_groups`], in request order.
pub type DescribedGroups = Vec<(String, Result<GroupDescription, FfiError>)>;

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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::test_support::*;
    use super::*;

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
    fn kafka_words_for_librdkafka_group_enums() {
        assert_eq!(group_state_name(3), "Stable");
        assert_eq!(group_state_name(5), "Empty");
        assert_eq!(group_state_name(1), "PreparingRebalance");
        assert_eq!(group_state_name(99), "Unknown");
        assert_eq!(group_type_name(1), "consumer");
        assert_eq!(group_type_name(2), "classic");
        assert_eq!(group_type_name(0), "unknown");
    }
}

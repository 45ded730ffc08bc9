//! ListOffsets: earliest, latest, max-timestamp or by-timestamp offsets of partitions, with the
//! isolation level asked for.
//!
//! Never commits or moves an offset; blocks for at most `timeout` + `POLL_MARGIN`.

#![allow(unsafe_code)]

use super::*;

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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

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
}

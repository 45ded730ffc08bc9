//! DescribeTopics: partitions, leaders, replicas and ISR of named topics, with topic ids in
//! Kafka's printed form.
//!
//! Never asks for topics it was not given; blocks for at most `timeout` + `POLL_MARGIN`.

#![allow(unsafe_code)]

use super::*;

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

/// Per-topic answers of [`describe_topics`], in request order.
pub type DescribedTopics = Vec<(String, Result<TopicDescription, FfiError>)>;

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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

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
}

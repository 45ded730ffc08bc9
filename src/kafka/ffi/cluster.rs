//! DescribeCluster: the cluster id, the controller and every broker with its rack.
//!
//! Never reads anything but the DescribeCluster result; blocks for at most `timeout` +
//! `POLL_MARGIN` like every call in `ffi`.

#![allow(unsafe_code)]

use super::*;

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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

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
}

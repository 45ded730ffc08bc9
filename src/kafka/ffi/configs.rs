//! Configs: DescribeConfigs (with synonyms) and IncrementalAlterConfigs, batched so that each
//! broker resource gets its own request (librdkafka sends broker resources to that broker).
//!
//! Never drops or rewrites a value: sensitivity is reported and the shell (`kafka::admin`)
//! decides what to hide. Blocks for at most `timeout` + `POLL_MARGIN` per batch deadline.

#![allow(unsafe_code)]

use super::*;

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

/// Per-resource answers of [`describe_configs`], in request order.
pub type DescribedConfigs = Vec<(ResourceType, String, Result<Vec<RawConfigEntry>, FfiError>)>;

/// One config resource's entries, or why there are none.
type ConfigOutcome = Result<Vec<RawConfigEntry>, FfiError>;

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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::test_support::*;
    use super::*;

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
    fn kafka_words_for_librdkafka_config_sources() {
        assert_eq!(config_source_name(5), "DEFAULT_CONFIG");
        assert_eq!(config_source_name(1), "DYNAMIC_TOPIC_CONFIG");
        assert_eq!(config_source_name(6), "DYNAMIC_BROKER_LOGGER_CONFIG");
        assert_eq!(config_source_name(42), "UNKNOWN");
    }
}

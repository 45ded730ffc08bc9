//! Safe, blocking wrappers over the librdkafka 2.12 admin calls that rust-rdkafka 0.39 lacks:
//! DescribeCluster, ListOffsets, ListConsumerGroups, DescribeConsumerGroups,
//! ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DescribeConfigs (with synonyms),
//! IncrementalAlterConfigs and DescribeTopics. Plain Rust types in, plain Rust types out.
//!
//! One file per API family (`cluster`, `topics`, `offsets`, `groups`, `configs`, plus `events`
//! for the client's log/error queue); this file holds the shared plumbing: owned C handles, the
//! one-request queue + options + wait, readers that copy C data into Rust values, string and
//! error helpers, and the C re-declarations. Every public item is re-exported here, so callers
//! name `crate::kafka::ffi::X`.
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

mod cluster;
mod configs;
mod events;
mod groups;
mod offsets;
#[cfg(test)]
mod test_support;
mod topics;

pub use cluster::*;
pub use configs::*;
pub use events::*;
pub use groups::*;
pub use offsets::*;
pub use topics::*;

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
// Shared types
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

/// A broker as librdkafka reports it: built straight into the snapshot type.
pub use crate::snapshot::BrokerSnapshot as Node;

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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::test_support::*;
    use super::*;

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

//! Client events of an admin client's main queue: librdkafka's logs and errors, polled so the
//! shell can explain a failure (`kafka::context`).
//!
//! Never blocks longer than the wait it is given; never acts on an event.

#![allow(unsafe_code)]

use super::*;

/// A log line or client error librdkafka queued on the client's main queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A log line (`log.queue` routes librdkafka's logs to the main queue).
    Log {
        /// syslog level (3 = error, 4 = warning, 7 = debug).
        level: i32,
        /// Facility, e.g. `FAIL`, `BROKERFAIL`.
        fac: String,
        /// The line.
        message: String,
    },
    /// A client-level error (connection refused, all brokers down, authentication, ...).
    Error(FfiError),
}

/// Takes the log and error events queued on the client's main queue, waiting up to `wait` for
/// the first. rust-rdkafka's `AdminClient` polls only its admin result queue, so without this
/// the context's `log`/`error` callbacks never see the real cause of a failure (connection
/// refused, SASL, TLS). Other event types are dropped. Blocks for up to `wait`.
pub fn poll_client_events<C: ClientContext>(
    admin: &AdminClient<C>,
    wait: Duration,
    max: usize,
) -> Vec<ClientEvent> {
    let rk = admin.inner().native_ptr();
    // SAFETY: `rk` is live while `admin` is borrowed; `rd_kafka_queue_get_main` returns a new
    // reference to the main queue that we own and `Owned` releases with `rd_kafka_queue_destroy`.
    let Some(queue) = (unsafe { Queue::new(rdsys::rd_kafka_queue_get_main(rk)) }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut timeout_ms = c_int::try_from(wait.as_millis()).unwrap_or(c_int::MAX);
    while out.len() < max {
        // SAFETY: live queue we hold a reference to; a returned event is ours to destroy.
        let Some(event) =
            (unsafe { Event::new(rdsys::rd_kafka_queue_poll(queue.ptr(), timeout_ms)) })
        else {
            break;
        };
        timeout_ms = 0;
        // SAFETY: live event we own.
        let kind = unsafe { rdsys::rd_kafka_event_type(event.ptr()) };
        if kind == rdsys::RD_KAFKA_EVENT_LOG {
            let mut fac: *const c_char = ptr::null();
            let mut msg: *const c_char = ptr::null();
            let mut level: c_int = 0;
            // SAFETY: LOG event we own; the out-pointers receive strings owned by the event,
            // copied before the event is dropped at the end of this iteration.
            let ok =
                unsafe { rdsys::rd_kafka_event_log(event.ptr(), &mut fac, &mut msg, &mut level) }
                    == 0;
            if ok {
                // SAFETY: NULL or NUL-terminated strings owned by the live event.
                let (fac, message) = unsafe {
                    (
                        opt_string(fac).unwrap_or_default(),
                        opt_string(msg).unwrap_or_default(),
                    )
                };
                out.push(ClientEvent::Log {
                    level,
                    fac,
                    message,
                });
            }
        } else if kind == rdsys::RD_KAFKA_EVENT_ERROR {
            // SAFETY: ERROR event we own; the string is owned by the event and copied at once.
            let (code, text) = unsafe {
                (
                    c::rd_kafka_event_error(event.ptr()),
                    opt_string(rdsys::rd_kafka_event_error_string(event.ptr())),
                )
            };
            out.push(ClientEvent::Error(FfiError::new(code, text)));
        }
    }
    out
}

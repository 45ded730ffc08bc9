//! Client rules: producer durability and batching, consumer commits and group timeouts, and size
//! limits of a client against the topics (or broker default) it uses. Unset properties take the
//! Java client's Kafka 4.0 defaults, or librdkafka 2.x's with `library: librdkafka` (the value's
//! origin says which).

use crate::analysis::finding::Severity;

use super::context::{
    broker_val, fmt_bytes, manual, ClientView, Ctx, Hit, Rule, Val, KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
};
use super::{ClientIntent, Remediation, RuleScope};

/// The client family, in evaluation order.
pub(crate) const RULES: &[Rule] = &[
    PRODUCER_ACKS_NOT_ALL,
    PRODUCER_IDEMPOTENCE_DISABLED,
    PRODUCER_MAX_IN_FLIGHT_ABOVE_5_WITH_IDEMPOTENCE,
    PRODUCER_RETRIES_LOW,
    PRODUCER_DELIVERY_TIMEOUT_TOO_LOW,
    PRODUCER_TRANSACTIONAL_ID_MISSING,
    PRODUCER_LINGER_ZERO_LARGE_BATCHES,
    PRODUCER_COMPRESSION_NONE,
    PRODUCER_COMPRESSION_GZIP,
    PRODUCER_MAX_REQUEST_SIZE_ABOVE_MAX_MESSAGE_BYTES,
    PRODUCER_MAX_REQUEST_SIZE_BELOW_MAX_MESSAGE_BYTES,
    CONSUMER_AUTO_COMMIT_AT_LEAST_ONCE,
    CONSUMER_READ_UNCOMMITTED_EXACTLY_ONCE,
    CONSUMER_CLASSIC_SETTINGS_WITH_CONSUMER_PROTOCOL,
    CONSUMER_HEARTBEAT_NOT_BELOW_SESSION,
    CONSUMER_HEARTBEAT_ABOVE_THIRD_OF_SESSION,
    CONSUMER_MAX_POLL_INTERVAL_BELOW_SESSION,
    CONSUMER_SESSION_TIMEOUT_OUTSIDE_BROKER_RANGE,
    CONSUMER_AUTO_OFFSET_RESET_UNSET,
    CONSUMER_STATIC_MEMBERSHIP_MISSING_INSTANCE_ID,
    CONSUMER_FETCH_BELOW_MAX_MESSAGE_BYTES,
    CONSUMER_MAX_POLL_RECORDS_OUT_OF_RANGE,
];

/// What a client finding names as the affected item: its `client.id`, its group, or its kind.
fn label(c: &ClientView<'_>) -> String {
    let p = &c.cfg.properties;
    if let Some(id) = p.get("client.id") {
        format!("client.id={id}")
    } else if let Some(g) = p.get("group.id").filter(|_| c.consumer) {
        format!("group {g}")
    } else {
        c.kind_word().to_string()
    }
}

fn client_hit(
    c: &ClientView<'_>,
    title: String,
    detail: String,
    vals: &[&Val],
    fix: Remediation,
) -> Vec<Hit> {
    vec![Hit {
        title,
        items: vec![label(c)],
        detail,
        values: vals.iter().map(|v| v.ev.clone()).collect(),
        fix,
    }]
}

fn producer<'a>(ctx: &Ctx<'a>) -> Option<ClientView<'a>> {
    ctx.client().filter(|c| c.producer)
}

fn consumer<'a>(ctx: &Ctx<'a>) -> Option<ClientView<'a>> {
    ctx.client().filter(|c| c.consumer)
}

/// Under KIP-848 (`group.protocol=consumer`) the broker owns session and heartbeat timing.
fn classic_group(c: &ClientView<'_>) -> bool {
    c.val("group.protocol")
        .is_none_or(|v| !v.str().eq_ignore_ascii_case("consumer"))
}

// --- producer --------------------------------------------------------------------------------------------

const PRODUCER_ACKS_NOT_ALL: Rule = Rule {
    id: "producer-acks-not-all",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "Producer does not wait for all in-sync replicas",
    doc: "Checks the producer's `acks` (`request.required.acks` in librdkafka) is `all`/`-1`; both clients \
          default to `all`.\n\
          Why: with `acks=1` a write is acknowledged once the leader has it; if the leader fails before \
          followers copy it, the new leader never had it and the acknowledged record is lost. `acks=0` does not \
          even learn about errors. `min.insync.replicas` only protects `acks=all` writes. With \
          `enable.idempotence=true` set explicitly, the Java producer refuses to start unless `acks=all`.\n\
          Fix: set `acks=all` in the producer config.",
    check: acks_not_all,
};

fn acks_not_all(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some((acks, v)) = c.acks() else {
        return vec![];
    };
    if acks == "all" {
        return vec![];
    }
    let who = if acks == "0" {
        "nobody (no error is ever seen)"
    } else {
        "the leader alone"
    };
    let mut detail = format!(
        "{}: writes are acknowledged by {who} and lost if the leader fails",
        v.describe()
    );
    if c.explicit("enable.idempotence")
        .is_some_and(|i| i.is_true())
    {
        detail.push_str("; with enable.idempotence=true the producer refuses to start");
    }
    client_hit(
        &c,
        format!("acks={}", v.str()),
        detail,
        &[&v],
        c.fix("acks", "all"),
    )
}

const PRODUCER_IDEMPOTENCE_DISABLED: Rule = Rule {
    id: "producer-idempotence-disabled",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Producer idempotence is off: retries can duplicate and reorder records",
    doc: "Checks the effective `enable.idempotence`. Java (since 3.0) defaults to `true`, but silently turns it \
          off when it is unset and `acks` is not `all`, `retries=0`, or `max.in.flight.requests.per.connection` \
          > 5; librdkafka defaults to `false`.\n\
          Why: a retried batch whose first attempt did reach the broker is written twice, and with more than \
          one request in flight a retried batch lands after later ones, so per-key order breaks.\n\
          Fix: set `enable.idempotence=true` (with `acks=all`, `retries` > 0 and \
          `max.in.flight.requests.per.connection` ≤ 5).",
    check: idempotence_disabled,
};

fn idempotence_disabled(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let (on, v, why) = c.idempotence();
    if on {
        return vec![];
    }
    let Some(v) = v else { return vec![] };
    let detail = match why {
        Some(why) => format!(
            "{}; {why}: retries can duplicate and reorder records",
            v.describe()
        ),
        None => format!(
            "{}: retries can duplicate and reorder records",
            v.describe()
        ),
    };
    let mut fix = c.fix("enable.idempotence", "true");
    fix.command.push_str(
        " (it needs acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5)",
    );
    client_hit(&c, "enable.idempotence is off".into(), detail, &[&v], fix)
}

const PRODUCER_MAX_IN_FLIGHT_ABOVE_5_WITH_IDEMPOTENCE: Rule = Rule {
    id: "producer-max-in-flight-above-5-with-idempotence",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "Idempotent producer with more than 5 requests in flight cannot start",
    doc: "Checks `enable.idempotence=true` set explicitly together with \
          `max.in.flight.requests.per.connection` > 5.\n\
          Why: the broker tracks at most 5 in-flight batches per idempotent producer; the Java producer throws \
          ConfigException at construction and librdkafka fails to create the producer. (Left unset, Java \
          instead turns idempotence off: see `producer-idempotence-disabled`.)\n\
          Fix: set `max.in.flight.requests.per.connection=5`.",
    check: in_flight_with_idempotence,
};

fn in_flight_with_idempotence(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(idem) = c.explicit("enable.idempotence").filter(Val::is_true) else {
        return vec![];
    };
    let Some(m) = c.explicit("max.in.flight.requests.per.connection") else {
        return vec![];
    };
    if m.int().is_none_or(|n| n <= 5) {
        return vec![];
    }
    client_hit(
        &c,
        format!(
            "max.in.flight.requests.per.connection={} with idempotence",
            m.str()
        ),
        format!(
            "{} with {}: the producer fails to start",
            m.describe(),
            idem.describe()
        ),
        &[&m, &idem],
        c.fix("max.in.flight.requests.per.connection", "5"),
    )
}

const PRODUCER_RETRIES_LOW: Rule = Rule {
    id: "producer-retries-low",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Producer gives up after fewer than 3 retries",
    doc: "Checks `retries` (`message.send.max.retries` in librdkafka) < 3; both clients default to 2147483647 \
          and bound retrying by `delivery.timeout.ms` instead.\n\
          Why: leader elections, broker restarts and NOT_ENOUGH_REPLICAS are transient and routine; with 0 \
          retries each one surfaces as a failed send (on Kafka 4.0, `acks=all` with retries=0 fails at once \
          with NOT_ENOUGH_REPLICAS while a broker is down), and the application must handle or drop it.\n\
          Fix: set `retries=2147483647` and size `delivery.timeout.ms` to how long a record may wait.",
    check: retries_low,
};

fn retries_low(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(v) = c.val("retries") else {
        return vec![];
    };
    if v.int().is_none_or(|n| n >= 3) {
        return vec![];
    }
    client_hit(
        &c,
        format!("retries={}", v.str()),
        format!(
            "{}: transient errors (leader election, broker restart) fail sends",
            v.describe()
        ),
        &[&v],
        c.fix("retries", "2147483647"),
    )
}

const PRODUCER_DELIVERY_TIMEOUT_TOO_LOW: Rule = Rule {
    id: "producer-delivery-timeout-too-low",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "delivery.timeout.ms is below linger.ms + request.timeout.ms",
    doc: "Checks, for the Java client, an explicit `delivery.timeout.ms` < `linger.ms` + `request.timeout.ms`.\n\
          Why: the Java producer throws ConfigException at construction (when unset it only warns and raises \
          it): a record could expire before its first request times out.\n\
          Fix: set `delivery.timeout.ms` to at least `linger.ms + request.timeout.ms` (default 120000).",
    check: delivery_timeout,
};

fn delivery_timeout(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx).filter(|c| !c.librdkafka()) else {
        return vec![];
    };
    let Some(d) = c.explicit("delivery.timeout.ms") else {
        return vec![];
    };
    let (Some(l), Some(r)) = (c.val("linger.ms"), c.val("request.timeout.ms")) else {
        return vec![];
    };
    let (Some(dn), Some(ln), Some(rn)) = (d.int(), l.int(), r.int()) else {
        return vec![];
    };
    if dn >= ln + rn {
        return vec![];
    }
    client_hit(
        &c,
        format!(
            "delivery.timeout.ms={dn} < linger.ms + request.timeout.ms = {}",
            ln + rn
        ),
        format!(
            "{} < {} + {}: the Java producer refuses to start",
            d.describe(),
            l.describe(),
            r.describe()
        ),
        &[&d, &l, &r],
        c.fix("delivery.timeout.ms", &(ln + rn).max(120_000).to_string()),
    )
}

const PRODUCER_TRANSACTIONAL_ID_MISSING: Rule = Rule {
    id: "producer-transactional-id-missing",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Exactly-once producer without a transactional.id",
    doc: "Checks, with intent `exactly_once`, that the producer sets `transactional.id`.\n\
          Why: idempotence alone deduplicates retries within one producer session and partition; atomic writes \
          across partitions, consumed offsets committed with the output, and fencing of a zombie instance \
          after a restart all need transactions.\n\
          Fix: set `transactional.id` to an id that is stable per producer instance across restarts (e.g. \
          `<app>-<shard>`), and use `initTransactions`/`beginTransaction`/`sendOffsetsToTransaction`.",
    check: transactional_id_missing,
};

fn transactional_id_missing(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx).filter(|c| c.wants(ClientIntent::ExactlyOnce)) else {
        return vec![];
    };
    if c.explicit("transactional.id").is_some() {
        return vec![];
    }
    client_hit(
        &c,
        "exactly_once intent but no transactional.id".into(),
        "transactional.id is unset: no atomic multi-partition writes, no fencing of zombie instances".into(),
        &[],
        c.fix("transactional.id", "<app>-<stable-instance-id>"),
    )
}

const PRODUCER_LINGER_ZERO_LARGE_BATCHES: Rule = Rule {
    id: "producer-linger-zero-large-batches",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "linger.ms=0 defeats large batches",
    doc: "Checks `linger.ms` (`queue.buffering.max.ms` in librdkafka) = 0 when the intent is `large_batches` or \
          `batch.size` is raised above the library default (Java 16384, librdkafka 1000000). Both clients \
          default to 5 ms (Java since Kafka 4.0).\n\
          Why: with no linger the producer sends as soon as a request slot is free, so batches stay small \
          whatever `batch.size` says: more requests, worse compression, lower throughput.\n\
          Fix: set `linger.ms=10` (or up to the added latency you accept).",
    check: linger_zero,
};

fn linger_zero(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(l) = c.val("linger.ms") else {
        return vec![];
    };
    if l.int() != Some(0) {
        return vec![];
    }
    let default_batch = if c.librdkafka() { 1_000_000 } else { 16_384 };
    let raised = c
        .explicit("batch.size")
        .filter(|b| b.int().is_some_and(|n| n > default_batch));
    let why = match (&raised, c.wants(ClientIntent::LargeBatches)) {
        (Some(b), _) => format!("{} is raised", b.describe()),
        (None, true) => "the intent is large_batches".to_string(),
        (None, false) => return vec![],
    };
    let mut vals = vec![&l];
    if let Some(b) = &raised {
        vals.push(b);
    }
    client_hit(
        &c,
        "linger.ms=0 with large batches wanted".into(),
        format!(
            "{} while {why}: batches are sent before they fill",
            l.describe()
        ),
        &vals,
        c.fix("linger.ms", "10"),
    )
}

const PRODUCER_COMPRESSION_NONE: Rule = Rule {
    id: "producer-compression-none",
    severity: Severity::Info,
    scope: RuleScope::Client,
    title: "Producer does not compress",
    doc: "Checks `compression.type` (`compression.codec` in librdkafka) is `none` or unset (both default to \
          `none`).\n\
          Why: batches travel and are stored uncompressed: more network, disk and replication traffic; text and \
          JSON payloads typically shrink several times.\n\
          Fix: set `compression.type=lz4` (cheap) or `zstd` (smaller); keep the topic's `compression.type` at \
          `producer` so brokers do not recompress.",
    check: compression_none,
};

fn compression_none(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(v) = c.val("compression.type") else {
        return vec![];
    };
    if !v.str().eq_ignore_ascii_case("none") {
        return vec![];
    }
    client_hit(
        &c,
        "compression.type=none".into(),
        format!("{}: batches are sent and stored uncompressed", v.describe()),
        &[&v],
        c.fix("compression.type", "lz4"),
    )
}

const PRODUCER_COMPRESSION_GZIP: Rule = Rule {
    id: "producer-compression-gzip",
    severity: Severity::Info,
    scope: RuleScope::Client,
    title: "Producer compresses with gzip: zstd or lz4 cost far less CPU",
    doc: "Checks `compression.type` (`compression.codec` in librdkafka) = `gzip`.\n\
          Why: gzip is the slowest codec Kafka offers to compress and to decompress: it costs several times the \
          CPU of lz4 or zstd in every producer, in every consumer, and in brokers that recompress or validate \
          batches, and that CPU limits throughput and adds latency. zstd compresses as well as gzip or better \
          at a fraction of the CPU; lz4 is the cheapest.\n\
          Fix: set `compression.type=zstd` in the producer config (Kafka ≥ 2.1 brokers and consumers; every \
          supported version), or `lz4` when CPU matters more than size; keep the topic's `compression.type` at \
          `producer` so brokers do not recompress.",
    check: compression_gzip,
};

fn compression_gzip(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(v) = c.explicit("compression.type") else {
        return vec![];
    };
    if !v.str().eq_ignore_ascii_case("gzip") {
        return vec![];
    }
    client_hit(
        &c,
        "compression.type=gzip".into(),
        format!(
            "{}: gzip costs several times the CPU of zstd or lz4 to compress and decompress, for a similar or \
             worse ratio than zstd",
            v.describe()
        ),
        &[&v],
        c.fix("compression.type", "zstd"),
    )
}

/// `max.message.bytes` of each topic the client names, or the broker default when it names none.
fn size_targets(ctx: &Ctx<'_>, c: &ClientView<'_>) -> Vec<(String, Val)> {
    if c.cfg.topics.is_empty() {
        return ctx
            .reference_broker()
            .and_then(|b| broker_val(b, "message.max.bytes"))
            .map(|v| vec![("broker default".to_string(), v)])
            .unwrap_or_default();
    }
    c.cfg
        .topics
        .iter()
        .filter_map(|n| ctx.topic(n))
        .filter_map(|t| {
            ctx.topic_val(t, "max.message.bytes")
                .map(|v| (t.name.clone(), v))
        })
        .collect()
}

fn request_size_key(c: &ClientView<'_>) -> &'static str {
    if c.librdkafka() {
        "message.max.bytes"
    } else {
        "max.request.size"
    }
}

const PRODUCER_MAX_REQUEST_SIZE_ABOVE_MAX_MESSAGE_BYTES: Rule = Rule {
    id: "producer-max-request-size-above-max-message-bytes",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Producer may send records the topic rejects",
    doc: "Compares the producer's request size limit (`max.request.size`, Java default 1048576; librdkafka \
          `message.max.bytes`, default 1000000) with `max.message.bytes` of the topics it names (or the \
          brokers' `message.max.bytes` when it names none).\n\
          Why: a record the producer accepts but the topic does not fails only at the broker, with \
          MESSAGE_TOO_LARGE/RECORD_TOO_LARGE after a round trip, instead of at `send()`.\n\
          Fix: lower the producer limit to the smallest `max.message.bytes` it writes to, or raise the topic's \
          `max.message.bytes` if such records are intended.",
    check: request_size_above,
};

fn request_size_above(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(req) = c.max_request_size() else {
        return vec![];
    };
    let Some(r) = req.int() else { return vec![] };
    let over: Vec<(String, Val)> = size_targets(ctx, &c)
        .into_iter()
        .filter(|(_, v)| v.int().is_some_and(|m| r > m))
        .collect();
    let Some(min) = over.iter().filter_map(|(_, v)| v.int()).min() else {
        return vec![];
    };
    let mut vals = vec![&req];
    vals.extend(over.iter().map(|(_, v)| v));
    vec![Hit {
        title: format!(
            "{} {} > max.message.bytes of {} target(s)",
            request_size_key(&c),
            fmt_bytes(r),
            over.len()
        ),
        items: over.iter().map(|(n, _)| n.clone()).collect(),
        detail: format!(
            "{} > {}: larger records fail at the broker with RECORD_TOO_LARGE",
            req.describe(),
            over.iter()
                .map(|(n, v)| format!("{n}: {}", v.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        values: vals.iter().map(|v| v.ev.clone()).collect(),
        fix: c.fix(request_size_key(&c), &min.to_string()),
    }]
}

const PRODUCER_MAX_REQUEST_SIZE_BELOW_MAX_MESSAGE_BYTES: Rule = Rule {
    id: "producer-max-request-size-below-max-message-bytes",
    severity: Severity::Info,
    scope: RuleScope::Client,
    title: "Topic accepts larger records than the producer can send",
    doc: "Checks topics (named by the client, or the broker default) whose `max.message.bytes` was raised above \
          Kafka's default 1048588 while the producer's request size limit stays below it.\n\
          Why: someone raised the topic limit to allow large records, but the producer still rejects them \
          locally with RecordTooLargeException (MSG_SIZE_TOO_LARGE in librdkafka).\n\
          Fix: raise the producer's `max.request.size` (librdkafka `message.max.bytes`) to the topic's \
          `max.message.bytes`.",
    check: request_size_below,
};

fn request_size_below(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = producer(ctx) else {
        return vec![];
    };
    let Some(req) = c.max_request_size() else {
        return vec![];
    };
    let Some(r) = req.int() else { return vec![] };
    let under: Vec<(String, Val)> = size_targets(ctx, &c)
        .into_iter()
        .filter(|(_, v)| {
            v.int()
                .is_some_and(|m| m > KAFKA_DEFAULT_MAX_MESSAGE_BYTES && r < m)
        })
        .collect();
    let Some(max) = under.iter().filter_map(|(_, v)| v.int()).max() else {
        return vec![];
    };
    let mut vals = vec![&req];
    vals.extend(under.iter().map(|(_, v)| v));
    vec![Hit {
        title: format!(
            "{} {} < raised max.message.bytes {}",
            request_size_key(&c),
            fmt_bytes(r),
            fmt_bytes(max)
        ),
        items: under.iter().map(|(n, _)| n.clone()).collect(),
        detail: format!(
            "{} < {}: the producer rejects records the topic would accept",
            req.describe(),
            under
                .iter()
                .map(|(n, v)| format!("{n}: {}", v.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        values: vals.iter().map(|v| v.ev.clone()).collect(),
        fix: c.fix(request_size_key(&c), &max.to_string()),
    }]
}

// --- consumer --------------------------------------------------------------------------------------------

const CONSUMER_AUTO_COMMIT_AT_LEAST_ONCE: Rule = Rule {
    id: "consumer-auto-commit-at-least-once",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Auto-commit with an at-least-once or exactly-once intent",
    doc: "Checks `enable.auto.commit` (default `true` in both clients) with intent `at_least_once` or \
          `exactly_once`; a consumer given no intent at all is assumed to be `at_least_once` (losing records \
          is rarely acceptable), while intents that name neither leave it unchecked.\n\
          Why: offsets are committed on a timer, not after processing: librdkafka commits offsets stored when \
          records are handed out, and Java commits what `poll()` returned before, so records handed to other \
          threads, buffered, or in flight at a crash are skipped on restart. Exactly-once must commit offsets \
          inside the producer's transaction.\n\
          Fix: set `enable.auto.commit=false` and commit after processing (`commitSync`, or \
          `sendOffsetsToTransaction` for exactly-once).",
    check: auto_commit,
};

fn auto_commit(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    let (intent, assumed) = if c.wants(ClientIntent::ExactlyOnce) {
        ("exactly_once", "")
    } else if c.wants(ClientIntent::AtLeastOnce) {
        ("at_least_once", "")
    } else if c.cfg.intents.is_empty() {
        ("at_least_once", " (assumed: no intent given)")
    } else {
        return vec![];
    };
    let Some(v) = c.val("enable.auto.commit").filter(Val::is_true) else {
        return vec![];
    };
    client_hit(
        &c,
        format!("enable.auto.commit=true with {intent} intent{assumed}"),
        format!(
            "{} with intent {intent}{assumed}: offsets are committed before records are processed, so a crash \
             skips the records in flight",
            v.describe()
        ),
        &[&v],
        c.fix("enable.auto.commit", "false"),
    )
}

const CONSUMER_READ_UNCOMMITTED_EXACTLY_ONCE: Rule = Rule {
    id: "consumer-read-uncommitted-exactly-once",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "Exactly-once consumer reads uncommitted (aborted) records",
    doc: "Checks `isolation.level` with intent `exactly_once`. Java defaults to `read_uncommitted`, \
          librdkafka to `read_committed`.\n\
          Why: the consumer sees records of aborted transactions and records of open ones before their \
          outcome, so the pipeline processes data that was rolled back.\n\
          Fix: set `isolation.level=read_committed`.",
    check: read_uncommitted,
};

fn read_uncommitted(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx).filter(|c| c.wants(ClientIntent::ExactlyOnce)) else {
        return vec![];
    };
    let Some(v) = c.val("isolation.level") else {
        return vec![];
    };
    if !v.str().eq_ignore_ascii_case("read_uncommitted") {
        return vec![];
    }
    client_hit(
        &c,
        "isolation.level=read_uncommitted with exactly_once intent".into(),
        format!(
            "{}: records of aborted transactions are delivered",
            v.describe()
        ),
        &[&v],
        c.fix("isolation.level", "read_committed"),
    )
}

const CONSUMER_CLASSIC_SETTINGS_WITH_CONSUMER_PROTOCOL: Rule = Rule {
    id: "consumer-classic-settings-with-consumer-protocol",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "Classic group settings with group.protocol=consumer",
    doc: "Checks, for the Java client, `group.protocol=consumer` (KIP-848) together with \
          `session.timeout.ms`, `heartbeat.interval.ms` or `partition.assignment.strategy`.\n\
          Why: under the consumer protocol the broker owns these (`group.consumer.session.timeout.ms`, \
          `group.consumer.heartbeat.interval.ms`, `group.remote.assignor`); the Java consumer throws \
          ConfigException at construction when they are set.\n\
          Fix: remove them from the consumer config; tune the broker's `group.consumer.*` settings instead.",
    check: classic_with_consumer_protocol,
};

fn classic_with_consumer_protocol(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx).filter(|c| !c.librdkafka() && !classic_group(c)) else {
        return vec![];
    };
    let set: Vec<Val> = [
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "partition.assignment.strategy",
    ]
    .iter()
    .filter_map(|k| c.explicit(k))
    .collect();
    if set.is_empty() {
        return vec![];
    }
    let keys: Vec<&str> = set.iter().map(|v| v.ev.key.as_str()).collect();
    client_hit(
        &c,
        format!("{} set with group.protocol=consumer", keys.join(", ")),
        format!(
            "{} with group.protocol=consumer: the Java consumer refuses to start",
            set.iter().map(Val::describe).collect::<Vec<_>>().join(", ")
        ),
        &set.iter().collect::<Vec<_>>(),
        manual(format!(
            "remove {} from the consumer config (the broker's group.consumer.* settings apply)",
            keys.join(", ")
        )),
    )
}

/// `(session.timeout.ms, heartbeat.interval.ms)` of a classic-protocol consumer.
fn session_and_heartbeat<'a>(c: &ClientView<'a>) -> Option<(Val, i64, Val, i64)> {
    if !classic_group(c) {
        return None;
    }
    let s = c.val("session.timeout.ms")?;
    let h = c.val("heartbeat.interval.ms")?;
    let (sn, hn) = (s.int()?, h.int()?);
    Some((s, sn, h, hn))
}

const CONSUMER_HEARTBEAT_NOT_BELOW_SESSION: Rule = Rule {
    id: "consumer-heartbeat-not-below-session",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "heartbeat.interval.ms is not below session.timeout.ms",
    doc: "Checks a classic-protocol consumer's `heartbeat.interval.ms` ≥ `session.timeout.ms` (defaults 3000 \
          and 45000).\n\
          Why: the Java consumer refuses it (\"Heartbeat must be set lower than the session timeout\"); a \
          client that accepted it would be expelled between heartbeats and rebalance forever.\n\
          Fix: set `heartbeat.interval.ms` to a third of `session.timeout.ms` or less.",
    check: heartbeat_not_below,
};

fn heartbeat_not_below(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    let Some((s, sn, h, hn)) = session_and_heartbeat(&c) else {
        return vec![];
    };
    if hn < sn {
        return vec![];
    }
    client_hit(
        &c,
        format!("heartbeat.interval.ms {hn} >= session.timeout.ms {sn}"),
        format!(
            "{} >= {}: the member is expelled between heartbeats",
            h.describe(),
            s.describe()
        ),
        &[&h, &s],
        c.fix("heartbeat.interval.ms", &(sn / 3).to_string()),
    )
}

const CONSUMER_HEARTBEAT_ABOVE_THIRD_OF_SESSION: Rule = Rule {
    id: "consumer-heartbeat-above-third-of-session",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "heartbeat.interval.ms is above a third of session.timeout.ms",
    doc: "Checks a classic-protocol consumer's `heartbeat.interval.ms` > `session.timeout.ms` / 3 (and below \
          it; equal or above is `consumer-heartbeat-not-below-session`).\n\
          Why: one or two delayed or lost heartbeats (GC pause, network blip) exceed the session timeout and \
          the member is expelled, causing a rebalance of the whole group.\n\
          Fix: set `heartbeat.interval.ms` to at most a third of `session.timeout.ms`.",
    check: heartbeat_above_third,
};

fn heartbeat_above_third(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    let Some((s, sn, h, hn)) = session_and_heartbeat(&c) else {
        return vec![];
    };
    if hn >= sn || hn.saturating_mul(3) <= sn {
        return vec![];
    }
    client_hit(
        &c,
        format!("heartbeat.interval.ms {hn} > session.timeout.ms {sn} / 3"),
        format!(
            "{} > a third of {}: two late heartbeats expel the member",
            h.describe(),
            s.describe()
        ),
        &[&h, &s],
        c.fix("heartbeat.interval.ms", &(sn / 3).to_string()),
    )
}

const CONSUMER_MAX_POLL_INTERVAL_BELOW_SESSION: Rule = Rule {
    id: "consumer-max-poll-interval-below-session",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "max.poll.interval.ms is below session.timeout.ms",
    doc: "Checks `max.poll.interval.ms` < `session.timeout.ms` (defaults 300000 and 45000).\n\
          Why: the processing budget between polls is shorter than the liveness timeout, which is backwards: a \
          slow batch gets the member expelled sooner than a dead process would. librdkafka refuses the \
          configuration outright.\n\
          Fix: set `max.poll.interval.ms` above `session.timeout.ms` and above the slowest batch's processing \
          time (default 300000).",
    check: max_poll_below_session,
};

fn max_poll_below_session(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    let (Some(m), Some(s)) = (c.val("max.poll.interval.ms"), c.val("session.timeout.ms")) else {
        return vec![];
    };
    let (Some(mn), Some(sn)) = (m.int(), s.int()) else {
        return vec![];
    };
    if mn >= sn {
        return vec![];
    }
    let mut detail = format!(
        "{} < {}: slow processing expels the member first",
        m.describe(),
        s.describe()
    );
    if c.librdkafka() {
        detail.push_str("; librdkafka refuses to create the consumer");
    }
    client_hit(
        &c,
        format!("max.poll.interval.ms {mn} < session.timeout.ms {sn}"),
        detail,
        &[&m, &s],
        c.fix("max.poll.interval.ms", &sn.max(300_000).to_string()),
    )
}

const CONSUMER_SESSION_TIMEOUT_OUTSIDE_BROKER_RANGE: Rule = Rule {
    id: "consumer-session-timeout-outside-broker-range",
    severity: Severity::Error,
    scope: RuleScope::Client,
    title: "session.timeout.ms is outside the brokers' allowed range",
    doc: "Compares a classic-protocol consumer's `session.timeout.ms` with the brokers' \
          `group.min.session.timeout.ms` and `group.max.session.timeout.ms` (defaults 6000 and 1800000).\n\
          Why: the coordinator rejects the JoinGroup with INVALID_SESSION_TIMEOUT, so the consumer never gets \
          partitions.\n\
          Fix: set `session.timeout.ms` inside the brokers' range (default 45000).",
    check: session_outside_range,
};

fn session_outside_range(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx).filter(classic_group) else {
        return vec![];
    };
    let Some(b) = ctx.reference_broker() else {
        return vec![];
    };
    let (Some(lo), Some(hi)) = (
        broker_val(b, "group.min.session.timeout.ms"),
        broker_val(b, "group.max.session.timeout.ms"),
    ) else {
        return vec![];
    };
    let (Some(s), Some(l), Some(h)) = (c.val("session.timeout.ms"), lo.int(), hi.int()) else {
        return vec![];
    };
    let Some(sn) = s.int() else { return vec![] };
    if (l..=h).contains(&sn) {
        return vec![];
    }
    client_hit(
        &c,
        format!("session.timeout.ms {sn} outside the brokers' {l}..{h}"),
        format!(
            "{} outside [{}, {}]: JoinGroup fails with INVALID_SESSION_TIMEOUT",
            s.describe(),
            lo.describe(),
            hi.describe()
        ),
        &[&s, &lo, &hi],
        c.fix(
            "session.timeout.ms",
            &45_000i64.clamp(l, h.max(l)).to_string(),
        ),
    )
}

const CONSUMER_AUTO_OFFSET_RESET_UNSET: Rule = Rule {
    id: "consumer-auto-offset-reset-unset",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "auto.offset.reset is not set: new or expired groups skip existing records",
    doc: "Checks the consumer sets `auto.offset.reset` explicitly (both clients default to `latest`).\n\
          Why: a new group, or one whose committed offsets expired (`offsets.retention.minutes`, 7 days by \
          default) or fell below the log start, silently starts at the end and never sees the records already \
          there.\n\
          Fix: set `auto.offset.reset=earliest` for pipelines that must see everything (or `latest` \
          explicitly when skipping is intended; `none` to fail instead).",
    check: offset_reset_unset,
};

fn offset_reset_unset(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    if c.explicit("auto.offset.reset").is_some() {
        return vec![];
    }
    let Some(v) = c.val("auto.offset.reset") else {
        return vec![];
    };
    client_hit(
        &c,
        "auto.offset.reset not set".into(),
        format!(
            "{}: a group without valid offsets starts at the end and skips existing records",
            v.describe()
        ),
        &[&v],
        c.fix("auto.offset.reset", "earliest"),
    )
}

const CONSUMER_STATIC_MEMBERSHIP_MISSING_INSTANCE_ID: Rule = Rule {
    id: "consumer-static-membership-missing-instance-id",
    severity: Severity::Warn,
    scope: RuleScope::Client,
    title: "Static membership wanted but group.instance.id is not set",
    doc: "Checks, with intent `static_membership`, that the consumer sets `group.instance.id`.\n\
          Why: without it every restart or rolling deploy leaves and rejoins the group, so all members stop \
          for a rebalance each time.\n\
          Fix: set `group.instance.id` to an id stable per instance across restarts and unique in the group \
          (e.g. the pod or host name), and `session.timeout.ms` above a restart's duration.",
    check: static_membership,
};

fn static_membership(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx).filter(|c| c.wants(ClientIntent::StaticMembership)) else {
        return vec![];
    };
    if c.explicit("group.instance.id").is_some() {
        return vec![];
    }
    client_hit(
        &c,
        "static_membership intent but no group.instance.id".into(),
        "group.instance.id is unset: every restart triggers a rebalance".into(),
        &[],
        c.fix("group.instance.id", "<stable-instance-id>"),
    )
}

const CONSUMER_FETCH_BELOW_MAX_MESSAGE_BYTES: Rule = Rule {
    id: "consumer-fetch-below-max-message-bytes",
    severity: Severity::Info,
    scope: RuleScope::Client,
    title: "Consumer fetch sizes are below a raised max.message.bytes",
    doc: "Compares `max.partition.fetch.bytes` (librdkafka `fetch.message.max.bytes`, default 1048576) and \
          `fetch.max.bytes` (default 52428800) with `max.message.bytes` raised above Kafka's default on the \
          topics the consumer names (or the brokers' `message.max.bytes`).\n\
          Why: since KIP-74 an oversized first batch is still returned, so the consumer does not stall, but \
          each such batch takes a fetch of its own and clients older than 0.10.1 get stuck.\n\
          Fix: raise `max.partition.fetch.bytes` (and `fetch.max.bytes` if lower) to the largest \
          `max.message.bytes`.",
    check: fetch_below,
};

fn fetch_below(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    let raised: Vec<(String, Val)> = size_targets(ctx, &c)
        .into_iter()
        .filter(|(_, v)| v.int().is_some_and(|m| m > KAFKA_DEFAULT_MAX_MESSAGE_BYTES))
        .collect();
    let Some(max) = raised.iter().filter_map(|(_, v)| v.int()).max() else {
        return vec![];
    };
    let (Some(p), Some(f)) = (c.val("max.partition.fetch.bytes"), c.val("fetch.max.bytes")) else {
        return vec![];
    };
    let low = [&p, &f]
        .into_iter()
        .find(|v| v.int().is_some_and(|n| n < max));
    let Some(low) = low else { return vec![] };
    let mut vals = vec![low];
    vals.extend(raised.iter().map(|(_, v)| v));
    vec![Hit {
        title: format!(
            "{} {} < max.message.bytes {}",
            low.ev.key,
            low.str(),
            fmt_bytes(max)
        ),
        items: raised.iter().map(|(n, _)| n.clone()).collect(),
        detail: format!(
            "{} < {}: oversized batches need a fetch each",
            low.describe(),
            raised
                .iter()
                .map(|(n, v)| format!("{n}: {}", v.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        values: vals.iter().map(|v| v.ev.clone()).collect(),
        fix: c.fix(&low.ev.key, &max.to_string()),
    }]
}

/// `max.poll.records` the Java consumer's 500 default is usually kept within.
const MIN_POLL_RECORDS: i64 = 10;
const MAX_POLL_RECORDS: i64 = 10_000;

const CONSUMER_MAX_POLL_RECORDS_OUT_OF_RANGE: Rule = Rule {
    id: "consumer-max-poll-records-out-of-range",
    severity: Severity::Info,
    scope: RuleScope::Client,
    title: "max.poll.records is far from its usual range",
    doc: "Checks the Java consumer's explicit `max.poll.records` below 10 or above 10,000 (default 500; \
          librdkafka has no such property). The range spans 50 times below to 20 times above the default.\n\
          Why: below 10, each `poll()` returns a handful of records, so a consumer that commits per poll sends \
          a commit every few records and spends its time in poll overhead. Above 10,000, one poll's records must \
          all be processed within `max.poll.interval.ms` (5 minutes by default), or the consumer is removed \
          from the group and the batch is redelivered to another one: a slow record or a slow downstream turns \
          into rebalance loops and duplicates, and a crash redelivers up to that many records.\n\
          Fix: set `max.poll.records=500` (the default), then tune within the range from measured processing \
          time; keep `max.poll.records` × the slowest time per record well under `max.poll.interval.ms`.",
    check: max_poll_records,
};

fn max_poll_records(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(c) = consumer(ctx) else {
        return vec![];
    };
    if c.librdkafka() {
        return vec![];
    }
    let Some(v) = c.explicit("max.poll.records") else {
        return vec![];
    };
    let Some(n) = v.int() else {
        return vec![];
    };
    let why = if n < MIN_POLL_RECORDS {
        format!("below {MIN_POLL_RECORDS}: a commit per poll is a commit every few records")
    } else if n > MAX_POLL_RECORDS {
        let interval = c
            .val("max.poll.interval.ms")
            .map(|i| i.describe())
            .unwrap_or_else(|| "max.poll.interval.ms".into());
        format!(
            "above {MAX_POLL_RECORDS}: all of one poll must be processed within {interval}, or the consumer \
             leaves the group and the records are redelivered"
        )
    } else {
        return vec![];
    };
    client_hit(
        &c,
        format!("max.poll.records={n}"),
        format!("{} is {why}", v.describe()),
        &[&v],
        c.fix("max.poll.records", "500"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;
    use crate::analysis::audit::{AuditInput, ClientKind, ClientLibrary};
    use crate::snapshot::ConfigSource;

    fn producer_with(props: &[(&str, &str)]) -> AuditInput {
        with_client(client(ClientKind::Producer, props))
    }

    fn consumer_with(props: &[(&str, &str)], intents: &[ClientIntent]) -> AuditInput {
        let mut c = client(ClientKind::Consumer, props);
        c.intents = intents.to_vec();
        with_client(c)
    }

    fn librdkafka(mut i: AuditInput) -> AuditInput {
        i.client.as_mut().unwrap().library = ClientLibrary::Librdkafka;
        i
    }

    #[test]
    fn safe_clients_have_no_findings() {
        assert!(run(&producer_with(&[])).findings.is_empty());
        let all = [
            ClientIntent::AtLeastOnce,
            ClientIntent::ExactlyOnce,
            ClientIntent::StaticMembership,
        ];
        let props = [
            ("enable.auto.commit", "false"),
            ("isolation.level", "read_committed"),
            ("group.instance.id", "pod-1"),
        ];
        assert!(run(&consumer_with(&props, &all)).findings.is_empty());
    }

    #[test]
    fn producer_acks_not_all() {
        let i = producer_with(&[("acks", "1"), ("client.id", "billing")]);
        let r = run(&i);
        // acks=1 also turns Java's implicit idempotence off.
        assert_eq!(
            ids(&r),
            ["producer-acks-not-all", "producer-idempotence-disabled"]
        );
        let f = &r.findings[0];
        assert_eq!(f.finding.evidence.items, ["client.id=billing"]);
        assert_eq!(f.finding.evidence.detail, "acks=1 [client config]: writes are acknowledged by the leader alone and lost if the leader fails");
        assert_eq!(f.finding.remediation, "set acks=all in the producer config");
        client_fix_clears(&i, f);
        let r = run(&librdkafka(producer_with(&[
            ("request.required.acks", "-1"),
            ("enable.idempotence", "true"),
        ])));
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        let r = run(&producer_with(&[
            ("acks", "0"),
            ("enable.idempotence", "true"),
        ]));
        assert!(r.findings[0]
            .finding
            .evidence
            .detail
            .ends_with("refuses to start"));
    }

    #[test]
    fn producer_idempotence_disabled_by_library_default_and_by_conflict() {
        let i = librdkafka(producer_with(&[]));
        let r = run(&i);
        let f = only(&r, "producer-idempotence-disabled");
        assert_eq!(f.values[0].origin, "librdkafka default");
        client_fix_clears(&i, f);
        let i = producer_with(&[("max.in.flight.requests.per.connection", "10")]);
        let r = run(&i);
        let f = only(&r, "producer-idempotence-disabled");
        assert!(
            f.finding
                .evidence
                .detail
                .contains("max.in.flight.requests.per.connection=10 conflicts"),
            "{}",
            f.finding.evidence.detail
        );
        assert!(run(&producer_with(&[("enable.idempotence", "true")]))
            .findings
            .is_empty());
    }

    #[test]
    fn producer_max_in_flight_above_5_with_idempotence() {
        let i = producer_with(&[
            ("enable.idempotence", "true"),
            ("max.in.flight.requests.per.connection", "10"),
        ]);
        let r = run(&i);
        client_fix_clears(
            &i,
            only(&r, "producer-max-in-flight-above-5-with-idempotence"),
        );
        let i = producer_with(&[
            ("enable.idempotence", "true"),
            ("max.in.flight.requests.per.connection", "5"),
        ]);
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn producer_retries_low() {
        let i = producer_with(&[("retries", "0"), ("enable.idempotence", "false")]);
        let r = run(&i);
        assert_eq!(
            ids(&r),
            ["producer-idempotence-disabled", "producer-retries-low"]
        );
        client_fix_clears(&i, &r.findings[1]);
        let i = librdkafka(producer_with(&[
            ("message.send.max.retries", "1"),
            ("enable.idempotence", "true"),
        ]));
        let r = run(&i);
        let f = only(&r, "producer-retries-low");
        assert_eq!(f.values[0].set_as, "message.send.max.retries");
        assert!(run(&producer_with(&[("retries", "3")])).findings.is_empty());
    }

    #[test]
    fn producer_delivery_timeout_too_low() {
        let i = producer_with(&[("delivery.timeout.ms", "30000"), ("linger.ms", "5")]);
        let r = run(&i);
        let f = only(&r, "producer-delivery-timeout-too-low");
        assert_eq!(
            f.finding.title,
            "delivery.timeout.ms=30000 < linger.ms + request.timeout.ms = 30005"
        );
        client_fix_clears(&i, f);
        assert!(run(&producer_with(&[("delivery.timeout.ms", "30005")]))
            .findings
            .is_empty());
        // librdkafka's message.timeout.ms has no such constraint.
        assert!(run(&librdkafka(producer_with(&[
            ("message.timeout.ms", "1000"),
            ("enable.idempotence", "true")
        ])))
        .findings
        .is_empty());
    }

    #[test]
    fn producer_transactional_id_missing() {
        let mut i = producer_with(&[]);
        i.client.as_mut().unwrap().intents = vec![ClientIntent::ExactlyOnce];
        let r = run(&i);
        only(&r, "producer-transactional-id-missing");
        i.client
            .as_mut()
            .unwrap()
            .properties
            .insert("transactional.id".into(), "app-0".into());
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn producer_linger_zero_large_batches() {
        let i = producer_with(&[("linger.ms", "0"), ("batch.size", "262144")]);
        let r = run(&i);
        client_fix_clears(&i, only(&r, "producer-linger-zero-large-batches"));
        // linger 0 with default batches is a latency choice, not a finding.
        assert!(run(&producer_with(&[("linger.ms", "0")]))
            .findings
            .is_empty());
        let mut i = librdkafka(producer_with(&[
            ("queue.buffering.max.ms", "0"),
            ("enable.idempotence", "true"),
        ]));
        assert!(run(&i).findings.is_empty());
        i.client.as_mut().unwrap().intents = vec![ClientIntent::LargeBatches];
        let r = run(&i);
        client_fix_clears(&i, only(&r, "producer-linger-zero-large-batches"));
    }

    #[test]
    fn producer_compression_none() {
        let mut i = producer_with(&[]);
        i.client
            .as_mut()
            .unwrap()
            .properties
            .remove("compression.type");
        let r = run(&i);
        let f = only(&r, "producer-compression-none");
        assert_eq!(f.values[0].origin, "Java client default (Kafka 4.0)");
        client_fix_clears(&i, f);
    }

    #[test]
    fn producer_max_request_size_vs_topics() {
        let mut i = producer_with(&[("max.request.size", "5242880")]);
        // No topics named: compared with the broker default message.max.bytes.
        let r = run(&i);
        let f = only(&r, "producer-max-request-size-above-max-message-bytes");
        assert_eq!(f.finding.evidence.items, ["broker default"]);
        client_fix_clears(&i, f);
        // A topic raised to 8 MiB: the producer's 5 MiB is now too small for it.
        i.client.as_mut().unwrap().topics = vec!["orders".into()];
        put_topic(
            &mut i,
            "orders",
            "max.message.bytes",
            "8388608",
            ConfigSource::DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "1073741824",
            ConfigSource::DefaultConfig,
        );
        let r = run(&i);
        let f = only(&r, "producer-max-request-size-below-max-message-bytes");
        assert_eq!(f.finding.evidence.items, ["orders"]);
        client_fix_clears(&i, f);
        // Unknown topics are noted, not guessed.
        i.client.as_mut().unwrap().topics = vec!["nope".into()];
        let r = run(&i);
        assert!(r.findings.is_empty());
        assert_eq!(r.notes, ["client topic(s) not in the audited topics, size cross-checks skipped for them: nope"]);
    }

    /// A consumer with `enable.auto.commit` unset (the library default, `true`).
    fn auto_committing(props: &[(&str, &str)], intents: &[ClientIntent]) -> AuditInput {
        let mut i = consumer_with(props, intents);
        i.client
            .as_mut()
            .unwrap()
            .properties
            .remove("enable.auto.commit");
        i
    }

    #[test]
    fn consumer_auto_commit_at_least_once() {
        let i = auto_committing(&[], &[ClientIntent::AtLeastOnce]);
        let r = run(&i);
        let f = only(&r, "consumer-auto-commit-at-least-once");
        client_fix_clears(&i, f);
        assert!(run(&consumer_with(&[], &[])).findings.is_empty());
    }

    #[test]
    fn consumer_auto_commit_without_intent_assumes_at_least_once() {
        let i = auto_committing(&[("group.id", "billing")], &[]);
        let r = run(&i);
        let f = only(&r, "consumer-auto-commit-at-least-once");
        assert_eq!(f.finding.severity, Severity::Warn);
        assert_eq!(f.finding.evidence.items, ["group billing"]);
        assert_eq!(
            f.finding.title,
            "enable.auto.commit=true with at_least_once intent (assumed: no intent given)"
        );
        assert_eq!(
            f.finding.evidence.detail,
            "enable.auto.commit=true [Java client default (Kafka 4.0)] with intent at_least_once (assumed: no \
             intent given): offsets are committed before records are processed, so a crash skips the records in \
             flight"
        );
        assert_eq!(
            f.finding.remediation,
            "set enable.auto.commit=false in the consumer config"
        );
        client_fix_clears(&i, f);
        // Written explicitly, and in librdkafka: the same.
        let r = run(&librdkafka(consumer_with(
            &[("enable.auto.commit", "true")],
            &[],
        )));
        assert_eq!(r.findings[0].values[0].origin, "client config");
        assert_eq!(ids(&r), ["consumer-auto-commit-at-least-once"]);
        // Intents that name no delivery goal leave the choice to the application.
        let i = auto_committing(
            &[("group.instance.id", "pod-1")],
            &[ClientIntent::StaticMembership],
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn producer_compression_gzip() {
        let i = producer_with(&[("compression.type", "gzip"), ("client.id", "etl")]);
        let r = run(&i);
        let f = only(&r, "producer-compression-gzip");
        assert_eq!(f.finding.severity, Severity::Info);
        assert_eq!(f.finding.evidence.items, ["client.id=etl"]);
        assert_eq!(
            f.finding.evidence.detail,
            "compression.type=gzip [client config]: gzip costs several times the CPU of zstd or lz4 to compress \
             and decompress, for a similar or worse ratio than zstd"
        );
        assert_eq!(
            f.finding.remediation,
            "set compression.type=zstd in the producer config"
        );
        client_fix_clears(&i, f);
        // librdkafka's alias.
        let i = librdkafka(producer_with(&[
            ("compression.codec", "GZIP"),
            ("enable.idempotence", "true"),
        ]));
        let i = {
            let mut i = i;
            i.client
                .as_mut()
                .unwrap()
                .properties
                .remove("compression.type");
            i
        };
        let r = run(&i);
        let f = only(&r, "producer-compression-gzip");
        assert_eq!(f.values[0].set_as, "compression.codec");
        client_fix_clears(&i, f);
        for ok in ["zstd", "lz4", "snappy"] {
            assert!(run(&producer_with(&[("compression.type", ok)]))
                .findings
                .is_empty());
        }
    }

    #[test]
    fn consumer_max_poll_records_out_of_range() {
        for ok in ["10", "500", "10000"] {
            assert!(run(&consumer_with(&[("max.poll.records", ok)], &[]))
                .findings
                .is_empty());
        }
        let i = consumer_with(&[("max.poll.records", "5")], &[]);
        let r = run(&i);
        let f = only(&r, "consumer-max-poll-records-out-of-range");
        assert_eq!(f.finding.severity, Severity::Info);
        assert_eq!(f.finding.title, "max.poll.records=5");
        assert_eq!(
            f.finding.evidence.detail,
            "max.poll.records=5 [client config] is below 10: a commit per poll is a commit every few records"
        );
        assert_eq!(
            f.fix.client_property,
            Some(crate::analysis::audit::ClientProperty {
                key: "max.poll.records".into(),
                value: "500".into()
            })
        );
        client_fix_clears(&i, f);
        let i = consumer_with(&[("max.poll.records", "50000")], &[]);
        let r = run(&i);
        let f = only(&r, "consumer-max-poll-records-out-of-range");
        assert_eq!(
            f.finding.evidence.detail,
            "max.poll.records=50000 [client config] is above 10000: all of one poll must be processed within \
             max.poll.interval.ms=300000 [Java client default (Kafka 4.0)], or the consumer leaves the group and \
             the records are redelivered"
        );
        client_fix_clears(&i, f);
        // librdkafka has no max.poll.records.
        assert!(run(&librdkafka(consumer_with(
            &[("max.poll.records", "50000")],
            &[]
        )))
        .findings
        .is_empty());
    }

    #[test]
    fn consumer_read_uncommitted_exactly_once() {
        let i = consumer_with(
            &[("enable.auto.commit", "false")],
            &[ClientIntent::ExactlyOnce],
        );
        let r = run(&i);
        client_fix_clears(&i, only(&r, "consumer-read-uncommitted-exactly-once"));
        // librdkafka defaults to read_committed.
        assert!(run(&librdkafka(i)).findings.is_empty());
    }

    #[test]
    fn consumer_classic_settings_with_consumer_protocol() {
        let i = consumer_with(
            &[
                ("group.protocol", "consumer"),
                ("session.timeout.ms", "10000"),
            ],
            &[],
        );
        let r = run(&i);
        let f = only(&r, "consumer-classic-settings-with-consumer-protocol");
        assert_eq!(f.finding.remediation, "remove session.timeout.ms from the consumer config (the broker's group.consumer.* settings apply)");
        assert!(run(&consumer_with(&[("group.protocol", "consumer")], &[]))
            .findings
            .is_empty());
    }

    #[test]
    fn consumer_heartbeat_vs_session() {
        let i = consumer_with(&[("heartbeat.interval.ms", "20000")], &[]);
        let r = run(&i);
        client_fix_clears(&i, only(&r, "consumer-heartbeat-above-third-of-session"));
        let i = consumer_with(&[("heartbeat.interval.ms", "45000")], &[]);
        let r = run(&i);
        client_fix_clears(&i, only(&r, "consumer-heartbeat-not-below-session"));
        assert!(
            run(&consumer_with(&[("heartbeat.interval.ms", "15000")], &[]))
                .findings
                .is_empty()
        );
    }

    #[test]
    fn consumer_max_poll_interval_below_session() {
        let i = librdkafka(consumer_with(&[("max.poll.interval.ms", "30000")], &[]));
        let r = run(&i);
        let f = only(&r, "consumer-max-poll-interval-below-session");
        assert!(f
            .finding
            .evidence
            .detail
            .ends_with("librdkafka refuses to create the consumer"));
        client_fix_clears(&i, f);
    }

    #[test]
    fn consumer_session_timeout_outside_broker_range() {
        let i = consumer_with(
            &[
                ("session.timeout.ms", "3000"),
                ("heartbeat.interval.ms", "1000"),
            ],
            &[],
        );
        let r = run(&i);
        let f = only(&r, "consumer-session-timeout-outside-broker-range");
        assert!(
            f.finding
                .evidence
                .detail
                .contains("group.min.session.timeout.ms=6000 [DEFAULT_CONFIG: Kafka default]"),
            "{}",
            f.finding.evidence.detail
        );
        assert_eq!(f.fix.client_property.as_ref().unwrap().value, "45000");
        // Under KIP-848 the broker's own timeouts apply.
        let i = consumer_with(&[("group.protocol", "consumer")], &[]);
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn consumer_auto_offset_reset_unset() {
        let mut i = consumer_with(&[], &[]);
        i.client
            .as_mut()
            .unwrap()
            .properties
            .remove("auto.offset.reset");
        let r = run(&i);
        client_fix_clears(&i, only(&r, "consumer-auto-offset-reset-unset"));
    }

    #[test]
    fn consumer_static_membership_missing_instance_id() {
        let i = consumer_with(
            &[("group.id", "billing")],
            &[ClientIntent::StaticMembership],
        );
        let r = run(&i);
        let f = only(&r, "consumer-static-membership-missing-instance-id");
        assert_eq!(f.finding.evidence.items, ["group billing"]);
        client_fix_clears(&i, f);
    }

    #[test]
    fn consumer_fetch_below_max_message_bytes() {
        let mut i = consumer_with(&[], &[]);
        // Default sizes against default topics: fine (KIP-74), nothing reported.
        i.client.as_mut().unwrap().topics = vec!["orders".into()];
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "max.message.bytes",
            "4194304",
            ConfigSource::DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "consumer-fetch-below-max-message-bytes");
        assert_eq!(
            f.fix.client_property.as_ref().unwrap().key,
            "max.partition.fetch.bytes"
        );
        client_fix_clears(&i, f);
    }

    #[test]
    fn unknown_kind_is_inferred_or_noted() {
        let i = with_client(client(
            ClientKind::Unknown,
            &[("acks", "1"), ("enable.idempotence", "false")],
        ));
        assert_eq!(
            ids(&run(&i)),
            [
                "producer-acks-not-all",
                "producer-idempotence-disabled",
                "producer-compression-none"
            ]
        );
        let i = with_client(client(ClientKind::Unknown, &[("bootstrap.servers", "x")]));
        let r = run(&i);
        assert!(r.findings.is_empty());
        assert!(
            r.notes[0].starts_with("client kind unknown"),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn client_secrets_are_never_echoed() {
        let i = producer_with(&[
            ("acks", "1"),
            ("sasl.jaas.config", "secret-jaas"),
            ("ssl.key.password", "hunter2"),
        ]);
        let s = serde_json::to_string(&run(&i)).unwrap();
        assert!(!s.contains("secret-jaas") && !s.contains("hunter2"));
    }
}

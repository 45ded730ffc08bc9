//! The text summary of a topic_manage answer (what an agent reads first).

use super::*;

impl Summary for TopicManageOutput {
    fn summary(&self) -> String {
        let mut s = String::new();
        if let (Some(t), Some(p)) = (&self.topics, &self.page) {
            s.push_str(&format!(
                "{} topic(s) on {} (showing {})",
                p.total,
                self.cluster,
                t.len()
            ));
            for r in t.iter().take(15) {
                s.push_str(&format!(
                    "\n- {} p={} rf={}",
                    r.name, r.partitions, r.replication_factor
                ));
                if let Some(m) = &r.messages {
                    s.push_str(&format!(" msgs={m}"));
                }
            }
        }
        if let Some(d) = &self.described {
            for t in d {
                s.push_str(&format!(
                    "{}: {} partition(s), RF {}, {} message(s); health: {}\n",
                    t.name,
                    t.partition_count,
                    t.replication_factor,
                    t.messages.as_deref().unwrap_or("?"),
                    t.health
                ));
            }
        }
        if let Some(r) = &self.records {
            s.push_str(&format!("{} record(s)", r.len()));
            for x in r.iter().take(5) {
                let v = x
                    .value
                    .as_ref()
                    .map(|v| v.data.to_string())
                    .unwrap_or_else(|| "null".into());
                s.push_str(&format!(
                    "\n- p{}@{}: {}",
                    x.partition,
                    x.offset,
                    v.chars().take(120).collect::<String>()
                ));
            }
        }
        if let Some(k) = &self.skew {
            summarize_skew(&mut s, k);
        }
        if let Some(k) = &self.keys {
            summarize_keys(&mut s, k);
        }
        if let Some(z) = &self.sizing {
            summarize_sizing(&mut s, z);
        }
        if let Some(p) = &self.plan {
            s.push_str(&format!(
                "plan {}: {}\nnext: {}",
                p.plan_id, p.summary, p.next
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {n}"));
        }
        s
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A value's wire name (`storage`, not `Storage`).
pub(super) fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn summarize_skew(s: &mut String, k: &SkewOut) {
    let r = &k.report;
    let ids = |v: &[i32]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|p| format!("p{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    s.push_str(&format!(
        "{}: {} partition(s) by {}; busiest {:.2}× the mean; hot: {}; cold: {} (tolerance {:.0}%)",
        k.topic,
        r.partitions.len(),
        match r.basis {
            skew::SkewBasis::RateMsgS => format!(
                "produce rate ({:.1} msg/s over {} ms)",
                r.total_rate_msg_s.unwrap_or(0.0),
                k.rate_window_ms.unwrap_or(0)
            ),
            skew::SkewBasis::Messages => format!("messages ({} retained)", r.total_messages),
        },
        r.max_vs_mean,
        ids(&r.hot_partitions),
        ids(&r.cold_partitions),
        r.tolerance * 100.0
    ));
    for p in r.partitions.iter().filter(|p| p.hot || p.cold).take(10) {
        s.push_str(&format!(
            "\n- p{}: {} msgs, share {}{}{}",
            p.partition,
            p.messages,
            pct(p.share),
            p.rate_msg_s
                .map(|r| format!(", {r:.1} msg/s"))
                .unwrap_or_default(),
            p.bytes.map(|b| format!(", {b} B")).unwrap_or_default()
        ));
    }
    for c in &r.causes {
        s.push_str(&format!("\ncause {}: {}", c.id, c.message));
    }
    s.push('\n');
}

fn partitioner_words(k: &KeyDistribution) -> String {
    let (m, c) = (
        pct(k.murmur2_match_ratio.unwrap_or(0.0)),
        pct(k.crc32_match_ratio.unwrap_or(0.0)),
    );
    match k.partitioner_guess {
        PartitionerGuess::Murmur2 => format!("murmur2 (Java default, librdkafka murmur2_random): {m} of keyed records on its partition"),
        PartitionerGuess::LibrdkafkaConsistent => {
            format!("librdkafka's default consistent_random (CRC-32): {c} match, murmur2 only {m}; Java producers would place these keys elsewhere")
        }
        PartitionerGuess::Other => format!(
            "neither murmur2 ({m}) nor CRC-32 ({c}): a custom partitioner, explicit partitions, or partitions added after these records were written"
        ),
        PartitionerGuess::Unknown => "unknown (fewer than 20 keyed records, or one partition)".to_string(),
    }
}

fn summarize_keys(s: &mut String, k: &KeyDistribution) {
    s.push_str(&format!(
        "{} record(s) sampled: {} null key(s) ({}), {} distinct key(s); placement: {}",
        k.sampled_records,
        k.null_key_records,
        pct(k.null_key_share),
        k.distinct_keys,
        partitioner_words(k)
    ));
    // Keys seen once say nothing here; the first is shown whatever its count.
    for t in k
        .top_keys
        .iter()
        .enumerate()
        .filter(|(i, t)| *i == 0 || t.records > 1)
        .map(|(_, t)| t)
        .take(5)
    {
        let share = match t.share_of_topic {
            Some(topic) => format!(
                "~{} of the topic, {} of the sample",
                pct(topic),
                pct(t.share_of_sample)
            ),
            None => format!(
                "{} of the sample, not weighted by partition size",
                pct(t.share_of_sample)
            ),
        };
        s.push_str(&format!(
            "\n- key {}{}: {} record(s) ({share}), partitions {:?}, murmur2 → p{}",
            t.key_hash,
            t.key
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default(),
            t.records,
            t.partitions,
            t.murmur2_partition
        ));
    }
    s.push('\n');
}

fn summarize_sizing(s: &mut String, z: &SizingOut) {
    if let Some(p) = &z.plan {
        s.push_str(&format!(
            "plan: {} partition(s), {} broker(s) (needed {}, limited by {}), storage {:.1} GB ({:.1} GB per broker)",
            p.partitions,
            p.brokers,
            p.brokers_needed,
            wire(&p.limited_by),
            p.storage_gb,
            p.storage_per_broker_gb
        ));
        for step in &p.steps {
            s.push_str(&format!("\n{step}"));
        }
        for w in &p.warnings {
            s.push_str(&format!("\nwarning: {w}"));
        }
        s.push('\n');
    }
    if let Some(o) = &z.observed {
        s.push_str(&format!(
            "observed: {:.1} msg/s over {} ms on {} topic(s)",
            o.messages_per_s, o.window_ms, o.topics
        ));
        if let Some(l) = &o.load {
            s.push_str(&format!(
                ", {:.3} MB/s in, {} broker(s), RF {}, {:.3} GB stored",
                l.ingress_mb_s, l.brokers, l.replication_factor, l.storage_used_gb
            ));
        }
        s.push('\n');
    }
    if let Some(h) = &z.headroom {
        match h.ingress_scale_to_target {
            Some(x) => s.push_str(&format!(
                "headroom: ingress can grow {:.1}× ({:+.2} MB/s) before {} reaches the target",
                x,
                h.ingress_headroom_mb_s.unwrap_or(0.0),
                wire(&h.binding)
            )),
            None => s.push_str(&format!(
                "headroom: no ingress now; {} is the most used resource",
                wire(&h.binding)
            )),
        }
        for w in &h.warnings {
            s.push_str(&format!("\nwarning: {w}"));
        }
        s.push('\n');
    }
}

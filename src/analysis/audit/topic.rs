//! Topic rules: durability (RF, min.insync.replicas, unclean election), retention and segment
//! sizing, compaction, and partition spread. One finding per topic, except the partition-spread
//! summary.

use std::collections::BTreeMap;

use crate::analysis::finding::{Severity, EVIDENCE_ITEMS};
use crate::snapshot::ConfigSource;

use super::context::{
    broker_val, fmt_bytes, fmt_ms, is_scratch_topic, kafka_configs_command, list, manual,
    policy_has, Ctx, Hit, Rule, Val, DAY_MS, GIB, HOUR_MS, MIB,
};
use super::{AlterOp, AlterOpKind, AlterResourceType, Remediation, RuleScope, TopicConfigSnapshot};

/// The topic family, in evaluation order.
pub(crate) const RULES: &[Rule] = &[
    UNCLEAN_LEADER_ELECTION,
    MIN_ISR_ABOVE_RF,
    MIN_ISR_EQUALS_RF,
    MIN_ISR_BELOW_2,
    RF_ONE,
    RF_BELOW_3,
    RF_ABOVE_LIVE_BROKERS,
    MAX_MESSAGE_BYTES_ABOVE_SEGMENT_BYTES,
    SEGMENT_BYTES_VS_RETENTION_BYTES,
    RETENTION_UNBOUNDED,
    RETENTION_MS_VERY_SHORT,
    SEGMENT_MS_ABOVE_RETENTION_MS,
    COMPACTED_TOPIC_NULL_KEYS,
    COMPACTED_SEGMENT_MS_LONG,
    COMPACTED_DELETE_RETENTION_SHORT,
    COMPACTED_DIRTY_RATIO_HIGH,
    COMPACTED_DIRTY_RATIO_LOW,
    SINGLE_PARTITION_WITH_TRAFFIC,
    PARTITION_REPLICAS_ONE_RACK,
    PARTITIONS_NOT_MULTIPLE_OF_BROKERS,
];

/// Above this many partitions a reassignment plan is not inlined in the command.
const MAX_INLINE_PLAN_PARTITIONS: u32 = 100;

fn per_topic(ctx: &Ctx<'_>, f: impl Fn(&TopicConfigSnapshot) -> Option<Hit>) -> Vec<Hit> {
    ctx.input.topics.iter().filter_map(f).collect()
}

fn hit(
    t: &TopicConfigSnapshot,
    title: String,
    detail: String,
    vals: &[&Val],
    fix: Remediation,
) -> Hit {
    Hit {
        title,
        items: vec![t.name.clone()],
        detail,
        values: vals.iter().map(|v| v.ev.clone()).collect(),
        fix,
    }
}

// --- durability -------------------------------------------------------------------------------------------

const UNCLEAN_LEADER_ELECTION: Rule = Rule {
    id: "unclean-leader-election",
    severity: Severity::Critical,
    scope: RuleScope::Topic,
    title: "Topic allows unclean leader election",
    doc: "Checks a topic's effective `unclean.leader.election.enable=true`. Its own override is always reported \
          here. A value it inherits (source DEFAULT_CONFIG, STATIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG or \
          DYNAMIC_BROKER_CONFIG) is reported once by `broker-unclean-leader-election` when that rule runs and sees \
          it on a described broker, and here, per topic, otherwise (scope=topic, that rule disabled, or the \
          broker setting it not described).\n\
          Why: when all in-sync replicas are down, an out-of-sync replica may become leader; every record it \
          had not replicated is lost, although producers with `acks=all` were told it was written, and \
          consumers may see offsets go backwards.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config unclean.leader.election.enable=false`; for an inherited value, fixing the broker \
          default instead (`--entity-type brokers --entity-default --add-config \
          unclean.leader.election.enable=false`) fixes every inheriting topic at once. To bring back one offline \
          partition knowingly, run `kafka-leader-election.sh --election-type unclean` for that partition only.",
    check: unclean,
};

fn unclean(ctx: &Ctx<'_>) -> Vec<Hit> {
    let key = "unclean.leader.election.enable";
    // An inherited `true` is the broker rule's finding when it runs and sees it.
    let broker_reports = ctx.runs("broker-unclean-leader-election")
        && ctx
            .described_brokers()
            .iter()
            .any(|b| broker_val(b, key).is_some_and(|v| v.is_true()));
    per_topic(ctx, |t| {
        let v = ctx.topic_val(t, key)?;
        if !v.is_true() {
            return None;
        }
        let own = matches!(
            v.source(),
            ConfigSource::DynamicTopicConfig | ConfigSource::Unknown
        ) && !v.inherited;
        if own {
            return Some(hit(
                t,
                format!("{}: unclean.leader.election.enable=true", t.name),
                format!(
                    "{}: a failover to an out-of-sync replica loses acknowledged writes",
                    v.describe()
                ),
                &[&v],
                ctx.topic_fix(&t.name, key, "false"),
            ));
        }
        if broker_reports {
            return None;
        }
        Some(hit(
            t,
            format!(
                "{}: unclean.leader.election.enable=true inherited ({})",
                t.name,
                v.source().as_str()
            ),
            format!(
                "{}: inherited, no topic override; a failover to an out-of-sync replica loses acknowledged writes. \
                 Fix: this topic with the override below, or every inheriting topic at once: {}",
                v.describe(),
                broker_level_unclean_fix(ctx, &v)
            ),
            &[&v],
            ctx.topic_fix(&t.name, key, "false"),
        ))
    })
}

/// The broker-level fix of an inherited `unclean.leader.election.enable=true`: remove the
/// per-broker override on the brokers that set one, else set the cluster-wide dynamic default
/// (which wins over server.properties and Kafka's default).
fn broker_level_unclean_fix(ctx: &Ctx<'_>, v: &Val) -> String {
    let key = "unclean.leader.election.enable";
    if v.source() == ConfigSource::DynamicBrokerConfig {
        let ids: Vec<String> = ctx
            .described_brokers()
            .iter()
            .filter(|b| {
                broker_val(b, key)
                    .is_some_and(|x| x.is_true() && x.source() == ConfigSource::DynamicBrokerConfig)
            })
            .map(|b| b.id.to_string())
            .collect();
        if ids.is_empty() {
            return format!(
                "remove the per-broker override of {key} on the broker that sets it (kafka-configs.sh \
                 --bootstrap-server {} --alter --entity-type brokers --entity-name <broker id> --delete-config {key})",
                ctx.bootstrap()
            );
        }
        return ids
            .iter()
            .map(|id| {
                kafka_configs_command(
                    ctx.bootstrap(),
                    &AlterOp {
                        resource_type: AlterResourceType::Broker,
                        resource_name: id.clone(),
                        key: key.to_string(),
                        op: AlterOpKind::Delete,
                        value: None,
                    },
                )
            })
            .collect::<Vec<_>>()
            .join(" && ");
    }
    kafka_configs_command(
        ctx.bootstrap(),
        &AlterOp {
            resource_type: AlterResourceType::BrokerDefault,
            resource_name: String::new(),
            key: key.to_string(),
            op: AlterOpKind::Set,
            value: Some("false".to_string()),
        },
    )
}

const MIN_ISR_ABOVE_RF: Rule = Rule {
    id: "min-isr-above-rf",
    severity: Severity::Error,
    scope: RuleScope::Topic,
    title: "min.insync.replicas is above the replication factor: acks=all writes always fail",
    doc: "Checks `min.insync.replicas` > replication factor.\n\
          Why: a partition can never have more in-sync replicas than replicas, so every `acks=all` produce \
          (the default of the Java client since 3.0 and of librdkafka) fails with NOT_ENOUGH_REPLICAS, even \
          with every broker up. Often a topic created with RF 1 or 2 on a cluster whose brokers set \
          `min.insync.replicas=2`.\n\
          Fix: when `rf-one`/`rf-below-3` also fire and enough brokers are live, the fix is their plan: raise \
          the RF to 3 and keep `min.insync.replicas` 2 (lowering it as well would leave `min-isr-below-2`). \
          Otherwise set the topic's `min.insync.replicas` to RF − 1 (at least 1) with `kafka-configs.sh \
          --alter --entity-type topics`.",
    check: min_isr_above_rf,
};

fn min_isr_above_rf(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let rf = i64::from(t.replication_factor);
        if rf == 0 {
            return None;
        }
        let v = ctx.topic_val(t, "min.insync.replicas")?;
        let m = v.int()?;
        (m > rf).then(|| {
            let (plan, fix) = min_isr_fix(ctx, t, m);
            hit(
                t,
                format!("{}: min.insync.replicas {m} > RF {rf}", t.name),
                format!(
                    "{} > replication factor {rf}: every acks=all write fails with NOT_ENOUGH_REPLICAS; {plan}",
                    v.describe()
                ),
                &[&v],
                fix,
            )
        })
    })
}

/// The replication factor the RF rules' fix moves `t` to: 3 (or 2 with only 2 live brokers) when
/// `rf-one` / `rf-below-3` fire and enough brokers are live to raise it, else the current RF.
fn planned_rf(ctx: &Ctx<'_>, t: &TopicConfigSnapshot) -> u32 {
    let rf = t.replication_factor;
    if is_scratch_topic(&t.name) {
        return rf;
    }
    let target = match rf {
        1 if ctx.live() >= 2 => ctx.live().min(3) as u32,
        1 | 2 => 3,
        _ => return rf,
    };
    if (ctx.input.live_broker_ids.len() as u32) < target {
        return rf;
    }
    target
}

/// The one fix of `t`'s `min.insync.replicas` (`m`) that agrees with the RF fix for the same topic,
/// so that applying every fix listed for the topic leaves no new finding: when `rf-one` /
/// `rf-below-3` will raise the RF far enough that `m` fits (2 ≤ m < new RF, or m < new RF ≤ 2),
/// the fix is that same reassignment, keeping `m`; otherwise set `m` to the new RF − 1 (at least 1).
/// Returns a line saying which, and the fix.
fn min_isr_fix(ctx: &Ctx<'_>, t: &TopicConfigSnapshot, m: i64) -> (String, Remediation) {
    let rf = i64::from(t.replication_factor);
    let planned = i64::from(planned_rf(ctx, t));
    let fits = m < planned && (m >= 2 || planned < 3);
    if planned > rf && fits {
        return (
            format!(
                "fix: raise the replication factor to {planned} (the same plan as the RF finding) \
                 and keep min.insync.replicas={m}"
            ),
            reassign_fix(ctx, t, planned as u32),
        );
    }
    let target = (planned - 1).max(1);
    let why = if planned > rf {
        format!("fix: set min.insync.replicas={target} for the replication factor {planned} the RF finding raises it to")
    } else {
        format!("fix: set min.insync.replicas={target} (replication factor {rf} - 1, at least 1)")
    };
    (
        why,
        ctx.topic_fix(&t.name, "min.insync.replicas", &target.to_string()),
    )
}

const MIN_ISR_EQUALS_RF: Rule = Rule {
    id: "min-isr-equals-rf",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "min.insync.replicas equals the replication factor: one broker down blocks acks=all writes",
    doc: "Checks `min.insync.replicas` == replication factor, for RF > 1 (RF 1 is `rf-one`).\n\
          Why: every replica must be in sync for an `acks=all` write, so one broker restart or failure makes \
          producers fail with NOT_ENOUGH_REPLICAS (or time out with retries) until it is back.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config min.insync.replicas=<RF-1>` (2 for RF 3). For RF 2 when `rf-below-3` also \
          fires, the fix is its plan: raise the RF to 3 and keep 2.",
    check: min_isr_equals_rf,
};

fn min_isr_equals_rf(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let rf = i64::from(t.replication_factor);
        if rf <= 1 {
            return None;
        }
        let v = ctx.topic_val(t, "min.insync.replicas")?;
        (v.int()? == rf).then(|| {
            let (plan, fix) = min_isr_fix(ctx, t, rf);
            hit(
                t,
                format!("{}: min.insync.replicas {rf} = RF {rf}", t.name),
                format!(
                    "{} = replication factor {rf}: one broker down blocks acks=all writes; {plan}",
                    v.describe()
                ),
                &[&v],
                fix,
            )
        })
    })
}

const MIN_ISR_BELOW_2: Rule = Rule {
    id: "min-isr-below-2",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "min.insync.replicas is 1 on a topic with 3 or more replicas",
    doc: "Checks `min.insync.replicas` < 2 on topics with RF ≥ 3.\n\
          Why: with 1, `acks=all` means \"the leader has it\": a write acknowledged while followers lag is \
          lost if the leader's broker dies, although the topic has replicas to spare.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config min.insync.replicas=2`.",
    check: min_isr_below_2,
};

fn min_isr_below_2(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let rf = i64::from(t.replication_factor);
        if rf < 3 {
            return None;
        }
        let v = ctx.topic_val(t, "min.insync.replicas")?;
        (v.int()? < 2).then(|| {
            hit(
                t,
                format!("{}: min.insync.replicas {} with RF {rf}", t.name, v.str()),
                format!(
                    "{} with replication factor {rf}: acks=all is acknowledged by the leader alone",
                    v.describe()
                ),
                &[&v],
                ctx.topic_fix(&t.name, "min.insync.replicas", "2"),
            )
        })
    })
}

const RF_ONE: Rule = Rule {
    id: "rf-one",
    severity: Severity::Error,
    scope: RuleScope::Topic,
    title: "Topic has a single replica",
    doc: "Checks replication factor 1 on topics that are not scratch topics. Scratch topics are names starting \
          with `tmp.`, `test.`, `scratch.`, `it-` (or with `-`/`_` for the dot) or ending with `.tmp`, `.test`, \
          `.scratch` (or `-`/`_`), in any case; they are exempt from all RF rules.\n\
          Why: one broker down makes the partitions unavailable; one disk lost loses their data for good. With \
          `min.insync.replicas` ≥ 2 inherited from the brokers, `acks=all` writes fail even while healthy.\n\
          Fix: raise the RF to 3 with `kafka-reassign-partitions.sh --execute`; the finding's command writes an \
          exact plan that keeps the current replicas and adds the least-loaded live brokers.",
    check: rf_one,
};

fn rf_one(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        (t.replication_factor == 1 && !is_scratch_topic(&t.name)).then(|| {
            let target = if ctx.live() >= 2 { ctx.live().min(3) as u32 } else { 3 };
            Hit {
                title: format!("{}: replication factor 1", t.name),
                items: vec![t.name.clone()],
                detail: format!(
                    "replication factor 1 over {} partition(s): one broker down makes them unavailable, one disk \
                     lost loses them",
                    t.partitions
                ),
                values: vec![],
                fix: reassign_fix(ctx, t, target),
            }
        })
    })
}

const RF_BELOW_3: Rule = Rule {
    id: "rf-below-3",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Topic has fewer than 3 replicas",
    doc: "Checks replication factor 2 on non-scratch topics (see `rf-one` for scratch names).\n\
          Why: with 2 replicas, one broker down leaves a single copy: either `min.insync.replicas=2` blocks \
          `acks=all` writes, or `min.insync.replicas=1` accepts writes that the next failure loses.\n\
          Fix: raise the RF to 3 with `kafka-reassign-partitions.sh --execute`; the finding's command writes an \
          exact plan that keeps the current replicas.",
    check: rf_below_3,
};

fn rf_below_3(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        (t.replication_factor == 2 && !is_scratch_topic(&t.name)).then(|| Hit {
            title: format!("{}: replication factor 2", t.name),
            items: vec![t.name.clone()],
            detail: format!(
                "replication factor 2 over {} partition(s): one broker down leaves one copy",
                t.partitions
            ),
            values: vec![],
            fix: reassign_fix(ctx, t, 3),
        })
    })
}

const RF_ABOVE_LIVE_BROKERS: Rule = Rule {
    id: "rf-above-live-brokers",
    severity: Severity::Error,
    scope: RuleScope::Topic,
    title: "Replication factor is above the number of live brokers",
    doc: "Checks RF > live brokers (Metadata).\n\
          Why: some replicas cannot exist, so partitions stay under-replicated, `acks=all` writes fail once the \
          ISR drops below `min.insync.replicas`, and creating partitions or topics with this RF fails with \
          INVALID_REPLICATION_FACTOR. Usually brokers are down rather than the RF being wrong.\n\
          Fix: bring the missing brokers back (cluster health shows which). Only if they are gone for good, \
          reassign their replicas to live brokers with `kafka-reassign-partitions.sh`.",
    check: rf_above_live,
};

fn rf_above_live(ctx: &Ctx<'_>) -> Vec<Hit> {
    let live = ctx.live();
    if live == 0 {
        return vec![];
    }
    per_topic(ctx, |t| {
        (t.replication_factor as usize > live).then(|| Hit {
            title: format!("{}: RF {} > {live} live broker(s)", t.name, t.replication_factor),
            items: vec![t.name.clone()],
            detail: format!(
                "replication factor {} but only {live} live broker(s) ({}): partitions stay under-replicated",
                t.replication_factor,
                ctx.input.live_broker_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
            ),
            values: vec![],
            fix: manual(format!(
                "bring the missing broker(s) back; if they are gone for good, move the replicas of {} to live \
                 brokers with kafka-reassign-partitions.sh",
                t.name
            )),
        })
    })
}

/// A `kafka-reassign-partitions.sh` command raising `t` to `target` replicas: current replicas
/// kept, the least-loaded live brokers added (by replicas across all topics, then lowest id).
fn reassign_fix(ctx: &Ctx<'_>, t: &TopicConfigSnapshot, target: u32) -> Remediation {
    let mut live = ctx.input.live_broker_ids.clone();
    live.sort_unstable();
    if (live.len() as u32) < target {
        return manual(format!(
            "only {} live broker(s): add brokers until there are {target}, then raise {}'s replication factor \
             with kafka-reassign-partitions.sh",
            live.len(),
            t.name
        ));
    }
    if t.partitions > MAX_INLINE_PLAN_PARTITIONS {
        return manual(format!(
            "write a kafka-reassign-partitions.sh plan giving each of {}'s {} partitions {target} replicas \
             (keep the current ones first), then run it with --execute",
            t.name, t.partitions
        ));
    }
    let mut load = replica_load(ctx);
    let mut parts = Vec::new();
    for p in 0..t.partitions {
        let mut reps: Vec<i32> = t.assignment.get(p as usize).cloned().unwrap_or_default();
        while (reps.len() as u32) < target {
            let Some((&id, _)) = load
                .iter()
                .filter(|(id, _)| !reps.contains(id))
                .min_by_key(|(id, n)| (**n, **id))
            else {
                break;
            };
            reps.push(id);
            *load.entry(id).or_default() += 1;
        }
        let reps: Vec<String> = reps.iter().map(|r| r.to_string()).collect();
        parts.push(format!(
            r#"{{"topic":"{}","partition":{p},"replicas":[{}]}}"#,
            t.name,
            reps.join(",")
        ));
    }
    plan_command(ctx, &format!("increase-rf-{}.json", t.name), &parts)
}

/// `echo '<plan>' > file && kafka-reassign-partitions.sh ... --execute` for the given partition
/// entries (`{"topic":..,"partition":..,"replicas":[..]}`).
fn plan_command(ctx: &Ctx<'_>, file: &str, parts: &[String]) -> Remediation {
    manual(format!(
        "echo '{{\"version\":1,\"partitions\":[{}]}}' > {file} && kafka-reassign-partitions.sh --bootstrap-server \
         {} --reassignment-json-file {file} --execute",
        parts.join(","),
        ctx.bootstrap()
    ))
}

/// Partition replicas per live broker across all topics (0 for live brokers without any).
fn replica_load(ctx: &Ctx<'_>) -> BTreeMap<i32, usize> {
    let mut load: BTreeMap<i32, usize> = ctx
        .input
        .live_broker_ids
        .iter()
        .map(|id| (*id, 0))
        .collect();
    for r in ctx
        .input
        .topics
        .iter()
        .flat_map(|x| x.assignment.iter().flatten())
    {
        if let Some(n) = load.get_mut(r) {
            *n += 1;
        }
    }
    load
}

// --- sizes and retention ---------------------------------------------------------------------------------

const MAX_MESSAGE_BYTES_ABOVE_SEGMENT_BYTES: Rule = Rule {
    id: "max-message-bytes-above-segment-bytes",
    severity: Severity::Error,
    scope: RuleScope::Topic,
    title: "max.message.bytes is above segment.bytes: batches in between are rejected",
    doc: "Checks `max.message.bytes` > `segment.bytes`.\n\
          Why: Kafka refuses any batch larger than a segment (RecordBatchTooLargeException, \
          RECORD_BATCH_TOO_LARGE), so batches between the two sizes pass the size limit the topic advertises \
          and still fail; producers see errors the config says cannot happen.\n\
          Fix: lower `max.message.bytes` to `segment.bytes` with `kafka-configs.sh --alter --entity-type topics`, \
          or raise `segment.bytes` if such large records are really needed.",
    check: max_message_above_segment,
};

fn max_message_above_segment(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let mm = ctx.topic_val(t, "max.message.bytes")?;
        let seg = ctx.topic_val(t, "segment.bytes")?;
        let (m, s) = (mm.int()?, seg.int()?);
        (m > s).then(|| {
            hit(
                t,
                format!(
                    "{}: max.message.bytes {} > segment.bytes {}",
                    t.name,
                    fmt_bytes(m),
                    fmt_bytes(s)
                ),
                format!(
                    "{} > {}: batches between them are rejected with RECORD_BATCH_TOO_LARGE",
                    mm.describe(),
                    seg.describe()
                ),
                &[&mm, &seg],
                ctx.topic_fix(&t.name, "max.message.bytes", &s.to_string()),
            )
        })
    })
}

const SEGMENT_BYTES_VS_RETENTION_BYTES: Rule = Rule {
    id: "segment-bytes-vs-retention-bytes",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "segment.bytes is outside 2–50 % of retention.bytes",
    doc: "Checks, on delete-policy topics with `retention.bytes` > 0, that `segment.bytes` lies within 2 % to \
          50 % of `retention.bytes`, both ends inclusive (1 MiB segments under 2 MiB retention pass). Segments \
          below 2 % are only flagged while under 1 GiB.\n\
          Why: retention deletes whole closed segments and never the active one, so a partition holds between \
          `retention.bytes` and `retention.bytes + segment.bytes`: above 50 % the size swings widely and each \
          delete drops a large share of the data; below 2 % a partition has over 50 segments, each with open \
          files and indexes.\n\
          Fix: set `segment.bytes` to 10 % of `retention.bytes` (between 1 MiB, Kafka's minimum, and 1 GiB) \
          with `kafka-configs.sh --alter --entity-type topics`; if `retention.bytes` is under 2 MiB, raise it.",
    check: segment_vs_retention_bytes,
};

fn segment_vs_retention_bytes(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        if !policy_has(&policy, "delete") {
            return None;
        }
        let rbv = ctx.topic_val(t, "retention.bytes")?;
        let rb = rbv.int()?;
        if rb <= 0 {
            return None;
        }
        let segv = ctx.topic_val(t, "segment.bytes")?;
        let seg = segv.int()?;
        let pct = seg as f64 * 100.0 / rb as f64;
        let (title, fix) = if seg.saturating_mul(2) > rb {
            let target = (rb / 10).max(MIB);
            let fix = if target.saturating_mul(2) <= rb {
                ctx.topic_fix(&t.name, "segment.bytes", &target.to_string())
            } else {
                manual(format!(
                    "retention.bytes {} is too small for Kafka's 1 MiB minimum segment.bytes: raise it, e.g. \
                     kafka-configs.sh --bootstrap-server {b} --alter --entity-type topics --entity-name {n} \
                     --add-config retention.bytes={ten},segment.bytes={mib}",
                    fmt_bytes(rb),
                    b = ctx.bootstrap(),
                    n = t.name,
                    ten = 10 * MIB,
                    mib = MIB,
                ))
            };
            (
                format!("{}: segment.bytes is {pct:.0} % of retention.bytes", t.name),
                fix,
            )
        } else if seg.saturating_mul(50) < rb && seg < GIB {
            let target = (rb / 10).min(GIB);
            (
                format!("{}: segment.bytes is {pct:.1} % of retention.bytes", t.name),
                ctx.topic_fix(&t.name, "segment.bytes", &target.to_string()),
            )
        } else {
            return None;
        };
        Some(hit(
            t,
            title,
            format!(
                "{} is {pct:.1} % of {} (expected 2–50 %)",
                segv.describe(),
                rbv.describe()
            ),
            &[&segv, &rbv],
            fix,
        ))
    })
}

const RETENTION_UNBOUNDED: Rule = Rule {
    id: "retention-unbounded",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Delete-policy topic keeps data forever",
    doc: "Checks `cleanup.policy=delete` with both `retention.ms` = -1 and `retention.bytes` = -1.\n\
          Why: nothing is ever deleted, so the topic grows until the brokers' disks fill, and a full disk \
          takes the broker down with every partition on it.\n\
          Fix: bound it by time or size, e.g. `kafka-configs.sh --alter --entity-type topics --entity-name \
          <topic> --add-config retention.ms=604800000` (7 days, Kafka's default); use `cleanup.policy=compact` \
          if the topic is a keyed changelog meant to be kept.",
    check: retention_unbounded,
};

fn retention_unbounded(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        if !policy_has(&policy, "delete") || policy_has(&policy, "compact") {
            return None;
        }
        let ms = ctx.topic_val(t, "retention.ms")?;
        let bytes = ctx.topic_val(t, "retention.bytes")?;
        (ms.int()? < 0 && bytes.int()? < 0).then(|| {
            hit(
                t,
                format!("{}: no retention limit", t.name),
                format!(
                    "{}, {}, {}: the topic grows until disks fill",
                    policy.describe(),
                    ms.describe(),
                    bytes.describe()
                ),
                &[&policy, &ms, &bytes],
                ctx.topic_fix(&t.name, "retention.ms", &(7 * DAY_MS).to_string()),
            )
        })
    })
}

const RETENTION_MS_VERY_SHORT: Rule = Rule {
    id: "retention-ms-very-short",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Retention is under one hour",
    doc: "Checks `retention.ms` below 1 hour on delete-policy topics.\n\
          Why: a consumer that is down, rebalancing or lagging for longer than that loses records for good; \
          its offsets fall below the log start and it resets per `auto.offset.reset`.\n\
          Fix: `kafka-configs.sh --alter --entity-type topics --entity-name <topic> --add-config \
          retention.ms=86400000` (1 day), or longer than the worst consumer outage you plan for.",
    check: retention_short,
};

fn retention_short(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        if !policy_has(&policy, "delete") {
            return None;
        }
        let ms = ctx.topic_val(t, "retention.ms")?;
        let n = ms.int()?;
        (0..HOUR_MS).contains(&n).then(|| {
            hit(
                t,
                format!("{}: retention {}", t.name, fmt_ms(n)),
                format!(
                    "{}: consumers down longer than that lose records",
                    ms.describe()
                ),
                &[&ms],
                ctx.topic_fix(&t.name, "retention.ms", &DAY_MS.to_string()),
            )
        })
    })
}

const SEGMENT_MS_ABOVE_RETENTION_MS: Rule = Rule {
    id: "segment-ms-above-retention-ms",
    severity: Severity::Info,
    scope: RuleScope::Topic,
    title: "segment.ms is above retention.ms: quiet partitions keep data longer than retention says",
    doc: "Checks `segment.ms` (roll time; from `log.roll.ms` > `log.roll.hours` when inherited) > \
          `retention.ms` (from `log.retention.ms` > `.minutes` > `.hours`) on delete-policy topics.\n\
          Why: only closed segments are deleted, and a low-traffic partition closes its segment only after \
          `segment.ms`; its oldest records then live up to `segment.ms + retention.ms`, longer than the \
          retention promised (e.g. for privacy deletion).\n\
          Fix: `kafka-configs.sh --alter --entity-type topics --entity-name <topic> --add-config \
          segment.ms=<retention.ms>`.",
    check: segment_ms_above_retention,
};

fn segment_ms_above_retention(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        if !policy_has(&policy, "delete") {
            return None;
        }
        let ret = ctx.topic_val(t, "retention.ms")?;
        let r = ret.int()?;
        if r <= 0 {
            return None;
        }
        let seg = ctx.topic_val(t, "segment.ms")?;
        let s = seg.int()?;
        (s > r).then(|| {
            hit(
                t,
                format!(
                    "{}: segment.ms {} > retention.ms {}",
                    t.name,
                    fmt_ms(s),
                    fmt_ms(r)
                ),
                format!(
                    "{} > {}: records in quiet partitions live up to {}",
                    seg.describe(),
                    ret.describe(),
                    fmt_ms(s.saturating_add(r))
                ),
                &[&seg, &ret],
                ctx.topic_fix(&t.name, "segment.ms", &r.to_string()),
            )
        })
    })
}

// --- compaction and layout -------------------------------------------------------------------------------

const COMPACTED_TOPIC_NULL_KEYS: Rule = Rule {
    id: "compacted-topic-null-keys",
    severity: Severity::Error,
    scope: RuleScope::Topic,
    title: "Keyless records sent to a compacted topic",
    doc: "Checks, on topics whose `cleanup.policy` includes `compact`, a sample of recent records (or of what \
          producers sent) for null keys.\n\
          Why: compaction keeps the latest record per key, so a record without a key has no place: Kafka \
          rejects it with INVALID_RECORD (\"Broker failed to validate record\", seen on Kafka 4.0) and the \
          producer's data is lost unless it handles the error; records written before the policy changed are \
          removed by the cleaner.\n\
          Fix: give every record produced to the topic a key; if the topic is not a keyed changelog, use \
          `cleanup.policy=delete` instead.",
    check: compacted_null_keys,
};

fn compacted_null_keys(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let sample = t.null_key_sample.filter(|s| s.null_keys > 0)?;
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        policy_has(&policy, "compact").then(|| {
            hit(
                t,
                format!("{}: {} of {} sampled records have no key", t.name, sample.null_keys, sample.sampled),
                format!(
                    "{}; {} of {} sampled records have a null key: rejected with INVALID_RECORD",
                    policy.describe(),
                    sample.null_keys,
                    sample.sampled
                ),
                &[&policy],
                manual(format!(
                    "give every record produced to {} a key (or use cleanup.policy=delete if it is not a keyed \
                     changelog)",
                    t.name
                )),
            )
        })
    })
}

// --- compaction tuning -----------------------------------------------------------------------------------

/// Above this roll time the active segment of a compacted topic (never cleaned) holds records longer
/// than Kafka's own default `segment.ms` (7 days).
const COMPACTED_MAX_ROLL_MS: i64 = 7 * DAY_MS;
/// What the fix sets `segment.ms` to on a compacted topic: 1 day.
const COMPACTED_ROLL_FIX_MS: i64 = DAY_MS;
/// Below this `delete.retention.ms` a consumer down or replaying for longer misses deletes.
const MIN_DELETE_RETENTION_MS: i64 = HOUR_MS;
/// `min.cleanable.dirty.ratio` at or above this: the log is cleaned only when mostly garbage.
const DIRTY_RATIO_HIGH: f64 = 0.9;
/// `min.cleanable.dirty.ratio` at or below this: the cleaner rewrites the log almost constantly.
const DIRTY_RATIO_LOW: f64 = 0.01;

/// The effective `cleanup.policy` of a non-internal topic whose policy includes `compact`. Internal
/// topics (`__consumer_offsets`, ...) are tuned by the brokers' `offsets.*` / `transaction.*` keys.
fn compacted(ctx: &Ctx<'_>, t: &TopicConfigSnapshot) -> Option<Val> {
    if t.internal {
        return None;
    }
    ctx.topic_val(t, "cleanup.policy")
        .filter(|p| policy_has(p, "compact"))
}

fn ratio(v: &Val) -> Option<f64> {
    v.str().trim().parse().ok().filter(|r: &f64| r.is_finite())
}

const COMPACTED_SEGMENT_MS_LONG: Rule = Rule {
    id: "compacted-segment-ms-long",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Compacted topic rolls its segments after more than 7 days: the active segment is never compacted",
    doc: "Checks, on non-internal topics whose `cleanup.policy` includes `compact`, the roll time: `segment.ms` \
          (from `log.roll.ms` > `log.roll.hours` when inherited), or `max.compaction.lag.ms` when smaller (Kafka \
          rolls a compacted log at the smaller of the two), above 7 days, Kafka's default `segment.ms`.\n\
          Why: the cleaner never touches the active segment, and a low-traffic partition rarely fills \
          `segment.bytes`, so its segment closes only after the roll time: until then every superseded value and \
          every deleted key stays on disk and readable (a deletion, e.g. for privacy, does not take effect), and \
          a restoring consumer replays all of it. Above 7 days this outlasts what anyone expects of a compacted \
          topic.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config segment.ms=86400000` (1 day: at most one small extra segment per partition per \
          day, which the cleaner merges), or set `max.compaction.lag.ms` to the longest time a superseded value \
          may stay.",
    check: compacted_segment_ms_long,
};

fn compacted_segment_ms_long(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = compacted(ctx, t)?;
        let seg = ctx.topic_val(t, "segment.ms")?;
        let s = seg.int()?;
        if s <= COMPACTED_MAX_ROLL_MS {
            return None;
        }
        let lag = ctx.topic_val(t, "max.compaction.lag.ms")?;
        if lag
            .int()
            .is_some_and(|l| l > 0 && l <= COMPACTED_MAX_ROLL_MS)
        {
            return None;
        }
        Some(hit(
            t,
            format!("{}: compacted topic rolls segments after {}", t.name, fmt_ms(s)),
            format!(
                "{}, {}, {}: the active segment is never compacted, so superseded values and deleted keys stay \
                 readable for up to {} on quiet partitions",
                policy.describe(),
                seg.describe(),
                lag.describe(),
                fmt_ms(s)
            ),
            &[&policy, &seg, &lag],
            ctx.topic_fix(&t.name, "segment.ms", &COMPACTED_ROLL_FIX_MS.to_string()),
        ))
    })
}

const COMPACTED_DELETE_RETENTION_SHORT: Rule = Rule {
    id: "compacted-delete-retention-short",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Compacted topic keeps tombstones for less than an hour",
    doc: "Checks `delete.retention.ms` (from `log.cleaner.delete.retention.ms` when inherited) below 1 hour on \
          non-internal topics whose `cleanup.policy` includes `compact`. Kafka's default is 1 day; 1 hour is the \
          same bar as `retention-ms-very-short`: shorter than a routine outage, deploy or state rebuild.\n\
          Why: a tombstone (null value) is how a key is deleted; the cleaner drops it `delete.retention.ms` after \
          compacting it. A consumer that is down, lagging or rebuilding a table from the start for longer never \
          sees the delete and keeps the key's old value for good (a stale cache, a resurrected row).\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config delete.retention.ms=86400000` (1 day, Kafka's default), or longer than the \
          slowest full replay of the topic.",
    check: compacted_delete_retention_short,
};

fn compacted_delete_retention_short(ctx: &Ctx<'_>) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = compacted(ctx, t)?;
        let dr = ctx.topic_val(t, "delete.retention.ms")?;
        let n = dr.int()?;
        (0..MIN_DELETE_RETENTION_MS).contains(&n).then(|| {
            hit(
                t,
                format!("{}: tombstones kept {}", t.name, fmt_ms(n)),
                format!(
                    "{}, {}: a consumer down or replaying longer than that misses deletes and keeps stale values",
                    policy.describe(),
                    dr.describe()
                ),
                &[&policy, &dr],
                ctx.topic_fix(&t.name, "delete.retention.ms", &DAY_MS.to_string()),
            )
        })
    })
}

const COMPACTED_DIRTY_RATIO_HIGH: Rule = Rule {
    id: "compacted-dirty-ratio-high",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Compacted topic is cleaned only when 90 % of it is obsolete",
    doc: "Checks `min.cleanable.dirty.ratio` (from `log.cleaner.min.cleanable.ratio` when inherited) ≥ 0.9 on \
          non-internal topics whose `cleanup.policy` includes `compact` (Kafka's default 0.5).\n\
          Why: the cleaner picks a log only once that share of it is uncompacted, so the topic can hold up to \
          10 times its live data: disk, replication catch-up and every full replay grow with it; only \
          `max.compaction.lag.ms`, if set, forces earlier cleaning.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config min.cleanable.dirty.ratio=0.5` (Kafka's default).",
    check: dirty_ratio_high,
};

fn dirty_ratio_high(ctx: &Ctx<'_>) -> Vec<Hit> {
    dirty_ratio(
        ctx,
        |r| r >= DIRTY_RATIO_HIGH,
        "the log is cleaned only when mostly obsolete: up to 10x its live data on disk",
    )
}

const COMPACTED_DIRTY_RATIO_LOW: Rule = Rule {
    id: "compacted-dirty-ratio-low",
    severity: Severity::Info,
    scope: RuleScope::Topic,
    title: "Compacted topic is cleaned almost constantly",
    doc: "Checks `min.cleanable.dirty.ratio` (from `log.cleaner.min.cleanable.ratio` when inherited) ≤ 0.01 on \
          non-internal topics whose `cleanup.policy` includes `compact` (Kafka's default 0.5).\n\
          Why: the cleaner recopies the whole log whenever 1 % of it is obsolete, so it spends disk I/O and CPU \
          rewriting mostly clean data, and other compacted topics wait for the shared cleaner threads.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name \
          <topic> --add-config min.cleanable.dirty.ratio=0.5` (Kafka's default); bound staleness with \
          `max.compaction.lag.ms` instead.",
    check: dirty_ratio_low,
};

fn dirty_ratio_low(ctx: &Ctx<'_>) -> Vec<Hit> {
    dirty_ratio(
        ctx,
        |r| r <= DIRTY_RATIO_LOW,
        "the cleaner rewrites the log whenever 1 % of it is obsolete",
    )
}

fn dirty_ratio(ctx: &Ctx<'_>, extreme: impl Fn(f64) -> bool, why: &str) -> Vec<Hit> {
    per_topic(ctx, |t| {
        let policy = compacted(ctx, t)?;
        let v = ctx.topic_val(t, "min.cleanable.dirty.ratio")?;
        let r = ratio(&v)?;
        extreme(r).then(|| {
            hit(
                t,
                format!("{}: min.cleanable.dirty.ratio {}", t.name, v.str()),
                format!("{}, {}: {why}", policy.describe(), v.describe()),
                &[&policy, &v],
                ctx.topic_fix(&t.name, "min.cleanable.dirty.ratio", "0.5"),
            )
        })
    })
}

// --- layout ----------------------------------------------------------------------------------------------

/// Retained records from which a single partition is worth a look: a replay is one consumer reading
/// them serially.
const SINGLE_PARTITION_RETAINED_RECORDS: u64 = 1_000_000;

const SINGLE_PARTITION_WITH_TRAFFIC: Rule = Rule {
    id: "single-partition-with-traffic",
    severity: Severity::Info,
    scope: RuleScope::Topic,
    title: "Busy topic has a single partition",
    doc: "Checks non-internal, non-scratch topics with one partition that retain at least 1,000,000 records \
          (high watermark − log start offset). Needs retained record counts in the read; without them the rule \
          checks nothing. Compacted topics are exempt: Kafka Connect's config topic and Schema Registry's \
          `_schemas` must have exactly one partition.\n\
          Why: one partition is one leader broker and at most one consumer per group: throughput cannot grow \
          by adding consumers, and a new group or an offset reset reads every retained record serially (a \
          million records at a few thousand per second is minutes of catch-up). A deliberate choice for total \
          order is fine: disable the rule for such topics.\n\
          Fix: if per-key order is enough, `kafka-topics.sh --bootstrap-server <bootstrap> --alter --topic \
          <topic> --partitions <n>` (one per broker at least); records of one key then go to another partition \
          from that point on, and Kafka cannot lower the count again.",
    check: single_partition_traffic,
};

fn single_partition_traffic(ctx: &Ctx<'_>) -> Vec<Hit> {
    let brokers = ctx.cluster_brokers().max(1) as u32;
    per_topic(ctx, |t| {
        if t.internal || t.partitions != 1 || is_scratch_topic(&t.name) {
            return None;
        }
        let retained = t.retained_records?;
        if retained < SINGLE_PARTITION_RETAINED_RECORDS {
            return None;
        }
        let policy = ctx.topic_val(t, "cleanup.policy")?;
        if policy_has(&policy, "compact") {
            return None;
        }
        let target = brokers.max(2);
        Some(Hit {
            title: format!("{}: 1 partition retaining {retained} records", t.name),
            items: vec![t.name.clone()],
            detail: format!(
                "1 partition, {retained} records retained, {}: one consumer per group reads all of it serially",
                policy.describe()
            ),
            values: vec![policy.ev.clone()],
            fix: manual(format!(
                "kafka-topics.sh --bootstrap-server {} --alter --topic {} --partitions {target}",
                ctx.bootstrap(),
                t.name
            )),
        })
    })
}

const PARTITION_REPLICAS_ONE_RACK: Rule = Rule {
    id: "partition-replicas-one-rack",
    severity: Severity::Warn,
    scope: RuleScope::Topic,
    title: "Every replica of a partition is in one rack",
    doc: "Checks, when the described brokers report at least two distinct `broker.rack` values, each partition \
          of a non-scratch topic with RF ≥ 2 for replicas all in the same rack. Partitions with a replica on a \
          broker whose rack is unknown are skipped and noted.\n\
          Why: racks (or availability zones) fail as a unit; a partition whose replicas share one loses every \
          copy at once, so it goes offline (or loses data) although the topic is replicated. Topics created \
          before racks were set, or placed by hand, keep such layouts.\n\
          Fix: run the finding's `kafka-reassign-partitions.sh` plan: it keeps the preferred leader and the \
          other replicas, and moves the last replica to the least-loaded live broker of another rack.",
    check: replicas_one_rack,
};

fn replicas_one_rack(ctx: &Ctx<'_>) -> Vec<Hit> {
    let racks = ctx.racks();
    let distinct: std::collections::BTreeSet<&str> = racks.values().map(String::as_str).collect();
    if distinct.len() < 2 {
        return vec![];
    }
    let mut load = replica_load(ctx);
    let mut hits = Vec::new();
    for t in &ctx.input.topics {
        if t.replication_factor < 2 || is_scratch_topic(&t.name) {
            continue;
        }
        let mut bad: Vec<(usize, &Vec<i32>, &str)> = Vec::new();
        for (p, reps) in t.assignment.iter().enumerate() {
            if reps.len() < 2 {
                continue;
            }
            let Some(known) = reps
                .iter()
                .map(|r| racks.get(r).map(String::as_str))
                .collect::<Option<Vec<&str>>>()
            else {
                ctx.skip(
                    "broker.rack unknown for a replica's broker: partition-replicas-one-rack skipped".into(),
                    &t.name,
                );
                continue;
            };
            if known.iter().all(|r| *r == known[0]) {
                bad.push((p, reps, known[0]));
            }
        }
        if bad.is_empty() {
            continue;
        }
        // The load this topic's plan adds, kept only when every partition finds a broker.
        let mut trial = load.clone();
        let mut parts = Vec::new();
        for (p, reps, rack) in &bad {
            let keep = &reps[..reps.len() - 1];
            let Some((&id, _)) = trial
                .iter()
                .filter(|(id, _)| {
                    !reps.contains(id) && racks.get(id).is_some_and(|r| r.as_str() != *rack)
                })
                .min_by_key(|(id, n)| (**n, **id))
            else {
                parts.clear();
                break;
            };
            *trial.entry(id).or_default() += 1;
            let new: Vec<String> = keep.iter().chain([&id]).map(|r| r.to_string()).collect();
            parts.push(format!(
                r#"{{"topic":"{}","partition":{p},"replicas":[{}]}}"#,
                t.name,
                new.join(",")
            ));
        }
        if !parts.is_empty() {
            load = trial;
        }
        let fix = if parts.is_empty() {
            manual(format!(
                "add live brokers in a second rack, then move one replica of each listed partition of {} there \
                 with kafka-reassign-partitions.sh",
                t.name
            ))
        } else if bad.len() > MAX_INLINE_PLAN_PARTITIONS as usize {
            manual(format!(
                "write a kafka-reassign-partitions.sh plan moving one replica of each of {}'s {} single-rack \
                 partitions to a broker in another rack, then run it with --execute",
                t.name,
                bad.len()
            ))
        } else {
            plan_command(ctx, &format!("spread-racks-{}.json", t.name), &parts)
        };
        let shown: Vec<String> = bad
            .iter()
            .map(|(p, reps, rack)| {
                let r: Vec<String> = reps.iter().map(|x| x.to_string()).collect();
                format!("partition {p} [{}] all on rack {rack}", r.join(","))
            })
            .collect();
        hits.push(Hit {
            title: format!(
                "{}: {} of {} partition(s) have every replica in one rack",
                t.name,
                bad.len(),
                t.partitions
            ),
            items: vec![t.name.clone()],
            detail: format!(
                "{}; racks: {}: losing that rack loses every copy",
                list(shown.iter().map(String::as_str)),
                racks
                    .iter()
                    .map(|(id, r)| format!("broker {id}={r}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            values: vec![],
            fix,
        });
    }
    hits
}

const PARTITIONS_NOT_MULTIPLE_OF_BROKERS: Rule = Rule {
    id: "partitions-not-multiple-of-brokers",
    severity: Severity::Info,
    scope: RuleScope::Cluster,
    title: "Partition counts are not a multiple of the broker count",
    doc: "Lists non-internal topics with more than one partition whose partition count is not a multiple of \
          the broker count (live brokers plus any down broker that still holds replicas) (single-partition topics are a deliberate choice for total order).\n\
          Why: leaders and replicas cannot spread evenly, so some brokers carry more of the topic's load.\n\
          Fix: only when the keys allow it: adding partitions moves keys to other partitions (ordering per key \
          breaks across the change, compacted topics keep stale values). Then `kafka-topics.sh --alter \
          --topic <topic> --partitions <next multiple>`; Kafka cannot lower partition counts.",
    check: partitions_not_multiple,
};

fn partitions_not_multiple(ctx: &Ctx<'_>) -> Vec<Hit> {
    let n = ctx.cluster_brokers() as u32;
    if n <= 1 {
        return vec![];
    }
    let odd: Vec<&TopicConfigSnapshot> = ctx
        .input
        .topics
        .iter()
        .filter(|t| !t.internal && t.partitions > 1 && t.partitions % n != 0)
        .collect();
    if odd.is_empty() {
        return vec![];
    }
    let mut cmds: Vec<String> = odd
        .iter()
        .take(EVIDENCE_ITEMS)
        .map(|t| {
            format!(
                "kafka-topics.sh --bootstrap-server {} --alter --topic {} --partitions {}",
                ctx.bootstrap(),
                t.name,
                t.partitions.div_ceil(n) * n
            )
        })
        .collect();
    if odd.len() > EVIDENCE_ITEMS {
        cmds.push(format!("# and {} more topics", odd.len() - EVIDENCE_ITEMS));
    }
    vec![Hit {
        title: format!(
            "{} topic(s) have a partition count that is not a multiple of {n} brokers",
            odd.len()
        ),
        items: odd.iter().map(|t| t.name.clone()).collect(),
        detail: format!(
            "{n} brokers; {}",
            odd.iter()
                .take(EVIDENCE_ITEMS)
                .map(|t| format!("{}={}", t.name, t.partitions))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        values: vec![],
        fix: manual(cmds.join(" && ")),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;
    use crate::analysis::audit::{
        apply_alter, apply_fix, evaluate, AuditInput, AuditOptions, NullKeySample,
    };
    use ConfigSource::*;

    #[test]
    fn unclean_leader_election_topic_override() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "unclean.leader.election.enable",
            "true",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "unclean-leader-election");
        assert_eq!(f.finding.severity, Severity::Critical);
        assert_eq!(f.finding.evidence.items, ["orders"]);
        fix_clears(&i, f);
        put_topic(
            &mut i,
            "orders",
            "unclean.leader.election.enable",
            "false",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn min_isr_above_rf() {
        let mut i = base();
        i.topics.push(topic("solo", 3, 1));
        i.topics[1].assignment = vec![vec![1], vec![2], vec![3]];
        let r = run(&i);
        assert_eq!(ids(&r), ["min-isr-above-rf", "rf-one"]);
        let f = &r.findings[0];
        assert_eq!(f.finding.title, "solo: min.insync.replicas 2 > RF 1");
        assert!(
            f.finding
                .evidence
                .detail
                .contains("[STATIC_BROKER_CONFIG: server.properties"),
            "{}",
            f.finding.evidence.detail
        );
        // Issue #13 (14): the fix is rf-one's plan (RF 3, keep 2), not "lower it to 1", which
        // together with rf-one's RF 3 would leave min-isr-below-2.
        assert_eq!(f.finding.remediation, r.findings[1].finding.remediation);
        assert!(f.fix.incremental_alter.is_none());
        assert!(
            f.finding
                .evidence
                .detail
                .contains("keep min.insync.replicas=2"),
            "{}",
            f.finding.evidence.detail
        );
        assert_eq!(all_fixes_add_up(&i, "solo"), ["min-isr-above-rf", "rf-one"]);
        put_topic(
            &mut i,
            "solo",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        assert_eq!(ids(&run(&i)), ["rf-one"]);
    }

    /// Issue #13 (14): every fix listed for one topic, applied together, leaves no finding on it.
    #[test]
    fn fixes_on_one_topic_add_up() {
        // (topic, partitions, RF, topic-level min.insync.replicas or inherited 2, live brokers,
        //  ids that fire)
        type Row = (
            &'static str,
            u32,
            u32,
            Option<&'static str>,
            usize,
            &'static [&'static str],
        );
        let rows: &[Row] = &[
            ("solo", 3, 1, None, 3, &["min-isr-above-rf", "rf-one"]),
            ("duo", 3, 2, None, 3, &["min-isr-equals-rf", "rf-below-3"]),
            ("solo4", 3, 1, Some("4"), 3, &["min-isr-above-rf", "rf-one"]),
            (
                "duo3",
                3,
                2,
                Some("3"),
                3,
                &["min-isr-above-rf", "rf-below-3"],
            ),
            ("tmp.solo", 3, 1, None, 3, &["min-isr-above-rf"]),
            ("triple", 3, 3, Some("3"), 3, &["min-isr-equals-rf"]),
            ("triple1", 3, 3, Some("1"), 3, &["min-isr-below-2"]),
        ];
        for &(name, partitions, rf, min_isr, live, want) in rows {
            let mut i = base();
            i.live_broker_ids.truncate(live);
            i.topics = vec![topic(name, partitions, rf)];
            if let Some(m) = min_isr {
                put_topic(&mut i, name, "min.insync.replicas", m, DynamicTopicConfig);
            }
            let mut got = all_fixes_add_up(&i, name);
            got.sort();
            let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn min_isr_equals_rf() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "3",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "min-isr-equals-rf");
        assert!(f.finding.evidence.detail.starts_with("min.insync.replicas=3 [DYNAMIC_TOPIC_CONFIG: topic override on orders] = replication factor 3"), "{}", f.finding.evidence.detail);
        fix_clears(&i, f);
        // RF 1 with min.isr 1 is rf-one's business, not this rule's.
        i.topics.push(topic("solo", 3, 1));
        put_topic(
            &mut i,
            "solo",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        assert!(hits(&run(&i), "min-isr-equals-rf")
            .iter()
            .all(|f| f.finding.evidence.items == ["orders"]));
    }

    #[test]
    fn min_isr_below_2() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = run(&i);
        fix_clears(&i, only(&r, "min-isr-below-2"));
        // RF 2 with min.isr 1 is rf-below-3's business.
        let mut i = base();
        i.topics[0].replication_factor = 2;
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        assert_eq!(ids(&run(&i)), ["rf-below-3"]);
    }

    #[test]
    fn rf_one_plan_keeps_current_replicas() {
        let mut i = base();
        i.topics.push(TopicConfigSnapshot {
            assignment: vec![vec![3], vec![1]],
            ..topic("single", 2, 1)
        });
        put_topic(
            &mut i,
            "single",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = run(&i);
        // 2 partitions over 3 brokers is also worth an info.
        assert_eq!(ids(&r), ["rf-one", "partitions-not-multiple-of-brokers"]);
        let f = &r.findings[0];
        assert!(f.fix.incremental_alter.is_none());
        // orders puts 6 replicas on each broker; single adds 3 and 1.
        assert_eq!(
            f.finding.remediation,
            "echo '{\"version\":1,\"partitions\":[{\"topic\":\"single\",\"partition\":0,\"replicas\":[3,2,1]},\
             {\"topic\":\"single\",\"partition\":1,\"replicas\":[1,2,3]}]}' > increase-rf-single.json && \
             kafka-reassign-partitions.sh --bootstrap-server <bootstrap> --reassignment-json-file \
             increase-rf-single.json --execute"
        );
    }

    #[test]
    fn rf_one_exempts_scratch_and_needs_brokers() {
        let mut i = base();
        i.topics.push(topic("tmp.scratchpad", 3, 1));
        put_topic(
            &mut i,
            "tmp.scratchpad",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        let mut i = base();
        i.live_broker_ids = vec![1];
        i.brokers.truncate(1);
        i.topics = vec![topic("solo", 1, 1)];
        put_topic(
            &mut i,
            "solo",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "rf-one");
        assert!(
            f.finding
                .remediation
                .starts_with("only 1 live broker(s): add brokers"),
            "{}",
            f.finding.remediation
        );
    }

    #[test]
    fn rf_below_3() {
        let mut i = base();
        i.topics[0].replication_factor = 2;
        i.topics[0].assignment = assignment(6, 2);
        put_topic(
            &mut i,
            "orders",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "rf-below-3");
        assert!(
            f.finding
                .remediation
                .contains(r#""partition":0,"replicas":[1,2,3]"#),
            "{}",
            f.finding.remediation
        );
        i.topics[0].name = "orders-test".into();
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn rf_above_live_brokers() {
        let mut i = base();
        i.live_broker_ids = vec![1, 2];
        let r = run(&i);
        let f = only(&r, "rf-above-live-brokers");
        assert!(f
            .finding
            .evidence
            .detail
            .contains("only 2 live broker(s) (1, 2)"));
        i.live_broker_ids = vec![];
        let r = run(&i);
        assert!(r.findings.is_empty());
        assert!(
            r.notes[0].starts_with("live broker list unknown"),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn max_message_bytes_above_segment_bytes() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "1048576",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "max.message.bytes",
            "1048576",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "max.message.bytes",
            "2097152",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "max-message-bytes-above-segment-bytes");
        assert_eq!(f.finding.severity, Severity::Error);
        assert_eq!(
            f.fix.incremental_alter.as_ref().unwrap().value.as_deref(),
            Some("1048576")
        );
        fix_clears(&i, f);
    }

    #[test]
    fn segment_bytes_vs_retention_bytes_boundaries() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "2097152",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "1048576",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "max.message.bytes",
            "1000000",
            DynamicTopicConfig,
        );
        // Exactly 50 %: inside the range.
        assert!(run(&i).findings.is_empty());
        // 1 MiB of 1.5 MiB: too large, and segment.bytes cannot go below 1 MiB.
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "1572864",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "segment-bytes-vs-retention-bytes");
        assert!(f.fix.incremental_alter.is_none());
        assert!(f
            .finding
            .remediation
            .contains("retention.bytes=10485760,segment.bytes=1048576"));
        // 512 MiB of 1 GiB: too large, fixed by 10 %.
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "1073741824",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "536870913",
            DynamicTopicConfig,
        );
        let r = run(&i);
        fix_clears(&i, only(&r, "segment-bytes-vs-retention-bytes"));
        // Exactly 2 %: inside; just below: too small.
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "104857600",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "2097152",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "segment.bytes",
            "2097151",
            DynamicTopicConfig,
        );
        let r = run(&i);
        fix_clears(&i, only(&r, "segment-bytes-vs-retention-bytes"));
        // Compacted topics and unlimited retention.bytes are not checked.
        put_topic(
            &mut i,
            "orders",
            "cleanup.policy",
            "compact",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn retention_unbounded() {
        let mut i = base();
        put_topic(&mut i, "orders", "retention.ms", "-1", DynamicTopicConfig);
        let r = run(&i);
        fix_clears(&i, only(&r, "retention-unbounded"));
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "1073741824000",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "-1",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "cleanup.policy",
            "compact,delete",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn retention_ms_very_short() {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "retention.ms",
            "600000",
            DynamicTopicConfig,
        );
        put_topic(&mut i, "orders", "segment.ms", "600000", DynamicTopicConfig);
        let r = run(&i);
        let f = only(&r, "retention-ms-very-short");
        assert_eq!(f.finding.title, "orders: retention 600000 ms (10min)");
        fix_clears(&i, f);
        put_topic(
            &mut i,
            "orders",
            "retention.ms",
            "3600000",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn segment_ms_above_retention_ms_via_broker_units() {
        let mut i = base();
        // The topic does not report retention.ms: it is inherited from log.retention.minutes.
        i.topics[0]
            .configs
            .entries
            .retain(|e| e.name != "retention.ms");
        put_brokers(&mut i, "log.retention.minutes", "1440", StaticBrokerConfig);
        let r = run(&i);
        let f = only(&r, "segment-ms-above-retention-ms");
        assert_eq!(f.finding.severity, Severity::Info);
        assert!(
            f.finding.evidence.detail.contains(
                "retention.ms=86400000 [STATIC_BROKER_CONFIG via log.retention.minutes: inherited from broker 1: \
                 server.properties of broker 1]"
            ),
            "{}",
            f.finding.evidence.detail
        );
        fix_clears(&i, f);
    }

    #[test]
    fn compacted_topic_null_keys() {
        let mut i = base();
        i.topics[0].null_key_sample = Some(NullKeySample {
            sampled: 100,
            null_keys: 3,
        });
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "cleanup.policy",
            "compact",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-topic-null-keys");
        assert_eq!(
            f.finding.title,
            "orders: 3 of 100 sampled records have no key"
        );
        i.topics[0].null_key_sample = Some(NullKeySample {
            sampled: 100,
            null_keys: 0,
        });
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn partitions_not_multiple_of_brokers() {
        let mut i = base();
        i.topics.push(topic("five", 5, 3));
        i.topics.push(topic("one", 1, 3));
        i.topics.push(TopicConfigSnapshot {
            internal: true,
            ..topic("__consumer_offsets", 50, 3)
        });
        let r = run(&i);
        let f = only(&r, "partitions-not-multiple-of-brokers");
        assert_eq!(f.finding.evidence.items, ["five"]);
        assert_eq!(
            f.finding.remediation,
            "kafka-topics.sh --bootstrap-server <bootstrap> --alter --topic five --partitions 6"
        );
        // A down broker that still holds replicas counts: 6 partitions stay even over 3 brokers.
        i.live_broker_ids = vec![1, 2];
        let r = evaluate(
            &i,
            &AuditOptions {
                min_severity: Severity::Info,
                disabled: vec!["rf-above-live-brokers".into()],
                ..AuditOptions::default()
            },
        );
        assert_eq!(
            pairs_of(&r),
            [("partitions-not-multiple-of-brokers", vec!["five"])]
        );
    }

    /// The options the config-audit tool uses for scope=topic: every rule that is not a topic
    /// rule is disabled, except the partition-layout one.
    fn topic_scope() -> AuditOptions {
        AuditOptions {
            disabled: crate::analysis::audit::rules()
                .into_iter()
                .filter(|r| {
                    r.scope != RuleScope::Topic && r.id != "partitions-not-multiple-of-brokers"
                })
                .map(|r| r.id)
                .collect(),
            ..AuditOptions::default()
        }
    }

    #[test]
    fn unclean_leader_election_inherited_shows_in_topic_scope() {
        let key = "unclean.leader.election.enable";
        let mut i = base();
        put_brokers(&mut i, key, "true", DynamicDefaultBrokerConfig);
        put_topic(&mut i, "orders", key, "true", DynamicDefaultBrokerConfig);
        // Cluster scope: reported once, by the broker rule.
        assert_eq!(ids(&run(&i)), ["broker-unclean-leader-election"]);
        // Topic scope: the broker rule does not run, so the topic says it.
        let r = evaluate(&i, &topic_scope());
        let f = only(&r, "unclean-leader-election");
        assert_eq!(
            f.finding.title,
            "orders: unclean.leader.election.enable=true inherited (DYNAMIC_DEFAULT_BROKER_CONFIG)"
        );
        assert_eq!(
            f.finding.evidence.detail,
            "unclean.leader.election.enable=true [DYNAMIC_DEFAULT_BROKER_CONFIG: cluster-wide dynamic broker \
             default]: inherited, no topic override; a failover to an out-of-sync replica loses acknowledged \
             writes. Fix: this topic with the override below, or every inheriting topic at once: kafka-configs.sh \
             --bootstrap-server <bootstrap> --alter --entity-type brokers --entity-default --add-config \
             unclean.leader.election.enable=false"
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name orders \
             --add-config unclean.leader.election.enable=false"
        );
        assert_eq!(f.values[0].source, Some(DynamicDefaultBrokerConfig));
        // Both fixes clear it in topic scope.
        let mut fixed = i.clone();
        assert!(apply_fix(&mut fixed, &f.fix));
        assert!(evaluate(&fixed, &topic_scope()).findings.is_empty());
        let mut fixed = i.clone();
        assert!(apply_alter(
            &mut fixed,
            &AlterOp {
                resource_type: AlterResourceType::BrokerDefault,
                resource_name: String::new(),
                key: key.into(),
                op: AlterOpKind::Set,
                value: Some("false".into()),
            }
        ));
        assert!(evaluate(&fixed, &topic_scope()).findings.is_empty());

        // server.properties, and the topic did not return the key: inherited from the broker.
        let mut i = base();
        put_brokers(&mut i, key, "true", StaticBrokerConfig);
        i.topics[0].configs.entries.retain(|e| e.name != key);
        let r = evaluate(&i, &topic_scope());
        let f = only(&r, "unclean-leader-election");
        assert!(
            f.finding.evidence.detail.starts_with(
                "unclean.leader.election.enable=true [STATIC_BROKER_CONFIG: inherited from broker 1: \
                 server.properties of broker 1]: inherited"
            ),
            "{}",
            f.finding.evidence.detail
        );
        fix_clears(&i, f);

        // One broker's dynamic override: the broker-level fix removes it there.
        let mut i = base();
        put(&mut i.brokers[1].configs, key, "true", DynamicBrokerConfig);
        put_topic(&mut i, "orders", key, "true", DynamicBrokerConfig);
        let r = evaluate(&i, &topic_scope());
        let f = only(&r, "unclean-leader-election");
        assert!(
            f.finding.evidence.detail.ends_with(
                "every inheriting topic at once: kafka-configs.sh --bootstrap-server <bootstrap> --alter \
                 --entity-type brokers --entity-name 2 --delete-config unclean.leader.election.enable"
            ),
            "{}",
            f.finding.evidence.detail
        );
        // Clean: the broker default false, inherited.
        assert!(evaluate(&base(), &topic_scope()).findings.is_empty());
    }

    /// `orders` made a compacted topic with Kafka's default compaction settings.
    fn compacted_orders() -> AuditInput {
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "cleanup.policy",
            "compact",
            DynamicTopicConfig,
        );
        i
    }

    #[test]
    fn compacted_segment_ms_long() {
        let mut i = compacted_orders();
        // Kafka's default, 7 days, is the limit.
        assert!(run(&i).findings.is_empty());
        put_topic(
            &mut i,
            "orders",
            "segment.ms",
            "1209600000",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-segment-ms-long");
        assert_eq!(f.finding.severity, Severity::Warn);
        assert_eq!(
            f.finding.title,
            "orders: compacted topic rolls segments after 1209600000 ms (14d)"
        );
        assert_eq!(
            f.finding.evidence.detail,
            "cleanup.policy=compact [DYNAMIC_TOPIC_CONFIG: topic override on orders], segment.ms=1209600000 \
             [DYNAMIC_TOPIC_CONFIG: topic override on orders], max.compaction.lag.ms=9223372036854775807 \
             [DEFAULT_CONFIG: Kafka default]: the active segment is never compacted, so superseded values and \
             deleted keys stay readable for up to 1209600000 ms (14d) on quiet partitions"
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name orders \
             --add-config segment.ms=86400000"
        );
        fix_clears(&i, f);
        // max.compaction.lag.ms of 1 day rolls the log anyway.
        put_topic(
            &mut i,
            "orders",
            "max.compaction.lag.ms",
            "86400000",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        // Inherited from log.roll.hours, normalised to ms.
        let mut i = compacted_orders();
        i.topics[0]
            .configs
            .entries
            .retain(|e| e.name != "segment.ms");
        put_brokers(&mut i, "log.roll.hours", "720", StaticBrokerConfig);
        let r = run(&i);
        let f = only(&r, "compacted-segment-ms-long");
        assert!(
            f.finding.evidence.detail.contains(
                "segment.ms=2592000000 [STATIC_BROKER_CONFIG via log.roll.hours: inherited from broker 1: \
                 server.properties of broker 1]"
            ),
            "{}",
            f.finding.evidence.detail
        );
        fix_clears(&i, f);
        // Delete-policy topics are not this rule's business.
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "segment.ms",
            "1209600000",
            DynamicTopicConfig,
        );
        put_topic(&mut i, "orders", "retention.ms", "-1", DynamicTopicConfig);
        put_topic(
            &mut i,
            "orders",
            "retention.bytes",
            "1073741824000",
            DynamicTopicConfig,
        );
        assert!(hits(&run(&i), "compacted-segment-ms-long").is_empty());
    }

    #[test]
    fn compacted_delete_retention_short() {
        let mut i = compacted_orders();
        put_topic(
            &mut i,
            "orders",
            "cleanup.policy",
            "compact,delete",
            DynamicTopicConfig,
        );
        put_topic(
            &mut i,
            "orders",
            "delete.retention.ms",
            "600000",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-delete-retention-short");
        assert_eq!(f.finding.title, "orders: tombstones kept 600000 ms (10min)");
        assert_eq!(
            f.finding.evidence.detail,
            "cleanup.policy=compact,delete [DYNAMIC_TOPIC_CONFIG: topic override on orders], \
             delete.retention.ms=600000 [DYNAMIC_TOPIC_CONFIG: topic override on orders]: a consumer down or \
             replaying longer than that misses deletes and keeps stale values"
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name orders \
             --add-config delete.retention.ms=86400000"
        );
        fix_clears(&i, f);
        // One hour is enough.
        put_topic(
            &mut i,
            "orders",
            "delete.retention.ms",
            "3600000",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        // Inherited from the brokers' log.cleaner.delete.retention.ms.
        let mut i = compacted_orders();
        i.topics[0]
            .configs
            .entries
            .retain(|e| e.name != "delete.retention.ms");
        put_brokers(
            &mut i,
            "log.cleaner.delete.retention.ms",
            "60000",
            DynamicDefaultBrokerConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-delete-retention-short");
        assert!(
            f.finding.evidence.detail.contains(
                "delete.retention.ms=60000 [DYNAMIC_DEFAULT_BROKER_CONFIG via log.cleaner.delete.retention.ms: \
                 inherited from broker 1: cluster-wide dynamic broker default]"
            ),
            "{}",
            f.finding.evidence.detail
        );
        fix_clears(&i, f);
    }

    #[test]
    fn compacted_dirty_ratio_extremes() {
        let mut i = compacted_orders();
        for ok in ["0.5", "0.89", "0.02"] {
            put_topic(
                &mut i,
                "orders",
                "min.cleanable.dirty.ratio",
                ok,
                DynamicTopicConfig,
            );
            assert!(run(&i).findings.is_empty(), "{ok}");
        }
        put_topic(
            &mut i,
            "orders",
            "min.cleanable.dirty.ratio",
            "0.9",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-dirty-ratio-high");
        assert_eq!(f.finding.severity, Severity::Warn);
        assert_eq!(f.finding.title, "orders: min.cleanable.dirty.ratio 0.9");
        assert_eq!(
            f.finding.evidence.detail,
            "cleanup.policy=compact [DYNAMIC_TOPIC_CONFIG: topic override on orders], min.cleanable.dirty.ratio=0.9 \
             [DYNAMIC_TOPIC_CONFIG: topic override on orders]: the log is cleaned only when mostly obsolete: up to \
             10x its live data on disk"
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type topics --entity-name orders \
             --add-config min.cleanable.dirty.ratio=0.5"
        );
        fix_clears(&i, f);
        put_topic(
            &mut i,
            "orders",
            "min.cleanable.dirty.ratio",
            "0.01",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = only(&r, "compacted-dirty-ratio-low");
        assert_eq!(f.finding.severity, Severity::Info);
        assert!(f
            .finding
            .evidence
            .detail
            .ends_with("min.cleanable.dirty.ratio=0.01 [DYNAMIC_TOPIC_CONFIG: topic override on orders]: the cleaner rewrites the log whenever 1 % of it is obsolete"));
        fix_clears(&i, f);
        // Inherited from log.cleaner.min.cleanable.ratio.
        let mut i = compacted_orders();
        i.topics[0]
            .configs
            .entries
            .retain(|e| e.name != "min.cleanable.dirty.ratio");
        put_brokers(
            &mut i,
            "log.cleaner.min.cleanable.ratio",
            "0.95",
            StaticBrokerConfig,
        );
        let r = run(&i);
        fix_clears(&i, only(&r, "compacted-dirty-ratio-high"));
        // Internal topics are tuned by the brokers, and delete-policy topics do not compact.
        let mut i = base();
        put_topic(
            &mut i,
            "orders",
            "min.cleanable.dirty.ratio",
            "0.99",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        let mut i = compacted_orders();
        i.topics[0].internal = true;
        put_topic(
            &mut i,
            "orders",
            "min.cleanable.dirty.ratio",
            "0.99",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn single_partition_with_traffic() {
        let mut i = base();
        i.topics.push(topic("audit.log", 1, 3));
        // No retained counts in the read: nothing to judge, nothing said.
        assert!(run(&i).findings.is_empty());
        i.topics[1].retained_records = Some(999_999);
        assert!(run(&i).findings.is_empty());
        i.topics[1].retained_records = Some(2_500_000);
        let r = run(&i);
        let f = only(&r, "single-partition-with-traffic");
        assert_eq!(f.finding.severity, Severity::Info);
        assert_eq!(
            f.finding.title,
            "audit.log: 1 partition retaining 2500000 records"
        );
        assert_eq!(
            f.finding.evidence.detail,
            "1 partition, 2500000 records retained, cleanup.policy=delete [DEFAULT_CONFIG: Kafka default]: one \
             consumer per group reads all of it serially"
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-topics.sh --bootstrap-server <bootstrap> --alter --topic audit.log --partitions 3"
        );
        assert!(f.fix.incremental_alter.is_none());
        // Compacted single-partition topics (Connect configs, _schemas) are by design.
        put_topic(
            &mut i,
            "audit.log",
            "cleanup.policy",
            "compact",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings.is_empty());
        // Scratch and internal topics are exempt.
        let mut i = base();
        i.topics.push(TopicConfigSnapshot {
            retained_records: Some(5_000_000),
            ..topic("tmp.load", 1, 3)
        });
        i.topics.push(TopicConfigSnapshot {
            retained_records: Some(5_000_000),
            internal: true,
            ..topic("__cluster_metadata", 1, 3)
        });
        assert!(run(&i).findings.is_empty());
    }

    /// Brokers 1 and 2 in rack `a`, broker 3 in rack `b`.
    fn racked() -> AuditInput {
        let mut i = base();
        for (b, rack) in i.brokers.iter_mut().zip(["a", "a", "b"]) {
            put(&mut b.configs, "broker.rack", rack, StaticBrokerConfig);
        }
        i
    }

    #[test]
    fn partition_replicas_one_rack() {
        let mut i = racked();
        // orders spreads every partition over brokers 1, 2 and 3: both racks.
        assert!(run(&i).findings.is_empty());
        i.topics.push(TopicConfigSnapshot {
            assignment: vec![vec![1, 2], vec![2, 3], vec![2, 1]],
            ..topic("pairs", 3, 2)
        });
        put_topic(
            &mut i,
            "pairs",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = run(&i);
        let f = hits(&r, "partition-replicas-one-rack");
        assert_eq!(f.len(), 1);
        let f = f[0];
        assert_eq!(f.finding.severity, Severity::Warn);
        assert_eq!(
            f.finding.title,
            "pairs: 2 of 3 partition(s) have every replica in one rack"
        );
        assert_eq!(
            f.finding.evidence.detail,
            "partition 0 [1,2] all on rack a, partition 2 [2,1] all on rack a; racks: broker 1=a, broker 2=a, \
             broker 3=b: losing that rack loses every copy"
        );
        assert_eq!(
            f.finding.remediation,
            "echo '{\"version\":1,\"partitions\":[{\"topic\":\"pairs\",\"partition\":0,\"replicas\":[1,3]},\
             {\"topic\":\"pairs\",\"partition\":2,\"replicas\":[2,3]}]}' > spread-racks-pairs.json && \
             kafka-reassign-partitions.sh --bootstrap-server <bootstrap> --reassignment-json-file \
             spread-racks-pairs.json --execute"
        );
        let mut fixed = i.clone();
        assert!(apply_fix(&mut fixed, &f.fix));
        assert!(hits(&run(&fixed), "partition-replicas-one-rack").is_empty());
        assert_eq!(fixed.topics[1].replication_factor, 2);

        // No live broker in another rack: the fix says what to do first.
        let mut down = i.clone();
        down.live_broker_ids = vec![1, 2];
        let r = run(&down);
        let f = hits(&r, "partition-replicas-one-rack")[0];
        assert_eq!(
            f.finding.remediation,
            "add live brokers in a second rack, then move one replica of each listed partition of pairs there \
             with kafka-reassign-partitions.sh"
        );
        // A single rack, or none, says nothing about rack spread.
        let mut one = i.clone();
        for b in &mut one.brokers {
            put(&mut b.configs, "broker.rack", "a", StaticBrokerConfig);
        }
        assert!(hits(&run(&one), "partition-replicas-one-rack").is_empty());
        let mut none = i.clone();
        for b in &mut none.brokers {
            put_null(&mut b.configs, "broker.rack");
        }
        let r = run(&none);
        assert!(hits(&r, "partition-replicas-one-rack").is_empty());
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        // A replica on a broker of unknown rack: skipped and noted.
        let mut unknown = i.clone();
        put_null(&mut unknown.brokers[2].configs, "broker.rack");
        put(
            &mut unknown.brokers[1].configs,
            "broker.rack",
            "b",
            StaticBrokerConfig,
        );
        let r = run(&unknown);
        assert!(hits(&r, "partition-replicas-one-rack").is_empty());
        assert_eq!(
            r.notes,
            ["broker.rack unknown for a replica's broker: partition-replicas-one-rack skipped: orders, pairs"]
        );
    }

    fn pairs_of(r: &crate::analysis::audit::AuditReport) -> Vec<(&str, Vec<&str>)> {
        r.findings
            .iter()
            .map(|f| {
                (
                    f.finding.id.as_str(),
                    f.finding
                        .evidence
                        .items
                        .iter()
                        .map(String::as_str)
                        .collect(),
                )
            })
            .collect()
    }
}

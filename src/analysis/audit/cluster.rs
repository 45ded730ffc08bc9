//! Cluster and broker rules: broker defaults that new and internal topics inherit, and partition
//! spread.

use crate::analysis::finding::Severity;
use crate::snapshot::ConfigSource;

use super::context::{
    broker_topic_default, broker_val, list, manual, origin_text, Ctx, Hit, Rule, Val,
};
use super::{AlterOp, AlterOpKind, AlterResourceType, RuleScope};

/// The cluster and broker family, in evaluation order.
pub(crate) const RULES: &[Rule] = &[
    BROKER_UNCLEAN_LEADER_ELECTION,
    AUTO_CREATE_TOPICS_ENABLED,
    DEFAULT_REPLICATION_FACTOR_BELOW_3,
    BROKER_MIN_ISR_BELOW_2,
    OFFSETS_TOPIC_RF_BELOW_3,
    TRANSACTION_LOG_RF_BELOW_3,
    TRANSACTION_LOG_MIN_ISR_BELOW_2,
    BROKER_CONFIG_DRIFT,
    PARTITIONS_PER_BROKER_HIGH,
];

const BROKER_UNCLEAN_LEADER_ELECTION: Rule = Rule {
    id: "broker-unclean-leader-election",
    severity: Severity::Critical,
    scope: RuleScope::Broker,
    title: "Brokers allow unclean leader election for every topic without an override",
    doc: "Checks the broker-level `unclean.leader.election.enable`.\n\
          Why: when every in-sync replica of a partition is gone, an out-of-sync replica may become leader; \
          the records it never received are lost for good, although producers were told they were written. \
          Every topic without its own override inherits this (the topic rule `unclean-leader-election` reports \
          topic overrides, and inherited values only when this rule does not run, e.g. with scope=topic).\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type brokers --entity-default \
          --add-config unclean.leader.election.enable=false` (or on the one broker that overrides it). To \
          recover an offline partition deliberately, use `kafka-leader-election.sh --election-type unclean` \
          for that partition only.",
    check: broker_unclean,
};

fn broker_unclean(ctx: &Ctx<'_>) -> Vec<Hit> {
    let key = "unclean.leader.election.enable";
    let inheriting = ctx
        .input
        .topics
        .iter()
        .filter(|t| {
            t.configs
                .get(key)
                .is_none_or(|e| e.source != ConfigSource::DynamicTopicConfig)
        })
        .count();
    broker_hits(ctx, key, Val::is_true, |_, ids| {
        Out {
        title: format!("unclean.leader.election.enable=true on {}", brokers_word(ids)),
        detail: format!(
            "an out-of-sync replica can become leader and acknowledged writes are lost; {inheriting} topic(s) \
             inherit it"
        ),
        target: "false".into(),
    }
    })
}

const AUTO_CREATE_TOPICS_ENABLED: Rule = Rule {
    id: "auto-create-topics-enabled",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "Brokers create topics on first use",
    doc: "Checks `auto.create.topics.enable` (Kafka's default is `true`).\n\
          Why: a typo in a producer's or consumer's topic name silently creates a new topic with \
          `num.partitions` (default 1) and `default.replication.factor`, instead of failing; data goes where \
          nobody reads it, and metadata requests from misconfigured clients create topics too.\n\
          Fix: the key is read-only (not dynamically alterable): set `auto.create.topics.enable=false` in \
          server.properties on every broker and restart them one at a time; create topics explicitly \
          (`kafka-topics.sh --create`).",
    check: auto_create,
};

fn auto_create(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(ctx, "auto.create.topics.enable", Val::is_true, |_, ids| {
        Out {
            title: format!("auto.create.topics.enable=true on {}", brokers_word(ids)),
            detail: "topics are created on first use, e.g. by a typo in a client's topic name"
                .into(),
            target: "false".into(),
        }
    })
}

const DEFAULT_REPLICATION_FACTOR_BELOW_3: Rule = Rule {
    id: "default-replication-factor-below-3",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "Topics created without an explicit RF get fewer than 3 replicas",
    doc: "Checks `default.replication.factor` < 3.\n\
          Why: topics created without a replication factor (auto-created ones, many tools' defaults) get this \
          RF; below 3 they cannot survive one broker down with `min.insync.replicas=2`, or lose data with one \
          broker lost.\n\
          Fix: read-only key: set `default.replication.factor=3` in server.properties on every broker and \
          restart them one at a time (needs at least 3 brokers). Existing topics keep their RF: \
          `rf-below-3` and `rf-one` report those.",
    check: default_rf,
};

fn default_rf(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(
        ctx,
        "default.replication.factor",
        |v| v.int().is_some_and(|n| n < 3),
        |v, ids| Out {
            title: format!(
                "default.replication.factor={} on {}",
                v.str(),
                brokers_word(ids)
            ),
            detail: "new topics without an explicit RF get fewer than 3 replicas".into(),
            target: "3".into(),
        },
    )
}

const BROKER_MIN_ISR_BELOW_2: Rule = Rule {
    id: "broker-min-isr-below-2",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "Broker default min.insync.replicas is below 2",
    doc: "Checks the broker-level `min.insync.replicas` < 2 (Kafka's default is 1).\n\
          Why: with 1, an `acks=all` write is acknowledged as soon as the leader alone has it; if that broker \
          then dies before followers catch up, the write is lost. Topics without an override inherit this.\n\
          Fix: `kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type brokers --entity-default \
          --add-config min.insync.replicas=2` (dynamic); keep RF ≥ 3 so one broker down does not block writes.",
    check: broker_min_isr,
};

fn broker_min_isr(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(
        ctx,
        "min.insync.replicas",
        |v| v.int().is_some_and(|n| n < 2),
        |v, ids| Out {
            title: format!("min.insync.replicas={} on {}", v.str(), brokers_word(ids)),
            detail:
                "acks=all writes are acknowledged by the leader alone on topics without an override"
                    .into(),
            target: "2".into(),
        },
    )
}

const OFFSETS_TOPIC_RF_BELOW_3: Rule = Rule {
    id: "offsets-topic-rf-below-3",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "__consumer_offsets is configured with fewer than 3 replicas",
    doc: "Checks `offsets.topic.replication.factor` < 3.\n\
          Why: consumer groups' committed offsets live in `__consumer_offsets`; with RF 1 one broker loss \
          loses them, and groups restart from `auto.offset.reset`. The key only applies when the topic is \
          created (on first group use), so a low value in a new cluster becomes a permanent low RF.\n\
          Fix: read-only key: set `offsets.topic.replication.factor=3` in server.properties on every broker \
          and restart them one at a time. If `__consumer_offsets` already exists with RF < 3, raise it with \
          `kafka-reassign-partitions.sh` (the `rf-below-3`/`rf-one` findings carry the plan).",
    check: offsets_rf,
};

fn offsets_rf(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(
        ctx,
        "offsets.topic.replication.factor",
        |v| v.int().is_some_and(|n| (1..3).contains(&n)),
        |v, ids| Out {
            title: format!(
                "offsets.topic.replication.factor={} on {}",
                v.str(),
                brokers_word(ids)
            ),
            detail: "committed offsets would not survive one broker loss".into(),
            target: "3".into(),
        },
    )
}

const TRANSACTION_LOG_RF_BELOW_3: Rule = Rule {
    id: "transaction-log-rf-below-3",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "__transaction_state is configured with fewer than 3 replicas",
    doc: "Checks `transaction.state.log.replication.factor` < 3.\n\
          Why: transactional and exactly-once producers keep their state in `__transaction_state`; with a low \
          RF one broker loss blocks or aborts transactions. Applies when the topic is created.\n\
          Fix: read-only key: set `transaction.state.log.replication.factor=3` in server.properties on every \
          broker and restart them one at a time; raise an existing topic's RF with `kafka-reassign-partitions.sh`.",
    check: txn_rf,
};

fn txn_rf(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(
        ctx,
        "transaction.state.log.replication.factor",
        |v| v.int().is_some_and(|n| (1..3).contains(&n)),
        |v, ids| Out {
            title: format!(
                "transaction.state.log.replication.factor={} on {}",
                v.str(),
                brokers_word(ids)
            ),
            detail: "transaction state would not survive one broker loss".into(),
            target: "3".into(),
        },
    )
}

const TRANSACTION_LOG_MIN_ISR_BELOW_2: Rule = Rule {
    id: "transaction-log-min-isr-below-2",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "__transaction_state accepts writes with a single in-sync replica",
    doc: "Checks `transaction.state.log.min.isr` < 2.\n\
          Why: transaction markers and state are acknowledged by one replica only; losing that broker can lose \
          a commit decision.\n\
          Fix: read-only key: set `transaction.state.log.min.isr=2` in server.properties on every broker and \
          restart them one at a time; the existing topic also needs \
          `kafka-configs.sh --alter --entity-type topics --entity-name __transaction_state --add-config \
          min.insync.replicas=2`.",
    check: txn_min_isr,
};

fn txn_min_isr(ctx: &Ctx<'_>) -> Vec<Hit> {
    broker_hits(
        ctx,
        "transaction.state.log.min.isr",
        |v| v.int().is_some_and(|n| n < 2),
        |v, ids| Out {
            title: format!(
                "transaction.state.log.min.isr={} on {}",
                v.str(),
                brokers_word(ids)
            ),
            detail: "transaction state writes are acknowledged by one replica".into(),
            target: "2".into(),
        },
    )
}

const BROKER_CONFIG_DRIFT: Rule = Rule {
    id: "broker-config-drift",
    severity: Severity::Warn,
    scope: RuleScope::Broker,
    title: "Brokers disagree on a setting that should be cluster-wide",
    doc: "Compares, across the described brokers, keys that must agree: `min.insync.replicas`, \
          `unclean.leader.election.enable`, `default.replication.factor`, `auto.create.topics.enable`, \
          `message.max.bytes`, `offsets.topic.replication.factor`, `transaction.state.log.*`, `num.partitions`, \
          `log.cleanup.policy`, `log.retention.bytes`, `log.segment.bytes`, and retention as ms \
          (`log.retention.ms` > `.minutes` > `.hours`).\n\
          Why: a topic's effective defaults then depend on which broker answers or leads; an audit of one broker \
          says nothing about the others, and failovers change behaviour.\n\
          Fix: when the odd broker differs by a per-broker dynamic override, set it back to the majority value \
          with `kafka-configs.sh --alter --entity-type brokers --entity-name <id>`; otherwise make \
          server.properties agree and restart the odd brokers one at a time.",
    check: broker_drift,
};

const DRIFT_KEYS: &[&str] = &[
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "default.replication.factor",
    "auto.create.topics.enable",
    "message.max.bytes",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "num.partitions",
    "log.cleanup.policy",
    "log.retention.bytes",
    "log.segment.bytes",
    // Compared as the normalised topic default (log.retention.ms > .minutes > .hours).
    "retention.ms",
];

fn broker_drift(ctx: &Ctx<'_>) -> Vec<Hit> {
    let brokers = ctx.described_brokers();
    if brokers.len() < 2 {
        return vec![];
    }
    let mut hits = Vec::new();
    for key in DRIFT_KEYS {
        let vals: Vec<(i32, Val)> = brokers
            .iter()
            .filter_map(|b| {
                let v = if *key == "retention.ms" {
                    broker_topic_default(b, key)
                } else {
                    broker_val(b, key)
                };
                v.map(|v| (b.id, v))
            })
            .collect();
        // Majority value; ties go to the lowest broker id.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, v) in &vals {
            match counts.iter_mut().find(|(s, _)| *s == v.str()) {
                Some((_, n)) => *n += 1,
                None => counts.push((v.str(), 1)),
            }
        }
        if counts.len() < 2 {
            continue;
        }
        let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
        let majority = counts
            .iter()
            .find(|c| c.1 == max)
            .map(|c| c.0.to_string())
            .unwrap_or_default();
        let odd: Vec<&(i32, Val)> = vals.iter().filter(|(_, v)| v.str() != majority).collect();
        let name = if *key == "retention.ms" {
            "log.retention.* (as ms)"
        } else {
            key
        };
        let alter_key = if *key == "retention.ms" {
            "log.retention.ms"
        } else {
            key
        };
        let fix = match odd.as_slice() {
            [(id, v)] if v.source() == ConfigSource::DynamicBrokerConfig && !v.read_only => {
                ctx.alter_fix(AlterOp {
                    resource_type: AlterResourceType::Broker,
                    resource_name: id.to_string(),
                    key: alter_key.to_string(),
                    op: AlterOpKind::Set,
                    value: Some(majority.clone()),
                })
            }
            _ => manual(format!(
                "make {name} agree on every broker ({majority} on most): fix server.properties (or the per-broker \
                 dynamic override) of broker(s) {} and restart them one at a time",
                list(odd.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().iter().map(String::as_str))
            )),
        };
        hits.push(Hit {
            title: format!("brokers disagree on {name}"),
            items: vals.iter().map(|(id, _)| format!("broker {id}")).collect(),
            detail: vals
                .iter()
                .map(|(id, v)| format!("broker {id}: {}", v.describe()))
                .collect::<Vec<_>>()
                .join("; "),
            values: vals.iter().map(|(_, v)| v.ev.clone()).collect(),
            fix,
        });
    }
    hits
}

const PARTITIONS_PER_BROKER_HIGH: Rule = Rule {
    id: "partitions-per-broker-high",
    severity: Severity::Warn,
    scope: RuleScope::Cluster,
    title: "Brokers host more partition replicas than recommended",
    doc: "Counts partition replicas per live broker (exactly from the replica assignment, else partitions × \
          RF / live brokers) against `max_partitions_per_broker` (default 4000, Kafka's guidance).\n\
          Why: every replica costs open files, memory and replication fetches; past a few thousand per broker, \
          leader elections and restarts slow down and a broker failure takes longer to recover from.\n\
          Fix: add brokers and move replicas to them with `kafka-reassign-partitions.sh`, or delete topics that \
          are no longer used; do not lower partition counts (Kafka cannot).",
    check: partitions_per_broker,
};

fn partitions_per_broker(ctx: &Ctx<'_>) -> Vec<Hit> {
    let live = &ctx.input.live_broker_ids;
    if live.is_empty() || ctx.input.topics.is_empty() {
        return vec![];
    }
    let limit = u64::from(ctx.opts.max_partitions_per_broker);
    let topics = &ctx.input.topics;
    let exact = topics
        .iter()
        .all(|t| t.assignment.len() == t.partitions as usize);
    let (over, how): (Vec<(i32, u64)>, &str) = if exact {
        let mut counts: std::collections::BTreeMap<i32, u64> =
            live.iter().map(|id| (*id, 0)).collect();
        for r in topics.iter().flat_map(|t| t.assignment.iter().flatten()) {
            *counts.entry(*r).or_default() += 1;
        }
        (
            counts.into_iter().filter(|(_, n)| *n > limit).collect(),
            "from the replica assignment",
        )
    } else {
        let total: u64 = topics
            .iter()
            .map(|t| u64::from(t.partitions) * u64::from(t.replication_factor))
            .sum();
        let avg = total.div_ceil(live.len() as u64);
        let over = if avg > limit {
            live.iter().map(|id| (*id, avg)).collect()
        } else {
            vec![]
        };
        (over, "estimated as partitions × RF / live brokers")
    };
    if over.is_empty() {
        return vec![];
    }
    vec![Hit {
        title: format!("{} broker(s) host more than {limit} partition replicas", over.len()),
        items: over.iter().map(|(id, _)| format!("broker {id}")).collect(),
        detail: format!(
            "{} (limit {limit}, {how})",
            over.iter().map(|(id, n)| format!("broker {id}: {n} replicas")).collect::<Vec<_>>().join(", ")
        ),
        values: vec![],
        fix: manual(
            "add brokers and move replicas onto them with kafka-reassign-partitions.sh, or delete unused topics"
                .into(),
        ),
    }]
}

// ---------------------------------------------------------------------------------------------------------

/// What a broker rule says about one group of brokers sharing a bad value.
struct Out {
    title: String,
    detail: String,
    /// The value the fix sets.
    target: String,
}

/// `broker 1` / `brokers 1, 2`.
fn brokers_word(ids: &[i32]) -> String {
    let l = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() == 1 {
        format!("broker {l}")
    } else {
        format!("brokers {l}")
    }
}

/// Described brokers whose `key` is bad, grouped by (value, source, read-only); brokers with a
/// per-broker dynamic override each get their own finding, fixed on that broker.
fn broker_hits(
    ctx: &Ctx<'_>,
    key: &str,
    bad: impl Fn(&Val) -> bool,
    out: impl Fn(&Val, &[i32]) -> Out,
) -> Vec<Hit> {
    let mut groups: Vec<(Val, Vec<i32>)> = Vec::new();
    for b in ctx.described_brokers() {
        let Some(v) = broker_val(b, key) else {
            ctx.skip(
                format!("{key} not returned by these brokers: rules reading it skipped"),
                &format!("broker {}", b.id),
            );
            continue;
        };
        if !bad(&v) {
            continue;
        }
        let per_broker = v.source() == ConfigSource::DynamicBrokerConfig;
        let same = groups.iter_mut().find(|(g, _)| {
            !per_broker
                && g.str() == v.str()
                && g.source() == v.source()
                && g.read_only == v.read_only
        });
        match same {
            Some((_, ids)) => ids.push(b.id),
            None => groups.push((v, vec![b.id])),
        }
    }
    groups
        .into_iter()
        .map(|(mut v, ids)| {
            if ids.len() > 1 && v.source() == ConfigSource::StaticBrokerConfig {
                v.ev.origin = format!("server.properties of {}", brokers_word(&ids));
            } else if ids.len() > 1 {
                v.ev.origin = origin_text(v.source(), None, None);
            }
            let o = out(&v, &ids);
            Hit {
                title: o.title,
                items: ids.iter().map(|i| format!("broker {i}")).collect(),
                detail: format!("{}; {}", v.describe(), o.detail),
                values: vec![v.ev.clone()],
                fix: ctx.broker_fix(&v, ids[0], &o.target),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::testkit::*;
    use crate::analysis::audit::{evaluate, AlterResourceType, AuditOptions};
    use ConfigSource::*;

    #[test]
    fn broker_unclean_leader_election() {
        let mut i = base();
        put_brokers(
            &mut i,
            "unclean.leader.election.enable",
            "true",
            DynamicDefaultBrokerConfig,
        );
        let r = run(&i);
        let f = only(&r, "broker-unclean-leader-election");
        assert_eq!(
            f.finding.evidence.items,
            ["broker 1", "broker 2", "broker 3"]
        );
        assert!(
            f.finding
                .evidence
                .detail
                .contains("DYNAMIC_DEFAULT_BROKER_CONFIG"),
            "{}",
            f.finding.evidence.detail
        );
        assert!(f.finding.evidence.detail.contains("1 topic(s) inherit it"));
        assert_eq!(
            f.fix.incremental_alter.as_ref().unwrap().resource_type,
            AlterResourceType::BrokerDefault
        );
        fix_clears(&i, f);
        // A topic that overrides it is reported by the topic rule instead, and not counted here.
        put_topic(
            &mut i,
            "orders",
            "unclean.leader.election.enable",
            "false",
            DynamicTopicConfig,
        );
        assert!(run(&i).findings[0]
            .finding
            .evidence
            .detail
            .contains("0 topic(s) inherit it"));
    }

    #[test]
    fn per_broker_override_is_fixed_on_that_broker() {
        let mut i = base();
        put(
            &mut i.brokers[1].configs,
            "min.insync.replicas",
            "1",
            DynamicBrokerConfig,
        );
        let r = run(&i);
        let f = hits(&r, "broker-min-isr-below-2")[0];
        assert_eq!(f.finding.evidence.items, ["broker 2"]);
        let op = f.fix.incremental_alter.as_ref().unwrap();
        assert_eq!(
            (op.resource_type, op.resource_name.as_str()),
            (AlterResourceType::Broker, "2")
        );
        assert_eq!(
            f.finding.remediation,
            "kafka-configs.sh --bootstrap-server <bootstrap> --alter --entity-type brokers --entity-name 2 \
             --add-config min.insync.replicas=2"
        );
        // The same override also makes broker 2 disagree with the others.
        assert_eq!(ids(&r), ["broker-config-drift", "broker-min-isr-below-2"]);
        fix_clears(&i, f);
    }

    #[test]
    fn auto_create_topics_enabled_is_read_only() {
        let mut i = base();
        assert!(hits(&run(&i), "auto-create-topics-enabled").is_empty());
        put_brokers(&mut i, "auto.create.topics.enable", "true", DefaultConfig);
        let r = run(&i);
        let f = only(&r, "auto-create-topics-enabled");
        assert!(f.fix.incremental_alter.is_none());
        assert!(
            f.finding.remediation.contains("server.properties"),
            "{}",
            f.finding.remediation
        );
        assert!(f
            .finding
            .evidence
            .detail
            .contains("[DEFAULT_CONFIG: Kafka default]"));
    }

    #[test]
    fn default_replication_factor_below_3() {
        let mut i = base();
        put_brokers(
            &mut i,
            "default.replication.factor",
            "3",
            StaticBrokerConfig,
        );
        assert!(run(&i).findings.is_empty());
        put_brokers(
            &mut i,
            "default.replication.factor",
            "1",
            StaticBrokerConfig,
        );
        let r = run(&i);
        let f = only(&r, "default-replication-factor-below-3");
        assert!(
            f.finding
                .evidence
                .detail
                .contains("server.properties of brokers 1, 2, 3"),
            "{}",
            f.finding.evidence.detail
        );
    }

    #[test]
    fn broker_min_isr_below_2() {
        let mut i = base();
        put_brokers(&mut i, "min.insync.replicas", "1", DefaultConfig);
        let r = run(&i);
        let f = only(&r, "broker-min-isr-below-2");
        fix_clears(&i, f);
        put_brokers(&mut i, "min.insync.replicas", "2", DefaultConfig);
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn offsets_topic_rf_below_3() {
        let mut i = base();
        put_brokers(
            &mut i,
            "offsets.topic.replication.factor",
            "1",
            StaticBrokerConfig,
        );
        only(&run(&i), "offsets-topic-rf-below-3");
        put_brokers(
            &mut i,
            "offsets.topic.replication.factor",
            "3",
            StaticBrokerConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn transaction_log_rf_and_min_isr() {
        let mut i = base();
        put_brokers(
            &mut i,
            "transaction.state.log.replication.factor",
            "2",
            StaticBrokerConfig,
        );
        put_brokers(
            &mut i,
            "transaction.state.log.min.isr",
            "1",
            StaticBrokerConfig,
        );
        assert_eq!(
            ids(&run(&i)),
            [
                "transaction-log-min-isr-below-2",
                "transaction-log-rf-below-3"
            ]
        );
        put_brokers(
            &mut i,
            "transaction.state.log.replication.factor",
            "3",
            StaticBrokerConfig,
        );
        put_brokers(
            &mut i,
            "transaction.state.log.min.isr",
            "2",
            StaticBrokerConfig,
        );
        assert!(run(&i).findings.is_empty());
    }

    #[test]
    fn broker_config_drift_static_needs_a_restart() {
        let mut i = base();
        put(
            &mut i.brokers[2].configs,
            "log.retention.hours",
            "24",
            StaticBrokerConfig,
        );
        let r = run(&i);
        let f = only(&r, "broker-config-drift");
        // The title names the brokers compared (issue #13, 15).
        assert_eq!(
            f.finding.title,
            "brokers disagree on log.retention.* (as ms): broker 1, broker 2, broker 3"
        );
        assert!(
            f.finding.evidence.detail.contains(
                "broker 3: retention.ms=86400000 [STATIC_BROKER_CONFIG via log.retention.hours"
            ),
            "{}",
            f.finding.evidence.detail
        );
        assert!(f.fix.incremental_alter.is_none());
        assert!(
            f.finding.remediation.contains("604800000 on most"),
            "{}",
            f.finding.remediation
        );
    }

    #[test]
    fn broker_config_drift_needs_two_brokers() {
        let mut i = base();
        put(
            &mut i.brokers[2].configs,
            "log.retention.hours",
            "24",
            StaticBrokerConfig,
        );
        i.brokers.truncate(1);
        let r = run(&i);
        assert!(r.findings.is_empty());
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    }

    #[test]
    fn partitions_per_broker_high() {
        let mut i = base();
        let o = AuditOptions {
            max_partitions_per_broker: 6,
            ..AuditOptions::default()
        };
        // 6 partitions × RF 3 over 3 brokers = 6 each: at the limit, not above.
        assert!(evaluate(&i, &o).findings.is_empty());
        i.topics.push(topic("tmp.more", 3, 1));
        put_topic(
            &mut i,
            "tmp.more",
            "min.insync.replicas",
            "1",
            DynamicTopicConfig,
        );
        let r = evaluate(&i, &o);
        assert_eq!(ids(&r), ["partitions-per-broker-high"]);
        assert_eq!(
            r.findings[0].finding.evidence.items,
            ["broker 1", "broker 2", "broker 3"]
        );
        assert!(r.findings[0]
            .finding
            .evidence
            .detail
            .contains("broker 1: 7 replicas"));
        // Without an assignment the count is estimated: 21 replicas / 3 brokers = 7.
        for t in &mut i.topics {
            t.assignment.clear();
        }
        assert!(evaluate(&i, &o).findings[0]
            .finding
            .evidence
            .detail
            .contains("estimated"));
        assert!(run(&i).findings.is_empty());
    }
}

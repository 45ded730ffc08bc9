//! [`LagHistory`]: the bounded sample ring per (group, topic, partition) that feeds the Burrow
//! windows. Time comes in as epoch ms; nothing here reads a clock.

use std::collections::{BTreeMap, VecDeque};

use super::burrow::{ConsumerPresence, PartitionWindow, Sample};
use crate::snapshot::PartitionOffsets;

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;

/// Bounds of a [`LagHistory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagHistoryConfig {
    /// Samples kept per (group, topic, partition), newest last (default 30).
    pub samples_per_partition: usize,
    /// Most (group, topic, partition) keys kept; past it the least recently sampled are evicted
    /// (default 100 000, about 100 MB when every ring is full).
    pub max_keys: usize,
    /// Keys with no sample for this long are dropped by [`LagHistory::evict_idle`], in ms (default 1 h).
    pub idle_ms: i64,
}

impl Default for LagHistoryConfig {
    fn default() -> Self {
        LagHistoryConfig {
            samples_per_partition: 30,
            max_keys: 100_000,
            idle_ms: 3_600_000,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Ring {
    samples: VecDeque<Sample>,
    last_seen_ms: i64,
}

/// In-memory sample history of one cluster: a bounded ring of [`Sample`]s per (group, topic, partition),
/// fed by every lag read. Pure data: time comes from the samples and from `now_ms` arguments.
#[derive(Debug, Clone, Default)]
pub struct LagHistory {
    config: LagHistoryConfig,
    /// group → topic → partition → ring.
    groups: BTreeMap<String, BTreeMap<String, BTreeMap<i32, Ring>>>,
    keys: usize,
}

impl LagHistory {
    /// An empty history with these bounds.
    pub fn new(config: LagHistoryConfig) -> Self {
        LagHistory {
            config,
            groups: BTreeMap::new(),
            keys: 0,
        }
    }

    /// Its bounds.
    pub fn config(&self) -> &LagHistoryConfig {
        &self.config
    }

    /// Number of (group, topic, partition) keys held.
    pub fn len(&self) -> usize {
        self.keys
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Adds a sample. Samples are kept sorted by `ts_ms`; one with the same `ts_ms` as a kept one replaces
    /// it. The oldest samples beyond `samples_per_partition` are dropped; a new key past `max_keys` first
    /// evicts the least recently sampled keys (1% of the cap at a time).
    pub fn record(&mut self, group: &str, topic: &str, partition: i32, sample: Sample) {
        let exists = self
            .groups
            .get(group)
            .and_then(|t| t.get(topic))
            .is_some_and(|p| p.contains_key(&partition));
        if !exists {
            if self.keys >= self.config.max_keys.max(1) {
                self.evict_oldest((self.config.max_keys / 100).max(1));
            }
            self.keys += 1;
        }
        let ring = self
            .groups
            .entry(group.to_string())
            .or_default()
            .entry(topic.to_string())
            .or_default()
            .entry(partition)
            .or_insert_with(|| Ring {
                samples: VecDeque::new(),
                last_seen_ms: sample.ts_ms,
            });
        let pos = ring.samples.partition_point(|s| s.ts_ms < sample.ts_ms);
        match ring.samples.get_mut(pos) {
            Some(s) if s.ts_ms == sample.ts_ms => *s = sample,
            _ => ring.samples.insert(pos, sample),
        }
        while ring.samples.len() > self.config.samples_per_partition.max(1) {
            ring.samples.pop_front();
        }
        ring.last_seen_ms = ring.last_seen_ms.max(sample.ts_ms);
    }

    /// Records one snapshot read of a group at `ts_ms`; partitions with an unknown log end are skipped.
    pub fn record_offsets(&mut self, group: &str, offsets: &[PartitionOffsets], ts_ms: i64) {
        for p in offsets {
            if let Some(sample) = p.sample(ts_ms) {
                self.record(group, &p.topic, p.partition, sample);
            }
        }
    }

    /// The samples of one key, oldest first; empty when unknown.
    pub fn window(&self, group: &str, topic: &str, partition: i32) -> Vec<Sample> {
        self.groups
            .get(group)
            .and_then(|t| t.get(topic))
            .and_then(|p| p.get(&partition))
            .map(|r| r.samples.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Every partition held for `group` as a window to evaluate, sorted by topic then partition, with
    /// presence `Unknown` (set it from DescribeConsumerGroups before evaluating).
    pub fn group_windows(&self, group: &str) -> Vec<PartitionWindow> {
        let Some(topics) = self.groups.get(group) else {
            return Vec::new();
        };
        topics
            .iter()
            .flat_map(|(topic, parts)| {
                parts.iter().map(move |(&partition, ring)| PartitionWindow {
                    topic: topic.clone(),
                    partition,
                    samples: ring.samples.iter().copied().collect(),
                    presence: ConsumerPresence::Unknown,
                })
            })
            .collect()
    }

    /// Drops keys with no sample newer than `now_ms - idle_ms`; returns how many were dropped.
    pub fn evict_idle(&mut self, now_ms: i64) -> usize {
        let cutoff = now_ms.saturating_sub(self.config.idle_ms);
        let mut removed = 0;
        for topics in self.groups.values_mut() {
            for parts in topics.values_mut() {
                let before = parts.len();
                parts.retain(|_, r| r.last_seen_ms >= cutoff);
                removed += before - parts.len();
            }
        }
        self.prune_empty();
        self.keys -= removed;
        removed
    }

    /// Evicts the `n` least recently sampled keys.
    fn evict_oldest(&mut self, n: usize) {
        let mut all: Vec<(i64, String, String, i32)> = Vec::with_capacity(self.keys);
        for (g, topics) in &self.groups {
            for (t, parts) in topics {
                for (&p, r) in parts {
                    all.push((r.last_seen_ms, g.clone(), t.clone(), p));
                }
            }
        }
        let n = n.min(all.len());
        if n == 0 {
            return;
        }
        if n < all.len() {
            all.select_nth_unstable(n - 1);
        }
        for (_, g, t, p) in all.into_iter().take(n) {
            if let Some(parts) = self
                .groups
                .get_mut(&g)
                .and_then(|topics| topics.get_mut(&t))
            {
                if parts.remove(&p).is_some() {
                    self.keys -= 1;
                }
            }
        }
        self.prune_empty();
    }

    fn prune_empty(&mut self) {
        for topics in self.groups.values_mut() {
            topics.retain(|_, parts| !parts.is_empty());
        }
        self.groups.retain(|_, topics| !topics.is_empty());
    }
}

//! Burrow-style verdicts (OK, WARN, STOP, STALL, REWIND) over a window of offset samples, per
//! partition ([`evaluate_partition`]) and per group ([`evaluate_group`]), with the lag trend.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analysis::offset::{Offset, OptOffset};

#[cfg(test)]
#[path = "burrow_tests.rs"]
mod tests;

/// One observation of a partition for a group: what OffsetFetch and ListOffsets(latest) said at `ts_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// When the offsets were read, epoch ms.
    pub ts_ms: i64,
    /// The group's committed offset; `None` when nothing was committed.
    pub committed: Option<i64>,
    /// Log end (latest) offset. Record no sample when it is unknown.
    pub log_end: i64,
}

impl Sample {
    /// Lag at this sample (`log_end - committed`, at least 0); `None` without a commit.
    pub fn lag(&self) -> Option<i64> {
        self.committed.map(|c| (self.log_end - c).max(0))
    }
}

/// Whether a live consumer owns the partition, as DescribeConsumerGroups says.
///
/// OffsetFetch carries no commit timestamp, so polled samples cannot tell Burrow's STALL (commits keep
/// arriving with the same offset) from STOP (commits stopped). An active owner is taken as the sign of a
/// live but stuck consumer (STALL); without one it is STOP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsumerPresence {
    /// A member of the group has this partition assigned.
    Active,
    /// No member has it: the group is empty, or the partition is assigned to nobody.
    Absent,
    /// Not known (describe failed or was not asked).
    #[default]
    Unknown,
}

/// The samples of one partition to evaluate: the input of [`evaluate_partition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionWindow {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Samples, oldest first (re-sorted by `ts_ms` if not).
    pub samples: Vec<Sample>,
    /// Whether a live consumer owns the partition.
    pub presence: ConsumerPresence,
}

/// Tuning of the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalConfig {
    /// How many of the most recent samples form the window (Burrow's `intervals`, default 10).
    /// Completeness is measured against it.
    pub window_samples: usize,
    /// Fewest samples with a commit before a verdict is given (at least 2; default 2).
    pub min_samples: usize,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            window_samples: 10,
            min_samples: 2,
        }
    }
}

/// Verdict on one partition (or, as the worst of them, on a group). Ordered from best to worst:
/// `OK < INSUFFICIENT_SAMPLES < NO_COMMITS < WARN < STOP < STALL < REWIND`
/// (the last three in Burrow's order; Burrow reports all three as ERR at group level).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LagStatus {
    /// Lag was 0 at some sample, or is not growing while offsets move.
    Ok,
    /// Fewer samples with a commit than needed (2): no verdict yet; call again in a few seconds.
    InsufficientSamples,
    /// No committed offset: the group never committed (or its offsets expired); lag unknown, not 0.
    NoCommits,
    /// Offsets move but lag grew at every sample: the consumer is slower than the producers.
    Warn,
    /// Lag > 0 and the committed offset stopped moving, with no live consumer owning the partition
    /// (or it stopped for longer than it had been moving, Burrow's rule).
    Stop,
    /// Lag > 0 and the committed offset does not move although a live member owns the partition: stuck.
    Stall,
    /// The committed offset went backwards between two samples: an offset reset or a replay.
    Rewind,
}

impl LagStatus {
    /// Burrow's group-level status for this partition status; `None` when it carries no verdict.
    fn burrow(self) -> Option<BurrowStatus> {
        match self {
            LagStatus::Ok => Some(BurrowStatus::Ok),
            LagStatus::Warn => Some(BurrowStatus::Warn),
            LagStatus::Stop | LagStatus::Stall | LagStatus::Rewind => Some(BurrowStatus::Err),
            LagStatus::InsufficientSamples | LagStatus::NoCommits => None,
        }
    }

    /// What to do about a partition or group with this status.
    pub fn next_step(self) -> &'static str {
        match self {
            LagStatus::Ok => "Nothing to do.",
            LagStatus::InsufficientSamples => {
                "Call again in a few seconds: a verdict needs at least 2 samples with a committed offset."
            }
            LagStatus::NoCommits => {
                "Lag is unknown, not 0: the group never committed these partitions. If the consumer should \
                 commit, check enable.auto.commit or its commit calls; until then auto.offset.reset decides \
                 where it starts."
            }
            LagStatus::Warn => {
                "The consumer is slower than the producers: add consumers (up to the partition count) or speed \
                 up processing, and watch the trend."
            }
            LagStatus::Stop => {
                "Commits stopped: check that the consumer application is running (no owning member means \
                 nobody consumes) and read its logs for errors."
            }
            LagStatus::Stall => {
                "A live member owns the partition but its offset does not move: it is stuck (a message it \
                 cannot process, a blocked call, or commits disabled). Read that consumer's logs; restart it, \
                 or skip the bad offset with plan_reset_offsets."
            }
            LagStatus::Rewind => {
                "Committed offsets went backwards (an offset reset or a replay): confirm it was intended; \
                 the messages between the old and new offsets are processed again."
            }
        }
    }
}

/// Burrow's group status: OK, WARN or ERR, or UNKNOWN when no partition could be judged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BurrowStatus {
    /// No partition could be judged (all lack samples or commits).
    Unknown,
    /// Every judged partition is OK.
    Ok,
    /// The worst judged partition is WARN.
    Warn,
    /// Some partition is STOP, STALL or REWIND.
    Err,
}

/// Which way lag is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrendDirection {
    /// Lag rose by more than the noise band over the span.
    Growing,
    /// Lag fell by more than the noise band over the span.
    Shrinking,
    /// Lag changed by at most `max(1, 5%)` of its larger end value.
    Stable,
}

/// How lag moved over the window (after the last rewind, if any), from its first and last samples.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LagTrend {
    /// Growing, shrinking or stable.
    pub direction: TrendDirection,
    /// Change of lag in messages per second; positive means falling further behind.
    pub lag_rate_per_s: f64,
    /// Committed-offset advance in messages per second (what the consumer processes).
    pub consumption_rate_per_s: f64,
    /// Log-end advance in messages per second (what producers write).
    pub production_rate_per_s: f64,
    /// Seconds until lag reaches 0 at the current rate; only when shrinking.
    pub time_to_catch_up_s: Option<f64>,
    /// Seconds between the first and last sample the trend is computed from.
    pub span_s: f64,
}

/// Burrow-style verdict on one partition of a group.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartitionVerdict {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// The verdict.
    pub status: LagStatus,
    /// One line: why this verdict, with the numbers behind it.
    pub reason: String,
    /// Samples in the evaluated window.
    pub samples: usize,
    /// Of those, samples that had a committed offset (leading samples without one are dropped, as Burrow does).
    pub samples_with_commit: usize,
    /// `samples_with_commit / window size`, 0 to 1; below 1 the window is not full yet.
    pub complete: f64,
    /// First sample of the window, epoch ms; `null` without samples.
    #[serde(with = "OptOffset")]
    pub window_start_ms: Option<i64>,
    /// Last sample of the window, epoch ms; `null` without samples.
    #[serde(with = "OptOffset")]
    pub window_end_ms: Option<i64>,
    /// Committed offset at the last sample; `null` when none.
    #[serde(with = "OptOffset")]
    pub committed_offset: Option<i64>,
    /// Log end offset at the last sample; `null` without samples.
    #[serde(with = "OptOffset")]
    pub log_end_offset: Option<i64>,
    /// Lag in messages at the last sample; `null` when there is no commit (unknown, not 0).
    #[serde(with = "OptOffset")]
    pub lag_messages: Option<i64>,
    /// Seconds the committed offset has kept its current value, as far back as the window sees.
    pub commit_unchanged_s: Option<f64>,
    /// Lag trend; `null` with fewer than 2 usable samples or a zero time span.
    pub trend: Option<LagTrend>,
    /// Anything else worth knowing (rewinds under an OK verdict, gaps in commits, log end going backwards).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Burrow-style verdict on a group: the worst partition, completeness, totals and trend.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GroupVerdict {
    /// Group id.
    pub group: String,
    /// Worst partition status (order: OK < INSUFFICIENT_SAMPLES < NO_COMMITS < WARN < STOP < STALL < REWIND).
    pub status: LagStatus,
    /// Burrow's group status over the partitions that could be judged: OK, WARN, ERR, or UNKNOWN.
    pub burrow_status: BurrowStatus,
    /// What to do about `status`.
    pub next_step: String,
    /// Samples with a commit over samples expected (partitions × window size), 0 to 1.
    pub complete: f64,
    /// Number of partitions.
    pub partition_count: usize,
    /// Partitions that got a verdict (not INSUFFICIENT_SAMPLES or NO_COMMITS).
    pub partitions_judged: usize,
    /// Partitions with no committed offset at the last sample (lag unknown, not 0).
    pub partitions_without_commit: usize,
    /// Sum of the partitions' current known lags, in messages.
    #[serde(with = "Offset")]
    pub total_lag_messages: i64,
    /// The partition with the worst status (ties: the higher lag); `null` without partitions.
    pub worst_partition: Option<WorstPartition>,
    /// Group-wide trend: rates summed over the partitions that have one; `null` when none has.
    pub trend: Option<LagTrend>,
    /// Per partition, sorted by topic then partition.
    pub partitions: Vec<PartitionVerdict>,
}

/// The partition that decides a group's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WorstPartition {
    /// Topic name.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Its status.
    pub status: LagStatus,
    /// Its current lag in messages; `null` when unknown.
    #[serde(with = "OptOffset")]
    pub lag_messages: Option<i64>,
}

/// A sample with a commit, and its lag.
#[derive(Debug, Clone, Copy)]
struct Point {
    ts_ms: i64,
    committed: i64,
    log_end: i64,
    lag: i64,
}

/// The raw numbers of a trend, kept so group trends can be summed.
#[derive(Debug, Clone, Copy)]
struct TrendCalc {
    lag_first: i64,
    lag_last: i64,
    lag_rate: f64,
    consumption_rate: f64,
    production_rate: f64,
    span_ms: i64,
}

impl TrendCalc {
    fn from_points(points: &[Point]) -> Option<TrendCalc> {
        let (first, last) = (points.first()?, points.last()?);
        let span_ms = last.ts_ms - first.ts_ms;
        if points.len() < 2 || span_ms <= 0 {
            return None;
        }
        let secs = span_ms as f64 / 1000.0;
        Some(TrendCalc {
            lag_first: first.lag,
            lag_last: last.lag,
            lag_rate: (last.lag - first.lag) as f64 / secs,
            consumption_rate: (last.committed - first.committed) as f64 / secs,
            production_rate: (last.log_end - first.log_end) as f64 / secs,
            span_ms,
        })
    }

    fn to_trend(self) -> LagTrend {
        let delta = self.lag_last - self.lag_first;
        let band = noise_band(self.lag_first, self.lag_last, 0);
        let direction = if (delta as f64).abs() <= band {
            TrendDirection::Stable
        } else if delta > 0 {
            TrendDirection::Growing
        } else {
            TrendDirection::Shrinking
        };
        let time_to_catch_up_s = (direction == TrendDirection::Shrinking && self.lag_rate < 0.0)
            .then(|| round2(self.lag_last as f64 / -self.lag_rate));
        LagTrend {
            direction,
            lag_rate_per_s: round2(self.lag_rate),
            consumption_rate_per_s: round2(self.consumption_rate),
            production_rate_per_s: round2(self.production_rate),
            time_to_catch_up_s,
            span_s: round2(self.span_ms as f64 / 1000.0),
        }
    }
}

/// Lag changes within this fraction of its larger end value (or 1 message) count as stable.
const STABLE_BAND: f64 = 0.05;

/// The noise a lag change from `first` to `last` must exceed to count as growth or shrinkage:
/// `STABLE_BAND` of the larger end, or of the messages `produced` meanwhile (a consumer that
/// commits on a timer shows a lag anywhere between 0 and what is produced between commits), at
/// least 1 message. The trend uses the lag part alone (`produced` 0); the WARN rule all of it.
fn noise_band(first: i64, last: i64, produced: i64) -> f64 {
    ((first.max(last).max(produced.max(0)) as f64) * STABLE_BAND).max(1.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Milliseconds as seconds for a reason line: `58 s`, `2.5 s`.
fn secs(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Evaluates one partition over the last `cfg.window_samples` of its samples, with Burrow's rules in
/// Burrow's order, adapted to polled samples:
///
/// 1. lag 0 at any sample (or now) → OK; nothing else is checked (a rewind is still noted);
/// 2. the committed offset went backwards between two samples → REWIND;
/// 3. the committed offset is not moving: it never changed in the window, or (Burrow's rule) the time
///    since it last changed exceeds the time between the window's first sample and that change →
///    STALL when a live member owns the partition, STOP otherwise;
/// 4. lag never fell from one sample to the next and ended higher than it started, over a full
///    window and by more than the trend's noise band (5 %, at least 1 message) → WARN;
/// 5. otherwise OK.
///
/// Without any commit in the window, or none at the last sample → NO_COMMITS; with fewer than
/// `max(2, min_samples)` samples carrying a commit → INSUFFICIENT_SAMPLES. "Now" is the last sample.
pub fn evaluate_partition(w: &PartitionWindow, cfg: &EvalConfig) -> PartitionVerdict {
    evaluate_partition_calc(w, cfg).0
}

fn evaluate_partition_calc(
    w: &PartitionWindow,
    cfg: &EvalConfig,
) -> (PartitionVerdict, Option<TrendCalc>) {
    let window_size = cfg.window_samples.max(1);
    let mut sorted = w.samples.clone();
    sorted.sort_by_key(|s| s.ts_ms);
    let window = &sorted[sorted.len().saturating_sub(window_size)..];
    let last = window.last();
    let mut v = PartitionVerdict {
        topic: w.topic.clone(),
        partition: w.partition,
        status: LagStatus::InsufficientSamples,
        reason: String::new(),
        samples: window.len(),
        samples_with_commit: 0,
        complete: 0.0,
        window_start_ms: window.first().map(|s| s.ts_ms),
        window_end_ms: last.map(|s| s.ts_ms),
        committed_offset: last.and_then(|s| s.committed),
        log_end_offset: last.map(|s| s.log_end),
        lag_messages: last.and_then(Sample::lag),
        commit_unchanged_s: None,
        trend: None,
        notes: Vec::new(),
    };
    let Some(last) = last else {
        v.reason = "no samples yet: call again in a few seconds".to_string();
        return (v, None);
    };

    // Drop leading samples without a commit (Burrow trims leading nil offsets).
    let Some(first_commit) = window.iter().position(|s| s.committed.is_some()) else {
        v.status = LagStatus::NoCommits;
        v.reason = format!(
            "no committed offset in any of {} samples: the group never committed this partition; lag is \
             unknown, not 0",
            window.len()
        );
        return (v, None);
    };
    let tail = &window[first_commit..];
    let points: Vec<Point> = tail
        .iter()
        .filter_map(|s| {
            s.committed.map(|c| Point {
                ts_ms: s.ts_ms,
                committed: c,
                log_end: s.log_end,
                lag: (s.log_end - c).max(0),
            })
        })
        .collect();
    v.samples_with_commit = points.len();
    v.complete = round2((points.len() as f64 / window_size as f64).min(1.0));
    if last.committed.is_none() {
        v.status = LagStatus::NoCommits;
        v.reason =
            "the committed offset seen earlier in the window is gone now (offsets expired after \
                    offsets.retention.minutes, or were deleted or reset); lag is unknown, not 0"
                .to_string();
        return (v, None);
    }
    let gaps = tail.len() - points.len();
    if gaps > 0 {
        v.notes.push(format!(
            "{gaps} sample(s) in the window had no committed offset between ones that had; they were skipped"
        ));
    }
    for pair in points.windows(2) {
        if pair[1].log_end < pair[0].log_end {
            v.notes.push(format!(
                "log end went backwards {} → {} (topic recreated, or an unclean leader election truncated it)",
                pair[0].log_end, pair[1].log_end
            ));
            break;
        }
    }
    for pair in points.windows(2) {
        if pair[1].committed > pair[1].log_end {
            v.notes.push(format!(
                "committed offset {} is past the log end {}: lag counted as 0 there",
                pair[1].committed, pair[1].log_end
            ));
            break;
        }
    }

    let now = last.ts_ms;
    let current = points[points.len() - 1];
    // Index of the sample where the committed offset last changed (None: never changed in the window).
    let last_change = (1..points.len())
        .rev()
        .find(|&i| points[i].committed != points[i - 1].committed);
    let run_start = last_change.map_or(points[0].ts_ms, |i| points[i].ts_ms);
    v.commit_unchanged_s = Some(round2((now - run_start) as f64 / 1000.0));
    let rewinds: Vec<usize> = (1..points.len())
        .filter(|&i| points[i].committed < points[i - 1].committed)
        .collect();

    // The trend is computed after the last rewind: rates across a reset mean nothing.
    let segment = match rewinds.last() {
        Some(&i) => &points[i..],
        None => &points[..],
    };
    let calc = TrendCalc::from_points(segment);
    v.trend = calc.map(TrendCalc::to_trend);
    if calc.is_none() && !rewinds.is_empty() && points.len() >= 2 {
        v.notes
            .push("too few samples since the last rewind to compute a trend".to_string());
    }

    let min = cfg.min_samples.max(2);
    if points.len() < min {
        v.status = LagStatus::InsufficientSamples;
        v.reason = format!(
            "{} sample(s) with a committed offset, {min} needed for a verdict; current lag {} messages",
            points.len(),
            current.lag
        );
        return (v, calc);
    }

    let span = now - points[0].ts_ms;
    if span <= 0 {
        v.status = LagStatus::InsufficientSamples;
        v.reason = format!(
            "all {} samples share one timestamp: no time has passed to judge; current lag {} messages",
            points.len(),
            current.lag
        );
        return (v, calc);
    }

    let rewind_text = |i: usize| {
        format!(
            "committed offset went backwards {} → {} between {} and {} into the window",
            points[i - 1].committed,
            points[i].committed,
            secs(points[i - 1].ts_ms - points[0].ts_ms),
            secs(points[i].ts_ms - points[0].ts_ms),
        )
    };

    // Rule 1: lag hit zero.
    if let Some(zero) = points.iter().rev().find(|p| p.lag == 0) {
        v.status = LagStatus::Ok;
        v.reason = if current.lag == 0 {
            "lag is 0".to_string()
        } else {
            format!(
                "lag was 0 {} before the last sample; now {} messages",
                secs(now - zero.ts_ms),
                current.lag
            )
        };
        if let Some(&i) = rewinds.first() {
            v.notes.push(rewind_text(i));
        }
        return (v, calc);
    }
    // Rule 2: rewind.
    if let Some(&i) = rewinds.first() {
        v.status = LagStatus::Rewind;
        v.reason = format!(
            "{} (offset reset or replay); lag now {} messages",
            rewind_text(i),
            current.lag
        );
        return (v, calc);
    }
    // Rule 3: not moving → STALL (live owner) or STOP.
    let not_moving = match last_change {
        None => true,
        Some(i) => now - points[i].ts_ms > points[i].ts_ms - points[0].ts_ms,
    };
    if not_moving {
        let held = match last_change {
            None => format!(
                "committed offset {} unchanged for at least {} (the whole window)",
                current.committed,
                secs(span)
            ),
            Some(i) => format!(
                "committed offset {} unchanged for {}, longer than the {} it was moving before",
                current.committed,
                secs(now - points[i].ts_ms),
                secs(points[i].ts_ms - points[0].ts_ms)
            ),
        };
        let lag_move = format!("lag {} → {} messages", points[0].lag, current.lag);
        let (status, who) = match w.presence {
            ConsumerPresence::Active => (
                LagStatus::Stall,
                "a live member owns the partition, so the consumer is alive but stuck",
            ),
            ConsumerPresence::Absent => (
                LagStatus::Stop,
                "no live member owns the partition: nobody consumes it",
            ),
            ConsumerPresence::Unknown => (
                LagStatus::Stop,
                "whether a member owns the partition is unknown",
            ),
        };
        v.status = status;
        v.reason = format!("{held} while {lag_move}; {who}");
        return (v, calc);
    }
    // Rule 4: lag never decreasing and higher at the end, judged as Burrow does: only over a
    // full window, and only by a rise beyond the noise band the trend itself allows
    // (`STABLE_BAND`, at least 1 message), so a consumer that keeps up but commits on a timer is
    // not WARN for a +1 wobble or a half-filled window.
    let never_fell = points.windows(2).all(|p| p[1].lag >= p[0].lag);
    let rise = current.lag - points[0].lag;
    let full = window.len() >= window_size;
    let band = noise_band(
        points[0].lag,
        current.lag,
        current.log_end - points[0].log_end,
    );
    if never_fell && rise > 0 && !(full && rise as f64 > band) {
        v.status = LagStatus::Ok;
        v.reason = if full {
            format!(
                "offsets moving; lag {} → {} messages over {} is within the ±{band:.0} noise band \
                 (5 % of the lag or of the {} messages produced meanwhile), not growth",
                points[0].lag,
                current.lag,
                secs(span),
                current.log_end - points[0].log_end
            )
        } else {
            format!(
                "offsets moving; lag {} → {} messages over {} but the window is {} of {window_size} \
                 samples: growth is judged on a full window (sample longer, e.g. sample_seconds=30)",
                points[0].lag,
                current.lag,
                secs(span),
                window.len()
            )
        };
        return (v, calc);
    }
    if never_fell && rise > 0 {
        v.status = LagStatus::Warn;
        v.reason = format!(
            "offsets moved ({} → {}) but lag grew at every sample: {} → {} messages over {}",
            points[0].committed,
            current.committed,
            points[0].lag,
            current.lag,
            secs(span)
        );
        return (v, calc);
    }
    v.status = LagStatus::Ok;
    let how = if current.lag < points[0].lag {
        "lag falling"
    } else if current.lag == points[0].lag {
        "lag not growing"
    } else {
        "lag fell at some sample, so not a steady climb"
    };
    v.reason = format!(
        "offsets moving and {how}: {} → {} messages over {}",
        points[0].lag,
        current.lag,
        secs(span)
    );
    (v, calc)
}

/// Evaluates every partition of a group and rolls them up: status is the worst partition status,
/// `burrow_status` is Burrow's OK/WARN/ERR over the judged partitions, and the trend sums partition rates.
pub fn evaluate_group(
    group: &str,
    partitions: &[PartitionWindow],
    cfg: &EvalConfig,
) -> GroupVerdict {
    let mut evaluated: Vec<(PartitionVerdict, Option<TrendCalc>)> = partitions
        .iter()
        .map(|w| evaluate_partition_calc(w, cfg))
        .collect();
    evaluated.sort_by(|a, b| (&a.0.topic, a.0.partition).cmp(&(&b.0.topic, b.0.partition)));

    let window_size = cfg.window_samples.max(1);
    let expected = evaluated.len() * window_size;
    let present: usize = evaluated
        .iter()
        .map(|(v, _)| v.samples_with_commit.min(window_size))
        .sum();
    let complete = if expected == 0 {
        0.0
    } else {
        round2(present as f64 / expected as f64)
    };

    let status = evaluated
        .iter()
        .map(|(v, _)| v.status)
        .max()
        .unwrap_or(LagStatus::InsufficientSamples);
    let burrow_status = evaluated
        .iter()
        .filter_map(|(v, _)| v.status.burrow())
        .max()
        .unwrap_or(BurrowStatus::Unknown);
    let partitions_judged = evaluated
        .iter()
        .filter(|(v, _)| v.status.burrow().is_some())
        .count();
    let partitions_without_commit = evaluated
        .iter()
        .filter(|(v, _)| v.committed_offset.is_none())
        .count();
    let total_lag_messages = evaluated
        .iter()
        .filter_map(|(v, _)| v.lag_messages)
        .fold(0i64, i64::saturating_add);
    let mut worst: Option<&PartitionVerdict> = None;
    for (v, _) in &evaluated {
        let better = worst.is_none_or(|w| {
            (v.status, v.lag_messages.unwrap_or(-1)) > (w.status, w.lag_messages.unwrap_or(-1))
        });
        if better {
            worst = Some(v);
        }
    }
    let worst_partition = worst.map(|v| WorstPartition {
        topic: v.topic.clone(),
        partition: v.partition,
        status: v.status,
        lag_messages: v.lag_messages,
    });

    let calcs: Vec<TrendCalc> = evaluated.iter().filter_map(|(_, c)| *c).collect();
    let trend = (!calcs.is_empty()).then(|| {
        TrendCalc {
            lag_first: calcs
                .iter()
                .map(|c| c.lag_first)
                .fold(0, i64::saturating_add),
            lag_last: calcs
                .iter()
                .map(|c| c.lag_last)
                .fold(0, i64::saturating_add),
            lag_rate: calcs.iter().map(|c| c.lag_rate).sum(),
            consumption_rate: calcs.iter().map(|c| c.consumption_rate).sum(),
            production_rate: calcs.iter().map(|c| c.production_rate).sum(),
            span_ms: calcs.iter().map(|c| c.span_ms).max().unwrap_or(0),
        }
        .to_trend()
    });

    GroupVerdict {
        group: group.to_string(),
        status,
        burrow_status,
        next_step: status.next_step().to_string(),
        complete,
        partition_count: evaluated.len(),
        partitions_judged,
        partitions_without_commit,
        total_lag_messages,
        worst_partition,
        trend,
        partitions: evaluated.into_iter().map(|(v, _)| v).collect(),
    }
}
